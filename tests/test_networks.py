"""The network assignments' factories (autograder/networks.py, and the patterns of autograder/patterns.py they share
with other exercises: predicted classes, declared defaults, arguments in order, arguments passed to a building block),
each failing on a wrong answer and passing a right one, on plain values and small stand-ins for the submission and the
reference."""

from __future__ import annotations

import ast
import copy
import time
from types import SimpleNamespace

import numpy as np
import pytest

from autograder.checks import (
    ArgumentsMistake,
    CheckFailure,
    Figure,
    Mistake,
    StudentCodeRaised,
    activation_shape_hints,
    arguments_in_order,
    expect_close,
    expect_confident_log_loss,
    expect_declared_defaults,
    expect_gradients,
    expect_layers_initialized,
    expect_log_loss,
    expect_passed,
    expect_predicted_classes,
    expect_trained_as_reference,
    expect_update,
    layer_parameters,
    layer_shape_hints,
    layer_shapes,
    layer_update_case,
    learning_curve,
    log_loss_mistakes,
    on_blocks,
    reference_gradients,
    saturated_outputs,
    sigmoid_far_out,
    sigmoid_mistakes,
)
from autograder.networks import cost_at_end


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def log_loss(A, Y):
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / Y.shape[1])


def update(parameters, grads, learning_rate=1.2):
    return {key: value - learning_rate * grads["d" + key] for key, value in parameters.items()}


class Student:
    """A student's function as checks see it: called on copies of the arguments (as in the sandbox), or
    ``.with_options(...).call(...)`` for a record with the arguments as the call left them."""

    def __init__(self, function):
        self.function, self.options = function, {}

    def with_options(self, **options):
        student = Student(self.function)
        student.options = options
        return student

    def call(self, *args, **kwargs):
        args = copy.deepcopy(args)
        value = self.function(*args, **kwargs)
        return SimpleNamespace(value=value, args_after=(args, kwargs) if self.options.get("watch_args") else None)

    def __call__(self, *args, **kwargs):
        return self.call(*args, **kwargs).value


def in_place(parameters, grads, learning_rate=1.2):
    for key in parameters:
        parameters[key] -= learning_rate * grads["d" + key]
    return parameters


def test_layer_parameters_and_shapes_follow_the_layer_sizes():
    assert layer_shapes((3, 4, 2)) == {"W1": (4, 3), "b1": (4, 1), "W2": (2, 4), "b2": (2, 1)}
    assert layer_shapes((3, 2)) == {"W": (2, 3), "b": (2, 1)}
    rng, again = np.random.default_rng(0), np.random.default_rng(0)
    drawn = layer_parameters(rng, (3, 2), bias=5.0)
    assert drawn["W"].shape == (2, 3) and drawn["b"].shape == (2, 1) and drawn["b"].mean() > 2
    assert np.array_equal(drawn["W"], again.normal(size=(2, 3)))  # W first, then b: the draw order is stated


def test_an_update_case_draws_the_parameters_then_gradients_of_their_shapes():
    parameters, grads = layer_update_case(np.random.default_rng(1), (3, 2))
    again = np.random.default_rng(1)  # the draws the perceptron assignments made by hand before
    expected = [again.normal(size=(2, 3)), again.normal(size=(2, 1)), again.normal(size=(2, 3)), again.normal(size=(2, 1))]
    got = [parameters["W"], parameters["b"], grads["dW"], grads["db"]]
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))
    parameters, grads = layer_update_case(np.random.default_rng(1), (3, 4, 2))
    shapes = layer_shapes((3, 4, 2))
    assert {key: value.shape for key, value in grads.items()} == {"d" + key: shape for key, shape in shapes.items()}
    assert not np.array_equal(parameters["W1"], grads["dW1"])


