"""The ladder: each rung has its own message, and known mistakes are named."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.autodiff import jax_gradient
from autograder.errors import CheckFailure
from autograder.numeric import (
    TOLERANCE,
    Mistake,
    expect_bool_array,
    expect_close,
    expect_dict,
    expect_equal,
    expect_float,
    expect_float_close,
    expect_tuple,
    relative_error,
)
from autograder.wire import Opaque

EXPECTED = np.array([[1.0, -2.0, 3.0]])


def failure(function, *args, **kwargs) -> CheckFailure:
    with pytest.raises(CheckFailure) as caught:
        function(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize("got, message", [
    (None, "is None."),
    ([1.0, -2.0, 3.0], "is a Python list"),
    (2.0, "is a single number"),
    (Opaque("Evil", "Evil()"), "an object of type Evil"),
    (np.ones((3, 1)), "has shape (3, 1), expected (1, 3)"),
    (np.array([[True, False, True]]), "holds booleans"),
    (np.array([[1, 2, 3]], dtype=complex), "complex numbers"),
    (np.array([[1.0, np.nan, 3.0]]), "contains nan at index (0, 1)"),
    (np.array([[1.0, -2.0, 3.5]]), "is wrong at index (0, 2): you have 3.5, expected 3"),
])
def test_each_rung_of_the_ladder_has_its_own_message(got, message):
    assert message in failure(expect_close, got, EXPECTED, name="Y_hat").message


def test_a_correct_answer_passes_and_comes_back_as_float64():
    got = expect_close(EXPECTED.astype(np.int64), EXPECTED, name="Y_hat")
    assert got.dtype == np.float64


def test_float32_answers_are_accepted_within_the_float32_tolerance():
    noisy = (EXPECTED * (1 + 3e-6)).astype(np.float32)
    expect_close(noisy, EXPECTED, name="Y_hat")
    with pytest.raises(CheckFailure):
        expect_close(EXPECTED * (1 + 3e-6), EXPECTED, name="Y_hat")  # float64 gets no such slack


def test_round_off_on_entries_far_below_the_array_scale_is_not_an_error():
    expected = np.array([1.0, 1e-12])
    assert relative_error(np.array([1.0, 3e-12]), expected, TOLERANCE["float64"]).max() < 1e-6


def test_a_wrong_value_that_matches_a_known_mistake_gets_its_hint():
    caught = failure(expect_close, -EXPECTED, EXPECTED, name="dW", mistakes=[
        Mistake("not this one", EXPECTED * 2),
        Mistake("The residual has the wrong sign.", lambda: -EXPECTED),
    ])
    assert caught.hint == "The residual has the wrong sign."


def test_mistakes_are_only_computed_when_needed():
    def explode():
        raise AssertionError("computed although the answer was right")

    expect_close(EXPECTED, EXPECTED, name="Y_hat", mistakes=[Mistake("x", explode)])


@pytest.mark.parametrize("got_shape, expected_shape, hint", [
    ((3, 1), (1, 3), "transposed"),
    ((7, 7), (1, 7), "broadcast"),
    ((2,), (2, 1), "keepdims=True"),
    ((2, 1, 1), (2, 1), "extra dimension"),
])
def test_shape_mistakes_are_named(got_shape, expected_shape, hint):
    assert hint in failure(expect_close, np.zeros(got_shape), np.zeros(expected_shape), name="db").hint


def test_an_exercise_specific_shape_hint_comes_first():
    caught = failure(expect_close, np.zeros((1, 7)), np.zeros((2, 1)), name="db",
                     shape_hints={(1, 7): "sum over axis=1"})
    assert caught.hint == "sum over axis=1"


def test_a_single_number_must_be_a_finite_number_not_an_array():
    assert expect_float(np.float64(2.5), name="cost") == 2.5
    assert "numpy array of shape (1, 1)" in failure(expect_float, np.ones((1, 1)), name="cost").message
    assert "float(np.squeeze" in failure(expect_float, np.ones((1, 1)), name="cost").hint
    assert "is inf" in failure(expect_float, float("inf"), name="cost").message
    assert "a str" in failure(expect_float, "1.0", name="cost").message
    assert "twice" in failure(expect_float_close, 4.0, 2.0, name="cost",
                              mistakes=[Mistake("twice as large", 4.0)]).hint


def test_booleans_are_required_where_predictions_are_asked_for():
    assert "0/1 numbers" in failure(expect_bool_array, np.array([[1.0, 0.0]]), name="p", shape=(1, 2)).message
    expect_bool_array(np.array([[True, False]]), name="p", shape=(1, 2))


def test_containers_are_checked_before_their_contents():
    assert "missing 'db'" in failure(expect_dict, {"dW": 1}, name="grads", keys=("dW", "db")).message
    assert "a dict" in failure(expect_dict, [1], name="grads", keys=("dW",)).message
    assert "tuple of 2" in failure(expect_tuple, (1, 2, 3), name="sizes", length=2).message
    assert expect_equal([np.int64(3), 2], (3, 2), name="sizes") == (3, 2)
    assert failure(expect_equal, (7, 2), (3, 2), name="sizes", mistakes=[Mistake("rows!", (7, 2))]).hint == "rows!"


def test_the_gradient_oracle_is_jax_in_float64():
    def cost(w, x):
        import jax.numpy as jnp

        return jnp.sum((w * x) ** 2) / 2

    grad = jax_gradient(cost, 0, np.array([1.0, 2.0]), np.array([3.0, 1e-3]))
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, [9.0, 2e-6], rtol=1e-12)
