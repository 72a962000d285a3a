"""The student's face: check() and grade() in the notebook, on the public checks, without the reference."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys

import pytest

from autograder import selfcheck
from autograder.oracle import ReplaySource, load_module, oracles_for
from autograder.report import CheckReport


@pytest.fixture
def release_dir(course_root, tmp_path, monkeypatch):
    """The release folder as a student has it: copied out of the course, no reference anywhere."""
    folder = tmp_path / "perceptron_regression"
    shutil.copytree(course_root / "release" / "perceptron_regression", folder)
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def reference_namespace(perceptron_regression):
    module = load_module(perceptron_regression.reference, "reference")
    return {name: getattr(module, name) for name in perceptron_regression.exercises}


def use_namespace(monkeypatch, namespace):
    monkeypatch.setattr(selfcheck, "_namespace", lambda: namespace)


def test_in_a_release_folder_only_public_checks_and_recorded_answers_are_available(release_dir):
    assignment = selfcheck.locate_assignment()
    assert assignment.reference is None and assignment.hidden_checks is None
    reference, _ = oracles_for(assignment, live=False)
    assert isinstance(reference._source, ReplaySource)


def test_check_passes_correct_functions_and_never_shows_hidden_checks(release_dir, monkeypatch, reference_namespace):
    use_namespace(monkeypatch, reference_namespace)
    report = selfcheck.check_all()
    assert report.passed and "All public checks pass" in str(report)
    assert not any(c.hidden for c in report.checks)
    public = (release_dir / "checks" / "checks_public.py").read_text().count("@pytest.mark.exercise(")
    assert len(report.checks) == public >= 9


def test_check_of_one_exercise_names_the_mistake_in_text_and_html(release_dir, monkeypatch, reference_namespace):
    def forward_propagation(X, parameters):
        return parameters["W"] @ X

    use_namespace(monkeypatch, {**reference_namespace, "forward_propagation": forward_propagation})
    report = selfcheck.check("forward_propagation")
    assert isinstance(report, CheckReport) and not report.passed
    assert [c.exercise for c in report.checks] == ["forward_propagation"]
    assert "Add the bias" in str(report) and "Add the bias" in report._repr_html_()
    assert "&#10008;" in report._repr_html_()


def test_check_follows_a_student_nn_model_that_makes_extra_calls(release_dir, monkeypatch, reference_namespace):
    """Beyond the recorded path, the student's own building blocks answer (no false failure)."""
    namespace = dict(reference_namespace)

    def nn_model(X, Y, num_iterations=10, learning_rate=1.2, print_cost=False):
        n_x, n_y = namespace["layer_sizes"](X, Y)
        parameters = namespace["initialize_parameters"](n_x, n_y)
        for _ in range(num_iterations):
            grads = namespace["backward_propagation"](namespace["forward_propagation"](X, parameters), X, Y)
            parameters = namespace["update_parameters"](parameters, grads, learning_rate=learning_rate)
        final_cost = namespace["compute_cost"](namespace["forward_propagation"](X, parameters), Y)  # not recorded
        assert final_cost >= 0
        return parameters

    namespace["nn_model"] = nn_model
    use_namespace(monkeypatch, namespace)
    assert selfcheck.check("nn_model").passed


def test_grade_returns_a_float_and_writes_nothing_to_stderr(release_dir, monkeypatch, reference_namespace):
    use_namespace(monkeypatch, reference_namespace)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        full = selfcheck.grade("backward_propagation")
        use_namespace(monkeypatch, {})
        none = selfcheck.grade("backward_propagation")
    assert (type(full), full, type(none), none) == (float, 3.0, float, 0.0)
    assert stderr.getvalue() == ""


