"""Hostile files on the trusted side: whatever a student sends costs a bounded time and memory and
ends in a clear verdict for that file, never an exception that stops the batch.

``test_trusted_side_costs`` also measures: run ``pytest -s`` to see the figures it prints."""

from __future__ import annotations

import ast
import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder import read
from autograder.config import Assignment
from autograder.errors import UnreadableSubmission
from autograder.integrity import notes_for
from autograder.policy import Policy, violations
from autograder.read import parse_cell, read_submission, why_unparsed

ROOT = Path(__file__).resolve().parents[1]
QUICK_SECONDS = 2.0  # "refused quickly": generous on a loaded 2-core machine, far below what reading would take


def notebook(*sources, **extra):
    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None} for s in sources]
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells, **extra})


def refused(path, message):
    with pytest.raises(UnreadableSubmission, match=message) as caught:
        read_submission(path)
    str(caught.value).encode("utf-8")  # every message can be printed and saved
    return str(caught.value)


# ---------------------------------------------------------------------------- the file itself


def test_a_2_gib_file_is_refused_from_its_size_without_reading_it(tmp_path):
    path = tmp_path / "huge.ipynb"
    with open(path, "wb") as handle:
        os.truncate(handle.fileno(), 2 * 1024**3)  # sparse: no disk used
    started = time.monotonic()
    message = refused(path, "2048 MiB, over the 50 MiB limit")
    assert time.monotonic() - started < QUICK_SECONDS and "Clear Outputs" in message


def test_a_symbolic_link_to_the_solution_is_refused(tmp_path):
    solution = tmp_path / "autograder" / "solutions.ipynb"
    solution.parent.mkdir()
    solution.write_text(notebook("def f():\n    return 1"))
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "a.ipynb").symlink_to(solution)
    refused(submission / "a.ipynb", "is a symbolic link, not a file; submit the notebook file itself")


def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    path = tmp_path / "pipe.ipynb"
    os.mkfifo(path)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(_message_of(path)), daemon=True)
    reader.start()
    reader.join(QUICK_SECONDS * 5)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert "is a named pipe, not a file" in outcome[0]


def _message_of(path):
    try:
        read_submission(path)
    except UnreadableSubmission as exc:
        return str(exc)
    return "read"


