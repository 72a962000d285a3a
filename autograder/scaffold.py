"""``autograder new <name>``: a working assignment to start from, in a course folder (made if needed).

It writes everything an assignment is made of, for two small exercises that show the parts (a
cost and a gradient-descent step): the reference (``solutions/<name>.py``), the configuration and the
public and hidden checks (``assignments/<name>/``, written with :mod:`autograder.checks`), the
nbgrader source notebook (``source/<name>/<name>.ipynb``: teaching text, solution cells, a check
cell and a locked grade cell per exercise), and the samples with the verdicts they must get
(``tests/samples/<name>/samples.toml``: the reference, the untouched stub, a mutant per exercise).
Then it releases the assignment with the real ``nbgrader generate_assignment``, records the public
cases and builds the sample notebooks, so ``autograder verify <name>`` passes at once. Replace the
two exercises with yours, file by file, and run ``autograder release`` and ``verify`` again.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

from .errors import InstructorError

__all__ = ["new_assignment"]

NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")

NBGRADER_CONFIG = '''# nbgrader's settings for this course (written by `autograder new`; see the nbgrader docs).
from nbgrader.converters import GenerateAssignment

c = get_config()  # noqa: F821 - nbgrader provides it
c.CourseDirectory.course_id = "{course}"
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
# `nbgrader generate_assignment` also writes release/<a>/checks/, as `autograder release` does
c.GenerateAssignment.preprocessors = [*GenerateAssignment.preprocessors.default(),
                                      "autograder.nbgrader_hooks.AddStudentChecks"]
c.Execute.timeout = 120
c.IgnorePattern.enabled = True  # library warnings on stderr must not zero a grade cell
c.IgnorePattern.pattern = r"(RuntimeWarning|UserWarning|DeprecationWarning|FutureWarning)"
'''

REFERENCE = '''"""Reference solutions for {name}: one function per exercise, the single source of truth for "correct"."""

import numpy as np


def squared_error(Y_hat, Y):
    """E = 1/(2m) * sum((Y_hat - Y)^2) over the m examples (columns), as a Python float."""
    m = Y.shape[1]
    return float(np.sum((Y_hat - Y) ** 2) / (2 * m))


def descent_step(w, gradient, learning_rate=0.1):
    """One gradient-descent step: w - learning_rate * gradient, a new array (w is left as it was)."""
    return w - learning_rate * gradient
'''

CHECKS_PUBLIC = '''"""Public checks for {name}: what `check("<exercise>")` runs in the notebook (they ship to students).

