"""Take it home: the network and its training as one NumPy script that prints the same numbers.

`to_numpy_script(net, X, y, loss=..., lr=..., epochs=...)` returns the text of a Python file
that needs only NumPy: the tutorial's NeuralNetwork class (feedforward, backpropagation, the
update as its own step), corrected and commented, with the exact starting weights and the data
written out. Run, it prints `epoch N loss L` with the very losses train() records (1e-12) and
ends with train()'s weights. The text is fixed templates (script_parts) plus numbers: nothing a
user typed ever becomes code.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import replace

import numpy as np

from . import script_parts as parts
from .config import PRESETS
from .losses import fused_output_delta, get_loss
from .optimizers import REGULARIZATIONS, SGD, Adam, Momentum
from .script_text import LINE
from .script_text import number as _number
from .script_text import param_lists as _param_lists
from .script_text import print_every as _print_every
from .script_text import rows as _rows
from .script_text import safe_text as _safe_text
from .script_text import wrapped as _wrapped
from .training import minibatch_size

SCRIPT_OPTIMIZERS = ("sgd", "momentum", "adam")  # each has its update in script_parts
MAX_ROWS = 5000  # more rows than any dataset the playground makes or accepts


def _name_of(optimizer):
    return optimizer if isinstance(optimizer, str) else getattr(optimizer, "name", "")


def script_refusal(net, X, y, *, loss="sse", optimizer="sgd", regularization="none",
                   **_ignored) -> str | None:
    """Return why no script can reproduce this training exactly, or None when one can."""
    name = _name_of(optimizer)
    if name not in SCRIPT_OPTIMIZERS or not (
            isinstance(optimizer, str) or type(optimizer) in (SGD, Momentum, Adam)):
        return (f"the script writes out plain SGD, momentum and Adam; this optimizer "
                f"({str(name)[:20] or type(optimizer).__name__}) is not one of them.")
    if not isinstance(optimizer, str) and optimizer._state is not None:
        return ("this optimizer has already taken steps: its momentum is not in the script, "
                "so the script would train differently. Use a fresh one.")
    if regularization not in REGULARIZATIONS and regularization is not None:
        return f"the script knows L1 and L2 regularization, not {str(regularization)[:20]}."
    params = net.weights + net.biases
    if not all(np.all(np.isfinite(p)) for p in params):
        return "some weights are NaN or infinite (the training diverged): there is nothing to run."
    if not net.use_bias and any(np.any(b != 0) for b in net.biases):
        return "biases are switched off but not all zero, which the script cannot write."
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if len(X) > MAX_ROWS or not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        return f"the script embeds at most {MAX_ROWS} rows of finite numbers."
    out = net.activations[-1]
    if fused_output_delta(out, loss) and out == "softmax" and not np.all(y.sum(axis=1) == 1.0):
        return ("a softmax output with cross-entropy needs one-hot targets (each row summing "
                "to 1) for the script's simple dL/dz = (a - y) / n.")
    return None


def to_numpy_script(net, X, y, *, loss, lr, epochs, batch_size=0, seed=0, optimizer="sgd",
                    momentum=0.9, beta1=0.9, beta2=0.999, eps=1e-8, regularization="none",
                    reg_rate=0.0, title="A small neural network",
                    weights_note="before training", input_names=()) -> str:
    """Return a self-contained NumPy script that trains `net` on (X, y) as train() does.

    The arguments are train()'s (batch_size 0 or None: full batch; seed: the shuffle's), an
    optimizer name or a fresh SGD/Momentum/Adam (whose settings are then used). `title` and
    `input_names` only appear as docstring and comment text, reduced to plain characters;
    `weights_note` completes "the weights ..." (e.g. "before training").
    Raises ValueError with the reason when the script could not reproduce train() exactly.
    """
    why = script_refusal(net, X, y, loss=loss, optimizer=optimizer,
                         regularization=regularization)
    if why:
        raise ValueError(why)
    get_loss(loss)
    opt = _name_of(optimizer)
    if not isinstance(optimizer, str):
        lr = optimizer.lr
        momentum = getattr(optimizer, "beta", momentum)
        beta1, beta2 = getattr(optimizer, "beta1", beta1), getattr(optimizer, "beta2", beta2)
        eps = getattr(optimizer, "eps", eps)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).reshape(len(X), -1)
    n = len(X)
    batch = minibatch_size(batch_size, n)
    reg = regularization if regularization not in (None, "none") and reg_rate > 0 else None
    epochs = int(epochs)
    acts = list(net.activations)
    out = acts[-1]
    fused = fused_output_delta(out, loss)
    bias = net.use_bias
    every = _print_every(epochs)

    header = _docstring(net, n, title, weights_note, loss, lr, epochs, batch, opt, reg,
                        reg_rate, every)
    settings = [f"LEARNING_RATE = {_number(lr)}", f"EPOCHS = {epochs}"]
    if batch < n:
        settings += [f"BATCH_SIZE = {batch}  # rows per step; {n} rows in all",
                     f"SEED = {int(seed)}  # the playground's weight seed, which also seeds "
                     "its shuffles"]
    settings.append(f"PRINT_EVERY = {every}  # epochs between printed losses")
    if opt == "momentum":
        settings.append(f"MOMENTUM = {_number(momentum)}  # the share of the last step kept")
    if opt == "adam":
        settings += [f"BETA1 = {_number(beta1)}  # how slowly Adam's mean gradient m forgets",
                     f"BETA2 = {_number(beta2)}  # the same for its mean squared gradient v",
                     f"EPS = {_number(eps)}  # keeps the step finite where v is 0"]
    if reg:
        settings.append(f"REG_RATE = {_number(reg_rate)}  # {reg.upper()} regularization")

    blocks = ["\n".join(header), "import numpy as np", "\n".join(settings)]
    blocks += _functions(acts, loss, fused)
    blocks.append(_class(net, acts, loss, fused, opt, reg, bias))
    blocks.append(_main(batch < n, bias))
    # Column names only when every one is a plain short name (the playground's features).
    names = [str(s) for s in input_names]
    plain = len(names) == X.shape[1] and all(re.fullmatch(r"[\w^() .+-]{1,20}", s, re.ASCII)
                                              for s in names)
    columns = f"columns: {', '.join(names)}" if plain else f"{X.shape[1]} input columns"
    data = _rows("X", X, f"The {n} training inputs, one row each ({columns}).")
    data += [""] + _rows("y", y, "Their targets, one row each.")
    note = _safe_text(weights_note)
    data += [""] + _param_lists("W", net.weights, f"The weights {note}. W[k] is layer k + 1's: "
                                "one row per input, one column per unit.")
    if bias:
        data += [""] + _param_lists("b", net.biases, f"The biases {note}, one per unit.")
    blocks.append("\n".join(data))
    blocks.append('if __name__ == "__main__":\n    main()')
    top = "\n\n".join(blocks[:3])  # docstring, import, settings: one blank line apart
    rest = "\n\n\n".join(b.strip("\n") for b in blocks[3:] if b.strip())
    return top + "\n\n\n" + rest + "\n"


def _docstring(net, n, title, weights_note, loss, lr, epochs, batch, opt, reg, reg_rate,
               every) -> list:
    sizes = "-".join(map(str, net.layer_sizes))
    hidden = ", ".join(dict.fromkeys(net.activations[:-1])) or "no hidden layer"
    names = {"sgd": "plain gradient descent", "momentum": "gradient descent with momentum",
             "adam": "Adam"}
    batches = "full batch" if batch >= n else f"minibatches of {batch}, reshuffled every epoch"
    penalty = f", {reg.upper()} regularization {reg_rate:g}" if reg else ""
    paragraphs = [
        f"Network {sizes}: {hidden} hidden, {net.activations[-1]} output, "
        f"{'with' if net.use_bias else 'no'} biases; loss {loss}. Training: {names[opt]}, "
        f"learning rate {lr:g}, {batches}, {epochs} epochs{penalty}.",
        f"It starts from the weights{' and biases' if net.use_bias else ''} "
        f"{_safe_text(weights_note)} and trains on the {n} training rows; both "
        "are written out at the end of this file, so nothing is random. Run it with python3 "
        f"(it needs only NumPy): every {every} epochs it prints the loss on the training rows, "
        "the same numbers the playground's training records, then the network's output for "
        "each training input.",
        "As in the tutorial it grew from: rows of X are samples, layer k computes "
        "z = a_prev W + b and then a = f(z), W has one row per input and one column per unit. "
        "delta is dL/dz, the error signal backpropagation passes back layer by layer.",
    ]
    lines = ['"""' + _safe_text(title), "", "A NumPy script from the Neural Network Playground."]
    for text in paragraphs:
        lines += [""] + textwrap.wrap(text, LINE - 4)
    return lines + ['"""']


