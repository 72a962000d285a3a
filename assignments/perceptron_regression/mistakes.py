"""Known wrong predictions for perceptron_regression, on the checks' own inputs, so a check can name the mistake.
Instructor-only: students get only the values recorded for the public checks' inputs."""

import numpy as np


def _predict(parameters, X_pred, x_mean, x_std, y_mean=0.0, y_std=1.0):
    return (parameters["W"] @ ((X_pred - x_mean) / x_std) + parameters["b"]) * y_std + y_mean


def _statistics(A, ddof=0):
    return np.mean(A, axis=1, keepdims=True), np.std(A, axis=1, keepdims=True, ddof=ddof)


def predict_one_mean(X, Y, parameters, X_pred):
    """All features normalised with one mean and one std over the whole of X."""
    return _predict(parameters, X_pred, np.mean(X), np.std(X), *_statistics(Y))


def predict_not_denormalised(X, Y, parameters, X_pred):
    """The normalised prediction returned as it is, not mapped back to Y's units."""
    return _predict(parameters, X_pred, *_statistics(X))


def predict_own_statistics(X, Y, parameters, X_pred):
    """X_pred normalised with its own mean and std instead of the training data's."""
    return _predict(parameters, X_pred, *_statistics(X_pred), *_statistics(Y))


def predict_sample_std(X, Y, parameters, X_pred):
    """The sample standard deviation (ddof=1) where the population one was asked for."""
    return _predict(parameters, X_pred, *_statistics(X, ddof=1), *_statistics(Y, ddof=1))
