"""The Training page's replay: ONE figure whose frames play in the browser (no server round trip).

The network's edges, the decision boundary and a marker on the loss curves move together.
Frames carry only what changes (a few array traces each: edges grouped by sign and width, one
uint8 grid of output colours, the nodes' bias rings, the loss markers), so the JSON stays small
whatever the epoch count. The network is drawn with viz.network_graph's pieces (positions,
edge groups, bias rings, names), so it looks as on the other pages. The Training page's other
charts (loss axes, gradient norms, comparisons) are viz.training's.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nn_core.comparison import pick_epochs
from viz.colors import (
    APP_FONT,
    PRIMARY,
    coded_scale,
    output_codes,
    output_range,
)
from viz.network_graph import (
    edge_ends,
    input_name_annotations,
    node_names,
    node_positions,
)
from viz.replay_frames import Frames, b64
from viz.training import log_axis
from viz.unchecked import fresh, prebuilt

MAX_FRAMES = 120
FRAME_BYTES_BUDGET = 1_500_000  # frames' arrays (estimate); the figure stays < ~2.5 MB


# ---------- the network graph: viz.network_graph's pieces as typed arrays
GRAPH_TITLE = "Network (width = |w|)"  # short: the chart may be 560 px wide


def _node_labels(sizes, names, node_px):
    """Return the static graph labels: hidden/output names inside, inputs' names left of them."""
    x, y = (np.concatenate(v) for v in zip(*node_positions(sizes)))
    inside = [""] * sizes[0] + [n for layer in names[1:] for n in layer]
    font = 10 if node_px >= 26 else 8
    trace = dict(type="scatter", mode="text", x=b64(x.astype(np.float32)),
                 y=b64(y.astype(np.float32)), text=inside if node_px >= 18 else None,
                 textfont=dict(size=font, color="#333"), hoverinfo="skip", showlegend=False,
                 name="node names", xaxis="x", yaxis="y")
    notes = input_name_annotations(names[0], x, y, size=font + 2, xshift=-(node_px / 2 + 6))
    return trace, notes


# ---------- the decision boundary
def boundary_grid(plane, resolution):
    """Return (axis values, network inputs for the resolution x resolution grid)."""
    g = np.linspace(plane.domain[0], plane.domain[1], resolution)
    gx, gy = np.meshgrid(g, g)
    return g, plane.inputs(np.column_stack([gx.ravel(), gy.ravel()]))


