"""Step through one forward pass, the loss, the backward pass and one SGD update, value by value.

Every number a step shows is read from `Network.forward`, `Network.backward` and `SGD.step`,
so a step-through and training can never disagree. Layers are numbered as the formulas number
them: node layer 0 is the input, W^(l) = net.weights[l - 1] feeds node layer l. Units are
0-based in `Step.unit` and 1-based in the formulas.

    >>> st = step_through(net, [0.05, 0.10], [0.01, 0.99], loss="mse", lr=0.5)
    >>> print(st.to_text())

(Over 400 lines on purpose: one builder walks the pass in the order a learner steps through
it, forward, loss, backward, update, each phase reading the graph state the one before left,
so a reader follows the chain rule from z to dL/dW in one file. The formulas' formatting is
nn_core.stepformat's, the page's view ui.stepper's.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .activations import get_activation
from .losses import fused_output_delta, get_loss
from .network import Gradients, Network, as_batch, as_targets
from .optimizers import SGD
from .stepformat import LINE_EM, Fmt, widest_line

GRANULARITIES = ("neuron", "layer")
PHASES = ("forward", "loss", "backward", "update")
MAX_BATCH = 16


@dataclass
class Step:
    """One step: what it computes, the formula with its numbers, and what the graph shows.

    `node_values[k]` holds layer k's values known so far (forward: a; backward: delta), NaN
    where not yet computed; `edge_values[l]` (backward: dL/dW, update: W after) likewise, or
    None when the graph should draw the weights as they are.
    """

    phase: str
    kind: str
    layer: int | None
    unit: int | None
    title: str
    latex: str
    text: str
    general: str = ""  # the symbolic form (e.g. the layer's z = aW + b)
    values: dict = field(default_factory=dict)
    node_values: list | None = None
    edge_values: list | None = None
    highlight_nodes: tuple = ()
    highlight_edges: tuple = ()  # (weight layer index l - 1, i, j)
    index: int = 0

    @property
    def wide(self) -> bool:
        """Whether the formula needs the page's full width (a matrix form) rather than a
        column beside the graph."""
        return widest_line(self.latex) > LINE_EM


@dataclass
class StepThrough:
    """The steps of one pass over (X, y), and the engine objects they were read from."""

    net: Network
    X: np.ndarray
    y: np.ndarray
    loss: str
    lr: float
    granularity: str
    trace: object
    grads: Gradients
    net_after: Network
    loss_after: float
    steps: list

    def phase(self, *names) -> list:
        """Return the steps of the given phases, in order."""
        return [s for s in self.steps if s.phase in names]

    def to_text(self, phases=PHASES) -> str:
        """Return the steps as plain text, one block per step (for a notebook or a terminal)."""
        chosen = self.phase(*phases)
        lines = []
        for k, s in enumerate(chosen, 1):
            lines.append(f"[{k}/{len(chosen)}] {s.phase}: {s.title}")
            lines.extend("    " + line for line in s.text.split("\n"))
        return "\n".join(lines)


def step_through(net: Network, X, y, loss: str = "sse", lr: float = 0.1,
                 granularity: str = "neuron", digits: int = 6,
                 forward_only: bool = False) -> StepThrough:
    """Return every step of one forward pass, loss, backward pass and SGD(lr) update of (X, y).

    X is one sample (n_in,) or, with granularity "layer", a batch of up to MAX_BATCH rows; the
    graph values of a batch are its first sample's. forward_only=True writes out only the
    forward and loss steps (the same steps as in the whole run; the gradients and the update
    are still computed, as engine objects): about a third of the formatting.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {', '.join(GRANULARITIES)}")
    X = as_batch(X, net.layer_sizes[0])
    if X.shape[0] > 1 and granularity == "neuron":
        raise ValueError("neuron by neuron works on one sample; use granularity='layer'")
    if X.shape[0] > MAX_BATCH:
        raise ValueError(f"a step-through takes at most {MAX_BATCH} samples")
    y = as_targets(y, X.shape[0], net.layer_sizes[-1])
    get_loss(loss)
    net = net.copy()
    trace = net.forward(X)
    grads = net.backward(trace, y, loss)
    net_after = net.copy()
    SGD(lr).step(net_after, grads)
    loss_after = net_after.loss(X, y, loss)
    builder = _Builder(net, X, y, loss, lr, granularity, trace, grads, net_after, loss_after,
                       digits)
    steps = builder.build(forward_only)
    for k, s in enumerate(steps):
        s.index = k
    return StepThrough(net, X, y, loss, float(lr), granularity, trace, grads, net_after,
                       loss_after, steps)


