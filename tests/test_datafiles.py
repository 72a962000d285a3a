"""Every assignment's generated data is written the same on every run: make_data.py's tables are the committed files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from autograder.datafiles import course_data_folder, csv_text, gaussian_blobs, write_course_data

ROOT = Path(__file__).resolve().parents[1]
MAKERS = sorted(ROOT.glob("assignments/*/make_data.py"))


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"make_data_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("maker", MAKERS, ids=lambda p: p.parent.name)
def test_make_data_gives_back_the_committed_files_byte_for_byte(maker):
    tables = load(maker).tables()
    folder = course_data_folder(maker)
    assert folder == ROOT / "source" / maker.parent.name / "data" and tables
    for name, text in tables.items():
        assert (folder / name).read_bytes() == text.encode("ascii"), f"{maker.parent.name}/{name} is out of date"
        assert np.loadtxt(folder / name, delimiter=",", skiprows=1, dtype=str).shape[0] == text.count("\n") - 1


def test_csv_text_formats_each_column_and_ends_every_line(tmp_path):
    text = csv_text(("month", "x", "y"), [("2020-01", np.float64(1.23456), 1.0), ("2020-02", 2, np.int64(0))],
                    ("{}", "{:.2f}", "{:.0f}"))
    assert text == "month,x,y\n2020-01,1.23,1\n2020-02,2.00,0\n"
    with pytest.raises(ValueError):  # a row with a value more or less than the columns is an author's error, said
        csv_text(("x",), [(1.0, 2.0)], ("{:.1f}",))
    maker = tmp_path / "course" / "assignments" / "toy" / "make_data.py"
    written = write_course_data(maker, lambda: {"points.csv": text})
    assert written == [tmp_path / "course" / "source" / "toy" / "data" / "points.csv"] and written[0].read_text() == text


def test_gaussian_blobs_draw_each_cloud_round_it_and_shuffle_the_rows():
    table = gaussian_blobs(np.random.default_rng(3), ((0.0, 0.0, 0), (10.0, -10.0, 1)), 0.5, 200, decimals=2)
    assert table.shape == (400, 3) and np.array_equal(np.round(table, 2), table)
    assert sorted(set(table[:, 2])) == [0.0, 1.0] and (table[:, 2] == 1).sum() == 200
    assert not np.array_equal(table[:200, 2], np.zeros(200))  # shuffled: the first cloud's rows are not all first
    ones = table[table[:, 2] == 1, :2]
    assert np.allclose(ones.mean(axis=0), (10.0, -10.0), atol=0.1) and np.allclose(ones.std(axis=0), 0.5, atol=0.05)
    rng = np.random.default_rng(3)  # the draws, in order: each cloud, then the permutation
    first, second = rng.normal((0.0, 0.0), 0.5, size=(200, 2)), rng.normal((10.0, -10.0), 0.5, size=(200, 2))
    order = rng.permutation(400)
    assert np.array_equal(table[:, :2], np.round(np.vstack([first, second]), 2)[order])
    with pytest.raises(AssertionError):  # a cloud drawn at another centre is told apart
        assert np.allclose(gaussian_blobs(np.random.default_rng(3), ((0.0, 0.0, 0), (9.0, -10.0, 1)), 0.5, 200,
                                          decimals=2), table)
