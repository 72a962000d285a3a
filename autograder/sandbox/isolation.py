"""How a child process is isolated from everything it must not see or touch.

A *sandbox* (the :class:`Sandbox` protocol) is a callable ``(fd_in, fd_out, limits) -> Launch``:
given the two pipe ends the child inherits and the limits it runs under, it returns the command
line and environment that start the child (:mod:`autograder.child`) inside it. A sandbox that
``hosts_zygote`` also launches with ``zygote(fd, limits)`` a sandbox whose first process forks the
children (:mod:`autograder.sandbox.zygote`), which grading uses.

:class:`Bubblewrap` (grading) gives the child new user, PID, network, IPC, UTS and mount
namespaces, the unprivileged uid 65534 with no capabilities, a file system made only of the
operating system, the Python installation, the grader's child code and the assignment's data
files, all read-only, plus small private ``/work`` and ``/tmp`` (tmpfs). Solutions, checks, other
submissions and results are simply not there. A cgroup caps processes and memory for the whole
sandbox (``RLIMIT_NPROC`` does not bind a process whose real uid is root); the child sets its own
rlimits (data, file size, open files, CPU) before it runs any student code.

:class:`Unisolated` is a plain child process: for self-checks, and for graders who pass
``--no-isolation``. :func:`choose_sandbox` picks, and says exactly what is missing when it can't
isolate.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from ..config import Assignment, Limits
from ..errors import InfrastructureError
from .process import CHILD_SCRIPT, Launch

__all__ = ["Bubblewrap", "Sandbox", "Unisolated", "choose_sandbox", "child_environment", "isolation_problems"]

class Sandbox(Protocol):
    """Starts a child: given the pipe ends it inherits, the command, environment and folder.

    ``hosts_zygote``: whether it can also start a zygote sandbox, ``zygote(fd, limits)``, whose
    first process forks the children (it needs a PID namespace of its own to kill what a child left)."""

    @property
    def name(self) -> str: ...

    @property
    def hosts_zygote(self) -> bool: ...

    def __call__(self, fd_in: int, fd_out: int, limits: Limits) -> Launch: ...

    def zygote(self, fd: int, limits: Limits) -> Launch: ...


SANDBOX_UID = 65534  # "nobody"
WORK_MB = 64  # private writable /work (data files are mounted into it read-only)
TMP_MB = 64  # private /tmp
CGROUP_PARENT = "calc4ml"
CPU_PERIOD_US = "100000"  # the quota equals the period: one core's worth of CPU time
PACKAGE = CHILD_SCRIPT.parents[1]  # the grader's package: the child imports its child/, wire and protocol
CHILD_CODE = "/opt/calc4ml/autograder"  # where the package appears inside the sandbox (it holds no solutions)
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/fonts")

# Threads each numeric library may start in the child: the grader runs one child per core.
_THREAD_LIMITS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def child_environment(home: str, tmp: str | None = None) -> dict[str, str]:
    """A scrubbed environment: nothing of the grader's (no tokens, no paths) reaches the child."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": os.path.join(tmp or home, "matplotlib"),
        "JAX_PLATFORMS": "cpu",
        "TMPDIR": tmp or home,
        **_THREAD_LIMITS,
    }


@dataclass(frozen=True)
class Unisolated:
    """A plain child process with resource limits but no isolation.

    Student code can read whatever the grading user can. Only for the student's own self-checks
    and for graders who explicitly accept it (``--no-isolation``).
    """

    files: tuple[Path, ...] = ()
    base: Path | None = None
    name: ClassVar[str] = "no"
    hosts_zygote: ClassVar[bool] = False  # outside a PID namespace, killing what a child left would hit ours

    def zygote(self, fd: int, limits: Limits) -> Launch:
        raise InfrastructureError("an unisolated child is a process of its own; only bubblewrap hosts a zygote")

    def __call__(self, fd_in: int, fd_out: int, limits: Limits) -> Launch:
        scratch = Path(tempfile.mkdtemp(prefix="calc4ml-child-"))
        if self.base is not None:
            for source in self.files:
                target = scratch / source.relative_to(self.base)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        fonts = matplotlib_font_cache()
        if fonts is not None:
            (scratch / "matplotlib").mkdir()
            shutil.copyfile(fonts, scratch / "matplotlib" / fonts.name)
        command = [sys.executable, "-I", str(CHILD_SCRIPT), str(fd_in), str(fd_out)]
        return Launch(command, child_environment(str(scratch)), scratch,
                      cleanup=lambda: shutil.rmtree(scratch, ignore_errors=True))


