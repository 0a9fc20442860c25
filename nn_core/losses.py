"""Loss functions by name: value, gradient with respect to the network's output, formula."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Outputs are clipped this far from 0 and 1 before a log, so saturated outputs give a large
# but finite loss instead of inf.
LOG_EPS = 1e-12


# Every loss also takes a stack of R networks' outputs (R, n, k) against the shared y (n, k):
# then it reduces over each run's own (n, k) and returns one value per run, with the
# normalisations of one network (shape[-2] samples, shape[-2] * shape[-1] elements), so that
# each run gets the very numbers it would get alone.
def _one_run(o):
    """The axes of one run's output: all of them, unless o is a stack."""
    return None if o.ndim <= 2 else (-2, -1)


def _scalar(v):
    return v if isinstance(v, np.ndarray) else float(v)


def _elements(o):
    return o.size if o.ndim <= 2 else o.shape[-2] * o.shape[-1]


def _samples(o):
    return o.shape[0] if o.ndim <= 2 else o.shape[-2]


def _sse(o, y):
    d = o - y
    # np.sum's own reduction, without its wrapper
    return _scalar(np.add.reduce(d * d, axis=_one_run(o)))


# np.mean(v) is np.add.reduce(v) / count; written out, it skips np.mean's Python layers.
def _mean(v, o):
    return _scalar(np.add.reduce(v, axis=_one_run(o)) / _elements(o))


def _mse(o, y):
    d = o - y
    return _mean(d * d, o)  # d * d: what ** 2 computes


def _mse_gradient(o, y):
    return 2.0 * (o - y) / _elements(o)


def _bce(o, y):
    p = np.clip(o, LOG_EPS, 1.0 - LOG_EPS)
    return -_mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p), o)


def _bce_gradient(o, y):
    p = np.clip(o, LOG_EPS, 1.0 - LOG_EPS)
    return (p - y) / (p * (1.0 - p)) / _elements(o)


def _cross_entropy(o, y):
    return _scalar(-np.sum(y * np.log(np.clip(o, LOG_EPS, None)), axis=_one_run(o)) / _samples(o))


def _cross_entropy_gradient(o, y):
    return -y / np.clip(o, LOG_EPS, None) / _samples(o)


@dataclass(frozen=True)
class Loss:
    """A loss L(output, y): its value, dL/d(output), and what the pages show."""

    name: str
    value: callable
    gradient: callable
    latex: str
    gradient_latex: str
    description: str


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in [
        Loss(
            "sse", _sse, lambda o, y: 2.0 * (o - y),
            r"L = \sum_i (o_i - y_i)^2", r"\frac{\partial L}{\partial o_i} = 2(o_i - y_i)",
            "Sum of squared errors, as in the tutorial.",
        ),
        Loss(
            "mse", _mse, _mse_gradient,
            r"L = \frac{1}{N} \sum_i (o_i - y_i)^2",
            r"\frac{\partial L}{\partial o_i} = \frac{2}{N}(o_i - y_i)",
            "Mean squared error over all output elements.",
        ),
        Loss(
            "bce", _bce, _bce_gradient,
            r"L = -\frac{1}{N} \sum_i \left[y_i \ln o_i + (1 - y_i) \ln(1 - o_i)\right]",
            r"\frac{\partial L}{\partial o_i} = \frac{1}{N} \frac{o_i - y_i}{o_i (1 - o_i)}",
            "Binary cross-entropy, mean over elements; pairs with a sigmoid output.",
        ),
        Loss(
            "cross_entropy", _cross_entropy, _cross_entropy_gradient,
            r"L = -\frac{1}{n} \sum_{s} \sum_k y_{sk} \ln o_{sk}",
            r"\frac{\partial L}{\partial o_{sk}} = -\frac{1}{n} \frac{y_{sk}}{o_{sk}}",
            "Categorical cross-entropy, mean over samples; pairs with a softmax output.",
        ),
    ]
}


def get_loss(name: str) -> Loss:
    """Return the loss called `name`, or raise ValueError listing the known names."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; expected one of {', '.join(LOSSES)}") from None


def fused_output_delta(activation: str, loss: str) -> bool:
    """Return whether (output activation, loss) has the exact shortcut delta = (a - y) / N."""
    return (activation, loss) in (("sigmoid", "bce"), ("softmax", "cross_entropy"))


def loss_from_logits(activation: str, loss: str, z, y) -> float:
    """Return the loss computed from the output layer's z, exact even where a saturates
    (one value per run for a stack's z)."""
    if activation == "sigmoid" and loss == "bce":
        # -[y ln s(z) + (1-y) ln(1-s(z))] = ln(1 + e^z) - y z
        return _mean(np.logaddexp(0.0, z) - y * z, z)
    if activation == "softmax" and loss == "cross_entropy":
        m = np.max(z, axis=-1, keepdims=True)
        lse = m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))
        return _scalar(np.sum(y * (lse - z), axis=_one_run(z)) / _samples(z))
    raise ValueError(f"no logit form for {activation} with {loss}")
