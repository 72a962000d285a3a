"""How "correct" is decided: one tolerance table, one error measure, and the ladder.

Every answer climbs the same ladder, and the first rung it falls from names the problem:
**type** (a real array or number, not a list, None or an object) → **shape** → **dtype** →
**finite** (no NaN or inf) → **value** (relative error with a floor, against the tolerance).
A wrong value is compared with the known *mistakes* the check offers (a sign flip, a missing
1/m, ...); when one matches, its hint is attached to the failure.

Comparisons are in float64, within the one tolerance table (:mod:`autograder.tolerance`). The
reference's gradients the checks compare with come from :mod:`autograder.autodiff` (JAX, in float64).
"""

from __future__ import annotations

import contextvars
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .diagnosis import Mistake
from .errors import CheckFailure
from .tolerance import TOLERANCE, Tolerance, relative_error

__all__ = [
    "TOLERANCE",
    "Tolerance",
    "expect_array",
    "expect_bool_array",
    "expect_close",
    "expect_dict",
    "expect_equal",
    "expect_float",
    "expect_expression",
    "expect_float_close",
    "expect_function",
    "expect_tuple",
    "relative_error",
]


# Set while recording public cases: every mistake's value is computed (so it gets recorded).
_FORCE_MISTAKES: contextvars.ContextVar[bool] = contextvars.ContextVar("force_mistakes", default=False)


# ---------------------------------------------------------------------------- the ladder


def expect_array(
    got: Any, *, name: str, shape: Sequence[int], shape_hints: Mapping[tuple[int, ...], str] | None = None
) -> np.ndarray:
    """Climb type → shape → dtype → finite for a numeric array; return it as float64.

    ``shape_hints`` maps a wrong shape to what it tells about the mistake, before the generic ones.
    """
    array = _expect_ndarray(got, name, tuple(shape), shape_hints)
    if array.dtype.kind == "b":
        raise _failure(name, "holds booleans, not numbers", f"`{name}` holds booleans, but numbers were expected.")
    if array.dtype.kind == "c":
        raise _failure(name, "holds complex numbers", f"`{name}` holds complex numbers, but real numbers were expected.",
                           "Look for a square root or power of a negative number.")
    _expect_finite(array, name)
    return array.astype(np.float64)


def expect_bool_array(
    got: Any, *, name: str, shape: Sequence[int], shape_hints: Mapping[tuple[int, ...], str] | None = None,
    zeros_and_ones: bool = False,
) -> np.ndarray:
    """Climb type → shape → dtype for an array of booleans (e.g. predictions). With ``zeros_and_ones``
    (a notebook whose contract documents the classes as 0 and 1), integers 0 and 1 count as the classes."""
    array = _expect_ndarray(got, name, tuple(shape), shape_hints)
    if zeros_and_ones and array.dtype.kind in "iuf" and array.size and np.isin(array, (0, 1)).all():
        return array.astype(bool)
    if array.dtype.kind != "b":
        values = "0/1 numbers" if array.size and np.isin(array, (0, 1)).all() else f"{array.dtype} numbers"
        raise _failure(
            name, "holds numbers, not booleans",
            f"`{name}` holds {values}, but booleans (True/False) were expected.",
            "Compare instead of rounding: e.g. `A > 0.5` gives an array of booleans.",
        )
    return array


def expect_close(
    got: Any,
    expected: Any,
    *,
    name: str,
    tolerance: str | None = None,
    mistakes: Iterable[Mistake] = (),
    shape_hints: Mapping[tuple[int, ...], str] | None = None,
    hint: str | None = None,
) -> np.ndarray:
    """The whole ladder for an array, then its value against ``expected``.

    ``hint`` is what to say about a wrong value when no offered mistake matches it."""
    expected = np.asarray(expected, dtype=np.float64)
    array = expect_array(got, name=name, shape=expected.shape, shape_hints=shape_hints)
    tol = TOLERANCE[tolerance or _tolerance_for(got)]
    error = relative_error(array, expected, tol)
    mistakes = tuple(mistakes)
    if error.size and float(error.max()) > tol.rtol:
        where = np.unravel_index(int(np.argmax(error)), error.shape)
        raise _failure(
            name, "is wrong",
            f"`{name}` is wrong at index {_index(where)}: you have {_num(array[where])}, "
            f"expected {_num(expected[where])} (relative error {float(error.max()):.1e}, tolerance {tol.rtol:g}).",
            diagnose(array, mistakes, tol) or hint,
        )
    if _FORCE_MISTAKES.get():
        diagnose(array, mistakes, tol)
    return array


