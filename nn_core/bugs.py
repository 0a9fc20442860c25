"""The bug zoo: classic backprop mistakes, each a wrong backward pass or a wrong update.

A gradient bug is the engine's own backward pass (nn_core.passes) with one of its `Mistakes`
switched on; there is no second copy of the chain rule to drift from the first.

A gradient bug returns wrong Gradients (the gradient check catches it); an update bug has
right gradients and a wrong step (the check passes; the loss curve shows it). Every bug runs
on any Network, so a learner can switch it on for the experiment they are looking at.

    >>> bug = BUGS["no_activation_derivative"]
    >>> gradient_check(net, X, y, "mse", grads=bug.gradients(net, X, y, "mse", lr=0.1)).passed
    False
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import passes
from .activations import get_activation
from .gradcheck import GradCheckResult, gradient_check
from .network import Gradients, Network, as_batch, as_targets
from .passes import Mistakes

MAX_CURVE_STEPS = 500


def _chain(net, trace, y, loss, **switches) -> Gradients:
    """The engine's backward pass with the mistakes `switches` name (passes.Mistakes) switched
    on; with every switch off it is net.backward."""
    return passes.backward(net.weights, [get_activation(n) for n in net.activations], trace, y,
                           loss, net.use_bias, mistakes=Mistakes(**switches))


def _sgd(net, grads, lr):
    for p, g in zip(net.weights + net.biases, grads.weights + grads.biases):
        p -= lr * g


def _tutorial_update(net, grads, lr):
    # The tutorial's d_weights are the descent step -dL/dW; it then writes W = d_weights + 1.
    for p, g in zip(net.weights + net.biases, grads.weights + grads.biases):
        p[...] = -g + 1.0
    if not net.use_bias:
        for b in net.biases:
            b[...] = 0.0


def _ascent(net, grads, lr):
    for p, g in zip(net.weights + net.biases, grads.weights + grads.biases):
        p += lr * g


def _raw_step(net, grads, lr):
    _sgd(net, grads, 1.0)


@dataclass(frozen=True)
class Bug:
    """One classic mistake: what it is, how to spot it, and the code that makes it."""

    name: str
    title: str
    kind: str  # "gradient" (wrong Gradients) or "update" (right gradients, wrong step)
    mistake: str
    spot: str
    code: str
    options: dict | None = None  # the Mistakes switched on, for a gradient bug
    update: object = _sgd  # (net, grads, lr) -> None, in place

    def gradients(self, net: Network, X, y, loss: str = "sse", lr: float = 0.1) -> Gradients:
        """Return the gradients this bug computes (the true ones for an update bug)."""
        trace = net.forward(X)
        y = as_targets(y, trace.output.shape[0], net.layer_sizes[-1])
        if self.options is None:
            return net.backward(trace, y, loss)
        options = dict(self.options)
        if options.pop("update_first", False):
            options["update_first_lr"] = lr
        return _chain(net, trace, y, loss, **options)

    def step(self, net: Network, X, y, loss: str = "sse", lr: float = 0.1) -> float:
        """Apply one training step with this bug to `net` in place; return the loss before it."""
        grads = self.gradients(net, X, y, loss, lr)
        self.update(net, grads, lr)
        return grads.loss

    def check(self, net: Network, X, y, loss: str = "sse", lr: float = 0.1) -> GradCheckResult:
        """Return the gradient check of this bug's gradients."""
        return gradient_check(net, X, y, loss, grads=self.gradients(net, X, y, loss, lr))


CORRECT = Bug("correct", "No bug (correct backprop and SGD)", "none",
              "Nothing: delta = dL/da * f'(z), gradients a^T delta, then W <- W - lr dL/dW.",
              "The gradient check is good everywhere and the loss falls.",
              "W -= lr * dW")

