"""Checks are plain pytest tests; this plugin gives them their fixtures and turns outcomes into verdicts.

A check looks like this::

    @pytest.mark.exercise("forward_propagation", points=1)
    def check_forward_propagation_shape(submission, reference, rng):
        ...

Fixtures: ``submission`` (the student's functions, running elsewhere), ``reference`` and
``mistakes`` (oracles: the reference solution and the module of known wrong answers), ``rng`` (a
numpy Generator seeded for this check), ``seed`` (its integer seed) and ``contract`` (what the
notebook in hand promises, :mod:`autograder.contract`). Markers: ``exercise(name,
points=...)`` on every check, ``hidden`` on checks students never see (the hidden checks file
sets it for all of its checks), ``limits(call_seconds=...)`` for a check that needs more time.

:func:`run_checks` runs one submission through the checks with ``pytest.main`` and returns one
:class:`CheckResult` per check.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import sys
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Literal

import numpy as np
import pytest

from . import hints
from .config import Assignment
from .contract import OURS, Contract
from .errors import CheckFailure, InfrastructureError, InstructorError, StudentCodeRaised, StudentError
from .figures import Figure
from .numeric import forcing_mistakes
from .oracle import CaseNotRecorded, Oracle
from .policy import violations
from .results import CheckResult, Status
from .sandbox.submission import Submission

__all__ = ["CheckRun", "derive_seed", "public_checks", "run_checks"]

INI_FILE = Path(__file__).with_name("checks.ini")
Visibility = Literal["public", "all"]


@dataclass
class CheckRun:
    """Everything one pytest run over one submission needs, and what it found."""

    assignment: Assignment
    submission: Submission
    reference: Oracle | None
    mistakes: Oracle | None
    visibility: Visibility
    exercise: str | None = None
    seed: int = 0
    contract: Contract = OURS  # what the notebook in hand promises (contract.py)
    results: list[CheckResult] = field(default_factory=list)
    broken_checks: list[str] = field(default_factory=list)  # checks that cannot run at all
    grader_errors: list[str] = field(default_factory=list)  # checks that crashed on this submission
    infrastructure_error: InfrastructureError | None = None
    check_seconds: float = 0.0  # time in the checks' bodies, calls into the submission included
    _rule_breaks: dict[str, list[str]] = field(default_factory=dict)

    def start_over(self) -> None:
        """Forget what a run that did not finish found, before running the checks again."""
        self.results.clear()
        self.broken_checks.clear()
        self.grader_errors.clear()
        self.infrastructure_error, self.check_seconds = None, 0.0

    def rule_breaks(self, exercise: str) -> list[str]:
        """The exercise's policy violations in this submission (computed once per exercise)."""
        if exercise not in self._rule_breaks:
            policy = self.assignment.policies.get(exercise)
            sources = list(self.submission.cell_sources)
            self._rule_breaks[exercise] = violations(sources, exercise, policy) if policy else []
        return self._rule_breaks[exercise]

    # -- pytest hooks (this object is registered as a plugin for the run)

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[_RUN] = self

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.broken_checks.append(f"the checks in {report.nodeid or 'the assignment'} failed to load:\n{report.longreprtext}")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        keep, drop = [], []
        for item in items:
            problem = _marker_problem(item)
            if problem:
                self.broken_checks.append(problem)
                drop.append(item)
            elif (self.visibility == "public" and _is_hidden(item)) or (
                self.exercise is not None and _exercise(item)[0] != self.exercise
            ):
                drop.append(item)
            else:
                keep.append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
        items[:] = keep


_RUN = pytest.StashKey[CheckRun]()


