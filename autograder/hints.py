"""Diagnoses that apply to every exercise: what an error message or the code itself gives away.

Exercise-specific mistakes (a sign flip in ``dW``, a missing 1/m) are offered by each check as
:class:`autograder.numeric.Mistake` values. This module holds the general ones: hints for
familiar exception messages, and the static finding that a function reads notebook variables
instead of its arguments. Student code is only parsed here (``ast``), never run.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from .errors import StudentCodeRaised, StudentError
from .read import all_nodes
from .source import local_names, top_level_names

if TYPE_CHECKING:
    from .sandbox.submission import Submission

__all__ = ["for_error", "reads_notebook_globals"]

# (pattern in "<ExceptionType>: <message>", hint), first match wins
_ERROR_HINTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), hint)
    for pattern, hint in (
        (r"matmul: Input operand|shapes \(.*\) and \(.*\) not aligned",
         "The matrix product's inner sizes disagree. With W of shape (n_y, n_x) and X of shape (n_x, m), "
         "`W @ X` works; check which operand needs transposing (`.T`)."),
        (r"operands could not be broadcast",
         "Two arrays with incompatible shapes were combined elementwise; print their shapes. A matrix product "
         "is `@` rather than `*`, and a transpose `.T`: check which one the formula asks for."),
        (r"NameError: name '(\w+)' is not defined",
         "Your function uses a name it never defines; use the function's own arguments and make sure "
         "every import sits in the notebook."),
        (r"TypeError: .*(positional argument|unexpected keyword argument)",
         "Your function's parameters differ from the ones in the exercise's docstring; keep its signature."),
        (r"(ModuleNotFoundError|ImportError)",
         "That module is not available to the grader; use numpy (and the libraries the notebook imports)."),
        (r"TypeError: Key .* invalid|InvalidIndexError|Multi-dimensional indexing",
         "Current pandas no longer allows `series[:, None]`; convert first: `series.to_numpy()[:, None]` "
         "or `np.asarray(series).reshape(-1, 1)`."),
        (r"RecursionError", "Your function calls itself without end; look for a missing base case."),
        (r"MemoryError", "Your code allocates far too much memory; look for an accidental (m, m) array or a growing list."),
    )
)


def for_error(error: StudentError) -> str | None:
    """A hint for a familiar exception raised by student code."""
    if not isinstance(error, StudentCodeRaised):
        return None
    text = str(error)  # bounded where the child's report is read (sandbox.submission.describe_error)
    for pattern, hint in _ERROR_HINTS:
        if pattern.search(text):
            return hint
    return None


def reads_notebook_globals(submission: Submission, function_name: str) -> str | None:
    """A hint when ``function_name`` reads notebook data variables instead of its arguments."""
    function = submission.source_of(function_name)
    if function is None:
        return None
    data = top_level_names(submission.cell_sources)
    loaded = {n.id for n in all_nodes(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    used = sorted((loaded - local_names(function)) & data)
    if not used:
        return None
    names = ", ".join(f"`{n}`" for n in used)
    return (
        f"`{function_name}` reads the notebook variable{'s' if len(used) > 1 else ''} {names} instead of its "
        "arguments; a function must use only what it is given, since the grader calls it with other inputs."
    )
