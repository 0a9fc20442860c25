"""The network drawn as a graph: nodes per layer, edges coloured by sign and sized by |value|.

Pure builders: a Network (or its layer sizes and arrays) in, a go.Figure or traces out.
Edges are drawn as a FIXED number of line traces per architecture (one per sign and width
bucket, plus one for values not known yet), each holding many segments separated by NaN, so
an animation frame can replace their x/y arrays. Plotly's hover on lines is poor, so every
edge also has an invisible marker near its middle carrying its exact value.

Conventions shared with nn_core.stepthrough: a node is (layer k, unit j) with k = 0 the
input; an edge is (l, i, j): weight W[l][i, j] from unit i of layer l to unit j of layer l+1.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.colors import (
    HIGHLIGHT,
    NEGATIVE,
    POSITIVE,
    UNKNOWN,
    WHITE,
    diverging_colour,
)
from viz.unchecked import prebuilt, scatter

WIDTHS = (1.0, 2.5, 4.5, 7.0)  # edge width by which quarter of (0, ref] |value| falls in
N_EDGE_TRACES = 2 * len(WIDTHS) + 1  # (+, -) x widths, and one for unknown (NaN) values
EDGE_HOVER_AT = 0.4  # the hover marker sits 40% of the way from source to target:
# at 50% the markers of crossing edges of symmetric layers would coincide.
ROW_PX = 58  # vertical pixels per node row: a node, its value label and a gap
DIM_OPACITY = 0.22


def fmt(v) -> str:
    """Return a short label for a value ('' when unknown)."""
    return "" if v is None or not np.isfinite(v) else format(float(v), ".3g")


def exact(v) -> str:
    """Return the shortest text that reads back as exactly this float (for hover)."""
    return "not known yet" if v is None or not np.isfinite(v) else repr(float(v))


def node_names(layer_sizes, input_names=None) -> list[list[str]]:
    """Return each layer's node labels: inputs x1.. (or input_names), hidden h<k>.<j>, output o<j>."""
    n_in = layer_sizes[0]
    names = list(input_names or [])[:n_in]
    names += [f"x{i + 1}" for i in range(len(names), n_in)]
    layers = [names]
    for k, n in enumerate(layer_sizes[1:-1], start=1):
        layers.append([f"h{k}.{j + 1}" for j in range(n)])
    layers.append([f"o{j + 1}" for j in range(layer_sizes[-1])])
    return layers


def node_positions(layer_sizes) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return per layer (x, y) arrays: x = layer index, unit 0 on top, each layer centred on 0."""
    return [(np.full(n, float(k)), (n - 1) / 2.0 - np.arange(n, dtype=float))
            for k, n in enumerate(layer_sizes)]


def edge_ends(layer_sizes) -> np.ndarray:
    """Return (n_edges, 4) rows x0, y0, x1, y1 in W[0].ravel(), W[1].ravel(), ... order."""
    pos = node_positions(layer_sizes)
    rows = []
    for l in range(len(layer_sizes) - 1):
        i, j = np.meshgrid(np.arange(layer_sizes[l]), np.arange(layer_sizes[l + 1]), indexing="ij")
        i, j = i.ravel(), j.ravel()
        rows.append(np.column_stack([pos[l][0][i], pos[l][1][i], pos[l + 1][0][j],
                                     pos[l + 1][1][j]]))
    return np.vstack(rows) if rows else np.zeros((0, 4))


def _segments(ends) -> tuple[np.ndarray, np.ndarray]:
    """Return float32 x, y of line segments (x0, x1, NaN, ...) for rows x0, y0, x1, y1."""
    xy = np.full((len(ends), 3, 2), np.nan, dtype=np.float32)
    xy[:, 0], xy[:, 1] = ends[:, :2], ends[:, 2:]
    return xy[..., 0].ravel(), xy[..., 1].ravel()


def _flat(values) -> np.ndarray:
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values]) \
        if len(values) else np.zeros(0)


def edge_reference(values) -> float:
    """Return the largest finite |value| (1 if none): the width scale's full width."""
    v = np.abs(_flat(values))
    v = v[np.isfinite(v)]
    return float(v.max()) if v.size and v.max() > 0 else 1.0


def edge_style(values, ref=None):
    """Return per edge (sign, width bucket): sign +1/-1 (0 when unknown), bucket 0..3 = the
    quarter of (0, ref] that |value| falls in (monotone in |value|), edges flattened."""
    ref = edge_reference(values) if ref is None else max(float(ref), 1e-12)
    return edge_style_of(_flat(values), ref)


