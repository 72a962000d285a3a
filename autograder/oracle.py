"""Answers from the reference, for checks: ``reference.forward_propagation(X, parameters)``.

Three sources stand behind the same :class:`Oracle`:

* :class:`LiveSource` calls the reference module (instructor side). Answers are memoised per
  process, keyed by the encoded question, so a class of submissions asks JAX once per input.
* :class:`RecordingSource` does the same and writes every question and answer down; this is how
  the public cases file shipped to students is made.
* :class:`ReplaySource` answers from that file, so self-checks run on a student's machine without
  the reference code ever being there.

Questions and answers pass through the wire codec: an answer is always a fresh copy of plain data.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np

from . import wire
from .errors import InstructorError

__all__ = ["CaseNotRecorded", "LiveSource", "Oracle", "RecordingSource", "ReferenceRaised", "ReplaySource", "load_module"]

CASES_FORMAT = "calc4ml-public-cases"


class ReferenceRaised(InstructorError):
    """The reference raised. A check's own question: the instructor must fix it. A question the
    student's code asked a stand-in building block: its arguments were wrong (``for_student``)."""

    def __init__(self, label: str, name: str, error: Exception) -> None:
        super().__init__(f"the {label} {name} raised {type(error).__name__}: {error}; fix the {label}")
        self.for_student = (f"{name} (a correct version standing in for yours during this check) raised "
                            f"{type(error).__name__}: {error}; the arguments your code passed it do not fit "
                            f"its docstring")


class CaseNotRecorded(InstructorError):
    """A public check asked the reference something the cases file has no answer for.

    When this happens inside a building block that replaced a student's function during a call,
    the student's own function answers instead (``fallback_to_student``)."""

    fallback_to_student = True


class Source(Protocol):
    def answer(self, question: tuple[Any, ...], compute: Callable[[], Any]) -> Any: ...

    def signature(self, name: str) -> Signature | None: ...


def question_key(question: tuple[Any, ...]) -> str:
    """A stable digest of a question: equal inputs give equal keys on every machine, whether a
    number came as an int, a float or a numpy scalar, an array as ints or floats."""
    text = json.dumps(wire.encode(_normalise(list(question))), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _normalise(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return value.astype(np.float64)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return value


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


_MEMO: dict[tuple[str, str], Any] = {}  # (module file, question key) -> encoded answer


class LiveSource:
    """Compute answers with the reference module, memoised across submissions."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.origin = str(getattr(module, "__file__", module.__name__))

    def signature(self, name: str) -> Signature | None:
        function = getattr(self.module, name, None)
        if not callable(function):
            raise InstructorError(f"{self.origin} has no function {name!r}; a check asks for it")
        return signature_of(function)

    def answer(self, question: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        slot = (self.origin, question_key(question))
        if slot not in _MEMO:
            _MEMO[slot] = wire.encode(compute())
        return wire.decode(_MEMO[slot])


class RecordingSource(LiveSource):
    """A live source that also keeps every answer, for the public cases file.

    ``record`` gets ``{"answers": {key: answer}, "signatures": {name: signature}}``.
    """

    def __init__(self, module: ModuleType, record: dict[str, Any]) -> None:
        super().__init__(module)
        self.record = record
        record.setdefault("answers", {})
        record.setdefault("signatures", {})

    def signature(self, name: str) -> Signature | None:
        signature = super().signature(name)
        self.record["signatures"][name] = wire.encode(signature)
        return signature

    def answer(self, question: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        value = super().answer(question, compute)
        self.record["answers"][question_key(question)] = wire.encode(value)
        return value


class ReplaySource:
    """Answers from a recorded cases file; no reference code needed."""

    def __init__(self, cases: dict[str, Any], origin: str) -> None:
        self.cases = cases.get("answers", {})
        self.signatures = cases.get("signatures", {})
        self.origin = origin

    def signature(self, name: str) -> Signature | None:
        if name not in self.signatures:
            raise CaseNotRecorded(f"the public cases file {self.origin} knows no function {name!r}; "
                                  "Instructor: run `autograder release` to record the cases again")
        return wire.decode(self.signatures[name])  # type: ignore[no-any-return]

    def answer(self, question: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        key = question_key(question)
        if key not in self.cases:
            raise CaseNotRecorded(
                f"the public cases file {self.origin} has no answer for {question[1]}(...) with these inputs; "
                "a public check may only ask the reference about inputs it makes itself. "
                "Instructor: run `autograder release` to record the cases again"
            )
        return wire.decode(self.cases[key])

    @classmethod
    def load(cls, path: Path, oracle: str) -> ReplaySource:
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InstructorError(f"cannot read the public cases file {path} ({exc}); run `autograder release`") from None
        if document.get("format") != CASES_FORMAT:
            raise InstructorError(f"{path} is not a public cases file; run `autograder release`")
        return cls(document.get("oracles", {}).get(oracle, {}), str(path))


def write_cases(path: Path, assignment: str, records: dict[str, dict[str, Any]]) -> None:
    """Write recorded answers (per oracle) as a deterministic JSON file."""
    document = {"format": CASES_FORMAT, "assignment": assignment, "oracles": records}
    Path(path).write_text(json.dumps(document, sort_keys=True, indent=1) + "\n", encoding="utf-8")


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
            bound = bind(name, self._source.signature(name), args, kwargs)
            question: tuple[Any, ...] = ("call", name, bound, {}, np_seed)
            return self._source.answer(question, lambda: self._call(name, args, kwargs, np_seed))

        ask.__name__ = name
        return ask

    def grad(self, name: str, argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
        """``jax.grad`` of the reference function ``name`` (which must be written with jax.numpy)."""
        from .numeric import jax_gradient

        def ask(*args: Any) -> Any:
            question: tuple[Any, ...] = ("grad", name, list(args), {"argnums": argnums}, None)
            return self._source.answer(question, lambda: jax_gradient(self._resolve(name), argnums, *_copy(args)))

        return ask

    def hessian(self, name: str) -> Callable[..., Any]:
        """``jax.hessian`` of the reference function ``name``."""
        from .numeric import jax_hessian

        def ask(*args: Any) -> Any:
            question: tuple[Any, ...] = ("hessian", name, list(args), {}, None)
            return self._source.answer(question, lambda: jax_hessian(self._resolve(name), *_copy(args)))

        return ask

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
