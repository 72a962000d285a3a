"""Public checks for perceptron_classification. Inputs come from each check's seed: n_x = 3, n_y = 2, m = 7 (all different),
non-zero biases, labels Y as 0.0/1.0 arrays of shape (n_y, m). Expected values come from the reference, gradients from
`jax.grad` of its cost. A function that calls other exercises' functions runs with the reference's versions of those."""

import math

import numpy as np
import pytest

from autograder.checks import (
    CheckFailure,
    Figure,
    Mistake,
    StudentCodeRaised,
    expect_bool_array,
    expect_close,
    expect_dict,
    expect_elementwise,
    expect_float_close,
    expect_initialized,
    expect_sizes,
    expect_step,
    expect_trained,
    halved,
    not_averaged,
    sign_flipped,
)

N_X, N_Y, M = 3, 2, 7
LEARNING_RATE = 0.3  # not the default 1.2, so a hard-coded rate shows
THRESHOLD = 0.5


def make_parameters(rng, n_x, n_y, bias=0.0):
    return {"W": rng.normal(size=(n_y, n_x)), "b": rng.normal(loc=bias, size=(n_y, 1))}


def make_labels(rng, n_y, m):
    """0.0/1.0 labels of shape (n_y, m) with both classes in every row."""
    return np.vstack([rng.permutation(m) % 2 for _ in range(n_y)]).astype(float)


def make_probabilities(rng, n_y, m):
    """Outputs A of a sigmoid, kept away from 0 and 1 so that every sound formula agrees."""
    return rng.uniform(0.1, 0.9, size=(n_y, m))


def make_classification_data(rng, n_x, n_y, m):
    """Inputs and 0/1 labels drawn from a perceptron with known parameters (so training makes sense)."""
    X, true = rng.normal(size=(n_x, m)), make_parameters(rng, n_x, n_y, bias=0.5)
    return X, (rng.uniform(size=(n_y, m)) < logistic(true["W"] @ X + true["b"])).astype(float)