def edge_style_of(v: np.ndarray, ref):
    """edge_style of an array of values (any shape; `ref` > 0 broadcast against it, e.g. one
    per row of a replay's frames x edges)."""
    known = np.isfinite(v)
    a = np.abs(np.where(known, v, 0.0))
    bucket = np.clip(np.ceil(a / ref * len(WIDTHS)) - 1, 0, len(WIDTHS) - 1).astype(int)
    sign = np.where(~known, 0, np.where(v >= 0, 1, -1))
    return sign, bucket


# The fixed trace order of the edges: (sign, width bucket, colour, line width, name).
EDGE_GROUPS = tuple((s, k, colour, lw, f"{'+' if s > 0 else '-'} width {lw:g}")
                    for s, colour in ((1, POSITIVE), (-1, NEGATIVE))
                    for k, lw in enumerate(WIDTHS)) + ((0, 0, UNKNOWN, 1.0, "unknown"),)


def edge_segments(layer_sizes, values, *, ref=None, mask=None, ends=None):
    """Return one (x, y) pair of float32 arrays per EDGE_GROUPS entry (some maybe empty).

    `values` is a list of arrays shaped like the weights (NaN = unknown); `ref` fixes the
    |value| of the widest line (default: the largest here; fix it across animation frames);
    `mask` (bool per edge, flattened order) keeps only some edges; `ends`: edge_ends(layer_sizes)
    computed once for many frames.
    """
    ends = edge_ends(layer_sizes) if ends is None else ends
    sign, bucket = edge_style(values, ref)
    keep = np.ones(len(ends), bool) if mask is None else np.asarray(mask, bool)
    return [_segments(ends[keep & (sign == s) & ((bucket == k) | (s == 0))])
            for s, k, *_ in EDGE_GROUPS]


def edge_traces(layer_sizes, values, *, ref=None, mask=None, opacity=0.85,
                xaxis="x", yaxis="y") -> list[go.Scatter]:
    """Return the N_EDGE_TRACES line traces of the edges (fixed order, some maybe empty);
    arguments as edge_segments."""
    return [scatter(**t) for t in _edge_traces(layer_sizes, values, ref=ref, mask=mask,
                                               opacity=opacity, xaxis=xaxis, yaxis=yaxis)]


def _edge_traces(layer_sizes, values, *, ref=None, mask=None, opacity=0.85, xaxis="x",
                 yaxis="y") -> list[dict]:
    """edge_traces as Plotly's JSON (dicts), for figures built as such (viz.unchecked)."""
    return [dict(type="scatter", x=x, y=y, mode="lines", line=dict(color=colour, width=lw),
                 opacity=opacity, hoverinfo="skip", showlegend=False, name=name,
                 xaxis=xaxis, yaxis=yaxis)
            for (x, y), (_, _, colour, lw, name) in zip(
                edge_segments(layer_sizes, values, ref=ref, mask=mask), EDGE_GROUPS)]


def node_biases(layer_sizes, biases) -> np.ndarray:
    """Return every node's bias, layers flattened in order; NaN for the inputs (none)."""
    n_in = layer_sizes[0]
    rest = [np.ravel(b) for b in biases] if biases is not None else []
    b = np.full(sum(layer_sizes), np.nan)
    if rest:
        b[n_in:] = np.concatenate(rest)
    return b


def bias_rings(b, ref, max_width=6.0):
    """Return per node the ring's (sign, width) for biases `b` (NaN = no bias).

    sign: +1 for b >= 0, -1 below, 0 without a bias (drawn thin grey); width grows linearly
    from 1 (b = 0) to max_width (|b| = ref), 1.5 without a bias.
    """
    b = np.asarray(b, dtype=float)
    known = np.isfinite(b)
    sign = np.where(~known, 0, np.where(b >= 0, 1, -1)).astype(np.int8)
    ref = max(float(ref), 1e-12)
    width = np.where(known, 1.0 + (max_width - 1.0) * np.abs(np.nan_to_num(b)) / ref, 1.5)
    return sign, width


RING_COLOURS = {1: POSITIVE, -1: NEGATIVE, 0: UNKNOWN}


def edge_hover_trace(layer_sizes, values, *, label="w", names=None) -> go.Scatter:
    """Return the invisible markers that carry each edge's exact value in its hover."""
    return scatter(**_edge_hover_trace(layer_sizes, values, label=label, names=names))


