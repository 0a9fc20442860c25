"""The network over the 2-D input plane: decision boundary, and each neuron's own output.

Pure builders. A network whose inputs are not the plane's (x1, x2) gets `feature_fn`, which
maps plane points (n, 2) to its inputs (nn_core's InputPlane.inputs, feature_matrix, ...);
without one, only a network with exactly 2 inputs can be drawn and the builders return None
otherwise, so the page can say why. A grid that is only drawn is computed in float32.
"""

from __future__ import annotations

import numpy as np

from viz.colors import (
    DIVERGING,
    class_codes,
    label_colours,
    output_kind,
    output_scale,
)
from viz.network_graph import node_names, node_positions
from viz.unchecked import prebuilt

# The plane is paler than the points on it, so a blue point on a blue region still shows.
BACKGROUND_OPACITY = 0.6
THUMBNAIL_CELLS = 60_000  # all thumbnails' heatmap cells together: the figure stays < ~0.4 MB


def plane_grid(domain, resolution):
    """Return (axis values, grid points (resolution**2, 2)), x1 varying fastest."""
    g = np.linspace(float(domain[0]), float(domain[1]), int(resolution))
    gx, gy = np.meshgrid(g, g)
    return g, np.column_stack([gx.ravel(), gy.ravel()])


def grid_inputs(net, points, feature_fn=None):
    """Return the network's inputs for plane points, or None if they do not fit the net."""
    inputs = points if feature_fn is None else feature_fn(points)
    inputs = np.asarray(inputs)
    if inputs.ndim != 2 or inputs.shape[1] != net.layer_sizes[0]:
        return None
    return inputs


def _square_axes(domain, names=("x1", "x2")) -> dict:
    """The layout's x and y axes of the plane, square, with the features' names."""
    lo, hi = float(domain[0]), float(domain[1])
    return dict(xaxis=dict(range=[lo, hi], title=dict(text=names[0]), constrain="domain",
                           showgrid=False, zeroline=False),
                yaxis=dict(range=[lo, hi], title=dict(text=names[1]), scaleanchor="x",
                           scaleratio=1, constrain="domain", showgrid=False, zeroline=False))


def decision_boundary_figure(net, X_train, y_train, X_test=None, y_test=None, *,
                             feature_fn=None, resolution=100, discretize=False, show_test=True,
                             domain=(-6, 6), height=460, axis_names=("x1", "x2")):
    """Return the network's output over the plane with the train (white ring) and test
    (dark ring) points, coloured like their labels; None if the net's inputs are not the plane.

    X_train / X_test are plane points (n, 2). Binary: the output on [0, 1] (orange class 0,
    blue class 1); several outputs: the argmax class's colour, paler when less confident;
    regression: a diverging scale around 0. discretize: only the side of the threshold.
    """
    axis, points = plane_grid(domain, resolution)
    inputs = grid_inputs(net, points, feature_fn)
    if inputs is None:
        return None
    with np.errstate(all="ignore"):  # a blown-up net gives NaN cells, drawn blank
        out = net.predict(inputs, dtype=np.float32)
    kind = output_kind(net, y_train)
    scale, zmin, zmax, threshold = output_scale(kind, out.shape[1], y_train)
    r = len(axis)
    if kind == "classes":
        z = class_codes(out, discretize).reshape(r, r)
        hover = "(%{x:.2f}, %{y:.2f})<br>class %{customdata}<extra></extra>"
        custom = np.argmax(np.nan_to_num(out), axis=1).reshape(r, r).astype(np.uint8)
        colorbar = dict(title=dict(text="class"), tickvals=np.arange(out.shape[1]) + 0.5,
                        ticktext=[str(c) for c in range(out.shape[1])])
    else:
        z = out[:, 0].reshape(r, r)
        if discretize:
            z = np.where(z >= threshold, zmax, zmin).astype(np.float32)
        hover = "(%{x:.2f}, %{y:.2f})<br>output %{z:.4f}<extra></extra>"
        custom = None
        colorbar = dict(title=dict(text="output"))
    colorbar.update(thickness=12, len=0.8)
    # Built as Plotly's JSON (viz.unchecked.prebuilt): Plotly's objects cost more than the grid.
    data = [dict(type="heatmap", x=axis.astype(np.float32), y=axis.astype(np.float32), z=z,
                 zmin=zmin, zmax=zmax, colorscale=scale, hovertemplate=hover,
                 colorbar=colorbar, name="output", opacity=BACKGROUND_OPACITY)]
    if custom is not None:
        data[0]["customdata"] = custom
    sets = [("train", X_train, y_train, "white")]
    if show_test and X_test is not None and y_test is not None and len(X_test) \
            and X_test is not X_train:
        sets.append(("test", X_test, y_test, "#222"))
    for name, X, y, ring in sets:
        X = np.asarray(X, dtype=float)
        data.append(dict(
            type="scatter", x=X[:, 0], y=X[:, 1], mode="markers", name=f"{name} data",
            marker=dict(size=8, color=label_colours(kind, y), colorscale=scale, cmin=zmin,
                        cmax=zmax, line=dict(color=ring, width=1.5)),
            customdata=np.asarray(y, dtype=float)[:, 0] if kind != "classes"
            else np.argmax(y, axis=1),
            hovertemplate=(f"{name} point<br>(%{{x:.3f}}, %{{y:.3f}})<br>"
                           "label %{customdata}<extra></extra>")))
    return prebuilt(data, dict(**_square_axes(domain, axis_names), height=height,
                               margin=dict(l=10, r=10, t=10, b=10), plot_bgcolor="white",
                               legend=dict(orientation="h", y=-0.12, x=0)))


