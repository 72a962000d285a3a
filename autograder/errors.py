"""Every error the grader raises, grouped by who must act on it.

::

    GraderError
    ├── StudentError            the student can fix it; becomes a verdict on the affected checks
    │   ├── UnreadableSubmission    the file is not a notebook or script we can read
    │   ├── MissingFunction         a name the check needs is not defined, or is still the stub
    │   ├── StudentCodeRaised       the student's function raised an exception
    │   ├── CallTimeout             a call ran past its time limit
    │   ├── ChildCrashed            the student's process died (exit, signal, memory)
    │   └── BudgetExhausted         the submission used up its total time
    ├── InstructorError         the course's configuration or checks are wrong
    └── InfrastructureError     this machine cannot grade (e.g. the sandbox cannot start)

A check that runs to completion and finds a wrong answer raises :class:`CheckFailure` (an
``AssertionError``), which is a verdict, not an error. Every message ends with what to do.
"""

from __future__ import annotations

__all__ = [
    "BudgetExhausted",
    "CallTimeout",
    "CheckFailure",
    "ChildCrashed",
    "GraderError",
    "InfrastructureError",
    "InstructorError",
    "MissingFunction",
    "StudentCodeRaised",
    "StudentError",
    "UnreadableSubmission",
]


class GraderError(Exception):
    """Base of everything the grader raises on purpose."""


class StudentError(GraderError):
    """Something in the submission that its author can fix."""

    status = "error"


class UnreadableSubmission(StudentError):
    """The submission file cannot be read as a notebook or a Python script."""


class MissingFunction(StudentError):
    """The submission does not define a name a check needs, or it is still the stub."""

    status = "missing"


class StudentCodeRaised(StudentError):
    """The student's own code raised an exception while a check called it.

    ``exc_type`` is the exception's class name as the child reported it.
    """

    def __init__(self, message: str, exc_type: str) -> None:
        super().__init__(message)
        self.exc_type = exc_type


class CallTimeout(StudentError):
    """A call into the submission ran past its wall-time limit and was stopped."""

    status = "timeout"


class BudgetExhausted(CallTimeout):
    """The submission used up its total wall-time budget; remaining checks are not run."""


class ChildCrashed(StudentError):
    """The process running the submission died: it exited, was killed, or ran out of memory."""

    status = "crashed"


class InstructorError(GraderError):
    """The assignment's configuration, checks or reference are wrong; the instructor must fix it."""


class InfrastructureError(GraderError):
    """This machine cannot grade as configured, e.g. the sandbox cannot be set up."""


class CheckFailure(AssertionError):
    """A check's verdict that the answer is wrong, with what was wrong and, if known, why."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
