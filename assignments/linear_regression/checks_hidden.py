"""Hidden checks for linear_regression: other sizes (N = 31 examples, K = 9 budgets), three-column tables with a
non-default index, pandas Series where the notebook might pass them, raw-scale data with integer budgets, the true
derivatives of the cost handed to gradient_descent (so a bug in the student's dEdm costs only dEdm's points), other
learning rates and iteration counts, and what the loop printed."""

import numpy as np
import pandas as pd
import pytest

from autograder.checks import (
    Mistake,
    StudentCodeRaised,
    expect_close,
    expect_printed_each_iteration,
    expect_tuple,
    expect_unchanged,
    iteration_mistakes,
    public_checks,
)

pytestmark = pytest.mark.hidden
public = public_checks(__file__)

N = 31
K = 9


@pytest.mark.exercise("normalize", points=1)
def check_normalize_three_columns_and_leaves_df_alone(submission, reference, mistakes, rng):
    """TV, Radio and Sales with an index that does not start at 0; the caller's table is unchanged."""
    df = public.make_table(rng, N, columns=("TV", "Radio", "Sales"), index=np.arange(100, 100 + 3 * N, 3))
    record = submission.normalize.with_options(watch_args=True).call(df)
    public.expect_normalized(record.value, reference.normalize(df), mistakes, df)
    expect_unchanged(record.args_after[0][0], df, function="normalize", what="DataFrame", hint=public.IN_PLACE_HINT)


@pytest.mark.exercise("pred_numpy", points=1)
def check_pred_numpy_on_a_series_and_on_a_column(submission, reference, rng):
    """A pandas Series, as df["TV"] gives it, and an (n, 1) column: the result keeps X's shape."""
    m, b = public.make_line(rng)
    series = pd.Series(np.round(rng.normal(size=N), 3), name="TV")
    expect_close(public.as_array(submission.pred_numpy(m, b, series)), reference.pred_numpy(m, b, series).to_numpy(),
                 name="pred_numpy(m, b, X) for a pandas Series X", mistakes=public.pred_mistakes(m, b, series),
                 shape_hints=public.column_shape_hints(N, "pred_numpy(m, b, X)"))
    column = rng.normal(size=(N, 1))
    expect_close(submission.pred_numpy(m, b, column), reference.pred_numpy(m, b, column),
                 name="pred_numpy(m, b, X) for X of shape (n, 1)", mistakes=public.pred_mistakes(m, b, column),
                 shape_hints={(N,): "For X of shape (n, 1) the result has shape (n, 1) too: m * X + b keeps X's shape "
                                    "(no flatten or ravel)."})


def raw_scale_case(rng):
    """Budgets in whole thousands of dollars (an int array) and sales on their own scale."""
    X = rng.integers(1, 300, size=N)
    Y = 7.0 + 0.05 * X + rng.normal(scale=2.0, size=N)
    m, b = float(rng.uniform(0.02, 0.08)), float(rng.uniform(4.0, 9.0))
    return m, b, X, Y


@pytest.mark.exercise("dEdm", points=1)
def check_dEdm_on_raw_scale_data(submission, reference, mistakes, rng):
    """∂E/∂m for 31 integer budgets up to 300 and sales around 15, against jax.grad."""
    public.expect_derivative(submission, reference, mistakes, "dEdm", *raw_scale_case(rng))


@pytest.mark.exercise("dEdb", points=1)
def check_dEdb_on_raw_scale_data(submission, reference, mistakes, rng):
    """∂E/∂b for 31 integer budgets up to 300 and sales around 15, against jax.grad."""
    public.expect_derivative(submission, reference, mistakes, "dEdb", *raw_scale_case(rng))


# -- gradient_descent

TRUE_RATE, TRUE_ITERATIONS = 0.07, 41


def true_derivatives(reference):
    """The reference's dEdm and dEdb, for the student's loop to call (through the recorder)."""
    return (lambda m, b, X, Y: reference.dEdm(m, b, X, Y)), (lambda m, b, X, Y: reference.dEdb(m, b, X, Y))


