"""Several students' experiments trained together, each exactly as `Experiment.train` would.

A class trains many small networks of one shape at once (their seeds, learning rates and
data differ). One network's minibatch step is a few dozen NumPy calls on tiny arrays, so its
cost is NumPy's fixed overhead per call; R networks stacked into (R, n_in, n_out) arrays
take one call where R solo trainings take R. `train_together` trains such a group stacked
and hands each experiment the History, network and optimizer its own `train(epochs)` would
have given it, bit for bit; `stack_key` says which experiments may form a group.
"""

from __future__ import annotations

from typing import NamedTuple

from .comparison import thin_snapshots
from .experiment import MAX_SNAPSHOTS
from .network import as_batch, as_targets
from .stacked import OwnData, Stack, train_stack
from .training import History, Snapshot, is_classification, minibatch_size

# Fewer experiments than this train one after another (bench/stacked_training.py measures
# where stacking starts to pay).
MIN_STACK = 2
# A stack records every run's snapshot of every epoch at once (train() keeps one run's): a
# group whose snapshots would take more is trained in several stacks, one after another.
MAX_RECORD_BYTES = 128 << 20


class StackKey(NamedTuple):
    """What the experiments of one stacked group share (train() runs alike on all of them)."""

    optimizer: str
    epochs: int
    layer_sizes: tuple
    activations: tuple
    use_bias: bool
    loss: str
    n_train: int
    n_test: int  # 0: no test set
    batch: int  # the minibatch size train() uses (n_train: full batch)
    classify: bool  # whether train() records accuracies


def stack_key(exp, epochs: int) -> StackKey | None:
    """Return what experiments must share to be trained together for `epochs` epochs, or None
    when `exp` cannot be (another optimizer than SGD, whose state Continue keeps;
    regularization; no epochs).

    Seeds, learning rates and the data's values may differ; the network's shape and
    activations, the loss, the number of train and test rows and the minibatch size may not.
    """
    c = exp.config
    if epochs < 1 or c.optimizer != "sgd":
        return None
    if c.regularization not in (None, "none") and c.reg_rate > 0:
        return None
    X, y = exp.X_train, exp.y_train
    n_test = len(exp.X_test) if exp.X_test is not None and exp.y_test is not None else 0
    sizes = c.layer_sizes(X.shape[1], y.shape[1])
    return StackKey("sgd", int(epochs), tuple(sizes), tuple(c.activation_names()),
                    bool(c.use_bias), c.loss, len(X), n_test,
                    minibatch_size(c.batch_size, len(X)), is_classification(y))


def train_together(exps, epochs: int, on_progress=None) -> list[History]:
    """Train each experiment of `exps` as `exp.train(epochs)` does; return their Histories.

    The experiments must share one non-None `stack_key` (else ValueError). Only attributes of
    the experiments are rebound (net, history, version, the optimizer); no array they share
    with others (data, initial weights, config) is written. on_progress(epoch) is called
    after each block of epochs recorded (cheap: a progress bar's pace).
    """
    exps = list(exps)
    keys = {stack_key(exp, epochs) for exp in exps}
    if None in keys:
        raise ValueError("an experiment here cannot be trained stacked (stack_key is None)")
    if len(keys) > 1:
        raise ValueError("these experiments cannot be trained together: their stack keys differ")
    if not exps:
        return []
    key = keys.pop()
    sizes = key.layer_sizes
    per_run = 8 * (epochs + 2) * sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
    most = max(MIN_STACK, MAX_RECORD_BYTES // per_run)
    stacks = [exps[i:i + most] for i in range(0, len(exps), most)]
    for i, stack in enumerate(stacks):
        # Several stacks: the progress of the whole group, in epochs (never going back).
        progress = None if on_progress is None else (
            lambda epoch, *_, i=i: on_progress((i * epochs + epoch) // len(stacks)))
        if len(stack) < MIN_STACK:
            stack[0].train(epochs, on_progress=progress)
        else:
            _train_stacked(stack, key, progress)
            for exp in stack:
                thin_snapshots(exp.history, MAX_SNAPSHOTS)
    return [exp.history for exp in exps]


def _start(exp, X, y, X_test, y_test):
    """What train() records before its first epoch (one network: a few calls per run)."""
    net = exp.net
    h = exp.history = History(loss_name=exp.loss)
    h.lr = exp.optimizer().lr  # also leaves exp's optimizer as train() leaves it
    h.snapshots.append(Snapshot(0, *net.get_params()))
    h.initial_loss = net._loss_value(net._forward(X), y, exp.loss)
    if X_test is not None:
        h.initial_test_loss = net._loss_value(net._forward(X_test), y_test, exp.loss)
    return h


def _train_stacked(exps, key: StackKey, on_progress):
    for exp in exps:
        exp.reset_network()  # rebinds a fresh network: the initial one is never written
    n_in, n_out = key.layer_sizes[0], key.layer_sizes[-1]
    data = OwnData([as_batch(e.X_train, n_in) for e in exps],
                   [as_targets(e.y_train, key.n_train, n_out) for e in exps],
                   [as_batch(e.X_test, n_in, "X_test") for e in exps] if key.n_test else None,
                   [as_targets(e.y_test, key.n_test, n_out) for e in exps] if key.n_test
                   else None, key.batch, [e.config.seed for e in exps])
    histories = [_start(e, data.X[r], data.Y[r], *((data.X_test[r], data.Y_test[r])
                                                    if key.n_test else (None, None)))
                 for r, e in enumerate(exps)]
    nets = [e.net for e in exps]
    record = train_stack(Stack([(net.weights, net.biases) for net in nets]), nets[0]._acts,
                         data, histories, loss=key.loss, use_bias=key.use_bias,
                         epochs=key.epochs, nets=nets, on_progress=on_progress)
    for r, net in enumerate(nets):
        net.set_params(*record.final(r))
