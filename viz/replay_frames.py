"""What moves in the Training page's replay, for every frame at once (viz.replay draws it).

A replay has up to 120 frames; computing each one's edges, rings and boundary colours on its
own was about twenty small NumPy calls per frame. Here each quantity is one pass over a
frames x edges (or x nodes, x grid cells) array, and the boundary of every snapshot is one
stacked forward pass (nn_core.passes' stack of networks). Arrays leave as Plotly's typed-array
spec (`b64`), which is what travels to the browser anyway.
"""

from __future__ import annotations

import base64
import binascii

import numpy as np

from nn_core.activations import get_activation
from nn_core.passes import forward
from viz.colors import NEGATIVE, POSITIVE, UNKNOWN, WHITE, output_codes
from viz.network_graph import EDGE_GROUPS, WIDTHS, bias_rings, edge_style_of, node_positions

# A ring's colour code per node: sign of its bias + 1 (0 negative, 1 none, 2 positive).
RING_SCALE = [[0.0, NEGATIVE], [0.5, UNKNOWN], [1.0, POSITIVE]]


def b64(a) -> dict:
    """Return a NumPy array as Plotly's typed-array spec (dtype + base64 bytes).

    Plotly validates and encodes a raw array in ~0.1 ms; a replay holds thousands of them.
    Handing the encoded form skips that and is exactly what travels to the browser anyway.
    """
    a = np.ascontiguousarray(a)
    spec = {"dtype": _DTYPES[a.dtype], "bdata": binascii.b2a_base64(a, newline=False).decode()}
    if a.ndim == 2:
        spec["shape"] = f"{a.shape[0]}, {a.shape[1]}"
    # plotly.js caches the decoded array on the spec as _inputArray, and an animation frame
    # is merged INTO the trace's spec: without this null the old cache would be drawn.
    spec["_inputArray"] = None
    return spec


def b64_rows(a) -> list:
    """Return [b64(row) for row in a] of a 2-D array (see b64_slices)."""
    n, width = a.shape
    return [row[0] for row in b64_slices(a, [[0]] * n, [[width]] * n)]


