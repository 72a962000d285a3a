"""calc4ml autograder: sandboxed, diagnostic grading of calculus-for-ML notebooks.

In a notebook::

    from autograder import check, check_all, grade
    check("forward_propagation")

On the command line: ``autograder grade``, ``check``, ``verify``, ``release`` (``autograder --help``).
The package holds no solutions and no hidden checks, so it can be installed on students' machines.
"""

from __future__ import annotations

from typing import Any

__all__ = ["__version__", "check", "check_all", "grade"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Imported lazily: `import autograder` stays cheap, and the sandboxed child never needs these.
    if name in ("check", "check_all", "grade"):
        from . import selfcheck

        return getattr(selfcheck, name)
    raise AttributeError(f"module 'autograder' has no attribute {name!r}")
