"""The plain-data codec that the trusted grader and the sandboxed child both speak.

Only plain data crosses the boundary (DESIGN.md, invariant 2): ``None``, ``bool``, ``int``,
``float``, ``str``, lists, tuples and string-keyed dicts of those, numpy arrays and scalars of a
numeric or bool dtype, SymPy expressions as trees of whitelisted node types, and *handles* to
functions that live on the other side. Nothing is pickled and nothing is evaluated: a frame is
JSON, and every value the decoder returns was built by the decoder itself from that JSON (a SymPy
tree is rebuilt with ``evaluate=False`` from known constructors, never parsed from text).

The encoder runs on both sides and is lenient: a value it cannot carry becomes an ``opaque``
description (its type name and a short repr) so the trusted side can say what came back. The
decoder is strict: it is the only thing between untrusted bytes and the checks, so it verifies
every tag, dtype, shape and size and raises :class:`WireError` on anything else.

This module must stay importable inside the sandbox: it imports only the standard library, and
numpy lazily.
"""

from __future__ import annotations

import base64
import json
import math
import struct
from collections.abc import Callable
from typing import Any, BinaryIO

__all__ = [
    "MAX_CONTROL_BYTES",
    "MAX_FRAME_BYTES",
    "FunctionHandle",
    "Opaque",
    "WireError",
    "decode",
    "encode",
    "encode_frame",
    "frame_size",
    "parse_body",
    "read_frame",
    "write_frame",
]

MAX_FRAME_BYTES = 64 * 1024 * 1024  # a reply larger than this is refused, not read
MAX_CONTROL_BYTES = 64 * 1024  # one message between the trusted side and a sandbox's zygote
MAX_DEPTH = 32  # nesting of lists/dicts; deeper payloads are refused
MAX_INT_DIGITS = 100  # Python ints are arbitrary precision; a huge one is refused
MAX_REPR = 200  # characters of repr kept for values that cannot cross
# numpy dtype kinds that may cross: bool, signed/unsigned int, float, complex
ALLOWED_DTYPE_KINDS = frozenset("biufc")

_HEADER = struct.Struct(">I")


class WireError(ValueError):
    """A frame or value that does not follow the protocol."""


class Opaque:
    """Stands for a value that could not cross: only its type name and a short repr did."""

    __slots__ = ("type_name", "text")

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name} object: {self.text}>"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Opaque)
            and other.type_name == self.type_name
            and other.text == self.text
        )

    def __hash__(self) -> int:
        return hash((self.type_name, self.text))


class FunctionHandle:
    """Stands for a function living on the other side of the boundary."""

    __slots__ = ("handle", "name")

    def __init__(self, handle: int, name: str) -> None:
        self.handle = handle
        self.name = name

    def __repr__(self) -> str:
        return f"<function {self.name} (handle {self.handle})>"


# ---------------------------------------------------------------------------- encode


def encode(
    value: Any,
    register: Callable[[Callable[..., Any]], int] | None = None,
    notes: list[str] | None = None,
) -> Any:
    """Turn ``value`` into JSON-ready data.

    ``register`` gives a handle for a callable (so it can be called back later); without it
    callables are opaque. ``notes`` collects remarks about conversions (subclasses, JAX arrays).
    """
    return _encode(value, register, notes if notes is not None else [], 0)


def _encode(value: Any, register: Any, notes: list[str], depth: int) -> Any:
    if depth > MAX_DEPTH:
        return {"$t": "opaque", "type": "deep", "repr": f"nesting deeper than {MAX_DEPTH}"}
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        return _encode_int(value)
    if kind is float:
        return _encode_float(value)
    if kind is list:
        return [_encode(v, register, notes, depth + 1) for v in value]
    if kind is tuple:
        return {"$t": "tuple", "v": [_encode(v, register, notes, depth + 1) for v in value]}
    if kind is dict:
        return _encode_dict(value, register, notes, depth)
    array = _as_numpy(value, notes)
    if array is not None:
        return _encode_numpy(array)
    if (type(value).__module__ or "").startswith("sympy") and hasattr(value, "func") and hasattr(value, "args"):
        return _encode_sympy(value)
    if (type(value).__module__ or "").startswith("pandas") and type(value).__name__ in ("Series", "DataFrame"):
        return _encode_pandas(value, notes)
    for base in (int, float, str):
        if isinstance(value, base):
            notes.append(f"a {_type_name(value)} (subclass of {base.__name__}) was converted to a plain {base.__name__}")
            return _encode(_plain(base, value), register, notes, depth)
    if callable(value) and register is not None:
        return {"$t": "fn", "h": register(value), "name": str(getattr(value, "__name__", "?"))[:80]}
    return {"$t": "opaque", "type": _type_name(value), "repr": _safe_repr(value)}


