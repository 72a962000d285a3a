"""Known wrong answers, how one is recognised, and the ones every course in this field meets.

A :class:`Mistake` is a wrong answer (or a function computing it, called only when the student's
answer is wrong) with the hint for a student whose answer matches it. The ladder's ``expect_*``
functions (:mod:`autograder.numeric`) take a list of them and attach the first matching hint.

The factories below are the recurring ones (DESIGN.md, "Diagnose, don't just fail"): a sign flipped,
a missing average, a factor 2, an ascent instead of a descent, a hard-coded learning rate, an
unscaled step, no update at all, a loop that ignores its iteration count. Each takes the values
that make the wrong answer and has a default hint in the notes' words; pass ``hint=`` where the
exercise's own words say it better. Hints never quote a check's inputs: a hidden check shows them.
Beside them, the sizes of a layer read from the wrong axis of X (n_x, m) or Y (n_y, m).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Mistake",
    "ascent",
    "averaging_mistakes",
    "doubled",
    "halved",
    "iteration_mistakes",
    "no_update",
    "not_averaged",
    "rate_ignored",
    "sign_flipped",
    "size_mistakes",
    "step_mistakes",
    "unscaled_step",
]


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer and what to tell a student whose answer matches it.

    ``value`` is the wrong answer itself, or a function computing it (called only when needed).
    """

    hint: str
    value: Any

    def resolve(self) -> Any:
        return self.value() if callable(self.value) else self.value


# ---------------------------------------------------------------------------- a value's mistakes


def sign_flipped(expected: Any, hint: str = "The sign is flipped: check the order of the subtraction.") -> Mistake:
    return Mistake(hint, lambda: -_array(expected))


def not_averaged(expected: Any, m: int, hint: str = "Average over the examples: divide by m.") -> Mistake:
    """The sum over the m examples where their mean is asked."""
    return Mistake(hint, lambda: m * _array(expected))


DOUBLED_HINT = "There is no factor 2 here: the 1/2 in the cost cancels the 2 from the square."


def doubled(expected: Any, hint: str = DOUBLED_HINT) -> Mistake:
    return Mistake(hint, lambda: 2 * _array(expected))


def halved(expected: Any, hint: str = "Divide by m once, not by 2m.") -> Mistake:
    return Mistake(hint, lambda: _array(expected) / 2)


def averaging_mistakes(expected: Any, m: int, sign_hint: str | None = None) -> list[Mistake]:
    """A gradient's usual four: sign flipped, summed instead of averaged, a factor 2 too many, halved."""
    first = sign_flipped(expected) if sign_hint is None else sign_flipped(expected, sign_hint)
    return [first, not_averaged(expected, m), doubled(expected), halved(expected)]


# ---------------------------------------------------------------------------- a step's mistakes


def ascent(start: Any, gradient: Any, learning_rate: float,
           hint: str = "Gradient descent steps against the gradient: subtract learning_rate times the gradient.") -> Mistake:
    return Mistake(hint, lambda: _array(start) + learning_rate * _array(gradient))


def unscaled_step(start: Any, gradient: Any,
                  hint: str = "Multiply the gradient by the learning rate before subtracting it.") -> Mistake:
    return Mistake(hint, lambda: _array(start) - _array(gradient))


def rate_ignored(with_default_rate: Any,
                 hint: str = "Use the learning_rate argument, not a fixed number: the step matches the default rate.") -> Mistake:
    """``with_default_rate``: the answer computed with the function's default learning rate."""
    return Mistake(hint, with_default_rate)


def step_mistakes(start: Any, gradient: Any, learning_rate: float, with_default_rate: Any) -> list[Mistake]:
    """One descent step's usual three: a fixed learning rate, an ascent, the gradient left unscaled."""
    return [rate_ignored(with_default_rate), ascent(start, gradient, learning_rate), unscaled_step(start, gradient)]


def no_update(start: Any, hint: str = "It returned the starting values: assign the result of each update "
                                      "(parameters = update_parameters(parameters, grads, learning_rate)).") -> Mistake:
    return Mistake(hint, start)


def iteration_mistakes(train: Callable[[int, float], Any], iterations: int, learning_rate: float,
                       default_iterations: int, default_rate: float, name: str = "the loop") -> list[Mistake]:
    """A training loop's usual ones: it ignores ``num_iterations``, the learning rate, or both, or runs
    one iteration too few or too many. ``train(n, rate)`` is the reference's answer after n steps."""
    loop = f"loop `for i in range(num_iterations)` in {name}"
    return [
        Mistake(f"It ignores num_iterations: {loop}.", lambda: train(default_iterations, learning_rate)),
        Mistake("It ignores learning_rate: pass it on to every update.", lambda: train(iterations, default_rate)),
        Mistake("It ignores both num_iterations and learning_rate: use the arguments, not the defaults.",
                lambda: train(default_iterations, default_rate)),
        Mistake(f"One iteration too few or too many: {loop} makes exactly num_iterations updates.",
                lambda: train(iterations - 1, learning_rate)),
        Mistake(f"One iteration too few or too many: {loop} makes exactly num_iterations updates.",
                lambda: train(iterations + 1, learning_rate)),
    ]


# ---------------------------------------------------------------------------- sizes read from the data


SIZE_ORDER = "(n_x, n_y): inputs first, then outputs"


def size_mistakes(sizes: Sequence[int], m: int, order: str = SIZE_ORDER) -> list[Mistake]:
    """Sizes read from X (n_x, m) and Y (n_y, m), one example per column, for an answer whose first entry is
    n_x and last n_y (``sizes``, with any in between kept): n_x or n_y read from the columns, both, or the two
    swapped. ``order`` names the entries for the last hint."""
    n_x, *middle, n_y = sizes
    return [
        Mistake("X is (n_x, m), one example per column: the number of features is X.shape[0], not X.shape[1].",
                (m, *middle, n_y)),
        Mistake("Y is (n_y, m): the number of outputs is Y.shape[0], not Y.shape[1].", (n_x, *middle, m)),
        Mistake("Both sizes are rows: n_x = X.shape[0] and n_y = Y.shape[0].", (m, *middle, m)),
        Mistake(f"The order is {order}.", (n_y, *middle, n_x)),
    ]


def _array(value: Any) -> Any:
    import numpy as np

    return np.asarray(value, dtype=np.float64) if not isinstance(value, (int, float)) else float(value)


def resolve_all(mistakes: Sequence[Mistake]) -> None:
    """Compute every mistake's value (recording the public cases: each answer it asks gets recorded)."""
    for mistake in mistakes:
        mistake.resolve()
