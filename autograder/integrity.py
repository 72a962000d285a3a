"""What the instructor should know about a submission beyond its score.

Nothing here changes a score: the sandbox and the trusted checks already decide that. These are
*notes*, computed on the trusted side from the file itself (never from what the student's process
reports): code that reaches for the grader's surroundings (killing processes, opening sockets,
reading absolute paths, walking ``gc``), nbgrader cells that were edited (a grade cell's points,
a locked cell's code), a kernel that is not Python, and a notebook that seems to belong to another
assignment.
"""

from __future__ import annotations

import ast
import functools
import json
from collections.abc import Iterable
from pathlib import Path

from .config import Assignment
from .read import Notebook, parse_cell

__all__ = ["notes_for"]

# Dotted names (after import aliases) that have no place in a calculus exercise.
SUSPICIOUS_CALLS = {
    "os.kill": "sends signals to processes", "os.killpg": "sends signals to process groups",
    "os._exit": "ends its process abruptly", "sys.exit": "ends its process", "os.fork": "forks processes",
    "os.system": "runs shell commands", "os.popen": "runs shell commands", "os.chdir": "changes directory",
    "os.remove": "deletes files", "os.unlink": "deletes files", "os.rmdir": "deletes folders",
    "shutil.rmtree": "deletes folder trees", "os.walk": "walks the file system", "os.listdir": "lists folders",
    "gc.get_objects": "searches the interpreter's memory", "gc.get_referrers": "searches the interpreter's memory",
    "sys.setrecursionlimit": "changes the recursion limit", "builtins": "changes Python's built-ins",
    "eval": "evaluates strings as code", "exec": "executes strings as code", "__import__": "imports by name",
}
SUSPICIOUS_MODULES = {
    "socket": "opens network connections", "subprocess": "starts programs", "ctypes": "calls C code directly",
    "multiprocessing": "starts processes", "signal": "handles signals", "threading": "starts threads",
    "urllib": "fetches URLs", "requests": "fetches URLs", "http": "speaks HTTP", "pty": "opens terminals",
    "resource": "changes resource limits", "importlib": "imports by name", "pickle": "unpickles data",
}
SUSPICIOUS_TEXT = ("solutions/", "checks_hidden", "gradebook", "public_cases")


def _looks_like_a_path(text: str) -> bool:
    """An absolute path outside /tmp, or one naming the grader's files."""
    if " " in text or "\n" in text or len(text) > 300:
        return False
    absolute = text.startswith("/") and text.count("/") >= 2 and not text.startswith("/tmp/")
    return absolute or any(marker in text for marker in SUSPICIOUS_TEXT)


def notes_for(notebook: Notebook, assignment: Assignment) -> list[str]:
    """Integrity notes about ``notebook`` as a submission for ``assignment``."""
    notes = _code_notes(notebook)
    notes += _locked_cell_notes(notebook, assignment)
    if notebook.kernel and not notebook.kernel.startswith("python"):
        notes.append(f"integrity: the notebook names the kernel {notebook.kernel!r}; it was graded with Python regardless")
    notes += _other_assignment_note(notebook, assignment)
    return notes


def _code_notes(notebook: Notebook) -> list[str]:
    found: dict[str, list[int]] = {}
    for cell in notebook.cells:
        for what in _cell_findings(cell.source):
            found.setdefault(what, []).append(cell.number)
    return [f"integrity: the code {what} (cell{'s' if len(cells) > 1 else ''} {_cells(cells)})"
            for what, cells in found.items()]


def _cells(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in dict.fromkeys(numbers))


@functools.lru_cache(maxsize=4096)
def _cell_findings(source: str) -> tuple[str, ...]:
    """What one cell's code does that deserves a note (cached: most cells are the release's own)."""
    tree = parse_cell(source)
    return tuple(_suspicious(tree)) if tree is not None else ()


def _suspicious(tree: ast.AST) -> Iterable[str]:
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
                top = alias.name.split(".")[0]
                if top in SUSPICIOUS_MODULES:
                    yield f"imports {top}, which {SUSPICIOUS_MODULES[top]}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            if top in SUSPICIOUS_MODULES:
                yield f"imports {top}, which {SUSPICIOUS_MODULES[top]}"
            if top == "builtins":
                yield "imports from builtins"
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                replaced = _resolved(target, aliases) if isinstance(target, ast.Attribute) else None
                if replaced and replaced.split(".")[0] in {v.split(".")[0] for v in aliases.values()}:
                    yield f"replaces {replaced}, part of an imported library"
        dotted = _resolved(node, aliases)
        if dotted in SUSPICIOUS_CALLS and isinstance(node, (ast.Name, ast.Attribute)):
            yield f"uses {dotted}, which {SUSPICIOUS_CALLS[dotted]}"
        elif dotted and dotted.startswith("builtins.") and isinstance(getattr(node, "ctx", None), ast.Store):
            yield f"assigns {dotted}, which changes Python's built-ins"
        elif dotted == "sys.modules":
            yield "uses sys.modules, which reaches into loaded modules"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _looks_like_a_path(node.value):
            yield f"mentions the path {node.value[:60]!r}"


def _resolved(node: ast.AST, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        inner = _resolved(node.value, aliases)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _locked_cell_notes(notebook: Notebook, assignment: Assignment) -> list[str]:
    """Grade and locked cells whose points or code differ from the release notebook's."""
    release = _release_cells(assignment)
    if not release:
        return []
    notes = []
    for cell in notebook.locked:
        original = release.get(cell.grade_id)
        if original is None:
            notes.append(f"integrity: the notebook has a grade or locked cell {cell.grade_id!r} that the release does not")
            continue
        if cell.points is not None and original[1] is not None and cell.points != original[1]:
            notes.append(f"integrity: grade cell {cell.grade_id!r} claims {cell.points:g} points, the release gives "
                         f"{original[1]:g}; points come from the checks, so this changed nothing")
        if cell.source.strip() != original[0].strip():
            notes.append(f"integrity: locked cell {cell.grade_id!r} was edited; the grader does not run "
                         "the notebook's grade cells, so this changed nothing")
    return notes


def _release_cells(assignment: Assignment) -> dict[str, tuple[str, float | None]]:
    path = assignment.release_dir / assignment.notebook if assignment.release_dir else None
    if path is None or not path.exists():
        return {}
    from .read import _locked_cell

    cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    return {c.grade_id: (c.source, c.points) for c in filter(None, map(_locked_cell, cells))}


def _other_assignment_note(notebook: Notebook, assignment: Assignment) -> list[str]:
    defined: set[str] = set()
    for tree in filter(None, (parse_cell(cell.source) for cell in notebook.cells)):
        defined.update(n.name for n in tree.body if isinstance(n, ast.FunctionDef))
    if defined and not defined & set(assignment.exercises):
        shown = ", ".join(sorted(defined)[:6])
        return [f"this notebook defines none of {assignment.name}'s functions (it defines {shown}); "
                "is it the notebook of another assignment?"]
    return []
