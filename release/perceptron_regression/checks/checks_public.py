"""Public checks for perceptron_regression. Inputs come from each check's seed: n_x = 3, n_y = 2, m = 7 (all different)
and non-zero biases. Expected values come from the reference, gradients from `jax.grad` of its cost."""

import numpy as np
import pytest

from autograder.checks import (
    Figure,
    Mistake,
    doubled,
    expect_close,
    expect_float_close,
    expect_gradients,
    expect_initialized,
    expect_sizes,
    expect_trained_as_reference,
    expect_unchanged,
    expect_update,
    halved,
    layer_parameters,
    layer_shape_hints,
    layer_update_case,
    learning_curve,
    on_blocks,
    reference_gradients,
)

N_X, N_Y, M = 3, 2, 7
LEARNING_RATE = 0.3  # not the default 1.2, so a hard-coded rate shows
W_HINTS = layer_shape_hints((N_X, N_Y), biases=False)


def make_regression_data(rng, n_x, n_y, m):
    """Inputs, and targets that a linear model fits up to noise."""
    X, true = rng.normal(size=(n_x, m)), layer_parameters(rng, (n_x, n_y))
    return X, true["W"] @ X + true["b"] + 0.1 * rng.normal(size=(n_y, m))


@pytest.mark.exercise("layer_sizes", points=1)
def check_layer_sizes(submission, rng):
    """(n_x, n_y) come from the number of rows of X and of Y."""
    got = submission.layer_sizes(rng.normal(size=(N_X, M)), rng.normal(size=(N_Y, M)))
    expect_sizes(got, (N_X, N_Y), M, name="layer_sizes(X, Y)")


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_shapes(submission, seed):
    """W has shape (n_y, n_x) and b is a column of zeros (n_y, 1)."""
    expect_initialized(submission.initialize_parameters.with_options(np_seed=seed)(N_X, N_Y), {"W": (N_Y, N_X), "b": (N_Y, 1)},
                       zeros=("b",), shape_hints=W_HINTS, hint="Start the bias at zero: np.zeros((n_y, 1)).")


def expect_forward(submission, reference, X, params):
    expect_close(submission.forward_propagation(X, params), reference.forward_propagation(X, params), name="Y_hat",
                 mistakes=[Mistake("Add the bias: Y_hat = W X + b.", params["W"] @ X),
                           Mistake("The bias is added, not subtracted: Y_hat = W X + b.", params["W"] @ X - params["b"])])


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation(submission, reference, rng):
    """Y_hat = W X + b for three features, two outputs and seven examples."""
    expect_forward(submission, reference, rng.normal(size=(N_X, M)), layer_parameters(rng, (N_X, N_Y)))


def expect_cost(submission, reference, Y_hat, Y):
    (n_y, m), expected = Y.shape, reference.compute_cost(Y_hat, Y)
    average = "Average over the m examples: divide the sum of squares by 2m."
    expect_float_close(submission.compute_cost(Y_hat, Y), expected, name="cost", mistakes=[
        Mistake("The cost is 1/(2m) Σ(Ŷ − Y)². With 1/m it is twice as large, and it no longer matches the gradient "
                "formulas (which come from the 1/(2m) version).", 2 * expected),
        Mistake(average, 2 * m * expected), Mistake(average, m * expected),
        Mistake("Divide by 2m, where m is the number of examples (columns), not by the number of entries n_y·m.",
                expected / n_y)])


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost(submission, reference, rng):
    """L = 1/(2m) Σ (Ŷ − Y)² as one number."""
    expect_cost(submission, reference, rng.normal(size=(N_Y, M)), rng.normal(size=(N_Y, M)))


def expect_backward(submission, reference, rng, keys, n_x=N_X, n_y=N_Y, m=M):
    """The grads named in ``keys``, against jax.grad of the reference's cost."""
    X, Y, params = rng.normal(size=(n_x, m)), rng.normal(size=(n_y, m)), layer_parameters(rng, (n_x, n_y))
    expected = reference_gradients(reference, params, X, Y)
    columns = "db sums over the examples, which are the columns: np.sum(dZ, axis=1, keepdims=True)."
    hints = {"dW": {(n_x, n_y): "dW has the shape of W, (n_y, n_x): (Y_hat − Y) @ X.T / m."},
             "db": {(1, m): columns, (m,): columns, (n_y,): "Keep db a column of shape (n_y, 1): sum with keepdims=True.",
                    (): "db is one number per output row: sum over axis=1 only, with keepdims=True."}}
    sign = "The residual has the wrong sign: use dZ = Y_hat − Y (prediction minus target)."
    expect_gradients(submission.backward_propagation(reference.forward_propagation(X, params), X, Y), expected, keys, m,
                     sign_hint=sign, shape_hints=hints, mistakes_for=lambda key: [doubled(expected[key]), halved(expected[key])])


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_dW(submission, reference, rng):
    """dW = (Ŷ − Y) Xᵀ / m, compared with jax.grad of the cost."""
    expect_backward(submission, reference, rng, ["dW"])


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_db(submission, reference, rng):
    """db = row sums of (Ŷ − Y) / m, as an (n_y, 1) column, compared with jax.grad of the cost."""
    expect_backward(submission, reference, rng, ["db"])


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters(submission, reference, rng):
    """W − α dW and b − α db, with the learning rate passed in."""
    expect_update(submission.update_parameters, reference.update_parameters, *layer_update_case(rng, (N_X, N_Y)), LEARNING_RATE)


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters_leaves_its_inputs_alone(submission, reference, rng):
    """A right step that returns new arrays: the caller's dict and arrays stay as they were."""
    expect_update(submission.update_parameters, reference.update_parameters, *layer_update_case(rng, (N_X, N_Y)), LEARNING_RATE,
                  inputs_alone="Do not modify the dict or arrays you are given (no -= on them): compute new arrays, "
                               "W = W - learning_rate * dW, and return a new dict.")