def derive_seed(session_seed: int, check_id: str) -> int:
    """A check's own seed: stable for the same session seed and check, distinct across checks."""
    digest = hashlib.sha256(f"{session_seed}:{check_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def _check_id(item: pytest.Item) -> str:
    return f"{Path(str(item.path)).stem}::{item.name}"


def _exercise(item: pytest.Item) -> tuple[str, float]:
    marker = item.get_closest_marker("exercise")
    assert marker is not None
    return str(marker.args[0]), float(marker.kwargs.get("points", 1))


def _is_hidden(item: pytest.Item) -> bool:
    return item.get_closest_marker("hidden") is not None


def _marker_problem(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("exercise")
    where = _check_id(item)
    if marker is None or len(marker.args) != 1 or not isinstance(marker.args[0], str):
        return f"{where} has no @pytest.mark.exercise(\"<name>\", points=...) marker; add one"
    points = marker.kwargs.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
        return f"{where} has invalid points {points!r}; use a non-negative number"
    if _is_hidden(item) and Path(str(item.path)).name == "checks_public.py":
        return f"{where} is marked hidden but lives in checks_public.py, which ships to students; move it to checks_hidden.py"
    return None


# ---------------------------------------------------------------------------- pytest hooks


def pytest_configure(config: pytest.Config) -> None:
    # pytest's own failure report is never shown (each check writes its message), and its source
    # excerpts cost tens of milliseconds per failed check: the plain traceback is enough
    config.option.tbstyle = "native"
    config.addinivalue_line("markers", "exercise(name, points=1): the exercise this check scores, and its points")
    config.addinivalue_line("markers", "hidden: a check students do not see (hidden checks file)")
    config.addinivalue_line("markers", "limits(call_seconds=...): a longer time limit for this check's calls")


@pytest.fixture
def submission(request: pytest.FixtureRequest) -> Iterator[Submission]:
    run = request.config.stash[_RUN]
    marker = request.node.get_closest_marker("limits")
    seconds = float(marker.kwargs["call_seconds"]) if marker is not None and "call_seconds" in marker.kwargs else None
    run.submission.stand_in_log.clear()
    with run.submission.call_limit(seconds):
        yield run.submission


@pytest.fixture
def reference(request: pytest.FixtureRequest) -> Oracle:
    run = request.config.stash[_RUN]
    if run.reference is None:
        raise InstructorError("this check needs the reference, which is not available here")
    return run.reference


@pytest.fixture
def mistakes(request: pytest.FixtureRequest) -> Oracle:
    run = request.config.stash[_RUN]
    if run.mistakes is None:
        raise InstructorError(f"this check needs assignments/{run.assignment.name}/mistakes.py, which is missing")
    return run.mistakes


class Feedback:
    """What a check attaches for the student's feedback besides its verdict: plots."""

    def __init__(self) -> None:
        self.figures: list[dict[str, object]] = []

    def attach(self, figure: Figure) -> None:
        self.figures.append(figure.to_json())

    @contextlib.contextmanager
    def on_failure(self, build: Callable[[], Figure | None]) -> Iterator[None]:
        """Attach ``build()``'s figure if the check fails inside the block. Building is best
        effort: a figure that cannot be drawn (the student's code raised, an answer was not
        recorded for self-checks) is left out, never a grader error."""
        try:
            yield
        except CheckFailure:
            figure = self._build(build)
            if figure is not None:
                self.attach(figure)
            raise
        if forcing_mistakes():  # recording public cases: ask the reference what the figure will need
            self._build(build)

    @staticmethod
    def _build(build: Callable[[], Figure | None]) -> Figure | None:
        try:
            return build()
        except Exception:  # noqa: BLE001 - a figure is a bonus; its failure must not change the verdict
            return None


_FEEDBACK = pytest.StashKey[Feedback]()


@pytest.fixture
def feedback(request: pytest.FixtureRequest) -> Feedback:
    """``feedback.attach(Figure(...))``: a plot shown with this check's verdict (public checks only)."""
    attached = Feedback()
    request.node.stash[_FEEDBACK] = attached
    return attached


@pytest.fixture
def contract(request: pytest.FixtureRequest) -> Contract:
    """What the notebook in hand promises: ``contract.get("outputs", N_Y)`` is its limit, or the check's own
    choice where the notebook promises everything (see :mod:`autograder.contract`)."""
    return request.config.stash[_RUN].contract


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> int:
    return derive_seed(request.config.stash[_RUN].seed, _check_id(request.node))


@pytest.fixture
def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    run = item.config.stash[_RUN]
    if call.when == "call":
        run.check_seconds += call.duration
    if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
        verdict = _verdict(run, item, call.excinfo)
        run.results.append(verdict)
    return report


def _verdict(run: CheckRun, item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException] | None) -> CheckResult:
    exercise, points = _exercise(item)
    judged = _judge(run, item, excinfo)
    broken = run.rule_breaks(exercise)
    if broken:  # found in the student's own code: safe to show as it is
        text = "rule broken: " + "; ".join(broken)
        judged = _Judgement("failed", text, text, "Solve it the way the exercise asks; the checks only count when the "
                                                  "rules are kept.")
    hint = judged.hint
    if judged.status in ("failed", "error") and not hint:
        hint = hints.reads_notebook_globals(run.submission, exercise) or _stand_in_hint(run.submission) or ""
    hidden = _is_hidden(item)
    return CheckResult(
        name=item.name.removeprefix("check_"),
        exercise=exercise,
        points=points if judged.status == "passed" else 0.0,
        max_points=points,
        status=judged.status,
        message=_bounded(judged.summary if hidden else judged.message),
        hint=hint,
        seed=derive_seed(run.seed, _check_id(item)),
        hidden=hidden,
        figures=tuple(item.stash[_FEEDBACK].figures) if _FEEDBACK in item.stash and not hidden else (),
        detail=_bounded(judged.message) if hidden and judged.message != judged.summary else "",
    )


def _stand_in_hint(submission: Submission) -> str | None:
    return next(filter(None, (stand_ins.hint() for stand_ins in submission.stand_in_log)), None)


@dataclass(frozen=True)
class _Judgement:
    """A check's outcome: ``message`` for the instructor and public checks, ``summary`` without any
    value of the check's inputs or answers (what a hidden check shows the student)."""

    status: Status
    message: str
    summary: str
    hint: str


_WRONG = "the answer is not right (a hidden check: its inputs and the expected answer are not shown)."


def _judge(run: CheckRun, item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException] | None) -> _Judgement:
    if excinfo is None:
        return _Judgement("passed", "", "", "")
    error = excinfo.value
    if isinstance(error, CheckFailure):
        return _Judgement("failed", error.message, error.summary or _WRONG, error.hint or "")
    if isinstance(error, CaseNotRecorded):
        text = ("this check cannot run on this machine: the recorded answers it needs do not cover the inputs it "
                "made here. It runs as usual when your work is graded; please tell your instructor")
        return _Judgement("error", f"{text} ({error})", text, "")
    if isinstance(error, StudentError):
        message = str(error)
        hint = hints.for_error(error) or ""
        if isinstance(error, StudentCodeRaised) and error.exc_type == "NameError":  # often a notebook variable
            hint = hints.reads_notebook_globals(run.submission, _exercise(item)[0]) or hint
        return _Judgement(error.status, message, error.summary or message, hint)  # type: ignore[arg-type]
    if isinstance(error, AssertionError):
        return _Judgement("failed", _first_lines(str(error)) or "the check's assertion failed", _WRONG, "")
    if isinstance(error, InfrastructureError):
        run.infrastructure_error = error
        return _Judgement("error", f"not graded: {error}", f"not graded: {error}", "")
    if isinstance(error, (KeyboardInterrupt, SystemExit)):
        raise error
    detail = f"{type(error).__name__}: {error}"
    run.grader_errors.append(f"{_check_id(item)} crashed: {detail}")
    generic = "the grader failed on this check, not your code; tell your instructor"
    return _Judgement("error", f"the grader failed on this check, not your code ({_first_lines(detail)}); tell your "
                               "instructor", generic, "")


