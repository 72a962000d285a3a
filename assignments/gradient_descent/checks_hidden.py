"""Hidden checks for gradient_descent: the notebook's functions with several minima (each start heads for its own
valley's minimum), other learning rates and iteration counts, and zero, one and a few steps. The descents stop well
before they settle, so every step, and the learning rate, still shows: an ignored argument or a miscount fails here
too. The descent that stops by itself is run to convergence in each valley, and with a learning rate so large that
only its cap stops it. Their hints quote none of their inputs (``secret=True``)."""

import pytest

from autograder.checks import CheckFailure, public_checks

pytestmark = pytest.mark.hidden
public = public_checks(__file__)
_num = public._num

# One start in each of g's three valleys (its hilltops are at -1.68 and 0.53, its minima at -2.30,
# -0.52 and 1.50), drawn per check away from the minima, so that 25 steps still have a way to go.
VALLEY_STARTS = ((-3.1, -2.6), (-1.35, -0.95), (2.0, 2.6))
VALLEY_RATE, VALLEY_ITERATIONS = 0.02, 25  # g's valleys have curvature 8 to 10: 25 steps get within ~1%


@pytest.mark.exercise("gradient_descent", points=1)
def check_gradient_descent_finds_each_valley(submission, reference, mistakes, rng):
    """From one start in each of g's three valleys, 25 steps at learning rate 0.02 go down that valley."""
    for low, high in VALLEY_STARTS:
        x = float(rng.uniform(low, high))
        public.expect_descent(submission, reference, mistakes, public.WAVY, x, VALLEY_RATE, VALLEY_ITERATIONS,
                              name=f"gradient_descent(dgdx, {_num(x)}, 0.02, 25)", secret=True)


@pytest.mark.exercise("gradient_descent", points=1)
def check_gradient_descent_zero_one_and_two_steps(submission, reference, mistakes, rng):
    """num_iterations = 0 returns the start unchanged; 1 and 2 make exactly that many steps (learning rate 0.3)."""
    parabola = {"kind": "parabola", "a": float(rng.uniform(0.5, 1.5)), "c": float(rng.uniform(-2.0, 2.0))}
    x = float(parabola["c"] + rng.uniform(1.0, 3.0) * rng.choice([-1, 1]))
    for num_iterations in (0, 1, 2):
        public.expect_descent(submission, reference, mistakes, parabola, x, 0.3, num_iterations,
                              name=f"gradient_descent(dfdx, {_num(x)}, 0.3, {num_iterations}) "
                                   f"for f(x) = {_num(parabola['a'])} ({public._shifted('x', parabola['c'])})^2", secret=True)


@pytest.mark.exercise("gradient_descent_path", points=1)
def check_gradient_descent_path_exp_minus_log_and_no_steps(submission, reference, mistakes, rng):
    """8 steps at learning rate 0.05 on e^x - ln x give 9 points; num_iterations = 0 gives the start alone."""
    x = float(rng.uniform(1.0, 1.8))
    for num_iterations in (8, 0):
        public.expect_descent_path(submission, reference, mistakes, public.EXP_LOG, x, 0.05, num_iterations,
                                   name=f"gradient_descent_path(dfdx, {_num(x)}, 0.05, {num_iterations}) "
                                        "for f(x) = e^x - ln x", secret=True)


@pytest.mark.exercise("gradient_descent_until_converged", points=1)
def check_until_converged_each_valley_and_a_rate_too_large(submission, reference, mistakes, rng):
    """From one start in each of g's three valleys (learning rate 0.02, tolerance 1e-4, cap 300) the descent settles
    at that valley's minimum in 50 to 60 steps. On a parabola with a learning rate so large that each step doubles
    the distance to the minimum (1 - 2 a rate = -2), it never converges: the cap of 12 steps stops it."""
    for low, high in VALLEY_STARTS:
        x = float(rng.uniform(low, high))
        public.expect_until(submission, reference, mistakes, public.WAVY, x, 0.02, 1e-4, 300,
                            name=f"gradient_descent_until_converged(dgdx, {_num(x)}, 0.02, 0.0001, 300)", secret=True)
    parabola = {"kind": "parabola", "a": float(rng.uniform(0.5, 1.5)), "c": float(rng.uniform(-2.0, 2.0))}
    rate = 1.5 / parabola["a"]
    x = float(parabola["c"] + rng.uniform(0.5, 1.5) * rng.choice([-1, 1]))
    public.expect_until(submission, reference, mistakes, parabola, x, rate, 1e-3, 12,
                        name=f"gradient_descent_until_converged(dfdx, {_num(x)}, {_num(rate)}, 0.001, 12) "
                             f"for f(x) = {_num(parabola['a'])} ({public._shifted('x', parabola['c'])})^2", secret=True)


@pytest.mark.exercise("gradient_descent_2d", points=1)
def check_gradient_descent_2d_finds_each_valley(submission, reference, mistakes, rng):
    """From one start in each quadrant's outer corner, 25 steps at learning rate 0.01 on the four-valley
    function go down that quadrant's valley: four starts, heading for four different minima."""
    for sx, sy in ((1, 1), (-1, 1), (-1, -1), (1, -1)):
        x, y = float(sx * rng.uniform(1.3, 1.8)), float(sy * rng.uniform(1.3, 1.8))
        public.expect_descent_2d(submission, reference, mistakes, public.FOUR_VALLEYS, x, y, 0.01, 25,
                                 name=f"gradient_descent_2d(dfdx, dfdy, {_num(x)}, {_num(y)}, 0.01, 25)", secret=True)


@pytest.mark.exercise("gradient_descent_2d", points=1)
def check_gradient_descent_2d_zero_one_and_three_steps(submission, reference, mistakes, rng):
    """num_iterations = 0 returns the start; 1 and 3 make exactly that many simultaneous steps (rate 0.25)."""
    bowl = public.make_bowl(rng)
    x, y = public.bowl_start(rng, bowl)
    for num_iterations in (0, 1, 3):
        dfdx, dfdy = public.expect_descent_2d(
            submission, reference, mistakes, bowl, x, y, 0.25, num_iterations,
            name=f"gradient_descent_2d(dfdx, dfdy, {_num(x)}, {_num(y)}, 0.25, {num_iterations})", secret=True)
        found = public.sequential_hint(dfdx, dfdy)
        if found:
            raise CheckFailure(found[0], found[1], summary=found[2])
