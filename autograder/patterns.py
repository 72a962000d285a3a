"""Checks that recur across exercises, built on the ladder (:mod:`autograder.numeric`).

A dict of parameter arrays compared entry by entry; freshly initialised parameters (their shapes,
biases at zero); one gradient-descent step on such a dict, and the dict a training loop returns,
with their usual mistakes named; the sizes of a layer read from the data; a function that must
work entry by entry on arrays; the caller's inputs left unchanged (no in-place update); weights
drawn as small random numbers (``0.01 · randn``); a cost printed once per iteration, and a whole
training run reported that way; predicted classes against the expected ones; what a function
declares and is passed: its default arguments read from its source, a call that failed because its
arguments are declared in another order, the arguments it passed to one of the building blocks it
calls. Each raises :class:`~autograder.errors.CheckFailure` with a value-free summary, so it serves
hidden checks as well as public ones.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from .diagnosis import SIZE_ORDER, Mistake, iteration_mistakes, no_update, size_mistakes, step_mistakes
from .errors import CheckFailure, StudentCodeRaised
from .numeric import expect_array, expect_bool_array, expect_close, expect_dict, expect_equal, expect_tuple

__all__ = [
    "ArgumentsMistake",
    "arguments_in_order",
    "expect_arrays",
    "expect_declared_defaults",
    "expect_elementwise",
    "expect_initialized",
    "expect_passed",
    "expect_predicted_classes",
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


# ---------------------------------------------------------------------------- predicted classes

WRONG_CLASSES = ("`{name}` is wrong in {count} of {total} examples; the first at index {index}: you have {got}, expected "
                 "{expected}.")
OPPOSITE = "Every prediction is the opposite of the expected one."


def expect_predicted_classes(got: Any, expected: Any, *, name: str = "predictions", zeros_and_ones: bool = False,
                             shape_hints: Mapping[tuple[int, ...], str] | None = None, opposite_hint: str | None = None,
                             mistakes: Sequence[Mistake] = (), hint: str | None = None, message: str = WRONG_CLASSES,
                             quoted: Mapping[str, Any] | None = None) -> np.ndarray:
    """Predicted classes: booleans of ``expected``'s shape (:func:`~autograder.numeric.expect_bool_array`:
    ``zeros_and_ones``, ``shape_hints``), then the same class as ``expected`` for every example. With
    ``opposite_hint``, every class flipped is the verdict "Every prediction is the opposite of the expected one.";
    otherwise the hint of the first of ``mistakes`` (whole arrays of classes) the answer equals, else ``hint``.
    ``message`` words a wrong answer: ``{name}``, ``{count}`` wrong of ``{total}``, the first wrong ``{index}``, its
    ``{got}`` and ``{expected}`` class, and the entry there of each array in ``quoted`` (by its key)."""
    expected = np.asarray(expected, dtype=bool)
    found = expect_bool_array(got, name=name, shape=expected.shape, zeros_and_ones=zeros_and_ones, shape_hints=shape_hints)
    if opposite_hint is not None and np.array_equal(found, ~expected):
        raise CheckFailure(OPPOSITE, opposite_hint, summary=OPPOSITE)
    if np.array_equal(found, expected):
        return found
    wrong = np.argwhere(found != expected)
    index = tuple(int(i) for i in wrong[0])
    known = next((mistake.hint for mistake in mistakes if np.array_equal(found, mistake.resolve())), hint)
    values = {key: np.asarray(value)[index] for key, value in (quoted or {}).items()}
    raise CheckFailure(message.format(name=name, count=len(wrong), total=expected.size, index=index, got=bool(found[index]),
                                      expected=bool(expected[index]), **values), known)


# ---------------------------------------------------------------------------- what a function declares and is passed


def expect_declared_defaults(submission: Any, function: str, defaults: Mapping[str, Any], *, signature: str) -> None:
    """The defaults ``function`` declares in the submission's source (read, never run), where they are plain
    constants, against ``defaults`` ({parameter: value}; parameters not named there are not checked): a default
    changed is the verdict, with the exercise's ``signature`` as the hint. A function whose source cannot be read
    passes: its behaviour is for other checks."""
    source = submission.source_of(function)
    if source is None:
        return
    positional, keywords = source.args.args, source.args.kwonlyargs
    declared = [*zip(positional[len(positional) - len(source.args.defaults):], source.args.defaults, strict=True),
                *zip(keywords, source.args.kw_defaults, strict=True)]
    for parameter, default in declared:
        expected = defaults.get(parameter.arg)
        if expected is not None and isinstance(default, ast.Constant) and default.value != expected:
            raise CheckFailure(f"{function}'s default {parameter.arg} is {default.value!r}; the exercise's is {expected!r}.",
                               f"Keep the signature the exercise gives: {signature}.")


@contextlib.contextmanager
def arguments_in_order(submission: Any, function: str, parameters: Sequence[str]) -> Iterator[None]:
    """Around a call of the student's ``function`` with the exercise's ``parameters`` (their names, in order): when it
    raised and the submission's source declares those parameters in another order, that is the verdict, with the
    order it declares; anything else raised is raised as it is."""
    try:
        yield
    except StudentCodeRaised as error:
        source = submission.source_of(function)
        names = tuple(argument.arg for argument in source.args.args) if source is not None else ()
        if names == tuple(parameters) or not set(parameters) <= set(names):
            raise
        called = f"{function}({', '.join(parameters)})"
        raise CheckFailure(f"{called} failed: {error}", f"Your {function} is defined as {function}({', '.join(names)}), "
                           f"but it is called as {called}: keep the order of the arguments given in the exercise.",
                           summary=f"{function} takes its arguments in another order than the exercise's.") from None


class ArgumentsMistake(NamedTuple):
    """Arguments passed to a building block that :func:`expect_passed` names: ``arguments`` (``...`` for any value in
    a place), what to say after "f called block(...)" (``why``, formatted with the arguments passed: ``{1}`` the
    second), the ``hint`` and the value-free ``summary``."""

    arguments: tuple[Any, ...]
    why: str
    hint: str
    summary: str


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value


@contextlib.contextmanager
def expect_passed(function: Any, block: str, expected: Sequence[Any], *, why: str, hint: str, summary: str,
                  mistakes: Sequence[ArgumentsMistake] = ()) -> Iterator[None]:
    """Around calls of the student's ``function`` run on stand-ins (``with_options(replace=...)``, e.g.
    :func:`~autograder.networks.on_blocks`): every call it made to the building block ``block`` passed the positional
    arguments ``expected``, whether the calls then went on to succeed or raised. The first call that passed others is
    the verdict: "f called block(...)" and the first of ``mistakes`` that matches them, else ``why``, ``hint`` and
    ``summary``."""
    try:
        yield
    except StudentCodeRaised:
        _expect_passed(function, block, tuple(expected), why, hint, summary, mistakes)
        raise
    _expect_passed(function, block, tuple(expected), why, hint, summary, mistakes)


def _expect_passed(function: Any, block: str, expected: tuple[Any, ...], why: str, hint: str, summary: str,
                   mistakes: Sequence[ArgumentsMistake]) -> None:
    for bound in function.stand_in_calls.get(block, []):
        got = tuple(_plain(value) for value in bound)
        if _same(got, expected):
            continue
        matches = (mistake for mistake in mistakes if len(mistake.arguments) == len(got) and all(
            want is ... or _same(want, value) for want, value in zip(mistake.arguments, got, strict=True)))
        found = next(matches, ArgumentsMistake(expected, why, hint, summary))
        shown = f"{block}(" + ", ".join(repr(value) for value in got) + ")"
        raise CheckFailure(f"{function.__name__} called {shown}{found.why.format(*got)}", found.hint, summary=found.summary)
