"""Public checks for neural_network: what `check("<exercise>")` runs in the notebook.

Each check makes its own inputs from its seed. The sizes differ from one another (n_x = 3 input
features, n_h = 4 hidden units, n_y = 2 outputs, m = 7 examples) and every bias is non-zero, so
code that hard-codes a size, confuses rows with columns, swaps the layers or ignores a bias fails.
Expected values come from the reference; gradients from `jax.grad` of its cost; the values of
known mistakes from mistakes.py (recorded, so the formulas are not spelled out here).
"""

import ast

import numpy as np
import pytest

from autograder.errors import CheckFailure, StudentCodeRaised
from autograder.numeric import (
    Mistake,
    expect_array,
    expect_bool_array,
    expect_close,
    expect_dict,
    expect_equal,
    expect_float_close,
    expect_tuple,
)

N_X, N_H, N_Y, M = 3, 4, 2, 7
LEARNING_RATE = 0.3  # not the default 1.2, so a hard-coded rate shows
PARAMETER_KEYS = ("W1", "b1", "W2", "b2")
CACHE_KEYS = ("Z1", "A1", "Z2", "A2")
GRADIENT_KEYS = ("dW1", "db1", "dW2", "db2")


def make_parameters(rng, n_x, n_h, n_y, bias=0.0):
    """Weights of order one and non-zero biases (centred on ``bias``)."""
    return {
        "W1": rng.normal(size=(n_h, n_x)),
        "b1": rng.normal(loc=bias, size=(n_h, 1)),
        "W2": rng.normal(size=(n_y, n_h)),
        "b2": rng.normal(loc=bias, size=(n_y, 1)),
    }


def make_data(rng, n_x, n_y, m):
    """Inputs in both signs and 0/1 labels of both classes in every output row."""
    X = rng.normal(size=(n_x, m))
    Y = (rng.random(size=(n_y, m)) < 0.5).astype(float)
    Y[:, 0], Y[:, 1] = 0.0, 1.0
    return X, Y


def shape_hints(n_x, n_h, n_y):
    """What a wrong shape of each parameter (or its gradient) says about the mistake."""
    return {
        "W1": {(n_x, n_h): "W1 has one row per hidden unit and one column per input feature: shape (n_h, n_x)."},
        "W2": {(n_h, n_y): "W2 has one row per output and one column per hidden unit: shape (n_y, n_h)."},
        "b1": {(n_h,): "Keep b1 a column of shape (n_h, 1): np.zeros((n_h, 1)), or sum with keepdims=True.",
               (1, n_h): "b1 is a column, one entry per hidden unit: shape (n_h, 1)."},
        "b2": {(n_y,): "Keep b2 a column of shape (n_y, 1): np.zeros((n_y, 1)), or sum with keepdims=True.",
               (1, n_y): "b2 is a column, one entry per output: shape (n_y, 1)."},
    }


def gradient_shape_hints(n_x, n_h, n_y, m):
    """Shape hints for the gradients: those of the parameters, plus sums over the wrong axis."""
    hints = {"d" + key: dict(table) for key, table in shape_hints(n_x, n_h, n_y).items()}
    over_features = "sums over the examples, which are the columns: np.sum(dZ, axis=1, keepdims=True) / m."
    hints["db1"].update({(1, m): "db1 " + over_features, (m,): "db1 " + over_features})
    hints["db2"].update({(1, m): "db2 " + over_features, (m,): "db2 " + over_features})
    return hints


def entry(values, key, name):
    """``values[key]`` (a dict the ladder has checked), refusing a None left where a value belongs."""
    value = values[key]
    if value is None:
        raise CheckFailure(f"`{name}` is None.",
                           f"Compute {key} and put it in the dict; a placeholder such as `{key} = None` may still be there.")
    return value


def elementwise(function, *args, **kwargs):
    """Call a student function that must work on arrays; a scalar-only implementation gets a hint."""
    try:
        return function(*args, **kwargs)
    except StudentCodeRaised as error:
        if error.exc_type == "TypeError" and "scalar" in str(error):
            raise CheckFailure(
                f"{error}: it works on one number at a time, but it is called with a whole array.",
                "math.exp takes a single number; np.exp works elementwise on arrays. "
                "Use np.exp so the function applies to every entry at once.",
            ) from None
        raise


