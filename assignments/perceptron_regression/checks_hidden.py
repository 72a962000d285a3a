"""Hidden checks for perceptron_regression: other sizes (n_x = 5, n_y = 3, m = 11), a large bias, the random start's
statistics, non-default learning rates and iteration counts, and the arguments watched for in-place changes."""

import pytest

from autograder.checks import (
    expect_initialized,
    expect_small_random,
    expect_training_report,
    public_checks,
)

pytestmark = pytest.mark.hidden
public = public_checks(__file__)
N_X, N_Y, M = 5, 3, 11


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_statistics(submission, seed):
    """W is small (std ≈ 0.01), centred, of both signs: 0.01 · randn, over 1200 weights."""
    got = submission.initialize_parameters.with_options(np_seed=seed)(40, 30)
    expect_small_random(expect_initialized(got, {"W": (30, 40)})["W"], name='parameters["W"]', shape=(30, 40),
                        hint="Draw W from a normal distribution and scale it: np.random.randn(n_y, n_x) * 0.01.")


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation_other_sizes(submission, reference, rng):
    """Y_hat = W X + b with five features, three outputs and a large bias."""
    X, W = rng.normal(size=(N_X, M)), rng.normal(size=(N_Y, N_X))
    public.expect_forward(submission, reference, X, {"W": W, "b": rng.normal(loc=10.0, size=(N_Y, 1))})


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost_one_output(submission, reference, rng):
    """The cost for one output row and fifty examples, returned as a float."""
    public.expect_cost(submission, reference, rng.normal(size=(1, 50)), rng.normal(size=(1, 50)))


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_other_sizes(submission, reference, rng):
    """dW and db for five features and three outputs, against jax.grad of the cost."""
    public.expect_backward(submission, reference, rng, ["dW", "db"], N_X, N_Y, M)


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_uses_its_arguments(submission, reference, rng, seed):
    """Seven iterations at learning rate 0.3: the arguments, not the defaults, decide."""
    X, Y = public.make_regression_data(rng, N_X, N_Y, M)
    got = public.nn_model(submission, reference, seed)(X, Y, num_iterations=7, learning_rate=0.3)
    public.expect_nn_model(got, reference, seed, X, Y, 7, 0.3)


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_leaves_data_alone_and_reports_cost(submission, reference, rng, seed):
    """X and Y are not modified, and print_cost=True prints the cost at each iteration."""
    X, Y = public.make_regression_data(rng, N_X, N_Y, M)
    nn_model = public.nn_model(submission, reference, seed, watch_args=True)
    record = nn_model.call(X, Y, num_iterations=3, learning_rate=0.3, print_cost=True)
    expect_training_report(record, (X, Y), 3, function="nn_model", keys=("W", "b"),
                           hint='Inside the loop: if print_cost: print(f"Cost after iteration {i}: {cost:f}").')


@pytest.mark.exercise("predict", points=1)
def check_predict_three_features(submission, reference, mistakes, rng):
    """Three features of very different scales and two outputs."""
    predict, case = public.predict_case(submission, reference, rng, 3, 2, 40, 6)
    public.expect_predict(predict, reference, mistakes, case)
