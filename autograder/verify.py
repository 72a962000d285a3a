"""The CI face: prove an assignment's checks are right before any student is graded by them.

* the reference gets full marks;
* the released stub gets zero, every check with a verdict, and the grader does not crash;
* every mutant loses exactly the points its samples.toml entry says, with the hint it names;
* grading the same submission twice gives identical results;
* ``release/``, the public cases and the sample notebooks are up to date, and the notebook's
  grade cells carry the points the checks give.

The exit status is the sum of the failures' bits, so CI logs say which part failed.
"""

from __future__ import annotations

import socket
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from enum import IntFlag

from . import escape
from .batch import grade_many
from .config import Assignment
from .junit import one_line
from .read import nbgrader_cells
from .release import release_differences
from .results import Result
from .samples import expectation_problems, load_samples, sample_differences
from .sandbox.isolation import Sandbox

__all__ = ["Failure", "Proof", "VerifyReport", "verify", "verify_tree"]


class Failure(IntFlag):
    REFERENCE = 1  # the reference did not get full marks
    STUB = 2  # the stub did not get zero, or crashed the grader
    MUTANTS = 4  # a mutant was not caught as its samples.toml says
    NONDETERMINISM = 8  # the same submission graded twice differed
    OUT_OF_DATE = 16  # release/, public cases, samples or grade-cell points disagree with the sources


@dataclass(frozen=True)
class Proof:
    """One thing verify set out to prove: ``failure`` is None when it held."""

    name: str  # what was proven, short: "mutant forward_without_bias", "deterministic"
    message: str
    failure: Failure | None = None


@dataclass
class VerifyReport:
    assignment: str
    failures: Failure = Failure(0)
    proofs: list[Proof] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    def fail(self, kind: Failure, name: str, message: str) -> None:
        self.failures |= kind
        self.proofs.append(Proof(name, message, kind))

    def ok(self, name: str, message: str) -> None:
        self.proofs.append(Proof(name, message))

    @property
    def lines(self) -> list[str]:
        return [f"FAIL [{str(p.failure.name).lower()}] {p.message}" if p.failure else f"ok   {p.message}"
                for p in self.proofs]


def verify(assignment: Assignment, sandbox: Sandbox, executor: Executor | None = None) -> VerifyReport:
    report = VerifyReport(assignment.name)
    samples = load_samples(assignment)
    paths = [s.path for s in samples]
    reference = next((s for s in samples if s.kind == "reference"), None)
    if reference is not None:
        paths.append(reference.path)  # graded twice: the results must be identical
    grading = grade_many(assignment, paths, sandbox, executor=executor)  # the workers start at once...
    _check_up_to_date(assignment, report)  # ...while this process rebuilds the release to compare
    results = list(grading)
    report.results = results[: len(samples)]
    kinds = {"reference": Failure.REFERENCE, "stub": Failure.STUB, "mutant": Failure.MUTANTS}
    for sample, result in zip(samples, results[: len(samples)], strict=True):
        problems = expectation_problems(sample, result)
        name = f"{sample.kind} {sample.name}"
        label = f"{name}: {result.points:g}/{result.max_points:g}"
        if problems:
            report.fail(kinds[sample.kind], name, label + "".join(f"\n       {p}" for p in problems))
        else:
            report.ok(name, label + (f" ({sample.mistake})" if sample.kind == "mutant" else ""))
    if reference is not None:
        first, second = results[samples.index(reference)], results[-1]
        if first != second:
            report.fail(Failure.NONDETERMINISM, "deterministic", f"grading {reference.name} twice gave different results")
        else:
            report.ok("deterministic", f"grading {reference.name} twice gave identical results")
    return report


def _check_up_to_date(assignment: Assignment, report: VerifyReport) -> None:
    stale = release_differences(assignment) + sample_differences(assignment)
    for item in stale:
        fix = f"run `autograder release {assignment.name}` and `autograder samples {assignment.name}`"
        report.fail(Failure.OUT_OF_DATE, "up to date", f"{item}; {fix}")
    if not stale:
        report.ok("up to date", "release/, public cases and sample notebooks are up to date")
    mismatched = _grade_cell_points(assignment)
    for item in mismatched:
        report.fail(Failure.OUT_OF_DATE, "grade cell points", item)
    if not mismatched:
        report.ok("grade cell points", "grade cells carry the points the checks give")


def _grade_cell_points(assignment: Assignment) -> list[str]:
    """Grade cells whose points differ from the sum of their exercise's check points."""
    from .errors import MissingFunction
    from .oracle import Oracles
    from .pipeline import run_and_score
    from .sandbox.submission import FailedRuntime

    assert assignment.source_dir is not None
    nothing = FailedRuntime(MissingFunction("counting points"))  # every check runs, and scores 0 of its points
    totals = {e.name: e.max_points for e in run_and_score(assignment, nothing, Oracles(None, None), label="nothing").exercises}
    cells = {c.grade_id: c.points or 0.0 for c in nbgrader_cells(assignment.source_dir / assignment.notebook) if c.grade}
    problems = [
        f"grade cell {name!r} in source/{assignment.name}/{assignment.notebook} has {cells.get(name)} points, "
        f"the checks give {points:g}; make them agree"
        for name, points in totals.items() if cells.get(name) != points
    ]
    problems += [f"grade cell {name!r} has no checks (no exercise of that name)" for name in cells if name not in totals]
    if list(totals) != list(assignment.exercises):
        problems.append(f"assignment.toml lists exercises {list(assignment.exercises)}, the checks cover {list(totals)}")
    return problems


def verify_tree(reports: Sequence[VerifyReport], seconds: float) -> ElementTree.ElementTree:
    """``autograder verify``'s document: a suite per assignment, a test case per proof (the
    reference's full marks, the stub's zero, each mutant caught, determinism, up to date)."""
    proofs = [proof for report in reports for proof in report.proofs]
    root = ElementTree.Element("testsuites", {"name": "autograder verify", "tests": str(len(proofs)),
                                              "failures": str(sum(p.failure is not None for p in proofs)),
                                              "errors": "0", "time": f"{seconds:.3f}"})
    for report in reports:
        failed = [p for p in report.proofs if p.failure is not None]
        suite = ElementTree.SubElement(root, "testsuite", {
            "name": escape.xml(report.assignment), "tests": str(len(report.proofs)), "failures": str(len(failed)),
            "errors": "0", "skipped": "0", "time": "0", "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "hostname": escape.xml(socket.gethostname()),
        })
        for proof in report.proofs:
            case = ElementTree.SubElement(suite, "testcase", {"classname": escape.xml(f"verify.{report.assignment}"),
                                                              "name": escape.xml(proof.name), "time": "0"})
            if proof.failure is not None:
                failure = ElementTree.SubElement(case, "failure", {"message": one_line(proof.message),
                                                                   "type": str(proof.failure.name).lower()})
                failure.text = escape.xml(proof.message)
    return ElementTree.ElementTree(root)