def logistic(z):
    """The sigmoid, computed here on the trusted side to build known wrong answers."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def w_shape_hints(n_x, n_y):
    return {"W": {(n_x, n_y): "W has one row per output and one column per input feature: shape (n_y, n_x)."}}


# -- sigmoid


def sigmoid(submission, z):
    return expect_elementwise(submission.sigmoid, z, name="sigmoid", hint="sigmoid must work on whole arrays, entry by "
                              "entry: use np.exp, not math.exp (math.exp only takes a single number). 1 / (1 + np.exp(-z)) "
                              "works for numbers and arrays alike.")


def sigmoid_mistakes(z):
    with np.errstate(over="ignore"):
        return [
            Mistake("The exponent has the wrong sign: σ(z) = 1 / (1 + e^(−z)), which grows from 0 to 1 as z grows.",
                    1 / (1 + np.exp(z))),
            Mistake("That is tanh(z), which runs from −1 to 1; the sigmoid is σ(z) = 1 / (1 + e^(−z)), from 0 to 1.", np.tanh(z)),
            Mistake("Add 1 to e^(−z) before dividing: σ(z) = 1 / (1 + e^(−z)).", np.exp(z)),
            Mistake("That is the sigmoid's derivative σ(z)(1 − σ(z)); return σ(z) = 1 / (1 + e^(−z)) itself.",
                    logistic(z) * (1 - logistic(z))),
        ]


@pytest.mark.exercise("sigmoid", points=1)
def check_sigmoid_on_arrays(submission, reference, rng):
    """σ works entry by entry on a 1-D, a 2-D and a 3-D array, and keeps their shapes."""
    for shape in ((M,), (N_Y, M), (2, 3, 4)):
        z = rng.normal(scale=4.0, size=shape)
        expect_close(sigmoid(submission, z), reference.sigmoid(z), name=f"sigmoid(z) for z of shape {shape}",
                     mistakes=sigmoid_mistakes(z))


@pytest.mark.exercise("sigmoid", points=1)
def check_sigmoid_on_numbers(submission, reference, rng):
    """σ(0) = 0.5, and σ of a few other single numbers."""
    for z in (0.0, *np.round(rng.normal(scale=3.0, size=3), 3).tolist()):
        got = sigmoid(submission, z)
        got = got[()] if isinstance(got, np.ndarray) and got.shape == () and got.dtype.kind in "iuf" else got  # 0-d: a number
        expect_float_close(got, reference.sigmoid(z), name=f"sigmoid({z:g})", mistakes=sigmoid_mistakes(np.float64(z)))


# -- layer_sizes, initialize_parameters and forward_propagation


def expect_layer_sizes(submission, X, Y):
    expect_sizes(submission.layer_sizes(X, Y), (len(X), len(Y)), X.shape[1], name="layer_sizes(X, Y)", mistakes=[Mistake(
        "Read n_y from Y (Y.shape[0]) instead of writing 1: the checks also try more than one output row.", (len(X), 1))])


@pytest.mark.exercise("layer_sizes", points=1)
def check_layer_sizes(submission, rng):
    """(n_x, n_y) are the numbers of rows of X and of Y (three features, two outputs, seven examples)."""
    expect_layer_sizes(submission, rng.normal(size=(N_X, M)), make_labels(rng, N_Y, M))


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_shapes(submission, seed):
    """W has shape (n_y, n_x) and b is a column of zeros of shape (n_y, 1)."""
    expect_initialized(submission.initialize_parameters.with_options(np_seed=seed)(N_X, N_Y), {"W": (N_Y, N_X), "b": (N_Y, 1)},
                       zeros=("b",), shape_hints=w_shape_hints(N_X, N_Y), hint="Start the bias at zero: np.zeros((n_y, 1)).")


def expect_forward(submission, reference, X, params):
    """A = σ(W X + b), with the reference sigmoid (a bug there costs only sigmoid)."""
    W, b = params["W"], params["b"]
    forward = submission.forward_propagation.with_options(replace=reference.blocks("sigmoid"))
    expect_close(forward(X, params), reference.forward_propagation(X, params), name="A", mistakes=[
        Mistake("Apply the sigmoid: A = σ(Z) with Z = W X + b. Without it the outputs are not probabilities.", W @ X + b),
        Mistake("Add the bias before the sigmoid: A = σ(W X + b).", logistic(W @ X)),
        Mistake("The bias goes inside the sigmoid: A = σ(W X + b), not σ(W X) + b.", logistic(W @ X) + b),
        Mistake("A = σ(W X + b) is the probability of class 1; σ(−(W X + b)) = 1 − A is that of class 0.",
                logistic(-(W @ X + b))),
    ])


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation(submission, reference, rng):
    """A = σ(W X + b) for three features, two outputs and seven examples."""
    expect_forward(submission, reference, rng.normal(size=(N_X, M)), make_parameters(rng, N_X, N_Y))


# -- compute_cost

SATURATED_HINT = ("log(0) is −inf, and 0 · log(0) is nan in numpy. Keep A away from exactly 0 and 1 before taking logs: "
                  "A = np.clip(A, 1e-15, 1 - 1e-15). (A much smaller ε does not help: 1 - 1e-20 rounds back to 1.0.)")


def expect_cost(got, expected, A, Y, *, when=""):
    """The cost as a float close to `expected` (returned); a nan or inf gets the saturated-output hint."""
    if isinstance(got, (float, np.floating)) and not math.isfinite(got):
        raise CheckFailure(f"`cost` is {float(got)}" + (f" {when}." if when else "."), SATURATED_HINT,
                           summary=f"`cost` is not finite{' ' + when if when else ''}.")
    n_y, m = Y.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        only_ones = -np.sum(Y * np.log(A)) / m
        swapped = -np.sum(Y * np.log(1 - A) + (1 - Y) * np.log(A)) / m
    return expect_float_close(got, expected, name="cost", mistakes=[
        Mistake("Mind the sign: the log loss is −(1/m) Σ (Y log A + (1 − Y) log(1 − A)). The logs of probabilities are "
                "negative, so the minus sign makes the cost positive.", -expected),
        not_averaged(expected, m, hint="Average over the m examples: divide by m = Y.shape[1], the number of columns. "
                                       "(Y is (n_y, m), not (m,): len(Y) and Y.shape[0] count rows, here 1.)"),
        Mistake("Two things: the log loss has a minus sign in front, and it is averaged over the m examples (1/m).",
                -m * expected),
        Mistake("Both classes count: add the term (1 − Y) log(1 − A), which is what the examples with label 0 cost.",
                only_ones),
        Mistake("log A goes with Y and log(1 − A) with 1 − Y: the cost of an example with label 1 is −log A.", swapped),
        Mistake("Divide by m, the number of examples (columns), not by the number of entries n_y · m.", expected / n_y),
    ])


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost(submission, reference, rng):
    """L = −(1/m) Σ (Y log A + (1 − Y) log(1 − A)) as one number, for one output and seven examples."""
    A, Y = make_probabilities(rng, 1, M), make_labels(rng, 1, M)
    expect_cost(submission.compute_cost(A, Y), reference.compute_cost(A, Y), A, Y)


def saturate(rng, A, Y, count):
    """A copy of A with `count` entries set to exactly 0 or 1, the label's value."""
    A = A.copy()
    for index in rng.choice(A.shape[1], size=count, replace=False):
        A[0, index] = Y[0, index]
    return A


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost_saturated_but_right(submission, reference, rng):
    """Outputs of exactly 0 and 1 where the label agrees cost (almost) nothing, and the cost stays finite."""
    Y = make_labels(rng, 1, M + 3)
    A = saturate(rng, make_probabilities(rng, 1, M + 3), Y, 4)
    expect_cost(submission.compute_cost(A, Y), reference.compute_cost(A, Y), A, Y,
                when="for outputs A that are exactly 0 or 1 (and agree with the labels)")