def nn_model(submission, reference, seed, **options):
    """The student's nn_model on the reference's building blocks: a bug in one of those costs only its own exercise."""
    blocks = ("layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost", "backward_propagation",
              "update_parameters")
    return on_blocks(submission.nn_model, reference, seed, blocks, **options)


def expect_nn_model(got, reference, seed, X, Y, iterations=10, learning_rate=1.2):
    expect_trained_as_reference(got, reference, seed, (X, Y), (len(X), len(Y)), iterations=iterations,
                                learning_rate=learning_rate, shape_hints=W_HINTS)


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_defaults(submission, reference, rng, seed, feedback):
    """Ten iterations at learning rate 1.2 from the seeded start give the reference's parameters; X and Y are left alone."""
    X, Y = make_regression_data(rng, N_X, N_Y, M)
    model = nn_model(submission, reference, seed, watch_args=True)
    with feedback.on_failure(lambda: printed_costs(model, reference, seed, X, Y)):
        record = model.call(X, Y)
        expect_unchanged(record.args_after[0][:2], [X, Y], function="nn_model", what="X or Y")
        expect_nn_model(record.value, reference, seed, X, Y)


def printed_costs(model, reference, seed, X, Y):
    """The costs your nn_model printed, iteration by iteration, against the reference's."""
    return learning_curve(model.call(X, Y, print_cost=True).stdout, reference.function("cost_history", np_seed=seed)(X, Y))


PREDICT_MISTAKES = {
    "predict_one_mean": "Normalise each feature with its own mean and std: np.mean(X, axis=1, keepdims=True), not one mean "
                        "of the whole array.",
    "predict_not_denormalised": "The model predicts normalised values: map them back with Y's std and mean "
                                "(Y_hat * Y_std + Y_mean).",
    "predict_own_statistics": "Normalise X_pred with the mean and std of the training X, not with X_pred's own.",
    "predict_sample_std": "Use np.std (the population standard deviation, ddof=0), as when the model was trained.",
}


def predict_case(submission, reference, rng, n_x, n_y, m, k):
    """The student's predict on the reference's forward_propagation; raw training data with a different scale per
    feature, parameters, and k new inputs near the data."""
    X = rng.normal(loc=rng.uniform(-50, 2000, size=(n_x, 1)), scale=rng.uniform(1, 600, size=(n_x, 1)), size=(n_x, m))
    Y = rng.normal(loc=rng.uniform(1e4, 2e5, size=(n_y, 1)), scale=rng.uniform(1e3, 5e4, size=(n_y, 1)), size=(n_y, m))
    X_pred = X[:, :k] + rng.normal(scale=10, size=(n_x, k))
    predict = submission.predict.with_options(replace=reference.blocks("forward_propagation"))
    return predict, (X, Y, layer_parameters(rng, (n_x, n_y)), X_pred)


def expect_predict(predict, reference, mistakes, case):
    expect_close(predict(*case), reference.predict(*case), name="Y_pred", mistakes=[
        Mistake(hint, lambda name=name: getattr(mistakes, name)(*case)) for name, hint in PREDICT_MISTAKES.items()])


@pytest.mark.exercise("predict", points=1)
def check_predict(submission, reference, mistakes, rng, feedback):
    """Normalise with the training statistics, predict, and map back to Y's units (two features)."""
    predict, case = predict_case(submission, reference, rng, 2, 1, 30, 4)
    with feedback.on_failure(lambda: fitted_line(predict, reference, rng)):
        expect_predict(predict, reference, mistakes, case)


def fitted_line(predict, reference, rng):
    """Your predictions along one feature (original units), against the reference's line and the data."""
    X = rng.uniform(1, 300, size=(1, 40))
    Y, z = 7 + 0.05 * X + rng.normal(scale=2.5, size=(1, 40)), (X - X.mean()) / X.std()
    grid = np.linspace(X.min(), X.max(), 50)
    params = {"W": np.array([[np.sum(z * (Y - Y.mean())) / np.sum(z * z) / Y.std()]]), "b": np.zeros((1, 1))}
    return (Figure("predict on one feature: your line and the expected one", xlabel="x (original units)",
                   ylabel="y (original units)").scatter(X[0], Y[0], role="data", label="training data")
            .line(grid, reference.predict(X, Y, params, grid[None])[0], role="reference")
            .line(grid, np.asarray(predict(X, Y, params, grid[None])).reshape(-1)[:50], role="student"))
