"""What the checks see of a submission: ``submission.forward_propagation(X, parameters)``.

:class:`Submission` gives a check the notebook's functions as :class:`RemoteFunction` objects,
whatever runs them (the :class:`Runtime`): a sandboxed child (:mod:`.runtime`), the student's own
kernel (:mod:`.local`), or nothing at all when the file could not be read (:class:`FailedRuntime`).
Every call returns a :class:`CallRecord` of plain data or raises one of the :mod:`autograder.errors`
a check turns into a verdict; :func:`raised_error` makes those from the child's description of an
exception.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import InfrastructureError, MissingFunction, StudentCodeRaised, StudentError
from ..read import MAX_NAME_CHARS, Cell
from ..results import CellReport
from ..source import function_named
from .standins import StandIns

__all__ = ["CallRecord", "FailedRuntime", "RemoteFunction", "Runtime", "Submission", "describe_error", "error_location",
           "raised_error", "raising_function", "start_failed", "with_stand_ins"]


@dataclass(frozen=True)
class CallRecord:
    """What one call returned, printed, and left in its arguments; and, when building blocks stood
    in for the notebook's, every call it made to each (``stand_in_calls``: bound arguments) and
    the blocks it asked something a right solution does not ask (``unanswered``)."""

    value: Any
    stdout: str
    args_after: tuple[list[Any], dict[str, Any]] | None
    notes: tuple[str, ...]
    stand_in_calls: Mapping[str, list[list[Any]]] = field(default_factory=dict)
    unanswered: tuple[str, ...] = ()


class Runtime(Protocol):
    """What runs the notebook's functions for the checks: a sandboxed child, the student's kernel, nothing."""

    notes: list[str]
    call_seconds: float  # a call's time limit; a check may change it for its calls
    start_seconds: float  # time spent waiting for a child to start

    @property
    def cells(self) -> tuple[Cell, ...]: ...

    @property
    def cell_seconds(self) -> float:  # time the notebook's cells took (the child's own account)
        ...

    @property
    def cell_reports(self) -> tuple[CellReport, ...]: ...

    def defines(self, name: str) -> bool: ...

    def call(self, target: str | int, args: tuple[Any, ...], kwargs: dict[str, Any], *,
             np_seed: int | None, want_args: bool, seconds: float | None, generation: int | None = None,
             stand_ins: StandIns | None = None) -> CallRecord: ...


class FailedRuntime:
    """Stands in when the submission could not be read or started: every call fails the same way."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.cells: tuple[Cell, ...] = ()
        self.cell_reports: tuple[CellReport, ...] = ()
        self.notes: list[str] = []
        self.call_seconds = self.cell_seconds = self.start_seconds = 0.0

    def defines(self, name: str) -> bool:
        return False

    def call(self, target: str | int, args: tuple[Any, ...], kwargs: dict[str, Any], **options: Any) -> CallRecord:
        raise self.error


