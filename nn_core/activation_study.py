"""The same network trained with each activation function, from the same initial weights.

`train_activations` trains R copies of one network that differ only in their hidden layers'
activation (and, if asked, learning rate). It trains them together: the R networks' weights
are stacked into (R, n_in, n_out) arrays and go through the engine's one forward and backward
pass (nn_core.passes), so one batched matmul steps every run at once and only the activation
itself differs run by run (nn_core.fused_activations, family by family). The arithmetic is
the arithmetic of `train()` (same minibatch order, same loss gradients, nn_core's own optimizers, same
divergence rule), so each run's History equals what `train()` would record for it.

Also here: dead units (`dead_units`), when a run reached a loss target (`epochs_to_target`),
and the measured cost of one activation call (`activation_cost`). The page's verdict and
sentences are written by nn_core.answers from several seeds (nn_core.seed_study).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import passes
from .activations import get_activation
from .fused_activations import FusedPerRun, family_order
from .network import Network, as_batch, as_targets
from .optimizers import make_optimizer, regularization_gradient
from .recording import Accuracy
from .training import History, Snapshot, flat_views, is_classification, minibatches


@dataclass
class ActivationRun:
    """One run of a study: its hidden activation, learning rate, History and final parameters.

    Holds names and arrays only (no functions), so a run can be cached and copied.
    """

    name: str
    lr: float
    history: History
    layer_sizes: list
    activations: list  # one per weight layer: the studied one per hidden layer, then the output's
    use_bias: bool
    weights: list  # final (or, after divergence, last finite) parameters
    biases: list

    def network(self) -> Network:
        """Return the trained network of this run."""
        net = Network(self.layer_sizes, self.activations, use_bias=self.use_bias)
        net.set_params(self.weights, self.biases)
        return net

    def initial_network(self) -> Network:
        """Return this run's network with its initial weights (epoch 0)."""
        net = self.network()
        net.set_params(self.history.snapshots[0].weights, self.history.snapshots[0].biases)
        return net


class _Stack:
    """R networks of one architecture as stacked arrays.

    `weights[l]` is (R, n_in, n_out) and `biases[l]` (R, 1, n_out), so a learning rate of
    shape (R, 1, 1) broadcasts over both. nn_core's optimizers only read `.weights` and
    `.biases` and update them elementwise in place, so they step a _Stack as they step one
    Network. With `flat`, the parameters (and their gradients) are views of one buffer, so
    that a step is a few NumPy calls on it rather than a few per array (as train() does).
    """

    def __init__(self, weights, biases, flat=False):
        self.weights, self.biases = weights, biases
        self.values = self.grad = None
        if flat:
            params = weights + biases
            self.values = np.concatenate([p.ravel() for p in params])
            self.grad = np.zeros_like(self.values)
            views = flat_views(self.values, params)
            k = len(weights)
            self.weights, self.biases = views[:k], views[k:]
            grads = flat_views(self.grad, params)
            self.grads = grads[:k], grads[k:]


class _Rows:
    """Preallocated (epoch, run[, layer]) blocks of what each epoch measures."""

    def __init__(self, epochs, R, layers, classify, has_test):
        self.loss = np.empty((epochs, R))
        self.norms = np.empty((epochs, R, layers))
        self.change = np.empty((epochs, R))
        self.accuracy = np.empty((epochs, R)) if classify else None
        self.test_loss = np.empty((epochs, R)) if has_test else None
        self.test_accuracy = np.empty((epochs, R)) if classify and has_test else None

    def hand_over(self, history, r, last):
        """Record run r's epochs 1..last into its History."""
        def column(block):
            return None if block is None else block[:last, r]
        history.extend(range(1, last + 1), column(self.loss), self.norms[:last, r],
                       column(self.change), column(self.accuracy), column(self.test_loss),
                       column(self.test_accuracy))


def _losses(out_name, loss, trace, y):
    """Each run's loss, computed as Network._loss_value computes it for one network."""
    return passes.loss_value(out_name, loss, trace.pre_activations[-1], trace.output, y)


