"""What the Playground's stage draws, as compact arrays: pure functions, engine objects in.

The stage (ui/playground_stage.js) paints on a canvas in the browser. It gets, per epoch, a
frame: the weights and biases (float32) and every neuron's output over the input plane as
colour codes (uint8: one byte a pixel, an index into a palette), plus once per payload the
palettes, the features' pictures, the data points and the loss curve so far. Arrays travel as
base64 text. One neuron's picture is THUMB x THUMB pixels; the output is GRID x GRID.
"""

from __future__ import annotations

import base64

import numpy as np

from nn_core.datasets import FEATURES, feature_matrix
from viz.colors import (  # noqa: F401  (LEVELS, SHADES: the stage's code ranges, read here)
    LEVELS,
    SHADES,
    class_palette,
    diverging_palette,
    output_codes,
    output_range,
)

GRID = 40  # the output plane's resolution (the canvas smooths it)
THUMB_STEP = 2  # a neuron's picture takes every 2nd grid point: 20 x 20 ...
THUMB = GRID // THUMB_STEP
SMALL_STEP = 4  # ... or every 4th, 10 x 10 (TF Playground's), for nets of many small nodes
MANY_NEURONS = 16  # hidden neurons beyond which nodes are drawn small


def thumb_step(layer_sizes) -> int:
    """Return the grid step of the neurons' pictures for this network."""
    return SMALL_STEP if sum(layer_sizes[1:-1]) > MANY_NEURONS else THUMB_STEP
CURVE_POINTS = 300  # the loss curve is thinned to this many points


def b64(a) -> str:
    """Return an array's bytes as base64 text (the stage decodes it with its dtype)."""
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def signed_codes(values, ref=1.0) -> np.ndarray:
    """Return uint8 codes 0..254 of values on [-ref, ref] (clipped; NaN counts as -ref).

    float32 and two clips: a frame codes every neuron's picture, so this is the hot path.
    """
    v = np.asarray(values, dtype=np.float32) * np.float32((LEVELS - 1) / 2 / ref)
    v = np.fmin(np.fmax(v, -127.0, out=v), 127.0, out=v)  # fmax/fmin also drop NaN
    v += 127.5
    return v.astype(np.uint8)


class OutputColours:
    """How the network's output becomes colour codes (and the points' labels likewise)."""

    def __init__(self, activation: str, y_train, n_outputs: int):
        self.classes = n_outputs > 1
        self.n_outputs = n_outputs
        self.lo, self.hi = output_range(activation, y_train)

    def palette(self) -> np.ndarray:
        return class_palette(self.n_outputs) if self.classes else diverging_palette()

    def codes(self, output) -> np.ndarray:
        if self.classes:
            return output_codes(output, 0.0, 1.0)
        mid, half = (self.lo + self.hi) / 2, max((self.hi - self.lo) / 2, 1e-12)
        return signed_codes(output[:, 0] - np.float32(mid), half)

    def label_codes(self, y) -> np.ndarray:
        """Return the codes of targets (one-hot rows count as certain)."""
        return self.codes(y) if len(y) else np.zeros(0, np.uint8)


def grid_points(domain) -> np.ndarray:
    """Return the GRID x GRID points of the plane, x1 fastest, x2 growing upwards."""
    g = np.linspace(float(domain[0]), float(domain[1]), GRID)
    gx, gy = np.meshgrid(g, g)
    return np.column_stack([gx.ravel(), gy.ravel()])


def _thumb(values, step=THUMB_STEP) -> np.ndarray:
    """Return a (GRID*GRID,) array's (GRID/step)^2 picture."""
    return np.asarray(values).reshape(GRID, GRID)[::step, ::step]


def feature_pictures(domain, step=THUMB_STEP) -> dict:
    """Return every input feature's picture over the plane, each on its own [-max, max]."""
    values = feature_matrix(grid_points(domain), FEATURES)
    pics = {}
    for j, name in enumerate(FEATURES):
        v = values[:, j]
        pics[name] = b64(_thumb(signed_codes(v, float(np.max(np.abs(v))) or 1.0), step))
    return pics


