"""Public checks for perceptron_classification. Inputs come from each check's seed: n_x = 3, n_y = 2, m = 7 (all different),
non-zero biases, labels Y as 0.0/1.0 arrays of shape (n_y, m). Expected values come from the reference, derivatives from
`jax.grad` of its cost, the values of known mistakes from mistakes.py (recorded: the derivative dcost_dz asks for is not
spelled out here). A function that calls other exercises' functions runs with the reference's versions of those.
gradient_check gets a cost_of that runs here, on the grader's side, and notes every parameters dict it is asked about."""

import math

import numpy as np
import pytest

from autograder.checks import (
    CheckFailure,
    Figure,
    Mistake,
    StudentCodeRaised,
    expect_close,
    expect_dict,
    expect_elementwise,
    expect_float_close,
    expect_gradients,
    expect_layers_initialized,
    expect_log_loss,
    expect_predicted_classes,
    expect_sizes,
    expect_trained_as_reference,
    expect_unchanged,
    expect_update,
    halved,
    layer_parameters,
    layer_shape_hints,
    layer_update_case,
    on_blocks,
    reference_gradients,
    saturated_outputs,
    sigmoid_mistakes,
)

N_X, N_Y, M = 3, 2, 7
LEARNING_RATE = 0.3  # not the default 1.2, so a hard-coded rate shows
THRESHOLD = 0.5


def make_labels(rng, n_y, m):
    """0.0/1.0 labels of shape (n_y, m) with both classes in every row."""
    return np.vstack([rng.permutation(m) % 2 for _ in range(n_y)]).astype(float)


def make_probabilities(rng, n_y, m):
    """Outputs A of a sigmoid, kept away from 0 and 1 so that every sound formula agrees."""
    return rng.uniform(0.1, 0.9, size=(n_y, m))


def make_classification_data(rng, n_x, n_y, m):
    """Inputs and 0/1 labels drawn from a perceptron with known parameters (so training makes sense)."""
    X, true = rng.normal(size=(n_x, m)), layer_parameters(rng, (n_x, n_y), bias=0.5)
    return X, (rng.uniform(size=(n_y, m)) < logistic(true["W"] @ X + true["b"])).astype(float)


