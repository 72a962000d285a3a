"""Public checks for gradient_descent: what `check("<exercise>")` runs in the notebook.

The derivatives handed to the student's functions are trusted Python functions defined here: when
the student's code calls one, it runs on this side and notes the point it was asked about. So a
check knows where every slope was taken, how many steps were made and how long the first one was,
and can say "dfdx was called 18 times for num_iterations=17" or "dfdy was taken after x had already
moved". Expected answers come from the reference, asked with plain data only: a test function is
named by a small dict ({"kind": "exp_log"}), never passed as a Python function.

Learning rates and iteration counts differ from the defaults (0.1 and 100) and the descents stop
before they converge, so code that ignores an argument or miscounts the steps lands elsewhere.
"""

import math

import numpy as np
import pytest

from autograder.checks import (
    CheckFailure,
    Figure,
    Mistake,
    expect_array,
    expect_close,
    expect_float,
    expect_float_close,
    expect_tuple,
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


class Recorded:
    """A trusted derivative for the student's code to call: f'(x), or a partial derivative df/dx(x, y). Every point
    it is asked about is kept in ``points`` (a number, or an (x, y) pair)."""

    def __init__(self, formula, name, arity):
        self.formula, self.__name__, self.arity, self.points = formula, name, arity, []

    def __call__(self, x, y=_ONE_VARIABLE):  # called as dfdx(x), or dfdx(x, y) for two variables
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


def slope(function):
    return Recorded(derivative(function), "dfdx", 1)


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


def steps_hint_1d(dfdx, x, learning_rate, num_iterations, secret):
    """Read the loop from where dfdx was called: the start, the first step's length, the count."""
    points = _distinct(dfdx.points)
    if not points:
        return "dfdx was never called: each step needs the slope at the current x, dfdx(x)." if num_iterations else None
    if not _same(points[0], x):
        where = "" if secret else f" (x = {_num(points[0])}, not x = {_num(x)})"
        return f"The first slope was not taken at the starting point{where}: start from the x you are given."
    if len(dfdx.points) == 1 and num_iterations > 1:
        return ONCE_HINT
    if len(dfdx.points) > 1 and len(points) == 1:
        return STUCK_HINT
    if len(points) > 1:
        hint = first_step_hint(points[0], points[1], dfdx.value(points[0]), learning_rate, secret)
        if hint:
            return hint
    return count_hint(len(dfdx.points), len(points), num_iterations, secret)


def steps_hint_2d(dfdx, dfdy, x, y, learning_rate, num_iterations, secret):
    """The same reading for two variables, with the simultaneous update looked at first."""
    hint = sequential_hint(dfdx, dfdy)
    if hint:
        return hint[1]
    points = _distinct(dfdx.points)
    if not points:
        return "dfdx was never called: each step needs both slopes at the current point." if num_iterations else None
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


def expect_descent(submission, reference, mistakes, function, x, learning_rate, num_iterations, name, secret=False):
    """The student's gradient_descent from x against the reference's, its mistakes named (``secret``: the hints of a
    hidden check, which quote none of its inputs)."""
    got, dfdx = descent_1d(submission, function, x, learning_rate, num_iterations)
    expect_final_x(got, reference.descend(function, x, learning_rate, num_iterations), name=name,
                   num_iterations=num_iterations,
                   mistakes=descent_mistakes_1d(reference, mistakes, function, x, learning_rate, num_iterations, secret),
                   steps_hint=lambda: steps_hint_1d(dfdx, x, learning_rate, num_iterations, secret))


@pytest.mark.exercise("gradient_descent", points=1)
def check_gradient_descent_exp_minus_log(submission, reference, mistakes, rng):
    """17 steps at learning rate 0.03 on f(x) = e^x - ln x, from a random start in (1, 1.8)."""
    x = float(rng.uniform(1.0, 1.8))  # away from the minimum at 0.567: every step still counts
    expect_descent(submission, reference, mistakes, EXP_LOG, x, EXP_LOG_RATE, EXP_LOG_ITERATIONS,
                   name=f"gradient_descent(dfdx, {_num(x)}, 0.03, 17) for f(x) = e^x - ln x")


@pytest.mark.exercise("gradient_descent", points=1)
def check_gradient_descent_counts_its_steps(submission, reference, mistakes, rng):
    """On a straight line f(x) = s x every step is the same, -0.04 s, so 23 steps end at x - 23 * 0.04 * s."""
    line = {"kind": "line", "slope": float(rng.uniform(1.0, 3.0) * rng.choice([-1, 1]))}
    x = float(rng.uniform(-2.0, 2.0))
    expect_descent(submission, reference, mistakes, line, x, LINE_RATE, LINE_ITERATIONS,
                   name=f"gradient_descent(dfdx, {_num(x)}, 0.04, 23) for the line f(x) = {_num(line['slope'])} x")


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


def expect_descent_path(submission, reference, mistakes, function, x, learning_rate, num_iterations, name, secret=False):
    """The student's gradient_descent_path from x against the reference's, its mistakes named."""
    dfdx = slope(function)
    got = submission.gradient_descent_path(dfdx, x, learning_rate=learning_rate, num_iterations=num_iterations)
    expect_path(got, reference.descend_path(function, x, learning_rate, num_iterations), name=name,
                num_iterations=num_iterations, secret=secret,
                mistakes=path_mistakes(reference, mistakes, function, x, learning_rate, num_iterations, secret),
                steps_hint=lambda: steps_hint_1d(dfdx, x, learning_rate, num_iterations, secret))


@pytest.mark.exercise("gradient_descent_path", points=1)
def check_gradient_descent_path(submission, reference, mistakes, rng):
    """12 steps at learning rate 0.02 on g(x) = 0.05 x^4 + sin(3x): the start and the 12 points after it."""
    x = float(rng.uniform(1.9, 2.6))  # the right-hand valley, above its minimum at 1.50
    expect_descent_path(submission, reference, mistakes, WAVY, x, PATH_RATE, PATH_ITERATIONS,
                        name=f"gradient_descent_path(dgdx, {_num(x)}, 0.02, 12)")


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
    expect_final_point(got, reference.descend_2d(function, x, y, learning_rate, num_iterations), name=name,
                       num_iterations=num_iterations,
                       mistakes=descent_mistakes_2d(reference, mistakes, function, x, y, learning_rate, num_iterations, secret),
                       steps_hint=lambda: steps_hint_2d(dfdx, dfdy, x, y, learning_rate, num_iterations, secret))
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
            later = (f"; this one does settle, slowly, so {longest} iterations would also do" if final <= tolerance
                     else "; with this one it never settles")
            raise CheckFailure(
                f"{report}, and {how}.",
                "The steps overshoot: the learning rate is so large that each step jumps past the minimum "
                f"(or across the valley floor) and the next one jumps back. Choose a smaller learning rate{later}.")
    if final <= tolerance:
        raise CheckFailure(
            f"{report}: it is still moving steadily towards the minimum, but the goal is within {tolerance:g}.",
            "Too few iterations for this learning rate: it gets there with more of them.")
    more = ("" if num_iterations == longest else
            f"; even after {longest} iterations it would still be {final:.2g} away")
    raise CheckFailure(
        f"{report}{more} (the goal is within {tolerance:g}, and {longest} is the largest iteration count offered).",
        "The learning rate is too small: the steps are so short that even the largest iteration count cannot make "
        "up for them. Choose a larger learning rate.")


@pytest.mark.exercise("tuned_parameters_1d", points=2)
def check_tuned_parameters_1d(submission, reference):
    """From x = -2 on g, the chosen pair ends within 1e-5 of the valley's minimum x* = -2.30164."""
    problem = TUNING_1D
    learning_rate, num_iterations = expect_choice(submission.tuned_parameters_1d(), "tuned_parameters_1d()", problem)
    paths = candidate_paths(reference, problem)
    judge_choice(paths[learning_rate], num_iterations, learning_rate, problem, problem["minimum"],
                 others=(-0.5204657046212409, 1.495794167383621))


@pytest.mark.exercise("tuned_parameters_2d", points=2)
def check_tuned_parameters_2d(submission, reference):
    """From (w, b) = (0, 0) on the delivery cost, the chosen pair ends within 1e-3 of the least-squares line."""
    problem = TUNING_2D
    learning_rate, num_iterations = expect_choice(submission.tuned_parameters_2d(), "tuned_parameters_2d()", problem)
    minimum = reference.delivery_minimum()
    paths = candidate_paths(reference, problem)
    judge_choice(paths[learning_rate], num_iterations, learning_rate, problem, minimum)
