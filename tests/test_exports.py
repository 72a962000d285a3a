"""The formats instructors' tools read: CSV, JUnit, and feedback (Gradescope: test_gradescope.py)."""

from __future__ import annotations

import csv
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import xmlschema

from autograder.config import Assignment
from autograder.exports import CSV_COLUMNS
from autograder.feedback import write_feedback
from autograder.junit import junit_tree, write_junit
from autograder.report import submission_report
from autograder.results import CheckResult, ExerciseResult, Result

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "samples" / "perceptron_regression"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One `autograder grade` run that writes every export."""
    out = tmp_path_factory.mktemp("exports")
    names = ["reference", "predict_not_denormalised", "update_in_place"]
    done = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "grade", "perceptron_regression", *(str(SAMPLES / f"{n}.ipynb")
         for n in names), "--out", str(out / "saved"), "--csv", str(out / "grades.csv"), "--junit", str(out / "junit"),
         "--feedback", str(out / "feedback"), "--workers", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out


def test_the_csv_has_nbgrader_exports_columns_and_one_per_exercise(batch):
    rows = list(csv.DictReader((batch / "grades.csv").open()))
    assert list(rows[0])[: len(CSV_COLUMNS)] == list(CSV_COLUMNS)
    assert list(rows[0])[len(CSV_COLUMNS):] == list(Assignment.load("perceptron_regression", ROOT).exercises)
    by_student = {row["student_id"]: row for row in rows}
    assert by_student["reference"]["score"] == "17.0" and by_student["predict_not_denormalised"]["predict"] == "0.0"
    assert by_student["update_in_place"]["update_parameters"] == "1.0"


def test_junit_is_valid_xunit2_with_one_suite_per_student_and_short_messages(batch):
    schema = xmlschema.XMLSchema(ROOT / "docs" / "junit.xsd")
    files = sorted((batch / "junit").glob("*.xml"))
    assert [f.stem for f in files] == ["predict_not_denormalised", "reference", "update_in_place"]
    for file in files:
        schema.validate(file)
    root = ElementTree.parse(batch / "junit" / "update_in_place.xml").getroot()
    suites = root.findall("testsuite")
    assert len(suites) == 1 and suites[0].get("name") == "update_in_place" and root.get("name") == "perceptron_regression"
    cases = {case.get("name"): case for case in suites[0].iter("testcase")}
    assert len(cases) == 17 and suites[0].get("tests") == "17"
    in_place = cases["update_parameters_leaves_its_inputs_alone"]
    assert in_place.get("classname") == "perceptron_regression.update_parameters"
    failure = in_place.find("failure")
    assert failure is not None and failure.get("type") == "failed" and "(0/1)" in failure.get("message")
    assert int(suites[0].get("failures")) == len(root.findall(".//failure")) >= 1
    for file in files:
        text = file.read_text()
        assert "pluggy" not in text and "checks_hidden.py" not in text and "Traceback" not in text
        assert all(len(f.get("message")) <= 300 for f in ElementTree.parse(file).getroot().iter("failure"))
    passed = ElementTree.parse(batch / "junit" / "reference.xml").getroot()
    assert passed.get("failures") == "0" and passed.get("errors") == "0" and passed.get("tests") == "17"


def test_junit_stays_valid_xml_whatever_the_student_wrote(tmp_path):
    hostile = "\x00\x1b[2J\ufffe\uffff\ud800 <b>&amp;</b>\r" + "x" * 5000
    check = CheckResult(name="forward", exercise="forward_propagation", points=0.0, max_points=1.0, status="error",
                        message=hostile + "\nsecond line", hint=hostile, seed=1, hidden=False)
    result = Result("s.ipynb", "perceptron_regression", 0.0, 1.0,
                    (ExerciseResult("forward_propagation", 0.0, 1.0, "error", hostile, "", (check,)),),
                    notes=(hostile,), problem=hostile)
    path = write_junit(tmp_path / "r.xml", hostile, result)
    xmlschema.XMLSchema(ROOT / "docs" / "junit.xsd").validate(path)
    error = ElementTree.parse(path).getroot().find(".//error")
    assert error is not None and len(error.get("message")) <= 300 and "\\x1b" in error.get("message")


def test_feedback_explains_public_failures_with_plots_and_hides_what_is_hidden(batch):
    html = (batch / "feedback" / "predict_not_denormalised" / "feedback.html").read_text()
    assert "<img" in html and "map them back" in html and "0 / 2" in html
    assert "<code>" in html and "`" not in html  # the messages' code spans shown as code, not as backticks
    markdown = (batch / "feedback" / "predict_not_denormalised" / "feedback.md").read_text()
    assert "![predict on one feature" in markdown and (batch / "feedback" / "predict_not_denormalised" / "figure-1.png").exists()
    in_place = (batch / "feedback" / "update_in_place" / "feedback.html").read_text()
    assert "<img" not in in_place and "changed the parameters it was given" in in_place
    assert "def check_" not in in_place and "checks_hidden" not in in_place


def test_figures_from_hidden_checks_never_reach_the_feedback(tmp_path):
    figure = {"title": "secret inputs", "xlabel": "x", "ylabel": "y",
              "layers": [{"kind": "line", "x": [0, 1], "y": [0, 1], "role": "student", "label": "yours"}]}
    hidden = CheckResult("h", "e", 0, 1, "failed", "wrong", hidden=True, figures=(figure,))
    public = CheckResult("p", "e", 0, 1, "failed", "wrong", figures=({**figure, "title": "public plot"},))
    exercise = ExerciseResult("e", 0, 2, "failed", "wrong", "", (public, hidden))
    result = Result("s.ipynb", "perceptron_regression", 0, 2, (exercise,))
    write_feedback(tmp_path, Assignment.load("perceptron_regression", ROOT), [("s", result)])
    html = (tmp_path / "s" / "feedback.html").read_text()
    assert "public plot" in html and "secret inputs" not in html


def test_notes_for_the_instructor_never_reach_the_students_feedback(tmp_path):
    """A value converted on its way back (a JAX array on every differentiation result) is the instructor's note."""
    note = "a JAX array (jaxlib._jax.ArrayImpl) was converted to a numpy array"
    check = CheckResult("p", "e", 1, 1, "passed", "")
    result = Result("s.ipynb", "perceptron_regression", 1, 1, (ExerciseResult("e", 1, 1, "passed", "", "", (check,)),),
                    notes=(note,))
    write_feedback(tmp_path, Assignment.load("perceptron_regression", ROOT), [("s", result)])
    for name in ("feedback.html", "feedback.md"):
        assert "converted" not in (tmp_path / "s" / name).read_text()
    assert note in submission_report(result)  # the instructor's report and JUnit keep it
    assert note in ElementTree.tostring(junit_tree("s", result).getroot(), encoding="unicode")
