"""A course's CI, the third face: ``autograder ci-template`` writes a generic shell entry point
(``ci/verify-course.sh``: install the grader, run ``autograder verify`` on every assignment, write
its JUnit report) and a GitHub Actions workflow that runs it and publishes the report.

Both name the grader to install (``AUTOGRADER_SPEC``): by default the one running now, as pip can
install it again (the git URL and commit it came from, the folder of a source checkout, or the
released version).
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
from importlib import resources
from pathlib import Path

from . import __version__
from .errors import InstructorError

__all__ = ["CI_FILES", "installed_spec", "write_ci_files"]

DISTRIBUTION = "calc4ml-autograder"
# template in autograder/templates -> where it goes in the course
CI_FILES = {"verify-course.sh": Path("ci") / "verify-course.sh",
            "autograder-verify.yml": Path(".github") / "workflows" / "autograder-verify.yml"}


def installed_spec() -> str:
    """A pip requirement for the grader that is running: its VCS URL and commit, its source folder,
    or its version."""
    try:
        recorded = importlib.metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        recorded = None
    origin = json.loads(recorded) if recorded else {}
    vcs = origin.get("vcs_info")
    if isinstance(vcs, dict) and origin.get("url"):
        return f"{DISTRIBUTION} @ {vcs.get('vcs', 'git')}+{origin['url']}@{vcs.get('commit_id', '')}".rstrip("@")
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "autograder").is_dir():
        remote, commit = _git(checkout, "remote", "get-url", "origin"), _git(checkout, "rev-parse", "HEAD")
        if remote and commit and "://" in remote:
            return f"{DISTRIBUTION} @ git+{remote}@{commit}"
        return f"{DISTRIBUTION} @ {checkout.as_uri()}"  # a folder of this machine: CI elsewhere needs another
    if origin.get("url"):
        return f"{DISTRIBUTION} @ {origin['url']}"
    return f"{DISTRIBUTION}=={__version__}"


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def write_ci_files(course: Path, spec: str | None = None, *, force: bool = False) -> list[Path]:
    """Write the CI files into ``course``; an existing one is kept unless ``force``. Returns what was written."""
    course = Path(course)
    if not (course / "assignments").is_dir():
        raise InstructorError(f"{course} is not a course folder (it has no assignments/); run this in the course")
    spec = spec or installed_spec()
    if '"' in spec or "\n" in spec or "$" in spec or "`" in spec:
        raise InstructorError(f"the grader's requirement {spec!r} cannot go in a shell script or YAML as it is")
    written = []
    for template, relative in CI_FILES.items():
        target = course / relative
        if target.exists() and not force:
            continue
        text = resources.files("autograder").joinpath("templates", template).read_text(encoding="utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.replace("@SPEC@", spec), encoding="utf-8")
        if target.suffix == ".sh":
            target.chmod(0o755)
        written.append(target)
    return written
