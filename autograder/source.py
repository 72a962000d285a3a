"""What a notebook's code says, read without running it: import aliases, dotted names, definitions.

The one source analyser of the trusted side: integrity notes (:mod:`autograder.integrity`), the
exercise rules (:mod:`autograder.policy`), the hints that read code (:mod:`autograder.hints`), the
cells run in part after a hang (:mod:`autograder.sandbox.cells`) and the checks' ``source_of`` all
go through it. Cells are parsed by :func:`autograder.read.parse_cell` (bounded and cached); nothing
here recurses over a tree, so a chain of a hundred thousand attributes costs no more than a walk.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from .read import all_nodes, parse_cell

__all__ = ["MAX_DOTTED_PARTS", "aliases_in", "definitions_only", "dotted", "function_named", "functions_in", "local_names",
           "resolved", "top_level_names"]

# Attribute chains followed when naming what code uses: ``numpy.linalg.norm`` has three parts; a
# longer chain's shorter prefixes are nodes of their own, so a name at its start is still found.
MAX_DOTTED_PARTS = 10
_FUNCTIONS_AND_CLASSES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_DEFINITIONS = (ast.Import, ast.ImportFrom, *_FUNCTIONS_AND_CLASSES)


def aliases_in(tree: ast.AST | None, into: dict[str, str] | None = None) -> dict[str, str]:
    """The names the code's imports bind, each to the dotted name it stands for: ``np`` → ``numpy``
    after ``import numpy as np``, ``grad`` → ``jax.grad`` after ``from jax import grad``."""
    aliases = into if into is not None else {}
    for node in all_nodes(tree) if tree is not None else ():
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                aliases[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def dotted(node: ast.AST) -> str | None:
    """'np.gradient' for that chain of attributes on a name; None for anything else, or for a chain
    longer than :data:`MAX_DOTTED_PARTS`."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute) and len(parts) < MAX_DOTTED_PARTS:
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def resolved(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """The dotted name through the imports: 'numpy.linalg.norm' for ``np.linalg.norm``."""
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    return aliases.get(head, head) + (f".{rest}" if rest else "")


def functions_in(sources: Iterable[str]) -> dict[str, ast.FunctionDef]:
    """The top-level functions the cells define, by name; the last definition wins, as when they run."""
    found: dict[str, ast.FunctionDef] = {}
    for tree in filter(None, map(parse_cell, sources)):
        found.update((node.name, node) for node in tree.body if isinstance(node, ast.FunctionDef))
    return found


def function_named(sources: Iterable[str], name: str) -> ast.FunctionDef | None:
    """The last top-level ``def name`` of the cells, parsed (never executed)."""
    return functions_in(sources).get(name)


def top_level_names(sources: Iterable[str]) -> set[str]:
    """Names bound to data at the top level of the notebook (not functions, classes or imports)."""
    names: set[str] = set()
    for tree in filter(None, map(parse_cell, sources)):
        for node in tree.body:
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                targets = [node.target]
            elif isinstance(node, (ast.For, ast.With)):
                targets = [node.target] if isinstance(node, ast.For) else [i.optional_vars for i in node.items if i.optional_vars]
            for target in targets:
                names.update(n.id for n in all_nodes(target) if isinstance(n, ast.Name))
    return names


def local_names(function: ast.FunctionDef) -> set[str]:
    """The names a function binds itself: its parameters and what it assigns (minus its globals)."""
    args = function.args
    local = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    local.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    for node in all_nodes(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            local.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)) and node is not function:
            inner = node.args
            local.update(a.arg for a in (*inner.posonlyargs, *inner.args, *inner.kwonlyargs))
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            local.difference_update(node.names)
    return local


def definitions_only(source: str) -> str:
    """A cell's imports and function and class definitions, without its top-level work."""
    tree = parse_cell(source)
    if tree is None:
        return ""
    kept: list[ast.stmt] = [node for node in tree.body if isinstance(node, _DEFINITIONS)]
    return ast.unparse(ast.Module(body=kept, type_ignores=[])) if kept else ""
