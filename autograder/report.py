"""Results as people read them: terminal tables for instructors, a check table for students.

Every piece of text here that we did not write (paths, names, messages, hints, notes) goes through
:mod:`.escape` for its format, so a student's text can neither move the terminal's cursor nor add
HTML. Instructors read ``instructor_message`` (a hidden check's values included); students read
``message``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from . import escape
from .results import CheckResult, ExerciseResult, Result

__all__ = ["CheckReport", "class_table", "scaled_points", "submission_report"]

WIDTH = 100
_MARK = {"passed": "ok", "failed": "FAIL", "error": "ERROR", "timeout": "TIMEOUT", "crashed": "CRASH", "missing": "MISSING"}


def _points(points: float, max_points: float) -> str:
    return f"{points:g}/{max_points:g}"


def _mark(status: str) -> str:
    """The status's mark; a status we do not know (a results file from elsewhere) shown as itself."""
    return _MARK.get(status) or escape.terminal_line(status)


def _wrap(text: str, indent: str) -> str:
    """``text`` (already escaped for a terminal) wrapped to WIDTH, each line indented."""
    lines = []
    for paragraph in text.splitlines() or [""]:
        lines += textwrap.wrap(paragraph, WIDTH - len(indent)) or [""]
    return "\n".join(indent + line for line in lines)


def submission_report(result: Result, *, show_hidden: bool = True) -> str:
    """One submission, for the instructor: a line per exercise, then what went wrong (hidden checks
    with their full message, the values included) and the hint."""
    lines = [f"{escape.terminal_line(result.submission)}  ({escape.terminal_line(result.assignment)}): "
             f"{_points(result.points, result.max_points)} points"]
    if result.problem:
        lines.append(_wrap(f"! {escape.terminal(result.problem)}", "  "))
    names = [escape.terminal_line(e.name) for e in result.exercises]
    width = max((len(name) for name in names), default=10)
    for name, exercise in zip(names, result.exercises, strict=True):
        lines.append(f"  {name:<{width}}  {_points(exercise.points, exercise.max_points):>7}  {_mark(exercise.status)}")
        for check in exercise.checks:
            if check.status != "passed" and (show_hidden or not check.hidden):
                lines.append(_describe_check(check, check.instructor_message, "      "))
    troubled = [c for c in result.cells if c.status != "ok"]
    if troubled:
        lines.append("  cells that did not run cleanly (the grader went on after each):")
        lines += [_wrap(f"cell {c.number}: {escape.terminal_line(c.status)}: {escape.terminal(c.message)}", "      ")
                  for c in troubled]
    lines += [_wrap(f"note: {escape.terminal(note)}", "  ") for note in result.notes]
    return "\n".join(lines)


def _describe_check(check: CheckResult, message: str, indent: str) -> str:
    """A check that did not pass, with ``message`` (the student's or the instructor's), hint and seed."""
    text = f"{escape.terminal_line(check.name)}{' (hidden)' if check.hidden else ''}: {escape.terminal(message)}"
    if check.hint:
        text += f"\nHint: {escape.terminal(check.hint)}"
    if check.seed is not None:
        text += f"\n(seed {check.seed})"
    return _wrap(text, indent)


def class_table(results: Sequence[Result]) -> str:
    """Every submission against every exercise, numbered columns with a legend, then the findings
    (for the instructor: hidden checks' full messages)."""
    if not results:
        return "no submissions"
    exercises = [e.name for e in results[0].exercises]
    columns = [escape.terminal_line(e) for e in exercises]
    names = [escape.terminal_line(r.student) if r.student else _short(r.submission) for r in results]
    label = "student" if any(r.student for r in results) else "submission"
    width = max(len(label), *(len(n) for n in names))
    header = f"{label:<{width}}  " + " ".join(f"{i + 1:>5}" for i in range(len(exercises))) + "   total"
    lines = [header, "-" * len(header)]
    for name, result in zip(names, results, strict=True):
        cells = " ".join(f"{_cell(result, e):>5}" for e in exercises)
        lines.append(f"{name:<{width}}  {cells}  {_points(result.points, result.max_points):>6}")
    lines.append("")
    lines.append("columns: " + ", ".join(f"{i + 1} {e}" for i, e in enumerate(columns)))
    findings = [_finding(name, r) for name, r in zip(names, results, strict=True)]
    findings = [f for f in findings if f]
    if findings:
        lines += ["", "what each submission got wrong:"] + findings
    return "\n".join(lines)


def _cell(result: Result, exercise: str) -> str:
    try:
        found = result.exercise(exercise)
    except KeyError:
        return "-"
    return f"{found.points:g}" + ("" if found.status in ("passed", "failed") else escape.terminal_line(found.status[:1].upper()))


def _short(path: str) -> str:
    """The file's name without its suffix, escaped: a row of the table stays one line."""
    name = path.rsplit("/", 1)[-1]
    return escape.terminal_line(name.removesuffix(".ipynb").removesuffix(".py"))


