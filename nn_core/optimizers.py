"""Optimizers that apply gradients to a network in place, and weight regularization."""

from __future__ import annotations

import numpy as np

REGULARIZATIONS = ("none", "l1", "l2")


def regularization_gradient(w, kind, rate):
    """Return d(penalty)/dW: rate * sign(W) for L1, rate * W for L2 (penalty rate/2 * W^2)."""
    if kind == "l1":
        return rate * np.sign(w)
    if kind == "l2":
        return rate * w
    raise ValueError(f"unknown regularization {kind!r}; expected one of l1, l2")


def regularization_penalty(weights, kind, rate) -> float:
    """Return the penalty added to the loss: rate * sum|W| (L1) or rate/2 * sum W^2 (L2)."""
    if not kind or kind == "none" or rate == 0:
        return 0.0
    if kind == "l1":
        return float(rate * sum(np.abs(w).sum() for w in weights))
    return float(0.5 * rate * sum((w * w).sum() for w in weights))


class Optimizer:
    """Base class: `step(net, grads)` updates net.weights and net.biases in place."""

    name = "optimizer"

    def __init__(self, lr: float):
        lr = float(lr)
        if not np.isfinite(lr) or lr < 0:
            raise ValueError(f"learning rate must be a finite number >= 0; got {lr}")
        self.lr = lr
        self.reset()

    def reset(self):
        """Forget any state (velocities, moments) accumulated so far."""
        self._state = None

    def _params(self, net, grads):
        params = net.weights + net.biases
        gradients = grads.weights + grads.biases
        if self._state is None or [s.shape for s in self._state[0]] != [p.shape for p in params]:
            self._state = self._init_state(params)
        return params, gradients

    def _init_state(self, params):
        return [[]]

    def _flat_state(self, params, split):
        """Return the state as one flat array per kind (velocities, moments) for train()'s
        flat parameters, the per-parameter state becoming views of them (split(buffer))."""
        if self._state is None or [s.shape for s in self._state[0]] != [p.shape for p in params]:
            self._state = self._init_state(params)
        flat = []
        for per_param in self._state:
            buffer = np.concatenate([s.ravel() for s in per_param])
            per_param[:] = split(buffer)
            flat.append([buffer])
        return flat

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr})"


class SGD(Optimizer):
    """Plain gradient descent: p <- p - lr * g."""

    name = "sgd"

    def step(self, net, grads):
        self._update(net.weights + net.biases, grads.weights + grads.biases, [])

    def _flat_state(self, params, split):
        return []

    def _update(self, params, gradients, state):
        for p, g in zip(params, gradients):
            p -= self.lr * g


class Momentum(Optimizer):
    """Heavy-ball momentum: v <- beta v - lr g; p <- p + v."""

    name = "momentum"

    def __init__(self, lr: float, beta: float = 0.9):
        self.beta = float(beta)
        super().__init__(lr)

    def _init_state(self, params):
        return [[np.zeros_like(p) for p in params]]

    def step(self, net, grads):
        self._update(*self._params(net, grads), self._state)

    def _update(self, params, gradients, state):
        for p, g, v in zip(params, gradients, state[0]):
            v *= self.beta
            v -= self.lr * g
            p += v


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with bias-corrected first and second moments."""

    name = "adam"

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        super().__init__(lr)

    def _init_state(self, params):
        self.t = 0
        return [[np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]]

    def step(self, net, grads):
        self._update(*self._params(net, grads), self._state)

    def _update(self, params, gradients, state):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        correct1, correct2 = 1.0 - b1**self.t, 1.0 - b2**self.t
        for p, g, m, v in zip(params, gradients, *state):
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * g * g
            p -= self.lr * (m / correct1) / (np.sqrt(v / correct2) + self.eps)


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Adam)}


def make_optimizer(name: str, lr: float) -> Optimizer:
    """Return a fresh optimizer called `name` (sgd, momentum, adam) with learning rate lr."""
    try:
        return OPTIMIZERS[name](lr)
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown optimizer {name!r}; expected one of {', '.join(OPTIMIZERS)}"
        ) from None
