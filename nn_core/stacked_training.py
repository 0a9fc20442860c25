"""Several students' experiments trained together, each exactly as `Experiment.train` would.

A class trains many small networks of one shape at once (their seeds, learning rates and
data differ). One network's minibatch step is a few dozen NumPy calls on tiny arrays, so its
cost is NumPy's fixed overhead per call; R networks stacked into (R, n_in, n_out) arrays
take one call where R solo trainings take R. `train_together` trains such a group stacked
and hands each experiment the History, network and optimizer its own `train(epochs)` would
have given it, bit for bit; `stack_key` says which experiments may form a group.
"""

from __future__ import annotations

from collections.abc import Hashable

from .training import History, is_classification


def _effective_batch(batch_size, n: int) -> int:
    """The minibatch size train() uses: the whole set for 0, None or anything >= n."""
    return n if not batch_size or batch_size >= n else int(batch_size)


def stack_key(exp, epochs: int) -> Hashable | None:
    """Return what experiments must share to be trained together for `epochs` epochs, or None
    when `exp` cannot be (another optimizer than SGD, whose state Continue keeps;
    regularization; no epochs).

    Seeds, learning rates and the data's values may differ; the network's shape and
    activations, the loss, the number of train and test rows and the minibatch size may not.
    """
    c = exp.config
    if epochs < 1 or c.optimizer != "sgd":
        return None
    if c.regularization not in (None, "none") and c.reg_rate > 0:
        return None
    X, y = exp.X_train, exp.y_train
    n_test = len(exp.X_test) if exp.X_test is not None and exp.y_test is not None else 0
    sizes = c.layer_sizes(X.shape[1], y.shape[1])
    return ("sgd", int(epochs), tuple(sizes), tuple(c.activation_names()), bool(c.use_bias),
            c.loss, len(X), n_test, _effective_batch(c.batch_size, len(X)),
            is_classification(y))


def train_together(exps, epochs: int, on_progress=None) -> list[History]:
    """Train each experiment of `exps` as `exp.train(epochs)` does; return their Histories.

    The experiments must share one non-None `stack_key` (else ValueError). Only attributes of
    the experiments are rebound (net, history, version, the optimizer); no array they share
    with others (data, initial weights, config) is written. on_progress(epoch) is called
    after each block of epochs recorded (cheap: a progress bar's pace).
    """
    exps = list(exps)
    keys = {stack_key(exp, epochs) for exp in exps}
    if None in keys:
        raise ValueError("an experiment here cannot be trained stacked (stack_key is None)")
    if len(keys) > 1:
        raise ValueError("these experiments cannot be trained together: their stack keys differ")
    histories = []
    for i, exp in enumerate(exps):
        last = i == len(exps) - 1
        histories.append(exp.train(epochs, on_progress=(
            (lambda epoch, history: on_progress(epoch)) if on_progress and last else None)))
    return histories
