"""Gradescope, in its own layout: the zip of every assignment built, unpacked and run as Gradescope runs it."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from autograder.config import Assignment
from autograder.gradescope import (
    LOCK_FILE,
    UV_HASHES,
    UV_VERSION,
    build_zip,
    choose_submission,
    gradescope_results,
    run,
    unpack,
)
from autograder.results import CheckResult, ExerciseResult, Result

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "samples"
SCHEMA = json.loads((ROOT / "docs" / "gradescope-results.schema.json").read_text())
ASSIGNMENTS = sorted(p.parent.name for p in (ROOT / "assignments").glob("*/assignment.toml"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The zip of an assignment, built once for this module: ``built(name) -> zip path``."""
    zips: dict[str, Path] = {}

    def build(name: str) -> Path:
        if name not in zips:
            zips[name] = build_zip(Assignment.load(name, ROOT), tmp_path_factory.mktemp(name) / "autograder.zip")
        return zips[name]

    return build


def start(root: Path, submission: Path | None = None, *, name: str = "", env: dict[str, str] | None = None,
          shell: bool = False) -> subprocess.Popen[str]:
    """Put ``submission`` (as ``name``) alone in the submission folder and start run_autograder as
    Gradescope does (``shell``: through /bin/bash, for a PATH without it)."""
    if submission is not None:
        shutil.rmtree(root / "submission")
        (root / "submission").mkdir()
        shutil.copy(submission, root / "submission" / (name or submission.name))
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "PYTHON": sys.executable, **(env or {})}
    command = ["/bin/bash", str(root / "run_autograder")] if shell else [str(root / "run_autograder")]
    return subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=root)


def finish(process: subprocess.Popen[str], root: Path) -> tuple[subprocess.CompletedProcess[str], dict | None]:
    """What run_autograder printed, and the results.json it wrote (None: none)."""
    try:
        stdout, stderr = process.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    path = root / "results" / "results.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), results


def autograde(root: Path, submission: Path | None = None, **options) -> tuple[subprocess.CompletedProcess[str], dict | None]:
    return finish(start(root, submission, **options), root)


def script_of(notebook: Path) -> str:
    """The notebook's code cells as a Python script with `# %%` cells, as Jupyter exports it."""
    cells = nbformat.read(notebook, as_version=4).cells
    return "\n\n".join(f"# %%\n{cell.source}" for cell in cells if cell.cell_type == "code") + "\n"


# ---------------------------------------------------------------------------- every assignment's zip


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_zip_gives_the_reference_full_marks_and_the_stub_zero_in_gradescopes_layout(name, built, tmp_path):
    assignment = Assignment.load(name, ROOT)
    archive = built(name)
    entries = set(zipfile.ZipFile(archive).namelist())
    ours = ("autograder/", f"assignments/{name}/", f"release/{name}/", f"source/{name}/")
    single = {"setup.sh", "run_autograder", "setup/uv-requirements.txt", "nbgrader_config.py", f"solutions/{name}.py"}
    assert all(e in single or e.startswith(ours) for e in entries), sorted(e for e in entries if not e.startswith(ours))
    assert single <= entries and "autograder/gradescope-requirements.txt" in entries
    assert not [e for e in entries if e.startswith(f"release/{name}/checks/") or "__pycache__" in e]
    assert not [e for e in entries if e.startswith(f"source/{name}/") and e.endswith(".ipynb")]  # solutions inside
    _, data = assignment.data_files()  # what the student's notebook reads, and what the reference reads beside source/
    wanted = [*data, *(p for p in assignment.source_dir.rglob("*") if p.is_file() and p.suffix != ".ipynb")]
    assert {p.relative_to(ROOT).as_posix() for p in wanted} <= entries

    root = unpack(archive, tmp_path / "autograder")
    assert os.access(root / "run_autograder", os.X_OK) and os.access(root / "source" / "setup.sh", os.X_OK)
    other = unpack(archive, tmp_path / "another")  # the stub is graded at the same time, in a container of its own
    started = [start(root, SAMPLES / name / "reference.ipynb", name=assignment.notebook),
               start(other, SAMPLES / name / "stub.ipynb", name=assignment.notebook)]
    done, results = finish(started[0], root)
    assert done.returncode == 0 and results is not None, done.stdout + done.stderr
    jsonschema.validate(results, SCHEMA)
    total = sum(t["max_score"] for t in results["tests"])
    failing = [(t["name"], t["output"]) for t in results["tests"] if t["status"] != "passed"]
    assert results["score"] == total > 0 and not failing, failing
    assert results["output"].startswith(f"Graded {assignment.notebook}.") and results["stdout_visibility"] == "hidden"
    assert f"{total:g} points" in done.stdout  # the instructor's report, on stdout

    done, results = finish(started[1], other)
    assert done.returncode == 0 and results is not None, done.stdout + done.stderr
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 0 and all(t["status"] == "failed" and t["output"] for t in results["tests"])


