"""The value of a SymPy expression at a point, computed with bounded work.

A student's SymPy answer reaches the trusted side as an unevaluated tree (the wire codec rebuilds
it with ``evaluate=False`` and never parses text). SymPy's own evaluation of such a tree is not
bounded: ``sin(10**(10**99))`` makes ``xreplace`` or ``evalf`` build an integer of 10^99 digits,
and the grading process never returns. So the checks never ask SymPy for a student's value:
:func:`evaluate` walks the tree itself with mpmath at a fixed precision, every node in bounded
time, and any magnitude past :data:`MAX_LOG_MAGNITUDE` becomes an infinity instead of a number
to compute. The trees are at most ``wire.MAX_SYMPY_NODES`` nodes, so one value costs milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mpmath

__all__ = ["NotEvaluable", "evaluate"]

DIGITS = 30  # working precision: far beyond the float64 tolerance the checks compare with
# A value whose natural log exceeds this (about 10^868) counts as infinite: far past any float64,
# far below what makes mpmath slow. Arguments of trigonometric functions are bounded the same way.
MAX_LOG_MAGNITUDE = 2000
MAX_MAGNITUDE = mpmath.mpf(10) ** 800
PHASE_LIMIT = mpmath.mpf(10) ** 15  # past this, an angle cannot be reduced at our precision


class NotEvaluable(ValueError):
    """The expression has no numeric value at the point (an unknown symbol, a derivative left unevaluated)."""


def evaluate(expression: Any, point: Mapping[str, float]) -> complex:
    """The expression's value at ``point`` (symbol name → number) as a Python complex."""
    with mpmath.workdps(DIGITS):
        value = _value(expression, point)
        if isinstance(value, bool):
            raise NotEvaluable("it is a condition (true or false), not a number")
        return complex(value)


def _value(node: Any, point: Mapping[str, float]) -> Any:
    kind = type(node).__name__
    if getattr(node, "is_Symbol", False):
        if node.name not in point:
            raise NotEvaluable(f"it uses the symbol {node.name}, which has no value here")
        return mpmath.mpf(point[node.name])
    if getattr(node, "is_Rational", False):  # Integer and Rational: at most a hundred digits (the codec's limit)
        return mpmath.mpf(int(node.p)) / mpmath.mpf(int(node.q))
    if getattr(node, "is_Float", False):
        return _bounded(mpmath.mpf(str(node)))
    if kind in _CONSTANTS:
        return _CONSTANTS[kind]
    if kind in ("BooleanTrue", "BooleanFalse"):
        return kind == "BooleanTrue"
    if kind == "Piecewise":
        return _piecewise(node, point)
    args = [_value(arg, point) for arg in node.args]
    if kind in _OPERATIONS:
        return _bounded(_OPERATIONS[kind](*args))
    if kind in _CONDITIONS:
        return _CONDITIONS[kind](*args)
    if kind == "Derivative":
        raise NotEvaluable("it holds a derivative that was never carried out (call .doit() on it)")
    raise NotEvaluable(f"it uses {kind}, which the grader does not evaluate")


def _piecewise(node: Any, point: Mapping[str, float]) -> Any:
    for pair in node.args:
        expression, condition = pair.args
        if _value(condition, point) is True:
            return _value(expression, point)
    return mpmath.nan


def _bounded(value: Any) -> Any:
    """Past the magnitude bound a value is infinite: nothing computes with a number that large."""
    if isinstance(value, bool) or not mpmath.isfinite(value):
        return value
    if abs(value) > MAX_MAGNITUDE:
        return mpmath.inf if mpmath.im(value) == 0 and mpmath.re(value) > 0 else \
            -mpmath.inf if mpmath.im(value) == 0 else mpmath.nan
    return value


def _add(*terms: Any) -> Any:
    total = mpmath.mpf(0)
    for term in terms:
        total += term
    return total


def _mul(*factors: Any) -> Any:
    product = mpmath.mpf(1)
    for factor in factors:
        product *= factor
    return product