def expect_float(got: Any, *, name: str) -> float:
    """Climb type → finite for a single number; a Python float or numpy floating scalar."""
    if got is None:
        raise _failure(name, "is None", f"`{name}` is None.", _NONE_HINT)
    if isinstance(got, np.ndarray):
        raise _failure(
            name, "is an array, not a single number",
            f"`{name}` is a numpy array of shape {got.shape}, but a single number was expected.",
            "Return one number, not an array: e.g. `float(np.squeeze(result))`." if got.size == 1 else
            "Reduce it to one number (a cost sums or averages over every entry: `np.sum(...)`), then return it "
            "with `float(...)`.",
        )
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating)):
        raise _failure(name, "is not a number", f"`{name}` is {_kind(got)}, but a number (float) was expected.")
    value = float(got)
    if not math.isfinite(value):
        raise _failure(name, "is not finite (NaN or infinity)", f"`{name}` is {value}.", _NOT_FINITE_HINT)
    return value


def expect_float_close(
    got: Any,
    expected: float,
    *,
    name: str,
    tolerance: str | None = None,
    mistakes: Iterable[Mistake] = (),
    hint: str | None = None,
) -> float:
    """The ladder for a single number, then its value against ``expected`` (``hint``: as for
    :func:`expect_close`)."""
    value = expect_float(got, name=name)
    tol = TOLERANCE[tolerance or _tolerance_for(got)]
    error = float(relative_error(np.array(value), np.array(expected), tol))
    mistakes = tuple(mistakes)
    if error > tol.rtol:
        raise _failure(
            name, "is wrong",
            f"`{name}` is {_num(value)}, expected {_num(expected)} (relative error {error:.1e}, tolerance {tol.rtol:g}).",
            diagnose(np.array(value), mistakes, tol) or hint,
        )
    if _FORCE_MISTAKES.get():
        diagnose(np.array(value), mistakes, tol)
    return value


def expect_equal(got: Any, expected: Any, *, name: str, mistakes: Iterable[Mistake] = ()) -> Any:
    """Exact equality for small plain values (ints, strings, tuples of them); lists count as tuples."""
    value = _plain(got)
    if value != _plain(expected):
        hint = next((m.hint for m in mistakes if _plain(m.resolve()) == value), None)
        raise _failure(name, "is wrong", f"`{name}` is {value!r}, expected {_plain(expected)!r}.", hint)
    if _FORCE_MISTAKES.get():
        for mistake in mistakes:
            mistake.resolve()
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    return value.item() if isinstance(value, np.generic) else value


def expect_dict(got: Any, *, name: str, keys: Sequence[str]) -> dict[str, Any]:
    """A dict with exactly the expected keys (extra keys are allowed, missing ones are not)."""
    if got is None:
        raise _failure(name, "is None", f"`{name}` is None.", _NONE_HINT)
    if not isinstance(got, dict):
        raise _failure(name, "is not a dict", f"`{name}` is {_kind(got)}, but a dict with keys {_keys(keys)} was expected.")
    missing = [k for k in keys if k not in got]
    if missing:
        raise _failure(
            name, "lacks keys it must have",
            f"`{name}` has keys {_keys(got)}, but is missing {_keys(missing)}.",
            "Use exactly these key names (they are case-sensitive).",
        )
    return got


def expect_tuple(got: Any, *, name: str, length: int) -> tuple[Any, ...]:
    """A tuple (or list) of ``length`` items."""
    if got is None:
        raise _failure(name, "is None", f"`{name}` is None.", _NONE_HINT)
    if not isinstance(got, (tuple, list)) or len(got) != length:
        raise _failure(name, "is not a tuple of the right length",
                       f"`{name}` is {_kind(got)}, but a tuple of {length} values was expected.")
    return tuple(got)


def expect_function(got: Any, *, name: str) -> Any:
    """A function (e.g. a derivative returned by the student's code), callable from the check."""
    from .sandbox.submission import RemoteFunction

    if isinstance(got, RemoteFunction) or (callable(got) and not isinstance(got, type)):
        return got
    if got is None:
        raise _failure(name, "is None", f"`{name}` is None.", _NONE_HINT)
    raise _failure(name, "is not a function", f"`{name}` is {_kind(got)}, but a function was expected.",
                       "Return the function itself (e.g. `return f_prime`), without calling it.")


