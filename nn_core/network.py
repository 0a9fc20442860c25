"""A fully connected network with an explicit forward trace and backward gradients.

Conventions follow the tutorial: a layer computes z = a_prev W + b with W of shape
(n_in, n_out), then a = f(z); rows of X are samples.
"""

from __future__ import annotations

import numpy as np

from . import passes
from .activations import get_activation
from .initializers import initialize
from .losses import get_loss
from .passes import ForwardTrace, Gradients  # noqa: F401  (re-exported: the API names them here)

# Bytes per array in predict's row blocks (measured best on 100x100 grids).
PREDICT_BLOCK_BYTES = 131072


def as_batch(X, n_features: int, what: str = "X") -> np.ndarray:
    """Return X as a float (n, n_features) array; a 1-D X is one sample."""
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != n_features:
        raise ValueError(
            f"{what} must have shape (n, {n_features}) or ({n_features},); got {X.shape}"
        )
    return X


def as_targets(y, n_samples: int, n_outputs: int) -> np.ndarray:
    """Return y as a float (n_samples, n_outputs) array; class indices become one-hot rows."""
    y = np.asarray(y, dtype=float)
    if y.ndim == 1 and n_outputs > 1 and y.shape[0] == n_samples:
        labels = y.astype(int)
        if not np.array_equal(labels, y) or labels.min() < 0 or labels.max() >= n_outputs:
            raise ValueError(f"class labels must be integers 0..{n_outputs - 1}")
        return np.eye(n_outputs)[labels]
    if y.ndim == 1:
        y = y.reshape(n_samples, -1) if y.size == n_samples * n_outputs else y
    if y.shape != (n_samples, n_outputs):
        raise ValueError(f"y must have shape ({n_samples}, {n_outputs}); got {y.shape}")
    return y


