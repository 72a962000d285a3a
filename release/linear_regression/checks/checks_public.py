"""Public checks for linear_regression: what `check("<exercise>")` runs in the notebook.

Each check makes its own inputs from its seed: N = 23 examples whose x are not centred (so that
dE/db depends on m and a sequential update shows), non-zero slopes and intercepts, K = 6 new
budgets, and a learning rate and iteration count that are not the defaults. Expected values come
from the reference, derivatives from `jax.grad` of its cost.

gradient_descent is handed derivative functions that live in the grader: here those of a tilted
quadratic bowl (gradient_descent does not care which cost it descends), in the hidden checks the
true ones. They remember the (m, b) of every call, so a check can tell a sequential update, a
hard-coded learning rate or an ignored iteration count from how the student's loop called them.
"""

import ast

import numpy as np
import pandas as pd
import pytest

from autograder.checks import (
    CheckFailure,
    Mistake,
    StudentCodeRaised,
    doubled,
    expect_close,
    expect_float,
    expect_float_close,
    expect_tuple,
    expect_unchanged,
    halved,
    not_averaged,
    rate_ignored,
    sign_flipped,
)

N = 23  # examples
K = 6  # new TV budgets to predict
LEARNING_RATE = 0.15  # not the default 0.001, so a hard-coded rate shows
NUM_ITERATIONS = 17  # not the default 1000, so an ignored count shows
DEFAULT_LEARNING_RATE, DEFAULT_NUM_ITERATIONS = 0.001, 1000
SAME_POINT = 1e-12  # relative difference below which two (m, b) are the same point (they cross as exact floats)
SAME_STEP = 1e-6  # relative spread below which inferred step sizes count as one constant learning rate
CALLS_ALLOWED = 3  # calls per iteration after which the recorder stops a loop (each call is a round trip to the grader)

# -- inputs


def make_line_data(rng, n):
    """x around 1.5 (not centred), y a noisy line with a negative intercept."""
    X = rng.normal(loc=1.5, scale=0.8, size=n)
    Y = rng.uniform(0.5, 2.0) * X + rng.uniform(-3.0, -1.0) + 0.3 * rng.normal(size=n)
    return X, Y


def make_line(rng):
    """A slope of either sign and a non-zero intercept, as Python floats."""
    return float(rng.uniform(0.3, 1.8) * rng.choice([-1.0, 1.0])), float(rng.uniform(0.5, 2.5))


def make_table(rng, n, columns=("TV", "Sales"), index=None):
    """An advertising-like table whose columns have very different means and spreads."""
    scales = {"TV": (150.0, 85.0), "Radio": (23.0, 14.0), "Sales": (14.0, 5.0)}
    data = {c: np.round(rng.normal(*scales[c], size=n), 1) for c in columns}
    return pd.DataFrame(data, index=index)


# -- shared helpers (the hidden checks use them too)

COLUMN_HINT = (
    "An X of shape (n, 1) met a Y of shape (n,): their difference broadcasts into an (n, n) matrix of "
    "every prediction minus every target, and the sum then runs over n² pairs. Keep X and Y 1-D, as "
    "they are given (no reshape, no [:, None])."
)


def column_shape_hints(n, name):
    return {
        (n, 1): f"{name} came back as a column (n, 1) for a 1-D X of shape (n,): keep the shape of X "
                "(m * X + b needs no reshape). A column would later meet Y of shape (n,) and broadcast into an (n, n) matrix.",
        (1, n): f"{name} came back as a row (1, n) for a 1-D X of shape (n,): keep the shape of X (m * X + b needs no reshape).",
        (n, n): COLUMN_HINT,
    }


def as_array(value):
    """A pandas Series answer (what m * X + b gives for a Series X) as its numpy values; else as it is."""
    return value.to_numpy() if isinstance(value, pd.Series) else value


