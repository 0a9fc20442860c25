"""What training records: a History of every epoch and Snapshots of the parameters.

One recorder for every trainer: train() writes each epoch through `History.record`, the
activation study its runs' epochs in blocks through `History.extend`, and both a divergence
through `History.diverge`. (Moved here from
nn_core.training, which re-exports History and Snapshot.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


class Snapshot:
    """The parameters after `epoch` epochs (epoch 0: the initial weights).

    train() records one per epoch as a row of one preallocated block; the row becomes lists
    of arrays (`weights`, `biases`, views of it) only when someone reads them.
    """

    __slots__ = ("epoch", "_weights", "_biases", "_row", "_layout")

    def __init__(self, epoch: int, weights: list | None = None, biases: list | None = None):
        self.epoch, self._weights, self._biases = epoch, weights, biases
        self._row = self._layout = None

    @classmethod
    def of_row(cls, epoch: int, row, layout) -> Snapshot:
        """A snapshot of a parameter vector; layout: ([(start, stop, shape)], n weight arrays)."""
        snap = cls(epoch)
        snap._row, snap._layout = row, layout
        return snap

    def _split(self):
        spans, k = self._layout
        views = [self._row[lo:hi].reshape(shape) for lo, hi, shape in spans]
        self._weights, self._biases, self._row = views[:k], views[k:], None

    @property
    def weights(self) -> list:
        if self._weights is None:
            self._split()
        return self._weights

    @weights.setter
    def weights(self, value):
        self._weights = value

    @property
    def biases(self) -> list:
        if self._biases is None:
            self._split()
        return self._biases

    @biases.setter
    def biases(self, value):
        self._biases = value

    def __getstate__(self):
        return self.epoch, self.weights, self.biases

    def __setstate__(self, state):
        self.epoch, self._weights, self._biases = state
        self._row = self._layout = None

    def __eq__(self, other):
        return (isinstance(other, Snapshot) and self.epoch == other.epoch
                and all(np.array_equal(a, b) for a, b in zip(
                    self.weights + self.biases, other.weights + other.biases)))

    def __repr__(self):
        return f"Snapshot(epoch={self.epoch})"


@dataclass
class History:
    """What train() recorded, one entry per epoch trained (lists grow as training goes)."""

    loss_name: str = "sse"
    epoch_list: list = field(default_factory=list)
    loss_list: list = field(default_factory=list)
    test_loss_list: list = field(default_factory=list)
    accuracy_list: list = field(default_factory=list)
    test_accuracy_list: list = field(default_factory=list)
    grad_norm_list: list = field(default_factory=list)
    weight_change_list: list = field(default_factory=list)
    snapshots: list = field(default_factory=list)
    initial_loss: float | None = None
    initial_test_loss: float | None = None
    diverged: bool = False
    stop_epoch: int | None = None
    stop_reason: str | None = None
    lr: float | None = None

    @property
    def epochs(self):
        return np.asarray(self.epoch_list, dtype=int)

    @property
    def loss(self):
        return np.asarray(self.loss_list, dtype=float)

    @property
    def test_loss(self):
        return np.asarray(self.test_loss_list, dtype=float) if self.test_loss_list else None

    @property
    def accuracy(self):
        return np.asarray(self.accuracy_list, dtype=float) if self.accuracy_list else None

    @property
    def test_accuracy(self):
        return (np.asarray(self.test_accuracy_list, dtype=float)
                if self.test_accuracy_list else None)

    @property
    def grad_norms(self):
        """Return (epochs, layers): L2 norm of each layer's full-batch dL/dW after the epoch."""
        return np.asarray(self.grad_norm_list, dtype=float)

    @property
    def max_weight_change(self):
        return np.asarray(self.weight_change_list, dtype=float)

    @property
    def last_epoch(self) -> int:
        return self.epoch_list[-1] if self.epoch_list else 0

    def overshoot_epoch(self) -> int | None:
        """Return the first epoch whose loss jumped up (steps overshooting), else None.

        A sigmoid network never reaches NaN however large the learning rate, so a rise of
        the loss by more than 20% in one epoch (and by 1% of the starting loss) is the sign.
        """
        if self.initial_loss is None or not self.loss_list:
            return None
        losses = self.loss
        before = np.concatenate([[self.initial_loss], losses[:-1]])
        jumps = np.flatnonzero((losses > 1.2 * before) & (losses - before > 0.01 * self.initial_loss))
        return int(self.epoch_list[jumps[0]]) if jumps.size else None

    def overshoot(self) -> str | None:
        """Return a warning if the loss jumped up in an epoch (overshoot_epoch), else None."""
        epoch = self.overshoot_epoch()
        if epoch is None:
            return None
        i = self.epoch_list.index(epoch)
        before = self.loss_list[i - 1] if i > 0 else self.initial_loss
        rate = f" (now {self.lr:g})" if self.lr is not None else ""
        return (f"The loss rose from {before:.4g} to {self.loss_list[i]:.4g} at epoch "
                f"{epoch}: the steps overshoot the minimum. A smaller learning "
                f"rate{rate} descends smoothly.")

    def record(self, epoch, loss, grad_norms, weight_change, accuracy=None, test_loss=None,
               test_accuracy=None):
        """Record one epoch's measurements (every trainer records through here)."""
        self.epoch_list.append(epoch)
        self.loss_list.append(loss)
        self.grad_norm_list.append(grad_norms)
        self.weight_change_list.append(weight_change)
        if accuracy is not None:
            self.accuracy_list.append(accuracy)
        if test_loss is not None:
            self.test_loss_list.append(test_loss)
        if test_accuracy is not None:
            self.test_accuracy_list.append(test_accuracy)

    def extend(self, epochs, loss, grad_norms, weight_change, accuracy=None, test_loss=None,
               test_accuracy=None):
        """Record several epochs at once: each argument holds one row per epoch (what
        `record` takes for one epoch), as arrays; absent measurements are None."""
        self.epoch_list.extend(int(e) for e in epochs)
        self.loss_list.extend(np.asarray(loss, dtype=float).tolist())
        self.grad_norm_list.extend(np.asarray(grad_norms, dtype=float).tolist())
        self.weight_change_list.extend(np.asarray(weight_change, dtype=float).tolist())
        for values, into in ((accuracy, self.accuracy_list), (test_loss, self.test_loss_list),
                             (test_accuracy, self.test_accuracy_list)):
            if values is not None:
                into.extend(np.asarray(values, dtype=float).tolist())

    def diverge(self, epoch: int, lr):
        """Mark the run as stopped at `epoch` by a NaN or infinite loss, and say why."""
        self.diverged, self.stop_epoch = True, epoch
        self.stop_reason = (
            f"The loss became NaN or infinite at epoch {epoch}: the weights blew up. "
            f"Training stopped and kept the weights of epoch {epoch - 1}. "
            f"Try a smaller learning rate (now {lr:g}).")

    def snapshot_at(self, epoch: int) -> Snapshot:
        """Return the last snapshot taken at or before `epoch`."""
        best = self.snapshots[0]
        for snap in self.snapshots:
            if snap.epoch <= epoch:
                best = snap
        return best
