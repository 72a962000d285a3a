"""What the trusted side and the sandboxed child say to each other: every message's op and fields.

Both sides import this module, so it imports the standard library only. A message is a JSON object
sent as one frame (:mod:`autograder.wire`: a 4-byte length, then UTF-8 JSON); values inside it are
encoded by the wire codec. The shapes below are what each side sends; the receiving side trusts
none of it (the child's replies are checked field by field where they are read).

Trusted side → child (``autograder.sandbox.process.Child``, ``autograder.child.server.serve``)::

    {"op": "setup", "seed", "preload", "output_limit", "limits"}        → {"op": "ready", "pid"}
    {"op": "cell", "id", "n", "source", "timeout"}                      → {"op": "cell_done", "id", "n", "status",
                                                                           "error", "stdout", "elapsed"}
    {"op": "defined", "id"}                                             → {"op": "defined", "id", "names"}
    {"op": "call", "id", "target", "args", "kwargs", "overrides",       → {"op": "reply", "id", "status", "value",
     "timeout", "np_seed", "want_args"}                                    "args_after", "stdout", "error", "notes"}
    {"op": "exit"}

While a call runs, the child may call back a trusted function it was handed (a check's function,
a building block)::

    {"op": "callback", "id", "h", "args", "kwargs"}    → {"op": "callback_return", "id", "value"}
                                                         or {"op": "callback_raise", "id", "message", "fallback"}

Trusted side → a sandbox's zygote (``autograder.sandbox.zygote.Zygote``, ``autograder.child.zygote``),
over a socket, the fork request carrying the new child's two pipe ends and log as descriptors::

    {"op": "setup", "preload"}    → {"op": "ready", "pid"}
    {"op": "fork"} + 3 fds        → {"op": "forked", "pid", "clean"}
    {"op": "wait", "seconds"}     → {"op": "status", "status"}
    {"op": "reset"}               → {"op": "status", "status", "clean", "peak_kb", "zygote_kb"}
    anything else                 → {"op": "unknown"}
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CallStatus", "CellStatus", "Op"]


class Op(StrEnum):
    """A message's ``op``."""

    SETUP = "setup"
    READY = "ready"
    CELL = "cell"
    CELL_DONE = "cell_done"
    DEFINED = "defined"
    CALL = "call"
    REPLY = "reply"
    EXIT = "exit"
    CALLBACK = "callback"
    CALLBACK_RETURN = "callback_return"
    CALLBACK_RAISE = "callback_raise"
    FORK = "fork"
    FORKED = "forked"
    WAIT = "wait"
    STATUS = "status"
    RESET = "reset"
    UNKNOWN = "unknown"


class CellStatus(StrEnum):
    """How a notebook cell ended (``cell_done``'s ``status``)."""

    OK = "ok"
    ERROR = "error"  # it raised; the next cell still runs
    TIMEOUT = "timeout"  # its time ran out


class CallStatus(StrEnum):
    """How a call ended (``reply``'s ``status``)."""

    RETURNED = "returned"
    RAISED = "raised"
    TIMEOUT = "timeout"
    MISSING = "missing"  # no such function in the notebook