def logistic(z):
    """The sigmoid, computed here on the trusted side to build known wrong answers."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


# -- sigmoid


def sigmoid(submission, z):
    return expect_elementwise(submission.sigmoid, z, name="sigmoid", hint="sigmoid must work on whole arrays, entry by "
                              "entry: use np.exp, not math.exp (math.exp only takes a single number). 1 / (1 + np.exp(-z)) "
                              "works for numbers and arrays alike.")


SIGMOID_HINTS = {  # the sigmoid's known mistakes (sigmoid_mistakes) in this notebook's words
    "exponent_sign": "The exponent has the wrong sign: σ(z) = 1 / (1 + e^(−z)), which grows from 0 to 1 as z grows.",
    "tanh": "That is tanh(z), which runs from −1 to 1; the sigmoid is σ(z) = 1 / (1 + e^(−z)), from 0 to 1.",
    "reciprocal": "Add 1 to e^(−z) before dividing: σ(z) = 1 / (1 + e^(−z)).",
    "derivative": "That is the sigmoid's derivative σ(z)(1 − σ(z)); return σ(z) = 1 / (1 + e^(−z)) itself.",
}


@pytest.mark.exercise("sigmoid", points=1)
def check_sigmoid_on_arrays(submission, reference, rng):
    """σ works entry by entry on a 1-D, a 2-D and a 3-D array, and keeps their shapes."""
    for shape in ((M,), (N_Y, M), (2, 3, 4)):
        z = rng.normal(scale=4.0, size=shape)
        expect_close(sigmoid(submission, z), reference.sigmoid(z), name=f"sigmoid(z) for z of shape {shape}",
                     mistakes=sigmoid_mistakes(z, SIGMOID_HINTS))


@pytest.mark.exercise("sigmoid", points=1)
def check_sigmoid_on_numbers(submission, reference, rng):
    """σ(0) = 0.5, and σ of a few other single numbers."""
    for z in (0.0, *np.round(rng.normal(scale=3.0, size=3), 3).tolist()):
        got = sigmoid(submission, z)
        got = got[()] if isinstance(got, np.ndarray) and got.shape == () and got.dtype.kind in "iuf" else got  # 0-d: a number
        expect_float_close(got, reference.sigmoid(z), name=f"sigmoid({z:g})",
                           mistakes=sigmoid_mistakes(np.float64(z), SIGMOID_HINTS))


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
    expect_layers_initialized(submission.initialize_parameters.with_options(np_seed=seed)(N_X, N_Y), (N_X, N_Y), zero_biases=True,
                              bias_hints=False, hint="Start the bias at zero: np.zeros((n_y, 1)).")


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
    expect_forward(submission, reference, rng.normal(size=(N_X, M)), layer_parameters(rng, (N_X, N_Y)))


# -- compute_cost

SATURATED_HINT = ("log(0) is −inf, and 0 · log(0) is nan in numpy. Keep A away from exactly 0 and 1 before taking logs: "
                  "A = np.clip(A, 1e-15, 1 - 1e-15). (A much smaller ε does not help: 1 - 1e-20 rounds back to 1.0.)")


COST_HINTS = {  # the log loss's known mistakes (log_loss_mistakes), in the order they are tried
    "sign": "Mind the sign: the log loss is −(1/m) Σ (Y log A + (1 − Y) log(1 − A)). The logs of probabilities are "
            "negative, so the minus sign makes the cost positive.",
    "not_averaged": "Average over the m examples: divide by m = Y.shape[1], the number of columns. "
                    "(Y is (n_y, m), not (m,): len(Y) and Y.shape[0] count rows, here 1.)",
    "sign_and_average": "Two things: the log loss has a minus sign in front, and it is averaged over the m examples (1/m).",
    "positive_term_only": "Both classes count: add the term (1 − Y) log(1 − A), which is what the examples with label 0 "
                          "cost.",
    "swapped_terms": "log A goes with Y and log(1 − A) with 1 − Y: the cost of an example with label 1 is −log A.",
    "entries": "Divide by m, the number of examples (columns), not by the number of entries n_y · m.",
}


def expect_cost(got, expected, A, Y, *, when=""):
    """The cost as a float close to `expected` (returned); a nan or inf gets the saturated-output hint."""
    return expect_log_loss(got, expected, A, Y, hints=COST_HINTS, when=when, saturated_hint=SATURATED_HINT)


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost(submission, reference, rng):
    """L = −(1/m) Σ (Y log A + (1 − Y) log(1 − A)) as one number, for one output and seven examples."""
    A, Y = make_probabilities(rng, 1, M), make_labels(rng, 1, M)
    expect_cost(submission.compute_cost(A, Y), reference.compute_cost(A, Y), A, Y)


@pytest.mark.exercise("compute_cost", points=1)
def check_compute_cost_saturated_but_right(submission, reference, rng):
    """Outputs of exactly 0 and 1 where the label agrees cost (almost) nothing, and the cost stays finite."""
    Y = make_labels(rng, 1, M + 3)
    A = saturated_outputs(rng, make_probabilities(rng, 1, M + 3), Y, 4)  # 4 entries at exactly 0 or 1, the label's value
    expect_cost(submission.compute_cost(A, Y), reference.compute_cost(A, Y), A, Y,
                when="for outputs A that are exactly 0 or 1 (and agree with the labels)")


# -- dcost_dz


def make_logits(rng, n_y, m, scale=3.0):
    """Outputs A = σ(Z) spread over (0, 1), and Z = logit(A) recomputed from them: the point where the derivative is asked."""
    A = logistic(rng.normal(scale=scale, size=(n_y, m)))
    return A, np.log(A) - np.log1p(-A)


DCOST_DZ_HINTS = {
    "sign": "The sign is flipped. When the prediction a is above the label y, raising z raises the loss, so dl/dz must be "
            "positive there.",
    "dl_da": "That is dl/da. The chain rule goes on through a = σ(z): multiply by da/dz = a(1 − a), then simplify.",
    "da_dz": "That is da/dz = a(1 − a) alone. The chain rule multiplies it by dl/da = −y/a + (1 − y)/(1 − a).",
    "squared_error": "That is the chain for the squared error (a − y)²/2, the regression cost. The log loss has "
                     "dl/da = −y/a + (1 − y)/(1 − a): multiply that by a(1 − a) and simplify.",
    "over_m": "dcost_dz is the derivative of one example's loss: do not divide by m here. backward_propagation averages "
              "over the m examples afterwards.",
    "sigmoid_of_a": "σ'(z) = σ(z)(1 − σ(z)) = a(1 − a): A is already the sigmoid's output, so do not apply the sigmoid to it "
                    "again.",
    "second_term_sign": "Mind the sign of the second term: d/da of −(1 − y) log(1 − a) is +(1 − y)/(1 − a) (the chain rule "
                        "through 1 − a brings a factor −1).",
}


def expect_dcost_dz(submission, reference, mistakes, A, Z, Y):
    """dl/dz entry by entry against jax.grad of the summed per-example losses with respect to Z (at Z = logit(A))."""
    n_y, m = A.shape
    per_example = ("dcost_dz works entry by entry: one derivative per example, the same shape as A, "
                   f"({n_y}, {m}). Do not sum or average over the examples here.")
    expect_close(submission.dcost_dz(A, Y), reference.grad("loss_jax", argnums=0)(Z, Y), name="dcost_dz(A, Y)",
                 shape_hints={(): per_example, (n_y,): per_example, (m,): per_example, (1, 1): per_example,
                              (m, n_y): "Keep A's shape (n_y, m): do not transpose."},
                 mistakes=[Mistake(hint, lambda name=name: mistakes.dcost_dz_known(A, Y)[name])
                           for name, hint in DCOST_DZ_HINTS.items()],
                 hint="Write the loss of one example, l = −(y log a + (1 − y) log(1 − a)), take dl/da, multiply by "
                      "da/dz = a(1 − a), and simplify the product as far as it goes.")


@pytest.mark.exercise("dcost_dz", points=1)
def check_dcost_dz(submission, reference, mistakes, rng):
    """dl/dz for one output and seven examples, checked against jax.grad of the log loss with respect to z."""
    A, Z = make_logits(rng, 1, M)
    expect_dcost_dz(submission, reference, mistakes, A, Z, make_labels(rng, 1, M))


# -- backward_propagation


def expect_backward(submission, reference, mistakes, rng, keys, n_x=N_X, n_y=N_Y, m=M):
    """The gradients named in ``keys`` against jax.grad of the log loss of σ(W X + b), its usual mistakes named. The
    student's backward_propagation runs with the reference's dcost_dz, so a wrong derivative costs only dcost_dz."""
    X, Y, params = rng.normal(size=(n_x, m)), make_labels(rng, n_y, m), layer_parameters(rng, (n_x, n_y))
    A = reference.forward_propagation(X, params)
    expected = reference_gradients(reference, params, X, Y)
    backward = submission.backward_propagation.with_options(replace=reference.blocks("dcost_dz"))
    try:
        got = backward(A, X, Y)
    except StudentCodeRaised as error:
        if "could not be broadcast" not in str(error):
            raise
        raise CheckFailure(f"{error}.", "In backward_propagation A and Y both have shape (n_y, m), so dZ = dcost_dz(A, Y) "
                           "needs no transpose or reshape of Y; and dW needs the matrix product dZ @ X.T / m, not an "
                           "elementwise `*`.",
                           summary="backward_propagation failed to broadcast two arrays against each other.") from None
    transposed = ("dZ must have A's shape (n_y, m); a Y of shape (m,) or (m, 1) (or Y.T) turns it into an (m, m) matrix. "
                  "Use Y exactly as it is given, (n_y, m).")
    columns = "db sums over the examples, which are the columns: np.sum(dZ, axis=1, keepdims=True)."
    hints = {"dW": {(n_x, n_y): "dW has the shape of W, (n_y, n_x): dZ @ X.T / m.", (m, n_x): transposed},
             "db": {(1, m): columns, (m,): columns, (n_y,): "Keep db a column of shape (n_y, 1): sum with keepdims=True.",
                    (): "db is one number per output row: sum over axis=1 only, with keepdims=True.", (m, 1): transposed}}
    expect_gradients(got, expected, keys, m, shape_hints=hints,
                     sign_hint="The gradient has the wrong sign: dZ is the derivative of the loss, dcost_dz(A, Y), as it is; "
                               "the minus sign belongs to the update step, not here.",
                     average_hint="Average over the examples: divide by m, the number of columns of X.",
                     mistakes_for=lambda key: [
                         Mistake("dcost_dz(A, Y) already contains the sigmoid's derivative (the chain rule went through "
                                 "a = σ(z) there); do not multiply by A(1 − A) again.",
                                 lambda: mistakes.backward_extra_sigmoid_derivative(A, X, Y)[key]),
                         halved(expected[key], "Divide by m once, not by 2m: there is no square in the log loss.")])


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_dW(submission, reference, mistakes, rng):
    """dW = dZ Xᵀ / m, compared with jax.grad of the log loss of σ(W X + b)."""
    expect_backward(submission, reference, mistakes, rng, ["dW"])


@pytest.mark.exercise("backward_propagation", points=1)
def check_backward_propagation_db(submission, reference, mistakes, rng):
    """db = row sums of dZ / m, as an (n_y, 1) column, compared with jax.grad of the log loss."""
    expect_backward(submission, reference, mistakes, rng, ["db"])


# -- gradient_check

SMALL_ERROR = 1e-6  # exact gradients: central differences at ε = 1e-6 leave ~1e-8 at worst (a tiny db), forward ones ~1e-5
CURVED_SCALE = 300.0  # features this large make the cost steep in W: forward differences are off by ~ε · curvature
STEEP = "on a steep cost (features in the hundreds)"


class CostOf:
    """The cost_of handed to the student's gradient_check: the log loss of σ(W X + b) on (X, Y) as a float, or of σ(W X)
    with ``use_b=False`` (a cost that does not depend on b). It runs on the grader's side and keeps a copy of every
    parameters dict it is called with, so a check can see which steps the student's code took."""

    __name__ = "cost_of"

    def __init__(self, X, Y, use_b=True):
        self.X, self.Y, self.use_b, self.calls = X, Y, use_b, []

    def __call__(self, parameters):
        n_x = self.X.shape[0]
        if not isinstance(parameters, dict) or "W" not in parameters or "b" not in parameters:
            raise TypeError('cost_of takes one dict like parameters, {"W": W, "b": b}')
        W, b = (np.asarray(parameters[key], dtype=float) for key in ("W", "b"))
        if W.shape != (1, n_x) or b.shape != (1, 1):
            raise ValueError(f'cost_of takes W of shape (1, {n_x}) and b of shape (1, 1), like parameters; it was given '
                             f"W of shape {W.shape} and b of shape {b.shape}")
        self.calls.append({"W": W.copy(), "b": b.copy()})
        Z = W @ self.X + (b if self.use_b else 0.0)
        return float(np.sum(self.Y * np.logaddexp(0.0, -Z) + (1 - self.Y) * np.logaddexp(0.0, Z)) / self.X.shape[1])

    def steps(self, parameters):
        """The largest change of any entry in each call, against the parameters the check passed in."""
        return [max(float(np.max(np.abs(call[key] - parameters[key]))) for key in ("W", "b")) for call in self.calls]