BUGS: dict[str, Bug] = {bug.name: bug for bug in [
    Bug("tutorial_update", "The tutorial's update: weights = d_weights + 1", "update",
        "Each weight is replaced by its step plus one (self.weights1 = d_weights1 + 1) instead "
        "of being moved by the step (self.weights1 += d_weights1), so whatever was learned is "
        "thrown away at every iteration.",
        "The gradient check passes (the gradients are right), but after every step all weights "
        "sit near 1 whatever they were before, and the loss stops falling.",
        "self.weights1 = d_weights1 + 1   # should be: self.weights1 += d_weights1",
        update=_tutorial_update),
    Bug("no_activation_derivative", "Forgetting the activation's derivative", "gradient",
        "delta is set to dL/da and passed back as if it were dL/dz: the factor f'(z) of the "
        "chain rule is missing at every layer.",
        "The gradient check is wrong in every layer (invisible only where f'(z) = 1: a linear "
        "unit, a ReLU with z > 0). The loss may still fall for a while, which is why this "
        "one survives.",
        "delta = error   # missing: * sigmoid_derivative(a)",
        options={"derivative": False}),
    Bug("derivative_of_z", "sigmoid_derivative applied to z instead of a", "gradient",
        "The tutorial's sigmoid_derivative(x) = x (1 - x) expects the activation a = sigmoid(z); "
        "feeding it z gives z (1 - z), which is wrong everywhere and negative when z > 1.",
        "The gradient check is wrong; some deltas have the wrong sign. Only derivatives written "
        "in terms of a (sigmoid, tanh) show it: for ReLU or softplus it changes nothing.",
        "delta = error * sigmoid_derivative(z)   # should be sigmoid_derivative(a)",
        options={"a_is_z": True}),
    Bug("wrong_sign", "Wrong sign: gradient ascent", "update",
        "W <- W + lr * dL/dW climbs the loss instead of descending it (the tutorial adds its "
        "d_weights only because they already carry the minus sign: 2 (y - o)).",
        "The gradient check passes; the loss rises step after step.",
        "W += lr * dW   # should be: W -= lr * dW",
        update=_ascent),
    Bug("no_learning_rate", "No learning rate", "update",
        "W <- W - dL/dW steps by the raw gradient (a learning rate of 1). With a loss summed "
        "over many samples, or steep units, that step is far too long.",
        "The gradient check passes; the loss jumps up and down or explodes, and the weights "
        "grow large, instead of falling smoothly.",
        "W -= dW   # should be: W -= lr * dW",
        update=_raw_step),
    Bug("update_before_backprop", "Updating W before passing the error back through it",
        "gradient",
        "Each layer's weights are updated as soon as their gradient is known, and the updated "
        "W is then used to pass delta back: delta_prev = (delta W_new^T) * f'(z).",
        "The gradient check is right for the output layer and off for every earlier one, by "
        "an amount that grows with the learning rate.",
        "W2 -= lr * dW2; delta1 = (delta2 @ W2.T) * f'(z1)   # W2 used after its update",
        options={"update_first": True}),
    Bug("extra_output_derivative", "An extra sigmoid derivative at the output (cross-entropy)",
        "gradient",
        "With a sigmoid output and binary cross-entropy, dL/dz = a - y already contains the "
        "sigmoid's derivative; multiplying by a (1 - a) again shrinks the output error, most "
        "of all where the network is confidently wrong.",
        "The gradient check is wrong in every layer; training crawls on exactly the samples "
        "it gets most wrong (outputs near 0 or 1).",
        "delta_out = (a - y) * sigmoid_derivative(a)   # should be: a - y",
        options={"extra_output": True}),
]}


def loss_curve(net: Network, X, y, loss: str = "sse", lr: float = 0.1, steps: int = 50,
               bug: Bug | None = None) -> np.ndarray:
    """Return the loss before each of `steps` full-batch steps and after the last (on a copy).

    Once the loss stops being finite the rest is NaN: a diverged run shows no numbers.
    """
    steps = int(min(max(steps, 1), MAX_CURVE_STEPS))
    bug = bug or CORRECT
    net = net.copy()
    X = as_batch(X, net.layer_sizes[0])
    y = as_targets(y, X.shape[0], net.layer_sizes[-1])
    curve = np.full(steps + 1, np.nan)
    with np.errstate(all="ignore"):
        for k in range(steps):
            curve[k] = bug.step(net, X, y, loss, lr)
            if not np.isfinite(curve[k]) or not all(np.all(np.isfinite(w)) for w in net.weights):
                curve[k] = curve[k] if np.isfinite(curve[k]) else np.nan
                return curve
        curve[steps] = net.loss(X, y, loss)
    if not np.isfinite(curve[steps]):
        curve[steps] = np.nan
    return curve
