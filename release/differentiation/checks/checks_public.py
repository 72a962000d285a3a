"""Public checks for differentiation: what `check("<exercise>")` runs in the notebook.

Each check makes its own inputs from its seed. Symbolic answers are compared at points, so any
equivalent form passes, and each function is called with a symbol of another name too (it must use the
symbol it is given); numerical derivatives are judged on their method too (how fast the error falls with h,
and the step the student's code actually evaluated f at, seen by a trusted f that notes its arguments); JAX
answers are float32 and compared with the float32 tolerance. Contracts a hidden check holds a function to
(another symbol, int inputs, price arrays left unchanged) are checked here too, so a student meets them
before grading. The price series
here are shorter than the notebook's 60 months, so a function that reads the notebook's data
instead of its arguments shows.

Functions built on other exercises are judged on their own logic: L_of_omega gets the reference
f_of_omega, find_omega_min the reference L_of_omega_array. L_of_omega_array and
dLdOmega_of_omega_array hand L_of_omega to jax.vmap and jax.grad, which cannot trace a function
living in the grader, so they are accepted when they agree with the reference *or* with the
student's own L_of_omega.
"""

import ast

import numpy as np
import pytest
import sympy

from autograder.checks import (
    TOLERANCE,
    CheckFailure,
    Mistake,
    StudentCodeRaised,
    expect_array,
    expect_close,
    expect_elementwise,
    expect_expression,
    expect_float_close,
    expect_function,
    expect_unchanged,
    relative_error,
)

# ---------------------------------------------------------------------------- shared helpers


def symbol_points(rng, name, count=5):
    """Points at which two expressions in the symbol `name` are compared, away from f' = 0 at 0 and 3."""
    values = np.concatenate([rng.uniform(-1.5, -0.3, 1), rng.uniform(0.4, 2.4, 2), rng.uniform(3.6, 6.0, count - 3)])
    return [{name: round(float(v), 4)} for v in values]


def as_number(value, name):
    """A Python or numpy number, or a 0-d array (how JAX returns a scalar), as a float."""
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf":
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return float(value)
    raise CheckFailure(f"`{name}` is not a single number.", "Return one number (a float, or the 0-d array jnp.var gives).")


def expect_scalar(got, expected, *, name, mistakes=(), tolerance="float32"):
    """The ladder for one number that may come as a float or as a 0-d JAX array."""
    if isinstance(got, np.ndarray):
        return float(expect_close(got, np.asarray(expected, dtype=float), name=name, tolerance=tolerance,
                                  mistakes=mistakes))
    return expect_float_close(got, float(expected), name=name, tolerance=tolerance, mistakes=mistakes)


INT_HINT = ("jax.grad only differentiates with respect to floats; an int (or an int array) has no derivative. "
            "Convert first: float(x), or jnp.asarray(x_array, dtype=float).")
AT_SET_HINT = ("JAX arrays cannot be changed in place: instead of a[i] = value, write a = a.at[i].set(value), "
               "or let jax.vmap build the whole array.")
TRACER_HINT = ("Inside jax.grad and jax.vmap your function sees abstract 'tracer' values, not numbers: compute with "
               "jax.numpy (jnp) and do not call float(), np.asarray() or `if` on them.")


def call_jax_code(function, *args):
    """Call a student's JAX function; JAX's own errors become verdicts with a hint."""
    try:
        return function(*args)
    except StudentCodeRaised as error:
        text = str(error)
        if "grad requires real" in text or "sub-dtype of np.inexact" in text:
            raise CheckFailure(f"{text[:400]}", INT_HINT) from None
        if "immutable" in text:
            raise CheckFailure(f"{text[:400]}", AT_SET_HINT) from None
        if "Tracer" in text or "ConcretizationTypeError" in text:
            raise CheckFailure(f"{text[:400]}", TRACER_HINT) from None
        raise


# ---------------------------------------------------------------------------- dfdx_by_hand

