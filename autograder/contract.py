"""What the notebook in hand promises, and which of its lines its student wrote.

Our checks follow our own notebooks' contracts, which promise more than another course's may: our
network's functions handle any number of output units, theirs are documented for one; ours
return predictions as booleans, theirs as 0/1. A function that is right for every input its own
notebook documents must get full marks, so a notebook is graded under *its* contract:

* **Contracts** are declared per assignment (``[contracts.<name>]`` in ``assignment.toml``): the
  text that marks a notebook as written for it (``detect``, e.g. that course's ``### START CODE
  HERE ###`` markers) and settings the checks read through the ``contract`` fixture
  (``contract.get("outputs", N_Y)``: the notebook's limit, or the check's own choice where the
  notebook promises everything). A notebook that matches no declared contract is under ours.
* **Template code** is what the student was given, not what they wrote: the lines of a function
  outside its fill-in markers (``### START CODE HERE ###`` ... ``### END CODE HERE ###``), or, in
  our own nbgrader notebooks, lines identical to the release's lines of the same cell. A template's
  ``assert`` only guards the notebook's own data (it often reads a notebook global, such as
  ``n_y``), so it is not run when grading: code the student did not write never costs them credit.
  Every other template line runs as written; it fails only on what the student's lines gave it.
* **Demonstrations** (a code cell tagged ``skip-when-grading`` in the source notebook: a timing
  study, a long plot) are run by the student, not by the grader, while they are as released: they
  define nothing a check needs, and would cost every submission their time.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import InstructorError
from .read import Cell, nbgrader_cells, parse_cell, tagged_sources

__all__ = ["DEMONSTRATION_TAG", "OURS", "Contract", "ContractRule", "choose_contract", "parse_contracts",
           "release_sources", "template_lines", "without_demonstrations", "without_template_asserts"]

DEMONSTRATION_TAG = "skip-when-grading"

FILL_IN_START = re.compile(r"^\s*#+\s*START CODE HERE", re.IGNORECASE)
FILL_IN_END = re.compile(r"^\s*#+\s*END CODE HERE", re.IGNORECASE)


@dataclass(frozen=True)
class Contract:
    """The contract a notebook was written for; checks read its settings."""

    name: str = "this course"
    settings: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any) -> Any:
        """The notebook's setting ``key``, or ``default`` (the check's own choice) when it sets none."""
        return self.settings.get(key, default)


OURS = Contract()


@dataclass(frozen=True)
class ContractRule:
    """A declared contract and how to recognise a notebook written for it."""

    contract: Contract
    detect: tuple[str, ...]

    def matches(self, sources: Iterable[str]) -> bool:
        return any(marker in source for source in sources for marker in self.detect)


def parse_contracts(table: Mapping[str, Any], source: str) -> tuple[ContractRule, ...]:
    """``[contracts.<name>]`` tables → rules, in the file's order; bad entries name their source."""
    rules = []
    for name, settings in table.items():
        detect = settings.get("detect") if isinstance(settings, dict) else None
        if not isinstance(detect, list) or not detect or not all(isinstance(d, str) and d for d in detect):
            raise InstructorError(f"[contracts.{name}] in {source} needs `detect`, a list of texts that mark a "
                                  "notebook written for it")
        values = {key: value for key, value in settings.items() if key != "detect"}
        rules.append(ContractRule(Contract(name, values), tuple(detect)))
    return tuple(rules)


def choose_contract(rules: Sequence[ContractRule], sources: Iterable[str]) -> Contract:
    """The first declared contract the notebook's code matches, else ours."""
    sources = list(sources)
    return next((rule.contract for rule in rules if rule.matches(sources)), OURS)


# ---------------------------------------------------------------------------- template code


def without_template_asserts(cells: Sequence[Cell], release: Mapping[str, str]) -> tuple[tuple[Cell, ...], list[str]]:
    """The cells with every template ``assert`` replaced by ``pass`` (line numbers kept), and a note
    naming the cells where that happened. ``release`` maps grade ids to the release's cell sources."""
    changed, notes = [], []
    for cell in cells:
        source = _without_asserts(cell.source, template_lines(cell, release))
        if source != cell.source:
            notes.append(cell.number)
        changed.append(replace(cell, source=source) if source != cell.source else cell)
    if not notes:
        return tuple(cells), []
    where = ", ".join(str(n) for n in notes)
    return tuple(changed), [f"the template's assert statements in cell{'s' if len(notes) > 1 else ''} {where} were not run: "
                            "code the student was given, not written, never costs credit"]


def without_demonstrations(cells: Sequence[Cell], release: Path | None) -> tuple[tuple[Cell, ...], list[str]]:
    """The cells with the release's demonstrations emptied (numbers kept), when unchanged, and a note."""
    shown = tagged_sources(release, DEMONSTRATION_TAG) if release is not None else set()
    skipped = [cell.number for cell in cells if cell.source.strip() and cell.source.strip() in shown]
    if not skipped:
        return tuple(cells), []
    kept = tuple(replace(cell, source="") if cell.number in skipped else cell for cell in cells)
    where = ", ".join(str(n) for n in skipped)
    many = len(skipped) > 1
    return kept, [f"cell{'s' if many else ''} {where} ({'demonstrations' if many else 'a demonstration'}, as released) "
                  f"{'were' if many else 'was'} not run when grading"]


def template_lines(cell: Cell, release: Mapping[str, str]) -> set[int]:
    """The cell's lines (1-based) that its student did not write."""
    lines = cell.source.splitlines()
    if any(FILL_IN_START.match(line) for line in lines):
        return _outside_fill_ins(lines)
    given = release.get(cell.grade_id or "")
    if given is None:
        return set()
    released = {line.strip() for line in given.splitlines() if line.strip()}
    return {number for number, line in enumerate(lines, start=1) if line.strip() and line.strip() in released}


def _outside_fill_ins(lines: list[str]) -> set[int]:
    outside, inside = set(), False
    for number, line in enumerate(lines, start=1):
        if FILL_IN_START.match(line):
            inside = True
        elif FILL_IN_END.match(line):
            inside = False
        elif not inside:
            outside.add(number)
    return outside


def _without_asserts(source: str, template: set[int]) -> str:
    if not template or "assert" not in source:
        return source
    tree = parse_cell(source)
    if tree is None:
        return source
    lines = source.splitlines(keepends=True)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and _alone(node, lines) and \
                set(range(node.lineno, (node.end_lineno or node.lineno) + 1)) <= template:
            first = lines[node.lineno - 1]
            indent = first[: len(first) - len(first.lstrip())]
            lines[node.lineno - 1] = f"{indent}pass  # a template assert, not run by the grader\n"
            for number in range(node.lineno, node.end_lineno or node.lineno):
                lines[number] = "\n"
    return "".join(lines)


def _alone(node: ast.Assert, lines: list[str]) -> bool:
    """The assert fills its lines (no other statement shares them), so they can be blanked."""
    first, last = lines[node.lineno - 1], lines[(node.end_lineno or node.lineno) - 1]
    after = last[node.end_col_offset or 0:].strip()
    return not first[: node.col_offset].strip() and (not after or after.startswith("#"))


def release_sources(path: Path | None) -> dict[str, str]:
    """The release notebook's solution cells by grade id (what the student was given), if there is one."""
    return {c.grade_id: c.source for c in nbgrader_cells(path) if c.solution} if path is not None else {}
