"""A sandbox whose first process, the zygote, forks a fresh child for each submission.

A sandbox that can host a zygote (bubblewrap: its own PID namespace) is started once per grading
process: its first process (:mod:`autograder.child.zygote`) imports the notebook's preload once,
then forks a child per submission and, between submissions, kills what the child left running and
puts the sandbox's file systems back as they were. This is the trusted side of it: the zygote's
client (:class:`Zygote`), a pool of them per grading process, and the handle of a forked child.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

from .. import wire
from ..config import Limits
from ..errors import InfrastructureError
from ..protocol import Op
from .process import STARTUP_SECONDS, Child, Pipe, Spawned, log_tail

__all__ = ["Forked", "Peaks", "Zygote", "ZygoteGone", "ZygotePool"]

ZYGOTE_SECONDS = 10.0  # for a zygote to fork, or to kill everything and tidy up (it gives up after 5 s)


@dataclass
class Peaks:
    """The largest peak resident memory seen of a forked child and of a zygote (a zygote's pages that
    a child did not change are shared with it), in KiB: figures for benchmarks, kept per grading process."""

    child_kb: int = 0
    zygote_kb: int = 0

    def note(self, child: Any, zygote: Any) -> None:
        if isinstance(child, int):
            self.child_kb = max(self.child_kb, child)
        if isinstance(zygote, int):
            self.zygote_kb = max(self.zygote_kb, zygote)


class Forked:
    """A child forked by a zygote: the zygote waits for it, and kills it and all it left behind."""

    def __init__(self, zygote: Zygote, pid: int, pool: ZygotePool) -> None:
        self.zygote = zygote
        self.pool = pool
        self.pid = pid
        self.returncode: int | None = None
        self.stopped = False

    def poll(self) -> int | None:
        return self._wait(0.0)

    def wait(self, timeout: float) -> int:
        code = self._wait(timeout)
        if code is None:
            raise subprocess.TimeoutExpired(f"child {self.pid}", timeout)
        return code

    def _wait(self, seconds: float) -> int | None:
        if self.returncode is None and not self.stopped:
            try:
                self.returncode = self.zygote.wait(seconds)
            except ZygoteGone:
                self.returncode = -signal.SIGKILL  # the whole sandbox is gone, the child with it
        return self.returncode

    def stop(self) -> None:
        self._end(wait=True)

    def release(self) -> None:
        self._end(wait=False)  # the zygote tidies up while we score; its next request waits for that

    def _end(self, wait: bool) -> None:
        if self.stopped:
            return
        self.stopped = True
        try:
            if wait:
                status = self.zygote.reset()
                if self.returncode is None:
                    self.returncode = status
            else:
                self.zygote.reset_later()
            self.pool.give_back(self.zygote)
        except ZygoteGone:
            if wait and self.returncode is None:
                self.returncode = -signal.SIGKILL


class ZygoteGone(Exception):
    """The zygote died, stopped answering, or could not put its sandbox back; it has been killed."""


class Zygote:
    """A sandbox whose first process forks one child per submission (see :mod:`autograder.child`).

    It speaks over a ``SOCK_SEQPACKET`` socket pair, one message per packet; a fork request carries
    the new child's two pipe ends and its log file as descriptors (``SCM_RIGHTS``), so each child
    has channels of its own that no earlier child ever held.
    """

    def __init__(self, sandbox: Any, limits: Limits, preload: tuple[str, ...], peaks: Peaks) -> None:
        self.key = (sandbox, limits, preload)
        self.peaks = peaks
        self.lock = threading.Lock()
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.log = tempfile.TemporaryFile()
        try:
            self.process = Spawned.start(sandbox.zygote(theirs.fileno(), limits), self.log, (theirs.fileno(),),
                                          "the grading sandbox")
        finally:
            theirs.close()
        self.closed = False
        self.pending = False  # a reset was asked for and its answer not read yet
        try:
            ready = self._ask({"op": Op.SETUP, "preload": list(preload)}, (), STARTUP_SECONDS)
        except ZygoteGone as exc:
            raise InfrastructureError(
                f"the grading sandbox did not start ({exc}; it printed: {log_tail(self.log) or 'nothing'}); "
                "check the sandbox set-up") from None
        if ready.get("op") != Op.READY:
            self.close()
            raise InfrastructureError(f"the grading sandbox answered {ready.get('op')!r} instead of 'ready'")

    @property
    def alive(self) -> bool:
        return not self.closed and self.process.poll() is None

    def fork(self, fd_in: int, fd_out: int, log: int) -> int:
        """A fresh child in a sandbox emptied of everything earlier children left; its pid there."""
        reply = self._ask({"op": Op.FORK}, (fd_in, fd_out, log), ZYGOTE_SECONDS)
        pid = reply.get("pid")
        if reply.get("op") != Op.FORKED or not reply.get("clean") or not isinstance(pid, int) or pid <= 0:
            self.close()
            raise ZygoteGone("the sandbox could not be emptied for the next child")
        return pid

    def wait(self, seconds: float) -> int | None:
        """The current child's exit status, waiting up to ``seconds`` for it; None while it runs."""
        status = self._ask({"op": Op.WAIT, "seconds": seconds}, (), seconds + ZYGOTE_SECONDS).get("status")
        return status if isinstance(status, int) else None

    def reset(self) -> int | None:
        """Kill the current child and all it started, tidy up; the child's exit status."""
        reply = self._ask({"op": Op.RESET}, (), ZYGOTE_SECONDS)
        if not self._note_reset(reply):
            self.close()
            raise ZygoteGone("the sandbox could not be emptied after a child")
        status = reply.get("status")
        return status if isinstance(status, int) else None

    def reset_later(self) -> None:
        """Ask for a reset without waiting: the next request first checks that it went well."""
        self._ask({"op": Op.RESET}, (), ZYGOTE_SECONDS, wait=False)

    def _ask(self, message: dict[str, Any], fds: tuple[int, ...], seconds: float,
             wait: bool = True) -> dict[str, Any]:
        with self.lock:
            if self.closed:
                raise ZygoteGone("the sandbox was closed")
            try:
                self.control.settimeout(seconds)
                if self.pending:
                    self.pending = False
                    if not self._note_reset(self._receive()):
                        raise ZygoteGone("the sandbox could not be emptied after a child")
                socket.send_fds(self.control, [wire.encode_frame(message)], list(fds))
                if not wait:
                    self.pending = True
                    return {}
                return self._receive()
            except (OSError, wire.WireError) as exc:  # socket.timeout is an OSError
                reason = "it did not answer in time" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
            except ZygoteGone as exc:
                reason = str(exc)
        self.close()
        raise ZygoteGone(reason)

    def _note_reset(self, reply: dict[str, Any]) -> bool:
        """Whether a reset went well; notes the child's peak memory (a figure for benchmarks only)."""
        self.peaks.note(reply.get("peak_kb"), reply.get("zygote_kb"))
        return bool(reply.get("clean"))

    def _receive(self) -> dict[str, Any]:
        data = self.control.recv(wire.MAX_CONTROL_BYTES)
        if not data:
            raise ZygoteGone("the sandbox ended")
        return wire.parse_body(data[4:])

    def close(self) -> None:
        """Kill the whole sandbox (its namespace ends with its first process) and release it."""
        if self.closed:
            return
        self.closed = True
        self.process.stop()
        self.control.close()  # the log stays open: it may still explain why the sandbox ended


