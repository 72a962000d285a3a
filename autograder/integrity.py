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
from collections.abc import Iterable
from typing import NamedTuple

from .config import Assignment
from .read import Notebook, all_nodes, nbgrader_cells, parse_cell, why_unparsed
from .source import aliases_in, resolved

__all__ = ["notes_for"]

# Findings of cells this small are cached: the release's own cells recur in every submission. A
# larger cell is one student's own, and caching it would only hold its text.
CACHED_CELL_CHARS = 20_000
CACHED_CELLS = 1024  # so the cache holds at most about 20 MB of source
MAX_CODE_NOTES = 20  # distinct findings listed; more would bury the ones that matter
MAX_LISTED_CELLS = 10  # cell numbers listed in one note
MAX_SHOWN_CHARS = 60  # of a name or a path quoted in a note

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
    found: dict[str, list[int]] = {}
    unanalysed: dict[str, list[int]] = {}
    defined: set[str] = set()
    for cell in notebook.cells:  # one pass, each cell parsed once
        analysis = _analysis(cell.source)
        for what in analysis.findings:
            found.setdefault(what, []).append(cell.number)
        if analysis.unparsed:
            unanalysed.setdefault(analysis.unparsed, []).append(cell.number)
        defined.update(analysis.functions)
    notes = _code_notes(found)
    notes += [f"integrity: {_cells(cells)} could not be analysed ({why}); the code ran, but nothing checked it for "
              "suspicious calls or the exercise's rules" for why, cells in unanalysed.items()]
    notes += _locked_cell_notes(notebook, assignment)
    if notebook.kernel and not notebook.kernel.startswith("python"):
        notes.append(f"integrity: the notebook names the kernel {_shown(notebook.kernel)!r}; "
                     "it was graded with Python regardless")
    notes += _other_assignment_note(defined, assignment)
    return notes


def _code_notes(found: dict[str, list[int]]) -> list[str]:
    notes = [f"integrity: the code {what} ({_cells(cells)})" for what, cells in list(found.items())[:MAX_CODE_NOTES]]
    if len(found) > MAX_CODE_NOTES:
        notes.append(f"integrity: and {len(found) - MAX_CODE_NOTES} more findings of the same kinds")
    return notes


def _cells(numbers: list[int]) -> str:
    distinct = list(dict.fromkeys(numbers))
    shown = ", ".join(str(n) for n in distinct[:MAX_LISTED_CELLS])
    more = f" and {len(distinct) - MAX_LISTED_CELLS} more" if len(distinct) > MAX_LISTED_CELLS else ""
    return f"cell{'s' if len(distinct) > 1 else ''} {shown}{more}"


def _shown(text: str) -> str:
    return text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + "..."


class _Analysis(NamedTuple):
    findings: tuple[str, ...]  # what deserves a note
    functions: tuple[str, ...]  # the functions the cell defines at top level
    unparsed: str  # why a cell that may run could not be analysed ('' when it was, or is a syntax error)


def _analysis(source: str) -> _Analysis:
    return _cached_analysis(source) if len(source) <= CACHED_CELL_CHARS else _analyse(source)


@functools.lru_cache(maxsize=CACHED_CELLS)
def _cached_analysis(source: str) -> _Analysis:
    return _analyse(source)


def _analyse(source: str) -> _Analysis:
    tree = parse_cell(source)
    if tree is None:
        return _Analysis((), (), why_unparsed(source))
    functions = tuple(n.name for n in tree.body if isinstance(n, ast.FunctionDef))
    return _Analysis(tuple(dict.fromkeys(_suspicious(tree))), functions, "")


def _suspicious(tree: ast.AST) -> Iterable[str]:
    nodes = all_nodes(tree)
    aliases = aliases_in(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in SUSPICIOUS_MODULES:
                    yield f"imports {top}, which {SUSPICIOUS_MODULES[top]}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            if top in SUSPICIOUS_MODULES:
                yield f"imports {top}, which {SUSPICIOUS_MODULES[top]}"
            if top == "builtins":
                yield "imports from builtins"
    libraries = {v.split(".")[0] for v in aliases.values()}
    for node in nodes:
        if isinstance(node, (ast.Name, ast.Attribute)):
            dotted = resolved(node, aliases)
            if dotted in SUSPICIOUS_CALLS:
                yield f"uses {dotted}, which {SUSPICIOUS_CALLS[dotted]}"
            elif dotted and dotted.startswith("builtins.") and isinstance(node.ctx, ast.Store):
                yield f"assigns {_shown(dotted)}, which changes Python's built-ins"
            elif dotted == "sys.modules":
                yield "uses sys.modules, which reaches into loaded modules"
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                replaced = resolved(target, aliases) if isinstance(target, ast.Attribute) else None
                if replaced and replaced.split(".")[0] in libraries:
                    yield f"replaces {_shown(replaced)}, part of an imported library"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _looks_like_a_path(node.value):
            yield f"mentions the path {node.value[:60]!r}"


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
    if assignment.release_dir is None:
        return {}
    return {c.grade_id: (c.source, c.points) for c in nbgrader_cells(assignment.release_dir / assignment.notebook)
            if (c.grade or c.locked) and not c.solution}


def _other_assignment_note(defined: set[str], assignment: Assignment) -> list[str]:
    if defined and not defined & set(assignment.exercises):
        shown = ", ".join(_shown(name) for name in sorted(defined)[:6])
        return [f"this notebook defines none of {assignment.name}'s functions (it defines {shown}); "
                "is it the notebook of another assignment?"]
    return []