# -- backward_propagation


def expect_gradients(submission, reference, rng, keys, n_x=N_X, n_y=N_Y, m=M):
    """The gradients named in ``keys`` against jax.grad of the log loss of σ(W X + b), its usual mistakes named."""
    X, Y, params = rng.normal(size=(n_x, m)), make_labels(rng, n_y, m), make_parameters(rng, n_x, n_y)
    A = reference.forward_propagation(X, params)
    expected = dict(zip(("dW", "db"), reference.grad("cost_jax", argnums=(0, 1))(params["W"], params["b"], X, Y), strict=True))
    try:
        got = expect_dict(submission.backward_propagation(A, X, Y), name="grads", keys=("dW", "db"))
    except StudentCodeRaised as error:
        if "could not be broadcast" not in str(error):
            raise
        raise CheckFailure(f"{error}.", "In backward_propagation A and Y both have shape (n_y, m), so dZ = A − Y needs no "
                           "transpose or reshape of Y; and dW needs the matrix product dZ @ X.T / m, not an elementwise `*`.",
                           summary="backward_propagation failed to broadcast two arrays against each other.") from None
    transposed = ("dZ = A − Y must have A's shape (n_y, m); a Y of shape (m,) or (m, 1) (or Y.T) turns it into an (m, m) "
                  "matrix. Use Y exactly as it is given, (n_y, m).")
    columns = "db sums over the examples, which are the columns: np.sum(dZ, axis=1, keepdims=True)."
    hints = {"dW": {(n_x, n_y): "dW has the shape of W, (n_y, n_x): dZ @ X.T / m.", (m, n_x): transposed},
             "db": {(1, m): columns, (m,): columns, (n_y,): "Keep db a column of shape (n_y, 1): sum with keepdims=True.",
                    (): "db is one number per output row: sum over axis=1 only, with keepdims=True.", (m, 1): transposed}}
    for key in keys:
        extra = (A - Y) * A * (1 - A) / m
        expect_close(got[key], expected[key], name=f'grads["{key}"]', shape_hints=hints[key], mistakes=[
            sign_flipped(expected[key], "The error has the wrong sign: dZ = A − Y (prediction minus label)."),
            not_averaged(expected[key], m, "Average over the examples: divide by m, the number of columns of X."),
            Mistake("dZ = A − Y already contains the sigmoid's derivative (for the log loss, σ'(Z) = A(1 − A) cancels out); "
                    "do not multiply by A(1 − A) again.", extra @ X.T if key == "dW" else np.sum(extra, axis=1, keepdims=True)),
            halved(expected[key], "Divide by m once, not by 2m: there is no square in the log loss."),
        ])


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_dW(submission, reference, rng):
    """dW = (A − Y) Xᵀ / m, compared with jax.grad of the log loss of σ(W X + b)."""
    expect_gradients(submission, reference, rng, ["dW"])


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_db(submission, reference, rng):
    """db = row sums of (A − Y) / m, as an (n_y, 1) column, compared with jax.grad of the log loss."""
    expect_gradients(submission, reference, rng, ["db"])


# -- update_parameters and nn_model


def update_case(rng):
    return make_parameters(rng, N_X, N_Y), {"dW": rng.normal(size=(N_Y, N_X)), "db": rng.normal(size=(N_Y, 1))}


def expect_updated(got, reference, params, grads):
    expected = reference.update_parameters(params, grads, learning_rate=LEARNING_RATE)
    expect_step(got, expected, params, grads, LEARNING_RATE, reference.update_parameters(params, grads))


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters(submission, reference, rng):
    """W − α dW and b − α db, with the learning rate that is passed in."""
    params, grads = update_case(rng)
    expect_updated(submission.update_parameters(params, grads, learning_rate=LEARNING_RATE), reference, params, grads)


def nn_model(submission, reference, seed, **options):
    """The student's nn_model on the reference's building blocks: a bug in one of those costs only its own exercise."""
    blocks = reference.blocks("sigmoid", "layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
                              "backward_propagation", "update_parameters", np_seeds={"initialize_parameters": seed})
    return submission.nn_model.with_options(np_seed=seed, replace=blocks, **options)