def _pow(base: Any, exponent: Any) -> Any:
    if not (mpmath.isfinite(base) and mpmath.isfinite(exponent)):
        return mpmath.power(base, exponent)
    if base == 0:
        return mpmath.mpf(0) if mpmath.re(exponent) > 0 else mpmath.inf
    logarithm = exponent * mpmath.log(base)  # log(base ** exponent), computed without the power
    size = mpmath.re(logarithm)
    if abs(mpmath.im(logarithm)) > PHASE_LIMIT:
        return mpmath.nan  # (-1) ** 10**99: a phase too large to reduce has no meaningful value
    if size > MAX_LOG_MAGNITUDE:
        return mpmath.inf
    if size < -MAX_LOG_MAGNITUDE:
        return mpmath.mpf(0)
    return mpmath.power(base, exponent)


def _exp(x: Any) -> Any:
    if mpmath.isfinite(x) and mpmath.re(x) > MAX_LOG_MAGNITUDE:
        return mpmath.inf
    if mpmath.isfinite(x) and mpmath.re(x) < -MAX_LOG_MAGNITUDE:
        return mpmath.mpf(0)
    return mpmath.exp(x)


def _periodic(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """sin, cos, ... of an argument too large to reduce at our precision has no meaningful value."""

    def bounded(x: Any) -> Any:
        if not mpmath.isfinite(x) or abs(x) > PHASE_LIMIT:
            return mpmath.nan
        return function(x)

    return bounded


def _growing(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """sinh, cosh: like exp, infinite past the bound instead of computed."""

    def bounded(x: Any) -> Any:
        if mpmath.isfinite(x) and abs(mpmath.re(x)) > MAX_LOG_MAGNITUDE:
            return mpmath.inf if function is not mpmath.sinh or mpmath.re(x) > 0 else -mpmath.inf
        return function(x)

    return bounded


def _real(x: Any) -> Any:
    return mpmath.re(x)


def _heaviside(x: Any, *rest: Any) -> Any:
    value = _real(x)
    return mpmath.mpf(1) if value > 0 else mpmath.mpf(0) if value < 0 else (rest[0] if rest else mpmath.mpf(0.5))


def _sign(x: Any) -> Any:
    return mpmath.sign(x)


_CONSTANTS: dict[str, Any] = {
    "Pi": mpmath.pi, "Exp1": mpmath.e, "ImaginaryUnit": mpmath.mpc(0, 1), "Infinity": mpmath.inf,
    "NegativeInfinity": -mpmath.inf, "ComplexInfinity": mpmath.nan, "NaN": mpmath.nan, "Zero": mpmath.mpf(0),
    "One": mpmath.mpf(1), "NegativeOne": mpmath.mpf(-1), "Half": mpmath.mpf(0.5),
}
_OPERATIONS: dict[str, Callable[..., Any]] = {
    "Add": _add, "Mul": _mul, "Pow": _pow, "exp": _exp, "log": mpmath.log,
    "sin": _periodic(mpmath.sin), "cos": _periodic(mpmath.cos), "tan": _periodic(mpmath.tan),
    "cot": _periodic(mpmath.cot), "sec": _periodic(mpmath.sec), "csc": _periodic(mpmath.csc),
    "asin": mpmath.asin, "acos": mpmath.acos, "atan": mpmath.atan,
    "sinh": _growing(mpmath.sinh), "cosh": _growing(mpmath.cosh), "tanh": mpmath.tanh,
    "asinh": mpmath.asinh, "acosh": mpmath.acosh, "atanh": mpmath.atanh,
    "Abs": abs, "sign": _sign, "Heaviside": _heaviside, "floor": lambda x: mpmath.floor(_real(x)),
    "ceiling": lambda x: mpmath.ceil(_real(x)), "re": mpmath.re, "im": mpmath.im, "erf": mpmath.erf,
    "Max": lambda *xs: max(_real(x) for x in xs), "Min": lambda *xs: min(_real(x) for x in xs),
}
_CONDITIONS: dict[str, Callable[..., Any]] = {
    "StrictLessThan": lambda a, b: _real(a) < _real(b), "LessThan": lambda a, b: _real(a) <= _real(b),
    "StrictGreaterThan": lambda a, b: _real(a) > _real(b), "GreaterThan": lambda a, b: _real(a) >= _real(b),
    "Equality": lambda a, b: a == b, "Unequality": lambda a, b: a != b,
    "And": lambda *xs: all(x is True for x in xs), "Or": lambda *xs: any(x is True for x in xs),
    "Not": lambda x: x is not True,
}