def test_grade_during_nbgrader_autograde_runs_every_check_against_the_reference(course_root, monkeypatch,
                                                                                reference_namespace):
    folder = course_root / "source" / "perceptron_regression"
    monkeypatch.chdir(folder)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")

    def forward_propagation(X, parameters):  # right for the notebook's two outputs only
        return parameters["W"] @ X + parameters["b"][:2]

    use_namespace(monkeypatch, {**reference_namespace, "forward_propagation": forward_propagation})
    assert selfcheck.grade("forward_propagation") == 1.0  # the hidden check with three outputs caught it
    monkeypatch.delenv("NBGRADER_EXECUTION")
    assert selfcheck.grade("forward_propagation") == 2.0  # the public checks alone cannot see it


def test_outside_an_assignment_folder_the_message_says_where_to_open_the_notebook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Exception, match="Open the notebook from the folder it was released in"):
        selfcheck.check("x")


def test_the_student_side_never_loads_the_reference(release_dir, perceptron_regression):
    """In a fresh process, as in a student's kernel: the checks pass and no reference module is loaded."""
    script = f"""
import json, sys
from autograder import selfcheck
namespace = {{}}
exec(open({str(perceptron_regression.reference)!r}).read(), namespace)  # the student's (correct) code
selfcheck._namespace = lambda: namespace
report = selfcheck.check_all()
loaded = [name for name in sys.modules if name.startswith("calc4ml_reference")]
print(json.dumps({{"passed": report.passed, "reference_modules": loaded}}))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=release_dir, capture_output=True, text=True, timeout=120)
    assert json.loads(done.stdout.splitlines()[-1]) == {"passed": True, "reference_modules": []}, done.stderr


def test_importing_check_and_grade_again_after_grading_still_gives_the_functions():
    """A notebook's import cell run again after check() and grade(): the names are still the functions
    (the pipeline's module must not shadow `grade` on the package)."""
    import importlib

    import autograder

    for module in ("autograder.selfcheck", "autograder.pipeline", "autograder.batch", "autograder.checks"):
        importlib.import_module(module)  # what a check and a grade load
    from autograder import check, check_all, grade

    assert callable(grade) and grade.__module__ == "autograder.selfcheck"
    assert callable(check) and callable(check_all)
    assert not isinstance(autograder.grade, type(autograder))


def test_check_and_grade_speak_in_the_same_points(release_dir, monkeypatch, reference_namespace):
    """forward_propagation is worth 2 points in its grade cell, 1 of them public: the report and
    the grade cell both say 2/2, never 1/1 beside 2.0."""
    use_namespace(monkeypatch, reference_namespace)
    report = selfcheck.check("forward_propagation")
    assert report.points == (2.0, 2.0) and selfcheck.grade("forward_propagation") == 2.0
    assert "forward_propagation: 2/2 points from the public checks" in str(report)
    assert "2/2 points" in report._repr_html_()

    def forward_propagation(X, parameters):
        return parameters["W"] @ X

    use_namespace(monkeypatch, {**reference_namespace, "forward_propagation": forward_propagation})
    report = selfcheck.check("forward_propagation")
    assert report.points[0] == selfcheck.grade("forward_propagation") < 2.0


def test_a_misspelt_exercise_lists_the_valid_names(release_dir, monkeypatch, reference_namespace, capsys):
    use_namespace(monkeypatch, reference_namespace)
    with pytest.raises(ValueError, match=r"no exercise called 'forward_propagaton'\. Did you mean "
                                         r"'forward_propagation'\? The exercises are: layer_sizes, "):
        selfcheck.check("forward_propagaton")
    assert selfcheck.grade("nn_modle") == 0.0
    assert "Did you mean 'nn_model'?" in capsys.readouterr().out


def test_a_function_that_calls_a_stub_names_the_stub(release_dir, monkeypatch, reference_namespace):
    def initialize_parameters(n_x, n_y):
        raise NotImplementedError()

    def nn_model(X, Y, num_iterations=10, learning_rate=1.2, print_cost=False):
        n_x, n_y = reference_namespace["layer_sizes"](X, Y)
        return initialize_parameters(n_x, n_y)

    use_namespace(monkeypatch, {**reference_namespace, "initialize_parameters": initialize_parameters,
                                "nn_model": nn_model})
    text = str(selfcheck.check("nn_model"))
    assert "nn_model calls initialize_parameters, which is not implemented yet" in text
