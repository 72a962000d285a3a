"""Results in the formats instructors' tools read: nbgrader's gradebook and a CSV (Gradescope's JSON is
in :mod:`.gradescope`).

Each takes ``(student, Result)`` pairs; none of them includes hidden check code or inputs.
"""

from __future__ import annotations

import csv
import datetime
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from . import escape
from .config import Assignment
from .errors import InstructorError
from .results import Result

__all__ = ["CSV_COLUMNS", "course_id", "record_in_gradebook", "submission_time", "write_csv"]

# nbgrader export's own header, then one column per exercise
CSV_COLUMNS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email", "raw_score",
               "late_submission_penalty", "score", "max_score")
MAX_STAMP_BYTES = 256  # nbgrader writes one line such as "2024-02-01 13:37:00.123456 UTC"


def submission_time(path: Path) -> datetime.datetime | None:
    """nbgrader's ``timestamp.txt`` next to a submitted notebook, if there is one.

    It sits in a folder the student writes, so it is read only if it is a regular file (never
    through a link, never a FIFO that would block or a device), and at most MAX_STAMP_BYTES."""
    text = (_read_small_file(Path(path).parent / "timestamp.txt", MAX_STAMP_BYTES) or "").strip()
    for pattern in ("%Y-%m-%d %H:%M:%S.%f %Z", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def _read_small_file(path: Path, limit: int) -> str | None:
    """The UTF-8 text of ``path`` if it is a regular file of at most ``limit`` bytes, else None."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        data = os.read(descriptor, limit + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    if len(data) > limit:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def write_csv(path: Path, assignment: Assignment, graded: Sequence[tuple[str, Result]]) -> None:
    """nbgrader export's columns, then one column of points per exercise. Text cells go through
    :func:`escape.csv_cell`: a student id such as ``=HYPERLINK(...)`` stays text in a spreadsheet."""
    exercises = list(assignment.exercises) or list(dict.fromkeys(e.name for _, r in graded for e in r.exercises))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([escape.csv_cell(column) for column in (*CSV_COLUMNS, *exercises)])
        for student, result in graded:
            stamp = submission_time(Path(result.submission))
            points = {e.name: e.points for e in result.exercises}
            row = [assignment.name, "", stamp.isoformat(sep=" ") if stamp else "", student, "", "", "",
                   result.points, 0.0, result.points, result.max_points, *(points.get(name, "") for name in exercises)]
            writer.writerow([escape.csv_cell(cell) for cell in row])


def course_id(root: Path | None) -> str:
    """The course id nbgrader_config.py sets (nbgrader's default otherwise)."""
    if root is None or not (root / "nbgrader_config.py").exists():
        return "default_course"
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    return str(config.CourseDirectory.get("course_id", "default_course"))


def record_in_gradebook(db_url: str, assignment: Assignment, graded: Sequence[tuple[str, Result]]) -> None:
    """Write each exercise's points as the auto score of its grade cell in nbgrader's gradebook, so
    formgrader and ``nbgrader export`` see them. Creates the assignment, notebook and grade cells if
    ``nbgrader generate_assignment`` has not."""
    from nbgrader.api import Gradebook, MissingEntry

    notebook = Path(assignment.notebook).stem
    graded = [(student, result) for student, result in graded if result.exercises]
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from here to create a new database
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    try:
        with Gradebook(db_url, course_id=course_id(assignment.course_root)) as gradebook:
            gradebook.update_or_create_assignment(assignment.name)
            gradebook.update_or_create_notebook(notebook, assignment.name)
            for exercise in graded[0][1].exercises if graded else ():
                gradebook.update_or_create_grade_cell(exercise.name, notebook, assignment.name,
                                                      max_score=exercise.max_points, cell_type="code")
            for student, result in graded:
                gradebook.update_or_create_student(student)
                stamp = submission_time(Path(result.submission))
                gradebook.update_or_create_submission(assignment.name, student,
                                                      **({"timestamp": stamp} if stamp else {}))
                for exercise in result.exercises:
                    grade = gradebook.find_grade(exercise.name, notebook, assignment.name, student)
                    grade.auto_score = min(max(exercise.points, 0.0), exercise.max_points)
                    grade.needs_manual_grade = False
                gradebook.db.commit()
    except MissingEntry as exc:
        raise InstructorError(f"the gradebook at {db_url} does not match this assignment ({exc}); "
                              "run `nbgrader generate_assignment` against it, or use a new database") from None
