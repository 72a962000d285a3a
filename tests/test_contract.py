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
