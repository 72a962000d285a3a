"""Shared fixtures for the engine's own tests."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("JAX_PLATFORMS", "cpu")

from autograder.config import Assignment, Limits  # noqa: E402
from autograder.read import Cell  # noqa: E402
from autograder.sandbox.isolation import Unisolated, choose_sandbox  # noqa: E402
from autograder.sandbox.runtime import SandboxRuntime
from autograder.sandbox.submission import Submission  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def course_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def perceptron_regression() -> Assignment:
    return Assignment.load("perceptron_regression", ROOT)


@pytest.fixture(scope="session")
def sandbox(perceptron_regression):
    """The real grading sandbox (bubblewrap); the suite requires it, as grading does."""
    return choose_sandbox(perceptron_regression)


def cells(*sources: str) -> tuple[Cell, ...]:
    return tuple(Cell(number, textwrap.dedent(source)) for number, source in enumerate(sources, start=1))


@pytest.fixture
def run_notebook():
    """Start a child on some cells (unisolated: these tests are about the protocol, not the sandbox)."""
    started = []

    def start(*sources: str, limits: Limits | None = None, sandbox=None) -> Submission:
        limits = limits or Limits(call_seconds=2, cell_seconds=2, submission_seconds=30)
        runtime = SandboxRuntime(cells(*sources), limits, sandbox or Unisolated(), seed=0)
        runtime.__enter__()
        started.append(runtime)
        return Submission(runtime)

    yield start
    for runtime in started:
        runtime.__exit__(None, None, None)
