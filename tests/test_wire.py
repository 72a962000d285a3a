"""The codec: plain data round-trips; anything else is refused or described, never executed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from autograder import wire


def roundtrip(value):
    return wire.decode(json.loads(json.dumps(wire.encode(value))))


def test_plain_values_and_arrays_round_trip_exactly():
    value = {"W": np.arange(6.0).reshape(2, 3), "b": np.zeros((2, 1), dtype=np.float32), "n": 3,
             "flags": np.array([True, False]), "t": (1, 2.5, "x", None), "nested": [[1, 2], {"k": -1}]}
    back = roundtrip(value)
    assert back["W"].dtype == np.float64 and np.array_equal(back["W"], value["W"])
    assert back["b"].dtype == np.float32 and back["b"].shape == (2, 1)
    assert back["flags"].dtype == bool and back["t"] == (1, 2.5, "x", None)
    assert back["nested"] == [[1, 2], {"k": -1}]


def test_special_floats_and_numpy_scalars_keep_their_kind():
    back = roundtrip([float("nan"), float("inf"), np.float32(1.5), np.int64(7)])
    assert np.isnan(back[0]) and back[1] == float("inf")
    assert type(back[2]) is np.float32 and type(back[3]) is np.int64


def test_a_float_subclass_with_a_lying_eq_arrives_as_its_plain_value_with_a_note():
    class Liar(float):
        def __eq__(self, other):
            return True

        def __float__(self):
            return 42.0

    notes = []
    data = wire.encode(Liar(1.25), notes=notes)
    assert wire.decode(data) == 1.25 and type(wire.decode(data)) is float
    assert "subclass of float" in notes[0]


def test_an_ndarray_subclass_arrives_as_a_plain_ndarray():
    class Evil(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, dtype=bool)

    notes = []
    evil = np.arange(3.0).view(Evil)
    back = wire.decode(wire.encode(evil, notes=notes))
    assert type(back) is np.ndarray and back.tolist() == [0.0, 1.0, 2.0]
    assert "ndarray subclass" in notes[0]


def test_objects_that_cannot_cross_are_described_not_sent():
    class Thing:
        def __repr__(self):
            return "Thing()"

    back = roundtrip(Thing())
    assert isinstance(back, wire.Opaque) and back.type_name.endswith("Thing") and back.text == "Thing()"
    assert isinstance(roundtrip(np.array(["a"], dtype=object)), wire.Opaque)


@pytest.mark.parametrize("payload, complaint", [
    ({"$t": "nd", "dtype": "|O", "shape": [1], "b64": ""}, "not plain numeric"),
    ({"$t": "nd", "dtype": "<f8", "shape": [3], "b64": "AAAAAAAAAAA="}, "needs"),
    ({"$t": "pickle", "v": "gASV"}, "unknown tag"),
    ({"$t": "float", "v": "1e400"}, "bad special float"),
    ({"$t": "dict", "v": [[["not", "a key"], 1]]}, "keys"),
    ({"$t": "nd", "dtype": "<f8", "shape": [-1], "b64": ""}, "non-negative"),
])
def test_the_decoder_refuses_anything_outside_the_protocol(payload, complaint):
    with pytest.raises(wire.WireError, match=complaint):
        wire.decode(payload)


def test_the_decoder_refuses_deep_nesting_and_huge_integers():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError, match="deeper"):
        wire.decode(deep)
    with pytest.raises(wire.WireError, match="too large"):
        wire.decode(10 ** 200)


def test_frames_reject_bare_nan_and_oversized_messages():
    import io

    with pytest.raises(wire.WireError, match="special floats"):
        wire.read_frame(io.BytesIO(len(b'{"x":NaN}').to_bytes(4, "big") + b'{"x":NaN}'))
    with pytest.raises(wire.WireError, match="limit"):
        wire.read_frame(io.BytesIO((wire.MAX_FRAME_BYTES + 1).to_bytes(4, "big")))


def test_callables_cross_as_handles():
    registry = []

    def register(function):
        registry.append(function)
        return len(registry)

    data = wire.encode({"f": len}, register=register)
    back = wire.decode(data)
    assert isinstance(back["f"], wire.FunctionHandle) and back["f"].handle == 1 and registry == [len]


def test_sympy_expressions_cross_as_trees_rebuilt_from_known_constructors_only():
    import sympy as sp

    x = sp.Symbol("x")
    for expression in (sp.exp(x) - 1 / x, sp.sqrt(x ** 2 + 1) * sp.sin(3 * x) / 7, sp.Rational(3, 4) * sp.pi,
                       sp.Piecewise((x, x > 0), (0, True)), sp.Abs(x), sp.Float("2.5") * x):
        back = roundtrip(expression)
        assert isinstance(back, sp.Basic) and (back == expression or sp.simplify(back - expression) == 0)
    assert isinstance(roundtrip(sp.Function("f")(x)), wire.Opaque)  # unknown functions do not cross


@pytest.mark.parametrize("tree, complaint", [
    (["Function", ["Symbol", "x"]], "not one the grader rebuilds"),
    (["Symbol", "x); import os #"], "identifier"),
    (["Integer", "1" * 500], "bad Integer"),
    (["Add"] + [["Symbol", "x"]] * 6000, "small list"),
])
def test_sympy_trees_outside_the_whitelist_are_refused(tree, complaint):
    with pytest.raises(wire.WireError, match=complaint):
        wire.decode({"$t": "sym", "tree": tree})


def test_pandas_tables_cross_as_named_columns_of_plain_arrays():
    import pandas as pd

    series = pd.Series([1.5, 2.5], name="TV", index=[3, 4])
    frame = pd.DataFrame({"TV": [1.0, 2.0], "Sales": [3, 4]})
    assert roundtrip(series).equals(series) and roundtrip(series).name == "TV"
    assert roundtrip(frame).equals(frame)
    assert isinstance(roundtrip(pd.DataFrame({"a": ["text"]})), wire.Opaque)
    means = roundtrip(frame.mean())  # labelled by column names: the labels cross too
    assert means["TV"] == 1.5 and list(means.index) == ["TV", "Sales"]
    with pytest.raises(wire.WireError, match="bad table"):
        wire.decode({"$t": "frame", "name": None, "columns": ["a"], "index": ["x", "y"],
                     "data": [wire.encode(np.zeros(3))]})
