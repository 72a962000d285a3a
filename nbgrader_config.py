"""nbgrader configuration for the calc4ml course (authoring, release, autograde, gradebook).

Release notebooks are made with `autograder release <assignment>` (which records the public cases,
then runs `nbgrader generate_assignment`) or with `nbgrader generate_assignment <assignment>` alone:
both put the public checks into release/<assignment>/checks/ (see docs/nbgrader.md); never edit
release/ by hand.
"""

from nbgrader.converters import GenerateAssignment

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "calc4ml"

# What a stub becomes in the student's notebook.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# generate_assignment: after nbgrader's own steps, write release/<a>/checks/ (public checks, recorded
# public cases, assignment.toml) exactly as `autograder release` does, so check() works in the
# release. Named as a string: nbgrader imports it only when generating an assignment.
c.GenerateAssignment.preprocessors = [*GenerateAssignment.preprocessors.default(),
                                      "autograder.nbgrader_hooks.AddStudentChecks"]

# Autograde: a cell gets 60 s; library warnings on stderr must not zero a grade cell.
c.Execute.timeout = 60
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(RuntimeWarning|UserWarning|DeprecationWarning|FutureWarning)"
