"""Read a submission file into the ordered code cells the child will run.

Accepted: a Jupyter notebook of nbformat 4 (any layout, with or without nbgrader metadata; an
nbformat 3 notebook is converted) or a Python script (split into cells at ``# %%`` and nbconvert's
``# In[ ]:`` lines, else statement by statement). IPython syntax (``%magic``, ``%%cell magic``,
``!shell``) is rewritten by IPython's own transformer into calls on ``get_ipython()``, which does
nothing in the grading child: the magics and shell escapes are dropped without breaking the code
around them. Cell numbers are positions in the notebook (1-based, markdown cells included), as a
student counts them; a script's cells are numbered in order and know the line they start on.

This runs on the trusted side on whatever a student sent, so every step is bounded before it is
taken: only a regular file is opened (never a link, a pipe or a device), its size is checked before
it is read, the JSON's nesting and number of values are counted before it is parsed, and the code
is capped in cells and characters. Whatever is refused raises :class:`UnreadableSubmission` with
what to fix; the batch goes on.
"""

from __future__ import annotations

import ast
import json
import os
import re
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UnreadableSubmission
from .escape import clean

__all__ = ["Cell", "LockedCell", "NbgraderCell", "Notebook", "all_nodes", "nbgrader_cell", "nbgrader_cells", "parse_cell",
           "read_submission", "why_unparsed"]

# Outputs (plots) are never used but may be large; past this the file is refused without reading it.
MAX_SUBMISSION_BYTES = 50 * 1024 * 1024
# A notebook nests 7 levels (cells, metadata, nbgrader), widget state a few more; json.loads
# recurses once per level, so a file nested thousands deep would exhaust the stack.
MAX_JSON_DEPTH = 64
# Objects and arrays: a notebook has about ten per cell; each costs 60 to 200 bytes once parsed, so
# a file of empty ``[]`` would grow thirty-fold in memory.
MAX_JSON_CONTAINERS = 200_000
# Strings, numbers and containers: every line of code or of printed output is one; each costs about
# 60 bytes once parsed, ten times what it takes in the file at worst.
MAX_JSON_ITEMS = 1_000_000
MAX_CELLS = 2_000  # of every kind; a course notebook has under 400
MAX_CODE_CELLS = 1_000  # a course notebook has under 200; each one is a round trip to the child
# One cell: a long one holds a few thousand characters; a syntax tree takes about 100 bytes per
# character, so this keeps one cell's tree near 20 MB.
MAX_CELL_CHARS = 200_000
# All the code: a course notebook has under 500 000 characters; parsing a million costs about
# 0.7 s and 100 MB of trees, and the checks walk them several times.
MAX_CODE_CHARS = 1_000_000
MAX_NAME_CHARS = 200  # a grade id or kernel name, which notes quote
# Python refuses more than 200 nested brackets itself; deeper trees come from long chains
# (a+b+...), and the trusted side walks trees with recursive code (ast.unparse takes about three
# frames per level against the interpreter's limit of 1000).
MAX_TREE_DEPTH = 200
# Parsed cells kept, in characters of source: one submission at the code limit fits, so the checks'
# repeated walks over the same cells (and the release's own cells, shared by every submission)
# never parse twice.
PARSE_CACHE_CHARS = MAX_CODE_CHARS

