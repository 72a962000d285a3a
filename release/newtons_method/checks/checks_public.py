"""Public checks for newtons_method: what `check("<exercise>")` runs in the notebook.

The methods take functions as arguments. The checks hand the student's code trusted functions
(closed-form derivatives of test functions other than the notebook's), which note every point
they are asked about. From those points a check sees the first step the code took (so a wrong sign
is told apart from an upside-down ratio) and whether the functions passed in were used at all.
Expected values come from the reference, run on the same test functions with derivatives from
JAX. Iteration counts are never the defaults, and the iteration checks use functions with a flat
minimum, where Newton's method converges only linearly, so every iterate differs from the next
and a wrong count shows.
"""

import numpy as np
import pytest

from autograder.checks import (
    CheckFailure,
    Mistake,
    StudentCodeRaised,
    expect_array,
    expect_close,
    expect_equal,
    expect_float,
    expect_float_close,
)

PATH_LENGTH = 110  # iterates kept to name a wrong iteration count: the default 100, and a margin
DEFAULT_ITERATIONS = 100
MAX_CALLS = 1000  # calls of the trusted functions after which the student's loop is stopped (100 iterations need 200)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# -- test functions of one variable: (f', f'') with their parameters

DERIVATIVES_1D = {
    "exp_linear": (lambda x, a: np.exp(x) - a, lambda x, a: np.exp(x)),
    "power_10": (lambda x, s: 10 * s * x**9, lambda x, s: 90 * s * x**8),
    "power_12": (lambda x, s: 12 * s * x**11, lambda x, s: 132 * s * x**10),
    "softplus_linear": (lambda x, beta: _sigmoid(x) - beta, lambda x, beta: _sigmoid(x) * (1 - _sigmoid(x))),
    "double_well": (lambda x, s, t: x**3 - s * x + t, lambda x, s, t: 3 * x**2 - s),
}

# -- test functions of two variables: (gradient, Hessian) with their parameters


def _exp_quadratic(xy, a, Q, b):
    e = np.exp(a @ xy)
    return a * e + Q @ xy + b, e * np.outer(a, a) + Q


def _homogeneous_6(xy, u, v):
    s, t = u @ xy, v @ xy
    return 6 * s**5 * u + 6 * t**5 * v, 30 * s**4 * np.outer(u, u) + 30 * t**4 * np.outer(v, v)


DERIVATIVES_2D = {"exp_quadratic": _exp_quadratic, "homogeneous_6": _homogeneous_6}


class CallLimit(RuntimeError):
    """Raised into the student's code when it calls a trusted function far too often."""


class Recorder:
    """Trusted functions for the student's code that note every argument they are given."""

    def __init__(self, max_calls=MAX_CALLS):
        self.calls = []  # (function name, argument as a float or a (2,) array; None if unusable)
        self.max_calls = max_calls
        self.overrun = False
        self.bad_shape = None  # (function name, shape) of an argument that was not a (2,) point

    def note(self, name, value):
        self.calls.append((name, value))
        if len(self.calls) > self.max_calls:
            self.overrun = True
            raise CallLimit(f"{name} was called more than {self.max_calls} times; stop the loop")

    def count(self, name):
        return sum(1 for called, _ in self.calls if called == name)

    def points(self):
        """The distinct arguments in the order first met (a point asked twice in a row counts once)."""
        points = []
        for _, value in self.calls:
            if value is None:
                return points
            if not points or not np.array_equal(points[-1], value):
                points.append(value)
        return points


def _number(x):
    """x as a float if it is one number (a float, int, numpy scalar or size-1 array), else None."""
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return float(array.reshape(())) if array.size == 1 else None


class Derivatives1D(Recorder):
    """dfdx and d2fdx2 of a 1-D test function, handed to the student's code."""

    def __init__(self, family, params, max_calls=MAX_CALLS):
        super().__init__(max_calls)
        self.first, self.second = DERIVATIVES_1D[family]
        self.params = tuple(params)

    def dfdx(self, x):
        return self._evaluate("dfdx", self.first, x)

    def d2fdx2(self, x):
        return self._evaluate("d2fdx2", self.second, x)

    def _evaluate(self, name, rule, x):
        self.note(name, _number(x))
        with np.errstate(all="ignore"):
            value = rule(np.asarray(x, dtype=np.float64), *self.params)
        return float(value) if np.ndim(value) == 0 else value

    def derivatives(self, x):
        with np.errstate(all="ignore"):
            return self.first(x, *self.params), self.second(x, *self.params)


