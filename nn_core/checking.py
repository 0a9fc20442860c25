"""Check your own numbers: compare a learner's hand-computed values with the true ones.

The learner gives a network (its weights), an input and a target, and any of the values their
own code produced. The true values come from forward(), backward() and one SGD step; the
comparison runs in the order the values are computed (forward, loss, backward, update), so the
first value that differs is where their code first goes wrong.

JSON schema (see `template()` for a filled-in example):

    {"network": {"layer_sizes": [2, 2, 2], "activations": ["sigmoid", "sigmoid"],
                 "use_bias": true, "weights": [W1, W2], "biases": [b1, b2]},
     "loss": "mse", "learning_rate": 0.5,
     "input": [0.05, 0.10]   (one sample, or a list of rows),
     "target": [0.01, 0.99],
     "yours": {"z1": [...],   (null for a number you did not compute) "a1": [...], "output": [...], "loss": 0.2984,
               "delta2": [...], "dW2": [[...]], "db2": [...], ..., "W1_new": [[...]], ...}}

W_l has shape (units in layer l-1, units in layer l): W[i][j] joins unit i to unit j.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from .build import build_network, worked_example_dataset
from .config import PRESETS as CONFIG_PRESETS
from .losses import LOSSES
from .network import Network, as_batch, as_targets
from .optimizers import SGD
from .serialization import network_from_dict, read_json

MAX_TEXT_BYTES = 200_000
MAX_UNITS = 16
MAX_WEIGHT_LAYERS = 7
MAX_ROWS = 16
DEFAULT_TOL = 1e-6


def value_names(n_layers: int, use_bias: bool = True) -> list:
    """Return the names a learner can give, in the order they are computed."""
    names = []
    for l in range(1, n_layers + 1):
        names += [f"z{l}", f"a{l}"]
    names.append("loss")
    for l in range(n_layers, 0, -1):
        names += [f"delta{l}", f"dW{l}"] + ([f"db{l}"] if use_bias else [])
    for l in range(1, n_layers + 1):
        names += [f"W{l}_new"] + ([f"b{l}_new"] if use_bias else [])
    return names


def true_values(net: Network, X, y, loss: str, lr: float) -> dict:
    """Return every checkable value by name, read from forward(), backward() and SGD(lr)."""
    trace = net.forward(X)
    grads = net.backward(trace, y, loss)
    after = net.copy()
    SGD(lr).step(after, grads)
    values = {}
    for l in range(1, net.n_layers + 1):
        values[f"z{l}"] = trace.pre_activations[l - 1]
        values[f"a{l}"] = trace.activations[l]
    values["loss"] = np.array(grads.loss)
    for l in range(net.n_layers, 0, -1):
        values[f"delta{l}"] = grads.deltas[l - 1]
        values[f"dW{l}"] = grads.weights[l - 1]
        if net.use_bias:
            values[f"db{l}"] = grads.biases[l - 1]
    for l in range(1, net.n_layers + 1):
        values[f"W{l}_new"] = after.weights[l - 1]
        if net.use_bias:
            values[f"b{l}_new"] = after.biases[l - 1]
    return {name: values[name] for name in value_names(net.n_layers, net.use_bias)}


@dataclass
class CheckInput:
    """A checking problem: network, input, target, loss, learning rate, and the learner's values."""

    net: Network
    X: np.ndarray
    y: np.ndarray
    loss: str
    lr: float
    yours: dict


@dataclass
class CheckResult:
    """One row per compared number, in computation order, and the first that differs."""

    rows: list
    missing: list  # names the learner did not give

    @property
    def first_mismatch(self):
        return next((r for r in self.rows if not r["match"]), None)

    @property
    def all_match(self) -> bool:
        return bool(self.rows) and self.first_mismatch is None

    def summary(self) -> str:
        """Return one sentence: all match, or where the first difference is and how large."""
        if not self.rows:
            return "No values to compare: give at least one of your values."
        bad = self.first_mismatch
        if bad is None:
            return f"All {len(self.rows)} values you gave match the true values."
        text = (f"First difference: {bad['label']}: yours {bad['yours']:.10g}, true "
                f"{bad['true']:.10g}, off by {bad['abs_diff']:.3g}.")
        return text + (" " + bad["hint"] if bad["hint"] else "")


