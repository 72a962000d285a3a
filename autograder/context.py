"""What one grading process keeps from one submission to the next, passed explicitly to what uses it.

A :class:`GradingContext` owns the process's children (a sandbox's zygote, or a child started
ahead), its kept pytest session (the checks stay collected), the memo of the reference's answers,
and the peak-memory figures its sandboxes report. Nothing of it lives in module globals: what
``grade_submission`` does depends on the context it is given, not on who ran before it.

A one-off grading (a test, ``autograder check``, Gradescope) gets a context of its own that ends
with it; a batch worker keeps one for all its submissions (:func:`autograder.batch.grade_task`).
"""

from __future__ import annotations

import resource
from dataclasses import dataclass, field

from .oracle import Memo
from .plugin import KeptSessions
from .sandbox.children import Children
from .sandbox.zygote import Peaks

__all__ = ["GradingContext"]


@dataclass
class GradingContext:
    """A grading process's state between submissions."""

    peaks: Peaks = field(default_factory=Peaks)
    children: Children = field(init=False)
    sessions: KeptSessions | None = None  # None: a fresh pytest run for every submission
    memo: Memo = field(default_factory=Memo)

    def __post_init__(self) -> None:
        self.children = Children(self.peaks)

    @classmethod
    def for_worker(cls) -> GradingContext:
        """A batch worker's: a child started ahead for the next submission, the checks kept collected."""
        context = cls(sessions=KeptSessions())
        context.children.prestarter.enabled = True
        return context

    def peak_figures(self) -> dict[str, float]:
        """Peak resident memory in MB of this process, of a child and of a zygote (for benchmarks)."""
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        children = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, self.peaks.child_kb)
        return {"worker_peak_mb": own / 1024, "children_peak_mb": children / 1024,
                "zygote_peak_mb": self.peaks.zygote_kb / 1024}

    def close(self) -> None:
        """End the children and sandboxes and the kept session (spares are killed, zygotes too)."""
        self.children.close()
        if self.sessions is not None:
            self.sessions.close()
