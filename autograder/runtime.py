"""A submission, running: its cells' outcomes, and calls into the functions it defined.

:class:`SandboxRuntime` runs the submission in a child process (see :mod:`sandbox`), restarts it
after a crash or a hang (replaying the cells, minus the ones that hung or crashed it), and turns
every reply into a value or one of the :mod:`errors` a check can turn into a verdict.
:class:`LocalRuntime` calls functions in the current process (the student's own kernel, for
self-checks) with the same encode/decode round trip, so values look the same to the checks.
The checks see either through :class:`Submission`.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import itertools
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import wire
from .child import Executor
from .config import Limits
from .errors import (
    BudgetExhausted,
    CallTimeout,
    ChildCrashed,
    InfrastructureError,
    MissingFunction,
    StudentCodeRaised,
    StudentError,
)
from .read import Cell, parse_cell
from .results import CellReport
from .sandbox import PRESTARTER, Child, ChildGone, ChildTimeout, Launch
from .standins import StandIns

__all__ = ["CallRecord", "LocalRuntime", "RemoteFunction", "Runtime", "SandboxRuntime", "Submission", "FailedRuntime"]

CALLBACK_ARGS_LIMIT = 8 * 1024 * 1024  # encoded size of what student code may pass to a trusted function
FULL, DEFINITIONS, SKIPPED = 0, 1, 2  # how much of a cell runs: all, its imports and definitions, nothing
_FUNCTIONS_AND_CLASSES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_DEFINITIONS = (ast.Import, ast.ImportFrom, *_FUNCTIONS_AND_CLASSES)


def definitions_only(source: str) -> str:
    """A cell's imports and function and class definitions, without its top-level work."""
    tree = parse_cell(source)
    if tree is None:
        return ""
    kept: list[ast.stmt] = [node for node in tree.body if isinstance(node, _DEFINITIONS)]
    return ast.unparse(ast.Module(body=kept, type_ignores=[])) if kept else ""


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
    cells: tuple[Cell, ...]
    notes: list[str]
    call_seconds: float

    @property
    def cell_reports(self) -> tuple[CellReport, ...]: ...

    def defines(self, name: str) -> bool: ...

    def call(self, target: str | int, args: tuple[Any, ...], kwargs: dict[str, Any], *,
             np_seed: int | None, want_args: bool, seconds: float | None, generation: int | None = None,
             stand_ins: StandIns | None = None) -> CallRecord: ...