def train_activations(net, X, y, names, epochs: int, *, lr=0.1, lrs=None,
                      optimizer: str = "sgd", batch_size: int | None = None, loss: str = "sse",
                      X_test=None, y_test=None, seed: int = 0, regularization: str | None = None,
                      reg_rate: float = 0.0) -> list[ActivationRun]:
    """Return one ActivationRun per name in `names`, each trained from `net`'s current weights.

    Every hidden layer of run r uses activation names[r]; the output layer keeps `net`'s. All
    runs see the same minibatches in the same order. `lrs` (one per run) overrides `lr`.
    `net` may also be a list of networks of one shape, one per run: run r then starts from
    net[r]'s weights (several initial-weight seeds trained in one batch). No net is changed.
    """
    nets = list(net) if isinstance(net, (list, tuple)) else None
    net = nets[0] if nets else net
    names = list(names)
    if not names:
        return []
    for name in names:
        if name == "softmax":
            raise ValueError("softmax cannot be a hidden layer's activation")
        get_activation(name)
    R = len(names)
    rates = [float(lr)] * R if lrs is None else [float(v) for v in lrs]
    if len(rates) != R:
        raise ValueError(f"expected {R} learning rates, one per run; got {len(rates)}")
    if epochs < 0:
        raise ValueError("epochs must be >= 0")
    sizes = net.layer_sizes
    X = as_batch(X, sizes[0])
    y = as_targets(y, X.shape[0], sizes[-1])
    has_test = X_test is not None and y_test is not None and len(X_test) > 0
    if has_test:
        X_test = as_batch(X_test, sizes[0], "X_test")
        y_test = as_targets(y_test, X_test.shape[0], sizes[-1])
    if nets is not None and len(nets) != R:
        raise ValueError(f"expected {R} initial networks, one per run; got {len(nets)}")
    for m in nets or [net]:
        m.check_parameters()
        if m.layer_sizes != net.layer_sizes or m.use_bias != net.use_bias:
            raise ValueError("every initial network must have the same layers and bias setting")
    starts = [m.get_params() for m in (nets or [net] * R)]
    out_name = net.activations[-1]
    # The stack holds the runs family by family (FusedPerRun shares work within a family);
    # each run's arithmetic is its own, so the order changes no number. Runs are handed back
    # in the caller's order at the end.
    stacked_order = family_order(names)
    names, rates, starts = ([v[r] for r in stacked_order] for v in (names, rates, starts))
    # The one forward/backward pass of nn_core.passes, stacked: only the hidden activation
    # differs between runs.
    fns = [FusedPerRun(names)] * (len(sizes) - 2) + [get_activation(out_name)]
    reg = regularization if regularization not in (None, "none") and reg_rate > 0 else None
    # One learning rate and no penalty: the optimizer steps one flat buffer (the hot path).
    flat = len(set(rates)) == 1 and not reg
    stack = _Stack([np.stack([w[l] for w, _ in starts]) for l in range(len(sizes) - 1)],
                   [np.stack([b[l] for _, b in starts])[:, None] for l in range(len(sizes) - 1)],
                   flat)
    # A scalar rate keeps the arithmetic of train() bit for bit; differing rates broadcast.
    opt = make_optimizer(optimizer, max(rates))
    if len(set(rates)) > 1:
        opt.lr = np.array(rates).reshape(R, 1, 1)
    else:
        opt.lr = rates[0]
    if flat:
        state = opt._flat_state(stack.weights + stack.biases,
                                lambda buffer: flat_views(buffer, stack.weights + stack.biases))
        values, grad = [stack.values], [stack.grad]
    n = X.shape[0]
    batch = n if not batch_size or batch_size >= n else int(batch_size)
    classify = is_classification(y)

    histories = [History(loss_name=loss, lr=rates[r]) for r in range(R)]
    initial = _losses(out_name, loss, passes.forward(stack.weights, stack.biases, fns, X), y)
    initial_test = _losses(out_name, loss, passes.forward(stack.weights, stack.biases, fns,
                                                          X_test), y_test) if has_test else None
    for r, h in enumerate(histories):
        h.snapshots.append(Snapshot(0, *starts[r]))
        h.initial_loss = float(initial[r])
        if has_test:
            h.initial_test_loss = float(initial_test[r])
    alive = np.ones(R, dtype=bool)
    frozen = {}  # run -> its last finite (weights, biases), once it diverged
    previous = [w.copy() for w in stack.weights]
    previous_b = [b.copy() for b in stack.biases]
    rng = np.random.default_rng([seed, 0])  # train()'s minibatch order for a fresh History
    # Each epoch's measurements of every run, one row per epoch (handed to the Histories at
    # the end); a run that diverged keeps its rows up to the epoch before.
    rows = _Rows(epochs, R, len(sizes) - 1, classify, has_test)
    train_accuracy = Accuracy(y) if classify else None
    test_accuracy = Accuracy(y_test) if classify and has_test else None
    recorded = np.zeros(R, dtype=int)

    with np.errstate(all="ignore"):  # divergence is detected and reported per run below
        for epoch in range(1, epochs + 1):
            for xb, yb in minibatches(X, y, batch, rng):  # the batches train() would see
                trace = passes.forward(stack.weights, stack.biases, fns, xb, derivatives=True)
                if flat:
                    passes.backward(stack.weights, fns, trace, yb, loss, net.use_bias, False,
                                    stack.grads)
                    opt._update(values, grad, state)
                    continue
                grads = passes.backward(stack.weights, fns, trace, yb, loss, net.use_bias,
                                        with_loss=False)
                if reg:
                    grads.weights = [g + regularization_gradient(w, reg, reg_rate)
                                     for g, w in zip(grads.weights, stack.weights)]
                opt.step(stack, grads)

            trace = passes.forward(stack.weights, stack.biases, fns, X, derivatives=True)
            full = passes.backward(stack.weights, fns, trace, y, loss, net.use_bias)
            finite = np.isfinite(full.loss)
            for w in stack.weights:
                finite &= np.all(np.isfinite(w), axis=(1, 2))
            for r in np.flatnonzero(alive & ~finite):
                alive[r] = False
                histories[r].diverge(epoch, rates[r])
                frozen[r] = ([w[r].copy() for w in previous],
                             [b[r, 0].copy() for b in previous_b])
            if not alive.any():
                break
            recorded[alive] = epoch
            row = epoch - 1
            rows.loss[row] = full.loss
            for l, g in enumerate(full.weights):
                rows.norms[row, :, l] = np.sqrt(np.sum(g * g, axis=(1, 2)))
            rows.change[row] = np.maximum.reduce([np.max(np.abs(w - p), axis=(1, 2))
                                                  for w, p in zip(stack.weights, previous)])
            if classify:
                rows.accuracy[row] = train_accuracy(trace.output)
            if has_test:
                test_trace = passes.forward(stack.weights, stack.biases, fns, X_test)
                rows.test_loss[row] = _losses(out_name, loss, test_trace, y_test)
                if classify:
                    rows.test_accuracy[row] = test_accuracy(test_trace.output)
            for keep, now in zip(previous + previous_b, stack.weights + stack.biases):
                np.copyto(keep, now)

    for r, h in enumerate(histories):
        rows.hand_over(h, r, recorded[r])
    runs = []
    for r, name in enumerate(names):
        if r in frozen:
            weights, biases = frozen[r]
        else:
            weights = [w[r].copy() for w in stack.weights]
            biases = [b[r, 0].copy() for b in stack.biases]
        h = histories[r]
        if h.last_epoch > 0:
            h.snapshots.append(Snapshot(h.last_epoch, weights, biases))
        runs.append(ActivationRun(name, rates[r], h, list(sizes),
                                  [name] * (len(sizes) - 2) + [out_name], net.use_bias,
                                  weights, biases))
    in_order = [None] * R
    for stacked, r in enumerate(stacked_order):
        in_order[r] = runs[stacked]
    return in_order


