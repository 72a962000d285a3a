"""Gradescope, in its own layout: the zip of every assignment built, unpacked and run as Gradescope runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

from autograder.config import Assignment
from autograder.gradescope import build_zip, unpack

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "samples" / "perceptron_regression"
SCHEMA = json.loads((ROOT / "docs" / "gradescope-results.schema.json").read_text())


def test_the_gradescope_zip_grades_a_submission_in_gradescopes_layout(tmp_path):
    assignment = Assignment.load("perceptron_regression", ROOT)
    root = unpack(build_zip(assignment, tmp_path / "autograder.zip"), tmp_path / "autograder")
    for script in ("setup.sh", "run_autograder"):
        assert os.access(root / "source" / script, os.X_OK)
    (root / "submission" / "perceptron_regression.ipynb").write_bytes((SAMPLES / "forward_without_bias.ipynb").read_bytes())
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "PYTHON": sys.executable}
    done = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 15 and all(isinstance(t["output"], str) for t in results["tests"])
    visibility = {t["name"]: t["visibility"] for t in results["tests"]}
    assert visibility["forward_propagation › forward_propagation_other_sizes"] == "after_published"
    assert visibility["forward_propagation › forward_propagation"] == "visible"
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert len(failed) == 2 and all("Add the bias" in t["output"] for t in failed)
    assert not (root / "source" / "solutions" / "differentiation.py").exists()  # only this assignment's files


def test_a_gradescope_submission_without_a_notebook_says_what_to_upload(tmp_path):
    from autograder.gradescope import run

    results = tmp_path / "results.json"
    (tmp_path / "submission").mkdir()
    assert run(Assignment.load("perceptron_regression", ROOT), tmp_path / "submission", results) == 0
    document = json.loads(results.read_text())
    jsonschema.validate(document, SCHEMA)
    assert "upload perceptron_regression.ipynb" in document["output"]
