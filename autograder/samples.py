"""Sample submissions and the verdicts they must get: the grader's own answer key.

``tests/samples/<assignment>/samples.toml`` lists them. Each sample is built from the release
notebook, either untouched (the stub) or with every solution filled in from ``source/`` (what a
perfect student hands in), and then optionally mutated: exact text replacements (each must match
once) and solution cells dropped by ``grade_id``. The built notebooks are committed next to the
file, so the demo and a reader see real notebooks; :func:`sample_differences` tells when they are
out of date.

Beyond ``replace`` and ``drop``: ``append`` adds code cells at the end, ``claim_points`` rewrites
grade cells' points in the metadata and ``kernel`` the kernel name (notebooks that lie), and
``file`` names a file committed as it is instead of built (files that are not notebooks at all).

Expectations per sample: ``scores`` ("full", "zero", or a table of exercise → points, every
exercise not listed getting full marks), and optional ``hints``, ``messages`` (substrings) and
``statuses`` per exercise, ``problem`` (a substring of why the file could not be run),
``notes`` (substrings that must each appear in some note for the instructor) and
``hidden_never_shows`` (substrings that no hidden check's student-visible message or hint may
contain: what an attack tried to leak through it).
"""

from __future__ import annotations

import copy
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Assignment
from .errors import InstructorError
from .read import nbgrader_cell
from .results import Result

__all__ = ["Sample", "build_notebook", "expectation_problems", "load_samples", "sample_differences", "write_samples"]

SAMPLES_FILE = "samples.toml"
_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Sample:
    name: str
    path: Path
    origin: str  # "solution" or "release"
    mistake: str = ""
    replace: tuple[tuple[str, str], ...] = ()
    drop: tuple[str, ...] = ()
    scores: str | Mapping[str, float] = "full"
    hints: Mapping[str, str] = field(default_factory=dict)
    messages: Mapping[str, str] = field(default_factory=dict)
    statuses: Mapping[str, str] = field(default_factory=dict)
    append: tuple[str, ...] = ()
    claim_points: Mapping[str, float] = field(default_factory=dict)
    kernel: str = ""
    fixed_file: bool = False  # committed as it is, not built
    problem: str = ""
    notes: tuple[str, ...] = ()
    hidden_never_shows: tuple[str, ...] = ()

    @property
    def mutated(self) -> bool:
        return bool(self.replace or self.drop or self.append or self.claim_points or self.kernel or self.fixed_file)

    @property
    def kind(self) -> str:
        """'reference', 'stub' or 'mutant': what the sample is there to prove."""
        if self.origin == "release" and not self.mutated:
            return "stub"
        if self.origin == "solution" and not self.mutated and self.scores == "full":
            return "reference"
        return "mutant"


def samples_dir(assignment: Assignment) -> Path:
    if assignment.course_root is None:
        raise InstructorError("samples live in the course folder's tests/samples/; run from the course folder")
    return assignment.course_root / "tests" / "samples" / assignment.name


def load_samples(assignment: Assignment, folder: Path | None = None) -> list[Sample]:
    """Every sample listed in ``folder``'s samples.toml (default: tests/samples/<assignment>/)."""
    folder = folder or samples_dir(assignment)
    path = folder / SAMPLES_FILE
    if not path.exists():
        raise InstructorError(f"{path} is missing; list the assignment's sample submissions there")
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("sample", [])
    except tomllib.TOMLDecodeError as exc:
        raise InstructorError(f"{path} is not valid TOML ({exc})") from None
    return [_sample(entry, folder, path) for entry in entries]


def _sample(entry: dict[str, Any], folder: Path, source: Path) -> Sample:
    name = entry.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        raise InstructorError(f"a sample in {source} has no valid name (got {name!r})")
    origin = entry.get("from", "solution")
    if origin not in ("solution", "release"):
        raise InstructorError(f"sample {name} in {source}: `from` must be 'solution' or 'release', not {origin!r}")
    replace = entry.get("replace", [])
    if not all(isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair) for pair in replace):
        raise InstructorError(f"sample {name} in {source}: `replace` must be a list of [old, new] strings")
    fixed = entry.get("file")
    return Sample(
        name=name,
        path=folder / fixed if isinstance(fixed, str) else folder / f"{name}.ipynb",
        fixed_file=isinstance(fixed, str),
        append=tuple(entry.get("append", ())),
        claim_points=entry.get("claim_points", {}),
        kernel=str(entry.get("kernel", "")),
        problem=str(entry.get("problem", "")),
        notes=tuple(entry.get("notes", ())),
        hidden_never_shows=tuple(entry.get("hidden_never_shows", ())),
        origin=origin,
        mistake=str(entry.get("mistake", "")),
        replace=tuple((old, new) for old, new in replace),
        drop=tuple(entry.get("drop", ())),
        scores=entry.get("scores", "full"),
        hints=entry.get("hints", {}),
        messages=entry.get("messages", {}),
        statuses=entry.get("statuses", {}),
    )


# ---------------------------------------------------------------------------- building


