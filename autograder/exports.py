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
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


def record_in_gradebook(db_url: str, assignment: Assignment, graded: Sequence[tuple[str, Result]], *,
                        autograded: bool = False) -> list[str]:
    """See :func:`_record_in_gradebook`; SQLAlchemy's "not in session" warning, which nbgrader's own
    API raises on every new submission (whatever the SQLAlchemy version), is not the instructor's
    concern and is not printed."""
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=SAWarning)
        return _record_in_gradebook(db_url, assignment, graded, autograded=autograded)


def _record_in_gradebook(db_url: str, assignment: Assignment, graded: Sequence[tuple[str, Result]], *,
                         autograded: bool = False) -> list[str]:
    """Write each exercise's points as the auto score of its grade cell in nbgrader's gradebook, so
    formgrader and ``nbgrader export`` see them. Returns remarks for the instructor.

    With ``autograded``, a submission that sits in an nbgrader course's
    ``submitted/<student>/<assignment>/`` also gets that course's ``autograded/<student>/<assignment>/``
    (see :mod:`.autograded`), the gradebook gets the notebook's cells as ``nbgrader
    generate_assignment`` records them if it lacks them, and every grade cell is scored as ``nbgrader
    autograde`` scores it: ours from our results, a manually graded answer left for a person (0 when
    unanswered). Otherwise only the exercises' grade cells are written, created if missing.

    As ``nbgrader autograde`` does, a manual score given in formgrader is kept (it is the grade's
    score) and that grade is flagged for review again (``needs_manual_grade``)."""
    from nbgrader.api import Gradebook, MissingEntry

    from . import autograded as layout

    graded = [(student, result) for student, result in graded if result.exercises]
    _alembic_on_path()
    course = course_id(assignment.course_root)
    places = {student: layout.place_of(result.submission, assignment) for student, result in graded} if autograded else {}
    remarks = _layout_remarks(graded, places) if autograded else []
    cells = layout.notebook_cells(db_url, assignment, course) if any(places.values()) else None
    if any(places.values()) and cells is None:
        remarks.append(f"autograded/ not written: the gradebook has no cells for {assignment.notebook} and there is no "
                       "source notebook to record them from; run `nbgrader generate_assignment` against it")
    notebook = Path(assignment.notebook).stem
    written: dict[Path, int] = {}
    try:
        with Gradebook(db_url, course_id=course) as gradebook:
            gradebook.update_or_create_assignment(assignment.name)
            _grade_cells(gradebook, assignment, notebook, graded, cells)
            gradebook.db.commit()
            for student, result in graded:
                place = places.get(student) if cells is not None else None
                built = _autograded_notebook(place, result, cells, db_url, remarks) if place and cells else None
                stamp = layout.read_timestamp(place) if place else _read_stamp(Path(result.submission))
                if stamp is None and os.path.lexists(Path(result.submission).parent / "timestamp.txt"):
                    remarks.append(f"the timestamp.txt of {escape.clean(student)} is not a small regular file, so it was "
                                   "not read; nbgrader reads it (through a link too), so formgrader may list the "
                                   "submission as not autograded")
                when = layout.parse_timestamp(stamp)
                if stamp is not None and when is None:
                    remarks.append(f"the timestamp.txt of {escape.clean(student)} does not hold a timestamp as nbgrader "
                                   "writes it; the submission is recorded without one")
                gradebook.update_or_create_student(student)
                gradebook.update_or_create_submission(assignment.name, student, timestamp=when)
                _score(gradebook, notebook, assignment.name, student, result, cells, built)
                gradebook.db.commit()
                if place is not None and built is not None:
                    files = {f"{notebook}.ipynb": built.notebook, **({layout.TIMESTAMP_FILE: stamp} if stamp else {})}
                    try:
                        entry = layout.write_entry(place, files)
                    except (OSError, ValueError) as exc:
                        remarks.append(f"autograded/ for {escape.clean(student)} not written: {escape.clean(exc)}")
                    else:
                        written[entry.parent.parent] = written.get(entry.parent.parent, 0) + 1
    except MissingEntry as exc:
        raise InstructorError(f"the gradebook at {db_url} does not match this assignment ({exc}); "
                              "run `nbgrader generate_assignment` against it, or use a new database") from None
    remarks += [f"wrote {count} student(s)' {assignment.name} into {folder} (nbgrader's autograded layout)"
                for folder, count in written.items()]
    return remarks