def _finding(name: str, result: Result) -> str:
    wrong = [e for e in result.exercises if e.status != "passed"]
    if result.problem:
        return _wrap(f"{name}: {escape.terminal(result.problem)}", "  ")
    if not wrong or len(wrong) == len(result.exercises) and all(e.status == "missing" for e in wrong):
        return "" if not wrong else f"  {name}: nothing implemented yet"
    parts = [_exercise_line(e) for e in wrong]
    return f"  {name}:\n" + "\n".join(parts)


def _exercise_line(exercise: ExerciseResult) -> str:
    text = (f"{escape.terminal_line(exercise.name)} [{escape.terminal_line(exercise.status)}]: "
            f"{escape.terminal(exercise.instructor_message)}")
    if exercise.hint:
        text += f" Hint: {escape.terminal(exercise.hint)}"
    return _wrap(textwrap.shorten(text, 600), "    ")


class CheckReport:
    """What ``check("<exercise>")`` shows a student: an HTML table in Jupyter, text elsewhere.

    Points are the grade cells' (``points``: exercise -> its points in the notebook), the scale
    ``grade()`` uses: the public checks' share of an exercise's points, scaled to the exercise. An
    exercise without a grade cell is counted in its public checks' own points."""

    def __init__(self, result: Result, title: str, points: Mapping[str, float] | None = None) -> None:
        self.result = result
        self.title = title
        self.checks = [c for e in result.exercises for c in e.checks if not c.hidden]
        self.exercises = [(e.name, *scaled_points(e, (points or {}).get(e.name))) for e in result.exercises
                          if any(not c.hidden for c in e.checks)]

    @property
    def passed(self) -> bool:
        return all(c.status == "passed" for c in self.checks) and bool(self.checks)

    @property
    def points(self) -> tuple[float, float]:
        """Points earned and available over the exercises checked, in the grade cells' points."""
        return sum(e for _, e, _ in self.exercises), sum(f for _, _, f in self.exercises)

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        lines = [f"{escape.terminal_line(self.title)}: {_points(*self.points)} points from the public checks"]
        for name, earned, full in self.exercises:
            lines.append(f"  {escape.terminal_line(name)}: {_points(earned, full)}")
            for check in (c for c in self.checks if c.exercise == name):
                mark = "" if check.status == "passed" else f"  {_mark(check.status)}"
                lines.append(f"    [{'x' if check.status == 'passed' else ' '}] {escape.terminal_line(check.name)}{mark}")
                if check.status != "passed":
                    lines.append(_describe_check(check, check.message, "        "))
        lines.append(_verdict(self.passed))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(_html_exercise(name, earned, full) + "".join(_html_row(c) for c in self.checks
                                                                     if c.exercise == name)
                       for name, earned, full in self.exercises)
        return (
            '<div class="calc4ml-check" style="font-family: sans-serif; max-width: 60em">'
            f"<p><b>{escape.html(self.title)}</b>: {_points(*self.points)} points from the public checks</p>"
            '<table style="border-collapse: collapse; width: 100%; margin: 0">'
            "<tr><th style='text-align:left; width:2em'></th><th style='text-align:left; width:30%'>check</th>"
            "<th style='text-align:left'>what we found</th></tr>"
            f"{rows}</table><p>{escape.html(_verdict(self.passed))}</p></div>"
        )


def scaled_points(exercise: ExerciseResult, points: float | None) -> tuple[float, float]:
    """The public checks' share of ``exercise``, in its grade cell's ``points`` (when given)."""
    public = [c for c in exercise.checks if not c.hidden]
    earned, available = sum(c.points for c in public), sum(c.max_points for c in public)
    if points is None or available == 0:
        return earned, available
    return min(max(points * earned / available, 0.0), points), points


def _verdict(passed: bool) -> str:
    if passed:
        return "All public checks pass. Hidden checks with other inputs run when your work is graded."
    return "Some checks fail: read the message and the hint, fix the function, run its cell, and check again."


def _html_exercise(name: str, earned: float, full: float) -> str:
    cell = "padding:4px 8px; text-align:left; font-weight:bold"
    return (f"<tr><td style='{cell}' colspan='2'>{escape.html(name)}</td>"
            f"<td style='{cell}'>{_points(earned, full)} points</td></tr>")


def _html_row(check: CheckResult) -> str:
    good = check.status == "passed"
    colour = "#e6f4ea" if good else "#fce8e6"
    symbol = "&#10004;" if good else "&#10008;"
    detail = "" if good else escape.html_message(check.message)
    if check.hint and not good:
        detail += f"<br><i>Hint: {escape.html_message(check.hint)}</i>"
    if not good and check.seed is not None:
        detail += f"<br><small>seed {check.seed}</small>"
    cell = "padding:4px 8px; text-align:left; vertical-align:top"
    return (
        f"<tr style='background:{colour}; border-top: 1px solid #ddd'>"
        f"<td style='{cell}; color:{'#1e7b4f' if good else '#c0392b'}'>{symbol}</td>"
        f"<td style='{cell}'>{escape.html(check.name)}</td>"
        f"<td style='{cell}'>{detail}</td></tr>"
    )