# -- sigmoid


def sigmoid_mistakes(z, expected):
    return [
        Mistake("Mind the sign in the exponent: sigma(z) = 1 / (1 + e^(-z)). With e^(+z) you get 1 - sigma(z).",
                1 - expected),
        Mistake("That is tanh. The sigmoid is 1 / (1 + np.exp(-z)), with values between 0 and 1.", np.tanh(z)),
        Mistake("Take the reciprocal of the whole denominator: 1 / (1 + np.exp(-z)), with the parentheses "
                "(1 / 1 + np.exp(-z) is 1 + e^(-z)).", 1 + np.exp(-z)),
    ]


@pytest.mark.exercise("sigmoid", points=1)
def check_sigmoid(submission, reference, rng):
    """sigma(z) = 1 / (1 + e^(-z)), elementwise on a (4, 7) array of values of both signs."""
    z = rng.normal(scale=3.0, size=(N_H, M))
    expected = reference.sigmoid(z)
    got = elementwise(submission.sigmoid, z)
    expect_close(got, expected, name="sigmoid(z)", mistakes=sigmoid_mistakes(z, expected))


# -- layer_sizes


@pytest.mark.exercise("layer_sizes", points=1)
def check_layer_sizes(submission, rng):
    """(n_x, n_h, n_y) = (rows of X, 2, rows of Y)."""
    X, Y = rng.normal(size=(N_X, M)), rng.normal(size=(N_Y, M))
    got = expect_tuple(submission.layer_sizes(X, Y), name="layer_sizes(X, Y)", length=3)
    expect_equal(got, (N_X, 2, N_Y), name="layer_sizes(X, Y)", mistakes=layer_sizes_mistakes(N_X, N_Y, M))


def layer_sizes_mistakes(n_x, n_y, m):
    return [
        Mistake("The sizes must come from the data, not be written in: n_x = X.shape[0] and n_y = Y.shape[0] "
                "(only n_h = 2 is fixed). (2, 2, 1) fits the notebook's data set, but not other data.", (2, 2, 1)),
        Mistake("X is (n_x, m), one example per column: the number of features is X.shape[0], not X.shape[1].",
                (m, 2, n_y)),
        Mistake("Y is (n_y, m): the number of outputs is Y.shape[0], not Y.shape[1].", (n_x, 2, m)),
        Mistake("Both sizes are rows: n_x = X.shape[0] and n_y = Y.shape[0].", (m, 2, m)),
        Mistake("n_y must come from Y (Y.shape[0]), not be fixed at 1.", (n_x, 2, 1)),
        Mistake("The order is (n_x, n_h, n_y): inputs, hidden units, outputs.", (n_y, 2, n_x)),
        Mistake("In this assignment layer_sizes returns n_h = 2; the width of the hidden layer is chosen later, "
                "with nn_model's argument n_h.", (n_x, 4, n_y)),
    ]


# -- initialize_parameters


def expect_parameter_shapes(got, n_x, n_h, n_y, name="parameters"):
    """The four parameters with their shapes; returns them as float arrays."""
    params = expect_dict(got, name=name, keys=PARAMETER_KEYS)
    shapes = {"W1": (n_h, n_x), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}
    hints = shape_hints(n_x, n_h, n_y)
    return {key: expect_array(entry(params, key, f'{name}["{key}"]'), name=f'{name}["{key}"]', shape=shapes[key],
                              shape_hints=hints[key])
            for key in PARAMETER_KEYS}


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_shapes(submission, seed):
    """W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1), the biases all zero."""
    got = submission.initialize_parameters.with_options(np_seed=seed)(N_X, N_H, N_Y)
    params = expect_parameter_shapes(got, N_X, N_H, N_Y)
    for key, rows in (("b1", "n_h"), ("b2", "n_y")):
        if np.any(params[key] != 0):
            raise CheckFailure(f'`parameters["{key}"]` is not all zeros.', f"Start the biases at zero: np.zeros(({rows}, 1)).")


