"""Reference solution: gradient descent in one and two variables, and choosing its learning rate.

One variable:   x <- x - alpha * f'(x), repeated num_iterations times from a starting x.
Until converged: the one-variable step, repeated while |f'(x)| >= tolerance (tested before each
                step), at most max_iterations times; (x, the number of steps made).
Two variables:  x <- x - alpha * df/dx(x, y),  y <- y - alpha * df/dy(x, y), both partial
                derivatives taken at the current point (x, y) before either coordinate moves.

The first six functions are the exercises. The rest lets checks ask about a descent with plain
data only (a function *named* by a small dict, not passed as a Python function), so that the
answers can be recorded for self-checks: ``descend({"kind": "exp_log"}, 1.2, 0.03, 17)``.
"""

from functools import cache
from pathlib import Path

import numpy as np

DATA_FILE = Path(__file__).resolve().parents[1] / "source" / "gradient_descent" / "data" / "deliveries.csv"


# ---------------------------------------------------------------------------- the exercises


def gradient_descent(dfdx, x, learning_rate=0.1, num_iterations=100):
    """num_iterations steps of x <- x - learning_rate * dfdx(x); the final x."""
    for _ in range(num_iterations):
        x = x - learning_rate * dfdx(x)
    return x


def gradient_descent_path(dfdx, x, learning_rate=0.1, num_iterations=100):
    """The same descent, returning every visited point: an array of num_iterations + 1 numbers."""
    path = [x]
    for _ in range(num_iterations):
        x = x - learning_rate * dfdx(x)
        path.append(x)
    return np.array(path)


def gradient_descent_until_converged(dfdx, x, learning_rate=0.1, tolerance=1e-6, max_iterations=1000):
    """Steps x <- x - learning_rate * dfdx(x) until |dfdx(x)| < tolerance, at most max_iterations; (x, steps made).

    The slope is tested at the current x before each step: once |f'(x)| < tolerance, x is returned without
    that step. After max_iterations steps the descent stops whatever the slope (its last point is not tested).
    """
    for k in range(max_iterations):
        slope = dfdx(x)
        if abs(slope) < tolerance:  # converged: k steps were made
            return x, k
        x = x - learning_rate * slope
    return x, max_iterations  # the cap


def gradient_descent_2d(dfdx, dfdy, x, y, learning_rate=0.1, num_iterations=100):
    """num_iterations simultaneous steps (x, y) <- (x, y) - learning_rate * grad f(x, y); the final (x, y)."""
    for _ in range(num_iterations):
        dx = dfdx(x, y)
        dy = dfdy(x, y)  # both slopes at the same, current point
        x = x - learning_rate * dx
        y = y - learning_rate * dy
    return x, y


def tuned_parameters_1d():
    """(learning_rate, num_iterations) reaching g's minimum x* = -2.30164 from x = -2 within 1e-5.

    Near x* the curvature is g''(x*) = 8.42, so each step multiplies the distance to x* by about
    |1 - 8.42 alpha|: alpha = 0.1 gives 0.16 (10 steps suffice); 0.01 gives 0.92 and needs about
    120 steps, 0.001 about 1200, more than offered; above 2 / 8.42 = 0.24 the steps overshoot for
    ever (0.3), jump into the next valley (0.4) or blow up (0.8).
    """
    return 0.1, 10


def tuned_parameters_2d():
    """(learning_rate, num_iterations) fitting the delivery line within 1e-3 of least squares.

    The cost's curvatures are 9.6 and 0.13: alpha must stay below 2 / 9.6 = 0.208, and along the
    flat direction each step removes only 0.13 alpha of the error, so the good rates need 1000
    steps (0.1 leaves 5e-6, 0.2 leaves 5e-12; 0.01 still leaves 0.8).
    """
    return 0.2, 1000


# ---------------------------------------------------------------------------- functions to descend


