"""Known wrong gradient descents, run on the checks' own (named) test functions.

Each function reproduces one common mistake, so a check can recognise a student's answer as that
mistake and name it. The test functions come from the reference (``derivative`` and ``partials``);
the mistakes with a wrong learning rate or iteration count need no code of their own: the checks
run the reference with those arguments. Instructor-only: students get only the recorded values
for the public checks' inputs.
"""

import importlib.util
from pathlib import Path

import numpy as np

_spec = importlib.util.spec_from_file_location(
    "gradient_descent_reference_for_mistakes", Path(__file__).resolve().parents[2] / "solutions" / "gradient_descent.py")
_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_reference)


def _ascent_path(function, x, learning_rate, num_iterations):
    dfdx, path = _reference.derivative(function), [np.float64(x)]
    with np.errstate(all="ignore"):
        for _ in range(num_iterations):
            path.append(path[-1] + learning_rate * dfdx(path[-1]))
    return np.array(path, dtype=np.float64)


def ascent(function, x, learning_rate, num_iterations):
    """x <- x + learning_rate * f'(x): uphill."""
    return float(_ascent_path(function, x, learning_rate, num_iterations)[-1])


def ascent_path(function, x, learning_rate, num_iterations):
    """gradient_descent_path going uphill."""
    return _ascent_path(function, x, learning_rate, num_iterations)


def slope_at_start(function, x, learning_rate, num_iterations):
    """The slope taken once, at the start, and reused for every step: x0 - n * learning_rate * f'(x0)."""
    slope = _reference.derivative(function)(np.float64(x))
    return float(x - num_iterations * learning_rate * slope)


def _steps_2d(function, x, y, num_iterations, step):
    """num_iterations times (x, y) <- step(x, y, dfdx, dfdy), in float64, overflow allowed."""
    dfdx, dfdy = _reference.partials(function)
    x, y = np.float64(x), np.float64(y)
    with np.errstate(all="ignore"):
        for _ in range(num_iterations):
            x, y = step(x, y, dfdx, dfdy)
    return float(x), float(y)


def sequential_2d(function, x, y, learning_rate, num_iterations):
    """x moved first, then dfdy taken at the new x: (x, y) <- (x - a fx(x, y), y - a fy(x_new, y))."""
    def step(x, y, dfdx, dfdy):
        x = x - learning_rate * dfdx(x, y)
        return x, y - learning_rate * dfdy(x, y)

    return _steps_2d(function, x, y, num_iterations, step)


def sequential_2d_y_first(function, x, y, learning_rate, num_iterations):
    """y moved first, then dfdx taken at the new y."""
    def step(x, y, dfdx, dfdy):
        y = y - learning_rate * dfdy(x, y)
        return x - learning_rate * dfdx(x, y), y

    return _steps_2d(function, x, y, num_iterations, step)


def swapped_2d(function, x, y, learning_rate, num_iterations):
    """x moved with df/dy and y with df/dx."""
    return _steps_2d(function, x, y, num_iterations,
                     lambda x, y, dfdx, dfdy: (x - learning_rate * dfdy(x, y), y - learning_rate * dfdx(x, y)))


def ascent_2d(function, x, y, learning_rate, num_iterations):
    """(x, y) <- (x, y) + learning_rate * grad f(x, y): uphill."""
    return _steps_2d(function, x, y, num_iterations,
                     lambda x, y, dfdx, dfdy: (x + learning_rate * dfdx(x, y), y + learning_rate * dfdy(x, y)))


def decaying_rate(function, x, learning_rate, num_iterations):
    """The learning rate divided by the step number: x <- x - learning_rate / (i + 1) * f'(x)."""
    dfdx, x = _reference.derivative(function), np.float64(x)
    with np.errstate(all="ignore"):
        for i in range(num_iterations):
            x = x - learning_rate / (i + 1) * dfdx(x)
    return float(x)


