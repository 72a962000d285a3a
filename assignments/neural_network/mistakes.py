"""Known wrong answers for neural_network, computed on the checks' own inputs.

Each function reproduces one common mistake so a check can recognise it and name it. This file
is instructor-only: students get only the recorded values for the public checks' inputs, so the
public checks file that ships to students does not spell these formulas out.
"""

import numpy as np


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _forward(X, parameters, hidden, output, use_b1=True, use_b2=True):
    Z1 = parameters["W1"] @ X + (parameters["b1"] if use_b1 else 0)
    A1 = hidden(Z1)
    Z2 = parameters["W2"] @ A1 + (parameters["b2"] if use_b2 else 0)
    return output(Z2)


# -- forward_propagation: A2 computed wrongly


def forward_without_b1(X, parameters):
    """The hidden layer's bias never added."""
    return _forward(X, parameters, _sigmoid, _sigmoid, use_b1=False)


def forward_without_b2(X, parameters):
    """The output layer's bias never added."""
    return _forward(X, parameters, _sigmoid, _sigmoid, use_b2=False)


def forward_tanh_hidden(X, parameters):
    """tanh in the hidden layer (as in networks of other courses) where this one uses the sigmoid."""
    return _forward(X, parameters, np.tanh, _sigmoid)


def forward_linear_output(X, parameters):
    """No sigmoid on the output: A2 = Z2."""
    return _forward(X, parameters, _sigmoid, lambda z: z)


def forward_linear_hidden(X, parameters):
    """No sigmoid in the hidden layer: A1 = Z1."""
    return _forward(X, parameters, lambda z: z, _sigmoid)


# -- compute_cost


def cost_positive_term_only(A2, Y):
    """Only the Y log A2 term: the examples with label 0 never count."""
    return float(-np.sum(Y * np.log(A2)) / Y.shape[1])


# -- backward_propagation: the hidden layer's error dZ1 computed wrongly


def _backward(parameters, cache, X, Y, dZ1_of):
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    dW2 = dZ2 @ cache["A1"].T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = dZ1_of(dZ2, dW2)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def backward_tanh_derivative(parameters, cache, X, Y):
    """dZ1 = W2^T dZ2 * (1 - A1^2): the derivative of tanh, not of the sigmoid."""
    A1 = cache["A1"]
    return _backward(parameters, cache, X, Y, lambda dZ2, dW2: (parameters["W2"].T @ dZ2) * (1 - A1 ** 2))


def backward_dW2_in_dZ1(parameters, cache, X, Y):
    """dZ1 = dW2^T dZ2 * A1 (1 - A1): the gradient dW2 used where the weights W2 belong."""
    A1 = cache["A1"]
    return _backward(parameters, cache, X, Y, lambda dZ2, dW2: (dW2.T @ dZ2) * A1 * (1 - A1))


def backward_without_activation_derivative(parameters, cache, X, Y):
    """dZ1 = W2^T dZ2: the factor sigma'(Z1) = A1 (1 - A1) left out."""
    return _backward(parameters, cache, X, Y, lambda dZ2, dW2: parameters["W2"].T @ dZ2)


def backward_derivative_of_Z1(parameters, cache, X, Y):
    """dZ1 = W2^T dZ2 * Z1 (1 - Z1): the sigmoid's derivative formula applied to Z1 instead of A1."""
    Z1 = cache["Z1"]
    return _backward(parameters, cache, X, Y, lambda dZ2, dW2: (parameters["W2"].T @ dZ2) * Z1 * (1 - Z1))