def derivative(function):
    """f' of a one-variable test function named by a dict such as {"kind": "exp_log"}."""
    kind = function["kind"]
    if kind == "exp_log":  # f(x) = e^x - ln x, minimum at x e^x = 1
        return lambda x: np.exp(x) - 1 / x
    if kind == "wavy":  # g(x) = 0.05 x^4 + sin(3x), three minima
        return lambda x: 0.2 * x**3 + 3 * np.cos(3 * x)
    if kind == "line":  # f(x) = slope * x, no minimum: every step is the same
        return lambda x: function["slope"] + 0 * x
    if kind == "parabola":  # f(x) = a (x - c)^2
        return lambda x: 2 * function["a"] * (x - function["c"])
    raise ValueError(f"unknown one-variable function {kind!r}")


def partials(function):
    """(df/dx, df/dy) of a two-variable test function named by a dict."""
    kind = function["kind"]
    if kind == "bowl":  # f = a (x - p)^2 + c (y - q)^2 + k (x - p)(y - q), a tilted elliptic bowl
        a, c, k, p, q = (function[name] for name in ("a", "c", "k", "p", "q"))
        return (lambda x, y: 2 * a * (x - p) + k * (y - q),
                lambda x, y: 2 * c * (y - q) + k * (x - p))
    if kind == "four_valleys":  # f = (x^2 - 1)^2 + (y^2 - 1)^2 + 0.5 x y + 0.3 x, four minima
        return (lambda x, y: 4 * x * (x**2 - 1) + 0.5 * y + 0.3,
                lambda x, y: 4 * y * (y**2 - 1) + 0.5 * x)
    if kind == "delivery_cost":  # E(w, b) = 1/(2m) sum((w d + b - t)^2) on the deliveries data
        distance, minutes = deliveries()
        return (lambda w, b: float(np.mean((w * distance + b - minutes) * distance)),
                lambda w, b: float(np.mean(w * distance + b - minutes)))
    raise ValueError(f"unknown two-variable function {kind!r}")


@cache
def deliveries():
    """(distance_km, minutes): the two columns of the notebook's data file, as 1-D arrays."""
    table = np.loadtxt(DATA_FILE, delimiter=",", skiprows=1)
    return table[:, 0], table[:, 1]


def delivery_minimum():
    """(w*, b*): the least-squares line through the deliveries, where E(w, b) is smallest."""
    distance, minutes = deliveries()
    A = np.column_stack([distance, np.ones_like(distance)])
    w, b = np.linalg.lstsq(A, minutes, rcond=None)[0]
    return float(w), float(b)


def descend(function, x, learning_rate, num_iterations):
    """gradient_descent on the named one-variable function."""
    with np.errstate(all="ignore"):
        return float(gradient_descent(derivative(function), np.float64(x), learning_rate, num_iterations))


def descend_path(function, x, learning_rate, num_iterations):
    """gradient_descent_path on the named one-variable function: shape (num_iterations + 1,)."""
    with np.errstate(all="ignore"):
        return gradient_descent_path(derivative(function), np.float64(x), learning_rate, num_iterations).astype(np.float64)


def descend_until(function, x, learning_rate, tolerance, max_iterations):
    """gradient_descent_until_converged on the named one-variable function: (x, steps) as (float, int)."""
    with np.errstate(all="ignore"):
        x, steps = gradient_descent_until_converged(derivative(function), np.float64(x), learning_rate, tolerance,
                                                    int(max_iterations))
    return float(x), int(steps)


def descend_2d(function, x, y, learning_rate, num_iterations):
    """gradient_descent_2d on the named two-variable function: (x, y) as floats."""
    dfdx, dfdy = partials(function)
    with np.errstate(all="ignore"):
        x, y = gradient_descent_2d(dfdx, dfdy, np.float64(x), np.float64(y), learning_rate, num_iterations)
    return float(x), float(y)


def descend_path_2d(function, x, y, learning_rate, num_iterations):
    """Every point of the two-variable descent, one per row: shape (num_iterations + 1, 2)."""
    dfdx, dfdy = partials(function)
    x, y = np.float64(x), np.float64(y)
    path = [(x, y)]
    with np.errstate(all="ignore"):
        for _ in range(num_iterations):
            x, y = gradient_descent_2d(dfdx, dfdy, x, y, learning_rate, 1)
            path.append((x, y))
    return np.array(path, dtype=np.float64)
