"""Gradient checking: every analytic gradient beside its central-difference estimate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Gradients, Network, as_batch, as_targets

# CS231n's rule of thumb for the relative error |a - n| / max(|a|, |n|).
VERDICTS = ((1e-7, "good"), (1e-4, "ok"), (1e-2, "suspicious"))
VERDICT_TEXT = {
    "good": "below 1e-7: the gradient is right",
    "ok": "below 1e-4: fine for functions with kinks (ReLU), worth a look otherwise",
    "suspicious": "between 1e-4 and 1e-2: probably a mistake",
    "wrong": "above 1e-2: the gradient is wrong",
}
_ORDER = ("good", "ok", "suspicious", "wrong")


def relative_error(analytic, numeric, floor: float = 1e-8):
    """Return |a - n| / max(|a|, |n|, floor); the floor keeps two near-zeros from looking wrong."""
    analytic, numeric = np.asarray(analytic, float), np.asarray(numeric, float)
    return np.abs(analytic - numeric) / np.maximum(
        np.maximum(np.abs(analytic), np.abs(numeric)), floor)


def verdict(rel_error: float) -> str:
    """Return good / ok / suspicious / wrong for a relative error."""
    for limit, name in VERDICTS:
        if rel_error < limit:
            return name
    return "wrong"


@dataclass
class GradCheckResult:
    """One row per parameter: analytic and numeric gradient, relative error, verdict."""

    rows: list

    @property
    def max_rel_error(self) -> float:
        return max((r["rel_error"] for r in self.rows), default=0.0)

    @property
    def verdict(self) -> str:
        return max((r["verdict"] for r in self.rows), key=_ORDER.index, default="good")

    @property
    def passed(self) -> bool:
        return self.verdict in ("good", "ok")


def numeric_gradients(net: Network, X, y, loss="sse", eps=1e-5):
    """Return (dW list, db list) by central differences (L(p + eps) - L(p - eps)) / 2 eps."""
    X = as_batch(X, net.layer_sizes[0])
    y = as_targets(y, X.shape[0], net.layer_sizes[-1])

    def loss_at():
        return net._loss_value(net._forward(X), y, loss)

    result = []
    for params in (net.weights, net.biases):
        grads = []
        for p in params:
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                keep = p[idx]
                p[idx] = keep + eps
                up = loss_at()
                p[idx] = keep - eps
                down = loss_at()
                p[idx] = keep
                g[idx] = (up - down) / (2 * eps)
            grads.append(g)
        result.append(grads)
    return result[0], result[1]


def gradient_check(net: Network, X, y, loss="sse", eps=1e-5,
                   grads: Gradients | None = None) -> GradCheckResult:
    """Compare `grads` (default: net.backward) with central differences, parameter by parameter."""
    if grads is None:
        grads = net.backward(net.forward(X), y, loss)
    num_w, num_b = numeric_gradients(net, X, y, loss, eps)
    rows = []
    kinds = [("W", grads.weights, num_w)]
    if net.use_bias:
        kinds.append(("b", grads.biases, num_b))
    for l in range(net.n_layers):
        for param, analytic, numeric in kinds:
            errors = relative_error(analytic[l], numeric[l])
            for idx in np.ndindex(analytic[l].shape):
                err = float(errors[idx])
                rows.append({
                    "layer": l, "param": param, "index": idx,
                    "analytic": float(analytic[l][idx]), "numeric": float(numeric[l][idx]),
                    "rel_error": err, "verdict": verdict(err),
                })
    return GradCheckResult(rows)
