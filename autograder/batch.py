"""Grade many submissions: in this process, or in a pool of worker processes.

Workers are started with ``spawn`` (never ``fork``: this process may have run JAX, and a forked
JAX deadlocks). Each task only orchestrates a sandboxed child, so limits and kills never depend
on the executor.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from .config import Assignment
from .grade import grade_submission
from .isolation import Sandbox
from .plugin import Visibility
from .results import Result

__all__ = ["find_submissions", "grade_many", "spawn_pool"]

SUBMISSION_SUFFIXES = (".ipynb", ".py")


def find_submissions(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders searched for notebooks and scripts (checkpoints skipped), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*")
                if p.suffix in SUBMISSION_SUFFIXES and p.is_file() and ".ipynb_checkpoints" not in p.parts
            )
        else:
            found.append(path)
    return found


def spawn_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def grade_many(
    assignment: Assignment,
    paths: Sequence[Path],
    sandbox: Sandbox,
    *,
    executor: Executor | None = None,
    visibility: Visibility = "all",
    seed: int | None = None,
) -> Iterator[Result]:
    """Results in the order of ``paths``; graded here, or on ``executor``'s workers."""
    if executor is None:
        for path in paths:
            yield grade_submission(assignment, path, sandbox, visibility=visibility, seed=seed)
        return
    futures = [
        executor.submit(grade_submission, assignment, path, sandbox, visibility=visibility, seed=seed)
        for path in paths
    ]
    for future in futures:
        yield future.result()
