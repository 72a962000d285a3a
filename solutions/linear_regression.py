"""Reference solution: a straight line fitted to advertising data by gradient descent on its cost.

Shapes: X and Y are 1-D arrays of the n examples (TV advertising and insurance quotes); m and b are
numbers. m is the slope here, so the number of examples is n (the later notebooks call it m).

Model:     y_hat = m x + b
Cost:      E(m, b) = 1/(2n) * sum((m x + b - y)^2)
Gradient:  dE/dm = 1/n * sum((m x + b - y) x),   dE/db = 1/n * sum(m x + b - y)
Update:    m <- m - alpha dE/dm,   b <- b - alpha dE/db, both from the same (m, b)

The data are z-scored column by column before descent; ``predict_sales`` maps a prediction on
z-scored data back to the target's units (the notebook's "sales" are monthly insurance quotes).
``E_jax`` restates the cost with ``jax.numpy`` so that ``jax.grad`` is an independent oracle for
``dEdm`` and ``dEdb``. The helpers at the end let checks ask for
gradient descent's result with plain data (a check cannot send functions to the reference).
"""

import jax.numpy as jnp
import numpy as np


def normalize(df):
    """Every column z-scored with its own mean and population standard deviation (ddof=0)."""
    return (df - df.mean()) / df.std(ddof=0)


def E(m, b, X, Y):
    """E(m, b) = 1/(2n) * sum((m x + b - y)^2), as a float."""
    n = len(X)
    return float(np.sum((m * X + b - Y) ** 2) / (2 * n))


def pred_numpy(m, b, X):
    """y_hat = m X + b, elementwise: the same shape as X."""
    Y_hat = m * X + b
    return Y_hat


def dEdm(m, b, X, Y):
    """dE/dm = 1/n * sum((m x + b - y) x)."""
    n = len(X)
    residual = pred_numpy(m, b, X) - Y
    return float(np.sum(residual * X) / n)


def dEdb(m, b, X, Y):
    """dE/db = 1/n * sum(m x + b - y)."""
    n = len(X)
    residual = pred_numpy(m, b, X) - Y
    return float(np.sum(residual) / n)


def gradient_descent(dEdm, dEdb, m, b, X, Y, learning_rate=0.001, num_iterations=1000, print_cost=False):
    """num_iterations simultaneous steps m <- m - alpha dEdm(m, b), b <- b - alpha dEdb(m, b).

    With print_cost, iteration i prints the cost of the (m, b) it starts from, before its update.
    """
    for i in range(num_iterations):
        if print_cost:
            print(f"Cost after iteration {i}: {E(m, b, X, Y):f}")
        m_new = m - learning_rate * dEdm(m, b, X, Y)
        b_new = b - learning_rate * dEdb(m, b, X, Y)
        m = m_new
        b = b_new
    return m, b


def predict_sales(m, b, X_pred, X_mean, X_std, Y_mean, Y_std):
    """Sales (here quotes) for TV advertising X_pred from a line fitted on z-scored data.

    Normalise the inputs with the training TV statistics, predict, and undo the target's z-score:
    Y = Y_norm * Y_std + Y_mean.
    """
    X_pred_norm = (X_pred - X_mean) / X_std
    Y_pred_norm = pred_numpy(m, b, X_pred_norm)
    Y_pred = Y_pred_norm * Y_std + Y_mean
    return Y_pred


# ---------------------------------------------------------------------------- for the checks


def E_jax(m, b, X, Y):
    """E(m, b) with jax.numpy; jax.grad(E_jax, argnums=0) is dE/dm, argnums=1 is dE/db."""
    n = X.shape[0]
    return jnp.sum((m * X + b - Y) ** 2) / (2 * n)


def z_score(values, mean, std):
    """(values - mean) / std: the budgets predict_sales hands to pred_numpy."""
    return (values - mean) / std


def descend(m, b, X, Y, learning_rate, num_iterations):
    """gradient_descent with the reference derivatives, as a pair of floats."""
    m, b = gradient_descent(dEdm, dEdb, m, b, X, Y, learning_rate, num_iterations)
    return float(m), float(b)


def bowl_derivatives(H, centre):
    """dE/dm and dE/db of the quadratic bowl E(m, b) = 1/2 (z - c)^T H (z - c), z = (m, b), in
    gradient_descent's calling convention (X and Y are passed along and not used)."""
    H = np.asarray(H, dtype=float)
    m0, b0 = (float(c) for c in centre)

    def bowl_dEdm(m, b, X, Y):
        return H[0, 0] * (m - m0) + H[0, 1] * (b - b0)

    def bowl_dEdb(m, b, X, Y):
        return H[1, 0] * (m - m0) + H[1, 1] * (b - b0)

    return bowl_dEdm, bowl_dEdb


def descend_bowl(H, centre, m, b, learning_rate, num_iterations):
    """gradient_descent on the quadratic bowl, as a pair of floats."""
    bowl_dEdm, bowl_dEdb = bowl_derivatives(H, centre)
    m, b = gradient_descent(bowl_dEdm, bowl_dEdb, m, b, None, None, learning_rate, num_iterations)
    return float(m), float(b)
