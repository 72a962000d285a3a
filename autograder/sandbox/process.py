"""Start, limit, talk to and kill one child process that runs a submission.

A child runs ``autograder/child/__main__.py`` (:mod:`autograder.child`), started by a
:class:`~autograder.sandbox.isolation.Sandbox`, which decides how isolated it is, or forked by a
sandbox's zygote (:mod:`autograder.sandbox.zygote`). It holds two pipes and nothing else of ours:
requests (:mod:`autograder.protocol`) go in on one, framed replies come back on the other, and its
stdout/stderr go to a capped log file that is only read for diagnostics. Every wait has a
deadline; when one passes, the child and everything it started are killed.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .. import wire
from ..config import Limits
from ..errors import InfrastructureError
from ..protocol import Op

__all__ = ["CHILD_SCRIPT", "Child", "ChildGone", "ChildTimeout", "Launch", "Pipe", "Process", "Spawned", "log_tail"]

CHILD_SCRIPT = Path(__file__).resolve().parents[1] / "child" / "__main__.py"
STARTUP_SECONDS = 60.0  # python + numpy start-up; generous for a loaded machine
GRACE_SECONDS = 1.0  # after the child's own alarm should have fired, before we kill it
LOG_TAIL_BYTES = 2000  # of the child's own stderr, kept to explain a crash
EXIT_WAIT_SECONDS = 0.5  # for a child that closed its channel to finish exiting by itself


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


class Pipe:
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


class Process(Protocol):
    """How a child is waited for and stopped: a process of its own, or a fork of a zygote."""

    def poll(self) -> int | None: ...

    def wait(self, timeout: float) -> int:  # raises subprocess.TimeoutExpired
        ...

    def stop(self) -> None:
        """Kill the child and everything it started, now."""

    def release(self) -> None:
        """The same, where the tidying up may finish in the background."""


class Spawned:
    """A child that is a process (or a sandbox) of its own: its whole process group is killed."""

    def __init__(self, process: subprocess.Popen[bytes], launch: Launch) -> None:
        self.process = process
        self.launch = launch

    @classmethod
    def start(cls, launch: Launch, log: Any, fds: tuple[int, ...], what: str) -> Spawned:
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


class Child:
    """One running child process for one submission."""

    def __init__(self, process: Process, pipe: Pipe, log: Any) -> None:
        self.process = process
        self.pipe = pipe
        self.log = log
        self.alive = True
        self.requests = 0

    @classmethod
    def spawn(cls, launcher: Callable[[int, int, Limits], Launch], limits: Limits) -> Child:
        """A child that is a process of its own, started through ``launcher`` (a sandbox); call
        :meth:`handshake` before using it."""
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        log = tempfile.TemporaryFile()
        try:
            process = Spawned.start(launcher(to_child_r, from_child_w, limits), log, (to_child_r, from_child_w),
                                    "the grading child")
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        return cls(process, Pipe(from_child_r, to_child_w), log)

    def handshake(self, limits: Limits, seed: int, preload: tuple[str, ...]) -> None:
        """Send the child its limits, seed and preload, and wait until it is ready (it imports the
        preloaded modules first, unless its zygote has)."""
        deadline = time.monotonic() + STARTUP_SECONDS
        setup = {
            "op": Op.SETUP,
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
        if ready.get("op") != Op.READY:
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
                if reply.get("op") != Op.CALLBACK:
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
        tail = log_tail(self.log)
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


def log_tail(log: Any) -> str:
    """The end of what a child or a sandbox printed to its log file."""
    try:
        log.seek(0, os.SEEK_END)
        log.seek(max(0, log.tell() - LOG_TAIL_BYTES))
        return log.read().decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return ""


_REAPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="calc4ml-reaper")  # tears finished sandboxes down