@dataclass(frozen=True)
class Bubblewrap:
    """The grading sandbox: bubblewrap namespaces, uid 65534, read-only system, cgroup limits."""

    files: tuple[Path, ...]
    base: Path
    name: ClassVar[str] = "bubblewrap"

    hosts_zygote: ClassVar[bool] = True  # its PID namespace lets a zygote kill everything a child left

    def __call__(self, fd_in: int, fd_out: int, limits: Limits) -> Launch:
        """A sandbox of its own for one child (the grader forks children from a zygote instead)."""
        return self._launch(limits, self.command(fd_in, fd_out))

    def zygote(self, fd: int, limits: Limits) -> Launch:
        """A sandbox whose first process, PID 1, is a zygote talking on the socket ``fd``."""
        return self._launch(limits, self.command(fd, fd, zygote=True))

    @staticmethod
    def _launch(limits: Limits, command: list[str]) -> Launch:
        cgroup = Cgroup.create(limits) if _needs_cgroup() else None
        return Launch([*(cgroup.join_command() if cgroup else []), *command], {"PATH": "/usr/bin:/bin"}, Path("/"),
                      cleanup=cgroup.destroy if cgroup else (lambda: None))

    def command(self, fd_in: int, fd_out: int, *, zygote: bool = False) -> list[str]:
        bind = []
        for prefix in dict.fromkeys((sys.base_prefix, sys.prefix)):
            bind += ["--ro-bind", prefix, prefix]
        for path in _ETC_FILES:
            if os.path.exists(path):
                bind += ["--ro-bind", path, path]
        for source in self.files:
            bind += ["--ro-bind", str(source), f"/work/{source.relative_to(self.base)}"]
        fonts = matplotlib_font_cache()
        if fonts is not None:  # a ready font list: matplotlib would otherwise rebuild it in every child (seconds)
            bind += ["--ro-bind", str(fonts), f"/tmp/matplotlib/{fonts.name}", "--chmod", "1777", "/tmp/matplotlib"]
        env = []
        for key, value in child_environment("/work", "/tmp").items():
            env += ["--setenv", key, value]
        script = f"{CHILD_CODE}/{CHILD_SCRIPT.relative_to(PACKAGE)}"
        # A zygote is PID 1 itself (no bubblewrap reaper), so that only it can be PID 1; nested user
        # namespaces are off, so no child can gain capabilities anywhere, even over a namespace of its own.
        program = ["--as-pid-1", "--", sys.executable, "-I", script, "--zygote", str(fd_in)] if zygote else \
            ["--", sys.executable, "-I", script, str(fd_in), str(fd_out)]
        return [
            _bwrap(), "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL",
            "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(TMP_MB * 1024 * 1024), "--tmpfs", "/tmp", "--chmod", "1777", "/tmp",
            "--size", str(WORK_MB * 1024 * 1024), "--tmpfs", "/work",
            *bind,
            "--chmod", "1777", "/work",
            "--ro-bind", str(PACKAGE), CHILD_CODE,
            "--remount-ro", "/",  # the sandbox's own root (its symlinks, mount points) stays as built
            "--chdir", "/work", "--clearenv", *env,
            *program,
        ]


@functools.lru_cache(maxsize=1)
def matplotlib_font_cache() -> Path | None:
    """The trusted side's matplotlib font list (built once here), for every child to start from."""
    try:
        import matplotlib
        from matplotlib import font_manager
    except ImportError:
        return None
    path = Path(matplotlib.get_cachedir()) / f"fontlist-v{font_manager.FontManager.__version__}.json"
    return path if path.is_file() else None


# ---------------------------------------------------------------------------- cgroups


class Cgroup:
    """A per-child cgroup (v1 pids + memory controllers, or v2) that caps the whole sandbox."""

    def __init__(self, directories: list[Path]) -> None:
        self.directories = directories

    @classmethod
    def create(cls, limits: Limits) -> Cgroup:
        layout = _cgroup_layout()
        if layout is None:
            raise InfrastructureError("no writable cgroup for the sandbox's process and memory limits")
        name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"  # the creator's pid: leftovers of dead graders are swept
        memory = str(2 * limits.memory_mb * 1024 * 1024)  # backstop over RLIMIT_DATA: tmpfs, threads
        directories = []
        for root, settings in layout(limits.processes, memory):
            _sweep(root / CGROUP_PARENT)
            directory = root / CGROUP_PARENT / name
            directory.mkdir(parents=True)
            directories.append(directory)
            for key, value in settings.items():
                if (directory / key).exists():
                    (directory / key).write_text(value)
        return cls(directories)

    def join_command(self) -> list[str]:
        """A prefix that moves the command into the cgroup before it starts (no preexec_fn)."""
        script = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 111; shift; n=$((n-1)); done; exec "$@"'
        return ["/bin/sh", "-c", script, "sh", str(len(self.directories)),
                *(str(d / "cgroup.procs") for d in self.directories)]

    def destroy(self) -> None:
        """Kill whatever is left in the cgroup and remove it."""
        for directory in self.directories:
            for _ in range(50):
                pids = _read_pids(directory)
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                try:
                    directory.rmdir()
                    break
                except OSError:
                    time.sleep(0.02)


