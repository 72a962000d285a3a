"""Checks that recur across exercises, built on the ladder (:mod:`autograder.numeric`).

A dict of parameter arrays compared entry by entry; freshly initialised parameters (their shapes,
biases at zero); one gradient-descent step on such a dict, and the dict a training loop returns,
with their usual mistakes named; the sizes of a layer read from the data; a function that must
work entry by entry on arrays; the caller's inputs left unchanged (no in-place update); weights
drawn as small random numbers (``0.01 · randn``); a cost printed once per iteration, and a whole
training run reported that way. Each raises :class:`~autograder.errors.CheckFailure` with a
value-free summary, so it serves hidden checks as well as public ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .diagnosis import SIZE_ORDER, Mistake, iteration_mistakes, no_update, size_mistakes, step_mistakes
from .errors import CheckFailure, StudentCodeRaised
from .numeric import expect_array, expect_close, expect_dict, expect_equal, expect_tuple

__all__ = [
    "expect_arrays",
    "expect_elementwise",
    "expect_initialized",
    "expect_printed_each_iteration",
    "expect_sizes",
    "expect_small_random",
    "expect_step",
    "expect_trained",
    "expect_training_report",
    "expect_unchanged",
]

ShapeHints = Mapping[str, Mapping[tuple[int, ...], str]]

# 0.01 · randn: the std of a thousand or more draws is within a few percent of 0.01, their mean within 0.002
SMALL_SCALE = 0.01
SMALL_SCALE_RANGE = (0.007, 0.013)
SMALL_MEAN_LIMIT = 0.002


def expect_arrays(got: Any, expected: Mapping[str, Any], *, name: str = "parameters", tolerance: str | None = None,
                  mistakes_for: Callable[[str], Sequence[Mistake]] | None = None,
                  shape_hints: ShapeHints | None = None) -> dict[str, np.ndarray]:
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


def expect_sizes(got: Any, expected: tuple[int, ...], m: int, *, name: str, mistakes: Sequence[Mistake] = (),
                 order: str = SIZE_ORDER) -> Any:
    """A tuple of layer sizes read from X (n_x, m) and Y (n_y, m), exactly ``expected`` (n_x first, n_y last), with
    the sizes read from the wrong axis named (:func:`~autograder.diagnosis.size_mistakes`, ``order`` naming the
    entries) after the exercise's own ``mistakes``."""
    found = expect_tuple(got, name=name, length=len(expected))
    return expect_equal(found, expected, name=name, mistakes=[*mistakes, *size_mistakes(expected, m, order)])


def expect_elementwise(function: Callable[..., Any], *args: Any, name: str, hint: str) -> Any:
    """``function(*args)``, for a student's function (``name``) that must work entry by entry on arrays. When
    it raised because it works on one number at a time (``math.exp`` of an array: a TypeError about converting an
    array to a Python scalar), that is the verdict, with ``hint``; anything else it raised is raised as it is."""
    try:
        return function(*args)
    except StudentCodeRaised as error:
        if error.exc_type != "TypeError" or "scalar" not in str(error):
            raise
        summary = f"{name} works on one number at a time, but it is called with whole arrays."
        raise CheckFailure(f"{error}: it works on one number at a time, but {name} is called with whole arrays.", hint,
                           summary=summary) from None


def expect_initialized(got: Any, shapes: Mapping[str, Sequence[int]], *, zeros: Sequence[str] = (),
                       name: str = "parameters", shape_hints: ShapeHints | None = None,
                       hint: str = "Start the biases at zero: np.zeros((rows, 1)).") -> dict[str, np.ndarray]:
    """Freshly initialised parameters: a dict with every key of ``shapes``, each an array of that shape, and the
    entries named in ``zeros`` (the biases) all zero. Whether the weights look random is :func:`expect_small_random`'s."""
    found = expect_dict(got, name=name, keys=tuple(shapes))
    arrays = {key: expect_array(_entry(found, key, f'{name}["{key}"]'), name=f'{name}["{key}"]', shape=shape,
                                shape_hints=(shape_hints or {}).get(key))
              for key, shape in shapes.items()}
    for key in zeros:
        if np.any(arrays[key] != 0):
            message = f'`{name}["{key}"]` is not all zeros.'
            raise CheckFailure(message, hint, summary=message)
    return arrays


