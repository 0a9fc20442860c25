"""Figures of the Activations page: the functions, and the same network trained with each.

Pure builders: activation names or nn_core ActivationRuns in, go.Figure out. Each activation
keeps one colour in every figure.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nn_core import HIDDEN_ACTIVATIONS, get_activation
from viz.boundary import grid_inputs, plane_grid
from viz.colors import (
    ACTIVATION_PALETTE,
    LAYER_COLOURS,
    TEXT,
    class_codes,
    label_colours,
    output_kind,
    output_scale,
)

COLOURS = dict(zip(HIDDEN_ACTIVATIONS, ACTIVATION_PALETTE))


def colour(name: str) -> str:
    return COLOURS.get(name, TEXT)


def curve_points(name: str, z_range=(-5.0, 5.0), n: int = 401):
    """Return (z, f(z), f'(z)) on a grid, straight from nn_core's activation."""
    z = np.linspace(float(z_range[0]), float(z_range[1]), int(n))
    act = get_activation(name)
    return z, act.fn(z), act.derivative(z)


def functions_figure(names, z_range=(-5.0, 5.0), n: int = 401, height=420) -> go.Figure:
    """Return f(z) (left) and f'(z) (right) of each named activation, one colour each."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("f(z): the activation",
                                                        "f'(z): its derivative"),
                        horizontal_spacing=0.08)
    for name in names:
        z, a, d = curve_points(name, z_range, n)
        for col, values, dash in ((1, a, "solid"), (2, d, "solid")):
            fig.add_trace(go.Scatter(
                x=z, y=values, mode="lines", name=name, legendgroup=name,
                showlegend=col == 1, line=dict(color=colour(name), width=2.5, dash=dash),
                hovertemplate=(f"{name}<br>z = %{{x:.2f}}<br>"
                               + ("f(z)" if col == 1 else "f'(z)")
                               + " = %{y:.4f}<extra></extra>")), row=1, col=col)
    fig.update_xaxes(title="z", zeroline=True, zerolinecolor="#999")
    fig.update_yaxes(zeroline=True, zerolinecolor="#999")
    fig.update_yaxes(range=[-1.5, 3.0], row=1, col=1)
    fig.update_yaxes(range=[-0.2, 1.3], row=1, col=2)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10),
                      plot_bgcolor="white", legend=dict(orientation="h", y=-0.18, x=0),
                      hovermode="closest")
    fig.update_xaxes(showgrid=True, gridcolor="#eee")
    fig.update_yaxes(showgrid=True, gridcolor="#eee")
    return fig


def loss_figure(runs, target=None, height=420) -> go.Figure:
    """Return train (solid) and test (dotted) loss per epoch of each run, log scale."""
    fig = go.Figure()
    for run in runs:
        h = run.history
        epochs = np.concatenate([[0], h.epochs])
        train = np.concatenate([[h.initial_loss], h.loss])
        fig.add_trace(go.Scatter(
            x=epochs, y=train, mode="lines", name=f"{run.name}", legendgroup=run.name,
            line=dict(color=colour(run.name), width=2.2),
            hovertemplate=f"{run.name} train<br>epoch %{{x}}<br>loss %{{y:.4g}}<extra></extra>"))
        if h.test_loss is not None:
            test = np.concatenate([[h.initial_test_loss], h.test_loss])
            fig.add_trace(go.Scatter(
                x=epochs, y=test, mode="lines", name=f"{run.name} (test)",
                legendgroup=run.name, showlegend=False,
                line=dict(color=colour(run.name), width=1.5, dash="dot"),
                hovertemplate=f"{run.name} test<br>epoch %{{x}}<br>loss %{{y:.4g}}"
                              "<extra></extra>"))
    if target is not None and target > 0:
        fig.add_hline(y=target, line=dict(color="#444", dash="dash", width=1))
        # On a log axis an annotation's y is log10 of the value (add_hline's own label is not
        # converted, which put it at the top of the chart): place the label on the line.
        fig.add_annotation(x=1, xref="x domain", y=math.log10(target), yref="y",
                           text=f"loss target {target:g}", showarrow=False, xanchor="right",
                           yanchor="bottom", font=dict(color="#444", size=12),
                           bgcolor="rgba(255,255,255,0.8)")
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      xaxis_title="epoch", yaxis_title="loss (log scale)",
                      yaxis_type="log", legend=dict(title="solid: train · dotted: test"))
    fig.update_xaxes(showgrid=True, gridcolor="#eee")
    fig.update_yaxes(showgrid=True, gridcolor="#eee")
    return fig


def _grid(n, max_cols):
    cols = min(n, max_cols)
    return math.ceil(n / cols), cols


