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

    LeftToStudent               (a mixin) the trusted side has no answer for a building block's
                                question: the student's own function answers instead

A check that runs to completion and finds a wrong answer raises :class:`CheckFailure` (an
``AssertionError``), which is a verdict, not an error. Every message ends with what to do.

A message may carry values of the check's inputs and answers ("`cost` is 0, expected 1.13491"),
or text the student's code produced (an exception message, its last output). A hidden check's
inputs must never reach the student, so each error also has a ``summary`` (None when the message
itself is safe to show): what kind of problem it is, without any of those values.
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
    "LeftToStudent",
    "MissingFunction",
    "StudentCodeRaised",
    "StudentError",
    "UnknownExercise",
    "UnreadableSubmission",
]


class GraderError(Exception):
    """Base of everything the grader raises on purpose."""

    summary: str | None = None  # the message without values from the check's inputs (None: the message has none)


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

    ``exc_type`` is the exception's class name as the child reported it; ``summary`` names the
    function, the type and where, without the exception's message (which may hold the inputs).
    """

    def __init__(self, message: str, exc_type: str, summary: str | None = None) -> None:
        super().__init__(message)
        self.exc_type = exc_type
        self.summary = summary or f"it raised {exc_type or 'an exception'}"


class CallTimeout(StudentError):
    """A call into the submission ran past its wall-time limit and was stopped."""

    status = "timeout"


class BudgetExhausted(CallTimeout):
    """The submission used up its total wall-time budget; remaining checks are not run."""


class ChildCrashed(StudentError):
    """The process running the submission died: it exited, was killed, or ran out of memory.

    ``summary`` says so without the process's last output (which the student's code wrote)."""

    status = "crashed"

    def __init__(self, message: str, summary: str | None = None) -> None:
        super().__init__(message)
        self.summary = summary


class LeftToStudent(Exception):
    """A trusted building block cannot answer this question (the reference's computation does not ask
    it, or a self-check's recorded cases lack it): the notebook's own function answers instead.

    ``fallback_to_student`` is how the child's executor (which imports nothing of ours) recognises it
    in the student's kernel; through the sandbox, the callback's reply says so."""

    fallback_to_student = True


class InstructorError(GraderError):
    """The assignment's configuration, checks or reference are wrong; the instructor must fix it."""


class UnknownExercise(GraderError, ValueError):
    """``check("...")`` or ``grade("...")`` named no exercise of the assignment (a typo, usually):
    the message lists the valid names. A ValueError too, as a bad argument in a notebook is."""


class InfrastructureError(GraderError):
    """This machine cannot grade as configured, e.g. the sandbox cannot be set up."""


class CheckFailure(AssertionError):
    """A check's verdict that the answer is wrong, with what was wrong and, if known, why.

    ``summary`` is what was wrong without any value from the check's inputs or answers ("`dW` has
    the wrong shape"), for hidden checks; the ladder in :mod:`autograder.numeric` always sets it. A
    hidden check's own failure without one is shown to the student as a wrong answer, with its hint.
    """

    def __init__(self, message: str, hint: str | None = None, *, summary: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.summary = summary