def test_layer_shape_hints_name_a_transposed_weight_and_a_flat_bias():
    hints = layer_shape_hints((3, 4, 2))
    assert hints["W1"][(3, 4)] == "W1 has one row per hidden unit and one column per input feature: shape (n_h, n_x)."
    assert hints["b2"][(2,)].startswith("Keep b2 a column of shape (n_y, 1)")
    with pytest.raises(CheckFailure) as failure:
        expect_close(np.zeros((3, 4)), np.zeros((4, 3)), name="W1", shape_hints=hints["W1"])
    assert failure.value.hint == hints["W1"][(3, 4)]
    assert layer_shape_hints((3, 2), biases=False) == {
        "W": {(3, 2): "W has one row per output and one column per input feature: shape (n_y, n_x)."}}
    gradients = layer_shape_hints((3, 4, 2), m=7)
    assert "db1 sums over the examples" in gradients["db1"][(1, 7)] and set(gradients) == {"dW1", "db1", "dW2", "db2"}


def test_sigmoid_mistakes_name_the_exponents_sign_and_pass_the_sigmoid():
    z = np.linspace(-3, 3, 7)
    with pytest.raises(CheckFailure) as failure:
        expect_close(1 / (1 + np.exp(z)), sigmoid(z), name="sigmoid(z)", mistakes=sigmoid_mistakes(z))
    assert "sign in the exponent" in failure.value.hint
    derivative = {"derivative": "That is the derivative."}
    with pytest.raises(CheckFailure) as failure:
        expect_close(sigmoid(z) * (1 - sigmoid(z)), sigmoid(z), name="sigmoid(z)", mistakes=sigmoid_mistakes(z, derivative))
    assert failure.value.hint == "That is the derivative."
    expect_close(sigmoid(z), sigmoid(z), name="sigmoid(z)", mistakes=sigmoid_mistakes(z))


def test_the_log_loss_names_its_mistakes_and_passes_the_right_cost():
    A, Y = np.array([[0.2, 0.7, 0.9, 0.4]]), np.array([[0.0, 1.0, 1.0, 0.0]])
    expected = log_loss(A, Y)
    assert expect_log_loss(expected, expected, A, Y) == pytest.approx(expected)
    with pytest.raises(CheckFailure) as failure:
        expect_log_loss(-expected, expected, A, Y, output="A2")
    assert "minus sign" in failure.value.hint and "log A2" in failure.value.hint
    with pytest.raises(CheckFailure) as failure:
        expect_log_loss(4 * expected, expected, A, Y)
    assert "divide the sum by m" in failure.value.hint
    only_ones = {"positive_term_only": "Both classes count."}
    assert log_loss_mistakes(expected, A, Y, only_ones)[0].resolve() == pytest.approx(-np.sum(Y * np.log(A)) / 4)
    with pytest.raises(CheckFailure) as failure:
        expect_log_loss(float(-np.sum(Y * np.log(A)) / 4), expected, A, Y, hints=only_ones)
    assert failure.value.hint == "Both classes count."
    extra = Mistake("Half of it.", expected / 2)
    with pytest.raises(CheckFailure) as failure:
        expect_log_loss(expected / 2, expected, A, Y, mistakes=[extra])
    assert failure.value.hint == "Half of it."


