"""The notebook's namespace, and calls into it: what runs beside student code, cell by cell.

:class:`Executor` executes a submission's cells one by one (a cell that raises is recorded and the
next one still runs), then answers calls to the names the cells defined, with the trusted side's
building blocks standing in for the notebook's own where a check asks. It knows nothing about the
answers: like all of :mod:`autograder.child`, it imports no checks, no reference and no numerics,
only :mod:`autograder.wire`, :mod:`autograder.protocol` and the standard library (numpy and JAX
when the notebook has them). It runs in the sandboxed child (:mod:`autograder.child.server`), and
in-process for self-checks in the student's own kernel, where no isolation is needed.
"""

from __future__ import annotations

import builtins
import io
import linecache
import signal
import sys
import time
import traceback
import types
from collections.abc import Callable
from typing import Any

from ..protocol import CallStatus, CellStatus

__all__ = ["CallTimedOut", "CappedWriter", "Executor", "NoAnswer", "close_figures", "describe_error", "text_of"]

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


def text_of(value: Any, limit: int = MAX_MESSAGE) -> str:
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
        "message": text_of(exc),
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
        status, error = CellStatus.OK, None
        started = time.perf_counter()
        try:
            code = compile(source, filename, "exec")
            with _redirect(out), _Deadline(timeout):
                exec(code, self.namespace)
        except CallTimedOut as exc:
            status, error = CellStatus.TIMEOUT, describe_error(exc)  # its frames: where the cell was stuck
        except BaseException as exc:  # noqa: BLE001 - any failure of student code is a verdict
            status, error = CellStatus.ERROR, describe_error(exc)
        finally:
            close_figures()
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
            return {"status": CallStatus.MISSING, "stdout": ""}
        if np_seed is not None:
            _seed_numpy(np_seed)
        out = CappedWriter(self.output_limit)
        saved = self._override(overrides or {})
        started = time.perf_counter()
        try:
            with _redirect(out), _Deadline(timeout):
                value = function(*args, **kwargs)
        except CallTimedOut:
            return {"status": CallStatus.TIMEOUT, "stdout": out.text(), "elapsed": time.perf_counter() - started}
        except BaseException as exc:  # noqa: BLE001
            error = describe_error(exc)
            if isinstance(exc, NotImplementedError):
                error["stub"] = self._raising_function(exc, saved)
            return {"status": CallStatus.RAISED, "error": error, "stdout": out.text(),
                    "elapsed": time.perf_counter() - started}
        finally:
            self._restore(saved)
        reply = {"status": CallStatus.RETURNED, "value": value, "stdout": out.text(), "elapsed": time.perf_counter() - started}
        if want_args:
            reply["args_after"] = [list(args), dict(kwargs)]
        return reply

    def _raising_function(self, exc: BaseException, saved: dict[str, Any]) -> str | None:
        """The notebook's function the exception came out of (innermost first): a stub still raising.
        ``saved``: the notebook's own functions that trusted blocks stand in for during the call."""
        own = {value.__code__: name for name, value in [*self.namespace.items(), *saved.items()]
               if isinstance(value, types.FunctionType)}
        frames = [frame for frame, _ in traceback.walk_tb(exc.__traceback__)]
        return next((own[frame.f_code] for frame in reversed(frames) if frame.f_code in own), None)

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


def close_figures() -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        try:
            pyplot.close("all")
        except BaseException:  # noqa: BLE001
            pass

