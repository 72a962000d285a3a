"""A course's CI, run for real: a new course outside this repository gets the shell entry point and
the GitHub workflow; the entry point installs the grader with pip into a virtual environment of its
own, verifies every assignment, writes a valid JUnit report, and its exit status says what failed."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import xmlschema
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "docs" / "junit.xsd"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course") / "calculus-course"
    done = subprocess.run([sys.executable, "-m", "autograder", "new", "first_steps", "--course", str(folder)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder


def run_ci(course: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHON", "VIRTUAL_ENV")}
    environment["PATH"] = os.pathsep.join(p for p in environment["PATH"].split(os.pathsep)
                                          if not p.startswith(str(ROOT)))  # not this checkout's venv
    return subprocess.run([str(course / "ci" / "verify-course.sh")], cwd="/", env={**environment, **env},
                          capture_output=True, text=True, timeout=900)


def test_a_new_course_gets_a_workflow_that_runs_the_entry_point_and_publishes_its_report(course):
    workflow = yaml.safe_load((course / ".github" / "workflows" / "autograder-verify.yml").read_text())
    steps = workflow["jobs"]["verify"]["steps"]
    runs = [step for step in steps if step.get("run")]
    assert [step["run"] for step in runs] == ["ci/verify-course.sh"]
    assert runs[0]["env"]["AUTOGRADER_SPEC"].startswith("calc4ml-autograder @ ")
    published = [step for step in steps if "junit" in step.get("uses", "")]
    assert published and published[0]["with"]["report_paths"] == "out/verify-junit.xml"
    assert published[0]["if"] == "always()" and workflow["permissions"]["checks"] == "write"
    script = course / "ci" / "verify-course.sh"
    assert os.access(script, os.X_OK) and subprocess.run(["bash", "-n", str(script)]).returncode == 0


def test_the_entry_point_installs_the_grader_verifies_and_reports(course, tmp_path):
    venv = tmp_path / "venv"
    done = run_ci(course, AUTOGRADER_SPEC=f"calc4ml-autograder @ {ROOT.as_uri()}", AUTOGRADER_VENV=str(venv),
                  AUTOGRADER_WORKERS="2")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (venv / "bin" / "autograder").exists()  # installed by pip, not this checkout's
    report = course / "out" / "verify-junit.xml"
    xmlschema.XMLSchema(SCHEMA).validate(report)
    root = ElementTree.parse(report).getroot()
    suite = root.find("testsuite")
    names = [case.get("name") for case in suite.iter("testcase")]
    assert suite.get("name") == "first_steps" and root.get("failures") == "0"
    assert {"reference reference", "stub stub", "deterministic", "up to date"} <= set(names)
    assert sum(name.startswith("mutant ") for name in names) >= 2

    # A mutant whose expected verdict is wrong: the same venv (no second install), exit status 4.
    samples = course / "tests" / "samples" / "first_steps" / "samples.toml"
    original = samples.read_text()
    try:
        samples.write_text(original.replace("scores = { squared_error = 0 }", "scores = { descent_step = 0 }", 1))
        failed = run_ci(course, PYTHON=str(venv / "bin" / "python"))
    finally:
        samples.write_text(original)
    assert failed.returncode == 4, failed.stdout[-3000:] + failed.stderr[-3000:]
    xmlschema.XMLSchema(SCHEMA).validate(report)
    failures = ElementTree.parse(report).getroot().findall(".//failure")
    assert failures and {f.get("type") for f in failures} == {"mutants"}
    assert "installing" not in failed.stderr
