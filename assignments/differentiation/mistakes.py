"""Known wrong answers for differentiation, computed on the checks' own inputs.

Each function reproduces one common mistake so a check can recognise it and name it. This file
is instructor-only: students get only the recorded values for the public checks' inputs.
Everything here is numpy in float64, so it is also an independent restatement of the formulas.
"""

import numpy as np
import sympy


def values_of_expression(expr, x, points):
    """expr itself (not its derivative) at the points: derivative_function without sympy.diff."""
    return np.asarray(sympy.lambdify(x, expr, "numpy")(np.asarray(points, dtype=float)), dtype=float)


# -- np.gradient


def gradient_without_spacing(y_values, x_values):
    """np.gradient(y) assumes a spacing of 1 between grid points."""
    return np.gradient(y_values)


def gradient_one_spacing(y_values, x_values):
    """One spacing, the first one, used for a grid that is not evenly spaced."""
    return np.gradient(y_values, x_values[1] - x_values[0])


def gradient_second_order_ends(y_values, x_values):
    """edge_order=2: second-order one-sided differences at the two ends instead of the default."""
    return np.gradient(y_values, x_values, edge_order=2)


# -- cost minimisation


def blended(omega, pA, pB):
    return pA * omega + pB * (1 - omega)


def f_swapped(omega, pA, pB):
    """ω used as the share of B: pA (1 − ω) + pB ω."""
    return pA * (1 - omega) + pB * omega


def f_without_parentheses(omega, pA, pB):
    """pA ω + pB * 1 − ω: the parentheses around 1 − ω are missing."""
    return pA * omega + pB - omega


def L_sample_variance(omega, pA, pB):
    """The sample variance (ddof=1, divides by n − 1) where the population variance was asked."""
    return float(np.var(blended(omega, pA, pB), ddof=1))


def L_standard_deviation(omega, pA, pB):
    """The standard deviation instead of the variance."""
    return float(np.std(blended(omega, pA, pB)))


def L_mean_square(omega, pA, pB):
    """The mean of the squared prices, without subtracting their mean first."""
    return float(np.mean(blended(omega, pA, pB) ** 2))


def L_sum_of_squares(omega, pA, pB):
    """The sum of squared deviations, not divided by n."""
    f = blended(omega, pA, pB)
    return float(np.sum((f - np.mean(f)) ** 2))


def L_values(omega_array, pA, pB):
    """L itself at every ω, where its derivative was asked."""
    return np.array([np.var(blended(omega, pA, pB)) for omega in omega_array])


def dLdOmega_values(omega_array, pA, pB):
    """dL/dω = 2/n Σ (f_i − mean f)(pA_i − pB_i), by hand."""
    return np.array([2 * np.mean((blended(omega, pA, pB) - np.mean(blended(omega, pA, pB))) * (pA - pB))
                     for omega in omega_array])


def dLdOmega_sample_variance(omega_array, pA, pB):
    """The derivative of the sample variance: n / (n − 1) times the right one."""
    n = len(pA)
    return dLdOmega_values(omega_array, pA, pB) * n / (n - 1)


def omega_max(omega_array, pA, pB):
    """The ω where L is largest (argmax instead of argmin)."""
    return float(omega_array[np.argmax(L_values(omega_array, pA, pB))])


def omega_index(omega_array, pA, pB):
    """The position of the smallest L in omega_array, not the ω there."""
    return int(np.argmin(L_values(omega_array, pA, pB)))


def L_min_value(omega_array, pA, pB):
    """The smallest L itself, not the ω where it is reached."""
    return float(np.min(L_values(omega_array, pA, pB)))


def omega_min_on_fixed_grid(omega_array, pA, pB):
    """The minimiser over np.linspace(0, 1, 1001), ignoring the omega_array given."""
    grid = np.linspace(0, 1, 1001)
    return float(grid[np.argmin(L_values(grid, pA, pB))])
