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

import numpy as np

from . import passes
from .activation_study import _Stack
from .comparison import thin_snapshots
from .experiment import MAX_SNAPSHOTS
from .network import as_batch, as_targets
from .optimizers import SGD
from .recording import BLOCK_BYTES, BLOCK_EPOCHS, Accuracy, ParamRecord
from .training import History, Snapshot, is_classification

# Fewer experiments than this train one after another (bench/stacked_training.py measures
# where stacking starts to pay).
MIN_STACK = 2


def _effective_batch(batch_size, n: int) -> int:
    """The minibatch size train() uses: the whole set for 0, None or anything >= n."""
    return n if not batch_size or batch_size >= n else int(batch_size)


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
                    _effective_batch(c.batch_size, len(X)), is_classification(y))


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
    if len(exps) < MIN_STACK:
        for exp in exps:
            exp.train(epochs, on_progress=(lambda epoch, history: on_progress(epoch))
                      if on_progress and len(exps) == 1 else None)
    else:
        _train_stacked(exps, keys.pop(), on_progress)
        for exp in exps:
            thin_snapshots(exp.history, MAX_SNAPSHOTS)
    return [exp.history for exp in exps]


class _Group:
    """The experiments' data stacked (R, n, ...), copies: their datasets are never written."""

    def __init__(self, exps, net, key):
        n_in, n_out = net.layer_sizes[0], net.layer_sizes[-1]
        self.X = np.stack([as_batch(e.X_train, n_in) for e in exps])
        self.Y = np.stack([as_targets(e.y_train, len(e.X_train), n_out) for e in exps])
        self.has_test = key.n_test > 0
        if self.has_test:
            self.X_test = np.stack([as_batch(e.X_test, n_in, "X_test") for e in exps])
            self.Y_test = np.stack([as_targets(e.y_test, len(e.X_test), n_out) for e in exps])
        R, n = self.Y.shape[:2]
        self.rows = self.X.reshape(R * n, -1), self.Y.reshape(R * n, -1)
        self.offsets = (np.arange(R) * n)[:, None]
        # train()'s minibatch order, run by run: its generator for a fresh History.
        self.rngs = [np.random.default_rng([e.config.seed, 0]) for e in exps]

    def shuffled(self):
        """Each run's rows in its own order for this epoch, gathered in one call each."""
        R, n = self.Y.shape[:2]
        order = np.concatenate([rng.permutation(n) for rng in self.rngs]).reshape(R, n)
        order += self.offsets
        return self.rows[0][order], self.rows[1][order]


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
        exp.reset_network()
    net = exps[0].net
    loss, use_bias, fns = exps[0].loss, net.use_bias, net._acts
    data = _Group(exps, net, key)
    R, n = data.Y.shape[:2]
    histories = [_start(e, data.X[r], data.Y[r], *((data.X_test[r], data.Y_test[r])
                                                    if data.has_test else (None, None)))
                 for r, e in enumerate(exps)]
    k = net.n_layers
    stack = _Stack([np.stack([e.net.weights[l] for e in exps]) for l in range(k)],
                   [np.stack([e.net.biases[l] for e in exps])[:, None] for l in range(k)],
                   flat=True)
    rates = [h.lr for h in histories]
    opt = SGD(rates[0])
    if len(set(rates)) > 1:
        # Each parameter's own rate: lr * g element by element, as with one scalar rate.
        opt.lr = np.concatenate([np.repeat(rates, p[0].size) for p in stack.weights
                                 + stack.biases])
    params, grad = [stack.values], [stack.grad]
    epochs, batch = key.epochs, key.batch
    block = _Block(exps, stack, data, key)
    W, B = stack.weights, stack.biases
    with np.errstate(all="ignore"):  # divergence is detected and reported per run
        for epoch in range(1, epochs + 1):
            if batch == n:
                if epoch > 1:  # the full-batch gradient measured at the last epoch's end
                    opt._update(params, grad, [])
                else:
                    passes.backward(W, fns, passes.forward(W, B, fns, data.X, True), data.Y,
                                    loss, use_bias, False, stack.grads)
                    opt._update(params, grad, [])
            else:
                X, Y = data.shuffled()
                for lo in range(0, n, batch):
                    xb, yb = X[:, lo:lo + batch], Y[:, lo:lo + batch]
                    passes.backward(W, fns, passes.forward(W, B, fns, xb, True), yb, loss,
                                    use_bias, False, stack.grads)
                    opt._update(params, grad, [])
            trace = passes.forward(W, B, fns, data.X, True)
            passes.backward(W, fns, trace, data.Y, loss, use_bias, False, stack.grads)
            test = passes.forward(W, B, fns, data.X_test) if data.has_test else None
            if block.add(epoch, trace, test) or epoch == epochs:
                if not block.flush(histories):
                    break  # every run diverged
                if on_progress is not None:
                    on_progress(epoch)
    for r, exp in enumerate(exps):
        exp.net.set_params(*block.final(r))


