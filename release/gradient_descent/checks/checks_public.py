"""Public checks for gradient_descent: what `check("<exercise>")` runs in the notebook.

The derivatives handed to the student's functions are trusted Python functions defined here: when
the student's code calls one, it runs on this side and notes the point it was asked about. So a
check knows where every slope was taken, how many steps were made and how long the first one was,
and can say "dfdx was called 18 times for num_iterations=17" or "dfdy was taken after x had already
moved"; given a budget of calls, it stops a loop that ignores its cap at once, long before the time
limit. Expected answers come from the reference, asked with plain data only: a test function is
named by a small dict ({"kind": "exp_log"}), never passed as a Python function. Public checks attach
a plot to a failure (the student's steps against the reference's, or the chosen settings' descent).

Learning rates and iteration counts differ from the defaults (0.1 and 100) and the descents stop
before they converge, so code that ignores an argument or miscounts the steps lands elsewhere.
"""

import contextlib
import math
from itertools import pairwise

import numpy as np
import pytest

from autograder.checks import (
    TOLERANCE,
    CheckFailure,
    Figure,
    Mistake,
    StudentCodeRaised,
    expect_array,
    expect_close,
    expect_float,
    expect_float_close,
    expect_tuple,
    relative_error,
)

DEFAULT_LEARNING_RATE = 0.1
DEFAULT_ITERATIONS = 100

EXP_LOG = {"kind": "exp_log"}  # f(x) = e^x - ln x
WAVY = {"kind": "wavy"}  # g(x) = 0.05 x^4 + sin(3x), the notebook's function with three minima
FOUR_VALLEYS = {"kind": "four_valleys"}  # the notebook's two-variable function with four minima
DELIVERY_COST = {"kind": "delivery_cost"}  # E(w, b) of a line through the notebook's data

# Two points count as the same when they agree to this relative precision: the student's code
# hands back the very numbers it computed, so anything looser than round-off means another point.
SAME_POINT = 1e-12


# ---------------------------------------------------------------------------- the trusted derivatives


def derivative(function):
    """f' of a named one-variable test function (the reference has the same table)."""
    kind = function["kind"]
    if kind == "exp_log":
        return lambda x: np.exp(x) - 1 / x
    if kind == "wavy":
        return lambda x: 0.2 * x**3 + 3 * np.cos(3 * x)
    if kind == "line":
        return lambda x: function["slope"] + 0 * x
    if kind == "parabola":
        return lambda x: 2 * function["a"] * (x - function["c"])
    raise ValueError(f"unknown one-variable function {kind!r}")


def partials(function):
    """(df/dx, df/dy) of a named two-variable test function."""
    kind = function["kind"]
    if kind == "bowl":
        a, c, k, p, q = (function[name] for name in ("a", "c", "k", "p", "q"))
        return (lambda x, y: 2 * a * (x - p) + k * (y - q),
                lambda x, y: 2 * c * (y - q) + k * (x - p))
    if kind == "four_valleys":
        return (lambda x, y: 4 * x * (x**2 - 1) + 0.5 * y + 0.3,
                lambda x, y: 4 * y * (y**2 - 1) + 0.5 * x)
    raise ValueError(f"unknown two-variable function {kind!r}")