class Derivatives2D(Recorder):
    """gradient and hessian of a 2-D test function, handed to the student's code."""

    def __init__(self, family, params, max_calls=MAX_CALLS, rule=None):
        super().__init__(max_calls)
        self.rule = rule or DERIVATIVES_2D[family]
        self.params = tuple(np.asarray(p, dtype=np.float64) for p in params)

    def gradient(self, xy):
        return self._evaluate("gradient", xy)[0]

    def hessian(self, xy):
        return self._evaluate("hessian", xy)[1]

    def _evaluate(self, name, xy):
        point = np.array(xy, dtype=np.float64)  # a copy: the caller may change its array later
        self.note(name, point if point.shape == (2,) else None)
        if point.shape != (2,):
            self.bad_shape = (name, point.shape)
            raise ValueError(f"{name} takes xy of shape (2,), but was given an array of shape {point.shape}")
        with np.errstate(all="ignore"):
            return self.rule(point, *self.params)

    def derivatives(self, xy):
        with np.errstate(all="ignore"):
            return self.rule(np.asarray(xy, dtype=np.float64), *self.params)


# -- what the recorded points say


def _same(a, b):
    with np.errstate(all="ignore"):
        return bool(np.all(np.isfinite(b))) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))


def unused_functions_hint(recorder, function, names):
    """A hint when the student's code did not call the functions it was given."""
    given = " and ".join(names)
    if not recorder.calls:
        return (f"{function} never called the {given} it was given. It must work for any function: call "
                f"{names[0]}(...) and {names[1]}(...) instead of writing out the derivatives of the notebook's example.")
    unused = [name for name in names if recorder.count(name) == 0]
    if unused:
        return (f"{function} never called {unused[0]}: Newton's step needs both the slope and the curvature, "
                f"each evaluated at the current point.")
    return None


def first_step_hint_1d(recorder, x0, num_iterations, secret=False):
    """What the first step the code took says about its formula, from the points dfdx/d2fdx2 saw."""
    hint = unused_functions_hint(recorder, "newtons_method", ("dfdx", "d2fdx2"))
    if hint:
        return hint
    points = recorder.points()
    if len(points) == 1 and num_iterations > 1:
        asked = "several" if secret else num_iterations
        return (f"dfdx and d2fdx2 were only ever asked about one point, but this check asked for {asked} iterations: "
                "evaluate f'(x) and f''(x) at the current x inside the loop, so each step starts where the last one ended.")
    if len(points) < 2 or not _same(points[0], x0):
        return None
    x, x1 = points[0], points[1]
    g, h = recorder.derivatives(x)
    candidates = [
        (x - g / h, None),
        (x + g / h, "The first step went the wrong way: x + f'(x)/f''(x). The vertex of the parabola, Newton's "
                    "next point, is x - f'(x) / f''(x)."),
        (x - h / g, "The ratio is upside down: the first step was f''(x)/f'(x). Newton's step divides the slope by "
                    "the curvature: x - f'(x) / f''(x)."),
        (x + h / g, "The ratio is upside down and the sign is wrong: Newton's step is x - f'(x) / f''(x)."),
        (x - g, "The first step was x - f'(x), a gradient descent step with learning rate 1. Newton's step divides "
                "the slope by the curvature: x - f'(x) / f''(x)."),
        (x - g * h, "The first step multiplied f'(x) by f''(x); Newton's step divides: x - f'(x) / f''(x)."),
    ]
    return next((hint for value, hint in candidates if _same(x1, value)), None)


