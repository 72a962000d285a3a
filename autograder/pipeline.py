"""The pipeline, in order: read → run → check → score. Every face of the grader goes through here.

:func:`grade_submission` is the whole pipeline for a submission file, run in a sandboxed child.
:func:`run_and_score` is its last two stages, shared by every face: grading, the student's
self-check (:mod:`autograder.selfcheck`, on the functions in their own kernel), recording the
public cases (:mod:`autograder.release`, the reference playing the student) and counting the
points a grade cell should carry (:mod:`autograder.verify`, on a submission that defines nothing).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import Assignment, Limits
from .context import GradingContext
from .contract import OURS, Contract, choose_contract, release_sources, without_demonstrations, without_template_asserts
from .errors import UnreadableSubmission
from .integrity import notes_for
from .oracle import Oracles, oracles_for
from .plugin import CheckRun, Visibility, run_checks
from .read import read_submission
from .results import Result
from .sandbox.isolation import Sandbox
from .sandbox.runtime import SandboxRuntime
from .sandbox.submission import FailedRuntime, Runtime, Submission
from .scoring import score

__all__ = ["ALL_CHECKS", "Selection", "grade_submission", "run_and_score"]


@dataclass(frozen=True)
class Selection:
    """Which checks run, on what: all of them or the public ones, one exercise or every one, the
    session seed (None: the assignment's), and the contract the notebook was written for."""

    visibility: Visibility = "all"
    exercise: str | None = None
    seed: int | None = None
    contract: Contract = OURS


ALL_CHECKS = Selection()  # grading: every check, every exercise, the assignment's seed, our contract


def grade_submission(
    assignment: Assignment,
    path: Path,
    sandbox: Sandbox,
    *,
    selection: Selection = ALL_CHECKS,
    limits: Limits | None = None,
    context: GradingContext | None = None,
) -> Result:
    """Grade one submission file and return its :class:`Result`.

    ``context`` is what a batch worker keeps between submissions; without one, this grading gets a
    context of its own that ends with it."""
    started = time.monotonic()
    with _context(context) as context:
        oracles = oracles_for(assignment, live=selection.visibility == "all", memo=context.memo)
        try:
            notebook = read_submission(path)  # read
        except UnreadableSubmission as exc:
            return run_and_score(assignment, FailedRuntime(exc), oracles, selection, label=str(path), started=started,
                                 problem=str(exc), context=context)
        contract = choose_contract(assignment.contracts, (cell.source for cell in notebook.cells))  # its promises
        released = assignment.release_dir / assignment.notebook if assignment.release_dir else None
        cells, template_notes = without_template_asserts(notebook.cells, release_sources(released))
        cells, demonstration_notes = without_demonstrations(cells, released)
        notes = [*notebook.notes, *_contract_note(contract), *template_notes, *demonstration_notes,
                 *notes_for(notebook, assignment)]
        with SandboxRuntime(cells, limits or assignment.limits, sandbox, _seed(assignment, selection),
                            assignment.preload, context.children) as runtime:  # run
            return run_and_score(assignment, runtime, oracles, Selection(selection.visibility, selection.exercise,
                                                                         selection.seed, contract),
                                 label=str(path), started=started, notes=notes, context=context)


def run_and_score(
    assignment: Assignment,
    runtime: Runtime,
    oracles: Oracles,
    selection: Selection = ALL_CHECKS,
    *,
    label: str,
    started: float | None = None,
    notes: Sequence[str] = (),
    problem: str = "",
    context: GradingContext | None = None,
) -> Result:
    """Check the functions ``runtime`` serves and score them: one :class:`Result` (check, score)."""
    started = time.monotonic() if started is None else started
    seed = _seed(assignment, selection)
    run = CheckRun(assignment, Submission(runtime), oracles.reference, oracles.mistakes, selection.visibility,
                   selection.exercise, seed, contract=selection.contract)
    checks = run_checks(run, context.sessions if context is not None else None)  # check
    wall = time.monotonic() - started
    overhead = max(wall - runtime.cell_seconds - run.check_seconds, 0.0)
    timings = {"wall": wall, "cells": runtime.cell_seconds, "checks": run.check_seconds, "overhead": overhead,
               "child_start": runtime.start_seconds, "engine": max(overhead - runtime.start_seconds, 0.0)}
    return score(  # score
        label, assignment.name, assignment.exercises, checks, cells=runtime.cell_reports, problem=problem, seed=seed,
        notes=[*notes, *runtime.notes, *(f"grader error: {e}" for e in run.grader_errors)],
        duration_seconds=wall, timings=timings if not problem else None,
    )


def _seed(assignment: Assignment, selection: Selection) -> int:
    return assignment.seed if selection.seed is None else selection.seed


@contextlib.contextmanager
def _context(given: GradingContext | None) -> Iterator[GradingContext]:
    if given is not None:
        yield given
        return
    context = GradingContext()
    try:
        yield context
    finally:
        context.close()


def _contract_note(contract: Contract) -> list[str]:
    if contract is OURS:
        return []
    return [f"graded under the contract of {contract.name}, which the notebook was written for: "
            f"{_settings(contract.settings)}"]


def _settings(settings: Mapping[str, object]) -> str:
    return ", ".join(f"{key} = {value!r}" for key, value in settings.items()) or "no settings"
