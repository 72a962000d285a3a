"""Make what students get: ``release/<assignment>/``, from ``source/`` and the public checks.

1. ``nbgrader generate_assignment`` turns the source notebook into the student notebook (stubs
   instead of solutions, locked grade cells) and copies the data files.
2. The public checks are run once against the reference, recording every answer they ask of it
   into ``assignments/<a>/public_cases.json`` (left as it is when it already records the same
   within the checks' tolerance: recording on another machine changes last bits, not answers).
3. The public checks, that cases file and ``assignment.toml`` go to ``release/<a>/checks/``: all
   a self-check needs, and nothing of the reference or the hidden checks. :func:`add_student_checks`
   does it, for this command and for ``nbgrader generate_assignment`` run on its own (the course's
   ``nbgrader_config.py`` lists :class:`autograder.nbgrader_hooks.AddStudentChecks` after nbgrader's
   preprocessors), so both make the same release.

:func:`release_differences` rebuilds everything in a temporary folder and lists what differs, so
CI can fail when ``release/`` is out of date with ``source/``; recorded answers count as out of date
only when a question or an answer changed beyond the checks' tolerance.
"""

from __future__ import annotations

import filecmp
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .config import ASSIGNMENT_FILE, PUBLIC_CASES, PUBLIC_CHECKS, STUDENT_CHECKS_DIR, Assignment, Limits
from .contract import OURS
from .errors import InstructorError
from .numeric import force_mistakes
from .oracle import Oracle, Oracles, RecordingSource, cases_differences, cases_document, load_cases, load_module, write_cases
from .pipeline import Selection, run_and_score
from .sandbox.local import LocalRuntime

__all__ = ["STUDENT_CHECK_FILES", "add_student_checks", "record_cases", "release", "release_differences"]

NBGRADER_SECONDS = 300
# What release/<a>/checks/ holds, and nothing else: the public checks, their recorded answers and the
# settings a self-check applies. Never checks_hidden.py, mistakes.py or anything of solutions/.
STUDENT_CHECK_FILES = (PUBLIC_CHECKS, PUBLIC_CASES, ASSIGNMENT_FILE)


def release(assignment: Assignment) -> Path:
    """Regenerate ``release/<name>/`` and the public cases file in the course folder."""
    root = _course_root(assignment)
    write_cases(assignment.cases, assignment.name, record_cases(assignment))
    _generate(root, assignment.name)
    add_student_checks(assignment, root / "release" / assignment.name)  # the hook did it too; this works without it
    return root / "release" / assignment.name


def release_differences(assignment: Assignment) -> list[str]:
    """What a fresh release would change: files that differ, appear or disappear (empty if none)."""
    root = _course_root(assignment)
    with tempfile.TemporaryDirectory(prefix="calc4ml-release-") as scratch:
        shadow = Path(scratch)
        shutil.copytree(root / "source" / assignment.name, shadow / "source" / assignment.name)
        shutil.copy(root / "nbgrader_config.py", shadow / "nbgrader_config.py")
        _generate(shadow, assignment.name)
        fresh = shadow / "release" / assignment.name
        differences = _cases_differences(assignment, root)
        if assignment.cases.exists():  # the release carries a copy of the committed cases file
            add_student_checks(assignment, fresh)
        differences += _compare_trees(fresh, root / "release" / assignment.name)
    return differences


def _cases_differences(assignment: Assignment, root: Path) -> list[str]:
    """The committed public cases against a fresh recording, within the checks' tolerance."""
    where = str(assignment.cases.relative_to(root))
    if not assignment.cases.exists():
        return [f"{where} (missing)"]
    fresh = cases_document(assignment.name, record_cases(assignment))
    try:
        current = load_cases(assignment.cases)
    except InstructorError as exc:
        return [f"{where} ({exc})"]
    found = cases_differences(fresh, current)
    shown = found[:8] + ([f"... and {len(found) - 8} more"] if len(found) > 8 else [])
    return [f"{where} (out of date: {item})" for item in shown]