def expect_small_normal_weights(W, key):
    """Entries that look like 0.01 * standard normal draws (W has at least 1000 entries)."""
    name = f'parameters["{key}"]'
    randn_hint = f"Draw {key} from the standard normal distribution and scale it down: np.random.randn(rows, columns) * 0.01."
    if np.all(W == 0):
        raise CheckFailure(
            f"`{name}` is all zeros.",
            "With equal weights every hidden unit computes the same thing and receives the same gradient, so the "
            "units stay identical however long you train (the symmetry is never broken). Start from small random "
            "weights: np.random.randn(rows, columns) * 0.01.",
        )
    if np.all(W >= 0):
        raise CheckFailure(f"Every entry of `{name}` is non-negative.",
                           "np.random.rand draws from [0, 1), so all weights are positive; np.random.randn draws from a "
                           "normal distribution centred at 0 (both signs). " + randn_hint)
    std, mean = float(W.std()), float(W.mean())
    if not 0.0085 <= std <= 0.0115:  # the sample std of 1000+ draws is within 3 % of the true 0.01
        scale = "the factor 0.01 is missing" if 0.5 < std < 2 else "the scale is off"
        raise CheckFailure(f"The entries of `{name}` have standard deviation {std:.3g}; expected about 0.01 ({scale}).",
                           randn_hint)
    if abs(mean) > 0.0015:  # the mean of 1000+ draws of sd 0.01 has sd 0.0003
        raise CheckFailure(f"The entries of `{name}` average {mean:.3g}; expected about 0.", randn_hint)


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_statistics(submission, seed):
    """The weights are small (std about 0.01), centred, of both signs: 0.01 * randn, W1 and W2 alike."""
    n_x, n_h, n_y = 30, 40, 25  # 1200 and 1000 weights: tight statistics
    got = submission.initialize_parameters.with_options(np_seed=seed)(n_x, n_h, n_y)
    params = expect_parameter_shapes(got, n_x, n_h, n_y)
    for key in ("W1", "W2"):
        expect_small_normal_weights(params[key], key)


# -- forward_propagation


def forward_mistakes(mistakes, X, params):
    return [
        Mistake("Add the hidden layer's bias: Z1 = W1 X + b1.", lambda: mistakes.forward_without_b1(X, params)),
        Mistake("Add the output layer's bias: Z2 = W2 A1 + b2.", lambda: mistakes.forward_without_b2(X, params)),
        Mistake("This network uses the sigmoid in the hidden layer too: A1 = sigmoid(Z1), not np.tanh(Z1).",
                lambda: mistakes.forward_tanh_hidden(X, params)),
        Mistake("Apply the sigmoid to the output as well: A2 = sigmoid(Z2), a probability between 0 and 1.",
                lambda: mistakes.forward_linear_output(X, params)),
        Mistake("Apply the sigmoid in the hidden layer: A1 = sigmoid(Z1), and feed A1 (not Z1) to the output layer.",
                lambda: mistakes.forward_linear_hidden(X, params)),
    ]


def forward_case(rng, reference, n_x, n_h, n_y, m, bias=0.0):
    X = rng.normal(size=(n_x, m))
    params = make_parameters(rng, n_x, n_h, n_y, bias)
    A2, cache = reference.forward_propagation(X, params)
    return X, params, A2, cache


def call_forward(submission, reference, X, params):
    """The student's forward_propagation with the reference sigmoid, so a bug there costs only sigmoid."""
    forward = submission.forward_propagation.with_options(replace=stand_ins(reference, ("sigmoid",)))
    return expect_tuple(forward(X, params), name="forward_propagation(X, parameters)", length=2)


def cache_mistakes(cache):
    return {
        "A1": [Mistake("This network uses the sigmoid in the hidden layer too: A1 = sigmoid(Z1), not np.tanh(Z1).",
                       np.tanh(cache["Z1"])),
               Mistake("A1 is the hidden layer's activation: A1 = sigmoid(Z1).", cache["Z1"])],
        "A2": [Mistake("A2 is the output's activation: A2 = sigmoid(Z2), a probability between 0 and 1.", cache["Z2"])],
    }