def first_step_hint_2d(recorder, xy0, num_iterations, secret=False):
    """The same for newtons_method_2d, from the points gradient/hessian saw."""
    hint = unused_functions_hint(recorder, "newtons_method_2d", ("gradient", "hessian"))
    if hint:
        return hint
    points = recorder.points()
    if len(points) == 1 and num_iterations > 1:
        asked = "several" if secret else num_iterations
        return (f"gradient and hessian were only ever asked about one point, but this check asked for {asked} "
                "iterations: evaluate them at the current xy inside the loop.")
    if len(points) < 2 or not _same(points[0], xy0):
        return None
    xy, xy1 = points[0], points[1]
    g, H = recorder.derivatives(xy)
    solve = "Solve H d = g with d = np.linalg.solve(H, g), then step xy - d."
    candidates = [
        (xy - np.linalg.solve(H, g), None),
        (xy + np.linalg.solve(H, g), "The first step went the wrong way: xy + H^-1 g. Newton's step is "
                                     "xy - H^-1 g. " + solve),
        (xy - H @ g, "The first step multiplied the gradient by the Hessian, H g; Newton's step uses the inverse, "
                     "H^-1 g (the 2-D version of dividing by f''). " + solve),
        (xy - g / np.diag(H), "The first step divided each slope by its own second derivative only, g / diag(H), "
                              "which ignores the mixed partials; Newton's step is H^-1 g. " + solve),
        (xy - g, "The first step was xy - g, a gradient descent step; Newton's step is xy - H^-1 g. " + solve),
    ]
    return next((hint for value, hint in candidates if _same(xy1, value)), None)


def call_failure(error, recorder, function, stop="Stop after num_iterations steps: `for _ in range(num_iterations)`.",
                 limit=""):
    """Turn a student's call that raised into a precise verdict when the recorder knows why."""
    if recorder.overrun:
        return CheckFailure(f"{function} kept going: it called the function it was given more than "
                            f"{recorder.max_calls} times{limit}.", stop,
                            summary=f"{function} kept going: it called the function it was given far too often.")
    if recorder.bad_shape is not None:
        name, shape = recorder.bad_shape
        return CheckFailure(
            f"After its first step, {function} called {name} with an array of shape {shape}, not a point of shape (2,).",
            "`g / H` or `H * g` work entry by entry and broadcast the (2,) gradient against the (2, 2) Hessian into "
            "a (2, 2) array. Newton's step needs a matrix-vector operation: d = np.linalg.solve(H, g), then xy - d.",
            summary=f"After its first step, {function} called {name} with an array that is not a point of shape (2,).",
        )
    return error


def step_count_mistakes(path, n, asked=None, secret=False):
    """Right steps taken a wrong number of times: the value after k steps, k != n. ``asked`` is what the check asked
    for; a hidden check (``secret``) says it only when it is public knowledge, and never how many steps were taken."""
    asked = f", but {asked}" if asked else "" if secret else f", but this check asked for num_iterations={n}"
    loop = "Loop `for _ in range(num_iterations)`."
    hints = {  # the first that applies to k wins: the later entries here
        1: f"Your answer is where one step leads{asked}: is the `return` inside the loop? Return after the loop has finished.",
        0: "Your function returned the starting point unchanged: assign each step's result back (x = x - ...) and return it.",
        DEFAULT_ITERATIONS: f"The number of iterations is ignored: your answer is where many steps lead (the default is "
                            f"{DEFAULT_ITERATIONS}){asked}. {loop}",
        n - 1: f"One iteration too few: your answer is where one step fewer leads{asked}. {loop}",
        n + 1: f"One iteration too many: your answer is where one step more leads{asked}. {loop}",
    }
    mistakes = []
    for k in dict.fromkeys([n + 1, n - 1, DEFAULT_ITERATIONS, 0, *range(1, len(path))]):  # in this order, once each
        if k != n and 0 <= k < len(path):
            steps = "another number of steps" if secret else f"{k} steps"
            mistakes.append(Mistake(hints.get(k, f"Your answer is where {steps} lead{asked}: is a number of iterations "
                                                 "written into the code? Use the num_iterations argument."), path[k]))
    return mistakes