def expect_expression(
    got: Any,
    expected: Any,
    *,
    name: str,
    points: Sequence[Mapping[str, float]],
    mistakes: Iterable[Mistake] = (),
) -> Any:
    """A SymPy expression that equals ``expected`` at every point (so any equivalent form passes).

    Both are evaluated numerically by :func:`autograder.symbolic.evaluate`, with bounded work: never
    turned into code, never simplified or evaluated by SymPy, so nothing the student sent is run.
    """
    import sympy

    if got is None:
        raise _failure(name, "is None", f"`{name}` is None.", _NONE_HINT)
    if not isinstance(got, sympy.Basic):
        hint = "Keep it symbolic: build it from sympy symbols and functions." if isinstance(got, (int, float)) else None
        raise _failure(name, "is not a SymPy expression", f"`{name}` is {_kind(got)}, but a SymPy expression was expected.", hint)
    allowed = {s.name for s in expected.free_symbols} | {n for point in points for n in point}
    strangers = sorted(s.name for s in got.free_symbols if s.name not in allowed)
    if strangers:
        raise _failure(name, "uses symbols it was not given",
                       f"`{name}` uses the symbol{'s' if len(strangers) > 1 else ''} {', '.join(strangers)}, "
                       f"but the expected expression uses only {', '.join(sorted(allowed))}.",
                       "Use the symbols you were given (check their names).")
    tol = TOLERANCE["float64"]
    mistakes = tuple(mistakes)
    for point in points:
        mine, theirs = _evaluate(got, point, name), _evaluate(expected, point, "the expected expression")
        if _complex_error(mine, theirs, tol) > tol.rtol:
            where = ", ".join(f"{k} = {v:g}" for k, v in point.items())
            raise _failure(name, "is not the expected expression",
                           f"`{name}` differs from the expected expression at {where}: yours gives {_cnum(mine)}, "
                           f"expected {_cnum(theirs)}.", _matching_expression(mine, point, mistakes, tol))
    if _FORCE_MISTAKES.get():
        for mistake in mistakes:
            _resolved(mistake)
    return got


def _matching_expression(value: complex, point: Mapping[str, float], mistakes: Sequence[Mistake],
                         tol: Tolerance) -> str | None:
    """The hint of the first mistake whose expression has ``value`` at ``point`` (as diagnose does)."""
    for mistake in mistakes:
        wrong = _resolved(mistake)
        if wrong is None:
            continue
        try:
            if _complex_error(value, _evaluate(wrong, point, "mistake"), tol) <= tol.rtol:
                return mistake.hint
        except CheckFailure:
            continue
    return None


def _resolved(mistake: Mistake) -> Any:
    from .oracle import CaseNotRecorded

    try:
        return mistake.resolve()
    except CaseNotRecorded:
        return None


