"""Play for the Playground: train an experiment's network a chunk of epochs at a time.

The browser plays a chunk's epochs one by one while the next chunk is trained, so the
session's network runs a little ahead of the epoch on screen. Pause must leave the network
at exactly the epoch shown: the Player keeps the state at the chunk's start (parameters,
optimizer, history length) and trains again from there to the shown epoch. Training is
deterministic (train() seeds each call from its start epoch), so those are the very same
weights the browser showed.
"""

from __future__ import annotations

import copy
from collections import deque

from .experiment import Experiment
from .training import History

STARTS_KEPT = 4  # the browser may still be showing the chunk before the last (or two)
_HISTORY_LISTS = ("epoch_list", "loss_list", "test_loss_list", "accuracy_list",
                  "test_accuracy_list", "grad_norm_list", "weight_change_list")


def truncate_history(history: History, epoch: int) -> None:
    """Forget every epoch after `epoch` (lists and snapshots), as if training had stopped there."""
    n = sum(1 for e in history.epoch_list if e <= epoch)
    for name in _HISTORY_LISTS:
        values = getattr(history, name)
        if len(values) > n:
            del values[n:]
    history.snapshots[:] = [s for s in history.snapshots if s.epoch <= epoch]
    history.diverged = False
    history.stop_epoch = history.stop_reason = None


class Player:
    """The Playground's trainer for one experiment: chunks with the experiment's own verb
    (Experiment.continue_training, its optimizer and history), and an exact rewind."""

    def __init__(self, exp: Experiment):
        self.version = exp.version
        self._starts = deque(maxlen=STARTS_KEPT)  # (epoch, parameters, optimizer) per chunk

    def fits(self, exp: Experiment) -> bool:
        """Whether this player still belongs to exp's network (not rebuilt or reset since)."""
        return self.version == exp.version

    @property
    def chunk_start(self) -> int | None:
        """The epoch where the last chunk started (None before any)."""
        return self._starts[-1][0] if self._starts else None

    def train(self, exp: Experiment, epochs: int, on_epoch=None) -> History:
        """Train exp.net `epochs` more epochs in place, continuing exp.history; remember the
        start so that rewind() can return to any epoch of this chunk (or of the few before)."""
        epoch = exp.history.last_epoch if exp.history is not None else 0
        if self._starts and self._starts[-1][0] > epoch:
            self._starts.clear()  # the history went back (a rewind): later starts are gone
        self._starts.append((epoch, exp.net.get_params(), copy.deepcopy(exp.optimizer())))
        return exp.continue_training(int(epochs), on_epoch=on_epoch)

    def rewind(self, exp: Experiment, epoch: int) -> int:
        """Put exp.net (history, optimizer) back at `epoch` of the last chunks; return the
        epoch it is at (clamped to what the kept chunks cover). Nothing changes when it is
        there already."""
        h = exp.history
        if not self._starts or h is None:
            return h.last_epoch if h else 0
        epoch = int(min(max(epoch, self._starts[0][0]), h.last_epoch))
        if epoch == h.last_epoch:
            return epoch
        while len(self._starts) > 1 and self._starts[-1][0] > epoch:
            self._starts.pop()
        start, params, opt = self._starts[-1]
        exp.net.set_params(*params)
        truncate_history(h, start)
        # The experiment's optimizer object carries on; its state goes back to the start's.
        vars(exp.optimizer()).update(copy.deepcopy(vars(opt)))
        if epoch > start:
            exp.continue_training(epoch - start)
        return h.last_epoch
