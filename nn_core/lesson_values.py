"""The values a lesson step shows (its `show` list: X, W1, z1, dW1, W1_after, loss_by_epoch, ...),
each as a captioned matrix with row and column names, computed by the engine from the step's
experiment exactly as nn_core.lesson_answers computes the answer keys (and with the step's bug,
if any). Layers are numbered as on the pages: W1 is the tutorial's weights1, z1 and a1 the
first hidden layer.
"""

from __future__ import annotations

import re

import numpy as np

from .bugs import BUGS
from .experiment import Experiment
from .lesson_answers import full_gradients, one_update, trained
from .network import Network

LOSS_EPOCHS = (0, 1, 2, 5, 10, 100, 1000)  # rows of the "loss_by_epoch" table
SHOW_PATTERN = re.compile(r"^(X|y|output|error|loss|trained_output|loss_by_epoch|"
                          r"(W|z|a|dW|d_weights)(\d)|W(\d)_after)$")


def show_names_problem(names, net: Network) -> str:
    """Return what is wrong with a step's `show` names for this network, or ''."""
    n_layers = len(net.layer_sizes) - 1
    for name in names:
        m = SHOW_PATTERN.match(name)
        if m is None:
            return (f"{name!r} is not a value a step can show (X, y, W1, z1, a1, output, "
                    "error, loss, dW1, d_weights1, W1_after, trained_output, loss_by_epoch)")
        layer = m.group(3) or m.group(4)
        if layer and not 1 <= int(layer) <= n_layers:
            return f"{name!r}: this network has weight layers 1 to {n_layers}"
    return ""


def show_value(name: str, exp: Experiment, bug: str = "") -> tuple:
    """Return (caption, matrix, column names, row names) of one value a step shows."""
    m = SHOW_PATTERN.match(name)
    net = exp.initial_net()
    trace = net.forward(exp.X_train)
    X, y = exp.X_train, exp.y_train
    samples = [f"sample {k + 1}" for k in range(len(X))]
    if name == "X":
        return "X: the inputs, one row per sample", X, list(exp.dataset.feature_names), samples
    if name == "y":
        return "y: the targets", y, [f"y{k + 1}" for k in range(y.shape[1])], samples
    if name == "output":
        return ("output: the network's output per sample", trace.output,
                _cols("o", trace.output), samples)
    if name == "error":
        return "y - output: the error per sample", y - trace.output, _cols("e", y), samples
    if name == "loss":
        value = net.loss(X, y, exp.loss)
        return f"loss ({exp.loss}) over all training rows", np.array([[value]]), ["L"], [""]
    if name == "trained_output":
        out = trained(exp, exp.config.epochs, bug)[0].forward(X).output
        return (f"output after {exp.config.epochs} epochs" + (f" with the bug {bug}" if bug
                                                               else ""), out, _cols("o", out),
                samples)
    if name == "loss_by_epoch":
        epochs = [e for e in LOSS_EPOCHS if e <= exp.config.epochs]
        columns, names = [trained(exp, exp.config.epochs)[1][epochs]], ["correct update"]
        if bug:
            columns.insert(0, trained(exp, exp.config.epochs, bug)[1][epochs])
            names.insert(0, f"with {BUGS[bug].code.split('#')[0].strip()}")
        return ("training loss after each number of epochs", np.column_stack(columns), names,
                [f"epoch {e}" for e in epochs])
    if m.group(4):
        l = int(m.group(4)) - 1
        W = one_update(exp, bug).weights[l]
        return (f"W{l + 1} after one update" + (f" ({bug})" if bug else ""), W, _cols("", W),
                _rows(W))
    what, l = m.group(2), int(m.group(3)) - 1
    if what == "W":
        W = net.weights[l]
        return f"W{l + 1} (weights{l + 1}): row = from, column = to", W, _cols("", W), _rows(W)
    if what == "z":
        z = trace.pre_activations[l]
        return f"z{l + 1}: weighted sums of layer {l + 1}", z, _cols("z", z), samples
    if what == "a":
        a = trace.activations[l + 1]
        return f"a{l + 1}: layer {l + 1} after its activation", a, _cols("a", a), samples
    g = full_gradients(exp).weights[l]
    if what == "dW":
        return f"dL/dW{l + 1}: the gradient", g, _cols("", g), _rows(g)
    return (f"d_weights{l + 1} = -dL/dW{l + 1}: the step downhill", -g, _cols("", g), _rows(g))


def _rows(matrix) -> list:
    return [f"from {i + 1}" for i in range(matrix.shape[0])]


def _cols(prefix: str, matrix) -> list:
    return [f"{prefix}{j + 1}" if prefix else f"to {j + 1}" for j in range(matrix.shape[1])]