_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # O_NONBLOCK: a FIFO must not block the open
_BINARY_PROBE_BYTES = 8192  # a NUL byte this early means the file is not text
_FRESH_COPY = "download a fresh copy from Jupyter (File > Download) and submit that"
# A JSON string, or an unterminated one up to the end: the pattern always matches once it starts, so
# cutting strings out never retries (a retry from every quote would take quadratic time).
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\(?:.|\Z))*+(?:"|\Z)', re.DOTALL)
_JSON_BRACKETS = re.compile(rb"[\[{]+|[\]}]+")
_PERCENT_MARK = re.compile(r"# ?%%")  # VS Code, Spyder, jupytext
_NBCONVERT_MARK = re.compile(r"# In\[[ 0-9]*\]:\s*$")  # Jupyter's File > Save and Export as > Executable Script
# Lines that never start a top-level block after a blank line: indented code, and clauses that
# continue the statement above.
_CONTINUES = re.compile(r"[ \t]|(?:else|elif|except|finally)\b")
# A line IPython's transformer would rewrite: a magic or shell escape (%time, !ls, x = !ls), or help (x?).
_IPYTHON_LINE = re.compile(r"^[ \t]*[%!]|=[ \t]*[%!]|\?[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Cell:
    """One code cell: its position in the notebook, and the code the child will run."""

    number: int
    source: str
    grade_id: str | None = None
    line: int | None = None  # where a script's cell starts in the file (notebooks have no lines)

    @property
    def first_line(self) -> str:
        for line in self.source.splitlines():
            if line.strip():
                return line.strip()[:80]
        return ""

    @property
    def label(self) -> str:
        """How a message points at the cell: 'cell 3', or 'cell 3 (line 41)' in a script."""
        return f"cell {self.number}" + (f" (line {self.line})" if self.line is not None else "")


@dataclass(frozen=True)
class LockedCell:
    """A cell nbgrader marks as the instructor's (locked or grade): what the submission claims it is."""

    grade_id: str
    source: str
    points: float | None  # for grade cells


@dataclass(frozen=True)
class Notebook:
    """A submission as cells, plus remarks about how it was read."""

    path: Path
    cells: tuple[Cell, ...]
    notes: tuple[str, ...] = ()
    kernel: str = ""
    locked: tuple[LockedCell, ...] = ()  # compared with the release notebook: edits are integrity notes


def read_submission(path: Path) -> Notebook:
    """Read ``path``; raise :class:`UnreadableSubmission` saying what to fix."""
    path = Path(path)
    if path.suffix not in (".py", ".ipynb"):
        raise UnreadableSubmission(
            f"{_name(path)} is neither a notebook (.ipynb) nor a Python script (.py); submit the assignment's notebook"
        )
    raw = _read_bytes(path)
    if path.suffix == ".py":
        return _read_script(path, _decode_text(raw, path))
    return _read_notebook(path, raw)


def _name(path: Path) -> str:
    """A file name fit for a message: a name that is not UTF-8 must not break printing it."""
    return clean(path.name)


# ---------------------------------------------------------------------------- the file


def _read_bytes(path: Path) -> bytes:
    """The file's bytes: only a regular file, never through a link, its size checked before reading."""
    try:
        kind = _kind(os.lstat(path).st_mode)
        if kind:
            raise UnreadableSubmission(f"{_name(path)} is {kind}, not a file; submit the notebook file itself")
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise UnreadableSubmission(f"{clean(path)} cannot be opened ({exc.strerror}); check the path") from None
    with open(descriptor, "rb", buffering=0) as handle:
        info = os.fstat(descriptor)
        kind = _kind(info.st_mode)
        if kind:  # replaced between the two looks
            raise UnreadableSubmission(f"{_name(path)} is {kind}, not a file; submit the notebook file itself")
        if info.st_size > MAX_SUBMISSION_BYTES:
            raise UnreadableSubmission(_too_large(path, info.st_size))
        raw = _read_at_most(handle, info.st_size + 1)  # one byte more tells a file that grew
    if len(raw) > info.st_size:
        raise UnreadableSubmission(f"{_name(path)} changed while it was being read; submit it again")
    if not raw or raw.isspace():
        raise UnreadableSubmission(f"{_name(path)} is empty; submit the notebook with your work saved in it")
    return raw


def _kind(mode: int) -> str:
    """What a file is when it is not a regular file ('' when it is)."""
    kinds = ((stat.S_ISREG, ""), (stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
             (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"))
    return next((kind for test, kind in kinds if test(mode)), "a special file")


def _too_large(path: Path, size: int) -> str:
    mib = 1024 * 1024
    return (f"{_name(path)} is {size // mib} MiB, over the {MAX_SUBMISSION_BYTES // mib} MiB limit; "
            "clear the outputs (Edit > Clear Outputs of All Cells) and submit again")


def _read_at_most(handle: Any, size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0 and (chunk := handle.read(size)):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)  # one chunk, the usual case, is returned as it is: no copy


def _refuse_binary(raw: bytes, path: Path) -> None:
    if b"\x00" in raw[:_BINARY_PROBE_BYTES]:
        raise UnreadableSubmission(f"{_name(path)} is a binary file, not a notebook; submit the .ipynb file itself")


def _decode_text(raw: bytes, path: Path) -> str:
    _refuse_binary(raw, path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableSubmission(
            f"{_name(path)} is not UTF-8 text (byte {exc.start}); save it from Jupyter and submit again"
        ) from None


# ---------------------------------------------------------------------------- notebooks


def _read_notebook(path: Path, raw: bytes) -> Notebook:
    _refuse_binary(raw, path)
    _check_json_shape(raw, path)
    document = _load_json(_decode_text(raw, path), path)
    if not isinstance(document, dict) or "nbformat" not in document:
        raise UnreadableSubmission(f"{_name(path)} is JSON but not a Jupyter notebook; submit the assignment's .ipynb file")
    notes: list[str] = []
    version = document.get("nbformat")
    if version == 3:
        document = _upgrade_v3(document, path)
        notes.append("an nbformat 3 notebook was converted to nbformat 4")
    elif version != 4:
        raise UnreadableSubmission(
            f"{_name(path)} uses notebook format {clean(repr(version))[:40]}; open it in a current Jupyter and save it (format 4)"
        )
    cells = document.get("cells")
    if not isinstance(cells, list):
        raise UnreadableSubmission(f"{_name(path)} has no list of cells; {_FRESH_COPY}")
    if len(cells) > MAX_CELLS:
        raise UnreadableSubmission(f"{_name(path)} has {len(cells):,} cells, over the limit of {MAX_CELLS:,} (a course "
                                   "notebook has under 400); delete the empty and scratch cells and submit again")
    code = [(number, cell) for number, cell in enumerate(cells, start=1) if _is_code(cell)]
    sources = [(number, _source_text(cell.get("source", ""))) for number, cell in code]
    _check_code(path, sources)
    read = tuple(_code_cell(number, source, cell) for (number, source), (_, cell) in zip(sources, code, strict=True))
    locked = tuple(filter(None, (_locked_cell(cell) for cell in cells)))
    return Notebook(path, read, tuple(notes), _kernel_name(document), locked)


def _check_json_shape(raw: bytes, path: Path) -> None:
    """Refuse, before parsing, JSON that would cost far more than a notebook can: nested deeper than
    json.loads can recurse, or with so many values that parsing them would take gigabytes."""
    structure, strings = _JSON_STRING.subn(b"", raw, count=MAX_JSON_ITEMS + 1)
    containers = structure.count(b"[") + structure.count(b"{")
    items = strings + containers + structure.count(b",")
    if containers > MAX_JSON_CONTAINERS or items > MAX_JSON_ITEMS:
        raise UnreadableSubmission(
            f"{_name(path)} holds more JSON values than a notebook can ({items:,}{'+' * (strings > MAX_JSON_ITEMS)} values, "
            f"{containers:,} of them objects or arrays; the limits are {MAX_JSON_ITEMS:,} and {MAX_JSON_CONTAINERS:,}); "
            "it is damaged or was not saved by Jupyter: clear the outputs (Edit > Clear Outputs of All Cells), save, "
            f"{_FRESH_COPY}"
        )
    if containers > MAX_JSON_DEPTH and _json_depth(structure) > MAX_JSON_DEPTH:
        raise UnreadableSubmission(_too_deep(path))


def _json_depth(structure: bytes) -> int:
    """The deepest nesting of brackets in JSON whose strings were cut out, a run of brackets at a time."""
    depth = deepest = 0
    for run in _JSON_BRACKETS.finditer(structure):
        if structure[run.start()] in b"[{":
            depth += run.end() - run.start()
            deepest = max(deepest, depth)
        else:
            depth -= run.end() - run.start()
    return deepest


def _too_deep(path: Path) -> str:
    return (f"{_name(path)} nests its JSON more than {MAX_JSON_DEPTH} levels deep (a notebook nests about 10); "
            f"it is damaged or was not saved by Jupyter: {_FRESH_COPY}")


def _load_json(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableSubmission(
            f"{_name(path)} is not valid notebook JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            f"it was probably damaged by editing it as text: {_FRESH_COPY}"
        ) from None
    except RecursionError:  # the scan above stops this first; kept for a stack already deep
        raise UnreadableSubmission(_too_deep(path)) from None
    except MemoryError:
        raise UnreadableSubmission(_too_large(path, len(text))) from None
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise UnreadableSubmission(
            f"{_name(path)} holds a number with thousands of digits, which Jupyter never writes; "
            f"it was damaged: {_FRESH_COPY}"
        ) from None


def _upgrade_v3(document: dict[str, Any], path: Path) -> dict[str, Any]:
    import nbformat

    try:
        upgraded = nbformat.convert(nbformat.from_dict(document), 4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds on bad input
        raise UnreadableSubmission(
            f"{_name(path)} is an old (format 3) notebook that cannot be converted ({clean(exc)[:200]}); "
            "open and save it in Jupyter"
        ) from None
    return dict(upgraded)


def _is_code(cell: Any) -> bool:
    return isinstance(cell, dict) and cell.get("cell_type") == "code"


def _code_cell(number: int, source: str, cell: dict[str, Any]) -> Cell:
    marked = nbgrader_cell(cell)
    return Cell(number, neutralise_ipython(source), marked.grade_id if marked is not None else None)


def _locked_cell(cell: Any) -> LockedCell | None:
    marked = nbgrader_cell(cell)
    if marked is None or not (marked.grade or marked.locked) or marked.solution:
        return None
    return LockedCell(marked.grade_id, marked.source, marked.points)


@dataclass(frozen=True)
class NbgraderCell:
    """A cell's nbgrader metadata, as nbgrader's own notebooks and any edited copy of them carry it."""

    grade_id: str
    solution: bool  # the student writes it
    grade: bool  # it is graded (a test cell, or a manually graded answer)
    locked: bool  # the student must not change it
    points: float | None
    source: str


def nbgrader_cell(cell: Any) -> NbgraderCell | None:
    """The nbgrader metadata of one notebook cell (its JSON), checked field by field; None without any.
    The one reader of nbgrader metadata: submissions, releases and sources all go through it."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    marks = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    if not isinstance(marks, dict) or not isinstance(marks.get("grade_id"), str):
        return None
    points = marks.get("points")
    return NbgraderCell(_short(marks["grade_id"]), marks.get("solution") is True, marks.get("grade") is True,
                        marks.get("locked") is True,
                        float(points) if isinstance(points, (int, float)) and not isinstance(points, bool) else None,
                        _source_text(cell.get("source", "")))


def nbgrader_cells(path: Path) -> list[NbgraderCell]:
    """A course notebook's cells with nbgrader metadata, in order (empty if it cannot be read). For the
    course's own files (source and release notebooks); a submission is read by :func:`read_submission`."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [marked for marked in map(nbgrader_cell, cells if isinstance(cells, list) else []) if marked is not None]


def tagged_sources(path: Path, tag: str) -> set[str]:
    """The code of a course notebook's cells tagged ``tag`` (Jupyter's ``metadata.tags``), stripped;
    empty if it cannot be read. For the course's own files, as :func:`nbgrader_cells`."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return set()
    found = set()
    for cell in cells if isinstance(cells, list) else []:
        metadata = cell.get("metadata") if isinstance(cell, dict) else None
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        if isinstance(tags, list) and tag in tags and cell.get("cell_type") == "code":
            found.add(_source_text(cell.get("source")).strip())
    return found


def _source_text(source: Any) -> str:
    """A cell's text; lone surrogates (JSON can carry them, UTF-8 cannot) become U+FFFD."""
    if isinstance(source, list):
        return clean("".join(s for s in source if isinstance(s, str)))
    return clean(source) if isinstance(source, str) else ""


def _short(name: str) -> str:
    return clean(name)[:MAX_NAME_CHARS]


def _kernel_name(document: dict[str, Any]) -> str:
    metadata = document.get("metadata")
    spec = metadata.get("kernelspec") if isinstance(metadata, dict) else None
    name = spec.get("name") if isinstance(spec, dict) else ""
    return _short(name) if isinstance(name, str) else ""


def _check_code(path: Path, sources: list[tuple[int, str]], unit: str = "code cells",
                fix: str = "delete the empty and scratch cells") -> None:
    """Refuse code beyond what any course notebook holds, before anything parses it."""
    if len(sources) > MAX_CODE_CELLS:
        graded = "" if unit == "code cells" else ", each graded as a cell"
        raise UnreadableSubmission(
            f"{_name(path)} has {len(sources):,} {unit}{graded}, over the limit of {MAX_CODE_CELLS:,} (a course notebook "
            f"has under 200 code cells); {fix} and submit again")
    for number, source in sources:
        if len(source) > MAX_CELL_CHARS:
            raise UnreadableSubmission(
                f"cell {number} of {_name(path)} holds {len(source):,} characters of code, over the {MAX_CELL_CHARS:,} "
                "limit for one cell; load data with code (numpy.loadtxt, pandas) instead of pasting it into a cell")
    total = sum(len(source) for _, source in sources)
    if total > MAX_CODE_CHARS:
        raise UnreadableSubmission(_too_much_code(path, total))


def _too_much_code(path: Path, total: int) -> str:
    return (f"{_name(path)} holds {total:,} characters of code, over the {MAX_CODE_CHARS:,} limit (a course notebook "
            "has under 500,000); remove pasted data and generated code, and submit again")


# ---------------------------------------------------------------------------- scripts


def _read_script(path: Path, text: str) -> Notebook:
    """A script graded like a notebook: split at its cell markers, else a cell per top-level
    statement, so that one failing statement (an import of a helper module that is not there) costs
    only itself. A script that does not parse as a whole is cut at blank lines first, so a syntax
    error costs only its block."""
    if len(text) > MAX_CODE_CHARS:
        raise UnreadableSubmission(_too_much_code(path, len(text)))
    parts, how, unit = _script_parts(text)
    kept = [(start, source) for start, source in parts if _has_code(source)]
    cells = tuple(Cell(number, source, line=start) for number, (start, source) in enumerate(kept, start=1))
    _check_code(path, [(cell.number, cell.source) for cell in cells], unit,
                "merge or delete cells" if unit == "code cells" else "mark its cells with `# %%` lines")
    return Notebook(path, cells, (f"a Python script, split into {len(cells)} cells{how}",))


def _script_parts(text: str) -> tuple[list[tuple[int, str]], str, str]:
    """(first line, code ready to run) of each part, how they were found, and what they are."""
    lines = text.splitlines(keepends=True)
    marked = _at_markers(lines)
    if marked:
        return [(start, neutralise_ipython(source)) for start, source in marked], " at its cell markers", "code cells"
    statements = _statements(text)
    if statements is not None:
        return statements, ", one per top-level statement (it has no cell markers)", "top-level statements"
    parts: list[tuple[int, str]] = []
    for start, block in _blocks(lines):
        inner = _statements(block)
        parts += [(start + line - 1, source) for line, source in inner] if inner is not None else [(start, block)]
    return parts, (" at blank lines, then at statements (it does not parse as a whole and has no cell "
                   "markers)"), "top-level parts"


def _is_mark(line: str) -> bool:
    return bool(_PERCENT_MARK.match(line) or _NBCONVERT_MARK.match(line))


def _at_markers(lines: list[str]) -> list[tuple[int, str]]:
    """(first line, source) of each part between cell markers, the marker line included (so a line
    of the cell is a line of the file); empty when the script has no markers."""
    starts = [index for index, line in enumerate(lines) if _is_mark(line)]
    if not starts:
        return []
    bounds = [0, *starts] if starts[0] else starts
    return [(start + 1, "".join(lines[start:end])) for start, end in zip(bounds, [*bounds[1:], len(lines)], strict=True)]


def _statements(text: str) -> list[tuple[int, str]] | None:
    """(first line, source) of each top-level statement, decorators with their definition and
    statements sharing a line together; None when the script does not parse, as it is or with its
    IPython syntax rewritten (which keeps every line where it was)."""
    source, tree = text, _parse_whole(text)
    if tree is None and _IPYTHON_LINE.search(text):
        source = neutralise_ipython(text)
        tree = _parse_whole(source)
    if tree is None:
        return None
    spans: list[list[int]] = []
    for node in tree.body:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
        end = node.end_lineno or node.lineno
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    del tree  # a big script's tree is large; only the spans are needed
    lines = source.splitlines(keepends=True)
    return [(start, "".join(lines[start - 1:end])) for start, end in spans]


def _parse_whole(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _blocks(lines: list[str]) -> list[tuple[int, str]]:
    """(first line, source) of each block a blank line separates, where the next line starts at the
    margin (indented lines and else/except clauses stay with the block above)."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start, blank = 0, False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            blank = True
            current += [line] if current else []
            continue
        if current and blank and not _CONTINUES.match(line):
            blocks.append((start, "".join(current)))
            current = []
        if not current:
            start = number
        current.append(line)
        blank = False
    if current:
        blocks.append((start, "".join(current)))
    return blocks


def _has_code(source: str) -> bool:
    """Anything but blank lines, comments and cell markers (a markdown cell exported as comments)."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in source.splitlines())


def neutralise_ipython(source: str) -> str:
    """Rewrite IPython-only syntax into plain Python calls on ``get_ipython()``."""
    if not any(mark in source for mark in ("%", "!", "?")):
        return source
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - leave it; the child will report the syntax error in the cell
        return source


# ---------------------------------------------------------------------------- syntax trees


class _TreeCache:
    """Recently parsed cells, bounded by their total characters of source (not by their number:
    one large cell's tree weighs as much as thousands of small ones). Thread-safe."""

    def __init__(self, chars: int) -> None:
        self.chars, self.held = chars, 0
        self.entries: OrderedDict[str, ast.Module | str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, source: str) -> ast.Module | str | None:
        with self.lock:
            found = self.entries.get(source)
            if found is not None:
                self.entries.move_to_end(source)
            return found

    def put(self, source: str, parsed: ast.Module | str) -> None:
        with self.lock:
            if len(source) > self.chars or source in self.entries:
                return
            self.entries[source] = parsed
            self.held += len(source)
            while self.held > self.chars:
                evicted, _ = self.entries.popitem(last=False)
                self.held -= len(evicted)


_TREES = _TreeCache(PARSE_CACHE_CHARS)


def parse_cell(source: str) -> ast.Module | None:
    """A cell's syntax tree, or None when it does not parse or cannot be analysed here (too large,
    nested too deep: :func:`why_unparsed` says which). Cached, since most cells of a class's
    notebooks are the release's own and the checks look at the same cells many times; callers must
    not change the tree."""
    parsed = _parsed(source)
    return parsed if isinstance(parsed, ast.Module) else None


def why_unparsed(source: str) -> str:
    """Why a cell that Python may well run could not be parsed here ('' when it parsed, or when it
    is a syntax error, which stops it in the child as well)."""
    parsed = _parsed(source)
    return parsed if isinstance(parsed, str) else ""


def _parsed(source: str) -> ast.Module | str:
    cached = _TREES.get(source)
    if cached is not None:
        return cached
    parsed = _parse(source)
    _TREES.put(source, parsed)
    return parsed


def _parse(source: str) -> ast.Module | str:
    if len(source) > MAX_CELL_CHARS:
        return f"over {MAX_CELL_CHARS:,} characters"
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ""
    except RecursionError:
        return f"nested more than {MAX_TREE_DEPTH} levels deep"
    except MemoryError:
        return "too large to parse in the memory left"
    return tree if _depth_within(tree, MAX_TREE_DEPTH) else f"nested more than {MAX_TREE_DEPTH} levels deep"


def _depth_within(tree: ast.AST, limit: int) -> bool:
    """Whether no node lies more than ``limit`` levels below the root (iteratively, of course)."""
    pending: list[tuple[ast.AST, int]] = [(tree, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > limit:
            return False
        for field in node._fields:  # ast.iter_child_nodes, inlined: this runs for every node parsed
            value = getattr(node, field, None)
            if isinstance(value, ast.AST):
                pending.append((value, depth + 1))
            elif isinstance(value, list):
                pending += [(item, depth + 1) for item in value if isinstance(item, ast.AST)]
    return True


def all_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` in the order of ``ast.walk`` (breadth first), at half its cost."""
    found = [tree]
    for node in found:  # the list grows as it is read
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, ast.AST):
                found.append(value)
            elif isinstance(value, list):
                found += [item for item in value if isinstance(item, ast.AST)]
    return found
