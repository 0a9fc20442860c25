"""The one forward and backward pass of the engine, for one network or R networks side by side.

A layer computes z = a_prev W + b, then a = f(z). One network holds W as (n_in, n_out) and b
as (n_out,); a stack of R networks of one shape holds W as (R, n_in, n_out) and b as
(R, 1, n_out), and every z and a gains a leading run axis (the input X stays shared). The
chain rule below is written once for both: a single network (`Network.forward` /
`Network.backward`, and so `train()`) is the case R = 1 without the run axis, the activation
study trains its R runs through the same lines, and the bug zoo's classic mistakes are
`Mistakes` switched on in them.

`fns` is one object per weight layer with `.fn(z)`, `.backward(z, a, grad_a)` and `.name`: an
Activation, or (for a stack whose runs differ in their hidden activation) `PerRun`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import get_activation
from .losses import fused_output_delta, get_loss, loss_from_logits


@dataclass
class ForwardTrace:
    """Everything the forward pass computed: z per layer, and a per layer with the input first."""

    pre_activations: list
    activations: list

    @property
    def output(self):
        return self.activations[-1]


@dataclass
class Gradients:
    """dL/dW and dL/db per layer (shapes of the parameters), dL/dz per layer, and L itself
    (for a stack: one loss per run)."""

    weights: list
    biases: list
    deltas: list
    loss: float


@dataclass(frozen=True)
class Mistakes:
    """Classic backprop mistakes as switches on `backward` (all off: the right gradients).

    derivative=False leaves out f'(z) at every layer (delta = dL/da); a_is_z feeds z where the
    derivative formula expects a = f(z); extra_output multiplies the output delta by f'(z)
    once more; update_first_lr passes delta back through W - lr dL/dW (a W already updated).
    """

    derivative: bool = True
    a_is_z: bool = False
    extra_output: bool = False
    update_first_lr: float | None = None


class PerRun:
    """One hidden layer's activation in a stack whose runs differ: runs[r] uses names[r].

    Consecutive runs with the same name form one group, so each activation is one call on
    its slice of the stacked z.
    """

    def __init__(self, names):
        self.name = "per run"
        self.groups, start = [], 0
        for r in range(1, len(names) + 1):
            if r == len(names) or names[r] != names[start]:
                self.groups.append((get_activation(names[start]), slice(start, r)))
                start = r

    def fn(self, z):
        a = np.empty_like(z)
        for act, runs in self.groups:
            a[runs] = act.fn(z[runs])
        return a

    def backward(self, z, a, grad_a):
        # grad_a * f'(z) as Activation.backward computes it, each group with its own f'.
        d = np.empty_like(z)
        for act, runs in self.groups:
            d[runs] = act._derivative(z[runs], a[runs])
        return grad_a * d


def forward(weights, biases, fns, X) -> ForwardTrace:
    """Return the trace of X through the layers (stacked if the weights are)."""
    # np.dot: the same BLAS call as @ for 2-D arrays, with a third of its overhead.
    mm = np.dot if weights[0].ndim == 2 else np.matmul
    zs, activations = [], [X]
    a = X
    for w, b, f in zip(weights, biases, fns):
        z = mm(a, w) + b
        a = f.fn(z)
        zs.append(z)
        activations.append(a)
    return ForwardTrace(zs, activations)


def _per_run(fn, output, y):
    """fn(output, y) for one network, or per run of a stack: a loss normalises by the size of
    one network's output."""
    if output.ndim == 2:
        return fn(output, y)
    return [fn(o, y) for o in output]


def loss_value(out_name, loss, z, output, y):
    """Return the loss at the output layer's (z, a): a float, or one per run of a stack."""
    if fused_output_delta(out_name, loss):
        # Written in z: exact even where the output saturates.
        value = _per_run(lambda zr, yr: loss_from_logits(out_name, loss, zr, yr), z, y)
    else:
        value = _per_run(get_loss(loss).value, output, y)
    return value if output.ndim == 2 else np.array(value)


def output_delta(f, loss, z, output, y, mistakes=None):
    """Return dL/dz of the output layer (f: its activation)."""
    m = mistakes
    if fused_output_delta(f.name, loss) and (m is None or (m.derivative and not m.a_is_z)):
        # d/dz of the loss written in z directly: exact and free of 0/0 at saturation.
        if f.name == "softmax":
            delta = (output * np.sum(y, axis=1, keepdims=True) - y) / y.shape[0]
        else:
            delta = (output - y) / y.size
    else:
        gradient = get_loss(loss).gradient
        grad_o = gradient(output, y) if output.ndim == 2 else np.stack(
            _per_run(gradient, output, y))
        if m is not None and not m.derivative:
            delta = grad_o
        else:
            delta = f.backward(z, z if m is not None and m.a_is_z else output, grad_o)
    if m is not None and m.extra_output:
        delta = f.backward(z, output, delta)
    return delta


def backward(weights, fns, trace, y, loss, use_bias=True, with_loss=True, out=None,
             mistakes=None) -> Gradients:
    """Return the gradients of `loss` at `trace` (y: targets as (n, n_out) floats).

    with_loss=False leaves .loss None (train() needs no loss value per minibatch); out=(weight
    gradients, bias gradients): arrays to write into (train()'s flat buffer; bias gradients
    there stay zero without biases); mistakes: the bug zoo's switches.
    """
    zs, acts = trace.pre_activations, trace.activations
    output = acts[-1]
    stacked = output.ndim == 3
    mm = np.matmul if stacked else np.dot
    value = loss_value(fns[-1].name, loss, zs[-1], output, y) if with_loss else None
    delta = output_delta(fns[-1], loss, zs[-1], output, y, mistakes)
    n = len(weights)
    grad_w, grad_b, deltas = [None] * n, [None] * n, [None] * n
    for l in range(n - 1, -1, -1):
        deltas[l] = delta
        a = acts[l]
        a_T = a.T if a.ndim == 2 else a.swapaxes(-1, -2)  # the shared X stays 2-D in a stack
        if out is None:
            grad_w[l] = mm(a_T, delta)
            if use_bias:
                grad_b[l] = np.add.reduce(delta, -2, None, None, stacked)
            else:
                grad_b[l] = np.zeros((*delta.shape[:-2], 1, delta.shape[-1]) if stacked
                                     else delta.shape[-1])
        else:
            grad_w[l] = mm(a_T, delta, out=out[0][l])
            grad_b[l] = (np.add.reduce(delta, -2, None, out[1][l], stacked) if use_bias
                         else out[1][l])
        if l > 0:
            W = weights[l]
            if mistakes is not None and mistakes.update_first_lr is not None:
                W = W - mistakes.update_first_lr * grad_w[l]  # the mistake: W already updated
            grad_a = mm(delta, W.T if W.ndim == 2 else W.swapaxes(-1, -2))
            if mistakes is None:
                delta = fns[l - 1].backward(zs[l - 1], acts[l], grad_a)
            elif not mistakes.derivative:
                delta = grad_a
            else:
                a_or_z = zs[l - 1] if mistakes.a_is_z else acts[l]
                delta = fns[l - 1].backward(zs[l - 1], a_or_z, grad_a)
    return Gradients(grad_w, grad_b, deltas, value)