def layer_outputs(net, inputs) -> list:
    """Return every layer's activations on the grid inputs (float32: only drawn)."""
    a = np.asarray(inputs, dtype=np.float32)
    outs = []
    with np.errstate(all="ignore"):
        for W, b, act in zip(net.weights, net.biases, net._acts):
            a = act.fn(np.dot(a, W.astype(np.float32)) + b.astype(np.float32))
            outs.append(a)
    return outs


def _thumbs(a, step=THUMB_STEP) -> np.ndarray:
    """Return the pictures of a layer's grid activations (GRID*GRID, n) as codes, one
    (GRID/step)^2 picture after another."""
    n = a.shape[1]
    return signed_codes(a.reshape(GRID, GRID, n)[::step, ::step].transpose(2, 0, 1))


def frame(net, inputs, colours: OutputColours | None, epoch: int, train_loss, test_loss) -> dict:
    """Return one epoch's frame: parameters, neuron pictures (hidden, then output), losses."""
    f = {"e": int(epoch),
         "w": b64(np.concatenate([W.ravel() for W in net.weights]).astype(np.float32)),
         "b": b64(np.concatenate([b.ravel() for b in net.biases]).astype(np.float32)),
         "lt": _number(train_loss), "ls": _number(test_loss)}
    if inputs is not None and colours is not None:
        outs = layer_outputs(net, inputs)
        step = thumb_step(net.layer_sizes)
        f["h"] = (b64(np.concatenate([_thumbs(a, step).ravel() for a in outs[:-1]]))
                  if len(outs) > 1 else "")
        out = outs[-1]
        codes = colours.codes(out)
        f["o"] = b64(codes)
        # One output: its node shows the output plane small. Several (softmax): each node its
        # own class probability, 0 grey to 1 blue.
        f["n"] = b64(_thumb(codes, step) if not colours.classes else _thumbs(out, step))
    return f


def _number(v):
    return None if v is None or not np.isfinite(v) else float(v)


def loss_curve(history) -> dict:
    """Return the loss curve so far (epoch 0 first), thinned to CURVE_POINTS points."""
    if history is None or history.initial_loss is None:
        return {"e": [], "lt": [], "ls": []}
    e = np.concatenate([[0], history.epochs])
    lt = np.concatenate([[history.initial_loss], history.loss])
    ls = (np.concatenate([[history.initial_test_loss], history.test_loss])
          if history.test_loss is not None else None)
    keep = np.unique(np.linspace(0, len(e) - 1, min(len(e), CURVE_POINTS)).astype(int))
    return {"e": e[keep].tolist(), "lt": [_number(v) for v in lt[keep]],
            "ls": [_number(v) for v in ls[keep]] if ls is not None else []}


def points(plane, y_train, y_test, colours: OutputColours) -> dict:
    """Return the data points on the plane with their label's colour code."""
    def side(P, y):
        P = np.asarray(P, dtype=np.float32)
        return {"x": b64(P[:, 0].copy()), "y": b64(P[:, 1].copy()),
                "c": b64(colours.label_codes(np.asarray(y, dtype=float)))}
    return {"train": side(plane.points_train, y_train), "test": side(plane.points_test, y_test)}


def dataset_thumbnails(datasets: dict) -> dict:
    """Return {name: {x, y, c}} of small datasets for the picker (codes on the class palette
    of up to 3 classes; regression targets on the diverging one, marked by 'r')."""
    out = {}
    for name, ds in datasets.items():
        X = np.vstack([ds.X_train, ds.X_test])[:, :2].astype(np.float32)
        y = np.vstack([ds.y_train, ds.y_test])
        if ds.task == "classification":
            labels = y[:, 0].astype(int) if y.shape[1] == 1 else y.argmax(axis=1)
            c, kind = labels.astype(np.uint8), "c"
        else:
            c, kind = signed_codes(y[:, 0], float(np.max(np.abs(y))) or 1.0), "r"
        out[name] = {"x": b64(X[:, 0].copy()), "y": b64(X[:, 1].copy()), "c": b64(c), "k": kind}
    return out