def reshapes_to_column(submission, name):
    """Whether the student's function turns something into a column (reshape, [:, None], newaxis, ...)."""
    function = submission.source_of(name)
    if function is None:
        return False
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and node.attr in ("reshape", "newaxis", "expand_dims", "atleast_2d"):
            return True
        if isinstance(node, ast.Subscript) and any(
            isinstance(part, ast.Constant) and part.value is None for part in ast.walk(node.slice)
        ):
            return True
    return False


def building_blocks(reference):
    """The reference's pred_numpy stands in for the student's inside the function being graded,
    so a bug in pred_numpy costs only pred_numpy's points."""
    return reference.blocks("pred_numpy")


# -- normalize


def expect_frame(got, *, name, columns, rows):
    """Climb the ladder for a DataFrame: type, columns, rows; return its values as a float array."""
    if got is None:
        raise CheckFailure(f"`{name}` is None: your function returned nothing.", "Add a `return` statement.")
    if isinstance(got, np.ndarray):
        raise CheckFailure(f"`{name}` is a numpy array of shape {got.shape}, but a pandas DataFrame was expected.",
                           "Keep the table a DataFrame: (df - df.mean()) / df.std(ddof=0) works column by column "
                           "and keeps the column names.")
    if isinstance(got, pd.Series):
        raise CheckFailure(f"`{name}` is a pandas Series, but a DataFrame with the columns {columns} was expected.",
                           "A Series is a single column (or one value per column, like df.mean()); return the whole "
                           "normalised table.")
    if not isinstance(got, pd.DataFrame):  # an object the grader cannot rebuild comes as its type's name and text
        kind = f"{got.type_name} ({got.text})" if hasattr(got, "type_name") else type(got).__name__
        raise CheckFailure(f"`{name}` is a {kind}, but a pandas DataFrame was expected.")
    missing = [c for c in columns if c not in list(got.columns)]
    if missing:
        raise CheckFailure(f"`{name}` has the columns {list(got.columns)}, but not {missing}.",
                           "Keep df's column names: arithmetic between df and df.mean() keeps them.")
    if len(got) != rows:
        raise CheckFailure(f"`{name}` has {len(got)} rows; df has {rows}.", "Normalise every row of df, and keep them all.")
    try:
        return got[columns].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise CheckFailure(f"`{name}` holds values that are not real numbers (dtypes {got.dtypes.to_dict()}).") from None


def normalize_mistakes(mistakes, df):
    one_number = ("On current pandas, np.mean(df) and np.std(df) on a DataFrame give ONE number each, computed over "
                  "every value in the table, so all columns were shifted and scaled alike. Use df.mean() and "
                  "df.std(ddof=0): one mean and one standard deviation per column.")
    return [
        Mistake(one_number, lambda: mistakes.normalize_one_mean(df)),
        Mistake(one_number, lambda: mistakes.normalize_one_mean_own_std(df)),
        Mistake("df.std() divides by n − 1 (ddof=1, the sample standard deviation). Use df.std(ddof=0), the "
                "population standard deviation that np.std computes and that the rest of the notebook uses.",
                lambda: mistakes.normalize_sample_std(df)),
        Mistake("Subtract each column's mean before dividing: (df - df.mean()) / df.std(ddof=0).",
                lambda: mistakes.normalize_not_centred(df)),
        Mistake("Divide by each column's standard deviation as well: (df - df.mean()) / df.std(ddof=0).",
                lambda: mistakes.normalize_not_scaled(df)),
        Mistake("That is min-max scaling to [0, 1]; a z-score subtracts the mean and divides by the standard deviation.",
                lambda: mistakes.normalize_min_max(df)),
    ]


def expect_normalized(got, expected, mistakes, df):
    columns = list(df.columns)
    values = expect_frame(got, name="normalize(df)", columns=columns, rows=len(df))
    expect_close(values, expected[columns].to_numpy(dtype=float), name="normalize(df)",
                 mistakes=normalize_mistakes(mistakes, df))


