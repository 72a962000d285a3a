"""Plots that explain a mistake, as plain data a check attaches and feedback renders.

A check builds a :class:`Figure` from its own numbers (never from hidden inputs: only public
checks' figures reach students) and attaches it with the ``feedback`` fixture, usually only when
the answer is wrong::

    figure = (Figure("Your fitted line", xlabel="TV budget", ylabel="sales")
              .scatter(x, y, role="data").line(xs, theirs, role="student").line(xs, ours, role="reference"))
    feedback.attach(figure)

A figure is plain data (lists of numbers), so it travels in the results JSON; :func:`render_png`
draws it with matplotlib in the trusted process.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from . import escape

__all__ = ["Figure", "render_png"]

Role = Literal["student", "reference", "data", "other"]
MAX_POINTS = 400  # per layer: enough to draw, small enough for a results file
MAX_GRID = 60  # a contour's rows and columns: enough for level curves, small enough for a results file
MAX_LAYERS = 12  # more would not be read, and each costs drawing time
MAX_TEXT = 160  # characters of a title, axis label or legend label: a student value in one stays readable
# Beyond this magnitude a value is drawn as a gap: matplotlib's ranges (max - min, plus margins)
# overflow to infinity near float's 1.8e308 and it raises; 1e300 leaves room for that arithmetic.
LARGEST = 1e300
_STYLE: dict[str, dict[str, Any]] = {
    "student": {"color": "#c0392b", "linestyle": "-", "marker": "o", "alpha": 0.9},
    "reference": {"color": "#1e7b4f", "linestyle": "--", "marker": "s", "alpha": 0.8},
    "data": {"color": "#7f8c8d", "linestyle": "", "marker": ".", "alpha": 0.6},
    "other": {"color": "#2c3e50", "linestyle": ":", "marker": "", "alpha": 0.7},
}


def _floats(values: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``values`` as float64, or an empty array when they are not numbers (a string, ragged lists)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # complex values lose their imaginary part, None becomes NaN
            return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return np.empty(0)


def _numbers(values: Any) -> list[float | None]:
    """At most MAX_POINTS numbers, evenly picked; what is not a finite number becomes None (a gap)."""
    array = _floats(values).ravel()
    if array.size > MAX_POINTS:
        array = array[np.linspace(0, array.size - 1, MAX_POINTS).astype(int)]
    return [float(v) if np.isfinite(v) else None for v in array]  # type: ignore[misc]  # JSON has no NaN


@dataclass
class Figure:
    """A small plot: layers of points, lines, paths and one optional contour."""

    title: str
    xlabel: str = "x"
    ylabel: str = "y"
    layers: list[dict[str, Any]] = field(default_factory=list)

    def scatter(self, x: Any, y: Any, *, role: Role = "data", label: str | None = None) -> Figure:
        return self._add("scatter", x, y, role, label)

    def line(self, x: Any, y: Any, *, role: Role = "student", label: str | None = None) -> Figure:
        return self._add("line", x, y, role, label)

    def path(self, x: Any, y: Any, *, role: Role = "student", label: str | None = None) -> Figure:
        """Visited points joined in order (a descent path), start and end marked."""
        return self._add("path", x, y, role, label)

    def contour(self, x: Sequence[float], y: Sequence[float], z: Any, *, label: str | None = None) -> Figure:
        """Filled level curves of ``z`` (rows along ``y``); left out when ``z`` is not a grid of numbers."""
        grid = _floats(z)
        if grid.ndim != 2 or not grid.size:
            return self
        step = max(1, int(np.ceil(max(grid.shape) / MAX_GRID)))
        self.layers.append({"kind": "contour", "x": _numbers(_floats(x).ravel()[::step]),
                            "y": _numbers(_floats(y).ravel()[::step]),
                            "z": [_numbers(row) for row in grid[::step, ::step]], "role": "other", "label": label})
        return self

    def _add(self, kind: str, x: Any, y: Any, role: Role, label: str | None) -> Figure:
        self.layers.append({"kind": kind, "x": _numbers(x), "y": _numbers(y), "role": role,
                            "label": label or {"student": "yours", "reference": "expected"}.get(role, role)})
        return self

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "xlabel": self.xlabel, "ylabel": self.ylabel, "layers": self.layers}


def render_png(spec: dict[str, Any]) -> bytes | None:
    """Draw a figure spec (from :meth:`Figure.to_json`) as a PNG, or None when it cannot be drawn.

    The spec carries student values and text, so nothing in it may stop the feedback of a class:
    values matplotlib cannot place become gaps, text is drawn as plain text (never mathtext or
    LaTeX) and shortened, layers and points are capped (so is the drawing time; the size is fixed),
    and any failure that remains gives None."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    try:
        with warnings.catch_warnings(), matplotlib.rc_context({"text.usetex": False, "text.parse_math": False}):
            warnings.simplefilter("ignore")  # missing glyphs, empty contours: the picture says enough
            return _draw(spec)
    except Exception:  # a plot is an extra: the feedback goes out without it
        return None


