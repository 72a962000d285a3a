"""The pipeline, in order: read → run → check → score. Every face of the grader goes through here."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from .config import Assignment, Limits
from .contract import OURS, choose_contract, release_sources, without_template_asserts
from .errors import UnreadableSubmission
from .integrity import notes_for
from .isolation import Sandbox
from .oracle import LiveSource, Oracle, ReplaySource, load_module
from .plugin import CheckRun, Visibility, run_checks
from .read import read_submission
from .results import Result
from .runtime import FailedRuntime, SandboxRuntime, Submission
from .scoring import score

__all__ = ["grade_submission", "oracles"]


def grade_submission(
    assignment: Assignment,
    path: Path,
    sandbox: Sandbox,
    *,
    visibility: Visibility = "all",
    exercise: str | None = None,
    seed: int | None = None,
    limits: Limits | None = None,
    junit_xml: Path | None = None,
) -> Result:
    """Grade one submission file and return its :class:`Result` (``junit_xml``: pytest's report)."""
    started = time.monotonic()
    seed = assignment.seed if seed is None else seed
    reference, mistakes = oracles(assignment, live=visibility == "all")
    try:
        notebook = read_submission(path)  # read
    except UnreadableSubmission as exc:
        run = CheckRun(assignment, Submission(FailedRuntime(exc)), reference, mistakes, visibility, exercise, seed)
        checks = run_checks(run, junit_xml)
        return score(str(path), assignment.name, assignment.exercises, checks, problem=str(exc), seed=seed,
                     duration_seconds=time.monotonic() - started)
    contract = choose_contract(assignment.contracts, (cell.source for cell in notebook.cells))  # its promises
    release = release_sources(assignment.release_dir / assignment.notebook if assignment.release_dir else None)
    cells, template_notes = without_template_asserts(notebook.cells, release)
    with SandboxRuntime(cells, limits or assignment.limits, sandbox, seed, assignment.preload) as runtime:  # run
        run = CheckRun(assignment, Submission(runtime), reference, mistakes, visibility, exercise, seed, contract=contract)
        checks = run_checks(run, junit_xml)  # check
    contract_note = [] if contract is OURS else [f"graded under the contract of {contract.name}, which the notebook was "
                                                 f"written for: {_settings(contract.settings)}"]
    notes = [*notebook.notes, *contract_note, *template_notes, *notes_for(notebook, assignment), *runtime.notes,
             *(f"grader error: {e}" for e in run.grader_errors)]
    wall = time.monotonic() - started
    overhead = max(wall - runtime.cell_seconds - run.check_seconds, 0.0)
    timings = {"wall": wall, "cells": runtime.cell_seconds, "checks": run.check_seconds, "overhead": overhead,
               "child_start": runtime.start_seconds, "engine": max(overhead - runtime.start_seconds, 0.0)}
    return score(  # score
        str(path), assignment.name, assignment.exercises, checks,
        cells=runtime.cell_reports, notes=notes, seed=seed, duration_seconds=wall, timings=timings,
    )


def oracles(assignment: Assignment, live: bool) -> tuple[Oracle | None, Oracle | None]:
    """The reference and mistakes oracles: live modules for grading, the public cases file otherwise."""
    if live and assignment.reference is not None:
        reference_module = load_module(assignment.reference, "reference")
        reference = Oracle(reference_module, LiveSource(reference_module), "reference")
        mistakes = None
        if assignment.mistakes is not None:
            mistakes_module = load_module(assignment.mistakes, "mistakes")
            mistakes = Oracle(mistakes_module, LiveSource(mistakes_module), "mistakes")
        return reference, mistakes
    return (
        Oracle(None, ReplaySource.load(assignment.cases, "reference"), "reference"),
        Oracle(None, ReplaySource.load(assignment.cases, "mistakes"), "mistakes"),
    )


def _settings(settings: Mapping[str, object]) -> str:
    return ", ".join(f"{key} = {value!r}" for key, value in settings.items()) or "no settings"
