"""Grade a class: find the submissions, skip what is already graded, grade the rest on an executor,
save each result atomically the moment it is done, and report progress on stderr.

The executor is any ``concurrent.futures.Executor``: a local pool of worker processes started
with ``spawn`` (never ``fork``: the trusted process may have run JAX, and a forked JAX
deadlocks), or a Dask cluster's. Each task only orchestrates a sandboxed child, so limits and
kills never depend on the executor, and the sandbox applies on every worker.

A batch killed at any moment (even with SIGKILL) loses nothing it saved: ``ResultStore`` writes
each result to a temporary file, syncs it and renames it into place. Re-running skips every
submission whose stored result was made from the same file by the same checks and engine.

Everything a student controls is bounded here too: discovery walks folders without recursion,
never follows a link and stops at a depth no layout needs; student ids (file and folder names,
which need not be UTF-8) are cleaned before they are printed or saved; a file is hashed in chunks,
and not at all over the size a submission may have; and whatever escapes grading one submission
becomes that submission's "not graded" result, never the end of the batch.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import json
import multiprocessing
import os
import stat
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from . import escape
from .config import Assignment
from .context import GradingContext
from .errors import InfrastructureError
from .junit import write_junit
from .pipeline import ALL_CHECKS, Selection, grade_submission
from .read import MAX_SUBMISSION_BYTES
from .results import Result
from .sandbox.isolation import Sandbox

__all__ = ["Progress", "ResultStore", "Task", "discover", "executor_for", "find_submissions", "grade_batch", "grade_many",
           "spawn_pool"]

SUBMISSION_SUFFIXES = (".ipynb", ".py")
PACKAGE = Path(__file__).resolve().parent
SKIPPED_FOLDERS = (".ipynb_checkpoints",)  # Jupyter's autosaves, never the submission
# Folders looked into below the one given: nbgrader's submitted/<student>/<assignment>/<file> is
# three levels down from the course folder; the rest is slack for archives unpacked into a folder.
MAX_FOLDER_DEPTH = 8
DIGEST_CHUNK_BYTES = 1024 * 1024  # memory held while hashing, whatever the file's size
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # O_NONBLOCK: a FIFO must not block the open
MAX_ERROR_CHARS = 300  # of an unexpected error's message, quoted in a "not graded" result


@dataclass(frozen=True)
class Task:
    """One student's submission: who, and which file."""

    student: str
    path: Path


# ---------------------------------------------------------------------------- finding submissions