MAX_MESSAGE_CHARS = 2000  # of a verdict's message: one can quote a value the student made (up to a frame's 64 MB)


def _bounded(text: str) -> str:
    """``text`` cut at :data:`MAX_MESSAGE_CHARS`, saying how much was left out."""
    if len(text) <= MAX_MESSAGE_CHARS:
        return text
    return f"{text[:MAX_MESSAGE_CHARS]} … ({len(text) - MAX_MESSAGE_CHARS} more characters left out)"


def _first_lines(text: str, lines: int = 3) -> str:
    return "\n".join(text.strip().splitlines()[:lines])


# ---------------------------------------------------------------------------- running


# pytest plugins no check uses; each costs start-up or per-check hook calls in every submission
_UNUSED_PLUGINS = ("doctest", "debugging", "unittest", "legacypath", "tmpdir", "monkeypatch", "recwarn", "setuponly",
                   "setupplan", "logging", "faulthandler", "subtests")


def run_checks(run: CheckRun, sessions: KeptSessions | None = None) -> list[CheckResult]:
    """Run the assignment's checks (public, or all) on ``run.submission``; one result per check.

    With ``sessions`` (a grading process's, :mod:`autograder.context`), the checks stay collected
    between submissions (see :class:`KeptSession`); otherwise each call is one ``pytest.main``."""
    files = run.assignment.check_files if run.visibility == "all" else (run.assignment.public_checks,)
    if sessions is not None:
        results = sessions.run(run, files)
        if results is not None:
            return results
    args = _pytest_args(run, files)
    code = _pytest_main(args, run, files)
    return _outcome(run, code, files)


