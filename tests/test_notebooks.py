"""The notebooks in a real Jupyter kernel: the teaching notebook runs top to bottom, and a student's
check cells show the verdicts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "perceptron_regression"
ASSIGNMENTS = sorted(p.name for p in (ROOT / "source").iterdir() if (p / f"{p.name}.ipynb").exists())


def execute(path, cwd, allow_errors=False):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return notebook


def outputs_of(cell, kind):
    return [o for o in cell.get("outputs", []) if o.get("output_type") == kind]


def text_of(cell):
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts.append(data.get("text/html", "") + data.get("text/plain", ""))
    return "".join(parts)


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def executed_source(request):
    folder = ROOT / "source" / request.param
    return execute(folder / f"{request.param}.ipynb", folder)


def test_the_teaching_notebook_runs_top_to_bottom_and_draws_its_plots(executed_source):
    errors = [o for c in executed_source.cells for o in outputs_of(c, "error")]
    assert errors == []
    images = [o for c in executed_source.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 3


def test_every_check_cell_of_the_teaching_notebook_passes(executed_source):
    checks = [c for c in executed_source.cells if c.cell_type == "code" and c.source.startswith("check(")]
    assert checks
    assert all("All public checks pass" in text_of(c) for c in checks)


def test_a_students_check_cell_shows_the_mistake_in_a_real_kernel(course_root, tmp_path):
    folder = tmp_path / ASSIGNMENT
    shutil.copytree(course_root / "release" / ASSIGNMENT, folder)
    path = folder / f"{ASSIGNMENT}.ipynb"
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "forward_propagation_code":
            cell["source"] = "def forward_propagation(X, parameters):\n    return parameters['W'] @ X\n"
    path.write_text(json.dumps(notebook))
    executed = execute(path, folder, allow_errors=True)
    by_source = {c.source: c for c in executed.cells if c.cell_type == "code"}
    forward = by_source['check("forward_propagation")']
    assert "Add the bias" in text_of(forward) and "text/html" in forward.outputs[0]["data"]
    assert "not implemented yet" in text_of(by_source['check("layer_sizes")'])
    grade_cell = by_source['grade("forward_propagation")']
    assert [o["data"]["text/plain"] for o in outputs_of(grade_cell, "execute_result")] == ["0.0"]
    assert not any(o.get("name") == "stderr" for o in grade_cell.outputs)
