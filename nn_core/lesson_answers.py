"""Answer keys of lesson questions, computed by the engine, and the sentences that check them.

A lesson file names a question's *kind* and its indices (sample 2, layer 1, unit 1); the value
comes from the step's experiment through Network.forward / backward, train() and the bug zoo,
so it is exactly what the pages show. Nothing in a lesson file is evaluated. Indices are
1-based as on the pages: node layer 1 is the first hidden layer, weight layer l is W(l) (the
tutorial's weights1 is W(1)). The matrices a step shows beside its questions are
nn_core.lesson_values'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activation_study import train_activations
from .activations import HIDDEN_ACTIVATIONS
from .bugs import BUGS
from .comparison import compare
from .config import LIMITS
from .experiment import Experiment
from .network import Network
from .training import train

# A learning rate's verdicts, as nn_core.lr_verdicts names them (one run alone).
VERDICTS = ("too slow", "improving", "reached target", "oscillates", "diverged")
DIRECTIONS = ("increases", "decreases", "stays the same")


@dataclass(frozen=True)
class Kind:
    name: str
    numeric: bool
    params: tuple  # required, in order
    optional: tuple = ()
    what: str = ""


KINDS = {k.name: k for k in [
    Kind("n_inputs", True, (), (), "how many inputs the network has"),
    Kind("n_parameters", True, (), (), "how many weights (and biases, if on) it has"),
    Kind("pre_activation", True, ("sample", "layer", "unit"), (),
         "z of one unit for one training sample"),
    Kind("activation", True, ("sample", "layer", "unit"), (),
         "a = f(z) of one unit for one training sample"),
    Kind("output", True, ("sample",), ("unit",), "the network's output for one sample"),
    Kind("error", True, ("sample",), ("unit",), "target minus output, y - o, for one sample"),
    Kind("loss", True, (), ("sample",), "the loss at the initial weights (all training rows, "
                                        "or one sample)"),
    Kind("gradient", True, ("layer", "row", "col"), (), "dL/dW of one weight, all training rows"),
    Kind("d_weights", True, ("layer", "row", "col"), (),
         "the tutorial's d_weights of one weight: -dL/dW"),
    Kind("weight_after_update", True, ("layer", "row", "col"), (),
         "one weight after one full-batch update (with the step's bug, if any)"),
    Kind("trained_output", True, ("sample",), ("unit", "epochs"),
         "the output after training (with the step's bug, if any)"),
    Kind("trained_loss", True, (), ("epochs",), "the training loss after training"),
    Kind("update_direction", False, ("layer", "row", "col"), (),
         "which way one update moves a weight"),
    Kind("best_activation", False, ("choices",), ("epochs",),
         "which hidden activation ends with the lowest loss from the same initial weights"),
    Kind("best_learning_rate", False, ("choices",), ("epochs",),
         "which learning rate ends with the lowest loss from the same initial weights"),
    Kind("lr_verdict", False, ("lr",), ("epochs",),
         "what training does at a learning rate: too slow, reached target, oscillates..."),
    Kind("smallest_gradient_layer", False, (), (),
         "which weight layer gets the smallest gradient at the initial weights"),
]}


@dataclass(frozen=True)
class Answer:
    """The engine's answer: a number, or the right choice(s) among `choices`, and a sentence
    saying what was measured."""

    value: object
    correct: tuple = ()  # every choice that counts as right (ties all count)
    choices: tuple = ()
    detail: str = ""


# ---------------------------------------------------------------- parameters
def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def check_params(kind: str, params: dict, exp: Experiment) -> list:
    """Return problems with a question's parameters for this experiment (empty: all good)."""
    spec, problems = KINDS[kind], []
    allowed = set(spec.params) | set(spec.optional)
    for name in sorted(set(params) - allowed):
        problems.append(f"{name} is not a parameter of {kind} "
                        f"(it takes {', '.join(spec.params + spec.optional) or 'none'})")
    for name in spec.params:
        if name not in params:
            problems.append(f"{kind} needs {name}")
    if problems:
        return problems
    sizes, n = exp.net.layer_sizes, len(exp.X_train)

    def in_range(name, high, low=1):
        v = params.get(name)
        if v is not None and (not _int(v) or not low <= v <= high):
            problems.append(f"{name} must be a whole number from {low} to {high}")
            return False
        return True

    in_range("sample", n)
    if in_range("layer", len(sizes) - 1) and "layer" in params:
        layer = params["layer"]
        in_range("unit", sizes[layer])
        in_range("row", sizes[layer - 1])
        in_range("col", sizes[layer])
    elif "unit" in params:
        in_range("unit", sizes[-1])
    in_range("epochs", exp.epoch_cap(exp.config, exp.dataset))
    if "lr" in params:
        v = params["lr"]
        if not isinstance(v, (int, float)) or not LIMITS.min_lr <= v <= LIMITS.max_lr:
            problems.append(f"lr must be a number from {LIMITS.min_lr:g} to {LIMITS.max_lr:g}")
    choices = params.get("choices")
    if kind == "best_activation" and not _choices_ok(choices, HIDDEN_ACTIVATIONS):
        problems.append(f"choices: 2 to 10 of {', '.join(HIDDEN_ACTIVATIONS)}")
    if kind == "best_learning_rate" and not (
            isinstance(choices, tuple) and 2 <= len(choices) <= 6
            and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                    and LIMITS.min_lr <= v <= LIMITS.max_lr for v in choices)
            and len(set(choices)) == len(choices)):
        problems.append(f"choices: 2 to 6 different learning rates from {LIMITS.min_lr:g} "
                        f"to {LIMITS.max_lr:g}")
    return problems


