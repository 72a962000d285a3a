"""Where a grading process gets the child for each submission.

A sandbox that hosts a zygote (bubblewrap) forks it from the zygote its :class:`ZygotePool` keeps
for it; any other sandbox starts a process of its own, one of them started ahead for the next
submission when :class:`Prestarter` is on. One :class:`Children` belongs to one grading context
(:mod:`autograder.context`), which closes it.
"""

from __future__ import annotations

import sys
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ..config import Limits
from .isolation import Sandbox
from .process import Child
from .zygote import Peaks, ZygotePool

__all__ = ["Children", "Prestarter", "spawn_child"]


class Children:
    """A grading process's source of children: forks of zygotes, or processes of their own."""

    def __init__(self, peaks: Peaks | None = None, prestart: bool = False) -> None:
        self.peaks = peaks if peaks is not None else Peaks()
        self.zygotes = ZygotePool(self.peaks)
        self.prestarter = Prestarter(prestart)

    def take(self, sandbox: Sandbox, limits: Limits, seed: int, preload: tuple[str, ...]) -> Child:
        """A ready child for one submission in ``sandbox`` (it has imported ``preload``)."""
        if sandbox.hosts_zygote:
            child = self.zygotes.fork_child(sandbox, limits, preload)
            child.handshake(limits, seed, preload)
            return child
        return self.prestarter.take(sandbox, limits, seed, preload)

    def close(self) -> None:
        self.prestarter.close()
        self.zygotes.close()


def spawn_child(sandbox: Sandbox, limits: Limits, seed: int, preload: tuple[str, ...]) -> Child:
    """A child that is a process (or a sandbox) of its own, ready for a submission."""
    child = Child.spawn(sandbox, limits)
    child.handshake(limits, seed, preload)
    return child


class Prestarter:
    """Keeps one spawned child started ahead for the next submission, so a batch never waits for
    start-up (a child that is a process of its own takes a second; a zygote's fork milliseconds).

    Off unless ``enabled`` (a single grading would waste the spare child); batch workers turn it on.
    A child is used by exactly one submission; spares are killed by :meth:`close`.
    """

    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled
        self.spares: dict[Any, Future[Child]] = {}
        self.pool: ThreadPoolExecutor | None = None

    def take(self, launcher: Sandbox, limits: Limits, seed: int, preload: tuple[str, ...]) -> Child:
        key = (launcher, limits, seed, preload)
        spare = self.spares.pop(key, None) if _hashable(launcher) else None
        child = _collect(spare)
        if self.enabled and _hashable(launcher):
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="calc4ml-prestart")
                # The starting thread mostly waits, but needs the GIL for a moment at each step while the
                # grading thread runs Python for seconds: at the default 5 ms interval a start measured 0.5 s
                # instead of 0.15 s, longer than a whole submission's checks.
                sys.setswitchinterval(min(sys.getswitchinterval(), 0.0005))
            self.spares[key] = self.pool.submit(spawn_child, launcher, limits, seed, preload)
        return child if child is not None else spawn_child(launcher, limits, seed, preload)

    def close(self) -> None:
        spares, self.spares = list(self.spares.values()), {}
        for spare in spares:
            child = _collect(spare)
            if child is not None:
                child.close()


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _collect(spare: Future[Child] | None) -> Child | None:
    """The spare child if it started and is still alive, else None."""
    if spare is None:
        return None
    try:
        child = spare.result()
    except Exception:  # noqa: BLE001 - a spare that failed to start is simply not used
        return None
    if child.process.poll() is not None:
        child.close()
        return None
    return child


