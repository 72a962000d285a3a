"""Synthetic price data for the ``differentiation`` assignment (cost minimisation with JAX).

One table, drawn from a single ``np.random.default_rng(SEED)`` generator (never the global numpy
state), rounded to the cents it is written with, and written with fixed formatting and ``\\n``
line endings, so every run produces byte-identical files.

``prices.csv`` (60 rows, columns ``month,price_A,price_B``)
    month      2020-01 ... 2024-12
    price_A_t  = 104.00 + 0.06 t + 7.0 sin(2π (t − 1) / 12) + market_t + own_A_t    dollars per unit
    price_B_t  =  98.00 + 0.10 t + 5.0 sin(2π (t − 7) / 12) + market_t + own_B_t    dollars per unit

    t = 0, 1, ..., 59 counts the months. ``market`` is a shock both suppliers share and ``own_A``,
    ``own_B`` are each supplier's own shocks; all three are stationary AR(1) processes

        z_0 ~ Normal(0, sd² / (1 − φ²)),   z_t = φ z_{t−1} + Normal(0, sd²),

    with (φ, sd) = (0.7, 2.0) for the market, (0.5, 2.5) for A and (0.5, 3.0) for B, drawn in
    that order (market, A, B). The seasonal peaks are six months apart (A is dearest in May, t = 4,
    B in November, t = 10), so a blend of the two suppliers is steadier than either: with these draws the
    population variance of ω·price_A + (1 − ω)·price_B is smallest near ω ≈ 0.49.

Run ``python assignments/differentiation/make_data.py`` to (re)write the file into
``source/differentiation/data/``.
"""

from __future__ import annotations

import numpy as np

from autograder.datafiles import csv_text, write_course_data

SEED = 20240917

N_MONTHS = 60
FIRST_YEAR = 2020  # the table starts in January of this year
MONTHS_PER_YEAR = 12

# supplier A: level, drift per month, seasonal amplitude, and the shift of its sine (peak at t = shift + 3)
BASE_A = 104.00  # dollars per unit
TREND_A = 0.06  # dollars per unit per month
SEASON_AMPLITUDE_A = 7.0  # dollars per unit
SEASON_SHIFT_A = 1  # months
# supplier B
BASE_B = 98.00
TREND_B = 0.10
SEASON_AMPLITUDE_B = 5.0
SEASON_SHIFT_B = 7  # six months after A: the seasons partly cancel in a blend

# AR(1) shocks: (φ, sd of the innovations, dollars per unit)
MARKET_SHOCK = (0.7, 2.0)  # shared by both suppliers
OWN_SHOCK_A = (0.5, 2.5)
OWN_SHOCK_B = (0.5, 3.0)

FILE_NAME = "prices.csv"


def ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """A stationary AR(1) series of length n: z_t = φ z_{t−1} + Normal(0, sd²), started in equilibrium."""
    innovations = rng.normal(0.0, sd, size=n)
    z = np.empty(n)
    z[0] = innovations[0] / np.sqrt(1.0 - phi**2)
    for t in range(1, n):
        z[t] = phi * z[t - 1] + innovations[t]
    return z


def seasonal(t: np.ndarray, amplitude: float, shift: int) -> np.ndarray:
    return amplitude * np.sin(2.0 * np.pi * (t - shift) / MONTHS_PER_YEAR)


def generate() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return (months, price_A, price_B): month labels "YYYY-MM" and two (60,) float arrays in
    dollars per unit, already rounded to cents exactly as written."""
    rng = np.random.default_rng(SEED)
    t = np.arange(N_MONTHS)
    market = ar1(rng, N_MONTHS, *MARKET_SHOCK)
    own_A = ar1(rng, N_MONTHS, *OWN_SHOCK_A)
    own_B = ar1(rng, N_MONTHS, *OWN_SHOCK_B)
    price_A = BASE_A + TREND_A * t + seasonal(t, SEASON_AMPLITUDE_A, SEASON_SHIFT_A) + market + own_A
    price_B = BASE_B + TREND_B * t + seasonal(t, SEASON_AMPLITUDE_B, SEASON_SHIFT_B) + market + own_B
    months = [f"{FIRST_YEAR + i // MONTHS_PER_YEAR}-{i % MONTHS_PER_YEAR + 1:02d}" for i in t]
    return months, np.round(price_A, 2), np.round(price_B, 2)


def tables() -> dict[str, str]:
    months, price_A, price_B = generate()
    return {FILE_NAME: csv_text(("month", "price_A", "price_B"), zip(months, price_A, price_B, strict=True),
                                ("{}", "{:.2f}", "{:.2f}"))}


if __name__ == "__main__":
    write_course_data(__file__, tables)