BY_HAND_HINT = "Derive f'(x) on paper with the product and chain rules, then type the result with sympy.exp."
NUMERIC_FUNCTION_HINT = ("np.exp (like math.exp and every NumPy function) works on numbers and arrays, not on SymPy "
                         "symbols: build a symbolic expression with sympy.exp (and sympy.sin, sympy.log, ...).")
NUMERIC_FUNCTION_ERRORS = ("loop of ufunc does not support argument", "Cannot convert expression to float")


def call_symbolic(function, name, *args):
    """Call a student's function of SymPy symbols; a NumPy or math function applied to a symbol is a verdict with a hint
    (NumPy's own TypeError, about a ufunc loop and a `Mul` or `Symbol`, does not say what to do)."""
    try:
        return function(*args)
    except StudentCodeRaised as error:
        if error.exc_type != "TypeError" or not any(text in str(error) for text in NUMERIC_FUNCTION_ERRORS):
            raise
        raise CheckFailure(f"{str(error)[:400]}: a NumPy (or math) function was applied to a SymPy symbol.",
                           NUMERIC_FUNCTION_HINT,
                           summary=f"{name} raised a TypeError: a NumPy (or math) function was applied to a SymPy "
                                   "symbol.") from None


def expect_derived_by_hand(submission, name):
    """No `.diff(...)` method call: SymPy must not do the differentiation (sympy.diff is a policy)."""
    function = submission.source_of(name)
    for node in ast.walk(function) if function is not None else ():
        if isinstance(node, ast.Attribute) and node.attr in ("diff", "Derivative"):
            raise CheckFailure(f"{name} uses `.{node.attr}` (line {node.lineno}): SymPy differentiates for you there.",
                               BY_HAND_HINT, summary=f"{name} uses `.{node.attr}`: SymPy differentiates for you there.")


def hand_derivative_mistakes(x):
    """Wrong derivatives of x³ e^(−x), as expressions in the symbol x."""
    e = sympy.exp(-x)
    two_terms = "f is a product u·v with u = x³ and v = e^(−x): the product rule (uv)' = u'v + uv' gives two terms."
    return [
        Mistake("The derivative of e^(−x) is −e^(−x): the chain rule multiplies by the derivative of the inner "
                "function −x, which is −1.", 3 * x**2 * e + x**3 * e),
        Mistake(two_terms, 3 * x**2 * e),
        Mistake(two_terms, -(x**3) * e),
        Mistake("The derivative of a product is not the product of the derivatives: (uv)' = u'v + uv'.", -3 * x**2 * e),
        Mistake("That is f itself; return its derivative.", x**3 * e),
        Mistake("The power rule: the derivative of x³ is 3x².", 3 * x**3 * e - x**3 * e),
    ]


def expect_by_hand(submission, reference, rng, symbol):
    """f'(t) for f(t) = t³ e^(−t), in the symbol it is given, equal to the reference at five points; no `.diff`."""
    t = sympy.Symbol(symbol)
    got = call_symbolic(submission.dfdx_by_hand, "dfdx_by_hand", t)
    expect_derived_by_hand(submission, "dfdx_by_hand")
    expect_expression(got, reference.dfdx_by_hand(t), name=f"dfdx_by_hand({symbol})", points=symbol_points(rng, symbol),
                      mistakes=hand_derivative_mistakes(t))


@pytest.mark.exercise("dfdx_by_hand", points=1)
def check_dfdx_by_hand(submission, reference, rng):
    """f'(x) for f(x) = x³ e^(−x) in the symbol x, then in the symbol u: the answer is built from the symbol given."""
    expect_by_hand(submission, reference, rng, "x")
    expect_by_hand(submission, reference, rng, "u")


# ---------------------------------------------------------------------------- derivative_function

NUMPY_MODULE_HINT = ('The function works on single numbers only. Use sympy.lambdify(x, derivative, "numpy") so numpy '
                     "functions (np.sin, np.exp) act on whole arrays; the \"math\" module cannot.")
NOT_DIFFERENTIATED_HINT = "These are the values of expr itself: differentiate it with sympy.diff(expr, x) before lambdify."


def other_symbol_hint(symbol):
    return f"Differentiate with respect to the symbol x you are given (here it is called {symbol})."


