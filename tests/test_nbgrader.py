"""nbgrader, both ways, with the real nbgrader and a real kernel: `nbgrader autograde` gives the same
per-exercise scores as `autograder grade`, and `--gradebook` feeds `nbgrader export`."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "perceptron_regression"
SAMPLES = ["reference", "stub", "forward_without_bias", "update_in_place", "syntax_error_in_one_cell"]
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # alembic


def nbgrader(*args, cwd):
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=1200)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A scratch course with the assignment released into its gradebook and the samples submitted."""
    root = tmp_path_factory.mktemp("course")
    for part in (f"assignments/{ASSIGNMENT}", f"source/{ASSIGNMENT}", f"solutions/{ASSIGNMENT}.py", "nbgrader_config.py"):
        (root / part).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy)(ROOT / part, root / part)
    assert nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=root).returncode == 0
    for name in SAMPLES:
        folder = root / "submitted" / name / ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copy(ROOT / "tests" / "samples" / ASSIGNMENT / f"{name}.ipynb", folder / f"{ASSIGNMENT}.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    return root


@pytest.fixture(scope="module")
def nbgrader_scores(course):
    done = nbgrader("autograde", ASSIGNMENT, cwd=course)
    assert done.returncode == 0, done.stderr[-3000:]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="calc4ml") as gradebook:
        return {student: {cell: gradebook.find_grade(cell, ASSIGNMENT, ASSIGNMENT, student).score
                          for cell in _exercises()} for student in SAMPLES}


@pytest.fixture(scope="module")
def our_scores(course):
    database = f"sqlite:///{course / 'ours.db'}"
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", ASSIGNMENT, str(course / "submitted"),
                           "--out", str(course / "ours"), "--json", str(course / "ours.json"), "--gradebook", database],
                          cwd=course, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    results = json.loads((course / "ours.json").read_text())["results"]
    by_path = {Path(r["submission"]).parent.parent.name: r for r in results}
    return {student: {e["name"]: e["points"] for e in by_path[student]["exercises"]} for student in SAMPLES}


def _exercises():
    from autograder.config import Assignment

    return Assignment.load(ASSIGNMENT, ROOT).exercises


@pytest.mark.parametrize("student", SAMPLES)
def test_nbgrader_autograde_and_autograder_grade_agree_on_every_exercise(nbgrader_scores, our_scores, student):
    assert nbgrader_scores[student] == our_scores[student]


def test_the_scores_are_not_trivially_equal(our_scores):
    totals = {student: sum(points.values()) for student, points in our_scores.items()}
    assert totals["reference"] == 17 and totals["stub"] == 0 and len(set(totals.values())) >= 3


def test_nbgrader_export_lists_every_student_written_by_gradebook(course, our_scores):
    target = course / "ours.csv"
    done = nbgrader("export", f"--CourseDirectory.db_url=sqlite:///{course / 'ours.db'}", f"--to={target}", cwd=course)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {row["student_id"]: row for row in csv.DictReader(target.open())}
    assert set(rows) == set(SAMPLES)
    for student, points in our_scores.items():
        assert float(rows[student]["score"]) == pytest.approx(sum(points.values()))
        assert float(rows[student]["max_score"]) == 17
    assert rows["reference"]["timestamp"].startswith("2026-11-20 10:00:00")
