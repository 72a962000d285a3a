"""nbgrader configuration for the calc4ml course (authoring, release, autograde, gradebook).

Release notebooks are made with `autograder release <assignment>` (which runs
`nbgrader generate_assignment` and adds the public checks); never edit release/ by hand.
"""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "calc4ml"

# What a stub becomes in the student's notebook.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograde: a cell gets 60 s; library warnings on stderr must not zero a grade cell.
c.Execute.timeout = 60
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(RuntimeWarning|UserWarning|DeprecationWarning|FutureWarning)"
