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
