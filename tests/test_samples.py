"""The grader held to its answer key: every sample submission gets exactly the verdict it must.

One `autograder verify` run (bubblewrap sandbox, two workers) grades every sample of
perceptron_regression; the tests below read its report.
"""

from __future__ import annotations

import pytest

from autograder.batch import spawn_pool
from autograder.samples import expectation_problems, load_samples
from autograder.verify import Failure, verify

ASSIGNMENT = "perceptron_regression"


@pytest.fixture(scope="module")
def report(perceptron_regression, sandbox):
    with spawn_pool(2) as pool:
        return verify(perceptron_regression, sandbox, pool)


@pytest.fixture(scope="module")
def graded(report, perceptron_regression):
    return {s.name: (s, r) for s, r in zip(load_samples(perceptron_regression), report.results, strict=True)}


def test_the_reference_gets_full_marks(graded):
    _, result = graded["reference"]
    assert result.points == result.max_points == 17
    assert all(e.status == "passed" for e in result.exercises)


def test_the_untouched_stub_gets_zero_with_a_verdict_for_every_check(graded):
    _, result = graded["stub"]
    assert result.points == 0
    assert all(c.status == "missing" and "not implemented yet" in c.message for e in result.exercises for c in e.checks)


@pytest.mark.parametrize("name", [s.name for s in load_samples(__import__("autograder.config").config.Assignment.load(
    ASSIGNMENT, __import__("pathlib").Path(__file__).resolve().parents[1]))])
def test_each_sample_gets_the_verdict_its_samples_toml_entry_states(graded, name):
    sample, result = graded[name]
    assert expectation_problems(sample, result) == []


def test_there_is_a_mutant_for_every_exercise_and_at_least_ten_in_all(graded):
    mutants = [s for s, _ in graded.values() if s.kind == "mutant" and s.replace]
    assert len(mutants) >= 10
    exercises = {e.name for e in graded["reference"][1].exercises}
    assert exercises <= {name for s in mutants for name in s.scores}


def test_every_check_is_shown_to_fail_on_some_wrong_answer(graded):
    """A check that no mutant fails could be a check that cannot fail."""
    reference = graded["reference"][1]
    all_checks = {(c.exercise, c.name) for e in reference.exercises for c in e.checks}
    caught = {
        (c.exercise, c.name)
        for sample, result in graded.values() if sample.kind == "mutant"
        for e in result.exercises for c in e.checks if c.status in ("failed", "error", "timeout")
    }
    assert all_checks - caught == set()


def test_the_broken_notebooks_keep_their_credit_elsewhere(graded):
    loop = graded["infinite_loop_in_one_function"][1]
    assert loop.exercise("nn_model").status == "timeout" and loop.points == 14
    assert any(c.status == "timeout" for c in loop.cells)
    syntax = graded["syntax_error_in_one_cell"][1]
    assert "SyntaxError" in syntax.exercise("compute_cost").message and syntax.points == 15


def test_grading_the_same_submission_twice_gives_identical_results(report):
    assert not report.failures & Failure.NONDETERMINISM


def test_release_cases_and_samples_are_up_to_date_with_their_sources(report):
    stale = [line for line in report.lines if "[out_of_date]" in line]
    assert stale == [], "run `make release`"


def test_verify_passes_as_a_whole(report):
    assert report.failures == Failure(0), "\n".join(report.lines)