def _edge_hover_trace(layer_sizes, values, *, label="w", names=None) -> dict:
    names = names or node_names(layer_sizes)
    ends = edge_ends(layer_sizes)
    v = _flat(values)
    text = []
    for l in range(len(layer_sizes) - 1):
        for i in range(layer_sizes[l]):
            for j in range(layer_sizes[l + 1]):
                text.append(f"{label}({l + 1})[{i + 1},{j + 1}]: {names[l][i]} → "
                            f"{names[l + 1][j]}")
    text = [f"{t}<br><b>{exact(x)}</b>" for t, x in zip(text, v)]
    t = EDGE_HOVER_AT
    return dict(type="scatter", x=((1 - t) * ends[:, 0] + t * ends[:, 2]).astype(np.float32),
                y=((1 - t) * ends[:, 1] + t * ends[:, 3]).astype(np.float32),
                mode="markers", marker=dict(size=9, opacity=0), hovertext=text,
                hoverinfo="text", showlegend=False, name="edge values", customdata=v)


def _edge_index(layer_sizes, l, i, j) -> int:
    starts = np.cumsum([0] + [a * b for a, b in zip(layer_sizes, layer_sizes[1:])])
    return int(starts[l] + i * layer_sizes[l + 1] + j)


def network_figure(net, *, node_values=None, edge_values=None, edge_label="w",
                   node_label="value", value_floor=1.0, highlight_nodes=None,
                   highlight_edges=None, hidden_nodes=None, show_biases=True, title=None,
                   input_names=None, height=None) -> go.Figure:
    """Return the graph of `net`: edges = weights (or `edge_values`), nodes = units.

    node_values: one 1-D array per layer, input first (None entries / NaN = unknown: grey,
    no label), called `node_label` in the hover; each layer's fill is scaled by its largest
    |value|, at least `value_floor` (0 lets small values such as deltas colour too).
    highlight_nodes: (layer, unit) pairs and highlight_edges: (l, i, j) triples a
    step-through is at (they glow, other edges are dimmed); hidden_nodes: (layer, unit)
    pairs drawn faded (e.g. dead units). Each node's ring is its bias (colour = sign,
    thickness = |b|); show_biases=False draws thin grey rings instead (when the edges are
    not the weights the biases go with, e.g. gradients).
    """
    sizes = list(net.layer_sizes)
    names = node_names(sizes, input_names)
    values = net.weights if edge_values is None else edge_values
    pos = node_positions(sizes)
    # Built as Plotly's JSON (viz.unchecked.prebuilt): some 40 traces and annotations per
    # step-through click, whose Plotly objects cost more than computing them.
    data = []

    highlight_edges = list(highlight_edges or [])
    if highlight_edges:
        mask = np.zeros(sum(a * b for a, b in zip(sizes, sizes[1:])), bool)
        for l, i, j in highlight_edges:
            mask[_edge_index(sizes, l, i, j)] = True
        x, y = _segments(edge_ends(sizes)[mask])
        data.append(dict(type="scatter", x=x, y=y, mode="lines",
                         line=dict(color=HIGHLIGHT, width=16), hoverinfo="skip",
                         showlegend=False, name="highlight"))
        ref = edge_reference(values)
        data += _edge_traces(sizes, values, ref=ref, mask=~mask, opacity=DIM_OPACITY)
        data += _edge_traces(sizes, values, ref=ref, mask=mask, opacity=1.0)
    else:
        data += _edge_traces(sizes, values)
    data.append(_edge_hover_trace(sizes, values, label=edge_label, names=names))
    b = node_biases(sizes, net.biases if net.use_bias and show_biases else None)
    notes = _add_nodes(data, sizes, names, pos, node_values, node_label, value_floor,
                       highlight_nodes, hidden_nodes, b, edge_reference(net.weights), net.use_bias)

    # Layer titles above the columns.
    top = (max(sizes) - 1) / 2.0
    for k in range(len(sizes)):
        if k == 0:
            label = "input"
        else:
            kind = "output" if k == len(sizes) - 1 else f"hidden {k}"
            label = f"{kind}<br><span style='font-size:11px'>{net.activations[k - 1]}</span>"
        notes.append(dict(x=k, y=top + 0.75, text=label, showarrow=False, yanchor="bottom",
                          font=dict(size=13, color="#555")))
    # Room on the left for the inputs' names, which stand left of their nodes.
    left = 10 + 7 * max((len(n) for n in names[0]), default=0)
    layout = dict(
        annotations=notes, height=height or graph_height(sizes),
        margin=dict(l=left, r=10, t=40 if title else 10, b=10),
        plot_bgcolor="white", paper_bgcolor="white", dragmode=False, hovermode="closest",
        xaxis=dict(visible=False, range=[-0.6, len(sizes) - 0.55], fixedrange=True),
        yaxis=dict(visible=False, range=[-top - 0.6, top + 1.45], fixedrange=True))
    if title:
        layout["title"] = dict(text=title, x=0.01)
    return prebuilt(data, layout)


