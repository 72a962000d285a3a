"""Synthetic data for the ``newtons_method`` assignment: study hours and exam results.

The table is drawn from one ``np.random.default_rng(SEED)`` generator (never from the global numpy
state), rounded to the precision it is written with, and written with fixed formatting and ``\\n``
line endings, so every run produces a byte-identical file.

``study_hours.csv`` (150 rows, columns ``hours,passed``)
    hours  ~ Uniform(0.5, 12)                                  hours of study, 1 decimal
    passed ~ Bernoulli(sigmoid(W_TRUE * hours + B_TRUE))      1 if the exam was passed, else 0
    with W_TRUE = 0.9 per hour and B_TRUE = -5.4, so the chance of passing is one half at 6 hours.

The notebook fits a logistic regression (w, b) to it by Newton's method. The classes overlap (a
few students pass after little study and a few fail after a lot), so the log loss has a finite
minimiser and the fit recovers W_TRUE and B_TRUE up to sampling noise.

Run ``python assignments/newtons_method/make_data.py`` to (re)write the file into
``source/newtons_method/data/``.
"""

from __future__ import annotations

import numpy as np

from autograder.datafiles import csv_text, write_course_data

SEED = 20240917

N_ROWS = 150
HOURS_RANGE = (0.5, 12.0)  # hours of study before the exam
W_TRUE = 0.9  # log-odds of passing gained per hour of study
B_TRUE = -5.4  # log-odds of passing with no study at all

FILE_NAME = "study_hours.csv"


def generate() -> np.ndarray:
    """The table as a (N_ROWS, 2) float array, columns (hours, passed), rounded exactly as written."""
    rng = np.random.default_rng(SEED)
    hours = np.round(rng.uniform(*HOURS_RANGE, size=N_ROWS), 1)
    probability = 1.0 / (1.0 + np.exp(-(W_TRUE * hours + B_TRUE)))
    passed = (rng.uniform(size=N_ROWS) < probability).astype(np.float64)
    return np.column_stack([hours, passed])


def tables() -> dict[str, str]:
    return {FILE_NAME: csv_text(("hours", "passed"), generate(), ("{:.1f}", "{:.0f}"))}


if __name__ == "__main__":
    write_course_data(__file__, tables)
