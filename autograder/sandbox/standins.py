"""The trusted functions handed to one call of a student's function, and what they may answer.

A check can judge a composite function (``nn_model``, ``predict``) on its own logic by replacing
the notebook's building blocks with the reference's for the call::

    nn_model = submission.nn_model.with_options(replace=reference.blocks(BUILDING_BLOCKS, np_seed=...))

Those stand-ins answer from the trusted side, so they must not become a way to get answers
without the maths (DESIGN.md, invariant 7). Two rules make sure they cannot:

* **Only for the call that received them.** Each call registers its trusted functions under fresh
  handles and forgets them when it returns: a stand-in the student's code kept (in a global, a
  closure) answers nothing afterwards, so it cannot pass another exercise's check.
* **Only what the reference's own computation asks.** Before the call, the reference's composite
  is run on the same inputs with its building blocks traced (:meth:`Oracle.trace`, at every
  depth): a stand-in answers a question only if the reference asked it (within
  ``TOLERANCE["same_question"]``). Anything else falls back to the student's own function, as if
  no stand-in were there. A right composite asks exactly what the reference asks; a wrong one still
  runs, on the student's own blocks.

A replacement that is not a reference building block (a plain function of the check) is simply
handed over for the call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import InstructorError, LeftToStudent
from ..oracle import Block, QuestionIndex

__all__ = ["NotAsked", "StandIns", "block_of"]


class NotAsked(LeftToStudent):
    """A stand-in was asked something the reference's computation does not ask: the student's own
    function answers instead."""


def block_of(function: Callable[..., Any]) -> Block | None:
    """The reference building block behind a replacement, if it is one."""
    block = getattr(function, "block", None)
    return block if isinstance(block, Block) else None


class StandIns:
    """The replacements for one call of ``target``: traced reference blocks and plain functions.

    ``calls`` keeps every call the student's code made to each stand-in (its arguments, bound in
    parameter order with defaults filled in, or as given when they do not fit the block's parameters),
    answered or not; ``unanswered`` the blocks it asked something off the trace."""

    def __init__(self, target: str | int, args: tuple[Any, ...], kwargs: dict[str, Any], np_seed: int | None,
                 replace: Mapping[str, Callable[..., Any]]) -> None:
        self.target = target
        self.blocks = {name: block for name, function in replace.items() if (block := block_of(function)) is not None}
        self.plain = {name: function for name, function in replace.items() if name not in self.blocks}
        self.calls: dict[str, list[list[Any]]] = {}
        self.unanswered: list[str] = []
        self.allowed: dict[str, QuestionIndex] = {}
        if self.blocks:
            self._trace(target, args, kwargs, np_seed)

    def _trace(self, target: str | int, args: tuple[Any, ...], kwargs: dict[str, Any], np_seed: int | None) -> None:
        oracles = {id(block.oracle): block.oracle for block in self.blocks.values()}
        if len(oracles) != 1 or not isinstance(target, str):
            raise InstructorError("building blocks handed to a student's function must all come from one oracle "
                                  "(the reference), and the function must be one of the notebook's by name")
        oracle = next(iter(oracles.values()))
        asked = oracle.trace(target, {name: block.np_seed for name, block in self.blocks.items()}, np_seed, args, kwargs)
        for name, bound in asked:
            self.allowed.setdefault(name, QuestionIndex()).add(bound, bound)

    def hint(self) -> str | None:
        """What to tell a student whose function asked its building blocks what a right one does not."""
        if not self.unanswered or not isinstance(self.target, str):
            return None
        names = ", ".join(self.unanswered)
        return (f"Your {self.target} called {names} with arguments that a correct {self.target} does not pass at that "
                f"point (so your own {names} answered those calls): compare what it passes, and in which order, with "
                "the exercise's steps.")

    def functions(self) -> dict[str, Callable[..., Any]]:
        """What the call's namespace gets in place of the notebook's functions of these names; for each
        reference block also ``name/vjp`` and ``name/shape``, with which the child lets the block answer
        inside jax.grad and vmap (its value and its vector-Jacobian product at concrete points)."""
        functions = {**self.plain}
        for name in self.blocks:
            functions.update({name: self._stand_in(name), f"{name}/vjp": self._vjp(name), f"{name}/shape": self._shape(name)})
        return functions

    def _vjp(self, name: str) -> Callable[..., Any]:
        block = self.blocks[name]

        def vjp(primals: list[Any], cotangent: Any) -> Any:
            bound = block.oracle.bind(name, list(primals), {})
            asked = self.allowed.get(name)
            traced = asked.find(bound) if asked is not None else None
            if traced is None:
                raise NotAsked(name)
            return block.oracle.vjp(name, traced, cotangent)

        return vjp

    def _shape(self, name: str) -> Callable[..., Any]:
        block = self.blocks[name]

        def shape(specs: list[list[Any]]) -> Any:
            return block.oracle.shape(name, specs)

        return shape

    def _stand_in(self, name: str) -> Callable[..., Any]:
        block = self.blocks[name]

        def stand_in(*args: Any, **kwargs: Any) -> Any:
            try:
                bound = block.oracle.bind(name, args, kwargs)
            except TypeError:  # arguments the block does not take: the student's own function will say so
                self._note(name, [*args, *kwargs.values()], answered=False)
                raise NotAsked(name) from None
            asked = self.allowed.get(name)
            traced = asked.find(bound) if asked is not None else None
            self._note(name, bound, answered=traced is not None)
            if traced is None:
                raise NotAsked(name)
            return block.oracle.ask(name, block.np_seed, traced, {})

        stand_in.__name__ = name
        return stand_in

    def _note(self, name: str, bound: list[Any], answered: bool) -> None:
        self.calls.setdefault(name, []).append(bound)
        if not answered and name not in self.unanswered:
            self.unanswered.append(name)