def expect_cache(got, cache, n_h, n_y, m):
    got = expect_dict(got, name="cache", keys=CACHE_KEYS)
    mistakes = cache_mistakes(cache)
    for key in CACHE_KEYS:
        rows = "n_h" if key.endswith("1") else "n_y"
        hint = f"{key} has one row per {'hidden unit' if rows == 'n_h' else 'output'} and one column per example: ({rows}, m)."
        expect_close(entry(got, key, f'cache["{key}"]'), cache[key], name=f'cache["{key}"]',
                     shape_hints={(m, n_h if rows == "n_h" else n_y): hint}, mistakes=mistakes.get(key, ()))


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation_A2(submission, reference, mistakes, rng, contract):
    """A2 = sigmoid(W2 sigmoid(W1 X + b1) + b2): 3 features, 4 hidden units, 2 outputs (or the one the notebook's
    contract allows), 7 examples."""
    n_y = contract.get("outputs", N_Y)
    X, params, A2, _ = forward_case(rng, reference, N_X, N_H, n_y, M)
    got_A2, _ = call_forward(submission, reference, X, params)
    expect_close(got_A2, A2, name="A2", mistakes=forward_mistakes(mistakes, X, params),
                 shape_hints={(M, n_y): "A2 has one row per output and one column per example: (n_y, m)."})


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation_cache(submission, reference, rng, contract):
    """The cache holds Z1, A1 (n_h, m) and Z2, A2 (n_y, m) of the same forward pass."""
    n_y = contract.get("outputs", N_Y)
    X, params, _, cache = forward_case(rng, reference, N_X, N_H, n_y, M)
    _, got_cache = call_forward(submission, reference, X, params)
    expect_cache(got_cache, cache, N_H, n_y, M)


# -- compute_cost


def cost_mistakes(mistakes, A2, Y, expected, n_y, m):
    return [
        Mistake("The log of a probability is negative, so the cost needs a minus sign in front: "
                "L = -1/m * sum(Y log A2 + (1 - Y) log(1 - A2)).", -expected),
        Mistake("Average over the examples: divide the sum by m, the number of columns.", m * expected),
        Mistake("Divide by m, the number of examples (columns), not by the number of entries n_y * m: "
                "np.mean averages over every entry.", expected / n_y),
        Mistake("Both terms belong in the sum: Y log A2 counts the examples labelled 1, (1 - Y) log(1 - A2) "
                "the ones labelled 0.", lambda: mistakes.cost_positive_term_only(A2, Y)),
    ]


def expect_cost(got, expected, mistakes, A2, Y):
    n_y, m = Y.shape
    if isinstance(got, np.ndarray) and got.shape == (n_y, n_y) and n_y > 1:
        raise CheckFailure(f"`cost` is a numpy array of shape {got.shape}, but a single number was expected.",
                           "np.dot of two (n_y, m) arrays is an (n_y, n_y) matrix that mixes the output rows. Multiply "
                           "elementwise, add up every entry with np.sum, divide by m and return float(cost).")
    expect_float_close(got, expected, name="cost", mistakes=cost_mistakes(mistakes, A2, Y, expected, n_y, m))


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost(submission, reference, mistakes, rng, contract):
    """L = -1/m sum(Y log A2 + (1 - Y) log(1 - A2)) over two output rows (or the one the notebook's contract
    allows), as one float."""
    n_y = contract.get("outputs", N_Y)
    A2 = rng.uniform(0.05, 0.95, size=(n_y, M))
    _, Y = make_data(rng, N_X, n_y, M)
    expected = reference.compute_cost(A2, Y)
    expect_cost(submission.compute_cost(A2, Y), expected, mistakes, A2, Y)


# -- backward_propagation


def backward_case(rng, reference, n_x, n_h, n_y, m):
    """A forward pass of the reference, and jax.grad of the reference cost at the same point."""
    X, Y = make_data(rng, n_x, n_y, m)
    params = make_parameters(rng, n_x, n_h, n_y)
    _, cache = reference.forward_propagation(X, params)
    blocks = reference.grad("cost_jax", argnums=(0, 1, 2, 3))(params["W1"], params["b1"], params["W2"], params["b2"], X, Y)
    return X, Y, params, cache, dict(zip(GRADIENT_KEYS, blocks, strict=True))