def test_the_gradescope_zip_grades_a_submission_in_gradescopes_layout(built, tmp_path):
    root = unpack(built("perceptron_regression"), tmp_path / "autograder")
    done, results = autograde(root, SAMPLES / "perceptron_regression" / "forward_without_bias.ipynb",
                              name="perceptron_regression.ipynb")
    assert done.returncode == 0, done.stdout
    jsonschema.validate(results, SCHEMA)
    visibility = {t["name"]: t["visibility"] for t in results["tests"]}
    assert visibility["forward_propagation › forward_propagation_other_sizes"] == "after_published"
    assert visibility["forward_propagation › forward_propagation"] == "visible"
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed and all("Add the bias" in t["output"] for t in failed)
    assert 0 < results["score"] < sum(t["max_score"] for t in results["tests"])


# ---------------------------------------------------------------------------- when the grader fails


def _no_bubblewrap(root: Path, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "empty").mkdir()
    return {"PATH": str(tmp_path / "empty")}  # no bwrap on this PATH (run_autograder is started with /bin/bash)


def _broken_reference(root: Path, tmp_path: Path) -> dict[str, str]:
    (root / "source" / "solutions" / "gradient_descent.py").write_text("raise RuntimeError('broken reference')\n")
    return {}


def _broken_checks(root: Path, tmp_path: Path) -> dict[str, str]:
    (root / "source" / "assignments" / "gradient_descent" / "checks_hidden.py").write_text("import no_such_module\n")
    return {}


def _reference_data_missing(root: Path, tmp_path: Path) -> dict[str, str]:
    shutil.rmtree(root / "source" / "source")  # the zip of the instructor's trial: the reference's data left out
    return {}


@pytest.mark.parametrize(("breakage", "status", "cause"), [
    (_no_bubblewrap, 69, "bubblewrap is not installed"),
    (_broken_reference, 78, "RuntimeError: broken reference"),
    (_broken_checks, 78, "no_such_module"),
    (_reference_data_missing, 78, "deliveries.csv"),
])
def test_when_the_grader_fails_the_instructor_is_told_and_the_student_gets_no_score(breakage, status, cause, built,
                                                                                   tmp_path):
    root = unpack(built("gradient_descent"), tmp_path / "autograder")
    env = breakage(root, tmp_path)
    (root / "results" / "results.json").write_text('{"score": 14}')  # a stale file must not stand for this run
    done, results = autograde(root, SAMPLES / "gradient_descent" / "reference.ipynb", name="gradient_descent.ipynb",
                              env=env, shell=True)
    assert done.returncode == status, done.stdout + done.stderr
    assert results is None  # Gradescope: "The autograder failed to execute correctly", no score
    assert "NOT GRADED" in done.stdout and cause in done.stdout and "not a verdict" in done.stdout


# ---------------------------------------------------------------------------- what is graded


def test_of_two_notebooks_the_named_one_is_graded_and_the_output_says_so(built, tmp_path):
    root = unpack(built("gradient_descent"), tmp_path / "autograder")
    submission = root / "submission"
    shutil.copy(SAMPLES / "gradient_descent" / "reference.ipynb", submission / "gradient_descent.ipynb")
    shutil.copy(SAMPLES / "gradient_descent" / "stub.ipynb", submission / "scratch.ipynb")
    for junk in (".ipynb_checkpoints/gradient_descent-checkpoint.ipynb", "__MACOSX/._gradient_descent.ipynb"):
        (submission / junk).parent.mkdir()
        (submission / junk).write_bytes(b"\x00\x05\x16\x07 not a notebook")
    done, results = autograde(root)
    assert done.returncode == 0, done.stdout
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 18
    assert results["output"].startswith("Graded gradient_descent.ipynb. Ignored: scratch.ipynb.\n")
    assert "checkpoint" not in results["output"] and "MACOSX" not in results["output"]


def test_a_python_script_is_graded_like_the_notebook(built, tmp_path):
    root = unpack(built("gradient_descent"), tmp_path / "autograder")
    (root / "submission" / "gradient_descent.py").write_text(script_of(SAMPLES / "gradient_descent" / "reference.ipynb"))
    done, results = autograde(root)
    assert done.returncode == 0, done.stdout
    assert results["score"] == 18 and results["output"].startswith("Graded gradient_descent.py.")