def _text(value: Any) -> str:
    text = escape.terminal_line(value if value is not None else "")
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _placeable(values: Any, limit: int, *, grid: bool = False) -> np.ndarray[Any, np.dtype[np.float64]]:
    """At most ``limit`` numbers (per side of a ``grid``, else flat) matplotlib can place: NaN (a gap)
    for anything infinite or beyond LARGEST."""
    array = _floats(values)
    array = array[:limit, :limit] if grid and array.ndim == 2 else array.ravel()[:limit]
    return np.where(np.abs(array) <= LARGEST, array, np.nan)


def _draw(spec: dict[str, Any]) -> bytes:
    from matplotlib.figure import Figure as MplFigure

    figure = MplFigure(figsize=(5.5, 3.8), dpi=100)
    axes = figure.add_subplot()
    layers = [layer for layer in spec.get("layers", [])[:MAX_LAYERS] if isinstance(layer, dict)]
    labelled = False
    for layer in layers:
        style = _STYLE.get(str(layer.get("role")), _STYLE["other"])
        label = _text(layer["label"]) if layer.get("label") else None
        if layer.get("kind") == "contour":
            _draw_contour(figure, axes, layer)
            continue
        x, y = _placeable(layer.get("x", []), MAX_POINTS), _placeable(layer.get("y", []), MAX_POINTS)
        x, y = x[: y.size], y[: x.size]  # a student's y of the wrong length: draw what pairs up
        labelled = labelled or label is not None
        if layer.get("kind") == "scatter":
            axes.scatter(x, y, s=14, color=style["color"], alpha=style["alpha"], marker=style["marker"] or "o",
                         label=label)
        elif layer.get("kind") == "path":
            axes.plot(x, y, color=style["color"], linestyle=style["linestyle"] or "-", marker=style["marker"] or "o",
                      markersize=3, alpha=style["alpha"], label=label)
            if x.size:
                axes.scatter([x[0]], [y[0]], s=60, color=style["color"], marker="^", zorder=5)
                axes.scatter([x[-1]], [y[-1]], s=80, color=style["color"], marker="*", zorder=5)
        else:
            axes.plot(x, y, color=style["color"], linestyle=style["linestyle"] or "-", alpha=style["alpha"],
                      label=label)
    axes.set_title(_text(spec.get("title", "")))
    axes.set_xlabel(_text(spec.get("xlabel", "")))
    axes.set_ylabel(_text(spec.get("ylabel", "")))
    if labelled:
        axes.legend(loc="best", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _draw_contour(figure: Any, axes: Any, layer: dict[str, Any]) -> None:
    """Filled level curves, when the grid is one (finite coordinates, a value per pair, some finite)."""
    x, y = _placeable(layer.get("x", []), MAX_GRID), _placeable(layer.get("y", []), MAX_GRID)
    z = _placeable(layer.get("z", []), MAX_GRID, grid=True)
    if (z.ndim != 2 or z.shape != (y.size, x.size) or min(z.shape) < 2 or not np.isfinite(z).any()
            or not (np.isfinite(x).all() and np.isfinite(y).all())):
        return
    filled = axes.contourf(x, y, np.ma.masked_invalid(z), levels=20, cmap="Blues", alpha=0.6)
    figure.colorbar(filled, ax=axes)