def gradient_mistakes(mistakes, params, cache, X, Y, expected, key, m):
    found = [
        Mistake("The error at the output is dZ2 = A2 - Y (prediction minus label); the sign is flipped.", -expected),
        Mistake("Average over the examples: divide by m.", m * expected),
    ]
    if key in ("dW1", "db1"):
        found += [
            Mistake("In this network the hidden layer uses the sigmoid, whose derivative is A1 * (1 - A1); "
                    "1 - A1**2 is the derivative of tanh.",
                    lambda: mistakes.backward_tanh_derivative(params, cache, X, Y)[key]),
            Mistake("The error flows back through the weights: dZ1 = (W2.T @ dZ2) * A1 * (1 - A1). "
                    "You used the gradient dW2 where the weights W2 belong.",
                    lambda: mistakes.backward_dW2_in_dZ1(params, cache, X, Y)[key]),
            Mistake("Multiply by the sigmoid's derivative at the hidden layer: dZ1 = (W2.T @ dZ2) * A1 * (1 - A1).",
                    lambda: mistakes.backward_without_activation_derivative(params, cache, X, Y)[key]),
            Mistake("The sigmoid's derivative is sigma'(Z1) = A1 * (1 - A1), written with the activations A1, "
                    "not Z1 * (1 - Z1).", lambda: mistakes.backward_derivative_of_Z1(params, cache, X, Y)[key]),
        ]
    return found


def expect_gradient_block(grads, key, expected, mistakes, params, cache, X, Y, n_x, n_h, n_y, m):
    hints = gradient_shape_hints(n_x, n_h, n_y, m)[key]
    expect_close(entry(grads, key, f'grads["{key}"]'), expected[key], name=f'grads["{key}"]', shape_hints=hints,
                 mistakes=gradient_mistakes(mistakes, params, cache, X, Y, expected[key], key, m))


def call_backward(submission, reference, params, cache, X, Y):
    backward = submission.backward_propagation.with_options(replace=stand_ins(reference, ("sigmoid",)))
    return expect_dict(backward(params, cache, X, Y), name="grads", keys=GRADIENT_KEYS)


def backward_check(submission, reference, mistakes, rng, key, n_y=N_Y):
    X, Y, params, cache, expected = backward_case(rng, reference, N_X, N_H, n_y, M)
    grads = call_backward(submission, reference, params, cache, X, Y)
    expect_gradient_block(grads, key, expected, mistakes, params, cache, X, Y, N_X, N_H, n_y, M)


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_dW2(submission, reference, mistakes, rng, contract):
    """dW2 = 1/m dZ2 A1^T, compared with jax.grad of the cost."""
    backward_check(submission, reference, mistakes, rng, "dW2", contract.get("outputs", N_Y))


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_db2(submission, reference, mistakes, rng, contract):
    """db2 = 1/m row sums of dZ2, an (n_y, 1) column, compared with jax.grad of the cost."""
    backward_check(submission, reference, mistakes, rng, "db2", contract.get("outputs", N_Y))


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_dW1(submission, reference, mistakes, rng, contract):
    """dW1 = 1/m dZ1 X^T with dZ1 = (W2^T dZ2) * A1 (1 - A1), compared with jax.grad of the cost."""
    backward_check(submission, reference, mistakes, rng, "dW1", contract.get("outputs", N_Y))


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_db1(submission, reference, mistakes, rng, contract):
    """db1 = 1/m row sums of dZ1, an (n_h, 1) column, compared with jax.grad of the cost."""
    backward_check(submission, reference, mistakes, rng, "db1", contract.get("outputs", N_Y))


# -- update_parameters


def update_case(rng, n_x, n_h, n_y):
    params = make_parameters(rng, n_x, n_h, n_y)
    grads = {"d" + key: value for key, value in make_parameters(rng, n_x, n_h, n_y).items()}
    return params, grads


def update_mistakes(params, grads, default_step, key, learning_rate):
    gradient = grads["d" + key]
    return [
        Mistake(f"Use the learning_rate argument, not a fixed number (this check passes learning_rate={learning_rate}).",
                default_step[key]),
        Mistake("Gradient descent steps against the gradient: subtract learning_rate times the gradient.",
                params[key] + learning_rate * gradient),
        Mistake("Multiply the gradient by the learning rate before subtracting it.", params[key] - gradient),
    ]


