"""Answers from the reference, for checks: ``reference.forward_propagation(X, parameters)``.

Three sources stand behind the same :class:`Oracle`:

* :class:`LiveSource` calls the reference module (instructor side). Answers are memoised per
  process in a bounded cache keyed by the question's exact bits (the same process computes the
  same inputs with the same bits), so a class of submissions asks JAX once per input.
* :class:`RecordingSource` does the same and writes every question and answer down; this is how
  the public cases file shipped to students is made.
* :class:`ReplaySource` answers from that file, so self-checks run on a student's machine without
  the reference code ever being there. A recorded answer is found by its question *within a
  tolerance* (``TOLERANCE["same_question"]``), never by bits: the inputs a check computes on a
  student's laptop differ from the recorded ones in their last bits (another CPU, another BLAS,
  another JAX), and must still find their answer.

Questions and answers pass through the wire codec: an answer is always a fresh copy of plain data.
:func:`cases_differences` compares two recordings within the checks' own tolerance, so a file
recorded on another machine is up to date unless a question or an answer really changed.

:meth:`Oracle.trace` answers a different kind of question: which calls of its building blocks the
reference's own composite function makes on given inputs (``nn_model`` asks ``forward_propagation``
this, then ``compute_cost`` that). Stand-ins for a student's building blocks answer only those
(see :mod:`autograder.standins`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import inspect
import json
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np

from . import wire
from .errors import InstructorError, LeftToStudent
from .tolerance import TOLERANCE, distance

if TYPE_CHECKING:
    from .config import Assignment

__all__ = [
    "CASES_FORMAT",
    "Block",
    "CaseNotRecorded",
    "LiveSource",
    "Memo",
    "Oracle",
    "Oracles",
    "RecordingSource",
    "ReferenceRaised",
    "ReplaySource",
    "cases_differences",
    "load_cases",
    "load_module",
    "oracles_for",
    "write_cases",
]

CASES_FORMAT = "calc4ml-public-cases"
CASES_VERSION = 2  # 2: answers found by their questions within a tolerance (1 keyed them by their bits)
SAME_QUESTION = TOLERANCE["same_question"]
SAME_QUESTION_FLOAT32 = TOLERANCE["same_question_float32"]
# Two recordings agree when every answer is within the checks' own float64 tolerance: a
# difference below it cannot change a verdict, and a changed reference or check is far above it.
SAME_ANSWER = TOLERANCE["float64"]
MEMO_BYTES = 128 * 1024 * 1024  # answers kept per process; a class asks the same few hundred questions


class ReferenceRaised(InstructorError):
    """The reference raised on a check's own question: the instructor must fix the reference or the check."""

    def __init__(self, label: str, name: str, error: Exception) -> None:
        super().__init__(f"the {label} {name} raised {type(error).__name__}: {error}; fix the {label}")


class CaseNotRecorded(InstructorError, LeftToStudent):
    """A public check asked the reference something the cases file has no answer for.

    When this happens inside a building block that replaced a student's function during a call,
    the student's own function answers instead."""


class Source(Protocol):
    def answer(self, question: tuple[Any, ...], compute: Callable[[], Any]) -> Any: ...

    def signature(self, name: str) -> Signature | None: ...


# ---------------------------------------------------------------------------- questions


