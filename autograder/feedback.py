"""Feedback for each student, as HTML (one self-contained file) and Markdown (with PNG files).

Per exercise: the points, what the first failing check found, the hint, and the plots the public
checks attached. Hidden checks appear by name and message only: their code, inputs and plots never
do. Nothing here runs student code, but nearly everything shown comes from it (ids from file names,
messages with the student's values and exceptions), so every such text is escaped for its format
(:mod:`.escape`), and one student's feedback that cannot be written never stops the others'.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from . import escape
from .config import Assignment
from .figures import render_png
from .results import CheckResult, Result

__all__ = ["write_feedback"]

_STATUS_WORDS = {"passed": "correct", "failed": "not yet right", "error": "raised an error", "timeout": "too slow",
                 "crashed": "crashed", "missing": "missing"}
_NOT_DRAWN = "a plot could not be drawn"


class _Plot(NamedTuple):
    """A figure of a public check, drawn (``png``) or not (None), and its file next to feedback.md."""

    exercise: str
    title: str
    png: bytes | None
    file: str


def write_feedback(folder: Path, assignment: Assignment, graded: Sequence[tuple[str, Result]]) -> list[Path]:
    """``<folder>/<student>/feedback.html`` and ``feedback.md`` (+ figure PNGs) for every student; the
    folders written. A student whose feedback fails is reported on stderr and the others still get theirs."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for student, result in graded:
        try:
            written.append(_write_one(root, student, assignment, result))
        except Exception as exc:  # whatever one student's result holds, the class gets its feedback
            print(f"autograder: the feedback of {escape.terminal_line(student)} could not be written "
                  f"({escape.terminal_line(exc)}); the other students' was", file=sys.stderr)
    return written


def _write_one(root: Path, student: str, assignment: Assignment, result: Result) -> Path:
    target = _folder_for(root, student)
    plots = _plots(result)
    (target / "feedback.html").write_text(_html(student, assignment, result, plots), encoding="utf-8")
    for plot in plots:
        if plot.png is not None:
            (target / plot.file).write_bytes(plot.png)
    (target / "feedback.md").write_text(_markdown(student, assignment, result, plots), encoding="utf-8")
    return target


def _folder_for(root: Path, student: str) -> Path:
    """``<root>/<student>/``: a name of its own per id (:func:`escape.file_name`), and refused unless
    it is a real folder right inside ``root`` (not a link to elsewhere)."""
    target = root / escape.file_name(student)
    if target.is_symlink() or target.resolve().parent != root.resolve():
        raise OSError(f"{target} is not a folder inside {root}: remove it, then write the feedback again")
    target.mkdir(exist_ok=True)
    return target


def _plots(result: Result) -> list[_Plot]:
    """Plots from public checks that did not pass (they explain a mistake), drawn now."""
    specs = [(check, spec) for check in _public_failures(result) for spec in check.figures if isinstance(spec, dict)]
    return [_Plot(check.exercise, str(spec.get("title", "")), render_png(spec), f"figure-{index}.png")
            for index, (check, spec) in enumerate(specs, start=1)]


def _public_failures(result: Result) -> list[CheckResult]:
    return [check for e in result.exercises for check in e.checks if not check.hidden and check.status != "passed"]


def _verdict(status: str) -> str:
    return _STATUS_WORDS.get(status, status)


def _html(student: str, assignment: Assignment, result: Result, plots: list[_Plot]) -> str:
    rows = []
    for exercise in result.exercises:
        good = exercise.status == "passed"
        detail = "" if good else escape.html_message(exercise.message)
        if exercise.hint and not good:
            detail += f"<br><i>Hint: {escape.html_message(exercise.hint)}</i>"
        detail += "".join(_html_plot(plot) for plot in plots if plot.exercise == exercise.name)
        rows.append(
            f"<tr style='background:{'#e6f4ea' if good else '#fce8e6'}'>"
            f"<td>{escape.html(exercise.name)}</td><td>{exercise.points:g} / {exercise.max_points:g}</td>"
            f"<td>{escape.html(_verdict(exercise.status))}</td><td>{detail}</td></tr>"
        )
    problem = f"<p><b>{escape.html(result.problem)}</b></p>" if result.problem else ""
    cells = [c for c in result.cells if c.status != "ok"]
    cell_list = "".join(f"<li>cell {c.number}: {escape.html(c.status)}: {escape.html(c.message)}</li>" for c in cells)
    cell_block = f"<h2>Cells that did not run cleanly</h2><ul>{cell_list}</ul>" if cells else ""
    title, name = escape.html(assignment.title), escape.html(student)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}: feedback for {name}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:6px;vertical-align:top;"
        "text-align:left;border-top:1px solid #ddd}table{border-collapse:collapse;width:100%}</style></head><body>"
        f"<h1>{title}</h1><p>Feedback for <b>{name}</b>: "
        f"<b>{result.points:g} of {result.max_points:g}</b> points.</p>{problem}"
        "<table><tr><th>exercise</th><th>points</th><th>verdict</th><th>what the checks found</th></tr>"
        f"{''.join(rows)}</table>{cell_block}</body></html>\n"
    )


def _html_plot(plot: _Plot) -> str:
    if plot.png is None:
        return f"<br><i>{_NOT_DRAWN}</i>"
    data = base64.b64encode(plot.png).decode("ascii")
    return f'<br><img alt="{escape.html(plot.title)}" src="data:image/png;base64,{data}">'


def _markdown(student: str, assignment: Assignment, result: Result, plots: list[_Plot]) -> str:
    lines = [f"# {escape.markdown_inline(assignment.title)}", "",
             f"Feedback for **{escape.markdown_inline(student)}**: **{result.points:g} of {result.max_points:g}** points.",
             ""]
    if result.problem:
        lines += [f"**{escape.markdown(result.problem)}**", ""]
    lines += ["| exercise | points | verdict |", "|---|---|---|"]
    lines += [f"| {escape.markdown_inline(e.name)} | {e.points:g} / {e.max_points:g} | "
              f"{escape.markdown_inline(_verdict(e.status))} |" for e in result.exercises]
    for exercise in result.exercises:
        if exercise.status == "passed":
            continue
        lines += ["", f"## {escape.markdown_inline(exercise.name)}", "", escape.markdown_message(exercise.message)]
        if exercise.hint:
            lines += ["", f"*Hint:* {escape.markdown_message(exercise.hint)}"]
        for plot in plots:
            if plot.exercise == exercise.name:
                lines += ["", _markdown_plot(plot)]
    cells = [c for c in result.cells if c.status != "ok"]
    if cells:
        lines += ["", "## Cells that did not run cleanly", ""]
        lines += [f"- cell {c.number}: {escape.markdown_inline(c.status)}: {escape.markdown(c.message)}" for c in cells]
    return "\n".join(lines) + "\n"


def _markdown_plot(plot: _Plot) -> str:
    return f"*{_NOT_DRAWN.capitalize()}.*" if plot.png is None else f"![{escape.markdown_inline(plot.title)}]({plot.file})"