def call_returned(function, x_values):
    """Call the function the student's code returned; failing on an array is a verdict with a hint."""
    return expect_elementwise(function, x_values, name="the function returned by derivative_function",
                              hint=NUMPY_MODULE_HINT)


def expect_derivative_values(submission, reference, mistakes, expr, x, points):
    dfdx = expect_function(submission.derivative_function(expr, x), name=f"derivative_function(expr, {x})")
    values = call_returned(dfdx, points)
    expect_close(values, reference.derivative_values(expr, x, points), name="dfdx(x_values)",
                 mistakes=[Mistake(NOT_DIFFERENTIATED_HINT, lambda: mistakes.values_of_expression(expr, x, points)),
                           *([] if x.name == "x" else [Mistake(other_symbol_hint(x.name), np.zeros(np.shape(points)))])])


def rational(rng, low, high, denominator):
    return sympy.Rational(int(rng.integers(low, high)), denominator)


@pytest.mark.exercise("derivative_function", points=1)
def check_derivative_function_values(submission, reference, mistakes, rng):
    """d/dx of a sin(b x) + c x², evaluated by the returned function at nine points."""
    x = sympy.Symbol("x")
    expr = rational(rng, 2, 9, 3) * sympy.sin(rational(rng, 3, 9, 2) * x) + rational(rng, 1, 6, 4) * x**2
    points = rng.uniform(-3.0, 3.0, size=9)
    expect_derivative_values(submission, reference, mistakes, expr, x, points)


@pytest.mark.exercise("derivative_function", points=1)
def check_derivative_function_keeps_the_shape(submission, reference, mistakes, rng):
    """d/du of u e^(−a u²) on a (2, 3) array of points, in the symbol u: an array in, an array of the same shape out."""
    u = sympy.Symbol("u")
    expr = u * sympy.exp(-rational(rng, 1, 4, 2) * u**2)
    points = rng.uniform(-2.0, 2.0, size=(2, 3))
    expect_derivative_values(submission, reference, mistakes, expr, u, points)


# ---------------------------------------------------------------------------- central_difference

STEP = 1e-3  # not the default 1e-5, so a hard-coded step shows
H_COARSE, H_FINE = 1e-2, 1e-3  # the method check: h shrinks tenfold
MIN_SHRINK = 10**1.5  # a second-order error shrinks ~100x, a first-order one ~10x: the cut lies between
# In float64 a central difference's round-off error (~ε|f|/h) exceeds its truncation error (~h²·|f‴|/6) for steps below
# about ε^(1/3) ≈ 6e-6: a step under ROUND_OFF_STEP, and far under the h given, is a step where round-off dominates.
ROUND_OFF_STEP = 1e-6
MUCH_SMALLER = 100  # a step this many times smaller than h is not the h given
DEFAULT_STEP = 1e-5  # central_difference's default h, in the notebook's signature

ROUND_OFF_HINT = ("Use the argument h as the step, both in f(x ± h) and in the division by 2h. A smaller step is not "
                  "more accurate: the round-off error of f(x + h) − f(x − h), divided by 2h, grows like ε/h as h "
                  "shrinks, while the truncation error shrinks like h².")

FORWARD_HINT = ("That is a forward difference (f(x + h) − f(x)) / h, whose error is proportional to h. The central "
                "difference (f(x + h) − f(x − h)) / (2h) looks both ways and its error is proportional to h².")


def wave(a, b):
    """f(x) = sin(a x) + b x³ and its exact derivative: trusted functions, elementwise on arrays."""

    def f(x):
        return np.sin(a * x) + b * x**3

    def dfdx(x):
        return a * np.cos(a * x) + 3 * b * x**2

    return f, dfdx


def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


class NotingArguments:
    """A trusted f for the student's code to call: f(x) as usual, and every array it is given is kept, so a
    check can see at which points (at which step from x) the student's code evaluated f."""

    def __init__(self, f):
        self.f, self.arguments, self.__name__ = f, [], "f"

    def __call__(self, x):
        try:
            self.arguments.append(np.array(x, dtype=float))
        except (TypeError, ValueError):
            pass  # not numbers: f itself will say so
        return self.f(x)

    def step_used(self, x):
        """The largest distance from x at which f was evaluated (the median over the entries), or None if unseen."""
        offsets = [float(np.median(np.abs(a - x))) for a in self.arguments if a.shape == np.shape(x)]
        return max(offsets) if offsets else None