def expect_updated(got, params, grads, expected, default_step, learning_rate):
    got = expect_dict(got, name="parameters", keys=PARAMETER_KEYS)
    for key in PARAMETER_KEYS:
        expect_close(entry(got, key, f'parameters["{key}"]'), expected[key], name=f'parameters["{key}"]',
                     mistakes=update_mistakes(params, grads, default_step, key, learning_rate))


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters(submission, reference, rng):
    """P - alpha dP for W1, b1, W2, b2, with the learning rate passed in (0.3)."""
    params, grads = update_case(rng, N_X, N_H, N_Y)
    expected = reference.update_parameters(params, grads, learning_rate=LEARNING_RATE)
    default_step = reference.update_parameters(params, grads)
    got = submission.update_parameters(params, grads, learning_rate=LEARNING_RATE)
    expect_updated(got, params, grads, expected, default_step, LEARNING_RATE)


# -- nn_model

BUILDING_BLOCKS = ("sigmoid", "layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
                   "backward_propagation", "update_parameters")


def stand_ins(reference, names, seed=None):
    """The reference's building blocks ``names``, to stand in for the student's own inside the function
    a check calls, so that it is judged on its own logic (a bug in backward_propagation costs one
    exercise, not nn_model too). ``seed`` seeds initialize_parameters."""
    return reference.blocks(*names, np_seeds={"initialize_parameters": seed} if seed is not None else None)


N_H_HINT = ("nn_model must use its n_h argument. layer_sizes always says n_h = 2: take only n_x and n_y from it, "
            "e.g. n_x = layer_sizes(X, Y)[0] and n_y = layer_sizes(X, Y)[2].")
SIZES_HINT = ("Take n_x and n_y from the data with layer_sizes(X, Y) and n_h from the argument, instead of writing in "
              "the sizes of the notebook's data set.")


def nn_model_shape_hints(n_x, n_h, n_y):
    return {
        "W1": {(2, n_x): N_H_HINT, (n_h, 2): SIZES_HINT, (2, 2): SIZES_HINT},
        "W2": {(1, n_h): SIZES_HINT},
    }