def expect_newton_1d(got, path, n, recorder, x0, asked=None, secret=False):
    """The final x of newtons_method against path[n], with what the recorded points tell."""
    hint = first_step_hint_1d(recorder, x0, n, secret)
    try:
        value = expect_float(got, name="x")
    except CheckFailure as failure:
        raise CheckFailure(failure.message, hint or failure.hint, summary=failure.summary) from None
    # Right steps taken a wrong number of times are named first; otherwise, when the recorded points
    # already say what went wrong, that is the mistake this value shows.
    mistakes = step_count_mistakes(path, n, asked, secret) + ([Mistake(hint, value)] if hint else [])
    return expect_float_close(value, path[n], name="x", tolerance="iterative", mistakes=mistakes)


def expect_newton_2d(got, path, n, recorder, xy0, asked=None, secret=False):
    """The final xy of newtons_method_2d against path[n]."""
    hint = first_step_hint_2d(recorder, xy0, n, secret)
    try:
        array = expect_array(got, name="xy", shape=(2,), shape_hints=XY_SHAPE_HINTS)
    except CheckFailure as failure:
        raise CheckFailure(failure.message, hint or failure.hint, summary=failure.summary) from None
    mistakes = step_count_mistakes(path, n, asked, secret) + ([Mistake(hint, array)] if hint else [])
    return expect_close(array, path[n], name="xy", tolerance="iterative", mistakes=mistakes)


XY_SHAPE_HINTS = {
    (2, 2): "The answer is (2, 2): `g / H` or `H * g` broadcast the gradient against the Hessian. Use "
            "np.linalg.solve(H, g), which gives the (2,) step d with H d = g.",
    (2, 1): "Keep xy a flat array of shape (2,), as it was given: np.linalg.solve(H, g) with g of shape (2,) gives shape (2,).",
    (1, 2): "Keep xy a flat array of shape (2,), as it was given.",
}


# -- newtons_method


def exp_linear_case(rng):
    """f(x) = e^x - a x, minimum at ln a, started 1 to 2 to the right of it."""
    a = float(rng.uniform(1.5, 4.0))
    x0 = float(np.log(a) + rng.uniform(1.0, 2.0))
    return "exp_linear", [a], x0


def power_case(rng, family):
    """f(x) = s x^p: a flat minimum at 0, approached by a factor (p-2)/(p-1) per step."""
    s = float(rng.uniform(0.2, 2.0))
    x0 = float(rng.choice([-1.0, 1.0]) * rng.uniform(1.0, 3.0))
    return family, [s], x0


def newton_1d(submission, reference, family, params, x0, n=None, asked=None, secret=False):
    """The student's newtons_method on the recording derivatives of a test function, ``n`` steps (None: its default),
    against the reference's."""
    recorder = Derivatives1D(family, params)
    try:
        got = submission.newtons_method(recorder.dfdx, recorder.d2fdx2, x0, **({} if n is None else {"num_iterations": n}))
    except StudentCodeRaised as error:
        raise call_failure(error, recorder, "newtons_method") from None
    path = reference.newton_path(family, params, x0, PATH_LENGTH)
    expect_newton_1d(got, path, DEFAULT_ITERATIONS if n is None else n, recorder, x0, asked, secret)


@pytest.mark.exercise("newtons_method", points=1)
def check_newtons_method_steps(submission, reference, rng):
    """Three Newton steps on f(x) = e^x - a x from a start right of the minimum."""
    newton_1d(submission, reference, *exp_linear_case(rng), 3)


@pytest.mark.exercise("newtons_method", points=1)
def check_newtons_method_counts_iterations(submission, reference, rng):
    """Seven steps on f(x) = s x^10, whose iterates shrink by 8/9 each: the count must be exact."""
    newton_1d(submission, reference, *power_case(rng, "power_10"), 7)


# -- iterations_to_converge


class Step(Recorder):
    """An update rule x -> step(x) handed to the student's code; it counts its calls."""

    RULES = {
        "affine": lambda x, c, r: c + r * (x - c),
        "newton_exp": lambda x, a: x - 1.0 + a * np.exp(-x),
        "shift": lambda x, d: x + d,
    }

    def __init__(self, family, params, max_calls):
        super().__init__(max_calls)
        self.rule = self.RULES[family]
        self.params = tuple(params)

    def step(self, x):
        self.note("step", _number(x))
        with np.errstate(all="ignore"):
            value = self.rule(np.asarray(x, dtype=np.float64), *self.params)
        return float(value) if np.ndim(value) == 0 else value