def gradient_check_case(reference, rng, n_x=N_X, m=M, scale=1.0):
    """X with features of size ``scale``, 0/1 labels, parameters with W X + b of order one (near 0, where the sigmoid
    is steepest), and the exact gradients (jax.grad of the reference's log loss)."""
    X, Y = rng.normal(scale=scale, size=(n_x, m)), make_labels(rng, 1, m)
    params = {"W": rng.normal(scale=0.5 / scale, size=(1, n_x)), "b": rng.normal(size=(1, 1))}
    dW, db = reference.grad("cost_jax", argnums=(0, 1))(params["W"], params["b"], X, Y)
    return X, Y, params, {"dW": np.asarray(dW), "db": np.asarray(db)}


def expect_errors(got):
    """A dict {"dW": number, "db": number}: one relative error per gradient."""
    errors = expect_dict(got, name="errors", keys=("dW", "db"))
    one_number = ("One number per gradient: the relative error ‖g − g_num‖ / (‖g‖ + ‖g_num‖), with Euclidean norms over "
                  "all the gradient's entries (np.linalg.norm), not an array of differences entry by entry.")
    for key in ("dW", "db"):
        if isinstance(errors[key], np.ndarray) and errors[key].shape != ():
            raise CheckFailure(f'`errors["{key}"]` is an array of shape {errors[key].shape}, but one number was expected.',
                               one_number, summary=f'`errors["{key}"]` is an array, not one number.')
    return errors


