"""Hidden checks for neural_network: run when grading, never shipped to students.

They use other sizes than the public checks (n_x = 5, n_h = 6, n_y = 1, m = 11, and the notebook's
own n_x = 2), large biases, sigmoid inputs far out in both tails, non-default hidden sizes,
learning rates and iteration counts, and they watch the arguments for in-place changes.
"""

import numpy as np
import pytest

from autograder.errors import CheckFailure
from autograder.numeric import Mistake, expect_close, expect_dict, expect_equal, expect_float_close, expect_tuple
from autograder.plugin import public_checks

pytestmark = pytest.mark.hidden
public = public_checks(__file__)

N_X, N_H, N_Y, M = 5, 6, 1, 11


@pytest.mark.exercise("sigmoid", points=1)
def check_sigmoid_far_out_and_on_a_number(submission, reference):
    """sigma tends to 0 and 1 without NaN for |z| up to 800, and works on a plain number too."""
    z = np.array([[-800.0, -100.0, -20.0, -1.0, 0.0, 1.0, 20.0, 100.0, 800.0]])
    got = public.elementwise(submission.sigmoid, z)
    if isinstance(got, np.ndarray) and got.shape == z.shape and got.dtype.kind == "f" and np.isnan(got).any():
        where = int(np.argmax(np.isnan(got[0])))
        raise CheckFailure(
            f"`sigmoid(z)` is nan at z = {z[0, where]:g}.", summary="`sigmoid(z)` is nan for some large |z|.", hint=
            "For large z, e^z overflows to inf and inf / inf is nan. Write the sigmoid as 1 / (1 + np.exp(-z)): "
            "it tends to 0 and 1 correctly at both ends.",
        )
    with np.errstate(over="ignore"):  # e^800 overflows to inf on the way to the right answer, 0
        expected = reference.sigmoid(z)
    expect_close(got, expected, name="sigmoid(z)", mistakes=public.sigmoid_mistakes(z, expected))
    expect_float_close(submission.sigmoid(0.5), float(reference.sigmoid(0.5)), name="sigmoid(0.5)")