def _number(value, name):
    """A plain float from what the student's code passed to a derivative (a number, or an array of one)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} takes numbers, but it was given {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(()))
    raise TypeError(f"{name} takes a single number for each variable, but it was given {type(value).__name__} "
                    f"{np.shape(value) if isinstance(value, (np.ndarray, list, tuple)) else ''}".rstrip())


_ONE_VARIABLE = object()


class TooManySlopes(RuntimeError):
    """Raised inside the student's code by a derivative asked far more often than the loop's cap allows."""


class Recorded:
    """A trusted derivative for the student's code to call: f'(x), or a partial derivative df/dx(x, y). Every point
    it is asked about is kept in ``points`` (a number, or an (x, y) pair). With a ``budget``, the call after that
    many raises TooManySlopes, so a loop that never stops ends at once (``exhausted``) instead of at the time limit."""

    def __init__(self, formula, name, arity, budget=None):
        self.formula, self.__name__, self.arity, self.points = formula, name, arity, []
        self.budget, self.exhausted = budget, False

    def __call__(self, x, y=_ONE_VARIABLE):  # called as dfdx(x), or dfdx(x, y) for two variables
        if self.budget is not None and len(self.points) >= self.budget:
            self.exhausted = True
            raise TooManySlopes(f"{self.__name__} was called {len(self.points)} times: the loop does not stop")
        point = (x,) if y is _ONE_VARIABLE else (x, y)
        if len(point) != self.arity:
            raise TypeError(f"{self.__name__} takes {self.arity} argument{'s' if self.arity > 1 else ''}, "
                            f"but it was given {len(point)}")
        point = tuple(_number(value, self.__name__) for value in point)
        self.points.append(point if self.arity > 1 else point[0])
        return self.value(*point)

    def value(self, *point):
        with np.errstate(all="ignore"):
            return float(self.formula(*(np.float64(value) for value in point)))


def slope(function, budget=None):
    return Recorded(derivative(function), "dfdx", 1, budget)


def recorded_partials(function):
    return tuple(Recorded(formula, name, 2) for formula, name in zip(partials(function), ("dfdx", "dfdy"), strict=True))


def _same(a, b):
    return abs(a - b) <= SAME_POINT * max(abs(a), abs(b), 1.0)


def _distinct(points):
    """The points with immediate repeats dropped (code that asks for the same slope twice per step)."""
    return [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]


def _num(value):
    return f"{value:.6g}"


def _steps(count):
    return "1 step" if count == 1 else f"{count} steps"


def _values(count):
    return "1 value" if count == 1 else f"{count} values"


def _shifted(variable, by):
    """'x - 0.5' or 'x + 0.5' for x - by."""
    return f"{variable} - {_num(by)}" if by >= 0 else f"{variable} + {_num(-by)}"


# ---------------------------------------------------------------------------- what the steps tell


ASCENT_HINT = ("Gradient descent steps against the slope: x = x - learning_rate * dfdx(x). With + it climbs "
               "uphill (gradient ascent).")
ASCENT_HINT_2D = ("Gradient descent steps against the gradient: x = x - learning_rate * dfdx(x, y) and "
                  "y = y - learning_rate * dfdy(x, y). With + it climbs uphill (gradient ascent).")
NO_RATE_HINT = "Multiply the slope by the learning rate: {v} = {v} - learning_rate * {call}, not {v} - {call}."
ONCE_HINT = ("dfdx was called only once, for several steps: the slope changes as x moves, so evaluate dfdx at the "
             "current x in each step.")
STUCK_HINT = "x never changes: assign the new value back, x = x - learning_rate * dfdx(x), inside the loop."
PATH_HINT = ("Return only the final point, not the list of visited points (collecting the path is "
             "gradient_descent_path's job).")
ASCENT_OR_RATE_HINT = ("On these inputs a right descent stays finite: check the sign of the step (x - learning_rate * "
                       "slope) and that the learning rate is the one passed in.")
SWAPPED_HINT = "x moved with dfdy and y with dfdx: x = x - learning_rate * dfdx(x, y), y = y - learning_rate * dfdy(x, y)."
SEQUENTIAL_HINT = ("Update x and y simultaneously: compute both slopes at the current point first, "
                   "dx = dfdx(x, y) and dy = dfdy(x, y), and only then move both coordinates.")


# A public check's hint may say which arguments it passed; a hidden check (``secret``) quotes none of its inputs.


def rate_hint(learning_rate, secret):
    passed = "" if secret else f" (this check passes learning_rate={learning_rate})"
    return f"Use the learning_rate argument in every step, not a fixed number{passed}."


def iterations_hint(num_iterations, secret):
    passed = "" if secret else f" (this check passes num_iterations={num_iterations})"
    return f"Use the num_iterations argument: loop `for i in range(num_iterations)`{passed}."


def off_by_one_hint(steps, num_iterations, secret):
    made = f"one step too {'many' if steps > num_iterations else 'few'}" if secret else \
        f"{_steps(steps)} for num_iterations={num_iterations}"
    return f"The loop makes {made}: exactly num_iterations updates, `for i in range(num_iterations)`."


def never_called_hint(probe, num_iterations, secret, never_called):
    """No slope was taken in num_iterations steps. With one step asked for, a loop one step short takes none
    either: run the loop again with one and two more steps (``probe(n)`` is how many points the slope was taken
    at) and tell the two apart by how the count follows n. None when no steps were asked for."""
    if not num_iterations:
        return None
    try:
        counts = {n: probe(n) for n in (num_iterations + 1, num_iterations + 2)} if probe else {}
    except Exception:  # noqa: BLE001 - the second run raised: the first run's evidence stands alone
        counts = {}
    if counts and all(count == n - 1 for n, count in counts.items()):
        return off_by_one_hint(num_iterations - 1, num_iterations, secret)
    if counts and any(counts.values()):
        longest = max(counts)
        return count_hint(counts[longest], counts[longest], longest, secret)
    return never_called


def changing_rate_hint(steps, learning_rate, secret, variable="x", call="dfdx(x)"):
    """``steps``: (from, to, slope) for each step of one coordinate. The learning rate each step used is
    (from - to) / slope; a hint when it changes from step to step (a decaying or updated rate), else None.
    Steps too short to measure against round-off are left out."""
    rates = [(start - moved_to) / slope for start, moved_to, slope in steps
             if slope != 0 and math.isfinite(slope) and math.isfinite(moved_to)
             and abs(start - moved_to) > 1e-8 * max(abs(start), abs(moved_to), 1.0)]
    if len(rates) < 2 or all(abs(rate - rates[0]) <= 1e-6 * abs(rates[0]) for rate in rates):
        return None
    used = "learning rates that change from step to step" if secret else (
        "the learning rates " + ", ".join(_num(rate) for rate in rates[:4]) + (", ..." if len(rates) > 4 else "")
        + f" (learning_rate={learning_rate})")
    return (f"The learning rate must stay constant: every step is {variable} = {variable} - learning_rate * {call} "
            f"with the learning_rate you are given, but your steps used {used}. Do not divide or shrink it in the loop.")


def first_step_hint(start, moved_to, slope, learning_rate, secret, variable="x", call="dfdx(x)"):
    """What the length of the first step says about the learning rate used, or None if it is right."""
    if slope == 0 or not math.isfinite(slope) or not math.isfinite(moved_to):
        return None
    rate = (start - moved_to) / slope  # the step is -rate * slope
    if abs(rate - learning_rate) <= 1e-6 * abs(learning_rate):
        return None
    if abs(rate + learning_rate) <= 1e-6 * abs(learning_rate):
        return ASCENT_HINT if variable == "x" and call == "dfdx(x)" else ASCENT_HINT_2D
    if abs(rate - DEFAULT_LEARNING_RATE) <= 1e-6:
        return rate_hint(learning_rate, secret)
    if abs(rate - 1) <= 1e-6:
        return NO_RATE_HINT.format(v=variable, call=call)
    moved = "by another multiple of the slope than the learning rate" if secret else (
        f"from {_num(start)} to {_num(moved_to)}, where the slope is {_num(slope)}: that is {_num(rate)} times the slope, "
        f"but the learning rate is {learning_rate}")
    return f"The first step moved {variable} {moved}. Each step is {variable} = {variable} - learning_rate * {call}."


def count_hint(calls, distinct, num_iterations, secret):
    """What the number of slopes taken says about the loop, or None if it is right. ``calls`` counts every
    call, ``distinct`` drops immediate repeats (code that asks twice per step is not wrong)."""
    if num_iterations in (calls, distinct):
        return None
    if calls == DEFAULT_ITERATIONS:
        return iterations_hint(num_iterations, secret)
    if abs(calls - num_iterations) == 1:
        return off_by_one_hint(calls, num_iterations, secret)
    taken = "another number of times than num_iterations" if secret else f"{calls} times for num_iterations={num_iterations}"
    return f"The slope was taken {taken}: one slope per step, num_iterations steps."


def steps_hint_1d(dfdx, x, learning_rate, num_iterations, secret, probe=None):
    """Read the loop from where dfdx was called: the start, the first step's length, every step's learning rate,
    the count. ``probe(n)``: how many points the same loop takes the slope at for n steps (see never_called_hint)."""
    points = _distinct(dfdx.points)
    if not points:
        return never_called_hint(probe, num_iterations, secret,
                                 "dfdx was never called: each step needs the slope at the current x, dfdx(x).")
    if not _same(points[0], x):
        where = "" if secret else f" (x = {_num(points[0])}, not x = {_num(x)})"
        return f"The first slope was not taken at the starting point{where}: start from the x you are given."
    if len(dfdx.points) == 1 and num_iterations > 1:
        return ONCE_HINT
    if len(dfdx.points) > 1 and len(points) == 1:
        return STUCK_HINT
    if len(points) > 1:
        hint = first_step_hint(points[0], points[1], dfdx.value(points[0]), learning_rate, secret) or \
            changing_rate_hint([(a, b, dfdx.value(a)) for a, b in pairwise(points)], learning_rate, secret)
        if hint:
            return hint
    return count_hint(len(dfdx.points), len(points), num_iterations, secret)


def steps_hint_2d(dfdx, dfdy, x, y, learning_rate, num_iterations, secret, probe=None):
    """The same reading for two variables, with the simultaneous update looked at first."""
    hint = sequential_hint(dfdx, dfdy)
    if hint:
        return hint[1]
    points = _distinct(dfdx.points)
    if not points:
        return never_called_hint(probe, num_iterations, secret,
                                 "dfdx was never called: each step needs both slopes at the current point.")
    if not (_same(points[0][0], x) and _same(points[0][1], y)):
        where = "" if secret else f" ({_num(points[0][0])}, {_num(points[0][1])}), not ({_num(x)}, {_num(y)})"
        return f"The first slopes were not taken at the starting point{where}: start from the point you are given."
    if len(points) > 1:
        (x0, y0), (x1, y1) = points[0], points[1]
        if _same(x1, x0 - learning_rate * dfdy.value(x0, y0)) and _same(y1, y0 - learning_rate * dfdx.value(x0, y0)):
            return SWAPPED_HINT
        for start, moved_to, slope, variable, call in ((x0, x1, dfdx.value(x0, y0), "x", "dfdx(x, y)"),
                                                       (y0, y1, dfdy.value(x0, y0), "y", "dfdy(x, y)")):
            hint = first_step_hint(start, moved_to, slope, learning_rate, secret, variable, call)
            if hint:
                return hint
        pairs = list(pairwise(points))
        for axis, (variable, call) in enumerate((("x", "dfdx(x, y)"), ("y", "dfdy(x, y)"))):
            partial = (dfdx, dfdy)[axis]
            hint = changing_rate_hint([(a[axis], b[axis], partial.value(*a)) for a, b in pairs], learning_rate, secret,
                                      variable, call)
            if hint:
                return hint
    return count_hint(len(dfdx.points), len(points), num_iterations, secret)


def sequential_hint(dfdx, dfdy):
    """(message, hint, summary) when one partial derivative was taken at a point the other never saw,
    else None; the summary says it without the point (for hidden checks)."""
    finite = lambda points: [p for p in points if all(map(math.isfinite, p))]  # noqa: E731 - NaN != NaN
    seen_x, seen_y = set(finite(dfdx.points)), set(finite(dfdy.points))
    for late, early, seen_early, seen_late, moved in ((dfdy, dfdx, seen_x, seen_y, "x"), (dfdx, dfdy, seen_y, seen_x, "y")):
        for step, point in enumerate(late.points, start=1):
            if point not in seen_early and point in seen_late:
                what = (f"a point where {early.__name__} was never evaluated: {moved} had already moved when "
                        f"{late.__name__} was taken.")
                return (f"In step {step} {late.__name__} was evaluated at (x, y) = ({_num(point[0])}, {_num(point[1])}), "
                        + what, SEQUENTIAL_HINT, f"In one step {late.__name__} was evaluated at {what}")
    return None


# ---------------------------------------------------------------------------- the ladder for a final point


def _length(got):
    """How many values a returned list or array holds along its first axis (None for anything else)."""
    if isinstance(got, np.ndarray):
        return got.shape[0] if got.ndim >= 1 else None
    if isinstance(got, (list, tuple)):
        return len(got)
    return None


def _unwrap(value):
    """A 0-d numpy array is as good as the number inside it."""
    return value[()] if isinstance(value, np.ndarray) and value.shape == () else value


def _one_number(got, name, num_iterations):
    """The type rung for a final x: one plain number, with the path mistake named."""
    got = _unwrap(got)
    length = _length(got)
    if length is not None:
        if length == num_iterations + 1 or (num_iterations > 0 and abs(length - (num_iterations + 1)) <= 1):
            raise CheckFailure(f"`{name}` holds {_values(length)}, but a single number (the final x) was expected.",
                               PATH_HINT, summary="The answer holds several values, but a single number (the final x) "
                                                  "was expected.")
        raise CheckFailure(f"`{name}` is a {type(got).__name__} of {_values(length)}, but a single number was expected.",
                           "Return the final value itself, a number.", summary="The answer holds several values, but a "
                                                                              "single number was expected.")
    if isinstance(got, (float, int, np.floating, np.integer)) and not isinstance(got, bool) and not math.isfinite(got):
        return float(got)  # judged with the value, where the recorded steps can explain it
    return expect_float(got, name=name)


BLEW_UP = "The answer is not finite: the descent blew up."


def _explained(failure, steps_hint):
    """The same failure, explained by the recorded steps when they show what went wrong (they are direct
    evidence: where the slopes were taken), else by the known mistake the answer matched, if any."""
    return CheckFailure(failure.message, steps_hint() or failure.hint, summary=failure.summary)


def expect_final_x(got, expected, *, name, num_iterations, mistakes=(), steps_hint=lambda: None):
    """The final x: one finite number equal to ``expected``; the recorded steps explain a wrong one."""
    value = _one_number(got, name, num_iterations)
    if not math.isfinite(value):
        raise CheckFailure(f"`{name}` is {value}: the descent blew up.", steps_hint() or ASCENT_OR_RATE_HINT,
                           summary=BLEW_UP)
    try:
        return expect_float_close(value, expected, name=name, tolerance="iterative", mistakes=mistakes)
    except CheckFailure as failure:
        raise _explained(failure, steps_hint) from None


def expect_final_point(got, expected, *, name, num_iterations, mistakes=(), steps_hint=lambda: None):
    """The final (x, y): a pair of finite numbers equal to ``expected``, explained like expect_final_x."""
    got = _unwrap(got)
    length = _length(got)
    if isinstance(got, np.ndarray) and got.shape == (2,):
        got = (got[0], got[1])
    elif (length is not None and length != 2 and num_iterations > 0 and abs(length - (num_iterations + 1)) <= 1) or (
        length == 2 and any(_length(_unwrap(v)) in (num_iterations, num_iterations + 1, num_iterations + 2) for v in got)
    ):
        raise CheckFailure(f"`{name}` holds whole paths, but only the final point (x, y) was expected.", PATH_HINT,
                           summary="The answer holds whole paths, but only the final point (x, y) was expected.")
    pair = expect_tuple(got, name=name, length=2)
    values = np.array([_one_number(pair[0], f"{name}[0] (x)", 0), _one_number(pair[1], f"{name}[1] (y)", 0)])
    if not np.all(np.isfinite(values)):
        raise CheckFailure(f"`{name}` is ({_num(values[0])}, {_num(values[1])}): the descent blew up.",
                           steps_hint() or ASCENT_OR_RATE_HINT, summary=BLEW_UP)
    try:
        return expect_close(values, np.asarray(expected, dtype=np.float64), name=name, tolerance="iterative",
                            mistakes=mistakes)
    except CheckFailure as failure:
        failure.message = (failure.message.replace(" is wrong at index (0):", ": its x is wrong:")
                           .replace(" is wrong at index (1):", ": its y is wrong:"))
        raise _explained(failure, steps_hint) from None


def rerun_mistakes(run, learning_rate, num_iterations, secret, call="dfdx(x)"):
    """The reference itself run with the wrong arguments: the hard-coded and off-by-one mistakes."""
    return [
        Mistake(rate_hint(learning_rate, secret), lambda: run(DEFAULT_LEARNING_RATE, num_iterations)),
        Mistake(iterations_hint(num_iterations, secret), lambda: run(learning_rate, DEFAULT_ITERATIONS)),
        Mistake(off_by_one_hint(num_iterations + 1, num_iterations, secret), lambda: run(learning_rate, num_iterations + 1)),
        Mistake(off_by_one_hint(num_iterations - 1, num_iterations, secret),
                lambda: run(learning_rate, max(num_iterations - 1, 0))),
        Mistake(NO_RATE_HINT.format(v="x", call=call), lambda: run(1.0, num_iterations)),
    ]


# ---------------------------------------------------------------------------- gradient_descent

EXP_LOG_RATE, EXP_LOG_ITERATIONS = 0.03, 17
LINE_RATE, LINE_ITERATIONS = 0.04, 23


def descent_1d(submission, function, x, learning_rate, num_iterations):
    """Run the student's gradient_descent with a recording dfdx; return (answer, dfdx)."""
    dfdx = slope(function)
    got = submission.gradient_descent(dfdx, x, learning_rate=learning_rate, num_iterations=num_iterations)
    return got, dfdx


