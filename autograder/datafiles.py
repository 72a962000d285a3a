"""The data files an assignment generates (its ``make_data.py``), written the same on every run.

A ``make_data.py`` draws its tables from one seeded generator and says what it generates; this module
does the rest: each table becomes CSV text with a fixed format per column and ``\\n`` line endings
(byte-identical on every machine, so a regenerated file never shows as a change), written into the
course's ``source/<assignment>/data/``::

    def tables():
        return {"points.csv": csv_text(("x", "y"), generate(), ("{:.3f}", "{:.0f}"))}

    if __name__ == "__main__":
        write_course_data(__file__, tables)

``gaussian_blobs`` draws a table that recurs in classification exercises: labelled round Gaussian clouds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np


def csv_text(header: Sequence[str], rows: Iterable[Iterable[float]], formats: Sequence[str]) -> str:
    """A header line, then one line per row with each value in its column's format (``"{:.3f}"``)."""
    lines = [",".join(header)]
    lines += [",".join(form.format(value) for form, value in zip(formats, row, strict=True)) for row in rows]
    return "\n".join(lines) + "\n"


def gaussian_blobs(rng: np.random.Generator, blobs: Sequence[Sequence[float]], sd: float, n: int, *,
                   decimals: int) -> np.ndarray:
    """Round Gaussian clouds, one per row of ``blobs`` (its centre's coordinates, then its label): ``n`` points each,
    with standard deviation ``sd`` in every coordinate, drawn from ``rng`` blob by blob and rounded to ``decimals``;
    then the rows shuffled (one more draw from ``rng``). A table of rows (coordinates..., label)."""
    clouds = [np.column_stack([np.round(rng.normal(blob[:-1], sd, size=(n, len(blob) - 1)), decimals),
                               np.full(n, float(blob[-1]))]) for blob in blobs]
    table = np.vstack(clouds)
    return table[rng.permutation(len(table))]


def write_tables(folder: str | Path, tables: Mapping[str, str]) -> list[Path]:
    """Write ``{file name: text}`` into ``folder`` (created if missing), as ASCII; return the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in tables.items():
        path = folder / name
        path.write_bytes(text.encode("ascii"))
        paths.append(path)
    return paths


def course_data_folder(make_data_file: str | Path) -> Path:
    """``source/<assignment>/data/`` of the course that holds ``assignments/<assignment>/make_data.py``."""
    assignment = Path(make_data_file).resolve().parent
    return assignment.parents[1] / "source" / assignment.name / "data"


def write_course_data(make_data_file: str | Path, tables: Callable[[], Mapping[str, str]]) -> list[Path]:
    """What ``python assignments/<a>/make_data.py`` does: write its tables into the course's data folder."""
    paths = write_tables(course_data_folder(make_data_file), tables())
    for path in paths:
        print(f"wrote {path}")
    return paths