def expect_count(got, expected, name, mistakes=()):
    """A whole number of steps, equal to ``expected``."""
    if got is None:
        raise CheckFailure(f"`{name}` is None: your function returned nothing.", "Add a `return` statement.",
                           summary="The answer is None: your function returned nothing.")
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer, float, np.floating)):
        raise CheckFailure(f"`{name}` is a {type(got).__name__}, but a number of steps (an int) was expected.",
                           summary="The answer is not a number of steps (an int).")
    if isinstance(got, (float, np.floating)) and not float(got).is_integer():
        raise CheckFailure(f"`{name}` is {float(got):.6g}, not a whole number of steps.",
                           "Return how many times step was applied (a counter), not the final x.",
                           summary="The answer is not a whole number of steps.")
    return expect_equal(int(got), expected, name=name, mistakes=mistakes)


def count_mistakes(expected, tolerance, max_iterations, default_tolerance_count=None):
    mistakes = [
        Mistake("One fewer than expected: count the step whose change fell below the tolerance too. If x_1 = step(x_0) "
                "already moves less than tolerance, the answer is 1.", expected - 1),
        Mistake("One more than expected: stop (and return the count) at the first step whose change is below the "
                "tolerance, without taking another step.", expected + 1),
    ]
    if default_tolerance_count is not None:
        mistakes.append(Mistake(f"That is the count for the default tolerance 1e-8, but this check passed "
                                f"tolerance={tolerance:g}: compare |x_new - x| with the tolerance argument.",
                                default_tolerance_count))
    return mistakes


@pytest.mark.exercise("iterations_to_converge", points=1)
def check_iterations_to_converge_linear(submission, reference, rng):
    """x -> c + r (x - c) converges linearly: the count for tolerance 1e-6."""
    c, r = float(rng.uniform(-2.0, 2.0)), float(rng.uniform(0.4, 0.8))
    x0 = c + float(rng.choice([-1.0, 1.0]) * rng.uniform(1.0, 3.0))
    tolerance, max_iterations = 1e-6, 1000
    step = Step("affine", [c, r], max_calls=max_iterations + 100)
    try:
        got = submission.iterations_to_converge(step.step, x0, tolerance=tolerance)
    except StudentCodeRaised as error:
        raise call_failure(error, step, "iterations_to_converge") from None
    expected = reference.count_steps("affine", [c, r], x0, tolerance, max_iterations)
    default = reference.count_steps("affine", [c, r], x0, 1e-8, max_iterations)
    if step.count("step") == 0:
        raise CheckFailure("iterations_to_converge never called the step function it was given.",
                           "Apply it to the current x in a loop: x_new = step(x).")
    expect_count(got, expected, "iterations_to_converge(step, x)",
                 count_mistakes(expected, tolerance, max_iterations, default))


# -- damped_newton_step


def double_well_case(rng):
    """f(x) = x^4/4 - s x^2/2 + t x: two valleys, and negative curvature for |x| < sqrt(s/3).

    Test points keep away from where f'(x) = x^3 - s x + t vanishes, so that every wrong step
    differs from the right one."""
    return [float(rng.uniform(2.0, 3.5)), float(rng.uniform(-0.5, 0.5))]


def against(t):
    """The sign opposite to t (a point x of this sign makes -s x add to t in f'(x))."""
    return -1.0 if t > 0 else 1.0


def damped_mistakes(x, g, h, damping):
    """Steps that are not the damped one, each with what it tells (h = f''(x), g = f'(x))."""
    with np.errstate(all="ignore"):  # a wrong formula may divide by zero: inf never matches
        return _damped_mistakes(np.float64(x), np.float64(g), np.float64(h), damping)


PLAIN_NEWTON = "That is the plain Newton step x - f'(x) / f''(x)"
DAMPED = "x - f'(x) / (max(f''(x), 0) + damping)."