def _functions(acts, loss, fused) -> list:
    """Return the blocks this network uses, each once: every activation with its derivative
    (where backpropagation needs it), then the loss and its gradient."""
    used = list(dict.fromkeys(acts))
    derivatives = set(acts[:-1] + ([] if fused else acts[-1:]))
    blocks = []
    if any(a in ("sigmoid", "softplus", "swish") for a in used):
        blocks.append(parts.SIGMOID)  # first: softplus' and swish's formulas call it too
    for name in sorted(used, key=lambda a: a != "sigmoid"):  # the sigmoid pair first
        blocks.append(parts.FUNCTIONS[name])
        if name in derivatives:
            blocks.append(parts.SOFTMAX_BACKWARD if name == "softmax"
                          else parts.DERIVATIVES[name])
    if loss in ("bce", "cross_entropy") and not fused:
        blocks.append(parts.LOG_EPS)
    blocks.append(parts.LOSSES_FROM_Z[loss] if fused else parts.LOSSES[loss])
    return [b for b in blocks if b.strip()]


def _indent(text, spaces) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line else line for line in text.rstrip("\n").split("\n"))


def _loss_call(loss, fused) -> str:
    name = {"bce": "binary_cross_entropy", "cross_entropy": "cross_entropy"}.get(loss, loss)
    return f"{name}(self.z[-1], y)" if fused else f"{name}(self.a[-1], y)"


