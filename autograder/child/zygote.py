"""The zygote: the first process of a grading sandbox, which forks a fresh child per submission.

It imports the preloaded modules once and forks a child for each submission. It runs as PID 1 of
the sandbox's PID namespace, so the student's code can neither signal it (the kernel drops signals
to PID 1 that it has no handler for) nor, since it is not dumpable, trace it or read its memory.
Before every fork and whenever the trusted side asks, it kills every other process in the
namespace, reaps them, removes every file they left on the sandbox's writable file systems, every
extended attribute they set on what was there before, and every System V IPC object: the next
child starts as a fresh sandbox would. When something cannot be put back (an original file
changed, a process that will not die), it says so and the trusted side throws the whole sandbox
away (:mod:`autograder.sandbox.zygote`).
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from .. import wire
from ..protocol import Op
from .executor import close_figures
from .server import preload, serve

__all__ = ["zygote"]

# ---------------------------------------------------------------------------- the zygote
#
# In the bubblewrap sandbox the first process is not a child for one submission but a *zygote*:
# it imports the preloaded modules once and forks a fresh child for each submission. It runs as
# PID 1 of the sandbox's PID namespace, so the student's code can neither signal it (the kernel
# drops signals to PID 1 that it has no handler for) nor, since it is not dumpable, trace it or
# read its memory. Before every fork and whenever the trusted side asks, it kills every other
# process in the namespace, reaps them, removes every file they left on the sandbox's writable
# file systems, every extended attribute they set on what was there before, and every System V IPC
# object: the next child starts as a fresh sandbox would. When
# something cannot be put back (an original file changed, a process that will not die), it says
# so and the trusted side throws the whole sandbox away.

PR_SET_DUMPABLE = 4
RESET_SECONDS = 5.0  # for killed processes to disappear before the sandbox is declared spoilt


def _libc() -> Any:
    global _LIBC
    if _LIBC is None:
        import ctypes

        _LIBC = ctypes.CDLL(None, use_errno=True)
    return _LIBC


_LIBC: Any = None


def _prctl_dumpable(flag: int) -> None:
    _libc().prctl(PR_SET_DUMPABLE, flag, 0, 0, 0)


def _writable_tmpfs() -> list[str]:
    """Mount points of the read-write tmpfs file systems: everything the children can write to."""
    points = []
    with open("/proc/self/mountinfo") as table:
        for line in table:
            fields = line.split()
            separator = fields.index("-")
            if fields[separator + 1] == "tmpfs" and "rw" in fields[5].split(","):
                points.append(fields[4].replace("\\040", " "))
    return points


def _signature(path: str, info: os.stat_result) -> tuple[Any, ...]:
    import stat

    if stat.S_ISLNK(info.st_mode):
        return (info.st_ino, info.st_mode, info.st_uid, os.readlink(path))
    if stat.S_ISDIR(info.st_mode):
        return (info.st_ino, info.st_mode, info.st_uid)
    return (info.st_ino, info.st_mode, info.st_uid, info.st_size, info.st_ctime_ns)  # ctime: utime cannot hide a write


def _xattrs(path: str) -> dict[str, bytes]:
    """An entry's extended attributes (``user.*`` on tmpfs): they outlive the process that set them."""
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return {}
    return {name: os.getxattr(path, name, follow_symlinks=False) for name in names}


def _restore_xattrs(pristine: dict[str, dict[str, bytes]]) -> None:
    """Put every original entry's extended attributes back as they were (OSError if that fails)."""
    for path, wanted in pristine.items():
        present = _xattrs(path)
        for name in set(present) - set(wanted):
            os.removexattr(path, name, follow_symlinks=False)
        for name, value in wanted.items():
            if present.get(name) != value:
                os.setxattr(path, name, value, follow_symlinks=False)


def _scan(roots: list[str]) -> dict[str, tuple[Any, ...]]:
    """Every entry on the writable file systems (other mounts inside them are entries, not entered)."""
    import stat

    found: dict[str, tuple[Any, ...]] = {}

    def visit(path: str, device: int) -> None:
        info = os.lstat(path)
        found[path] = _signature(path, info)
        if stat.S_ISDIR(info.st_mode) and info.st_dev == device:
            if not os.access(path, os.R_OK | os.X_OK):
                os.chmod(path, stat.S_IMODE(info.st_mode) | 0o700)  # ours (same uid): open it to look inside
            for name in os.listdir(path):
                visit(os.path.join(path, name), device)

    for root in roots:
        visit(root, os.lstat(root).st_dev)
    return found


def _remove(path: str) -> None:
    import stat

    info = os.lstat(path)
    if stat.S_ISDIR(info.st_mode):
        os.chmod(path, 0o700)
        for name in os.listdir(path):
            _remove(os.path.join(path, name))
        os.rmdir(path)
    else:
        os.unlink(path)


