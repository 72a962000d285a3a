"""Reference solution: a neural network with one hidden layer, sigmoid in both layers.

Shapes (one example per column):
    X       (n_x, m)     inputs
    Y       (n_y, m)     labels, 0 or 1
    W1      (n_h, n_x)   hidden-layer weights       b1  (n_h, 1)
    W2      (n_y, n_h)   output-layer weights       b2  (n_y, 1)
    Z1, A1  (n_h, m)     hidden pre-activations and activations
    Z2, A2  (n_y, m)     output pre-activations and predicted probabilities

Forward:   Z1 = W1 X + b1,  A1 = sigma(Z1),  Z2 = W2 A1 + b2,  A2 = sigma(Z2)
Cost:      L = -1/m * sum(Y log A2 + (1 - Y) log(1 - A2)), with A2 clipped to [1e-15, 1 - 1e-15] first
Backward:  dZ2 = A2 - Y
           dW2 = 1/m dZ2 A1^T,                  db2 = 1/m * row sums of dZ2
           dZ1 = (W2^T dZ2) * A1 (1 - A1)       (sigma'(Z1) = A1 (1 - A1))
           dW1 = 1/m dZ1 X^T,                   db1 = 1/m * row sums of dZ1
Update:    P <- P - alpha dP for P in W1, b1, W2, b2

Parameters travel as ``{"W1", "b1", "W2", "b2"}``, gradients as ``{"dW1", "db1", "dW2", "db2"}``.
``cost_jax`` restates the cost with ``jax.numpy`` so that ``jax.grad`` can serve as an independent
oracle for ``backward_propagation``.
"""

import jax.numpy as jnp
import numpy as np

# Functions that draw from the global (legacy) numpy random state; the grader seeds it first.
RANDOM = frozenset({"initialize_parameters", "nn_model"})

# log(0) is -inf: probabilities are kept this far from 0 and 1 before taking logs.
EPSILON = 1e-15


def sigmoid(z):
    """sigma(z) = 1 / (1 + e^(-z)), elementwise.

    For z below about -709, e^(-z) overflows to inf and 1 / (1 + inf) = 0, the right limit: the
    overflow is harmless, so its warning is silenced.
    """
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def layer_sizes(X, Y):
    """Return (n_x, n_h, n_y): input features, hidden units (2 in this notebook), outputs."""
    n_x = X.shape[0]
    n_h = 2
    n_y = Y.shape[0]
    return (n_x, n_h, n_y)


def initialize_parameters(n_x, n_h, n_y):
    """W1 ~ 0.01 N(0, 1) (n_h, n_x), b1 = 0 (n_h, 1), W2 ~ 0.01 N(0, 1) (n_y, n_h), b2 = 0 (n_y, 1); W1 is drawn
    first, then W2, so a seeded generator gives everyone the same start."""
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return parameters


def forward_propagation(X, parameters):
    """A2 = sigma(W2 sigma(W1 X + b1) + b2), shape (n_y, m), and the cache of Z1, A1, Z2, A2."""
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    Z1 = W1 @ X + b1
    A1 = sigmoid(Z1)
    Z2 = W2 @ A1 + b2
    A2 = sigmoid(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def compute_cost(A2, Y):
    """L = -1/m sum(Y log A2 + (1 - Y) log(1 - A2)), summed over every entry, as a Python float; finite even where
    the sigmoid saturated to exactly 0 or 1."""
    m = Y.shape[1]
    A2 = np.clip(A2, EPSILON, 1 - EPSILON)
    logprobs = Y * np.log(A2) + (1 - Y) * np.log(1 - A2)
    cost = -np.sum(logprobs) / m
    return float(cost)


def backward_propagation(parameters, cache, X, Y):
    """The gradients of the cost with respect to W1, b1, W2, b2 (same shapes as the parameters)."""
    m = X.shape[1]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * A1 * (1 - A1)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return grads


def update_parameters(parameters, grads, learning_rate=1.2):
    """P <- P - alpha dP for every parameter, returned as a new dict (the input is left as it was)."""
    W1 = parameters["W1"] - learning_rate * grads["dW1"]
    b1 = parameters["b1"] - learning_rate * grads["db1"]
    W2 = parameters["W2"] - learning_rate * grads["dW2"]
    b2 = parameters["b2"] - learning_rate * grads["db2"]
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return parameters


def nn_model(X, Y, n_h, num_iterations=10, learning_rate=1.2, print_cost=False):
    """Initialise with n_h hidden units, then num_iterations times: forward, cost, backward, update. With print_cost,
    iteration i prints the cost of the parameters it starts from (computed before its update)."""
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost:
            print(f"Cost after iteration {i}: {cost:f}")
    return parameters


def predict(X, parameters):
    """True where the network's probability A2 exceeds 0.5: a boolean array of shape (1, m)."""
    A2, cache = forward_propagation(X, parameters)
    predictions = A2 > 0.5
    return predictions


def sigmoid_jax(z):
    """sigma(z) with jax.numpy."""
    return 1 / (1 + jnp.exp(-z))


def cost_jax(W1, b1, W2, b2, X, Y):
    """The log loss of the two-layer network with jax.numpy; jax.grad(cost_jax, (0, 1, 2, 3)) gives
    (dW1, db1, dW2, db2)."""
    m = X.shape[1]
    A1 = sigmoid_jax(jnp.matmul(W1, X) + b1)
    A2 = sigmoid_jax(jnp.matmul(W2, A1) + b2)
    return -jnp.sum(Y * jnp.log(A2) + (1 - Y) * jnp.log(1 - A2)) / m
