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


PACKAGE = ROOT / "autograder"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (inside functions too), relative imports resolved
    to absolute names: ``from .. import wire`` in autograder/child/server.py is ``autograder.wire``."""
    tree = ast.parse(path.read_text())
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names)  # `from . import wire`
    return names


def ours(names: set[str]) -> set[str]:
    """The imports that are of this project (the grader, the solutions, the checks), not of libraries."""
    return {n for n in names if n.split(".")[0] in ("autograder", "solutions", "assignments")}


CHILD_MAY_IMPORT = ("autograder.wire", "autograder.protocol", "autograder.child")


def test_the_child_imports_nothing_that_knows_the_answers():
    """DESIGN.md: the child package runs beside student code; of the grader it may know only the
    codec, the protocol and itself (relative imports resolved, imports inside functions counted)."""
    for path in sorted((PACKAGE / "child").glob("*.py")):
        forbidden = {n for n in ours(imports_of(path)) if n != "autograder"
                     and not n.startswith(CHILD_MAY_IMPORT)}
        assert not forbidden, f"{path.name} imports {sorted(forbidden)}"
    for shared in ("wire.py", "protocol.py"):  # both sides import these: they import nothing of ours
        assert ours(imports_of(PACKAGE / shared)) == set(), shared


def test_the_import_rule_is_not_fooled_by_relative_imports():
    """The resolution above, checked on the forms a child module could use to reach the answers."""
    child = PACKAGE / "child" / "server.py"
    fake = child.with_name("_probe_not_a_module.py")
    forms = (("from .. import numeric", "autograder.numeric"), ("from ..oracle import Oracle", "autograder.oracle"),
             ("def f():\n    from ... import solutions", "solutions"), ("import autograder.plugin", "autograder.plugin"))
    for source, reached in forms:
        fake.write_text(source + "\n")
        try:
            assert reached in imports_of(fake), source
        finally:
            fake.unlink()


def test_the_package_never_imports_solutions_or_assignments():
    for path in PACKAGE.rglob("*.py"):
        for name in ours(imports_of(path)):
            assert name.split(".")[0] not in ("solutions", "assignments"), f"{path.name} imports {name}"


def test_no_import_cycles_in_the_package():
    """Every import counted, at module level or inside a function: the modules form a DAG."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}
    graph = {name: {i for i in ours(imports_of(path)) if i in modules and i != name and i != "autograder"}
             for name, path in modules.items()}
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for other in sorted(graph[name]):
            assert state.get(other) != 1, " -> ".join([*path, other])
            if other not in state:
                visit(other, [*path, other])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


CHECKS_API = [
    "ArgumentsMistake", "CheckFailure", "Figure", "Mistake", "StudentCodeRaised", "TOLERANCE", "activation_shape_hints",
    "arguments_in_order", "ascent", "averaging_mistakes", "doubled", "expect_array", "expect_arrays",
    "expect_bool_array", "expect_close", "expect_confident_log_loss", "expect_declared_defaults", "expect_dict",
    "expect_elementwise", "expect_equal", "expect_expression", "expect_float", "expect_float_close", "expect_function",
    "expect_gradients", "expect_initialized", "expect_layers_initialized", "expect_log_loss", "expect_passed",
    "expect_predicted_classes", "expect_printed_each_iteration", "expect_sizes", "expect_small_random", "expect_step",
    "expect_trained", "expect_trained_as_reference", "expect_training_report", "expect_tuple", "expect_unchanged",
    "expect_update", "halved", "iteration_mistakes", "layer_parameters", "layer_shape_hints", "layer_shapes", "layer_update_case",
    "learning_curve", "log_loss_mistakes", "no_update", "not_averaged", "on_blocks", "public_checks", "rate_ignored",
    "reference_gradients", "relative_error", "saturated_outputs", "sigmoid_far_out", "sigmoid_mistakes", "sign_flipped",
    "size_mistakes", "step_mistakes", "unscaled_step",
]


def test_the_authoring_api_is_what_the_docs_state():
    """autograder.checks is the stated API of check files: a change to it is a change to every course's checks."""
    from autograder import checks

    assert checks.__all__ == sorted(checks.__all__) == CHECKS_API
    assert all(hasattr(checks, name) for name in checks.__all__)


DATAFILES_API = ["course_data_folder", "csv_text", "gaussian_blobs", "write_course_data", "write_tables"]


def test_check_files_import_the_grader_only_through_its_authoring_api():
    """Checks and mistakes through autograder.checks; a make_data.py may also use autograder.datafiles, the writer of
    an assignment's generated data (it runs on the author's machine, never while grading)."""
    from autograder import datafiles

    assert sorted(name for name in vars(datafiles) if callable(getattr(datafiles, name)) and not name.startswith("_")
                  and getattr(datafiles, name).__module__ == datafiles.__name__) == DATAFILES_API
    for path in sorted((ROOT / "assignments").glob("*/*.py")):
        grader = {n for n in imports_of(path) if n.split(".")[0] == "autograder"}
        allowed = {"autograder", "autograder.checks"} | {f"autograder.checks.{n}" for n in CHECKS_API}
        if path.name == "make_data.py":
            allowed |= {"autograder.datafiles"} | {f"autograder.datafiles.{n}" for n in DATAFILES_API}
        assert grader <= allowed, f"{path.relative_to(ROOT)} imports {sorted(grader)}"