def _hint(name, true, theirs, close):
    if name.startswith(("dW", "db")) and close(-theirs, true) and not close(theirs, true):
        return ("Yours is minus the gradient: the tutorial's d_weights = 2 (y - o) ... are "
                "the descent step -dL/dW, not dL/dW.")
    if name.startswith("a") and close(theirs, true * (1 - true)):
        return "Yours is a (1 - a), the sigmoid's derivative, rather than a itself."
    return ""


def compare(problem: CheckInput, rtol: float = DEFAULT_TOL, atol: float = DEFAULT_TOL
            ) -> CheckResult:
    """Compare the learner's values with the true ones, number by number, in order."""
    truth = true_values(problem.net, problem.X, problem.y, problem.loss, problem.lr)
    yours = dict(problem.yours)
    if "output" in yours:
        out = f"a{problem.net.n_layers}"
        if out in yours:
            raise ValueError(f"give the output either as 'output' or as '{out}', not both")
        yours[out] = yours.pop("output")

    def close(a, b):
        return bool(np.all(np.abs(np.asarray(a) - np.asarray(b)) <= atol + rtol * np.abs(b)))

    rows, missing = [], []
    for name, true in truth.items():
        if name not in yours:
            missing.append(name)
            continue
        theirs = _shaped(yours[name], true, name)
        for idx in np.ndindex(true.shape):
            t, u = float(true[idx]), float(theirs[idx])
            if np.isnan(u):  # null in JSON, an empty cell in a table: not given
                continue
            diff = abs(u - t)
            match = diff <= atol + rtol * abs(t)
            label = name + (f"[{', '.join(map(str, idx))}]" if idx else "")
            rows.append({"name": name, "label": label, "index": idx, "true": t, "yours": u,
                         "abs_diff": diff, "match": bool(match),
                         "hint": "" if match else _hint(name, t, u, close)})
    return CheckResult(rows, missing)


def _shaped(value, true, name):
    """Return the learner's value as an array of the true value's shape, or raise ValueError."""
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or a list of numbers") from None
    if np.any(np.isinf(arr)):
        raise ValueError(f"{name} contains an infinite value")
    if arr.size != true.size:
        raise ValueError(f"{name} must have {true.size} value(s) (shape {true.shape}); "
                         f"got {arr.size} (shape {arr.shape})")
    if arr.shape != true.shape and arr.squeeze().shape != true.squeeze().shape:
        raise ValueError(f"{name} must have shape {true.shape}; got {arr.shape}")
    return arr.reshape(true.shape)


def parse_check_json(text) -> CheckInput:
    """Return the checking problem in a JSON text, or raise ValueError saying what is wrong."""
    data = read_json(text, MAX_TEXT_BYTES, "the text")
    if not isinstance(data, dict):
        raise ValueError("the JSON must be an object with network, input, target and yours")
    missing = [k for k in ("network", "input", "target") if k not in data]
    if missing:
        raise ValueError(f"the JSON lacks {', '.join(missing)}")
    return problem_from_dict(data)


def problem_from_dict(data: dict) -> CheckInput:
    """Return the checking problem described by a dict (the JSON schema above)."""
    spec = data["network"]
    if isinstance(spec, dict):
        sizes = spec.get("layer_sizes")
        if isinstance(sizes, list) and (len(sizes) > MAX_WEIGHT_LAYERS + 1 or any(
                isinstance(s, int) and s > MAX_UNITS for s in sizes)):
            raise ValueError(f"this checker takes at most {MAX_WEIGHT_LAYERS} weight layers of "
                             f"at most {MAX_UNITS} units")
    net = network_from_dict(spec)
    loss = data.get("loss", "sse")
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {str(loss)[:30]!r}")
    lr = data.get("learning_rate", 0.1)
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 <= lr <= 100:
        raise ValueError("learning_rate must be a number from 0 to 100")
    try:
        X = as_batch(np.array(data["input"], dtype=float), net.layer_sizes[0], "input")
        y = as_targets(np.array(data["target"], dtype=float), X.shape[0], net.layer_sizes[-1])
    except (TypeError, ValueError) as err:
        raise ValueError(f"input/target: {err}") from None
    if X.shape[0] > MAX_ROWS:
        raise ValueError(f"at most {MAX_ROWS} input rows")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("input and target must be finite numbers")
    yours = data.get("yours", {})
    if not isinstance(yours, dict):
        raise ValueError("yours must be an object mapping value names to numbers")
    known = value_names(net.n_layers, net.use_bias)
    unknown = [k for k in yours if k not in known and k != "output"]
    if unknown:
        raise ValueError(f"unknown value name(s) {', '.join(map(str, unknown))[:80]}; "
                         f"known names: output, {', '.join(known)}")
    problem = CheckInput(net, X, y, loss, float(lr), yours)
    compare(problem)  # raises on a value of the wrong shape, before anything uses it
    return problem