def build_notebook(assignment: Assignment, sample: Sample) -> dict[str, Any]:
    """The sample's notebook as JSON data, built from the release (and source) notebooks."""
    notebook = _load_json(_release_notebook(assignment))
    if sample.origin == "solution":
        solutions = _solution_cells(_load_json(_source_notebook(assignment)))
        for cell in notebook["cells"]:
            grade_id = _grade_id(cell)
            if _is_solution(cell) and grade_id in solutions:
                cell["source"] = solutions[grade_id]
    for grade_id in sample.drop:
        before = len(notebook["cells"])
        notebook["cells"] = [c for c in notebook["cells"] if _grade_id(c) != grade_id]
        if len(notebook["cells"]) == before:
            raise InstructorError(f"sample {sample.name}: no cell with grade_id {grade_id!r} to drop")
    for old, new in sample.replace:
        _replace_once(notebook, old, new, sample.name)
    for source in sample.append:
        notebook["cells"].append({"cell_type": "code", "execution_count": None, "id": f"appended-{len(notebook['cells'])}",
                                  "metadata": {}, "outputs": [], "source": source})
    for cell in notebook["cells"]:
        grade_id = _grade_id(cell)
        if grade_id is not None and grade_id in sample.claim_points:
            cell["metadata"]["nbgrader"]["points"] = sample.claim_points[grade_id]
    if sample.kernel:
        notebook["metadata"]["kernelspec"] = {"name": sample.kernel, "display_name": sample.kernel, "language": "python"}
    return notebook


def _replace_once(notebook: dict[str, Any], old: str, new: str, name: str) -> None:
    hits = [cell for cell in notebook["cells"] if cell["cell_type"] == "code" and old in _text(cell)]
    count = sum(_text(cell).count(old) for cell in hits)
    if count != 1:
        raise InstructorError(f"sample {name}: the text {old!r} occurs {count} times in the notebook; it must occur once")
    hits[0]["source"] = _text(hits[0]).replace(old, new)


def _solution_cells(source: dict[str, Any]) -> dict[str, str]:
    solutions = {}
    for cell in source["cells"]:
        grade_id = _grade_id(cell)
        if _is_solution(cell) and grade_id is not None:
            solutions[grade_id] = "\n".join(line for line in _text(cell).splitlines() if line.strip() not in _MARKERS)
    return solutions


def write_samples(assignment: Assignment, folder: Path | None = None) -> list[Path]:
    """Build every sample notebook (except fixed files) next to its samples.toml."""
    written = []
    for sample in load_samples(assignment, folder):
        if sample.fixed_file:
            continue
        sample.path.write_text(_dump(build_notebook(assignment, sample)), encoding="utf-8")
        written.append(sample.path)
    return written


def sample_differences(assignment: Assignment, folder: Path | None = None) -> list[str]:
    """Sample notebooks that are missing or differ from what their spec builds."""
    differences = []
    for sample in load_samples(assignment, folder):
        if not sample.path.exists():
            differences.append(f"{sample.path} (missing)")
        elif not sample.fixed_file and _load_json(sample.path) != build_notebook(assignment, sample):
            differences.append(f"{sample.path} (out of date)")
    return differences


# ---------------------------------------------------------------------------- expectations


def expectation_problems(sample: Sample, result: Result) -> list[str]:
    """How ``result`` departs from what ``sample`` must get (empty when it is as expected)."""
    problems = [f"grader error: {n}" for n in result.notes if n.startswith("grader error")]
    if sample.problem and sample.problem not in result.problem:
        problems.append(f"the problem should mention {sample.problem!r}, got {result.problem!r}")
    if result.problem and not sample.problem:
        problems.append(f"the submission could not be graded: {result.problem}")
    problems += [f"no note mentions {note!r} (notes: {list(result.notes)})"
                 for note in sample.notes if not any(note in n for n in result.notes)]
    names = {e.name for e in result.exercises}
    for table in (sample.hints, sample.messages, sample.statuses, sample.scores if isinstance(sample.scores, dict) else {}):
        problems += [f"{name}: no such exercise in the results" for name in table if name not in names]
    for exercise in result.exercises:
        expected = _expected_points(sample, exercise.name, exercise.max_points)
        if abs(exercise.points - expected) > 1e-9:
            problems.append(f"{exercise.name}: {exercise.points:g}/{exercise.max_points:g} points, expected {expected:g} "
                            f"({exercise.status}: {exercise.message[:160]})")
        shown = (("hint", sample.hints, exercise.hint), ("message", sample.messages, exercise.instructor_message))
        for label, table, actual in shown:
            if exercise.name in table and table[exercise.name] not in actual:
                problems.append(f"{exercise.name}: {label} should contain {table[exercise.name]!r}, got {actual!r}")
        if exercise.name in sample.statuses and sample.statuses[exercise.name] != exercise.status:
            problems.append(f"{exercise.name}: status {exercise.status!r}, expected {sample.statuses[exercise.name]!r}")
        problems += [f"{exercise.name} › {check.name}: a hidden check shows {secret!r} to the student"
                     for check in exercise.checks if check.hidden for secret in sample.hidden_never_shows
                     if secret in check.message or secret in check.hint]
    return problems


def _expected_points(sample: Sample, exercise: str, max_points: float) -> float:
    if sample.scores == "zero":
        return 0.0
    if isinstance(sample.scores, dict):
        return float(sample.scores.get(exercise, max_points))
    return max_points


# ---------------------------------------------------------------------------- notebook helpers


def _release_notebook(assignment: Assignment) -> Path:
    if assignment.release_dir is None:
        raise InstructorError("samples need the course folder")
    return assignment.release_dir / assignment.notebook


def _source_notebook(assignment: Assignment) -> Path:
    assert assignment.source_dir is not None
    return assignment.source_dir / assignment.notebook


def _load_json(path: Path) -> dict[str, Any]:
    try:
        return copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as exc:
        raise InstructorError(f"cannot read {path} ({exc}); run `autograder release` first") from None


def _dump(notebook: dict[str, Any]) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def _text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _grade_id(cell: dict[str, Any]) -> str | None:
    marked = nbgrader_cell(cell)
    return marked.grade_id if marked is not None else None


def _is_solution(cell: dict[str, Any]) -> bool:
    marked = nbgrader_cell(cell)
    return marked is not None and marked.solution