# ---------------------------------------------------------------------------- stopping rules gone wrong
# Each returns (x, steps) as gradient_descent_until_converged does, for a named one-variable function.


def _until(function, x, max_iterations, body):
    """Run ``body(k, x, dfdx)`` for k = 0, 1, ..., max_iterations - 1: it returns (x, steps) to stop there,
    or (x, None) to go on; a loop that runs out returns (x, max_iterations)."""
    dfdx, x = _reference.derivative(function), np.float64(x)
    with np.errstate(all="ignore"):
        for k in range(int(max_iterations)):
            x, steps = body(k, x, dfdx)
            if steps is not None:
                return float(x), int(steps)
    return float(x), int(max_iterations)


def until_one_step_late(function, x, learning_rate, tolerance, max_iterations):
    """The step made first, then the slope it used tested: one step past the point where it should stop."""
    def body(k, x, dfdx):
        slope = dfdx(x)
        x = x - learning_rate * slope
        return x, (k + 1 if abs(slope) < tolerance else None)

    return _until(function, x, max_iterations, body)


def until_one_step_early(function, x, learning_rate, tolerance, max_iterations):
    """The next point's slope tested before moving there, and the descent stopped without moving."""
    def body(k, x, dfdx):
        x_new = x - learning_rate * dfdx(x)
        return (x, k) if abs(dfdx(x_new)) < tolerance else (x_new, None)

    return _until(function, x, max_iterations, body)


def until_counts_slopes(function, x, learning_rate, tolerance, max_iterations):
    """The right point, but counting the slopes taken: the final test, which makes no step, counted too."""
    def body(k, x, dfdx):
        slope = dfdx(x)
        return (x, k + 1) if abs(slope) < tolerance else (x - learning_rate * slope, None)

    return _until(function, x, max_iterations, body)


def until_step_length(function, x, learning_rate, tolerance, max_iterations):
    """The length of the step, learning_rate * |f'(x)|, tested against the tolerance instead of |f'(x)|."""
    def body(k, x, dfdx):
        slope = dfdx(x)
        return (x, k) if abs(learning_rate * slope) < tolerance else (x - learning_rate * slope, None)

    return _until(function, x, max_iterations, body)


def until_signed_slope(function, x, learning_rate, tolerance, max_iterations):
    """f'(x) < tolerance without the absolute value: any negative slope passes for converged."""
    def body(k, x, dfdx):
        slope = dfdx(x)
        return (x, k) if slope < tolerance else (x - learning_rate * slope, None)

    return _until(function, x, max_iterations, body)


def until_not_strict(function, x, learning_rate, tolerance, max_iterations):
    """|f'(x)| <= tolerance: a slope exactly equal to the tolerance taken for converged."""
    def body(k, x, dfdx):
        slope = dfdx(x)
        return (x, k) if abs(slope) <= tolerance else (x - learning_rate * slope, None)

    return _until(function, x, max_iterations, body)


def until_returns_cap(function, x, learning_rate, tolerance, max_iterations):
    """The right point, but max_iterations returned as the count however few steps were made."""
    x, _ = _reference.descend_until(function, x, learning_rate, tolerance, max_iterations)
    return x, int(max_iterations)


def until_loop_variable(function, x, learning_rate, tolerance, max_iterations):
    """`for k in range(max_iterations)` and `return x, k` after the loop: max_iterations - 1 at the cap."""
    x, steps = _reference.descend_until(function, x, learning_rate, tolerance, max_iterations)
    return x, (steps if steps < max_iterations else int(max_iterations) - 1)


def until_counts_one_short(function, x, learning_rate, tolerance, max_iterations):
    """The step first, then the new point tested, returning the pass number k: the right x, one step too few."""
    def body(k, x, dfdx):
        x = x - learning_rate * dfdx(x)
        return x, (k if abs(dfdx(x)) < tolerance else None)

    return _until(function, x, max_iterations, body)
