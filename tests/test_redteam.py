"""The red-team and bad-input suites: one batch with every attack and every malformed file, graded
with isolation on, in which every case gets its stated verdict and every honest submission keeps
its score."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.config import Assignment
from autograder.samples import expectation_problems, load_samples, sample_differences

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = Assignment.load("perceptron_regression", ROOT)
REDTEAM = ROOT / "tests" / "redteam" / "perceptron_regression"
BADINPUT = ROOT / "tests" / "badinput" / "perceptron_regression"
HONEST = ("reference", "stub", "forward_without_bias", "backward_residual_sign", "nn_model_ignores_iterations")
SUITES = {
    **{("redteam", s.name): s for s in load_samples(ASSIGNMENT, REDTEAM)},
    **{("badinput", s.name): s for s in load_samples(ASSIGNMENT, BADINPUT)},
    **{("samples", s.name): s for s in load_samples(ASSIGNMENT) if s.name in HONEST},
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """`autograder grade` on everything at once, as an instructor would run it."""
    out = tmp_path_factory.mktemp("batch") / "results.json"
    paths = [str(sample.path) for sample in SUITES.values()]
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", "perceptron_regression", *paths,
                           "--workers", "2", "--json", str(out), "--out", str(out.parent / "saved")], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())["results"]
    return {key: result for key, result in zip(SUITES, results, strict=True)}, done


def test_the_attack_and_bad_input_notebooks_are_built_from_their_specs():
    assert sample_differences(ASSIGNMENT, REDTEAM) + sample_differences(ASSIGNMENT, BADINPUT) == []


def test_there_is_a_red_team_case_for_every_attack_the_issue_lists():
    assert len([k for k in SUITES if k[0] == "redteam"]) >= 25
    assert len([k for k in SUITES if k[0] == "badinput"]) >= 15


@pytest.mark.parametrize("key", list(SUITES), ids=[f"{suite}:{name}" for suite, name in SUITES])
def test_every_case_gets_its_stated_verdict_in_one_shared_batch(batch, key):
    from autograder.results import Result

    result = Result.from_json(batch[0][key])
    assert expectation_problems(SUITES[key], result) == []


def test_the_batch_finished_and_the_honest_submissions_kept_their_scores(batch):
    results, done = batch
    assert len(results) == len(SUITES)
    assert results[("samples", "reference")]["points"] == 17
    assert results[("samples", "stub")]["points"] == 0
    assert [results[("samples", name)]["points"] for name in HONEST[2:]] == [15, 14, 16]
    assert f"graded {len(SUITES)} submission(s)" in done.stderr


def test_an_attack_gets_no_more_than_its_honest_content(batch):
    """Each attack that targets one exercise scores exactly full marks minus that exercise."""
    results, _ = batch
    for (suite, name), sample in SUITES.items():
        if suite == "redteam" and isinstance(sample.scores, dict):
            result = results[(suite, name)]
            attacked = sum(e["max_points"] - sample.scores[e["name"]] for e in result["exercises"] if e["name"] in sample.scores)
            assert result["points"] == result["max_points"] - attacked, name