def descent_mistakes_1d(reference, mistakes, function, x, learning_rate, num_iterations, secret):
    run = lambda rate, n: reference.descend(function, x, rate, n)  # noqa: E731
    return [
        Mistake(ASCENT_HINT, lambda: mistakes.ascent(function, x, learning_rate, num_iterations)),
        *rerun_mistakes(run, learning_rate, num_iterations, secret),
        Mistake("The slope is taken at the starting point every time: evaluate dfdx at the current x in each step.",
                lambda: mistakes.slope_at_start(function, x, learning_rate, num_iterations)),
        Mistake("gradient_descent returned the starting point: return x after the loop.", x),
    ]


def expect_descent(submission, reference, mistakes, function, x, learning_rate, num_iterations, name, secret=False,
                   feedback=None):
    """The student's gradient_descent from x against the reference's, its mistakes named (``secret``: the hints of a
    hidden check, which quote none of its inputs). With ``feedback`` (public checks), a failure comes with a plot of
    the student's steps against the reference's."""
    got, dfdx = descent_1d(submission, function, x, learning_rate, num_iterations)
    probe = lambda n: len(_distinct(descent_1d(submission, function, x, learning_rate, n)[1].points))  # noqa: E731
    with on_failure(feedback, lambda: steps_figure(reference, function, x, learning_rate, num_iterations,
                                                   _visited(dfdx, got))):
        expect_final_x(got, reference.descend(function, x, learning_rate, num_iterations), name=name,
                       num_iterations=num_iterations,
                       mistakes=descent_mistakes_1d(reference, mistakes, function, x, learning_rate, num_iterations,
                                                    secret),
                       steps_hint=lambda: steps_hint_1d(dfdx, x, learning_rate, num_iterations, secret, probe))


def on_failure(feedback, build):
    """``feedback.on_failure(build)``, or nothing where there is no feedback (hidden checks: their figures never
    reach the student)."""
    return feedback.on_failure(build) if feedback is not None else contextlib.nullcontext()


def _visited(dfdx, got):
    """The points the student's descent went through: where it took the slope, then the x it returned."""
    points = [float(p) for p in _distinct(dfdx.points)]
    value = _unwrap(got)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        points.append(float(value))
    return points


def _in_view(values, around):
    """``values`` with the points far outside the range of ``around`` left out (NaN): a path that blows up would
    squash the rest of the plot to a flat line."""
    around = np.asarray(around, dtype=np.float64)
    low, high = float(np.nanmin(around)), float(np.nanmax(around))
    margin = 3 * max(high - low, 1.0)
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where((values >= low - margin) & (values <= high + margin), values, np.nan)


def steps_figure(reference, function, x, learning_rate, num_iterations, theirs):
    """x after each step: the student's descent (``theirs``, the points visited) against the reference's."""
    ours = np.asarray(reference.descend_path(function, x, learning_rate, num_iterations), dtype=np.float64)
    figure = Figure("x after each step: your descent and the expected one", xlabel="step k", ylabel="x_k")
    figure.line(np.arange(len(ours)), ours, role="reference", label=f"expected: {_steps(num_iterations)}")
    if len(theirs):
        figure.line(np.arange(len(theirs)), _in_view(theirs, ours), role="student",
                    label=f"yours: {_steps(len(theirs) - 1)}")
    return figure


