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
    verdict: str  # diverged | oscillates | overshoots | crawls | stalls | converges
    summary: str  # one sentence for the legend / table


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
        verdict, summary = judge(history)
        runs.append(Run(setting_label(kind, value), value, history, verdict, summary))
    return runs


def judge(history: History) -> tuple[str, str]:
    """Return (verdict, one sentence) for a run (see Run.verdict).

    Oscillates: the loss rose by over 2% in at least 10% of the epochs (steps overshoot).
    Overshoots: a single big jump up (History.overshoot), then it settled.
    Crawls: it fell steadily but ended above 70% of where it started (steps too small).
    """
    if history.diverged:
        return "diverged", f"diverged at epoch {history.stop_epoch} (loss NaN/inf)"
    loss = history.loss
    start = history.initial_loss
    if loss.size == 0 or start is None:
        return "converges", "not trained"
    end = float(loss[-1])
    previous = np.concatenate([[start], loss[:-1]])
    rises = int(np.sum(loss > previous * 1.02 + 1e-12))  # minibatch noise stays under 2%
    ratio = end / start if start > 0 else 0.0
    if rises >= max(2, 0.1 * loss.size):
        word = "oscillates" if end < start else "oscillates, no progress"
        return "oscillates", f"{word}: the loss rose in {rises} of {loss.size} epochs"
    if ratio > 1.0:
        return "oscillates", f"loss ended higher than it started ({start:.3g} to {end:.3g})"
    jump = history.overshoot_epoch()
    if jump is not None:
        return "overshoots", (f"overshoots (loss jumps up at epoch {jump}), then "
                              f"{start:.3g} to {end:.3g}")
    if ratio > 0.7:
        return "crawls", f"crawls: loss {start:.3g} to {end:.3g} ({100 * (1 - ratio):.0f}% lower)"
    # Fell a lot but then flat: a plateau the learning rate cannot leave is "stalls".
    tail = loss[-max(2, loss.size // 5):]
    if end > 0.05 * start and np.ptp(tail) < 1e-3 * start and ratio > 0.3:
        return "stalls", f"stalls at loss {end:.3g}"
    return "converges", f"converges: loss {start:.3g} to {end:.3g}"


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
    cols = history_columns(history)
    out = io.StringIO()
    out.write(",".join(cols) + "\n")
    for row in zip(*cols.values()):
        out.write(",".join(str(int(v)) if i == 0 else repr(float(v))
                           for i, v in enumerate(row)) + "\n")
    return out.getvalue()
