"""Reading submissions: any nbformat-4 layout, scripts, and clear messages for everything else."""

from __future__ import annotations

import json

import pytest

from autograder.errors import UnreadableSubmission
from autograder.read import read_submission


def notebook(*cells, nbformat=4, **extra):
    return json.dumps({"nbformat": nbformat, "nbformat_minor": 5, "metadata": {}, "cells": list(cells), **extra})


def code(source, **metadata):
    return {"cell_type": "code", "source": source, "metadata": metadata, "outputs": [], "execution_count": None}


def test_code_cells_keep_their_position_among_all_cells(tmp_path):
    path = tmp_path / "a.ipynb"
    path.write_text(notebook({"cell_type": "markdown", "source": "# hi", "metadata": {}},
                             code(["x = 1\n", "y = 2"]), code("z = 3", nbgrader={"grade_id": "z"})))
    read = read_submission(path)
    assert [(c.number, c.source, c.grade_id) for c in read.cells] == [(2, "x = 1\ny = 2", None), (3, "z = 3", "z")]


def test_magics_and_shell_escapes_are_neutralised_without_breaking_code(tmp_path):
    path = tmp_path / "a.ipynb"
    path.write_text(notebook(code("%matplotlib inline\nif True:\n    !ls\nfiles = !ls\nx = 1"),
                             code("%%bash\necho hi")))
    first, second = read_submission(path).cells
    compile(first.source, "cell", "exec")
    assert "get_ipython()" in first.source and "x = 1" in first.source
    assert second.source.startswith("get_ipython().run_cell_magic('bash'")


def test_a_python_script_splits_at_cell_markers(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("import numpy as np\n# %%\ndef f(x):\n    return x\n# %% [markdown]\n")
    assert [c.source.splitlines()[-1] for c in read_submission(path).cells] == ["import numpy as np", "    return x"]


def test_an_nbformat_3_notebook_is_converted(tmp_path):
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [
        {"cells": [{"cell_type": "code", "input": "def f():\n    return 1", "language": "python", "outputs": []}]}]}))
    read = read_submission(path)
    assert read.cells[0].source == "def f():\n    return 1" and "converted" in read.notes[0]


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"   \n", "is empty"),
    (b'{"cells": [', r"not valid notebook JSON \(line 1"),
    (b'{"hello": 1}', "not a Jupyter notebook"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
    (notebook(nbformat=2).encode(), "format 2"),
    (b'{"nbformat": 4, "cells": "nope"}', "no list of cells"),
])
def test_unreadable_files_get_a_message_that_says_what_to_fix(tmp_path, content, message):
    path = tmp_path / "sub.ipynb"
    path.write_bytes(content)
    with pytest.raises(UnreadableSubmission, match=message):
        read_submission(path)


def test_other_file_types_and_missing_files_are_refused_clearly(tmp_path):
    (tmp_path / "essay.docx").write_bytes(b"PK\x03\x04")
    with pytest.raises(UnreadableSubmission, match="neither a notebook"):
        read_submission(tmp_path / "essay.docx")
    with pytest.raises(UnreadableSubmission, match="cannot be opened"):
        read_submission(tmp_path / "absent.ipynb")


def test_cells_with_odd_shapes_are_tolerated(tmp_path):
    path = tmp_path / "a.ipynb"
    path.write_text(notebook(code(None), code(["a = 1\n", 7, "b = 2"]), "not a cell", {"cell_type": "raw", "source": "x"}))
    assert [c.source for c in read_submission(path).cells] == ["", "a = 1\nb = 2"]
