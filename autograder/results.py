"""The typed records that cross module boundaries, and their stable JSON form.

A :class:`Result` is everything known about one graded submission. Its JSON form (see
``docs/results-format.md``) is a contract other tools rely on: fields are only ever added, and
``format_version`` changes if one is ever removed or changes meaning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "STATUSES",
    "CellReport",
    "CheckResult",
    "ExerciseResult",
    "Result",
    "Status",
    "dump_results",
    "load_results",
]

FORMAT = "calc4ml-autograder-results"
FORMAT_VERSION = 2  # 2: a hidden check's `message` is value-free; `detail` holds the full one

Status = Literal["passed", "failed", "error", "timeout", "crashed", "missing"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "error", "timeout", "crashed", "missing")


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check (one pytest test) on one submission."""

    name: str
    exercise: str
    points: float
    max_points: float
    status: Status
    message: str = ""
    hint: str = ""
    seed: int | None = None
    hidden: bool = False
    figures: tuple[dict[str, Any], ...] = ()  # plots the check attached (figures.Figure), as plain data
    # For the instructor only: the full message with the values a hidden check used ("`cost` is 0,
    # expected 1.13491"). ``message`` is what a student may see: for a hidden check it names the
    # kind of mistake and never a value that comes from the hidden case. Empty when the two agree.
    detail: str = ""

    @property
    def instructor_message(self) -> str:
        return self.detail or self.message


@dataclass(frozen=True)
class ExerciseResult:
    """An exercise's checks combined: points add up, the first failing check speaks for it."""

    name: str
    points: float
    max_points: float
    status: Status
    message: str
    hint: str
    checks: tuple[CheckResult, ...]
    detail: str = ""  # as for CheckResult: the instructor's full message when ``message`` is redacted

    @property
    def instructor_message(self) -> str:
        return self.detail or self.message


@dataclass(frozen=True)
class CellReport:
    """What happened to one top-level cell of the submission."""

    number: int
    status: Literal["ok", "error", "timeout", "crashed", "skipped"]
    message: str = ""


@dataclass(frozen=True)
class Result:
    """One graded submission."""

    submission: str
    assignment: str
    points: float
    max_points: float
    exercises: tuple[ExerciseResult, ...]
    cells: tuple[CellReport, ...] = ()
    notes: tuple[str, ...] = ()  # integrity notes and other remarks for the instructor
    problem: str = ""  # set when the submission could not be run at all
    seed: int | None = None
    duration_seconds: float = field(default=0.0, compare=False)
    # where the time went: wall, the notebook's cells, the checks (calls included), and the rest
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    # who submitted it, when a batch knows (nbgrader's folder name, else the file's name)
    student: str = ""

    def exercise(self, name: str) -> ExerciseResult:
        for exercise in self.exercises:
            if exercise.name == name:
                return exercise
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        exercises = tuple(
            ExerciseResult(**{**e, "checks": tuple(CheckResult(**{**c, "figures": tuple(c.get("figures", ()))})
                                                   for c in e["checks"])})
            for e in data["exercises"]
        )
        cells = tuple(CellReport(**c) for c in data.get("cells", ()))
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in known}  # files from newer versions may add fields
        return cls(**{**data, "exercises": exercises, "cells": cells, "notes": tuple(data.get("notes", ()))})


def dump_results(results: Iterable[Result], path: Path) -> None:
    """Write results to ``path`` atomically (a reader never sees a half-written file)."""
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "results": [r.to_json() for r in results],
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{id(document)}")
    temporary.write_text(json.dumps(document, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    temporary.replace(path)


def load_results(path: Path) -> list[Result]:
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    if document.get("format") != FORMAT:
        raise ValueError(f"{path} is not an autograder results file")
    return [Result.from_json(r) for r in document["results"]]
