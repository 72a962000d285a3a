"""Gradescope: grade the submission in Gradescope's layout, and build the autograder zip.

Gradescope unpacks the zip into ``/autograder/source`` (``setup.sh`` and ``run_autograder`` at
its root), runs ``setup.sh`` once when the image is built, then for every submission puts the
student's files in ``/autograder/submission`` and runs ``run_autograder``, which must write
``/autograder/results/results.json``. Whatever ``run_autograder`` prints reaches instructors only.

Three rules shape what :func:`run` writes (docs/gradescope.md says why):

* a grade only when the grader worked: when it could not grade (no sandbox, broken checks or
  reference, a check that crashed), no results.json at all, a message for the instructor on stdout
  and a nonzero exit status, so that Gradescope shows the autograder as failed instead of a score;
* nothing hidden before publication: hidden checks are ``after_published`` tests (Gradescope then
  hides the total score from students too), their messages are the value-free ones, and the
  always-visible top-level ``output`` counts the visible checks only;
* say what was graded: the file graded and the files ignored are named in the output.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import time
import traceback
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from . import escape
from .config import STUDENT_CHECKS_DIR, Assignment
from .errors import GraderError, InfrastructureError, InstructorError
from .results import CheckResult, Result

__all__ = ["LOCK_FILE", "Upload", "build_zip", "choose_submission", "gradescope_results", "lock", "run", "unpack"]

# Exit statuses of run_autograder when the grader fails (cli's, which cannot be imported here: cli imports this)
EXIT_FAILED, EXIT_INFRASTRUCTURE, EXIT_INSTRUCTOR = 1, 69, 78
PACKAGE = Path(__file__).resolve().parent
# Every Python package the grader needs on Gradescope, each pinned with its file's SHA-256; made by
# `python -m autograder.gradescope lock` (:func:`lock`) from the versions installed where it ran.
LOCK_FILE = PACKAGE / "gradescope-requirements.txt"
UV_REQUIREMENTS = "setup/uv-requirements.txt"  # in the zip
# uv installs the pinned Python (checking the download's SHA-256 against the list it carries) and
# the locked packages. It comes from PyPI through pip with --require-hashes: one wheel per platform.
UV_VERSION = "0.13.9"
UV_HASHES = (
    "d7f459fe4fd247d830351c75686d3996ace3c6f3f728eb0e85a30b7ada0cef19",  # manylinux_2_17_x86_64
    "5435c5ce14a56431208ca0996416d310f1598e8c2c8ba707688985a16bb82dbe",  # manylinux_2_17_aarch64
)
LOCK_PLATFORMS = tuple(f"manylinux_2_{minor}_x86_64" for minor in range(35, 4, -1)) + (
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64")  # glibc up to Ubuntu 22.04's 2.35
PROJECT = "calc4ml-autograder"

MAX_ENTRIES = 20_000  # files and folders looked at in a submission; a course upload has a handful
MAX_DEPTH = 8  # folders down from the submission folder
MAX_NAMES_SHOWN = 10  # file names listed in a message
MAX_NAME_CHARS = 120  # of one file name in a message
MAX_CELL_LINES = 10  # cells that did not run cleanly, listed in the output
MAX_CELL_CHARS = 300
SKIPPED_FOLDERS = ("__MACOSX", "__pycache__")  # a Mac's zip metadata, Python's caches; dot-folders too

SETUP_SH = """#!/usr/bin/env bash
# Runs once, as root, when Gradescope builds the autograder image (an Ubuntu 22.04 or newer base
# image, x86_64). No script is piped into a shell: every version is pinned, and every download is
# checked, by apt against the distribution's signed package lists, and by pip and uv against
# the SHA-256 written in this zip.
set -euo pipefail
exec 2>&1
cd /autograder/source
export DEBIAN_FRONTEND=noninteractive

# bubblewrap (the sandbox) and a Python to bootstrap uv with, from the base image's distribution.
apt-get update
apt-get install -y --no-install-recommends bubblewrap python3 python3-venv ca-certificates
dpkg-query -W bubblewrap python3

# uv {uv_version}, from PyPI: pip refuses a wheel whose SHA-256 is not in {uv_requirements}.
python3 -m venv /opt/calc4ml-bootstrap
/opt/calc4ml-bootstrap/bin/python -m pip install --no-cache-dir --no-deps --only-binary=:all: \\
  --require-hashes -r {uv_requirements}