# One batched step of R runs costs what about R / 2 steps of train() cost (bench/activations.py
# measures the ratio; it is ~2-3 for the nine activations), so a study counts as R / 2 runs
# against the training caps.
BATCHED_SPEEDUP = 2


def study_epoch_cap(n_train: int, batch_size: int, n_params: int, runs: int) -> int:
    """Return the most epochs one study of `runs` activations may train (nn_core.config caps)."""
    from .config import max_epochs

    return max_epochs(n_train, batch_size, n_params, runs=max(1, -(-runs // BATCHED_SPEEDUP)))


# ---------- reading the runs

def dead_units(net: Network, X) -> list:
    """Return, per hidden layer, a boolean array: True where z <= 0 for every row of X.

    Such a unit is never active on this data. For ReLU its output and its gradient are then
    0 on every row, so gradient descent can never revive it; leaky ReLU and ELU still pass a
    small gradient there.
    """
    trace = net.forward(X)
    return [np.all(z <= 0, axis=0) for z in trace.pre_activations[:-1]]


def zero_gradient_units(net: Network, X) -> list:
    """Return, per hidden layer, True where f'(z) == 0 exactly on every row of X (stuck units)."""
    trace = net.forward(X)
    return [np.all(get_activation(name).derivative(z) == 0, axis=0)
            for name, z in zip(net.activations[:-1], trace.pre_activations[:-1])]


def dead_share(run: ActivationRun, X) -> tuple[int, int]:
    """Return (dead hidden units, all hidden units) of a run's trained network on X."""
    dead = dead_units(run.network(), X)
    return int(sum(d.sum() for d in dead)), int(sum(d.size for d in dead))


def epochs_to_target(history: History, target: float):
    """Return the first epoch whose train loss is <= target (0 if it started there), or None."""
    if history.initial_loss is not None and history.initial_loss <= target:
        return 0
    hits = np.flatnonzero(history.loss <= target)
    return int(history.epochs[hits[0]]) if hits.size else None


def default_target(runs) -> float:
    """Return a loss target for a study: the median final train loss (2 digits), so that
    about half the runs reach it and the race between them is visible."""
    finals = [r.history.loss[-1] for r in runs if r.history.loss.size]
    return float(f"{float(np.median(finals)):.2g}") if finals else 0.0


def layer_gradient_ratio(history: History) -> float:
    """Return median |dL/dW| of the last layer divided by the first's (vanishing if >> 1)."""
    norms = history.grad_norms
    if not norms.size:
        return float("nan")
    first, last = np.median(norms[:, 0]), np.median(norms[:, -1])
    return float(last / first) if first > 0 else float("inf")


def activation_cost(name: str, n: int = 100_000, repeats: int = 5) -> tuple[float, float]:
    """Return the measured seconds of one f(z) and one f'(z) call on n values (best of repeats)."""
    act = get_activation(name)
    z = np.random.default_rng(0).normal(0.0, 3.0, n)
    best_f = best_d = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        a = act.fn(z)
        best_f = min(best_f, time.perf_counter() - t)
        t = time.perf_counter()
        act._derivative(z, a)
        best_d = min(best_d, time.perf_counter() - t)
    return best_f, best_d


# Piecewise functions whose "active" means z > 0: the ones whose units can die.
RELU_LIKE = ("relu", "leaky_relu", "elu")
