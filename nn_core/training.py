"""train(): minibatch gradient descent that records a History of every epoch.

The hot path: the built-in optimizers step the parameters as one flat buffer, each minibatch's
forward and backward pass is one `passes.Pass` call, and the epochs' measurements are kept as
rows of preallocated blocks and recorded a block at a time (nn_core/recording.py).
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np

from . import passes
from .history import History, Snapshot  # noqa: F401  (re-exported: trainers import them here)
from .losses import get_loss
from .network import Gradients, Network, as_batch, as_targets
from .optimizers import SGD, Adam, Momentum, Optimizer, make_optimizer, regularization_gradient
from .recording import BLOCK_EPOCHS, Accuracy, EpochBlock, ParamRecord


def is_classification(y) -> bool:
    """Return whether targets look like class labels: every value 0 or 1."""
    return bool(np.all((y == 0) | (y == 1)))


def accuracy(output, y) -> float:
    """Return the share of rows classified right (argmax for several outputs, 0.5 for one)."""
    # count / n: the same number as the mean of the booleans, at a fraction of its overhead.
    if y.shape[1] > 1:
        right = np.argmax(output, axis=1) == np.argmax(y, axis=1)
    else:
        right = (output >= 0.5) == (y >= 0.5)
    return np.count_nonzero(right) / right.size


def minibatch_size(batch_size, n: int) -> int:
    """Return the rows per minibatch train() steps with: the whole set for 0, None or any
    size >= n (full batch)."""
    return n if not batch_size or batch_size >= n else int(batch_size)


def _snapshot(net, epoch) -> Snapshot:
    weights, biases = net.get_params()
    return Snapshot(epoch, weights, biases)


def flat_views(buffer, like) -> list:
    """Return views of the 1-D `buffer`, one per array of `like`, in their shapes and order
    (parameters, gradients or optimizer state kept as one buffer, stepped in a few calls)."""
    views, start = [], 0
    for p in like:
        views.append(buffer[start:start + p.size].reshape(p.shape))
        start += p.size
    return views


class _FlatParams:
    """The net's parameters (and the optimizer's state) as views of one buffer while train()
    runs, so that an optimizer step is a few NumPy calls rather than a few per array (a fifth
    of a minibatch SGD step's time, half of an Adam step's); release() copies the values back
    into the original arrays and puts those back in the net."""

    def __init__(self, net, optimizer):
        self.net = net
        self.lists = net._weights, net._biases
        self.originals = list(net._weights) + list(net._biases)
        self.values = np.concatenate([p.ravel() for p in self.originals])
        self.grad = np.zeros_like(self.values)
        self.views, grads = self._views(self.values), self._views(self.grad)
        k = len(net._weights)
        net._weights[:], net._biases[:] = self.views[:k], self.views[k:]
        self.grads = grads[:k], grads[k:]
        self.update = optimizer._update
        self.state = optimizer._flat_state(self.originals, self._views)
        self.values_list, self.grad_list = [self.values], [self.grad]
        self.slots = self._slots()
        self.released = False

    def step(self):
        """The optimizer's step on the whole flat buffer (its update is elementwise)."""
        self.update(self.values_list, self.grad_list, self.state)

    @staticmethod
    def eligible(net) -> bool:
        # Float arrays that own their memory: views of them update exactly as they would.
        params = net._weights + net._biases
        return len({id(p) for p in params}) == len(params) and all(
            isinstance(p, np.ndarray) and p.dtype == np.float64 and p.base is None
            and p.flags.c_contiguous and p.flags.writeable for p in params)

    def _views(self, buffer):
        return flat_views(buffer, self.originals)

    def _slots(self):
        k = len(self.lists[0])
        return [(self.lists[i >= k], i - k * (i >= k)) for i in range(len(self.views))]

    def attached(self) -> bool:
        """Whether the net still holds all the views (a callback may have replaced some)."""
        net = self.net
        return (net._weights is self.lists[0] and net._biases is self.lists[1]
                and all(lst[j] is v for (lst, j), v in zip(self.slots, self.views)))

    def release(self):
        """Give each original array its view's values, and put it back where its view still is
        (an array a callback replaced keeps, as before, the values it had then)."""
        if self.released:
            return
        self.released = True
        for (lst, j), view, original in zip(self.slots, self.views, self.originals):
            original[...] = view
            if lst[j] is view:
                lst[j] = original


@contextmanager
def _flat_params(net, optimizer, enabled):
    flat = _FlatParams(net, optimizer) if enabled and _FlatParams.eligible(net) else None
    try:
        yield flat
    finally:  # also when a callback raises (Streamlit stops a run that way)
        if flat is not None:
            flat.release()