def _pytest_args(run: CheckRun, files: Sequence[Path]) -> list[str]:
    return [
        *(str(f) for f in files),
        "-c", str(INI_FILE), "--rootdir", str(run.assignment.directory),
        "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:stepwise", "-p", "no:pastebin",
        # these two run gc.collect() at the end of every session: with JAX loaded, most of its cost
        "-p", "no:unraisableexception", "-p", "no:threadexception",
        "--import-mode=importlib",
        "--capture=sys",
        "-p", "no:junitxml",  # JUnit is written from the results, by the trusted side (autograder.junit)
        *(arg for name in _UNUSED_PLUGINS for arg in ("-p", f"no:{name}")),
    ]


def _pytest_main(args: list[str], host: object, files: Sequence[Path]) -> int | pytest.ExitCode:
    saved = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    _forget_other_checks(files)
    try:
        return pytest.main(args, plugins=[host, sys.modules[__name__]])
    finally:
        _restore_env("PYTEST_DISABLE_PLUGIN_AUTOLOAD", saved)


def _outcome(run: CheckRun, code: int | pytest.ExitCode, files: Sequence[Path]) -> list[CheckResult]:
    if code == pytest.ExitCode.INTERRUPTED and not run.broken_checks:  # collection errors also "interrupt"
        raise KeyboardInterrupt
    if run.broken_checks or code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        _forget_checks(files)  # a module that failed to load stays half-imported: the next run loads it again
        problems = "\n".join(run.broken_checks) or f"pytest exited with {code!r}"
        raise InstructorError(f"the checks of {run.assignment.name} are broken:\n{problems}")
    if run.infrastructure_error is not None:
        raise run.infrastructure_error
    return run.results


