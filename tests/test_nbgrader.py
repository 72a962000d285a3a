"""nbgrader, both ways, with the real nbgrader and real kernels.

- `nbgrader generate_assignment` alone makes a working release: the course's nbgrader_config.py adds
  release/<a>/checks/ exactly as `autograder release` does, so check() runs in it.
- `nbgrader autograde` gives the same per-exercise scores as `autograder grade`.
- `autograder grade <a> <course>/submitted --gradebook ...` leaves what formgrader and nbgrader's other
  commands read: the gradebook (with the notebook's cells) and autograded/<student>/<a>/, so nbgrader's
  API lists every submission as autograded with our scores, `nbgrader export` and `nbgrader
  generate_feedback` work, the feedback shows our messages and nothing hidden, and a manual score
  survives grading again.
- Hostile submissions (links, odd or undecodable folder names, broken or huge notebooks) get an entry
  or a clear remark, and nothing is read through a link or written outside autograded/.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "perceptron_regression"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SAMPLES = ["reference", "stub", "forward_without_bias", "update_in_place", "syntax_error_in_one_cell"]
STAMP = "2026-11-20 10:00:00.000000 UTC"
COURSE_PARTS = (f"assignments/{ASSIGNMENT}", f"source/{ASSIGNMENT}", f"solutions/{ASSIGNMENT}.py", "nbgrader_config.py")
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # alembic
COURSE_ID = "calc4ml"


def nbgrader(*args, cwd):
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=1200)


def autograder(*args, cwd):
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=cwd, env=ENV, capture_output=True,
                          text=True, timeout=900)


def copy_course(root: Path) -> Path:
    for part in COURSE_PARTS:
        (root / part).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy)(ROOT / part, root / part)
    return root


def submit(course: Path, student: str | bytes, notebook: Path | None = None, stamp: str | None = STAMP) -> Path:
    folder = Path(os.fsdecode(os.path.join(os.fsencode(course / "submitted"), os.fsencode(student), os.fsencode(ASSIGNMENT))))
    folder.mkdir(parents=True)
    if notebook is not None:
        shutil.copy(notebook, folder / NOTEBOOK)
    if stamp is not None:
        (folder / "timestamp.txt").write_text(stamp)
    return folder


def sample(name: str) -> Path:
    return ROOT / "tests" / "samples" / ASSIGNMENT / f"{name}.ipynb"


def api_for(course: Path, db: Path):
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.db_url = f"sqlite:///{db}"
    config.CourseDirectory.course_id = COURSE_ID
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _exercises():
    from autograder.config import Assignment

    return Assignment.load(ASSIGNMENT, ROOT).exercises


# ---------------------------------------------------------------------------- courses


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A scratch course released by `nbgrader generate_assignment` alone, the samples submitted."""
    root = copy_course(tmp_path_factory.mktemp("released"))
    done = nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]
    for name in SAMPLES:
        submit(root, name, sample(name))
    return root


@pytest.fixture(scope="module")
def course(released, tmp_path_factory):
    """A copy for `nbgrader autograde` (nbgrader's gradebook.db, nbgrader's autograded/)."""
    root = tmp_path_factory.mktemp("nbgrader") / "course"
    shutil.copytree(released, root, symlinks=True)
    return root


@pytest.fixture(scope="module")
def ours(released, tmp_path_factory):
    """A copy graded by `autograder grade` into a new gradebook, ours.db."""
    root = tmp_path_factory.mktemp("ours") / "course"
    shutil.copytree(released, root, symlinks=True)
    return root


@pytest.fixture(scope="module")
def nbgrader_scores(course):
    done = nbgrader("autograde", ASSIGNMENT, cwd=course)
    assert done.returncode == 0, done.stderr[-3000:]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gradebook:
        return {student: {cell: gradebook.find_grade(cell, ASSIGNMENT, ASSIGNMENT, student).score
                          for cell in _exercises()} for student in SAMPLES}


@pytest.fixture(scope="module")
def our_results(ours):
    done = autograder("grade", ASSIGNMENT, str(ours / "submitted"), "--out", str(ours / "out"), "--json",
                      str(ours / "ours.json"), "--gradebook", f"sqlite:///{ours / 'ours.db'}", cwd=ours)
    assert done.returncode == 0, done.stderr
    assert f"into {ours / 'autograded'}" in done.stderr  # the remark that autograded/ was written
    return {r["student"]: r for r in json.loads((ours / "ours.json").read_text())["results"]}


