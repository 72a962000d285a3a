"""Known wrong derivatives of f(x, y) = e^(x + 2y) + x^2 - x y + 2 y^2 - 3x, for the checks.

Each function reproduces one common slip in gradient_f or hessian_f so a check can recognise it and
name it. (Wrong Newton steps need no module: the checks see the step a submission took from the
points it asked the derivatives about.) Instructor-only: students get only the recorded values
for the public checks' inputs.
"""

import numpy as np


def gradient_f_without_chain_factor(xy):
    """df/dy of e^(x + 2y) taken as e^(x + 2y): the inner derivative 2 forgotten."""
    x, y = xy
    e = np.exp(x + 2 * y)
    return np.array([e + 2 * x - y - 3, e - x + 4 * y])


def gradient_f_mixed_term_sign(xy):
    """The term -x y differentiated as +y and +x."""
    x, y = xy
    e = np.exp(x + 2 * y)
    return np.array([e + 2 * x + y - 3, 2 * e + x + 4 * y])


def hessian_f_mixed_without_chain_factor(xy):
    """d2f/dxdy of e^(x + 2y) taken as e^(x + 2y)."""
    x, y = xy
    e = np.exp(x + 2 * y)
    return np.array([[e + 2, e - 1], [e - 1, 4 * e + 4]])


def hessian_f_yy_chain_factor_once(xy):
    """d2f/dy2 of e^(x + 2y) taken as 2 e^(x + 2y): the factor 2 applied once, not twice."""
    x, y = xy
    e = np.exp(x + 2 * y)
    return np.array([[e + 2, 2 * e - 1], [2 * e - 1, 2 * e + 4]])


def hessian_f_without_mixed_term(xy):
    """The -1 that -x y adds to the mixed partial forgotten."""
    x, y = xy
    e = np.exp(x + 2 * y)
    return np.array([[e + 2, 2 * e], [2 * e, 4 * e + 4]])
