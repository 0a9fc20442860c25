"""The Training page's charts beside the replay (viz.replay): loss axes, gradient norms per
layer, and the comparison of runs from the same initial weights.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.colors import RUN_COLOURS
from viz.unchecked import prebuilt


def log_axis(values, **extra) -> dict:
    """A log-scale axis with a few labels, each a whole number a reader can take as is:
    powers of ten when the values span two decades or more, else the 1, 2, 5 (or, on a short
    range, every digit) times a power of ten inside the values' range, written out (0.2, not
    Plotly's bare minor "2"). One value (epoch 0) gets a decade below it and half above."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    axis = {"type": "log", "exponentformat": "power", **extra}
    if v.size == 0:
        return axis
    lo, hi = np.log10(v.min()), np.log10(v.max())
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 0.5
        axis["range"] = [float(lo), float(hi)]
    if hi - lo >= 2:
        axis["dtick"] = 1
        return axis
    ticks = []
    for digits in ((1, 2, 5), range(1, 10)):
        ticks = [float(f"{m}e{k}") for k in range(int(np.floor(lo)), int(np.ceil(hi)) + 1)
                 for m in digits if lo - 1e-9 <= np.log10(m) + k <= hi + 1e-9]
        if len(ticks) >= 3:
            if len(digits) > 3:
                ticks = _spaced(ticks, (hi - lo) / 7)
            break
    else:  # well inside one decade: evenly spaced round values, as a linear axis has
        a, b = 10.0 ** lo, 10.0 ** hi
        step = 10.0 ** np.floor(np.log10((b - a) / 4))
        step *= next(m for m in (1, 2, 5, 10) if (b - a) / (step * m) <= 6)
        places = max(0, int(-np.floor(np.log10(step))))
        ticks = [round(float(t), places) for t in
                 np.arange(np.ceil(a / step) * step, b + step / 2, step) if t <= b * (1 + 1e-9)]
    axis.update(tickmode="array", tickvals=ticks, ticktext=[
        np.format_float_positional(t, precision=12, trim="-") for t in ticks])
    return axis


def _spaced(ticks, gap):
    """Return the ticks whose labels do not crowd: at least `gap` decades apart, the round
    ones kept first (1, then 2 and 5, then the other digits), or all of them if fewer than
    three would be left (on a log axis 0.07, 0.08, 0.09, 0.1 sit close together)."""
    order = (1, 2, 5, 3, 4, 6, 7, 8, 9)

    def roundness(t):
        return order.index(int(f"{t:e}"[0]))

    kept = []
    for t in sorted(ticks, key=roundness):
        if all(abs(np.log10(t) - np.log10(k)) >= gap for k in kept):
            kept.append(t)
    return sorted(kept) if len(kept) >= 3 else ticks


def grad_norm_figure(history, height=300) -> go.Figure:
    """Return the L2 norm of each layer's dL/dW per epoch (log scale): vanishing shows here."""
    norms = history.grad_norms
    data = [dict(type="scatter", x=history.epochs, y=norms[:, l], mode="lines",
                 name=f"layer {l + 1} W",
                 hovertemplate=f"layer {l + 1}, " + "epoch %{x}: |dL/dW| %{y:.3g}<extra></extra>")
            for l in range(norms.shape[1] if norms.ndim == 2 else 0)]
    layout = dict(height=height, template="plotly_white", margin=dict(l=40, r=10, t=40, b=40),
                  title=dict(text="Gradient norm per layer, ‖dL/dW‖ (log scale)", x=0.01),
                  legend=dict(orientation="h", y=-0.25), font=dict(size=13),
                  yaxis=log_axis(norms), xaxis=dict(title=dict(text="epoch", standoff=2)))
    return prebuilt(data, layout)  # drawn on every render of the Training page


def comparison_figure(runs, kind, height=440) -> go.Figure:
    """Return the runs' train loss curves together (log scale), one colour each, the legend
    ordered by the setting (learning rates small to large) and naming each run's verdict.

    A diverged run ends at its last finite epoch with a red x: nothing after it is drawn.
    """
    if kind in ("lr", "batch_size"):
        # full batch (0) is the largest batch size
        runs = sorted(runs, key=lambda r: (r.value == 0, r.value))
    fig = go.Figure()
    for n, run in enumerate(runs):
        h = run.history
        x = np.concatenate([[0], h.epochs])
        y = np.concatenate([[h.initial_loss], h.loss])
        colour = RUN_COLOURS[n % len(RUN_COLOURS)]
        verdict = f": {run.verdict}" if run.verdict else ""
        fig.add_scatter(x=x, y=y, mode="lines", name=f"{run.label}{verdict}",
                        line=dict(color=colour, width=2.5),
                        hovertemplate=f"{run.label}, " + "epoch %{x}: loss %{y:.4g}"
                                      "<extra></extra>")
        if h.diverged:
            fig.add_scatter(x=[x[-1]], y=[y[-1]], mode="markers+text", showlegend=False,
                            marker=dict(symbol="x", size=13, color="red"),
                            text=[f"{run.label} diverged"], textposition="top center",
                            hoverinfo="skip")
    fig.update_layout(height=height, template="plotly_white", font=dict(size=14),
                      margin=dict(l=50, r=10, t=50, b=40),
                      title=dict(text="Train loss from the same initial weights (log scale)",
                                 x=0.01),
                      legend=dict(title=None, orientation="h", x=0, y=-0.18,
                                  yanchor="top", traceorder="normal"))
    fig.update_yaxes(**log_axis(np.concatenate(
        [np.concatenate([[r.history.initial_loss], r.history.loss]) for r in runs]),
        title="loss"))
    fig.update_xaxes(title="epoch")
    return fig
