"""The red-team, bad-input and other-course suites: for each assignment one batch with every attack,
every malformed file and every notebook written for another course, graded with isolation on, in
which every case gets its stated verdict and every honest submission keeps its score."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.config import Assignment
from autograder.results import Result
from autograder.samples import expectation_problems, load_samples, sample_differences

ROOT = Path(__file__).resolve().parents[1]
SETS = ("redteam", "badinput", "othercourse")
HONEST = ("reference", "stub", "forward_without_bias", "backward_residual_sign", "nn_model_ignores_iterations")
FOLDERS = sorted(p.parent for s in SETS for p in (ROOT / "tests" / s).glob("*/samples.toml"))


def cases_of(assignment: str) -> dict[tuple[str, str], object]:
    loaded = Assignment.load(assignment, ROOT)
    cases: dict[tuple[str, str], object] = {}
    for folder in FOLDERS:
        if folder.name == assignment:
            cases.update({(folder.parent.name, s.name): s for s in load_samples(loaded, folder)})
    if assignment == "perceptron_regression":  # honest submissions in the same batch keep their scores
        cases.update({("samples", s.name): s for s in load_samples(loaded) if s.name in HONEST})
    return cases


ASSIGNMENTS = sorted({folder.name for folder in FOLDERS})
CASES = [(a, key) for a in ASSIGNMENTS for key in cases_of(a)]


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    """`autograder grade` on everything of one assignment at once, as an instructor would run it."""
    cache = {}

    def batch(assignment):
        if assignment not in cache:
            out = tmp_path_factory.mktemp(assignment) / "results.json"
            cases = cases_of(assignment)
            command = [sys.executable, "-m", "autograder.cli", "grade", assignment,
                       *(str(sample.path) for sample in cases.values()),
                       "--workers", "2", "--json", str(out), "--out", str(out.parent / "saved"),
                       "--feedback", str(out.parent / "feedback"), "--csv", str(out.parent / "grades.csv")]
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1200)
            assert done.returncode == 0, done.stderr[-3000:]
            results = json.loads(out.read_text())["results"]
            cache[assignment] = (dict(zip(cases, results, strict=True)), done)
        return cache[assignment]

    return batch


@pytest.mark.parametrize("folder", FOLDERS, ids=[f"{f.parent.name}:{f.name}" for f in FOLDERS])
def test_the_suites_notebooks_are_built_from_their_specs(folder):
    assert sample_differences(Assignment.load(folder.name, ROOT), folder) == []


def test_there_is_a_case_for_every_attack_and_bad_input_the_issue_lists():
    keys = [key for _, key in CASES]
    assert len([k for k in keys if k[0] == "redteam"]) >= 25
    assert len([k for k in keys if k[0] == "badinput"]) >= 15


@pytest.mark.parametrize("assignment, key", CASES, ids=[f"{a}:{s}:{n}" for a, (s, n) in CASES])
def test_every_case_gets_its_stated_verdict_in_one_shared_batch(batches, assignment, key):
    results, _ = batches(assignment)
    assert expectation_problems(cases_of(assignment)[key], Result.from_json(results[key])) == []


def test_the_batch_finished_and_the_honest_submissions_kept_their_scores(batches):
    results, done = batches("perceptron_regression")
    assert len(results) == len(cases_of("perceptron_regression"))
    assert results[("samples", "reference")]["points"] == 17
    assert results[("samples", "stub")]["points"] == 0
    assert [results[("samples", name)]["points"] for name in HONEST[2:]] == [15, 14, 16]
    assert f"graded {len(results)} submission(s)" in done.stderr


def test_an_attack_gets_no_more_than_its_honest_content(batches):
    """Each attack that targets one exercise scores exactly full marks minus that exercise."""
    results, _ = batches("perceptron_regression")
    for (suite, name), sample in cases_of("perceptron_regression").items():
        if suite == "redteam" and isinstance(sample.scores, dict):
            result = results[(suite, name)]
            attacked = sum(e["max_points"] - sample.scores[e["name"]] for e in result["exercises"]
                           if e["name"] in sample.scores)
            assert result["points"] == result["max_points"] - attacked, name


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_student_gets_feedback_and_a_csv_row_whatever_their_notebook_holds(batches, assignment):
    """Hostile text, huge values and crashes in one submission never stop the writing of anyone's
    feedback; nothing a student wrote reaches the files as markup or a terminal sequence."""
    results, done = batches(assignment)
    out = Path(done.args[done.args.index("--feedback") + 1])
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == len(results)
    for student in written:
        markdown = (out / student / "feedback.md").read_text(encoding="utf-8")
        page = (out / student / "feedback.html").read_text(encoding="utf-8")
        assert "\x1b" not in markdown + page and "<script>" not in markdown + page, student
    rows = (out.parent / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(results) + 1
