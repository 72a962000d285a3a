"""Reference solution: a single perceptron with identity activation used for linear regression.

Shapes (one example per column):
    X      (n_x, m)    inputs
    Y      (n_y, m)    targets
    W      (n_y, n_x)  weights
    b      (n_y, 1)    bias, broadcast across the m columns
    Y_hat  (n_y, m)    predictions, Y_hat = W X + b

Cost:      L = 1/(2m) * sum((Y_hat - Y)^2)
Gradients: dW = 1/m * (Y_hat - Y) X^T,   db = 1/m * sum over columns of (Y_hat - Y)
Update:    W <- W - alpha * dW,          b <- b - alpha * db

Parameters travel as ``{"W": W, "b": b}`` and gradients as ``{"dW": dW, "db": db}``.
``cost_jax`` restates the cost with ``jax.numpy`` so that ``jax.grad`` can serve as an
independent oracle for ``backward_propagation``.
"""

import jax.numpy as jnp
import numpy as np

# Functions that draw from the global (legacy) numpy random state; the grader seeds it first.
RANDOM = frozenset({"initialize_parameters", "nn_model", "cost_history"})


def layer_sizes(X, Y):
    """Return (n_x, n_y): the number of input features and of output values per example."""
    n_x = X.shape[0]
    n_y = Y.shape[0]
    return (n_x, n_y)


def initialize_parameters(n_x, n_y):
    """W ~ 0.01 * N(0, 1) of shape (n_y, n_x), b = 0 of shape (n_y, 1)."""
    W = np.random.randn(n_y, n_x) * 0.01
    b = np.zeros((n_y, 1))
    parameters = {"W": W, "b": b}
    return parameters


def forward_propagation(X, parameters):
    """Y_hat = W X + b, shape (n_y, m). The identity activation leaves Z = W X + b unchanged."""
    W = parameters["W"]
    b = parameters["b"]
    Y_hat = W @ X + b
    return Y_hat


def compute_cost(Y_hat, Y):
    """L = 1/(2m) * sum((Y_hat - Y)^2), returned as a Python float."""
    m = Y_hat.shape[1]
    cost = np.sum((Y_hat - Y) ** 2) / (2 * m)
    return float(cost)


def backward_propagation(Y_hat, X, Y):
    """dW = 1/m (Y_hat - Y) X^T, shape (n_y, n_x); db = 1/m sum_j (Y_hat - Y), shape (n_y, 1)."""
    m = X.shape[1]
    dZ = Y_hat - Y
    dW = dZ @ X.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    grads = {"dW": dW, "db": db}
    return grads


def update_parameters(parameters, grads, learning_rate=1.2):
    """W <- W - alpha dW, b <- b - alpha db, returned as a new dict (the input is left as it was)."""
    W = parameters["W"]
    b = parameters["b"]
    dW = grads["dW"]
    db = grads["db"]
    W = W - learning_rate * dW
    b = b - learning_rate * db
    parameters = {"W": W, "b": b}
    return parameters


def nn_model(X, Y, num_iterations=10, learning_rate=1.2, print_cost=False):
    """Initialise, then repeat num_iterations times: forward, cost, backward, update."""
    n_x, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_y)
    for i in range(num_iterations):
        Y_hat = forward_propagation(X, parameters)
        cost = compute_cost(Y_hat, Y)
        grads = backward_propagation(Y_hat, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost:
            print(f"Cost after iteration {i}: {cost:f}")
    return parameters


def predict(X, Y, parameters, X_pred):
    """Predict in original units for the columns of X_pred, shape (n_x, k) -> (n_y, k).

    The parameters were trained on z-scored data, so X_pred is normalised with the mean and
    (population) standard deviation of each row of the training X, and the output is mapped back
    with the mean and standard deviation of each row of the training Y.
    """
    X_mean = np.mean(X, axis=1, keepdims=True)
    X_std = np.std(X, axis=1, keepdims=True)
    Y_mean = np.mean(Y, axis=1, keepdims=True)
    Y_std = np.std(Y, axis=1, keepdims=True)
    X_pred_norm = (X_pred - X_mean) / X_std
    Y_hat_norm = forward_propagation(X_pred_norm, parameters)
    Y_hat = Y_hat_norm * Y_std + Y_mean
    return Y_hat


def cost_history(X, Y, num_iterations=10, learning_rate=1.2):
    """The cost at each iteration of nn_model's loop: the learning curve."""
    n_x, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_y)
    costs = []
    for _ in range(num_iterations):
        Y_hat = forward_propagation(X, parameters)
        costs.append(compute_cost(Y_hat, Y))
        grads = backward_propagation(Y_hat, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate)
    return costs


def train_from(parameters, X, Y, num_iterations, learning_rate):
    """nn_model's loop started from given parameters (lets a check follow a student's own start)."""
    for _ in range(num_iterations):
        Y_hat = forward_propagation(X, parameters)
        grads = backward_propagation(Y_hat, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters


def forward_jax(W, b, X):
    """Y_hat = W X + b with jax.numpy."""
    return jnp.matmul(W, X) + b


def cost_jax(W, b, X, Y):
    """L = 1/(2m) * sum((W X + b - Y)^2) with jax.numpy; jax.grad(cost_jax, (0, 1)) gives (dW, db)."""
    m = X.shape[1]
    Y_hat = forward_jax(W, b, X)
    return jnp.sum((Y_hat - Y) ** 2) / (2 * m)