Each check makes its inputs from its own seeded rng, with sizes unlike the notebook's, and asks the
reference for the answer; offered mistakes name what went wrong (docs/authoring.md).
"""

import pytest

from autograder.checks import doubled, expect_close, expect_float_close, expect_unchanged, not_averaged, step_mistakes

N_Y, M = 2, 9  # two output rows, nine examples: a cost that averages over every entry is off by 2
LEARNING_RATE = 0.3  # not the default 0.1, so a hard-coded rate shows


@pytest.mark.exercise("squared_error", points=1)
def check_squared_error(submission, reference, rng):
    """E = 1/(2m) sum((Y_hat - Y)^2), as one number."""
    Y_hat, Y = rng.normal(size=(N_Y, M)), rng.normal(size=(N_Y, M))
    expected = reference.squared_error(Y_hat, Y)
    expect_float_close(submission.squared_error(Y_hat, Y), expected, name="E",
                       mistakes=[not_averaged(expected, M, "Average over the m examples: divide by 2m."), doubled(expected)])


@pytest.mark.exercise("descent_step", points=1)
def check_descent_step(submission, reference, rng):
    """w - learning_rate * gradient, with the learning rate passed in, and w left as it was."""
    w, gradient = rng.normal(size=(3, 1)), rng.normal(size=(3, 1))
    step = submission.descent_step.with_options(watch_args=True)
    record = step.call(w, gradient, learning_rate=LEARNING_RATE)
    expect_close(record.value, reference.descent_step(w, gradient, learning_rate=LEARNING_RATE), name="w",
                 mistakes=step_mistakes(w, gradient, LEARNING_RATE, reference.descent_step(w, gradient)))
    expect_unchanged(record.args_after[0][0], w, function="descent_step", what="w")
'''

CHECKS_HIDDEN = '''"""Hidden checks for {name}: other sizes and values, run only when grading."""

import pytest

from autograder.checks import expect_close, expect_float_close, public_checks

pytestmark = pytest.mark.hidden
public = public_checks(__file__)


@pytest.mark.exercise("squared_error", points=1)
def check_squared_error_one_row(submission, reference, rng):
    """One output row and forty examples."""
    Y_hat, Y = rng.normal(size=(1, 40)), rng.normal(size=(1, 40))
    expect_float_close(submission.squared_error(Y_hat, Y), reference.squared_error(Y_hat, Y), name="E")


@pytest.mark.exercise("descent_step", points=1)
def check_descent_step_default_rate(submission, reference, rng):
    """The default learning rate, on a 2 x 4 array."""
    w, gradient = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    expect_close(submission.descent_step(w, gradient), reference.descent_step(w, gradient), name="w")
'''

ASSIGNMENT_TOML = '''# {name}: written by `autograder new`; see docs/authoring.md. Points live on the checks.
title = "{title}"
notebook = "{name}.ipynb"
seed = {seed}
exercises = ["squared_error", "descent_step"]

[limits]
call_seconds = 5
cell_seconds = 10
cells_seconds = 20
submission_seconds = 60
memory_mb = 1024
'''

SAMPLES = '''# The samples of {name} and the verdict each must get (docs/authoring.md, "Samples").

[[sample]]
name = "reference"
mistake = "none: every solution filled in"

[[sample]]
name = "stub"
from = "release"
mistake = "none: the untouched release notebook"
scores = "zero"

[[sample]]
name = "squared_error_summed"
mistake = "the squared errors are summed, not averaged"
replace = [["return float(np.sum((Y_hat - Y) ** 2) / (2 * m))", "return float(np.sum((Y_hat - Y) ** 2) / 2)"]]
scores = {{ squared_error = 0 }}
hints = {{ squared_error = "divide by 2m" }}

[[sample]]
name = "descent_step_ascends"
mistake = "the step goes up the gradient"
replace = [["return w - learning_rate * gradient", "return w + learning_rate * gradient"]]
scores = {{ descent_step = 0 }}
hints = {{ descent_step = "against the gradient" }}
'''


def new_assignment(root: Path, name: str, title: str, seed: int) -> list[Path]:
    """Write a working assignment ``name`` in the course folder ``root`` (made a course if it is not one)."""
    if not NAME.match(name):
        raise InstructorError(f"{name!r} is not a usable assignment name; use lower-case letters, digits and _ "
                              "(it names a module, a folder and a notebook)")
    root = Path(root)
    if (root / "assignments" / name).exists() or (root / "solutions" / f"{name}.py").exists():
        raise InstructorError(f"the course in {root} already has an assignment {name!r}; choose another name")
    values = {"name": name, "title": title, "seed": seed, "course": re.sub(r"\W", "_", root.resolve().name) or "course"}
    files = {
        "solutions/" + f"{name}.py": REFERENCE,
        f"assignments/{name}/assignment.toml": ASSIGNMENT_TOML,
        f"assignments/{name}/checks_public.py": CHECKS_PUBLIC,
        f"assignments/{name}/checks_hidden.py": CHECKS_HIDDEN,
        f"tests/samples/{name}/samples.toml": SAMPLES,
    }
    written = [_write(root / path, text.format(**values)) for path, text in files.items()]
    if not (root / "nbgrader_config.py").exists():
        written.append(_write(root / "nbgrader_config.py", NBGRADER_CONFIG.format(**values)))
    written.append(_write(root / "source" / name / f"{name}.ipynb", json.dumps(_notebook(name, title), indent=1) + "\n"))
    return written


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _notebook(name: str, title: str) -> dict[str, object]:
    """The nbgrader source notebook: teaching text, and per exercise a solution, a check and a grade cell."""
    cells = [
        _markdown(f"# {title}\n\nWrite the two functions below. Under each, run its check cell: it runs the public "
                  "checks on your function and tells you what is wrong, with a hint when the mistake is a known one."),
        _code("import numpy as np\nfrom autograder import check, grade", "imports", locked=True),
        _markdown("## Exercise 1: squared_error\n\nThe cost of predictions `Y_hat` against targets `Y`, both of shape "
                  "(n_y, m), one example per column:\n\n$$E = \\frac{1}{2m} \\sum_{i,j} (\\hat Y_{ij} - Y_{ij})^2$$"),
        _solution("squared_error", '''
            def squared_error(Y_hat, Y):
                """E = 1/(2m) * sum((Y_hat - Y)^2), as a Python float.

                Y_hat -- predictions, shape (n_y, m)
                Y -- targets, shape (n_y, m)
                """
                ### BEGIN SOLUTION
                m = Y.shape[1]
                return float(np.sum((Y_hat - Y) ** 2) / (2 * m))
                ### END SOLUTION'''),
        _code('check("squared_error")', None),
        _grade("squared_error", 2),
        _markdown("## Exercise 2: descent_step\n\nOne step of gradient descent: $w \\leftarrow w - \\alpha \\nabla E(w)$. "
                  "Return a new array; leave `w` as it was."),
        _solution("descent_step", '''
            def descent_step(w, gradient, learning_rate=0.1):
                """w - learning_rate * gradient, as a new array.

                w -- the parameters, any shape
                gradient -- dE/dw, the shape of w
                learning_rate -- the step size alpha
                """
                ### BEGIN SOLUTION
                return w - learning_rate * gradient
                ### END SOLUTION'''),
        _code('check("descent_step")', None),
        _grade("descent_step", 2),
    ]
    for number, cell in enumerate(cells, start=1):  # stable ids: the same notebook every time it is written
        cell.setdefault("id", f"cell-{number}")
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                                         "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}


def _markdown(text: str) -> dict[str, object]:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(source: str, grade_id: str | None, locked: bool = False) -> dict[str, object]:
    metadata: dict[str, object] = {}
    if grade_id is not None:
        metadata["nbgrader"] = {"schema_version": 3, "grade_id": grade_id, "solution": False, "grade": False,
                                "locked": locked}
    cell: dict[str, object] = {"cell_type": "code", "execution_count": None, "metadata": metadata, "outputs": [],
                               "source": source}
    if grade_id is not None:
        cell["id"] = grade_id.replace("_", "-")
    return cell


def _solution(exercise: str, source: str) -> dict[str, object]:
    cell = _code(textwrap.dedent(source).strip(), f"{exercise}_code")
    cell["metadata"] = {"nbgrader": {"schema_version": 3, "grade_id": f"{exercise}_code", "solution": True,
                                     "grade": False, "locked": False}}
    return cell


def _grade(exercise: str, points: float) -> dict[str, object]:
    cell = _code(f'grade("{exercise}")', exercise)
    cell["metadata"] = {"nbgrader": {"schema_version": 3, "grade_id": exercise, "solution": False, "grade": True,
                                     "locked": True, "points": points}}
    return cell