def _damped_mistakes(x, g, h, damping):
    uphill = ("f''(x) is negative here, so the parabola opens downwards and its vertex is a maximum: dividing by "
              "f''(x) sends x uphill. ")
    mistakes = []
    if h < 0:
        mistakes += [
            Mistake(uphill + "Clip the curvature first: max(f''(x), 0) + damping.", x - g / h),
            Mistake(uphill[:-2] + " even with the damping added, since f''(x) + damping < 0 here. Clip the curvature "
                    "at zero first: max(f''(x), 0) + damping.", x - g / (h + damping)) if h + damping < 0 else
            Mistake("f''(x) + damping is a tiny positive number here (f''(x) is negative), so the step is far too "
                    "long. Clip the curvature at zero first: max(f''(x), 0) + damping.", x - g / (h + damping)),
            Mistake("This exercise clips the curvature, max(f''(x), 0), rather than taking |f''(x)|: where f''(x) < 0 "
                    "the step is a gradient step with learning rate 1/damping.", x - g / (abs(h) + damping)),
        ]
    elif h < damping:  # here the plain Newton step and the curvature clamped at the damping differ
        mistakes += [Mistake(PLAIN_NEWTON + ": add the damping to the curvature, " + DAMPED, x - g / h),
                     Mistake("You clamped the curvature at the damping, max(f''(x), damping), which is the plain Newton "
                             "step wherever f''(x) > damping. Clip at zero, then add the damping: " + DAMPED,
                             x - g / damping)]
    else:  # f''(x) >= damping: max(f''(x), damping) is f''(x), so the two give the same step
        mistakes.append(Mistake(PLAIN_NEWTON + " (so is max(f''(x), damping) wherever f''(x) > damping). Add the "
                                "damping to the curvature clipped at zero: " + DAMPED, x - g / h))
    mistakes += [
        Mistake("The step goes uphill: subtract, x - f'(x) / (max(f''(x), 0) + damping).", x + g / (max(h, 0) + damping)),
        Mistake("Use the damping argument, not a fixed number: your step is the one with the default damping 1.0.",
                x - g / (max(h, 0) + 1.0)),
        Mistake("That is a gradient step, x - damping * f'(x); the damping is added to the curvature in the "
                "denominator: x - f'(x) / (max(f''(x), 0) + damping).", x - damping * g),
        Mistake("The curvature was multiplied by the damping; add it instead: max(f''(x), 0) + damping.",
                x - g / (max(h, 0) * damping)),
    ]
    return mistakes


def expect_damped_step(submission, reference, params, x, damping=None):
    """One damped step at x on the double well, compared with the reference; damping=None uses the default."""
    recorder = Derivatives1D("double_well", params)
    options = {} if damping is None else {"damping": damping}
    try:
        got = submission.damped_newton_step(recorder.dfdx, recorder.d2fdx2, x, **options)
    except StudentCodeRaised as error:
        raise call_failure(error, recorder, "damped_newton_step") from None
    used = 1.0 if damping is None else damping
    expected = reference.damped_step_on("double_well", params, x, used)
    g, h = recorder.derivatives(x)
    unused = unused_functions_hint(recorder, "damped_newton_step", ("dfdx", "d2fdx2"))
    try:
        value = expect_float(got, name="x_new")
    except CheckFailure as failure:
        raise CheckFailure(failure.message, unused or failure.hint) from None
    mistakes = ([Mistake(unused, value)] if unused else []) + damped_mistakes(x, g, h, used)
    expect_float_close(value, expected, name="x_new", mistakes=mistakes)


@pytest.mark.exercise("damped_newton_step", points=1)
def check_damped_newton_step_positive_curvature(submission, reference, rng):
    """Where f''(x) > 0 the step is x - f'(x) / (f''(x) + damping), with damping 0.5: first where 0 < f''(x) < damping
    (so max(f''(x), damping) shows), then beyond both valleys."""
    s, t = params = double_well_case(rng)
    small = against(t) * np.sqrt((s + rng.uniform(0.1, 0.4)) / 3)  # 3x^2 - s in (0.1, 0.4); -s x and t add: |f'(x)| > 1
    for x in (small, rng.choice([-1.0, 1.0]) * rng.uniform(2.0, 2.5)):  # beyond both valleys: |f'(x)| >= 0.5
        expect_damped_step(submission, reference, params, float(x), damping=0.5)


