"""Hidden checks for perceptron_classification: other sizes (one output row, more examples), inputs far out on the
sigmoid's tails, outputs exactly 0 or 1 on the wrong side, the random start's statistics, non-default learning rates,
iteration counts and finite-difference steps, a cost that does not depend on b, and the arguments watched for in-place
changes."""

import math

import numpy as np
import pytest

from autograder.checks import (
    CheckFailure,
    StudentCodeRaised,
    expect_confident_log_loss,
    expect_initialized,
    expect_small_random,
    expect_training_report,
    layer_shape_hints,
    layer_update_case,
    public_checks,
    saturated_outputs,
    sigmoid_far_out,
)

pytestmark = pytest.mark.hidden
public = public_checks(__file__)
N_X, N_Y, M = 5, 1, 11


@pytest.mark.exercise("sigmoid", points=1)
def check_sigmoid_far_out_on_both_tails(submission, reference):
    """σ(±1000) and other large inputs come out finite: 0 far left, 1 far right, no nan."""
    # where e^z overflows (z > 709.8) or underflows to a subnormal (z < -708.4): both tails, and the middle
    z = np.array([[-1000.0, -745.0, -710.0, -40.0, -1e-3, 0.0], [1000.0, 745.0, 710.0, 40.0, 1e-3, 36.5]])
    sigmoid_far_out(public.sigmoid(submission, z), reference.sigmoid(z), z, name="sigmoid(z) for large |z|",
                    hints=public.SIGMOID_HINTS, finite=True, message="sigmoid(z) is {value} at z = {z:g}, index {index}.",
                    summary="sigmoid(z) is not finite for some large |z|.", hint="For large z, e^z overflows "
                    "to inf and e^z / (1 + e^z) becomes inf / inf = nan. Write σ(z) = 1 / (1 + e^(−z)) instead: there "
                    "the overflow (for very negative z) gives 1 / inf = 0, the right value. (numpy's overflow warning "
                    "is then harmless; np.errstate(over=\"ignore\") silences it.)")


@pytest.mark.exercise("layer_sizes", points=1)
def check_layer_sizes_one_output(submission, rng):
    """One output row and more examples than features: (5, 1) from X (5, 11) and Y (1, 11)."""
    public.expect_layer_sizes(submission, rng.normal(size=(N_X, M)), public.make_labels(rng, N_Y, M))


@pytest.mark.exercise("initialize_parameters", points=1)
def check_initialize_parameters_statistics(submission, seed):
    """W is small (std ≈ 0.01), centred and of both signs: 0.01 · randn, over 1200 weights."""
    got = submission.initialize_parameters.with_options(np_seed=seed)(40, 30)
    W = expect_initialized(got, {"W": (30, 40)}, shape_hints=layer_shape_hints((40, 30), biases=False))["W"]
    expect_small_random(W, name='parameters["W"]', shape=(30, 40),
                        hint="Draw W from a standard normal distribution and scale it: np.random.randn(n_y, n_x) * 0.01.")


@pytest.mark.exercise("forward_propagation", points=1)
def check_forward_propagation_one_output(submission, reference, rng):
    """A = σ(W X + b) with five features, one output, eleven examples and a sizeable bias."""
    X = rng.normal(size=(N_X, M))
    public.expect_forward(submission, reference, X, {"W": rng.normal(scale=0.5, size=(N_Y, N_X)), "b": np.array([[1.5]])})


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost_more_examples(submission, reference, rng):
    """The log loss of fifty examples, returned as a float."""
    A, Y = public.make_probabilities(rng, 1, 50), public.make_labels(rng, 1, 50)
    public.expect_cost(submission.compute_cost(A, Y), reference.compute_cost(A, Y), A, Y)


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost_confidently_wrong(submission, reference, rng):
    """Outputs of exactly 0 where Y = 1 (and 1 where Y = 0) give a large but finite cost, not inf or nan: with A clipped
    to [ε, 1 − ε] each such example adds about log(1/ε)/m to the cost of the same outputs on the right side, so any ε
    from the smallest float up to 1e-4 passes."""
    m, k = 20, 3
    Y = public.make_labels(rng, 1, m)
    A_right = saturated_outputs(rng, public.make_probabilities(rng, 1, m), Y, k)
    A_wrong = np.where((A_right == 0) | (A_right == 1), 1 - A_right, A_right)
    # first the same outputs on the right side: this fixes the cost of everything but the k mistakes
    right = public.expect_cost(submission.compute_cost(A_right, Y), reference.compute_cost(A_right, Y), A_right, Y,
                               when="for outputs A that are exactly 0 or 1 (and agree with the labels)")
    expect_confident_log_loss(submission.compute_cost(A_wrong, Y), right, k, m, saturated_hint=public.SATURATED_HINT,
                              summaries=("`cost` is not finite when some outputs are exactly 0 or 1.",
                                         "`cost` is off when some outputs are exactly 0 or 1: A is clipped too far from 0 "
                                         "and 1."))


@pytest.mark.exercise("dcost_dz", points=1)
def check_dcost_dz_two_rows_and_the_tails(submission, reference, mistakes, rng):
    """Two output rows and eleven examples, some outputs within 1e-6 of 0 or 1: still dl/dz entry by entry."""
    A, Z = public.make_logits(rng, 2, M, scale=6.0)
    A[0, :4] = [1e-6, 1 - 1e-6, 2e-7, 1 - 3e-7]
    Z = np.log(A) - np.log1p(-A)
    public.expect_dcost_dz(submission, reference, mistakes, A, Z, public.make_labels(rng, 2, M))


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_one_output(submission, reference, mistakes, rng):
    """dW and db for three features, one output and twenty examples, against jax.grad of the log loss."""
    public.expect_backward(submission, reference, mistakes, rng, ["dW", "db"], 3, 1, 20)


