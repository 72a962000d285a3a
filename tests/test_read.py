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


NBCONVERT_EXPORT = """#!/usr/bin/env python
# coding: utf-8

# # Week 3: a single perceptron
#
# Run every cell in order; `w3_unittest` checks your work.

# In[1]:


import numpy as np
import w3_unittest
get_ipython().run_line_magic('matplotlib', 'inline')


# ## Exercise 1
#
# Write `layer_sizes`.

# In[2]:


def layer_sizes(X, Y):
    return (X.shape[0], Y.shape[0])


# In[ ]:


w3_unittest.test_layer_sizes(layer_sizes)

"""


def test_an_nbconvert_export_splits_at_its_in_markers(tmp_path):
    path = tmp_path / "week3.py"
    path.write_text(NBCONVERT_EXPORT)
    read = read_submission(path)
    assert [(c.number, c.line, c.first_line) for c in read.cells] == [(1, 8, "# In[1]:"), (2, 20, "# In[2]:"),
                                                                        (3, 27, "# In[ ]:")]
    assert "import w3_unittest" in read.cells[0].source and "def layer_sizes" in read.cells[1].source
    assert read.cells[1].label == "cell 2 (line 20)" and "at its cell markers" in read.notes[0]
    lines = NBCONVERT_EXPORT.splitlines()
    for cell in read.cells:  # a line of a cell is a line of the file
        assert cell.source.splitlines() == lines[cell.line - 1:cell.line - 1 + len(cell.source.splitlines())]


def test_a_script_without_markers_gets_a_cell_per_statement(tmp_path):
    path = tmp_path / "plain.py"
    path.write_text('#!/usr/bin/env python\n"""Week 3."""\nimport numpy as np\nimport w3_unittest  # not there\n\n'
                    "a = 1; b = 2\n\n\n@functools.cache\ndef f(x):\n    y = x\n\n    return y\n"
                    "if a:\n    c = 1\nelse:\n    c = 2\n%matplotlib inline\n")
    read = read_submission(path)
    assert [(c.line, c.source.splitlines()[0]) for c in read.cells] == [
        (2, '"""Week 3."""'), (3, "import numpy as np"), (4, "import w3_unittest  # not there"), (6, "a = 1; b = 2"),
        (9, "@functools.cache"), (14, "if a:"), (18, "get_ipython().run_line_magic('matplotlib', 'inline')")]
    assert read.cells[4].source == "@functools.cache\ndef f(x):\n    y = x\n\n    return y\n"
    assert "one per top-level statement" in read.notes[0]


def test_a_script_that_does_not_parse_is_split_at_blank_lines_then_at_statements(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("import w3_unittest\nimport numpy as np\n\ndef f(x):\n    y = x\n\n    return y\n\ndef g(:\n    pass\n\n"
                    "try:\n    import w3_unittest\n\nexcept ImportError:\n    pass\n# a comment\n\n%matplotlib inline\n")
    read = read_submission(path)
    assert [(c.number, c.line, c.first_line) for c in read.cells] == [
        (1, 1, "import w3_unittest"), (2, 2, "import numpy as np"), (3, 4, "def f(x):"), (4, 9, "def g(:"), (5, 12, "try:"),
        (6, 19, "get_ipython().run_line_magic('matplotlib', 'inline')")]
    assert "except ImportError" in read.cells[4].source and "at blank lines" in read.notes[0]
    assert [compile(c.source, "cell", "exec") for c in read.cells if c.number != 4]


def test_notebook_cells_have_no_line():
    from autograder.read import Cell

    assert Cell(4, "x = 1").line is None and Cell(4, "x = 1").label == "cell 4"
