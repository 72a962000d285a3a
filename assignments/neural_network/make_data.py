"""Synthetic data set for the ``neural_network`` assignment: four blobs labelled like XOR.

The table is drawn from a single ``np.random.default_rng(SEED)`` generator (never from the global
numpy state), rounded to the precision it is written with, and written with fixed formatting and
``\\n`` line endings, so every run produces byte-identical files.

``xor_blobs.csv`` (2000 rows, columns ``x1,x2,y``)
    Four round Gaussian blobs of ``POINTS_PER_BLOB = 500`` points each, with standard deviation
    ``BLOB_SD = 0.9`` in both coordinates around the centres

        (2.0, 3.0) -> y = 0      lower left          (2.0, 8.0) -> y = 1      upper left
        (7.0, 8.0) -> y = 0      upper right         (7.5, 2.5) -> y = 1      lower right

    so the label is 1 exactly when the point's blob is "high in one coordinate and low in the
    other" (an exclusive or). No straight line separates the classes; one hidden layer can.
    The rows are shuffled; x1 and x2 are written with 3 decimals, y as 0 or 1.

The centres are deliberately not a perfect square around the origin: from a symmetric start the
perfectly symmetric XOR problem sits on a saddle of the cost that small random weights take long
to leave.

Run ``python assignments/neural_network/make_data.py`` to (re)write the file into
``source/neural_network/data/``.
"""

from __future__ import annotations

import numpy as np

from autograder.datafiles import csv_text, gaussian_blobs, write_course_data

SEED = 20240917

POINTS_PER_BLOB = 500
BLOB_SD = 0.9
# (centre x1, centre x2, label y): the XOR pattern of "one coordinate high, the other low"
BLOBS = (
    (2.0, 3.0, 0),
    (7.0, 8.0, 0),
    (2.0, 8.0, 1),
    (7.5, 2.5, 1),
)
FILE_NAME = "xor_blobs.csv"
HEADER = ("x1", "x2", "y")
FORMATS = ("{:.3f}", "{:.3f}", "{:.0f}")



def generate() -> np.ndarray:
    """The table as a (2000, 3) float array, one row per point: x1, x2, y.

    Values are already rounded exactly as written, so ``np.loadtxt(file, delimiter=",",
    skiprows=1)`` equals this array.
    """
    return gaussian_blobs(np.random.default_rng(SEED), BLOBS, BLOB_SD, POINTS_PER_BLOB, decimals=3)


def tables() -> dict[str, str]:
    return {FILE_NAME: csv_text(HEADER, generate(), FORMATS)}


if __name__ == "__main__":
    write_course_data(__file__, tables)
