"""Known wrong answers for perceptron_regression, computed on the checks' own inputs.

Each function reproduces one common mistake so a check can recognise it and name it. This file
is instructor-only: students get only the recorded values for the public checks' inputs.
"""

import numpy as np


def predict_one_mean(X, Y, parameters, X_pred):
    """All features normalised with one mean and one std over the whole of X."""
    X_pred_norm = (X_pred - np.mean(X)) / np.std(X)
    Y_hat = parameters["W"] @ X_pred_norm + parameters["b"]
    return Y_hat * np.std(Y, axis=1, keepdims=True) + np.mean(Y, axis=1, keepdims=True)


def predict_not_denormalised(X, Y, parameters, X_pred):
    """The normalised prediction returned as it is, not mapped back to Y's units."""
    X_pred_norm = (X_pred - np.mean(X, axis=1, keepdims=True)) / np.std(X, axis=1, keepdims=True)
    return parameters["W"] @ X_pred_norm + parameters["b"]


def predict_own_statistics(X, Y, parameters, X_pred):
    """X_pred normalised with its own mean and std instead of the training data's."""
    X_pred_norm = (X_pred - np.mean(X_pred, axis=1, keepdims=True)) / np.std(X_pred, axis=1, keepdims=True)
    Y_hat = parameters["W"] @ X_pred_norm + parameters["b"]
    return Y_hat * np.std(Y, axis=1, keepdims=True) + np.mean(Y, axis=1, keepdims=True)


def predict_sample_std(X, Y, parameters, X_pred):
    """The sample standard deviation (ddof=1) where the population one was asked for."""
    X_pred_norm = (X_pred - np.mean(X, axis=1, keepdims=True)) / np.std(X, axis=1, keepdims=True, ddof=1)
    Y_hat = parameters["W"] @ X_pred_norm + parameters["b"]
    return Y_hat * np.std(Y, axis=1, keepdims=True, ddof=1) + np.mean(Y, axis=1, keepdims=True)

