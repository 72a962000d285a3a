"""Sample submissions and the verdicts they must get: the grader's own answer key.

``tests/samples/<assignment>/samples.toml`` lists them. Each sample is built from the release
notebook, either untouched (the stub) or with every solution filled in from ``source/`` (what a
perfect student hands in), and then optionally mutated: exact text replacements (each must match
once) and solution cells dropped by ``grade_id``. The built notebooks are committed next to the
file, so the demo and a reader see real notebooks; :func:`sample_differences` tells when they are
out of date.

Expectations per sample: ``scores`` ("full", "zero", or a table of exercise → points, every
exercise not listed getting full marks), and optional ``hints``, ``messages`` (substrings) and
``statuses`` per exercise.
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

    @property
    def kind(self) -> str:
        """'reference', 'stub' or 'mutant': what the sample is there to prove."""
        if self.origin == "release" and not (self.replace or self.drop):
            return "stub"
        if self.origin == "solution" and not (self.replace or self.drop) and self.scores == "full":
            return "reference"
        return "mutant"


def samples_dir(assignment: Assignment) -> Path:
    if assignment.course_root is None:
        raise InstructorError("samples live in the course folder's tests/samples/; run from the course folder")
    return assignment.course_root / "tests" / "samples" / assignment.name


def load_samples(assignment: Assignment) -> list[Sample]:
    """Every sample of the assignment, from its samples.toml."""
    folder = samples_dir(assignment)
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
    return Sample(
        name=name,
        path=folder / f"{name}.ipynb",
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


def write_samples(assignment: Assignment) -> list[Path]:
    """Build every sample notebook into tests/samples/<assignment>/."""
    written = []
    for sample in load_samples(assignment):
        sample.path.write_text(_dump(build_notebook(assignment, sample)), encoding="utf-8")
        written.append(sample.path)
    return written


def sample_differences(assignment: Assignment) -> list[str]:
    """Sample notebooks that are missing or differ from what their spec builds."""
    differences = []
    for sample in load_samples(assignment):
        if not sample.path.exists():
            differences.append(f"{sample.path} (missing)")
        elif _load_json(sample.path) != build_notebook(assignment, sample):
            differences.append(f"{sample.path} (out of date)")
    return differences


# ---------------------------------------------------------------------------- expectations


def expectation_problems(sample: Sample, result: Result) -> list[str]:
    """How ``result`` departs from what ``sample`` must get (empty when it is as expected)."""
    problems = [f"grader error: {n}" for n in result.notes if n.startswith("grader error")]
    if result.problem and sample.origin != "release":
        problems.append(f"the submission could not be graded: {result.problem}")
    names = {e.name for e in result.exercises}
    for table in (sample.hints, sample.messages, sample.statuses, sample.scores if isinstance(sample.scores, dict) else {}):
        problems += [f"{name}: no such exercise in the results" for name in table if name not in names]
    for exercise in result.exercises:
        expected = _expected_points(sample, exercise.name, exercise.max_points)
        if abs(exercise.points - expected) > 1e-9:
            problems.append(f"{exercise.name}: {exercise.points:g}/{exercise.max_points:g} points, expected {expected:g} "
                            f"({exercise.status}: {exercise.message[:160]})")
        for label, table, actual in (("hint", sample.hints, exercise.hint), ("message", sample.messages, exercise.message)):
            if exercise.name in table and table[exercise.name] not in actual:
                problems.append(f"{exercise.name}: {label} should contain {table[exercise.name]!r}, got {actual!r}")
        if exercise.name in sample.statuses and sample.statuses[exercise.name] != exercise.status:
            problems.append(f"{exercise.name}: status {exercise.status!r}, expected {sample.statuses[exercise.name]!r}")
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
    value = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return value if isinstance(value, str) else None


def _is_solution(cell: dict[str, Any]) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))
