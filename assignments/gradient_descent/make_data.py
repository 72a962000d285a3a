"""Synthetic data for the ``gradient_descent`` assignment: bicycle deliveries.

One table, drawn from a single ``np.random.default_rng(SEED)`` generator (never from the global
numpy state), rounded to the precision it is written with, and written with fixed formatting and
``\\n`` line endings, so every run produces a byte-identical file.

``deliveries.csv`` (60 rows, columns ``distance_km,minutes``)
    distance_km ~ Uniform(0.5, 4.5), rounded to 0.01 km        length of the ride
    minutes     = 6.0 + 5.5 * distance_km + Normal(0, 2.0),     time from order to door,
                  rounded to 0.1 minute

The true line is ``minutes = TRUE_INTERCEPT + TRUE_SLOPE * distance_km``: 6 minutes to pack the
order and set off, then 5.5 minutes per kilometre. The notebook fits a line to the table by
gradient descent on the mean squared error E(w, b) = 1/(2m) sum((w x + b - y)^2). The distances are
deliberately not normalised: E is then a long, narrow valley (the Hessian's eigenvalues are
about 9.6 and 0.13), which is what makes the choice of learning rate interesting there.

Run ``python assignments/gradient_descent/make_data.py`` to (re)write the file into
``source/gradient_descent/data/``; ``write(folder)`` writes it anywhere else.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 20250214

N_ROWS = 60
DISTANCE_RANGE = (0.5, 4.5)  # kilometres
TRUE_INTERCEPT = 6.0  # minutes to pack the order and leave
TRUE_SLOPE = 5.5  # minutes per kilometre
NOISE_SD = 2.0  # minutes: traffic lights, stairs, a customer slow to answer the door

FILE_NAME = "deliveries.csv"
HEADER = "distance_km,minutes"
DATA_DIR = Path(__file__).resolve().parents[2] / "source" / "gradient_descent" / "data"


def generate() -> np.ndarray:
    """The table as a (N_ROWS, 2) float array: distance in km, minutes; rounded exactly as written,
    so ``np.loadtxt(file, delimiter=",", skiprows=1)`` equals it."""
    rng = np.random.default_rng(SEED)
    distance = np.round(rng.uniform(*DISTANCE_RANGE, size=N_ROWS), 2)
    noise = rng.normal(0.0, NOISE_SD, size=N_ROWS)
    minutes = np.round(TRUE_INTERCEPT + TRUE_SLOPE * distance + noise, 1)
    return np.column_stack([distance, minutes])


def render(table: np.ndarray) -> str:
    lines = [HEADER] + [f"{distance:.2f},{minutes:.1f}" for distance, minutes in table]
    return "\n".join(lines) + "\n"


def write(folder: str | Path) -> Path:
    """Write the table into ``folder`` (created if missing); return the written path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    path.write_bytes(render(generate()).encode("ascii"))
    return path


def main() -> None:
    print(f"wrote {write(DATA_DIR)}")


if __name__ == "__main__":
    main()
