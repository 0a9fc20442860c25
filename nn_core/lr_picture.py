"""What a learning rate is, with this network's own numbers.

`one_weight_step`: the update rule w <- w - eta * dL/dw for one real weight, with the loss
before and after the whole step. `line_picture`: the classic picture, from the network's
actual loss: L along the steepest-descent direction at the current weights, and the steps
that four learning rates take along that line (gradient descent restricted to the line:
t <- t - eta * dL/dt; its first step is exactly the network's own first step). The rates are
multiples of the one-step rate, the eta whose first step lands on the lowest point of the line
(t_min / |dL/dw|); `outcome` then names what each path really did (crawling, converging,
bouncing across the valley, diverging). Pure NumPy, no UI. The loss at many points of the line,
and the paths' slopes, are computed as a stack of networks (nn_core.passes), one per point:
one forward pass for a whole grid instead of one per point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import passes
from .activations import get_activation
from .network import Network, as_batch, as_targets

# Points of the line per stacked pass: (points x samples x widest layer) floats stay ~16 MB.
STACK_FLOATS = 1 << 21

# Multiples of the one-step rate: on a parabola 0.1 crawls, 1 lands on the floor, 1.7
# bounces across it with shrinking swings and 3 swings further out every step.
RATES = (("too small", 0.1), ("good", 1.0), ("too large", 1.7), ("much too large", 3.0))


@dataclass(frozen=True)
class WeightStep:
    """One weight's update: W[layer][i, j] <- w - lr * grad, and the loss around the step."""

    layer: int
    i: int
    j: int
    w: float
    grad: float
    lr: float
    loss_before: float
    loss_after: float  # after every weight and bias took its step with this lr

    @property
    def new_w(self) -> float:
        return self.w - self.lr * self.grad


def one_weight_step(net: Network, X, y, loss: str, lr: float, layer: int = 0, i: int = 0,
                    j: int = 0) -> WeightStep:
    """Return the full-batch gradient step of weight W[layer][i, j] (net is not changed)."""
    with np.errstate(all="ignore"):  # a diverged run's weights give inf: shown as they are
        grads = net.backward(net.forward(X), y, loss=loss)
    twin = net.copy()
    w, b = twin.get_params()
    twin.set_params([a - lr * g for a, g in zip(w, grads.weights)],
                    [a - lr * g for a, g in zip(b, grads.biases)])
    with np.errstate(all="ignore"):
        after = twin.loss(X, y, loss=loss)
    return WeightStep(layer, i, j, float(net.weights[layer][i, j]),
                      float(grads.weights[layer][i, j]), float(lr), float(grads.loss),
                      float(after))


@dataclass
class Path:
    """The steps one learning rate takes along the line: positions t_k and L(t_k)."""

    name: str
    lr: float
    t: np.ndarray
    loss: np.ndarray
    outcome: str = ""


@dataclass
class LinePicture:
    """L(w + t d) along the unit steepest-descent direction d, and the paths along it."""

    t: np.ndarray
    loss: np.ndarray
    grad_norm: float  # |dL/dw| at t = 0 (the slope of the line there is -grad_norm)
    t_min: float  # the lowest point found along the line (0: no valley in reach)
    one_step_lr: float  # the eta whose first step lands on t_min (nan without a valley)
    paths: list = field(default_factory=list)

    @property
    def has_valley(self) -> bool:
        return math.isfinite(self.one_step_lr) and self.one_step_lr > 0


