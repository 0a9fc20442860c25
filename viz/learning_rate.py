"""The learning-rate picture: the loss along one direction and the steps each rate takes on it.

Pure builder: an nn_core.lr_picture.LinePicture in, go.Figure (a viz.unchecked.Prebuilt) out. One panel per path, each
showing the same loss curve (this network's, along its steepest-descent direction), the
valley floor, and the first `steps` steps as numbered points.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.unchecked import fresh, prebuilt

# One distinct colour per path (Okabe-Ito, readable by colour-blind viewers)
PATH_COLOURS = ("#0072B2", "#009E73", "#E69F00", "#D55E00", "#CC79A7")


def path_title(path, one_step_lr: float) -> str:
    times = path.lr / one_step_lr
    return f"{path.name}<br>η = {path.lr:.3g} ({times:.2g}× one-step)<br><b>{path.outcome}</b>"


def line_figure(picture, steps: int = 8, height_per_row: int = 300, cols: int = 3) -> go.Figure:
    """Return one panel per path with the first `steps` steps drawn on the loss curve.

    Built as Plotly's JSON (viz.unchecked.prebuilt): make_subplots and add_vline's object
    model cost ten times the picture's numbers on every render of the Training page.
    """
    paths = picture.paths
    rows = max(1, math.ceil(len(paths) / cols))
    layout = _panels(rows, cols, len(paths))
    lo, hi = float(picture.t[0]), float(picture.t[-1])
    ymax = float(np.nanmax(picture.loss))
    ymin = float(np.nanmin(picture.loss))
    pad = 0.08 * (ymax - ymin or 1.0)
    data, shapes = [], []
    for n, p in enumerate(paths):
        axis = "" if n == 0 else str(n + 1)  # panels fill the grid row by row
        on = dict(xaxis="x" + axis, yaxis="y" + axis)
        data.append(dict(type="scatter", x=picture.t, y=picture.loss, mode="lines",
                         showlegend=False, line=dict(color="#888", width=2),
                         hovertemplate="t = %{x:.3g}<br>loss %{y:.4g}<extra></extra>", **on))
        shapes.append(dict(type="line", x0=float(picture.t_min), x1=float(picture.t_min),
                           xref="x" + axis, y0=0, y1=1, yref=f"y{axis} domain",
                           line=dict(color="#bbb", dash="dot", width=1)))
        k = min(steps, len(p.t) - 1)
        t, y = p.t[:k + 1], np.clip(p.loss[:k + 1], ymin - pad, ymax + pad)
        inside = (t >= lo) & (t <= hi)
        colour = PATH_COLOURS[n % len(PATH_COLOURS)]
        data.append(dict(
            type="scatter", x=np.clip(t, lo, hi), y=y, mode="lines+markers+text",
            showlegend=False, text=[str(i) if inside[i] else f"{i}→" for i in range(k + 1)],
            textposition="top center", textfont=dict(color=colour, size=12),
            marker=dict(size=9, color=colour, symbol=["circle" if v else "triangle-right"
                                                      for v in inside]),
            line=dict(color=colour, width=1.5),
            hovertemplate="step %{text}<br>t = %{x:.3g}<br>loss %{y:.4g}<extra></extra>", **on))
    for n, note in enumerate(layout.get("annotations", [])):  # none without paths
        note.update(text=path_title(paths[n], picture.one_step_lr), font=dict(size=12, color="#333"))
    for name, axis in layout.items():
        if name.startswith("xaxis"):
            axis.update(range=[lo, hi], showgrid=True, gridcolor="#eee", zeroline=True,
                        zerolinecolor="#ccc")
            if axis["anchor"] in _bottom_row(rows, cols):
                axis["title"] = dict(text="distance t along −gradient")
        elif name.startswith("yaxis"):
            axis.update(range=[ymin - pad, ymax + 2 * pad], showgrid=True, gridcolor="#eee")
    layout["yaxis"]["title"] = dict(text="loss")
    if rows > 1:
        layout[f"yaxis{cols + 1}"]["title"] = dict(text="loss")
    if shapes:
        layout["shapes"] = shapes
    layout.update(height=80 + height_per_row * rows, plot_bgcolor="white",
                  margin=dict(l=10, r=10, t=80, b=10))
    return prebuilt(data, layout)


def _bottom_row(rows, cols) -> set:
    """The y axes of the last row's panels (their x axes carry the axis title)."""
    return {"y" if k == 1 else f"y{k}" for k in range((rows - 1) * cols + 1, rows * cols + 1)}


def _panels(rows: int, cols: int, titles: int) -> dict:
    """make_subplots' layout of the grid (axes, domains, one title annotation per panel)."""
    def grid():
        layout = make_subplots(rows=rows, cols=cols, shared_yaxes=True, horizontal_spacing=0.04,
                               vertical_spacing=0.28,
                               subplot_titles=[str(n) for n in range(titles)]).layout
        layout = layout.to_plotly_json()
        layout.pop("template")  # Plotly's default one: prebuilt puts it back
        return layout
    return fresh(("lr_panels", rows, cols, titles), grid)