def test_the_log_loss_of_saturated_outputs_must_be_finite_and_a_dot_product_is_named():
    A, Y = np.array([[0.0, 1.0, 0.5], [1.0, 0.5, 0.0]]), np.array([[0.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    when = "for outputs A that are exactly 0 or 1"
    with pytest.raises(CheckFailure) as failure:
        expect_log_loss(float("nan"), 0.46, A, Y, when=when)
    assert failure.value.message == f"`cost` is nan {when}." and "np.clip(A, 1e-15" in failure.value.hint
    with pytest.raises(CheckFailure) as failure:
        expect_log_loss(np.ones((2, 2)), 0.46, A, Y)
    assert "np.dot" in failure.value.hint
    clipped = np.clip(A, 1e-15, 1 - 1e-15)
    expect_log_loss(log_loss(clipped, Y), log_loss(clipped, Y), A, Y, when=when)


def test_a_confident_mistake_must_cost_a_lot_but_stay_finite():
    rest, k, m = 0.3, 2, 10
    right = rest + k * -np.log(1e-15) / m
    assert expect_confident_log_loss(right, rest, k, m) == pytest.approx(right)
    with pytest.raises(CheckFailure) as failure:
        expect_confident_log_loss(float("inf"), rest, k, m, output="A2")
    assert "np.clip(A2" in failure.value.hint
    with pytest.raises(CheckFailure) as failure:
        expect_confident_log_loss(rest + k * -np.log(0.01) / m, rest, k, m, summaries=("not finite", "too little"))
    assert failure.value.summary == "too little" and "a confident mistake still costs a lot" in failure.value.hint


def test_gradients_compare_with_the_references_and_name_sign_and_average():
    expected = {"dW": np.array([[0.5, -1.0, 2.0]]), "db": np.array([[0.25]])}
    reference = SimpleNamespace(grad=lambda name, argnums: lambda W, b, X, Y: (W * 0 + expected["dW"], b * 0 + expected["db"]))
    parameters = {"W": np.ones((1, 3)), "b": np.ones((1, 1))}
    found = reference_gradients(reference, parameters, np.ones((3, 4)), np.ones((1, 4)))
    assert set(found) == {"dW", "db"}
    expect_gradients(found, expected, ["dW", "db"], 4, sign_hint="Flipped.")
    with pytest.raises(CheckFailure) as failure:
        expect_gradients({"dW": -expected["dW"], "db": expected["db"]}, expected, ["dW"], 4, sign_hint="Flipped.")
    assert failure.value.hint == "Flipped."
    with pytest.raises(CheckFailure) as failure:
        expect_gradients({"dW": 4 * expected["dW"], "db": expected["db"]}, expected, ["dW"], 4, sign_hint="Flipped.")
    assert "divide by m" in failure.value.hint
    with pytest.raises(CheckFailure, match="db"):
        expect_gradients({"dW": expected["dW"]}, expected, ["dW"], 4, sign_hint="Flipped.")


def test_the_update_step_uses_the_rate_passed_in_and_leaves_its_inputs_alone():
    parameters, grads = {"W": np.ones((2, 3)), "b": np.zeros((2, 1))}, {"dW": np.full((2, 3), 0.5), "db": np.ones((2, 1))}
    expect_update(Student(update), update, parameters, grads, 0.3, inputs_alone="Build new arrays.")
    with pytest.raises(CheckFailure) as failure:
        expect_update(Student(lambda p, g, learning_rate: update(p, g)), update, parameters, grads, 0.3)
    assert "learning_rate" in failure.value.hint
    expect_update(Student(in_place), update, parameters, grads, 0.3)  # right values, not watched
    with pytest.raises(CheckFailure) as failure:
        expect_update(Student(in_place), update, parameters, grads, 0.3, inputs_alone="Build new arrays.")
    assert failure.value.message == "update_parameters changed the parameters it was given."
    assert failure.value.hint == "Build new arrays."


def test_a_training_loop_on_the_references_blocks_against_the_references_loop():
    start = {"w": np.array([1.0])}

    def train(X, Y, n, rate):
        return {"w": start["w"] * (1 - rate) ** n}

    functions = {"nn_model": train, "initialize_parameters": lambda n_x, n_y: start}
    reference = SimpleNamespace(function=lambda name, np_seed=None: functions[name],
                                blocks=lambda *names, np_seeds: {"names": names, "np_seeds": np_seeds})
    model = on_blocks(Student(train), reference, 7, ("initialize_parameters",), watch_args=True)
    assert model.options == {"np_seed": 7, "replace": {"names": ("initialize_parameters",),
                                                       "np_seeds": {"initialize_parameters": 7}}, "watch_args": True}
    X, Y = np.ones((1, 3)), np.ones((1, 3))
    expect_trained_as_reference(train(X, Y, 4, 0.1), reference, 7, (X, Y), (1, 1), iterations=4, learning_rate=0.1)
    with pytest.raises(CheckFailure) as failure:
        expect_trained_as_reference(train(X, Y, 10, 0.1), reference, 7, (X, Y), (1, 1), iterations=4, learning_rate=0.1)
    assert "num_iterations" in failure.value.hint


def test_the_learning_curve_reads_the_costs_a_loop_printed():
    figure = learning_curve("Cost after iteration 0: 0.693147\nCost after iteration 1: 0.5\nwarming up\n", [0.7, 0.4])
    assert isinstance(figure, Figure) and figure.title == "Learning curve: the cost at each iteration"
    reference, student = figure.layers
    assert student["y"] == [0.693147, 0.5] and reference["y"] == [0.7, 0.4] and student["role"] == "student"
    assert len(learning_curve("nothing printed", [0.7, 0.4]).layers) == 1


def test_the_learning_curve_reads_a_hostile_printout_in_linear_time():
    """64 KB of digits on one line (the most a call may print) took a backtracking regular expression minutes."""
    started = time.perf_counter()
    figure = learning_curve("1" * 65_000 + "x\n" + "9" * 65_000 + "\ncost=0.25\n", [0.7, 0.4])
    assert time.perf_counter() - started < 1.0
    assert figure.layers[1]["y"][-1] == 0.25 and len(figure.layers[1]["y"]) == 2  # the digits line is a number: inf
    assert [cost_at_end(line) for line in ("Cost after iteration 9: 1.5e-03 ", "value e", "-", "")] == [0.0015, None, None,
                                                                                                    None]


def test_the_sigmoid_far_out_must_not_be_nan_and_is_then_compared():
    z = np.array([[-1000.0, -745.0, 0.0, 745.0, 1000.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        overflowing = np.exp(z) / (1 + np.exp(z))
        right = sigmoid(z)
    with pytest.raises(CheckFailure) as failure:
        sigmoid_far_out(overflowing, right, z)
    assert failure.value.message == "`sigmoid(z)` is nan at z = 745." and "overflows" in failure.value.hint
    assert failure.value.summary == "`sigmoid(z)` is nan for some large |z|."
    infinite = np.where(z > 0, np.inf, 0.0)
    with pytest.raises(CheckFailure) as failure:
        sigmoid_far_out(infinite, right, z, finite=True, message="{name} is {value} at index {index}.", hint="Clip.")
    assert failure.value.message == "sigmoid(z) is inf at index (0, 3)." and failure.value.hint == "Clip."
    with np.errstate(over="ignore"), pytest.raises(CheckFailure) as failure:
        sigmoid_far_out(1 / (1 + np.exp(z)), right, z)  # finite but wrong: the sigmoid's mistakes named
    assert "sign in the exponent" in failure.value.hint
    sigmoid_far_out(right, right, z)


def test_activation_shape_hints_name_a_transposed_activation_by_its_layer():
    cache = {"Z1": np.zeros((4, 7)), "A1": np.zeros((4, 7)), "Z2": np.zeros((2, 7)), "A2": np.zeros((2, 7))}
    hints = activation_shape_hints(cache)
    assert hints["A1"] == {(7, 4): "A1 has one row per hidden unit and one column per example: (n_h, m)."}
    assert hints["Z2"] == {(7, 2): "Z2 has one row per output and one column per example: (n_y, m)."}
    assert activation_shape_hints({"A": np.zeros((1, 5))})["A"] == {
        (5, 1): "A has one row per output and one column per example: (n_y, m)."}
    with pytest.raises(CheckFailure) as failure:
        expect_close(np.zeros((7, 2)), cache["A2"], name="A2", shape_hints=hints["A2"])
    assert failure.value.hint == hints["A2"][(7, 2)]
    expect_close(cache["A2"], cache["A2"], name="A2", shape_hints=hints["A2"])


def test_freshly_initialized_layers_have_their_shapes_and_zero_biases():
    right = {"W1": np.full((4, 3), 0.01), "b1": np.zeros((4, 1)), "W2": np.full((2, 4), 0.01), "b2": np.zeros((2, 1))}
    assert set(expect_layers_initialized(right, (3, 4, 2), zero_biases=True)) == {"W1", "b1", "W2", "b2"}
    with pytest.raises(CheckFailure) as failure:
        expect_layers_initialized({**right, "W1": right["W1"].T}, (3, 4, 2))
    assert failure.value.hint == layer_shape_hints((3, 4, 2))["W1"][(3, 4)]
    with pytest.raises(CheckFailure) as failure:
        expect_layers_initialized({**right, "b2": np.ones((2, 1))}, (3, 4, 2), zero_biases=True, hint="Zeros.")
    assert failure.value.message == '`parameters["b2"]` is not all zeros.' and failure.value.hint == "Zeros."
    expect_layers_initialized({**right, "b2": np.ones((2, 1))}, (3, 4, 2))  # not asked to be zero


def test_saturated_outputs_sit_exactly_on_the_labels_or_on_the_wrong_side():
    A, Y = np.full((2, 6), 0.5), np.array([[0.0, 1.0, 0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0, 1.0, 0.0]])
    right = saturated_outputs(np.random.default_rng(1), A, Y, 2)
    assert np.all(A == 0.5) and ((right == Y).sum(axis=1) == 2).all() and ((right == 0.5).sum(axis=1) == 4).all()
    wrong = saturated_outputs(np.random.default_rng(1), A, Y, 2, wrong=True)
    assert np.array_equal(wrong == 1 - Y, right == Y)  # the same entries, on the other side
    inside = saturated_outputs(np.random.default_rng(1), A, Y, 2, gap=1e-12)
    assert np.all((inside > 0) & (inside < 1)) and np.allclose(inside, right, atol=1e-11)
    cost = log_loss(np.clip(right, 1e-15, 1 - 1e-15), Y)
    expect_log_loss(cost, cost, right, Y, when="for saturated outputs")


def test_predicted_classes_name_the_opposite_class_and_the_first_wrong_example():
    expected = np.array([[True, False, True, True]])
    expect_predicted_classes(expected.copy(), expected)
    with pytest.raises(CheckFailure) as failure:
        expect_predicted_classes(~expected, expected, opposite_hint="A > 0.5.")
    assert failure.value.message == "Every prediction is the opposite of the expected one." and failure.value.hint == "A > 0.5."
    one_off = np.array([[True, True, True, True]])
    with pytest.raises(CheckFailure) as failure:
        expect_predicted_classes(one_off, expected, hint="True where A > 0.5.")
    assert failure.value.message == ("`predictions` is wrong in 1 of 4 examples; the first at index (0, 1): you have True, "
                                     "expected False.") and failure.value.hint == "True where A > 0.5."
    A = np.array([[0.9, 0.2, 0.7, 0.6]])
    with pytest.raises(CheckFailure) as failure:
        expect_predicted_classes(A <= 0.5, A > 0.5, mistakes=[Mistake("Not A < 0.5.", A <= 0.5)], quoted={"A": A},
                                 message="{count} wrong, first {index}: {got} (A = {A:.2f}).")
    assert failure.value.message == "4 wrong, first (0, 0): False (A = 0.90)." and failure.value.hint == "Not A < 0.5."
    with pytest.raises(CheckFailure, match="booleans"):
        expect_predicted_classes(expected.astype(float), expected)
    expect_predicted_classes(expected.astype(int), expected, zeros_and_ones=True)


def defined(source):
    """A submission whose cells hold ``source`` (read, never run)."""
    tree = ast.parse(source)
    return SimpleNamespace(source_of=lambda name: next((node for node in tree.body if getattr(node, "name", None) == name),
                                                       None))


def test_declared_defaults_are_read_from_the_source():
    signature = "train(X, n=10, rate=1.2)"
    expect_declared_defaults(defined("def train(X, n=10, rate=1.2, verbose=True): pass"), "train", {"n": 10, "rate": 1.2},
                             signature=signature)
    expect_declared_defaults(defined("x = 1"), "train", {"n": 10}, signature=signature)  # no source: nothing to read
    with pytest.raises(CheckFailure) as failure:
        expect_declared_defaults(defined("def train(X, n=1000, rate=1.2): pass"), "train", {"n": 10, "rate": 1.2},
                                 signature=signature)
    assert failure.value.message == "train's default n is 1000; the exercise's is 10."
    assert failure.value.hint == "Keep the signature the exercise gives: train(X, n=10, rate=1.2)."
    with pytest.raises(CheckFailure, match="default rate is 0.5"):
        expect_declared_defaults(defined("def train(X, *, n=10, rate=0.5): pass"), "train", {"rate": 1.2}, signature=signature)


def test_a_failed_call_of_a_function_declared_with_its_arguments_in_another_order_is_named():
    error = StudentCodeRaised("AttributeError: 'dict' object has no attribute 'shape'", "AttributeError")
    with pytest.raises(CheckFailure) as failure, arguments_in_order(defined("def predict(parameters, X): pass"), "predict",
                                                                     ("X", "parameters")):
        raise error
    assert failure.value.message == f"predict(X, parameters) failed: {error}"
    assert failure.value.hint.startswith("Your predict is defined as predict(parameters, X), but it is called as predict(X, "
                                         "parameters)")
    for source in ("def predict(X, parameters): pass", "def predict(a, b): pass"):  # its own error, raised as it is
        with pytest.raises(StudentCodeRaised), arguments_in_order(defined(source), "predict", ("X", "parameters")):
            raise error
    with arguments_in_order(defined("def predict(parameters, X): pass"), "predict", ("X", "parameters")):
        pass


def test_the_arguments_passed_to_a_building_block_are_checked_even_when_the_call_then_failed():
    def model(calls):
        return SimpleNamespace(__name__="nn_model", stand_in_calls={"initialize_parameters": calls})

    wider = ArgumentsMistake((3, ..., 1), ": {1} hidden units.", "Use n_h.", "Another n_h.")
    options = {"why": ", not the data's sizes.", "hint": "Read the sizes.", "summary": "Other sizes.", "mistakes": [wider]}
    with expect_passed(model([[3, np.int64(4), 1]]), "initialize_parameters", (3, 4, 1), **options):
        pass
    with pytest.raises(CheckFailure) as failure, expect_passed(model([[3, 5, 1]]), "initialize_parameters", (3, 4, 1),
                                                               **options):
        pass
    assert failure.value.message == "nn_model called initialize_parameters(3, 5, 1): 5 hidden units."
    assert (failure.value.hint, failure.value.summary) == ("Use n_h.", "Another n_h.")
    with pytest.raises(CheckFailure) as failure, expect_passed(model([[2, 4, 1]]), "initialize_parameters", (3, 4, 1),
                                                               **options):
        raise StudentCodeRaised("ValueError: shapes not aligned", "ValueError")  # the sizes are the verdict
    assert failure.value.message == "nn_model called initialize_parameters(2, 4, 1), not the data's sizes."
    with pytest.raises(StudentCodeRaised), expect_passed(model([[3, 4, 1]]), "initialize_parameters", (3, 4, 1), **options):
        raise StudentCodeRaised("ValueError: shapes not aligned", "ValueError")
    with pytest.raises(CheckFailure) as failure, expect_passed(model([[np.array([3, 3]), 4, 1]]), "initialize_parameters",
                                                               (3, 4, 1), **options):
        pass  # an array where a size belongs is a verdict, not an error of the grader's comparison
    assert failure.value.message.startswith("nn_model called initialize_parameters(array([3, 3]), 4, 1)")
