"""The only grader code that runs next to student code.

It executes a submission's cells one by one (a cell that raises is recorded and the next one still
runs), then answers calls to the names the cells defined. It knows nothing about the answers: it
imports no checks, no reference and no numerics, only :mod:`wire` and the standard library (numpy
when present). Whatever it sends back is treated by the trusted side as untrusted data.

Run as a script inside the sandbox (``python -I child.py <fd-in> <fd-out>``), it speaks framed
messages over two pipes. The :class:`Executor` is also used in-process by self-checks in the
student's own kernel, where no isolation is needed.
"""

from __future__ import annotations

import builtins
import io
import linecache
import os
import signal
import sys
import time
import traceback
import types
from collections.abc import Callable
from typing import Any

if __package__:
    from . import wire
else:  # started as a script inside the sandbox: load the codec next to this file, by path
    import importlib.util

    _spec = importlib.util.spec_from_file_location(
        "_calc4ml_wire", os.path.join(os.path.dirname(os.path.abspath(__file__)), "wire.py")
    )
    assert _spec is not None and _spec.loader is not None
    wire = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(wire)

MAX_MESSAGE = 500  # characters of an exception message sent back
MAX_TRACE = 12  # student frames reported per traceback


class CallTimedOut(BaseException):
    """Raised inside student code when its time is up. A BaseException so ``except Exception``
    in student code does not swallow it."""


class CappedWriter(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: Any) -> int:
        text = str.__str__(text) if isinstance(text, str) else str(text)
        room = self.limit - self.kept
        self.parts.append(text[: max(room, 0)])
        self.kept += min(len(text), max(room, 0))
        self.dropped += max(len(text) - max(room, 0), 0)
        return len(text)

    def text(self) -> str:
        tail = f"\n[... {self.dropped} more characters of output dropped]" if self.dropped else ""
        return "".join(self.parts) + tail


