"""Train one network from the same initial weights under several settings, and read the runs.

"Which learning rate?" is answered by watching the same start go different ways: each run of
`compare` trains its own copy of `net` (identical initial weights, identical data order), so
the only difference between two curves is the setting that was changed.

Also here: which recorded epochs a replay keeps (`pick_epochs`, `thin_snapshots`) and the
History as CSV (`history_to_csv`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from .lr_verdicts import judge_runs
from .network import Network
from .optimizers import make_optimizer
from .training import History, Snapshot, train

# What each kind of comparison varies, and how its values read on a legend.
KINDS = {
    "lr": "learning rate",
    "optimizer": "optimizer",
    "batch_size": "batch size",
}
OPTIMIZER_NAMES = ("sgd", "momentum", "adam")


@dataclass
class Run:
    """One training run of a comparison: its setting, its History and what it did."""

    label: str
    value: object
    history: History
    verdict: str  # its labels (nn_core.lr_verdicts), e.g. "fastest, oscillates"
    summary: str  # the numbers behind them, one sentence
    labels: tuple = ()


def setting_label(kind: str, value) -> str:
    """Return the legend text of one setting, e.g. 'lr 0.03', 'Adam', 'batch 10', 'full batch'."""
    if kind == "lr":
        return f"lr {value:g}"
    if kind == "optimizer":
        return {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}.get(value, str(value))
    if kind == "batch_size":
        return "full batch" if not value else f"batch {value}"
    raise ValueError(f"unknown comparison kind {kind!r}; expected one of {', '.join(KINDS)}")


def compare(net: Network, X, y, kind: str, values, epochs: int, *, lr: float = 0.1,
            optimizer: str = "sgd", batch_size: int | None = None, **train_kwargs) -> list[Run]:
    """Return one Run per value of `kind`, each trained from a copy of `net`'s current weights.

    `lr`, `optimizer` and `batch_size` are the settings not being varied; `train_kwargs` go to
    train() unchanged (loss, X_test, y_test, seed, regularization, reg_rate). `net` itself is
    not changed.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown comparison kind {kind!r}; expected one of {', '.join(KINDS)}")
    runs = []
    for value in values:
        settings = {"lr": lr, "optimizer": optimizer, "batch_size": batch_size}
        settings[kind] = value
        twin = net.copy()
        opt = make_optimizer(settings["optimizer"], settings["lr"])
        history = train(twin, X, y, epochs=epochs, optimizer=opt,
                        batch_size=settings["batch_size"] or None, record_every=max(1, epochs),
                        **train_kwargs)
        runs.append(Run(setting_label(kind, value), value, history, "", ""))
    # Labels such as "fastest" compare the runs, so they are given once all have trained.
    for run, v in zip(runs, judge_runs([r.history for r in runs])):
        run.verdict, run.summary, run.labels = v.text, v.evidence, v.labels
    return runs


def pick_epochs(epochs, max_count: int) -> list[int]:
    """Return at most `max_count` of the given (sorted) epochs, denser early, first and last kept.

    Weights move fastest at the start, so targets are spaced geometrically (1, 2, 4, ... up to
    the last epoch, with linear spacing blended in) and each takes the nearest recorded epoch.
    """
    epochs = np.unique(np.asarray(epochs, dtype=int))
    if epochs.size <= max_count:
        return epochs.tolist()
    if max_count < 2:
        return epochs[-1:].tolist()
    first, last = int(epochs[0]), int(epochs[-1])
    # Half the frames on a geometric grid, half linear: early detail without starving the end.
    n_geo = max_count // 2
    geo = first + np.geomspace(1, last - first + 1, n_geo) - 1
    lin = np.linspace(first, last, max_count - n_geo)
    targets = np.unique(np.concatenate([geo, lin]))
    idx = np.unique(np.clip(np.searchsorted(epochs, targets), 0, epochs.size - 1))
    # Top up with evenly spaced unused epochs if rounding merged some targets.
    if idx.size < max_count:
        rest = np.setdiff1d(np.arange(epochs.size), idx)
        extra = rest[np.linspace(0, rest.size - 1, max_count - idx.size).astype(int)]
        idx = np.union1d(idx, extra)
    return epochs[idx].tolist()


def thin_snapshots(history: History, max_count: int) -> None:
    """Keep at most `max_count` of history.snapshots (pick_epochs), always epoch 0 and the last."""
    if len(history.snapshots) <= max_count:
        return
    keep = set(pick_epochs([s.epoch for s in history.snapshots], max_count))
    # Copies: train() writes snapshots as views of one block, which the kept ones would pin.
    history.snapshots[:] = [Snapshot(s.epoch, [w.copy() for w in s.weights],
                                     [b.copy() for b in s.biases])
                            for s in history.snapshots if s.epoch in keep]


def history_columns(history: History) -> dict:
    """Return the History as named columns of equal length (one row per epoch trained)."""
    n = len(history.epoch_list)
    cols = {"epoch": history.epochs, "train_loss": history.loss}
    optional = {"test_loss": history.test_loss, "train_accuracy": history.accuracy,
                "test_accuracy": history.test_accuracy,
                "max_weight_change": history.max_weight_change}
    cols.update({k: v for k, v in optional.items() if v is not None and len(v) == n})
    norms = history.grad_norms
    for l in range(norms.shape[1] if norms.ndim == 2 else 0):
        cols[f"grad_norm_layer{l + 1}"] = norms[:, l]
    return cols


def history_to_csv(history: History) -> str:
    """Return the History as CSV text: a header row, then one row per epoch (full precision)."""
    return columns_to_csv(history_columns(history))


def columns_to_csv(cols: dict) -> str:
    """Return history_columns' output as history_to_csv's text (the columns taken now, the
    text written later: a download written when clicked)."""
    out = io.StringIO()
    out.write(",".join(cols) + "\n")
    for row in zip(*cols.values()):
        out.write(",".join(str(int(v)) if i == 0 else repr(float(v))
                           for i, v in enumerate(row)) + "\n")
    return out.getvalue()
