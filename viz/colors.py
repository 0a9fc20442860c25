"""The playground's one palette, and the one place that decides how an output becomes colours.

TensorFlow Playground's convention: orange is negative (and class 0), blue is positive (and
class 1), a light grey sits at zero. Every figure uses these, so "blue means positive" holds
for weights, gradients, activations, outputs and labels alike.

A network's output over the plane is coloured here too (`output_kind`, `output_scale`,
`output_codes`, `class_codes`, `label_colours`): one output on a diverging scale; several
(softmax) in the argmax class's colour, paler the closer the call (`class_confidence`).
"""

from __future__ import annotations

import numpy as np

NEGATIVE = "#f59322"  # orange
POSITIVE = "#0877bd"  # blue
NEUTRAL = "#e8eaeb"  # light grey: zero
UNKNOWN = "#d9d9d9"  # a value not known yet
WHITE = "#ffffff"  # zero where grey would read as "unknown" (node fills)
HIGHLIGHT = "rgba(255, 196, 0, 0.55)"  # the glow under what a step-through is at
CLASS_COLOURS = (NEGATIVE, POSITIVE, "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
TEXT, TEXT_MUTED = "#333333", "#555555"

# Lines that are told apart by colour alone (runs, activations), and ordered ones.
QUALITATIVE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
               "#7f7f7f", "#bcbd22", "#17becf")
ACTIVATION_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                      "#e377c2", "#17becf", "#7f7f7f")
# One distinct hue per run of a comparison (Okabe-Ito, then Tableau): never shades of one
# colour, which a person cannot tell apart on a projector.
RUN_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000",
               "#8c564b", "#7f7f7f", "#bcbd22")
# Learning rates from small (light) to large (dark, then red).
SEQUENTIAL = ("#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b", "#b30000",
              "#7f0000", "#4d0000", "#000000")
# Layers from the input (dark) to the output (orange).
LAYER_COLOURS = ("#08306b", "#2171b5", "#4292c6", "#6baed6", "#9ecae1", "#c6dbef", "#fdae6b")
# The correct run, the buggy one, any other.
CURVE_COLOURS = ("#2ca02c", "#d62728", "#7f7f7f")
# Table cells: a gradient check's verdicts, and match / mismatch.
VERDICT_COLOURS = {"good": "#d4edda", "ok": "#e8f4d9", "suspicious": "#fff3cd", "wrong": "#f8d7da"}
MATCH_COLOURS = {True: "#d4edda", False: "#f8d7da"}
SHADES = 31  # shades of one output's colour scale, as TensorFlow Playground draws
# The app's theme (.streamlit/config.toml), for figures drawn without Streamlit's theme.
PRIMARY = "#1a56db"
APP_FONT = '"Source Sans", "Source Sans Pro", sans-serif'

# Plotly colourscale for values mapped onto [-ref, ref] (cmin=-ref, cmax=ref).
DIVERGING = [[0.0, NEGATIVE], [0.5, NEUTRAL], [1.0, POSITIVE]]
# The same with white at zero: node fills, where grey would read as "unknown".
DIVERGING_WHITE = [[0.0, NEGATIVE], [0.5, WHITE], [1.0, POSITIVE]]

LEVELS = 255  # codes 0..254 of diverging_palette; 127 is zero


def rgb(hex_colour) -> np.ndarray:
    """Return "#rrggbb" as an (r, g, b) float array."""
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


_RGB = {"neg": rgb(NEGATIVE), "pos": rgb(POSITIVE)}


def diverging_palette() -> np.ndarray:
    """Return LEVELS uint8 rgb rows of DIVERGING: orange (code 0, -1) through grey (127, 0) to
    blue (254, +1), for pictures sent as one byte a pixel."""
    t = np.linspace(-1.0, 1.0, LEVELS)[:, None]
    mid, neg, pos = rgb(NEUTRAL), _RGB["neg"], _RGB["pos"]
    return np.rint(np.where(t < 0, mid + -t * (neg - mid), mid + t * (pos - mid))).astype(np.uint8)


def class_palette(n_classes: int) -> np.ndarray:
    """Return n_classes * SHADES uint8 rgb rows, as output_codes numbers them: class c's
    shades run from grey (a toss-up) to its colour (certain), as class_scale draws them."""
    mid = rgb(NEUTRAL)
    rows = [mid + s / (SHADES - 1) * (rgb(CLASS_COLOURS[c % len(CLASS_COLOURS)]) - mid)
            for c in range(n_classes) for s in range(SHADES)]
    return np.rint(np.array(rows)).astype(np.uint8)


def sign_colour(value) -> str:
    """Return blue for value >= 0, orange below (the colour of an edge or bias)."""
    return POSITIVE if value >= 0 else NEGATIVE