class _Deadline:
    """Raise :class:`CallTimedOut` in the main thread after ``seconds`` (SIGALRM)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.previous: Any = None

    def __enter__(self) -> None:
        if self.seconds:
            self.previous = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous or signal.SIG_DFL)

    @staticmethod
    def _fire(signum: int, frame: Any) -> None:
        raise CallTimedOut()


def _text(value: Any, limit: int = MAX_MESSAGE) -> str:
    try:
        text = str(value)
    except BaseException:  # noqa: BLE001 - a hostile __str__ must not break reporting
        text = "<unprintable>"
    return text if len(text) <= limit else text[:limit] + "..."


def describe_error(exc: BaseException) -> dict[str, Any]:
    """Plain description of an exception: type, message, and where in the student's cells
    (frames of [cell, line, code, function], outermost first)."""
    frames = [
        (int(f.filename[6:-1]), f.lineno, (f.line or "").strip(), f.name)
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename.startswith("<cell ") and f.filename[6:-1].isdigit()
    ]
    if isinstance(exc, SyntaxError) and exc.filename and exc.filename.startswith("<cell "):
        frames.append((int(exc.filename[6:-1]), exc.lineno or 0, (exc.text or "").strip(), "<module>"))
    return {
        "type": type(exc).__name__,
        "message": _text(exc),
        "frames": [list(f) for f in frames[-MAX_TRACE:]],
    }


class Executor:
    """Holds the notebook's namespace; runs cells and calls in it."""

    def __init__(self, namespace: dict[str, Any] | None = None, output_limit: int = 64 * 1024) -> None:
        self.namespace = namespace if namespace is not None else {"__name__": "__main__", "__builtins__": builtins}
        self.output_limit = output_limit
        self.handles: dict[int, Callable[..., Any]] = {}
        self.defined_in: dict[str, int] = {}
        self.callback: Callable[[int, str, list[Any], dict[str, Any]], Any] | None = None

    # -- cells

    def run_cell(self, number: int, source: str, timeout: float | None) -> dict[str, Any]:
        """Execute one cell; report ``ok``, ``error`` or ``timeout`` with its output."""
        filename = f"<cell {number}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        before = dict(self.namespace)
        out = CappedWriter(self.output_limit)
        status, error = "ok", None
        started = time.perf_counter()
        try:
            code = compile(source, filename, "exec")
            with _redirect(out), _Deadline(timeout):
                exec(code, self.namespace)
        except CallTimedOut as exc:
            status, error = "timeout", describe_error(exc)  # its frames: where the cell was stuck
        except BaseException as exc:  # noqa: BLE001 - any failure of student code is a verdict
            status, error = "error", describe_error(exc)
        finally:
            _close_figures()
        elapsed = time.perf_counter() - started
        self._note_definitions(before, number)
        return {"n": number, "status": status, "error": error, "stdout": out.text(), "elapsed": elapsed}

    def _note_definitions(self, before: dict[str, Any], number: int) -> None:
        for name, value in list(self.namespace.items()):
            if before.get(name, _MISSING) is not value:
                self.defined_in[name] = number

    def defined(self) -> dict[str, Any]:
        """The callables the notebook defined, with their parameters."""
        out = {}
        for name, value in list(self.namespace.items()):
            if name.startswith("__") or isinstance(value, types.ModuleType) or not callable(value):
                continue
            out[name] = {"params": _parameters(value), "cell": self.defined_in.get(name)}
        return out

    # -- calls

    def call(
        self,
        target: str | int,
        args: list[Any],
        kwargs: dict[str, Any],
        timeout: float | None = None,
        np_seed: int | None = None,
        want_args: bool = False,
        overrides: dict[str, Callable[..., Any]] | None = None,
    ) -> dict[str, Any]:
        """Call a defined name (or a handle) with decoded arguments; describe what happened.

        ``overrides`` replace names in the notebook's namespace for the duration of the call (the
        trusted reference's building blocks, so a function is judged on its own logic); when an
        override cannot answer, the notebook's own function does.
        """
        function = self._lookup(target)
        if function is None:
            return {"status": "missing", "stdout": ""}
        if np_seed is not None:
            _seed_numpy(np_seed)
        out = CappedWriter(self.output_limit)
        saved = self._override(overrides or {})
        started = time.perf_counter()
        try:
            with _redirect(out), _Deadline(timeout):
                value = function(*args, **kwargs)
        except CallTimedOut:
            return {"status": "timeout", "stdout": out.text(), "elapsed": time.perf_counter() - started}
        except BaseException as exc:  # noqa: BLE001
            return {"status": "raised", "error": describe_error(exc), "stdout": out.text(),
                    "elapsed": time.perf_counter() - started}
        finally:
            self._restore(saved)
        reply = {"status": "returned", "value": value, "stdout": out.text(), "elapsed": time.perf_counter() - started}
        if want_args:
            reply["args_after"] = [list(args), dict(kwargs)]
        return reply

    def _override(self, overrides: dict[str, Callable[..., Any]]) -> dict[str, Any]:
        """Put the trusted building blocks in the namespace; ``name/vjp`` and ``name/shape`` entries are
        the helpers that let block ``name`` answer inside jax.grad and vmap too (see _through_jax)."""
        saved = {}
        for name, trusted in overrides.items():
            if "/" in name:
                continue
            helpers = {kind: overrides[f"{name}/{kind}"] for kind in ("vjp", "shape") if f"{name}/{kind}" in overrides}
            saved[name] = self.namespace.get(name, _MISSING)
            self.namespace[name] = _with_fallback(name, trusted, saved[name], helpers)
        return saved

    def _restore(self, saved: dict[str, Any]) -> None:
        for name, value in saved.items():
            if value is _MISSING:
                self.namespace.pop(name, None)
            else:
                self.namespace[name] = value

    def _lookup(self, target: str | int) -> Callable[..., Any] | None:
        if isinstance(target, int):
            return self.handles.get(target)
        value = self.namespace.get(target)
        return value if callable(value) and not isinstance(value, types.ModuleType) else None

    def register(self, function: Callable[..., Any]) -> int:
        handle = len(self.handles) + 1
        self.handles[handle] = function
        return handle


_MISSING = object()