def _class(net, acts, loss, fused, opt, reg, bias) -> str:
    loss_fn = {"bce": "binary_cross_entropy", "cross_entropy": "cross_entropy"}.get(loss, loss)
    state = "".join(line.replace("{bias}", "") + "\n"
                    for line in parts.OPTIMIZER_STATE[opt].splitlines()
                    if bias or "{bias}" not in line)
    lines = [
        "class NeuralNetwork:",
        '    """A fully connected network that learns by backpropagation.',
        "",
        "    The tutorial's class, corrected: feedforward keeps every z and a; backpropagation",
        "    returns the gradients dL/dW (the tutorial computed their negatives, then wrote",
        "    W = dW + 1); update takes the step down the gradient, scaled by a learning rate"
        + ("; and every" if bias else "."),
        *(["    layer has biases b."] if bias else []),
        '    """',
        "",
        f"    def __init__(self, W{', b' if bias else ''}):",
        "        self.W = [np.array(w, dtype=float) for w in W]  # W[k]: layer k + 1's weights",
    ]
    if bias:
        lines.append("        self.b = [np.array(v, dtype=float) for v in b]  # b[k]: its biases")
    lines.append("        # Each layer's activation f, and f'(z) of the hidden layers for backpropagation.")
    lines += _wrapped(acts, "        self.f = [", "]", " " * 18)
    lines += _wrapped([f"{a}_derivative" for a in acts[:-1]], "        self.f_derivative = [",
                      "]", " " * 29)
    lines += [state.rstrip("\n")] if state.strip() else []
    lines += [
        "",
        "    def feedforward(self, X):",
        '        """Return the output for the rows of X, keeping every z and a for '
        'backpropagation."""',
        "        self.z, self.a = [], [X]  # a[0] is the input itself",
        "        for k in range(len(self.W)):",
        "            # The weighted sum of the previous layer's outputs"
        + (", plus the bias" if bias else "") + ", then the activation.",
        "            self.z.append(np.dot(self.a[k], self.W[k])"
        + (" + self.b[k])" if bias else ")"),
        "            self.a.append(self.f[k](self.z[k]))",
        "        return self.a[-1]",
        "",
        "    def loss(self, X, y):",
        '        """Return the loss of the network on the rows X with targets y."""',
        "        self.feedforward(X)",
        f"        return {_loss_call(loss, fused)}",
        "",
        "    def backpropagation(self, y):",
        f'        """Return dL/dW{" and dL/db" if bias else ""} of every layer for the rows '
        'of the last feedforward."""',
    ]
    out = acts[-1]
    if fused:
        delta = parts.FUSED_DELTA[loss]
    elif out == "softmax":
        delta = ("# The output layer: dL/da from the loss, then back through the softmax.\n"
                 f"delta = softmax_backward(self.a[-1], {loss_fn}_gradient(self.a[-1], y))")
    else:
        delta = ("# The output layer: delta = dL/dz = dL/da * f'(z), by the chain rule.\n"
                 f"delta = {loss_fn}_gradient(self.a[-1], y) * "
                 f"{out}_derivative(self.z[-1], self.a[-1])")
    lines.append(_indent(delta, 8))
    lines += [
        "        dW = [None] * len(self.W)",
        *(["        db = [None] * len(self.W)"] if bias else []),
        "        for k in reversed(range(len(self.W))):",
        "            dW[k] = np.dot(self.a[k].T, delta)  # dL/dW = a_prev^T delta, summed "
        "over rows",
        *(["            db[k] = np.sum(delta, axis=0)  # dL/db = delta summed over rows"]
          if bias else []),
        "            if k > 0:",
        "                # One layer back: dL/da_prev = delta W^T, times f'(z) of that layer.",
        "                delta = np.dot(delta, self.W[k].T) * self.f_derivative[k - 1](",
        "                    self.z[k - 1], self.a[k])",
        f"        return dW{', db' if bias else ''}",
        "",
        f"    def update(self, dW{', db' if bias else ''}, learning_rate):",
        f'        """{parts.UPDATE_DOC[opt]}{", the same for b" if bias else ""}."""',
    ]
    if opt == "adam":
        lines.append("        self.t += 1")
    lines.append("        for k in range(len(self.W)):")
    g = "dW[k]"
    if reg:
        lines.append(_indent(parts.REGULARIZATION[reg], 12))
        g = "g"
    lines.append(_indent(parts.UPDATE_BODY[opt].format(p="W", g=g), 12))
    if bias:
        lines.append(_indent(parts.UPDATE_BODY[opt].format(p="b", g="db[k]"), 12))
    return "\n".join(lines)


