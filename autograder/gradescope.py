"""Gradescope: grade the submission in Gradescope's layout, and build the autograder zip.

Gradescope unpacks the zip into ``/autograder/source`` (``setup.sh`` and ``run_autograder`` at
its root), runs ``setup.sh`` once when the image is built, then for every submission puts the
student's files in ``/autograder/submission`` and runs ``run_autograder``, which must write
``/autograder/results/results.json``.
"""

from __future__ import annotations

import json
import shutil
import time
import zipfile
from pathlib import Path
from typing import Any

from .config import Assignment
from .errors import GraderError
from .results import Result

__all__ = ["build_zip", "gradescope_results", "run"]

SETUP_SH = """#!/usr/bin/env bash
# Runs once when Gradescope builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y bubblewrap curl
cd /autograder/source
curl -LsSf https://astral.sh/uv/install.sh | sh
export PATH="$HOME/.local/bin:$PATH"
uv venv --python 3.11 .venv
uv pip install --python .venv/bin/python -e .
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Runs for every submission: grades /autograder/submission, writes /autograder/results/results.json.
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
cd "$ROOT/source"
exec "${{PYTHON:-.venv/bin/python}}" -m autograder.cli gradescope {assignment} \\
  --submission "$ROOT/submission" --results "$ROOT/results/results.json"{isolation}
"""


def run(assignment: Assignment, submission: Path, results: Path, *, allow_unisolated: bool = False) -> int:
    """Grade the notebook in ``submission`` and write Gradescope's results.json; 0 when graded."""
    from .batch import find_submissions
    from .pipeline import grade_submission
    from .sandbox.isolation import choose_sandbox

    started = time.monotonic()
    found = [p for p in find_submissions([submission]) if p.suffix in (".ipynb", ".py")]
    named = [p for p in found if p.name == assignment.notebook]
    results.parent.mkdir(parents=True, exist_ok=True)
    if not (named or found):
        document = {"score": 0.0, "tests": [],
                    "output": f"No notebook found in your submission: upload {assignment.notebook}."}
        results.write_text(json.dumps(document, indent=1), encoding="utf-8")
        return 0
    try:
        sandbox = choose_sandbox(assignment, allow_unisolated=allow_unisolated)
        result = grade_submission(assignment, (named or found)[0], sandbox)
    except GraderError as exc:
        document = {"score": 0.0, "tests": [], "output": f"The autograder could not grade this submission: {exc}. "
                    "Your instructor has been told; this is not a verdict on your work."}
        results.write_text(json.dumps(document, indent=1), encoding="utf-8")
        return 1
    document = gradescope_results(result, execution_time=time.monotonic() - started)
    results.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return 0


def gradescope_results(result: Result, *, execution_time: float | None = None) -> dict[str, Any]:
    """Gradescope's results.json for one submission: a test per check, hidden ones after publishing."""
    tests = []
    for number, exercise in enumerate(result.exercises, start=1):
        for index, check in enumerate(exercise.checks, start=1):
            output = check.message + (f"\nHint: {check.hint}" if check.hint else "")
            tests.append({
                "name": f"{exercise.name} › {check.name}",
                "number": f"{number}.{index}",
                "score": check.points,
                "max_score": check.max_points,
                "status": "passed" if check.status == "passed" else "failed",
                "output": output if check.status != "passed" else "",
                "visibility": "after_published" if check.hidden else "visible",
                "tags": [exercise.name, check.status],
            })
    document: dict[str, Any] = {
        "score": result.points,
        "tests": tests,
        "output": result.problem or f"{result.points:g} of {result.max_points:g} points.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"assignment": result.assignment, "notes": list(result.notes)},
    }
    if execution_time is not None:
        document["execution_time"] = int(round(execution_time))
    return json.loads(json.dumps(document, allow_nan=False))


def build_zip(assignment: Assignment, target: Path, *, allow_unisolated: bool = False) -> Path:
    """The zip to upload as the assignment's autograder: engine, checks, reference, data, scripts."""
    root = assignment.course_root
    if root is None or assignment.release_dir is None or assignment.reference is None:
        raise GraderError("building the Gradescope zip needs the course folder (assignments/, solutions/, release/)")
    package = Path(__file__).resolve().parent
    files: list[tuple[Path, str]] = [
        (p, f"autograder/{p.relative_to(package)}") for p in sorted(package.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    ]
    for folder in (assignment.directory, assignment.release_dir):
        files += [(p, str(p.relative_to(root))) for p in sorted(folder.rglob("*"))
                  if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts]
    files += [(root / name, name) for name in ("pyproject.toml", "README.md", "nbgrader_config.py")]
    files += [(assignment.reference, str(assignment.reference.relative_to(root)))]
    target.parent.mkdir(parents=True, exist_ok=True)
    isolation = " --no-isolation" if allow_unisolated else ""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, name in files:
            archive.write(path, name)
        for name, text in (("setup.sh", SETUP_SH),
                           ("run_autograder", RUN_AUTOGRADER.format(assignment=assignment.name, isolation=isolation))):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            archive.writestr(info, text)
    return target


def unpack(zip_path: Path, root: Path) -> Path:
    """Lay a built zip out as Gradescope does, under ``root`` instead of ``/autograder`` (for tests)."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():  # extractall drops the permission bits the zip records
            mode = info.external_attr >> 16
            if mode & 0o111:
                (root / "source" / info.filename).chmod(mode & 0o777)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    (root / "submission").mkdir(exist_ok=True)
    (root / "results").mkdir(exist_ok=True)
    return root