@pytest.fixture(scope="module")
def our_scores(our_results):
    return {student: {e["name"]: e["points"] for e in our_results[student]["exercises"]} for student in SAMPLES}


# ---------------------------------------------------------------------------- 1. the release


def test_generate_assignment_alone_writes_the_checks_autograder_release_writes(released, tmp_path):
    other = copy_course(tmp_path / "other")
    done = autograder("release", ASSIGNMENT, cwd=other)
    assert done.returncode == 0, done.stderr
    by_nbgrader, by_release = released / "release" / ASSIGNMENT / "checks", other / "release" / ASSIGNMENT / "checks"
    names = sorted(p.name for p in by_nbgrader.iterdir())
    assert names == sorted(p.name for p in by_release.iterdir()) == ["assignment.toml", "checks_public.py",
                                                                      "public_cases.json"]
    for name in names:
        assert (by_nbgrader / name).read_bytes() == (by_release / name).read_bytes(), name
    assert (by_nbgrader / "checks_public.py").read_bytes() == (released / "assignments" / ASSIGNMENT /
                                                               "checks_public.py").read_bytes()


def hidden_lines(course: Path) -> set[str]:
    """Long lines of the hidden checks that the public checks do not share (decorators, imports)."""
    def lines(name):
        return {line.strip() for line in (course / "assignments" / ASSIGNMENT / name).read_text().splitlines()}

    return {line for line in lines("checks_hidden.py") - lines("checks_public.py") if len(line) > 30}


def test_the_release_holds_nothing_hidden(released):
    hidden = hidden_lines(released)
    assert len(hidden) > 10
    for path in (released / "release" / ASSIGNMENT).rglob("*"):
        assert path.name not in ("checks_hidden.py", "mistakes.py", f"{ASSIGNMENT}.py")
        if path.is_file() and path.suffix in (".py", ".json", ".toml", ".ipynb"):
            text = path.read_text()
            assert not [line for line in hidden if line in text], path


def test_check_runs_in_a_release_made_by_nbgrader_alone(released, tmp_path):
    student = tmp_path / "home" / "work"  # outside any course: only checks/ can tell the assignment
    shutil.copytree(released / "release" / ASSIGNMENT, student)
    done = autograder("check", NOTEBOOK, cwd=student)
    assert done.returncode == 1, done.stderr
    assert "cannot tell which assignment" not in done.stdout + done.stderr
    assert done.stdout.count("is not implemented yet") >= len(_exercises())


def test_generate_assignment_fails_loudly_when_the_checks_cannot_be_added(tmp_path):
    root = copy_course(tmp_path / "broken")
    (root / "assignments" / ASSIGNMENT / "public_cases.json").unlink()
    done = nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=root)
    assert done.returncode != 0
    assert "public_cases.json is missing" in done.stderr
    assert not (root / "release" / ASSIGNMENT).exists()  # nbgrader removed the release without checks


# ---------------------------------------------------------------------------- 2. grading and the gradebook


@pytest.mark.parametrize("student", SAMPLES)
def test_nbgrader_autograde_and_autograder_grade_agree_on_every_exercise(nbgrader_scores, our_scores, student):
    assert nbgrader_scores[student] == our_scores[student]


def test_the_scores_are_not_trivially_equal(our_scores):
    totals = {student: sum(points.values()) for student, points in our_scores.items()}
    assert totals["reference"] == 17 and totals["stub"] == 0 and len(set(totals.values())) >= 3


def test_nbgrader_export_lists_every_student_written_by_gradebook(ours, our_scores):
    target = ours / "ours.csv"
    done = nbgrader("export", f"--CourseDirectory.db_url=sqlite:///{ours / 'ours.db'}", f"--to={target}", cwd=ours)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {row["student_id"]: row for row in csv.DictReader(target.open())}
    assert set(rows) == set(SAMPLES)
    for student, points in our_scores.items():
        assert float(rows[student]["score"]) == pytest.approx(sum(points.values()))
        assert float(rows[student]["max_score"]) == 17
    assert rows["reference"]["timestamp"].startswith("2026-11-20 10:00:00")


