"""A submission running in a sandboxed child: calls into the functions it defined.

:class:`SandboxRuntime` starts the submission's child (:class:`~autograder.sandbox.children.Children`),
runs its cells (:class:`~autograder.sandbox.cells.NotebookCells`), then serves the checks' calls:
it hands each call the trusted functions it needs for that call only (checks' functions and the
stand-ins of :mod:`.standins`), answers the child's callbacks, and turns every reply into plain
data or one of the :mod:`autograder.errors` a check turns into a verdict. After a crash or a hang
it starts a new child and runs the cells again, minus the ones that hung or crashed it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from .. import wire
from ..config import Limits
from ..errors import BudgetExhausted, CallTimeout, ChildCrashed, LeftToStudent, MissingFunction
from ..protocol import CallStatus, Op
from ..read import Cell
from ..results import CellReport
from .cells import NotebookCells
from .children import Children
from .isolation import Sandbox
from .process import Child, ChildGone, ChildTimeout
from .standins import StandIns
from .submission import CallRecord, RemoteFunction, raised_error, with_stand_ins

__all__ = ["CALLBACK_ARGS_LIMIT", "SandboxRuntime"]

CALLBACK_ARGS_LIMIT = 8 * 1024 * 1024  # encoded size of what student code may pass to a trusted function


class SandboxRuntime:
    """A submission in a sandboxed child process, restarted after crashes and hangs."""

    def __init__(self, cells: tuple[Cell, ...], limits: Limits, sandbox: Sandbox, seed: int,
                 preload: tuple[str, ...] = (), children: Children | None = None) -> None:
        self.notebook = NotebookCells(cells, limits, self._remaining)
        self.preload = preload
        self.limits = limits
        self.sandbox = sandbox
        self.seed = seed
        self.children = children if children is not None else Children()
        self.owns_children = children is None  # a one-off grading: its children go when it ends
        self.call_seconds = limits.call_seconds
        self.notes: list[str] = []
        self.deadline = time.monotonic() + limits.submission_seconds
        self.child: Child | None = None
        self.generation = 0
        self.restarts = 0
        self.start_seconds = 0.0  # time spent waiting for a started child (its preloaded imports included)
        self.defined: dict[str, Any] = {}
        self.hung: set[str] = set()  # functions whose call timed out: not called again
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
        if self.owns_children:
            self.children.close()

    @property
    def cells(self) -> tuple[Cell, ...]:
        return self.notebook.cells

    @property
    def cell_reports(self) -> tuple[CellReport, ...]:
        return tuple(self.notebook.reports[n] for n in sorted(self.notebook.reports))

    @property
    def cell_seconds(self) -> float:
        return self.notebook.seconds

    def _boot(self) -> None:
        """Start a child and run the cells; after a cell hangs or kills the child, start again
        (the cell has been demoted, so this ends)."""
        while self._remaining() > 0:
            self.generation += 1
            asked = time.monotonic()
            child = self.children.take(self.sandbox, self.limits, self.seed, self.preload)
            self.start_seconds += time.monotonic() - asked
            if self.notebook.run(child):
                self.child = child
                self.defined = self._ask_defined(child)
                return
            child.close()
        self.child = None

    def _ask_defined(self, child: Child) -> dict[str, Any]:
        try:
            reply = child.request({"op": Op.DEFINED}, 10.0)
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
                "op": Op.CALL, "target": target, "timeout": limit, "np_seed": np_seed, "want_args": want_args,
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
        return with_stand_ins(record, stand_ins)

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
        if status == CallStatus.RETURNED:
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
        if status == CallStatus.RAISED:
            raise raised_error(label, reply.get("error"), self.notebook.by_number)
        if status == CallStatus.TIMEOUT:
            return self._timed_out(target, limit)
        if status == CallStatus.MISSING:
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
        reply: dict[str, Any] = {"op": Op.CALLBACK_RAISE, "id": request.get("id")}
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
            return {**reply, "fallback": isinstance(exc, LeftToStudent), "message": f"{type(exc).__name__}: {exc}"[:500]}
        return {"op": Op.CALLBACK_RETURN, "id": request.get("id"), "value": wire.encode(value)}