def _choices_ok(choices, allowed) -> bool:
    return (isinstance(choices, tuple) and 2 <= len(choices) <= 10
            and all(c in allowed for c in choices) and len(set(choices)) == len(choices))


# ---------------------------------------------------------------- computations
def trained(exp: Experiment, epochs: int, bug: str = "") -> tuple[Network, np.ndarray]:
    """Return (a copy of the initial net trained `epochs` epochs, its loss before each epoch
    and after the last), as the Training page trains it; with a bug, full-batch bug steps."""
    net = exp.initial_net()
    X, y, loss = exp.X_train, exp.y_train, exp.loss
    if not bug:
        history = train(net, X, y, epochs=epochs, optimizer=exp.make_optimizer(),
                        **exp.train_kwargs())
        return net, np.concatenate([[history.initial_loss], history.loss])
    curve = np.full(epochs + 1, np.nan)
    with np.errstate(all="ignore"):
        for k in range(epochs):
            curve[k] = BUGS[bug].step(net, X, y, loss, exp.config.lr)
            if not all(np.all(np.isfinite(w)) for w in net.weights):
                return net, curve
        curve[epochs] = net.loss(X, y, loss)
    return net, curve


def one_update(exp: Experiment, bug: str = "") -> Network:
    """Return the initial net after one full-batch update (the step's bug, or plain SGD)."""
    net = exp.initial_net()
    if bug:
        BUGS[bug].step(net, exp.X_train, exp.y_train, exp.loss, exp.config.lr)
        return net
    grads = net.backward(net.forward(exp.X_train), exp.y_train, exp.loss)
    for p, g in zip(net.weights + net.biases, grads.weights + grads.biases):
        p -= exp.config.lr * g
    return net


def full_gradients(exp: Experiment):
    net = exp.initial_net()
    return net.backward(net.forward(exp.X_train), exp.y_train, exp.loss)


