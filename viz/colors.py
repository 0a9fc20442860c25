"""The playground's shared colours: one diverging scale for every signed value.

TensorFlow Playground's convention: orange is negative (and class 0), blue is positive (and
class 1), a light grey sits at zero. Every figure uses these, so "blue means positive" holds
for weights, gradients, activations, outputs and labels alike.
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

# Plotly colourscale for values mapped onto [-ref, ref] (cmin=-ref, cmax=ref).
DIVERGING = [[0.0, NEGATIVE], [0.5, NEUTRAL], [1.0, POSITIVE]]
# The same with white at zero: node fills, where grey would read as "unknown".
DIVERGING_WHITE = [[0.0, NEGATIVE], [0.5, WHITE], [1.0, POSITIVE]]

_RGB = {name: np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
        for name, c in (("neg", NEGATIVE), ("pos", POSITIVE))}


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
    mid = np.array([int(zero[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
    end = _RGB["pos"] if t >= 0 else _RGB["neg"]
    r, g, b = np.rint(mid + abs(t) * (end - mid)).astype(int)
    return f"rgb({r}, {g}, {b})"


def class_scale(n_classes: int):
    """Return (colourscale, zmax) for z = class + confidence in [0, 1): class c's band runs
    from light (a toss-up) to its own colour (certain)."""
    zmax = float(n_classes)
    scale = []
    for c in range(n_classes):
        colour = CLASS_COLOURS[c % len(CLASS_COLOURS)]
        scale += [[c / zmax, NEUTRAL], [min((c + 0.999) / zmax, 1.0), colour]]
    scale[-1][0] = 1.0
    return scale, zmax