def test_a_gradescope_submission_without_a_notebook_says_what_to_upload(tmp_path):
    results = tmp_path / "results.json"
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "notes.txt").write_text("my answers are in the notebook")
    assert run(Assignment.load("perceptron_regression", ROOT), tmp_path / "submission", results) == 0
    document = json.loads(results.read_text())
    jsonschema.validate(document, SCHEMA)
    assert document["score"] == 0 and document["tests"] == []
    assert "no notebook (.ipynb) or Python script (.py)" in document["output"]
    assert "perceptron_regression.ipynb (or perceptron_regression.py" in document["output"]


def _choose(tmp_path: Path, *names: str, links: tuple[str, ...] = ()):
    folder = tmp_path / "submission"
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("{}")
    for name in links:
        (folder / name).symlink_to(ROOT / "solutions" / "gradient_descent.py")
    return choose_submission(Assignment.load("gradient_descent", ROOT), folder), folder


def test_which_file_is_graded(tmp_path):
    upload, folder = _choose(tmp_path / "a", "old/gradient_descent.ipynb", "gradient_descent.ipynb", "scratch.ipynb",
                             "helpers.py")
    assert upload.graded == folder / "gradient_descent.ipynb"
    assert upload.message == ("Graded gradient_descent.ipynb. Ignored: helpers.py, scratch.ipynb, "
                              "old/gradient_descent.ipynb.")
    upload, folder = _choose(tmp_path / "b", "gradient_descent.py", "notes.ipynb")
    assert upload.graded == folder / "gradient_descent.py"  # named as expected beats a notebook named otherwise
    upload, folder = _choose(tmp_path / "c", "gradient_descent (1).ipynb", "helpers.py")
    assert upload.graded == folder / "gradient_descent (1).ipynb"
    assert "the only notebook in your submission (the expected name is gradient_descent.ipynb)" in upload.message
    upload, _ = _choose(tmp_path / "d", "attempt1.ipynb", "attempt2.ipynb")
    assert upload.graded is None and upload.ignored == ("attempt1.ipynb", "attempt2.ipynb")
    assert upload.message.startswith("Not graded: your submission has several notebooks")
    assert "Found: attempt1.ipynb, attempt2.ipynb. Rename the one to grade gradient_descent.ipynb" in upload.message
    upload, _ = _choose(tmp_path / "e", "x/gradient_descent.ipynb", "y/gradient_descent.ipynb")
    assert upload.graded is None and "several folders of your submission hold gradient_descent.ipynb" in upload.message
    upload, _ = _choose(tmp_path / "f", "work.zip", links=("gradient_descent.py",))
    assert upload.graded is None
    assert "An archive was not unpacked: work.zip" in upload.message
    assert "Links are not followed: gradient_descent.py" in upload.message


