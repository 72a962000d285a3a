"""A notebook's top-level cells, run in a child: what each did, and how much of each to run next time.

A cell that hung or killed its child is demoted, its imports and definitions only next time, then
skipped, so starting again always ends, and every cell that defines a function gets as many
chances as possible. Past the notebook's budget for top-level work, a cell runs only its imports
and definitions; so does a cell that calls a function a timed-out cell was stuck in (it would only
spend its time limit again).
"""

from __future__ import annotations

import ast
import time
from collections.abc import Callable
from typing import Any

from ..config import Limits
from ..protocol import CellStatus, Op
from ..read import Cell, parse_cell
from ..results import CellReport
from ..source import definitions_only
from .process import Child, ChildGone, ChildTimeout
from .submission import describe_error

__all__ = ["NotebookCells"]

FULL, DEFINITIONS, SKIPPED = 0, 1, 2  # how much of a cell runs: all, its imports and definitions, nothing
_FUNCTIONS_AND_CLASSES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class NotebookCells:
    """The notebook's cells and what running them in children has shown so far."""

    def __init__(self, cells: tuple[Cell, ...], limits: Limits, remaining: Callable[[], float]) -> None:
        self.cells = cells
        self.limits = limits
        self.remaining = remaining  # seconds left of the submission's budget
        self.by_number = {cell.number: cell for cell in cells}
        self.demoted: dict[int, int] = {}  # cells that hung or killed a child: run less of them
        self.used = 0.0  # seconds of full top-level cells so far (limits.cells_seconds)
        self.seconds = 0.0  # time the child reports spending in the cells (for timings)
        self.reports: dict[int, CellReport] = {}
        self.stuck: dict[str, int] = {}  # functions a top-level cell ran out of time in, and that cell
        self.ran: dict[int, str] = {}  # the source each cell last ran (all of it, or its definitions)

    def run(self, child: Child) -> bool:
        """Run every cell in ``child``; False when one stopped it (that cell has been demoted)."""
        for cell in self.cells:
            level = self._level(cell)
            source = cell.source if level == FULL else definitions_only(cell.source) if level == DEFINITIONS else ""
            if not source.strip():
                continue
            self.ran[cell.number] = source
            self._forget_redefined(source)
            seconds = min(self.limits.cell_seconds, self.remaining())
            started = time.monotonic()
            try:
                reply = child.request({"op": Op.CELL, "n": cell.number, "source": source, "timeout": seconds}, seconds)
            except ChildTimeout:
                self._demote(cell, level, "timeout", f"stopped after {seconds:g} s (cell time limit)")
                return False
            except ChildGone as exc:
                self._demote(cell, level, "crashed", f"the process running it died: {exc.reason}")
                return False
            finally:
                if level == FULL:
                    self.used += time.monotonic() - started
            self._note(cell, level, reply)
            if reply.get("status") == CellStatus.TIMEOUT and level == FULL and not self._definitions_of(child, cell):
                return False
        return True

    def _level(self, cell: Cell) -> int:
        """How much of the cell runs this time, noting why when it is less than all of it."""
        level = self.demoted.get(cell.number, FULL)
        if level == FULL and self.used >= self.limits.cells_seconds:
            self._skip(cell, f"the notebook's top-level code used up its {self.limits.cells_seconds:g} s")
            return DEFINITIONS
        if level == FULL and (stuck := self._calls_stuck(cell)):
            self._skip(cell, f"it calls {stuck}, which ran out of time in cell {self.stuck[stuck]}")
            return DEFINITIONS
        return level

    def _skip(self, cell: Cell, why: str) -> None:
        self.reports.setdefault(cell.number, CellReport(cell.number, "skipped",
                                                        f"not run: {why}; only the cell's imports and definitions ran"))

    def _definitions_of(self, child: Child, cell: Cell) -> bool:
        """After a cell ran out of time, run its imports and definitions at once, so names it
        defines after the slow part exist for the rest of this run too. False if the child died."""
        source = definitions_only(cell.source)
        if not source.strip():
            return True
        seconds = min(self.limits.cell_seconds, max(self.remaining(), 0.1))
        try:
            child.request({"op": Op.CELL, "n": cell.number, "source": source, "timeout": seconds}, seconds)
        except (ChildTimeout, ChildGone):
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

    def _note(self, cell: Cell, level: int, reply: dict[str, Any]) -> None:
        self.seconds += elapsed(reply)
        status = reply.get("status")
        if status == CellStatus.TIMEOUT:
            if level == FULL:
                self._note_stuck(reply.get("error"), cell.number)
            self._demote(cell, level, "timeout", f"stopped after {self.limits.cell_seconds:g} s (cell time limit)")
        elif status == CellStatus.ERROR:
            self.reports.setdefault(cell.number, CellReport(cell.number, "error",
                                                            describe_error(reply.get("error"), self.by_number)))
        else:
            self.reports.setdefault(cell.number, CellReport(cell.number, "ok"))

    def _demote(self, cell: Cell, level: int, status: Any, message: str) -> None:
        self.demoted[cell.number] = level + 1
        later = "later runs keep only its imports and definitions" if level == FULL else "later runs skip it"
        self.reports.setdefault(cell.number, CellReport(cell.number, status, f"{message}; {later}"))


def elapsed(reply: dict[str, Any]) -> float:
    """The child's own account of its time (for timings only: a hostile child can lie about it)."""
    value = reply.get("elapsed")
    return float(value) if isinstance(value, (int, float)) and 0 <= value < 1e6 else 0.0