IN_PLACE_HINT = ("Build a new table and return it: (df - df.mean()) / df.std(ddof=0). `df -= ...` or assigning to "
                 "df[column] overwrites the caller's data.")


@pytest.mark.exercise("normalize", points=1)
def check_normalize(submission, reference, mistakes, rng):
    """Each column of a TV/Sales table z-scored with its own mean and population std; the caller's table unchanged."""
    df = make_table(rng, N)
    record = submission.normalize.with_options(watch_args=True).call(df)
    expect_normalized(record.value, reference.normalize(df), mistakes, df)
    expect_unchanged(record.args_after[0][0], df, function="normalize", what="DataFrame", hint=IN_PLACE_HINT)


# -- pred_numpy


def pred_mistakes(m, b, X):
    X = np.asarray(X, dtype=float)
    return [
        Mistake("Add the intercept: y_hat = m X + b.", m * X),
        Mistake("m is the slope, which multiplies X, and b the intercept: y_hat = m X + b.", b * X + m),
        Mistake("The intercept is added, not subtracted: y_hat = m X + b.", m * X - b),
    ]


@pytest.mark.exercise("pred_numpy", points=1)
def check_pred_numpy(submission, reference, rng):
    """m X + b for a 1-D array of 23 values, keeping its shape."""
    X = rng.normal(size=N)
    m, b = make_line(rng)
    expect_close(as_array(submission.pred_numpy(m, b, X)), reference.pred_numpy(m, b, X), name="pred_numpy(m, b, X)",
                 mistakes=pred_mistakes(m, b, X), shape_hints=column_shape_hints(N, "pred_numpy(m, b, X)"))


# -- dEdm and dEdb


def derivative_case(rng, n):
    X, Y = make_line_data(rng, n)
    return (*make_line(rng), X, Y)


OTHER_DERIVATIVE = {  # what the other derivative's formula in place of this one's says
    "dEdm": ("dEdb", "That is ∂E/∂b. ∂E/∂m has the extra factor x, from ∂(m x + b)/∂m = x: multiply each residual by its "
                     "x before averaging."),
    "dEdb": ("dEdm", "That is ∂E/∂m. For b the inner derivative is ∂(m x + b)/∂b = 1: average the residuals themselves, "
                     "without multiplying by x."),
}
PRODUCT_OF_MEANS_HINT = ("The mean of a product is not the product of the means: multiply each residual r_i by its own "
                         "x_i, then average those products over the examples.")


def expect_derivative(submission, reference, mistakes, which, m, b, X, Y):
    """``which`` ("dEdm" or "dEdb") at (m, b), with the reference's pred_numpy, against jax.grad of the cost: one number,
    not the arrays that per-example terms or an (n, n) broadcast leave behind; scaling and sign slips, the other
    derivative's formula and (for dEdm) an (n, n) broadcast and the product of the means named."""
    n, name, column = len(X), f"{which}(m, b, X, Y)", reshapes_to_column(submission, which)
    expected = float(reference.grad("E_jax", argnums=0 if which == "dEdm" else 1)(m, b, X, Y))
    got = getattr(submission, which).with_options(replace=building_blocks(reference))(m, b, X, Y)
    if isinstance(got, np.ndarray) and got.shape in ((n, n), (n, 1), (1, n)):
        raise CheckFailure(f"`{name}` is an array of shape {got.shape}, but a single number was expected.", COLUMN_HINT,
                           summary=f"`{name}` is an array, but a single number was expected.")
    if isinstance(got, np.ndarray) and got.shape == (n,):
        raise CheckFailure(f"`{name}` is an array of shape {got.shape}: one value per example, not one number.",
                           COLUMN_HINT if column else "Add up the per-example terms (np.sum) and divide by n.",
                           summary=f"`{name}` is an array of one value per example, not one number.")
    other, other_hint = OTHER_DERIVATIVE[which]
    found = [
        not_averaged(expected, n, COLUMN_HINT if column else "Average over the examples: divide the sum by n = len(X)."),
        doubled(expected, "There is no factor 2: the ½ in E(m, b) cancels the 2 that differentiating the square brings down."),
        sign_flipped(expected, "The residual is prediction minus target, (m x + b − y); yours has the opposite sign."),
        halved(expected, "Divide by n, not by 2n: the ½ in E(m, b) has already cancelled the 2 from the square."),
        Mistake(other_hint, lambda: getattr(reference, other)(m, b, X, Y)),
    ]
    if which == "dEdm":  # an X of shape (n, 1) meeting a Y of shape (n,): an (n, n) residual, summed, maybe divided by n
        found += [Mistake(COLUMN_HINT, lambda wrong=wrong, scale=scale: getattr(mistakes, wrong)(m, b, X, Y) / scale)
                  for scale in (1, n) for wrong in ("dEdm_column_times_row", "dEdm_column_times_column")]
        # mean(r) * mean(x), or a sum of r times a mean of x (n times as much)
        found += [Mistake(PRODUCT_OF_MEANS_HINT, lambda scale=scale: scale * mistakes.dEdm_product_of_means(m, b, X, Y))
                  for scale in (1, n)]
    expect_float_close(expect_float(got, name=name), expected, name=name, mistakes=found)