@pytest.mark.exercise("gradient_descent", points=1)
def check_gradient_descent_exp_minus_log(submission, reference, mistakes, rng, feedback):
    """17 steps at learning rate 0.03 on f(x) = e^x - ln x, from a random start in (1, 1.8)."""
    x = float(rng.uniform(1.0, 1.8))  # away from the minimum at 0.567: every step still counts
    expect_descent(submission, reference, mistakes, EXP_LOG, x, EXP_LOG_RATE, EXP_LOG_ITERATIONS,
                   name=f"gradient_descent(dfdx, {_num(x)}, 0.03, 17) for f(x) = e^x - ln x", feedback=feedback)


@pytest.mark.exercise("gradient_descent", points=1)
def check_gradient_descent_counts_its_steps(submission, reference, mistakes, rng, feedback):
    """On a straight line f(x) = s x every step is the same, -0.04 s, so 23 steps end at x - 23 * 0.04 * s."""
    line = {"kind": "line", "slope": float(rng.uniform(1.0, 3.0) * rng.choice([-1, 1]))}
    x = float(rng.uniform(-2.0, 2.0))
    expect_descent(submission, reference, mistakes, line, x, LINE_RATE, LINE_ITERATIONS,
                   name=f"gradient_descent(dfdx, {_num(x)}, 0.04, 23) for the line f(x) = {_num(line['slope'])} x",
                   feedback=feedback)


# ---------------------------------------------------------------------------- gradient_descent_path

PATH_RATE, PATH_ITERATIONS = 0.02, 12


def path_shape_hints(num_iterations, secret):
    return {
        (num_iterations,): "The path has num_iterations + 1 points: the starting x first, then one point per step "
                           "(start with path = [x] and append after every update).",
        (num_iterations + 2,): "The path has one point too many: the starting x, then exactly num_iterations steps.",
        (DEFAULT_ITERATIONS + 1,): iterations_hint(num_iterations, secret),
        (num_iterations + 1, 1): "Return a 1-D array of shape (num_iterations + 1,): np.array(path) of plain numbers.",
    }


def expect_path(got, expected, *, name, num_iterations, secret, mistakes=(), steps_hint=lambda: None):
    """The visited points: an array of shape (num_iterations + 1,) equal to ``expected``."""
    if isinstance(got, (int, float, np.number)) and not isinstance(got, (bool, np.bool_)):
        raise CheckFailure(f"`{name}` is a single number, but the array of all {num_iterations + 1} visited points "
                           "was expected.", "Keep every x: start with path = [x], append the new x after each "
                           "step, and return np.array(path).",
                           summary="The answer is a single number, but the array of all visited points was expected.")
    try:
        expect_array(got, name=name, shape=(num_iterations + 1,), shape_hints=path_shape_hints(num_iterations, secret))
    except CheckFailure as failure:
        if "NaN or inf" not in (failure.hint or ""):
            raise
        raise _explained(failure, steps_hint) from None
    try:
        return expect_close(got, expected, name=name, tolerance="iterative", mistakes=mistakes)
    except CheckFailure as failure:
        raise _explained(failure, steps_hint) from None


def path_mistakes(reference, mistakes, function, x, learning_rate, num_iterations, secret):
    run = lambda rate, n: reference.descend_path(function, x, rate, n)  # noqa: E731
    return [
        Mistake(ASCENT_HINT, lambda: mistakes.ascent_path(function, x, learning_rate, num_iterations)),
        Mistake(rate_hint(learning_rate, secret), lambda: run(DEFAULT_LEARNING_RATE, num_iterations)),
        Mistake(NO_RATE_HINT.format(v="x", call="dfdx(x)"), lambda: run(1.0, num_iterations)),
        Mistake("Every entry is the starting x: append the updated x, and update x itself in the loop.",
                lambda: np.full(num_iterations + 1, x)),
    ]


def expect_descent_path(submission, reference, mistakes, function, x, learning_rate, num_iterations, name, secret=False,
                        feedback=None):
    """The student's gradient_descent_path from x against the reference's, its mistakes named."""
    dfdx = slope(function)
    got = submission.gradient_descent_path(dfdx, x, learning_rate=learning_rate, num_iterations=num_iterations)
    with on_failure(feedback, lambda: steps_figure(reference, function, x, learning_rate, num_iterations,
                                                   _returned_path(got, dfdx))):
        expect_path(got, reference.descend_path(function, x, learning_rate, num_iterations), name=name,
                    num_iterations=num_iterations, secret=secret,
                    mistakes=path_mistakes(reference, mistakes, function, x, learning_rate, num_iterations, secret),
                    steps_hint=lambda: steps_hint_1d(dfdx, x, learning_rate, num_iterations, secret))


def _returned_path(got, dfdx):
    """The path the student returned when it is a list of numbers, else the points where it took the slope."""
    values = np.asarray(got, dtype=np.float64) if isinstance(got, (list, tuple, np.ndarray)) else None
    if values is not None and values.ndim == 1 and values.dtype.kind == "f":
        return values
    return _visited(dfdx, got)


@pytest.mark.exercise("gradient_descent_path", points=1)
def check_gradient_descent_path(submission, reference, mistakes, rng, feedback):
    """12 steps at learning rate 0.02 on g(x) = 0.05 x^4 + sin(3x): the start and the 12 points after it."""
    x = float(rng.uniform(1.9, 2.6))  # the right-hand valley, above its minimum at 1.50
    expect_descent_path(submission, reference, mistakes, WAVY, x, PATH_RATE, PATH_ITERATIONS,
                        name=f"gradient_descent_path(dgdx, {_num(x)}, 0.02, 12)", feedback=feedback)


# ---------------------------------------------------------------------------- gradient_descent_until_converged

DEFAULT_TOLERANCE, DEFAULT_MAX_ITERATIONS = 1e-6, 1000
# f(x) = e^x - ln x from the left of its minimum (the slope is negative there), tolerance 1e-8: about 35 steps.
# tolerance / learning_rate and the default tolerance 1e-6 are far apart, so a test on the step's length and an
# ignored tolerance stop at different, wrong, counts.
CONVERGE_RATE, CONVERGE_TOLERANCE, CONVERGE_CAP = 0.07, 1e-8, 200
CAP_RATE, CAP_TOLERANCE, CAP_ITERATIONS = 0.04, 1e-3, 37  # a line: its slope never drops, the cap must stop it
# A slope exactly equal to the tolerance (all three numbers exact in binary): a strict test goes on to the cap. The
# rate is above 1, so a test on the step's length agrees with the right one here and only `<=` is named.
EDGE_RATE, EDGE_TOLERANCE, EDGE_CAP = 1.25, 0.5, 7
CALLS_PER_STEP = 4  # a loop may take the slope a few times per step; more calls than this per allowed step: no cap

UNTIL = "gradient_descent_until_converged"
CAP_IGNORED_HINT = ("The descent must stop after max_iterations steps even when the slope never gets below the "
                    "tolerance (a learning rate that is too large, or a function without a minimum, never converges): "
                    "loop `for k in range(max_iterations)`, or add `k < max_iterations` to the while condition.")
LATE_HINT = ("It made one step too many: test abs(dfdx(x)) < tolerance before the step, and when it holds return "
             "x as it is, without stepping.")
EARLY_HINT = ("It stopped one step early: it tested the slope at the point the next step would reach and stopped "
              "without going there. Test the slope at the current x, and step only when it is not below the tolerance.")
COUNT_SHORT_HINT = ("x is right, but the count is one too few: count the steps made (after the step of pass k of "
                    "`for k in range(max_iterations)`, k + 1 steps have been made).")
COUNTS_SLOPES_HINT = ("x is right, but the count is one too many: count the steps x = x - learning_rate * slope, "
                      "not the slopes taken (the last slope, the one below the tolerance, makes no step).")
LATE_OR_COUNTED_HINT = ("The count is one too many: either a step was made before the test (test abs(dfdx(x)) < "
                        "tolerance first, and return without stepping), or the final test, which makes no step, "
                        "was counted as one.")
STEP_LENGTH_HINT = ("It tested the length of the step, learning_rate * abs(dfdx(x)), against the tolerance: "
                    "the test is on the slope itself, abs(dfdx(x)) < tolerance.")