def expect_step(got: Any, expected: Mapping[str, Any], start: Mapping[str, Any], gradients: Mapping[str, Any],
                learning_rate: float, with_default_rate: Mapping[str, Any], *, name: str = "parameters") -> dict[str, np.ndarray]:
    """A dict of parameters after one gradient-descent step at ``learning_rate`` from ``start`` (the gradient of
    entry ``key`` is ``gradients["d" + key]``), entry by entry, with a step's usual mistakes named
    (:func:`~autograder.diagnosis.step_mistakes`; ``with_default_rate``: the step at the function's default rate)."""
    return expect_arrays(got, expected, name=name, mistakes_for=lambda key: step_mistakes(
        start[key], gradients["d" + key], learning_rate, with_default_rate[key]))


def expect_trained(got: Any, train: Callable[[int, float], Mapping[str, Any]], start: Mapping[str, Any], *,
                   iterations: int, learning_rate: float, defaults: tuple[int, float], function: str,
                   shape_hints: ShapeHints | None = None, hint: str | None = None) -> dict[str, np.ndarray]:
    """The dict of parameters a training loop returns after ``iterations`` steps at ``learning_rate``, entry by entry
    at the iterative tolerance, against ``train(iterations, learning_rate)`` (``train(n, rate)``: the right
    parameters after n steps at that rate). Named: an argument ignored or a step too few or too many
    (:func:`~autograder.diagnosis.iteration_mistakes`; ``defaults``: the function's own num_iterations and
    learning_rate), and the ``start`` returned (:func:`~autograder.diagnosis.no_update`, or ``hint``)."""
    returned = hint or (f"{function} returned the starting parameters: assign the result of update_parameters in every "
                        "iteration (parameters = update_parameters(parameters, grads, learning_rate)).")

    def mistakes_for(key: str) -> list[Mistake]:
        def entry(n: int, rate: float) -> Any:
            return train(n, rate)[key]

        return [*iteration_mistakes(entry, iterations, learning_rate, *defaults, name=function),
                no_update(start[key], hint=returned)]

    return expect_arrays(got, train(iterations, learning_rate), tolerance="iterative", mistakes_for=mistakes_for,
                         shape_hints=shape_hints)


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


def expect_training_report(record: Any, data: Sequence[Any], iterations: int, *, function: str, keys: Sequence[str],
                           hint: str, every: int = 1, what: str = "X or Y") -> None:
    """A training loop called with ``watch_args`` and print_cost=True (``record``: the call's record): it returned a
    dict of parameters with ``keys``, left the ``data`` it was given (its first positional arguments, ``what``)
    unchanged, and printed a cost line per iteration (:func:`expect_printed_each_iteration`: ``hint``, ``every``)."""
    expect_dict(record.value, name="parameters", keys=keys)
    expect_unchanged(record.args_after[0][: len(data)], list(data), function=function, what=what)
    expect_printed_each_iteration(record.stdout, iterations, function=function, hint=hint, every=every)


def expect_printed_each_iteration(stdout: str, iterations: int, *, function: str, hint: str, every: int = 1) -> None:
    """With print_cost=True, at least one printed line per iteration (or, with ``every``, per ``every`` iterations
    begun: a notebook that prints the cost every 1000 iterations prints once in three)."""
    printed = [line for line in stdout.splitlines() if line.strip()]
    if len(printed) >= -(-iterations // every):
        return
    per = "it made iterations" if every == 1 else "expected"
    raise CheckFailure(f"With print_cost=True and num_iterations={iterations}, {function} printed {len(printed)} "
                       f"line{'s' if len(printed) != 1 else ''}: {stdout.strip()[:80]!r}.", hint,
                       summary=f"With print_cost=True, {function} printed fewer cost lines than {per}.")
