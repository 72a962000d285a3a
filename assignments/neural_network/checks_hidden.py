"""Hidden checks for neural_network: other sizes (n_x = 5, n_h = 6, n_y = 1, m = 11, and the notebook's n_x = 2), large
biases, sigmoid inputs far out in both tails, outputs of exactly 0 or 1 on the wrong side, non-default hidden sizes,
learning rates and iteration counts, and the arguments watched for in-place changes."""

import numpy as np
import pytest

from autograder.checks import (
    expect_confident_log_loss,
    expect_float_close,
    expect_layers_initialized,
    expect_training_report,
    expect_update,
    layer_update_case,
    public_checks,
    sigmoid_far_out,
)

pytestmark = pytest.mark.hidden
public = public_checks(__file__)
N_X, N_H, N_Y, M = 5, 6, 1, 11


@pytest.mark.exercise("sigmoid", points=1)
def check_sigmoid_far_out_and_on_a_number(submission, reference):
    """sigma tends to 0 and 1 without NaN for |z| up to 1000, and works on a plain number too."""
    z = np.array([[-1000.0, 1000.0, -745.0, 745.0, -100.0, 100.0, -20.0, 20.0, -1.0, 0.0, 1.0]])
    sigmoid_far_out(public.sigmoid(submission, z), reference.sigmoid(z), z)
    expect_float_close(submission.sigmoid(0.5), float(reference.sigmoid(0.5)), name="sigmoid(0.5)")


@pytest.mark.exercise("layer_sizes", points=1)
def check_layer_sizes_other_data(submission, rng):
    """Five features and three outputs: (5, 2, 3)."""
    public.expect_layer_sizes(submission, rng, N_X, 3, M)


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_notebook_shape(submission, seed):
    """Two features, five hidden units, one output (the notebook's data with a wider hidden layer)."""
    expect_layers_initialized(submission.initialize_parameters.with_options(np_seed=seed)(2, 5, 1), (2, 5, 1), zero_biases=True,
                              hint="Start the biases at zero: np.zeros((n, 1)) with n the layer's number of units.")


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation_other_sizes(submission, reference, mistakes, rng):
    """Five features, six hidden units, one output, eleven examples, biases around 2: A2 and the cache."""
    (A2, cache), (expected, expected_cache), X, params = public.forward_case(submission, reference, rng, N_X, N_H, N_Y, M, 2.0)
    public.expect_A2(A2, expected, mistakes, X, params)
    public.expect_cache(cache, expected_cache)


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost_one_output(submission, reference, mistakes, rng):
    """One output row, fifty examples, probabilities from 0.01 to 0.99: a float."""
    A2, Y = rng.uniform(0.01, 0.99, size=(1, 50)), (rng.random(size=(1, 50)) < 0.5).astype(float)
    public.expect_cost(submission.compute_cost(A2, Y), reference.compute_cost(A2, Y), mistakes, A2, Y)


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost_confidently_wrong(submission, rng, contract):
    """Outputs of exactly 0 where Y = 1 (and 1 where Y = 0) give a large but finite cost, not inf or nan: with A2
    clipped to [eps, 1 - eps] each adds log(1/eps)/m to the cost of the other outputs, and any eps from the smallest
    float up to 1e-4 passes."""
    m, k = 20, 3
    A2, Y = public.saturated_case(rng, contract, 1, m, k, wrong=True)
    right = np.abs(A2 - (1 - Y)) > 1e-6  # every output but the k confident mistakes
    rest = -np.sum(Y[right] * np.log(A2[right]) + (1 - Y[right]) * np.log(1 - A2[right])) / m
    expect_confident_log_loss(submission.compute_cost(A2, Y), rest, k, m, output="A2")


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_other_sizes(submission, reference, mistakes, rng):
    """All four blocks for five features, six hidden units and one output, against jax.grad of the cost."""
    public.expect_backward(submission, reference, mistakes, rng, ["dW2", "db2", "dW1", "db1"], N_X, N_H, N_Y, M)


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters_leaves_its_inputs_alone(submission, reference, rng):
    """A right step that returns new arrays: the caller's dicts and arrays stay as they were."""
    expect_update(submission.update_parameters, reference.update_parameters, *layer_update_case(rng, (N_X, N_H, N_Y)), 0.05,
                  watched=2, what="parameters or grads",
                  inputs_alone="Do not modify the dict or the arrays you are given (no -= on them): compute new arrays, "
                               'W1 = parameters["W1"] - learning_rate * grads["dW1"], and return a new dict.')


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_uses_its_arguments(submission, reference, rng, seed):
    """Five hidden units, seven iterations at learning rate 0.3: the arguments, not the defaults, decide."""
    X, Y = public.make_data(rng, 3, 1, 11)
    public.expect_nn_model(submission, reference, seed, X, Y, 5, num_iterations=7, learning_rate=0.3)


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_leaves_data_alone_and_reports_cost(submission, reference, rng, seed):
    """X and Y are not modified, and print_cost=True prints the cost."""
    X, Y = public.make_data(rng, N_X, N_Y, M)
    record = public.call_nn_model(submission, reference, seed, X, Y, 3, watch_args=True, num_iterations=3, learning_rate=0.3,
                                  print_cost=True)
    # other courses' notebooks print every 1000 iterations: once in these three
    expect_training_report(record, (X, Y), 3, function="nn_model", keys=("W1", "b1", "W2", "b2"), every=1000,
                           hint='Inside the loop: if print_cost: print(f"Cost after iteration {i}: {cost:f}").')


@pytest.mark.exercise("predict", points=1)
def check_predict_notebook_shape(submission, reference, rng, contract):
    """Two features, five hidden units, forty examples."""
    public.expect_predictions(submission, reference, rng, contract, 2, 5, 40)
