"""Known wrong gradient descents, run on the checks' own (named) test functions.

Each function reproduces one common mistake, so a check can recognise a student's answer as that
mistake and name it. The test functions come from the reference (``derivative`` and ``partials``);
the mistakes with a wrong learning rate or iteration count need no code of their own: the checks
run the reference with those arguments. Instructor-only: students get only the recorded values
for the public checks' inputs.
"""

from pathlib import Path

import numpy as np

from autograder.oracle import load_module

_reference = load_module(Path(__file__).resolve().parents[2] / "solutions" / "gradient_descent.py", "reference")


def ascent(function, x, learning_rate, num_iterations):
    """x <- x + learning_rate * f'(x): uphill."""
    dfdx, x = _reference.derivative(function), np.float64(x)
    with np.errstate(all="ignore"):
        for _ in range(num_iterations):
            x = x + learning_rate * dfdx(x)
    return float(x)


def slope_at_start(function, x, learning_rate, num_iterations):
    """The slope taken once, at the start, and reused for every step: x0 - n * learning_rate * f'(x0)."""
    slope = _reference.derivative(function)(np.float64(x))
    return float(x - num_iterations * learning_rate * slope)


def ascent_path(function, x, learning_rate, num_iterations):
    """gradient_descent_path going uphill."""
    dfdx, x = _reference.derivative(function), np.float64(x)
    path = [x]
    with np.errstate(all="ignore"):
        for _ in range(num_iterations):
            x = x + learning_rate * dfdx(x)
            path.append(x)
    return np.array(path, dtype=np.float64)


def sequential_2d(function, x, y, learning_rate, num_iterations):
    """x moved first, then dfdy taken at the new x: (x, y) <- (x - a fx(x, y), y - a fy(x_new, y))."""
    dfdx, dfdy = _reference.partials(function)
    x, y = np.float64(x), np.float64(y)
    with np.errstate(all="ignore"):
        for _ in range(num_iterations):
            x = x - learning_rate * dfdx(x, y)
            y = y - learning_rate * dfdy(x, y)
    return float(x), float(y)


def sequential_2d_y_first(function, x, y, learning_rate, num_iterations):
    """y moved first, then dfdx taken at the new y."""
    dfdx, dfdy = _reference.partials(function)
    x, y = np.float64(x), np.float64(y)
    with np.errstate(all="ignore"):
        for _ in range(num_iterations):
            y = y - learning_rate * dfdy(x, y)
            x = x - learning_rate * dfdx(x, y)
    return float(x), float(y)


def swapped_2d(function, x, y, learning_rate, num_iterations):
    """x moved with df/dy and y with df/dx."""
    dfdx, dfdy = _reference.partials(function)
    x, y = np.float64(x), np.float64(y)
    with np.errstate(all="ignore"):
        for _ in range(num_iterations):
            x, y = x - learning_rate * dfdy(x, y), y - learning_rate * dfdx(x, y)
    return float(x), float(y)


def ascent_2d(function, x, y, learning_rate, num_iterations):
    """(x, y) <- (x, y) + learning_rate * grad f(x, y): uphill."""
    dfdx, dfdy = _reference.partials(function)
    x, y = np.float64(x), np.float64(y)
    with np.errstate(all="ignore"):
        for _ in range(num_iterations):
            x, y = x + learning_rate * dfdx(x, y), y + learning_rate * dfdy(x, y)
    return float(x), float(y)
