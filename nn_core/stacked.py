"""R networks of one shape trained side by side, each run with the arithmetic train() gives it.

`Stack` holds the runs' weights as (R, n_in, n_out) arrays and biases as (R, 1, n_out), views
of one flat buffer (and their gradients of another), so that one call of the engine's forward
and backward pass (nn_core.passes) and one optimizer update step every run at once.
`train_stack` is the epoch loop of such a stack, and `StackRecord` records each run's epochs
in blocks as train() records one network's (nn_core.recording): the same numbers, run by run,
up to each run's own divergence. Two trainers use them: the activation study (runs that
differ in their hidden activation, on one data set in one minibatch order: `SharedData`) and
the classroom's stacked trainings (nn_core.stacked_training: each run its own data set and
minibatch order, `OwnData`).
"""

from __future__ import annotations

import numpy as np

from . import passes
from .optimizers import make_optimizer, regularization_gradient
from .recording import BLOCK_BYTES, BLOCK_EPOCHS, Accuracy, ParamRecord
from .training import flat_views, is_classification, minibatches


class Stack:
    """R networks of one architecture as stacked views of one flat parameter buffer.

    `starts`: one (weights, biases) per run. The buffer is layer-major (every run's first
    weight matrix, then every run's second, ..., then the biases), so `weights[l]` is a
    contiguous (R, n_in, n_out) array; `grads` are the same views of the gradient buffer.
    """

    def __init__(self, starts):
        k = len(starts[0][0])
        params = ([np.stack([w[l] for w, _ in starts]) for l in range(k)]
                  + [np.stack([b[l] for _, b in starts])[:, None] for l in range(k)])
        self.values = np.concatenate([p.ravel() for p in params])
        self.grad = np.zeros_like(self.values)
        self.params = flat_views(self.values, params)
        self.weights, self.biases = self.params[:k], self.params[k:]
        grads = flat_views(self.grad, params)
        self.grads = grads[:k], grads[k:]


class SharedData:
    """One data set and one minibatch order (train()'s for `seed`) shared by every run."""

    def __init__(self, X, Y, X_test, Y_test, batch: int, seed: int):
        self.X, self.Y, self.X_test, self.Y_test = X, Y, X_test, Y_test
        self.n, self.batch = X.shape[0], batch
        self.rng = np.random.default_rng([seed, 0])  # train()'s order for a fresh History

    def batches(self):
        return minibatches(self.X, self.Y, self.batch, self.rng)


class OwnData:
    """Each run its own data set of one size (stacked copies: the originals are never
    written) and its own minibatch order, train()'s for its seed."""

    def __init__(self, Xs, Ys, X_tests, Y_tests, batch: int, seeds):
        self.X, self.Y = np.stack(Xs), np.stack(Ys)
        self.X_test = np.stack(X_tests) if X_tests is not None else None
        self.Y_test = np.stack(Y_tests) if Y_tests is not None else None
        R, self.n = self.Y.shape[:2]
        self.batch = batch
        self.rows = self.X.reshape(R * self.n, -1), self.Y.reshape(R * self.n, -1)
        self.offsets = (np.arange(R) * self.n)[:, None]
        self.rngs = [np.random.default_rng([seed, 0]) for seed in seeds]

    def batches(self):
        X, Y, n, batch = self.X, self.Y, self.n, self.batch
        if batch < n:
            # Each run's rows in its own order for this epoch, gathered in one call each.
            order = np.concatenate([rng.permutation(n) for rng in self.rngs])
            order = order.reshape(len(self.rngs), n)
            order += self.offsets
            X, Y = self.rows[0][order], self.rows[1][order]
        return ((X[:, lo:lo + batch], Y[:, lo:lo + batch]) for lo in range(0, n, batch))


def train_stack(stack: Stack, fns, data, histories, *, loss: str, use_bias: bool,
                epochs: int, optimizer: str = "sgd", reg=None, reg_rate: float = 0.0,
                nets=None, on_progress=None) -> StackRecord:
    """Train every run of `stack` `epochs` epochs and record them into `histories` (fresh,
    each with its learning rate in .lr); return the record, which knows each run's final
    (or last finite) parameters.

    fns: one activation per layer, applied to the stack; reg: "l1" / "l2" or None; nets: one
    network per run to record a snapshot of every epoch as train() does (None: none).
    """
    rates = [h.lr for h in histories]
    opt = make_optimizer(optimizer, rates[0])
    if len(set(rates)) > 1:
        # Each parameter's own rate: lr * g element by element, as with one scalar rate.
        opt.lr = np.concatenate([np.repeat(rates, p[0].size) for p in stack.params])
    state = opt._flat_state(stack.params, lambda buffer: flat_views(buffer, stack.params))
    values, grad = [stack.values], [stack.grad]
    W, B = stack.weights, stack.biases

    def gradients(X, Y):
        trace = passes.forward(W, B, fns, X, True)
        passes.backward(W, fns, trace, Y, loss, use_bias, False, stack.grads)
        return trace

    def step():
        if reg:  # g + dpenalty/dW, as train() adds it, in place
            for g, w in zip(stack.grads[0], W):
                g += regularization_gradient(w, reg, reg_rate)
        opt._update(values, grad, state)

    record = StackRecord(stack, data, histories, loss, fns[-1].name, epochs, nets)
    with np.errstate(all="ignore"):  # divergence is detected and reported per run
        for epoch in range(1, epochs + 1):
            if data.batch == data.n and epoch > 1:
                step()  # full batch: the gradient measured at the last epoch's end
            else:
                for xb, yb in data.batches():
                    gradients(xb, yb)
                    step()
            trace = gradients(data.X, data.Y)
            test = passes.forward(W, B, fns, data.X_test) if data.X_test is not None else None
            if record.add(epoch, trace, test) or epoch == epochs:
                if not record.flush():
                    break  # every run diverged
                if on_progress is not None:
                    on_progress(epoch)
    return record