def _remove_ipc_objects() -> None:
    """System V shared memory, semaphores and message queues left behind (the IPC namespace is shared)."""
    libc = _libc()
    removers = {"shm": lambda i: libc.shmctl(i, 0, None), "sem": lambda i: libc.semctl(i, 0, 0),
                "msg": lambda i: libc.msgctl(i, 0, None)}  # 0 = IPC_RMID
    for kind, remove in removers.items():
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                rows = table.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            remove(int(row.split()[1]))


def _clear_keyrings() -> None:
    """Empty the user's keyrings, which outlive the processes that filled them."""
    import platform

    keyctl = {"x86_64": 250, "aarch64": 219}.get(platform.machine())  # SYS_keyctl
    for keyring in (-4, -5) if keyctl else ():  # KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING
        _libc().syscall(keyctl, 7, keyring)  # KEYCTL_CLEAR


class _Zygote:
    def __init__(self, control: Any) -> None:
        self.control = control
        self.roots = _writable_tmpfs()
        self.pristine = _scan(self.roots)
        self.pristine_xattrs = {path: _xattrs(path) for path in self.pristine}
        self.current: int | None = None  # the child of the running submission
        self.status: int | None = None  # its exit status, once reaped
        self.peak_kb = 0  # its peak resident memory, once reaped

    def send(self, message: dict[str, Any]) -> None:
        self.control.send(wire.encode_frame(message))

    def serve(self) -> None:
        while True:
            message, fds = _receive_control(self.control)
            if message is None:
                return
            op = message.get("op")
            if op == Op.FORK and len(fds) == 3:
                clean = self.reset()
                pid = os.fork() if clean else -1
                if pid == 0:
                    self.become_child(*fds)
                for fd in fds:
                    os.close(fd)
                self.current, self.status, self.peak_kb = (pid if pid > 0 else None), None, 0
                self.send({"op": Op.FORKED, "pid": pid, "clean": clean})
            elif op == Op.WAIT:
                self.send({"op": Op.STATUS, "status": self.wait(float(message.get("seconds", 0)))})
            elif op == Op.RESET:
                clean = self.reset()
                import resource

                self.send({"op": Op.STATUS, "status": self.status, "clean": clean, "peak_kb": self.peak_kb,
                           "zygote_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
            else:
                for fd in fds:
                    os.close(fd)
                self.send({"op": Op.UNKNOWN})

    def become_child(self, fd_in: int, fd_out: int, log: int) -> None:
        try:
            self.control.close()
            os.setsid()
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.close(log)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            _prctl_dumpable(1)
            try:
                with open("/proc/self/oom_score_adj", "w") as adjust:
                    adjust.write("1000")  # under memory pressure, the kernel kills a child, not the zygote
            except OSError:
                pass
            serve(fd_in, fd_out)
        finally:
            os._exit(0)

    def wait(self, seconds: float) -> int | None:
        deadline = time.monotonic() + seconds
        while self.current is not None and self.status is None:
            try:
                pid, status, usage = os.wait4(self.current, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                self.peak_kb = usage.ru_maxrss
            elif time.monotonic() < deadline:
                time.sleep(0.005)
            else:
                break
        return self.status

    def reset(self) -> bool:
        """Kill every other process, reap it, restore the file systems; False if that failed."""
        deadline = time.monotonic() + RESET_SECONDS
        while True:
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
            while True:
                try:
                    pid, status, usage = os.wait4(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if not pid:
                    break
                if pid == self.current and self.status is None:
                    self.status = os.waitstatus_to_exitcode(status)
                    self.peak_kb = usage.ru_maxrss
            if not [p for p in os.listdir("/proc") if p.isdigit() and p != str(os.getpid())]:
                break
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
        try:
            now = _scan(self.roots)
            for path in sorted(set(now) - set(self.pristine), key=len, reverse=True):
                if os.path.lexists(path):
                    _remove(path)
            _restore_xattrs(self.pristine_xattrs)
            _remove_ipc_objects()
            _clear_keyrings()
            return all(now.get(path) == signature for path, signature in self.pristine.items())
        except OSError:
            return False


def _receive_control(control: Any) -> tuple[dict[str, Any] | None, list[int]]:
    """One message (a whole packet) and the descriptors that came with it; None at the end."""
    import socket

    data, fds, _flags, _address = socket.recv_fds(control, wire.MAX_CONTROL_BYTES, 4)
    if not data:
        return None, fds
    return wire.parse_body(data[4:]), fds


def zygote(fd: int) -> None:
    """Serve as the sandbox's zygote on the control socket ``fd`` (see above)."""
    import socket

    _prctl_dumpable(0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # no handler at all: unreachable as PID 1
    control = socket.socket(fileno=fd)
    message, _fds = _receive_control(control)
    if message is None or message.get("op") != Op.SETUP:
        return
    preload(message.get("preload", []))
    close_figures()
    keeper = _Zygote(control)
    keeper.send({"op": Op.READY, "pid": os.getpid()})
    keeper.serve()