SIGNED_HINT = ("Test the size of the slope, abs(dfdx(x)) < tolerance: without abs, any negative slope, however "
               "steep, looks converged.")
NOT_STRICT_HINT = ("The test is strict: stop when abs(dfdx(x)) < tolerance. A slope exactly equal to the tolerance "
                   "is not below it, so the descent goes on.")
RETURNS_CAP_HINT = ("The count must be the number of steps made: max_iterations only when the cap stopped the descent, "
                    "fewer when the slope got below the tolerance first.")
LOOP_VARIABLE_HINT = ("When the cap stops the descent, max_iterations steps were made: return max_iterations, not "
                      "the loop variable (after `for k in range(max_iterations)` it is max_iterations - 1).")
TOLERANCE_HINT = "Use the tolerance argument in the test, not a fixed number."
CAP_HINT = "Use the max_iterations argument as the cap, not a fixed number."
PAIR_HINT = "Return a tuple of the point and the number of steps made: `return x, k`, in that order."


def descent_until(submission, function, x, learning_rate, tolerance, max_iterations, name):
    """Run the student's gradient_descent_until_converged with a recording dfdx; return (answer, dfdx). A loop
    that does not stop at the cap is stopped by dfdx's budget and failed here, at once."""
    dfdx = slope(function, budget=CALLS_PER_STEP * (max_iterations + 1))
    try:
        got = submission.gradient_descent_until_converged(dfdx, x, learning_rate=learning_rate, tolerance=tolerance,
                                                          max_iterations=max_iterations)
    except StudentCodeRaised:
        if not dfdx.exhausted:
            raise
        raise CheckFailure(f"`{name}` took the slope {len(dfdx.points)} times and was stopped there: it does not "
                           f"stop after max_iterations={max_iterations} steps.", CAP_IGNORED_HINT,
                           summary="It did not stop after max_iterations steps and was stopped.") from None
    return got, dfdx


def until_mistakes(reference, mistakes, function, x, learning_rate, tolerance, max_iterations, secret):
    """The wrong stopping rules, each as the (x, steps) it would return here, most telling first."""
    args = (function, x, learning_rate, tolerance, max_iterations)
    rerun = lambda rate, tol, cap: reference.descend_until(function, x, rate, tol, cap)  # noqa: E731
    return [
        Mistake(SIGNED_HINT, lambda: mistakes.until_signed_slope(*args)),
        Mistake(STEP_LENGTH_HINT, lambda: mistakes.until_step_length(*args)),
        Mistake(NOT_STRICT_HINT, lambda: mistakes.until_not_strict(*args)),
        Mistake(LATE_HINT, lambda: mistakes.until_one_step_late(*args)),
        Mistake(EARLY_HINT, lambda: mistakes.until_one_step_early(*args)),
        Mistake(COUNTS_SLOPES_HINT, lambda: mistakes.until_counts_slopes(*args)),
        Mistake(COUNT_SHORT_HINT, lambda: mistakes.until_counts_one_short(*args)),
        Mistake(LOOP_VARIABLE_HINT, lambda: mistakes.until_loop_variable(*args)),
        Mistake(RETURNS_CAP_HINT, lambda: mistakes.until_returns_cap(*args)),
        Mistake(TOLERANCE_HINT, lambda: rerun(learning_rate, DEFAULT_TOLERANCE, max_iterations)),
        Mistake(CAP_HINT, lambda: rerun(learning_rate, tolerance, DEFAULT_MAX_ITERATIONS)),
        Mistake(rate_hint(learning_rate, secret), lambda: rerun(DEFAULT_LEARNING_RATE, tolerance, max_iterations)),
        Mistake(NO_RATE_HINT.format(v="x", call="dfdx(x)"), lambda: rerun(1.0, tolerance, max_iterations)),
    ]


def _same_answer(x, steps, answer):
    """(x, steps) is ``answer``: the count exactly, x within the tolerance of many dependent steps."""
    tolerance = TOLERANCE["iterative"]
    return steps == answer[1] and float(relative_error(np.array(x), np.array(answer[0]), tolerance)) <= tolerance.rtol