@pytest.mark.exercise("gradient_descent", points=1)
def check_gradient_descent_with_the_true_derivatives(submission, reference, mistakes, rng):
    """41 steps at learning rate 0.07 on uncentred data, with the grader's dEdm and dEdb."""
    X, Y = public.make_line_data(rng, N)
    m0, b0 = public.make_line(rng)
    recorder = public.Recorder(true_derivatives(reference), X, Y, TRUE_ITERATIONS)
    got = public.call_descent(submission.gradient_descent, recorder, m0, b0, X, Y,
                              learning_rate=TRUE_RATE, num_iterations=TRUE_ITERATIONS)

    def descend(rate, iterations):
        return reference.descend(m0, b0, X, Y, rate, iterations)

    def mistakes_for(index):
        return [
            Mistake(public.SIMULTANEOUS_HINT,
                    lambda: mistakes.descend_sequential(m0, b0, X, Y, TRUE_RATE, TRUE_ITERATIONS)[index]),
            *iteration_mistakes(lambda iterations, rate: descend(rate, iterations)[index], TRUE_ITERATIONS, TRUE_RATE,
                                public.DEFAULT_NUM_ITERATIONS, public.DEFAULT_LEARNING_RATE, name="gradient_descent"),
            Mistake("Gradient descent steps against the gradient: m = m - learning_rate * dEdm(m, b, X, Y).",
                    lambda: mistakes.descend_ascent(m0, b0, X, Y, TRUE_RATE, TRUE_ITERATIONS)[index]),
        ]

    public.expect_descent(got, descend(TRUE_RATE, TRUE_ITERATIONS), recorder, TRUE_RATE, TRUE_ITERATIONS, mistakes_for)


@pytest.mark.exercise("gradient_descent", points=1)
def check_gradient_descent_updates_m_and_b_simultaneously(submission, rng):
    """In every iteration dEdm and dEdb are evaluated at the same (m, b), before either moves."""
    _, _, m0, b0, X, Y, recorder = public.bowl_case(rng, N, 6)
    try:
        got = submission.gradient_descent(recorder.dEdm, recorder.dEdb, m0, b0, X, Y, learning_rate=0.3, num_iterations=6)
    except StudentCodeRaised:
        if not recorder.stopped:
            raise
        got = (None, None)  # the loop was stopped: judge the iterations it made (counting is another check's job)
    expect_tuple(got, name="gradient_descent(...)", length=2)
    finding = recorder.unused_finding() or recorder.simultaneity_finding()
    if finding is not None:
        raise public.finding_failure(finding)


@pytest.mark.exercise("gradient_descent", points=1)
def check_gradient_descent_counts_its_iterations_and_prints_the_cost(submission, rng):
    """num_iterations=13: each derivative is called 13 times, and print_cost=True prints 13 costs."""
    iterations = 13
    _, _, m0, b0, X, Y, recorder = public.bowl_case(rng, N, iterations)
    record = public.call_descent(submission.gradient_descent.call, recorder, m0, b0, X, Y,
                                 learning_rate=0.2, num_iterations=iterations, print_cost=True)
    expect_tuple(record.value, name="gradient_descent(...)", length=2)
    finding = recorder.unused_finding() or recorder.count_finding(iterations)
    if finding is not None:
        raise public.finding_failure(finding)
    expect_printed_each_iteration(record.stdout, iterations, function="gradient_descent", hint='Print the cost at the start of '
                                  'every iteration, before the update: if print_cost: print(f"Cost after iteration {i}: '
                                  '{E(m, b, X, Y):f}").')


# -- predict_sales


@pytest.mark.exercise("predict_sales", points=1)
def check_predict_sales_on_a_series_and_on_one_budget(submission, reference, mistakes, rng):
    """Nine budgets as a pandas Series with statistics as numpy floats, then a single budget."""
    m, b, X_pred, stats = public.predict_case(rng, K)
    stats = tuple(np.float64(s) for s in stats)
    budgets = pd.Series(X_pred, name="TV")
    predict_sales = submission.predict_sales.with_options(replace=public.building_blocks(reference))
    expect_close(public.as_array(predict_sales(m, b, budgets, *stats)),
                 public.as_array(reference.predict_sales(m, b, budgets, *stats)), name="predict_sales(...) for a Series",
                 mistakes=public.predict_mistakes(mistakes, m, b, budgets, stats),
                 shape_hints=public.column_shape_hints(K, "predict_sales(...)"))
    one = X_pred[:1]
    expect_close(public.as_array(predict_sales(m, b, one, *stats)), reference.predict_sales(m, b, one, *stats),
                 name="predict_sales(...) for one budget", mistakes=public.predict_mistakes(mistakes, m, b, one, stats))