class Network:
    """A multilayer perceptron: layer_sizes like [2, 4, 1], one activation per weight layer."""

    def __init__(self, layer_sizes, activations="sigmoid", init="playground", seed=0,
                 use_bias=True):
        sizes = list(layer_sizes)
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes needs an input and an output size; got {sizes}")
        for size in sizes:
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
                raise ValueError(f"every layer size must be a positive integer; got {sizes}")
        self.layer_sizes = [int(s) for s in sizes]
        n_layers = len(sizes) - 1
        names = [activations] * n_layers if isinstance(activations, str) else list(activations)
        if len(names) != n_layers:
            raise ValueError(
                f"expected one activation name or {n_layers} (one per hidden layer and the "
                f"output); got {len(names)}"
            )
        self._acts = [get_activation(name) for name in names]
        if "softmax" in names[:-1]:
            raise ValueError("softmax can only be the output layer's activation")
        if names[-1] == "softmax" and sizes[-1] < 2:
            raise ValueError("a softmax output needs at least 2 output units")
        self.activations = names
        self.init = init
        self.seed = seed
        self.use_bias = bool(use_bias)
        rng = np.random.default_rng(seed)
        params = [initialize(init, n_in, n_out, rng) for n_in, n_out in zip(sizes, sizes[1:])]
        self._weights = [w for w, _ in params]
        self._biases = [b if self.use_bias else np.zeros_like(b) for _, b in params]

    # Parameters: plain lists of arrays, assignable as a whole or item by item.
    @property
    def weights(self):
        return self._weights

    @weights.setter
    def weights(self, values):
        self.set_params(values, self._biases)

    @property
    def biases(self):
        return self._biases

    @biases.setter
    def biases(self, values):
        self.set_params(self._weights, values)

    @property
    def n_layers(self) -> int:
        return len(self.layer_sizes) - 1

    @property
    def n_params(self) -> int:
        n = sum(w.size for w in self._weights)
        return n + (sum(b.size for b in self._biases) if self.use_bias else 0)

    def check_parameters(self):
        """Raise ValueError unless every W is (n_in, n_out) and every b is (n_out,)."""
        if len(self._weights) != self.n_layers or len(self._biases) != self.n_layers:
            raise ValueError(f"expected {self.n_layers} weight matrices and bias vectors")
        for l, (n_in, n_out) in enumerate(zip(self.layer_sizes, self.layer_sizes[1:])):
            w, b = np.shape(self._weights[l]), np.shape(self._biases[l])
            if w != (n_in, n_out):
                raise ValueError(f"weights[{l}] must have shape ({n_in}, {n_out}); got {w}")
            if b != (n_out,):
                raise ValueError(f"biases[{l}] must have shape ({n_out},); got {b}")

    def forward(self, X) -> ForwardTrace:
        """Return the trace of the forward pass of X (n, n_in) or of one sample (n_in,)."""
        self.check_parameters()
        return self._forward(as_batch(X, self.layer_sizes[0]))

    def _forward(self, X) -> ForwardTrace:
        return passes.forward(self._weights, self._biases, self._acts, X)

    def predict(self, X, dtype=np.float64):
        """Return the network's output for X; float32 is for drawing only (grids)."""
        X = as_batch(X, self.layer_sizes[0]).astype(dtype, copy=False)
        layers = [(w.astype(dtype, copy=False), b.astype(dtype, copy=False), act.fn)
                  for w, b, act in zip(self._weights, self._biases, self._acts)]
        # Blocks of rows small enough to stay in cache and below malloc's mmap threshold:
        # whole-grid temporaries are fresh mappings that page-fault on every use (2x slower).
        rows = max(1, PREDICT_BLOCK_BYTES // (X.itemsize * max(self.layer_sizes)))
        blocks = []
        for lo in range(0, max(X.shape[0], 1), rows):
            a = X[lo:lo + rows]
            for w, b, fn in layers:
                a = fn(np.dot(a, w) + b)
            blocks.append(a)
        return blocks[0] if len(blocks) == 1 else np.concatenate(blocks)

    def backward(self, trace: ForwardTrace, y, loss: str = "sse") -> Gradients:
        """Return the gradients of `loss` at `trace` with respect to every parameter."""
        X = trace.activations[0]
        y = as_targets(y, X.shape[0], self.layer_sizes[-1])
        get_loss(loss)
        return self._backward(trace, y, loss)

    def _backward(self, trace, y, loss, with_loss=True, out=None) -> Gradients:
        # The chain rule itself is nn_core.passes.backward, shared with the activation study.
        return passes.backward(self._weights, self._acts, trace, y, loss, self.use_bias,
                               with_loss, out)

    def loss(self, X, y, loss: str = "sse") -> float:
        """Return the loss of the network on (X, y), computed as backward() computes it."""
        trace = self.forward(X)
        y = as_targets(y, trace.output.shape[0], self.layer_sizes[-1])
        return self._loss_value(trace, y, loss)

    def _loss_value(self, trace, y, loss) -> float:
        return passes.loss_value(self.activations[-1], loss, trace.pre_activations[-1],
                                 trace.output, y)

    def get_params(self):
        """Return copies of (weights, biases)."""
        return [w.copy() for w in self._weights], [b.copy() for b in self._biases]

    def set_params(self, weights, biases):
        """Set weights and biases from copies of the given arrays; on a bad shape, change nothing."""
        old = self._weights, self._biases
        self._weights = [np.array(w, dtype=float) for w in weights]
        self._biases = [np.array(b, dtype=float) for b in biases]
        try:
            self.check_parameters()
        except ValueError:
            self._weights, self._biases = old
            raise

    def copy(self) -> Network:
        """Return an independent network with the same architecture and parameters."""
        twin = Network.__new__(Network)
        twin.__dict__.update(self.__dict__)
        twin.activations = list(self.activations)
        twin.layer_sizes = list(self.layer_sizes)
        twin._acts = list(self._acts)
        twin._weights, twin._biases = self.get_params()
        return twin

    # Pickling (st.cache_data stores values that way) keeps activation names, not functions.
    def __getstate__(self):
        state = dict(self.__dict__)
        del state["_acts"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._acts = [get_activation(name) for name in self.activations]

    def __repr__(self):
        return (f"Network({self.layer_sizes}, activations={self.activations}, "
                f"init={self.init!r}, seed={self.seed}, use_bias={self.use_bias})")