def expect_step_not_tiny(noted, x, h):
    """A wrong estimate made at a step far below h, where round-off dominates, gets that verdict."""
    step = noted.step_used(x)
    if step is None or step >= min(ROUND_OFF_STEP, h / MUCH_SMALLER):
        return
    where = f"at x ± {step:.0e}" if step > 0 else "at x itself (x plus your step rounds to x)"
    raise CheckFailure(f"The step is so small that round-off dominates: your code evaluated f {where}, not at x ± h "
                       f"with h = {h:g}. f(x + h) and f(x − h) then agree in almost all their digits, and their "
                       "difference, divided by 2h, magnifies their round-off (about 1e-16·|f|) into an error far larger "
                       "than the central difference's own.", ROUND_OFF_HINT,
                       summary="The step is so small that round-off dominates: your code evaluated f much closer to x "
                               "than the step h it was given.")


def expect_central(submission, f, x, h=None, *, name):
    """central_difference(f, x, h) (or with its default step when h is None) against the formula; a failure at a
    step where round-off dominates says so, other slips are named by difference_mistakes."""
    noted = NotingArguments(f)
    got = submission.central_difference(noted, x) if h is None else submission.central_difference(noted, x, h)
    h = DEFAULT_STEP if h is None else h
    try:
        return expect_close(got, central(f, x, h), name=name, mistakes=difference_mistakes(f, x, h))
    except CheckFailure:
        expect_step_not_tiny(noted, x, h)
        raise


def difference_mistakes(f, x, h):
    return [
        Mistake(FORWARD_HINT, lambda: (f(x + h) - f(x)) / h),
        Mistake("That is a backward difference (f(x) − f(x − h)) / h, of first order. Use both neighbours: "
                "(f(x + h) − f(x − h)) / (2h).", lambda: (f(x) - f(x - h)) / h),
        Mistake("Divide by 2h: the points x − h and x + h are 2h apart.", lambda: (f(x + h) - f(x - h)) / h),
        Mistake("Mind the parentheses: `/ 2 * h` divides by 2 and then multiplies by h; write `/ (2 * h)`.",
                lambda: (f(x + h) - f(x - h)) / 2 * h),
        Mistake("Use the step h you are given, not a fixed 1e-5.", lambda: central(f, x, DEFAULT_STEP)),
    ]


@pytest.mark.exercise("central_difference", points=1)
def check_central_difference_values(submission, rng):
    """(f(x + h) − f(x − h)) / 2h on an array of eight points with h = 1e-3."""
    f, _ = wave(rng.uniform(1.0, 2.5), rng.uniform(0.2, 0.6))
    x = rng.uniform(-2.0, 2.0, size=8)
    expect_central(submission, f, x, STEP, name=f"central_difference(f, x, {STEP:g})")


def expect_second_order(coarse, fine):
    """The largest errors at H_COARSE and H_FINE must shrink like h²."""
    shrink = coarse / fine if fine > 0 else np.inf
    if shrink >= MIN_SHRINK:
        return
    where = f"largest error {coarse:.2e} at h = {H_COARSE:g}, {fine:.2e} at h = {H_FINE:g}"
    if shrink < 2:
        raise CheckFailure(f"The estimate does not approach f'(x) as h shrinks ({where}).",
                           "Use the argument h both in f(x ± h) and in the division, and check the formula "
                           "(f(x + h) − f(x − h)) / (2h).")
    raise CheckFailure(f"The error shrank only {shrink:.1f}x when h shrank 10x ({where}): it is of order "
                       f"{np.log10(shrink):.1f} in h, while a central difference is of order 2 (100x smaller).",
                       FORWARD_HINT)