class SandboxRuntime:
    """A submission in a sandboxed child process, restarted after crashes and hangs."""

    def __init__(self, cells: tuple[Cell, ...], limits: Limits,
                 launcher: Callable[[int, int, Limits], Launch], seed: int, preload: tuple[str, ...] = ()) -> None:
        self.cells = cells
        self.preload = preload
        self.limits = limits
        self.launcher = launcher
        self.seed = seed
        self.call_seconds = limits.call_seconds
        self.notes: list[str] = []
        self.deadline = time.monotonic() + limits.submission_seconds
        self.child: Child | None = None
        self.generation = 0
        self.restarts = 0
        self.demoted: dict[int, int] = {}  # cells that hung or killed the child: run less of them
        self.cells_used = 0.0  # seconds of full top-level cells so far (limits.cells_seconds)
        self.cell_seconds = 0.0  # time the child reports spending in the notebook's cells (for timings)
        self.start_seconds = 0.0  # time spent waiting for a started child (its preloaded imports included)
        self.reports: dict[int, CellReport] = {}
        self.defined: dict[str, Any] = {}
        self.hung: set[str] = set()  # functions whose call timed out: not called again
        self.stuck: dict[str, int] = {}  # functions a top-level cell ran out of time in, and that cell
        self.ran: dict[int, str] = {}  # the source each cell last ran (all of it, or its definitions)
        self.crashed: set[str] = set()  # functions whose call killed the child: not called again
        self.callbacks: dict[int, Callable[..., Any]] = {}  # trusted functions of the call running now
        self.handles = itertools.count(1)  # never reused: a handle kept from an earlier call finds nothing

    # -- life cycle

    def __enter__(self) -> SandboxRuntime:
        self._boot()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.child is not None:
            self.child.close()
            self.child = None

    @property
    def cell_reports(self) -> tuple[CellReport, ...]:
        return tuple(self.reports[n] for n in sorted(self.reports))

    def _boot(self) -> None:
        """Start a child and run the cells; after a cell hangs or kills the child, start again.

        Each failure demotes the cell that caused it (its definitions only next time, then not at
        all), so this ends; every cell that defines a function gets as many chances as possible.
        """
        while self._remaining() > 0:
            self.generation += 1
            asked = time.monotonic()
            self.child = PRESTARTER.take(self.launcher, self.limits, self.seed, self.preload)
            self.start_seconds += time.monotonic() - asked
            if self._run_cells(self.child):
                self.defined = self._ask_defined(self.child)
                return
        self.child = None

    def _run_cells(self, child: Child) -> bool:
        """Run every cell; False when one stopped the child (it has been demoted)."""
        for cell in self.cells:
            level = self.demoted.get(cell.number, FULL)
            if level == FULL and self.cells_used >= self.limits.cells_seconds:
                level = DEFINITIONS
                self.reports.setdefault(cell.number, CellReport(cell.number, "skipped", (
                    f"not run: the notebook's top-level code used up its {self.limits.cells_seconds:g} s; "
                    "only the cell's imports and definitions ran")))
            if level == FULL and (stuck := self._calls_stuck(cell)):
                level = DEFINITIONS
                self.reports.setdefault(cell.number, CellReport(cell.number, "skipped", (
                    f"not run: it calls {stuck}, which ran out of time in cell {self.stuck[stuck]}; "
                    "only the cell's imports and definitions ran")))
            source = cell.source if level == FULL else definitions_only(cell.source) if level == DEFINITIONS else ""
            if not source.strip():
                continue
            self.ran[cell.number] = source
            self._forget_redefined(source)
            seconds = min(self.limits.cell_seconds, self._remaining())
            started = time.monotonic()
            try:
                reply = child.request({"op": "cell", "n": cell.number, "source": source, "timeout": seconds}, seconds)
            except ChildTimeout:
                self._demote(cell, level, "timeout", f"stopped after {seconds:g} s (cell time limit)")
                return False
            except ChildGone as exc:
                self._demote(cell, level, "crashed", f"the process running it died: {exc.reason}")
                return False
            finally:
                if level == FULL:
                    self.cells_used += time.monotonic() - started
            self._note_cell(cell, level, reply)
            if reply.get("status") == "timeout" and level == FULL and not self._definitions_of(child, cell):
                return False
        return True

    def _definitions_of(self, child: Child, cell: Cell) -> bool:
        """After a cell ran out of time, run its imports and definitions at once, so names it
        defines after the slow part exist for the rest of this run too. False if the child died."""
        source = definitions_only(cell.source)
        if not source.strip():
            return True
        seconds = min(self.limits.cell_seconds, max(self._remaining(), 0.1))
        try:
            child.request({"op": "cell", "n": cell.number, "source": source, "timeout": seconds}, seconds)
        except (ChildTimeout, ChildGone):
            self.child = None
            self.demoted[cell.number] = SKIPPED
            return False
        return True

    def _calls_stuck(self, cell: Cell) -> str | None:
        """A function that already ran out of time at top level and that this cell calls (it would
        only spend the cell's time limit again), unless the cell defines that function anew."""
        tree = parse_cell(cell.source) if self.stuck else None
        if tree is None:
            return None
        defined = {node.name for node in tree.body if isinstance(node, _FUNCTIONS_AND_CLASSES)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                name = node.func.id
                if name in self.stuck and name not in defined:
                    return name
        return None

    def _forget_redefined(self, source: str) -> None:
        tree = parse_cell(source) if self.stuck else None
        for node in tree.body if tree is not None else ():
            if isinstance(node, _FUNCTIONS_AND_CLASSES):
                self.stuck.pop(node.name, None)

    def _note_stuck(self, error: Any, cell: int) -> None:
        """The notebook's function that a timed-out cell called and was still in, from its frames
        (outermost first: the cell's own line, then the function it called, then what that called)."""
        frames = error.get("frames") if isinstance(error, dict) else None
        for frame in frames if isinstance(frames, list) else []:
            if not (isinstance(frame, list) and len(frame) in (3, 4) and all(isinstance(x, int) for x in frame[:2])):
                return
            tree = parse_cell(self.ran.get(frame[0], ""))
            for node in tree.body if tree is not None else ():
                if isinstance(node, _FUNCTIONS_AND_CLASSES) and node.lineno <= frame[1] <= (node.end_lineno or node.lineno):
                    self.stuck.setdefault(node.name, cell)
                    return

    def _note_cell(self, cell: Cell, level: int, reply: dict[str, Any]) -> None:
        self.cell_seconds += _elapsed(reply)
        status = reply.get("status")
        if status == "timeout":
            if level == FULL:
                self._note_stuck(reply.get("error"), cell.number)
            self._demote(cell, level, "timeout", f"stopped after {self.limits.cell_seconds:g} s (cell time limit)")
        elif status == "error":
            self.reports.setdefault(cell.number, CellReport(cell.number, "error", self._describe(reply.get("error"))))
        else:
            self.reports.setdefault(cell.number, CellReport(cell.number, "ok"))

    def _demote(self, cell: Cell, level: int, status: Any, message: str) -> None:
        self.demoted[cell.number] = level + 1
        later = "later runs keep only its imports and definitions" if level == FULL else "later runs skip it"
        self.reports.setdefault(cell.number, CellReport(cell.number, status, f"{message}; {later}"))
        if status == "crashed":
            self.child = None

    def _ask_defined(self, child: Child) -> dict[str, Any]:
        try:
            reply = child.request({"op": "defined"}, 10.0)
        except (ChildTimeout, ChildGone):
            self.child = None
            return {}
        names = reply.get("names")
        return {k: v for k, v in names.items() if isinstance(k, str)} if isinstance(names, dict) else {}


    def _remaining(self) -> float:
        return self.deadline - time.monotonic()

    # -- calls

    def defines(self, name: str) -> bool:
        return name in self.defined

    def call(self, target: str | int, args: tuple[Any, ...], kwargs: dict[str, Any], *,
             np_seed: int | None = None, want_args: bool = False, seconds: float | None = None,
             generation: int | None = None, stand_ins: StandIns | None = None) -> CallRecord:
        label = target if isinstance(target, str) else "the function it returned"
        if self._remaining() <= 0:
            raise BudgetExhausted(
                f"not called: the submission used up its total time ({self.limits.submission_seconds:g} s); "
                "make the notebook's top-level cells and functions faster"
            )
        if isinstance(target, str) and target in self.hung:
            raise CallTimeout(f"{target} timed out on an earlier check, so it was not called again; look for an endless loop")
        if isinstance(target, str) and target in self.crashed:
            raise ChildCrashed(f"{target} crashed your notebook's process on an earlier check, so it was not called again")
        if self.child is None:
            self._restart_for_call()
        if generation is not None and generation != self.generation:
            raise ChildCrashed("a function your code returned was lost when your process had to be restarted")
        assert self.child is not None
        limit = min(seconds or self.call_seconds, self._remaining())
        with self._handed_over() as register:
            message = {
                "op": "call", "target": target, "timeout": limit, "np_seed": np_seed, "want_args": want_args,
                "args": wire.encode(list(args), register=register),
                "kwargs": wire.encode(dict(kwargs), register=register),
                "overrides": wire.encode(stand_ins.functions() if stand_ins else {}, register=register),
            }
            try:
                reply = self.child.request(message, limit, on_callback=self._serve_callback)
            except ChildTimeout:
                self.child = None
                return self._timed_out(target, limit)
            except ChildGone as exc:
                self.child = None
                if isinstance(target, str):
                    self.crashed.add(target)
                if "malformed" in exc.reason or "limit" in exc.reason:
                    self.notes.append(f"integrity: the notebook's process broke the protocol while {label} ran "
                                      f"({exc.reason[:200]})")
                how = exc.reason.split("; its last output")[0]  # what the process printed may hold a check's inputs
                raise ChildCrashed(f"{label} crashed the process running your notebook: {exc.reason}",
                                   summary=f"{label} crashed the process running your notebook: {how}") from None
        record = self._outcome(label, target, limit, reply)
        return _with_stand_ins(record, stand_ins)

    @contextlib.contextmanager
    def _handed_over(self) -> Iterator[Callable[[Callable[..., Any]], int]]:
        """Register the trusted functions of one call under fresh handles; forget them when it ends,
        so that nothing handed to the student's code answers after the call that received it."""
        handles: list[int] = []

        def register(function: Callable[..., Any]) -> int:
            handle = next(self.handles)
            self.callbacks[handle] = function
            handles.append(handle)
            return handle

        try:
            yield register
        finally:
            for handle in handles:
                self.callbacks.pop(handle, None)

    def _restart_for_call(self) -> None:
        if self.restarts >= self.limits.restarts or self._remaining() <= 0:
            raise ChildCrashed(
                f"not called: your notebook's process crashed or hung {self.restarts + 1} times, the most allowed; "
                "fix the crash reported on an earlier check"
            )
        self.restarts += 1
        self._boot()
        if self.child is None:
            raise ChildCrashed("your notebook's process could not be started again after a crash")

    def _timed_out(self, target: str | int, limit: float) -> CallRecord:
        if isinstance(target, str):
            self.hung.add(target)
        if self._remaining() <= 0:
            raise BudgetExhausted(f"stopped: the submission used up its total time ({self.limits.submission_seconds:g} s)")
        name = target if isinstance(target, str) else "the function"
        raise CallTimeout(f"{name} did not finish within {limit:g} s; look for an endless loop or far too many iterations")

    def _outcome(self, label: str, target: str | int, limit: float, reply: dict[str, Any]) -> CallRecord:
        notes = tuple(str(n)[:300] for n in reply.get("notes", []) if isinstance(n, str))
        self.notes.extend(n for n in notes if n not in self.notes)
        status = reply.get("status")
        if status == "returned":
            generation = self.generation
            resolve = lambda handle, name: RemoteFunction(self, handle, name, generation)  # noqa: E731
            try:
                value = wire.decode(reply.get("value"), resolve=resolve)
                after = wire.decode(reply["args_after"], resolve=resolve) if "args_after" in reply else None
            except wire.WireError as exc:
                self.notes.append(f"integrity: the notebook's process sent malformed data while {label} ran ({exc})")
                self._discard_child()
                raise ChildCrashed(f"{label} returned data that could not be read") from None
            stdout = reply.get("stdout") if isinstance(reply.get("stdout"), str) else ""
            return CallRecord(value, stdout, tuple(after) if after is not None else None, notes)  # type: ignore[arg-type]
        if status == "raised":
            raise _raised(label, reply.get("error"), {c.number: c for c in self.cells})
        if status == "timeout":
            return self._timed_out(target, limit)
        if status == "missing":
            raise MissingFunction(f"your notebook does not define {label}; define it (check the spelling) and run its cell")
        self.notes.append(f"integrity: the notebook's process replied with an unknown status {str(status)[:40]!r}")
        self._discard_child()
        raise ChildCrashed(f"{label}: the process running your notebook replied nonsense")

    def _discard_child(self) -> None:
        """A child that broke the protocol cannot be trusted to stay in step: start afresh next time."""
        if self.child is not None:
            self.child.kill()
            self.child = None

    def _serve_callback(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run a trusted function the student's code was given, on arguments it sent."""
        function = self.callbacks.get(request.get("h"))  # type: ignore[arg-type]
        reply: dict[str, Any] = {"op": "callback_raise", "id": request.get("id")}
        if function is None:
            return {**reply, "message": "this function was handed to your code for one call only; "
                                        "it cannot be called after that call returned"}
        if len(json.dumps([request.get("args"), request.get("kwargs")])) > CALLBACK_ARGS_LIMIT:
            return {**reply, "message": f"arguments larger than {CALLBACK_ARGS_LIMIT // 1024 // 1024} MiB were refused"}
        try:
            args = wire.decode(request.get("args", []))
            kwargs = wire.decode(request.get("kwargs", {"$t": "dict", "v": []}))
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                return {**reply, "message": "bad arguments"}
            value = function(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - reported to the student's code as an error
            fallback = bool(getattr(exc, "fallback_to_student", False))
            message = getattr(exc, "for_student", None) or f"{type(exc).__name__}: {exc}"
            return {**reply, "fallback": fallback, "message": message[:500]}
        return {"op": "callback_return", "id": request.get("id"), "value": wire.encode(value)}

    def _describe(self, error: Any) -> str:
        return describe_error(error, {c.number: c for c in self.cells})


def _with_stand_ins(record: CallRecord, stand_ins: StandIns | None) -> CallRecord:
    if stand_ins is None:
        return record
    return dataclasses.replace(record, stand_in_calls=stand_ins.calls, unanswered=tuple(stand_ins.unanswered))


def _elapsed(reply: dict[str, Any]) -> float:
    """The child's own account of its time (for timings only: a hostile child can lie about it)."""
    value = reply.get("elapsed")
    return float(value) if isinstance(value, (int, float)) and 0 <= value < 1e6 else 0.0


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
    frames = error.get("frames") if isinstance(error, dict) and isinstance(error.get("frames"), list) else []
    last = frames[-1] if frames else None
    if isinstance(last, list) and len(last) == 4 and isinstance(last[3], str) and last[3].isidentifier():
        return last[3]
    return None


def _raised(label: str, error: Any, cells: dict[int, Cell]) -> StudentError:
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


class LocalRuntime:
    """Calls functions that live in this process (a student's kernel), values round-tripped
    through the wire codec so they look exactly as they would coming out of a sandbox."""

    def __init__(self, namespace: dict[str, Any], limits: Limits) -> None:
        self.executor = Executor(namespace, limits.output_kb * 1024)
        history = namespace.get("In", [])  # IPython keeps every executed cell's code here
        self.cells: tuple[Cell, ...] = tuple(
            Cell(number, source) for number, source in enumerate(history if isinstance(history, list) else [])
            if isinstance(source, str) and source
        )
        self.cell_reports: tuple[CellReport, ...] = ()
        self.notes: list[str] = []
        self.call_seconds = limits.call_seconds

    def defines(self, name: str) -> bool:
        return callable(self.executor.namespace.get(name))

    def call(self, target: str | int, args: tuple[Any, ...], kwargs: dict[str, Any], *,
             np_seed: int | None = None, want_args: bool = False, seconds: float | None = None,
             generation: int | None = None, stand_ins: StandIns | None = None) -> CallRecord:
        label = target if isinstance(target, str) else "the function it returned"
        inputs = wire.decode(wire.encode([list(args), dict(kwargs)], register=self._hold), resolve=self._release)
        overrides = {name: _as_stand_in(function) for name, function in (stand_ins.functions() if stand_ins else {}).items()}
        reply = self.executor.call(target, inputs[0], inputs[1], timeout=seconds or self.call_seconds,
                                   np_seed=np_seed, want_args=want_args, overrides=overrides)
        notes: list[str] = []
        for key in ("value", "args_after"):
            if key in reply:
                reply[key] = wire.encode(reply[key], register=self.executor.register, notes=notes)
        reply["notes"] = notes
        status = reply.get("status")
        if status == "returned":
            resolve = lambda handle, name: RemoteFunction(self, handle, name)  # noqa: E731
            value = wire.decode(reply["value"], resolve=resolve)
            after = wire.decode(reply["args_after"], resolve=resolve) if want_args else None
            record = CallRecord(value, reply.get("stdout", ""), tuple(after) if after else None, tuple(notes))
            return _with_stand_ins(record, stand_ins)
        if status == "raised":
            raise _raised(label, reply.get("error"), {})
        if status == "timeout":
            raise CallTimeout(f"{label} did not finish within {seconds or self.call_seconds:g} s; look for an endless loop")
        raise MissingFunction(f"your notebook does not define {label}; define it (check the spelling) and run its cell")

    # trusted callables passed in are handed to the student's function as-is
    def _hold(self, function: Callable[..., Any]) -> int:
        self._held = getattr(self, "_held", {})
        self._held[len(self._held) + 1] = function
        return len(self._held)

    def _release(self, handle: int, name: str) -> Callable[..., Any]:
        return self._held[handle]


def _as_stand_in(function: Callable[..., Any]) -> Callable[..., Any]:
    """A trusted function called by student code in this process, its answer a fresh copy of plain
    data as it would be through the sandbox (the student's code cannot change the oracle's memo)."""

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        return wire.decode(wire.encode(function(*args, **kwargs)))

    stand_in.__name__ = getattr(function, "__name__", "stand_in")
    return stand_in


class FailedRuntime:
    """Stands in when the submission could not be read or started: every call fails the same way."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.cells: tuple[Cell, ...] = ()
        self.cell_reports: tuple[CellReport, ...] = ()
        self.notes: list[str] = []
        self.call_seconds = 0.0

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
        found = None
        for tree in filter(None, (parse_cell(cell.source) for cell in self._runtime.cells)):
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and node.name == name:
                    found = node
        return found

    @property
    def notes(self) -> list[str]:
        return self._runtime.notes


def start_failed(error: Exception) -> FailedRuntime:
    if isinstance(error, (StudentError, InfrastructureError)):
        return FailedRuntime(error)
    raise error
