"""Finding a class's submissions, naming and saving them, and keeping one student's file from
stopping the batch: links, pipes, deep folders, names that are not UTF-8, huge files, and a grader
that fails on one submission."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import threading
import time
from pathlib import Path

import pytest

from autograder import batch
from autograder.batch import MAX_FOLDER_DEPTH, Progress, ResultStore, Task, discover, file_digest, file_name, find_submissions
from autograder.config import Assignment
from autograder.context import GradingContext
from autograder.errors import UnreadableSubmission
from autograder.read import read_submission
from autograder.results import Result

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "perceptron_regression"
NOTEBOOK = '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}'
QUICK_SECONDS = 2.0  # "well under a second" on an idle machine; generous on a loaded one


@pytest.fixture(scope="module")
def assignment():
    return Assignment.load(ASSIGNMENT, ROOT)


def nbgrader_submission(root, student, name=f"{ASSIGNMENT}.ipynb"):
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / name).write_text(NOTEBOOK)
    return folder / name


# ---------------------------------------------------------------------------- links and odd files


def test_links_to_files_and_folders_are_not_followed(tmp_path):
    outside = tmp_path / "autograder" / "source"
    outside.mkdir(parents=True)
    (outside / "solution.ipynb").write_text(NOTEBOOK)
    flat = tmp_path / "class"
    flat.mkdir()
    (flat / "ada.ipynb").write_text(NOTEBOOK)
    (flat / "ben.ipynb").symlink_to(outside / "solution.ipynb")
    (flat / "cyd").symlink_to(outside, target_is_directory=True)
    (flat / "dee").mkdir()
    (flat / "dee" / "notes.ipynb").symlink_to(outside / "solution.ipynb")
    assert find_submissions([flat]) == [flat / "ada.ipynb"]


def test_a_submission_folder_that_is_a_link_is_not_graded(tmp_path, assignment):
    nbgrader_submission(tmp_path, "ada")
    elsewhere = tmp_path / "elsewhere" / ASSIGNMENT
    elsewhere.mkdir(parents=True)
    (elsewhere / f"{ASSIGNMENT}.ipynb").write_text(NOTEBOOK)
    (tmp_path / "submitted" / "ben").mkdir()
    (tmp_path / "submitted" / "ben" / ASSIGNMENT).symlink_to(elsewhere, target_is_directory=True)
    (tmp_path / "submitted" / "cyd").symlink_to(elsewhere.parent, target_is_directory=True)
    assert [t.student for t in discover([tmp_path], assignment)] == ["ada"]


def test_a_notebook_that_is_a_link_gets_a_verdict_instead_of_vanishing(tmp_path, assignment):
    nbgrader_submission(tmp_path, "ada")
    solution = tmp_path / "solution.ipynb"
    solution.write_text(NOTEBOOK)
    link = tmp_path / "submitted" / "eve" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    link.parent.mkdir(parents=True)
    link.symlink_to(solution)
    tasks = discover([tmp_path], assignment)
    assert [(t.student, t.path) for t in tasks][1] == ("eve", link)
    with pytest.raises(UnreadableSubmission, match="is a symbolic link, not a file; submit the notebook file itself"):
        read_submission(link)


def test_pipes_and_checkpoints_are_skipped_without_blocking(tmp_path):
    (tmp_path / "ada.ipynb").write_text(NOTEBOOK)
    os.mkfifo(tmp_path / "ben.ipynb")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "ada-checkpoint.ipynb").write_text(NOTEBOOK)
    found: list[list[Path]] = []
    walker = threading.Thread(target=lambda: found.append(find_submissions([tmp_path])), daemon=True)
    walker.start()
    walker.join(QUICK_SECONDS * 5)
    assert not walker.is_alive() and found == [[tmp_path / "ada.ipynb"]]
    assert file_digest(tmp_path / "ben.ipynb") == "unreadable"  # hashing does not block either


# ---------------------------------------------------------------------------- deep folders


@contextlib.contextmanager
def nested(folder: Path, levels: int):
    """``folder``/d/d/.../d, ``levels`` deep (its path is far longer than PATH_MAX, so it is made and
    removed by changing directory one level at a time), with a notebook at the bottom."""
    home = os.getcwd()
    try:
        os.chdir(folder)
        for _ in range(levels):
            os.mkdir("d")
            os.chdir("d")
        Path("bottom.ipynb").write_text(NOTEBOOK)
        os.chdir(folder)
        yield
    finally:
        os.chdir(folder)
        depth = 0
        while os.path.isdir("d"):
            os.chdir("d")
            depth += 1
        with contextlib.suppress(FileNotFoundError):
            os.remove("bottom.ipynb")
        for _ in range(depth):
            os.chdir("..")
            os.rmdir("d")
        os.chdir(home)


def test_a_folder_nested_10000_levels_deep_is_walked_quickly(tmp_path, assignment):
    (tmp_path / "ada.ipynb").write_text(NOTEBOOK)
    with nested(tmp_path, 10_000):
        started = time.monotonic()
        tasks = discover([tmp_path], assignment)
        assert time.monotonic() - started < QUICK_SECONDS
    assert [t.student for t in tasks] == ["ada"]


def test_folders_are_searched_to_a_depth_no_layout_needs(tmp_path):
    shallow = tmp_path.joinpath(*["d"] * MAX_FOLDER_DEPTH)
    shallow.mkdir(parents=True)
    (shallow / "found.ipynb").write_text(NOTEBOOK)
    (shallow / "d").mkdir()
    (shallow / "d" / "too_deep.ipynb").write_text(NOTEBOOK)
    assert find_submissions([tmp_path]) == [shallow / "found.ipynb"]


# ---------------------------------------------------------------------------- student ids and saved results


def test_names_that_are_not_utf8_still_print_save_and_read(tmp_path, assignment):
    for name in (b"caf\xe9.ipynb", b"caf\xe8.ipynb"):  # Latin-1 names: not UTF-8
        with open(os.path.join(os.fsencode(tmp_path), name), "w") as handle:
            handle.write(NOTEBOOK)
    tasks = discover([tmp_path], assignment)
    assert [t.student for t in tasks] == ["caf\ufffd", "caf\ufffd~2"]  # cleaned, and still two students
    for task in tasks:
        json.dumps(task.student, ensure_ascii=False).encode("utf-8")
        assert read_submission(task.path).cells == ()  # the path itself keeps the bytes that open the file
    store = ResultStore(tmp_path / "out")
    assert len({store.path_for(t.student) for t in tasks}) == 2


@pytest.mark.parametrize("students", [
    ["..", ".", "", "a/b", "a_b", "a b", "a%20b"],
    ["../../etc/passwd", "x" * 300, "x" * 301, "\ufffd", "~", "CON", "a\nb"],
])
def test_two_students_never_share_a_result_file_and_none_leaves_the_folder(tmp_path, students):
    store = ResultStore(tmp_path / "out")
    paths = [store.path_for(s) for s in students]
    assert len(set(paths)) == len(students)
    assert all(p.parent == store.folder and not p.name.startswith(".") for p in paths)
    result = Result("x.ipynb", ASSIGNMENT, 1.0, 2.0, ())
    for student in students:
        store.save(student, result, "digest", "fingerprint")
        assert store.load(student)["student"] == student
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)
    assert file_name("a/b") == "a%2Fb"


# ---------------------------------------------------------------------------- digests


def test_a_file_is_hashed_in_chunks_and_a_huge_one_not_at_all(tmp_path):
    small = tmp_path / "small.ipynb"
    small.write_bytes(os.urandom(3 * batch.DIGEST_CHUNK_BYTES + 7))
    assert file_digest(small) == hashlib.sha256(small.read_bytes()).hexdigest()
    huge = tmp_path / "huge.ipynb"
    with open(huge, "wb") as handle:
        os.truncate(handle.fileno(), 2 * 1024**3)  # sparse: no disk used
    started = time.monotonic()
    assert file_digest(huge) == f"too-large:{2 * 1024**3}"
    assert time.monotonic() - started < QUICK_SECONDS
    link = tmp_path / "link.ipynb"
    link.symlink_to(small)
    assert file_digest(link) == "unreadable" and file_digest(tmp_path / "absent.ipynb") == "unreadable"


# ---------------------------------------------------------------------------- one submission's failure


@pytest.fixture
def grading_state():
    """A grading context of the test's own (a worker's would outlive the test)."""
    context = GradingContext()
    yield context
    context.close()


@pytest.mark.parametrize("error", [RecursionError("maximum recursion depth exceeded"), MemoryError(), KeyError("x")])
def test_anything_escaping_the_grader_costs_only_that_submission(monkeypatch, assignment, grading_state, error):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(batch, "grade_submission", fail)
    result = batch.grade_task(assignment, Path("sub.ipynb"), None, context=grading_state)
    assert result.problem.startswith("not graded: the grader failed on this submission")
    assert type(error).__name__ in result.problem


def test_a_batch_goes_on_past_a_failure_and_does_not_save_it(monkeypatch, tmp_path, assignment, grading_state):
    def grade(assignment, path, sandbox, **kwargs):
        if path.stem == "ben":
            raise RecursionError("maximum recursion depth exceeded while calling a Python object")
        return Result(str(path), assignment.name, 3.0, 17.0, ())

    monkeypatch.setattr(batch, "grade_submission", grade)
    tasks = [Task(student, tmp_path / f"{student[:3]}.ipynb") for student in ("ada", "ben", "cyd\x1b[2J\n")]
    stream = io.StringIO()
    store = ResultStore(tmp_path / "out")
    graded = batch.grade_batch(assignment, tasks, None, store=store, progress=Progress(len(tasks), stream=stream))
    assert [r.problem[:11] for _, r in graded] == ["", "not graded:", ""]
    assert store.load("ada") is not None and store.load("ben") is None and store.load("cyd\x1b[2J\n") is not None
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 and "\x1b" not in stream.getvalue() and lines[2].endswith("cyd\\x1b[2J\\n: 3/17")


def test_the_live_progress_line_stays_one_line(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = Progress(1, stream=stream)
    progress.update(Task("eve\r\nmallory\x1b]0;pwned\x07", tmp_path / "eve.ipynb"), Result("x", ASSIGNMENT, 1.0, 2.0, ()))
    text = stream.getvalue()
    assert text.count("\r") == 1 and "\n" not in text and "\x1b]" not in text and "\x07" not in text