@pytest.mark.exercise("central_difference", points=1)
def check_central_difference_error_falls_like_h_squared(submission, rng):
    """The method, not just the values: against the exact derivative, the error falls ~100x from h = 1e-2 to 1e-3."""
    f, dfdx = wave(rng.uniform(1.0, 2.5), rng.uniform(0.2, 0.6))
    x = rng.uniform(-2.0, 2.0, size=8)
    errors, noted = [], {}
    for h in (H_COARSE, H_FINE):
        noted[h] = NotingArguments(f)
        got = expect_array(submission.central_difference(noted[h], x, h), name=f"central_difference(f, x, {h:g})",
                           shape=x.shape)
        errors.append(float(np.max(np.abs(got - dfdx(x)))))
    try:
        expect_second_order(*errors)
    except CheckFailure:
        for h, seen in noted.items():
            expect_step_not_tiny(seen, x, h)
        raise


# ---------------------------------------------------------------------------- gradient_on_grid

SPACING_HINT = ("np.gradient(y) assumes the grid points are 1 apart. Pass the coordinates too: "
                "np.gradient(y_values, x_values).")


def gradient_mistakes(mistakes, y, x):
    return [
        Mistake(SPACING_HINT, lambda: mistakes.gradient_without_spacing(y, x)),
        Mistake("Keep np.gradient's default at the two ends (first-order one-sided differences, edge_order=1).",
                lambda: mistakes.gradient_second_order_ends(y, x)),
    ]


def expect_gradient_on_grid(submission, reference, mistakes, y, x, *more):
    """dy/dx on the grid x, with np.gradient's slips (and ``more``) named."""
    expect_close(submission.gradient_on_grid(y, x), reference.gradient_on_grid(y, x), name="gradient_on_grid(y, x)",
                 mistakes=[*more, *gradient_mistakes(mistakes, y, x)], shape_hints={(len(x) - 1,): (
                     "np.diff gives n − 1 differences, one between each pair of points; np.gradient gives one derivative "
                     "per grid point.")})


@pytest.mark.exercise("gradient_on_grid", points=1)
def check_gradient_on_grid_even_spacing(submission, reference, mistakes, rng):
    """dy/dx on thirteen evenly spaced points 0.3 apart."""
    x = rng.uniform(-3.0, 0.0) + 0.3 * np.arange(13)
    expect_gradient_on_grid(submission, reference, mistakes, np.sin(x) + rng.normal(scale=0.1, size=13), x)


# ---------------------------------------------------------------------------- dfdx_jax


def f_numpy(x):
    return x**3 * np.exp(-x)


@pytest.mark.exercise("dfdx_jax", points=1)
def check_dfdx_jax_at_floats(submission, reference, rng):
    """f'(x) at four floats, against jax.grad of f in float64."""
    for point in symbol_points(rng, "x", count=4):
        x = point["x"]
        got = call_jax_code(submission.dfdx_jax, x)
        expect_float_close(got, reference.grad("f_jax")(x), name=f"dfdx_jax({x:g})", tolerance="float32", mistakes=[
            Mistake("That is f(x), not f'(x): apply jax.grad to f_jax, then call the result at x.", f_numpy(x)),
        ])


@pytest.mark.exercise("dfdx_jax", points=1)
def check_dfdx_jax_at_an_integer(submission, reference, rng):
    """f'(x) at an int x (jax.grad needs a float)."""
    x = int(rng.choice([1, 2, 4, 5, 6]))  # not 0 or 3, where f'(x) = 0
    expect_float_close(call_jax_code(submission.dfdx_jax, x), reference.grad("f_jax")(float(x)),
                       name=f"dfdx_jax({x})", tolerance="float32")


# ---------------------------------------------------------------------------- dfdx_jax_array


def expected_dfdx(reference, x_array):
    return np.array([reference.grad("f_jax")(float(x)) for x in x_array])


