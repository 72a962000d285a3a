"""Known wrong answers for neural_network, computed on the checks' own inputs, so that a check can name the mistake.
Instructor-only: students get only the values recorded for the public checks' inputs, so the public checks file that
ships to them does not spell these formulas out."""

import numpy as np


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _forward(X, parameters, hidden=_sigmoid, output=_sigmoid, use_b1=True, use_b2=True):
    A1 = hidden(parameters["W1"] @ X + (parameters["b1"] if use_b1 else 0))
    return output(parameters["W2"] @ A1 + (parameters["b2"] if use_b2 else 0))


def forward_without_b1(X, parameters):
    """The hidden layer's bias never added."""
    return _forward(X, parameters, use_b1=False)


def forward_without_b2(X, parameters):
    """The output layer's bias never added."""
    return _forward(X, parameters, use_b2=False)


def forward_tanh_hidden(X, parameters):
    """tanh in the hidden layer (as in networks of other courses) where this one uses the sigmoid."""
    return _forward(X, parameters, hidden=np.tanh)


def forward_linear_output(X, parameters):
    """No sigmoid on the output: A2 = Z2."""
    return _forward(X, parameters, output=lambda z: z)


def forward_linear_hidden(X, parameters):
    """No sigmoid in the hidden layer: A1 = Z1."""
    return _forward(X, parameters, hidden=lambda z: z)


def cost_positive_term_only(A2, Y):
    """Only the Y log A2 term: the examples with label 0 never count."""
    return float(-np.sum(Y * np.log(A2)) / Y.shape[1])


def _backward(cache, X, Y, dZ1_of):
    """The gradients, right but for the hidden layer's error dZ1 = dZ1_of(dZ2, dW2)."""
    m, dZ2 = X.shape[1], cache["A2"] - Y
    dW2 = dZ2 @ cache["A1"].T / m
    dZ1 = dZ1_of(dZ2, dW2)
    return {"dW1": dZ1 @ X.T / m, "db1": np.sum(dZ1, axis=1, keepdims=True) / m,
            "dW2": dW2, "db2": np.sum(dZ2, axis=1, keepdims=True) / m}


def backward_tanh_derivative(parameters, cache, X, Y):
    """dZ1 = W2^T dZ2 * (1 - A1^2): the derivative of tanh, not of the sigmoid."""
    return _backward(cache, X, Y, lambda dZ2, dW2: (parameters["W2"].T @ dZ2) * (1 - cache["A1"] ** 2))


def backward_dW2_in_dZ1(parameters, cache, X, Y):
    """dZ1 = dW2^T dZ2 * A1 (1 - A1): the gradient dW2 used where the weights W2 belong."""
    return _backward(cache, X, Y, lambda dZ2, dW2: (dW2.T @ dZ2) * cache["A1"] * (1 - cache["A1"]))


def backward_without_activation_derivative(parameters, cache, X, Y):
    """dZ1 = W2^T dZ2: the factor sigma'(Z1) = A1 (1 - A1) left out."""
    return _backward(cache, X, Y, lambda dZ2, dW2: parameters["W2"].T @ dZ2)


def backward_derivative_of_Z1(parameters, cache, X, Y):
    """dZ1 = W2^T dZ2 * Z1 (1 - Z1): the sigmoid's derivative formula applied to Z1 instead of A1."""
    return _backward(cache, X, Y, lambda dZ2, dW2: (parameters["W2"].T @ dZ2) * cache["Z1"] * (1 - cache["Z1"]))


def initialize_W2_first(n_x, n_h, n_y, seed):
    """0.01 randn weights from numpy's generator seeded with ``seed``, but W2 drawn before W1."""
    generator = np.random.RandomState(seed)  # the same draws as np.random.seed(seed) and then np.random.randn
    W2 = generator.randn(n_y, n_h) * 0.01
    W1 = generator.randn(n_h, n_x) * 0.01
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}