def test_formgrader_lists_every_submission_as_autograded_with_our_scores(ours, our_scores):
    api = api_for(ours, ours / "ours.db")
    submissions = {s["student"]: s for s in api.get_submissions(ASSIGNMENT)}
    assert set(submissions) == set(SAMPLES)
    for student, points in our_scores.items():
        listed = submissions[student]
        assert listed["autograded"] and listed["submitted"] and not listed["needs_manual_grade"], listed
        assert listed["score"] == pytest.approx(sum(points.values())) and listed["max_score"] == 17
    notebooks = api.get_notebook_submissions(ASSIGNMENT, ASSIGNMENT)  # formgrader's grading list: files in autograded/
    assert {n["student"] for n in notebooks} == set(SAMPLES)
    assert api.get_assignment(ASSIGNMENT)["num_submissions"] == len(SAMPLES)


def test_the_gradebook_holds_the_notebooks_cells_as_generate_assignment_records_them(ours, our_scores):
    from nbgrader.api import Gradebook

    def cells(db):
        with Gradebook(f"sqlite:///{db}", course_id=COURSE_ID) as gradebook:
            notebook = gradebook.find_notebook(ASSIGNMENT, ASSIGNMENT)
            return ({c.name: (c.source, c.checksum, c.locked, c.cell_type) for c in notebook.source_cells},
                    {c.name: c.max_score for c in notebook.grade_cells}, {c.name for c in notebook.solution_cells})

    assert cells(ours / "ours.db") == cells(ours / "gradebook.db")  # ours recorded; gradebook.db by generate_assignment


def test_autograded_notebooks_are_nbgraders_with_our_verdicts(ours, our_results):
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.utils import compute_checksum, determine_grade, is_grade, is_locked

    with Gradebook(f"sqlite:///{ours / 'ours.db'}", course_id=COURSE_ID) as gradebook:
        sources = {c.name: c for c in gradebook.find_notebook(ASSIGNMENT, ASSIGNMENT).source_cells}
        for student in SAMPLES:
            folder = ours / "autograded" / student / ASSIGNMENT
            assert (folder / "timestamp.txt").read_text() == STAMP
            assert (folder / NOTEBOOK).stat().st_mode & 0o777 == 0o444
            notebook = nbformat.read(folder / NOTEBOOK, as_version=4)
            nbformat.validate(notebook)
            graded = {c.metadata.nbgrader["grade_id"]: c for c in notebook.cells if "nbgrader" in c.metadata}
            assert set(graded) == set(sources)
            for grade_id, cell in graded.items():
                assert cell.metadata.nbgrader["checksum"] == sources[grade_id].checksum
                if is_locked(cell):
                    assert compute_checksum(cell) == sources[grade_id].checksum  # as released, untouched
                if is_grade(cell):
                    grade = gradebook.find_grade(grade_id, ASSIGNMENT, ASSIGNMENT, student)
                    assert determine_grade(cell)[0] == grade.auto_score  # nbgrader reads our score back
                    assert not [o for o in cell.outputs if o.get("name") == "stderr" or o.output_type == "error"]
            exercise = next(e for e in our_results[student]["exercises"] if e["name"] == "forward_propagation")
            shown = "".join(o.get("text", "") for o in graded["forward_propagation"].outputs)
            assert shown.startswith(f"forward_propagation: {exercise['points']:g} of 2 points")


def test_every_grade_and_comment_is_as_nbgrader_autograde_records_it(course, nbgrader_scores, ours, our_scores):
    from nbgrader.api import Gradebook

    def recorded(db):
        with Gradebook(f"sqlite:///{db}", course_id=COURSE_ID) as gradebook:
            notebook = gradebook.find_notebook(ASSIGNMENT, ASSIGNMENT)
            grades = {(s, c.name): (gradebook.find_grade(c.name, ASSIGNMENT, ASSIGNMENT, s).auto_score,
                                    gradebook.find_grade(c.name, ASSIGNMENT, ASSIGNMENT, s).needs_manual_grade)
                      for s in SAMPLES for c in notebook.grade_cells}
            comments = {(s, c.name): gradebook.find_comment(c.name, ASSIGNMENT, ASSIGNMENT, s).auto_comment
                        for s in SAMPLES for c in notebook.solution_cells}
            stamps = {s: gradebook.find_submission(ASSIGNMENT, s).timestamp for s in SAMPLES}
            return grades, comments, stamps

    assert recorded(ours / "ours.db") == recorded(course / "gradebook.db")
    assert "No response." in recorded(ours / "ours.db")[1].values()  # the stub's untouched answer cells


