"""Hidden checks for newtons_method: the default iteration counts (a signature with another default fails), other test
functions and starts (an int start, a function whose minimum is not at a round number), the notebook's own f at points
further out, curvature just below zero where a missing clip makes the step far too long, a step rule that never
converges (so max_iterations must stop the loop), and the start array watched for in-place changes. Their hints quote
none of their inputs (``secret=True``)."""

import numpy as np
import pytest

from autograder.checks import Mistake, StudentCodeRaised, expect_close, expect_unchanged, public_checks

pytestmark = pytest.mark.hidden
public = public_checks(__file__)

DEFAULT = f"this check used the default num_iterations={public.DEFAULT_ITERATIONS}"


# -- newtons_method


@pytest.mark.exercise("newtons_method", points=1)
def check_newtons_method_default_iterations(submission, reference, rng):
    """num_iterations left at its default of 100, on f(x) = s x^12 (iterates shrink by 10/11 each)."""
    public.newton_1d(submission, reference, *public.power_case(rng, "power_12"), asked=DEFAULT, secret=True)


@pytest.mark.exercise("newtons_method", points=1)
def check_newtons_method_softplus_from_an_int(submission, reference, rng):
    """Two steps on f(x) = ln(1 + e^x) - beta x, started from the int 1 or -1."""
    x0 = int(rng.choice([-1, 1]))
    beta = float(1.0 / (1.0 + np.exp(-(x0 - np.sign(x0) * rng.uniform(0.4, 0.8)))))
    public.newton_1d(submission, reference, "softplus_linear", [beta], x0, 2, secret=True)


# -- iterations_to_converge


@pytest.mark.exercise("iterations_to_converge", points=1)
def check_iterations_to_converge_quadratic(submission, reference, rng):
    """Newton's step on e^x - a x, with the default tolerance and max_iterations."""
    a = float(rng.uniform(1.5, 4.0))
    x0 = float(np.log(a) + rng.uniform(0.5, 1.5))
    step = public.Step("newton_exp", [a], max_calls=1100)
    try:
        got = submission.iterations_to_converge(step.step, x0)
    except StudentCodeRaised as error:
        raise public.call_failure(error, step, "iterations_to_converge") from None
    expected = reference.count_steps("newton_exp", [a], x0, 1e-8, 1000)
    public.expect_count(got, expected, "iterations_to_converge(step, x)", public.count_mistakes(expected, 1e-8, 1000))


@pytest.mark.exercise("iterations_to_converge", points=1)
def check_iterations_to_converge_stops_at_max_iterations(submission, rng):
    """x -> x + d never converges: the answer is max_iterations=37, after 37 calls of step."""
    d = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.0))
    max_iterations = 37
    step = public.Step("shift", [d], max_calls=max_iterations + 200)
    try:
        got = submission.iterations_to_converge(step.step, float(rng.normal()), max_iterations=max_iterations)
    except StudentCodeRaised as error:
        raise public.call_failure(error, step, "iterations_to_converge", limit=", though max_iterations was 37",
                                  stop="When no step is small enough, stop after max_iterations steps and return "
                                       "max_iterations: loop `for k in range(1, max_iterations + 1)`.") from None
    public.expect_count(got, max_iterations, "iterations_to_converge(step, x, max_iterations=37)", [
        Mistake("max_iterations is ignored: the step never converges, so the answer is max_iterations.", 1000),
        Mistake("Off by one: after max_iterations steps without convergence, return max_iterations.", 36),
        Mistake("Off by one: after max_iterations steps without convergence, return max_iterations.", 38),
    ])


# -- damped_newton_step


@pytest.mark.exercise("damped_newton_step", points=1)
def check_damped_newton_step_slightly_negative_curvature(submission, reference, rng):
    """-damping < f''(x) < 0: the clipped step is x - f'(x) / damping, not a huge step by f''(x) + damping."""
    s, t = public.double_well_case(rng)
    curvature = float(rng.uniform(-0.6, -0.3))
    x = float(rng.choice([-1.0, 1.0]) * np.sqrt((s + curvature) / 3))  # 3x^2 - s = curvature
    public.expect_damped_step(submission, reference, [s, t], x, damping=0.8)


@pytest.mark.exercise("damped_newton_step", points=1)
def check_damped_newton_step_default_damping(submission, reference, rng):
    """The default damping 1.0, on both sides of the inflection points."""
    params = public.double_well_case(rng)
    middle = public.against(params[1]) * rng.uniform(0.1, 0.3)
    for x in (rng.uniform(2.0, 2.5), middle, -rng.uniform(2.0, 2.5), rng.uniform(0.35, 0.5)):
        public.expect_damped_step(submission, reference, params, float(x))


# -- gradient_f and hessian_f


def far_points(rng):
    return [np.array([0.0, 0.0]), rng.uniform(-2.0, 0.5, size=2), np.array([rng.uniform(0.5, 1.5), rng.uniform(-1.5, -0.5)])]


@pytest.mark.exercise("gradient_f", points=1)
def check_gradient_f_further_out(submission, reference, mistakes, rng):
    """The gradient at the origin and at points further out, against jax.grad of f."""
    for xy in far_points(rng):
        expected = reference.grad("f_jax")(xy)
        expect_close(submission.gradient_f(xy), expected, name=f"gradient_f at {public._show(xy)}",
                     mistakes=public.gradient_mistakes(mistakes, xy, expected),
                     shape_hints={(2, 1): public.FLAT, (1, 2): public.FLAT})


@pytest.mark.exercise("hessian_f", points=1)
def check_hessian_f_further_out(submission, reference, mistakes, rng):
    """The Hessian at the origin and at points further out, against jax.hessian of f."""
    for xy in far_points(rng):
        expected = reference.hessian("f_jax")(xy)
        public.expect_hessian(submission.hessian_f(xy), expected, f"hessian_f at {public._show(xy)}",
                              public.hessian_mistakes(mistakes, xy, expected))


# -- newtons_method_2d


def _f_derivatives(xy):
    """Gradient and Hessian of the notebook's f(x, y) = e^(x + 2y) + x^2 - x y + 2 y^2 - 3x."""
    x, y = xy
    e = np.exp(x + 2 * y)
    return np.array([e + 2 * x - y - 3, 2 * e - x + 4 * y]), np.array([[e + 2, 2 * e - 1], [2 * e - 1, 4 * e + 4]])


@pytest.mark.exercise("newtons_method_2d", points=1)
def check_newtons_method_2d_default_iterations(submission, reference, rng):
    """num_iterations left at its default of 100, on (u.xy)^6 + (v.xy)^6."""
    public.newton_2d(submission, reference, *public.homogeneous_case(rng), asked=DEFAULT, secret=True)


@pytest.mark.exercise("newtons_method_2d", points=1)
def check_newtons_method_2d_leaves_the_start_alone(submission, reference, rng):
    """Three steps on the notebook's f from where e^(x + 2y) dominates; the caller's start array is not changed."""
    x = rng.uniform(-1.0, 1.0)
    xy0 = np.array([x, (rng.uniform(1.5, 2.5) - x) / 2])  # x + 2y between 1.5 and 2.5
    record = public.newton_2d(submission, reference, "f", [], xy0, 3, secret=True, rule=_f_derivatives, watch_args=True)
    expect_unchanged(record.args_after[0][2], xy0, function="newtons_method_2d", what="start array xy",
                     hint="`xy -= d` writes into the array you were given; write `xy = xy - d`, which makes a new one.")
