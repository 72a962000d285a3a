"""Public checks for perceptron_regression: what `check("<exercise>")` runs in the notebook.

Each check makes its own inputs from its seed. Sizes differ from one another (n_x = 3, n_y = 2,
m = 7) and biases are non-zero, so code that hard-codes a size, confuses rows with columns or
ignores b fails. Expected values come from the reference; gradients from `jax.grad` of its cost.
"""

import re

import numpy as np
import pytest

from autograder.errors import CheckFailure
from autograder.figures import Figure
from autograder.numeric import (
    Mistake,
    expect_array,
    expect_close,
    expect_dict,
    expect_equal,
    expect_float_close,
    expect_tuple,
)

N_X, N_Y, M = 3, 2, 7
LEARNING_RATE = 0.3  # not the default 1.2, so a hard-coded rate shows


def make_parameters(rng, n_x, n_y):
    return {"W": rng.normal(size=(n_y, n_x)), "b": rng.normal(size=(n_y, 1))}


def make_regression_data(rng, n_x, n_y, m):
    """Normalised-looking inputs and targets that a linear model fits up to noise."""
    X = rng.normal(size=(n_x, m))
    true = make_parameters(rng, n_x, n_y)
    Y = true["W"] @ X + true["b"] + 0.1 * rng.normal(size=(n_y, m))
    return X, Y


# -- shared by the hidden checks too

W_SHAPE_HINTS = {(N_X, N_Y): "W has one row per output and one column per input feature: shape (n_y, n_x)."}
BUILDING_BLOCKS = ("layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
                   "backward_propagation", "update_parameters")


def reference_blocks(reference, seed):
    """The reference's building blocks, to stand in for the student's inside nn_model and predict,
    so those are judged on their own logic (a bug in forward_propagation costs one exercise)."""
    return {name: reference.function(name, np_seed=seed if name == "initialize_parameters" else None)
            for name in BUILDING_BLOCKS}


def no_update_mistake(start, key):
    return Mistake("nn_model returned the starting parameters: assign the result of update_parameters in every "
                   "iteration (parameters = update_parameters(parameters, grads, learning_rate)).", start[key])


def expect_parameters(got, expected, mistakes_for):
    params = expect_dict(got, name="parameters", keys=("W", "b"))
    for key in ("W", "b"):
        expect_close(params[key], expected[key], name=f'parameters["{key}"]', tolerance="iterative",
                     mistakes=mistakes_for(key), shape_hints=W_SHAPE_HINTS if key == "W" else None)


# -- layer_sizes


@pytest.mark.exercise("layer_sizes", points=1)
def check_layer_sizes(submission, rng):
    """(n_x, n_y) come from the number of rows of X and of Y."""
    X, Y = rng.normal(size=(N_X, M)), rng.normal(size=(N_Y, M))
    got = expect_tuple(submission.layer_sizes(X, Y), name="layer_sizes(X, Y)", length=2)
    expect_equal(got, (N_X, N_Y), name="layer_sizes(X, Y)", mistakes=[
        Mistake("X is (n_x, m), one example per column: the number of features is X.shape[0], not X.shape[1].", (M, N_Y)),
        Mistake("Y is (n_y, m): the number of outputs is Y.shape[0], not Y.shape[1].", (N_X, M)),
        Mistake("Both sizes are rows: n_x = X.shape[0] and n_y = Y.shape[0].", (M, M)),
        Mistake("The order is (n_x, n_y): inputs first, then outputs.", (N_Y, N_X)),
    ])


# -- initialize_parameters


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_shapes(submission, seed):
    """W has shape (n_y, n_x) and b is a column of zeros (n_y, 1)."""
    got = submission.initialize_parameters.with_options(np_seed=seed)(N_X, N_Y)
    params = expect_dict(got, name="parameters", keys=("W", "b"))
    expect_array(params["W"], name='parameters["W"]', shape=(N_Y, N_X), shape_hints=W_SHAPE_HINTS)
    b = expect_array(params["b"], name='parameters["b"]', shape=(N_Y, 1))
    if np.any(b != 0):
        raise CheckFailure('`parameters["b"]` is not all zeros.', "Start the bias at zero: np.zeros((n_y, 1)).")


# -- forward_propagation


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation(submission, reference, rng):
    """Y_hat = W X + b for three features, two outputs and seven examples."""
    X = rng.normal(size=(N_X, M))
    params = make_parameters(rng, N_X, N_Y)
    W, b = params["W"], params["b"]
    expect_close(submission.forward_propagation(X, params), reference.forward_propagation(X, params), name="Y_hat",
                 mistakes=[
                     Mistake("Add the bias: Y_hat = W X + b.", W @ X),
                     Mistake("The bias is added, not subtracted: Y_hat = W X + b.", W @ X - b),
                 ])