def answer_key(question, exp: Experiment, bug: str = "") -> Answer:
    """Return the engine's answer to `question` (a lessons.Question) on the experiment."""
    kind, p = question.kind, dict(question.params)
    net = exp.initial_net()
    s = p.get("sample", 1) - 1
    u = p.get("unit", 1) - 1
    epochs = int(p.get("epochs", exp.config.epochs))
    if kind == "n_inputs":
        return Answer(float(net.layer_sizes[0]))
    if kind == "n_parameters":
        count = sum(w.size for w in net.weights) + (
            sum(b.size for b in net.biases) if net.use_bias else 0)
        return Answer(float(count))
    if kind in ("pre_activation", "activation", "output", "error"):
        trace = net.forward(exp.X_train[s:s + 1])
        if kind == "pre_activation":
            return Answer(float(trace.pre_activations[p["layer"] - 1][0, u]))
        if kind == "activation":
            return Answer(float(trace.activations[p["layer"]][0, u]))
        out = float(trace.output[0, u])
        return Answer(out if kind == "output" else float(exp.y_train[s, u]) - out)
    if kind == "loss":
        rows = slice(s, s + 1) if "sample" in p else slice(None)
        return Answer(float(net.loss(exp.X_train[rows], exp.y_train[rows], exp.loss)))
    if kind in ("gradient", "d_weights", "update_direction", "weight_after_update"):
        l, i, j = p["layer"] - 1, p["row"] - 1, p["col"] - 1
        if kind == "weight_after_update":
            return Answer(float(one_update(exp, bug).weights[l][i, j]))
        g = float(full_gradients(exp).weights[l][i, j])
        if kind != "update_direction":
            return Answer(g if kind == "gradient" else -g)
        after = float(one_update(exp).weights[l][i, j])
        before = float(net.weights[l][i, j])
        word = direction(before, after)
        return Answer(word, (word,), DIRECTIONS, f"dL/dW = {g:.6g}: W({l + 1}) row {i + 1} "
                      f"col {j + 1} goes from {before:.6g} to {after:.6g} at lr "
                      f"{exp.config.lr:g}.")
    if kind in ("trained_output", "trained_loss"):
        trained_net, curve = trained(exp, epochs, bug)
        if kind == "trained_loss":
            return Answer(float(curve[-1]))
        return Answer(float(trained_net.forward(exp.X_train[s:s + 1]).output[0, u]))
    if kind == "best_activation":
        runs = train_activations(net, exp.X_train, exp.y_train, p["choices"], epochs,
                                 lr=exp.config.lr, loss=exp.loss, **_study_kwargs(exp))
        finals = {r.name: _final(r.history) for r in runs}
        return _best(finals, p["choices"], f"after {epochs} epochs from the same initial "
                                           "weights")
    if kind == "best_learning_rate":
        runs = compare(net, exp.X_train, exp.y_train, "lr", p["choices"], epochs,
                       **_compare_kwargs(exp))
        finals = {r.value: _final(r.history) for r in runs}
        return _best(finals, p["choices"], f"after {epochs} epochs from the same initial "
                                           "weights")
    if kind == "lr_verdict":
        run = compare(net, exp.X_train, exp.y_train, "lr", [p["lr"]], epochs,
                      **_compare_kwargs(exp))[0]
        # One run alone: "fastest" only means it reached the target. Every label counts.
        labels = tuple(dict.fromkeys("reached target" if lab == "fastest" else lab
                                     for lab in run.labels))
        ranked = tuple(v for v in VERDICTS if v in labels)
        return Answer(ranked[0], ranked, VERDICTS,
                      f"At lr {p['lr']:g} for {epochs} epochs: {', '.join(ranked)}; "
                      f"{run.summary}.")
    if kind == "smallest_gradient_layer":
        norms = [float(np.linalg.norm(w)) for w in full_gradients(exp).weights]
        labels = tuple(f"W({l + 1})" for l in range(len(norms)))
        low = min(norms)
        correct = tuple(lab for lab, v in zip(labels, norms) if v <= low * (1 + 1e-9))
        detail = "Size of dL/dW at the initial weights: " + ", ".join(
            f"{lab} {v:.3g}" for lab, v in zip(labels, norms)) + "."
        return Answer(correct[0], correct, labels, detail)
    raise ValueError(f"unknown question kind {kind!r}")


