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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

__all__ = ["Figure", "render_png"]

Role = Literal["student", "reference", "data", "other"]
MAX_POINTS = 400  # per layer: enough to draw, small enough for a results file
_STYLE: dict[str, dict[str, Any]] = {
    "student": {"color": "#c0392b", "linestyle": "-", "marker": "o", "alpha": 0.9},
    "reference": {"color": "#1e7b4f", "linestyle": "--", "marker": "s", "alpha": 0.8},
    "data": {"color": "#7f8c8d", "linestyle": "", "marker": ".", "alpha": 0.6},
    "other": {"color": "#2c3e50", "linestyle": ":", "marker": "", "alpha": 0.7},
}


def _numbers(values: Any) -> list[float | None]:
    array = np.asarray(values, dtype=np.float64).ravel()
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
        grid = np.asarray(z, dtype=np.float64)
        step = max(1, int(np.ceil(max(grid.shape) / 60)))
        self.layers.append({"kind": "contour", "x": _numbers(np.asarray(x)[::step]), "y": _numbers(np.asarray(y)[::step]),
                            "z": [_numbers(row) for row in grid[::step, ::step]], "role": "other", "label": label})
        return self

    def _add(self, kind: str, x: Any, y: Any, role: Role, label: str | None) -> Figure:
        self.layers.append({"kind": kind, "x": _numbers(x), "y": _numbers(y), "role": role,
                            "label": label or {"student": "yours", "reference": "expected"}.get(role, role)})
        return self

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "xlabel": self.xlabel, "ylabel": self.ylabel, "layers": self.layers}


def render_png(spec: dict[str, Any]) -> bytes:
    """Draw a figure spec (from :meth:`Figure.to_json`) as a PNG."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure as MplFigure

    figure = MplFigure(figsize=(5.5, 3.8), dpi=100)
    axes = figure.add_subplot()
    for layer in spec.get("layers", []):
        style = dict(_STYLE.get(layer.get("role", "other"), _STYLE["other"]))
        x = np.asarray(layer.get("x", []), dtype=np.float64)
        y = np.asarray(layer.get("y", []), dtype=np.float64)
        label = layer.get("label")
        if layer["kind"] == "contour":
            z = np.asarray(layer["z"], dtype=np.float64)
            filled = axes.contourf(x, y, z, levels=20, cmap="Blues", alpha=0.6)
            figure.colorbar(filled, ax=axes)
        elif layer["kind"] == "scatter":
            axes.scatter(x, y, s=14, color=style["color"], alpha=style["alpha"], marker=style["marker"] or "o",
                         label=label)
        elif layer["kind"] == "path":
            axes.plot(x, y, color=style["color"], linestyle=style["linestyle"] or "-", marker=style["marker"] or "o",
                      markersize=3, alpha=style["alpha"], label=label)
            if x.size:
                axes.scatter([x[0]], [y[0]], s=60, color=style["color"], marker="^", zorder=5)
                axes.scatter([x[-1]], [y[-1]], s=80, color=style["color"], marker="*", zorder=5)
        else:
            axes.plot(x, y, color=style["color"], linestyle=style["linestyle"] or "-", alpha=style["alpha"],
                      label=label)
    axes.set_title(str(spec.get("title", "")))
    axes.set_xlabel(str(spec.get("xlabel", "")))
    axes.set_ylabel(str(spec.get("ylabel", "")))
    if any(layer.get("label") for layer in spec.get("layers", []) if layer["kind"] != "contour"):
        axes.legend(loc="best", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