def _plain_int(value):
    return int(value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value


def expect_sizes_passed(calls, n_x, n_h, n_y):
    """nn_model created its parameters with the data's n_x and n_y and the n_h it was given."""
    for bound in calls.get("initialize_parameters", []):
        got = tuple(_plain_int(value) for value in bound)
        if got == (n_x, n_h, n_y):
            continue
        shown = "initialize_parameters(" + ", ".join(repr(v) for v in got) + ")"
        if len(got) == 3 and got[0] == n_x and got[2] == n_y:
            raise CheckFailure(f"nn_model called {shown}: a hidden layer of {got[1]} units, but it was asked for "
                               f"n_h = {n_h}.", N_H_HINT)
        raise CheckFailure(f"nn_model called {shown}, but X has {n_x} rows (features) and Y has {n_y} rows "
                           f"(outputs) and n_h = {n_h} was asked for.", SIZES_HINT)


def call_nn_model(submission, reference, seed, sizes, X, Y, *args, watch_args=False, **kwargs):
    """The student's nn_model on the reference's building blocks; returns the call's record.

    When the parameters were created with the wrong sizes, that is the verdict, whether or not
    the training then failed on them."""
    nn_model = submission.nn_model.with_options(np_seed=seed, watch_args=watch_args,
                                                replace=stand_ins(reference, BUILDING_BLOCKS, seed))
    try:
        record = nn_model.call(X, Y, *args, **kwargs)
    except StudentCodeRaised:
        expect_sizes_passed(nn_model.stand_in_calls, *sizes)
        raise
    expect_sizes_passed(nn_model.stand_in_calls, *sizes)
    return record


def no_update_mistake(start, key):
    return Mistake("nn_model returned the starting parameters: assign the result of update_parameters in every "
                   "iteration (parameters = update_parameters(parameters, grads, learning_rate)).", start[key])


def expect_trained(got, expected, n_x, n_h, n_y, mistakes_for):
    params = expect_dict(got, name="parameters", keys=PARAMETER_KEYS)
    hints = nn_model_shape_hints(n_x, n_h, n_y)
    for key in PARAMETER_KEYS:
        expect_close(entry(params, key, f'parameters["{key}"]'), expected[key], name=f'parameters["{key}"]',
                     tolerance="iterative",
                     mistakes=mistakes_for(key), shape_hints=hints.get(key))


NN_MODEL_DEFAULTS = {"num_iterations": 10, "learning_rate": 1.2}


def expect_defaults(submission, name, defaults):
    """The defaults the function declares (where they are plain numbers), read from its source."""
    source = submission.source_of(name)
    if source is None:
        return
    parameters = source.args.args[len(source.args.args) - len(source.args.defaults):]
    for parameter, default in zip(parameters, source.args.defaults, strict=True):
        expected = defaults.get(parameter.arg)
        if expected is not None and isinstance(default, ast.Constant) and default.value != expected:
            raise CheckFailure(f"{name}'s default {parameter.arg} is {default.value!r}; the exercise's is {expected!r}.",
                               "Keep the signature the exercise gives: nn_model(X, Y, n_h, num_iterations=10, "
                               "learning_rate=1.2, print_cost=False).")


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_defaults(submission, reference, rng, seed):
    """n_h = 4 hidden units, ten iterations at learning rate 1.2 from the seeded start: the reference's parameters."""
    expect_defaults(submission, "nn_model", NN_MODEL_DEFAULTS)
    X, Y = make_data(rng, N_X, N_Y, M)
    expected = reference.function("nn_model", np_seed=seed)(X, Y, N_H)
    start = reference.function("initialize_parameters", np_seed=seed)(N_X, N_H, N_Y)
    record = call_nn_model(submission, reference, seed, (N_X, N_H, N_Y), X, Y, N_H)
    expect_trained(record.value, expected, N_X, N_H, N_Y, lambda key: [no_update_mistake(start, key)])


# -- predict


def predict_case(rng, n_x, n_h, m):
    """Inputs and parameters whose probabilities A2 spread on both sides of 0.5 (one output)."""
    X = rng.normal(size=(n_x, m))
    params = make_parameters(rng, n_x, n_h, 1)
    params["W2"] *= 3.0
    return X, params


def argument_order_hint(submission, name, expected):
    """A hint when the student's function takes its arguments in another order (another course's)."""
    source = submission.source_of(name)
    names = tuple(a.arg for a in source.args.args) if source is not None else ()
    if names == expected or not set(expected) <= set(names):
        return None
    return (f"Your {name} is defined as {name}({', '.join(names)}), but it is called as {name}({', '.join(expected)}): "
            "keep the order of the arguments given in the exercise.")


def call_predict(submission, predict, X, params):
    try:
        return predict(X, params)
    except StudentCodeRaised as error:
        hint = argument_order_hint(submission, "predict", ("X", "parameters"))
        if hint:
            raise CheckFailure(f"predict(X, parameters) failed: {error}", hint) from None
        raise


def expect_predictions(got, expected, m, contract):
    got = expect_bool_array(got, name="predictions", shape=(1, m), zeros_and_ones=contract.get("integer_predictions", False),
                            shape_hints={(m,): "Keep the predictions 2-D, shape (1, m), like A2."})
    expected = np.asarray(expected, dtype=bool)
    if np.array_equal(got, expected):
        return
    if np.array_equal(got, ~expected):
        raise CheckFailure("Every prediction is the opposite of the expected one.",
                           "Predict True (class 1) where the probability A2 is above 0.5: A2 > 0.5.")
    wrong = np.argwhere(got != expected)
    where = tuple(int(i) for i in wrong[0])
    raise CheckFailure(f"`predictions` is wrong in {len(wrong)} of {m} examples; the first at index {where}: "
                       f"you have {bool(got[where])}, expected {bool(expected[where])}.",
                       "A prediction is True exactly where the network's probability A2 is above 0.5.")


@pytest.mark.exercise("predict", points=1)
def check_predict(submission, reference, rng, contract):
    """True where A2 > 0.5, as booleans of shape (1, m): 3 features, 4 hidden units, 9 examples."""
    X, params = predict_case(rng, N_X, N_H, 9)
    expected = reference.predict(X, params)
    predict = submission.predict.with_options(replace=stand_ins(reference, ("forward_propagation", "sigmoid")))
    expect_predictions(call_predict(submission, predict, X, params), expected, 9, contract)
