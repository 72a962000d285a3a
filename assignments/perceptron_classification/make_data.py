"""Synthetic data sets for the ``perceptron_classification`` assignment.

Both tables come from one ``np.random.default_rng(SEED)`` generator (never numpy's global state),
are rounded to the precision they are written with, and are written with fixed formatting and
``\\n`` line endings, so every run produces byte-identical files. Columns: ``x1,x2,y``, where
``y`` is the class, 0 or 1.

``toy.csv`` (30 rows): a small set that a line separates exactly
    x1, x2 ~ Uniform(0, 1), written with 2 decimals
    y = 1 if TOY_W1 * x1 + TOY_W2 * x2 + TOY_B > 0 else 0, i.e. y = 1 above the line x1 + x2 = 1
    points closer than TOY_MARGIN to that line are drawn again, so the classes have a gap

``blobs.csv`` (500 rows, shuffled): two overlapping Gaussian clouds, 250 points each
    class 0 ~ Normal(BLOB_CENTRE_0, BLOB_SD² I),  class 1 ~ Normal(BLOB_CENTRE_1, BLOB_SD² I)
    written with 3 decimals

With equal, round spreads and equal class sizes, the best possible classifier is exactly a
sigmoid perceptron: P(y = 1 | x) = σ(w · x + b) with

    w = (BLOB_CENTRE_1 − BLOB_CENTRE_0) / BLOB_SD²                          = (2.5, −1.5)
    b = −(|BLOB_CENTRE_1|² − |BLOB_CENTRE_0|²) / (2 BLOB_SD²)               = −0.25

(``BAYES_W``, ``BAYES_B``), whose decision line x2 = −(w1 x1 + b) / w2 is the perpendicular
bisector of the two centres. A trained perceptron should land near these values, and about 7 %
of the points lie on the wrong side of even this best line.

Run ``python assignments/perceptron_classification/make_data.py`` to (re)write both files into
``source/perceptron_classification/data/``.
"""

from __future__ import annotations

import numpy as np

from autograder.datafiles import csv_text, gaussian_blobs, write_course_data

SEED = 20240923

# toy.csv
TOY_N_ROWS = 30
TOY_W1, TOY_W2, TOY_B = 1.0, 1.0, -1.0  # y = 1 where x1 + x2 - 1 > 0
TOY_MARGIN = 0.05  # smallest distance of a point to the separating line

# blobs.csv
BLOB_N_PER_CLASS = 250
BLOB_CENTRE_0 = (-1.0, 1.0)
BLOB_CENTRE_1 = (1.5, -0.5)
BLOB_SD = 1.0  # the same in every direction and for both classes

BAYES_W = tuple((c1 - c0) / BLOB_SD**2 for c0, c1 in zip(BLOB_CENTRE_0, BLOB_CENTRE_1, strict=True))
BAYES_B = -(sum(c**2 for c in BLOB_CENTRE_1) - sum(c**2 for c in BLOB_CENTRE_0)) / (2 * BLOB_SD**2)

HEADER = ("x1", "x2", "y")


def _toy(rng: np.random.Generator) -> np.ndarray:
    rows = []
    norm = np.hypot(TOY_W1, TOY_W2)
    while len(rows) < TOY_N_ROWS:
        x1, x2 = np.round(rng.uniform(0.0, 1.0, size=2), 2)
        score = TOY_W1 * x1 + TOY_W2 * x2 + TOY_B
        if abs(score) / norm >= TOY_MARGIN:
            rows.append((x1, x2, float(score > 0)))
    return np.array(rows)


def _blobs(rng: np.random.Generator) -> np.ndarray:
    return gaussian_blobs(rng, ((*BLOB_CENTRE_0, 0.0), (*BLOB_CENTRE_1, 1.0)), BLOB_SD, BLOB_N_PER_CLASS, decimals=3)


def tables() -> dict[str, str]:
    """Both files from one generator; the values are rounded exactly as written, so
    ``np.loadtxt(file, delimiter=",", skiprows=1)`` gives them back unchanged."""
    rng = np.random.default_rng(SEED)
    return {"toy.csv": csv_text(HEADER, _toy(rng), ("{:.2f}", "{:.2f}", "{:.0f}")),
            "blobs.csv": csv_text(HEADER, _blobs(rng), ("{:.3f}", "{:.3f}", "{:.0f}"))}


if __name__ == "__main__":
    write_course_data(__file__, tables)