class _Line:
    """L and dL/dt along w + t d for one network (its own copy)."""

    def __init__(self, net, X, y, loss):
        self.net, self.X, self.y, self.loss = net.copy(), X, y, loss
        self.w0, self.b0 = net.get_params()
        with np.errstate(all="ignore"):  # weights a diverged run left behind: checked below
            g = net.backward(net.forward(X), y, loss=loss)
            self.norm = float(np.sqrt(sum(np.sum(a * a) for a in g.weights + g.biases)))
        scale = 1.0 / self.norm if self.norm > 0 else 0.0
        self.dw = [-a * scale for a in g.weights]
        self.db = [-a * scale for a in g.biases]
        self.fns = [get_activation(name) for name in net.activations]
        self.Xb = as_batch(X, net.layer_sizes[0])
        self.Y = as_targets(y, self.Xb.shape[0], net.layer_sizes[-1])
        self.block = max(1, STACK_FLOATS // (self.Xb.shape[0] * max(net.layer_sizes)))

    def _stack(self, ts):
        """The parameters at each t of `ts`, as a stack (W: (R, n_in, n_out), b: (R, 1, n_out))."""
        t = np.asarray(ts, dtype=float)[:, None, None]
        return ([w + t * d for w, d in zip(self.w0, self.dw)],
                [b + t * d for b, d in zip(self.b0, self.db)])

    def values(self, ts) -> np.ndarray:
        """L at every t of `ts` (what value(t) gives, a stack of points at a time)."""
        ts = np.asarray(ts, dtype=float)
        out = np.empty(len(ts))
        for lo in range(0, len(ts), self.block):
            W, B = self._stack(ts[lo:lo + self.block])
            with np.errstate(all="ignore"):
                trace = passes.forward(W, B, self.fns, self.Xb)
                out[lo:lo + self.block] = passes.loss_value(
                    self.fns[-1].name, self.loss, trace.pre_activations[-1], trace.output,
                    self.Y)
        return out

    def slopes(self, ts) -> np.ndarray:
        """dL/dt at every t of `ts` (what slope(t) gives; a few points, one stack)."""
        W, B = self._stack(ts)
        with np.errstate(all="ignore"):
            trace = passes.forward(W, B, self.fns, self.Xb, derivatives=True)
            g = passes.backward(W, self.fns, trace, self.Y, self.loss,
                                use_bias=self.net.use_bias, with_loss=False)
            return sum(np.sum(a * d, axis=(-2, -1)) for a, d in zip(g.weights + g.biases,
                                                                   self.dw + self.db))

    def _at(self, t):
        self.net.set_params([w + t * d for w, d in zip(self.w0, self.dw)],
                            [b + t * d for b, d in zip(self.b0, self.db)])

    def value(self, t) -> float:
        self._at(t)
        with np.errstate(all="ignore"):
            return float(self.net.loss(self.X, self.y, loss=self.loss))


def outcome(t, t_min: float) -> str:
    """Name what a path did relative to the valley floor t_min: diverging (its distance
    grew), bouncing (it crossed to the floor's other side by more than 2% of the way),
    crawling (still over a quarter of the way from the floor), or converging."""
    d = np.asarray(t, dtype=float) - t_min
    if not np.all(np.isfinite(d)) or abs(d[-1]) > abs(d[0]):
        return "diverging"
    side = np.where(np.abs(d) > 0.02 * abs(d[0]), np.sign(d), 0.0)
    side = side[side != 0]
    if np.any(side[1:] != side[:-1]):
        return "bouncing across the valley"
    if abs(d[-1]) > 0.25 * abs(d[0]):
        return "crawling"
    return "converging"


def _floor(line: _Line, lo: float, hi: float, iterations: int = 30) -> float:
    """Return the t of the lowest loss in [lo, hi] (golden-section search: one valley)."""
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = line.value(c), line.value(d)
    for _ in range(iterations):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = line.value(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = line.value(d)
    return (a + b) / 2


def paths(line: _Line, rates, t_min: float, steps: int, far: float) -> list:
    """Return `steps` steps of t <- t - lr * dL/dt from t = 0 for each (name, lr) of `rates`
    (a path stops once beyond `far`: it diverged), all rates' slopes in one stacked pass."""
    ts = [[0.0] for _ in rates]
    active = list(range(len(rates)))
    for _ in range(steps):
        if not active:
            break
        slopes = line.slopes([ts[i][-1] for i in active])
        still = []
        for i, slope in zip(active, slopes):
            nxt = ts[i][-1] - rates[i][1] * float(slope)
            ts[i].append(nxt)
            if math.isfinite(nxt) and abs(nxt - t_min) <= far:
                still.append(i)  # otherwise far outside the picture
        active = still
    losses = np.split(line.values(np.concatenate(ts)), np.cumsum([len(t) for t in ts])[:-1])
    return [Path(name, lr, np.array(t), loss, outcome(np.array(t), t_min))
            for (name, lr), t, loss in zip(rates, ts, losses)]


def line_picture(net: Network, X, y, loss: str, steps: int = 8, points: int = 81,
                 extra_lrs=()) -> LinePicture:
    """Return the loss along the steepest-descent line and the paths of RATES on it (and of
    each rate in `extra_lrs`, named "your lr", e.g. the experiment's own)."""
    line = _Line(net, X, y, loss)
    start = line.value(0.0)
    if line.norm == 0 or not math.isfinite(line.norm) or not math.isfinite(start):
        return LinePicture(np.zeros(1), np.array([start]), line.norm, 0.0, math.nan)
    # Walk out until the loss climbs back above its start: the valley lies inside.
    reach = 1e-3
    while reach < 1e3 and line.value(reach) < start:
        reach *= 2.0
    grid = np.linspace(0.0, reach, points)
    values = line.values(grid)
    k = int(np.nanargmin(values))
    if k == 0 or k == points - 1:  # no floor inside: the loss only falls (or only rises)
        return LinePicture(grid, values, line.norm, float(grid[k]) if k else 0.0, math.nan)
    t_min = _floor(line, float(grid[k - 1]), float(grid[k + 1]))
    t = np.linspace(-0.8 * t_min, 3.3 * t_min, points)
    picture = LinePicture(t, line.values(t), line.norm, t_min, t_min / line.norm)
    rates = [(name, factor * picture.one_step_lr) for name, factor in RATES]
    picture.paths = paths(line, rates + [("your lr", float(lr)) for lr in extra_lrs], t_min,
                          steps, 50 * t_min)
    return picture


def describe(picture: LinePicture, your_lr: float | None = None) -> list[str]:
    """Return what the picture shows, as sentences with its numbers."""
    if not math.isfinite(picture.grad_norm) or not np.all(np.isfinite(picture.loss)):
        return ["The gradient at these weights is not finite (the training diverged): there "
                "is no slope to follow. Reset, lower the learning rate and train again."]
    if not picture.has_valley:
        return ["Along the steepest-descent direction the loss " +
                ("does not change here (the gradient is zero): there is nothing to descend."
                 if picture.grad_norm == 0 else
                 "only falls as far as the picture reaches: no valley floor to step across "
                 "here, so every learning rate keeps going downhill.")]
    out = [f"The loss is lowest {picture.t_min:.3g} along this line. A learning rate of "
           f"{picture.one_step_lr:.3g} gets there in one step (the first step moves "
           f"η × |dL/dw| = η × {picture.grad_norm:.3g}): call it the one-step rate."]
    for p in picture.paths:
        if p.name == "your lr":
            continue
        out.append(f"{p.name.capitalize()}, η = {p.lr:.3g}: {p.outcome}.")
    mine = [p for p in picture.paths if p.name == "your lr"]
    if your_lr is not None and mine:
        p = mine[0]
        out.append(f"Your learning rate η = {p.lr:g} is {p.lr / picture.one_step_lr:.2g}× the "
                   f"one-step rate: on this line it is {p.outcome}.")
    return out
