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
``source/gradient_descent/data/``.
"""

from __future__ import annotations

import numpy as np

from autograder.datafiles import csv_text, write_course_data

SEED = 20250214

N_ROWS = 60
DISTANCE_RANGE = (0.5, 4.5)  # kilometres
TRUE_INTERCEPT = 6.0  # minutes to pack the order and leave
TRUE_SLOPE = 5.5  # minutes per kilometre
NOISE_SD = 2.0  # minutes: traffic lights, stairs, a customer slow to answer the door

FILE_NAME = "deliveries.csv"


def generate() -> np.ndarray:
    """The table as a (N_ROWS, 2) float array: distance in km, minutes; rounded exactly as written,
    so ``np.loadtxt(file, delimiter=",", skiprows=1)`` equals it."""
    rng = np.random.default_rng(SEED)
    distance = np.round(rng.uniform(*DISTANCE_RANGE, size=N_ROWS), 2)
    noise = rng.normal(0.0, NOISE_SD, size=N_ROWS)
    minutes = np.round(TRUE_INTERCEPT + TRUE_SLOPE * distance + noise, 1)
    return np.column_stack([distance, minutes])


def tables() -> dict[str, str]:
    return {FILE_NAME: csv_text(("distance_km", "minutes"), generate(), ("{:.2f}", "{:.1f}"))}


if __name__ == "__main__":
    write_course_data(__file__, tables)