@pytest.mark.exercise("dfdx_jax_array", points=1)
def check_dfdx_jax_array(submission, reference, rng):
    """f' at nine floats at once: an array of shape (9,); then at six ints (the points may be ints)."""
    x_array = rng.uniform(-1.0, 6.0, size=9)
    expect_close(call_jax_code(submission.dfdx_jax_array, x_array), expected_dfdx(reference, x_array),
                 name="dfdx_jax_array(x_array)", tolerance="float32", mistakes=[
                     Mistake("Those are the values of f, not of its derivative: jax.vmap(jax.grad(f_jax)).",
                             f_numpy(x_array)),
                 ])
    int_array = rng.choice([-1, 1, 2, 4, 5, 6], size=6)  # not 0 or 3, where f'(x) = 0
    expect_close(call_jax_code(submission.dfdx_jax_array, int_array), expected_dfdx(reference, int_array),
                 name="dfdx_jax_array(int_array)", tolerance="float32")


# ---------------------------------------------------------------------------- the prices


def make_prices(rng, n):
    """Two monthly price series of n months whose seasons partly cancel, so the best ω lies inside (0, 1)."""
    t = np.arange(n)
    season = np.sin(2 * np.pi * t / 12)
    pA = rng.uniform(95, 110) + rng.uniform(4, 8) * season + rng.normal(scale=3.0, size=n)
    pB = rng.uniform(90, 105) - rng.uniform(3, 6) * season + rng.normal(scale=3.0, size=n)
    return np.round(pA, 2), np.round(pB, 2)


# ---------------------------------------------------------------------------- f_of_omega


def blend_mistakes(mistakes, omega, pA, pB):
    return [
        Mistake("ω is the share bought from supplier A: the blend is pA·ω + pB·(1 − ω).",
                lambda: mistakes.f_swapped(omega, pA, pB)),
        Mistake("Mind the parentheses: pB * (1 - omega), not pB * 1 - omega.",
                lambda: mistakes.f_without_parentheses(omega, pA, pB)),
    ]


IN_PLACE_HINT = "Do not modify pA or pB in place (no *= on them): compute a new array."


def expect_blend(submission, reference, mistakes, omega, pA, pB):
    """The blended prices, and the caller's price arrays unchanged afterwards."""
    record = submission.f_of_omega.with_options(watch_args=True).call(omega, pA, pB)
    expect_close(record.value, reference.f_of_omega(omega, pA, pB), name=f"f_of_omega({omega:.3f}, pA, pB)",
                 mistakes=blend_mistakes(mistakes, omega, pA, pB))
    expect_unchanged(record.args_after[0][1:], [pA, pB], function="f_of_omega", what="price arrays", hint=IN_PLACE_HINT)


@pytest.mark.exercise("f_of_omega", points=1)
def check_f_of_omega(submission, reference, mistakes, rng):
    """The blended prices for 17 months at ω = 0.2 to 0.8; pA and pB are left as they were."""
    pA, pB = make_prices(rng, 17)
    expect_blend(submission, reference, mistakes, float(rng.uniform(0.2, 0.8)), pA, pB)


# ---------------------------------------------------------------------------- L_of_omega


def variance_mistakes(mistakes, omega, pA, pB):
    return [
        Mistake("That is the sample variance (divided by n − 1). L is the population variance, divided by n: "
                "jnp.var's default ddof=0.", lambda: mistakes.L_sample_variance(omega, pA, pB)),
        Mistake("That is the standard deviation; L is the variance (its square).",
                lambda: mistakes.L_standard_deviation(omega, pA, pB)),
        Mistake("Subtract the mean before squaring: the variance is the mean of (f − mean f)².",
                lambda: mistakes.L_mean_square(omega, pA, pB)),
        Mistake("Average the squared deviations: divide their sum by n (or use jnp.var).",
                lambda: mistakes.L_sum_of_squares(omega, pA, pB)),
    ]


def blocks_below(reference, exercise):
    """The reference's building blocks below ``exercise``, at every depth: each stands in for the
    student's own during the call, so a bug in f_of_omega costs f_of_omega and nothing that calls it."""
    below = {"L_of_omega": ("f_of_omega",), "L_of_omega_array": ("L_of_omega", "f_of_omega"),
             "dLdOmega_of_omega_array": ("L_of_omega", "f_of_omega"),
             "find_omega_min": ("L_of_omega_array", "dLdOmega_of_omega_array", "L_of_omega", "f_of_omega")}
    return reference.blocks(*below[exercise])


