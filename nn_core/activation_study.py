"""The same network trained with each activation function, from the same initial weights.

`train_activations` trains R copies of one network that differ only in their hidden layers'
activation (and, if asked, learning rate). It trains them together as one stack
(nn_core.stacked: the R networks' weights as (R, n_in, n_out) arrays through the engine's one
forward and backward pass, nn_core.passes), so one batched matmul steps every run at once and
only the activation itself differs run by run (nn_core.fused_activations, family by family).
The arithmetic is
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
from .optimizers import make_optimizer
from .stacked import SharedData, Stack, train_stack
from .training import History, Snapshot, minibatch_size


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
    make_optimizer(optimizer, max(rates))  # an unknown name or a bad rate: ValueError now
    stack = Stack(starts)
    n = X.shape[0]
    batch = minibatch_size(batch_size, n)

    histories = [History(loss_name=loss, lr=rates[r]) for r in range(R)]
    initial = _losses(out_name, loss, passes.forward(stack.weights, stack.biases, fns, X), y)
    initial_test = _losses(out_name, loss, passes.forward(stack.weights, stack.biases, fns,
                                                          X_test), y_test) if has_test else None
    for r, h in enumerate(histories):
        h.snapshots.append(Snapshot(0, *starts[r]))
        h.initial_loss = float(initial[r])
        if has_test:
            h.initial_test_loss = float(initial_test[r])
    # Every run sees train()'s minibatches for `seed`, in the same order.
    data = SharedData(X, y, X_test if has_test else None, y_test if has_test else None,
                      batch, seed)
    record = train_stack(stack, fns, data, histories, loss=loss, use_bias=net.use_bias,
                         epochs=epochs, optimizer=optimizer, reg=reg, reg_rate=reg_rate)
    runs = []
    for r, name in enumerate(names):
        weights, biases = record.final(r)
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