def _with_fallback(name: str, trusted: Callable[..., Any], own: Any,
                   helpers: dict[str, Callable[..., Any]] | None = None) -> Callable[..., Any]:
    """``trusted``, or the notebook's own ``name`` when the trusted side has no answer."""

    def building_block(*args: Any, **kwargs: Any) -> Any:
        if callable(own) and any(_is_traced(a) for a in (*args, *kwargs.values())):
            # inside jax.grad, vmap or jit: a traced value cannot cross to the grader, concrete ones can
            if helpers and not kwargs and "shape" in helpers and "vjp" in helpers:
                return _through_jax(name, trusted, own, helpers, args)
            return own(*args, **kwargs)
        try:
            return trusted(*args, **kwargs)
        except Exception as exc:
            if not getattr(exc, "fallback_to_student", False):
                raise
            if callable(own):
                return own(*args, **kwargs)
            raise NameError(f"name {name!r} is not defined") from None  # as it would be with no stand-in

    building_block.__name__ = building_block.__qualname__ = name
    return building_block


def _through_jax(name: str, trusted: Callable[..., Any], own: Callable[..., Any],
                 helpers: dict[str, Callable[..., Any]], args: tuple[Any, ...]) -> Any:
    """Call a trusted building block from inside a JAX transformation of the student's code.

    The block becomes a ``jax.custom_vjp`` function whose value and whose vector-Jacobian product
    are ``jax.pure_callback``s: JAX hands them concrete values (one example at a time under vmap),
    and those cross to the grader like any call. The grader's block answers only what the
    reference's computation asks; for anything else, the student's own function answers here
    (its value, and its VJP by JAX itself)."""
    import jax
    import numpy

    try:
        shapes = helpers["shape"]([[list(numpy.shape(a)), str(jax.numpy.result_type(a))] for a in args])
    except Exception as exc:
        if not getattr(exc, "fallback_to_student", False):
            raise
        return own(*args)  # the grader cannot say what the block returns here (a self-check's recorded cases)
    result = jax.ShapeDtypeStruct(tuple(shapes[0]), shapes[1])
    inputs = [jax.ShapeDtypeStruct(numpy.shape(a), jax.numpy.result_type(a)) for a in args]

    def value(*concrete: Any) -> Any:
        try:
            answer = trusted(*(numpy.asarray(c) for c in concrete))
        except Exception as exc:
            if not getattr(exc, "fallback_to_student", False):
                raise
            answer = own(*concrete)
        return numpy.asarray(answer, dtype=result.dtype).reshape(result.shape)

    def vjp(*concrete: Any) -> Any:
        primals, cotangent = concrete[:-1], concrete[-1]
        try:
            answers = helpers["vjp"]([numpy.asarray(p) for p in primals], numpy.asarray(cotangent))
        except Exception as exc:
            if not getattr(exc, "fallback_to_student", False):
                raise
            answers = jax.vjp(own, *primals)[1](cotangent)
        return tuple(numpy.asarray(a, dtype=s.dtype).reshape(s.shape) for a, s in zip(answers, inputs, strict=True))

    @jax.custom_vjp
    def block(*xs: Any) -> Any:
        return jax.pure_callback(value, result, *xs, vmap_method="sequential")

    def forward(*xs: Any) -> Any:
        return block(*xs), xs

    def backward(xs: Any, cotangent: Any) -> Any:
        return jax.pure_callback(vjp, tuple(inputs), *xs, cotangent, vmap_method="sequential")

    block.defvjp(forward, backward)
    return block(*args)


def _is_traced(value: Any) -> bool:
    """A JAX tracer (an abstract value inside jax.grad, jit or vmap), without importing JAX."""
    return any(k.__name__.endswith("Tracer") and (k.__module__ or "").startswith("jax") for k in type(value).__mro__)


class NoAnswer(RuntimeError):
    """The trusted side could not answer a building-block call; the student's own function will."""

    fallback_to_student = True


def _parameters(function: Any) -> list[list[Any]] | None:
    import inspect

    try:
        signature = inspect.signature(function)
    except BaseException:  # noqa: BLE001
        return None
    return [[p.name, p.kind.name, p.default is not inspect.Parameter.empty] for p in signature.parameters.values()]


class _redirect:
    """Send ``sys.stdout`` and ``sys.stderr`` to one capped buffer for the duration."""

    def __init__(self, out: CappedWriter) -> None:
        self.out = out

    def __enter__(self) -> None:
        self.saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self.out  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        sys.stdout, sys.stderr = self.saved


def _seed_numpy(seed: int) -> None:
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(seed)


