"""The engine's own hygiene: types check, lint is clean, the public surface is what we say it is."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import autograder

ROOT = Path(__file__).resolve().parents[1]


def test_the_engine_type_checks():
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_lint_is_clean():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "autograder", "tests", "assignments", "solutions", "bench"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_the_public_surface_is_small_and_sorted():
    assert autograder.__all__ == sorted(autograder.__all__) == ["__version__", "check", "check_all", "grade"]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def test_the_child_imports_nothing_that_knows_the_answers():
    """DESIGN.md: child.py runs next to student code; it may only know the wire codec."""
    ours = {name for name in imports_of(ROOT / "autograder" / "child.py") if name.startswith(".") or "autograder" in name}
    assert ours <= {"."}, ours  # `from . import wire` only
    wire_imports = imports_of(ROOT / "autograder" / "wire.py")
    assert not {n for n in wire_imports if n.startswith(".") or "autograder" in n}


def test_the_package_never_imports_solutions_or_assignments():
    for path in (ROOT / "autograder").glob("*.py"):
        for name in imports_of(path):
            assert name.split(".")[0] not in ("solutions", "assignments"), f"{path.name} imports {name}"