def expect_tiny_errors(got, when):
    """Both relative errors below SMALL_ERROR, as for exact gradients; a larger one gets the hint its size points to."""
    errors = expect_errors(got)
    for key in ("dW", "db"):
        value = errors[key]
        number = float(value) if isinstance(value, (int, float, np.integer, np.floating, np.ndarray)) else None
        if number is not None and 0 <= number < SMALL_ERROR:
            continue
        if number is None or not math.isfinite(number):
            raise CheckFailure(f'`errors["{key}"]` is {value!r} {when}, for exact gradients.', "Return a float for each "
                               "gradient: ‖g − g_num‖ / (‖g‖ + ‖g_num‖).", summary=f'`errors["{key}"]` is not a number.')
        if number < 0:
            hint = "A relative error is a ratio of two norms: it is never negative. Use np.linalg.norm for both."
        elif abs(number - 1 / 3) < 0.01:
            hint = ("A relative error of 1/3 for exact gradients means g_num is twice or half of g. Divide the central "
                    "difference by 2ε, the distance between θ + ε and θ − ε; and compute the two costs at θ + ε and at "
                    "θ − ε: a dict.copy() or dict(parameters) shares the arrays, so perturbing the copy moves the "
                    "original too.")
        elif number < 1e-2:
            hint = ("Close, but not as close as central differences get (well under 1e-6 here). Forward differences "
                    "(cost(θ + ε) − cost(θ)) / ε are off by about ε · (the cost's curvature) / 2, which a steep cost makes "
                    "visible; central differences (cost(θ + ε) − cost(θ − ε)) / (2ε) cancel that term. Compute both "
                    "costs from the parameters you were given, and return the relative error ‖g − g_num‖ / (‖g‖ + "
                    "‖g_num‖): an absolute one grows with the size of the gradients.")
        else:
            hint = ("The numerical gradient is far from the exact one. Perturb one entry at a time, by +ε and by −ε, "
                    "starting each time from the parameters you were given, and compare with grads[\"d\" + key] of the same "
                    "parameter.")
        raise CheckFailure(f'`errors["{key}"]` is {number:.3g} {when}, for exact gradients; expected below {SMALL_ERROR:g}.',
                           hint, summary=f'`errors["{key}"]` is too large for exact gradients {when}.')


