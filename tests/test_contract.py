"""A notebook is graded under the contract it was written for, and template code never costs credit."""

from __future__ import annotations

import textwrap

from autograder.config import Assignment
from autograder.contract import OURS, choose_contract, template_lines, without_template_asserts
from autograder.read import Cell

COURSE_STYLE = textwrap.dedent('''\
    # GRADED FUNCTION: forward_propagation
    def forward_propagation(X, parameters):
        ### START CODE HERE ### (~ 2 lines of code)
        A2 = X * 2
        assert A2.shape == X.shape  # the student's own assert: it stays
        ### END CODE HERE ###
        assert(A2.shape == (n_y, X.shape[1]))
        assert (A2.shape
                == X.shape)
        cache = {"A2": A2}; assert cache
        return A2, cache
''')


def test_a_notebook_in_the_public_courses_layout_is_graded_under_its_contract(course_root):
    assignment = Assignment.load("neural_network", course_root)
    contract = choose_contract(assignment.contracts, ["import numpy as np", COURSE_STYLE])
    assert contract.name == "public_course" and contract.get("outputs", 2) == 1
    assert choose_contract(assignment.contracts, ["def forward_propagation(X, parameters):\n    pass"]) is OURS
    assert OURS.get("outputs", 2) == 2  # our notebooks promise what the checks try


def test_template_asserts_are_not_run_and_the_students_own_are(course_root):
    cells, notes = without_template_asserts((Cell(19, COURSE_STYLE),), {})
    source = cells[0].source
    assert source.count("\n") == COURSE_STYLE.count("\n")  # line numbers in messages stay right
    assert "assert A2.shape == X.shape  # the student's own" in source
    assert "n_y" not in source and "== X.shape)" not in source
    assert "cache = {\"A2\": A2}; assert cache" in source  # shares its line with a statement: left as it is
    assert notes and "cell 19" in notes[0]


def test_lines_identical_to_the_releases_are_template_in_our_own_notebooks():
    release = {"forward_code": "def f(x):\n    assert x > 0\n    # YOUR CODE HERE\n    raise NotImplementedError()"}
    cell = Cell(4, "def f(x):\n    assert x > 0\n    assert x < 10\n    return x", grade_id="forward_code")
    assert template_lines(cell, release) == {1, 2}
    source = without_template_asserts((cell,), release)[0][0].source
    assert "x > 0" not in source and "assert x < 10" in source
    assert template_lines(Cell(4, cell.source), release) == set()  # a cell the release does not have: all the student's


def test_demonstrations_as_released_are_not_run_when_grading_and_edited_ones_are(tmp_path):
    import json

    from autograder.contract import DEMONSTRATION_TAG, without_demonstrations

    demo = "timings = sweep(sizes)\nplot(timings)"
    release = tmp_path / "release.ipynb"
    release.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {"tags": [DEMONSTRATION_TAG]}, "source": demo.splitlines(True),
         "outputs": [], "execution_count": None},
        {"cell_type": "code", "metadata": {"tags": ["other"]}, "source": "x = 1", "outputs": [], "execution_count": None},
    ]}))
    cells = [Cell(1, "def f(x):\n    return x"), Cell(2, demo + "\n"), Cell(3, "x = 1"), Cell(4, demo + "\nsecret = f(2)")]
    kept, notes = without_demonstrations(cells, release)
    assert [c.source for c in kept] == ["def f(x):\n    return x", "", "x = 1", demo + "\nsecret = f(2)"]
    assert [c.number for c in kept] == [1, 2, 3, 4] and notes == ["cell 2 (a demonstration, as released) was not run "
                                                                  "when grading"]
    assert without_demonstrations(cells, None) == (tuple(cells), [])
    assert without_demonstrations(cells, tmp_path / "missing.ipynb") == (tuple(cells), [])