@pytest.mark.exercise("dEdm", points=1)
def check_dEdm(submission, reference, mistakes, rng):
    """∂E/∂m = 1/n Σ (m x + b − y) x, against jax.grad of the cost."""
    expect_derivative(submission, reference, mistakes, "dEdm", *derivative_case(rng, N))


@pytest.mark.exercise("dEdb", points=1)
def check_dEdb(submission, reference, mistakes, rng):
    """∂E/∂b = 1/n Σ (m x + b − y), against jax.grad of the cost."""
    expect_derivative(submission, reference, mistakes, "dEdb", *derivative_case(rng, N))


# -- gradient_descent


def as_number(value, what, function):
    """m or b as a float, for a derivative function the student's loop called; a clear error otherwise."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{function} was called with {what} = {value!r}; pass the current {what} as a number")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(()))
    shape = f" of shape {value.shape}" if isinstance(value, np.ndarray) else ""
    raise TypeError(f"{function} was called with {what} = a {type(value).__name__}{shape}; "
                    f"pass the current {what}, a single number")


def same_data(given, expected):
    try:
        array = np.asarray(given, dtype=float)
    except (TypeError, ValueError):
        return False
    return array.shape == expected.shape and bool(np.array_equal(array, expected))


class TooManyCalls(RuntimeError):
    """Raised into the student's loop when it calls a derivative far more often than it should."""