GRADIENT_CHECK_HINTS = {
    "over_epsilon": "Divide the central difference by 2ε, the distance between θ + ε and θ − ε, not by ε.",
    "shared_arrays": "Your second cost looks like the cost at θ, not at θ − ε: dict.copy() and dict(parameters) copy the "
                     "dict but share its arrays, so perturbing the copy moves the original (and undoes the + step). "
                     "Copy the array itself (parameters[key].copy()) before you perturb it.",
    "in_place": "These are the errors of a check that moves the caller's own arrays by +ε and −2ε and never puts them "
                "back: every later entry is then estimated at a point that has already moved. An in-place += that is "
                "never undone leaves the caller's parameters changed. Perturb copies: theta_plus = "
                "parameters[key].copy().",
    "without_denominator": "That is ‖g − g_num‖ alone: divide it by ‖g‖ + ‖g_num‖ to make it a relative error.",
    "max_absolute": "That is the largest absolute difference between the entries. Return the relative error "
                    "‖g − g_num‖ / (‖g‖ + ‖g_num‖), with Euclidean norms over all entries.",
    "over_norm_of_g": "Divide by ‖g‖ + ‖g_num‖, the sum of both norms, not by ‖g‖ alone.",
    "one_error": "One relative error per gradient: compare dW with its own numerical estimate, and db with its own. A "
                 "single error over all parameters lets a wrong db hide behind a large dW.",
}