def find_submissions(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders searched for notebooks and scripts, sorted (see :func:`_walk`)."""
    found: list[Path] = []
    for path in map(Path, paths):
        found += sorted(_walk(path)) if path.is_dir() else [path]  # a folder named here may be a link; none below it is
    return found


def _walk(folder: Path) -> list[Path]:
    """The notebooks and scripts under ``folder``: regular files only, no link followed (to a file or
    to a folder), at most MAX_FOLDER_DEPTH folders down, checkpoints skipped. Iterative, so a
    folder nested thousands deep costs nothing but the levels looked at."""
    found: list[Path] = []
    pending = [(folder, 0)]
    while pending:
        current, depth = pending.pop()
        for entry in _entries(current):
            kind = _kind(entry)
            if kind == "folder" and depth < MAX_FOLDER_DEPTH and entry.name not in SKIPPED_FOLDERS:
                pending.append((Path(entry.path), depth + 1))
            elif kind == "file" and Path(entry.name).suffix in SUBMISSION_SUFFIXES:
                found.append(Path(entry.path))
    return found


def _kind(entry: os.DirEntry[str]) -> str:
    """'folder', 'file' (a regular one) or '' for a link, a pipe, a device, a socket, or what cannot be looked at."""
    try:
        return "folder" if entry.is_dir(follow_symlinks=False) else "file" if entry.is_file(follow_symlinks=False) else ""
    except OSError:
        return ""


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:  # unreadable, or gone: nothing to grade there
        return []


def discover(paths: Iterable[Path], assignment: Assignment) -> list[Task]:
    """Tasks from files, flat folders of notebooks, or nbgrader's ``submitted/<student>/<assignment>/``.

    In nbgrader's layout the student is the folder name; otherwise it is the file name. Either is
    cleaned (:func:`escape.clean`): a name that is not UTF-8 still prints and saves.
    """
    tasks: list[Task] = []
    for path in paths:
        path = Path(path)
        layout = _nbgrader_students(path, assignment)
        if layout is not None:
            tasks += layout
        else:
            tasks += [Task(_student_of(p, assignment), p) for p in find_submissions([path])]
    return _unique(tasks)


def _nbgrader_students(folder: Path, assignment: Assignment) -> list[Task] | None:
    if not folder.is_dir():
        return None
    if _is_folder(folder / "submitted") and not _is_folder(folder / assignment.name):
        folder = folder / "submitted"
    students = [Path(e.path) for e in sorted(_entries(folder), key=lambda e: e.name)
                if _kind(e) == "folder" and _is_folder(Path(e.path) / assignment.name)]
    if not students:
        return None
    tasks = []
    for student in students:
        notebook = student / assignment.name / assignment.notebook
        # The notebook itself even when it is not a regular file (a link, a pipe): reading it then
        # refuses it with a message, so the student gets a verdict instead of vanishing.
        candidates = [notebook] if os.path.lexists(notebook) else sorted(_walk(student / assignment.name))
        tasks += [Task(escape.clean(student.name), candidates[0])] if candidates else []
    return tasks


def _is_folder(path: Path) -> bool:
    """A folder, and not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _student_of(path: Path, assignment: Assignment) -> str:
    if path.name == assignment.notebook and path.parent.name == assignment.name and path.parent.parent.name:
        return escape.clean(path.parent.parent.name)  # nbgrader's .../<student>/<assignment>/<assignment>.ipynb
    return escape.clean(path.stem)


def _unique(tasks: list[Task]) -> list[Task]:
    seen: dict[str, int] = {}
    unique = []
    for task in tasks:
        count = seen.get(task.student, 0)
        seen[task.student] = count + 1
        unique.append(task if count == 0 else Task(f"{task.student}~{count + 1}", task.path))
    return unique


# ---------------------------------------------------------------------------- saved results


def file_name(student: str) -> str:
    """A student id as a file name: one-to-one (two ids never share one) and never a path."""
    return escape.file_name(student)


def file_digest(path: Path) -> str:
    """A submission's SHA-256, streamed in chunks; links are not followed. A file over the size a
    submission may have is not read ('too-large:<bytes>': its size still tells a changed file), and
    anything but a regular file is 'unreadable'; reading refuses both with a message."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError:
        return "unreadable"
    with open(descriptor, "rb", buffering=0) as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return "unreadable"
        if info.st_size > MAX_SUBMISSION_BYTES:
            return f"too-large:{info.st_size}"
        return _sha256(handle, info.st_size + 1)


def _sha256(handle: Any, limit: int | None = None) -> str:
    """The hex SHA-256 of what ``handle`` holds, or of its first ``limit`` bytes."""
    digest = hashlib.sha256()
    left = limit
    while left is None or left > 0:
        chunk = handle.read(DIGEST_CHUNK_BYTES if left is None else min(left, DIGEST_CHUNK_BYTES))
        if not chunk:
            break
        digest.update(chunk)
        left = None if left is None else left - len(chunk)
    return digest.hexdigest()


def _course_digest(path: Path) -> str:
    """A course file's SHA-256 (the instructor's own files: links followed, no size limit), streamed."""
    try:
        with open(path, "rb") as handle:
            return _sha256(handle)
    except OSError:
        return "unreadable"


def assignment_digest(assignment: Assignment, seed: int | None) -> str:
    """What a result depends on besides the submission: checks, reference, config, data, engine."""
    digest = hashlib.sha256(f"{assignment.name}:{seed}".encode())
    files = [*assignment.check_files, assignment.directory / "assignment.toml", *sorted(PACKAGE.glob("*.py"))]
    files += [p for p in (assignment.reference, assignment.mistakes) if p is not None]
    files += list(assignment.data_files()[1])
    for path in files:
        digest.update(str(path.name).encode() + b"\0" + _course_digest(path).encode())
    return digest.hexdigest()


class ResultStore:
    """One JSON file per student in a folder, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.reused = 0  # how many results the last batch took from here instead of grading again

    def path_for(self, student: str) -> Path:
        """The student's file, always directly in the folder (file_name is never a path)."""
        target = self.folder / f"{file_name(student)}.json"
        if target.parent != self.folder:
            raise ValueError(f"the student id {escape.clean(student)!r} would be saved outside {self.folder}")
        return target

    def load(self, student: str) -> dict[str, Any] | None:
        try:
            document = json.loads(self.path_for(student).read_text(encoding="utf-8"))
            return document if isinstance(document, dict) and "result" in document else None
        except (OSError, ValueError):
            return None

    def save(self, student: str, result: Result, submission: str, assignment: str) -> None:
        document = {"student": escape.clean(student), "submission_sha256": submission, "assignment_sha256": assignment,
                    "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "result": result.to_json()}
        target = self.path_for(student)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1, allow_nan=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)