class _Block:
    """Rows of the epochs since the last flush, of every run; the flush records them in each
    run's History as train()'s recording does (nn_core.recording.EpochBlock), so each run
    gets the very numbers, and stops recording a run at its first diverged epoch."""

    def __init__(self, exps, stack, data, key):
        self.stack, self.data, self.exps = stack, data, exps
        R, n, n_out = data.Y.shape
        n_rows = n + (data.Y_test.shape[1] if data.has_test else 0)
        self.rows = rows = max(1, min(BLOCK_EPOCHS, key.epochs,
                                      BLOCK_BYTES // (16 * n_out * n_rows * R)))
        # Each run's parameters in train()'s order (its weights, then its biases): where its
        # part of each layer-major stacked array lies in the stack's flat buffer.
        self.spans, start = [], 0
        for p in stack.weights + stack.biases:
            self.spans.append((start, start + p.size, p[0].size))
            start += p.size
        self.n_weights = sum(w[0].size for w in stack.weights)
        self.params = np.empty((rows + 1, stack.values.size))
        self.params[0] = stack.values
        self.grads = np.empty((rows, self.spans[len(stack.weights)][0]))
        self.z, self.out = np.empty((2, rows, *data.Y.shape))
        if data.has_test:
            self.test_z, self.test_out = np.empty((2, rows, *data.Y_test.shape))
        self.accuracy = Accuracy(data.Y) if key.classify else None
        self.test_accuracy = (Accuracy(data.Y_test) if self.accuracy and data.has_test
                              else None)
        self.records = [ParamRecord(e.net, None, key.epochs + 2) for e in exps]
        self.weight_starts = self.records[0].weight_starts
        self.alive = np.ones(R, dtype=bool)
        self.last = [None] * R  # a diverged run's last finite parameters (its own order)
        self.epochs = []

    def add(self, epoch, trace, test) -> bool:
        """Keep one epoch's rows; return whether the block is full."""
        i = len(self.epochs)
        self.epochs.append(epoch)
        self.params[i + 1] = self.stack.values
        self.grads[i] = self.stack.grad[:self.grads.shape[1]]
        self.z[i], self.out[i] = trace.pre_activations[-1], trace.output
        if test is not None:
            self.test_z[i], self.test_out[i] = test.pre_activations[-1], test.output
        return i + 1 == self.rows

    def _by_run(self, block, spans):
        """(rows, R, per run) from layer-major rows: each run's arrays in train()'s order."""
        m, R = len(block), len(self.exps)
        return np.concatenate([block[:, lo:hi].reshape(m, R, size) for lo, hi, size in spans],
                              axis=2)

    def flush(self, histories) -> bool:
        """Record the block in every live run's History; return whether any run is alive."""
        m = len(self.epochs)
        R = len(self.exps)
        k = len(self.stack.weights)
        P = self._by_run(self.params[:m + 1], self.spans)
        out_name, loss = self.exps[0].net.activations[-1], self.exps[0].loss
        losses = passes.loss_value(out_name, loss, self.z[:m], self.out[:m], self.data.Y)
        change = np.maximum.reduceat(np.abs(P[1:] - P[:-1]), [0, self.n_weights], axis=2)
        # train()'s rule: the weights' largest change and the loss finite, and the biases'
        # change finite or else the parameters themselves.
        finite = (np.isfinite(change[:, :, 0]) & np.isfinite(losses)
                  & (np.isfinite(change[:, :, 1]) | np.isfinite(P[1:]).all(axis=2)))
        g = self._by_run(self.grads[:m], self.spans[:k]).reshape(m * R, -1)
        norms = np.sqrt(np.add.reduceat(g * g, self.weight_starts, axis=1)).reshape(m, R, k)
        accuracy = self.accuracy(self.out[:m]) if self.accuracy else None
        test_loss = test_accuracy = None
        if self.data.has_test:
            test_loss = passes.loss_value(out_name, loss, self.test_z[:m], self.test_out[:m],
                                          self.data.Y_test)
            if self.test_accuracy:
                test_accuracy = self.test_accuracy(self.test_out[:m])
        for r in np.flatnonzero(self.alive):
            h = histories[r]
            bad = np.flatnonzero(~finite[:, r])
            good = int(bad[0]) if bad.size else m
            if good:
                h.extend(self.epochs[:good], losses[:good, r], norms[:good, r],
                         change[:good, r, 0], *(None if a is None else a[:good, r]
                                                for a in (accuracy, test_loss, test_accuracy)))
                h.snapshots += self.records[r].snapshots(self.epochs[:good], P[1:good + 1, r])
            if good < m:
                epoch = self.epochs[good]
                self.alive[r] = False
                self.last[r] = P[good, r].copy()
                h.diverge(epoch, h.lr)
                if h.snapshots[-1].epoch != epoch - 1:
                    h.snapshots += self.records[r].snapshots([epoch - 1], P[good:good + 1, r])
        self.params[0] = self.params[m]
        self.epochs = []
        return bool(self.alive.any())

    def final(self, r):
        """Run r's (weights, biases): its last finite ones if it diverged."""
        if self.last[r] is not None:
            return self.records[r].split(self.last[r])
        return ([w[r] for w in self.stack.weights], [b[r, 0] for b in self.stack.biases])