def _stacked(general):
    """The rule with each of its formulas on a line of its own (they sit in a narrow box)."""
    if r",\quad " not in general:
        return general
    return r"\begin{gathered} " + general.replace(r",\quad ", r" \\ ") + r" \end{gathered}"


def _nan_like(arrays):
    return [np.full(np.shape(a), np.nan) for a in arrays]


class _Builder:
    """Builds the steps; each formula is written twice, as LaTeX and as plain text."""

    def __init__(self, net, X, y, loss, lr, granularity, trace, grads, net_after, loss_after,
                 digits):
        self.net, self.X, self.y, self.loss, self.lr = net, X, y, loss, lr
        self.neuron = granularity == "neuron"
        self.trace, self.grads = trace, grads
        self.net_after, self.loss_after = net_after, loss_after
        self.tex, self.txt = Fmt(True, digits), Fmt(False, digits)
        self.L = net.n_layers
        self.steps = []
        # Graph state, updated as steps are added; each step keeps a copy.
        self.a_known = [trace.activations[0][0].copy()] + _nan_like(
            [a[0] for a in trace.activations[1:]])
        self.delta_known = _nan_like([a[0] for a in trace.activations])
        self.grad_known = _nan_like(net.weights)
        self.w_now = [w.copy() for w in net.weights]

    def add(self, phase, kind, layer, unit, title, render, values, general="",
            nodes=(), edges=()):
        if phase in ("forward", "loss"):
            node_values, edge_values = [a.copy() for a in self.a_known], None
        elif phase == "backward":
            node_values = [d.copy() for d in self.delta_known]
            edge_values = [g.copy() for g in self.grad_known]
        else:
            node_values, edge_values = None, [w.copy() for w in self.w_now]
        self.steps.append(Step(
            phase, kind, layer, unit, title,
            r"\begin{gathered} " + self.tex.finish(render(self.tex)) + r" \end{gathered}",
            render(self.txt),
            _stacked(general), values, node_values, edge_values, tuple(nodes), tuple(edges)))

    def build(self, forward_only=False):
        self.input_step()
        for l in range(1, self.L + 1):
            self.forward_layer(l)
        self.loss_step()
        if forward_only:
            return self.steps
        for l in range(self.L, 0, -1):
            self.backward_layer(l)
        for l in range(1, self.L + 1):
            self.update_layer(l)
        self.loss_after_step()
        return self.steps

    # ---- forward ----
    def input_step(self):
        x, y = self.X, self.y

        def render(f):
            return f.eq(f.v("a", 0), f.v("x"), f.vec(x))

        n0 = self.net.layer_sizes[0]
        self.add("forward", "input", 0, None, "The input", render, {"x": x, "y": y},
                 nodes=[(0, i) for i in range(n0)])

    def forward_layer(self, l):
        net, trace = self.net, self.trace
        W, b = net.weights[l - 1], net.biases[l - 1]
        a_prev, z, a = trace.activations[l - 1], trace.pre_activations[l - 1], trace.activations[l]
        act = get_activation(net.activations[l - 1])
        general = (rf"z^{{({l})}} = a^{{({l - 1})}} W^{{({l})}} + b^{{({l})}},\quad "
                   rf"a^{{({l})}} = {act.latex.split(' = ')[0].replace('(z)', f'(z^{{({l})}})')}")
        name = "output layer" if l == self.L else f"hidden layer {l}"
        n_in, n_out = W.shape
        if self.neuron:
            for j in range(n_out):
                def render(f, j=j):
                    terms = [f.mul(a_prev[0, i], W[i, j]) for i in range(n_in)]
                    if net.use_bias:
                        terms.append(f.n(b[j]))
                    sym = [f.mul_sym(f.v("a", l - 1, i + 1), f.v("w", l, i + 1, j + 1))
                           for i in range(n_in)]
                    if net.use_bias:
                        sym.append(f.v("b", l, j + 1))
                    line = f.eq(f.v("z", l, j + 1), f.sum(sym), f.sum(terms), f.n(z[0, j]))
                    if act.elementwise:
                        line += f.newline() + f.eq(f.v("a", l, j + 1),
                                                   f.act(act.name, f.n(z[0, j])), f.n(a[0, j]))
                    return line

                if act.elementwise:
                    self.a_known[l][j] = a[0, j]
                self.add("forward", "neuron", l, j, f"{name}, neuron {j + 1}: weighted sum and "
                         f"activation", render,
                         {"a_prev": a_prev[0], "w": W[:, j], "b": b[j], "z": z[0, j],
                          "a": a[0, j]}, general, nodes=[(l, j)],
                         edges=[(l - 1, i, j) for i in range(n_in)])
            if not act.elementwise:
                self.softmax_step(l, z, a)
            return

        def render(f):
            if not f.tex or W.shape[1] == 1:
                return (f.eq(f.v("z", l), f.mat(a_prev) + f.matmul() + f.mat(W)
                             + (f.then("+") + f.mat(b[None, :]) if net.use_bias else ""),
                             f.mat(z))
                        + f.newline()
                        + f.eq(f.v("a", l), f.act(act.name, f.v("z", l)), f.mat(a)))
            # Transposed, one row per neuron of the layer: row j is z_j's weighted sum.
            t = r"^{\top}"
            return (f.eq(f"(z^{{({l})}}){t}", f.mat(W.T) + f.then(r"\,") + f.mat(a_prev.T)
                         + (f.then("+") + f.mat(b[:, None]) if net.use_bias else ""),
                         f.mat(z.T))
                    + f.newline()
                    + f.eq(f"(a^{{({l})}}){t}", f.act(act.name, f"(z^{{({l})}}){t}"),
                           f.mat(a.T)))

        self.a_known[l][:] = a[0]
        self.add("forward", "layer", l, None, f"{name}: z = aW + b, then a = f(z)", render,
                 {"a_prev": a_prev, "W": W, "b": b, "z": z, "a": a}, general,
                 nodes=[(l, j) for j in range(n_out)],
                 edges=[(l - 1, i, j) for i in range(n_in) for j in range(n_out)])

    def softmax_step(self, l, z, a):
        def render(f):
            return f.eq(f.v("a", l), f.act("softmax", f.mat(z)), f.mat(a))

        self.a_known[l][:] = a[0]
        self.add("forward", "softmax", l, None, "softmax over the output layer", render,
                 {"z": z, "a": a}, nodes=[(l, j) for j in range(a.shape[1])])

    def loss_step(self):
        o, y, value = self.trace.output, self.y, self.grads.loss
        loss = get_loss(self.loss)

        def render(f):
            return f.eq("L", f.loss_terms(self.loss, o, y), f.n(value))

        out = self.L
        self.add("loss", "loss", out, None, f"The loss ({self.loss})", render,
                 {"output": o, "y": y, "loss": value}, loss.latex,
                 nodes=[(out, j) for j in range(o.shape[1])])

    # ---- backward ----
    def backward_layer(self, l):
        net, trace, grads = self.net, self.trace, self.grads
        z, a, a_prev = trace.pre_activations[l - 1], trace.activations[l], trace.activations[l - 1]
        delta, act = grads.deltas[l - 1], get_activation(net.activations[l - 1])
        fused = l == self.L and fused_output_delta(net.activations[-1], self.loss)
        if l == self.L:
            loss = get_loss(self.loss)
            dL_da = None if fused else loss.gradient(a, self.y)
            da_general = loss.gradient_latex
        else:
            W_next, delta_next = net.weights[l], grads.deltas[l]
            # The same product backward() forms before multiplying by f'(z).
            dL_da = delta_next @ W_next.T
            da_general = (rf"\frac{{\partial L}}{{\partial a^{{({l})}}}} = "
                          rf"\delta^{{({l + 1})}} (W^{{({l + 1})}})^T")
        units = range(a.shape[1]) if self.neuron else [None]
        whole_layer = fused or not act.elementwise  # delta needs every unit at once
        if whole_layer:
            for j in units if dL_da is not None else ():
                self.da_step(l, j, dL_da, da_general)
            self.delta_layer_step(l, z, a, dL_da, delta, fused)
        for j in units:
            if not whole_layer:
                self.da_step(l, j, dL_da, da_general)
                self.delta_step(l, j, z, dL_da, delta, act)
            self.grad_step(l, j, a_prev, delta)
            if j is None and net.use_bias:
                self.bias_grad_step(l, delta)

    def da_step(self, l, j, dL_da, general):
        sel = slice(None) if j is None else j
        who = "the output" if l == self.L else f"layer {l}'s activations"
        if l == self.L:
            o, y = self.trace.output, self.y

            def render(f):
                value = f.mat(dL_da) if j is None else f.n(dL_da[0, j])
                return f.eq(f.dL("a", l, None if j is None else j + 1),
                            f.loss_grad_terms(self.loss, o, y, j), value)
        else:
            W, d = self.net.weights[l], self.grads.deltas[l]

            def render(f):
                if j is None:
                    return f.eq(f.dL("a", l), f.mat(d) + f.then(f.matmul().strip() or " ")
                                + f.mat(W.T), f.mat(dL_da))
                terms = [f.mul(W[j, k], d[0, k]) for k in range(W.shape[1])]
                sym = [f.mul_sym(f.v("w", l + 1, j + 1, k + 1), f.v("delta", l + 1, k + 1))
                       for k in range(W.shape[1])]
                return f.eq(f.dL("a", l, j + 1), f.sum(sym), f.sum(terms), f.n(dL_da[0, j]))

        title = (f"How the loss changes with {who}" if j is None
                 else f"dL/da for neuron {j + 1} of layer {l}")
        edges = ([] if l == self.L else
                 [(l, jj, k) for jj in ([j] if j is not None else range(dL_da.shape[1]))
                  for k in range(self.net.weights[l].shape[1])])
        nodes = [(l, jj) for jj in ([j] if j is not None else range(dL_da.shape[1]))]
        self.add("backward", "dL_da", l, j, title, render, {"dL_da": dL_da[:, sel]}, general,
                 nodes=nodes, edges=edges)

    def delta_step(self, l, j, z, dL_da, delta, act):
        deriv = act.derivative(z)
        if j is None:
            parts = (dL_da, deriv, delta)
            self.delta_known[l][:] = delta[0]
            title, nodes = f"delta of layer {l}", [(l, k) for k in range(delta.shape[1])]
        else:
            parts = (dL_da[0, j], deriv[0, j], delta[0, j])
            self.delta_known[l][j] = delta[0, j]
            title, nodes = f"delta of neuron {j + 1} in layer {l}", [(l, j)]

        def render(f):
            jj = None if j is None else j + 1
            return f.eq(f.v("delta", l, jj), f.dL("a", l, jj) + f.times()
                        + f.deriv(act.name, f.v("z", l, jj)), f.hadamard(parts[0], parts[1]),
                        f.vals(parts[2]))

        self.add("backward", "delta", l, j, title, render,
                 {"dL_da": parts[0], "f_prime": parts[1], "delta": parts[2]},
                 rf"\delta^{{({l})}} = \frac{{\partial L}}{{\partial a^{{({l})}}}} \odot "
                 rf"f'(z^{{({l})}}),\quad {act.derivative_latex}", nodes=nodes)

    def delta_layer_step(self, l, z, a, dL_da, delta, fused):
        if fused:
            n = self.y.size if self.net.activations[-1] == "sigmoid" else self.y.shape[0]

            def render(f):
                return f.eq(f.v("delta", l), f.frac(f.mat(a) + " - " + f.mat(self.y), str(n)),
                            f.mat(delta))
            general = (r"\delta^{(L)} = \frac{a^{(L)} - y}{N}"
                       r",\quad \text{(the activation's derivative}"
                       r" \\ \text{cancels against the loss's)}")
        else:
            def render(f):
                return f.eq(f.v("delta", l), f.jvp(f.mat(a), f.mat(dL_da)), f.mat(delta))
            general = r"\delta_i = a_i\left(g_i - \sum_j g_j a_j\right),\ g = \partial L/\partial a"
        self.delta_known[l][:] = delta[0]
        self.add("backward", "delta", l, None, f"delta of the output layer {l}", render,
                 {"delta": delta}, general, nodes=[(l, k) for k in range(delta.shape[1])])

    def grad_step(self, l, j, a_prev, delta):
        dW, db = self.grads.weights[l - 1], self.grads.biases[l - 1]
        n_in = a_prev.shape[1]
        if j is None:
            def render(f):
                return f.eq(f.dL("W", l), f.mat(a_prev.T) + f.then(f.matmul().strip() or " ")
                            + f.mat(delta), f.mat(dW))
            self.grad_known[l - 1][:] = dW
            edges = [(l - 1, i, k) for i in range(n_in) for k in range(dW.shape[1])]
            self.add("backward", "grad_W", l, None, f"Weight gradients of W({l})", render,
                     {"a_prev": a_prev, "delta": delta, "dW": dW},
                     rf"\frac{{\partial L}}{{\partial W^{{({l})}}}} = (a^{{({l - 1})}})^T "
                     rf"\delta^{{({l})}}", edges=edges)
            return

        def render(f):
            lines = [f.eq(f.dL("w", l, i + 1, j + 1), f.mul_sym(f.v("a", l - 1, i + 1),
                          f.v("delta", l, j + 1)), f.mul(a_prev[0, i], delta[0, j]),
                          f.n(dW[i, j])) for i in range(n_in)]
            if self.net.use_bias:
                lines.append(f.eq(f.dL("b", l, j + 1), f.v("delta", l, j + 1), f.n(db[j])))
            return f.newline().join(lines)

        self.grad_known[l - 1][:, j] = dW[:, j]
        self.add("backward", "grad_W", l, j, f"Gradients of the weights into neuron {j + 1} "
                 f"of layer {l}", render,
                 {"a_prev": a_prev[0], "delta": delta[0, j], "dW": dW[:, j], "db": db[j]},
                 r"\frac{\partial L}{\partial w_{ij}} = a_i \delta_j,\quad "
                 r"\frac{\partial L}{\partial b_j} = \delta_j",
                 nodes=[(l, j)], edges=[(l - 1, i, j) for i in range(n_in)])

    def bias_grad_step(self, l, delta):
        db = self.grads.biases[l - 1]

        def render(f):
            return f.eq(f.dL("b", l), f.colsum(f.mat(delta)), f.mat(db[None, :]))

        self.add("backward", "grad_b", l, None, f"Bias gradients of b({l})", render,
                 {"delta": delta, "db": db},
                 rf"\frac{{\partial L}}{{\partial b^{{({l})}}}} = \sum_{{\text{{samples}}}} "
                 rf"\delta^{{({l})}}", nodes=[(l, k) for k in range(db.shape[0])])

    # ---- update ----
    def update_layer(self, l):
        W, b = self.net.weights[l - 1], self.net.biases[l - 1]
        W1, b1 = self.net_after.weights[l - 1], self.net_after.biases[l - 1]
        dW, db = self.grads.weights[l - 1], self.grads.biases[l - 1]
        lr, bias = self.lr, self.net.use_bias
        general = r"w \leftarrow w - \eta\,\frac{\partial L}{\partial w}"
        if self.neuron:
            for j in range(W.shape[1]):
                def render(f, j=j):
                    lines = [f.eq(f.v("w", l, i + 1, j + 1), f.update(W[i, j], lr, dW[i, j]),
                                  f.n(W1[i, j]), rel="<-")
                             for i in range(W.shape[0])]
                    if bias:
                        lines.append(f.eq(f.v("b", l, j + 1), f.update(b[j], lr, db[j]),
                                          f.n(b1[j]), rel="<-"))
                    return f.newline().join(lines)

                self.w_now[l - 1][:, j] = W1[:, j]
                self.add("update", "update", l, j, f"Update the weights into neuron {j + 1} of "
                         f"layer {l} (learning rate {lr:g})", render,
                         {"W_before": W[:, j], "dW": dW[:, j], "W_after": W1[:, j],
                          "b_before": b[j], "db": db[j], "b_after": b1[j], "lr": lr},
                         general, nodes=[(l, j)],
                         edges=[(l - 1, i, j) for i in range(W.shape[0])])
            return

        def render(f):
            line = f.eq(f.v("W", l), f.mat(W) + f.then("-") + f.n(lr) + f.times() + f.mat(dW),
                        f.mat(W1), rel="<-")
            if bias:
                line += f.newline() + f.eq(f.v("b", l), f.mat(b[None, :]) + f.then("-")
                                           + f.n(lr) + f.times() + f.mat(db[None, :]),
                                           f.mat(b1[None, :]), rel="<-")
            return line

        self.w_now[l - 1][:] = W1
        self.add("update", "update", l, None, f"Update W({l}) and b({l}) (learning rate {lr:g})",
                 render, {"W_before": W, "dW": dW, "W_after": W1, "b_before": b, "db": db,
                          "b_after": b1, "lr": lr}, general,
                 edges=[(l - 1, i, j) for i in range(W.shape[0]) for j in range(W.shape[1])])

    def loss_after_step(self):
        before, after = self.grads.loss, self.loss_after

        def render(f):
            gap = f.newline() if f.tex else f.sep()  # one per line on the page
            return (f.eq(f.text("L before"), f.n(before)) + gap
                    + f.eq(f.text("L after"), f.n(after)) + gap
                    + f.eq(f.text("change"), f.n(after - before)))

        self.add("update", "loss_after", None, None, "The loss before and after the update",
                 render, {"loss_before": before, "loss_after": after})