class Recorder:
    """Derivative functions for the student's gradient_descent that remember every call.

    ``dEdm`` and ``dEdb`` compute the derivatives they are built from, always on the data the
    check passed, and note each call's (m, b) and answer, and whether other data was passed.
    After ``CALLS_ALLOWED`` calls per iteration they stop the loop (a loop that ignores
    num_iterations would otherwise make thousands of slow round trips to the grader).
    """

    def __init__(self, derivatives, X, Y, num_iterations):
        self.X, self.Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
        self.limit = CALLS_ALLOWED * num_iterations + CALLS_ALLOWED
        self.stopped = False
        self.calls = {"dEdm": [], "dEdb": []}  # (m, b, returned value) per call, in order
        self.other_data = []
        self.dEdm, self.dEdb = (self._recording(name, f) for name, f in zip(("dEdm", "dEdb"), derivatives, strict=True))

    def _recording(self, name, derivative):
        def recorded(m, b, X, Y):
            if len(self.calls[name]) >= self.limit:
                self.stopped = True
                raise TooManyCalls(f"the grader stopped gradient_descent after {self.limit} calls of {name}")
            m, b = as_number(m, "m", name), as_number(b, "b", name)
            if not (same_data(X, self.X) and same_data(Y, self.Y)) and name not in self.other_data:
                self.other_data.append(name)
            value = float(derivative(m, b, self.X, self.Y))
            self.calls[name].append((m, b, value))
            return value

        recorded.__name__ = recorded.__qualname__ = name
        return recorded

    def finding(self, learning_rate, num_iterations, final):
        """(message, hint) naming what the calls show went wrong, or None when they look right."""
        return (self.unused_finding() or self.count_finding(num_iterations) or self.simultaneity_finding()
                or self.rate_finding(learning_rate, final))

    def unused_finding(self):
        """The derivative functions were never called, or called with other data."""
        never = [name for name, calls in self.calls.items() if not calls]
        if never:
            message = f"gradient_descent never called the {' and '.join(never)} it was given."
            return (message, "Call the derivative functions passed in as arguments, e.g. dEdm(m, b, X, Y), in every "
                             "iteration.", message)
        if self.other_data:
            message = f"gradient_descent called {' and '.join(self.other_data)} with data other than the X and Y it was given."
            return message, "Pass the arguments on in order: dEdm(m, b, X, Y) and dEdb(m, b, X, Y).", message
        return None

    def simultaneity_finding(self):
        """dEdm and dEdb were not both evaluated at the same (m, b) in some iteration."""
        for i, (at_m, at_b) in enumerate(zip(self.calls["dEdm"], self.calls["dEdb"], strict=False)):
            if not np.allclose(at_m[:2], at_b[:2], rtol=SAME_POINT, atol=0.0):
                return (f"In iteration {i}, dEdm was evaluated at (m, b) = ({at_m[0]:.6g}, {at_m[1]:.6g}) but dEdb at "
                        f"({at_b[0]:.6g}, {at_b[1]:.6g}): one parameter was updated before the other's derivative was taken.",
                        SIMULTANEOUS_HINT, "In some iteration dEdm and dEdb were evaluated at different (m, b): one "
                        "parameter was updated before the other's derivative was taken.")
        return None

    def count_finding(self, num_iterations):
        """Each derivative was not called exactly num_iterations times."""
        counts = {name: len(calls) for name, calls in self.calls.items()}
        if all(count == num_iterations for count in counts.values()):
            return None
        return self._count_finding(counts, num_iterations)

    def _count_finding(self, counts, num_iterations):
        calls = f"dEdm {counts['dEdm']} times and dEdb {counts['dEdb']} times"
        message = f"gradient_descent called {calls} for num_iterations={num_iterations}."
        summary = "gradient_descent did not call each derivative exactly num_iterations times."
        if self.stopped:
            message = (f"gradient_descent called {calls} for num_iterations={num_iterations}, and would have gone on: "
                       "the grader stopped it there.")
            return message, (f"It ignores num_iterations: loop `for i in range(num_iterations)` (not a fixed number such "
                             f"as the default {DEFAULT_NUM_ITERATIONS}), and call each derivative once per iteration."), summary
        if DEFAULT_NUM_ITERATIONS in counts.values():
            return message, (f"It ignores num_iterations: loop `for i in range(num_iterations)`, "
                             f"not a fixed {DEFAULT_NUM_ITERATIONS}."), summary
        if all(abs(count - num_iterations) == 1 for count in counts.values()):
            return message, ("The loop runs one iteration too few or too many: range(num_iterations) gives exactly "
                             "num_iterations steps."), summary
        return message, "Call each derivative function exactly once per iteration, num_iterations times in all.", summary

    def rate_finding(self, learning_rate, final):
        """The step size the loop really used, inferred from the points it visited and the slopes it got."""
        rates = []
        for name, index in (("dEdm", 0), ("dEdb", 1)):
            calls = self.calls[name]
            visited = [call[index] for call in calls[1:]] + [final[index]]
            rates += [(here[index] - there) / here[2] for here, there in zip(calls, visited, strict=True) if here[2] != 0]
        if not rates or np.ptp(rates) > SAME_STEP * max(abs(r) for r in rates):
            return None
        used = float(np.mean(rates))
        if abs(used - learning_rate) <= SAME_STEP * abs(learning_rate):
            return None
        message = f"gradient_descent moved by {used:.6g} times the gradient in every step, but learning_rate={learning_rate:g}."
        if abs(used + learning_rate) <= SAME_STEP * abs(learning_rate):
            return (message, "Gradient descent steps against the gradient: m = m - learning_rate * dEdm(m, b, X, Y).",
                    "gradient_descent steps along the gradient instead of against it.")
        default = abs(used - DEFAULT_LEARNING_RATE) <= SAME_STEP * DEFAULT_LEARNING_RATE
        return message, ("Use the learning_rate argument, not a fixed number"
                         + (f": your steps are the default {DEFAULT_LEARNING_RATE:g}." if default else ".")), \
            "gradient_descent's steps do not use the learning_rate it was given."


