"""What a learning rate did, named by rules a student can check against the loss curve.

Every label has a definition computed from the recorded History alone (`DEFINITIONS`, filled
in with this comparison's numbers by `definitions`), and `judge_runs` gives each run of one
comparison its labels and a sentence with the numbers behind them. Pure functions: no
training, no UI.

    diverged        the loss became NaN or infinite (training stopped)
    oscillates      the loss rose by more than 1% in at least 5 of the last 20 epochs
    fastest         the first run to reach the target (a tenth of the starting loss)
    reached target  reached the target, but not first
    improving       below half its starting loss at the end, target not reached
    too slow        still above half its starting loss after all its epochs
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TARGET_FRACTION = 0.1  # the target: a tenth of the starting loss
SLOW_FRACTION = 0.5  # too slow: still above half of the starting loss at the end
WINDOW = 20  # oscillates: rises counted over the last WINDOW epochs...
RISES = 5  # ...at least RISES of them...
RISE = 0.01  # ...each more than 1% above the epoch before (minibatch noise stays below)

LABELS = ("diverged", "oscillates", "fastest", "reached target", "improving", "too slow")


@dataclass(frozen=True)
class Verdict:
    """A run's labels (in LABELS order) and one sentence with the numbers behind them."""

    labels: tuple
    evidence: str

    @property
    def text(self) -> str:
        return ", ".join(self.labels)


def definitions(start: float | None = None) -> dict:
    """Return label -> its definition; with the starting loss, with the numbers filled in."""
    target = f" ({TARGET_FRACTION * start:.3g})" if start else ""
    half = f" ({SLOW_FRACTION * start:.3g})" if start else ""
    return {
        "diverged": "the loss became NaN or infinite; training stopped there",
        "oscillates": f"the loss rose by more than {100 * RISE:.0f}% over the epoch before in "
                      f"at least {RISES} of the last {WINDOW} epochs",
        "fastest": f"the first run whose loss reached the target{target}: a tenth of the "
                   f"starting loss (ties: all that reached it in the same epoch)",
        "reached target": f"its loss reached the target{target}, but not first",
        "improving": f"ended below half the starting loss{half} without reaching the target",
        "too slow": f"its loss was still above half the starting loss{half} after all its "
                    f"epochs",
    }


def rises(history, window: int = WINDOW) -> tuple[int, int]:
    """Return (epochs whose loss rose by more than RISE, epochs looked at) over the last
    `window` epochs (the first epoch compares with the starting loss)."""
    loss = history.loss
    if not loss.size or history.initial_loss is None:
        return 0, 0
    previous = np.concatenate([[history.initial_loss], loss[:-1]])
    up = loss > previous * (1.0 + RISE)
    tail = up[-window:]
    return int(np.sum(tail)), int(tail.size)


def target_epoch(history, target: float):
    """Return the first epoch whose loss is <= target, or None."""
    hits = np.flatnonzero(history.loss <= target)
    return int(history.epochs[hits[0]]) if hits.size else None


def judge_runs(histories) -> list[Verdict]:
    """Return one Verdict per History of one comparison (all from the same initial weights)."""
    hit = []
    for h in histories:
        start = h.initial_loss
        ok = start is not None and not h.diverged and h.loss.size
        hit.append(target_epoch(h, TARGET_FRACTION * start) if ok else None)
    reached = [e for e in hit if e is not None]
    first = min(reached) if reached else None
    out = []
    for h, epoch in zip(histories, hit):
        start = h.initial_loss
        if h.diverged:
            out.append(Verdict(("diverged",), f"the loss became NaN or infinite at epoch "
                                              f"{h.stop_epoch}: lower the learning rate"))
            continue
        if start is None or not h.loss.size:
            out.append(Verdict((), "not trained"))
            continue
        end = float(h.loss[-1])
        n_up, seen = rises(h)
        labels = []
        oscillates = n_up >= min(RISES, seen) and seen > 0 and n_up > 0
        if oscillates:
            labels.append("oscillates")
        if epoch is not None:
            labels.append("fastest" if epoch == first else "reached target")
        elif end <= SLOW_FRACTION * start:
            labels.append("improving")
        elif not oscillates:
            labels.append("too slow")
        parts = [f"loss {start:.3g} → {end:.3g} in {h.last_epoch} epochs"]
        if epoch is not None:
            parts.append(f"target {TARGET_FRACTION * start:.3g} reached at epoch {epoch}")
        if n_up:
            parts.append(f"rose in {n_up} of the last {seen} epochs")
        labels.sort(key=LABELS.index)
        out.append(Verdict(tuple(labels), "; ".join(parts)))
    return out