# ---------------------------------------------------------------------------- grading


@contextlib.contextmanager
def executor_for(workers: int, scheduler: str | None = None, dask_local: int | None = None) -> Iterator[Executor | None]:
    """Where tasks run: a Dask cluster by address, a local Dask cluster, a spawn pool, or here (None)."""
    if scheduler or dask_local:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InfrastructureError("Dask is not installed: pip install 'calc4ml-autograder[dask]'") from None
        with contextlib.ExitStack() as stack:
            if scheduler:
                client = stack.enter_context(Client(scheduler, timeout=30))
            else:
                cluster = stack.enter_context(LocalCluster(n_workers=dask_local, threads_per_worker=1, processes=True,
                                                           dashboard_address=":0"))
                client = stack.enter_context(Client(cluster))
            yield client.get_executor()
        return
    if workers <= 1:
        yield None
        return
    with spawn_pool(workers) as pool:
        yield pool


def spawn_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


_WORKER: list[GradingContext] = []  # this worker process's context, made by its first task (batch.py's own)


def worker_context() -> GradingContext:
    """The grading context a worker process keeps for all its submissions (made on first use, closed at exit)."""
    if not _WORKER:
        _WORKER.append(GradingContext.for_worker())
        atexit.register(_WORKER[0].close)
    return _WORKER[0]


def grade_task(assignment: Assignment, path: Path, sandbox: Sandbox, selection: Selection = ALL_CHECKS,
               context: GradingContext | None = None) -> Result:
    """One submission, as an executor runs it, in ``context`` (default: the worker's own, which keeps
    a child started ahead and the checks collected for the next submission). A machine failure, or
    anything else that escapes grading it, becomes a result saying so."""
    context = context if context is not None else worker_context()
    try:
        result = grade_submission(assignment, path, sandbox, selection=selection, context=context)
    except InfrastructureError as exc:
        return _not_graded(assignment, path, str(exc))
    except Exception as exc:  # noqa: BLE001 - RecursionError, MemoryError, a grader bug: this submission's, not the batch's
        return _not_graded(assignment, path, f"the grader failed on this submission ({_error_text(exc)}); "
                                             "this is not a verdict on the work: report it, and grade it again")
    peaks = context.peak_figures()
    return dataclasses.replace(result, timings={**result.timings, **{k: round(v, 1) for k, v in peaks.items()}})


def _not_graded(assignment: Assignment, path: Path, why: str) -> Result:
    """A result that says the submission was not graded and why; never saved, so a rerun retries it."""
    return Result(escape.clean(path), assignment.name, 0.0, 0.0, (), problem=f"not graded: {why}")


def _error_text(error: BaseException) -> str:
    text = f"{type(error).__name__}: {escape.clean(error)}" if str(error) else type(error).__name__
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS] + "..."


def grade_many(assignment: Assignment, paths: Sequence[Path], sandbox: Sandbox, *,
               executor: Executor | None = None, selection: Selection = ALL_CHECKS) -> Iterator[Result]:
    """Results in the order of ``paths`` (no saving, no skipping: for verify and tests).

    With an executor every submission is handed out at once, before the first result is asked for, so
    the caller can do other work while the workers grade."""
    if executor is None:
        return _one_by_one(assignment, paths, sandbox, selection)
    futures = [executor.submit(grade_task, assignment, path, sandbox, selection) for path in paths]
    return (future.result() for future in futures)