class RemoteFunction:
    """A function of the submission, callable from a check: ``submission.f(x)``.

    With ``replace``, each call hands the student's code stand-ins for the notebook's building
    blocks (:class:`autograder.standins.StandIns`); ``stand_in_calls`` then holds what the last call
    asked them, even when that call raised."""

    def __init__(self, runtime: Runtime, target: str | int, name: str, generation: int | None = None,
                 replace: Mapping[str, Callable[..., Any]] | None = None, log: list[StandIns] | None = None,
                 **options: Any) -> None:
        self.runtime, self.target, self.__name__ = runtime, target, name
        self.generation = generation
        self.replace = dict(replace or {})
        self.log = log  # the submission's record of stand-ins handed over (for hints)
        self.options = options
        self.stand_in_calls: Mapping[str, list[list[Any]]] = {}

    def with_options(self, *, np_seed: int | None = None, watch_args: bool = False,
                     seconds: float | None = None,
                     replace: Mapping[str, Callable[..., Any]] | None = None) -> RemoteFunction:
        """The same function, called with numpy's global seed set, arguments watched for
        in-place changes, a different time limit, or notebook functions it calls replaced by
        trusted ones (``replace``: name → callable, e.g. ``reference.blocks(...)``) so that it is
        judged on its own logic."""
        return RemoteFunction(self.runtime, self.target, self.__name__, self.generation, replace=replace, log=self.log,
                              np_seed=np_seed, want_args=watch_args, seconds=seconds)

    def call(self, *args: Any, **kwargs: Any) -> CallRecord:
        stand_ins = None
        if self.replace:
            stand_ins = StandIns(self.target, args, kwargs, self.options.get("np_seed"), self.replace)
            self.stand_in_calls = stand_ins.calls
            if self.log is not None:
                self.log.append(stand_ins)
        return self.runtime.call(self.target, args, kwargs, generation=self.generation, stand_ins=stand_ins, **self.options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(*args, **kwargs).value

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"


class Submission:
    """What checks see of a submission: ``submission.forward_propagation(X, parameters)``."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self.stand_in_log: list[StandIns] = []  # every call's stand-ins since the check began

    def __repr__(self) -> str:  # shown in a bare assert's message: the same in every run
        return "<your notebook>"

    def __getattr__(self, name: str) -> RemoteFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.function(name)

    def function(self, name: str) -> RemoteFunction:
        if isinstance(self._runtime, FailedRuntime):
            raise self._runtime.error
        if not self._runtime.defines(name):
            raise MissingFunction(
                f"your notebook does not define {name}{self._why_undefined(name)}; "
                "define it with exactly this name and make sure its cell runs"
            )
        return RemoteFunction(self._runtime, name, name, log=self.stand_in_log)

    def _why_undefined(self, name: str) -> str:
        """', because cell 14 (which defines it) failed: SyntaxError ...' when that is the reason."""
        cells = {c.number: c for c in self._runtime.cells}
        for report in self._runtime.cell_reports:
            cell = cells.get(report.number)
            if report.status != "ok" and cell is not None and re.search(rf"\bdef\s+{re.escape(name)}\s*\(", cell.source):
                return f": cell {report.number}, which defines it, failed with {report.message}"
        return ""

    def defines(self, name: str) -> bool:
        return self._runtime.defines(name)

    def source_of(self, name: str) -> ast.FunctionDef | None:
        """The last top-level ``def name`` in the submission's cells, parsed (never executed)."""
        return function_named(self.cell_sources, name)

    @property
    def cell_sources(self) -> tuple[str, ...]:
        """The code of the submission's cells, in order (for static checks; never executed here)."""
        return tuple(cell.source for cell in self._runtime.cells)

    @contextlib.contextmanager
    def call_limit(self, seconds: float | None) -> Iterator[None]:
        """Calls made in the block get ``seconds`` each (a check's own limit), then the usual one again."""
        saved = self._runtime.call_seconds
        if seconds is not None:
            self._runtime.call_seconds = seconds
        try:
            yield
        finally:
            self._runtime.call_seconds = saved

    @property
    def notes(self) -> list[str]:
        return self._runtime.notes


def with_stand_ins(record: CallRecord, stand_ins: StandIns | None) -> CallRecord:
    if stand_ins is None:
        return record
    return dataclasses.replace(record, stand_in_calls=stand_ins.calls, unanswered=tuple(stand_ins.unanswered))


def describe_error(error: Any, cells: dict[int, Cell]) -> str:
    """'ValueError: ... (cell 7, line 3: `return W @ X`)' from the child's plain description."""
    if not isinstance(error, dict):
        return "an unknown error"
    kind = str(error.get("type", "Exception"))[:60]
    message = str(error.get("message", ""))[:500]
    return (f"{kind}: {message}" if message else kind) + error_location(error, cells)


def error_location(error: Any, cells: dict[int, Cell]) -> str:
    """' (cell 7, line 3: `return W @ X`)': where in the notebook's own code it was raised."""
    frames = error.get("frames") if isinstance(error, dict) and isinstance(error.get("frames"), list) else []
    if frames and isinstance(frames[-1], list) and len(frames[-1]) in (3, 4):
        number, line, code = frames[-1][:3]
        if isinstance(number, int) and number in cells:
            return f" (cell {number}, line {line}" + (f": `{str(code)[:120]}`)" if code else ")")
    return ""


def raising_function(error: Any) -> str | None:
    """The notebook function the exception came out of (its innermost frame in the notebook's cells)."""
    stub = error.get("stub") if isinstance(error, dict) else None
    if isinstance(stub, str) and stub.isidentifier() and len(stub) <= MAX_NAME_CHARS:
        return stub  # the executor's own finding: a function of the notebook's namespace
    frames = error.get("frames") if isinstance(error, dict) and isinstance(error.get("frames"), list) else []
    last = frames[-1] if frames else None
    if isinstance(last, list) and len(last) == 4 and isinstance(last[3], str) and last[3].isidentifier():
        return last[3]
    return None


def raised_error(label: str, error: Any, cells: dict[int, Cell]) -> StudentError:
    kind = str(error.get("type", ""))[:60] if isinstance(error, dict) else ""
    if kind == "NotImplementedError":
        stub = raising_function(error)
        if stub is not None and stub != label and not stub.startswith("<"):
            return MissingFunction(f"{label} calls {stub}, which is not implemented yet (it still raises "
                                   f"NotImplementedError); write {stub}'s body first")
        return MissingFunction(f"{label} is not implemented yet (it still raises NotImplementedError); write its body")
    # the summary leaves the exception's message out: the student's code wrote it, from the check's inputs
    return StudentCodeRaised(f"{label} raised {describe_error(error, cells)}", kind,
                             summary=f"{label} raised {kind or 'an exception'}{error_location(error, cells)}")


def start_failed(error: Exception) -> FailedRuntime:
    if isinstance(error, (StudentError, InfrastructureError)):
        return FailedRuntime(error)
    raise error
