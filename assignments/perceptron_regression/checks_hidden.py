"""Hidden checks for perceptron_regression: run when grading, never shipped to students.

They use other sizes than the public checks (n_x = 5, n_y = 3, m = 11), non-default learning
rates and iteration counts, statistics of the random start, and watch the arguments for
in-place changes.
"""

import numpy as np
import pytest

from autograder.errors import CheckFailure
from autograder.numeric import Mistake, expect_array, expect_close, expect_dict, expect_float_close
from autograder.plugin import public_checks

pytestmark = pytest.mark.hidden
public = public_checks(__file__)

N_X, N_Y, M = 5, 3, 11


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_statistics(submission, seed):
    """W is small (std ≈ 0.01), centred, of both signs: 0.01 · randn."""
    n_x, n_y = 40, 30  # 1200 weights: the sample std is within a few percent of the true one
    got = submission.initialize_parameters.with_options(np_seed=seed)(n_x, n_y)
    W = expect_array(expect_dict(got, name="parameters", keys=("W", "b"))["W"], name='parameters["W"]', shape=(n_y, n_x))
    randn_hint = "Draw W from a normal distribution and scale it: np.random.randn(n_y, n_x) * 0.01."
    if np.all(W == 0):
        raise CheckFailure('`parameters["W"]` is all zeros.', randn_hint, summary='`parameters["W"]` is all zeros.')
    if np.all(W >= 0):
        raise CheckFailure('Every entry of `parameters["W"]` is non-negative.',
                           summary='Every entry of `parameters["W"]` is non-negative.', hint=
                           "np.random.rand draws from [0, 1); np.random.randn draws from a normal distribution "
                           "(both signs). " + randn_hint)
    std, mean = float(W.std()), float(W.mean())
    if not 0.007 <= std <= 0.013:
        scale = "the factor 0.01 is missing" if std > 0.5 else "the scale is off"
        raise CheckFailure(f'The entries of `parameters["W"]` have standard deviation {std:.3g}; expected about 0.01 '
                           f"({scale}).", randn_hint,
                           summary='The entries of `parameters["W"]` do not have a standard deviation of about 0.01.')
    if abs(mean) > 0.002:  # the mean of 1200 draws of sd 0.01 has sd 0.0003
        raise CheckFailure(f'The entries of `parameters["W"]` average {mean:.3g}; expected about 0.', randn_hint,
                           summary='The entries of `parameters["W"]` do not average about 0.')


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation_other_sizes(submission, reference, rng):
    """Y_hat = W X + b with five features, three outputs and a large bias."""
    X = rng.normal(size=(N_X, M))
    params = {"W": rng.normal(size=(N_Y, N_X)), "b": rng.normal(loc=10.0, size=(N_Y, 1))}
    expect_close(submission.forward_propagation(X, params), reference.forward_propagation(X, params), name="Y_hat",
                 mistakes=[Mistake("Add the bias: Y_hat = W X + b.", params["W"] @ X)])


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost_one_output(submission, reference, rng):
    """The cost for one output row and many examples, returned as a float."""
    Y_hat, Y = rng.normal(size=(1, 50)), rng.normal(size=(1, 50))
    expected = reference.compute_cost(Y_hat, Y)
    expect_float_close(submission.compute_cost(Y_hat, Y), expected, name="cost",
                       mistakes=public.cost_mistakes(expected, 1, 50))


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_other_sizes(submission, reference, rng):
    """dW and db for five features and three outputs, against jax.grad of the cost."""
    X, Y = rng.normal(size=(N_X, M)), rng.normal(size=(N_Y, M))
    params = {"W": rng.normal(size=(N_Y, N_X)), "b": rng.normal(size=(N_Y, 1))}
    Y_hat = reference.forward_propagation(X, params)
    dW, db = reference.grad("cost_jax", argnums=(0, 1))(params["W"], params["b"], X, Y)
    grads = expect_dict(submission.backward_propagation(Y_hat, X, Y), name="grads", keys=("dW", "db"))
    expect_close(grads["dW"], dW, name='grads["dW"]', mistakes=public.gradient_mistakes(dW, M))
    expect_close(grads["db"], db, name='grads["db"]', mistakes=public.gradient_mistakes(db, M),
                 shape_hints={(N_Y,): "Keep db a column of shape (n_y, 1): sum with keepdims=True.",
                              (1, M): "db sums over the examples, which are the columns: axis=1."})


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters_leaves_its_inputs_alone(submission, reference, rng):
    """A right step that returns new arrays: the caller's dict and arrays stay as they were."""
    params, grads = public.update_case(rng)
    rate = public.LEARNING_RATE
    record = submission.update_parameters.with_options(watch_args=True).call(params, grads, learning_rate=rate)
    got = expect_dict(record.value, name="parameters", keys=("W", "b"))
    expected = reference.update_parameters(params, grads, learning_rate=rate)
    default_step = reference.update_parameters(params, grads)
    for key in ("W", "b"):
        expect_close(got[key], expected[key], name=f'parameters["{key}"]',
                     mistakes=public.update_mistakes(params, grads, default_step, key))
    (params_after, grads_after), _ = record.args_after
    for key in ("W", "b"):
        if not np.array_equal(params_after.get(key), params[key]):
            raise CheckFailure(
                f'update_parameters changed the caller\'s parameters["{key}"] in place.',
                summary=f'update_parameters changed the caller\'s parameters["{key}"] in place.', hint=
                "Do not modify the dict or arrays you are given (no -= on them): compute new arrays, "
                "W = W - learning_rate * dW, and return a new dict.",
            )


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_uses_its_arguments(submission, reference, rng, seed):
    """Seven iterations at learning rate 0.3: the arguments, not the defaults, decide."""
    X, Y = public.make_regression_data(rng, N_X, N_Y, M)
    train = lambda iterations, rate: reference.function("nn_model", np_seed=seed)(X, Y, iterations, rate)  # noqa: E731
    start = reference.function("initialize_parameters", np_seed=seed)(N_X, N_Y)
    nn_model = submission.nn_model.with_options(np_seed=seed, replace=public.reference_blocks(reference, seed))
    got = nn_model(X, Y, num_iterations=7, learning_rate=0.3)

    def mistakes_for(key):
        return [
            Mistake("nn_model ignores num_iterations: loop `for i in range(num_iterations)`.", lambda: train(10, 0.3)[key]),
            Mistake("nn_model ignores learning_rate: pass it on to update_parameters.", lambda: train(7, 1.2)[key]),
            Mistake("nn_model ignores both num_iterations and learning_rate: use the arguments, not the defaults.",
                    lambda: train(10, 1.2)[key]),
            Mistake("The loop runs one iteration too few or too many: exactly num_iterations updates.",
                    lambda: train(6, 0.3)[key]),
            Mistake("The loop runs one iteration too few or too many: exactly num_iterations updates.",
                    lambda: train(8, 0.3)[key]),
            public.no_update_mistake(start, key),
        ]

    public.expect_parameters(got, train(7, 0.3), mistakes_for)


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_leaves_data_alone_and_reports_cost(submission, reference, rng, seed):
    """X and Y are not modified, and print_cost=True prints something each iteration."""
    X, Y = public.make_regression_data(rng, N_X, N_Y, M)
    nn_model = submission.nn_model.with_options(np_seed=seed, watch_args=True,
                                                replace=public.reference_blocks(reference, seed))
    record = nn_model.call(X, Y, num_iterations=3, learning_rate=0.3, print_cost=True)
    expect_dict(record.value, name="parameters", keys=("W", "b"))
    (X_after, Y_after), _ = record.args_after
    if not (np.array_equal(X_after, X) and np.array_equal(Y_after, Y)):
        raise CheckFailure("nn_model changed the X or Y it was given.",
                           "Do not modify the input arrays in place; work on new arrays.",
                           summary="nn_model changed the X or Y it was given.")
    if len([line for line in record.stdout.splitlines() if line.strip()]) < 3:
        raise CheckFailure(summary="With print_cost=True, nn_model printed fewer cost lines than it made iterations.",
                           message="With print_cost=True, nn_model should print the cost at each of the 3 iterations; "
                           f"it printed {record.stdout.strip()[:80]!r}.",
                           hint='Inside the loop: if print_cost: print(f"Cost after iteration {i}: {cost:f}").')


@pytest.mark.exercise("predict", points=1)
def check_predict_three_features(submission, reference, mistakes, rng):
    """Three features of very different scales and two outputs."""
    X, Y, params, X_pred = public.predict_case(rng, 3, 2, 40, 6)
    predict = submission.predict.with_options(replace={"forward_propagation": reference.forward_propagation})
    expect_close(predict(X, Y, params, X_pred), reference.predict(X, Y, params, X_pred), name="Y_pred",
                 mistakes=public.predict_mistakes(mistakes, X, Y, params, X_pred))
