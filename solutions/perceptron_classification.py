"""Reference solution: a single perceptron with a sigmoid activation, used for binary classification.

Shapes (one example per column):
    X  (n_x, m)    inputs
    Y  (n_y, m)    labels, 0 or 1
    W  (n_y, n_x)  weights
    b  (n_y, 1)    bias, broadcast across the m columns
    A  (n_y, m)    predicted probabilities, A = sigmoid(W X + b)

Cost:      L = -1/m * sum(Y log A + (1 - Y) log(1 - A))        (log loss, summed over all entries)
Per example: dl/dz = a - y                                      (dcost_dz: the sigmoid's derivative cancels)
Gradients: dZ = dcost_dz(A, Y),  dW = 1/m * dZ X^T,  db = 1/m * sum over columns of dZ
Check:     relative error ||g - g_num|| / (||g|| + ||g_num||) against central differences (gradient_check)
Update:    W <- W - alpha * dW,  b <- b - alpha * db

Parameters travel as ``{"W": W, "b": b}`` and gradients as ``{"dW": dW, "db": db}``.
``cost_jax`` restates the cost as a function of W and b with ``jax.numpy`` so that ``jax.grad``
can serve as an independent oracle for ``backward_propagation``, and ``loss_jax`` the summed
per-example losses as a function of Z, for ``dcost_dz``. ``gradient_check_of_log_loss`` asks
``gradient_check`` a question in plain data (the checks cannot send the reference a function).
"""

import jax.numpy as jnp
import numpy as np

# Functions that draw from the global (legacy) numpy random state; the grader seeds it first.
RANDOM = frozenset({"initialize_parameters", "nn_model"})

# log(0) is -inf: probabilities are kept this far from 0 and 1 before taking logs.
EPSILON = 1e-15


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(-z)), elementwise, for a number or an array of any shape.

    For z below about -709, e^(-z) overflows to inf and 1 / (1 + inf) = 0, which is the right
    limit: the overflow is harmless, so its warning is silenced.
    """
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def layer_sizes(X, Y):
    """Return (n_x, n_y): the number of input features and of outputs per example."""
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
    """A = σ(W X + b), shape (n_y, m): the probability of class 1 for every example."""
    W = parameters["W"]
    b = parameters["b"]
    Z = W @ X + b
    A = sigmoid(Z)
    return A


def compute_cost(A, Y):
    """L = -1/m * sum(Y log A + (1 - Y) log(1 - A)) as a Python float, finite even where A is 0 or 1."""
    m = Y.shape[1]
    A = np.clip(A, EPSILON, 1 - EPSILON)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    return float(cost)


def dcost_dz(A, Y):
    """dl/dz = a - y entry by entry, for l = -(y log a + (1 - y) log(1 - a)) and a = σ(z): per example, not / m.

    The chain rule: dl/da = -y/a + (1 - y)/(1 - a) = (a - y) / (a(1 - a)), times da/dz = a(1 - a).
    """
    dz = A - Y
    return dz


def backward_propagation(A, X, Y):
    """dZ = dcost_dz(A, Y); dW = 1/m dZ X^T, shape (n_y, n_x); db = 1/m sum_j dZ, shape (n_y, 1)."""
    m = X.shape[1]
    dZ = dcost_dz(A, Y)
    dW = dZ @ X.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    grads = {"dW": dW, "db": db}
    return grads


def gradient_check(cost_of, parameters, grads, epsilon=1e-6):
    """Relative error ||g - g_num|| / (||g|| + ||g_num||) per gradient, g_num by central differences.

    For every parameter θ = parameters[key] and every entry of it, the central difference
    (cost_of(θ + ε) - cost_of(θ - ε)) / (2ε) estimates the partial derivative; the perturbed arrays
    are copies, so ``parameters`` is left as it was. Norms are Euclidean over all entries; when both
    are 0 the gradients agree and the error is 0.0. Returns {"d" + key: error} for every key.
    """
    errors = {}
    for key in parameters:
        theta = parameters[key]
        g = grads["d" + key]
        g_num = np.zeros(theta.shape)
        for index in np.ndindex(theta.shape):
            theta_plus = theta.copy()
            theta_plus[index] += epsilon
            theta_minus = theta.copy()
            theta_minus[index] -= epsilon
            cost_plus = cost_of({**parameters, key: theta_plus})
            cost_minus = cost_of({**parameters, key: theta_minus})
            g_num[index] = (cost_plus - cost_minus) / (2 * epsilon)
        numerator = np.linalg.norm(g - g_num)
        denominator = np.linalg.norm(g) + np.linalg.norm(g_num)
        errors["d" + key] = float(numerator / denominator) if denominator > 0 else 0.0
    return errors


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
        A = forward_propagation(X, parameters)
        cost = compute_cost(A, Y)
        grads = backward_propagation(A, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost:
            print(f"Cost after iteration {i}: {cost:f}")
    return parameters


def predict(X, parameters):
    """The predicted classes A > 0.5 as booleans, shape (1, m) (the perceptron has one output)."""
    A = forward_propagation(X, parameters)
    predictions = A > 0.5
    return predictions


def cost_jax(W, b, X, Y):
    """The log loss of σ(W X + b) with jax.numpy; jax.grad(cost_jax, (0, 1)) gives (dW, db).

    Written with log σ(z) = -log(1 + e^(-z)) and log(1 - σ(z)) = -log(1 + e^z), which stay finite
    for every z, so no clipping is needed and the gradient is exact.
    """
    m = X.shape[1]
    Z = jnp.matmul(W, X) + b
    return jnp.sum(Y * jnp.logaddexp(0.0, -Z) + (1 - Y) * jnp.logaddexp(0.0, Z)) / m


def loss_jax(Z, Y):
    """The per-example log losses of σ(Z), summed (not averaged): jax.grad(loss_jax)(Z, Y) is dl/dz entry by entry."""
    return jnp.sum(Y * jnp.logaddexp(0.0, -Z) + (1 - Y) * jnp.logaddexp(0.0, Z))


def gradient_check_of_log_loss(parameters, grads, X, Y, epsilon=1e-6):
    """gradient_check with cost_of(parameters) = the log loss of σ(W X + b) on (X, Y)."""
    return gradient_check(lambda p: compute_cost(forward_propagation(X, p), Y), parameters, grads, epsilon)
