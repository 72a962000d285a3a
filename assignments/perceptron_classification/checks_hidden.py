"""Hidden checks for perceptron_classification: run when grading, never shipped to students.

They use other sizes than the public checks (one output row, more examples), inputs far out on
the sigmoid's tails, outputs that are exactly 0 or 1 on the wrong side, statistics of the random
start, non-default learning rates and iteration counts, and they watch the arguments for
in-place changes.
"""

import math

import numpy as np
import pytest

from autograder.errors import CheckFailure
from autograder.numeric import Mistake, expect_array, expect_close, expect_dict, expect_equal, expect_float, expect_tuple
from autograder.plugin import public_checks

pytestmark = pytest.mark.hidden
public = public_checks(__file__)

N_X, N_Y, M = 5, 1, 11

# Where e^z overflows (z > 709.8) or underflows to a subnormal (z < -708.4): both tails, and the middle.
TAIL_INPUTS = np.array([[-1000.0, -745.0, -710.0, -40.0, -1e-3, 0.0],
                        [1000.0, 745.0, 710.0, 40.0, 1e-3, 36.5]])

UNSTABLE_HINT = ("For large z, e^z overflows to inf and e^z / (1 + e^z) becomes inf / inf = nan. Write "
                 "σ(z) = 1 / (1 + e^(−z)) instead: there the overflow (for very negative z) gives 1 / inf = 0, "
                 "the right value. (numpy's overflow warning is then harmless; np.errstate(over=\"ignore\") "
                 "silences it.)")


@pytest.mark.exercise("sigmoid", points=1)
def check_sigmoid_far_out_on_both_tails(submission, reference):
    """σ(±1000) and other large inputs come out finite: 0 far left, 1 far right, no nan."""
    z = TAIL_INPUTS
    got = public.call_sigmoid(submission, z)
    if isinstance(got, np.ndarray) and got.shape == z.shape and got.dtype.kind == "f" and not np.isfinite(got).all():
        where = np.argwhere(~np.isfinite(got))[0]
        i, j = int(where[0]), int(where[1])
        raise CheckFailure(f"sigmoid(z) is {got[i, j]} at z = {z[i, j]:g}, index ({i}, {j}).", UNSTABLE_HINT,
                           summary="sigmoid(z) is not finite for some large |z|.")
    expect_close(got, reference.sigmoid(z), name="sigmoid(z) for large |z|", mistakes=public.sigmoid_mistakes(z))


@pytest.mark.exercise("layer_sizes", points=1)
def check_layer_sizes_one_output(submission, rng):
    """One output row and more examples than features: (5, 1) from X (5, 11) and Y (1, 11)."""
    X, Y = rng.normal(size=(N_X, M)), public.make_labels(rng, N_Y, M)
    got = expect_tuple(submission.layer_sizes(X, Y), name="layer_sizes(X, Y)", length=2)
    expect_equal(got, (N_X, N_Y), name="layer_sizes(X, Y)", mistakes=public.layer_sizes_mistakes(N_X, N_Y, M))


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_statistics(submission, seed):
    """W is small (std ≈ 0.01), centred and of both signs: 0.01 · randn."""
    n_x, n_y = 40, 30  # 1200 weights: their sample std is within a few percent of the true one
    got = submission.initialize_parameters.with_options(np_seed=seed)(n_x, n_y)
    W = expect_array(expect_dict(got, name="parameters", keys=("W", "b"))["W"], name='parameters["W"]',
                     shape=(n_y, n_x), shape_hints=public.w_shape_hints(n_x, n_y))
    randn_hint = "Draw W from a standard normal distribution and scale it: np.random.randn(n_y, n_x) * 0.01."
    if np.all(W == 0):
        raise CheckFailure('`parameters["W"]` is all zeros: every weight gets the same gradient, so they never differ.',
                           randn_hint, summary='`parameters["W"]` is all zeros.')
    if np.all(W >= 0):
        raise CheckFailure('Every entry of `parameters["W"]` is non-negative.',
                           summary='Every entry of `parameters["W"]` is non-negative.', hint=
                           "np.random.rand draws from [0, 1); np.random.randn draws from a normal distribution "
                           "(both signs). " + randn_hint)
    std, mean = float(W.std()), float(W.mean())
    if not 0.007 <= std <= 0.013:
        reason = "the factor 0.01 is missing" if std > 0.5 else "the scale is off"
        raise CheckFailure(f'The entries of `parameters["W"]` have standard deviation {std:.3g}; expected about 0.01 '
                           f"({reason}).", randn_hint,
                           summary='The entries of `parameters["W"]` do not have a standard deviation of about 0.01.')
    if abs(mean) > 0.002:  # the mean of 1200 draws of sd 0.01 has sd 0.0003
        raise CheckFailure(f'The entries of `parameters["W"]` average {mean:.3g}; expected about 0.', randn_hint,
                           summary='The entries of `parameters["W"]` do not average about 0.')


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation_one_output(submission, reference, rng):
    """A = σ(W X + b) with five features, one output, eleven examples and a sizeable bias."""
    X = rng.normal(size=(N_X, M))
    params = {"W": rng.normal(scale=0.5, size=(N_Y, N_X)), "b": np.array([[1.5]])}
    forward = submission.forward_propagation.with_options(replace=reference.blocks("sigmoid"))
    expect_close(forward(X, params), reference.forward_propagation(X, params), name="A",
                 mistakes=public.forward_mistakes(X, params))


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost_more_examples(submission, reference, rng):
    """The log loss of fifty examples, returned as a float."""
    A, Y = public.make_probabilities(rng, 1, 50), public.make_labels(rng, 1, 50)
    public.expect_cost(submission.compute_cost(A, Y), reference.compute_cost(A, Y), A, Y, when="")


