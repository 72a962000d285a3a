"""Public checks for neural_network. Inputs come from each check's seed: n_x = 3 features, n_h = 4 hidden units, n_y = 2
outputs, m = 7 examples (all different) and non-zero biases. Expected values come from the reference, gradients from
`jax.grad` of its cost, the values of known mistakes from mistakes.py (recorded: their formulas are not spelled out here)."""

import numpy as np
import pytest

from autograder.checks import (
    ArgumentsMistake,
    Mistake,
    activation_shape_hints,
    arguments_in_order,
    expect_arrays,
    expect_close,
    expect_declared_defaults,
    expect_elementwise,
    expect_gradients,
    expect_layers_initialized,
    expect_log_loss,
    expect_passed,
    expect_predicted_classes,
    expect_sizes,
    expect_small_random,
    expect_trained_as_reference,
    expect_tuple,
    expect_update,
    layer_parameters,
    layer_shape_hints,
    layer_update_case,
    on_blocks,
    reference_gradients,
    saturated_outputs,
    sigmoid_mistakes,
)

N_X, N_H, N_Y, M = 3, 4, 2, 7
SIZES = (N_X, N_H, N_Y)
LEARNING_RATE = 0.3  # not the default 1.2, so a hard-coded rate shows


def make_data(rng, n_x, n_y, m):
    """Inputs in both signs and 0/1 labels of both classes in every output row."""
    X, Y = rng.normal(size=(n_x, m)), (rng.random(size=(n_y, m)) < 0.5).astype(float)
    Y[:, 0], Y[:, 1] = 0.0, 1.0
    return X, Y


# -- sigmoid and layer_sizes


def sigmoid(submission, z):
    return expect_elementwise(submission.sigmoid, z, name="sigmoid", hint="math.exp takes a single number; np.exp "
                              "works elementwise on arrays. Use np.exp so the function applies to every entry at once.")


@pytest.mark.exercise("sigmoid", points=1)
def check_sigmoid(submission, reference, rng):
    """sigma(z) = 1 / (1 + e^(-z)), elementwise on a (4, 7) array of values of both signs."""
    z = rng.normal(scale=3.0, size=(N_H, M))
    expected = reference.sigmoid(z)
    expect_close(sigmoid(submission, z), expected, name="sigmoid(z)", mistakes=sigmoid_mistakes(z))


def expect_layer_sizes(submission, rng, n_x, n_y, m):
    """(n_x, n_h, n_y) = (rows of X, 2, rows of Y)."""
    got = submission.layer_sizes(rng.normal(size=(n_x, m)), rng.normal(size=(n_y, m)))
    expect_sizes(got, (n_x, 2, n_y), m, name="layer_sizes(X, Y)", order="(n_x, n_h, n_y): inputs, hidden units, outputs",
                 mistakes=[Mistake("The sizes must come from the data, not be written in: n_x = X.shape[0] and n_y = "
                                   "Y.shape[0] (only n_h = 2 is fixed). (2, 2, 1) fits the notebook's data set, but not "
                                   "other data.", (2, 2, 1)),
                           Mistake("n_y must come from Y (Y.shape[0]), not be fixed at 1.", (n_x, 2, 1)),
                           Mistake("In this assignment layer_sizes returns n_h = 2; the width of the hidden layer is "
                                   "chosen later, with nn_model's argument n_h.", (n_x, 4, n_y))])


@pytest.mark.exercise("layer_sizes", points=1)
def check_layer_sizes(submission, rng):
    """(n_x, n_h, n_y) = (rows of X, 2, rows of Y) for three features and two outputs."""
    expect_layer_sizes(submission, rng, N_X, N_Y, M)


# -- initialize_parameters


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_shapes(submission, seed):
    """W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1), the biases all zero."""
    expect_layers_initialized(submission.initialize_parameters.with_options(np_seed=seed)(N_X, N_H, N_Y), SIZES, zero_biases=True,
                              hint="Start the biases at zero: np.zeros((n_h, 1)) and np.zeros((n_y, 1)).")


DRAWS_HINT = ("With numpy's generator seeded, the weights are its next draws: W1 = np.random.randn(n_h, n_x) * 0.01 "
              "first, then W2 = np.random.randn(n_y, n_h) * 0.01, with no seed of your own and no other draws between.")