def _plain(base: type, value: Any) -> Any:
    """The plain ``base`` value inside a subclass instance, without calling its overrides."""
    if base is float:
        return float.__float__(value)
    return int.__add__(value, 0) if base is int else str.__add__(value, "")


def _encode_int(value: int) -> Any:
    if len(str(abs(value))) > MAX_INT_DIGITS:
        return {"$t": "opaque", "type": "int", "repr": f"an integer with more than {MAX_INT_DIGITS} digits"}
    return value


def _encode_float(value: float) -> Any:
    if math.isfinite(value):
        return value
    return {"$t": "float", "v": repr(value)}  # 'nan', 'inf', '-inf'


def _encode_dict(value: dict[Any, Any], register: Any, notes: list[str], depth: int) -> Any:
    items = []
    for key, item in value.items():
        if type(key) not in (str, int):
            return {"$t": "opaque", "type": "dict", "repr": f"a dict with a {_type_name(key)} key"}
        items.append([key, _encode(item, register, notes, depth + 1)])
    return {"$t": "dict", "v": items}


def _as_numpy(value: Any, notes: list[str]) -> Any:
    """Return ``value`` as a plain numpy array or scalar if it is array-like data, else None."""
    module = type(value).__module__ or ""
    if not (module.startswith("numpy") or module.startswith("jax") or _is_ndarray(value)):
        return None
    import numpy as np

    if isinstance(value, np.generic):
        if type(value).__module__ != "numpy":
            notes.append(f"a {_type_name(value)} numpy scalar subclass was converted")
        return value if type(value).__module__ == "numpy" else np.asarray(value)[()]
    if isinstance(value, np.ndarray):
        if type(value) is not np.ndarray:
            notes.append(f"a {_type_name(value)} (ndarray subclass) was converted to a plain ndarray")
        return np.asarray(value).view(np.ndarray)
    if module.startswith("jax") and hasattr(value, "__array__"):
        notes.append(f"a JAX array ({_type_name(value)}) was converted to a numpy array")
        return np.asarray(value)
    return None


def _is_ndarray(value: Any) -> bool:
    import sys

    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, (np.ndarray, np.generic))


def _encode_numpy(array: Any) -> Any:
    import numpy as np

    scalar = isinstance(array, np.generic)
    dtype = array.dtype
    if dtype.kind not in ALLOWED_DTYPE_KINDS:
        return {"$t": "opaque", "type": f"numpy {'scalar' if scalar else 'array'}",
                "repr": f"dtype {dtype.str} ({dtype.name}) cannot cross; use numbers"}
    data = np.ascontiguousarray(array).tobytes()
    out = {"$t": "np" if scalar else "nd", "dtype": dtype.str, "b64": base64.b64encode(data).decode("ascii")}
    if not scalar:
        out["shape"] = list(array.shape)
    return out


def _encode_pandas(table: Any, notes: list[str]) -> Any:
    """A Series or DataFrame as named columns of plain arrays (the index is kept as an array)."""
    import numpy as np

    frame = table.to_frame() if type(table).__name__ == "Series" else table
    columns = [str(c) for c in frame.columns]
    data = [_as_numpy(np.asarray(frame[c].to_numpy()), notes) for c in frame.columns]
    if len(set(columns)) != len(columns) or any(a is None or a.dtype.kind not in ALLOWED_DTYPE_KINDS for a in data):
        return {"$t": "opaque", "type": _type_name(table), "repr": "a table with repeated or non-numeric columns"}
    return {"$t": "series" if type(table).__name__ == "Series" else "frame",
            "name": None if type(table).__name__ != "Series" or table.name is None else str(table.name),
            "columns": columns, "data": [_encode_numpy(a) for a in data],
            "index": _encode_index(frame.index)}