def expect_errors_close(got, expected, known, when=""):
    """The relative errors for wrong gradients against the reference's. Central-difference noise at ε = 1e-6 is ~1e-9 of
    errors of order 0.1, so the float32 tolerance (1e-4) is ample and still far below any mistake's distance."""
    errors = expect_errors(got)
    for key in ("dW", "db"):
        expect_float_close(errors[key], expected[key], name=f'errors["{key}"]{when}', tolerance="float32",
                           mistakes=[Mistake(hint, lambda name=name, key=key: known()[name][key])
                                     for name, hint in GRADIENT_CHECK_HINTS.items()],
                           hint="Compare each gradient with its own central differences: g_num for every entry, then "
                                "‖g − g_num‖ / (‖g‖ + ‖g_num‖) with Euclidean norms.")


@pytest.mark.exercise("gradient_check", points=1)
def check_gradient_check_exact_gradients(submission, reference, rng):
    """For the exact gradients of the log loss (from jax.grad), both relative errors are below 1e-6."""
    X, Y, params, grads = gradient_check_case(reference, rng)
    expect_tiny_errors(submission.gradient_check(CostOf(X, Y), params, grads), "for the log loss of seven examples")


@pytest.mark.exercise("gradient_check", points=1)
def check_gradient_check_wrong_gradients(submission, reference, mistakes, rng):
    """For gradients wrong by a known amount (dW's entries in reverse order and 1.5 times too large, db doubled), the
    relative errors are the reference's."""
    X, Y, params, grads = gradient_check_case(reference, rng)
    wrong = {"dW": 1.5 * grads["dW"][:, ::-1], "db": 2 * grads["db"]}
    expect_errors_close(submission.gradient_check(CostOf(X, Y), params, wrong),
                        reference.gradient_check_of_log_loss(params, wrong, X, Y),
                        lambda: mistakes.gradient_check_known(params, wrong, X, Y), " (dW reversed and scaled, db doubled)")


@pytest.mark.exercise("gradient_check", points=1)
def check_gradient_check_steep_cost(submission, reference, rng):
    """Exact gradients of a steep cost (features in the hundreds): only central differences stay below 1e-6."""
    X, Y, params, grads = gradient_check_case(reference, rng, scale=CURVED_SCALE)
    expect_tiny_errors(submission.gradient_check(CostOf(X, Y), params, grads), STEEP)


def expect_untouched(record, params, grads):
    """gradient_check gave back the parameters and gradients exactly as they were."""
    after = record.args_after[0]
    for position, what, given in ((1, "parameters", params), (2, "grads", grads)):
        got = after[position]
        if isinstance(got, dict) and set(got) == set(given) and all(
                isinstance(got[k], np.ndarray) and got[k].shape == given[k].shape and np.array_equal(got[k], given[k])
                for k in given):
            continue
        close = isinstance(got, dict) and set(got) == set(given) and all(
            isinstance(got[k], np.ndarray) and got[k].shape == given[k].shape
            and np.allclose(got[k], given[k], rtol=1e-12, atol=1e-15) for k in given)
        if close:
            hint = ("The values changed in their last digits: your code moved entries of the caller's own arrays by ±ε and "
                    "back, and floating-point round-off does not always bring them back exactly. Perturb copies instead: "
                    "theta_plus = parameters[key].copy() (dict.copy() or dict(parameters) copies the dict but shares "
                    "its arrays).")
        else:
            hint = ("Perturb copies, never the arrays you were given: theta_plus = parameters[key].copy(), then "
                    "theta_plus[index] += epsilon, and pass a new dict to cost_of. An in-place += that is never undone "
                    "leaves the caller's parameters moved.")
        raise CheckFailure(f"gradient_check changed the {what} it was given.", hint,
                           summary=f"gradient_check changed the {what} it was given.")