def train(net: Network, X, y, epochs: int = 100, loss: str = "sse",
          optimizer: Optimizer | str | None = None, lr: float = 0.1, batch_size: int | None = None,
          X_test=None, y_test=None, seed: int = 0, record_every: int = 1,
          regularization: str | None = None, reg_rate: float = 0.0,
          history: History | None = None, on_epoch=None, should_stop=None,
          on_progress=None) -> History:
    """Train `net` in place and return the History (pass `history` back in to continue it).

    Each epoch shuffles the training rows (seeded), steps once per minibatch, then measures the
    train and test loss, accuracy and full-batch gradient norms at the epoch's final weights.
    A NaN or infinite loss stops training, restores the last finite weights and says why.

    on_epoch(epoch, history) is called after every epoch (it may change the parameters);
    on_progress(epoch, history) only after each block of epochs is recorded (a progress bar's
    pace, and it must leave the network alone), so it keeps the recording in blocks.
    """
    X = as_batch(X, net.layer_sizes[0])
    y = as_targets(y, X.shape[0], net.layer_sizes[-1])
    get_loss(loss)
    has_test = X_test is not None and y_test is not None and len(X_test) > 0
    if has_test:
        X_test = as_batch(X_test, net.layer_sizes[0], "X_test")
        y_test = as_targets(y_test, X_test.shape[0], net.layer_sizes[-1])
    if isinstance(optimizer, str):
        optimizer = make_optimizer(optimizer, lr)
    optimizer = optimizer or SGD(lr)
    if epochs < 0 or record_every < 1:
        raise ValueError("epochs must be >= 0 and record_every >= 1")
    reg = regularization if regularization not in (None, "none") and reg_rate > 0 else None
    n = X.shape[0]
    batch = minibatch_size(batch_size, n)
    classify = is_classification(y)
    net.check_parameters()

    if history is None:
        history = History(loss_name=loss)
    history.lr = optimizer.lr
    start = history.last_epoch
    if not history.snapshots:
        history.snapshots.append(_snapshot(net, 0))
        history.initial_loss = net._loss_value(net._forward(X), y, loss)
        if has_test:
            history.initial_test_loss = net._loss_value(net._forward(X_test), y_test, loss)
    if history.diverged:
        return history
    rng = np.random.default_rng([seed, start])
    last = start + epochs
    # Full batch: the gradients measured at an epoch's end are the next epoch's step, as long
    # as nothing (an on_epoch callback) changed the parameters in between.
    pending, full = False, None
    # The built-in optimizers step the parameters as one flat buffer (the hot path).
    fast = type(optimizer) in (SGD, Momentum, Adam) and not reg
    stop = [None]  # the epoch should_stop stopped at

    def snapshot_at(epoch):
        return epoch % record_every == 0 or epoch == last or epoch == stop[0]

    # Divergence is detected below and reported, not warned.
    with np.errstate(all="ignore"), _flat_params(net, optimizer, fast) as flat:
        record = ParamRecord(net, flat, epochs // record_every + 2)
        # A callback sees every epoch recorded before the next trains: blocks of one epoch.
        block = EpochBlock(record, 1 if on_epoch or should_stop else min(BLOCK_EPOCHS, epochs),
                           net.activations[-1], loss, y, y_test if has_test else None)
        accuracies = (Accuracy(y) if classify else None,
                      Accuracy(y_test) if has_test and classify else None)
        hot = (passes.Pass(net._weights, net._biases, net._acts, loss, net.use_bias, *flat.grads)
               if flat is not None else None)
        for epoch in range(start + 1, last + 1):
            if on_epoch is not None and hot is not None and not flat.attached():
                flat.release()  # a callback replaced parameter arrays: step them as they are
                flat = record.flat = hot = None
            if pending:
                if hot is not None:  # already in flat.grad
                    flat.step()
                else:
                    _step(net, optimizer, full, reg, reg_rate)
            else:
                for xb, yb in minibatches(X, y, batch, rng):
                    if hot is not None:
                        hot.gradients(xb, yb)
                        flat.step()
                    else:
                        _step(net, optimizer, net._backward(net._forward(xb), yb, loss, False),
                              reg, reg_rate)

            if hot is not None:
                z, output = hot.gradients(X, y)
                grads = flat.grad[:record.n_weights]
            else:
                trace = net._forward(X)
                full = net._backward(trace, y, loss, False)
                z, output, grads = trace.pre_activations[-1], trace.output, full.weights
            test = net._forward(X_test) if has_test else None
            filled = block.add(epoch, record.vector(), grads, z, output,
                               *((test.pre_activations[-1], test.output) if has_test else ()))
            # The losses are measured at the flush; a NaN output means a NaN loss: flush now
            # (it finds the epoch where training diverged).
            if filled or epoch == last or not math.isfinite(output.item(0)):
                if block.flush(history, *accuracies, snapshot_at, optimizer.lr):
                    break
                if on_progress is not None:
                    on_progress(epoch, history)
            if should_stop is not None and epoch < last and should_stop():
                stop[0] = epoch
                if history.snapshots[-1].epoch != epoch:
                    history.snapshots += record.snapshots([epoch], block.params[:1])
            if on_epoch is not None:
                on_epoch(epoch, history)
                # Full batch: the measured gradient is the next step if the net is as kept.
                pending = batch == n and (hot is None or flat.attached()) and bool(
                    np.array_equal(record.vector(), block.params[0]))
            else:
                pending = batch == n
            if stop[0] is not None:
                history.stop_epoch = epoch
                history.stop_reason = f"Stopped at epoch {epoch}."
                break
    return history


def minibatches(X, y, batch: int, rng):
    """Yield one epoch's minibatches of `batch` rows (the last may be shorter).

    With batch < len(X) the set is shuffled once per epoch by `rng` (so each minibatch is a
    view of one shuffled copy, and every trainer that shares a seed sees the same batches in
    the same order); otherwise the one batch is the whole set, unshuffled.
    """
    n = X.shape[0]
    if batch < n:
        order = rng.permutation(n)
        X, y = X[order], y[order]
    for lo in range(0, n, batch):
        yield X[lo:lo + batch], y[lo:lo + batch]


def _step(net, optimizer, grads, reg, reg_rate):
    """One optimizer step outside the flat buffer (another optimizer, or regularization)."""
    if reg:
        grads = Gradients([g + regularization_gradient(w, reg, reg_rate)
                           for g, w in zip(grads.weights, net.weights)],
                          grads.biases, grads.deltas, grads.loss)
    optimizer.step(net, grads)
