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

`Pass` is those same lines for the case train() repeats a few hundred thousand times a session
(one network, no mistakes, gradients into its flat buffer), with what they decide per call
decided once; a test holds its numbers bit for bit to forward() and backward()'s.
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
    # f'(z) per hidden layer when the forward pass was asked for them (forward(...,
    # derivatives=True)): the backward pass then multiplies by them instead of computing them.
    derivatives: list | None = None

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

    def value_and_derivative(self, z):
        a, d = np.empty_like(z), np.empty_like(z)
        for act, runs in self.groups:
            a[runs], d[runs] = act.value_and_derivative(z[runs])
        return a, d


def forward(weights, biases, fns, X, derivatives=False) -> ForwardTrace:
    """Return the trace of X through the layers (stacked if the weights are).

    derivatives=True also keeps f'(z) of each hidden layer, computed with f(z) (one pass over
    the groups of a stack, one tanh or sigmoid where f and f' share it), for a backward pass
    to follow.
    """
    # np.dot: the same BLAS call as @ for 2-D arrays, with a third of its overhead.
    mm = np.dot if weights[0].ndim == 2 else np.matmul
    zs, activations, ds = [], [X], [] if derivatives else None
    a = X
    last = len(weights) - 1
    for l, (w, b, f) in enumerate(zip(weights, biases, fns)):
        z = mm(a, w) + b
        if derivatives and l < last:
            a, d = f.value_and_derivative(z)
            ds.append(d)
        else:
            a = f.fn(z)
        zs.append(z)
        activations.append(a)
    return ForwardTrace(zs, activations, ds)


def loss_value(out_name, loss, z, output, y):
    """Return the loss at the output layer's (z, a): a float, or one per run of a stack."""
    if fused_output_delta(out_name, loss):
        return loss_from_logits(out_name, loss, z, y)  # exact even where the output saturates
    return get_loss(loss).value(output, y)


def output_delta(f, loss, z, output, y, mistakes=None):
    """Return dL/dz of the output layer (f: its activation)."""
    m = mistakes
    if fused_output_delta(f.name, loss) and (m is None or (m.derivative and not m.a_is_z)):
        # d/dz of the loss written in z directly: exact and free of 0/0 at saturation.
        # Per run's samples and elements: y may be a stack's own targets (R, n, k).
        if f.name == "softmax":
            delta = (output * np.sum(y, axis=-1, keepdims=True) - y) / y.shape[-2]
        else:
            delta = (output - y) / (y.shape[-2] * y.shape[-1])
    else:
        grad_o = get_loss(loss).gradient(output, y)
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
    zs, acts, ds = trace.pre_activations, trace.activations, trace.derivatives
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
            if stacked and W.shape[-1] == 1:
                # One unit above (a stack's output layer): (n, 1) x (1, m) is an outer
                # product, one rounding per element as in BLAS, at half matmul's cost.
                grad_a = delta * W.swapaxes(-1, -2)
            else:
                grad_a = mm(delta, W.T if W.ndim == 2 else W.swapaxes(-1, -2))
            if mistakes is None:
                delta = (fns[l - 1].backward(zs[l - 1], acts[l], grad_a) if ds is None
                         else grad_a * ds[l - 1])
            elif not mistakes.derivative:
                delta = grad_a
            else:
                a_or_z = zs[l - 1] if mistakes.a_is_z else acts[l]
                delta = fns[l - 1].backward(zs[l - 1], a_or_z, grad_a)
    return Gradients(grad_w, grad_b, deltas, value)


class Pass:
    """forward(..., derivatives=True) then backward() of one network (R = 1, no mistakes)
    with their per-call decisions made once, gradients written into grad_w / grad_b (bias
    gradients stay untouched without biases): the same NumPy operations in the same order,
    so the same numbers, at about half the Python overhead of a small net's minibatch step.
    The weight and bias arrays must stay the same objects while the Pass is used (train()'s
    flat views)."""

    def __init__(self, weights, biases, fns, loss, use_bias, grad_w, grad_b):
        # f and f' called directly (Activation.value_and_derivative's own two calls), or the
        # activation's fused pair where f and f' share a costly part.
        self.layers = [(w, b, f.fn, f._derivative, f._both)
                       for w, b, f in zip(weights[:-1], biases[:-1], fns[:-1])]
        self.last = weights[-1], biases[-1], fns[-1].fn
        # Backwards through the layers; delta goes on through W^T (views, made once).
        self.back = [(l, w.T, gw, gb if use_bias else None)
                     for l, (w, gw, gb) in enumerate(zip(weights, grad_w, grad_b))][::-1]
        out = fns[-1]
        self.fused = fused_output_delta(out.name, loss)
        self.softmax = out.name == "softmax"
        self.loss_gradient = get_loss(loss).gradient
        # Activation.backward is grad_a * f'(z, a); softmax's is its Jacobian product.
        self.out_derivative = out._derivative if out.elementwise else None
        self.out_backward = out.backward

    def gradients(self, X, y):
        """Write the gradients at (X, y) into the buffers; return the output layer's (z, a)."""
        dot = np.dot
        acts, ds, a = [X], [], X
        for w, b, fn, derivative, both in self.layers:
            z = dot(a, w)
            z += b  # in place: the same sum as z + b
            if both is None:
                a = fn(z)
                ds.append(derivative(z, a))
            else:
                a, d = both(z)
                ds.append(d)
            acts.append(a)
        w, b, fn = self.last
        z = dot(a, w)
        z += b
        output = fn(z)
        if not self.fused:
            grad_o = self.loss_gradient(output, y)
            delta = (grad_o * self.out_derivative(z, output) if self.out_derivative
                     else self.out_backward(z, output, grad_o))
        elif self.softmax:
            delta = (output * np.sum(y, axis=1, keepdims=True) - y) / y.shape[0]
        else:
            delta = (output - y) / y.size
        add_reduce = np.add.reduce
        for l, w_T, gw, gb in self.back:
            dot(acts[l].T, delta, gw)
            if gb is not None:
                add_reduce(delta, 0, None, gb)
            if l:
                delta = dot(delta, w_T)
                delta *= ds[l - 1]  # in place: the same product as grad_a * f'(z)
        return z, output