def diverging_colour(t, zero=NEUTRAL) -> str:
    """Return the CSS colour of t in [-1, 1] on DIVERGING (clipped; NaN gives UNKNOWN);
    zero=WHITE gives DIVERGING_WHITE's colours instead."""
    t = float(t)
    if not np.isfinite(t):
        return UNKNOWN
    t = min(max(t, -1.0), 1.0)
    mid = rgb(zero)
    end = _RGB["pos"] if t >= 0 else _RGB["neg"]
    r, g, b = np.rint(mid + abs(t) * (end - mid)).astype(int)
    return f"rgb({r}, {g}, {b})"


# ---------- how a network's output becomes colours
def output_kind(net, y) -> str:
    """Return how to colour the output: 'binary' (0/1 labels, one output), 'classes'
    (several outputs, argmax) or 'regression' (one real-valued output)."""
    if net.layer_sizes[-1] > 1:
        return "classes"
    y = np.asarray(y, dtype=float)
    return "binary" if y.size and np.all((y == 0) | (y == 1)) else "regression"


def class_confidence(output):
    """Return (argmax class, confidence in [0, 1]) per row: 0 = a toss-up, 1 = certain."""
    output = np.nan_to_num(np.asarray(output, dtype=np.float64))
    k = output.shape[1]
    conf = (np.max(output, axis=1) - 1.0 / k) / (1.0 - 1.0 / k)
    return np.argmax(output, axis=1), np.clip(conf, 0.0, 1.0)


def _class_units(shades):
    # (width of one class's band, its top code, what zmax adds): continuous codes
    # c + confidence in [c, c + 0.999]; quantised ones c * SHADES + shade, 0 .. SHADES - 1.
    return (1, 0.999, 0) if shades is None else (shades, shades - 1, -1)


def class_codes(output, discretize=False, shades=None) -> np.ndarray:
    """Return per row its argmax class c and confidence as one code on class_scale: floor(code
    / band) is the class, the rest runs from pale (a toss-up) to the class's colour (certain).
    shades=None: float32 codes c + confidence (heatmaps); shades=SHADES: uint8 codes
    c * SHADES + shade (frames sent as bytes). discretize: every row its class's full colour."""
    band, top, _ = _class_units(shades)
    c, conf = class_confidence(output)
    full = 1 if shades is None else top  # the shade of confidence 1
    shade = np.full(conf.shape, float(top)) if discretize else np.minimum(conf * full, top)
    if shades is None:
        return (c + shade).astype(np.float32)
    return (c * band + np.rint(shade)).astype(np.uint8)


def class_scale(n_classes: int, shades=None):
    """Return (colourscale, zmax) for class_codes with the same `shades`: class c's band runs
    from light (a toss-up) to its own colour (certain)."""
    band, top, extra = _class_units(shades)
    zmax = float(n_classes * band + extra)
    scale = []
    for c in range(n_classes):
        colour = CLASS_COLOURS[c % len(CLASS_COLOURS)]
        scale += [[c * band / zmax, NEUTRAL], [min((c * band + top) / zmax, 1.0), colour]]
    scale[-1][0] = 1.0
    return scale, zmax


def output_scale(kind, n_out, y):
    """Return (colourscale, zmin, zmax, threshold) matching the labels' colours."""
    if kind == "classes":
        scale, zmax = class_scale(n_out)
        return scale, 0.0, zmax, None
    if kind == "binary":  # class 0 orange, class 1 blue; outputs beyond [0, 1] saturate
        return DIVERGING, 0.0, 1.0, 0.5
    m = float(np.max(np.abs(y))) if np.size(y) else 1.0
    m = m if np.isfinite(m) and m > 0 else 1.0
    return DIVERGING, -m, m, 0.0


def label_colours(kind, y):
    """Return the colour values of labels on the output's scale."""
    y = np.asarray(y, dtype=float)
    if kind == "classes":
        return class_codes(y, discretize=True)
    return y[:, 0].astype(np.float32)


def output_range(activation, y):
    """Return (lo, hi) that the output's colours span: the activation's range, else the data's."""
    if activation in ("sigmoid", "softmax"):
        return 0.0, 1.0
    if activation == "tanh":
        return -1.0, 1.0
    lo, hi = float(np.min(y)), float(np.max(y))
    return (lo, hi) if hi > lo else (lo - 1, hi + 1)


def output_codes(output, lo, hi):
    """Return uint8 colour codes of network outputs (n, k): shade 0..SHADES-1 of (lo, hi) for
    one output (on DIVERGING); for several, class_codes in SHADES shades (on class_scale)."""
    # A weight blown up to inf gives NaN outputs: drawn as the middle shade, never as garbage.
    output = np.nan_to_num(np.asarray(output, dtype=np.float64), nan=(lo + hi) / 2)
    if output.shape[1] == 1:
        t = (output[:, 0] - lo) / max(hi - lo, 1e-12)
        return np.rint(np.clip(t, 0, 1) * (SHADES - 1)).astype(np.uint8)
    return class_codes(output, shades=SHADES)


def coded_scale(n_outputs):
    """Return (colourscale, zmax) matching output_codes."""
    if n_outputs == 1:
        return DIVERGING, SHADES - 1
    return class_scale(n_outputs, SHADES)
