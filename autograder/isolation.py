"""How a child process is isolated from everything it must not see or touch.

A *sandbox* is a callable ``(fd_in, fd_out) -> Launch``: given the two pipe ends the child
inherits, it prepares a scratch folder and returns the command line and environment that start
``child.py`` inside it. :func:`choose_sandbox` picks the strongest one this machine supports.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable, Sequence

from .sandbox import CHILD_SCRIPT, Launch

__all__ = ["Sandbox", "Unisolated", "child_environment"]

Sandbox = Callable[[int, int], Launch]

# Threads each numeric library may start in the child: the grader runs one child per core.
_THREAD_LIMITS = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def child_environment(home: str) -> dict[str, str]:
    """A scrubbed environment: nothing of the grader's (no tokens, no paths) reaches the child."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": os.path.join(home, ".matplotlib"),
        "JAX_PLATFORMS": "cpu",
        "TMPDIR": home,
        **_THREAD_LIMITS,
    }


def stage_files(files: Sequence[Path], base: Path, scratch: Path) -> None:
    """Copy the assignment's data files (relative to ``base``) into the child's scratch folder."""
    for source in files:
        target = scratch / source.relative_to(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


class Unisolated:
    """A plain child process with resource limits but no isolation.

    Student code can read whatever the grading user can. Only for the student's own self-checks
    and for graders who explicitly accept it (``--no-isolation``).
    """

    name = "none"

    def __init__(self, files: Sequence[Path] = (), base: Path | None = None) -> None:
        self.files, self.base = tuple(files), base

    def __call__(self, fd_in: int, fd_out: int) -> Launch:
        scratch = Path(tempfile.mkdtemp(prefix="calc4ml-child-"))
        if self.base is not None:
            stage_files(self.files, self.base, scratch)
        command = [sys.executable, "-I", str(CHILD_SCRIPT), str(fd_in), str(fd_out)]
        return Launch(command, child_environment(str(scratch)), scratch,
                      cleanup=lambda: shutil.rmtree(scratch, ignore_errors=True))