def expect_L(submission, reference, mistakes, omega, pA, pB):
    L_of_omega = submission.L_of_omega.with_options(replace=blocks_below(reference, "L_of_omega"))
    expect_scalar(L_of_omega(omega, pA, pB), reference.L_of_omega(omega, pA, pB), name=f"L_of_omega({omega:.3f}, pA, pB)",
                  mistakes=variance_mistakes(mistakes, omega, pA, pB))


@pytest.mark.exercise("L_of_omega", points=1)
def check_L_of_omega(submission, reference, mistakes, rng):
    """The population variance of the blended prices, 23 months (with the reference f_of_omega)."""
    pA, pB = make_prices(rng, 23)
    expect_L(submission, reference, mistakes, float(rng.uniform(0.1, 0.9)), pA, pB)


# ---------------------------------------------------------------------------- L_of_omega_array and dLdOmega

OWN_DELTA = 0.05  # L is quadratic in ω, so a central difference of the student's own L is exact up to round-off
OWN_SLACK = 1e-3  # float32 round-off of L, divided by 2·OWN_DELTA, stays well below this share of the largest |dL/dω|
SCALAR_ONLY_HINT = ("L_of_omega takes one ω at a time; map it over omega_array, e.g. "
                    "jax.vmap(L_of_omega, in_axes=(0, None, None))(omega_array, pA, pB).")


def own_L(submission, omega_array, pA, pB):
    """L at every ω by the student's own L_of_omega, or None when it does not give numbers."""
    try:
        return np.array([as_number(submission.L_of_omega(float(omega), pA, pB), "L_of_omega") for omega in omega_array])
    except Exception:  # noqa: BLE001 - whatever stops it (an error, a timeout, a crash, no such function): no values
        return None


def own_dLdOmega(submission, omega_array, pA, pB):
    """dL/dω of the student's own L_of_omega, by central differences, or None."""
    plus, minus = own_L(submission, omega_array + OWN_DELTA, pA, pB), own_L(submission, omega_array - OWN_DELTA, pA, pB)
    return None if plus is None or minus is None else (plus - minus) / (2 * OWN_DELTA)


def expect_reference_or_own(got, expected, own, *, name, mistakes, slack=None, shape_hints=None):
    """Values that match the reference, or else what the student's own L_of_omega implies (own() computes it)."""
    array = expect_array(got, name=name, shape=np.shape(expected), shape_hints=shape_hints)
    try:
        expect_close(array, expected, name=name, tolerance="float32", mistakes=mistakes)
    except CheckFailure:
        theirs = own()
        if theirs is None or theirs.shape != array.shape or not np.all(np.isfinite(theirs)):
            raise
        if slack is None:
            agrees = float(relative_error(array, theirs, TOLERANCE["float32"]).max()) <= TOLERANCE["float32"].rtol
        else:
            agrees = float(np.max(np.abs(array - theirs))) <= slack * max(float(np.max(np.abs(theirs))), 1e-12)
        if not agrees:
            raise


def call_over_array(function, omega_array, pA, pB):
    """Call a function of omega_array; a scalar-only L_of_omega applied to the whole array gets a hint."""
    try:
        return call_jax_code(function, omega_array, pA, pB)
    except StudentCodeRaised as error:
        if "broadcast" in str(error) or "incompatible shapes" in str(error):
            raise CheckFailure(f"{str(error)[:400]}", SCALAR_ONLY_HINT) from None
        raise


def expect_L_array(submission, reference, omega_array, pA, pB):
    L_of_omega_array = submission.L_of_omega_array.with_options(replace=blocks_below(reference, "L_of_omega_array"))
    got = call_over_array(L_of_omega_array, omega_array, pA, pB)
    k = len(omega_array)
    expect_reference_or_own(got, reference.L_of_omega_array(omega_array, pA, pB),
                            lambda: own_L(submission, omega_array, pA, pB), name="L_of_omega_array(omega_array, pA, pB)",
                            mistakes=[], shape_hints={(): SCALAR_ONLY_HINT, (len(pA),): SCALAR_ONLY_HINT,
                                                      (k, len(pA)): "Return one L per ω: the variance of each blend."})