# -- compute_cost


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost(submission, reference, rng):
    """L = 1/(2m) Σ (Ŷ − Y)² as one number."""
    Y_hat, Y = rng.normal(size=(N_Y, M)), rng.normal(size=(N_Y, M))
    expected = reference.compute_cost(Y_hat, Y)
    expect_float_close(submission.compute_cost(Y_hat, Y), expected, name="cost", mistakes=cost_mistakes(expected, N_Y, M))


def cost_mistakes(expected, n_y, m):
    return [
        Mistake("The cost is 1/(2m) Σ(Ŷ − Y)². With 1/m it is twice as large, and it no longer matches the "
                "gradient formulas (which come from the 1/(2m) version).", 2 * expected),
        Mistake("Average over the m examples: divide the sum of squares by 2m.", 2 * m * expected),
        Mistake("Average over the m examples: divide the sum of squares by 2m.", m * expected),
        Mistake("Divide by 2m, where m is the number of examples (columns), not by the number of entries n_y·m.",
                expected / n_y),
    ]


# -- backward_propagation


def backward_case(rng, reference):
    X, Y = rng.normal(size=(N_X, M)), rng.normal(size=(N_Y, M))
    params = make_parameters(rng, N_X, N_Y)
    Y_hat = reference.forward_propagation(X, params)
    dW, db = reference.grad("cost_jax", argnums=(0, 1))(params["W"], params["b"], X, Y)
    return X, Y, Y_hat, dW, db


def gradient_mistakes(expected, m):
    return [
        Mistake("The residual has the wrong sign: use dZ = Y_hat − Y (prediction minus target).", -expected),
        Mistake("Average over the examples: divide by m.", m * expected),
        Mistake("There is no factor 2 here: the 1/2 in the cost cancels the 2 from the square.", 2 * expected),
        Mistake("Divide by m once, not by 2m.", expected / 2),
    ]


DB_SHAPE_HINTS = {
    (1, M): "db sums over the examples, which are the columns: np.sum(dZ, axis=1, keepdims=True).",
    (M,): "db sums over the examples, which are the columns: np.sum(dZ, axis=1, keepdims=True).",
    (N_Y,): "Keep db a column of shape (n_y, 1): sum with keepdims=True.",
    (): "db is one number per output row: sum over axis=1 only, with keepdims=True.",
}


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_dW(submission, reference, rng):
    """dW = (Ŷ − Y) Xᵀ / m, compared with jax.grad of the cost."""
    X, Y, Y_hat, dW, _ = backward_case(rng, reference)
    grads = expect_dict(submission.backward_propagation(Y_hat, X, Y), name="grads", keys=("dW", "db"))
    expect_close(grads["dW"], dW, name='grads["dW"]', mistakes=gradient_mistakes(dW, M),
                 shape_hints={(N_X, N_Y): "dW has the shape of W, (n_y, n_x): (Y_hat − Y) @ X.T / m."})


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_db(submission, reference, rng):
    """db = row sums of (Ŷ − Y) / m, as an (n_y, 1) column, compared with jax.grad of the cost."""
    X, Y, Y_hat, _, db = backward_case(rng, reference)
    grads = expect_dict(submission.backward_propagation(Y_hat, X, Y), name="grads", keys=("dW", "db"))
    expect_close(grads["db"], db, name='grads["db"]', mistakes=gradient_mistakes(db, M), shape_hints=DB_SHAPE_HINTS)


# -- update_parameters


def update_case(rng):
    params = make_parameters(rng, N_X, N_Y)
    grads = {"dW": rng.normal(size=(N_Y, N_X)), "db": rng.normal(size=(N_Y, 1))}
    return params, grads


def update_mistakes(params, grads, default_step, key):
    gradient = grads["d" + key]
    return [
        Mistake(f"Use the learning_rate argument, not a fixed number (this check passes learning_rate={LEARNING_RATE}).",
                default_step[key]),
        Mistake("Gradient descent steps against the gradient: subtract learning_rate times the gradient.",
                params[key] + LEARNING_RATE * gradient),
        Mistake("Multiply the gradient by the learning rate before subtracting it.", params[key] - gradient),
    ]


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters(submission, reference, rng):
    """W − α dW and b − α db, with the learning rate passed in."""
    params, grads = update_case(rng)
    expected = reference.update_parameters(params, grads, learning_rate=LEARNING_RATE)
    default_step = reference.update_parameters(params, grads)
    got = expect_dict(submission.update_parameters(params, grads, learning_rate=LEARNING_RATE),
                      name="parameters", keys=("W", "b"))
    for key in ("W", "b"):
        expect_close(got[key], expected[key], name=f'parameters["{key}"]',
                     mistakes=update_mistakes(params, grads, default_step, key))