def _main(shuffled, bias) -> str:
    grads = "dW, db" if bias else "dW"
    steps = [
        "        nn.feedforward(X_epoch[start:start + BATCH_SIZE])",
        f"        {grads} = nn.backpropagation(y_epoch[start:start + BATCH_SIZE])",
        f"        nn.update({grads}, LEARNING_RATE)",
    ]
    if shuffled:
        body = [
            "    # The playground shuffles the rows with this generator, once per epoch.",
            "    rng = np.random.default_rng([SEED, 0])",
            "    for epoch in range(1, EPOCHS + 1):",
            "        order = rng.permutation(len(X))",
            "        X_epoch, y_epoch = X[order], y[order]",
            "        for start in range(0, len(X), BATCH_SIZE):",
            *("    " + s for s in steps),
        ]
    else:
        body = [
            "    for epoch in range(1, EPOCHS + 1):",
            "        # Full batch: every row in every step, one step per epoch.",
            "        nn.feedforward(X)",
            f"        {grads} = nn.backpropagation(y)",
            f"        nn.update({grads}, LEARNING_RATE)",
        ]
    return "\n".join([
        "def main():",
        '    """Train the network, printing the loss as it goes; return it trained."""',
        f"    nn = NeuralNetwork(W{', b' if bias else ''})",
        '    print(f"epoch 0 loss {nn.loss(X, y)}")',
        *body,
        "        loss = nn.loss(X, y)  # on all training rows, after the epoch's steps",
        "        if not np.isfinite(loss):",
        '            print(f"epoch {epoch}: the loss is NaN or infinite, the weights blew up.")',
        '            print("Training stops here; a smaller LEARNING_RATE descends smoothly.")',
        "            return nn  # its outputs are no result worth printing",
        "        if epoch % PRINT_EVERY == 0 or epoch == EPOCHS:",
        '            print(f"epoch {epoch} loss {loss}")',
        '    print("The output for each training input:")',
        "    print(nn.feedforward(X))",
        "    return nn",
    ])


def experiment_title(config) -> str:
    """Return the preset's name if the config is one (epochs aside), else a description."""
    for label, preset in PRESETS.values():
        if replace(preset, epochs=config.epochs) == config:
            return label
    hidden = "-".join(map(str, config.hidden)) or "no hidden layer"
    return f"{config.dataset.replace('_', ' ')} data, hidden layers {hidden}"


def script_inputs(exp, *, trained=False, epochs=None) -> dict:
    """Return to_numpy_script's arguments for a session's experiment, from its current
    (trained) or its initial weights; the network is a copy, so they stay as they are now."""
    c = exp.config
    net = (exp.net if trained else exp.initial_net()).copy()
    done = exp.history.last_epoch if exp.history is not None else 0
    if trained and done:
        note = f"after {done} epochs of training in the playground"
    elif trained:
        note = "as they are now"
    else:
        note = "before training"
    names = () if c.dataset == "csv" else tuple(exp.dataset.feature_names)
    return dict(net=net, X=exp.X_train, y=exp.y_train, loss=c.loss, lr=c.lr,
                epochs=epochs if epochs is not None else c.epochs, batch_size=c.batch_size,
                seed=c.seed, optimizer=c.optimizer, regularization=c.regularization,
                reg_rate=c.reg_rate, title=experiment_title(c), weights_note=note,
                input_names=names)


def experiment_script(exp, *, trained=False, epochs=None) -> str:
    """Return the script of a session's experiment (its current or its initial weights);
    raise ValueError with the reason when it cannot be written."""
    return to_numpy_script(**script_inputs(exp, trained=trained, epochs=epochs))
