"""Rules an exercise may set on *how* it is solved, checked on the code, never by running it.

``assignment.toml`` sets them per exercise::

    [policy.backward_propagation]
    forbid = ["jax.grad", "numpy.gradient"]   # derive the gradient by hand
    vectorised = true                         # no Python loops: numpy does the work

Names are resolved through the notebook's imports (``np.gradient`` is ``numpy.gradient`` after
``import numpy as np``; ``grad`` is ``jax.grad`` after ``from jax import grad``), and the rules
apply to the exercise's function and to every notebook function it calls. A broken rule is a
verdict ("rule broken: ..."), not a crash. Static analysis can be evaded by a determined student
(``getattr(jax, "gr" + "ad")``); SECURITY.md says so.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InstructorError
from .read import all_nodes, parse_cell
from .source import aliases_in, dotted

__all__ = ["Policy", "parse_policies", "violations"]

_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
MAX_REPORTED = 10  # rule breaks listed for one exercise; the rest are counted
MAX_SHOWN_CHARS = 60  # of a function name quoted in a verdict
# No library path a rule names is this long; longer chains are still searched through their
# prefixes, and the bound keeps the walk linear however long a chain a notebook writes.


@dataclass(frozen=True)
class Policy:
    forbid: tuple[str, ...] = ()
    vectorised: bool = False


def parse_policies(table: Mapping[str, Any], source: str) -> dict[str, Policy]:
    """``[policy.<exercise>]`` tables → policies; bad keys or values name their source."""
    policies = {}
    for exercise, settings in table.items():
        if not isinstance(settings, dict) or set(settings) - {"forbid", "vectorised"}:
            raise InstructorError(f"[policy.{exercise}] in {source} may only set `forbid` (a list of names) "
                                  "and `vectorised` (true or false)")
        forbid = settings.get("forbid", [])
        if not isinstance(forbid, list) or not all(isinstance(f, str) for f in forbid):
            raise InstructorError(f"[policy.{exercise}] forbid in {source} must be a list of dotted names")
        if not isinstance(settings.get("vectorised", False), bool):
            raise InstructorError(f"[policy.{exercise}] vectorised in {source} must be true or false")
        policies[exercise] = Policy(tuple(forbid), settings.get("vectorised", False))
    return policies


def violations(sources: Iterable[str], function: str, policy: Policy) -> list[str]:
    """What ``function`` (and the notebook functions it calls) does that ``policy`` forbids."""
    functions, aliases = _index(tuple(sources))
    found: list[str] = []
    for summary in _reachable(functions, function):
        found += _forbidden_uses(summary, policy.forbid, aliases)
        if policy.vectorised:
            found += [f"uses a Python loop in {_shown(summary.name)} (line {line}); this exercise asks for vectorised "
                      "numpy code" for line in summary.loops]
    found = list(dict.fromkeys(found))
    if len(found) > MAX_REPORTED:
        return [*found[:MAX_REPORTED], f"and {len(found) - MAX_REPORTED} more like these"]
    return found


@dataclass(frozen=True)
class _Function:
    """What the rules need from one function, kept instead of its syntax tree: the trees of a large
    notebook weigh a hundred times its source, and this index outlives the call that built it."""

    name: str
    names: tuple[str, ...]  # the plain names it mentions, ordered by their last mention (as calls are followed)
    dotted: tuple[tuple[str, int], ...]  # every dotted name it uses, with its line
    loops: tuple[int, ...]  # the lines of its loops and comprehensions


@functools.lru_cache(maxsize=1)
def _index(sources: tuple[str, ...]) -> tuple[dict[str, _Function], dict[str, str]]:
    """The notebook's functions and import aliases, found once per submission (one submission is
    checked at a time, so only the last one is kept)."""
    functions: dict[str, _Function] = {}
    aliases: dict[str, str] = {}
    for tree in (parse_cell(source) for source in sources):
        for node in tree.body if tree else ():
            if isinstance(node, ast.FunctionDef):
                functions[node.name] = _summary(node)  # the last definition wins, as when the notebook runs
        aliases_in(tree, aliases)
    return functions, aliases


def _summary(function: ast.FunctionDef) -> _Function:
    nodes = all_nodes(function)
    names = [n.id for n in nodes if isinstance(n, ast.Name)]
    dotted_names = ((dotted(n), getattr(n, "lineno", function.lineno)) for n in nodes)
    return _Function(
        name=function.name,
        names=tuple(reversed(dict.fromkeys(reversed(names)))),
        dotted=tuple(dict.fromkeys((name, line) for name, line in dotted_names if name is not None)),
        loops=tuple(n.lineno for n in nodes if isinstance(n, _LOOPS)),
    )


def _reachable(functions: dict[str, _Function], start: str) -> list[_Function]:
    seen: dict[str, _Function] = {}
    queue = [start]
    while queue:
        name = queue.pop()
        summary = functions.get(name)
        if summary is None or name in seen:
            continue
        seen[name] = summary
        queue += [n for n in summary.names if n in functions]
    return list(seen.values())


def _forbidden_uses(function: _Function, forbid: tuple[str, ...], aliases: dict[str, str]) -> list[str]:
    found = []
    for name_used, line in function.dotted:
        head, _, rest = name_used.partition(".")
        resolved = aliases.get(head, head) + (f".{rest}" if rest else "")
        for name in forbid:
            if resolved == name or resolved.startswith(name + "."):
                found.append(f"uses {name} in {_shown(function.name)} (line {line}), which this exercise forbids")
    return found


def _shown(name: str) -> str:
    return name if len(name) <= MAX_SHOWN_CHARS else name[:MAX_SHOWN_CHARS] + "..."
