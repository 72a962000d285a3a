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
from .read import parse_cell

__all__ = ["Policy", "parse_policies", "violations"]

_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


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
    definitions, aliases = _index(tuple(sources))
    found: list[str] = []
    for node in _reachable(definitions, function):
        found += _forbidden_uses(node, policy.forbid, aliases)
        if policy.vectorised:
            found += [f"uses a Python loop in {node.name} (line {loop.lineno}); this exercise asks for vectorised numpy code"
                      for loop in ast.walk(node) if isinstance(loop, _LOOPS)]
    return list(dict.fromkeys(found))


@functools.lru_cache(maxsize=4)
def _index(sources: tuple[str, ...]) -> tuple[dict[str, ast.FunctionDef], dict[str, str]]:
    """The notebook's function definitions and import aliases, parsed once per submission (read-only)."""
    definitions: dict[str, ast.FunctionDef] = {}
    aliases: dict[str, str] = {}
    for tree in (parse_cell(source) for source in sources):
        for node in tree.body if tree else ():
            if isinstance(node, ast.FunctionDef):
                definitions[node.name] = node  # the last definition wins, as when the notebook runs
        _collect_aliases(tree, aliases)
    return definitions, aliases


def _collect_aliases(tree: ast.AST | None, aliases: dict[str, str]) -> None:
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    aliases[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"


def _reachable(definitions: dict[str, ast.FunctionDef], start: str) -> list[ast.FunctionDef]:
    seen, queue = [], [start]
    while queue:
        name = queue.pop()
        node = definitions.get(name)
        if node is None or node in seen:
            continue
        seen.append(node)
        queue += [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in definitions]
    return seen


def _forbidden_uses(function: ast.FunctionDef, forbid: tuple[str, ...], aliases: dict[str, str]) -> list[str]:
    found = []
    for node in ast.walk(function):
        dotted = _dotted(node)
        if dotted is None:
            continue
        head, _, rest = dotted.partition(".")
        resolved = aliases.get(head, head) + (f".{rest}" if rest else "")
        for name in forbid:
            if resolved == name or resolved.startswith(name + "."):
                line = getattr(node, "lineno", function.lineno)
                found.append(f"uses {name} in {function.name} (line {line}), which this exercise forbids")
    return found


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None