UV=/opt/calc4ml-bootstrap/bin/uv
"$UV" --version

# Python {python_version}: uv checks the build it downloads against the SHA-256 it carries for it. It
# goes under /opt, readable by the sandbox's unprivileged user (root's home is not).
export UV_PYTHON_INSTALL_DIR=/opt/calc4ml-python UV_PYTHON_PREFERENCE=only-managed UV_NO_CONFIG=1 \\
  UV_CACHE_DIR=/tmp/calc4ml-uv-cache
"$UV" python install {python_version}
"$UV" venv --python {python_version} .venv

# The grader's packages: every version pinned, every file checked against its SHA-256, no builds.
"$UV" pip install --python .venv/bin/python --require-hashes --only-binary :all: \\
  -r autograder/{lock_name}
"$UV" pip check --python .venv/bin/python
rm -rf /tmp/calc4ml-uv-cache
# The grader imports, and matplotlib's font list is built now rather than for every submission.
.venv/bin/python -c "import jax, matplotlib.pyplot, autograder.cli, autograder.pipeline"
.venv/bin/python -m autograder.cli --version
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Runs for every submission: grades $ROOT/submission and writes $ROOT/results/results.json, or, when
# the grader itself fails, writes none and exits nonzero (Gradescope then shows the autograder as
# failed, with no score). Everything printed here, errors included, reaches instructors only.
exec 2>&1
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
cd "$ROOT/source" || exit {exit_infrastructure}
exec "${{PYTHON:-.venv/bin/python}}" -m autograder.cli gradescope {assignment} \\
  --submission "$ROOT/submission" --results "$ROOT/results/results.json"{isolation}