class KeptSession:
    """One pytest session that stays open and runs its collected checks once per submission.

    Starting pytest, loading its plugins and collecting the checks took most of the engine's time
    per submission (about 0.1 s here). The session runs ``pytest.main`` in a thread of its own; its
    test loop takes one :class:`CheckRun` at a time from :meth:`run` and runs every item through
    pytest's normal protocol, with the last item of each submission tearing every fixture down, as
    a fresh session would. pytest's output capture is off while it waits, so the process prints as usual.
    """

    def __init__(self, first: CheckRun, files: Sequence[Path]) -> None:
        self.current = first
        self.inbox: queue.Queue[CheckRun | None] = queue.Queue()
        self.outbox: queue.Queue[int | pytest.ExitCode | None] = queue.Queue()
        self.open = True
        self.code: int | pytest.ExitCode | None = None
        self.inbox.put(first)
        self.thread = threading.Thread(target=self._main, args=(_pytest_args(first, files), files),
                                       name="calc4ml-checks", daemon=True)
        self.thread.start()

    def _main(self, args: list[str], files: Sequence[Path]) -> None:
        try:
            self.code = _pytest_main(args, self, files)
        except BaseException:  # noqa: BLE001 - whoever waits gets the session's end, below
            self.code = pytest.ExitCode.INTERNAL_ERROR
        finally:
            self.open = False
            self.outbox.put(None)

    def run(self, run: CheckRun) -> int | pytest.ExitCode | None:
        """Run the checks on ``run``: pytest.ExitCode.OK, or the code the session ended with."""
        if run is not self.current:
            self.inbox.put(run)
        answer = self.outbox.get()
        return self.code if answer is None else answer

    def close(self) -> None:
        if self.open:
            self.inbox.put(None)
            self.thread.join(timeout=30)

    # -- pytest hooks: collection is the first run's, the test loop serves every run

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[_RUN] = self.current

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self.current.pytest_collectreport(report)

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        self.current.pytest_collection_modifyitems(config, items)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if self.current.broken_checks:
            return True  # the first run raises for them; nothing is kept
        capture = session.config.pluginmanager.getplugin("capturemanager")
        items = session.items
        while True:
            capture.suspend_global_capture(in_=True)
            try:
                run = self.inbox.get()
            finally:
                capture.resume_global_capture()
            if run is None:
                return True
            self.current = session.config.stash[_RUN] = run
            for index, item in enumerate(items):
                if _FEEDBACK in item.stash:
                    del item.stash[_FEEDBACK]
                nextitem = items[index + 1] if index + 1 < len(items) else None
                item.ihook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            self.outbox.put(pytest.ExitCode.OK)


class KeptSessions:
    """A grading process's kept sessions, one per set of check files and selection."""

    def __init__(self) -> None:
        self.sessions: dict[tuple[object, ...], KeptSession] = {}
        self.lock = threading.Lock()

    def run(self, run: CheckRun, files: Sequence[Path]) -> list[CheckResult] | None:
        """The results, or None when this run should go through a fresh pytest.main instead."""
        if not self.lock.acquire(blocking=False):  # another thread is using pytest: not now
            return None
        try:
            key = (tuple(files), str(run.assignment.directory), run.visibility, run.exercise)
            session = self.sessions.get(key)
            if session is None or not session.open:
                if self.sessions:
                    self.close_all()  # one live session at a time: pytest's capture and warnings are global
                session = self.sessions[key] = KeptSession(run, files)
            code = session.run(run)
            if code == pytest.ExitCode.OK:
                return _outcome(run, code, files)
            self.sessions.pop(key, None)
            if code == pytest.ExitCode.INTERRUPTED and not run.broken_checks:
                raise KeyboardInterrupt
            # the session ended instead: a fresh pytest.main runs this submission and says why
            _forget_checks(files)
            run.start_over()
            return None
        finally:
            self.lock.release()

    def close_all(self) -> None:
        sessions, self.sessions = list(self.sessions.values()), {}
        for session in sessions:
            session.close()

    def close(self) -> None:
        with self.lock:
            self.close_all()



def public_checks(hidden_file: str) -> ModuleType:
    """The public checks module next to a hidden checks file, so hidden checks can share its helpers."""
    from .config import PUBLIC_CHECKS
    from .oracle import load_module

    return load_module(Path(hidden_file).with_name(PUBLIC_CHECKS), "checks")


def _forget_other_checks(files: Sequence[Path]) -> None:
    """Drop check modules of other assignments before a run. pytest names a check module by its
    path relative to the rootdir, so another assignment's (or course's) checks_public.py would
    otherwise be taken for this one; this assignment's stay loaded, which keeps a batch fast."""
    keep = _paths(files)
    _forget_modules(lambda path: os.path.basename(path).startswith("checks_") and path not in keep)


def _forget_checks(files: Sequence[Path]) -> None:
    """Drop this assignment's check modules (one that failed to load stays half-imported)."""
    paths = _paths(files)
    _forget_modules(lambda path: path in paths)


def _paths(files: Sequence[Path]) -> set[str]:
    return {str(f) for f in files} | {str(Path(f).resolve()) for f in files}


def _forget_modules(matches: Callable[[str], bool]) -> None:
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and matches(path):
            del sys.modules[name]


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value