@pytest.mark.exercise("gradient_check", points=1)
def check_gradient_check_cost_without_b(submission, reference, rng):
    """A cost that does not depend on b, with db = 0: both norms of db are 0, and its relative error is 0.0, not nan."""
    X, Y = rng.normal(size=(N_X, M)), public.make_labels(rng, 1, M)
    params = {"W": rng.normal(scale=0.5, size=(1, N_X)), "b": rng.normal(size=(1, 1))}
    dW = np.asarray(reference.grad("cost_jax", argnums=0)(params["W"], np.zeros((1, 1)), X, Y))
    both_zero = ("When ‖g‖ and ‖g_num‖ are both 0 the two gradients agree exactly, but 0 / 0 is nan in numpy (and raises "
                 "ZeroDivisionError with Python floats): return 0.0 in that case, as the docstring says.")
    try:
        got = submission.gradient_check(public.CostOf(X, Y, use_b=False), params, {"dW": dW, "db": np.zeros((1, 1))})
    except StudentCodeRaised as error:
        if error.exc_type not in ("ZeroDivisionError", "FloatingPointError"):
            raise
        raise CheckFailure(f"gradient_check raised {error.exc_type} when the cost does not depend on b and db = 0.",
                           both_zero, summary=f"gradient_check raised {error.exc_type} when both gradients of b are "
                           "zero.") from None
    errors = public.expect_errors(got)
    db = errors["db"]
    number = float(db) if isinstance(db, (int, float, np.integer, np.floating, np.ndarray)) else None
    if number != 0.0:
        mixed = ("Here db = 0 and the cost does not depend on b, so b's numerical gradient is exactly 0 too, and db's "
                 "relative error is exactly 0.0. Yours is not: compute it from db and b's own numerical estimate only.")
        raise CheckFailure(f'`errors["db"]` is {db!r} when the cost does not depend on b and db = 0; expected 0.0.',
                           mixed if number is not None and math.isfinite(number) else both_zero,
                           summary='`errors["db"]` is not 0.0 when both gradients of b are zero.')
    public.expect_tiny_errors(errors, "for a cost that does not depend on b")


@pytest.mark.exercise("gradient_check", points=1)
def check_gradient_check_other_sizes_and_epsilon(submission, reference, mistakes, rng):
    """Five features, thirteen examples, a non-default epsilon and wrong gradients (one entry of dW negated and one
    halved, db negated): the reference's relative errors, from steps of the epsilon that was passed."""
    X, Y, params, grads = public.gradient_check_case(reference, rng, n_x=5, m=13)
    wrong = {"dW": grads["dW"] * np.array([[1.0, -1.0, 1.0, 0.5, 1.0]]), "db": -grads["db"]}
    epsilon = 1e-5
    cost_of = public.CostOf(X, Y)
    public.expect_errors_close(submission.gradient_check(cost_of, params, wrong, epsilon=epsilon),
                               reference.gradient_check_of_log_loss(params, wrong, X, Y, epsilon=epsilon),
                               lambda: mistakes.gradient_check_known(params, wrong, X, Y, epsilon=epsilon))
    steps = [step for step in cost_of.steps(params) if step > 0]
    if not any(abs(step - epsilon) <= 1e-3 * epsilon for step in steps):
        raise CheckFailure("gradient_check did not perturb the parameters by the epsilon it was given.",
                           "Use the epsilon argument for the step: θ + epsilon and θ − epsilon. The default is only a "
                           "default.", summary="gradient_check ignores its epsilon argument.")


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters_leaves_its_inputs_alone(submission, reference, rng):
    """A right step that builds new arrays: the caller's dict and arrays stay as they were."""
    public.expect_new_parameters(submission, reference, *layer_update_case(rng, (public.N_X, public.N_Y)))


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_uses_its_arguments(submission, reference, rng, seed):
    """Seven iterations at learning rate 0.3 on five features and one output: the arguments decide."""
    X, Y = public.make_classification_data(rng, N_X, N_Y, M)
    got = public.nn_model(submission, reference, seed)(X, Y, num_iterations=7, learning_rate=0.3)
    public.expect_nn_model(got, reference, seed, X, Y, 7, 0.3)


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_prints_the_cost_and_leaves_the_data_alone(submission, reference, rng, seed):
    """print_cost=True prints a line per iteration, and X and Y come back unchanged."""
    X, Y = public.make_classification_data(rng, N_X, N_Y, M)
    record = public.nn_model(submission, reference, seed, watch_args=True).call(X, Y, num_iterations=3, learning_rate=0.3,
                                                                                print_cost=True)
    expect_training_report(record, (X, Y), 3, function="nn_model", keys=("W", "b"),
                           hint='Inside the loop: if print_cost: print(f"Cost after iteration {i}: {cost:f}").')


@pytest.mark.exercise("predict", points=1)
def check_predict_more_examples(submission, reference, rng):
    """Booleans of shape (1, m) for five features and forty examples, a few of them close to A = 0.5."""
    public.expect_classes(public.predictor(submission, reference), reference, *public.predict_case(rng, N_X, 40))