@pytest.mark.exercise("damped_newton_step", points=1)
def check_damped_newton_step_negative_curvature(submission, reference, rng):
    """Where f''(x) < 0 the curvature is clipped to 0: a gradient step x - f'(x) / damping, downhill."""
    params = double_well_case(rng)
    x = float(rng.uniform(0.15, 0.45) * against(params[1]))  # -s x and t of one sign: |f'(x)| > 0.2
    expect_damped_step(submission, reference, params, x, damping=0.5)


# -- gradient_f and hessian_f


def f_points(rng, count):
    return [rng.uniform(-1.0, 1.0, size=2) for _ in range(count)]


def _show(xy):
    return f"({xy[0]:.3g}, {xy[1]:.3g})"


FLAT = "Return a flat array of shape (2,): np.array([df_dx, df_dy])."


def gradient_mistakes(mistakes, xy, expected):
    return [
        Mistake("The components are swapped: the first entry is df/dx, the second df/dy.", expected[::-1]),
        Mistake("df/dy of e^(x + 2y) is 2 e^(x + 2y): the chain rule brings the factor 2 of the inner 2y.",
                lambda: mistakes.gradient_f_without_chain_factor(xy)),
        Mistake("Check the term -x y: its derivative is -y with respect to x and -x with respect to y.",
                lambda: mistakes.gradient_f_mixed_term_sign(xy)),
    ]


@pytest.mark.exercise("gradient_f", points=1)
def check_gradient_f(submission, reference, mistakes, rng):
    """The gradient at three points, against jax.grad of f."""
    for xy in f_points(rng, 3):
        expected = reference.grad("f_jax")(xy)
        expect_close(submission.gradient_f(xy), expected, name=f"gradient_f at {_show(xy)}",
                     mistakes=gradient_mistakes(mistakes, xy, expected), shape_hints={(2, 1): FLAT, (1, 2): FLAT})


def ordering_mistakes(expected):
    """Right entries in wrong places that leave the matrix unsymmetric."""
    return [
        Mistake("The rows are in the wrong order: row 0 holds the derivatives of df/dx, [d2f/dx2, d2f/dxdy], and "
                "row 1 those of df/dy, [d2f/dydx, d2f/dy2].", expected[::-1]),
        Mistake("The columns are in the wrong order: column 0 differentiates with respect to x, column 1 with "
                "respect to y.", expected[:, ::-1]),
    ]


def hessian_mistakes(mistakes, xy, expected):
    return [
        Mistake("The two diagonal entries are swapped: H[0, 0] is d2f/dx2 and H[1, 1] is d2f/dy2.", expected[::-1, ::-1]),
        Mistake("The mixed partial d2f/dxdy of e^(x + 2y) is 2 e^(x + 2y): differentiating in y brings the factor 2 "
                "of the inner 2y (chain rule).", lambda: mistakes.hessian_f_mixed_without_chain_factor(xy)),
        Mistake("d2f/dy2 of e^(x + 2y) is 4 e^(x + 2y): each of the two derivatives in y brings a factor 2.",
                lambda: mistakes.hessian_f_yy_chain_factor_once(xy)),
        Mistake("The term -x y is missing from the mixed partial: it adds -1 to d2f/dxdy.",
                lambda: mistakes.hessian_f_without_mixed_term(xy)),
    ]


def expect_hessian(got, expected, name, mistakes_list):
    H = expect_array(got, name=name, shape=(2, 2), shape_hints={
        (4,): "Return the 2 x 2 matrix itself, np.array([[f_xx, f_xy], [f_yx, f_yy]]), not a flat array.",
        (2,): "That looks like a gradient: the Hessian is the (2, 2) matrix of second derivatives."})
    if not np.allclose(H, H.T, rtol=1e-9, atol=1e-12) and not np.allclose(H, expected, rtol=1e-6):
        hint = next((m.hint for m in ordering_mistakes(expected) if _same(H, m.value)),
                    "Both off-diagonal entries are the mixed partial: d2f/dxdy = d2f/dydx for a smooth f.")
        raise CheckFailure(f"`{name}` is not symmetric: H[0, 1] = {H[0, 1]:.6g} but H[1, 0] = {H[1, 0]:.6g}.", hint,
                           summary="The Hessian is not symmetric.")
    expect_close(H, expected, name=name, mistakes=mistakes_list)