def _sweep(parent: Path) -> None:
    """Remove empty cgroups whose creating grader has died (e.g. a batch killed with SIGKILL)."""
    for directory in parent.glob("*-*") if parent.is_dir() else ():
        creator = directory.name.split("-", 1)[0]
        if creator.isdigit() and not _alive(int(creator)) and not _read_pids(directory):
            with contextlib.suppress(OSError):
                directory.rmdir()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pids(directory: Path) -> list[int]:
    try:
        return [int(line) for line in (directory / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def _cgroup_layout() -> Callable[[int, str], list[tuple[Path, dict[str, str]]]] | None:
    v1_pids, v1_memory, v1_cpu = (Path(f"/sys/fs/cgroup/{c}") for c in ("pids", "memory", "cpu"))
    if os.access(v1_pids, os.W_OK) and os.access(v1_memory, os.W_OK):
        def v1(processes: int, memory: str) -> list[tuple[Path, dict[str, str]]]:
            groups = [(v1_pids, {"pids.max": str(processes)}),
                      (v1_memory, {"memory.limit_in_bytes": memory, "memory.memsw.limit_in_bytes": memory})]
            if os.access(v1_cpu, os.W_OK):  # at most one core, so a child full of threads starves no one
                groups.append((v1_cpu, {"cpu.cfs_period_us": CPU_PERIOD_US, "cpu.cfs_quota_us": CPU_PERIOD_US}))
            return groups
        return v1
    v2 = Path("/sys/fs/cgroup")
    controllers = v2 / "cgroup.controllers"
    if controllers.exists() and {"pids", "memory"} <= set(controllers.read_text().split()) and os.access(v2, os.W_OK):
        def unified(processes: int, memory: str) -> list[tuple[Path, dict[str, str]]]:
            parent = v2 / CGROUP_PARENT
            parent.mkdir(exist_ok=True)
            (parent / "cgroup.subtree_control").write_text("+pids +memory")
            with contextlib.suppress(OSError):  # cpu is a bonus where the host delegates it
                (parent / "cgroup.subtree_control").write_text("+cpu")
            return [(v2, {"pids.max": str(processes), "memory.max": memory, "memory.swap.max": "0",
                          "cpu.max": f"{CPU_PERIOD_US} {CPU_PERIOD_US}"})]
        return unified
    return None


def _needs_cgroup() -> bool:
    # RLIMIT_NPROC (set by the child) limits processes only when the real uid is not root.
    return os.getuid() == 0


# ---------------------------------------------------------------------------- choosing


def _bwrap() -> str:
    return shutil.which("bwrap") or "bwrap"


@functools.lru_cache(maxsize=1)
def isolation_problems() -> tuple[str, ...]:
    """What this machine lacks for the grading sandbox; empty when it has everything."""
    if shutil.which("bwrap") is None:
        return ("bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)",)
    probe = subprocess.run(
        [_bwrap(), "--unshare-all", "--die-with-parent", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
         "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
         "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev", "--", "/usr/bin/true"],
        capture_output=True, text=True, timeout=30,
    )
    problems = []
    if probe.returncode != 0:
        problems.append(f"bubblewrap cannot create namespaces here ({probe.stderr.strip()[:200]}); "
                        "enable unprivileged user namespaces or run the grader as root")
    if _needs_cgroup() and _cgroup_layout() is None:
        problems.append("no writable pids and memory cgroup (v1 under /sys/fs/cgroup/{pids,memory} or v2 with "
                        "both controllers): as root, the number of processes cannot be limited otherwise")
    return tuple(problems)


def choose_sandbox(assignment: Assignment, *, allow_unisolated: bool = False) -> Sandbox:
    """The bubblewrap sandbox; or, when it cannot be set up, a refusal naming what is missing,
    unless the caller explicitly accepts unisolated grading."""
    base, files = assignment.data_files()
    problems = isolation_problems()
    if allow_unisolated:
        print("autograder: WARNING: grading without isolation (--no-isolation): student code runs with your "
              "permissions and can read your files", file=sys.stderr)
        return Unisolated(tuple(files), base)
    if problems:
        raise InfrastructureError(
            "student code cannot be isolated on this machine: " + "; ".join(problems)
            + ". Fix that, or pass --no-isolation to accept unisolated grading"
        )
    return Bubblewrap(tuple(files), base)
