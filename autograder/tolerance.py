"""How close is close enough: the one tolerance table, and the one error measure.

Every comparison of numbers in the grader goes through here: a check comparing a student's answer
with the reference's, a recorded answer looked up by the inputs a check computed on another
machine, and a fresh recording compared with the committed one. No verdict may depend on the last
bits of one CPU (DESIGN.md, invariant 8), so nothing compares floats by their bits.

:func:`distance` extends :func:`relative_error` to whole answers (numbers, arrays, and dicts, lists
and tuples of them): the worst relative error over every number, or infinity when the two differ
in anything that is not a number (a shape, a key, a string).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["TOLERANCE", "Tolerance", "distance", "relative_error"]


@dataclass(frozen=True)
class Tolerance:
    """Largest accepted relative error, and the floors under the denominator.

    ``scale_floor`` is a fraction of the largest expected magnitude: entries far smaller than
    the array's scale are compared against that scale rather than their own tiny size, so
    round-off on near-zero entries does not fail a correct answer.
    """

    rtol: float
    scale_floor: float = 1e-3
    abs_floor: float = 1e-12


TOLERANCE: Mapping[str, Tolerance] = {
    # float64 arithmetic in another order (np.mean vs sum/m, @ vs np.dot): ~1e-15; mistakes are
    # ~1e-1 or larger, so 1e-6 separates them with room to spare.
    "float64": Tolerance(rtol=1e-6),
    # a student computing in float32 (e.g. JAX's default): eps 1.2e-7, grown by sums over m
    "float32": Tolerance(rtol=1e-4, abs_floor=1e-7),
    # many dependent steps (training loops): round-off compounds over iterations
    "iterative": Tolerance(rtol=1e-5),
    # The same question asked on another machine: a check's inputs computed there (a matrix
    # product, a normalisation) differ from the recorded ones by round-off, ~1e-15 relative, grown
    # a little by the steps that made them. Two different questions of a check differ by far more
    # (other random draws, other step sizes), so 1e-9 tells "the same inputs" from "other inputs".
    "same_question": Tolerance(rtol=1e-9),
    # The same question asked with float32 inputs (JAX's default in a student's code): each input is the
    # recorded float64 one rounded to 24 bits, 6e-8 relative; distinct questions still differ far more.
    "same_question_float32": Tolerance(rtol=1e-6, abs_floor=1e-7),
}


def relative_error(got: Any, expected: Any, tolerance: Tolerance) -> np.ndarray:
    """Elementwise |got − expected| / max(|got|, |expected|, floor), the floor set by the scale."""
    got64 = np.asarray(got, dtype=np.float64)
    exp64 = np.asarray(expected, dtype=np.float64)
    scale = float(np.max(np.abs(exp64))) if exp64.size else 0.0
    floor = max(tolerance.scale_floor * scale, tolerance.abs_floor)
    denominator = np.maximum(np.maximum(np.abs(got64), np.abs(exp64)), floor)
    return np.abs(got64 - exp64) / denominator


def distance(a: Any, b: Any, tolerance: Tolerance) -> float:
    """The worst relative error between two answers of the same structure; ``inf`` if their
    structure, shapes or non-numeric parts differ. NaN matches NaN and an infinity itself."""
    if _is_number(a) and _is_number(b):
        return _array_distance(np.asarray(float(a)), np.asarray(float(b)), tolerance)
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        if a.shape != b.shape or (a.dtype.kind in "biufc") != (b.dtype.kind in "biufc"):
            return math.inf
        if a.dtype.kind == "c" or b.dtype.kind == "c":
            return max(_array_distance(a.real, b.real, tolerance), _array_distance(a.imag, b.imag, tolerance))
        if a.dtype.kind not in "iuf" or b.dtype.kind not in "iuf":
            return 0.0 if np.array_equal(a, b) else math.inf
        return _array_distance(a, b, tolerance)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if type(a) is not type(b) or len(a) != len(b):
            return math.inf
        return max((distance(x, y, tolerance) for x, y in zip(a, b, strict=True)), default=0.0)
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return math.inf
        return max((distance(a[k], b[k], tolerance) for k in a), default=0.0)
    try:
        same = type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError):  # an object whose == is not a truth value (a table, an array-like)
        same = False
    return 0.0 if same else math.inf


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _array_distance(a: np.ndarray, b: np.ndarray, tolerance: Tolerance) -> float:
    a64, b64 = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    finite_a, finite_b = np.isfinite(a64), np.isfinite(b64)
    if not np.array_equal(finite_a, finite_b):
        return math.inf
    special = ~finite_a
    if special.any() and not np.array_equal(a64[special], b64[special], equal_nan=True):
        return math.inf
    if not finite_a.any():
        return 0.0
    return float(relative_error(a64[finite_a], b64[finite_a], tolerance).max())