def test_generate_feedback_shows_our_messages_and_nothing_hidden(ours, our_results):
    done = nbgrader("generate_feedback", ASSIGNMENT, f"--CourseDirectory.db_url=sqlite:///{ours / 'ours.db'}", cwd=ours)
    assert done.returncode == 0, done.stderr[-3000:]
    import html

    page = html.unescape((ours / "feedback" / "forward_without_bias" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text())
    checks = [c for e in our_results["forward_without_bias"]["exercises"] for c in e["checks"] if c["status"] != "passed"]
    assert checks and all(c["message"] in page and c["hint"] in page for c in checks)
    hidden = [c for c in checks if c["hidden"]]
    assert hidden and all(c["detail"] and c["detail"] not in page for c in hidden)
    for check in hidden:  # no value a hidden case used: the detail's numbers the message does not have
        values = set(re.findall(r"-?\d+\.\d{3,}", check["detail"])) - set(re.findall(r"-?\d+\.\d{3,}", check["message"]))
        assert values and not [v for v in values if v in page], values
    assert not [line for line in hidden_lines(ours) if line in page]
    assert "Score: 15.0 / 17.0" in page


def test_a_manual_score_survives_grading_again(ours, our_scores, tmp_path):
    moved = tmp_path / "moved"  # a copy of the graded course: its saved results name the first copy's files
    shutil.copytree(ours, moved, symlinks=True)
    from nbgrader.api import Gradebook

    database = f"sqlite:///{moved / 'ours.db'}"
    with Gradebook(database, course_id=COURSE_ID) as gradebook:
        gradebook.find_grade("forward_propagation", ASSIGNMENT, ASSIGNMENT, "forward_without_bias").manual_score = 1.5
        gradebook.db.commit()
    done = autograder("grade", ASSIGNMENT, str(moved / "submitted"), "--out", str(moved / "out"), "--gradebook", database,
                      cwd=moved)  # no --force: the saved results are reused and recorded again
    assert done.returncode == 0, done.stderr
    assert f"{len(SAMPLES)} more already saved" in done.stderr and f"into {moved / 'autograded'}" in done.stderr
    with Gradebook(database, course_id=COURSE_ID) as gradebook:
        grade = gradebook.find_grade("forward_propagation", ASSIGNMENT, ASSIGNMENT, "forward_without_bias")
        assert (grade.manual_score, grade.auto_score, grade.score) == (1.5, 0.0, 1.5)
        assert grade.needs_manual_grade  # as nbgrader autograde leaves a grade a person changed: flagged for review
    submissions = {s["student"]: s for s in api_for(moved, moved / "ours.db").get_submissions(ASSIGNMENT)}
    assert submissions["forward_without_bias"]["score"] == pytest.approx(sum(our_scores["forward_without_bias"].values()) + 1.5)
    assert submissions["forward_without_bias"]["autograded"] and submissions["forward_without_bias"]["needs_manual_grade"]
    assert not submissions["reference"]["needs_manual_grade"]


# ---------------------------------------------------------------------------- hostile submissions

ODD = "o'brien <b>&amp; \u00fc x"
UNDECODABLE = b"caf\xe9"
SECRET = "TOP-SECRET-MARKER-7f3a"


@pytest.fixture(scope="module")
def hostile(released, tmp_path_factory):
    """A copy of the released course (its own gradebook.db) with hostile submissions, graded."""
    base = tmp_path_factory.mktemp("hostile")
    root = base / "course"
    shutil.copytree(released, root, symlinks=True)
    shutil.rmtree(root / "submitted")
    secret = json.loads(sample("reference").read_text())
    secret["cells"].append({"cell_type": "markdown", "metadata": {}, "source": SECRET})
    (base / "secret.ipynb").write_text(json.dumps(secret))
    (base / "secret_stamp.txt").write_text(STAMP)
    outside = base / "outside"
    outside.mkdir()
    submit(root, ODD, sample("reference"))
    submit(root, UNDECODABLE, sample("reference"))
    mallory = submit(root, "mallory", stamp=None)
    (mallory / NOTEBOOK).symlink_to(base / "secret.ipynb")
    (mallory / "timestamp.txt").symlink_to(base / "secret_stamp.txt")
    (submit(root, "trudy") / NOTEBOOK).write_text('{"nbformat": 4, "cells": [')
    with open(submit(root, "huge") / NOTEBOOK, "wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: over the reader's limit without the disk
    odd_metadata = json.loads(sample("forward_without_bias").read_text())
    for cell in odd_metadata["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "compute_cost":
            cell["metadata"]["nbgrader"] = {"grade": True}  # no grade_id: nbgrader's sanitising fails on it
    (submit(root, "broken_metadata") / NOTEBOOK).write_text(json.dumps(odd_metadata))
    submit(root, "victim", sample("stub"))
    surrogate = json.loads(sample("reference").read_text())
    for cell in surrogate["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "layer_sizes_code":
            cell["source"] = ["# caf\udce9: a lone surrogate, which JSON can hold and UTF-8 cannot\n", *cell["source"]]
    (submit(root, "surrogate") / NOTEBOOK).write_text(json.dumps(surrogate))  # json.dumps escapes it as \udce9
    (root / "autograded").mkdir()
    (root / "autograded" / "victim").symlink_to(outside)  # a link where a student's folder goes
    done = autograder("grade", ASSIGNMENT, str(root / "submitted"), "--out", str(root / "out"), "--json",
                      str(root / "results.json"), "--gradebook", f"sqlite:///{root / 'gradebook.db'}", cwd=root)
    return root, outside, done


def test_hostile_submissions_never_stop_the_batch(hostile):
    root, _, done = hostile
    assert done.returncode == 0, done.stderr[-3000:]
    results = {r["student"]: r for r in json.loads((root / "results.json").read_text())["results"]}
    assert len(results) == 8 and results[ODD]["points"] == 17
    written = (root / "autograded" / "surrogate" / ASSIGNMENT / NOTEBOOK).read_bytes().decode("utf-8")  # strict
    assert "caf\ufffd" in written and "udce9" not in written


def test_nothing_is_read_through_a_link_or_written_outside_autograded(hostile):
    root, outside, done = hostile
    assert list(outside.iterdir()) == []
    assert "autograded/ for victim not written" in done.stderr
    mallory = root / "autograded" / "mallory" / ASSIGNMENT
    assert sorted(p.name for p in mallory.iterdir()) == [NOTEBOOK]  # the linked timestamp.txt was not copied
    for path in (root / "autograded").rglob("*"):
        assert not path.is_symlink() or path == root / "autograded" / "victim"
        if path.is_file() and not path.is_symlink():
            assert SECRET not in path.read_text(errors="replace"), path
    assert "timestamp.txt of mallory is not a small regular file" in done.stderr


def test_unreadable_notebooks_get_an_entry_with_every_grade_cell(hostile):
    import nbformat

    root, _, done = hostile
    for student in ("mallory", "trudy", "huge", "broken_metadata"):
        notebook = nbformat.read(root / "autograded" / student / ASSIGNMENT / NOTEBOOK, as_version=4)
        assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("**autograder:**")
        grade_ids = {c.metadata.nbgrader["grade_id"] for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")}
        assert grade_ids == set(_exercises()), student
        assert f"autograded/ for {student} shows the grade cells only" in done.stderr
    broken = nbformat.read(root / "autograded" / "broken_metadata" / ASSIGNMENT / NOTEBOOK, as_version=4)
    assert any("def forward_propagation" in c.source for c in broken.cells)  # its code still shown to the grader


def test_odd_and_undecodable_folder_names(hostile):
    root, _, done = hostile
    assert (root / "autograded" / ODD / ASSIGNMENT / NOTEBOOK).is_file()
    assert "autograded/ not written for caf\ufffd: the folder name is not the student id" in done.stderr
    assert not [p for p in os.listdir(os.fsencode(root / "autograded")) if p.startswith(b"caf")]
    submissions = {s["student"]: s for s in api_for(root, root / "gradebook.db").get_submissions(ASSIGNMENT)}
    assert submissions[ODD]["autograded"] and submissions[ODD]["score"] == 17
    assert submissions["trudy"]["autograded"] and submissions["trudy"]["score"] == 0
