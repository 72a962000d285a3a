"""Check verdicts → per-exercise points → one :class:`Result` per submission."""

from __future__ import annotations

from collections.abc import Sequence

from .results import CellReport, CheckResult, ExerciseResult, Result

__all__ = ["score"]


def combine(name: str, checks: Sequence[CheckResult]) -> ExerciseResult:
    """An exercise's points are its passed checks' points; its first failing check speaks for it."""
    failing = [c for c in checks if c.status != "passed"]
    first = failing[0] if failing else None
    return ExerciseResult(
        name=name,
        points=round(sum(c.points for c in checks), 6),
        max_points=round(sum(c.max_points for c in checks), 6),
        status=first.status if first else "passed",
        message=first.message if first else "",
        detail=first.detail if first else "",
        hint=next((c.hint for c in failing if c.hint), ""),
        checks=tuple(checks),
    )


def score(
    submission: str,
    assignment: str,
    exercise_order: Sequence[str],
    checks: Sequence[CheckResult],
    *,
    cells: Sequence[CellReport] = (),
    notes: Sequence[str] = (),
    problem: str = "",
    seed: int | None = None,
    duration_seconds: float = 0.0,
    timings: dict[str, float] | None = None,
) -> Result:
    """Group check results by exercise, in the assignment's order, and total them."""
    names = list(exercise_order) + [c.exercise for c in checks if c.exercise not in exercise_order]
    grouped = {name: [c for c in checks if c.exercise == name] for name in dict.fromkeys(names)}
    exercises = tuple(combine(name, group) for name, group in grouped.items() if group)
    return Result(
        submission=submission,
        assignment=assignment,
        points=round(sum(e.points for e in exercises), 6),
        max_points=round(sum(e.max_points for e in exercises), 6),
        exercises=exercises,
        cells=tuple(cells),
        notes=tuple(dict.fromkeys(notes)),
        problem=problem,
        seed=seed,
        duration_seconds=round(duration_seconds, 3),
        timings={k: round(v, 4) for k, v in (timings or {}).items()},
    )
