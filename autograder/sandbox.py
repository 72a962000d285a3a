"""Start, limit, talk to and kill the child process that runs a submission.

The child is ``python -I child.py`` started by a :class:`Sandbox`, which decides how isolated it
is (see :mod:`autograder.isolation`). It inherits two pipes and nothing else of ours: requests go
in on one, framed replies come back on the other, and its stdout/stderr go to a capped log file
that is only read for diagnostics. Every wait has a deadline; when one passes, the child and
everything it started are killed.

A sandbox that can host a :class:`Zygote` (bubblewrap: its own PID namespace) is started once per
grading process: its first process imports numpy and matplotlib once, then forks a child per
submission and, between submissions, kills what the child left running and puts the sandbox's file
systems back as they were. Other sandboxes start one process per child.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from . import wire
from .config import Limits
from .errors import InfrastructureError

__all__ = ["CHILD_SCRIPT", "PRESTARTER", "ZYGOTES", "Child", "ChildGone", "ChildTimeout", "Launch", "Prestarter",
           "Zygote", "ZygoteGone"]

CHILD_SCRIPT = Path(__file__).with_name("child.py")
STARTUP_SECONDS = 60.0  # python + numpy start-up; generous for a loaded machine
GRACE_SECONDS = 1.0  # after the child's own alarm should have fired, before we kill it
LOG_TAIL_BYTES = 2000  # of the child's own stderr, kept to explain a crash
EXIT_WAIT_SECONDS = 0.5  # for a child that closed its channel to finish exiting by itself
CHILDREN_PEAK_KB = 0  # the largest peak resident memory of a forked child so far, as its zygote saw it
ZYGOTE_PEAK_KB = 0  # and of a zygote (shared with its children: the pages they did not change)
ZYGOTE_SECONDS = 10.0  # for a zygote to fork, or to kill everything and tidy up (it gives up after 5 s)


_SIGNAL_CAUSES = {"SIGXCPU": " (CPU time limit)", "SIGKILL": " (killed, or out of memory)"}


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class ChildTimeout(Exception):
    """The child did not answer before the deadline (it has been killed)."""


class ChildGone(Exception):
    """The child died or broke the protocol; ``reason`` says how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Launch:
    """What a sandbox decided: the command, its environment, and the folder it starts in."""

    command: list[str]
    env: dict[str, str]
    cwd: Path
    cleanup: Callable[[], None] = field(default=lambda: None)


class _Pipe:
    """Framed messages over two non-blocking pipe ends, every operation with a deadline."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd, self.write_fd = read_fd, write_fd
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        self.buffer = bytearray()

    def send(self, message: dict[str, Any], deadline: float) -> None:
        try:
            body = wire.encode_frame(message)
        except wire.WireError as exc:
            raise ChildGone(f"a request could not be sent ({exc})") from None
        view = memoryview(body)
        while view:
            self._wait(self.write_fd, select.POLLOUT, deadline)
            try:
                written = os.write(self.write_fd, view)
            except BrokenPipeError:
                raise ChildGone("") from None  # it ended: describe_exit says how
            view = view[written:]

    def receive(self, deadline: float) -> dict[str, Any]:
        while True:
            frame = self._take_frame()
            if frame is not None:
                return frame
            self._wait(self.read_fd, select.POLLIN, deadline)
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise ChildGone("")  # it ended: describe_exit says how
            self.buffer += chunk

    def _take_frame(self) -> dict[str, Any] | None:
        if len(self.buffer) < 4:
            return None
        try:
            size = wire.frame_size(bytes(self.buffer[:4]))
            if len(self.buffer) < 4 + size:
                return None
            body = bytes(self.buffer[4 : 4 + size])
            del self.buffer[: 4 + size]
            return wire.parse_body(body)
        except wire.WireError as exc:
            raise ChildGone(f"the child sent malformed data ({exc})") from None

    @staticmethod
    def _wait(fd: int, event: int, deadline: float) -> None:
        poller = select.poll()
        poller.register(fd, event | select.POLLERR | select.POLLHUP)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            raise ChildTimeout()

    def close(self) -> None:
        for fd in (self.read_fd, self.write_fd):
            try:
                os.close(fd)
            except OSError:
                pass


class _Process(Protocol):
    """How a child is waited for and stopped: a process of its own, or a fork of a zygote."""

    def poll(self) -> int | None: ...

    def wait(self, timeout: float) -> int:  # raises subprocess.TimeoutExpired
        ...

    def stop(self) -> None:
        """Kill the child and everything it started, now."""

    def release(self) -> None:
        """The same, where the tidying up may finish in the background."""


class _Spawned:
    """A child that is a process (or a sandbox) of its own: its whole process group is killed."""

    def __init__(self, process: subprocess.Popen[bytes], launch: Launch) -> None:
        self.process = process
        self.launch = launch

    @classmethod
    def start(cls, launch: Launch, log: Any, fds: tuple[int, ...], what: str) -> _Spawned:
        """Start ``launch``'s command in a session of its own, writing to ``log``, inheriting ``fds``."""
        try:
            process = subprocess.Popen(
                launch.command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=fds, env=launch.env, cwd=launch.cwd, start_new_session=True, close_fds=True,
            )
        except OSError as exc:
            launch.cleanup()
            raise InfrastructureError(f"could not start {what} ({exc}); check the sandbox set-up") from None
        return cls(process, launch)

    def poll(self) -> int | None:
        return self.process.poll()

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def _kill_group(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self) -> None:
        self._kill_group()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.launch.cleanup()

    def release(self) -> None:
        self._kill_group()
        try:
            _REAPER.submit(self._reap)  # the next submission does not wait for a sandbox to be torn down
        except RuntimeError:  # the interpreter is exiting: no more threads, tidy up now
            self._reap()

    def _reap(self) -> None:
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        self.launch.cleanup()