def parse_matrix_csv(text, max_rows: int = MAX_UNITS, max_cols: int = MAX_UNITS) -> np.ndarray:
    """Return the numbers of a comma-separated matrix (one row per line), or raise ValueError."""
    if isinstance(text, bytes):
        try:
            text = text[:MAX_TEXT_BYTES + 1].decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("the file is not UTF-8 text") from None
    if len(text) > MAX_TEXT_BYTES:
        raise ValueError(f"the text is longer than {MAX_TEXT_BYTES // 1000} kB")
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise ValueError("the CSV is empty")
    if len(lines) > max_rows:
        raise ValueError(f"at most {max_rows} rows; got {len(lines)}")
    rows = []
    for k, line in enumerate(lines, 1):
        cells = [c.strip() for c in line.split(",")]
        try:
            row = [float(c) for c in cells]
        except ValueError:
            raise ValueError(f"row {k}: every cell must be a number; got {line[:40]!r}") from None
        if not all(np.isfinite(row)):
            raise ValueError(f"row {k}: NaN and infinity are not allowed")
        rows.append(row)
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise ValueError(f"every row needs the same number of values; got {sorted(widths)}")
    if widths.pop() > max_cols:
        raise ValueError(f"at most {max_cols} columns")
    return np.array(rows)


# ---- presets ----
def _mazur():
    # The worked-example preset itself: its data, fixed weights, loss and learning rate.
    config = CONFIG_PRESETS["worked_example"][1]
    data = worked_example_dataset()
    net = build_network(config, data)
    return CheckInput(net, data.X_train, data.y_train, config.loss, config.lr, {})


def _tutorial():
    # The tutorial's 3-4-1 net on its four XOR rows; weights rounded so they can be typed.
    net = Network([3, 4, 1], "sigmoid", init="uniform", seed=0, use_bias=False)
    net.set_params([np.round(w, 2) for w in net.weights], net.biases)
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    return CheckInput(net, X, np.array([[0], [1], [1], [0]], dtype=float), "sse", 1.0, {})


PRESETS = {
    "worked_example": ("2-2-2 worked example (Mazur 2015), MSE, lr 0.5", _mazur),
    "tutorial": ("The tutorial's 3-4-1 XOR net (no biases), SSE, lr 1", _tutorial),
}


def preset(name: str) -> CheckInput:
    """Return a fresh checking problem for a preset name (no values of yours yet)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; expected one of {', '.join(PRESETS)}")
    return PRESETS[name][1]()


def to_dict(problem: CheckInput, with_truth: bool = False) -> dict:
    """Return the problem as the JSON schema's dict; with_truth fills `yours` with true values."""
    net = problem.net
    single = problem.X.shape[0] == 1
    yours = problem.yours
    if with_truth:
        yours = {k: v.tolist() for k, v in true_values(
            net, problem.X, problem.y, problem.loss, problem.lr).items()}
    return {
        "network": {"layer_sizes": net.layer_sizes, "activations": net.activations,
                    "use_bias": net.use_bias, "weights": [w.tolist() for w in net.weights],
                    "biases": [b.tolist() for b in net.biases]},
        "loss": problem.loss, "learning_rate": problem.lr,
        "input": (problem.X[0] if single else problem.X).tolist(),
        "target": (problem.y[0] if single else problem.y).tolist(),
        "yours": yours,
    }


def template(name: str = "worked_example") -> str:
    """Return a preset as JSON with every value filled in with the true numbers, to edit."""
    return json.dumps(to_dict(preset(name), with_truth=True), indent=1)