def _alembic_on_path() -> None:
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from here to create a new database
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def _read_stamp(submission: Path) -> bytes | None:
    text = _read_small_file(submission.parent / "timestamp.txt", MAX_STAMP_BYTES)
    return text.encode("utf-8") if text is not None else None


def _layout_remarks(graded: Sequence[tuple[str, Result]], places: dict[str, Any]) -> list[str]:
    """Why some submissions get no autograded/ entry: not in nbgrader's layout, or a folder name
    that is not the student id (not UTF-8, or the same student twice)."""
    remarks = []
    outside = [student for student, _ in graded if places.get(student) is None]
    if outside:
        remarks.append(f"autograded/ not written for {len(outside)} submission(s) outside an nbgrader course's "
                       f"submitted/<student>/<assignment>/ folders (e.g. {escape.clean(outside[0])}): formgrader lists "
                       "only those")
    for student, _ in graded:
        place = places.get(student)
        if place is not None and place.folder != student:
            remarks.append(f"autograded/ not written for {escape.clean(student)}: the folder name is not the student id "
                           "(a name that is not UTF-8, or a second submission of one student); rename the folder")
            places[student] = None
    return remarks


def _grade_cells(gradebook: Any, assignment: Assignment, notebook: str, graded: Sequence[tuple[str, Result]],
                 cells: Any) -> None:
    """The notebook's grade cells: as recorded (every exercise must have one), or made for the exercises."""
    if cells is None:
        gradebook.update_or_create_notebook(notebook, assignment.name)
        for exercise in graded[0][1].exercises if graded else ():
            gradebook.update_or_create_grade_cell(exercise.name, notebook, assignment.name,
                                                  max_score=exercise.max_points, cell_type="code")
        return
    unknown = sorted({e.name for _, result in graded for e in result.exercises} - set(cells.grade_cells))
    if unknown:
        raise InstructorError(f"{assignment.notebook} in the gradebook has no grade cell for {', '.join(unknown)}: every "
                              "exercise needs a grade cell with its name as grade_id (regenerate the release)")


def _autograded_notebook(place: Any, result: Result, cells: Any, db_url: str, remarks: list[str]) -> Any:
    from . import autograded as layout

    try:
        built = layout.build_notebook(place, Path(result.submission), result, cells, db_url)
    except Exception as exc:  # one student's notebook never stops the class's grades  # noqa: BLE001
        remarks.append(f"autograded/ for {escape.clean(place.folder)} not written: {escape.clean(exc)[:300]}")
        return None
    if built.note:
        remarks.append(f"autograded/ for {escape.clean(place.folder)} shows the grade cells only: {built.note}")
    return built


def _score(gradebook: Any, notebook: str, assignment: str, student: str, result: Result, cells: Any, built: Any) -> None:
    """Each grade as nbgrader's SaveAutoGrades sets it: auto_score, needs_manual_grade when there is
    a manual score or no auto score, and "No response." on unchanged answer cells."""
    from nbgrader.utils import compute_checksum, is_task

    from .autograded import clipped

    exercises = {exercise.name: exercise for exercise in result.exercises}
    names = cells.grade_cells if cells is not None else {e.name: e.max_points for e in result.exercises}
    for name, max_points in names.items():
        grade = gradebook.find_grade(name, notebook, assignment, student)
        if name in exercises:
            grade.auto_score = clipped(exercises[name].points, max_points)
        else:
            grade.auto_score = _manual_answer_score(built.cells.get(name) if built is not None else None)
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
    if cells is None or built is None:
        return
    for name in sorted(cells.solution_cells | cells.task_cells):
        cell = built.cells.get(name)
        if cell is None:
            continue
        try:
            unchanged = cell.metadata["nbgrader"].get("checksum") == compute_checksum(cell) and not is_task(cell)
        except Exception:  # noqa: BLE001 - metadata nbgrader cannot checksum: an answer, not "No response."
            unchanged = False
        gradebook.find_comment(name, notebook, assignment, student).auto_comment = "No response." if unchanged else None


def _manual_answer_score(cell: Any) -> float | None:
    """A grade cell that is not one of our exercises: an answer cell left as released scores 0 (as in
    nbgrader), anything else waits for a person (None: never full marks for a test we did not run)."""
    from nbgrader.utils import determine_grade, is_solution

    if cell is None or not is_solution(cell):
        return None
    try:
        score, _ = determine_grade(cell)
    except Exception:  # noqa: BLE001 - a cell nbgrader cannot score is a person's to grade
        return None
    return None if score is None else float(score)
