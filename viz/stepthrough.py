"""Figures of the step-through pages: the network at one step, and loss curves of the bug zoo.

Pure functions: engine values in, go.Figure out. The network is viz.network_graph's figure,
so it looks as on the Network graph page; values not yet known are drawn grey and blank.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.colors import CURVE_COLOURS
from viz.network_graph import graph_height, network_figure

MIN_HEIGHT = 380  # a small net's graph stays as tall as the formulas beside it


def step_figure(net, step, height=None, input_names=None) -> go.Figure:
    """Return the graph of one nn_core.stepthrough Step of `net`: only the values known at
    that step, the neuron it computes glowing with its incoming edges."""
    backward = step.phase == "backward"
    return network_figure(
        net, node_values=step.node_values, edge_values=step.edge_values,
        node_label="delta" if backward else "a", edge_label="dL/dw" if backward else "w",
        value_floor=0.0 if backward else 1.0,  # deltas are often far below 1
        highlight_nodes=step.highlight_nodes, highlight_edges=step.highlight_edges,
        # The rings are the biases the forward pass adds; beside gradients or half-updated
        # weights they would mislead.
        show_biases=step.phase in ("forward", "loss"), input_names=input_names,
        height=height or max(MIN_HEIGHT, graph_height(net.layer_sizes)))


def loss_curves_figure(curves: dict, height=300, log=True) -> go.Figure:
    """Return one line per named loss curve (NaN ends a diverged run)."""
    fig = go.Figure()
    colours = CURVE_COLOURS
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
