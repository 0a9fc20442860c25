"""How train() records its epochs: into preallocated blocks, measured a block at a time.

Per epoch, train() keeps only what must be taken at the epoch's end (the parameter vector,
the full-batch weight gradient, the train output, the losses); `EpochBlock.flush` turns a
block of such rows into History entries with a few NumPy calls for the whole block: the
largest weight change, the gradient norms, the accuracies, the snapshots and the first epoch
that diverged. With an on_epoch callback or a should_stop poll the block is one epoch long,
so that both see each epoch recorded before the next one trains.
"""

from __future__ import annotations

import math

import numpy as np

from .history import Snapshot
from .passes import loss_value

# Rows per block: ~50 KB of parameters for the largest net, a few per NumPy call saved.
BLOCK_EPOCHS = 64
# A block's train outputs stay below this many bytes (larger data sets: shorter blocks).
BLOCK_BYTES = 4 << 20


def norms(grad_weights) -> list:
    """Return the L2 norm of each layer's dL/dW."""
    return [float(np.sqrt(np.add.reduce(g * g, axis=None))) for g in grad_weights]


class Accuracy:
    """accuracy(output, y) with y's labels worked out once for the whole training; of a
    stack's output (R, n, k) or a block of them, one accuracy per run (y: the shared (n, k)
    targets, or each run's own (R, n, k))."""

    def __init__(self, y):
        self.several = y.shape[-1] > 1
        self.labels = np.argmax(y, axis=-1) if self.several else y >= 0.5
        self.n = y.shape[-2]

    def __call__(self, output):
        right = (np.argmax(output, axis=-1) if self.several else output >= 0.5) == self.labels
        if output.ndim >= 3:
            # The count per run as one C reduction (count_nonzero with an axis is Python).
            runs = output.shape[:-2]
            return np.add.reduce(right.reshape(*runs, -1), -1, np.intp) / self.n
        return np.count_nonzero(right) / self.n


class ParamRecord:
    """The parameters' layout in one vector, and the snapshots: rows of one preallocated
    block (a snapshot is a view of its row, and a row is never written again)."""

    def __init__(self, net, flat, n_snapshots: int):
        self.net, self.flat = net, flat
        self.k = len(net.weights)
        self.layout, start = [], 0
        for p in net.weights + net.biases:
            self.layout.append((start, start + p.size, p.shape))
            start += p.size
        self.size = start
        self.n_weights = sum(w.size for w in net.weights)
        self.weight_starts = np.array([lo for lo, _, _ in self.layout[:self.k]])
        self.block = np.empty((n_snapshots, self.size))
        self.used = 0

    def vector(self) -> np.ndarray:
        """The current parameters (the flat buffer itself while train() holds one)."""
        if self.flat is not None:
            return self.flat.values
        return np.concatenate([p.ravel() for p in self.net.weights + self.net.biases])

    def restore(self, vector):
        if self.flat is not None:
            np.copyto(self.flat.values, vector)
        else:
            self.net.set_params(*self.split(vector))

    def split(self, vector):
        """Return (weights, biases): views of `vector` in the parameters' shapes."""
        views = [vector[lo:hi].reshape(shape) for lo, hi, shape in self.layout]
        return views[:self.k], views[self.k:]

    def snapshots(self, epochs, rows) -> list:
        """Snapshots of the parameter vectors `rows` (one per epoch), copied into the block."""
        snaps, i = [], 0
        layout = (self.layout, self.k)
        while i < len(epochs):
            if self.used == len(self.block):  # a stop or divergence can add one more
                self.block = np.empty_like(self.block)
                self.used = 0
            m = min(len(epochs) - i, len(self.block) - self.used)
            into = self.block[self.used:self.used + m]
            np.copyto(into, rows[i:i + m])
            self.used += m
            snaps += [Snapshot.of_row(e, row, layout) for e, row in zip(epochs[i:i + m], into)]
            i += m
        return snaps


