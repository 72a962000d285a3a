"""The sandboxed child's loop: answer the trusted side's requests until it says ``exit``.

Started inside the sandbox (``python -I autograder/child/__main__.py <fd-in> <fd-out>``, or forked
by the sandbox's zygote), it applies its resource limits, installs the shims that make a notebook's
IPython syntax and ``check()``/``grade()`` cells do nothing, imports the preloaded modules, and
then runs cells and calls (:class:`~autograder.child.executor.Executor`) as the requests come,
speaking framed messages (:mod:`autograder.protocol`) over two pipes. Callbacks into trusted
functions go back over the same pipes while a call runs.
"""

from __future__ import annotations

import os
import signal
import sys
import types
from collections.abc import Callable
from typing import Any

from .. import wire
from ..protocol import CallStatus, Op
from .executor import Executor, NoAnswer, text_of

__all__ = ["preload", "serve"]

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
        request = {"op": Op.CALLBACK, "id": ident, "h": handle, "args": wire.encode(args), "kwargs": wire.encode(kwargs)}
        # A time limit must not strike half-way through a frame (the channel would be out of step):
        # hold SIGALRM while talking; a pending one fires as soon as the answer is in.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        try:
            self.send(request)
            reply = self.receive()
            while reply.get("op") in (Op.CALLBACK_RETURN, Op.CALLBACK_RAISE) and reply.get("id") != ident:
                reply = self.receive()  # an answer to an abandoned earlier callback: skip it
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
        if reply.get("op") == Op.CALLBACK_RETURN and reply.get("id") == ident:
            return wire.decode(reply.get("value"), resolve=self.remote)
        if reply.get("fallback"):
            raise NoAnswer(name)
        raise RuntimeError(text_of(reply.get("message", f"the function {name} given to you failed")))

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
    preload(setup.get("preload", []))
    _seed_everything(int(setup.get("seed", 0)))
    channel.send({"op": Op.READY, "pid": os.getpid()})
    me = os.getpid()
    while True:
        try:
            request = channel.receive()
        except EOFError:
            return
        op = request.get("op")
        if op == Op.CELL:
            reply = {"op": Op.CELL_DONE, **executor.run_cell(int(request["n"]), str(request["source"]), request.get("timeout"))}
        elif op == Op.DEFINED:
            reply = {"op": Op.DEFINED, "names": executor.defined()}
        elif op == Op.CALL:
            reply = _serve_call(executor, channel, request)
        elif op == Op.EXIT:
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
                 "message": f"the returned value is too large to send back to the grader ({text_of(exc)}); "
                            "return only what the docstring asks for"}
        frame = wire.encode_frame({"op": reply.get("op"), "id": reply.get("id"), "status": CallStatus.RAISED, "error": error,
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
        error = {"type": type(exc).__name__, "message": "the returned value could not be sent back: " + text_of(exc),
                 "frames": []}
        reply = {"status": CallStatus.RAISED, "error": error, "stdout": reply.get("stdout", "")}
    return {"op": Op.REPLY, "notes": notes, **reply}


def preload(modules: Any) -> None:
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