@pytest.mark.exercise("L_of_omega_array", points=1)
def check_L_of_omega_array(submission, reference, rng):
    """L at nine values of ω for 19 months: shape (9,)."""
    pA, pB = make_prices(rng, 19)
    expect_L_array(submission, reference, np.sort(rng.uniform(0.0, 1.0, size=9)), pA, pB)


def derivative_mistakes(mistakes, omega_array, pA, pB):
    return [
        Mistake("Those are the values of L, not of its derivative: apply jax.grad to L_of_omega before mapping it.",
                lambda: mistakes.L_values(omega_array, pA, pB)),
        Mistake("That is the derivative of the sample variance (n / (n − 1) times too large): L is the population "
                "variance.", lambda: mistakes.dLdOmega_sample_variance(omega_array, pA, pB)),
        Mistake("The sign is flipped: dL/dω is jax.grad(L_of_omega), not its negative.",
                lambda: -mistakes.dLdOmega_values(omega_array, pA, pB)),
    ]


def expect_dL_array(submission, reference, mistakes, omega_array, pA, pB):
    dLdOmega_of_omega_array = submission.dLdOmega_of_omega_array.with_options(
        replace=blocks_below(reference, "dLdOmega_of_omega_array"))
    got = call_over_array(dLdOmega_of_omega_array, omega_array, pA, pB)
    expect_reference_or_own(got, reference.dLdOmega_of_omega_array(omega_array, pA, pB),
                            lambda: own_dLdOmega(submission, omega_array, pA, pB),
                            name="dLdOmega_of_omega_array(omega_array, pA, pB)", slack=OWN_SLACK,
                            mistakes=derivative_mistakes(mistakes, omega_array, pA, pB),
                            shape_hints={(): "Return one derivative per ω, an array of shape (k,)."})


@pytest.mark.exercise("dLdOmega_of_omega_array", points=1)
def check_dLdOmega_of_omega_array(submission, reference, mistakes, rng):
    """dL/dω at seven values of ω for 21 months, against jax.grad of the reference L in float64."""
    pA, pB = make_prices(rng, 21)
    expect_dL_array(submission, reference, mistakes, np.sort(rng.uniform(0.0, 1.0, size=7)), pA, pB)


# ---------------------------------------------------------------------------- find_omega_min


def minimum_mistakes(mistakes, omega_array, pA, pB):
    return [
        Mistake("That is where L is largest: use np.argmin, not np.argmax.", lambda: mistakes.omega_max(omega_array, pA, pB)),
        Mistake("That is the position of the minimum in omega_array; return the ω there: omega_array[index].",
                lambda: mistakes.omega_index(omega_array, pA, pB)),
        Mistake("That is the smallest L itself; return the ω where it is reached.",
                lambda: mistakes.L_min_value(omega_array, pA, pB)),
        Mistake("Search the omega_array you are given, not a grid of your own.",
                lambda: mistakes.omega_min_on_fixed_grid(omega_array, pA, pB)),
    ]


def expect_omega_min(submission, reference, mistakes, omega_array, pA, pB):
    find_omega_min = submission.find_omega_min.with_options(replace=blocks_below(reference, "find_omega_min"))
    expect_scalar(call_jax_code(find_omega_min, omega_array, pA, pB), reference.find_omega_min(omega_array, pA, pB),
                  name="find_omega_min(omega_array, pA, pB)", mistakes=minimum_mistakes(mistakes, omega_array, pA, pB))


@pytest.mark.exercise("find_omega_min", points=1)
def check_find_omega_min(submission, reference, mistakes, rng):
    """The ω of a 150-point uneven grid on [0, 1] with the smallest L, for 25 months."""
    pA, pB = make_prices(rng, 25)
    expect_omega_min(submission, reference, mistakes, np.sort(rng.uniform(0.0, 1.0, size=150)), pA, pB)
