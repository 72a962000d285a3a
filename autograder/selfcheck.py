"""The student's face: ``check("<exercise>")`` and ``check_all()`` in the notebook, ``grade()`` in
nbgrader grade cells.

Self-checks run the *public* checks only, in the student's own kernel (no sandbox needed: it is
their code on their machine), against the answers recorded in ``checks/public_cases.json``: the
reference solution is never on the student's machine. ``grade()`` returns a plain float for
nbgrader; during ``nbgrader autograde`` in the course folder it runs every check against the
reference, otherwise the public ones.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from . import escape
from .config import STUDENT_CHECKS_DIR, Assignment, find_course_root
from .contract import choose_contract
from .errors import GraderError, InstructorError, UnknownExercise
from .oracle import oracles_for
from .pipeline import Selection, run_and_score
from .plugin import Visibility
from .read import nbgrader_cells
from .report import CheckReport, scaled_points
from .results import Result
from .sandbox.local import LocalRuntime

__all__ = ["check", "check_all", "grade", "grade_cell_points", "known_exercise"]


def check(exercise: str | None = None) -> CheckReport:
    """Run the public checks of one exercise (or all) on the functions this notebook defined."""
    assignment = locate_assignment()
    if exercise is not None:
        known_exercise(assignment, exercise)
    result = run_in_kernel(assignment, _namespace(), "public", exercise)
    title = f"{assignment.name} › {exercise}" if exercise else assignment.name
    return CheckReport(result, title, grade_cell_points(assignment))


def check_all() -> CheckReport:
    """Every exercise's public checks, as one summary."""
    return check(None)


def grade(exercise: str) -> float:
    """Points for one exercise as a float in [0, points], for an nbgrader grade cell.

    Writes nothing to stderr (nbgrader would score the cell 0) and never returns anything but a
    float (nbgrader would give full marks). Outside ``nbgrader autograde`` only the public checks
    can run; their share of the points is then scaled to the exercise's points.
    """
    sink = io.StringIO()
    try:
        with contextlib.redirect_stderr(sink), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _grade(exercise)
    except GraderError as exc:
        print(f"grade({exercise!r}) could not run: {exc}")
        return 0.0


def _grade(exercise: str) -> float:
    autograding = os.environ.get("NBGRADER_EXECUTION") == "autograde"
    assignment = locate_assignment(full=autograding)
    known_exercise(assignment, exercise)
    visibility: Visibility = "all" if autograding and assignment.reference is not None else "public"
    result = run_in_kernel(assignment, _namespace(), visibility, exercise)
    found = result.exercise(exercise) if any(e.name == exercise for e in result.exercises) else None
    if found is None or found.max_points == 0:
        raise InstructorError(f"no checks for exercise {exercise!r}")
    if visibility == "all":
        return float(min(max(found.points, 0.0), found.max_points))
    points = grade_cell_points(assignment)
    if exercise not in points:
        raise InstructorError(f"no grade cell with grade_id {exercise!r} in {assignment.notebook}")
    return float(scaled_points(found, points[exercise])[0])  # the scale check() shows


def known_exercise(assignment: Assignment, exercise: object) -> None:
    """Raise a :class:`UnknownExercise` naming the valid exercises unless ``exercise`` is one of them."""
    if exercise in assignment.exercises:
        return
    close = difflib.get_close_matches(str(exercise), assignment.exercises, n=1)
    suggestion = f"Did you mean {close[0]!r}? " if close else ""
    raise UnknownExercise(f"{assignment.name} has no exercise called {escape.clean(exercise)!r}. {suggestion}"
                          f"The exercises are: {', '.join(assignment.exercises)}.")


def grade_cell_points(assignment: Assignment, notebook: Path | None = None) -> dict[str, float]:
    """Each exercise's points from the notebook's grade cells (``notebook``, else the one in the
    kernel's folder, else the release's): hidden checks' points included."""
    candidates = [notebook] if notebook is not None else []
    candidates += [Path.cwd() / assignment.notebook]
    candidates += [assignment.release_dir / assignment.notebook] if assignment.release_dir is not None else []
    for path in candidates:
        points = {cell.grade_id: float(cell.points or 0.0) for cell in nbgrader_cells(path) if cell.grade and cell.grade_id}
        if points:
            return points
    return {}


def run_in_kernel(assignment: Assignment, namespace: dict[str, Any], visibility: Visibility,
                  exercise: str | None) -> Result:
    """The checks on functions living in this process, scored like any submission."""
    runtime = LocalRuntime(namespace, assignment.limits)
    contract = choose_contract(assignment.contracts, (cell.source for cell in runtime.cells))
    oracles = oracles_for(assignment, live=visibility == "all")
    return run_and_score(assignment, runtime, oracles, Selection(visibility, exercise, contract=contract),
                         label="this notebook")


def locate_assignment(start: Path | None = None, full: bool = False) -> Assignment:
    """The assignment of the notebook in ``start`` (the kernel's folder).

    A release folder has ``checks/`` (public checks and recorded answers: what a student has);
    otherwise, in the course folder, the notebook's folder is named after the assignment
    (``source/<a>/``, or ``autograded/<s>/<a>/`` where ``full`` asks for every check).
    """
    here = (start or Path.cwd()).resolve()
    if not full and (here / STUDENT_CHECKS_DIR / "assignment.toml").exists():
        return Assignment.load(here / STUDENT_CHECKS_DIR)
    root = find_course_root(here)
    if root is not None and (root / "assignments" / here.name).is_dir():
        return Assignment.load(here.name, root)
    raise InstructorError(
        f"cannot tell which assignment this notebook belongs to: {here} has no {STUDENT_CHECKS_DIR}/ folder. "
        "Open the notebook from the folder it was released in (it has a checks/ folder next to it)"
    )


def _namespace() -> dict[str, Any]:
    """The notebook's global namespace (IPython's user namespace, or __main__'s)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        return shell.user_ns  # type: ignore[no-any-return]
    return vars(sys.modules["__main__"])
