"""The synthetic advertising table for the ``linear_regression`` assignment.

``tv_sales.csv`` has 200 rows, one per product, and two columns:

    TV     ~ Uniform(0.7, 296.4)                          TV advertising budget, thousands of dollars
    Sales  = 6.8 + 0.046 * TV + Normal(0, 0.9 + 0.009 * TV)   units sold, thousands, at least 1.6

Both columns are rounded to one decimal, as written. The noise grows with the budget (a fan
shape, as in real advertising data): large campaigns sell more on average but less predictably.
The true line, Sales = 6.8 + 0.046 * TV, is what a least-squares fit should come close to; the
notebook compares its gradient-descent line with it.

Everything is drawn from one ``np.random.default_rng(SEED)`` (never from numpy's global state) and
written with fixed formatting and ``\\n`` line endings, so every run writes the same bytes.

Run ``python assignments/linear_regression/make_data.py`` to (re)write
``source/linear_regression/data/tv_sales.csv``; ``write(folder)`` writes it anywhere else.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 31415926

N_ROWS = 200
TV_RANGE = (0.7, 296.4)  # thousands of dollars
TRUE_INTERCEPT = 6.8  # thousand units sold with no TV budget
TRUE_SLOPE = 0.046  # extra thousand units per thousand dollars of TV budget
NOISE_SD_BASE = 0.9  # thousand units, at a budget of 0
NOISE_SD_PER_TV = 0.009  # growth of the noise's standard deviation per thousand dollars
SALES_MIN = 1.6  # no product sells less than this
DECIMALS = 1

FILE_NAME = "tv_sales.csv"
DATA_DIR = Path(__file__).resolve().parents[2] / "source" / "linear_regression" / "data"


def generate() -> np.ndarray:
    """The table as a (N_ROWS, 2) float array, columns TV and Sales, rounded as written."""
    rng = np.random.default_rng(SEED)
    tv = np.round(rng.uniform(*TV_RANGE, size=N_ROWS), DECIMALS)
    noise = rng.normal(0.0, 1.0, size=N_ROWS) * (NOISE_SD_BASE + NOISE_SD_PER_TV * tv)
    sales = np.round(np.maximum(TRUE_INTERCEPT + TRUE_SLOPE * tv + noise, SALES_MIN), DECIMALS)
    return np.column_stack([tv, sales])


def render(table: np.ndarray) -> str:
    lines = ["TV,Sales"] + [f"{tv:.{DECIMALS}f},{sales:.{DECIMALS}f}" for tv, sales in table]
    return "\n".join(lines) + "\n"


def write(folder: str | Path) -> Path:
    """Write the table into ``folder`` (created if missing); return the file's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    path.write_bytes(render(generate()).encode("ascii"))
    return path


def main() -> None:
    print(f"wrote {write(DATA_DIR)}")


if __name__ == "__main__":
    main()