def _encode_index(index: Any) -> Any:
    """A numeric index as an array, labels as a list of short strings, anything else dropped."""
    import numpy as np

    if index.dtype.kind in ALLOWED_DTYPE_KINDS:
        return _encode_numpy(np.asarray(index.to_numpy()))
    labels = list(index)
    if all(type(label) is str and len(label) <= MAX_REPR for label in labels):
        return labels
    return None


MAX_SYMPY_NODES = 5000  # a derivative is small; a bigger tree is refused, not rebuilt
_SYMBOL_NAME = __import__("re").compile(r"^[^\W\d]\w{0,29}$")


def _encode_sympy(expression: Any) -> Any:
    budget = [MAX_SYMPY_NODES]
    try:
        return {"$t": "sym", "tree": _sympy_tree(expression, budget, 0)}
    except (ValueError, AttributeError, TypeError, RecursionError) as exc:
        return {"$t": "opaque", "type": _type_name(expression), "repr": f"a SymPy expression that cannot cross ({exc})"}


def _sympy_tree(node: Any, budget: list[int], depth: int) -> list[Any]:
    budget[0] -= 1
    if budget[0] < 0 or depth > 200:
        raise ValueError(f"more than {MAX_SYMPY_NODES} nodes or too deep")
    if getattr(node, "is_Symbol", False):
        return ["Symbol", str(node.name)]
    if getattr(node, "is_Integer", False):
        return ["Integer", str(int(node))]
    if getattr(node, "is_Rational", False):
        return ["Rational", str(node.p), str(node.q)]
    if getattr(node, "is_Float", False):
        return ["Float", str(node)]
    return [type(node).__name__, *(_sympy_tree(arg, budget, depth + 1) for arg in node.args)]


def _type_name(value: Any) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" else kind.__qualname__


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
    except BaseException:  # noqa: BLE001 - a hostile __repr__ must not break encoding
        text = "<repr failed>"
    if not isinstance(text, str):
        return "<repr did not return a string>"
    return text[:MAX_REPR]


# ---------------------------------------------------------------------------- decode


def decode(
    data: Any,
    resolve: Callable[[int, str], Any] | None = None,
) -> Any:
    """Rebuild a value from JSON data produced by :func:`encode`, strictly.

    ``resolve(handle, name)`` turns a function handle into something callable on this side;
    without it handles decode to :class:`FunctionHandle`.
    """
    return _decode(data, resolve, 0)


