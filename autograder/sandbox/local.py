"""A submission living in this very process: the student's own kernel, for self-checks.

:class:`LocalRuntime` calls the notebook's functions in the current process with the same
encode/decode round trip a sandboxed child's values take, so values look the same to the checks.
It needs no isolation: it is the student's code on the student's machine, and it decides nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import wire
from ..child.executor import Executor
from ..config import Limits
from ..errors import CallTimeout, MissingFunction
from ..protocol import CallStatus
from ..read import Cell
from ..results import CellReport
from .standins import StandIns
from .submission import CallRecord, RemoteFunction, raised_error, with_stand_ins

__all__ = ["LocalRuntime"]


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
        self.cell_seconds = self.start_seconds = 0.0  # the kernel ran the cells before the checks came

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
        if status == CallStatus.RETURNED:
            resolve = lambda handle, name: RemoteFunction(self, handle, name)  # noqa: E731
            value = wire.decode(reply["value"], resolve=resolve)
            after = wire.decode(reply["args_after"], resolve=resolve) if want_args else None
            record = CallRecord(value, reply.get("stdout", ""), tuple(after) if after else None, tuple(notes))
            return with_stand_ins(record, stand_ins)
        if status == CallStatus.RAISED:
            raise raised_error(label, reply.get("error"), {})
        if status == CallStatus.TIMEOUT:
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