def b64_slices(a, starts, stops) -> list:
    """Return [[b64(a[k, i:j]) for i, j in zip(starts[k], stops[k])] for each row k].

    Where every slice starts and ends on a 3-byte boundary (the frames' edge groups: 3 float32
    per edge; rows of 3, 6, 9... bytes), a whole number of base64 groups, the array is encoded
    once and each slice's text is a slice of that text.
    """
    a = np.ascontiguousarray(a)
    code, item, width = _DTYPES[a.dtype], a.dtype.itemsize, a.shape[1]
    base = np.arange(len(a))[:, None] * width
    bounds = [((base + np.asarray(v, int)) * item).tolist() for v in (starts, stops)]
    if any(o % 3 for side in bounds for row in side for o in row):
        return [[b64(row[i:j]) for i, j in zip(r0, r1)]
                for row, r0, r1 in zip(a, np.asarray(starts).tolist(), np.asarray(stops).tolist())]
    text = binascii.b2a_base64(a, newline=False).decode()
    return [[{"dtype": code, "bdata": text[i // 3 * 4:j // 3 * 4], "_inputArray": None}
             for i, j in zip(r0, r1)] for r0, r1 in zip(*bounds)]


def unb64(spec) -> np.ndarray:
    """Return the array of a typed-array spec (or the array/list itself)."""
    if not isinstance(spec, dict):
        return np.asarray(spec)
    a = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=spec["dtype"])
    return a.reshape([int(n) for n in spec["shape"].split(",")]) if "shape" in spec else a


# Plotly's dtype codes, by dtype object (a dtype's .str costs more than encoding a short array)
_DTYPES = {np.dtype(code): code for code in ("f4", "f8", "u1", "i4")}


class Frames:
    """What moves in every frame, computed for all frames at once (one NumPy pass per quantity
    instead of one per frame): edges grouped by sign and width, bias rings, boundary colours.

    Snapshots hold finite weights only (train() stops before a NaN), so the edges' "unknown"
    group is left out: one trace less in every frame.
    """

    def __init__(self, snaps, net, ends, node_px, grid_inputs=None, lo=0.0, hi=1.0):
        sizes, r = net.layer_sizes, len(snaps)
        w = parameter_rows(snaps, "weights")
        # Widths relative to each epoch's largest weight, as on the Network graph page: at
        # epoch 0 the small initial weights differ visibly too (edge_style, row by row).
        w_ref = np.max(np.abs(w), axis=1, initial=0.0)
        ref = np.maximum(np.where(w_ref > 0, w_ref, 1.0), 1e-12)[:, None]
        sign, bucket = edge_style_of(w, ref)
        n_groups = 2 * len(WIDTHS)  # EDGE_GROUPS' order, + first; unknown edges sort last
        group = np.where(sign == 0, n_groups, np.where(sign > 0, 0, len(WIDTHS)) + bucket)
        order = np.argsort(group, axis=1, kind="stable")
        xy = np.full((r, w.shape[1], 3, 2), np.nan, dtype=np.float32)
        xy[:, :, 0], xy[:, :, 1] = ends[order][..., :2], ends[order][..., 2:]
        self.x, self.y = xy[..., 0].reshape(r, -1), xy[..., 1].reshape(r, -1)
        counts = np.bincount((group + (n_groups + 1) * np.arange(r)[:, None]).ravel(),
                             minlength=(n_groups + 1) * r).reshape(r, -1)[:, :n_groups]
        self.cuts = 3 * np.concatenate([np.zeros((r, 1), int), np.cumsum(counts, axis=1)], 1)
        # Nodes: every node's bias (NaN for the inputs, and without biases), its ring.
        b = np.full((r, sum(sizes)), np.nan)
        b_all = parameter_rows(snaps, "biases")
        if net.use_bias:
            b[:, sizes[0]:] = b_all
        self.biases = b
        # The rings' scale, as on the Network graph page: a bias as thick as the thickest
        # edge (of any frame) is as big.
        w_all = float(np.max(np.abs(w), initial=0.0)) or 1.0
        ring_ref = max(float(np.max(np.abs(b_all), initial=0.0)), w_all)
        self.ring_sign, self.ring_width = bias_rings(b, ring_ref,
                                                     max_width=1.0 + 5.0 * node_px / 34)
        self.colours = None
        if grid_inputs is not None:
            with np.errstate(all="ignore"):  # huge weights overflow float32: NaN handled
                out = _predict_all(net, snaps, grid_inputs)
            self.colours = output_codes(out.reshape(-1, out.shape[-1]), lo, hi).reshape(r, -1)
        # Every frame's arrays encoded up front, a pass per quantity (see b64_slices).
        self.x_specs = b64_slices(self.x, self.cuts[:, :-1], self.cuts[:, 1:])
        self.y_specs = b64_slices(self.y, self.cuts[:, :-1], self.cuts[:, 1:])
        self.ring_specs = b64_rows((self.ring_sign + 1).astype(np.uint8))
        self.width_specs = b64_rows(self.ring_width.astype(np.float32))
        # float64: a bias heading for divergence exceeds float32
        self.bias_specs = b64_rows(np.nan_to_num(b))
        self.colour_specs = None if self.colours is None else b64_rows(self.colours)

    def edge_traces(self, k, full=True):
        """Frame k's edge traces, one per sign and width; partial ones carry only x, y."""
        traces = []
        for x, y, (_, _, colour, lw, name) in zip(self.x_specs[k], self.y_specs[k], EDGE_GROUPS):
            if full:  # its own copies: the first frame's specs are also frame 0's
                traces.append(dict(type="scatter", x=dict(x), y=dict(y), mode="lines",
                                   line=dict(color=colour, width=lw), hoverinfo="skip",
                                   showlegend=False, name=name, xaxis="x", yaxis="y"))
            else:
                traces.append(dict(type="scatter", x=x, y=y))
        return traces

    def node_trace(self, k, sizes, node_px, names, full=True):
        """Frame k's nodes, white, each ringed by its bias; partial: the rings and biases."""
        ring = dict(color=self.ring_specs[k], width=self.width_specs[k])
        customdata = self.bias_specs[k]
        if not full:
            return dict(type="scatter", marker=dict(line=ring), customdata=customdata)
        b = self.biases[k]
        ring, customdata = {n: dict(v) for n, v in ring.items()}, dict(customdata)
        x, y = (np.concatenate(v).astype(np.float32) for v in zip(*node_positions(sizes)))
        flat = [n for layer in names for n in layer]
        hover = [f"<b>{n}</b> (input)<extra></extra>" if i < sizes[0] else
                 f"<b>{n}</b><br>bias b = %{{customdata:.4g}}<extra></extra>"
                 if np.isfinite(b[i]) else f"<b>{n}</b><br>no bias<extra></extra>"
                 for i, n in enumerate(flat)]
        return dict(type="scatter", mode="markers", x=b64(x), y=b64(y), customdata=customdata,
                    marker=dict(size=node_px, color=WHITE,
                                line=dict(**ring, colorscale=RING_SCALE, cmin=0, cmax=2)),
                    hovertemplate=hover, showlegend=False, name="nodes", xaxis="x", yaxis="y")


def parameter_rows(snaps, kind) -> np.ndarray:
    """Every snapshot's weights (kind "weights") or biases, raveled layer after layer, as one
    row per snapshot (a stack per layer: a few NumPy calls instead of a few per snapshot)."""
    layers = [np.array([getattr(s, kind)[l] for s in snaps], float).reshape(len(snaps), -1)
              for l in range(len(getattr(snaps[0], kind)))]
    return np.concatenate(layers, axis=1) if layers else np.zeros((len(snaps), 0))


def _predict_all(net, snaps, X, block_bytes=1 << 23) -> np.ndarray:
    """Every snapshot's output over X in float32 (net.predict's numbers, drawn only), as
    stacks of networks (nn_core.passes): (frames, len(X), n_out)."""
    X = X.astype(np.float32)
    fns = [get_activation(name) for name in net.activations]
    step = max(1, block_bytes // (4 * len(X) * max(net.layer_sizes)))
    out = []
    for lo in range(0, len(snaps), step):
        part = snaps[lo:lo + step]
        W = [np.array([s.weights[l] for s in part], np.float32) for l in range(len(fns))]
        B = [np.array([s.biases[l] for s in part], np.float32)[:, None, :]
             for l in range(len(fns))]
        out.append(forward(W, B, fns, X).output)
    return np.concatenate(out)