@pytest.mark.exercise("hessian_f", points=1)
def check_hessian_f(submission, reference, mistakes, rng):
    """The Hessian at three points, against jax.hessian of f."""
    for xy in f_points(rng, 3):
        expected = reference.hessian("f_jax")(xy)
        expect_hessian(submission.hessian_f(xy), expected, f"hessian_f at {_show(xy)}",
                       hessian_mistakes(mistakes, xy, expected))


# -- newtons_method_2d


def exp_quadratic_case(rng):
    """f = e^(a.xy) + 1/2 xy^T Q xy + b.xy with Q symmetric positive definite: strictly convex.

    The start lies where a.xy is about 3, so the exponential dominates and Newton's method needs a
    few steps before its fast phase: the iterates around the third differ by far more than the
    tolerance, and a wrong count shows."""
    angle = rng.uniform(0, 2 * np.pi)
    a = rng.uniform(0.8, 1.2) * np.array([np.cos(angle), np.sin(angle)])
    M = rng.normal(size=(2, 2))
    Q = 0.2 * M @ M.T + 0.3 * np.eye(2)
    b = rng.normal(scale=0.5, size=2)
    across = rng.normal(size=2)
    across -= (across @ a) / (a @ a) * a
    xy0 = rng.uniform(2.5, 3.5) * a / (a @ a) + 0.5 * across
    return "exp_quadratic", [a, Q, b], xy0


def homogeneous_case(rng):
    """f = (u.xy)^6 + (v.xy)^6: a flat minimum at 0, approached by a factor 4/5 per step."""
    angle = rng.uniform(0, np.pi)
    turn = rng.uniform(0.6, 2.5)
    u = rng.uniform(0.6, 1.2) * np.array([np.cos(angle), np.sin(angle)])
    v = rng.uniform(0.6, 1.2) * np.array([np.cos(angle + turn), np.sin(angle + turn)])
    # a start where neither u.xy nor v.xy is near 0 (the Hessian is singular where both vanish)
    xy0 = np.linalg.solve(np.array([u, v]), rng.choice([-1.0, 1.0], size=2) * rng.uniform(0.8, 1.6, size=2))
    return "homogeneous_6", [u, v], xy0


def newton_2d(submission, reference, family, params, xy0, n=None, asked=None, secret=False, rule=None, watch_args=False):
    """The student's newtons_method_2d on the recording derivatives of a test function (or of ``rule``), ``n`` steps
    (None: its default), against the reference's; returns the call's record."""
    recorder = Derivatives2D(family, params, rule=rule)
    newtons_method_2d = submission.newtons_method_2d.with_options(watch_args=watch_args)
    try:
        record = newtons_method_2d.call(recorder.gradient, recorder.hessian, xy0, **({} if n is None else {"num_iterations": n}))
    except StudentCodeRaised as error:
        raise call_failure(error, recorder, "newtons_method_2d") from None
    path = reference.newton_path_2d(family, params, xy0, PATH_LENGTH)
    expect_newton_2d(record.value, path, DEFAULT_ITERATIONS if n is None else n, recorder, xy0, asked, secret)
    return record


@pytest.mark.exercise("newtons_method_2d", points=1)
def check_newtons_method_2d_steps(submission, reference, rng):
    """Three Newton steps on a convex function of two variables with an exponential term."""
    newton_2d(submission, reference, *exp_quadratic_case(rng), 3)


@pytest.mark.exercise("newtons_method_2d", points=1)
def check_newtons_method_2d_counts_iterations(submission, reference, rng):
    """Five steps on (u.xy)^6 + (v.xy)^6, whose iterates shrink by 4/5 each: the count must be exact."""
    newton_2d(submission, reference, *homogeneous_case(rng), 5)