SMALLEST_FLOAT = 5e-324  # the smallest positive float64: no clip can keep A any closer to 0
CONFIDENT = 1e-4  # a clip this far from 0 and 1, or closer, still makes a confident mistake expensive


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost_confidently_wrong(submission, reference, rng):
    """Outputs of exactly 0 where Y = 1 (and 1 where Y = 0) give a large but finite cost, not inf or nan.

    The exact log loss is infinite there; with A clipped to [ε, 1 − ε] each such example adds about
    log(1/ε)/m to the cost of the same outputs on the right side, so any ε from the smallest float up
    to 1e-4 passes.
    """
    m, k = 20, 3
    Y = public.make_labels(rng, 1, m)
    A_right = public.saturate(rng, public.make_probabilities(rng, 1, m), Y, k, agree=True)
    A_wrong = np.where((A_right == 0) | (A_right == 1), 1 - A_right, A_right)
    # first the same outputs on the right side: this fixes the cost of everything but the k mistakes
    right = public.expect_cost(submission.compute_cost(A_right, Y), reference.compute_cost(A_right, Y), A_right, Y,
                               when="for outputs A that are exactly 0 or 1 (and agree with the labels)")
    got = submission.compute_cost(A_wrong, Y)
    when = "when some outputs are exactly 0 where Y = 1, or exactly 1 where Y = 0"
    if isinstance(got, (float, np.floating)) and not math.isfinite(got):
        raise CheckFailure(f"`cost` is {float(got)} {when}.", public.SATURATED_HINT,
                           summary="`cost` is not finite when some outputs are exactly 0 or 1.")
    cost = expect_float(got, name="cost")
    low, high = (right + k * -math.log(eps) / m for eps in (CONFIDENT, SMALLEST_FLOAT))
    if not low <= cost <= high:
        raise CheckFailure(f"`cost` is {cost:.6g} {when}; expected between {low:.4g} (A clipped at {CONFIDENT:g}) "
                           f"and {high:.4g} (A clipped at {SMALLEST_FLOAT:g}).",
                           summary="`cost` is off when some outputs are exactly 0 or 1: A is clipped too far from 0 and 1.",
                           hint=
                           "Clip A only a tiny distance from 0 and 1 (e.g. np.clip(A, 1e-15, 1 - 1e-15)), so that a "
                           "confident mistake still costs a lot.")


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_one_output(submission, reference, rng):
    """dW and db for three features, one output and twenty examples, against jax.grad of the log loss."""
    n_x, n_y, m = 3, 1, 20
    X, Y, A, dW, db = public.backward_case(rng, reference, n_x, n_y, m)
    grads = public.call_backward(submission, A, X, Y)
    expect_close(grads["dW"], dW, name='grads["dW"]', mistakes=public.gradient_mistakes(A, X, Y, "dW"),
                 shape_hints=public.dw_shape_hints(n_x, n_y, m))
    expect_close(grads["db"], db, name='grads["db"]', mistakes=public.gradient_mistakes(A, X, Y, "db"),
                 shape_hints=public.db_shape_hints(n_y, m))


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters_leaves_its_inputs_alone(submission, reference, rng):
    """A right step that builds new arrays: the caller's dict and arrays stay as they were."""
    params, grads = public.update_case(rng)
    rate = public.LEARNING_RATE
    record = submission.update_parameters.with_options(watch_args=True).call(params, grads, learning_rate=rate)
    public.expect_updated(record.value, reference.update_parameters(params, grads, learning_rate=rate), params, grads,
                          reference.update_parameters(params, grads))
    (params_after, _), _ = record.args_after
    for key in ("W", "b"):
        if not (isinstance(params_after, dict) and np.array_equal(params_after.get(key), params[key])):
            raise CheckFailure(
                f'update_parameters changed the caller\'s parameters["{key}"] in place.',
                summary=f'update_parameters changed the caller\'s parameters["{key}"] in place.', hint=
                "Do not modify the dict or the arrays you are given (no -= on them): compute new arrays, "
                "W = W - learning_rate * dW, and return a new dict.",
            )


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_uses_its_arguments(submission, reference, rng, seed):
    """Seven iterations at learning rate 0.3 on five features and one output: the arguments decide."""
    X, Y = public.make_classification_data(rng, N_X, N_Y, M)
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
            Mistake("The loop runs one iteration too few: exactly num_iterations updates.", lambda: train(6, 0.3)[key]),
            Mistake("The loop runs one iteration too many: exactly num_iterations updates.", lambda: train(8, 0.3)[key]),
            public.no_update_mistake(start, key),
        ]

    public.expect_parameters(got, train(7, 0.3), mistakes_for)


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_prints_the_cost_and_leaves_the_data_alone(submission, reference, rng, seed):
    """print_cost=True prints a line per iteration, and X and Y come back unchanged."""
    X, Y = public.make_classification_data(rng, N_X, N_Y, M)
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
def check_predict_more_examples(submission, reference, rng):
    """Booleans of shape (1, m) for five features and forty examples, a few of them close to A = 0.5."""
    X, params, A = public.predict_case(rng, N_X, 40)
    predict = submission.predict.with_options(replace=reference.blocks("forward_propagation", "sigmoid"))
    public.expect_classes(predict(X, params), reference.predict(X, params), A, name="predictions")
