"""Known wrong answers for linear_regression, computed on the checks' own inputs.

Each function reproduces one common mistake so that a check can recognise it and name it. This
file is instructor-only: students get only the values recorded for the public checks' inputs.
"""

import numpy as np

# -- normalize: what other ways of "normalising" a DataFrame give (as arrays, column order kept)


def normalize_one_mean(df):
    """np.mean(df) and np.std(df): on current pandas one number each, over every value of the table."""
    return ((df - np.mean(df)) / np.std(df)).to_numpy()


def normalize_one_mean_own_std(df):
    """np.mean(df) (one number for the whole table) with the right per-column std."""
    return ((df - np.mean(df)) / df.std(ddof=0)).to_numpy()


def normalize_sample_std(df):
    """df.std(), whose default is the sample standard deviation (ddof=1)."""
    return ((df - df.mean()) / df.std()).to_numpy()


def normalize_not_centred(df):
    """Divided by the std, but the mean never subtracted."""
    return (df / df.std(ddof=0)).to_numpy()


def normalize_not_scaled(df):
    """The mean subtracted, but never divided by the std."""
    return (df - df.mean()).to_numpy()


def normalize_min_max(df):
    """Min-max scaling to [0, 1] instead of a z-score."""
    return ((df - df.min()) / (df.max() - df.min())).to_numpy()


# -- dEdm: an X of shape (n, 1) meeting a Y of shape (n,) makes an (n, n) residual matrix; the mean of a product


def _column_residual(m, b, X, Y):
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    return m * X.reshape(-1, 1) + b - Y  # R[i, j] = m x_i + b - y_j


def dEdm_column_times_row(m, b, X, Y):
    """Only the prediction made from a column: sum over i, j of (m x_i + b - y_j) x_j, / n."""
    return float(np.sum(_column_residual(m, b, X, Y) * np.asarray(X, dtype=float)) / len(X))


def dEdm_column_times_column(m, b, X, Y):
    """X itself reshaped to a column: sum over i, j of (m x_i + b - y_j) x_i, / n."""
    X_col = np.asarray(X, dtype=float).reshape(-1, 1)
    return float(np.sum(_column_residual(m, b, X, Y) * X_col) / len(X))


def dEdm_product_of_means(m, b, X, Y):
    """mean(r) * mean(x), r the residuals: the product of the means instead of the mean of r_i x_i."""
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    return float(np.mean(m * X + b - Y) * np.mean(X))


# -- gradient_descent, with the true derivatives of E(m, b) = 1/(2n) sum((m x + b - y)^2) or those of the bowl


def _true_gradient(X, Y):
    return lambda m, b: (float(np.mean((m * X + b - Y) * X)), float(np.mean(m * X + b - Y)))


def _bowl_gradient(H, centre):
    H, (m0, b0) = np.asarray(H, dtype=float), (float(c) for c in centre)
    return lambda m, b: (H[0, 0] * (m - m0) + H[0, 1] * (b - b0), H[1, 0] * (m - m0) + H[1, 1] * (b - b0))


def _sequential(gradient, m, b, learning_rate, num_iterations):
    """m updated first, then b's derivative evaluated at the new m."""
    for _ in range(num_iterations):
        m = m - learning_rate * gradient(m, b)[0]
        b = b - learning_rate * gradient(m, b)[1]
    return float(m), float(b)


def _ascent(gradient, m, b, learning_rate, num_iterations):
    """Steps along the gradient instead of against it."""
    for _ in range(num_iterations):
        gm, gb = gradient(m, b)
        m, b = m + learning_rate * gm, b + learning_rate * gb
    return float(m), float(b)


def descend_sequential(m, b, X, Y, learning_rate, num_iterations):
    return _sequential(_true_gradient(X, Y), m, b, learning_rate, num_iterations)


def descend_ascent(m, b, X, Y, learning_rate, num_iterations):
    return _ascent(_true_gradient(X, Y), m, b, learning_rate, num_iterations)


def descend_bowl_sequential(H, centre, m, b, learning_rate, num_iterations):
    return _sequential(_bowl_gradient(H, centre), m, b, learning_rate, num_iterations)


def descend_bowl_ascent(H, centre, m, b, learning_rate, num_iterations):
    return _ascent(_bowl_gradient(H, centre), m, b, learning_rate, num_iterations)


# -- predict_sales


def predict_not_denormalised(m, b, X_pred, X_mean, X_std, Y_mean, Y_std):
    """The prediction on the normalised scale, returned as it is."""
    return m * (X_pred - X_mean) / X_std + b


def predict_input_not_normalised(m, b, X_pred, X_mean, X_std, Y_mean, Y_std):
    """Raw budgets fed to a line fitted on z-scores, then de-normalised."""
    return (m * X_pred + b) * Y_std + Y_mean


def predict_mean_added_first(m, b, X_pred, X_mean, X_std, Y_mean, Y_std):
    """De-normalised in the wrong order: (y_norm + mean) * std."""
    return (m * (X_pred - X_mean) / X_std + b + Y_mean) * Y_std


def predict_divided_by_std(m, b, X_pred, X_mean, X_std, Y_mean, Y_std):
    """De-normalised by dividing by the std instead of multiplying."""
    return (m * (X_pred - X_mean) / X_std + b) / Y_std + Y_mean


def predict_with_tv_statistics(m, b, X_pred, X_mean, X_std, Y_mean, Y_std):
    """The TV statistics used to de-normalise sales as well."""
    return (m * (X_pred - X_mean) / X_std + b) * X_std + X_mean


def predict_own_statistics(m, b, X_pred, X_mean, X_std, Y_mean, Y_std):
    """The new budgets normalised with their own mean and std instead of the training data's."""
    X_pred = np.asarray(X_pred, dtype=float)
    return (m * (X_pred - X_pred.mean()) / X_pred.std() + b) * Y_std + Y_mean