@pytest.mark.exercise("gradient_check", points=1)
def check_gradient_check_leaves_its_inputs_alone(submission, reference, rng):
    """The parameters and gradients passed in come back exactly as they were."""
    X, Y, params, grads = gradient_check_case(reference, rng, n_x=2)
    record = submission.gradient_check.with_options(watch_args=True).call(CostOf(X, Y), params, grads)
    expect_untouched(record, params, grads)


# -- update_parameters and nn_model


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters(submission, reference, rng):
    """W − α dW and b − α db, with the learning rate that is passed in."""
    expect_update(submission.update_parameters, reference.update_parameters, *layer_update_case(rng, (N_X, N_Y)), LEARNING_RATE)


def expect_new_parameters(submission, reference, params, grads):
    """A right step that leaves the caller's dict and arrays as they were."""
    expect_update(submission.update_parameters, reference.update_parameters, params, grads, LEARNING_RATE,
                  inputs_alone="Do not modify the dict or the arrays you are given (no -= on them): compute new arrays, "
                               "W = W - learning_rate * dW, and return a new dict.")


@pytest.mark.exercise("update_parameters", points=1)
def check_update_parameters_builds_new_arrays(submission, reference, rng):
    """A right step that builds new arrays: the caller's dict and arrays stay as they were."""
    expect_new_parameters(submission, reference, *layer_update_case(rng, (N_X, N_Y)))


def nn_model(submission, reference, seed, **options):
    """The student's nn_model on the reference's building blocks: a bug in one of those costs only its own exercise."""
    blocks = ("sigmoid", "layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost", "dcost_dz",
              "backward_propagation", "update_parameters")
    return on_blocks(submission.nn_model, reference, seed, blocks, **options)


def expect_nn_model(got, reference, seed, X, Y, iterations=10, learning_rate=1.2):
    expect_trained_as_reference(got, reference, seed, (X, Y), (len(X), len(Y)), iterations=iterations,
                                learning_rate=learning_rate, shape_hints=layer_shape_hints((len(X), len(Y)), biases=False))


@pytest.mark.exercise("nn_model", points=1)
def check_nn_model_defaults(submission, reference, rng, seed):
    """Ten iterations at learning rate 1.2 from the seeded start give the reference's parameters, and X and Y come
    back unchanged."""
    X, Y = make_classification_data(rng, N_X, N_Y, M)
    record = nn_model(submission, reference, seed, watch_args=True).call(X, Y)
    expect_nn_model(record.value, reference, seed, X, Y)
    expect_unchanged(record.args_after[0][:2], [X, Y], function="nn_model", what="X or Y",
                     hint="Train on the data as it is given: do not modify X or Y in place (no -=, /= or slice "
                          "assignment on them).")


# -- predict


def predict_case(rng, n_x, m):
    """Inputs whose Z = W X + b spread over [-3, 3], a few of them in (0, 0.5) and (-0.5, 0): near the boundary."""
    params = layer_parameters(rng, (n_x, 1))
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
    expect_predicted_classes(got, reference.predict(X, params), shape_hints={
        (m,): flat, (m, 1): "The predictions have one column per example, like A: shape (1, m), not (m, 1)."}, mistakes=[
            Mistake("Class 1 is predicted where A > 0.5, not where A < 0.5.", A <= THRESHOLD),
            Mistake("Threshold the probability A = σ(W X + b), not Z = W X + b: A > 0.5 is the same as Z > 0.",
                    np.log(A / (1 - A)) > THRESHOLD),
            Mistake("Compare with 0.5, the probability halfway between the classes.", A > 0)], quoted={"A": A},
        message="`{name}` is wrong for {count} of {total} examples, first at index {index}: you have {got}, expected "
                "{expected} (A = {A:.4f}).")


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
