"""Feedback for each student, as HTML (one self-contained file) and Markdown (with PNG files).

Per exercise: the points, what the first failing check found, the hint, and the plots the public
checks attached. Hidden checks appear by name and message only: their code, inputs and plots never
do. Nothing here runs student code.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .batch import file_name
from .config import Assignment
from .figures import render_png
from .results import CheckResult, Result

__all__ = ["write_feedback"]

_STATUS_WORDS = {"passed": "correct", "failed": "not yet right", "error": "raised an error", "timeout": "too slow",
                 "crashed": "crashed", "missing": "missing"}


def write_feedback(folder: Path, assignment: Assignment, graded: Sequence[tuple[str, Result]]) -> list[Path]:
    """``<folder>/<student>/feedback.html`` and ``feedback.md`` (+ figure PNGs) for every student."""
    written = []
    for student, result in graded:
        target = Path(folder) / file_name(student)
        target.mkdir(parents=True, exist_ok=True)
        figures = _figures(result)
        pngs = {id(spec): render_png(spec) for _, spec in figures}
        (target / "feedback.html").write_text(_html(student, assignment, result, figures, pngs), encoding="utf-8")
        names = {}
        for index, (_, spec) in enumerate(figures, start=1):
            names[id(spec)] = f"figure-{index}.png"
            (target / names[id(spec)]).write_bytes(pngs[id(spec)])
        (target / "feedback.md").write_text(_markdown(student, assignment, result, figures, names), encoding="utf-8")
        written.append(target)
    return written


def _figures(result: Result) -> list[tuple[CheckResult, dict]]:  # type: ignore[type-arg]
    """Plots from public checks that did not pass: they explain a mistake."""
    return [(check, spec) for e in result.exercises for check in e.checks
            if not check.hidden and check.status != "passed" for spec in check.figures]


def _html(student: str, assignment: Assignment, result: Result, figures: list[tuple[CheckResult, dict[str, Any]]],
          pngs: dict[int, bytes]) -> str:
    rows = []
    for exercise in result.exercises:
        good = exercise.status == "passed"
        detail = "" if good else html.escape(exercise.message)
        if exercise.hint and not good:
            detail += f"<br><i>Hint: {html.escape(exercise.hint)}</i>"
        for check, spec in figures:
            if check.exercise == exercise.name:
                data = base64.b64encode(pngs[id(spec)]).decode("ascii")
                detail += f'<br><img alt="{html.escape(str(spec.get("title", "")))}" src="data:image/png;base64,{data}">'
        rows.append(
            f"<tr style='background:{'#e6f4ea' if good else '#fce8e6'}'>"
            f"<td>{html.escape(exercise.name)}</td><td>{exercise.points:g} / {exercise.max_points:g}</td>"
            f"<td>{_STATUS_WORDS[exercise.status]}</td><td>{detail}</td></tr>"
        )
    problem = f"<p><b>{html.escape(result.problem)}</b></p>" if result.problem else ""
    cells = [c for c in result.cells if c.status != "ok"]
    cell_list = "".join(f"<li>cell {c.number}: {html.escape(c.status)}: {html.escape(c.message)}</li>" for c in cells)
    cell_block = f"<h2>Cells that did not run cleanly</h2><ul>{cell_list}</ul>" if cells else ""
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(assignment.title)}: feedback for {html.escape(student)}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:6px;vertical-align:top;"
        "text-align:left;border-top:1px solid #ddd}table{border-collapse:collapse;width:100%}</style></head><body>"
        f"<h1>{html.escape(assignment.title)}</h1><p>Feedback for <b>{html.escape(student)}</b>: "
        f"<b>{result.points:g} of {result.max_points:g}</b> points.</p>{problem}"
        "<table><tr><th>exercise</th><th>points</th><th>verdict</th><th>what the checks found</th></tr>"
        f"{''.join(rows)}</table>{cell_block}</body></html>\n"
    )


def _markdown(student: str, assignment: Assignment, result: Result, figures: list[tuple[CheckResult, dict[str, Any]]],
              names: dict[int, str]) -> str:
    lines = [f"# {assignment.title}", "", f"Feedback for **{student}**: **{result.points:g} of {result.max_points:g}** "
             "points.", ""]
    if result.problem:
        lines += [f"**{result.problem}**", ""]
    lines += ["| exercise | points | verdict |", "|---|---|---|"]
    lines += [f"| {e.name} | {e.points:g} / {e.max_points:g} | {_STATUS_WORDS[e.status]} |" for e in result.exercises]
    for exercise in result.exercises:
        if exercise.status == "passed":
            continue
        lines += ["", f"## {exercise.name}", "", exercise.message]
        if exercise.hint:
            lines += ["", f"*Hint:* {exercise.hint}"]
        lines += [f"\n![{spec.get('title', '')}]({names[id(spec)]})" for check, spec in figures
                  if check.exercise == exercise.name]
    cells = [c for c in result.cells if c.status != "ok"]
    if cells:
        lines += ["", "## Cells that did not run cleanly", ""]
        lines += [f"- cell {c.number}: {c.status}: {c.message}" for c in cells]
    return "\n".join(lines) + "\n"
