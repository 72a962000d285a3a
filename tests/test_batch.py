"""Grading a class: nbgrader's layout, results saved as they finish, resume after a kill, one
student regraded alone, and the same batch on a real Dask LocalCluster."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.batch import discover
from autograder.config import Assignment

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "samples" / "perceptron_regression"
CLASS = {  # student -> sample notebook
    "ada": "reference", "ben": "forward_without_bias", "cyd": "cost_one_over_m", "dee": "stub",
    "eve": "update_ascent", "fay": "predict_one_mean", "gus": "layer_sizes_reads_columns", "hal": "backward_residual_sign",
}


@pytest.fixture
def submitted(tmp_path):
    """nbgrader's layout: submitted/<student>/<assignment>/<notebook>."""
    for student, sample in CLASS.items():
        folder = tmp_path / "submitted" / student / "perceptron_regression"
        folder.mkdir(parents=True)
        shutil.copy(SAMPLES / f"{sample}.ipynb", folder / "perceptron_regression.ipynb")
    return tmp_path / "submitted"


def grade(*args, out, cwd=ROOT):
    command = [sys.executable, "-m", "autograder.cli", "grade", "perceptron_regression", *map(str, args),
               "--out", str(out)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


def saved(out):
    return {p.stem: json.loads(p.read_text()) for p in Path(out).glob("*.json")}


def test_nbgrader_layout_gives_one_task_per_student(submitted):
    tasks = discover([submitted], Assignment.load("perceptron_regression", ROOT))
    assert [t.student for t in tasks] == sorted(CLASS)
    assert discover([submitted.parent], Assignment.load("perceptron_regression", ROOT)) == tasks  # the course folder


def test_a_rerun_skips_what_is_saved_and_regrades_what_changed(submitted, tmp_path):
    out = tmp_path / "out"
    first = grade(submitted, "--workers", "2", out=out)
    assert first.returncode == 0, first.stderr
    before = saved(out)
    assert {s: r["result"]["points"] for s, r in before.items()} == {
        "ada": 17, "ben": 15, "cyd": 15, "dee": 0, "eve": 15, "fay": 15, "gus": 16, "hal": 14}
    shutil.copy(SAMPLES / "reference.ipynb", submitted / "ben" / "perceptron_regression" / "perceptron_regression.ipynb")
    second = grade(submitted, "--workers", "2", out=out)
    assert "7 already graded with these checks: skipped" in second.stderr and "[1/1]" in second.stderr
    after = saved(out)
    assert after["ben"]["result"]["points"] == 17
    assert all(after[s]["saved_at"] == before[s]["saved_at"] for s in CLASS if s != "ben")


def test_one_student_can_be_regraded_alone(submitted, tmp_path):
    out = tmp_path / "out"
    grade(submitted, "--workers", "2", out=out)
    before = saved(out)
    time.sleep(1.1)  # saved_at has one-second resolution
    again = grade(submitted, "--student", "cyd", "--force", out=out)
    assert again.returncode == 0 and "[1/1]" in again.stderr and "cyd" in again.stderr
    after = saved(out)
    assert after["cyd"]["saved_at"] != before["cyd"]["saved_at"]
    assert all(after[s]["saved_at"] == before[s]["saved_at"] for s in CLASS if s != "cyd")


def test_a_batch_killed_with_sigkill_resumes_losing_nothing_and_grading_nothing_twice(submitted, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder.cli", "grade", "perceptron_regression", str(submitted),
               "--out", str(out), "--workers", "1"]
    batch = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    deadline = time.monotonic() + 300
    while len(saved(out)) < 3 and time.monotonic() < deadline and batch.poll() is None:
        time.sleep(0.1)
    os.killpg(batch.pid, signal.SIGKILL)
    batch.wait()
    survivors = saved(out)  # every file that exists is complete JSON: written to a temporary file, then renamed
    assert 3 <= len(survivors) < len(CLASS)
    resumed = grade(submitted, "--workers", "2", out=out)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(survivors)} already graded with these checks: skipped" in resumed.stderr
    assert f"[{len(CLASS) - len(survivors)}/{len(CLASS) - len(survivors)}]" in resumed.stderr
    final = saved(out)
    assert set(final) == set(CLASS)
    assert all(final[s]["saved_at"] == survivors[s]["saved_at"] for s in survivors)
    assert not list(out.glob(".*.tmp"))


def test_a_local_dask_cluster_grades_the_same(submitted, tmp_path):
    pytest.importorskip("distributed")
    pool = grade(submitted, "--workers", "2", out=tmp_path / "pool")
    dask = grade(submitted, "--dask-local", "2", out=tmp_path / "dask")
    assert pool.returncode == dask.returncode == 0, dask.stderr
    points = {s: r["result"]["points"] for s, r in saved(tmp_path / "dask").items()}
    assert points == {s: r["result"]["points"] for s, r in saved(tmp_path / "pool").items()}
    assert "bubblewrap isolation" in dask.stderr