# ---------- the replay
def frame_budget(layer_sizes, resolution, has_plane, max_frames=MAX_FRAMES):
    """Return how many frames fit FRAME_BYTES_BUDGET for this network and grid."""
    n_edges = sum(a * b for a, b in zip(layer_sizes, layer_sizes[1:]))
    # edges: x and y float32, 3 values each; nodes: ring code u1, ring width f4, bias f8
    per_frame = 4 / 3 * (n_edges * 24 + sum(layer_sizes) * 13
                         + (resolution * resolution if has_plane else 0)) + 1500
    return int(np.clip(FRAME_BYTES_BUDGET // per_frame, 10, max_frames))


def replay_figure(history, net, plane=None, y_train=None, y_test=None, *, animate=True,
                  max_frames=MAX_FRAMES, resolution=40, height=640,
                  input_names=None, x_max=None) -> go.Figure:
    """Return the replay of `history`: graph, boundary (if `plane`) and losses, one frame per
    recorded snapshot (thinned by pick_epochs to fit the frame budget). `net` gives the
    architecture; animate=False draws only the last snapshot (the live view); input_names
    label the input nodes (the features), which are left unnamed without them; x_max
    stretches the loss axis to the epochs about to be trained (the epoch-0 view).
    """
    sizes = net.layer_sizes
    snaps = history.snapshots or []
    if not snaps:
        raise ValueError("the history has no snapshots: train at least once")
    if animate:
        keep = set(pick_epochs([s.epoch for s in snaps],
                               frame_budget(sizes, resolution, plane is not None, max_frames)))
        snaps = [s for s in snaps if s.epoch in keep]
    else:
        snaps = snaps[-1:]
    ends = edge_ends(sizes)
    names = node_names(sizes, input_names)
    if not input_names:
        names[0] = [""] * sizes[0]
    margin_b = 120 if animate else 40
    # The graph's panel is ~0.59 of the plot's height (row 1 of 2, less the spacing).
    px_per_row = 0.59 * (height - 70 - margin_b) / (max(sizes) + 0.2)
    node_px = float(np.clip(0.72 * px_per_row, 8, 30))

    epochs = np.concatenate([[0], history.epochs]).astype(np.float32)
    # float64: a run heading for divergence has finite losses beyond float32's range
    train_loss = np.concatenate([[history.initial_loss], history.loss])
    test_loss = (np.concatenate([[history.initial_test_loss], history.test_loss])
                 if history.test_loss is not None else None)

    has_plane = plane is not None
    layout = _grid_layout(has_plane)
    loss_axes = ("x3", "y3") if has_plane else ("x2", "y2")

    def moving(k, full=False):
        """Frame k's traces that change, in a fixed order; partial ones carry only arrays."""
        traces = frames.edge_traces(k, full)
        traces.append(frames.node_trace(k, sizes, node_px, names, full))
        if has_plane:
            # The output is a grid of square markers, not a heatmap: frames then animate
            # without a full redraw, which would blank the plane between frames (flicker).
            colour = frames.colour_specs[k]
            if full:
                traces.append(dict(type="scatter", mode="markers", x=cell_x, y=cell_y,
                                   marker=dict(symbol="square", size=cell_px, color=dict(colour),
                                               colorscale=scale, cmin=0, cmax=zmax,
                                               line=dict(width=0)),
                                   hoverinfo="skip", showlegend=False, xaxis="x2", yaxis="y2"))
            else:
                traces.append(dict(type="scatter", marker=dict(color=colour)))
        i = min(snaps[k].epoch, len(train_loss) - 1)
        ys = [float(train_loss[i])] + ([float(test_loss[i])] if test_loss is not None else [])
        marker = dict(type="scatter", x=[float(epochs[i])] * len(ys), y=ys)
        if full:
            marker.update(mode="markers", xaxis=loss_axes[0], yaxis=loss_axes[1],
                          showlegend=False, hoverinfo="skip",
                          marker=dict(size=12, color=["#222", "#999"][:len(ys)],
                                      line=dict(color="white", width=2)))
        traces.append(marker)
        return traces

    grid_inputs = lo = hi = None
    if has_plane:
        lo, hi = output_range(net.activations[-1], y_train)
        scale, zmax = coded_scale(sizes[-1])
        grid, grid_inputs = boundary_grid(plane, resolution)
        gx, gy = np.meshgrid(grid, grid)
        cell_x, cell_y = b64(gx.ravel().astype(np.float32)), b64(gy.ravel().astype(np.float32))
        # ~ the plane's side in pixels (top row, square axes) over the cells, +1 to overlap
        cell_px = 0.55 * (height - 110) / resolution + 1
    frames = Frames(snaps, net, ends, node_px, grid_inputs, lo, hi)
    data = moving(0 if animate else len(snaps) - 1, full=True)
    n_moving = len(data)
    labels, notes = _node_labels(sizes, names, node_px)
    data.append(labels)  # after the moving nodes, so drawn on top of them
    if has_plane:
        data += _point_traces(plane, y_train, y_test, lo, hi, scale, zmax)
    data += _loss_lines(epochs, train_loss, test_loss, history, loss_axes)

    x_end = max(float(epochs[-1]), float(x_max or 0)) or 1.0
    for name, value in _base_layout(height, sizes, plane, has_plane, loss_axes, x_end,
                                    train_loss, test_loss).items():
        if isinstance(value, dict) and isinstance(layout.get(name), dict):
            layout[name] = {**layout[name], **value}  # keep make_subplots' domains
        else:
            layout[name] = value
    layout["annotations"] = list(layout.get("annotations", [])) + notes
    title = (f"<b>Replay of {history.last_epoch} epochs</b> · ▶ Play, or drag the slider"
             if animate else _caption(history, snaps[-1].epoch))
    layout["title"] = dict(text=title, x=0.01, font=dict(size=17))
    fig = dict(data=data, layout=layout)
    if animate:
        # Frames change traces only (no layout), so they play without a full redraw; the
        # slider's current value carries each frame's epoch and losses.
        fig["frames"] = [dict(name=str(s.epoch), data=moving(k), traces=list(range(n_moving)))
                         for k, s in enumerate(snaps)]
        layout.update(_controls([(s.epoch, _caption(history, s.epoch)) for s in snaps]))
        layout["margin"] = {**layout["margin"], "b": margin_b}
    # Handed over as built, plain dicts: Plotly's validation and object model of every frame's
    # traces cost more than computing them (viz/unchecked.py).
    return prebuilt(**fig, encoded=True)  # every array went through b64 above


def _grid_layout(has_plane: bool) -> dict:
    """The panels' axes and titles (make_subplots' layout; the same for every replay)."""
    def grid():
        specs = [[{}, {}], [{"colspan": 2}, None]] if has_plane else [[{}], [{}]]
        layout = make_subplots(
            rows=2, cols=2 if has_plane else 1, specs=specs, row_heights=[0.66, 0.34],
            vertical_spacing=0.1, horizontal_spacing=0.06,
            subplot_titles=([GRAPH_TITLE, "Output over the input plane"]
                            if has_plane else [GRAPH_TITLE])
            + ["Loss per epoch (log scale)"]).layout.to_plotly_json()
        layout.pop("template")  # Plotly's default; _base_layout names the replay's
        return layout
    return fresh(("replay_grid", has_plane), grid)


def _caption(history, epoch):
    i = epoch - 1
    if i < 0:
        # Short: it sits beside the slider, which may be 390 px wide.
        text = f"<b>Epoch 0</b> · initial weights · loss {history.initial_loss:.4g}"
        if history.initial_test_loss is not None:
            text += f" (test {history.initial_test_loss:.4g})"
        return text
    # The lists, not the History's array views: one caption per frame, each view a copy.
    text = f"<b>Epoch {epoch}</b> · loss {float(history.loss_list[i]):.4g}"
    if history.test_loss_list:
        text += f" (test {float(history.test_loss_list[i]):.4g})"
    if history.accuracy_list:
        text += f" · accuracy {100 * float(history.accuracy_list[i]):.1f}%"
    return text


def _point_traces(plane, y_train, y_test, lo, hi, scale, zmax):
    traces = []
    for points, y, name, outline in ((plane.points_train, y_train, "train", "white"),
                                     (plane.points_test, y_test, "test", "#222")):
        if y is None or len(points) == 0 or (name == "test" and points is plane.points_train):
            continue
        traces.append(dict(
            type="scatter", mode="markers", name=f"{name} points",
            x=b64(points[:, 0].astype(np.float32)), y=b64(points[:, 1].astype(np.float32)),
            marker=dict(size=7, color=b64(output_codes(np.asarray(y, float), lo, hi)),
                        colorscale=scale, cmin=0, cmax=zmax, line=dict(color=outline, width=1.2)),
            xaxis="x2", yaxis="y2", hoverinfo="skip", showlegend=False))
    return traces


def _loss_lines(epochs, train_loss, test_loss, history, axes):
    traces = [dict(type="scatter", mode="lines", x=b64(epochs), y=b64(train_loss), name="train loss",
                   line=dict(color="#222", width=2.5), xaxis=axes[0], yaxis=axes[1],
                   hovertemplate="epoch %{x}: train loss %{y:.5g}<extra></extra>")]
    if test_loss is not None:
        traces.append(dict(type="scatter", mode="lines", x=b64(epochs), y=b64(test_loss), name="test loss",
                           line=dict(color="#999", width=2, dash="dash"), xaxis=axes[0],
                           yaxis=axes[1],
                           hovertemplate="epoch %{x}: test loss %{y:.5g}<extra></extra>"))
    if history.diverged:
        traces.append(dict(type="scatter", mode="markers+text", x=[float(history.stop_epoch)],
                           y=[float(train_loss[-1])], text=["diverged (NaN)"],
                           textposition="top left", marker=dict(symbol="x", size=14, color="red"),
                           xaxis=axes[0], yaxis=axes[1], showlegend=False, hoverinfo="skip"))
    return traces


def _base_layout(height, sizes, plane, has_plane, loss_axes, x_end, train_loss, test_loss):
    pad = 0.45
    top = max(sizes) / 2
    layout = dict(
        height=height, template="plotly_white", margin=dict(l=40, r=20, t=70, b=40),
        legend=dict(orientation="h", x=0.99, xanchor="right", y=0.3, yanchor="top",
                    bgcolor="rgba(255,255,255,0.8)"),
        font=dict(size=14, family=APP_FONT),
        xaxis=dict(range=[-pad, len(sizes) - 1 + pad], visible=False, fixedrange=True),
        yaxis=dict(range=[-top - 0.1, top + 0.1], visible=False, fixedrange=True),
    )
    if has_plane:
        d = plane.domain
        layout["xaxis2"] = dict(range=list(d), constrain="domain")
        layout["yaxis2"] = dict(range=list(d), scaleanchor="x2", constrain="domain")
    xa, ya = "xaxis" + loss_axes[0][1:], "yaxis" + loss_axes[1][1:]
    layout[xa] = dict(range=[0, x_end])
    layout[ya] = log_axis(np.concatenate([train_loss, [] if test_loss is None else test_loss]))
    return layout


def _controls(frames):
    play = dict(label="▶ Play", method="animate",
                args=[None, dict(frame=dict(duration=90, redraw=False), fromcurrent=True,
                                 transition=dict(duration=0))])
    pause = dict(label="❚❚ Pause", method="animate",
                 args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate",
                                    transition=dict(duration=0))])
    steps = [dict(label=caption, value=str(e), method="animate",
                  args=[[str(e)], dict(mode="immediate", frame=dict(duration=0, redraw=False),
                                       transition=dict(duration=0))]) for e, caption in frames]
    return dict(
        # The app's primary button: its blue, white text, its font.
        updatemenus=[dict(type="buttons", direction="left", buttons=[play, pause], x=0.0,
                          y=-0.04, xanchor="left", yanchor="top", pad=dict(t=10, r=10),
                          showactive=False, bgcolor=PRIMARY, bordercolor=PRIMARY,
                          font=dict(size=14, color="white", family=APP_FONT))],
        sliders=[dict(active=0, steps=steps, x=0.34, len=0.66, y=-0.02, yanchor="top",
                      pad=dict(t=10), ticklen=0, minorticklen=0, font=dict(color="rgba(0,0,0,0)", size=1),
                      currentvalue=dict(font=dict(size=14, color="#222", family=APP_FONT),
                                        xanchor="left"))],
    )