class _Forked:
    """A child forked by a zygote: the zygote waits for it, and kills it and all it left behind."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.zygote = zygote
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
            ZYGOTES.give_back(self.zygote)
        except ZygoteGone:
            if wait and self.returncode is None:
                self.returncode = -signal.SIGKILL


class Child:
    """One running child process for one submission."""

    def __init__(self, process: _Process, pipe: _Pipe, log: Any) -> None:
        self.process = process
        self.pipe = pipe
        self.log = log
        self.alive = True
        self.requests = 0

    @classmethod
    def start(cls, launcher: Callable[[int, int, Limits], Launch], limits: Limits, seed: int,
              preload: tuple[str, ...] = (), *, fork: bool = True) -> Child:
        """Start a child through ``launcher`` (a sandbox) and wait until it is ready.

        ``preload`` names modules the child imports before it is ready (numpy, matplotlib), so a
        child started ahead of time has paid for them before the student's first cell. A sandbox
        that hosts zygotes forks the child from one that has imported them already, unless
        ``fork`` is False (a sandbox of its own, as the benchmark compares)."""
        if fork and getattr(launcher, "hosts_zygote", False):
            child = cls._fork(launcher, limits, preload)
        else:
            child = cls._spawn(launcher, limits)
        child._handshake(limits, seed, preload)
        return child

    @classmethod
    def _spawn(cls, launcher: Callable[[int, int, Limits], Launch], limits: Limits) -> Child:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        log = tempfile.TemporaryFile()
        try:
            process = _Spawned.start(launcher(to_child_r, from_child_w, limits), log, (to_child_r, from_child_w),
                                     "the grading child")
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        return cls(process, _Pipe(from_child_r, to_child_w), log)

    @classmethod
    def _fork(cls, sandbox: Any, limits: Limits, preload: tuple[str, ...]) -> Child:
        for attempt in range(2):  # a zygote found spoilt or dead is replaced once
            zygote = ZYGOTES.take(sandbox, limits, preload)
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
            return cls(_Forked(zygote, pid), _Pipe(from_child_r, to_child_w), log)
        raise AssertionError("unreachable")

    def _handshake(self, limits: Limits, seed: int, preload: tuple[str, ...]) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        setup = {
            "op": "setup",
            "seed": seed,
            "preload": list(preload),
            "output_limit": limits.output_kb * 1024,
            "limits": {
                "data": limits.memory_mb * 1024 * 1024,
                "fsize": limits.file_mb * 1024 * 1024,
                "nofile": limits.open_files,
                "core": 0,
                "cpu": int(limits.submission_seconds) + 30,
                "nproc": limits.processes,  # binds only where the real uid is not root; else the cgroup
                "msgqueue": 0,  # no POSIX message queues: they would outlive the child in its zygote's sandbox
            },
        }
        try:
            self.pipe.send(setup, deadline)
            ready = self.pipe.receive(deadline)
        except (ChildTimeout, ChildGone) as exc:
            reason = self.describe_exit()
            self.kill()
            raise InfrastructureError(
                f"the grading child did not start ({type(exc).__name__}: {reason}); check the sandbox set-up"
            ) from None
        if ready.get("op") != "ready":
            self.kill()
            raise InfrastructureError(f"the grading child answered {ready.get('op')!r} instead of 'ready'")

    def request(
        self,
        message: dict[str, Any],
        seconds: float,
        on_callback: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Send ``message`` and return the reply, serving callbacks meanwhile.

        Raises :class:`ChildTimeout` (after killing the child) when no reply comes within
        ``seconds`` plus a grace period, and :class:`ChildGone` when the child dies.
        """
        deadline = time.monotonic() + seconds + GRACE_SECONDS
        self.requests += 1
        ident = self.requests
        try:
            self.pipe.send({**message, "id": ident}, deadline)
            while True:
                reply = self.pipe.receive(deadline)
                if reply.get("op") != "callback":
                    if reply.get("id") != ident:
                        raise ChildGone("the child answered out of turn (malformed data on the channel)")
                    return reply
                if on_callback is None:
                    raise ChildGone("the child asked for a callback nobody offered")
                self.pipe.send(on_callback(reply), deadline)
        except ChildTimeout:
            self.kill()
            raise
        except ChildGone as exc:
            self._let_it_finish()
            self.kill()
            raise ChildGone("; ".join(filter(None, (exc.reason, self.describe_exit())))) from None

    def _let_it_finish(self) -> None:
        """A child that closed its channel is usually exiting: let it, so its own status is seen."""
        try:
            self.process.wait(EXIT_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            pass

    def describe_exit(self) -> str:
        """How the process ended, and the tail of what it printed to stderr."""
        code = self.process.poll()
        if code is None:
            try:
                code = self.process.wait(0.5)
            except subprocess.TimeoutExpired:
                return "it is still running"
        signal_number = -code if code < 0 else code - 128 if 128 < code < 128 + 65 else 0  # bwrap reports 128 + n
        if signal_number:
            name = _signal_name(signal_number)
            how = f"it was killed by {name}" + _SIGNAL_CAUSES.get(name, "")
        else:
            how = f"it exited with status {code}"
        tail = _log_tail(self.log)
        return how + (f"; its last output: {tail}" if tail else "")

    def kill(self) -> None:
        """Kill the child and everything it started, and release everything it held."""
        if self.alive:
            self.alive = False
            self.process.stop()
            self.pipe.close()

    def close(self) -> None:
        """Done with the child: kill it (it holds nothing worth a graceful exit) and tidy up, in
        the background where that is slow, so the next submission does not wait for it."""
        if self.alive:
            self.alive = False
            self.pipe.close()
            self.process.release()
        self.log.close()


class Prestarter:
    """Keeps one child started ahead for the next submission, so a batch never waits for start-up.

    Off by default (a single grading would waste the spare child); batch workers turn it on. A
    child is used by exactly one submission; spares left at exit are killed.
    """

    def __init__(self) -> None:
        self.enabled = False
        self.spares: dict[Any, Future[Child]] = {}
        self.pool: ThreadPoolExecutor | None = None
        atexit.register(self.close)

    def take(self, launcher: Callable[[int, int, Limits], Launch], limits: Limits, seed: int,
             preload: tuple[str, ...]) -> Child:
        if getattr(launcher, "hosts_zygote", False):  # a fork takes milliseconds: nothing to start ahead
            return Child.start(launcher, limits, seed, preload)
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
            self.spares[key] = self.pool.submit(Child.start, launcher, limits, seed, preload)
        return child if child is not None else Child.start(launcher, limits, seed, preload)

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


class ZygoteGone(Exception):
    """The zygote died, stopped answering, or could not put its sandbox back; it has been killed."""


class Zygote:
    """A sandbox whose first process forks one child per submission (see :mod:`autograder.child`).

    It speaks over a ``SOCK_SEQPACKET`` socket pair, one message per packet; a fork request carries
    the new child's two pipe ends and its log file as descriptors (``SCM_RIGHTS``), so each child
    has channels of its own that no earlier child ever held.
    """

    def __init__(self, sandbox: Any, limits: Limits, preload: tuple[str, ...]) -> None:
        self.key = (sandbox, limits, preload)
        self.lock = threading.Lock()
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.log = tempfile.TemporaryFile()
        try:
            self.process = _Spawned.start(sandbox.zygote(theirs.fileno(), limits), self.log, (theirs.fileno(),),
                                          "the grading sandbox")
        finally:
            theirs.close()
        self.closed = False
        self.pending = False  # a reset was asked for and its answer not read yet
        try:
            ready = self._ask({"op": "setup", "preload": list(preload)}, (), STARTUP_SECONDS)
        except ZygoteGone as exc:
            raise InfrastructureError(
                f"the grading sandbox did not start ({exc}; it printed: {_log_tail(self.log) or 'nothing'}); "
                "check the sandbox set-up") from None
        if ready.get("op") != "ready":
            self.close()
            raise InfrastructureError(f"the grading sandbox answered {ready.get('op')!r} instead of 'ready'")

    @property
    def alive(self) -> bool:
        return not self.closed and self.process.poll() is None

    def fork(self, fd_in: int, fd_out: int, log: int) -> int:
        """A fresh child in a sandbox emptied of everything earlier children left; its pid there."""
        reply = self._ask({"op": "fork"}, (fd_in, fd_out, log), ZYGOTE_SECONDS)
        pid = reply.get("pid")
        if reply.get("op") != "forked" or not reply.get("clean") or not isinstance(pid, int) or pid <= 0:
            self.close()
            raise ZygoteGone("the sandbox could not be emptied for the next child")
        return pid

    def wait(self, seconds: float) -> int | None:
        """The current child's exit status, waiting up to ``seconds`` for it; None while it runs."""
        status = self._ask({"op": "wait", "seconds": seconds}, (), seconds + ZYGOTE_SECONDS).get("status")
        return status if isinstance(status, int) else None

    def reset(self) -> int | None:
        """Kill the current child and all it started, tidy up; the child's exit status."""
        reply = self._ask({"op": "reset"}, (), ZYGOTE_SECONDS)
        if not self._note_reset(reply):
            self.close()
            raise ZygoteGone("the sandbox could not be emptied after a child")
        status = reply.get("status")
        return status if isinstance(status, int) else None

    def reset_later(self) -> None:
        """Ask for a reset without waiting: the next request first checks that it went well."""
        self._ask({"op": "reset"}, (), ZYGOTE_SECONDS, wait=False)

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

    @staticmethod
    def _note_reset(reply: dict[str, Any]) -> bool:
        """Whether a reset went well; notes the child's peak memory (a figure for benchmarks only)."""
        global CHILDREN_PEAK_KB, ZYGOTE_PEAK_KB
        peak, own = reply.get("peak_kb"), reply.get("zygote_kb")
        if isinstance(peak, int):
            CHILDREN_PEAK_KB = max(CHILDREN_PEAK_KB, peak)
        if isinstance(own, int):
            ZYGOTE_PEAK_KB = max(ZYGOTE_PEAK_KB, own)
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
    """The zygotes of this process, each lent to one child at a time (threads may grade side by side)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: dict[Any, list[Zygote]] = {}
        self.everyone: list[Zygote] = []
        atexit.register(self.close)

    def take(self, sandbox: Any, limits: Limits, preload: tuple[str, ...]) -> Zygote:
        key = (sandbox, limits, preload)
        with self.lock:
            waiting = self.idle.get(key, [])
            while waiting:
                zygote = waiting.pop()
                if zygote.alive:
                    return zygote
                zygote.close()
        zygote = Zygote(sandbox, limits, preload)
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

    def close(self) -> None:
        with self.lock:
            everyone, self.everyone, self.idle = self.everyone, [], {}
        for zygote in everyone:
            zygote.close()


def _log_tail(log: Any) -> str:
    """The end of what a child or a sandbox printed to its log file."""
    try:
        log.seek(0, os.SEEK_END)
        log.seek(max(0, log.tell() - LOG_TAIL_BYTES))
        return log.read().decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return ""


PRESTARTER = Prestarter()
ZYGOTES = ZygotePool()
_REAPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="calc4ml-reaper")  # tears finished sandboxes down
