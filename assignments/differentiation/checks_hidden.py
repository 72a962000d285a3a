"""Hidden checks for differentiation: another symbol name (t, s) than the notebook's x, a derivative that is a
constant, the default step on a 2-D array, an unevenly spaced grid, integer inputs to JAX, other numbers of months and
of ω values, and a grid of ω that is not [0, 1]."""

import numpy as np
import pytest
import sympy

from autograder.checks import CheckFailure, Mistake, expect_close, expect_function, public_checks

pytestmark = pytest.mark.hidden
public = public_checks(__file__)


@pytest.mark.exercise("dfdx_by_hand", points=1)
def check_dfdx_by_hand_in_another_symbol(submission, reference, rng):
    """The same derivative in the symbol t: the function must use the symbol it is given."""
    public.expect_by_hand(submission, reference, rng, "t")


CONSTANT_HINT = ("When the derivative is a constant, the lambdified function returns that one number whatever the "
                 "input. Make the result the input's shape, e.g. dfdx_numpy(x_values) + np.zeros_like(x_values).")
OTHER_SYMBOL_HINT = public.other_symbol_hint("s")


@pytest.mark.exercise("derivative_function", points=1)
def check_derivative_function_constant_derivative(submission, reference, mistakes, rng):
    """d/ds (k s + m) = k at six points, in the symbol s: still an array of shape (6,)."""
    s = sympy.Symbol("s")
    k, m = public.rational(rng, 2, 9, 2), public.rational(rng, -5, 5, 3)
    points = rng.uniform(-4.0, 4.0, size=6)
    dfdx = expect_function(submission.derivative_function(k * s + m, s), name="derivative_function(expr, s)")
    values = public.call_returned(dfdx, points)
    if isinstance(values, (int, float, np.integer, np.floating)) and not isinstance(values, (bool, np.bool_)):
        hint = f"{OTHER_SYMBOL_HINT} {CONSTANT_HINT}" if float(values) == 0 else CONSTANT_HINT
        raise CheckFailure(f"For d/ds ({k}·s + {m}) on an array of 6 points, your function returned the single number "
                           f"{float(values):g}, not an array of shape (6,).", hint,
                           summary="For a linear expression, your function returned a single number, not an array "
                                   "of one value per point.")
    expect_close(values, reference.derivative_values(k * s + m, s, points), name="dfdx(x_values)", mistakes=[
        Mistake(public.NOT_DIFFERENTIATED_HINT, lambda: mistakes.values_of_expression(k * s + m, s, points)),
        Mistake(OTHER_SYMBOL_HINT, np.zeros_like(points)),
    ])


@pytest.mark.exercise("central_difference", points=1)
def check_central_difference_default_step_on_a_matrix(submission, rng):
    """e^(c x) cos x on a (3, 4) array with the default h = 1e-5."""
    c = rng.uniform(0.3, 0.8)

    def f(x):
        return np.exp(c * x) * np.cos(x)

    x = rng.uniform(-3.0, 3.0, size=(3, 4))
    public.expect_central(submission, f, x, name="central_difference(f, x)")


@pytest.mark.exercise("gradient_on_grid", points=1)
def check_gradient_on_grid_uneven_spacing(submission, reference, mistakes, rng):
    """dy/dx on fifteen unevenly spaced points: the coordinates, not one spacing."""
    x = np.cumsum(rng.uniform(0.1, 0.6, size=15))
    y = np.exp(-x) * np.sin(3 * x)
    public.expect_gradient_on_grid(submission, reference, mistakes, y, x, Mistake(
        "The grid is not evenly spaced, so one spacing does not describe it: pass the coordinates themselves, "
        "np.gradient(y_values, x_values).", lambda: mistakes.gradient_one_spacing(y, x)))


@pytest.mark.exercise("dfdx_jax_array", points=1)
def check_dfdx_jax_array_of_integers(submission, reference):
    """f' at the integers −2, ..., 6 given as an int array: jax.grad needs floats."""
    x_array = np.arange(-2, 7)
    expect_close(public.call_jax_code(submission.dfdx_jax_array, x_array), public.expected_dfdx(reference, x_array),
                 name="dfdx_jax_array(np.arange(-2, 7))", tolerance="float32")


@pytest.mark.exercise("f_of_omega", points=1)
def check_f_of_omega_leaves_the_prices_alone(submission, reference, mistakes, rng):
    """31 months at ω = 0.85; the caller's price arrays are not changed."""
    pA, pB = public.make_prices(rng, 31)
    public.expect_blend(submission, reference, mistakes, 0.85, pA, pB)


@pytest.mark.exercise("L_of_omega", points=1)
def check_L_of_omega_few_months(submission, reference, mistakes, rng):
    """Six months, where dividing by n − 1 instead of n makes a 20% difference."""
    pA, pB = public.make_prices(rng, 6)
    public.expect_L(submission, reference, mistakes, 0.9, pA, pB)


@pytest.mark.exercise("L_of_omega_array", points=1)
def check_L_of_omega_array_including_the_ends(submission, reference, rng):
    """L at ω = 0, 0.25, 0.5, 0.75, 1 for 7 months: the ends give the variances of pB and of pA."""
    pA, pB = public.make_prices(rng, 7)
    public.expect_L_array(submission, reference, np.linspace(0.0, 1.0, 5), pA, pB)


@pytest.mark.exercise("dLdOmega_of_omega_array", points=1)
def check_dLdOmega_of_omega_array_more_values(submission, reference, mistakes, rng):
    """dL/dω at twelve values of ω, some outside [0, 1], for 8 months."""
    pA, pB = public.make_prices(rng, 8)
    public.expect_dL_array(submission, reference, mistakes, np.sort(rng.uniform(-0.5, 1.5, size=12)), pA, pB)


@pytest.mark.exercise("find_omega_min", points=1)
def check_find_omega_min_on_another_grid(submission, reference, mistakes, rng):
    """71 values of ω from 0.25 to 0.95, for 40 months: the grid given, not [0, 1]."""
    pA, pB = public.make_prices(rng, 40)
    public.expect_omega_min(submission, reference, mistakes, np.linspace(0.25, 0.95, 71), pA, pB)