def _evaluate(expression: Any, point: Mapping[str, float], name: str) -> complex:
    """The expression's value at the point, with bounded work (never SymPy's own evaluation)."""
    from .symbolic import NotEvaluable, evaluate

    try:
        return evaluate(expression, point)
    except (NotEvaluable, TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
        where = ", ".join(f"{k} = {v:g}" for k, v in point.items())
        reason = f" ({exc})" if isinstance(exc, NotEvaluable) else ""
        raise _failure(name, "cannot be evaluated to a number",
                       f"`{name}` cannot be evaluated to a number at {where}{reason}.",
                       "Make sure the expression uses only the given symbols and has a value there.") from None


def _complex_error(a: complex, b: complex, tol: Tolerance) -> float:
    if not (np.isfinite(a) and np.isfinite(b)):
        return 0.0 if a == b else float("inf")
    return abs(a - b) / max(abs(a), abs(b), tol.abs_floor)


def _cnum(value: complex) -> str:
    return _num(value.real) if abs(value.imag) <= 1e-12 * max(1.0, abs(value.real)) else f"{value:.6g}"


def diagnose(got: np.ndarray, mistakes: Sequence[Mistake], tolerance: Tolerance) -> str | None:
    """The hint of the first known mistake ``got`` matches, if any."""
    from .oracle import CaseNotRecorded

    found = None
    for mistake in mistakes:
        try:
            wrong = np.asarray(mistake.resolve(), dtype=np.float64)
        except CaseNotRecorded:
            continue
        if found is None and wrong.shape == got.shape and np.all(np.isfinite(wrong)):
            if not wrong.size or float(relative_error(got, wrong, tolerance).max()) <= tolerance.rtol:
                found = mistake.hint
    return found


# ---------------------------------------------------------------------------- rungs


def _expect_ndarray(
    got: Any, name: str, shape: tuple[int, ...], shape_hints: Mapping[tuple[int, ...], str] | None
) -> np.ndarray:
    if isinstance(got, np.ndarray):
        if got.shape != shape:
            hint = (shape_hints or {}).get(got.shape) or shape_hint(got.shape, shape)
            raise _failure(name, "has the wrong shape", f"`{name}` has shape {got.shape}, expected {shape}.", hint)
        return got
    if got is None:
        raise _failure(name, "is None", f"`{name}` is None.", _NONE_HINT)
    if isinstance(got, (list, tuple)):
        raise _failure(
            name, f"is a Python {type(got).__name__}, not a numpy array",
            f"`{name}` is a Python {type(got).__name__}, but a numpy array of shape {shape} was expected.",
            "Build it with numpy operations, or convert it with `np.array(...)`.",
        )
    if isinstance(got, (int, float, np.number)):
        raise _failure(
            name, "is a single number, not an array",
            f"`{name}` is a single number, but a numpy array of shape {shape} was expected.",
            "Keep the array: do not reduce it with float(), sum() or indexing.",
        )
    raise _failure(name, "is not a numpy array", f"`{name}` is {_kind(got)}, but a numpy array of shape {shape} was expected.")


def _expect_finite(array: np.ndarray, name: str) -> None:
    bad = ~np.isfinite(array)
    if bad.any():
        where = np.unravel_index(int(np.argmax(bad)), bad.shape)
        raise _failure(name, "contains NaN or infinity",
                       f"`{name}` contains {_num(array[where])} at index {_index(where)}.", _NOT_FINITE_HINT)


def _failure(name: str, problem: str, message: str, hint: str | None = None) -> CheckFailure:
    """A rung's verdict. Its summary (what a hidden check shows) names the problem, and the answer
    only when the check's name for it carries no values (`grads["dW"]` does, `f(x, 0.001)` does not)."""
    return CheckFailure(message, hint, summary=f"{subject(name)} {problem}.")


_VALUES_IN_NAME = re.compile(r"(?<![A-Za-z_])\d|[=<>]")


def subject(name: str) -> str:
    """How a value-free summary refers to an answer the check calls ``name``."""
    return f"`{name}`" if len(name) <= 60 and not _VALUES_IN_NAME.search(name) else "the answer"


_NONE_HINT = ("A function that ends without `return` gives None: add the `return`. If this is an entry you "
              "fill in (e.g. in a dict), replace its `None` placeholder with the computed value.")
_NOT_FINITE_HINT = (
    "NaN or inf comes from overflow (exp of a large number), log(0), or dividing by zero; "
    "check the formula and that you used the inputs you were given."
)


def shape_hint(got: tuple[int, ...], expected: tuple[int, ...]) -> str | None:
    """Name the usual cause of a shape mismatch."""
    if len(got) == 2 and len(expected) == 2 and got == expected[::-1]:
        return "The result looks transposed. Remember the convention: X is (n_x, m), one example per column."
    if len(got) == 2 and got[0] == got[1] and len(expected) == 2 and 1 in expected and got[0] == max(expected):
        return (
            f"An ({got[0]}, {got[1]}) result usually means an (m,) or (m, 1) array was broadcast against a (1, m) one; "
            "keep every array 2-D with the shape the docstring gives."
        )
    if len(got) + 1 == len(expected) and tuple(d for d in expected if d != 1) == tuple(d for d in got if d != 1):
        return "A dimension was dropped: sum with `keepdims=True`, or reshape to the 2-D shape."
    if len(got) == len(expected) + 1 and tuple(d for d in got if d != 1) == tuple(d for d in expected if d != 1):
        return "There is an extra dimension of size 1: return the shape the docstring gives."
    return None


def _tolerance_for(got: Any) -> str:
    dtype = getattr(got, "dtype", None)
    return "float32" if dtype is not None and dtype.kind == "f" and dtype.itemsize < 8 else "float64"


def _kind(value: Any) -> str:
    from .wire import FunctionHandle, Opaque

    if (type(value).__module__ or "").startswith("sympy"):
        return f"a SymPy expression ({type(value).__name__})"
    if isinstance(value, Opaque):
        return f"an object of type {value.type_name} ({value.text})"
    if isinstance(value, FunctionHandle) or callable(value):
        return "a function"
    article = "an" if type(value).__name__[0] in "aeiou" else "a"
    return f"{article} {type(value).__name__}"


def _keys(keys: Iterable[Any]) -> str:
    return ", ".join(repr(k) for k in keys) or "(none)"


def _index(where: tuple[Any, ...]) -> str:
    return "(" + ", ".join(str(int(i)) for i in where) + ")" if where else "()"


def _num(value: Any) -> str:
    return f"{float(value):.6g}"


def forcing_mistakes() -> bool:
    """True while public cases are recorded (every mistake and figure is computed)."""
    return _FORCE_MISTAKES.get()


class force_mistakes:
    """Context manager: compute every offered mistake, even for right answers (for recording)."""

    def __enter__(self) -> None:
        self.token = _FORCE_MISTAKES.set(True)

    def __exit__(self, *exc: object) -> None:
        _FORCE_MISTAKES.reset(self.token)