def _close_figures() -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        try:
            pyplot.close("all")
        except BaseException:  # noqa: BLE001
            pass


# ---------------------------------------------------------------------------- sandbox process


class _IPythonShim:
    """Stands in for ``get_ipython()``: magics and shell escapes do nothing when graded."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        return lambda *args, **kwargs: [] if name == "getoutput" else None


def _install_shims(namespace: dict[str, Any]) -> None:
    shim = _IPythonShim()
    namespace["get_ipython"] = lambda: shim
    namespace["display"] = lambda *args, **kwargs: None
    # The notebook's own check()/grade() cells do nothing here: the grader runs the checks.
    grader = types.ModuleType("autograder")
    grader.check = grader.check_all = grader.grade = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    grader.__path__ = []  # type: ignore[attr-defined]
    selfcheck = types.ModuleType("autograder.selfcheck")
    selfcheck.__dict__.update(check=grader.check, check_all=grader.check, grade=grader.check)  # type: ignore[attr-defined]
    sys.modules["autograder"], sys.modules["autograder.selfcheck"] = grader, selfcheck


def _apply_limits(limits: dict[str, int]) -> None:
    import resource

    names = {
        "data": resource.RLIMIT_DATA,
        "fsize": resource.RLIMIT_FSIZE,
        "nofile": resource.RLIMIT_NOFILE,
        "core": resource.RLIMIT_CORE,
        "cpu": resource.RLIMIT_CPU,
        "nproc": resource.RLIMIT_NPROC,
        "msgqueue": resource.RLIMIT_MSGQUEUE,
    }
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails with EFBIG instead of killing us
    for key, value in limits.items():
        soft = value
        hard = value + 1 if key == "cpu" else value  # SIGXCPU at the soft limit, SIGKILL after
        resource.setrlimit(names[key], (soft, hard))


class _Channel:
    """The child's end of the framed pipes, with callbacks into the trusted side."""

    def __init__(self, fd_in: int, fd_out: int) -> None:
        self.reader = os.fdopen(fd_in, "rb", buffering=0)
        self.writer = os.fdopen(fd_out, "wb", buffering=0)
        self.next_callback = 0
        self.owner = os.getpid()

    def send(self, message: dict[str, Any]) -> None:
        wire.write_frame(self.writer, message)

    def receive(self) -> dict[str, Any]:
        return wire.read_frame(self.reader)

    def callback(self, handle: int, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Call a function that lives on the trusted side and wait for its result."""
        if os.getpid() != self.owner:
            raise RuntimeError(f"{name} cannot be called from a forked process")
        self.next_callback += 1
        ident = self.next_callback
        request = {"op": "callback", "id": ident, "h": handle, "args": wire.encode(args), "kwargs": wire.encode(kwargs)}
        # A time limit must not strike half-way through a frame (the channel would be out of step):
        # hold SIGALRM while talking; a pending one fires as soon as the answer is in.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        try:
            self.send(request)
            reply = self.receive()
            while reply.get("op") in ("callback_return", "callback_raise") and reply.get("id") != ident:
                reply = self.receive()  # an answer to an abandoned earlier callback: skip it
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
        if reply.get("op") == "callback_return" and reply.get("id") == ident:
            return wire.decode(reply.get("value"), resolve=self.remote)
        if reply.get("fallback"):
            raise NoAnswer(name)
        raise RuntimeError(_text(reply.get("message", f"the function {name} given to you failed")))

    def remote(self, handle: int, name: str) -> Callable[..., Any]:
        def call_trusted(*args: Any, **kwargs: Any) -> Any:
            return self.callback(handle, name, list(args), kwargs)

        call_trusted.__name__ = call_trusted.__qualname__ = name
        return call_trusted


def serve(fd_in: int, fd_out: int) -> None:
    """Answer the trusted side's requests until it says ``exit`` or goes away."""
    channel = _Channel(fd_in, fd_out)
    executor = Executor()
    setup = channel.receive()
    _apply_limits(setup.get("limits", {}))
    executor.output_limit = int(setup.get("output_limit", executor.output_limit))
    _install_shims(executor.namespace)
    _preload(setup.get("preload", []))
    _seed_everything(int(setup.get("seed", 0)))
    channel.send({"op": "ready", "pid": os.getpid()})
    me = os.getpid()
    while True:
        try:
            request = channel.receive()
        except EOFError:
            return
        op = request.get("op")
        if op == "cell":
            reply = {"op": "cell_done", **executor.run_cell(int(request["n"]), str(request["source"]), request.get("timeout"))}
        elif op == "defined":
            reply = {"op": "defined", "names": executor.defined()}
        elif op == "call":
            reply = _serve_call(executor, channel, request)
        elif op == "exit":
            return
        else:
            continue
        if os.getpid() != me:  # a copy forked by student code came back here: it must not answer
            os._exit(0)
        _send_reply(channel, {**reply, "id": request.get("id")})


def _send_reply(channel: _Channel, reply: dict[str, Any]) -> None:
    """Send a reply; one too large to send becomes an error the student can act on."""
    try:
        frame = wire.encode_frame(reply)
    except (wire.WireError, ValueError) as exc:
        error = {"type": "ValueError", "frames": [],
                 "message": f"the returned value is too large to send back to the grader ({_text(exc)}); "
                            "return only what the docstring asks for"}
        frame = wire.encode_frame({"op": reply.get("op"), "id": reply.get("id"), "status": "raised", "error": error,
                                   "stdout": "", "n": reply.get("n")})
    channel.writer.write(frame)
    channel.writer.flush()


def _serve_call(executor: Executor, channel: _Channel, request: dict[str, Any]) -> dict[str, Any]:
    args = wire.decode(request.get("args", []), resolve=channel.remote)
    kwargs = wire.decode(request.get("kwargs", {"$t": "dict", "v": []}), resolve=channel.remote)
    overrides = wire.decode(request.get("overrides", {"$t": "dict", "v": []}), resolve=channel.remote)
    reply = executor.call(
        request["target"], args, kwargs,
        timeout=request.get("timeout"), np_seed=request.get("np_seed"), want_args=bool(request.get("want_args")),
        overrides={k: v for k, v in overrides.items() if callable(v)} if isinstance(overrides, dict) else None,
    )
    notes: list[str] = []
    try:
        for key in ("value", "args_after"):
            if key in reply:
                reply[key] = wire.encode(reply[key], register=executor.register, notes=notes)
    except BaseException as exc:  # noqa: BLE001 - a value that breaks encoding is the student's
        error = {"type": type(exc).__name__, "message": "the returned value could not be sent back: " + _text(exc), "frames": []}
        reply = {"status": "raised", "error": error, "stdout": reply.get("stdout", "")}
    return {"op": "reply", "notes": notes, **reply}


def _preload(modules: Any) -> None:
    """Import modules the notebook is likely to need before its first cell (a speed-up only)."""
    import importlib

    for name in modules if isinstance(modules, list) else []:
        try:
            importlib.import_module(str(name))
        except BaseException:  # noqa: BLE001 - the notebook's own import will report any problem
            pass


def _seed_everything(seed: int) -> None:
    import random

    random.seed(seed)
    try:
        import numpy
    except ImportError:
        return
    numpy.random.seed(seed)


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
            if op == "fork" and len(fds) == 3:
                clean = self.reset()
                pid = os.fork() if clean else -1
                if pid == 0:
                    self.become_child(*fds)
                for fd in fds:
                    os.close(fd)
                self.current, self.status, self.peak_kb = (pid if pid > 0 else None), None, 0
                self.send({"op": "forked", "pid": pid, "clean": clean})
            elif op == "wait":
                self.send({"op": "status", "status": self.wait(float(message.get("seconds", 0)))})
            elif op == "reset":
                clean = self.reset()
                import resource

                self.send({"op": "status", "status": self.status, "clean": clean, "peak_kb": self.peak_kb,
                           "zygote_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
            else:
                for fd in fds:
                    os.close(fd)
                self.send({"op": "unknown"})

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
    if message is None or message.get("op") != "setup":
        return
    _preload(message.get("preload", []))
    _close_figures()
    keeper = _Zygote(control)
    keeper.send({"op": "ready", "pid": os.getpid()})
    keeper.serve()


if __name__ == "__main__":
    sys.stdin = open(os.devnull)
    if sys.argv[1] == "--zygote":
        zygote(int(sys.argv[2]))
    else:
        serve(int(sys.argv[1]), int(sys.argv[2]))
