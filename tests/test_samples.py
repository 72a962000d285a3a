"""Every assignment held to its answer key: each sample submission gets exactly the verdict its
samples.toml entry states, as `autograder verify` checks it (bubblewrap sandbox, two workers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder.batch import spawn_pool
from autograder.config import Assignment
from autograder.samples import expectation_problems, load_samples
from autograder.sandbox.isolation import choose_sandbox
from autograder.verify import Failure, verify

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = sorted(p.parent.name for p in (ROOT / "tests" / "samples").glob("*/samples.toml"))
SAMPLES = [(a, s.name) for a in ASSIGNMENTS for s in load_samples(Assignment.load(a, ROOT))]


@pytest.fixture(scope="session")
def reports():
    """verify() per assignment (in its own sandbox, with its own data files), run once and shared."""
    cache = {}
    with spawn_pool(2) as pool:
        def report(name):
            if name not in cache:
                assignment = Assignment.load(name, ROOT)
                cache[name] = verify(assignment, choose_sandbox(assignment), pool)
            return cache[name]
        yield report


def graded(reports, assignment):
    report = reports(assignment)
    return {s.name: (s, r) for s, r in zip(load_samples(Assignment.load(assignment, ROOT)), report.results, strict=True)}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_reference_gets_full_marks(reports, assignment):
    _, result = graded(reports, assignment)["reference"]
    assert result.points == result.max_points > 0
    assert all(e.status == "passed" for e in result.exercises)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_untouched_stub_gets_zero_with_a_verdict_for_every_check(reports, assignment):
    _, result = graded(reports, assignment)["stub"]
    assert result.points == 0
    assert all(c.status == "missing" and "not implemented yet" in c.message for e in result.exercises for c in e.checks)


@pytest.mark.parametrize("assignment, name", SAMPLES, ids=[f"{a}:{n}" for a, n in SAMPLES])
def test_each_sample_gets_the_verdict_its_samples_toml_entry_states(reports, assignment, name):
    sample, result = graded(reports, assignment)[name]
    assert expectation_problems(sample, result) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_exercise_has_a_mutant(reports, assignment):
    results = graded(reports, assignment)
    mutants = [s for s, _ in results.values() if s.kind == "mutant" and isinstance(s.scores, dict)]
    exercises = {e.name for e in results["reference"][1].exercises}
    assert exercises <= {name for s in mutants for name in s.scores}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_check_is_shown_to_fail_on_some_wrong_answer(reports, assignment):
    """A check that no mutant fails could be a check that cannot fail."""
    results = graded(reports, assignment)
    reference = results["reference"][1]
    all_checks = {(c.exercise, c.name) for e in reference.exercises for c in e.checks}
    caught = {
        (c.exercise, c.name)
        for sample, result in results.values() if sample.kind == "mutant"
        for e in result.exercises for c in e.checks if c.status in ("failed", "error", "timeout")
    }
    assert all_checks - caught == set()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_cases_and_samples_are_up_to_date_with_their_sources(reports, assignment):
    stale = [line for line in reports(assignment).lines if "[out_of_date]" in line]
    assert stale == [], "run `make release`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_verify_passes_as_a_whole_and_grading_twice_gives_identical_results(reports, assignment):
    report = reports(assignment)
    assert report.failures == Failure(0), "\n".join(report.lines)


def test_perceptron_regression_has_at_least_ten_mutants_and_its_broken_notebooks_keep_their_credit(reports):
    results = graded(reports, "perceptron_regression")
    assert len([s for s, _ in results.values() if s.kind == "mutant" and s.replace]) >= 10
    loop = results["infinite_loop_in_one_function"][1]
    assert loop.exercise("nn_model").status == "timeout" and loop.points == 14
    assert any(c.status == "timeout" for c in loop.cells)
    syntax = results["syntax_error_in_one_cell"][1]
    assert "SyntaxError" in syntax.exercise("compute_cost").message and syntax.points == 15


NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
STUDENTS_OWN_CODE = re.compile(r"\bcell \d+|\bline \d+|`[^`]*`")  # where in their notebook, and their own code


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_checks_show_students_no_number_they_could_not_know(reports, assignment):
    """Every number in what a hidden check shows a student (its message and hint) is public knowledge: it
    appears in the release notebook, the public checks or assignment.toml. A number from a hidden case
    (an input, an expected value, a size, a learning rate) would be a leak."""
    loaded = Assignment.load(assignment, ROOT)
    public = " ".join(path.read_text(encoding="utf-8") for path in (
        loaded.release_dir / loaded.notebook, loaded.public_checks, loaded.directory / "assignment.toml"))
    known = {float(n) for n in NUMBER.findall(public)}
    leaks = []
    for sample, result in graded(reports, assignment).values():
        for check in (c for e in result.exercises for c in e.checks if c.hidden and c.status != "passed"):
            shown = STUDENTS_OWN_CODE.sub("", f"{check.message} {check.hint}")
            unknown = sorted({float(n) for n in NUMBER.findall(shown)} - known)
            if unknown:
                leaks.append(f"{sample.name} › {check.name}: {unknown} in {shown[:200]!r}")
    assert leaks == []