def test_a_folder_and_a_device_are_refused(tmp_path):
    (tmp_path / "folder.ipynb").mkdir()
    refused(tmp_path / "folder.ipynb", "is a folder, not a file")
    try:
        os.mknod(tmp_path / "null.ipynb", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")
    refused(tmp_path / "null.ipynb", "is a device, not a file")


# ---------------------------------------------------------------------------- the JSON


def test_json_nested_100000_levels_deep_is_refused_quickly(tmp_path):
    path = tmp_path / "deep.ipynb"
    path.write_text('{"nbformat": 4, "cells": [], "metadata": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    started = time.monotonic()
    refused(path, "nests its JSON more than 64 levels deep.*download a fresh copy from Jupyter")
    assert time.monotonic() - started < QUICK_SECONDS


def test_deep_json_that_slips_past_the_scan_is_still_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_JSON_DEPTH", 10**9)  # the scan finds nothing: json.loads recurses until it fails
    path = tmp_path / "deep.ipynb"
    path.write_text('{"nbformat": 4, "cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    refused(path, "nests its JSON")


def test_an_integer_of_5000_digits_is_refused(tmp_path):
    path = tmp_path / "number.ipynb"
    path.write_text('{"nbformat": 4, "nbformat_minor": ' + "7" * 5000 + ', "cells": [], "metadata": {}}')
    refused(path, "a number with thousands of digits.*download a fresh copy from Jupyter")


@pytest.mark.parametrize("filler, what", [
    ("[]," * 300_000, "objects or arrays"),  # each empty list parses into 56 bytes: thirty times its text
    ('"ab",' * 1_100_000, "values"),
])
def test_json_with_more_values_than_a_notebook_can_hold_is_refused(tmp_path, filler, what):
    path = tmp_path / "many.ipynb"
    path.write_text('{"nbformat": 4, "cells": [], "metadata": {"x": [' + filler + "0]}}")
    started = time.monotonic()
    message = refused(path, "more JSON values than a notebook can")
    assert what in message and time.monotonic() - started < QUICK_SECONDS


def test_an_unterminated_string_of_escaped_quotes_is_scanned_in_linear_time(tmp_path):
    path = tmp_path / "quotes.ipynb"
    path.write_bytes(b'{"nbformat": 4, "cells": "' + b'\\"' * 4_000_000)  # a retry from every quote would be quadratic
    started = time.monotonic()
    refused(path, "not valid notebook JSON")
    assert time.monotonic() - started < QUICK_SECONDS


def test_lone_surrogates_in_the_json_become_replacement_characters(tmp_path):
    path = tmp_path / "surrogates.ipynb"
    path.write_text(notebook('x = "\ud800"\n', ["y = 1  # \udfff\n"], metadata={"kernelspec": {"name": "py\udc80"}}))
    got = read_submission(path)
    assert [c.source for c in got.cells] == ['x = "\ufffd"\n', "y = 1  # \ufffd\n"] and got.kernel == "py\ufffd"
    for cell in got.cells:
        cell.source.encode("utf-8")
        assert parse_cell(cell.source) is not None


# ---------------------------------------------------------------------------- the code


def test_too_many_code_cells_are_refused(tmp_path):
    path = tmp_path / "cells.ipynb"
    path.write_text(notebook(*["x = 1"] * (read.MAX_CODE_CELLS + 1)))
    refused(path, "has 1,001 code cells, over the limit of 1,000.*delete the empty and scratch cells")


def test_a_cell_over_the_cell_limit_is_refused_naming_the_cell(tmp_path):
    path = tmp_path / "data.ipynb"
    path.write_text(notebook("import numpy as np", "data = [" + "1.5, " * 50_000 + "]"))
    refused(path, "cell 2 of data.ipynb holds 250,009 characters of code, over the 200,000 limit.*instead of pasting it")


def test_code_over_the_total_limit_is_refused(tmp_path):
    path = tmp_path / "code.ipynb"
    path.write_text(notebook(*["x = 1  # " + "." * 100_000] * 11))
    refused(path, "holds 1,100,099 characters of code, over the 1,000,000 limit")


def test_a_script_over_the_code_limit_is_refused_before_it_is_split(tmp_path):
    path = tmp_path / "code.py"
    path.write_text("x = 1\n" * 200_000)
    refused(path, "holds 1,200,000 characters of code")


def test_a_100000_term_expression_is_not_parsed_and_says_why():
    source = "x = " + " + ".join(["1"] * 100_000)
    assert parse_cell(source) is None and why_unparsed(source) == "over 200,000 characters"
    chain = "x = " + "+".join(["1"] * 99_000)  # just under the cell limit: the parser itself gives up
    assert parse_cell(chain) is None and why_unparsed(chain) == "nested more than 200 levels deep"


def test_a_deep_tree_that_python_parses_is_not_handed_to_recursive_code():
    source = "def f(x):\n    return x" + " + x" * 400  # ast.parse accepts it, ast.unparse would not
    assert ast.parse(source) is not None
    assert parse_cell(source) is None and "nested more than 200" in why_unparsed(source)
    assert parse_cell("def f(x):\n    return x" + " + x" * 150) is not None
    assert parse_cell("def f(:") is None and why_unparsed("def f(:") == ""  # a syntax error fails in the child too


def test_an_unanalysable_cell_is_noted_for_the_instructor(tmp_path):
    path = tmp_path / "deep.ipynb"
    path.write_text(notebook("import numpy as np", "import os\nos.kill(1, 9)\nx = " + "+".join(["1"] * 3000),
                             "def forward_propagation(X, p):\n    return X"))
    notes = notes_for(read_submission(path), Assignment.load("perceptron_regression", ROOT))
    assert any("cell 2 could not be analysed (nested more than 200 levels deep)" in n for n in notes), notes


def test_long_attribute_chains_cost_linear_time():
    chain = "import jax\ndef backward_propagation(X):\n    return jax.grad" + ".x" * 180 + "\n"
    source = "\n".join([chain] * 40)
    started = time.monotonic()
    found = violations([source], "backward_propagation", Policy(forbid=("jax.grad",)))
    assert found == [f"uses jax.grad in backward_propagation (line {3 + 4 * 39}), which this exercise forbids"]
    assert time.monotonic() - started < QUICK_SECONDS


def test_many_rule_breaks_are_counted_not_listed():
    body = "".join(f"    for i{k} in x:\n        pass\n" for k in range(50))
    found = violations([f"def forward_propagation(x):\n{body}"], "forward_propagation", Policy(vectorised=True))
    assert len(found) == 11 and found[-1] == "and 40 more like these"


def test_the_parse_cache_holds_a_bounded_amount_of_source():
    for index in range(300):
        parse_cell(f"x{index} = 1  # " + "." * 10_000)
    assert read._TREES.held <= read.PARSE_CACHE_CHARS


# ---------------------------------------------------------------------------- big notebooks


def big_notebook(code_chars: int, cells: int) -> str:
    """A notebook of long cells of arithmetic and many defs, ``code_chars`` of code in ``cells`` cells."""
    size = code_chars // cells
    unit = ("def helper_{i}_{k}(x, y):\n    a = x * 1.5 + y * 2.25 - 3.0 / (1.0 + x * x)\n    return a + {k}\n"
            "v_{i}_{k} = " + " + ".join(f"({t}.5 * x - {t}.25 / 3.0)" for t in range(6)) + "\n")
    sources = []
    for i in range(cells):
        parts, used = [f"x = {i}.0\n"], 0
        while used + len(unit) <= size:
            parts.append(unit.format(i=i, k=len(parts)))
            used += len(parts[-1])
        sources.append("".join(parts))
    return notebook(*sources, "def forward_propagation(X, p):\n    return X + helper_0_1(1.0, 2.0)\n")


MEASURE = """
import json, sys, time
from pathlib import Path
from autograder import integrity, policy, read
from autograder.config import Assignment
from autograder.errors import UnreadableSubmission

def memory(field):  # in MB; VmHWM is this process's peak (ru_maxrss would carry the parent's over exec)
    line = next(l for l in open("/proc/self/status") if l.startswith(field + ":"))
    return int(line.split()[1]) / 1024

assignment = Assignment.load("perceptron_regression", Path(sys.argv[2]))
base, figures = memory("VmRSS"), {}
started = time.perf_counter()
try:
    notebook = read.read_submission(Path(sys.argv[1]))
except UnreadableSubmission as exc:
    figures["refused"] = str(exc)
figures["read"] = time.perf_counter() - started
if "refused" not in figures:
    sources = [cell.source for cell in notebook.cells]
    steps = {"parse": lambda: [read.parse_cell(s) for s in sources],
             "integrity": lambda: integrity.notes_for(notebook, assignment),
             "policy": lambda: [policy.violations(sources, e, p) for e, p in assignment.policies.items()]}
    for name, step in steps.items():
        started = time.perf_counter()
        step()
        figures[name] = time.perf_counter() - started
figures["peak_mb"] = memory("VmHWM") - base
print(json.dumps(figures))
"""
PEAK_MB = 400  # above the baseline; twice the target, and a tenth of what the 24 MB notebook cost before the caps


@pytest.mark.parametrize("name, code_chars, cells, refused_as", [
    ("8 MB, 700 cells", 7_800_000, 700, "characters of code, over the 1,000,000 limit"),
    ("24 MB, 700 cells", 23_500_000, 700, "characters of code, over the 1,000,000 limit"),
    ("1 MB of code, 700 cells", 960_000, 700, None),
])
def test_trusted_side_costs(tmp_path, name, code_chars, cells, refused_as):
    """Each step of the trusted side, timed in a fresh process, with the process's peak memory:
    the caps refuse what is too big, and what they let through stays bounded."""
    path = tmp_path / "big.ipynb"
    path.write_text(big_notebook(code_chars, cells))
    run = subprocess.run([sys.executable, "-c", MEASURE, str(path), str(ROOT)], capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    times = ", ".join(f"{k} {v:.2f} s" for k, v in figures.items() if k not in ("refused", "peak_mb"))
    refusal = f"; refused: {figures['refused'][:70]}" if refused_as else ""
    print(f"\n{name} ({path.stat().st_size / 2**20:.1f} MB): {times}, peak {figures['peak_mb']:.0f} MB over baseline{refusal}")
    if refused_as:
        assert refused_as in figures["refused"]
    else:
        assert "refused" not in figures and set(figures) >= {"parse", "integrity", "policy"}
    assert figures["peak_mb"] < PEAK_MB


def test_a_huge_exception_message_from_the_child_is_cut_before_the_hint_patterns_read_it():
    """A hostile child may report a message of megabytes; the trusted side keeps 500 characters of it where the report
    is read, so the hint patterns (which backtrack, quadratic in the length) never see more."""
    from autograder.hints import for_error
    from autograder.sandbox.submission import raised_error

    started = time.perf_counter()
    for message in ("TypeError: " * 200_000, "shapes (" + ") and (" * 200_000):
        error = raised_error("predict", {"type": "TypeError", "message": message, "frames": []}, {})
        assert len(str(error)) < 600 and for_error(error) is None
    assert time.perf_counter() - started < 2.0
    aligned = raised_error("predict", {"type": "ValueError", "message": "shapes (3,2) and (3,2) not aligned"}, {})
    assert for_error(aligned)