def _study_kwargs(exp):
    c = exp.config
    return dict(optimizer=c.optimizer, batch_size=c.batch_size or None, seed=c.seed,
                regularization=c.regularization, reg_rate=c.reg_rate)


def _compare_kwargs(exp):
    c = exp.config
    return dict(lr=c.lr, optimizer=c.optimizer, batch_size=c.batch_size or None,
                loss=c.loss, seed=c.seed, regularization=c.regularization,
                reg_rate=c.reg_rate)


def _final(history) -> float:
    """Return the last training loss; a run that diverged counts as infinitely bad."""
    if history.diverged or not len(history.loss):
        return float("inf")
    return float(history.loss[-1])


def direction(before: float, after: float) -> str:
    """Return which way a weight moved: increases, decreases or stays the same."""
    if after > before:
        return "increases"
    return "decreases" if after < before else "stays the same"


def _best(finals: dict, choices, when: str) -> Answer:
    """Return the choice(s) with the lowest final loss (within 1e-9 relative: ties all count)."""
    low = min(finals.values())
    correct = tuple(c for c in choices if finals[c] <= low + 1e-9 * abs(low))
    ranked = sorted(choices, key=lambda c: finals[c])
    text = ", ".join(f"{_label(c)} {_loss_text(finals[c])}" for c in ranked)
    return Answer(correct[0], correct, tuple(choices),
                  f"Final training loss {when}: {text} (lowest first).")


def _label(choice) -> str:
    return f"lr {choice:g}" if isinstance(choice, (int, float)) else str(choice)


def _loss_text(value: float) -> str:
    return "diverged" if not np.isfinite(value) else f"{value:.3g}"


def choices_for(question, exp: Experiment) -> tuple:
    """Return what a choice question offers, without computing its answer (cheap)."""
    if question.kind == "update_direction":
        return DIRECTIONS
    if question.kind == "lr_verdict":
        return VERDICTS
    if question.kind == "smallest_gradient_layer":
        return tuple(f"W({l + 1})" for l in range(len(exp.net.layer_sizes) - 1))
    return tuple(question.param("choices", ()))


# ---------------------------------------------------------------- checking and sentences
def is_right(question, answer: Answer, given) -> bool:
    """Return whether `given` is within tolerance (numbers) or among the right choices."""
    if given is None:
        return False
    if question.numeric:
        try:
            value = float(given)
        except (TypeError, ValueError):
            return False
        return bool(np.isfinite(value)) and abs(value - float(answer.value)) <= \
            question.tolerance + 1e-12
    return given in answer.correct


def reveal_sentence(question, answer: Answer, given) -> str:
    """Return the sentence shown after answering: the engine's value and how far yours was."""
    if question.numeric:
        key = f"{float(answer.value):.6g}"
        if given is None:
            return f"The engine's value: {key}."
        off = abs(float(given) - float(answer.value))
        if off <= question.tolerance + 1e-12:
            return (f"The engine's value: {key}. Yours, {float(given):.6g}, is within "
                    f"{question.tolerance:g} of it.")
        return (f"The engine's value: {key}. Yours, {float(given):.6g}, is {off:.3g} away "
                f"(within {question.tolerance:g} counts).")
    right = " or ".join(_label(c) for c in answer.correct)
    if given is None:
        return f"The engine's answer: {right}. {answer.detail}".strip()
    verdict = "Right" if given in answer.correct else f"You chose {_label(given)}"
    return f"{verdict}: the engine's answer is {right}. {answer.detail}".strip()


def summary_sentence(n_right: int, n_answered: int, n_questions: int) -> str:
    """Return the end-of-lesson line, e.g. '5 of 6 predictions within tolerance.'"""
    if n_questions == 0:
        return "This lesson has no questions."
    text = f"{n_right} of {n_questions} predictions within tolerance"
    missing = n_questions - n_answered
    if missing:
        text += f" ({missing} not answered)"
    return text + "."