def record_cases(assignment: Assignment) -> dict[str, dict[str, object]]:
    """Run the public checks with the reference as the submission and keep every answer asked."""
    if assignment.reference is None:
        raise InstructorError(f"{assignment.name} has no reference solution to record the public cases from")
    module = load_module(assignment.reference, "reference")
    records: dict[str, dict[str, object]] = {"reference": {}, "mistakes": {}}
    reference = Oracle(module, RecordingSource(module, records["reference"]), "reference")
    mistakes = None
    if assignment.mistakes is not None:
        mistakes_module = load_module(assignment.mistakes, "mistakes")
        mistakes = Oracle(mistakes_module, RecordingSource(mistakes_module, records["mistakes"]), "mistakes")
    # The reference plays the student from a second copy of its module: replacing a building block
    # for a call then changes what its functions see (their own globals), as in a real notebook,
    # while the oracle keeps answering from the untouched first copy.
    student = load_module(assignment.reference, "reference_as_student")
    for contract in (OURS, *(rule.contract for rule in assignment.contracts)):  # the inputs each contract's checks make
        runtime = LocalRuntime(vars(student), Limits(call_seconds=60))
        with force_mistakes():
            result = run_and_score(assignment, runtime, Oracles(reference, mistakes),
                                   Selection("public", contract=contract), label="the reference")
        failed = [f"{c.exercise} › {c.name}: {c.message}" for e in result.exercises for c in e.checks
                  if c.status != "passed"]
        if failed:
            raise InstructorError(f"the reference fails public checks (under the contract of {contract.name}), so no "
                                  "cases were recorded:\n" + "\n".join(failed))
    return records


def _course_root(assignment: Assignment) -> Path:
    if assignment.course_root is None:
        raise InstructorError("releasing needs the course folder (with source/, assignments/ and nbgrader_config.py)")
    return assignment.course_root


def _generate(root: Path, name: str) -> None:
    """Run the real ``nbgrader generate_assignment`` in ``root``; no gradebook is touched."""
    command = [sys.executable, "-m", "nbgrader", "generate_assignment", name, "--no-db", "--force", "--log-level=WARN"]
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=NBGRADER_SECONDS)
    except subprocess.TimeoutExpired:
        raise InstructorError(f"nbgrader generate_assignment {name} took over {NBGRADER_SECONDS} s") from None
    notebook = root / "release" / name
    if done.returncode != 0 or not notebook.is_dir():
        raise InstructorError(
            f"nbgrader generate_assignment {name} failed (exit {done.returncode}):\n{done.stderr[-3000:]}\n"
            "Fix the source notebook (cell metadata, solution markers) and run it again"
        )


def add_student_checks(assignment: Assignment, release_dir: Path, cases: Path | None = None) -> Path:
    """Write ``<release_dir>/checks/``: the public checks, the recorded public cases (``cases``, by
    default the assignment's committed file) and ``assignment.toml`` with the assignment's name, and
    nothing else (whatever else is in that folder is removed). Returns the folder.

    The one way a release gets its self-checks, whether ``autograder release`` or ``nbgrader
    generate_assignment`` (through :mod:`.nbgrader_hooks`) made the notebook."""
    cases = cases or assignment.cases
    if not cases.is_file():
        raise InstructorError(f"{cases} is missing, so the release would have no answers for check(); run "
                              f"`autograder release {assignment.name}` once to record them")
    target = release_dir / STUDENT_CHECKS_DIR
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        target.unlink()
    target.mkdir(parents=True, exist_ok=True)
    for entry in target.iterdir():  # e.g. a checks/ folder nbgrader copied from source/<a>/
        if entry.name in STUDENT_CHECK_FILES:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for name in STUDENT_CHECK_FILES:
        if (target / name).is_symlink():
            (target / name).unlink()
    shutil.copyfile(assignment.public_checks, target / PUBLIC_CHECKS)
    shutil.copyfile(cases, target / PUBLIC_CASES)
    settings = (assignment.directory / ASSIGNMENT_FILE).read_text(encoding="utf-8")  # policies too: self-checks apply them
    (target / ASSIGNMENT_FILE).write_text(f'name = "{assignment.name}"\n' + settings, encoding="utf-8")
    return target


def _compare_trees(fresh: Path, current: Path) -> list[str]:
    def files(base: Path) -> set[str]:
        return {str(p.relative_to(base)) for p in base.rglob("*") if p.is_file()} if base.is_dir() else set()

    expected, present = files(fresh), files(current)
    changed = [
        name for name in sorted(expected & present)
        if not _same_file(fresh / name, current / name)
    ]
    where = f"release/{fresh.name}/"
    return (
        [where + n + " (missing)" for n in sorted(expected - present)]
        + [where + n + " (should not be there)" for n in sorted(present - expected)]
        + [where + n + " (out of date)" for n in changed]
    )


def _same_file(a: Path, b: Path) -> bool:
    if a.suffix == ".ipynb":  # compare notebooks as data, so JSON formatting alone does not count
        return bool(json.loads(a.read_text(encoding="utf-8")) == json.loads(b.read_text(encoding="utf-8")))
    return filecmp.cmp(a, b, shallow=False)
