"""Checks that recur across exercises, built on the ladder (:mod:`autograder.numeric`).

A dict of parameter arrays compared entry by entry; the caller's inputs left unchanged (no in-place
update); weights drawn as small random numbers (``0.01 · randn``); a cost printed once per
iteration. Each raises :class:`~autograder.errors.CheckFailure` with a value-free summary, so it
serves hidden checks as well as public ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .diagnosis import Mistake
from .errors import CheckFailure
from .numeric import expect_array, expect_close, expect_dict

__all__ = ["expect_arrays", "expect_printed_each_iteration", "expect_small_random", "expect_unchanged"]

# 0.01 · randn: the std of a thousand or more draws is within a few percent of 0.01, their mean within 0.002
SMALL_SCALE = 0.01
SMALL_SCALE_RANGE = (0.007, 0.013)
SMALL_MEAN_LIMIT = 0.002


def expect_arrays(got: Any, expected: Mapping[str, Any], *, name: str = "parameters", tolerance: str | None = None,
                  mistakes_for: Callable[[str], Sequence[Mistake]] | None = None,
                  shape_hints: Mapping[str, Mapping[tuple[int, ...], str]] | None = None) -> dict[str, np.ndarray]:
    """A dict with every key of ``expected``, each entry climbing the whole ladder against its value.
    ``mistakes_for(key)`` offers the entry's known mistakes; ``shape_hints[key]`` its shape hints."""
    found = expect_dict(got, name=name, keys=tuple(expected))
    return {key: expect_close(_entry(found, key, f'{name}["{key}"]'), value, name=f'{name}["{key}"]', tolerance=tolerance,
                              mistakes=mistakes_for(key) if mistakes_for else (),
                              shape_hints=(shape_hints or {}).get(key))
            for key, value in expected.items()}


def _entry(values: Mapping[str, Any], key: str, name: str) -> Any:
    if values[key] is None:
        raise CheckFailure(f"`{name}` is None: fill in its placeholder with the computed value.",
                           "A function given with `= None` placeholders must replace every one of them.",
                           summary=f"`{name}` is None.")
    return values[key]


def expect_unchanged(after: Any, before: Any, *, function: str, what: str, hint: str | None = None) -> None:
    """The values a call was given came back unchanged (``record.args_after`` against the originals):
    a function that updates its inputs in place changes its caller's data."""
    if _same(after, before):
        return
    message = f"{function} changed the {what} it was given."
    raise CheckFailure(message, hint or "Do not modify the arrays or dicts you are given (no -=, *= or slice assignment "
                                        "on them): compute new ones and return them.", summary=message)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "to_numpy") and hasattr(b, "to_numpy"):  # tables
        return bool(np.array_equal(np.asarray(a.to_numpy()), np.asarray(b.to_numpy()), equal_nan=True))
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))
    except (TypeError, ValueError):
        return bool(a == b)


def expect_small_random(got: Any, *, name: str, shape: Sequence[int], hint: str) -> np.ndarray:
    """Weights drawn as ``0.01 · randn``: not all zero, of both signs, a std of about 0.01, centred.
    ``shape`` should hold a thousand entries or more, for the statistics to be tight."""
    weights = expect_array(got, name=name, shape=shape)
    if np.all(weights == 0):
        raise CheckFailure(f"`{name}` is all zeros: every weight gets the same gradient, so they never differ.", hint,
                           summary=f"`{name}` is all zeros.")
    if np.all(weights >= 0):
        raise CheckFailure(f"Every entry of `{name}` is non-negative.", "np.random.rand draws from [0, 1); "
                           "np.random.randn draws from a normal distribution (both signs). " + hint,
                           summary=f"Every entry of `{name}` is non-negative.")
    std, mean = float(weights.std()), float(weights.mean())
    if not SMALL_SCALE_RANGE[0] <= std <= SMALL_SCALE_RANGE[1]:
        why = f"the factor {SMALL_SCALE:g} is missing" if std > 50 * SMALL_SCALE else "the scale is off"
        raise CheckFailure(f"The entries of `{name}` have standard deviation {std:.3g}; expected about {SMALL_SCALE:g} "
                           f"({why}).", hint,
                           summary=f"The entries of `{name}` do not have a standard deviation of about {SMALL_SCALE:g}.")
    if abs(mean) > SMALL_MEAN_LIMIT:
        raise CheckFailure(f"The entries of `{name}` average {mean:.3g}; expected about 0.", hint,
                           summary=f"The entries of `{name}` do not average about 0.")
    return weights


def expect_printed_each_iteration(stdout: str, iterations: int, *, function: str, hint: str) -> None:
    """With print_cost=True, at least one printed line per iteration."""
    printed = [line for line in stdout.splitlines() if line.strip()]
    if len(printed) >= iterations:
        return
    raise CheckFailure(f"With print_cost=True and num_iterations={iterations}, {function} printed {len(printed)} "
                       f"line{'s' if len(printed) != 1 else ''}: {stdout.strip()[:80]!r}.", hint,
                       summary=f"With print_cost=True, {function} printed fewer cost lines than it made iterations.")
