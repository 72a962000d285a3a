"""nbgrader's ``autograded/`` folder, written from our results, so that formgrader and ``nbgrader
generate_feedback`` work on a class graded by ``autograder grade``.

What nbgrader reads (``nbgrader/apps/api.py``): a student's submission counts as autograded when
(1) the gradebook has the submission, (2) ``autograded/<student>/<assignment>/`` exists and (3) the
submission's timestamp in the gradebook equals the one nbgrader parses from
``submitted/<student>/<assignment>/timestamp.txt`` (both None when there is none). Formgrader's
grading pages then list the notebooks found as ``autograded/<student>/<assignment>/<notebook>.ipynb``
and show them with the gradebook's scores and comments; ``nbgrader generate_feedback`` turns the
same files into HTML. The gradebook must hold the notebook's cells as ``generate_assignment``
records them (grade, solution, task and source cells): :func:`notebook_cells` reads them and, when
they are missing, has the real ``nbgrader generate_assignment`` record them, into a scratch release
folder so that ``release/`` is not touched.

Each student's notebook is the one ``nbgrader autograde`` would leave, made by nbgrader's own
sanitising preprocessors (outputs cleared, duplicate ids dropped, the kernelspec and every locked or
grade cell restored from the gradebook, checksums as generate_assignment set them, metadata
checked), except that nothing runs: each grade cell's output is our verdict (points, and each
check's message and hint as a student may see them, never a hidden check's ``detail``) and its value
is the points as a float, which nbgrader's ``determine_grade`` reads back as our score. Grade cells
the student deleted are put back. A notebook nbgrader cannot sanitise, or one we could not read at
all, still gets an entry: a note saying why, its code cells when they could be read, and every grade
cell with its verdict.

Everything in ``submitted/`` comes from students. It is read through descriptors opened without
following links (a link planted there is never read), within the reader's size and shape limits;
the student's folder name must be one path component and equal the student id; everything is
written below ``autograded/`` through folder descriptors that refuse links, into a fresh folder then
renamed into place, files read-only (0444) as nbgrader writes them.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import escape
from .config import Assignment
from .errors import InstructorError, UnreadableSubmission
from .read import MAX_SUBMISSION_BYTES, read_submission
from .results import CellReport, ExerciseResult, Result

__all__ = ["Built", "NotebookCells", "Place", "SourceCell", "build_notebook", "notebook_cells", "place_of",
           "read_timestamp", "write_entry"]

FILE_MODE = 0o444  # nbgrader's default for what autograde writes
FOLDER_MODE = 0o755
TIMESTAMP_FILE = "timestamp.txt"
MAX_TIMESTAMP_BYTES = 256  # nbgrader writes one line such as "2024-02-01 13:37:00.123456 UTC"
NBGRADER_SECONDS = 300  # for `nbgrader generate_assignment` recording the notebook's cells
DEFAULT_STRUCTURE = "{nbgrader_step}/{student_id}/{assignment_id}"
MISSING_CELL_NOTE = "This cell (id:{cell_id}) was missing from the submission; the autograder put it back.\n\n"
# A timestamp nbgrader's parse_utc may see: a date, a time and an optional zone name or offset. A
# zone must not look like a path: dateutil opens a zone given as an absolute path as a file.
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:.]{5,15}(?: ?[A-Za-z0-9_+:-]{1,40}(?:/[A-Za-z0-9_+-]{1,40}){0,3})?")
_OPEN_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # a FIFO must not block the open
_CREATE_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_STATUS_WORDS = {"passed": "correct", "failed": "not yet right", "error": "raised an error", "timeout": "too slow",
                 "crashed": "crashed", "missing": "missing"}
_CELL_WORDS = {"error": "raised an error", "timeout": "ran out of time", "crashed": "crashed the grader's process",
               "skipped": "was not run"}


# ---------------------------------------------------------------------------- the gradebook's cells


@dataclass(frozen=True)
class SourceCell:
    """A cell as ``generate_assignment`` recorded it (nbgrader's SourceCell, detached from the database)."""

    name: str
    cell_type: str
    locked: bool
    checksum: str | None
    source: str


@dataclass(frozen=True)
class NotebookCells:
    """The notebook's graded, solution, task and source cells, as the gradebook holds them."""

    assignment: str
    notebook: str
    source_cells: tuple[SourceCell, ...]  # in the notebook's order
    grade_cells: Mapping[str, float]  # grade id -> points
    solution_cells: frozenset[str]
    task_cells: frozenset[str]


def notebook_cells(db_url: str, assignment: Assignment, course_id: str) -> NotebookCells | None:
    """The notebook's cells from the gradebook; when it has none, recorded first by running the real
    ``nbgrader generate_assignment`` on ``source/<a>/`` (None when there is no source notebook)."""
    cells = _read_cells(db_url, assignment, course_id)
    source = assignment.source_dir / assignment.notebook if assignment.source_dir is not None else None
    if cells is None and source is not None and source.is_file():
        _record_cells(db_url, assignment)
        cells = _read_cells(db_url, assignment, course_id)
    return cells


def _read_cells(db_url: str, assignment: Assignment, course_id: str) -> NotebookCells | None:
    from nbgrader.api import Gradebook, MissingEntry

    name = Path(assignment.notebook).stem
    with Gradebook(db_url, course_id=course_id) as gradebook:
        try:
            notebook = gradebook.find_notebook(name, assignment.name)
        except MissingEntry:
            return None
        sources = tuple(SourceCell(c.name, c.cell_type, bool(c.locked), c.checksum, c.source) for c in notebook.source_cells)
        if not sources:
            return None
        return NotebookCells(assignment.name, name, sources, {c.name: float(c.max_score) for c in notebook.grade_cells},
                             frozenset(c.name for c in notebook.solution_cells), frozenset(c.name for c in notebook.task_cells))


def _record_cells(db_url: str, assignment: Assignment) -> None:
    """``nbgrader generate_assignment`` against ``db_url``, writing its release into a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="calc4ml-cells-") as scratch:
        command = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment.name, "--log-level=WARN",
                   f"--CourseDirectory.release_directory={scratch}", f"--CourseDirectory.db_url={db_url}"]
        try:
            done = subprocess.run(command, cwd=assignment.course_root, capture_output=True, text=True,
                                  timeout=NBGRADER_SECONDS)
        except subprocess.TimeoutExpired:
            raise InstructorError(f"nbgrader generate_assignment {assignment.name} took over {NBGRADER_SECONDS} s") from None
    if done.returncode != 0:
        raise InstructorError(
            f"the gradebook at {db_url} lacks the cells of {assignment.notebook}, and `nbgrader generate_assignment "
            f"{assignment.name}` could not record them (exit {done.returncode}):\n{done.stderr[-3000:]}\n"
            "If it says there are submissions, the gradebook has scores recorded without the notebook's cells: "
            "grade into a new gradebook, or run `nbgrader generate_assignment` before grading")


# ---------------------------------------------------------------------------- where a submission sits


@dataclass(frozen=True)
class Place:
    """A submission in an nbgrader course: ``<course>/<submitted>/<folder>/<assignment>/<file>``."""

    course: Path
    submitted: str  # the course's folder names (nbgrader's CourseDirectory settings)
    autograded: str
    folder: str  # the student's folder: nbgrader's student id
    assignment: str
    file: str


def place_of(submission: str, assignment: Assignment) -> Place | None:
    """Where ``submission`` sits, if it is in an nbgrader course's submitted folder."""
    path = Path(os.path.abspath(submission))
    if len(path.parts) < 5 or path.parent.name != assignment.name:
        return None
    course = path.parents[3]
    folders = _course_folders(course)
    if folders is None or path.parents[2].name != folders[0]:
        return None
    return Place(course, folders[0], folders[1], path.parent.parent.name, assignment.name, path.name)


@functools.lru_cache(maxsize=8)
def _course_folders(course: Path) -> tuple[str, str] | None:
    """The course's submitted and autograded folder names (None: a layout other than nbgrader's default)."""
    settings: dict[str, Any] = {}
    if (course / "nbgrader_config.py").is_file():
        from traitlets.config.loader import PyFileConfigLoader

        try:
            config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
        except Exception as exc:  # noqa: BLE001 - the instructor's file: say which one and why
            raise InstructorError(f"{course / 'nbgrader_config.py'} cannot be loaded ({type(exc).__name__}: {exc})") from None
        settings = dict(config.get("CourseDirectory", {}))
    if settings.get("directory_structure", DEFAULT_STRUCTURE) != DEFAULT_STRUCTURE:
        return None
    submitted, autograded = str(settings.get("submitted_directory", "submitted")), str(settings.get("autograded_directory",
                                                                                                      "autograded"))
    return (submitted, autograded) if _one_component(submitted) and _one_component(autograded) else None


def _one_component(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\0" not in name


# ---------------------------------------------------------------------------- reading submitted/


@contextmanager
def _submitted_folder(place: Place) -> Iterator[int]:
    """A descriptor of ``submitted/<folder>/<assignment>/``; no link followed below the course."""
    descriptor = os.open(place.course, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)  # the instructor's folder
    try:
        for part in (place.submitted, place.folder, place.assignment):
            inner = os.open(part, _OPEN_FOLDER, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
        yield descriptor
    finally:
        os.close(descriptor)


def _read_file(folder: int, name: str, limit: int) -> bytes:
    """A regular file's bytes (no link, FIFO or device; at most ``limit``), else UnreadableSubmission."""
    shown = escape.clean(name)
    try:
        descriptor = os.open(name, _OPEN_FILE, dir_fd=folder)
    except OSError as exc:
        why = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror
        raise UnreadableSubmission(f"{shown} cannot be opened ({why})") from None
    with open(descriptor, "rb", buffering=0) as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableSubmission(f"{shown} is not a regular file")
        if info.st_size > limit:
            raise UnreadableSubmission(f"{shown} is {info.st_size:,} bytes, over the {limit:,} limit")
        chunks, left = [], limit + 1
        while left > 0 and (chunk := handle.read(left)):
            chunks.append(chunk)
            left -= len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        raise UnreadableSubmission(f"{shown} grew while it was being read")
    return data


def read_timestamp(place: Place) -> bytes | None:
    """``timestamp.txt`` of the submission, if it is a small regular file (never through a link)."""
    try:
        with _submitted_folder(place) as folder:
            return _read_file(folder, TIMESTAMP_FILE, MAX_TIMESTAMP_BYTES)
    except (OSError, UnreadableSubmission):
        return None


def parse_timestamp(data: bytes | str | None) -> Any:
    """The timestamp as nbgrader's ``parse_utc`` reads it (a naive UTC datetime), or None."""
    from nbgrader.utils import parse_utc

    if data is None:
        return None
    try:
        text = (data.decode("utf-8") if isinstance(data, bytes) else data).strip()
    except UnicodeDecodeError:
        return None
    if not TIMESTAMP.fullmatch(text):
        return None
    try:
        return parse_utc(text)
    except (ValueError, OverflowError, LookupError, TypeError):
        return None


def _read_notebook(place: Place) -> Any:
    """The submitted notebook as an nbformat 4 node, within the reader's limits."""
    import nbformat.v4

    # the reader's own bounded steps (size, binary, JSON shape and depth, decoding): one set of limits
    from .read import _check_json_shape, _decode_text, _load_json, _refuse_binary, _upgrade_v3

    if not place.file.endswith(".ipynb"):
        raise UnreadableSubmission(f"{escape.clean(place.file)} is not a notebook")
    with _submitted_folder(place) as folder:
        raw = _read_file(folder, place.file, MAX_SUBMISSION_BYTES)
    path = Path(place.file)
    _refuse_binary(raw, path)
    _check_json_shape(raw, path)
    document = _load_json(_decode_text(raw, path), path)
    if not isinstance(document, dict) or document.get("nbformat") not in (3, 4):
        raise UnreadableSubmission(f"{escape.clean(place.file)} is not an nbformat 4 notebook")
    if document["nbformat"] == 3:
        document = _upgrade_v3(document, path)
    return nbformat.v4.to_notebook_json(document)  # sources kept as lists of lines joined, as nbformat.reads does


# ---------------------------------------------------------------------------- the autograded notebook


@dataclass(frozen=True)
class Built:
    """One student's autograded notebook, serialised, and what it says about the other cells."""

    notebook: bytes
    note: str  # why it is not the student's own notebook ('' when it is)
    cells: Mapping[str, Any]  # grade id -> the cell as written (for nbgrader's determine_grade and checksums)


def build_notebook(place: Place, submission: Path, result: Result, cells: NotebookCells, db_url: str) -> Built:
    """The notebook nbgrader's autograde would leave, with our verdicts as the grade cells' outputs."""
    import nbformat

    resources = {"nbgrader": {"notebook": cells.notebook, "assignment": cells.assignment, "student": place.folder,
                              "db_url": db_url}}
    note = result.problem
    notebook = None
    if not note:
        try:
            notebook = _sanitised(_read_notebook(place), resources)
            _show_cell_outcomes(notebook, result.cells)
            _put_back_grade_cells(notebook, cells)
            _show_verdicts(notebook, result, cells)
            nbformat.validate(notebook)
        except Exception as exc:  # whatever the student's file holds, they get an entry  # noqa: BLE001
            note = f"the submitted notebook could not be used as it is ({type(exc).__name__}: {escape.clean(exc)[:300]})"
            notebook = None
    if notebook is None:
        notebook = _stand_in(note, submission, resources)
        _put_back_grade_cells(notebook, cells)
        _show_verdicts(notebook, result, cells)
        nbformat.validate(notebook)
    text = escape.clean(nbformat.writes(notebook))  # a lone surrogate from the student's JSON cannot be UTF-8
    written = nbformat.reads(text, as_version=4)  # the other cells are scored from the file as nbgrader will read it
    by_id = {c.metadata["nbgrader"]["grade_id"]: c for c in written.cells if "grade_id" in c.metadata.get("nbgrader", {})}
    return Built(text.encode("utf-8"), note, by_id)


def _quiet() -> logging.Logger:
    """For nbgrader's preprocessors: their per-cell warnings ("checksum has changed") are the
    integrity notes grading already made."""
    logger = logging.getLogger("autograder.autograded.nbgrader")
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return logger


def _sanitised(notebook: Any, resources: dict[str, Any]) -> Any:
    """nbgrader autograde's first pass, by nbgrader's own preprocessors, in its order."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import OverwriteCells

    for kind in Autograde.sanitize_preprocessors.default():
        options = {"add_missing_cells": False} if kind is OverwriteCells else {}  # done below, wherever they were
        notebook, resources = kind(log=_quiet(), **options)(notebook, resources)
    return notebook


def _stand_in(note: str, submission: Path, resources: dict[str, Any]) -> Any:
    """A notebook for a submission that cannot be shown as it is: the note, then its code if we can read it."""
    import nbformat.v4 as v4
    from nbgrader.preprocessors import OverwriteKernelspec

    notebook = v4.new_notebook()
    notebook.cells.append(v4.new_markdown_cell(f"**autograder:** {escape.markdown_message(note)}"))
    try:
        code = read_submission(submission).cells
    except UnreadableSubmission:
        code = ()
    notebook.cells += [v4.new_code_cell(escape.clean(cell.source)) for cell in code]
    try:
        notebook, _ = OverwriteKernelspec(log=_quiet())(notebook, resources)
    except Exception:  # noqa: BLE001 - the kernelspec is a nicety; the entry matters
        pass
    return notebook


def _grade_id(cell: Any) -> str | None:
    value = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return value if isinstance(value, str) else None


def _put_back_grade_cells(notebook: Any, cells: NotebookCells) -> None:
    """Every grade cell of the gradebook missing from the notebook, re-made by nbgrader's own
    ``missing_cell_transform`` after the cell that precedes it in the source (at the end otherwise)."""
    from nbgrader.preprocessors import OverwriteCells

    remake = OverwriteCells(log=_quiet(), missing_cell_notification=MISSING_CELL_NOTE)
    present = {_grade_id(c) for c in notebook.cells}
    order = [cell.name for cell in cells.source_cells]
    for index, source in enumerate(cells.source_cells):
        if source.name not in cells.grade_cells or source.name in present:
            continue
        cell = remake.missing_cell_transform(source, cells.grade_cells[source.name],
                                             is_solution=source.name in cells.solution_cells)
        before = {name for name in order[:index] if name in present}
        positions = [i for i, c in enumerate(notebook.cells) if _grade_id(c) in before]
        notebook.cells.insert(positions[-1] + 1 if positions else len(notebook.cells), cell)
        present.add(source.name)


def _show_cell_outcomes(notebook: Any, reports: tuple[CellReport, ...]) -> None:
    """Under a cell that did not run cleanly when we graded, say so (the student's own error)."""
    for report in reports:
        if report.status == "ok" or not 0 < report.number <= len(notebook.cells):
            continue
        cell = notebook.cells[report.number - 1]
        if cell.cell_type == "code" and not cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            text = f"autograder: this cell {_CELL_WORDS.get(report.status, report.status)} when it was graded"
            cell.outputs = [_stream(f"{text}: {escape.terminal(report.message)}\n" if report.message else text + "\n")]


def _show_verdicts(notebook: Any, result: Result, cells: NotebookCells) -> None:
    exercises = {exercise.name: exercise for exercise in result.exercises}
    for cell in notebook.cells:
        grade_id = _grade_id(cell)
        if cell.cell_type != "code" or grade_id not in exercises or not cell.metadata["nbgrader"].get("grade"):
            continue
        exercise = exercises[grade_id]
        points = clipped(exercise.points, cells.grade_cells.get(grade_id, exercise.max_points))
        cell.outputs = [_stream(verdict_text(exercise, points, cells.grade_cells.get(grade_id, exercise.max_points))),
                        _value(points)]
        cell.execution_count = None


def clipped(points: float, max_points: float) -> float:
    """Points as nbgrader may record them: within [0, max_points]."""
    return float(min(max(points, 0.0), max_points))


def verdict_text(exercise: ExerciseResult, points: float, max_points: float) -> str:
    """What a grade cell shows: the points, then each check with its message and hint as a student
    may see them (a hidden check's ``message`` names the kind of mistake, never its values)."""
    lines = [f"{escape.terminal_line(exercise.name)}: {points:g} of {max_points:g} points "
             f"({_STATUS_WORDS.get(exercise.status, escape.terminal_line(exercise.status))})"]
    for check in exercise.checks:
        mark = "ok" if check.status == "passed" else "--"
        hidden = " (hidden check)" if check.hidden else ""
        lines.append(f"  {mark} {escape.terminal_line(check.name)}{hidden}: {check.points:g}/{check.max_points:g}")
        if check.status != "passed":
            if check.message:
                lines += [f"       {line}" for line in escape.terminal(check.message).splitlines()]
            if check.hint:
                lines += [f"       hint: {line}" for line in escape.terminal(check.hint).splitlines()]
    return "\n".join(lines) + "\n"


def _stream(text: str) -> Any:
    import nbformat.v4 as v4

    return v4.new_output("stream", name="stdout", text=text)


def _value(points: float) -> Any:
    import nbformat.v4 as v4

    return v4.new_output("execute_result", data={"text/plain": repr(points)}, execution_count=None)


# ---------------------------------------------------------------------------- writing autograded/


def write_entry(place: Place, files: Mapping[str, bytes]) -> Path:
    """``autograded/<folder>/<assignment>/`` holding exactly ``files``, replacing what was there.

    Every step below the course folder refuses links; the files go into a fresh folder first, which
    is then renamed into place, so a reader sees the old entry or the new one."""
    for name in (place.folder, place.assignment, *files):
        if not _one_component(name):
            raise ValueError(f"{escape.clean(name)!r} is not a single file name")
    course = os.open(place.course, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        autograded = _folder(course, place.autograded)
        try:
            student = _folder(autograded, place.folder)
            try:
                _replace(student, place.assignment, files)
            finally:
                os.close(student)
        finally:
            os.close(autograded)
    finally:
        os.close(course)
    return place.course / place.autograded / place.folder / place.assignment


def _folder(parent: int, name: str) -> int:
    """The folder ``name`` in ``parent``, made if missing; never a link."""
    try:
        os.mkdir(name, FOLDER_MODE, dir_fd=parent)
    except FileExistsError:
        pass
    try:
        return os.open(name, _OPEN_FOLDER, dir_fd=parent)
    except OSError as exc:
        raise OSError(f"{escape.clean(name)!r} is not a folder (a link, or a file): {exc.strerror}") from None


def _replace(student: int, name: str, files: Mapping[str, bytes]) -> None:
    token = secrets.token_hex(6)
    fresh, old = f".{name}.autograder-new-{token}", f".{name}.autograder-old-{token}"
    os.mkdir(fresh, FOLDER_MODE, dir_fd=student)
    try:
        folder = os.open(fresh, _OPEN_FOLDER, dir_fd=student)
        try:
            for file_name, data in files.items():
                _write_file(folder, file_name, data)
        finally:
            os.close(folder)
        try:
            os.rename(name, old, src_dir_fd=student, dst_dir_fd=student)
        except FileNotFoundError:
            old = ""
        os.rename(fresh, name, src_dir_fd=student, dst_dir_fd=student)
    except BaseException:
        shutil.rmtree(fresh, dir_fd=student, ignore_errors=True)
        raise
    if old:
        _remove(student, old)


def _write_file(folder: int, name: str, data: bytes) -> None:
    descriptor = os.open(name, _CREATE_FILE, FILE_MODE, dir_fd=folder)
    with open(descriptor, "wb", buffering=0) as handle:
        view = memoryview(data)
        while view:
            view = view[handle.write(view):]


def _remove(parent: int, name: str) -> None:
    """Remove ``name`` from ``parent``: a folder's tree (links in it removed, never followed) or a file."""
    if stat.S_ISDIR(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode):
        shutil.rmtree(name, dir_fd=parent)
    else:
        os.unlink(name, dir_fd=parent)