def _one_by_one(assignment: Assignment, paths: Sequence[Path], sandbox: Sandbox, selection: Selection) -> Iterator[Result]:
    context = GradingContext()
    try:
        for path in paths:
            yield grade_task(assignment, path, sandbox, selection, context=context)
    finally:
        context.close()


def grade_batch(
    assignment: Assignment,
    tasks: Sequence[Task],
    sandbox: Sandbox,
    *,
    executor: Executor | None = None,
    store: ResultStore | None = None,
    force: bool = False,
    seed: int | None = None,
    progress: Progress | None = None,
    junit: Path | None = None,
) -> list[tuple[Task, Result]]:
    """Grade every task not already saved for the same file, checks and engine; save as they finish."""
    fingerprint = assignment_digest(assignment, seed)
    done: dict[Task, Result] = {}
    todo: list[tuple[Task, str]] = []
    for task in tasks:
        digest = file_digest(task.path)
        saved = store.load(task.student) if store is not None and not force else None
        if saved and saved.get("submission_sha256") == digest and saved.get("assignment_sha256") == fingerprint:
            # the same file, maybe moved since: the result names where it is now
            done[task] = dataclasses.replace(Result.from_json(saved["result"]), student=task.student,
                                             submission=escape.clean(task.path))
        else:
            todo.append((task, digest))
    if store is not None:
        store.reused = len(done)
    progress = progress or Progress(len(todo), skipped=len(done))
    if junit is not None:
        junit.mkdir(parents=True, exist_ok=True)
    for task, digest, result in _run(assignment, todo, sandbox, executor, seed):
        result = dataclasses.replace(result, student=task.student)
        if store is not None and not result.problem.startswith("not graded"):
            store.save(task.student, result, digest, fingerprint)
        done[task] = result
        if junit is not None:
            write_junit(junit / f"{file_name(task.student)}.xml", task.student, result)
        progress.update(task, result)
    progress.finish()
    if junit is not None:  # the ones taken from the store too: the folder reports the whole class
        for task in tasks:
            if not (junit / f"{file_name(task.student)}.xml").exists():
                write_junit(junit / f"{file_name(task.student)}.xml", task.student, done[task])
    return [(task, done[task]) for task in tasks]


def _run(assignment: Assignment, todo: list[tuple[Task, str]], sandbox: Sandbox, executor: Executor | None,
         seed: int | None) -> Iterator[tuple[Task, str, Result]]:
    selection = Selection(seed=seed)
    if executor is None:
        context = GradingContext.for_worker()
        try:
            for index, (task, digest) in enumerate(todo):
                context.children.prestarter.enabled = index + 1 < len(todo)  # a spare for a next submission only
                yield task, digest, grade_task(assignment, task.path, sandbox, selection, context)
        finally:
            context.close()
        return
    futures: dict[Future[Result], tuple[Task, str]] = {
        executor.submit(grade_task, assignment, task.path, sandbox, selection): (task, digest)
        for task, digest in todo
    }
    for future in as_completed(futures):
        task, digest = futures[future]
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 - the worker died (killed for memory, a broken pool): this task's loss
            result = _not_graded(assignment, task.path, f"the process grading it stopped ({_error_text(exc)}); "
                                                        "grade it again")
        yield task, digest, result


class Progress:
    """Counts, failures and an ETA on stderr; one line per submission when stderr is not a terminal."""

    def __init__(self, total: int, skipped: int = 0, stream: IO[str] | None = None) -> None:
        self.total, self.skipped, self.stream = total, skipped, stream or sys.stderr
        self.count = self.failed = 0
        self.started = time.monotonic()
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        if skipped:
            self._say(f"{skipped} already graded with these checks: skipped (--force grades them again)\n")

    def update(self, task: Task, result: Result) -> None:
        self.count += 1
        self.failed += bool(result.problem)
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.count * (self.total - self.count)
        status = f"[{self.count}/{self.total}] {self.failed} not graded, ETA {_clock(eta)}"
        line = f"{status}  {escape.terminal_line(task.student)}: {result.points:g}/{result.max_points:g}"
        self._say(f"\r{line}\033[K" if self.live else f"{line}\n")

    def finish(self) -> None:
        if self.live and self.count:
            self._say("\n")

    def _say(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60}:{seconds % 60:02d}"