def activation_range(activation, values):
    """Return (zmin, zmax) for a neuron's colours: its activation's range when bounded
    (sigmoid/softmax [0, 1], tanh [-1, 1]), else symmetric around 0 to its largest |value|."""
    if activation in ("sigmoid", "softmax"):
        return 0.0, 1.0
    if activation == "tanh":
        return -1.0, 1.0
    v = np.abs(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    m = float(v.max()) if v.size and v.max() > 0 else 1.0
    return -m, m


def plane_activations(net, feature_fn=None, resolution=40, domain=(-6, 6)):
    """Return (axis, activations per layer on the grid (input features first)), or None."""
    axis, points = plane_grid(domain, resolution)
    inputs = grid_inputs(net, points, feature_fn)
    if inputs is None:
        return None
    with np.errstate(all="ignore"):
        trace = net.forward(inputs)
    return axis, trace.activations


def neuron_thumbnails_figure(net, feature_fn=None, resolution=40, domain=(-6, 6), *,
                             input_names=None, height=None):
    """Return every unit's output over the plane as a small heatmap, laid out like the graph
    (a column per layer, inputs' features first); None if the net's inputs are not the plane.

    One forward trace on the grid gives them all. Each tile is its own heatmap trace placed on
    shared axes (x0/dx), so its colour range can follow its own activation.
    """
    sizes = list(net.layer_sizes)
    res = int(min(resolution, max(8, np.sqrt(THUMBNAIL_CELLS / sum(sizes)))))
    found = plane_activations(net, feature_fn, res, domain)
    if found is None:
        return None
    _, acts = found
    names = node_names(sizes, input_names)
    pos = node_positions(sizes)
    data, notes = [], []
    size = 0.78  # a tile's side, in node spacings
    labels_x, labels_y, labels = [], [], []
    for k, n in enumerate(sizes):
        act = "identity" if k == 0 else net.activations[k - 1]
        for j in range(n):
            a = acts[k][:, j].astype(np.float32).reshape(res, res)
            zmin, zmax = activation_range(act, a)
            cx, cy = 1.25 * pos[k][0][j], pos[k][1][j]
            data.append(dict(
                type="heatmap", z=a, x0=cx - size / 2, dx=size / res, y0=cy - size / 2, dy=size / res,
                zmin=zmin, zmax=zmax, colorscale=DIVERGING, showscale=False,
                name=names[k][j],
                hovertemplate=f"<b>{names[k][j]}</b> ({act})<br>value %{{z:.4g}}<extra></extra>"))
            labels_x.append(cx)
            labels_y.append(cy + size / 2)
            labels.append(names[k][j])
    data.append(dict(type="scatter", x=labels_x, y=labels_y, mode="text", text=labels,
                     textposition="top center", textfont=dict(size=10, color="#444"),
                     hoverinfo="skip", showlegend=False))
    top = (max(sizes) - 1) / 2.0
    for k in range(len(sizes)):
        title = "input features" if k == 0 else (
            "output" if k == len(sizes) - 1 else f"hidden {k}")
        notes.append(dict(x=1.25 * k, y=top + 0.75, text=title, showarrow=False,
                          yanchor="bottom", font=dict(size=12, color="#555")))
    height = height or int(min(900, max(300, 95 * max(sizes) + 80)))
    return prebuilt(data, dict(
        annotations=notes, height=height, margin=dict(l=5, r=5, t=5, b=5), plot_bgcolor="white",
        xaxis=dict(visible=False, range=[-0.7, 1.25 * (len(sizes) - 1) + 0.7], fixedrange=True),
        yaxis=dict(visible=False, range=[-top - 0.6, top + 1.2], fixedrange=True,
                   scaleanchor="x", scaleratio=1)))


def neuron_figure(net, layer, unit, feature_fn=None, resolution=100, domain=(-6, 6), *,
                  X_train=None, y_train=None, input_names=None, height=420,
                  axis_names=("x1", "x2")):
    """Return one unit's output (layer 0 = input features, 1.. = after weight layer l) over
    the plane, large, with the train points; None if the net's inputs are not the plane."""
    sizes = list(net.layer_sizes)
    if not (0 <= layer < len(sizes) and 0 <= unit < sizes[layer]):
        raise ValueError(f"no unit {unit} in layer {layer} of a {sizes} network")
    found = plane_activations(net, feature_fn, resolution, domain)
    if found is None:
        return None
    axis, acts = found
    r = len(axis)
    a = acts[layer][:, unit].astype(np.float32).reshape(r, r)
    act = "identity" if layer == 0 else net.activations[layer - 1]
    zmin, zmax = activation_range(act, a)
    name = node_names(sizes, input_names)[layer][unit]
    data = [dict(
        type="heatmap", x=axis.astype(np.float32), y=axis.astype(np.float32), z=a,
        zmin=zmin, zmax=zmax,
        colorscale=DIVERGING, colorbar=dict(title=dict(text=name), thickness=12, len=0.8),
        opacity=BACKGROUND_OPACITY,
        hovertemplate=f"(%{{x:.2f}}, %{{y:.2f}})<br>{name} = %{{z:.4g}}<extra></extra>")]
    if X_train is not None and y_train is not None:
        X = np.asarray(X_train, dtype=float)
        kind = output_kind(net, y_train)
        scale, lo, hi, _ = output_scale(kind, net.layer_sizes[-1], y_train)
        data.append(dict(
            type="scatter", x=X[:, 0], y=X[:, 1], mode="markers", name="train data",
            hoverinfo="skip",
            marker=dict(size=6, color=label_colours(kind, y_train), colorscale=scale,
                        cmin=lo, cmax=hi, opacity=0.8, line=dict(color="white", width=1))))
    return prebuilt(data, dict(**_square_axes(domain, axis_names), height=height,
                               margin=dict(l=10, r=10, t=10, b=10), plot_bgcolor="white",
                               showlegend=False))
