"""`autograder new` starts a course's assignment that verifies at once, and verify then holds it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def autograder(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=course, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A new course folder outside this repository, with one scaffolded assignment."""
    course = tmp_path_factory.mktemp("course")
    done = autograder(course, "new", "toy", "--title", "A toy assignment")
    assert done.returncode == 0, done.stderr
    wrote = [line.removeprefix("wrote ") for line in done.stdout.splitlines() if line.startswith("wrote ")]
    assert "release/toy" in wrote and "tests/samples/toy/stub.ipynb" in wrote  # every path said from the course's folder
    assert all((course / path).exists() and not Path(path).is_absolute() for path in wrote), wrote
    return course


def test_a_scaffolded_assignment_has_every_part_and_verifies_out_of_the_box(course):
    for part in ("nbgrader_config.py", "solutions/toy.py", "assignments/toy/assignment.toml",
                 "assignments/toy/checks_public.py", "assignments/toy/checks_hidden.py", "source/toy/toy.ipynb",
                 "release/toy/toy.ipynb", "release/toy/checks/public_cases.json", "tests/samples/toy/stub.ipynb"):
        assert (course / part).is_file(), part
    done = autograder(course, "verify", "toy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "== toy: passed" in done.stdout and "mutant descent_step_ascends: 2/4" in done.stdout


def test_verify_catches_a_reference_filled_in_wrong(course):
    reference = course / "solutions" / "toy.py"
    right = reference.read_text()
    reference.write_text(right.replace("return w - learning_rate * gradient", "return w - gradient"))
    try:
        done = autograder(course, "verify", "toy")
    finally:
        reference.write_text(right)
    assert done.returncode & 1, done.stdout  # bit 1: the reference no longer gets full marks (its own notebook disagrees)
    assert "FAIL [reference]" in done.stdout


def test_a_name_that_cannot_name_a_module_is_refused(tmp_path):
    done = autograder(tmp_path, "new", "Bad-Name")
    assert done.returncode == 78 and "not a usable assignment name" in done.stderr