def gradient_figure(runs, max_cols=3, height_per_row=230) -> go.Figure:
    """Return one panel per run: each layer's |dL/dW| per epoch (History.grad_norms), log y.

    All panels share the y axis, so a vanishing first layer sits visibly below the others.
    """
    rows, cols = _grid(len(runs), max_cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[r.name for r in runs],
                        shared_yaxes="all", shared_xaxes="all", vertical_spacing=0.12,
                        horizontal_spacing=0.04)
    n_layers = max(r.history.grad_norms.shape[1] if r.history.grad_norms.size else 0
                   for r in runs) if runs else 0
    for i, run in enumerate(runs):
        norms = run.history.grad_norms
        row, col = i // cols + 1, i % cols + 1
        for l in range(norms.shape[1] if norms.size else 0):
            # Exact zeros (a dead layer) cannot sit on a log axis: they are drawn as gaps.
            y = np.where(norms[:, l] > 0, norms[:, l], np.nan)
            name = "output layer" if l == n_layers - 1 else f"layer {l + 1}"
            fig.add_trace(go.Scatter(
                x=run.history.epochs, y=y, mode="lines", name=name, legendgroup=name,
                showlegend=i == 0,
                line=dict(color=LAYER_COLOURS[min(l, len(LAYER_COLOURS) - 1)]
                          if l < n_layers - 1 else LAYER_COLOURS[-1], width=1.8),
                hovertemplate=f"{run.name}, {name}<br>epoch %{{x}}<br>|dL/dW| %{{y:.3e}}"
                              "<extra></extra>"), row=row, col=col)
    fig.update_yaxes(type="log", showgrid=True, gridcolor="#eee", exponentformat="power")
    fig.update_xaxes(showgrid=True, gridcolor="#eee")
    for c in range(1, cols + 1):
        fig.update_xaxes(title_text="epoch", row=rows, col=c)
    for r in range(1, rows + 1):
        fig.update_yaxes(title_text="|dL/dW|", row=r, col=1)
    fig.update_layout(height=80 + height_per_row * rows, margin=dict(l=10, r=10, t=40, b=10),
                      plot_bgcolor="white", legend=dict(orientation="h", y=1.0 + 0.12 / rows,
                                                        x=0, yanchor="bottom"))
    return fig


def boundaries_figure(runs, plane, y_train, *, resolution=50, max_cols=5, size=230):
    """Return one small decision-boundary heatmap per run (trained weights) with the training
    points; None if the data is not a 2-D plane. `plane` is nn_core's InputPlane."""
    if plane is None or not runs:
        return None
    nets = [r.network() for r in runs]
    axis, points = plane_grid(plane.domain, resolution)
    inputs = grid_inputs(nets[0], points, plane.inputs)
    if inputs is None:
        return None
    kind = output_kind(nets[0], y_train)
    scale, zmin, zmax, _ = output_scale(kind, nets[0].layer_sizes[-1], y_train)
    rows, cols = _grid(len(runs), max_cols)
    titles = []
    for r in runs:
        acc = r.history.test_accuracy
        # Two short lines: five titles side by side must fit a 560 px wide figure.
        titles.append(f"{r.name}<br>test {100 * acc[-1]:.0f}%" if acc is not None and len(acc)
                      else r.name)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.02,
                        vertical_spacing=0.08)
    pts = np.asarray(plane.points_train, dtype=np.float32)
    dots = label_colours(kind, y_train)
    n = len(axis)
    for i, net in enumerate(nets):
        row, col = i // cols + 1, i % cols + 1
        with np.errstate(all="ignore"):
            out = net.predict(inputs, dtype=np.float32)
        z = class_codes(out) if kind == "classes" else out[:, 0]
        fig.add_trace(go.Heatmap(
            x=axis.astype(np.float32), y=axis.astype(np.float32),
            z=np.asarray(z, dtype=np.float32).reshape(n, n), coloraxis="coloraxis",
            hovertemplate=f"{runs[i].name}<br>(%{{x:.2f}}, %{{y:.2f}})<br>output %{{z:.3f}}"
                          "<extra></extra>"), row=row, col=col)
        fig.add_trace(go.Scatter(
            x=pts[:, 0], y=pts[:, 1], mode="markers", showlegend=False, hoverinfo="skip",
            marker=dict(size=4, color=dots, colorscale=scale, cmin=zmin, cmax=zmax,
                        line=dict(color="white", width=0.6))), row=row, col=col)
    lo, hi = plane.domain
    fig.update_xaxes(range=[lo, hi], showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(range=[lo, hi], showticklabels=False, showgrid=False, zeroline=False)
    for i in range(len(runs)):
        suffix = "" if i == 0 else str(i + 1)
        fig.layout[f"yaxis{suffix}"].update(scaleanchor=f"x{suffix}", scaleratio=1)
    # t=50: the first row's two-line titles sit above its cells, inside the figure.
    fig.update_layout(height=60 + size * rows, margin=dict(l=10, r=10, t=50, b=10),
                      coloraxis=dict(colorscale=scale, cmin=zmin, cmax=zmax,
                                     colorbar=dict(title="output", thickness=12, len=0.8)),
                      plot_bgcolor="white")
    return fig


def dead_units_figure(labels, dead, total, names, height=300) -> go.Figure:
    """Return a bar per run: the share of hidden units never active on the training data."""
    share = [100.0 * d / t if t else 0.0 for d, t in zip(dead, total)]
    fig = go.Figure(go.Bar(
        x=list(labels), y=share, marker_color=[colour(n) for n in names],
        text=[f"{d} of {t}" for d, t in zip(dead, total)], textposition="outside",
        hovertemplate="%{x}<br>%{y:.0f}% of hidden units dead<extra></extra>"))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=20, b=10), plot_bgcolor="white",
                      yaxis=dict(title="dead hidden units (%)", range=[0, 110],
                                 gridcolor="#eee"), showlegend=False)
    return fig
