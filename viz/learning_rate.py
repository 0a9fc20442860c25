"""The learning-rate picture: the loss along one direction and the steps each rate takes on it.

Pure builder: an nn_core.lr_picture.LinePicture in, go.Figure out. One panel per path, each
showing the same loss curve (this network's, along its steepest-descent direction), the
valley floor, and the first `steps` steps as numbered points.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# One distinct colour per path (Okabe-Ito, readable by colour-blind viewers)
PATH_COLOURS = ("#0072B2", "#009E73", "#E69F00", "#D55E00", "#CC79A7")


def path_title(path, one_step_lr: float) -> str:
    times = path.lr / one_step_lr
    return f"{path.name}<br>η = {path.lr:.3g} ({times:.2g}× one-step)<br><b>{path.outcome}</b>"


def line_figure(picture, steps: int = 8, height_per_row: int = 300, cols: int = 3) -> go.Figure:
    """Return one panel per path with the first `steps` steps drawn on the loss curve."""
    paths = picture.paths
    rows = max(1, math.ceil(len(paths) / cols))
    fig = make_subplots(rows=rows, cols=cols, shared_yaxes=True, horizontal_spacing=0.04,
                        vertical_spacing=0.28,
                        subplot_titles=[path_title(p, picture.one_step_lr) for p in paths])
    lo, hi = float(picture.t[0]), float(picture.t[-1])
    ymax = float(np.nanmax(picture.loss))
    ymin = float(np.nanmin(picture.loss))
    pad = 0.08 * (ymax - ymin or 1.0)
    for n, p in enumerate(paths):
        row, col = n // cols + 1, n % cols + 1
        fig.add_trace(go.Scatter(x=picture.t, y=picture.loss, mode="lines", showlegend=False,
                                 line=dict(color="#888", width=2),
                                 hovertemplate="t = %{x:.3g}<br>loss %{y:.4g}<extra></extra>"),
                      row=row, col=col)
        fig.add_vline(x=picture.t_min, line=dict(color="#bbb", dash="dot", width=1),
                      row=row, col=col)
        k = min(steps, len(p.t) - 1)
        t, y = p.t[:k + 1], np.clip(p.loss[:k + 1], ymin - pad, ymax + pad)
        inside = (t >= lo) & (t <= hi)
        colour = PATH_COLOURS[n % len(PATH_COLOURS)]
        fig.add_trace(go.Scatter(
            x=np.clip(t, lo, hi), y=y, mode="lines+markers+text", showlegend=False,
            text=[str(i) if inside[i] else f"{i}→" for i in range(k + 1)],
            textposition="top center", textfont=dict(color=colour, size=12),
            marker=dict(size=9, color=colour, symbol=["circle" if v else "triangle-right"
                                                      for v in inside]),
            line=dict(color=colour, width=1.5),
            hovertemplate="step %{text}<br>t = %{x:.3g}<br>loss %{y:.4g}<extra></extra>"),
            row=row, col=col)
    fig.update_xaxes(range=[lo, hi], showgrid=True, gridcolor="#eee", zeroline=True,
                     zerolinecolor="#ccc")
    fig.update_yaxes(range=[ymin - pad, ymax + 2 * pad], showgrid=True, gridcolor="#eee")
    for c in range(1, cols + 1):
        fig.update_xaxes(title_text="distance t along −gradient", row=rows, col=c)
    fig.update_yaxes(title_text="loss", row=1, col=1)
    if rows > 1:
        fig.update_yaxes(title_text="loss", row=2, col=1)
    fig.update_annotations(font=dict(size=12, color="#333"))
    fig.update_layout(height=80 + height_per_row * rows, plot_bgcolor="white",
                      margin=dict(l=10, r=10, t=80, b=10))
    return fig