ORDER_HINT = ("W2 was drawn before W1. The generator hands out its numbers in order, so W2 took the ones meant for W1: "
              "draw W1 first, then W2, and your network starts where everyone else's does.")


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_statistics(submission, reference, mistakes, seed, contract):
    """The weights are small (std about 0.01), centred, of both signs: 0.01 * randn, W1 and W2 alike (1200 and 1000);
    then, with the generator seeded, exactly its draws, W1 first (unless the notebook's template seeds it itself)."""
    initialize = submission.initialize_parameters.with_options(np_seed=seed)
    params = expect_layers_initialized(initialize(30, 40, 25), (30, 40, 25))
    for key in ("W1", "W2"):
        expect_small_random(params[key], name=f'parameters["{key}"]', shape=params[key].shape, hint=
                            "Draw the weights from the standard normal distribution and scale them down: "
                            "np.random.randn(rows, columns) * 0.01. With equal weights every hidden unit computes the "
                            "same thing and receives the same gradient, so the units stay identical however long you "
                            "train (the symmetry is never broken).")
    if not contract.get("reproducible_start", True):
        return
    got = expect_layers_initialized(initialize(*SIZES), SIZES)
    expected = reference.function("initialize_parameters", np_seed=seed)(N_X, N_H, N_Y)
    for key in ("W1", "W2"):
        expect_close(got[key], expected[key], name=f'parameters["{key}"]', hint=DRAWS_HINT, mistakes=[
            Mistake(ORDER_HINT, lambda key=key: mistakes.initialize_W2_first(N_X, N_H, N_Y, seed)[key])])


# -- forward_propagation


def forward_case(submission, reference, rng, n_x, n_h, n_y, m, bias=0.0):
    """The student's forward pass (with the reference sigmoid: a bug there costs only sigmoid) and the reference's."""
    X, params = rng.normal(size=(n_x, m)), layer_parameters(rng, (n_x, n_h, n_y), bias)
    forward = submission.forward_propagation.with_options(replace=reference.blocks("sigmoid"))
    got = expect_tuple(forward(X, params), name="forward_propagation(X, parameters)", length=2)
    return got, reference.forward_propagation(X, params), X, params


def expect_A2(got, expected, mistakes, X, params):
    expect_close(got, expected, name="A2", shape_hints=activation_shape_hints({"A2": expected})["A2"], mistakes=[
        Mistake("Add the hidden layer's bias: Z1 = W1 X + b1.", lambda: mistakes.forward_without_b1(X, params)),
        Mistake("Add the output layer's bias: Z2 = W2 A1 + b2.", lambda: mistakes.forward_without_b2(X, params)),
        Mistake("This network uses the sigmoid in the hidden layer too: A1 = sigmoid(Z1), not np.tanh(Z1).",
                lambda: mistakes.forward_tanh_hidden(X, params)),
        Mistake("Apply the sigmoid to the output as well: A2 = sigmoid(Z2), a probability between 0 and 1.",
                lambda: mistakes.forward_linear_output(X, params)),
        Mistake("Apply the sigmoid in the hidden layer: A1 = sigmoid(Z1), and feed A1 (not Z1) to the output layer.",
                lambda: mistakes.forward_linear_hidden(X, params)),
    ])


def expect_cache(got, cache):
    """Z1, A1 of shape (n_h, m) and Z2, A2 of shape (n_y, m), from the same forward pass."""
    tanh = "This network uses the sigmoid in the hidden layer too: A1 = sigmoid(Z1), not np.tanh(Z1)."
    mistakes = {"A1": [Mistake(tanh, np.tanh(cache["Z1"])),
                       Mistake("A1 is the hidden layer's activation: A1 = sigmoid(Z1).", cache["Z1"])],
                "A2": [Mistake("A2 is the output's activation: A2 = sigmoid(Z2), a probability between 0 and 1.", cache["Z2"])]}
    expect_arrays(got, cache, name="cache", mistakes_for=lambda key: mistakes.get(key, ()),
                  shape_hints=activation_shape_hints(cache))


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation_A2(submission, reference, mistakes, rng, contract):
    """A2 = sigmoid(W2 sigmoid(W1 X + b1) + b2) for 3 features, 4 hidden units, 2 outputs (or the one the notebook's
    contract allows), 7 examples."""
    (A2, _), (expected, _), X, params = forward_case(submission, reference, rng, N_X, N_H, contract.get("outputs", N_Y), M)
    expect_A2(A2, expected, mistakes, X, params)


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation_cache(submission, reference, rng, contract):
    """The cache holds Z1, A1 (n_h, m) and Z2, A2 (n_y, m) of the same forward pass."""
    (_, cache), (_, expected), _, _ = forward_case(submission, reference, rng, N_X, N_H, contract.get("outputs", N_Y), M)
    expect_cache(cache, expected)


# -- compute_cost


def saturated_case(rng, contract, n_y, m, count, wrong=False):
    """Probabilities and labels with ``count`` outputs per row at exactly the label (at 1 - the label if ``wrong``), as
    a saturated sigmoid gives them; 1e-12 inside (0, 1) under a contract whose cost takes the logs of A2 as it is."""
    A2, Y = rng.uniform(0.05, 0.95, size=(n_y, m)), make_data(rng, N_X, n_y, m)[1]
    return saturated_outputs(rng, A2, Y, count, wrong=wrong, gap=0.0 if contract.get("saturated_outputs", True) else 1e-12), Y


