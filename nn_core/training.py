"""train(): minibatch gradient descent that records a History of every epoch."""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np

from .history import History, Snapshot  # noqa: F401  (re-exported: trainers import them here)
from .losses import get_loss
from .network import Gradients, Network, as_batch, as_targets
from .optimizers import SGD, Adam, Momentum, Optimizer, make_optimizer, regularization_gradient


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


def _snapshot(net, epoch) -> Snapshot:
    weights, biases = net.get_params()
    return Snapshot(epoch, weights, biases)


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
        views, start = [], 0
        for p in self.originals:
            views.append(buffer[start:start + p.size].reshape(p.shape))
            start += p.size
        return views

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
          history: History | None = None, on_epoch=None, should_stop=None) -> History:
    """Train `net` in place and return the History (pass `history` back in to continue it).

    Each epoch shuffles the training rows (seeded), steps once per minibatch, then measures the
    train and test loss, accuracy and full-batch gradient norms at the epoch's final weights.
    A NaN or infinite loss stops training, restores the last finite weights and says why.
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
    batch = n if not batch_size or batch_size >= n else int(batch_size)
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
    # Full batch: the gradients measured at an epoch's end are the next epoch's step, as long
    # as nothing (an on_epoch callback) changed the parameters in between.
    pending = None
    # The built-in optimizers step the parameters as one flat buffer (the hot path).
    fast = type(optimizer) in (SGD, Momentum, Adam) and not reg

    # Divergence is detected below and reported, not warned.
    with np.errstate(all="ignore"), _flat_params(net, optimizer, fast) as flat:
        params = _ParamRecord(net, flat, epochs // record_every + 2)
        train_accuracy = _Accuracy(y) if classify else None
        test_accuracy = _Accuracy(y_test) if has_test and classify else None
        for epoch in range(start + 1, start + epochs + 1):
            if batch < n:  # shuffled once per epoch: each minibatch is then a view
                order = rng.permutation(n)
                X_epoch, y_epoch = X[order], y[order]
            else:
                X_epoch, y_epoch = X, y
            for lo in range(0, n, batch):
                if pending is not None:
                    grads, pending = pending, None
                    if flat is not None:  # already in flat.grad
                        flat.step()
                        continue
                else:
                    xb, yb = X_epoch[lo:lo + batch], y_epoch[lo:lo + batch]
                    if flat is not None:
                        net._backward(net._forward(xb), yb, loss, False, flat.grads)
                        flat.step()
                        continue
                    grads = net._backward(net._forward(xb), yb, loss, with_loss=False)
                if reg:
                    grads = Gradients(
                        [g + regularization_gradient(w, reg, reg_rate)
                         for g, w in zip(grads.weights, net.weights)],
                        grads.biases, grads.deltas, grads.loss)
                optimizer.step(net, grads)

            trace = net._forward(X)
            full = net._backward(trace, y, loss, True, flat.grads if flat is not None else None)
            current = params.vector()
            change = params.change(current)  # None once a parameter is NaN or infinite
            if change is None or not math.isfinite(full.loss):
                params.restore_previous()
                history.diverge(epoch, optimizer.lr)
                if history.snapshots[-1].epoch != epoch - 1:
                    history.snapshots.append(params.snapshot(epoch - 1, params.previous))
                break
            test_trace = net._forward(X_test) if has_test else None
            history.record(
                epoch, full.loss, params.grad_norms(full), change,
                train_accuracy(trace.output) if classify else None,
                net._loss_value(test_trace, y_test, loss) if has_test else None,
                test_accuracy(test_trace.output) if has_test and classify else None)
            stopping = (should_stop is not None and epoch < start + epochs and should_stop())
            row = None
            if epoch % record_every == 0 or epoch == start + epochs or stopping:
                snap = params.snapshot(epoch, current)
                history.snapshots.append(snap)
                row = snap._row
            params.keep(current, row)
            if on_epoch is not None:
                on_epoch(epoch, history)
            if batch == n and (on_epoch is None or params.unchanged()):
                pending = full
            if on_epoch is not None and flat is not None and not flat.attached():
                flat.release()  # a callback replaced parameter arrays: step them as they are
                flat = params.flat = None
            if stopping:
                history.stop_epoch = epoch
                history.stop_reason = f"Stopped at epoch {epoch}."
                break
    return history


def _norms(grad_weights) -> list:
    """Return the L2 norm of each layer's dL/dW."""
    return [float(np.sqrt(np.add.reduce(g * g, axis=None))) for g in grad_weights]


