"""Known wrong answers for perceptron_classification, computed on the checks' own inputs, so that a check can name the
mistake. Instructor-only: students get only the values recorded for the public checks' inputs, so the public checks
file that ships to them does not spell out the derivative they are asked to derive."""

import numpy as np


def _sigmoid(z):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


# -- dcost_dz: dl/dz of l = -(y log a + (1 - y) log(1 - a)), a = σ(z), per example


def dcost_dz_known(A, Y):
    """The usual wrong answers, by name (the checks hold the hints)."""
    m = A.shape[-1] if np.ndim(A) else 1
    dl_da = -Y / A + (1 - Y) / (1 - A)
    return {
        "sign": Y - A,  # label minus prediction
        "dl_da": dl_da,  # the chain stops at a: da/dz = a(1 - a) never multiplied in
        "da_dz": A * (1 - A),  # only the sigmoid's derivative
        "squared_error": A * (1 - A) * (A - Y),  # d/dz of (a - y)^2 / 2: the regression cost's chain
        "over_m": (A - Y) / m,  # averaged here already, which backward_propagation does
        "sigmoid_of_a": dl_da * _sigmoid(A) * (1 - _sigmoid(A)),  # σ'(a) where σ'(z) = a(1 - a) is meant
        "second_term_sign": (-Y / A - (1 - Y) / (1 - A)) * A * (1 - A),  # d/da of -(1 - y) log(1 - a) with its sign lost
    }


# -- backward_propagation


def backward_extra_sigmoid_derivative(A, X, Y):
    """dZ multiplied by σ'(Z) = A(1 - A) once more, although the chain rule already went through it."""
    m, dZ = X.shape[1], (A - Y) * A * (1 - A)
    return {"dW": dZ @ X.T / m, "db": np.sum(dZ, axis=1, keepdims=True) / m}


# -- gradient_check, on the checks' cost: the log loss of σ(W X + b) on (X, Y)


def _log_loss(X, Y):
    def cost_of(parameters):
        Z = parameters["W"] @ X + parameters["b"]
        return float(np.sum(Y * np.logaddexp(0.0, -Z) + (1 - Y) * np.logaddexp(0.0, Z)) / X.shape[1])
    return cost_of


def _numerical(cost_of, parameters, epsilon, scheme):
    """Every gradient by finite differences: "central", "forward", "over_epsilon" (central, divided by ε) or
    "shared_arrays" (a dict.copy() perturbed: the + step is undone before the - step, so the second cost is at θ)."""
    numerical = {}
    for key, theta in parameters.items():
        g_num = np.zeros(theta.shape)
        for index in np.ndindex(theta.shape):
            def cost_at(step, key=key, theta=theta, index=index):
                shifted = theta.copy()
                shifted[index] += step
                return cost_of({**parameters, key: shifted})
            if scheme == "forward":
                g_num[index] = (cost_at(epsilon) - cost_at(0.0)) / epsilon
            elif scheme == "over_epsilon":
                g_num[index] = (cost_at(epsilon) - cost_at(-epsilon)) / epsilon
            elif scheme == "shared_arrays":
                g_num[index] = (cost_at(epsilon) - cost_at(0.0)) / (2 * epsilon)
            else:
                g_num[index] = (cost_at(epsilon) - cost_at(-epsilon)) / (2 * epsilon)
        numerical["d" + key] = g_num
    return numerical


def _in_place(cost_of, parameters, epsilon):
    """Central differences taken on the caller's own arrays, +ε then −2ε, never put back: every later entry (and every
    later parameter) is estimated at a point already moved. Run on copies here, so the checks' inputs stay as they are."""
    moved = {key: np.array(theta, dtype=float) for key, theta in parameters.items()}
    numerical = {}
    for key, theta in moved.items():
        g_num = np.zeros(theta.shape)
        for index in np.ndindex(theta.shape):
            theta[index] += epsilon
            cost_plus = cost_of(moved)
            theta[index] -= 2 * epsilon
            g_num[index] = (cost_plus - cost_of(moved)) / (2 * epsilon)
        numerical["d" + key] = g_num
    return numerical


def _relative(g, g_num):
    denominator = np.linalg.norm(g) + np.linalg.norm(g_num)
    return float(np.linalg.norm(g - g_num) / denominator) if denominator > 0 else 0.0


def gradient_check_known(parameters, grads, X, Y, epsilon=1e-6):
    """What the usual wrong gradient checks return, by name: {name: {"dW": error, "db": error}}."""
    cost_of = _log_loss(X, Y)
    central = _numerical(cost_of, parameters, epsilon, "central")
    keys = list(central)
    known = {scheme: {k: _relative(grads[k], g_num[k]) for k in keys}
             for scheme in ("over_epsilon", "shared_arrays") for g_num in [_numerical(cost_of, parameters, epsilon, scheme)]}
    in_place = _in_place(cost_of, parameters, epsilon)
    known["in_place"] = {k: _relative(grads[k], in_place[k]) for k in keys}
    known["without_denominator"] = {k: float(np.linalg.norm(grads[k] - central[k])) for k in keys}
    known["max_absolute"] = {k: float(np.max(np.abs(grads[k] - central[k]))) for k in keys}
    known["over_norm_of_g"] = {k: float(np.linalg.norm(grads[k] - central[k]) / np.linalg.norm(grads[k])) for k in keys}
    every_g = np.concatenate([np.ravel(grads[k]) for k in keys])
    every_g_num = np.concatenate([np.ravel(central[k]) for k in keys])
    one = _relative(every_g, every_g_num)
    known["one_error"] = {k: one for k in keys}
    return known