def finding_failure(finding):
    """The verdict for a recorder's (message, hint, summary)."""
    message, hint, summary = finding
    return CheckFailure(message, hint, summary=summary)


SIMULTANEOUS_HINT = (
    "Update m and b simultaneously: evaluate both derivatives at the current (m, b) first, then move both, e.g. "
    "m_new = m - learning_rate * dEdm(m, b, X, Y); b_new = b - learning_rate * dEdb(m, b, X, Y); m, b = m_new, b_new."
)


def call_descent(function, recorder, m0, b0, X, Y, **options):
    """The student's gradient_descent run with the recorder's derivatives; a loop the recorder had to
    stop is a verdict about the iteration count, not an error in the student's code."""
    try:
        return function(recorder.dEdm, recorder.dEdb, m0, b0, X, Y, **options)
    except StudentCodeRaised:
        if recorder.stopped:
            raise finding_failure(recorder.count_finding(options["num_iterations"])) from None
        raise


def expect_descent(got, expected, recorder, learning_rate, num_iterations, mistakes_for):
    """(m, b) as two numbers, equal to the expected pair; when not, say what the calls show."""
    pair = expect_tuple(got, name="gradient_descent(...)", length=2)
    final = (expect_float(pair[0], name="m, the first value returned"),
             expect_float(pair[1], name="b, the second value returned"))
    swapped = "Return the pair in the order (m, b): `return m, b`."
    try:
        for index, name in enumerate(("m", "b")):
            expect_float_close(final[index], expected[index], name=f"{name} after gradient descent", tolerance="iterative",
                               mistakes=[*mistakes_for(index), Mistake(swapped, expected[1 - index])])
    except CheckFailure as failure:
        finding = recorder.finding(learning_rate, num_iterations, final)
        if finding is None:
            raise
        raise CheckFailure(f"{failure.message} {finding[0]}", finding[1], summary=finding[2]) from None
    return final


def make_bowl(rng):
    """A tilted bowl: positive definite H with a clear m-b coupling, and its lowest point."""
    p, r = rng.uniform(1.0, 2.0), rng.uniform(0.6, 1.4)
    q = 0.6 * np.sqrt(p * r) * rng.choice([-1.0, 1.0])
    return np.array([[p, q], [q, r]]), rng.normal(scale=2.0, size=2)


def bowl_derivatives(H, centre):
    """∂E/∂m and ∂E/∂b of E(m, b) = ½ (z − c)ᵀ H (z − c), z = (m, b); X and Y are not used."""
    def bowl_dEdm(m, b, X, Y):
        return H[0, 0] * (m - centre[0]) + H[0, 1] * (b - centre[1])

    def bowl_dEdb(m, b, X, Y):
        return H[1, 0] * (m - centre[0]) + H[1, 1] * (b - centre[1])

    return bowl_dEdm, bowl_dEdb


def bowl_case(rng, n, num_iterations):
    """A bowl, a start, data (which the bowl's derivatives ignore) and a recorder of the bowl's derivatives."""
    H, centre = make_bowl(rng)
    X, Y = make_line_data(rng, n)
    return (H, centre, *make_line(rng), X, Y, Recorder(bowl_derivatives(H, centre), X, Y, num_iterations))