def question_key(question: Any) -> str:
    """A digest of a question's exact content (for the memo of one process, never across machines):
    a number counts the same whether it came as an int, a float or a numpy scalar."""
    text = json.dumps(wire.encode(normalise(list(question))), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def normalise(value: Any) -> Any:
    """A question's inputs as they are compared: numbers (0-d arrays too) as floats, numeric arrays as
    float64, tuples as lists, tables as their columns, index and values, SymPy expressions as their structure."""
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return float(value) if value.ndim == 0 else value.astype(np.float64)  # a 0-d array is a number (JAX's scalars)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return _comparable(value)


def skeleton(value: Any) -> Any:
    """Everything about normalised inputs except the values of their numbers: two questions can
    only be the same if their skeletons are equal (then their numbers are compared)."""
    if isinstance(value, float):
        return "f"
    if isinstance(value, np.ndarray):
        return ("a", value.dtype.kind, value.shape)
    if isinstance(value, list):
        return ("l", *(skeleton(v) for v in value))
    if isinstance(value, dict):
        return ("d", *sorted(((repr(k), skeleton(v)) for k, v in value.items()), key=lambda kv: kv[0]))
    return ("v", type(value).__name__, repr(value))


def _holds_float32(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_holds_float32(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_float32(v) for v in value.values())
    return isinstance(value, (np.ndarray, np.floating)) and value.dtype == np.float32


Signature = list[list[Any]]  # [[name, has_default, default], ...] of positional-or-keyword parameters


def signature_of(function: Callable[..., Any]) -> Signature | None:
    """The parameters a question is bound against; None if the function takes *args/**kwargs."""
    parameters = inspect.signature(function).parameters.values()
    if any(p.kind not in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY) for p in parameters):
        return None
    return [[p.name, p.default is not p.empty, None if p.default is p.empty else p.default] for p in parameters]


def bind(name: str, signature: Signature | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    """All arguments in parameter order with defaults filled in, as Python would bind them."""
    if signature is None:
        return [list(args), dict(sorted(kwargs.items()))]
    names = [p[0] for p in signature]
    if len(args) > len(names):
        raise TypeError(f"{name}() takes {len(names)} arguments but {len(args)} were given")
    values = dict(zip(names, args, strict=False))  # fewer args than names: defaults follow
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")
        if key in values:
            raise TypeError(f"{name}() got multiple values for argument {key!r}")
        values[key] = value
    for parameter, has_default, default in signature:
        if parameter not in values:
            if not has_default:
                raise TypeError(f"{name}() missing required argument {parameter!r}")
            values[parameter] = default
    return [values[n] for n in names]


class QuestionIndex:
    """Items found by their question within ``SAME_QUESTION``: the closest one, if any is close."""

    def __init__(self) -> None:
        self.buckets: dict[Any, list[tuple[Any, Any]]] = {}

    def add(self, question: Any, item: Any) -> None:
        normalised = normalise(question)
        self.buckets.setdefault(skeleton(normalised), []).append((normalised, item))

    def find(self, question: Any) -> Any | None:
        """The item of the closest recorded question within tolerance: ``same_question``, or
        ``same_question_float32`` when the question's inputs are float32 (a student's JAX)."""
        tolerance = SAME_QUESTION_FLOAT32 if _holds_float32(question) else SAME_QUESTION
        normalised = normalise(question)
        best: tuple[float, Any] | None = None
        for recorded, item in self.buckets.get(skeleton(normalised), ()):
            error = distance(normalised, recorded, tolerance)
            if error <= tolerance.rtol and (best is None or error < best[0]):
                best = (error, item)
        return best[1] if best is not None else None

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        for entries in self.buckets.values():
            yield from entries


# ---------------------------------------------------------------------------- sources


class Memo:
    """Encoded answers by exact question key, least recently used dropped past ``limit`` bytes."""

    def __init__(self, limit: int = MEMO_BYTES) -> None:
        self.limit, self.size = limit, 0
        self.entries: OrderedDict[tuple[str, str], tuple[Any, int]] = OrderedDict()

    def get(self, slot: tuple[str, str]) -> Any | None:
        entry = self.entries.get(slot)
        if entry is None:
            return None
        self.entries.move_to_end(slot)
        return entry[0]

    def put(self, slot: tuple[str, str], encoded: Any) -> None:
        size = _encoded_size(encoded)
        if size > self.limit // 4:
            return  # one huge answer would push out everything else; compute it again when asked
        self.entries[slot] = (encoded, size)
        self.size += size
        while self.size > self.limit:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.size -= dropped


def _encoded_size(encoded: Any) -> int:
    """Bytes an encoded value holds, roughly: its strings (array data is base64 text) and 8 per number."""
    if isinstance(encoded, str):
        return len(encoded)
    if isinstance(encoded, list):
        return 8 + sum(_encoded_size(v) for v in encoded)
    if isinstance(encoded, dict):
        return 8 + sum(_encoded_size(v) for v in encoded.values())
    return 8


class LiveSource:
    """Compute answers with the reference module, memoised across submissions (in the grading
    context's memo, :mod:`autograder.context`)."""

    def __init__(self, module: ModuleType, memo: Memo | None = None) -> None:
        self.module = module
        self.origin = str(getattr(module, "__file__", module.__name__))
        self.memo = memo if memo is not None else Memo()

    def signature(self, name: str) -> Signature | None:
        function = getattr(self.module, name, None)
        if not callable(function):
            raise InstructorError(f"{self.origin} has no function {name!r}; a check asks for it")
        return signature_of(function)

    def answer(self, question: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        slot = (self.origin, question_key(question))
        encoded = self.memo.get(slot)
        if encoded is None:
            encoded = wire.encode(compute())
            self.memo.put(slot, encoded)
        return wire.decode(encoded)


class Oracles(NamedTuple):
    """The two oracles a check may ask: the reference, and the module of known mistakes (if any)."""

    reference: Oracle | None
    mistakes: Oracle | None


def oracles_for(assignment: Assignment, live: bool, memo: Memo | None = None) -> Oracles:
    """Live modules for grading (where the reference is), the public cases file otherwise."""
    if live and assignment.reference is not None:
        reference = load_module(assignment.reference, "reference")
        mistakes = load_module(assignment.mistakes, "mistakes") if assignment.mistakes is not None else None
        return Oracles(Oracle(reference, LiveSource(reference, memo), "reference"),
                       Oracle(mistakes, LiveSource(mistakes, memo), "mistakes") if mistakes is not None else None)
    return Oracles(Oracle(None, ReplaySource.load(assignment.cases, "reference"), "reference"),
                   Oracle(None, ReplaySource.load(assignment.cases, "mistakes"), "mistakes"))


class RecordingSource(LiveSource):
    """A live source that also keeps every question and its answer, for the public cases file.

    ``record`` gets ``{"cases": [[question, answer], ...], "signatures": {name: signature}}``, the
    cases in the order the checks asked them (the same on every machine), each question once."""

    def __init__(self, module: ModuleType, record: dict[str, Any]) -> None:
        super().__init__(module, Memo())
        self.record = record
        record.setdefault("cases", [])
        record.setdefault("signatures", {})
        self.asked: set[str] = set()

    def signature(self, name: str) -> Signature | None:
        signature = super().signature(name)
        self.record["signatures"][name] = wire.encode(signature)
        return signature

    def answer(self, question: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        value = super().answer(question, compute)
        key = question_key(question)
        if key not in self.asked:
            self.asked.add(key)
            self.record["cases"].append([wire.encode(normalise(list(question))), wire.encode(value)])
        return value


class ReplaySource:
    """Answers from a recorded cases file; no reference code needed."""

    def __init__(self, cases: dict[str, Any], origin: str) -> None:
        self.signatures = cases.get("signatures", {})
        self.origin = origin
        self.index = QuestionIndex()
        for question, answer in cases.get("cases", []):
            self.index.add(wire.decode(question), answer)

    def signature(self, name: str) -> Signature | None:
        if name not in self.signatures:
            raise CaseNotRecorded(f"the public cases file {self.origin} knows no function {name!r}; "
                                  "Instructor: run `autograder release` to record the cases again")
        return wire.decode(self.signatures[name])  # type: ignore[no-any-return]

    def answer(self, question: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        found = self.index.find(list(question))
        if found is None:
            raise CaseNotRecorded(
                f"the public cases file {self.origin} has no answer for {question[1]}(...) with these inputs; "
                "a public check may only ask the reference about inputs it makes itself. "
                "Instructor: run `autograder release` to record the cases again"
            )
        return wire.decode(found)

    @classmethod
    def load(cls, path: Path, oracle: str) -> ReplaySource:
        return cls(load_cases(path).get("oracles", {}).get(oracle, {}), str(path))


# ---------------------------------------------------------------------------- the cases file


def load_cases(path: Path) -> dict[str, Any]:
    """A public cases file, checked to be one this version reads."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InstructorError(f"cannot read the public cases file {path} ({exc}); run `autograder release`") from None
    if not isinstance(document, dict) or document.get("format") != CASES_FORMAT:
        raise InstructorError(f"{path} is not a public cases file; run `autograder release`")
    if document.get("version") != CASES_VERSION:
        raise InstructorError(f"{path} was recorded by another version of the grader; run `autograder release`")
    return document


def cases_document(assignment: str, records: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"format": CASES_FORMAT, "version": CASES_VERSION, "assignment": assignment, "oracles": records}


def write_cases(path: Path, assignment: str, records: dict[str, dict[str, Any]]) -> bool:
    """Write recorded answers (per oracle) as a deterministic JSON file, unless the file there
    already records the same within tolerance (then it is left as it is: recording again on another
    machine gives no diff to commit). True when the file was written."""
    document = cases_document(assignment, records)
    path = Path(path)
    if path.exists():
        with contextlib.suppress(InstructorError):
            if not cases_differences(document, load_cases(path)):
                return False
    path.write_text(json.dumps(document, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    return True


def cases_differences(fresh: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """How a fresh recording differs from the current one, within tolerance: questions asked or no
    longer asked, answers that changed by more than ``SAME_ANSWER``, signatures that changed."""
    if current.get("format") != CASES_FORMAT or current.get("version") != CASES_VERSION:
        return ["it was recorded by another version of the grader"]
    problems: list[str] = []
    fresh_oracles, current_oracles = fresh.get("oracles", {}), current.get("oracles", {})
    for label in sorted(set(fresh_oracles) | set(current_oracles)):
        problems += _oracle_differences(label, fresh_oracles.get(label, {}), current_oracles.get(label, {}))
    return problems


def _oracle_differences(label: str, fresh: dict[str, Any], current: dict[str, Any]) -> list[str]:
    signatures = fresh.get("signatures", {}), current.get("signatures", {})
    problems = [f"{label}.{name}: its signature changed"
                for name in sorted(set(signatures[0]) | set(signatures[1]))
                if name not in signatures[0] or name not in signatures[1]
                or distance(wire.decode(signatures[0][name]), wire.decode(signatures[1][name]), SAME_ANSWER) > SAME_ANSWER.rtol]
    recorded = QuestionIndex()
    for question, answer in current.get("cases", []):
        recorded.add(wire.decode(question), (question, answer))
    matched: set[int] = set()
    for question, answer in fresh.get("cases", []):
        found = recorded.find(wire.decode(question))
        what = _describe(label, question)
        if found is None:
            problems.append(f"{what}: the checks ask it now, and it is not recorded")
            continue
        matched.add(id(found))
        error = distance(_comparable(wire.decode(answer)), _comparable(wire.decode(found[1])), SAME_ANSWER)
        if error > SAME_ANSWER.rtol:
            problems.append(f"{what}: its answer changed (relative error {error:.1e}, tolerance {SAME_ANSWER.rtol:g})")
    stale = sum(1 for _, item in recorded if id(item) not in matched)
    if stale:
        problems.append(f"{label}: {stale} recorded question(s) that the checks no longer ask")
    return problems


def _describe(label: str, question: Any) -> str:
    kind, name = (question[:2] if isinstance(question, list) and len(question) >= 2 else ("?", "?"))
    return f"{label}.{name} ({kind})"


def _comparable(value: Any) -> Any:
    """A decoded value as :func:`tolerance.distance` compares it: tables as their columns, index and
    values, SymPy expressions as their exact structure."""
    if isinstance(value, (list, tuple)):
        return type(value)(_comparable(v) for v in value)
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    kind = type(value).__name__
    if (type(value).__module__ or "").startswith("pandas") and kind in ("DataFrame", "Series"):
        frame = value.to_frame() if kind == "Series" else value
        return {"table": kind, "columns": [str(c) for c in frame.columns], "index": normalise(np.asarray(frame.index)),
                "values": normalise(np.asarray(frame.to_numpy()))}
    if (type(value).__module__ or "").startswith("sympy"):
        import sympy

        return "sympy:" + sympy.srepr(value)
    return value


# ---------------------------------------------------------------------------- the oracle


@dataclass(frozen=True)
class Block:
    """A reference building block handed to a student's code for one call: ``reference.function(name)``."""

    oracle: Oracle
    name: str
    np_seed: int | None


class Oracle:
    """The reference (or the mistakes module) as checks see it."""

    def __init__(self, module: ModuleType | None, source: Source, label: str) -> None:
        self._module = module
        self._source = source
        self._label = label

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.function(name)

    def function(self, name: str, np_seed: int | None = None) -> Callable[..., Any]:
        """The reference function ``name``; with ``np_seed``, numpy's global seed is set first."""

        if np_seed is None and name in getattr(self._module, "RANDOM", ()):
            raise InstructorError(
                f"the {self._label} {name} uses numpy's global random state; ask for it with "
                f"{self._label}.function({name!r}, np_seed=...) so its answer is reproducible"
            )

        def ask(*args: Any, **kwargs: Any) -> Any:
            return self.ask(name, np_seed, args, kwargs)

        ask.__name__ = name
        ask.block = Block(self, name, np_seed)  # type: ignore[attr-defined]  # how stand-ins recognise it
        return ask

    def blocks(self, *names: str, np_seeds: Mapping[str, int] | None = None) -> dict[str, Callable[..., Any]]:
        """Building blocks to stand in for the notebook's own during one call of a student's function
        (``submission.f.with_options(replace=reference.blocks("sigmoid"))``), each answering only
        what the reference's ``f`` asks it (:mod:`autograder.standins`). ``np_seeds``: the numpy seed
        of each block that draws random numbers."""
        seeds = np_seeds or {}
        return {name: self.function(name, np_seed=seeds.get(name)) for name in names}

    def ask(self, name: str, np_seed: int | None, args: tuple[Any, ...] | list[Any], kwargs: dict[str, Any]) -> Any:
        """The answer of ``name(*args, **kwargs)`` (numpy seeded with ``np_seed`` first, if given)."""
        bound = self.bind(name, args, kwargs)
        question: tuple[Any, ...] = ("call", name, bound, {}, np_seed)
        return self._source.answer(question, lambda: self._call(name, tuple(args), kwargs, np_seed))

    def bind(self, name: str, args: tuple[Any, ...] | list[Any], kwargs: dict[str, Any]) -> list[Any]:
        """``name``'s arguments in parameter order, defaults filled in (TypeError as Python would)."""
        return bind(name, self._source.signature(name), tuple(args), kwargs)

    def grad(self, name: str, argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
        """``jax.grad`` of the reference function ``name`` (which must be written with jax.numpy)."""
        from .autodiff import jax_gradient

        def ask(*args: Any) -> Any:
            question: tuple[Any, ...] = ("grad", name, list(args), {"argnums": argnums}, None)
            return self._source.answer(question, lambda: jax_gradient(self._resolve(name), argnums, *_copy(args)))

        return ask

    def hessian(self, name: str) -> Callable[..., Any]:
        """``jax.hessian`` of the reference function ``name``."""
        from .autodiff import jax_hessian

        def ask(*args: Any) -> Any:
            question: tuple[Any, ...] = ("hessian", name, list(args), {}, None)
            return self._source.answer(question, lambda: jax_hessian(self._resolve(name), *_copy(args)))

        return ask

    def vjp(self, name: str, args: list[Any], cotangent: Any) -> tuple[Any, ...]:
        """The vector-Jacobian product of the reference function ``name`` at ``args`` (the gradient of
        ⟨cotangent, name(args)⟩ with respect to each argument), for a stand-in inside jax.grad."""
        from .autodiff import jax_vjp

        question: tuple[Any, ...] = ("vjp", name, list(args), {"cotangent": cotangent}, None)
        return self._source.answer(question, lambda: jax_vjp(self._resolve(name), _copy(args), cotangent))  # type: ignore[no-any-return]

    def shape(self, name: str, specs: list[list[Any]]) -> list[Any]:
        """The shape and dtype the reference function ``name`` returns for inputs of these shapes and
        dtypes (``[[shape, dtype], ...]``): what a stand-in inside a JAX transformation will return."""
        from .autodiff import jax_shape

        question: tuple[Any, ...] = ("shape", name, specs, {}, None)
        return self._source.answer(question, lambda: list(jax_shape(self._resolve(name), specs)))  # type: ignore[no-any-return]

    def trace(self, target: str, blocks: dict[str, int | None], np_seed: int | None,
              args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[list[Any]]:
        """The calls ``[[block, bound args], ...]`` that the reference's ``target`` makes of
        ``blocks`` (name → numpy seed of its stand-in), at every depth, on these inputs: what a
        right ``target`` asks its building blocks. Recorded like any answer, so self-checks know it."""
        bound = self.bind(target, args, kwargs)
        question: tuple[Any, ...] = ("trace", target, bound, {"blocks": sorted([n, s] for n, s in blocks.items())},
                                     np_seed)
        return self._source.answer(question, lambda: self._trace(target, blocks, np_seed, args, kwargs))  # type: ignore[no-any-return]

    def _trace(self, target: str, blocks: dict[str, int | None], np_seed: int | None,
               args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[list[Any]]:
        if self._module is None or not getattr(self._module, "__file__", None):
            raise InstructorError(f"the calls of {target} can only be traced where the {self._label} is")
        copy = load_module(Path(str(self._module.__file__)), f"{self._label}_trace")
        originals = {name: getattr(copy, name, None) for name in blocks}
        missing = [name for name, function in originals.items() if not callable(function)]
        if missing or not callable(getattr(copy, target, None)):
            raise InstructorError(f"the {self._label} has no function {', '.join(missing) or target}; a check "
                                  "hands it to a student's function as a building block")
        random = set(getattr(copy, "RANDOM", ()))
        asked: list[list[Any]] = []
        seen: set[str] = set()

        def recorder(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
            def note(bound: list[Any]) -> None:
                key = question_key(("call", name, bound))
                if key not in seen:
                    seen.add(key)
                    asked.append([name, _copy(bound)])

            def record(*a: Any, **k: Any) -> Any:
                if any(_is_traced(v) for v in (*a, *k.values())):
                    # inside jax.grad or vmap: the block is still asked at concrete points, one per example
                    for concrete in _concrete_calls(a) if not k else ():
                        note(bind(name, signature_of(original), concrete, {}))
                    return original(*a, **k)
                note(bind(name, signature_of(original), a, k))
                if name not in random:
                    original(*_copy(a), **_copy(k))  # its own calls of the blocks are asked too
                return self.ask(name, blocks[name], a, k)  # what the stand-in will answer

            return record

        with _patched(copy, {name: recorder(name, function) for name, function in originals.items()}):  # type: ignore[arg-type]
            if np_seed is not None:
                np.random.seed(np_seed)
            try:
                getattr(copy, target)(*_copy(args), **_copy(kwargs))
            except InstructorError:
                raise
            except Exception as exc:
                raise ReferenceRaised(self._label, target, exc) from exc
        return asked

    def _resolve(self, name: str) -> Callable[..., Any]:
        function = getattr(self._module, name, None) if self._module is not None else None
        if not callable(function):
            raise InstructorError(f"the {self._label} module has no function {name!r}; the check asks for it")
        return function

    def _call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], np_seed: int | None) -> Any:
        function = self._resolve(name)
        if np_seed is not None:
            np.random.seed(np_seed)
        try:
            return function(*_copy(args), **_copy(kwargs))
        except Exception as exc:
            raise ReferenceRaised(self._label, name, exc) from exc


@contextlib.contextmanager
def _patched(module: ModuleType, replacements: dict[str, Callable[..., Any]]) -> Iterator[None]:
    saved = {name: getattr(module, name) for name in replacements}
    try:
        for name, function in replacements.items():
            setattr(module, name, function)
        yield
    finally:
        for name, function in saved.items():
            setattr(module, name, function)


def _concrete_calls(args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """The concrete calls behind a call with JAX tracers: under jax.grad a tracer wraps the point it is
    taken at (its primal); under vmap, a batch of them (one call per example). Empty when the values
    are abstract (jit) or JAX's tracers look otherwise: then nothing is answered there."""
    unwrapped = [_primal(a) for a in args]
    batched = [u for u in unwrapped if isinstance(u, _Batch)]
    if any(u is None for u in unwrapped) or len({len(b.values) for b in batched}) > 1:
        return []
    count = len(batched[0].values) if batched else 1
    return [tuple(u.values[i] if isinstance(u, _Batch) else u for u in unwrapped) for i in range(count)]


@dataclass(frozen=True)
class _Batch:
    values: list[Any]


def _primal(value: Any, depth: int = 0) -> Any:
    if not _is_traced(value):
        return np.asarray(value) if hasattr(value, "__array__") else value
    if depth > 8:
        return None
    if hasattr(value, "primal"):  # jax.grad's tracer, around the point
        return _primal(value.primal, depth + 1)
    if hasattr(value, "val") and isinstance(getattr(value, "batch_dim", None), int):  # vmap's, around a batch
        inner = _primal(value.val, depth + 1)
        return None if inner is None else _Batch(list(np.moveaxis(np.asarray(inner), value.batch_dim, 0)))
    return None


def _is_traced(value: Any) -> bool:
    """A JAX tracer (an abstract value inside jax.grad, jit or vmap), without importing JAX."""
    return any(k.__name__.endswith("Tracer") and (k.__module__ or "").startswith("jax") for k in type(value).__mro__)


def _copy(value: Any) -> Any:
    """A deep copy made of plain data, so the reference cannot alter a check's inputs."""
    return wire.decode(wire.encode(value))


def load_module(path: Path, label: str) -> ModuleType:
    """Import a trusted module by path (a reference solution or mistakes file), once per process."""
    path = Path(path).resolve()
    name = "calc4ml_" + label + "_" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InstructorError(f"cannot load the {label} from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise InstructorError(f"the {label} {path} failed to import ({type(exc).__name__}: {exc}); fix it") from exc
    return module