def test_hostile_file_names_reach_results_json_as_plain_utf8_text(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    os.mkdir(os.fsencode(folder) + b"/bad\xff\n\x1b[2J")
    for name in (b"a\xff.ipynb", b"b\r\x1b]0;x\x07.ipynb"):
        (Path(os.fsdecode(os.fsencode(folder) + b"/bad\xff\n\x1b[2J/" + name))).write_text("{}")
    results = tmp_path / "results.json"
    assert run(Assignment.load("gradient_descent", ROOT), folder, results) == 0
    raw = results.read_bytes()
    document = json.loads(raw.decode("utf-8"))  # strictly UTF-8: no lone surrogate escapes
    jsonschema.validate(document, SCHEMA)
    assert "\\ud" not in raw.decode("utf-8") and "\x1b" not in document["output"] and "\r" not in document["output"]
    assert "bad\ufffd\\n\\x1b[2J/a\ufffd.ipynb" in document["output"]


# ---------------------------------------------------------------------------- what results.json shows


def _result(*checks: CheckResult) -> Result:
    exercise = ExerciseResult("cost", sum(c.points for c in checks), sum(c.max_points for c in checks), "failed",
                              "", "", checks)
    return Result("cost.ipynb", "demo", exercise.points, exercise.max_points, (exercise,), seed=7)


def test_hidden_checks_show_no_values_and_the_top_level_output_no_hidden_points():
    visible = CheckResult("cost_small", "cost", 3.0, 4.0, "failed", "`cost` is 0.25, expected 0.5", "Divide by m.")
    passed = CheckResult("cost_shape", "cost", 2.0, 2.0, "passed")
    hidden = CheckResult("cost_large", "cost", 0.0, 6.0, "failed", "`cost` has the wrong value (a hidden check)",
                         "Divide by m.", hidden=True, detail="`cost` is 0.123456, expected 0.987654")
    document = gradescope_results(_result(visible, passed, hidden), execution_time=3.4)
    jsonschema.validate(document, SCHEMA)
    text = json.dumps(document)
    assert "0.123456" not in text and "0.987654" not in text  # the hidden check's values: stdout only
    tests = {t["name"]: t for t in document["tests"]}
    assert tests["cost › cost_large"]["visibility"] == "after_published"
    assert tests["cost › cost_large"]["output"] == "`cost` has the wrong value (a hidden check)\nHint: Divide by m."
    assert tests["cost › cost_small"]["output"] == "`cost` is 0.25, expected 0.5\nHint: Divide by m."
    assert document["score"] == 5  # Gradescope hides it from students while a test is after_published
    assert document["output"].startswith("Visible checks: 5 of 6 points. More checks are graded after publication")
    assert "12" not in document["output"] and "11" not in document["output"]  # neither the total nor the hidden part
    assert document["execution_time"] == 3 and document["stdout_visibility"] == "hidden"
    plain = gradescope_results(_result(visible, passed))
    assert plain["output"] == "Score: 5 of 6 points."


def test_a_failed_hidden_check_says_what_is_wrong_after_publication_and_stdout_names_it(built, tmp_path):
    root = unpack(built("gradient_descent"), tmp_path / "autograder")
    done, results = autograde(root, SAMPLES / "gradient_descent" / "descent_2d_sequential.ipynb",
                              name="gradient_descent.ipynb")
    assert done.returncode == 0, done.stdout
    hidden = [t for t in results["tests"] if t["visibility"] == "after_published" and t["status"] == "failed"]
    assert hidden and all(test["output"] for test in hidden), "the sample should fail a hidden check"
    assert "(hidden)" in done.stdout  # the instructor's report names the hidden checks, with their values


# ---------------------------------------------------------------------------- setup.sh


def _locked() -> dict[str, tuple[str, list[str]]]:
    found = {}
    for line in LOCK_FILE.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^ ]+)((?: --hash=sha256:[0-9a-f]{64})+)", line)
        assert match, f"not pinned with a hash: {line!r}"
        found[canonicalize_name(match[1])] = (match[2], re.findall(r"[0-9a-f]{64}", match[3]))
    return found


def test_setup_sh_pins_and_verifies_everything_it_installs(built, tmp_path):
    root = unpack(built("gradient_descent"), tmp_path / "autograder")
    setup = (root / "source" / "setup.sh").read_text()
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    assert subprocess.run(["bash", "-n", str(root / "run_autograder")]).returncode == 0
    assert not re.search(r"\|\s*(ba|z|da)?sh\b", setup) and "curl" not in setup and "wget" not in setup
    commands = setup.replace("\\\n", " ").splitlines()
    installs = [c for c in commands if re.search(r"\bpip install\b", c)]
    assert len(installs) == 2 and all("--require-hashes" in c and "-r " in c for c in installs)
    assert all("--only-binary" in c for c in installs)  # nothing built from a source archive
    uv = (root / "source" / "setup" / "uv-requirements.txt").read_text().split()
    assert uv[0] == f"uv=={UV_VERSION}" and uv[1:] == [f"--hash=sha256:{h}" for h in UV_HASHES]
    python = re.search(r"^# python: (\S+)$", LOCK_FILE.read_text(), re.MULTILINE)[1]
    assert python == platform.python_version()  # the interpreter the lock was resolved for is this one
    assert f'"$UV" python install {python}\n' in setup and f'"$UV" venv --python {python} .venv\n' in setup


def test_the_lock_pins_what_this_venv_has_and_all_it_needs():
    locked = _locked()
    for name, (version, _) in locked.items():
        assert importlib.metadata.version(name) == version, f"{name}: lock {version}, venv {importlib.metadata.version(name)}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in map(Requirement, project):
        assert locked[canonicalize_name(requirement.name)][0] in requirement.specifier
    for name in locked:  # every dependency of a locked package is locked (else --require-hashes fails)
        for text in importlib.metadata.requires(name) or ():
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                assert canonicalize_name(requirement.name) in locked, f"{name} needs {requirement.name}"


def test_run_autograder_exits_with_the_command_lines_statuses():
    from autograder import cli, gradescope

    assert (gradescope.EXIT_FAILED, gradescope.EXIT_INFRASTRUCTURE, gradescope.EXIT_INSTRUCTOR) == \
        (cli.EXIT_FAILED, cli.EXIT_INFRASTRUCTURE, cli.EXIT_INSTRUCTOR)


def test_a_missing_submission_folder_fails_loudly(tmp_path, capsys):
    results = tmp_path / "results" / "results.json"
    assert run(Assignment.load("gradient_descent", ROOT), tmp_path / "submission", results) == 69
    assert not results.exists() and "NOT GRADED" in capsys.readouterr().out