def expect_cost(got, expected, mistakes, A2, Y, when=None):
    """The cost as a float close to ``expected``; ``when`` describes outputs of exactly 0 or 1, where a nan or inf cost
    gets the clipping hint."""
    A2 = np.clip(A2, 1e-15, 1 - 1e-15)  # the known mistakes as a notebook that clips computes them
    expect_log_loss(got, expected, A2, Y, when=when, output="A2", mistakes=[
        Mistake("Both terms belong in the sum: Y log A2 counts the examples labelled 1, (1 - Y) log(1 - A2) the ones "
                "labelled 0.", lambda: mistakes.cost_positive_term_only(A2, Y))])


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost(submission, reference, mistakes, rng, contract):
    """L = -1/m sum(Y log A2 + (1 - Y) log(1 - A2)) over two output rows (or the one the notebook's contract allows),
    as one float."""
    A2 = rng.uniform(0.05, 0.95, size=(contract.get("outputs", N_Y), M))
    Y = make_data(rng, N_X, len(A2), M)[1]
    expect_cost(submission.compute_cost(A2, Y), reference.compute_cost(A2, Y), mistakes, A2, Y)


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost_saturated(submission, reference, mistakes, rng, contract):
    """Outputs of exactly 0 or 1 that agree with their labels (a saturated sigmoid) add almost nothing, and the cost
    stays finite: two output rows (or the contract's one), ten examples, three saturated in each row."""
    A2, Y = saturated_case(rng, contract, contract.get("outputs", N_Y), M + 3, 3)
    expect_cost(submission.compute_cost(A2, Y), reference.compute_cost(A2, Y), mistakes, A2, Y,
                when="for outputs A2 that are exactly 0 or 1 (and agree with the labels)")


# -- backward_propagation


def expect_backward(submission, reference, mistakes, rng, keys, n_x=N_X, n_h=N_H, n_y=N_Y, m=M):
    """The student's backward_propagation (with the reference sigmoid) against jax.grad of the reference's cost, for
    the gradients named in ``keys``."""
    X, Y = make_data(rng, n_x, n_y, m)
    params = layer_parameters(rng, (n_x, n_h, n_y))
    _, cache = reference.forward_propagation(X, params)
    expected = reference_gradients(reference, params, X, Y)
    backward = submission.backward_propagation.with_options(replace=reference.blocks("sigmoid"))
    got = backward(params, cache, X, Y)
    hidden = {  # what the hidden layer's error dZ1 gets wrong: the hint, and the mistake that computes it
        "In this network the hidden layer uses the sigmoid, whose derivative is A1 * (1 - A1); 1 - A1**2 is the "
        "derivative of tanh.": mistakes.backward_tanh_derivative,
        "The error flows back through the weights: dZ1 = (W2.T @ dZ2) * A1 * (1 - A1). You used the gradient dW2 where "
        "the weights W2 belong.": mistakes.backward_dW2_in_dZ1,
        "Multiply by the sigmoid's derivative at the hidden layer: dZ1 = (W2.T @ dZ2) * A1 * (1 - A1).":
            mistakes.backward_without_activation_derivative,
        "The sigmoid's derivative is sigma'(Z1) = A1 * (1 - A1), written with the activations A1, not Z1 * (1 - Z1).":
            mistakes.backward_derivative_of_Z1,
    }

    expect_gradients(got, expected, keys, m, shape_hints=layer_shape_hints((n_x, n_h, n_y), m),
                     sign_hint="The error at the output is dZ2 = A2 - Y (prediction minus label); the sign is flipped.",
                     mistakes_for=lambda key: [Mistake(hint, lambda wrong=wrong: wrong(params, cache, X, Y)[key])
                                               for hint, wrong in hidden.items() if key in ("dW1", "db1")])


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_dW2(submission, reference, mistakes, rng, contract):
    """dW2 = 1/m dZ2 A1^T, compared with jax.grad of the cost."""
    expect_backward(submission, reference, mistakes, rng, ["dW2"], n_y=contract.get("outputs", N_Y))


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_db2(submission, reference, mistakes, rng, contract):
    """db2 = 1/m row sums of dZ2, an (n_y, 1) column, compared with jax.grad of the cost."""
    expect_backward(submission, reference, mistakes, rng, ["db2"], n_y=contract.get("outputs", N_Y))


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_dW1(submission, reference, mistakes, rng, contract):
    """dW1 = 1/m dZ1 X^T with dZ1 = (W2^T dZ2) * A1 (1 - A1), compared with jax.grad of the cost."""
    expect_backward(submission, reference, mistakes, rng, ["dW1"], n_y=contract.get("outputs", N_Y))


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_db1(submission, reference, mistakes, rng, contract):
    """db1 = 1/m row sums of dZ1, an (n_h, 1) column, compared with jax.grad of the cost."""
    expect_backward(submission, reference, mistakes, rng, ["db1"], n_y=contract.get("outputs", N_Y))


