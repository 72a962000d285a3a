"""The command line as people use it: exit statuses, the JSON contract, refusing to grade unisolated."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "samples" / "perceptron_regression"
AUTOGRADER = [sys.executable, "-m", "autograder.cli"]


def run(*args, cwd=ROOT, env=None, timeout=600):
    return subprocess.run([*AUTOGRADER, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_grade_writes_the_documented_json_and_prints_a_report(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [')
    out = tmp_path / "results.json"
    done = run("grade", "perceptron_regression", SAMPLES / "forward_without_bias.ipynb", broken, "--json", out,
               "--out", tmp_path / "saved")
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    assert (document["format"], document["format_version"]) == ("calc4ml-autograder-results", 2)
    good, bad = document["results"]
    assert set(good) >= {"submission", "assignment", "points", "max_points", "exercises", "cells", "notes", "problem"}
    exercise = next(e for e in good["exercises"] if e["name"] == "forward_propagation")
    assert set(exercise) >= {"name", "points", "max_points", "status", "message", "hint", "checks"}
    assert (good["points"], exercise["points"], exercise["hint"]) == (15, 0, "Add the bias: Y_hat = W X + b.")
    assert bad["points"] == 0 and "not valid notebook JSON" in bad["problem"]
    assert {e["status"] for e in bad["exercises"]} == {"error"}
    assert "forward_without_bias" in done.stdout and "Add the bias" in done.stdout
    assert (good["student"], bad["student"]) == ("forward_without_bias", "broken")
    assert "graded 2 submission(s)" in done.stderr

    again = run("grade", "perceptron_regression", SAMPLES / "forward_without_bias.ipynb", broken, "--out",
                tmp_path / "saved")
    assert again.returncode == 0, again.stderr
    assert "graded 0 submission(s)" in again.stderr and "2 more already saved" in again.stderr
    assert "student" in again.stdout.splitlines()[0] and "broken" in again.stdout


def test_every_command_explains_itself_and_a_missing_path_is_a_usage_error(tmp_path):
    top = run("--help")
    assert top.returncode == 0 and "exit status:" in top.stdout and "69" in top.stdout
    assert run("--version").stdout.startswith("autograder ")
    commands = ("grade", "check", "verify", "gradescope", "gradescope-zip", "release", "new", "samples", "ci-template")
    for command in commands:
        assert command in top.stdout
        helped = run(command, "--help")
        description = helped.stdout.split("\n\n")[1]  # argparse: usage, blank line, description
        assert helped.returncode == 0 and len(description.split()) >= 8, (command, helped.stdout)
    missing = run("grade", "perceptron_regression", tmp_path / "nowhere.ipynb")
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr and "nowhere.ipynb" in missing.stderr


def test_check_exits_zero_only_when_every_public_check_passes():
    good = run("check", SAMPLES / "reference.ipynb", "--assignment", "perceptron_regression")
    assert good.returncode == 0 and "All public checks pass" in good.stdout
    bad = run("check", SAMPLES / "predict_one_mean.ipynb", "--assignment", "perceptron_regression",
              "--exercise", "predict")
    assert bad.returncode == 1 and "its own mean and std" in bad.stdout and "hidden" not in bad.stdout


def test_an_unknown_assignment_is_a_configuration_error():
    done = run("grade", "no_such_assignment", SAMPLES / "reference.ipynb")
    assert done.returncode == 78 and "no assignment called 'no_such_assignment'" in done.stderr


def test_grading_refuses_without_a_sandbox_unless_told_otherwise(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no bwrap on this PATH
    refused = run("grade", "perceptron_regression", SAMPLES / "reference.ipynb", "--out", tmp_path / "a", env=env)
    assert refused.returncode == 69
    assert "bubblewrap is not installed" in refused.stderr and "--no-isolation" in refused.stderr
    accepted = run("grade", "perceptron_regression", SAMPLES / "reference.ipynb", "--no-isolation",
                   "--out", tmp_path / "b", env=env)
    assert accepted.returncode == 0 and "WARNING: grading without isolation" in accepted.stderr
    assert "17/17" in accepted.stdout


@pytest.fixture
def small_course(tmp_path):
    """A copy of the course with two samples, one of them with a wrong expectation."""
    for part in ("assignments", "solutions", "source", "release", "nbgrader_config.py"):
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / part)
    samples = tmp_path / "tests" / "samples" / "perceptron_regression"
    samples.mkdir(parents=True)
    for name in ("reference", "forward_without_bias"):
        shutil.copy(SAMPLES / f"{name}.ipynb", samples)
    (samples / "samples.toml").write_text(
        '[[sample]]\nname = "reference"\n\n'
        '[[sample]]\nname = "forward_without_bias"\nreplace = [["Y_hat = W @ X + b", "Y_hat = W @ X"]]\n'
        'scores = { compute_cost = 0 }\n'  # wrong on purpose: it is forward_propagation that loses points
    )
    return tmp_path


def test_verify_exit_status_names_what_failed(small_course):
    done = run("verify", "perceptron_regression", cwd=small_course)
    assert done.returncode == 4, done.stdout + done.stderr  # MUTANTS only
    assert "FAIL [mutants] mutant forward_without_bias" in done.stdout
    assert "ok   reference reference: 17/17" in done.stdout
    assert "ok   grading reference twice gave identical results" in done.stdout