# -- nn_model


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_defaults(submission, reference, rng, seed, feedback):
    """Ten iterations at learning rate 1.2 from the seeded start give the reference's parameters."""
    X, Y = make_regression_data(rng, N_X, N_Y, M)
    expected = reference.function("nn_model", np_seed=seed)(X, Y)
    start = reference.function("initialize_parameters", np_seed=seed)(N_X, N_Y)
    nn_model = submission.nn_model.with_options(np_seed=seed, replace=reference_blocks(reference, seed))
    with feedback.on_failure(lambda: learning_curve(nn_model, reference, seed, X, Y)):
        expect_parameters(nn_model(X, Y), expected, lambda key: [no_update_mistake(start, key)])


def learning_curve(nn_model, reference, seed, X, Y):
    """The costs your nn_model printed, iteration by iteration, against the reference's."""
    printed = nn_model.call(X, Y, print_cost=True).stdout
    theirs = [float(m.group()) for line in printed.splitlines()
              for m in [re.search(r"-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$", line)] if m]
    ours = reference.function("cost_history", np_seed=seed)(X, Y)
    figure = Figure("Learning curve: the cost at each iteration", xlabel="iteration", ylabel="cost")
    figure.line(range(len(ours)), ours, role="reference")
    if theirs:
        figure.line(range(len(theirs)), theirs, role="student", label="yours (printed with print_cost=True)")
    return figure


# -- predict


def predict_case(rng, n_x, n_y, m, k):
    """Raw (unnormalised) training data with a different scale per feature, and new inputs."""
    X = rng.normal(loc=rng.uniform(-50, 2000, size=(n_x, 1)), scale=rng.uniform(1, 600, size=(n_x, 1)), size=(n_x, m))
    Y = rng.normal(loc=rng.uniform(1e4, 2e5, size=(n_y, 1)), scale=rng.uniform(1e3, 5e4, size=(n_y, 1)), size=(n_y, m))
    X_pred = X[:, :k] + rng.normal(scale=10, size=(n_x, k))
    return X, Y, make_parameters(rng, n_x, n_y), X_pred


def predict_mistakes(mistakes, X, Y, params, X_pred):
    return [
        Mistake("Normalise each feature with its own mean and std: np.mean(X, axis=1, keepdims=True), not one "
                "mean of the whole array.", lambda: mistakes.predict_one_mean(X, Y, params, X_pred)),
        Mistake("The model predicts normalised values: map them back with Y's std and mean "
                "(Y_hat * Y_std + Y_mean).", lambda: mistakes.predict_not_denormalised(X, Y, params, X_pred)),
        Mistake("Normalise X_pred with the mean and std of the training X, not with X_pred's own.",
                lambda: mistakes.predict_own_statistics(X, Y, params, X_pred)),
        Mistake("Use np.std (the population standard deviation, ddof=0), as when the model was trained.",
                lambda: mistakes.predict_sample_std(X, Y, params, X_pred)),
    ]


@pytest.mark.exercise("predict", points=1)
def check_predict(submission, reference, mistakes, rng, feedback):
    """Normalise with the training statistics, predict, and map back to Y's units (two features)."""
    X, Y, params, X_pred = predict_case(rng, 2, 1, 30, 4)
    predict = submission.predict.with_options(replace={"forward_propagation": reference.forward_propagation})
    line = one_feature_case(rng)
    with feedback.on_failure(lambda: fitted_line(predict, reference, *line)):
        expect_close(predict(X, Y, params, X_pred), reference.predict(X, Y, params, X_pred), name="Y_pred",
                     mistakes=predict_mistakes(mistakes, X, Y, params, X_pred))


def one_feature_case(rng):
    X = rng.uniform(1, 300, size=(1, 40))
    Y = 7 + 0.05 * X + rng.normal(scale=2.5, size=(1, 40))
    z = (X - X.mean()) / X.std()
    slope = float(np.sum(z * (Y - Y.mean())) / np.sum(z * z)) / Y.std()
    return X, Y, {"W": np.array([[slope]]), "b": np.array([[0.0]])}


def fitted_line(predict, reference, X, Y, params):
    """Your predictions along the budget axis, against the reference's line and the data."""
    grid = np.linspace(X.min(), X.max(), 50).reshape(1, -1)
    return (Figure("predict on one feature: your line and the expected one", xlabel="x (original units)",
                   ylabel="y (original units)")
            .scatter(X[0], Y[0], role="data", label="training data")
            .line(grid[0], reference.predict(X, Y, params, grid)[0], role="reference")
            .line(grid[0], np.asarray(predict(X, Y, params, grid)).reshape(-1)[:50], role="student"))