def graph_height(layer_sizes) -> int:
    """network_figure's height in pixels: rows of ROW_PX for the widest layer, and margins."""
    return int(max(300, ROW_PX * max(layer_sizes) + 120))


def input_name_annotations(names, xs, ys, *, size=12, xshift=-22, xref="x",
                           yref="y") -> list[dict]:
    """Return the inputs' names (features like "sin_x1") as annotations left of their nodes,
    shifted `xshift` pixels so they never overlap the node (-22 clears a 34 px node)."""
    return [dict(x=float(x), y=float(y), text=name, showarrow=False, xanchor="right",
                 xshift=xshift, font=dict(size=size, color="#333"), xref=xref, yref=yref)
            for name, x, y in zip(names, xs, ys) if name]


def _add_nodes(data, sizes, names, pos, node_values, node_label, value_floor, highlight_nodes,
               hidden_nodes, b, edge_ref, use_bias):
    xs = np.concatenate([p[0] for p in pos])
    ys = np.concatenate([p[1] for p in pos])
    starts = np.cumsum([0] + sizes)
    n = int(starts[-1])

    vals = np.full(n, np.nan)
    for k, v in enumerate(node_values or []):
        if v is not None and k < len(sizes):
            vals[starts[k]:starts[k + 1]] = np.ravel(np.asarray(v, dtype=float))[:sizes[k]]
    known = np.isfinite(vals)
    # Fill colour: each layer on its own scale (of at least [-1, 1] for activations), so a
    # tanh unit at -0.98 reads as strongly negative even when an input is 4.4.
    v_ref = np.ones(n)
    for k in range(len(sizes)):
        layer = np.abs(vals[starts[k]:starts[k + 1]])
        layer = layer[np.isfinite(layer)]
        if layer.size:
            v_ref[starts[k]:starts[k + 1]] = max(value_floor, float(layer.max())) or 1.0

    # One magnitude scale for rings and edges: a bias as thick as the thickest edge is as big.
    b_ref = max(np.nanmax(np.abs(b)) if np.isfinite(b).any() else 0.0, edge_ref) or 1.0
    sign, ring_width = bias_rings(b, b_ref)
    ring_colour = [RING_COLOURS[s] for s in sign]

    marked = np.zeros(n, bool)
    for k, j in highlight_nodes or []:
        marked[starts[k] + j] = True
    faded = np.zeros(n, bool)
    for k, j in hidden_nodes or []:
        faded[starts[k] + j] = True

    if marked.any():
        data.append(dict(type="scatter", x=xs[marked], y=ys[marked], mode="markers",
                         hoverinfo="skip", marker=dict(size=58, color=HIGHLIGHT),
                         showlegend=False, name="highlighted nodes"))
    flat_names = [x for layer in names for x in layer]
    hover = []
    for k in range(len(sizes)):
        for j in range(sizes[k]):
            idx = starts[k] + j
            lines = [f"<b>{flat_names[idx]}</b> (layer {k}, unit {j + 1})"]
            if k > 0 and np.isfinite(b[idx]):
                lines.append(f"bias b = {exact(b[idx])}")
            elif k > 0 and not use_bias:
                lines.append("no bias")
            if node_values is not None:
                lines.append(f"{node_label} = {exact(vals[idx])}")
            hover.append("<br>".join(lines))
    fill = np.where(known, np.nan_to_num(vals) / v_ref, 0.0)
    # White at zero; a value not known yet (only when values are shown) is grey.
    colour = [diverging_colour(t, zero=WHITE) if ok or node_values is None else UNKNOWN
              for t, ok in zip(fill, known)]
    inside = [""] * sizes[0] + flat_names[sizes[0]:]
    data.append(dict(
        type="scatter", x=xs, y=ys, mode="markers+text", text=inside, textposition="middle center",
        textfont=dict(size=10, color=np.where(np.abs(fill) > 0.6, "white", "#333")),
        hovertext=hover, hoverinfo="text",
        showlegend=False, name="nodes", customdata=np.column_stack([vals, b]),
        marker=dict(size=34, color=colour, opacity=np.where(faded, 0.35, 1.0),
                    line=dict(color=ring_colour, width=ring_width))))
    if node_values is not None:
        data.append(dict(
            type="scatter", x=xs + 0.0, y=ys + 0.36, mode="text", text=[fmt(v) for v in vals],
            textposition="top center",
            # a white halo keeps the number readable where edges pass behind it
            textfont=dict(size=12, color="#111", shadow="0 0 3px white, 0 0 3px white"),
            hoverinfo="skip", showlegend=False, name="node values"))
    return input_name_annotations(names[0], xs, ys)