class _Accuracy:
    """accuracy(output, y) with y's labels worked out once for the whole training; of a
    stack's output (R, n, k), one accuracy per run."""

    def __init__(self, y):
        self.several = y.shape[1] > 1
        self.labels = np.argmax(y, axis=1) if self.several else y >= 0.5
        self.n = self.labels.size

    def __call__(self, output):
        right = (np.argmax(output, axis=-1) if self.several else output >= 0.5) == self.labels
        if output.ndim == 3:
            return np.count_nonzero(right.reshape(len(right), -1), axis=1) / self.n
        return np.count_nonzero(right) / self.n


class _ParamRecord:
    """The parameters as one vector per recorded epoch, written into one preallocated block
    (snapshots are views of its rows), and the previous epoch's vector for the largest
    weight change and for restoring the last finite weights."""

    def __init__(self, net, flat, n_snapshots: int):
        self.net, self.flat = net, flat
        self.k = len(net.weights)
        self.layout, start = [], 0
        for p in net.weights + net.biases:
            self.layout.append((start, start + p.size, p.shape))
            start += p.size
        self.n_weights = sum(w.size for w in net.weights)
        self.weight_starts = np.array([lo for lo, _, _ in self.layout[:self.k]])
        self.previous = self.own = self.vector().copy()
        self.change_starts = np.array([0, self.n_weights])
        self.block = np.empty((n_snapshots, self.previous.size))
        self.used = 0

    def vector(self) -> np.ndarray:
        """The current parameters (the flat buffer itself while train() holds one)."""
        if self.flat is not None:
            return self.flat.values
        return np.concatenate([p.ravel() for p in self.net.weights + self.net.biases])

    def change(self, current):
        """Return the largest change of a weight since the previous epoch, or None if a
        parameter is no longer finite (the previous ones always are: training stops at the
        first that is not)."""
        # One reduction for both: max |change| of the weights and of the biases, NaN or inf
        # as soon as a parameter is.
        weights, biases = np.maximum.reduceat(np.abs(current - self.previous),
                                              self.change_starts).tolist()
        if math.isfinite(weights) and math.isfinite(biases):
            return weights
        # The exact rule, for the (overflowing) differences of finite parameters near 1e308.
        return weights if np.isfinite(current).all() and math.isfinite(weights) else None

    def grad_norms(self, full) -> list:
        """The L2 norm of each layer's dL/dW (one reduction over the flat gradient)."""
        if self.flat is None:
            return _norms(full.weights)
        g = self.flat.grad[:self.n_weights]
        # math.sqrt: the same correctly rounded square root as np.sqrt, without a ufunc call.
        return [math.sqrt(v) for v in np.add.reduceat(g * g, self.weight_starts).tolist()]

    def keep(self, current, row=None):
        """Remember `current` as the previous epoch's parameters (the snapshot `row` just
        written with them, if any: a row is never written again)."""
        if row is not None:
            self.previous = row
        else:
            self.previous = self.own
            np.copyto(self.own, current)

    def unchanged(self) -> bool:
        """Whether the net still holds the parameters last kept (no callback changed them)."""
        if self.flat is not None and not self.flat.attached():
            return False
        return bool(np.array_equal(self.vector(), self.previous))

    def restore_previous(self):
        if self.flat is not None:
            np.copyto(self.flat.values, self.previous)
        else:
            self.net.set_params(*self.split(self.previous))

    def split(self, vector):
        """Return (weights, biases): views of `vector` in the parameters' shapes."""
        views = [vector[lo:hi].reshape(shape) for lo, hi, shape in self.layout]
        return views[:self.k], views[self.k:]

    def snapshot(self, epoch, vector) -> Snapshot:
        if self.used == len(self.block):  # a stop or divergence can add one more
            self.block = np.empty_like(self.block)
            self.used = 0
        row = self.block[self.used]
        self.used += 1
        np.copyto(row, vector)
        return Snapshot.of_row(epoch, row, (self.layout, self.k))