def _count(value):
    """A number of steps: an int, or a float holding a whole number (None for anything else)."""
    value = _unwrap(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    return int(value) if math.isfinite(value) and float(value).is_integer() else None


def expect_stopped(got, expected, *, name, mistakes, steps_hint):
    """(x, steps): a tuple of a number and a whole number, equal to ``expected``. The known mistakes are all
    resolved (so that every answer they need is recorded for self-checks) and the first that matches names
    the mistake, unless the recorded steps show what went wrong."""
    wrong = [(mistake.hint, mistake.resolve()) for mistake in mistakes]
    got = _unwrap(got)
    if isinstance(got, (int, float, np.integer, np.floating)) and not isinstance(got, (bool, np.bool_)):
        raise CheckFailure(f"`{name}` is a single number, but a tuple (x, num_iterations) was expected.", PAIR_HINT,
                           summary="The answer is a single number, but a tuple (x, num_iterations) was expected.")
    pair = expect_tuple(got, name=name, length=2)
    x, steps = _unwrap(pair[0]), _count(pair[1])
    if steps is None and _count(x) is not None and isinstance(pair[1], (float, np.floating)):
        raise CheckFailure(f"`{name}` is ({_num(x)}, {_num(float(pair[1]))}): a count first and a point second.",
                           PAIR_HINT, summary="The answer holds the count first and the point second.")
    if not (isinstance(x, (float, np.floating)) and not math.isfinite(x)):  # inf or NaN: judged with the value
        x = expect_float(x, name=f"{name}[0] (x)")
    if steps is None:
        raise CheckFailure(f"`{name}[1]` (num_iterations) is {pair[1]!r}, but a whole number of steps was expected.",
                           "Count the steps in an int: start from 0 and add 1 for every step made.",
                           summary="Its num_iterations is not a whole number of steps.")
    if _same_answer(x, steps, expected):
        return
    hint = steps_hint(x, steps) or next((hint for hint, answer in wrong if _same_answer(x, steps, answer)), None)
    if steps != expected[1]:
        raise CheckFailure(f"`{name}` stopped after {_steps(steps)} at x = {_num(x)}, but the expected answer is "
                           f"({_num(expected[0])}, {expected[1]}): {_steps(expected[1])}.", hint,
                           summary="It stopped after the wrong number of steps.")
    raise CheckFailure(f"`{name}` made the right number of steps, {expected[1]}, but stopped at x = {_num(x)}, "
                       f"expected {_num(expected[0])}.", hint, summary="It stopped at the wrong point.")


def steps_hint_until(dfdx, x, learning_rate, secret, returned, steps, expected_steps, max_iterations):
    """Where the slopes were taken, read for the step itself (the start, the first step, the same rate every step),
    and, when the descent converges before the cap, for a count one off: x returned where the last slope was taken,
    or one step past it. The other stopping rules (and a miscount at the cap) are left to the mistakes, which compare
    whole answers."""
    points = _distinct(dfdx.points)
    hint = _step_hint_until(points, dfdx, x, learning_rate, secret)
    if hint or not points or abs(steps - expected_steps) != 1 or expected_steps >= max_iterations:
        return hint
    at_last_slope = _same(returned, points[-1])
    if steps > expected_steps and at_last_slope and dfdx.value(points[-1]) == 0:
        return LATE_OR_COUNTED_HINT  # a step of zero slope leaves x where it was: the two mistakes look alike
    if steps > expected_steps:
        return COUNTS_SLOPES_HINT if at_last_slope else LATE_HINT
    return COUNT_SHORT_HINT if at_last_slope else EARLY_HINT


def _step_hint_until(points, dfdx, x, learning_rate, secret):
    if not points:
        return "dfdx was never called: the test and each step need the slope at the current x, dfdx(x)."
    if not _same(points[0], x):
        where = "" if secret else f" (x = {_num(points[0])}, not x = {_num(x)})"
        return f"The first slope was not taken at the starting point{where}: start from the x you are given."
    if len(points) > 1:
        return first_step_hint(points[0], points[1], dfdx.value(points[0]), learning_rate, secret) or \
            changing_rate_hint([(a, b, dfdx.value(a)) for a, b in pairwise(points)], learning_rate, secret)
    return None


def expect_until(submission, reference, mistakes, function, x, learning_rate, tolerance, max_iterations, name,
                 secret=False, feedback=None):
    """The student's gradient_descent_until_converged from x against the reference's, its mistakes named; with
    ``feedback`` (public checks), a failure comes with the slopes along the way and the tolerance, plotted."""
    got, dfdx = descent_until(submission, function, x, learning_rate, tolerance, max_iterations, name)
    expected = reference.descend_until(function, x, learning_rate, tolerance, max_iterations)
    with on_failure(feedback, lambda: slopes_figure(reference, function, x, learning_rate, tolerance, expected,
                                                    dfdx, got)):
        expect_stopped(got, expected, name=name,
                       mistakes=until_mistakes(reference, mistakes, function, x, learning_rate, tolerance,
                                               max_iterations, secret),
                       steps_hint=lambda got_x, steps: steps_hint_until(dfdx, x, learning_rate, secret, got_x, steps,
                                                                        expected[1], max_iterations))


def slopes_figure(reference, function, x, learning_rate, tolerance, expected, dfdx, got):
    """log10 |f'(x_k)| along the reference's descent and at the points the student's code took the slope, with
    the tolerance and where each descent stopped: at the first point below the line, or at the cap."""
    formula = derivative(function)
    steps = expected[1]
    ours = np.asarray(reference.descend_path(function, x, learning_rate, steps), dtype=np.float64)
    theirs = np.asarray([float(p) for p in _distinct(dfdx.points)], dtype=np.float64)
    log_slope = lambda points: np.log10(np.abs(formula(np.asarray(points, dtype=np.float64))))  # noqa: E731
    figure = Figure("The slope along the descent, and where it stops", xlabel="step k", ylabel="log10 |f'(x_k)|")
    with np.errstate(all="ignore"):
        figure.line(np.arange(len(ours)), log_slope(ours), role="reference", label="expected")
        figure.scatter([steps], log_slope([expected[0]]), role="reference", label=f"expected stop: {_steps(steps)}")
        if len(theirs):
            figure.line(np.arange(len(theirs)), log_slope(theirs), role="student", label="the slopes your code took")
        stopped = _unwrap(got)
        if isinstance(stopped, (tuple, list)) and len(stopped) == 2 and _count(stopped[1]) is not None:
            figure.scatter([_count(stopped[1])], log_slope([_unwrap(stopped[0])]), role="student",
                           label=f"your stop: {_steps(_count(stopped[1]))}")
    width = max(len(ours), len(theirs), 2) - 1
    figure.line([0, width], [math.log10(tolerance)] * 2, role="other", label="log10(tolerance)")
    return figure


@pytest.mark.exercise(UNTIL, points=1)
def check_until_converged_exp_minus_log(submission, reference, mistakes, rng, feedback):
    """From the left of the minimum of e^x - ln x (learning rate 0.07, tolerance 1e-8, cap 200): the point where
    |f'(x)| first drops below the tolerance, and the steps it took."""
    x = float(rng.uniform(0.25, 0.45))  # left of the minimum at 0.567: the slope is negative here
    expect_until(submission, reference, mistakes, EXP_LOG, x, CONVERGE_RATE, CONVERGE_TOLERANCE, CONVERGE_CAP,
                 name=f"{UNTIL}(dfdx, {_num(x)}, 0.07, 1e-08, 200) for f(x) = e^x - ln x", feedback=feedback)


@pytest.mark.exercise(UNTIL, points=1)
def check_until_converged_stops_at_the_cap(submission, reference, mistakes, rng):
    """On a line f(x) = s x the slope never drops below the tolerance: after max_iterations = 37 steps the
    descent stops at x - 37 * 0.04 * s and says it made 37 steps."""
    line = {"kind": "line", "slope": float(rng.uniform(1.0, 3.0) * rng.choice([-1, 1]))}
    x = float(rng.uniform(-2.0, 2.0))
    expect_until(submission, reference, mistakes, line, x, CAP_RATE, CAP_TOLERANCE, CAP_ITERATIONS,
                 name=f"{UNTIL}(dfdx, {_num(x)}, 0.04, 0.001, 37) for the line f(x) = {_num(line['slope'])} x")


@pytest.mark.exercise(UNTIL, points=1)
def check_until_converged_edge_cases(submission, reference, mistakes, rng):
    """A start where the slope is exactly 0 is returned with 0 steps; a slope exactly equal to the tolerance is
    not below it, so the descent goes on (here to the cap: a line with slope 0.5, tolerance 0.5)."""
    parabola = {"kind": "parabola", "a": float(rng.uniform(0.5, 1.5)), "c": float(rng.uniform(-2.0, 2.0))}
    expect_until(submission, reference, mistakes, parabola, parabola["c"], CAP_RATE, CAP_TOLERANCE, CAP_ITERATIONS,
                 name=f"{UNTIL}(dfdx, {_num(parabola['c'])}, 0.04, 0.001, 37) for f(x) = {_num(parabola['a'])} "
                      f"({_shifted('x', parabola['c'])})^2, started at its minimum")
    line = {"kind": "line", "slope": EDGE_TOLERANCE}  # positive: a test without abs() agrees here
    x = float(rng.uniform(-2.0, 2.0))
    expect_until(submission, reference, mistakes, line, x, EDGE_RATE, EDGE_TOLERANCE, EDGE_CAP,
                 name=f"{UNTIL}(dfdx, {_num(x)}, 1.25, 0.5, 7) for the line f(x) = {_num(line['slope'])} x")


# ---------------------------------------------------------------------------- gradient_descent_2d

BOWL_RATE, BOWL_ITERATIONS = 0.07, 9


def make_bowl(rng):
    """A tilted elliptic bowl a (x-p)^2 + c (y-q)^2 + k (x-p)(y-q): k != 0 couples x and y, so the two
    partial derivatives each depend on both coordinates (|k| < 2 sqrt(ac) keeps it a bowl)."""
    a, c = rng.uniform(0.6, 1.6, size=2)
    k = rng.uniform(0.4, 0.9) * rng.choice([-1, 1])
    p, q = rng.uniform(-2.0, 2.0, size=2)
    return {"kind": "bowl", "a": float(a), "c": float(c), "k": float(k), "p": float(p), "q": float(q)}


def bowl_start(rng, bowl):
    """A start 1 to 2.5 away from the bowl's centre along each axis: far enough for every step to count."""
    dx, dy = rng.uniform(1.0, 2.5, size=2) * rng.choice([-1, 1], size=2)
    return float(bowl["p"] + dx), float(bowl["q"] + dy)


def descent_2d(submission, function, x, y, learning_rate, num_iterations):
    """Run the student's gradient_descent_2d with recording partials; return (answer, dfdx, dfdy)."""
    dfdx, dfdy = recorded_partials(function)
    got = submission.gradient_descent_2d(dfdx, dfdy, x, y, learning_rate=learning_rate, num_iterations=num_iterations)
    return got, dfdx, dfdy


def descent_mistakes_2d(reference, mistakes, function, x, y, learning_rate, num_iterations, secret):
    run = lambda rate, n: reference.descend_2d(function, x, y, rate, n)  # noqa: E731
    return [
        Mistake(SEQUENTIAL_HINT, lambda: mistakes.sequential_2d(function, x, y, learning_rate, num_iterations)),
        Mistake(SEQUENTIAL_HINT, lambda: mistakes.sequential_2d_y_first(function, x, y, learning_rate, num_iterations)),
        Mistake(SWAPPED_HINT, lambda: mistakes.swapped_2d(function, x, y, learning_rate, num_iterations)),
        Mistake(ASCENT_HINT_2D, lambda: mistakes.ascent_2d(function, x, y, learning_rate, num_iterations)),
        *rerun_mistakes(run, learning_rate, num_iterations, secret, call="dfdx(x, y)"),
        Mistake("gradient_descent_2d returned the starting point: return the final (x, y) after the loop.", (x, y)),
    ]


def expect_descent_2d(submission, reference, mistakes, function, x, y, learning_rate, num_iterations, name, secret=False):
    """The student's gradient_descent_2d from (x, y) against the reference's; returns the recorded partials."""
    got, dfdx, dfdy = descent_2d(submission, function, x, y, learning_rate, num_iterations)
    probe = lambda n: len(_distinct(descent_2d(submission, function, x, y, learning_rate, n)[1].points))  # noqa: E731
    expect_final_point(got, reference.descend_2d(function, x, y, learning_rate, num_iterations), name=name,
                       num_iterations=num_iterations,
                       mistakes=descent_mistakes_2d(reference, mistakes, function, x, y, learning_rate, num_iterations, secret),
                       steps_hint=lambda: steps_hint_2d(dfdx, dfdy, x, y, learning_rate, num_iterations, secret, probe))
    return dfdx, dfdy


@pytest.mark.exercise("gradient_descent_2d", points=1)
def check_gradient_descent_2d(submission, reference, mistakes, rng, feedback):
    """9 steps at learning rate 0.07 on a tilted bowl, from a random start."""
    bowl = make_bowl(rng)
    x, y = bowl_start(rng, bowl)
    with feedback.on_failure(lambda: descent_on_contours(submission, reference, bowl, x, y)):
        expect_descent_2d(submission, reference, mistakes, bowl, x, y, BOWL_RATE, BOWL_ITERATIONS,
                          name=f"gradient_descent_2d(dfdx, dfdy, {_num(x)}, {_num(y)}, 0.07, 9)")


def bowl_value(bowl, x, y):
    a, c, k, p, q = (bowl[name] for name in ("a", "c", "k", "p", "q"))
    return a * (x - p) ** 2 + c * (y - q) ** 2 + k * (x - p) * (y - q)


def descent_on_contours(submission, reference, bowl, x, y):
    """Your descent path, as the points your code asked the slopes at, against the reference's."""
    got, dfdx, _ = descent_2d(submission, bowl, x, y, BOWL_RATE, BOWL_ITERATIONS)
    theirs = list(_distinct(dfdx.points))
    if isinstance(got, (tuple, list)) and len(got) == 2 and all(isinstance(v, (int, float)) for v in got):
        theirs.append((float(got[0]), float(got[1])))
    ours = np.asarray(reference.descend_path_2d(bowl, x, y, BOWL_RATE, BOWL_ITERATIONS))
    points = np.vstack([ours, np.asarray(theirs)]) if theirs else ours
    finite = points[np.all(np.isfinite(points), axis=1) & np.all(np.abs(points - ours[0]) < 20, axis=1)]
    low, high = finite.min(axis=0) - 0.5, finite.max(axis=0) + 0.5
    xs, ys = np.linspace(low[0], high[0], 60), np.linspace(low[1], high[1], 60)
    grid_x, grid_y = np.meshgrid(xs, ys)
    figure = Figure("Your descent path on the contour plot of f", xlabel="x", ylabel="y")
    figure.contour(xs, ys, bowl_value(bowl, grid_x, grid_y))
    figure.path(ours[:, 0], ours[:, 1], role="reference", label="expected path")
    if theirs:
        figure.path([p[0] for p in theirs], [p[1] for p in theirs], role="student", label="your path")
    return figure


@pytest.mark.exercise("gradient_descent_2d", points=1)
def check_gradient_descent_2d_updates_simultaneously(submission, rng):
    """In every step dfdx and dfdy are evaluated at the same point, the one before the step."""
    bowl = make_bowl(rng)
    x, y = bowl_start(rng, bowl)
    _, dfdx, dfdy = descent_2d(submission, bowl, x, y, BOWL_RATE, BOWL_ITERATIONS)
    if not dfdx.points or not dfdy.points:
        missing = " and ".join(d.__name__ for d in (dfdx, dfdy) if not d.points)
        raise CheckFailure(f"{missing} was never called in {BOWL_ITERATIONS} steps.",
                           "Each step needs both partial derivatives at the current point: dfdx(x, y) and dfdy(x, y).")
    found = sequential_hint(dfdx, dfdy)
    if found:
        raise CheckFailure(found[0], found[1], summary=found[2])


# ---------------------------------------------------------------------------- choosing the learning rate

# The notebook's first tuning problem: g from x = -2, to its valley's minimum x* (g'(x*) = 0).
TUNING_1D = {
    "function": WAVY,
    "start": (-2.0,),
    "minimum": (-2.3016398661336503,),
    "tolerance": 1e-5,
    "valley": (-math.inf, -1.6775121484532185),  # the hilltop at -1.68 closes the valley on the right
    "learning_rates": (0.001, 0.01, 0.1, 0.3, 0.4, 0.8),
    "iterations": (10, 100, 1000),
    "names": ("LEARNING_RATES_1D", "NUM_ITERATIONS_1D"),
    "variables": "x",
}
# The second: the delivery line's cost E(w, b) from (w, b) = (0, 0), to its least-squares minimum.
TUNING_2D = {
    "function": DELIVERY_COST,
    "start": (0.0, 0.0),
    "tolerance": 1e-3,
    "valley": None,
    "learning_rates": (0.001, 0.01, 0.1, 0.2, 0.3),
    "iterations": (10, 100, 1000),
    "names": ("LEARNING_RATES_2D", "NUM_ITERATIONS_2D"),
    "variables": "(w, b)",
}
DIVERGED = 100.0  # the path went over 100 times farther from the minimum than it started: blown up
ZIGZAG = -0.5  # consecutive steps at more than 120 degrees: the path turns back on itself


def expect_choice(got, name, problem):
    """(learning_rate, num_iterations), each one of the problem's candidates; returned as the candidates."""
    rates, counts = problem["learning_rates"], problem["iterations"]
    rate_name, count_name = problem["names"]
    pair = expect_tuple(got, name=name, length=2)
    learning_rate = expect_float(pair[0], name=f"{name}[0] (learning_rate)")
    num_iterations = expect_float(pair[1], name=f"{name}[1] (num_iterations)")
    matches = lambda value, options: [o for o in options if math.isclose(value, o, rel_tol=1e-9)]  # noqa: E731
    if matches(learning_rate, counts) and matches(num_iterations, rates):
        raise CheckFailure(f"`{name}` is ({_num(learning_rate)}, {_num(num_iterations)}): an iteration count first and "
                           "a learning rate second.", "Return them in the order (learning_rate, num_iterations).")
    if not matches(learning_rate, rates):
        raise CheckFailure(f"The learning rate {_num(learning_rate)} is not one of the candidates {rate_name} = "
                           f"{list(rates)}.", f"Pick the learning rate from {rate_name} and the iteration count from "
                           f"{count_name}: the exercise is to choose among them.")
    if not matches(num_iterations, counts):
        raise CheckFailure(f"The iteration count {_num(num_iterations)} is not one of the candidates {count_name} = "
                           f"{list(counts)}.", f"Pick the iteration count from {count_name}.")
    return matches(learning_rate, rates)[0], int(matches(num_iterations, counts)[0])


def candidate_paths(reference, problem):
    """The reference's descent for every candidate learning rate, run for the largest iteration count
    (a shorter run is the beginning of it); asked for all of them so self-checks know every answer."""
    longest = max(problem["iterations"])
    start = problem["start"]
    paths = {}
    for rate in problem["learning_rates"]:
        if len(start) == 1:
            path = np.asarray(reference.descend_path(problem["function"], start[0], rate, longest)).reshape(-1, 1)
        else:
            path = np.asarray(reference.descend_path_2d(problem["function"], *start, rate, longest))
        paths[rate] = path
    return paths


def _at(point):
    return _num(point[0]) if len(point) == 1 else "(" + ", ".join(_num(v) for v in point) + ")"


def judge_choice(path, num_iterations, learning_rate, problem, minimum, others=()):
    """Raise CheckFailure naming what went wrong with this (learning_rate, num_iterations), if anything.

    ``path`` is the reference's descent with this rate for the largest candidate count, one point per
    row. Diverging, jumping into another valley, overshooting back and forth and creeping too slowly
    each get their own message.
    """
    minimum = np.asarray(minimum, dtype=np.float64)
    tolerance, variables = problem["tolerance"], problem["variables"]
    run = path[: num_iterations + 1]
    with np.errstate(all="ignore"):
        distances = np.linalg.norm(run - minimum, axis=1)
    start_distance = float(distances[0])
    choice = f"With learning_rate={learning_rate} and num_iterations={num_iterations}"
    blown = ~np.isfinite(distances) | (distances > DIVERGED * max(start_distance, 1.0))
    if blown.any():
        step = int(np.argmax(blown))
        where = "is not a number any more" if not np.all(np.isfinite(run[step])) else f"is at {_at(run[step])}"
        raise CheckFailure(
            f"{choice} the descent diverges: after {step} iterations {variables} {where}, far from the minimum "
            f"{_at(minimum)}.",
            "The learning rate is too large: each step overshoots the minimum by more than the last, so the steps "
            "grow without end. Choose a smaller learning rate.")
    end = run[-1]
    if distances[-1] <= tolerance:
        return
    report = f"{choice}, {variables} ends at {_at(end)}, {float(distances[-1]):.2g} from the minimum {_at(minimum)}"
    valley = problem["valley"]
    if valley is not None and not valley[0] < end[0] < valley[1]:
        near = min(others, key=lambda m: abs(m - end[0])) if others else None
        where = f" next to the minimum at {_num(near)}" if near is not None else ""
        raise CheckFailure(
            f"{report}: it left the starting valley and ended in another one{where}.",
            "The learning rate is too large for this valley: a step longer than the valley is wide jumps over the "
            "hilltop into the next valley. Choose a smaller learning rate.")
    longest = max(problem["iterations"])
    with np.errstate(all="ignore"):
        final = float(np.linalg.norm(path[-1] - minimum))  # inf or nan if the longer run blows up: not settled
    steps = np.diff(run[-5:], axis=0)
    lengths = np.linalg.norm(steps, axis=1)
    if len(steps) >= 2 and np.all(lengths > 0):
        cosines = np.sum(steps[1:] * steps[:-1], axis=1) / (lengths[1:] * lengths[:-1])
        if np.all(cosines < ZIGZAG):
            how = ("each step still jumps to the other side of it: x oscillates" if len(end) == 1 else
                   "each step turns back across the valley: the path zig-zags")
            settles = final <= tolerance
            later = ("; the jumps shrink, but so slowly at this learning rate that after your num_iterations it is "
                     "still bouncing" if settles else "; at this learning rate the jumps never die down")
            raise CheckFailure(
                f"{report}, and {how}{later}.",
                "The steps overshoot: the learning rate is so large that each step jumps past the minimum (or across "
                "the valley floor) and the next one jumps back. "
                + ("Too few steps for the bouncing to die down at this learning rate; a smaller one bounces less."
                   if settles else "Choose a smaller learning rate."))
    if final <= tolerance:
        raise CheckFailure(
            f"{report}: it is still moving steadily towards the minimum, but the goal is within {tolerance:g}.",
            "After your num_iterations the point is still short of the goal, though every step brings it closer: "
            "too few steps for this learning rate.")
    more = ("" if num_iterations == longest else
            f"; even after {longest} iterations it would still be {final:.2g} away")
    raise CheckFailure(
        f"{report}{more} (the goal is within {tolerance:g}, and {longest} is the largest iteration count offered).",
        "The learning rate is too small: the steps are so short that even the largest iteration count cannot make "
        "up for them. Choose a larger learning rate.")


# ---------------------------------------------------------------------------- pictures of a choice that fails
# They show the descent with the student's own pair only: the expected pair is the answer, so it is not drawn.

X_VIEW_1D = (-3.5, 2.5)  # g's three valleys
VIEW_2D = ((-1.0, 13.0), (-3.0, 13.0))  # (w, b) around the path from (0, 0) to the least-squares line
FIRST_STEPS = 100  # the first steps of a path: enough to see it oscillate or zig-zag, few enough to draw each step


def _choice(learning_rate, num_iterations, shown=None):
    first = f" (the first {shown})" if shown is not None and shown < num_iterations else ""
    return f"learning_rate={learning_rate}, num_iterations={num_iterations}{first}"


def _within(values, view):
    low, high = view
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where((values >= low) & (values <= high), values, np.nan)


def distance_figure(path, num_iterations, learning_rate, problem, minimum):
    """log10 of the distance to the minimum after each iteration, and the tolerance: the picture of diverging
    (it rises), creeping (it falls too slowly), too few steps (it stops above the line) and landing elsewhere."""
    run = path[: num_iterations + 1]
    with np.errstate(all="ignore"):
        distances = np.log10(np.linalg.norm(run - np.asarray(minimum, dtype=np.float64), axis=1))
    figure = Figure("Your choice: the distance to the minimum", xlabel="iteration k",
                    ylabel="log10 of the distance to the minimum")
    figure.line(np.arange(len(run)), distances, role="student", label=_choice(learning_rate, num_iterations))
    figure.line([0, num_iterations], [math.log10(problem["tolerance"])] * 2, role="other",
                label="log10(tolerance): the goal is below this line")
    return figure


def x_figure(path, num_iterations, learning_rate, minimum):
    """x after each iteration on g, with the goal and the hilltop closing its valley: oscillating and jumping
    valleys show; points that blew up off the picture are left out."""
    shown = min(num_iterations, FIRST_STEPS)
    run = path[: shown + 1, 0]
    figure = Figure("Your choice: x after each iteration", xlabel="iteration k", ylabel="x_k")
    figure.line(np.arange(len(run)), _within(run, X_VIEW_1D), role="student",
                label=_choice(learning_rate, num_iterations, shown))
    figure.line([0, shown], [minimum[0]] * 2, role="other", label="the goal x*")
    figure.line([0, shown], [TUNING_1D["valley"][1]] * 2, role="data", label="hilltop: the valley's edge")
    return figure


def path_figure_2d(reference, path, num_iterations, learning_rate, minimum):
    """The first steps of the descent on the contours of log10 E(w, b): a zig-zag across the valley, a crawl
    along its floor, or a path that leaves the picture."""
    distance, minutes = (np.asarray(column, dtype=np.float64) for column in reference.deliveries())
    (w_low, w_high), (b_low, b_high) = VIEW_2D
    ws, bs = np.linspace(w_low, w_high, 60), np.linspace(b_low, b_high, 60)
    grid_w, grid_b = np.meshgrid(ws, bs)
    cost = np.mean((grid_w[..., None] * distance + grid_b[..., None] - minutes) ** 2, axis=-1) / 2
    shown = min(num_iterations, FIRST_STEPS)
    run = path[: shown + 1]
    figure = Figure("Your choice on the contours of log10 E(w, b)", xlabel="w (minutes per km)", ylabel="b (minutes)")
    figure.contour(ws, bs, np.log10(cost))
    figure.path(_within(run[:, 0], VIEW_2D[0]), _within(run[:, 1], VIEW_2D[1]), role="student",
                label=_choice(learning_rate, num_iterations, shown))
    figure.scatter([minimum[0]], [minimum[1]], role="other", label="least squares: the goal")
    return figure


@pytest.mark.exercise("tuned_parameters_1d", points=2)
def check_tuned_parameters_1d(submission, reference, feedback):
    """From x = -2 on g, the chosen pair ends within 1e-5 of the valley's minimum x* = -2.30164."""
    problem = TUNING_1D
    learning_rate, num_iterations = expect_choice(submission.tuned_parameters_1d(), "tuned_parameters_1d()", problem)
    path = candidate_paths(reference, problem)[learning_rate]
    with feedback.on_failure(lambda: x_figure(path, num_iterations, learning_rate, problem["minimum"])), \
            feedback.on_failure(lambda: distance_figure(path, num_iterations, learning_rate, problem,
                                                        problem["minimum"])):
        judge_choice(path, num_iterations, learning_rate, problem, problem["minimum"],
                     others=(-0.5204657046212409, 1.495794167383621))


@pytest.mark.exercise("tuned_parameters_2d", points=2)
def check_tuned_parameters_2d(submission, reference, feedback):
    """From (w, b) = (0, 0) on the delivery cost, the chosen pair ends within 1e-3 of the least-squares line."""
    problem = TUNING_2D
    learning_rate, num_iterations = expect_choice(submission.tuned_parameters_2d(), "tuned_parameters_2d()", problem)
    minimum = reference.delivery_minimum()
    path = candidate_paths(reference, problem)[learning_rate]
    with feedback.on_failure(lambda: path_figure_2d(reference, path, num_iterations, learning_rate, minimum)), \
            feedback.on_failure(lambda: distance_figure(path, num_iterations, learning_rate, problem, minimum)):
        judge_choice(path, num_iterations, learning_rate, problem, minimum)