# -- update_parameters


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters(submission, reference, rng):
    """P - alpha dP for W1, b1, W2, b2, with the learning rate passed in (0.3)."""
    expect_update(submission.update_parameters, reference.update_parameters, *layer_update_case(rng, SIZES), LEARNING_RATE)


# -- nn_model

N_H_HINT = ("nn_model must use its n_h argument. layer_sizes always says n_h = 2: take only n_x and n_y from it, e.g. "
            "n_x = layer_sizes(X, Y)[0] and n_y = layer_sizes(X, Y)[2].")
SIZES_HINT = ("Take n_x and n_y from the data with layer_sizes(X, Y) and n_h from the argument, instead of writing in the "
              "sizes of the notebook's data set.")


def call_nn_model(submission, reference, seed, X, Y, n_h, *args, watch_args=False, **kwargs):
    """The student's nn_model on the reference's building blocks (a bug in one costs only its own exercise); returns
    the call's record. Parameters created with sizes other than the data's n_x and n_y and the n_h it was given are the
    verdict, whether or not training then failed."""
    blocks = ("sigmoid", "layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
              "backward_propagation", "update_parameters")
    nn_model = on_blocks(submission.nn_model, reference, seed, blocks, watch_args=watch_args)
    with expect_passed(nn_model, "initialize_parameters", (len(X), n_h, len(Y)), hint=SIZES_HINT, why=f", but X has {len(X)} "
                       f"rows (features) and Y has {len(Y)} rows (outputs) and n_h = {n_h} was asked for.",
                       summary="nn_model called initialize_parameters with sizes other than the data's and its n_h.",
                       mistakes=[ArgumentsMistake((len(X), ..., len(Y)), f": a hidden layer of {{1}} units, but it was asked for "
                                                  f"n_h = {n_h}.", N_H_HINT,
                                                  "nn_model created a hidden layer of another size than its n_h argument.")]):
        return nn_model.call(X, Y, n_h, *args, **kwargs)


def expect_nn_model(submission, reference, seed, X, Y, n_h, **options):
    """The student's nn_model(X, Y, n_h, **options) against the reference's (``options``: num_iterations and
    learning_rate, else the defaults 10 and 1.2), its usual mistakes named."""
    got = call_nn_model(submission, reference, seed, X, Y, n_h, **options).value
    expect_trained_as_reference(got, reference, seed, (X, Y, n_h), (len(X), n_h, len(Y)),
                                iterations=options.get("num_iterations", 10), learning_rate=options.get("learning_rate", 1.2),
                                shape_hints={"W1": {(2, len(X)): N_H_HINT, (n_h, 2): SIZES_HINT, (2, 2): SIZES_HINT},
                                             "W2": {(1, n_h): SIZES_HINT}})


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_defaults(submission, reference, rng, seed):
    """n_h = 4 hidden units, ten iterations at learning rate 1.2 from the seeded start: the reference's parameters."""
    expect_declared_defaults(submission, "nn_model", {"num_iterations": 10, "learning_rate": 1.2},
                             signature="nn_model(X, Y, n_h, num_iterations=10, learning_rate=1.2, print_cost=False)")
    expect_nn_model(submission, reference, seed, *make_data(rng, N_X, N_Y, M), N_H)


# -- predict


def expect_predictions(submission, reference, rng, contract, n_x, n_h, m):
    """predict on inputs and parameters whose probabilities A2 spread on both sides of 0.5 (one output), with the
    reference's forward_propagation and sigmoid: True where A2 > 0.5, as booleans of shape (1, m)."""
    X, params = rng.normal(size=(n_x, m)), layer_parameters(rng, (n_x, n_h, 1))
    params["W2"] *= 3.0
    predict = submission.predict.with_options(replace=reference.blocks("forward_propagation", "sigmoid"))
    with arguments_in_order(submission, "predict", ("X", "parameters")):
        got = predict(X, params)
    expect_predicted_classes(got, reference.predict(X, params), zeros_and_ones=contract.get("integer_predictions", False),
                             shape_hints={(m,): "Keep the predictions 2-D, shape (1, m), like A2."},
                             opposite_hint="Predict True (class 1) where the probability A2 is above 0.5: A2 > 0.5.",
                             hint="A prediction is True exactly where the network's probability A2 is above 0.5.")


@pytest.mark.exercise("predict", points=1)
def check_predict(submission, reference, rng, contract):
    """True where A2 > 0.5, as booleans of shape (1, m): 3 features, 4 hidden units, 9 examples."""
    expect_predictions(submission, reference, rng, contract, N_X, N_H, 9)