class ZygotePool:
    """A grading process's zygotes, each lent to one child at a time (threads may grade side by side)."""

    def __init__(self, peaks: Peaks) -> None:
        self.peaks = peaks
        self.lock = threading.Lock()
        self.idle: dict[Any, list[Zygote]] = {}
        self.everyone: list[Zygote] = []

    def take(self, sandbox: Any, limits: Limits, preload: tuple[str, ...]) -> Zygote:
        key = (sandbox, limits, preload)
        with self.lock:
            waiting = self.idle.get(key, [])
            while waiting:
                zygote = waiting.pop()
                if zygote.alive:
                    return zygote
                zygote.close()
        zygote = Zygote(sandbox, limits, preload, self.peaks)
        with self.lock:
            self.everyone = [z for z in self.everyone if not z.closed] + [zygote]
        return zygote

    def give_back(self, zygote: Zygote) -> None:
        """Keep it for the next child; idle zygotes of other assignments are closed (memory)."""
        if not zygote.alive:
            return
        with self.lock:
            others = [z for key, waiting in self.idle.items() if key != zygote.key for z in waiting]
            self.idle = {zygote.key: [*self.idle.get(zygote.key, []), zygote]}
        for other in others:
            other.close()

    def fork_child(self, sandbox: Any, limits: Limits, preload: tuple[str, ...]) -> Child:
        """A child forked by one of this pool's zygotes for ``sandbox`` (started if none is idle)."""
        for attempt in range(2):  # a zygote found spoilt or dead is replaced once
            zygote = self.take(sandbox, limits, preload)
            to_child_r, to_child_w = os.pipe()
            from_child_r, from_child_w = os.pipe()
            log = tempfile.TemporaryFile()
            try:
                pid = zygote.fork(to_child_r, from_child_w, log.fileno())
            except ZygoteGone as exc:
                for fd in (to_child_w, from_child_r):
                    os.close(fd)
                log.close()
                if attempt:
                    raise InfrastructureError(f"the grading sandbox could not start a child: {exc}") from None
                continue
            finally:
                os.close(to_child_r)
                os.close(from_child_w)
            return Child(Forked(zygote, pid, self), Pipe(from_child_r, to_child_w), log)
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self.lock:
            everyone, self.everyone, self.idle = self.everyone, [], {}
        for zygote in everyone:
            zygote.close()