"""


# ---------------------------------------------------------------------------- grading one submission


@dataclasses.dataclass(frozen=True)
class Upload:
    """What a submission folder holds, and which file of it is graded (None: none can be)."""

    graded: Path | None
    message: str  # for the student: what was graded and what was ignored, or why nothing was
    ignored: tuple[str, ...] = ()  # names as shown, relative to the submission folder


def run(assignment: Assignment, submission: Path, results: Path, *, allow_unisolated: bool = False,
        out: IO[str] | None = None) -> int:
    """Grade the notebook in ``submission`` and write Gradescope's results.json; 0 when written.

    When the grader cannot grade, nothing is written, the reason goes to ``out`` (stdout, which
    Gradescope shows instructors only) and the exit status says who must act (cli's EXIT_*)."""
    out = out if out is not None else sys.stdout
    started = time.monotonic()
    results.parent.mkdir(parents=True, exist_ok=True)
    results.unlink(missing_ok=True)  # a results.json left from before must not stand for this run
    try:
        if not submission.is_dir():
            raise InfrastructureError(f"the submission folder {submission} is missing")
        upload = choose_submission(assignment, submission)
        if upload.graded is None:
            _write(results, _not_graded(upload, time.monotonic() - started))
            print(f"calc4ml autograder: {assignment.name}: nothing graded (score 0): {escape.terminal(upload.message)}",
                  file=out)
            return 0
        result = _grade(assignment, upload.graded, allow_unisolated)
        broken = [note for note in result.notes if note.startswith("grader error")]
        if broken:
            return _failed(out, assignment, EXIT_INSTRUCTOR, "checks crashed on this submission (a broken reference, "
                           "check or data file): " + "; ".join(broken), result)
        document = gradescope_results(result, execution_time=time.monotonic() - started, upload=upload)
        _write(results, document)
    except InfrastructureError as exc:
        sandbox = " On Gradescope, a container that cannot run bubblewrap needs a zip built with `autograder " \
            "gradescope-zip --no-isolation` (docs/gradescope.md says what that gives up)." if "isolat" in str(exc) else ""
        return _failed(out, assignment, EXIT_INFRASTRUCTURE, f"this machine cannot grade: {exc}.{sandbox}")
    except InstructorError as exc:
        return _failed(out, assignment, EXIT_INSTRUCTOR, f"the assignment is broken: {exc}")
    except GraderError as exc:
        return _failed(out, assignment, EXIT_FAILED, str(exc))
    except Exception:  # noqa: BLE001 - a bug of ours: the instructor must hear of it, the student get no grade
        return _failed(out, assignment, EXIT_FAILED, "the grader crashed:\n" + traceback.format_exc())
    _print_summary(out, assignment, upload, result, document)
    return 0


def _grade(assignment: Assignment, path: Path, allow_unisolated: bool) -> Result:
    from .pipeline import grade_submission
    from .sandbox.isolation import choose_sandbox

    return grade_submission(assignment, path, choose_sandbox(assignment, allow_unisolated=allow_unisolated))


def _failed(out: IO[str], assignment: Assignment, status: int, why: str, result: Result | None = None) -> int:
    """Tell the instructor that this submission was not graded, and why; write no results.json."""
    from .report import submission_report

    print(f"calc4ml autograder: {assignment.name}: NOT GRADED. The grader failed; this is not a verdict on the "
          "submission.\nNo results.json was written, so Gradescope shows the autograder as failed and gives no "
          "score.\nFix the cause, then use \"Regrade All Submissions\".\n"
          f"Cause: {escape.terminal(why)}", file=out)
    if result is not None:
        print("\nWhat the checks found (an ERROR saying that the grader failed is the grader's fault, not the "
              "student's):\n" + submission_report(result), file=out)
    out.flush()
    return status


def _print_summary(out: IO[str], assignment: Assignment, upload: Upload, result: Result,
                   document: dict[str, Any]) -> None:
    """For the instructor: the full report, hidden checks' values included (stdout is theirs only)."""
    from .report import submission_report

    print(f"calc4ml autograder: {assignment.name}: graded, {document['score']:g} of {result.max_points:g} points "
          f"in {document.get('execution_time', 0)} s.\n{escape.terminal(upload.message)}\n{submission_report(result)}",
          file=out)
    out.flush()


def choose_submission(assignment: Assignment, folder: Path) -> Upload:
    """The file to grade in a Gradescope submission folder, and what to tell the student about it.

    The file named as the released notebook (or its ``.py`` export) is graded, the shallowest one if
    several folders hold one; otherwise the only notebook, or else the only script. With several
    candidates and none of them named so, nothing is graded: which one is meant cannot be known, and
    the student can submit again with the right name. Links are not followed; hidden files and
    folders, a Mac's ``__MACOSX`` and Jupyter's checkpoints are skipped."""
    notebook = assignment.notebook
    script = f"{Path(notebook).stem}.py"
    expected = f"{notebook} (or {script}, the notebook exported as a Python script)"
    candidates, links, archives = _survey(folder)
    shown = {path: _shown(path, folder) for path in candidates}

    def upload(graded: Path, why: str) -> Upload:
        ignored = tuple(shown[p] for p in candidates if p != graded)
        return Upload(graded, f"Graded {shown[graded]}{why}." + _listing(" Ignored", ignored), ignored)

    for name in (notebook, script):
        named = [p for p in candidates if p.name == name]
        if named:
            depth = min(_depth(p, folder) for p in named)
            top = [p for p in named if _depth(p, folder) == depth]
            if len(top) == 1:
                return upload(top[0], "")
            return Upload(None, f"Not graded: several folders of your submission hold {name} "
                                f"({', '.join(shown[p] for p in top)}). Submit only the one to grade.")
    notebooks = [p for p in candidates if p.suffix == ".ipynb"]
    scripts = [p for p in candidates if p.suffix == ".py"]
    if len(notebooks) == 1 or (not notebooks and len(scripts) == 1):
        only = notebooks[0] if notebooks else scripts[0]
        kind = "notebook" if notebooks else "Python script"
        return upload(only, f": the only {kind} in your submission (the expected name is {notebook})")
    if candidates:
        names = [shown[p] for p in candidates]
        return Upload(None, "Not graded: your submission has several notebooks or scripts and none is named "
                            f"{expected}." + _listing(" Found", names)
                            + f" Rename the one to grade {notebook} and submit again.", tuple(names))
    message = f"Not graded: no notebook (.ipynb) or Python script (.py) found in your submission. Upload {expected}."
    if archives:
        message += _listing(" An archive was not unpacked", [_shown(p, folder) for p in archives]) + \
            " Upload the notebook itself."
    if links:
        message += _listing(" Links are not followed", [_shown(p, folder) for p in links]) + \
            " Upload the file itself."
    return Upload(None, message)


def _survey(folder: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """Notebooks and scripts under ``folder`` (regular files, sorted shallowest first), and the links
    and archives among what looked like one. Bounded in depth and in entries looked at."""
    candidates: list[tuple[int, str, Path]] = []
    links: list[Path] = []
    archives: list[Path] = []
    pending = [(folder, 0)]
    seen = 0
    while pending and seen < MAX_ENTRIES:
        current, depth = pending.pop()
        for entry in _entries(current):
            seen += 1
            if seen > MAX_ENTRIES:
                break
            name, path = entry.name, Path(entry.path)
            if name.startswith(".") or name in SKIPPED_FOLDERS:
                continue
            try:
                if entry.is_symlink():
                    if path.suffix in (".ipynb", ".py"):
                        links.append(path)
                elif entry.is_dir(follow_symlinks=False):
                    if depth < MAX_DEPTH:
                        pending.append((path, depth + 1))
                elif entry.is_file(follow_symlinks=False):
                    if path.suffix in (".ipynb", ".py"):
                        candidates.append((depth, str(path), path))
                    elif path.suffix.lower() in (".zip", ".tar", ".gz", ".tgz", ".7z", ".rar"):
                        archives.append(path)
            except OSError:  # gone, or cannot be looked at: not a candidate
                continue
    return [p for _, _, p in sorted(candidates)], sorted(links), sorted(archives)


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []


def _depth(path: Path, folder: Path) -> int:
    return len(path.relative_to(folder).parts)


def _shown(path: Path, folder: Path) -> str:
    """A file's name for a message: relative to the submission, one line, no control characters."""
    name = escape.terminal_line(path.relative_to(folder).as_posix())
    return name if len(name) <= MAX_NAME_CHARS else name[:MAX_NAME_CHARS] + "..."


def _listing(label: str, names: Sequence[str]) -> str:
    if not names:
        return ""
    more = len(names) - MAX_NAMES_SHOWN
    return f"{label}: {', '.join(names[:MAX_NAMES_SHOWN])}" + (f" and {more} more" if more > 0 else "") + "."


def _not_graded(upload: Upload, execution_time: float) -> dict[str, Any]:
    return _clean({
        "score": 0.0,
        "execution_time": int(round(execution_time)),
        "output": upload.message,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
        "extra_data": {"graded_file": None, "ignored_files": list(upload.ignored)},
    })


def _write(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` atomically: Gradescope never reads half a file."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps(document, indent=1, allow_nan=False, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)


# ---------------------------------------------------------------------------- results.json


def gradescope_results(result: Result, *, execution_time: float | None = None,
                       upload: Upload | None = None) -> dict[str, Any]:
    """Gradescope's results.json for one graded submission: a test per check, hidden ones after publishing.

    Students see a hidden check's value-free ``message`` once grades are published, never its
    ``detail``; the top-level output, visible at once, counts only the visible checks."""
    tests = []
    for number, exercise in enumerate(result.exercises, start=1):
        for index, check in enumerate(exercise.checks, start=1):
            tests.append({
                "name": f"{exercise.name} › {check.name}",
                "number": f"{number}.{index}",
                "score": check.points,
                "max_score": check.max_points,
                "status": "passed" if check.status == "passed" else "failed",
                "output": _check_output(check),
                "visibility": "after_published" if check.hidden else "visible",
                "tags": [exercise.name, check.status],
            })
    document: dict[str, Any] = {
        "score": result.points,
        "output": _summary(result, upload),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",  # the instructor's report, hidden checks' values included
        "tests": tests,
        # the notes are the instructor's (stdout): a student may come to read this field
        "extra_data": {"assignment": result.assignment, "seed": result.seed,
                       "graded_file": upload.graded.name if upload and upload.graded else None,
                       "ignored_files": list(upload.ignored) if upload else []},
    }
    if execution_time is not None:
        document["execution_time"] = max(int(round(execution_time)), 0)
    return _clean(document)


def _check_output(check: CheckResult) -> str:
    """What the student reads under a check: its message (value-free for a hidden check) and hint."""
    if check.status == "passed":
        return ""
    return check.message + (f"\nHint: {check.hint}" if check.hint else "")


def _summary(result: Result, upload: Upload | None) -> str:
    """The top-level output, always visible: never a hidden check's points before publication."""
    checks = [c for e in result.exercises for c in e.checks]
    visible = [c for c in checks if not c.hidden]
    lines = [upload.message] if upload is not None else []
    if result.problem:
        lines.append(result.problem)
    if len(visible) < len(checks):
        lines.append(f"Visible checks: {sum(c.points for c in visible):g} of {sum(c.max_points for c in visible):g} "
                     "points. More checks are graded after publication: their results and your total score appear "
                     "when your instructor publishes the grades.")
    else:
        lines.append(f"Score: {result.points:g} of {result.max_points:g} points.")
    troubled = [c for c in result.cells if c.status != "ok"]
    if troubled:
        lines.append("Cells that did not run cleanly (grading went on after each):")
        for cell in troubled[:MAX_CELL_LINES]:
            text = f"cell {cell.number}: {cell.status}" + (f": {cell.message}" if cell.message else "")
            lines.append("  " + (text if len(text) <= MAX_CELL_CHARS else text[:MAX_CELL_CHARS] + "..."))
        if len(troubled) > MAX_CELL_LINES:
            lines.append(f"  and {len(troubled) - MAX_CELL_LINES} more")
    return "\n".join(lines)


def _clean(value: Any) -> Any:
    """Every string as UTF-8 can carry it and a text view shows it (no lone surrogates, no control
    characters but newline and tab), and only plain JSON values (no NaN)."""
    if isinstance(value, str):
        return escape.terminal(value)
    if isinstance(value, dict):
        return {escape.terminal(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return json.loads(json.dumps(value, allow_nan=False)) if isinstance(value, float) else value


# ---------------------------------------------------------------------------- the zip


def build_zip(assignment: Assignment, target: Path, *, allow_unisolated: bool = False) -> Path:
    """The zip to upload as the assignment's autograder: what grading needs, nothing of other assignments.

    That is the engine, the assignment's folder (checks, mistakes, cases, config), its reference,
    its released notebook with its data, the data the reference reads beside the source notebook
    (source/<assignment>/ without notebooks), nbgrader_config.py (it marks the course folder),
    setup.sh with its pinned requirements, and run_autograder."""
    root = assignment.course_root
    if root is None or assignment.release_dir is None or assignment.reference is None:
        raise InstructorError("building the Gradescope zip needs the course folder (assignments/, solutions/, release/)")
    if not assignment.release_dir.is_dir():
        raise InstructorError(f"{assignment.release_dir} is missing; run `autograder release {assignment.name}` first")
    python_version = _locked_python()
    files: dict[str, Path] = {}
    for path in _files(PACKAGE):
        files[f"autograder/{path.relative_to(PACKAGE).as_posix()}"] = path
    for folder, keep in ((assignment.directory, _always),
                         (assignment.release_dir, _release_file),
                         (assignment.source_dir, _source_data)):
        if folder is not None and folder.is_dir():
            for path in _files(folder):
                if keep(path.relative_to(folder)):
                    files[path.relative_to(root).as_posix()] = path
    for path in (assignment.reference, root / "nbgrader_config.py"):
        files[path.relative_to(root).as_posix()] = path
    scripts = {
        "setup.sh": SETUP_SH.format(uv_version=UV_VERSION, uv_requirements=UV_REQUIREMENTS,
                                    python_version=python_version, lock_name=LOCK_FILE.name),
        "run_autograder": RUN_AUTOGRADER.format(assignment=shlex.quote(assignment.name),
                                                isolation=" --no-isolation" if allow_unisolated else "",
                                                exit_infrastructure=EXIT_INFRASTRUCTURE),
        UV_REQUIREMENTS: f"uv=={UV_VERSION} " + " ".join(f"--hash=sha256:{h}" for h in UV_HASHES) + "\n",
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):  # sorted, with fixed dates: the same course makes the same zip
            _add(archive, name, files[name].read_bytes(), 0o644)
        for name, text in scripts.items():
            _add(archive, name, text.encode("utf-8"), 0o644 if name == UV_REQUIREMENTS else 0o755)
    temporary.replace(target)
    return target


def _add(archive: zipfile.ZipFile, name: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not _junk(p.relative_to(folder)))


def _junk(relative: Path) -> bool:
    return any(part in ("__pycache__", ".ipynb_checkpoints") or part.startswith(".") for part in relative.parts) \
        or relative.suffix in (".pyc", ".pyo")


def _always(relative: Path) -> bool:
    return True


def _release_file(relative: Path) -> bool:
    """The released notebook (grading compares with its cells) and its data, not the self-check copy."""
    return relative.parts[0] != STUDENT_CHECKS_DIR


def _source_data(relative: Path) -> bool:
    """What sits beside the source notebook (its data, which a reference may read), not the notebook."""
    return relative.suffix != ".ipynb"


def _locked_python() -> str:
    """The Python version the lock was made for (its ``# python:`` line)."""
    try:
        text = LOCK_FILE.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstructorError(f"cannot read {LOCK_FILE} ({exc}); make it with `python -m autograder.gradescope lock`") \
            from None
    found = re.search(r"^# python: (3\.\d+\.\d+)$", text, re.MULTILINE)
    if found is None:
        raise InstructorError(f"{LOCK_FILE} names no Python version; make it again with "
                              "`python -m autograder.gradescope lock`")
    return found.group(1)


def unpack(zip_path: Path, root: Path) -> Path:
    """Lay a built zip out as Gradescope does, under ``root`` instead of ``/autograder`` (for tests)."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():  # extractall drops the permission bits the zip records
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                (root / "source" / info.filename).chmod(mode)
    (root / "run_autograder").write_bytes((root / "source" / "run_autograder").read_bytes())
    (root / "run_autograder").chmod(0o755)
    (root / "submission").mkdir(exist_ok=True)
    (root / "results").mkdir(exist_ok=True)
    return root


# ---------------------------------------------------------------------------- the lock


def lock(target: Path = LOCK_FILE, *, pyproject: Path | None = None) -> Path:
    """Write the requirements setup.sh installs: the project's dependencies (pyproject.toml) resolved
    with pip for Gradescope's platform (CPython of this version, manylinux x86_64), each at the
    version installed here, with the SHA-256 of the wheel the index serves. Needs the package index."""
    import importlib.metadata
    import tomllib

    pyproject = pyproject or PACKAGE.parent / "pyproject.toml"
    dependencies = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    installed = sorted({f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
                        if d.metadata["Name"] and d.metadata["Name"].lower() != PROJECT})
    folder = target.parent
    constraints = folder / f".{target.name}.constraints"
    constraints.write_text("\n".join(installed) + "\n", encoding="utf-8")
    try:
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                   "--report", "-", "--only-binary=:all:", "--python-version", platform.python_version(),
                   "--implementation", "cp", "--abi", f"cp3{sys.version_info.minor}",
                   *(arg for tag in LOCK_PLATFORMS for arg in ("--platform", tag)),
                   "-c", str(constraints), *dependencies]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1800)
    finally:
        constraints.unlink(missing_ok=True)
    if done.returncode != 0:
        raise InstructorError(f"pip could not resolve the dependencies:\n{done.stderr[-4000:]}")
    report = json.loads(done.stdout)
    lines = []
    for item in report["install"]:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        digest = item["download_info"].get("archive_info", {}).get("hashes", {}).get("sha256")
        if not digest:
            raise InstructorError(f"the index gave no SHA-256 for {name} {version}")
        lines.append(f"{name}=={version} --hash=sha256:{digest}")
    header = [
        "# The grader's Python packages on Gradescope, installed by setup.sh with `uv pip install --require-hashes`.",
        "# Made by `python -m autograder.gradescope lock` from pyproject.toml's dependencies at the versions",
        "# installed where it ran; make it again after changing them, never by hand.",
        f"# python: {platform.python_version()}",
        "# platform: CPython, manylinux x86_64, wheels for glibc 2.35 or older (Ubuntu 22.04 and later run them)",
    ]
    target.write_text("\n".join(header + sorted(lines, key=str.lower)) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    if sys.argv[1:] != ["lock"]:
        sys.exit("usage: python -m autograder.gradescope lock   (writes autograder/gradescope-requirements.txt)")
    print(f"wrote {lock()}")
