"""Figures of the step-through pages: the network at one step, and loss curves of the bug zoo.

Pure functions: engine values in, go.Figure out. Edges are drawn as a few traces (one per
colour and width), with NaN separating segments; values not yet known are drawn empty.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

POSITIVE, NEGATIVE, UNKNOWN = "#0877bd", "#f59322", "#d9d9d9"
HIGHLIGHT = "rgba(255, 196, 0, 0.55)"
WIDTHS = (1.0, 2.2, 3.6, 5.5)  # edge widths by |value| quartile of the largest
NODE_SCALE = [[0.0, NEGATIVE], [0.5, "#ffffff"], [1.0, POSITIVE]]


def node_positions(layer_sizes):
    """Return (x, y) of every node, layer by layer, each layer centred vertically."""
    top = max(layer_sizes)
    return [(np.full(n, float(k)), (top - 1) / 2.0 - np.arange(n) + 0.0)
            for k, n in enumerate(layer_sizes)]


def _fmt(v):
    return "" if not np.isfinite(v) else format(float(v), ".3g")


def step_graph(layer_sizes, node_values=None, edge_values=None, highlight_nodes=(),
               highlight_edges=(), node_symbol="a", edge_symbol="w", height=420) -> go.Figure:
    """Return the network with the values known at one step; NaN means not known yet."""
    pos = node_positions(layer_sizes)
    fig = go.Figure()
    # Highlighted edges first, as a wide glow under the coloured lines.
    if highlight_edges:
        xs, ys = [], []
        for l, i, j in highlight_edges:
            xs += [pos[l][0][i], pos[l + 1][0][j], np.nan]
            ys += [pos[l][1][i], pos[l + 1][1][j], np.nan]
        fig.add_trace(go.Scatter(x=np.array(xs), y=np.array(ys), mode="lines", hoverinfo="skip",
                                 line=dict(color=HIGHLIGHT, width=14), showlegend=False))
    ref = max((float(np.nanmax(np.abs(e))) for e in edge_values or []
               if np.any(np.isfinite(e))), default=0.0) or 1.0
    groups = {}
    mid_x, mid_y, mid_text = [], [], []
    for l, e in enumerate(edge_values or []):
        for i, j in np.ndindex(e.shape):
            v = e[i, j]
            if np.isfinite(v):
                width = WIDTHS[min(int(abs(v) / ref * len(WIDTHS)), len(WIDTHS) - 1)]
                key = (POSITIVE if v >= 0 else NEGATIVE, width)
            else:
                key = (UNKNOWN, 1.0)
            x0, y0, x1, y1 = pos[l][0][i], pos[l][1][i], pos[l + 1][0][j], pos[l + 1][1][j]
            groups.setdefault(key, ([], []))
            groups[key][0].extend((x0, x1, np.nan))
            groups[key][1].extend((y0, y1, np.nan))
            mid_x.append(0.6 * x0 + 0.4 * x1)
            mid_y.append(0.6 * y0 + 0.4 * y1)
            sym = f"{edge_symbol}({l + 1})_{i + 1},{j + 1}"
            mid_text.append(f"{sym} = {_fmt(v)}" if np.isfinite(v) else f"{sym}: not yet known")
    for (colour, width), (xs, ys) in groups.items():
        fig.add_trace(go.Scatter(x=np.array(xs), y=np.array(ys), mode="lines",
                                 hoverinfo="skip", showlegend=False,
                                 line=dict(color=colour, width=width)))
    if mid_x:
        fig.add_trace(go.Scatter(x=np.array(mid_x), y=np.array(mid_y), mode="markers",
                                 marker=dict(size=8, opacity=0), hovertext=mid_text,
                                 hoverinfo="text", showlegend=False))
    # Nodes: coloured by value, empty (grey ring) when not known yet.
    xs = np.concatenate([p[0] for p in pos])
    ys = np.concatenate([p[1] for p in pos])
    if node_values is None:
        vals = np.full(xs.size, np.nan)
    else:
        vals = np.concatenate([np.asarray(v, dtype=float) for v in node_values])
    known = np.isfinite(vals)
    vmax = float(np.max(np.abs(vals[known]))) if known.any() else 1.0
    colour = np.where(known, 0.5 + 0.5 * np.nan_to_num(vals) / (vmax or 1.0), 0.5)
    starts = np.cumsum([0] + list(layer_sizes))
    hi = np.zeros(xs.size, bool)
    for k, j in highlight_nodes:
        hi[starts[k] + j] = True
    hover = [f"layer {k}, neuron {j + 1}: {node_symbol} = {_fmt(vals[starts[k] + j])}"
             if known[starts[k] + j] else f"layer {k}, neuron {j + 1}: not yet computed"
             for k, n in enumerate(layer_sizes) for j in range(n)]
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers+text", text=[_fmt(v) for v in vals], textposition="top center",
        textfont=dict(size=13, color="#222"), hovertext=hover, hoverinfo="text",
        showlegend=False,
        marker=dict(size=np.where(hi, 34, 28), color=colour, cmin=0, cmax=1,
                    colorscale=NODE_SCALE, line=dict(color=np.where(hi, "#e0a800", np.where(
                        known, "#555", "#bbb")), width=np.where(hi, 5, 1.5)))))
    names = ["input"] + [f"hidden {k}" for k in range(1, len(layer_sizes) - 1)] + ["output"]
    bottom = float(ys.min()) - 0.9
    fig.add_trace(go.Scatter(x=np.arange(len(layer_sizes), dtype=float),
                             y=np.full(len(layer_sizes), bottom), mode="text", text=names,
                             textfont=dict(size=13, color="#666"), hoverinfo="skip",
                             showlegend=False))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10),
                      plot_bgcolor="white", paper_bgcolor="white", dragmode=False,
                      xaxis=dict(visible=False, range=[-0.5, len(layer_sizes) - 0.5]),
                      yaxis=dict(visible=False, range=[bottom - 0.4, float(ys.max()) + 0.8]))
    return fig


def step_figure(net, step, height=420) -> go.Figure:
    """Return the graph of one nn_core.stepthrough Step of `net`."""
    backward = step.phase == "backward"
    edges = step.edge_values if step.edge_values is not None else net.weights
    return step_graph(net.layer_sizes, step.node_values, edges, step.highlight_nodes,
                      step.highlight_edges, node_symbol="delta" if backward else "a",
                      edge_symbol="dL/dw" if backward else "w", height=height)


def loss_curves_figure(curves: dict, height=300, log=True) -> go.Figure:
    """Return one line per named loss curve (NaN ends a diverged run)."""
    fig = go.Figure()
    colours = ["#2ca02c", "#d62728", "#7f7f7f"]
    for k, (name, curve) in enumerate(curves.items()):
        curve = np.asarray(curve, dtype=float)
        fig.add_trace(go.Scatter(x=np.arange(curve.size), y=curve, mode="lines", name=name,
                                 line=dict(color=colours[k % 3], width=3 if k == 0 else 2)))
    finite = np.concatenate([np.asarray(c, float) for c in curves.values()])
    finite = finite[np.isfinite(finite) & (finite > 0)]
    use_log = log and finite.size and finite.max() / max(finite.min(), 1e-300) > 50
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10),
                      xaxis_title="training step (full batch)", yaxis_title="loss",
                      yaxis_type="log" if use_log else "linear",
                      legend=dict(orientation="h", y=1.12))
    return fig