@pytest.mark.exercise("layer_sizes", points=1)
def check_layer_sizes_other_data(submission, rng):
    """Five features and three outputs: (5, 2, 3)."""
    X, Y = rng.normal(size=(N_X, M)), rng.normal(size=(3, M))
    got = expect_tuple(submission.layer_sizes(X, Y), name="layer_sizes(X, Y)", length=3)
    expect_equal(got, (N_X, 2, 3), name="layer_sizes(X, Y)", mistakes=public.layer_sizes_mistakes(N_X, 3, M))


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_notebook_shape(submission, seed):
    """Two features, five hidden units, one output (the notebook's data with a wider hidden layer)."""
    got = submission.initialize_parameters.with_options(np_seed=seed)(2, 5, 1)
    params = public.expect_parameter_shapes(got, 2, 5, 1)
    for key in ("b1", "b2"):
        if np.any(params[key] != 0):
            raise CheckFailure(f'`parameters["{key}"]` is not all zeros.', "Start the biases at zero: np.zeros((n, 1)) "
                               "with n the layer's number of units.", summary=f'`parameters["{key}"]` is not all zeros.')


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation_other_sizes(submission, reference, mistakes, rng):
    """Five features, six hidden units, one output, eleven examples, biases around 2: A2 and the cache."""
    X, params, A2, cache = public.forward_case(rng, reference, N_X, N_H, N_Y, M, bias=2.0)
    got_A2, got_cache = public.call_forward(submission, reference, X, params)
    expect_close(got_A2, A2, name="A2", mistakes=public.forward_mistakes(mistakes, X, params))
    public.expect_cache(got_cache, cache, N_H, N_Y, M)


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost_one_output(submission, reference, mistakes, rng):
    """One output row, fifty examples, probabilities from 0.01 to 0.99: a float."""
    A2 = rng.uniform(0.01, 0.99, size=(1, 50))
    Y = (rng.random(size=(1, 50)) < 0.5).astype(float)
    expected = reference.compute_cost(A2, Y)
    public.expect_cost(submission.compute_cost(A2, Y), expected, mistakes, A2, Y)


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_other_sizes(submission, reference, mistakes, rng):
    """All four blocks for five features, six hidden units and one output, against jax.grad of the cost."""
    X, Y, params, cache, expected = public.backward_case(rng, reference, N_X, N_H, N_Y, M)
    grads = public.call_backward(submission, reference, params, cache, X, Y)
    for key in ("dW2", "db2", "dW1", "db1"):
        public.expect_gradient_block(grads, key, expected, mistakes, params, cache, X, Y, N_X, N_H, N_Y, M)


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters_leaves_its_inputs_alone(submission, reference, rng):
    """A right step that returns new arrays: the caller's dicts and arrays stay as they were."""
    params, grads = public.update_case(rng, N_X, N_H, N_Y)
    rate = 0.05
    record = submission.update_parameters.with_options(watch_args=True).call(params, grads, learning_rate=rate)
    expected = reference.update_parameters(params, grads, learning_rate=rate)
    public.expect_updated(record.value, params, grads, expected, reference.update_parameters(params, grads), rate)
    (params_after, grads_after), _ = record.args_after
    for before, after, what in ((params, params_after, "parameters"), (grads, grads_after, "grads")):
        changed = [key for key in before if not (isinstance(after, dict) and np.array_equal(after.get(key), before[key]))]
        if changed:
            raise CheckFailure(
                f"update_parameters changed the caller's {what}[{changed[0]!r}] in place.",
                summary=f"update_parameters changed the caller's {what}[{changed[0]!r}] in place.", hint=
                "Do not modify the dict or the arrays you are given (no -= on them): compute new arrays, "
                'W1 = parameters["W1"] - learning_rate * grads["dW1"], and return a new dict.',
            )


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_uses_its_arguments(submission, reference, rng, seed):
    """Five hidden units, seven iterations at learning rate 0.3: the arguments, not the defaults, decide."""
    n_x, n_h, n_y, m = 3, 5, 1, 11
    X, Y = public.make_data(rng, n_x, n_y, m)
    train = lambda iterations, rate: reference.function("nn_model", np_seed=seed)(X, Y, n_h, iterations, rate)  # noqa: E731
    start = reference.function("initialize_parameters", np_seed=seed)(n_x, n_h, n_y)
    got = public.call_nn_model(submission, reference, seed, (n_x, n_h, n_y), X, Y, n_h, num_iterations=7,
                               learning_rate=0.3).value

    def mistakes_for(key):
        return [
            Mistake("nn_model ignores num_iterations: loop `for i in range(num_iterations)`.", lambda: train(10, 0.3)[key]),
            Mistake("nn_model ignores learning_rate: pass it on to update_parameters(parameters, grads, learning_rate).",
                    lambda: train(7, 1.2)[key]),
            Mistake("nn_model ignores both num_iterations and learning_rate: use the arguments, not the defaults.",
                    lambda: train(10, 1.2)[key]),
            Mistake("The loop runs one iteration too few or too many: exactly num_iterations updates.",
                    lambda: train(6, 0.3)[key]),
            Mistake("The loop runs one iteration too few or too many: exactly num_iterations updates.",
                    lambda: train(8, 0.3)[key]),
            public.no_update_mistake(start, key),
        ]

    public.expect_trained(got, train(7, 0.3), n_x, n_h, n_y, mistakes_for)


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_leaves_data_alone_and_reports_cost(submission, reference, rng, seed):
    """X and Y are not modified, and print_cost=True prints the cost."""
    X, Y = public.make_data(rng, N_X, N_Y, M)
    record = public.call_nn_model(submission, reference, seed, (N_X, 3, N_Y), X, Y, 3, watch_args=True,
                                  num_iterations=3, learning_rate=0.3, print_cost=True)
    expect_dict(record.value, name="parameters", keys=public.PARAMETER_KEYS)
    (X_after, Y_after, _), _ = record.args_after
    if not (np.array_equal(X_after, X) and np.array_equal(Y_after, Y)):
        raise CheckFailure("nn_model changed the X or Y it was given.",
                           "Do not modify the input arrays in place (no -=, /= or slice assignment on X or Y); "
                           "work on new arrays.", summary="nn_model changed the X or Y it was given.")
    if not record.stdout.strip():  # once per iteration here; every 1000 iterations in other courses' notebooks
        raise CheckFailure("With print_cost=True, nn_model printed nothing in 3 iterations.",
                           summary="With print_cost=True, nn_model printed nothing.", hint=
                           'Inside the loop: if print_cost: print(f"Cost after iteration {i}: {cost:f}").')


@pytest.mark.exercise("predict", points=1)
def check_predict_notebook_shape(submission, reference, rng, contract):
    """Two features, five hidden units, forty examples."""
    X, params = public.predict_case(rng, 2, 5, 40)
    expected = reference.predict(X, params)
    predict = submission.predict.with_options(replace=public.stand_ins(reference, ("forward_propagation", "sigmoid")))
    public.expect_predictions(public.call_predict(submission, predict, X, params), expected, 40, contract)