def expect_nn_model(got, reference, seed, X, Y, iterations=10, learning_rate=1.2):
    train = reference.function("nn_model", np_seed=seed)
    start = reference.function("initialize_parameters", np_seed=seed)(len(X), len(Y))
    expect_trained(got, lambda n, rate: train(X, Y, n, rate), start, iterations=iterations, learning_rate=learning_rate,
                   defaults=(10, 1.2), function="nn_model", shape_hints=w_shape_hints(len(X), len(Y)))


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_defaults(submission, reference, rng, seed):
    """Ten iterations at learning rate 1.2 from the seeded start give the reference's parameters."""
    X, Y = make_classification_data(rng, N_X, N_Y, M)
    expect_nn_model(nn_model(submission, reference, seed)(X, Y), reference, seed, X, Y)


# -- predict


def predict_case(rng, n_x, m):
    """Inputs whose Z = W X + b spread over [-3, 3], a few of them in (0, 0.5) and (-0.5, 0): near the boundary."""
    params = make_parameters(rng, n_x, 1)
    W, b = params["W"], params["b"]
    Z = rng.permutation(np.concatenate([rng.uniform(-3, 3, m - 4), rng.uniform(0.05, 0.45, 2), rng.uniform(-0.45, -0.05, 2)]))
    X = rng.normal(size=(n_x, m))
    X = X + W.T @ (Z - (W @ X + b)) / np.sum(W**2)  # move each column along W until W x + b hits its Z
    return X, params, logistic(W @ X + b)


def expect_classes(predict, reference, X, params, A):
    """The ladder for a boolean (1, m) array (predict runs on the reference's forward_propagation and sigmoid), then
    the same class as the reference for every example."""
    got, m = predict(X, params), A.shape[1]
    if isinstance(got, np.ndarray) and got.shape == (1, m) and got.dtype.kind == "f" and np.allclose(got, A):
        raise CheckFailure("`predictions` holds the probabilities A = σ(W X + b), not the predicted classes.",
                           f"Compare them with the threshold: A > {THRESHOLD} gives True (class 1) or False (class 0) for "
                           "each example.", summary="`predictions` holds the probabilities, not the predicted classes.")
    flat = ("Keep the predictions 2-D, one row of m booleans: shape (1, m), like A and like the labels Y. Do not flatten "
            "them (no A[0], .ravel() or .flatten()): comparing an (m,) array with a (1, m) one broadcasts to (m, m).")
    got = expect_bool_array(got, name="predictions", shape=(1, m), shape_hints={
        (m,): flat, (m, 1): "The predictions have one column per example, like A: shape (1, m), not (m, 1)."})
    wrong = np.flatnonzero(got[0] != np.asarray(reference.predict(X, params), dtype=bool)[0])
    if wrong.size:
        j = int(wrong[0])
        hint = next((text for text, value in (
            ("Class 1 is predicted where A > 0.5, not where A < 0.5.", A <= THRESHOLD),
            ("Threshold the probability A = σ(W X + b), not Z = W X + b: A > 0.5 is the same as Z > 0.",
             np.log(A / (1 - A)) > THRESHOLD),
            ("Compare with 0.5, the probability halfway between the classes.", A > 0)) if np.array_equal(got, value)), None)
        raise CheckFailure(f"`predictions` is wrong for {wrong.size} of {m} examples, first at index (0, {j}): you have "
                           f"{bool(got[0, j])}, expected {not got[0, j]} (A = {A[0, j]:.4f}).", hint)


def predictor(submission, reference):
    return submission.predict.with_options(replace=reference.blocks("forward_propagation", "sigmoid"))


@pytest.mark.exercise("predict", points=1)
def check_predict(submission, reference, rng, feedback):
    """Booleans A > 0.5 of shape (1, m), for three features and seven examples."""
    X, params, A = predict_case(rng, N_X, M)
    plane = predict_case(rng, 2, 60)
    with feedback.on_failure(lambda: decision_boundary(predictor(submission, reference), *plane)):
        expect_classes(predictor(submission, reference), reference, X, params, A)


def decision_boundary(predict, X, params, A):
    """Two features: the classes your predict gives each point, and the line W x + b = 0 between them."""
    got = np.asarray(predict(X, params)).reshape(-1)[: X.shape[1]].astype(bool)
    (w1, w2), b, expected = params["W"][0], float(params["b"][0, 0]), A[0] > THRESHOLD
    x1 = np.linspace(X[0].min(), X[0].max(), 50)
    return (Figure("Your class 1, the expected one, and the decision line", xlabel="x1", ylabel="x2")
            .scatter(X[0][~(got | expected)], X[1][~(got | expected)], role="data", label="class 0 for both")
            .scatter(X[0][expected], X[1][expected], role="reference", label="expected class 1 (A > 0.5)")
            .scatter(X[0][got], X[1][got], role="student", label="your class 1 (True)")
            .line(x1, -(w1 * x1 + b) / w2, role="reference", label="the decision line: A = 0.5"))
