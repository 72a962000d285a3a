"""The README's instructor walk-through, run as written: a course outside this repository, from
`autograder new` and `nbgrader generate_assignment` to grading, nbgrader's feedback, formgrader's
view, the Gradescope zip and the course's CI. Only what a test cannot do is stood in for: the venv
and pip install (this one's, already installed; test_course_ci.py runs a real install), the
students (the sample notebooks), and the browser (formgrader's own API)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STUDENTS = {"alice": "reference", "bob": "squared_error_summed", "carol": "stub"}


def walkthrough_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- walkthrough -->\s*```sh\n(.*?)```\s*<!-- /walkthrough -->", readme, re.DOTALL)
    assert block, "README.md lost its walk-through block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def script_for(lines: list[str], course: Path) -> str:
    """The walk-through as a bash script, with the stand-ins; every README line is accounted for."""
    collect = " && ".join(f"mkdir -p submitted/{student}/week1 && cp tests/samples/week1/{sample}.ipynb "
                          f"submitted/{student}/week1/week1.ipynb" for student, sample in STUDENTS.items())
    stand_ins = {
        "python3.11 -m venv ": "true  # this test's venv is on PATH",
        "pip install ": "true  # installed; tests/test_course_ci.py installs with pip for real",
        "# students work": collect,
        "jupyter lab": f"{sys.executable} {Path(__file__).resolve()} formgrader {course}",
        "ci/verify-course.sh": f"PYTHON={sys.executable} ci/verify-course.sh",
    }
    out = ["set -euo pipefail"]
    for line in lines:
        found = next((value for key, value in stand_ins.items() if line.startswith(key)), None)
        assert found is not None or not line.startswith("#"), f"a comment line the test does not know: {line}"
        out += [f"echo '>>> {line.replace(chr(39), '')}'", found or line]
    return "\n".join(out) + "\n"


def test_the_readme_walkthrough_sets_up_a_course_from_nothing_to_formgrader_and_gradescope(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    course = home / "courses" / "calc101"
    env = {**os.environ, "HOME": str(home), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script_for(walkthrough_lines(), course)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    print(done.stdout)  # the closing note quotes what each command printed

    assert (course / "release" / "week1" / "checks" / "public_cases.json").exists()
    assert not (course / "release" / "week1" / "checks" / "checks_hidden.py").exists()
    table = done.stdout.split(">>> autograder grade", 1)[1]
    assert re.search(r"alice\s+2\s+2\s+4/4", table) and re.search(r"bob\s+0\s+2\s+2/4", table)
    assert "SAWarning" not in done.stderr
    feedback = (course / "feedback" / "bob" / "week1" / "week1.html").read_text()
    assert "divide by 2m" in feedback and "checks_hidden" not in feedback
    assert (course / "feedback-html" / "bob" / "feedback.html").exists() and (course / "junit" / "bob.xml").exists()
    with zipfile.ZipFile(course / "week1-gradescope.zip") as archive:
        names = set(archive.namelist())
    assert {"setup.sh", "run_autograder", "solutions/week1.py", "assignments/week1/checks_hidden.py"} <= names
    assert "formgrader: alice autograded 4.0/4.0, bob autograded 2.0/4.0, carol autograded 0.0/4.0" in done.stdout
    assert "== week1: passed" in done.stdout and (course / "out" / "verify-junit.xml").exists()


def formgrader_view(course: Path) -> str:
    """What formgrader's Manage Submissions shows, from the API it reads."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(course)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    rows = sorted(api.get_submissions("week1"), key=lambda row: row["student"])
    return ", ".join(f"{row['student']} {'autograded' if row['autograded'] else 'NOT autograded'} "
                     f"{row['score']}/{row['max_score']}" for row in rows)


if __name__ == "__main__" and sys.argv[1:2] == ["formgrader"]:
    os.chdir(sys.argv[2])
    print("formgrader: " + formgrader_view(Path(sys.argv[2])))