def _decode(data: Any, resolve: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise WireError(f"value nested deeper than {MAX_DEPTH}")
    kind = type(data)
    if data is None or kind in (bool, str, float):
        return data
    if kind is int:
        if len(str(abs(data))) > MAX_INT_DIGITS:
            raise WireError("integer too large")
        return data
    if kind is list:
        return [_decode(v, resolve, depth + 1) for v in data]
    if kind is not dict:
        raise WireError(f"unexpected JSON value of type {kind.__name__}")
    tag = data.get("$t")
    if tag == "tuple":
        return tuple(_decode(v, resolve, depth + 1) for v in _field(data, "v", list))
    if tag == "dict":
        return _decode_dict(data, resolve, depth)
    if tag == "float":
        text = _field(data, "v", str)
        if text not in ("nan", "inf", "-inf"):
            raise WireError(f"bad special float {text!r}")
        return float(text)
    if tag in ("nd", "np"):
        return _decode_numpy(data, scalar=tag == "np")
    if tag == "fn":
        handle, name = _field(data, "h", int), _field(data, "name", str)
        return resolve(handle, name) if resolve is not None else FunctionHandle(handle, name)
    if tag == "opaque":
        return Opaque(_field(data, "type", str)[:MAX_REPR], _field(data, "repr", str)[:MAX_REPR])
    if tag == "sym":
        return _decode_sympy(_field(data, "tree", list))
    if tag in ("series", "frame"):
        return _decode_pandas(data, tag)
    raise WireError(f"unknown tag {tag!r}")


def _field(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if type(value) is not kind:
        raise WireError(f"field {key!r} must be {kind.__name__}")
    return value


def _decode_dict(data: dict[str, Any], resolve: Any, depth: int) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for pair in _field(data, "v", list):
        if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int):
            raise WireError("dict items must be [key, value] with str or int keys")
        out[pair[0]] = _decode(pair[1], resolve, depth + 1)
    return out


def _decode_numpy(data: dict[str, Any], scalar: bool) -> Any:
    import numpy as np

    try:
        dtype = np.dtype(_field(data, "dtype", str))
    except TypeError as exc:
        raise WireError(f"bad dtype: {exc}") from None
    if dtype.kind not in ALLOWED_DTYPE_KINDS or dtype.hasobject or dtype.fields is not None:
        raise WireError(f"dtype {dtype.str} is not plain numeric data")
    raw = base64.b64decode(_field(data, "b64", str), validate=True)
    shape = () if scalar else tuple(_field(data, "shape", list))
    if any(type(n) is not int or n < 0 for n in shape) or len(shape) > MAX_DEPTH:
        raise WireError("shape must be a short list of non-negative ints")
    if math.prod(shape) * dtype.itemsize != len(raw):
        raise WireError(f"array data holds {len(raw)} bytes, shape {shape} needs {math.prod(shape) * dtype.itemsize}")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return array[()] if scalar else array


# SymPy node types that may be rebuilt, by class name; anything else is refused.
_SYMPY_FUNCTIONS = frozenset((
    "exp", "log", "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "sinh", "cosh", "tanh",
    "asinh", "acosh", "atanh", "Abs", "sign", "Heaviside", "floor", "ceiling", "re", "im", "erf",
))
_SYMPY_OPERATORS = frozenset(("Add", "Mul", "Pow", "Max", "Min"))
_SYMPY_LOGIC = frozenset((
    "Piecewise", "ExprCondPair", "StrictLessThan", "LessThan", "StrictGreaterThan", "GreaterThan", "Equality",
    "Unequality", "And", "Or", "Not", "Derivative", "Tuple",
))
_SYMPY_CONSTANTS = frozenset((
    "Pi", "Exp1", "ImaginaryUnit", "Infinity", "NegativeInfinity", "ComplexInfinity", "NaN", "Zero", "One",
    "NegativeOne", "Half", "BooleanTrue", "BooleanFalse",
))


def _decode_sympy(tree: list[Any]) -> Any:
    import sympy

    budget = [MAX_SYMPY_NODES]

    def build(node: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0 or depth > 200 or type(node) is not list or not node or type(node[0]) is not str:
            raise WireError("a SymPy tree must be a small list of [kind, ...] nodes")
        kind, rest = node[0], node[1:]
        if kind == "Symbol":
            if len(rest) != 1 or type(rest[0]) is not str or not _SYMBOL_NAME.match(rest[0]):
                raise WireError("a symbol needs a short identifier as its name")
            return sympy.Symbol(rest[0])
        if kind in ("Integer", "Rational"):
            if not rest or len(rest) > 2 or not all(type(x) is str and _is_int_text(x) for x in rest):
                raise WireError(f"bad {kind}")
            return sympy.Rational(*(int(x) for x in rest)) if kind == "Rational" else sympy.Integer(int(rest[0]))
        if kind == "Float":
            if len(rest) != 1 or type(rest[0]) is not str or len(rest[0]) > 60:
                raise WireError("bad Float")
            try:
                return sympy.Float(rest[0])
            except (ValueError, TypeError):
                raise WireError("bad Float") from None
        if kind in _SYMPY_CONSTANTS and not rest:
            return getattr(sympy.S, kind) if kind not in ("BooleanTrue", "BooleanFalse") else getattr(sympy, kind[7:].lower())
        args = [build(child, depth + 1) for child in rest]
        if kind in _SYMPY_OPERATORS or kind in _SYMPY_FUNCTIONS:
            constructor = getattr(sympy, kind)
            try:
                return constructor(*args, evaluate=False)
            except (TypeError, ValueError) as exc:
                raise WireError(f"bad {kind}: {exc}") from None
        if kind in _SYMPY_LOGIC:
            from sympy.functions.elementary.piecewise import ExprCondPair

            try:  # never evaluated: comparing or combining a student's values may compute without end
                if kind in ("ExprCondPair", "Tuple"):
                    return ExprCondPair(*args) if kind == "ExprCondPair" else sympy.Tuple(*args)
                return getattr(sympy, kind)(*args, evaluate=False)
            except (TypeError, ValueError, AttributeError) as exc:
                raise WireError(f"bad {kind}: {exc}") from None
        raise WireError(f"the SymPy node {kind!r} is not one the grader rebuilds")

    return build(tree, 0)


def _decode_pandas(data: dict[str, Any], tag: str) -> Any:
    import pandas

    columns = _field(data, "columns", list)
    arrays = [_decode_numpy(_field_of(a, dict), scalar=False) for a in _field(data, "data", list)]
    if len(columns) != len(arrays) or not all(type(c) is str and len(c) <= MAX_REPR for c in columns):
        raise WireError("a table needs one short string name per column")
    if any(a.ndim != 1 or len(a) != len(arrays[0]) for a in arrays):
        raise WireError("table columns must be 1-D arrays of one length")
    index = data.get("index")
    if type(index) is list:
        if not all(type(label) is str and len(label) <= MAX_REPR for label in index):
            raise WireError("index labels must be short strings")
        index_array: Any = index
    else:
        index_array = _decode_numpy(_field_of(index, dict), scalar=False) if index is not None else None
    try:
        frame = pandas.DataFrame(dict(zip(columns, arrays, strict=True)), index=index_array)
    except (ValueError, TypeError) as exc:
        raise WireError(f"bad table: {exc}") from None
    if tag == "series":
        name = data.get("name")
        if len(columns) != 1 or (name is not None and type(name) is not str):
            raise WireError("a Series is one column")
        return frame.iloc[:, 0].rename(name)
    return frame


def _field_of(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise WireError(f"expected a {kind.__name__}")
    return value


def _is_int_text(text: str) -> bool:
    digits = text[1:] if text.startswith("-") else text
    return digits.isdigit() and len(digits) <= MAX_INT_DIGITS


# ---------------------------------------------------------------------------- frames


def encode_frame(message: dict[str, Any]) -> bytes:
    """One message as bytes: a 4-byte big-endian length, then UTF-8 JSON."""
    body = json.dumps(message, separators=(",", ":"), allow_nan=False).encode("utf-8")
    if len(body) > MAX_FRAME_BYTES:
        raise WireError(f"message of {len(body)} bytes exceeds the {MAX_FRAME_BYTES}-byte limit")
    return _HEADER.pack(len(body)) + body


def frame_size(header: bytes) -> int:
    """The body length announced by a frame's 4-byte header, refused when over the limit."""
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME_BYTES:
        raise WireError(f"message of {size} bytes exceeds the {MAX_FRAME_BYTES}-byte limit")
    return int(size)


def parse_body(body: bytes) -> dict[str, Any]:
    """A frame's body as a message (a JSON object), strictly: nested at most
    :data:`MAX_MESSAGE_DEPTH` deep, and every string encodable (lone surrogates replaced)."""
    try:
        message = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError(f"malformed message: {exc}") from None
    except WireError:
        raise
    except (RecursionError, ValueError) as exc:  # nested past the parser's stack, or an integer too long to read
        raise WireError(f"malformed message: {type(exc).__name__}") from None
    if type(message) is not dict:
        raise WireError("a message must be a JSON object")
    return _sanitised(message, 0)  # type: ignore[no-any-return]


MAX_MESSAGE_DEPTH = 3 * MAX_DEPTH + 8  # a value nests 3 JSON levels per dict (tag, items, pair), plus the message
_LONE_SURROGATE = __import__("re").compile(r"[\ud800-\udfff]")


def _sanitised(value: Any, depth: int) -> Any:
    """``value`` with lone surrogates in every string replaced by U+FFFD (JSON can carry them, UTF-8
    cannot, so any later write of the text would fail); WireError past the depth limit."""
    if depth > MAX_MESSAGE_DEPTH:
        raise WireError(f"message nested deeper than {MAX_MESSAGE_DEPTH}")
    if type(value) is str:
        return value if value.isascii() else _LONE_SURROGATE.sub("\ufffd", value)
    if type(value) is list:
        return [_sanitised(v, depth + 1) for v in value]
    if type(value) is dict:
        return {_sanitised(k, depth + 1): _sanitised(v, depth + 1) for k, v in value.items()}
    return value


def write_frame(stream: BinaryIO, message: dict[str, Any]) -> None:
    """Send one message on a blocking stream."""
    stream.write(encode_frame(message))
    stream.flush()


def read_frame(stream: BinaryIO) -> dict[str, Any]:
    """Receive one message from a blocking stream; ``EOFError`` when the peer is gone."""
    size = frame_size(_read_exactly(stream, _HEADER.size))
    return parse_body(_read_exactly(stream, size))


def _reject_constant(name: str) -> Any:
    raise WireError(f"bare {name} is not allowed; special floats are tagged")


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