@pytest.mark.exercise("gradient_descent", points=1)
def check_gradient_descent(submission, reference, mistakes, rng):
    """17 steps at learning rate 0.15 down a tilted bowl whose derivative functions the grader supplies."""
    H, centre, m0, b0, X, Y, recorder = bowl_case(rng, N, NUM_ITERATIONS)
    got = call_descent(submission.gradient_descent, recorder, m0, b0, X, Y,
                       learning_rate=LEARNING_RATE, num_iterations=NUM_ITERATIONS)
    expected = reference.descend_bowl(H, centre, m0, b0, LEARNING_RATE, NUM_ITERATIONS)

    def mistakes_for(index):
        return [
            Mistake(SIMULTANEOUS_HINT,
                    lambda: mistakes.descend_bowl_sequential(H, centre, m0, b0, LEARNING_RATE, NUM_ITERATIONS)[index]),
            rate_ignored(lambda: reference.descend_bowl(H, centre, m0, b0, DEFAULT_LEARNING_RATE, NUM_ITERATIONS)[index]),
            Mistake("Gradient descent steps against the gradient: m = m - learning_rate * dEdm(m, b, X, Y).",
                    lambda: mistakes.descend_bowl_ascent(H, centre, m0, b0, LEARNING_RATE, NUM_ITERATIONS)[index]),
        ]

    expect_descent(got, expected, recorder, LEARNING_RATE, NUM_ITERATIONS, mistakes_for)


# -- predict_sales


def predict_case(rng, k):
    """Training statistics on the scale of the advertising data, a line on z-scores, new budgets."""
    stats = (float(rng.uniform(120, 180)), float(rng.uniform(60, 100)), float(rng.uniform(10, 18)), float(rng.uniform(3, 6)))
    m, b = float(rng.uniform(0.6, 0.95)), float(rng.uniform(0.1, 0.4) * rng.choice([-1.0, 1.0]))
    X_pred = np.round(rng.uniform(5.0, 295.0, size=k), 1)
    return m, b, X_pred, stats


def predict_mistakes(mistakes, m, b, X_pred, stats):
    args = (m, b, X_pred, *stats)
    return [
        Mistake("These are predictions on the normalised scale. Map them back to sales: "
                "Y_pred_norm * Y_std + Y_mean.", lambda: mistakes.predict_not_denormalised(*args)),
        Mistake("The line was fitted on z-scores, so normalise the budgets first with the training TV statistics: "
                "(X_pred - X_mean) / X_std.", lambda: mistakes.predict_input_not_normalised(*args)),
        Mistake("Undo the z-score in the opposite order to making it: multiply by Y_std first, then add Y_mean.",
                lambda: mistakes.predict_mean_added_first(*args)),
        Mistake("To undo the division by Y_std, multiply by Y_std: Y_pred_norm * Y_std + Y_mean.",
                lambda: mistakes.predict_divided_by_std(*args)),
        Mistake("Sales are de-normalised with the sales statistics (Y_mean, Y_std), not the TV ones.",
                lambda: mistakes.predict_with_tv_statistics(*args)),
        Mistake("Normalise the new budgets with the training statistics X_mean and X_std, not with their own mean and std.",
                lambda: mistakes.predict_own_statistics(*args)),
    ]


@pytest.mark.exercise("predict_sales", points=1)
def check_predict_sales(submission, reference, mistakes, rng):
    """Six budgets in thousands of dollars to sales, through a line fitted on z-scores."""
    m, b, X_pred, stats = predict_case(rng, K)
    predict_sales = submission.predict_sales.with_options(replace=building_blocks(reference))
    expect_close(as_array(predict_sales(m, b, X_pred, *stats)), reference.predict_sales(m, b, X_pred, *stats),
                 name="predict_sales(...)", mistakes=predict_mistakes(mistakes, m, b, X_pred, stats),
                 shape_hints=column_shape_hints(K, "predict_sales(...)"))