class EpochBlock:
    """Rows of the epochs trained since the last flush, and the previous epoch's parameters
    (row 0 of `params`) for the first one's weight change and for restoring it.

    The losses are measured at the flush from each epoch's output layer (z and a), as one
    stack: passes.loss_value gives each run of a stack the very number it gives alone.
    """

    def __init__(self, record: ParamRecord, rows, out_name, loss, y, y_test=None):
        self.record, self.out_name, self.loss, self.y, self.y_test = (
            record, out_name, loss, y, y_test)
        n_rows = len(y) + (len(y_test) if y_test is not None else 0)
        # Fewer epochs a block where the outputs would take too much memory.
        self.rows = rows = max(1, min(rows, BLOCK_BYTES // (16 * y.shape[1] * n_rows)))
        self.params = np.empty((rows + 1, record.size))
        self.params[0] = record.vector()
        # Flat gradients are measured as one reduceat per block (each row's sums as the 1-D
        # reduceat's); other gradients' norms as they come (norms(): their own reduction).
        self.grads = np.empty((rows, record.n_weights))
        self.norm_rows = []
        self.z, self.out = np.empty((2, rows, *y.shape))
        self.test_z, self.test_out = (np.empty((2, rows, *y_test.shape)) if y_test is not None
                                      else (None, None))
        self.epochs = []

    def add(self, epoch, params, grads, z, output, test_z=None, test_output=None):
        """Keep one epoch's rows (grads: the flat weight gradient, or the per-layer list)."""
        i = len(self.epochs)
        self.epochs.append(epoch)
        self.params[i + 1] = params
        if isinstance(grads, np.ndarray):
            self.grads[i] = grads
        else:  # per-layer arrays (a callback released the flat buffer: blocks of one epoch)
            self.norm_rows.append(norms(grads))
        self.z[i], self.out[i] = z, output
        if test_z is not None:
            self.test_z[i], self.test_out[i] = test_z, test_output
        return i + 1 == self.rows

    def flush(self, history, train_accuracy, test_accuracy, snapshot_at, lr) -> bool:
        """Record the block's epochs in `history` up to the first that diverged; snapshots
        of the epochs `snapshot_at(epoch)` picks. Return whether one diverged (then the last
        finite parameters are back in the net, and the history says why)."""
        m = len(self.epochs)
        if m == 0:
            return False
        rec, P = self.record, self.params[:m + 1]
        losses = loss_value(self.out_name, self.loss, self.z[:m], self.out[:m], self.y)
        # Max |change| of the weights and of the biases per epoch, NaN or inf as soon as a
        # parameter is; where only a bias change overflows (finite parameters near 1e308)
        # the parameters' own finiteness decides. Checked in Python: a few floats an epoch.
        change = np.maximum.reduceat(np.abs(P[1:] - P[:-1]), [0, rec.n_weights], axis=1)
        weights = change[:, 0].tolist()
        good = m
        for i, ((w, b), loss) in enumerate(zip(change.tolist(), losses.tolist())):
            if not (math.isfinite(w) and math.isfinite(loss)
                    and (math.isfinite(b) or np.isfinite(P[i + 1]).all())):
                good = i
                break
        if good:
            if not self.norm_rows:
                g = self.grads[:good]
                grad_norms = np.sqrt(np.add.reduceat(g * g, rec.weight_starts, axis=1))
            else:
                grad_norms = self.norm_rows[:good]
            has_test = self.y_test is not None
            history.extend(
                self.epochs[:good], losses[:good], grad_norms, weights[:good],
                train_accuracy(self.out[:good]) if train_accuracy else None,
                loss_value(self.out_name, self.loss, self.test_z[:good], self.test_out[:good],
                           self.y_test) if has_test else None,
                test_accuracy(self.test_out[:good]) if test_accuracy else None)
            picked = [i for i in range(good) if snapshot_at(self.epochs[i])]
            history.snapshots += rec.snapshots([self.epochs[i] for i in picked], P[1:][picked])
        if good < m:
            epoch = self.epochs[good]
            rec.restore(P[good])
            history.diverge(epoch, lr)
            if history.snapshots[-1].epoch != epoch - 1:
                history.snapshots += rec.snapshots([epoch - 1], P[good:good + 1])
            return True
        self.params[0] = P[m]
        self.epochs, self.norm_rows = [], []
        return False
