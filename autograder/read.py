"""Read a submission file into the ordered code cells the child will run.

Accepted: a Jupyter notebook of nbformat 4 (any layout, with or without nbgrader metadata; an
nbformat 3 notebook is converted) or a Python script (``# %%`` lines split it into cells).
IPython syntax (``%magic``, ``%%cell magic``, ``!shell``) is rewritten by IPython's own
transformer into calls on ``get_ipython()``, which does nothing in the grading child: the magics
and shell escapes are dropped without breaking the code around them. Cell numbers are positions
in the notebook (1-based, markdown cells included), as a student counts them.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UnreadableSubmission

__all__ = ["Cell", "LockedCell", "Notebook", "parse_cell", "read_submission"]

MAX_SUBMISSION_BYTES = 50 * 1024 * 1024  # larger files are refused, not parsed
_CELL_MARK = re.compile(r"^# ?%%")


@dataclass(frozen=True)
class Cell:
    """One code cell: its position in the notebook, and the code the child will run."""

    number: int
    source: str
    grade_id: str | None = None

    @property
    def first_line(self) -> str:
        for line in self.source.splitlines():
            if line.strip():
                return line.strip()[:80]
        return ""


@dataclass(frozen=True)
class LockedCell:
    """A cell nbgrader marks as the instructor's (locked or grade): what the submission claims it is."""

    grade_id: str
    source: str
    points: float | None  # for grade cells


@dataclass(frozen=True)
class Notebook:
    """A submission as cells, plus remarks about how it was read."""

    path: Path
    cells: tuple[Cell, ...]
    notes: tuple[str, ...] = ()
    kernel: str = ""
    locked: tuple[LockedCell, ...] = ()  # compared with the release notebook: edits are integrity notes


def read_submission(path: Path) -> Notebook:
    """Read ``path``; raise :class:`UnreadableSubmission` saying what to fix."""
    path = Path(path)
    raw = _read_bytes(path)
    if path.suffix == ".py":
        return Notebook(path, _script_cells(_decode_text(raw, path)))
    if path.suffix != ".ipynb":
        raise UnreadableSubmission(
            f"{path.name} is neither a notebook (.ipynb) nor a Python script (.py); submit the assignment's notebook"
        )
    return _read_notebook(path, raw)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_SUBMISSION_BYTES:
            raise UnreadableSubmission(
                f"{path.name} is {size // (1024 * 1024)} MiB, over the {MAX_SUBMISSION_BYTES // (1024 * 1024)} MiB limit; "
                "clear the outputs (Edit > Clear Outputs of All Cells) and submit again"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableSubmission(f"{path} cannot be opened ({exc.strerror}); check the path") from None
    if not raw.strip():
        raise UnreadableSubmission(f"{path.name} is empty; submit the notebook with your work saved in it")
    return raw


def _decode_text(raw: bytes, path: Path) -> str:
    if b"\x00" in raw[:8192]:
        raise UnreadableSubmission(f"{path.name} is a binary file, not a notebook; submit the .ipynb file itself")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableSubmission(
            f"{path.name} is not UTF-8 text (byte {exc.start}); save it from Jupyter and submit again"
        ) from None


def _read_notebook(path: Path, raw: bytes) -> Notebook:
    text = _decode_text(raw, path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableSubmission(
            f"{path.name} is not valid notebook JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "it was probably damaged by editing it as text: download a fresh copy from Jupyter (File > Download)"
        ) from None
    if not isinstance(document, dict) or "nbformat" not in document:
        raise UnreadableSubmission(f"{path.name} is JSON but not a Jupyter notebook; submit the assignment's .ipynb file")
    notes: list[str] = []
    version = document.get("nbformat")
    if version == 3:
        document = _upgrade_v3(document, path)
        notes.append("an nbformat 3 notebook was converted to nbformat 4")
    elif version != 4:
        raise UnreadableSubmission(
            f"{path.name} uses notebook format {version!r}; open it in a current Jupyter and save it (format 4)"
        )
    cells = document.get("cells")
    if not isinstance(cells, list):
        raise UnreadableSubmission(f"{path.name} has no list of cells; download a fresh copy from Jupyter")
    code = tuple(_code_cell(number, cell) for number, cell in enumerate(cells, start=1) if _is_code(cell))
    locked = tuple(filter(None, (_locked_cell(cell) for cell in cells)))
    return Notebook(path, code, tuple(notes), _kernel_name(document), locked)


def _upgrade_v3(document: dict[str, Any], path: Path) -> dict[str, Any]:
    import nbformat

    try:
        upgraded = nbformat.convert(nbformat.from_dict(document), 4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds on bad input
        raise UnreadableSubmission(
            f"{path.name} is an old (format 3) notebook that cannot be converted ({exc}); open and save it in Jupyter"
        ) from None
    return dict(upgraded)


def _is_code(cell: Any) -> bool:
    return isinstance(cell, dict) and cell.get("cell_type") == "code"


def _code_cell(number: int, cell: dict[str, Any]) -> Cell:
    source = _source_text(cell.get("source", ""))
    metadata = cell.get("metadata")
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return Cell(number, neutralise_ipython(source), grade_id if isinstance(grade_id, str) else None)


def _locked_cell(cell: Any) -> LockedCell | None:
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    if not isinstance(nbgrader, dict) or not isinstance(nbgrader.get("grade_id"), str):
        return None
    if not (nbgrader.get("grade") or nbgrader.get("locked")) or nbgrader.get("solution"):
        return None
    points = nbgrader.get("points")
    return LockedCell(nbgrader["grade_id"], _source_text(cell.get("source", "")),
                      float(points) if isinstance(points, (int, float)) and not isinstance(points, bool) else None)


def _source_text(source: Any) -> str:
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _kernel_name(document: dict[str, Any]) -> str:
    metadata = document.get("metadata")
    spec = metadata.get("kernelspec") if isinstance(metadata, dict) else None
    name = spec.get("name") if isinstance(spec, dict) else ""
    return name if isinstance(name, str) else ""


def _script_cells(text: str) -> tuple[Cell, ...]:
    """Split a script at ``# %%`` lines; without them the whole file is one cell."""
    cells: list[Cell] = []
    current: list[str] = []
    number = 1

    def has_code(lines: list[str]) -> bool:
        return any(line.strip() and not _CELL_MARK.match(line) for line in lines)

    for line in text.splitlines(keepends=True):
        if _CELL_MARK.match(line) and has_code(current):
            cells.append(Cell(number, neutralise_ipython("".join(current))))
            number += 1
            current = []
        current.append(line)
    if has_code(current):
        cells.append(Cell(number, neutralise_ipython("".join(current))))
    return tuple(cells)


def neutralise_ipython(source: str) -> str:
    """Rewrite IPython-only syntax into plain Python calls on ``get_ipython()``."""
    if not any(mark in source for mark in ("%", "!", "?")):
        return source
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - leave it; the child will report the syntax error in the cell
        return source


@functools.lru_cache(maxsize=4096)
def parse_cell(source: str) -> ast.Module | None:
    """A cell's syntax tree, or None when it does not parse. Cached, since most cells of a class's
    notebooks are the release's own; callers must not change the tree."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None