class StackRecord:
    """Rows of the epochs since the last flush, of every run; `flush` records them in each
    run's History as train()'s EpochBlock does for one network (the same measurements, the
    same divergence rule), and stops recording a run at its first diverged epoch."""

    def __init__(self, stack, data, histories, loss, out_name, epochs, nets=None):
        self.stack, self.data, self.histories = stack, data, histories
        self.loss, self.out_name = loss, out_name
        R, k = len(histories), len(stack.weights)
        n_out = data.Y.shape[-1]
        n_rows = data.n + (data.Y_test.shape[-2] if data.X_test is not None else 0)
        self.rows = rows = max(1, min(BLOCK_EPOCHS, epochs,
                                      BLOCK_BYTES // (16 * n_out * n_rows * R)))
        # Where each layer-major stacked array lies in the flat buffer, and each run's own
        # parameter vector in train()'s order (its weights, then its biases).
        self.spans, self.layout, start, own = [], [], 0, 0
        for i, p in enumerate(stack.params):
            size = p[0].size
            self.spans.append((start, start + p.size, size))
            self.layout.append((own, own + size, p.shape[1:] if i < k else p.shape[2:]))
            start, own = start + p.size, own + size
        self.n_weights = sum(w[0].size for w in stack.weights)
        self.params = np.empty((rows + 1, stack.values.size))
        self.params[0] = stack.values
        self.grads = np.empty((rows, self.spans[k][0]))
        y_shape = (R, *data.Y.shape[-2:])
        self.z, self.out = np.empty((2, rows, *y_shape))
        if data.X_test is not None:
            self.test_z, self.test_out = np.empty((2, rows, R, *data.Y_test.shape[-2:]))
        classify = is_classification(data.Y)
        self.accuracy = Accuracy(data.Y) if classify else None
        self.test_accuracy = (Accuracy(data.Y_test) if classify and data.X_test is not None
                              else None)
        self.records = ([ParamRecord(net, None, epochs + 2) for net in nets]
                        if nets is not None else None)
        self.weight_starts = np.cumsum([0] + [w[0].size for w in stack.weights[:-1]])
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
        m, R = len(block), len(self.histories)
        return np.concatenate([block[:, lo:hi].reshape(m, R, size) for lo, hi, size in spans],
                              axis=2)

    def flush(self) -> bool:
        """Record the block in every live run's History; return whether any run is alive."""
        m, R, k = len(self.epochs), len(self.histories), len(self.stack.weights)
        if m == 0:
            return bool(self.alive.any())
        P = self._by_run(self.params[:m + 1], self.spans)
        losses = passes.loss_value(self.out_name, self.loss, self.z[:m], self.out[:m],
                                   self.data.Y)
        change = np.maximum.reduceat(np.abs(P[1:] - P[:-1]), [0, self.n_weights], axis=2)
        # train()'s rule: the weights' largest change and the loss finite, and the biases'
        # change finite or else the parameters themselves.
        finite = (np.isfinite(change[:, :, 0]) & np.isfinite(losses)
                  & (np.isfinite(change[:, :, 1]) | np.isfinite(P[1:]).all(axis=2)))
        g = self._by_run(self.grads[:m], self.spans[:k]).reshape(m * R, -1)
        norms = np.sqrt(np.add.reduceat(g * g, self.weight_starts, axis=1)).reshape(m, R, k)
        accuracy = self.accuracy(self.out[:m]) if self.accuracy else None
        test_loss = test_accuracy = None
        if self.data.X_test is not None:
            test_loss = passes.loss_value(self.out_name, self.loss, self.test_z[:m],
                                          self.test_out[:m], self.data.Y_test)
            if self.test_accuracy:
                test_accuracy = self.test_accuracy(self.test_out[:m])
        for r in np.flatnonzero(self.alive):
            h = self.histories[r]
            bad = np.flatnonzero(~finite[:, r])
            good = int(bad[0]) if bad.size else m
            if good:
                h.extend(self.epochs[:good], losses[:good, r], norms[:good, r],
                         change[:good, r, 0], *(None if a is None else a[:good, r]
                                                for a in (accuracy, test_loss, test_accuracy)))
                if self.records is not None:
                    h.snapshots += self.records[r].snapshots(self.epochs[:good],
                                                             P[1:good + 1, r])
            if good < m:
                epoch = self.epochs[good]
                self.alive[r] = False
                self.last[r] = P[good, r].copy()
                h.diverge(epoch, h.lr)
                if self.records is not None and h.snapshots[-1].epoch != epoch - 1:
                    h.snapshots += self.records[r].snapshots([epoch - 1], P[good:good + 1, r])
        self.params[0] = self.params[m]
        self.epochs = []
        return bool(self.alive.any())

    def final(self, r):
        """Run r's (weights, biases), copies: its last finite ones if it diverged."""
        k = len(self.stack.weights)
        if self.last[r] is not None:
            views = [self.last[r][lo:hi].reshape(shape) for lo, hi, shape in self.layout]
            return [v.copy() for v in views[:k]], [v.copy() for v in views[k:]]
        return ([w[r].copy() for w in self.stack.weights],
                [b[r, 0].copy() for b in self.stack.biases])
