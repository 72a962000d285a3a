"""nbgrader's own commands, made to give what ``autograder release`` gives.

``nbgrader generate_assignment <a>`` alone writes the student notebook but not ``release/<a>/checks/``,
so ``check()`` in that notebook cannot tell which assignment it belongs to. The course's
``nbgrader_config.py`` therefore appends :class:`AddStudentChecks` to nbgrader's own list of
generate-assignment preprocessors::

    from nbgrader.converters import GenerateAssignment
    c.GenerateAssignment.preprocessors = [*GenerateAssignment.preprocessors.default(),
                                          "autograder.nbgrader_hooks.AddStudentChecks"]

It runs once per notebook, after nbgrader has stubbed the solutions and cleared the hidden tests,
and calls :func:`autograder.release.add_student_checks`, the function ``autograder release`` uses,
so both commands make the same ``checks/`` folder (public checks, recorded public cases,
``assignment.toml``; never hidden checks or anything of ``solutions/``).

Why a preprocessor and not ``BaseConverter.post_convert_hook``: nbgrader logs a failing hook at INFO
level and carries on, which would leave a release without its checks and a zero exit status. A
failing preprocessor fails that assignment the way nbgrader fails any other: the half-made
release is removed, the error is printed and the command exits 1. The name is given as a string so
that nbgrader imports this module only when it generates an assignment: a Python without the
autograder installed then fails ``generate_assignment`` loudly, and every other nbgrader command
keeps the rest of the course's configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nbgrader.preprocessors import NbGraderPreprocessor

from .errors import InstructorError

__all__ = ["AddStudentChecks"]


class AddStudentChecks(NbGraderPreprocessor):  # type: ignore[misc]  # nbgrader has no type information
    """Write ``release/<assignment>/checks/`` while ``nbgrader generate_assignment`` makes the release.

    An assignment the course does not grade with the autograder (no ``assignments/<a>/assignment.toml``)
    is left as nbgrader makes it, with a warning."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        from .config import ASSIGNMENT_FILE, Assignment
        from .release import add_student_checks

        info = resources.get("nbgrader", {})
        name, student = str(info.get("assignment", "")), str(info.get("student", "."))
        coursedir = getattr(getattr(self.parent, "parent", None), "coursedir", None)
        if not name or coursedir is None:
            raise InstructorError("AddStudentChecks runs only inside `nbgrader generate_assignment` "
                                  "(list it in c.GenerateAssignment.preprocessors)")
        root = Path(coursedir.root)
        if not (root / "assignments" / name / ASSIGNMENT_FILE).is_file():
            self.log.warning("autograder: %s has no %s, so release/%s/ gets no checks/ folder", name,
                             f"assignments/{name}/{ASSIGNMENT_FILE}", name)
            return nb, resources
        release_dir = Path(coursedir.format_path(coursedir.release_directory, student, name))
        target = add_student_checks(Assignment.load(name, root), release_dir)
        self.log.info("autograder: wrote the public checks into %s", target)
        return nb, resources
