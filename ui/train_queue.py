"""The process's training queue: Train clicks that arrive together are trained together.

Sixty students of a class press Train within seconds of each other. Trained each in its own
script thread, thirty trainings per process share one interpreter lock and all finish late;
trained stacked (nn_core.stacked_training) they cost a fraction each, with the same numbers.
So a Train click from the initial weights goes through this queue:

- The lane: at most one training at a time per process, either a lone student's Train run
  inline in its own script thread (the server was idle: it starts at once, and its Stop stops
  it at once, as always), or a batch in the worker thread.
- The worker (one daemon thread, started on the first request) takes ALL pending requests at
  once whenever the lane is free, groups them by `stack_key` (None: alone), and trains each
  group with one `train_together` call. No waiting window: requests that arrive while a batch
  (or an inline training) runs form the next batch.
- A request carries a shallow copy of the session's experiment; the worker trains the copy
  and never touches the session's own. The session's script thread takes the trained copy
  over itself (`Experiment.take_over`) once it is done. A shareable result also goes into
  the process's store of finished trainings (ui.cached.trainings), so a student who stopped
  waiting or left gets it at once from the next Train.
- A group whose stacked training fails is trained again member by member; an error of a
  member alone reaches its session as a message. The worker survives every exception, and
  a session stops waiting when no training in the process has moved for STALL_LIMIT seconds
  (a long queue that keeps moving is waited for; a stuck one is not).
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections import defaultdict
from contextlib import contextmanager

import streamlit as st

STALL_LIMIT = 60.0  # seconds without any progress of the lane before a session gives up
POLL = 0.25  # seconds between a waiting session's looks at its request (and Stop's chance)

log = logging.getLogger(__name__)


class TrainingFailed(Exception):
    """A queued training did not give a result: the message says why, for the student."""


class Withdrawn(Exception):
    """The session stopped waiting for this request (Stop): no result is taken over."""


class Request:
    """One session's Train: a copy of its experiment to train `epochs` epochs from the initial
    weights. `state` goes pending -> running -> done | failed, or cancelled (withdrawn before it
    ran) or abandoned (the session stopped waiting while it ran)."""

    def __init__(self, exp, epochs: int, share_key=None, store=None):
        self.exp, self.epochs = exp, int(epochs)
        self.share_key, self.store = share_key, store
        self.state = "pending"
        self.epoch, self.loss = 0, None  # the worker's progress, read by the waiting session
        self.error: str | None = None
        self.done = threading.Event()


class TrainQueue:
    """See the module doc. `stack_key(exp, epochs)` and `train_together(exps, epochs,
    on_progress)` are nn_core.stacked_training's (tests pass their own)."""

    def __init__(self, stack_key, train_together):
        self.stack_key, self.train_together = stack_key, train_together
        self.cond = threading.Condition()
        self.pending: list[Request] = []
        self.running: list[list[Request]] = []  # the lane's batch: its groups not yet finished
        self.inline = 0  # 1 while a session trains inline (holds the lane)
        self.worker: threading.Thread | None = None
        self.beat = time.monotonic()  # the lane's last sign of progress (see wait)

    # ---- the session's side ----
    @contextmanager
    def lane_if_idle(self):
        """Yield True, holding the lane, if nothing trains or waits (train inline then);
        otherwise yield False (queue the training)."""
        with self.cond:
            idle = not (self.inline or self.running or self.pending)
            self.inline += idle
        try:
            yield idle
        finally:
            if idle:
                with self.cond:
                    self.inline -= 1
                    self.beat = time.monotonic()
                    self.cond.notify_all()

    def submit(self, exp, epochs: int, share_key=None, store=None) -> Request:
        """Queue a training of a shallow copy of `exp` (which the queue never touches)."""
        req = Request(copy.copy(exp), epochs, share_key, store)
        with self.cond:
            self.pending.append(req)
            if self.worker is None or not self.worker.is_alive():
                self.worker = threading.Thread(target=self._serve, name="train-queue",
                                               daemon=True)
                self.worker.start()
            self.cond.notify_all()
        return req

    def ahead(self, req: Request) -> int:
        """Return how many trainings will run before `req` starts (0 once it runs)."""
        with self.cond:
            if req.state != "pending" and req.state != "queued":
                return 0
            n = self.inline
            for group in self.running:
                if req in group:
                    return n
                n += len(group)
            return n + (self.pending.index(req) if req in self.pending else 0)

    def cancel(self, req: Request) -> None:
        """The session stopped waiting: withdraw `req` if it has not started (it is not
        trained); one already training finishes, and its result goes only to the store."""
        with self.cond:
            if req in self.pending:
                self.pending.remove(req)
            if req.state in ("pending", "queued"):  # not started: it will not be trained
                req.state = "cancelled"
                req.done.set()
            elif req.state == "running":
                req.state = "abandoned"

    def wait(self, req: Request, show, limit: float = STALL_LIMIT):
        """Wait for `req`, calling show(text, fraction) every POLL seconds and once more at the
        end (where Streamlit stops this run for a click elsewhere); return the trained copy.

        Raises TrainingFailed (a message for the student) on an error or when nothing in the
        lane has moved for `limit` seconds (no epoch, no training finished), Withdrawn if `req` was cancelled meanwhile (a Stop click's callback); if the
        wait ends any other way (Streamlit stopping the run), `req` is cancelled.
        """
        since = time.monotonic()
        finished = False
        try:
            while not req.done.wait(POLL):
                if time.monotonic() - max(since, self.beat) > limit:
                    raise TrainingFailed(
                        f"The server is stuck: no training has moved for {limit:.0f} s, so "
                        f"yours was withdrawn. Press Train to try again.")
                show(*progress_text(req, self.ahead(req)))
            if req.state == "done":
                show(*progress_text(req, 0))  # a run stopped meanwhile stops here, not later
            finished = True
        finally:
            if not finished:
                self.cancel(req)
        if req.state == "failed":
            raise TrainingFailed(f"The training failed on the server: {req.error}. "
                                 f"Your network is as it was; press Train to try again.")
        if req.state != "done":
            raise Withdrawn(req.state)
        return req.exp

    # ---- the worker ----
    def _serve(self):
        while True:
            with self.cond:
                while self.inline or not self.pending:
                    self.cond.wait()
                batch, self.pending = self.pending, []
                groups = defaultdict(list)
                for req in batch:
                    key = self._key(req)
                    groups[("alone", id(req)) if key is None else ("stack", key)].append(req)
                    req.state = "queued"
                self.running = list(groups.values())
                keys = [None if k[0] == "alone" else k[1] for k in groups]
            for group, key in zip(list(self.running), keys):
                try:
                    self._train(group, key)
                except BaseException:  # noqa: BLE001  (the worker must outlive anything)
                    log.exception("training queue: a group failed outside its training")
                    self._finish(group, "an internal error of the training queue")
                with self.cond:
                    self.running.remove(group)
                    self.beat = time.monotonic()
            with self.cond:
                self.running = []

    def _key(self, req):
        try:
            return self.stack_key(req.exp, req.epochs)
        except Exception:  # noqa: BLE001  (no key: it trains alone)
            log.exception("training queue: stack_key failed")
            return None

    def _train(self, group, key):
        with self.cond:
            group = [r for r in group if r.state != "cancelled"]
            for req in group:
                req.state = "running" if req.state == "queued" else req.state
        if not group:
            return

        def on_progress(epoch, h=None):  # (epoch, history) from train(), (epoch) stacked
            for req in group:
                hist = h if h is not None else req.exp.history
                req.loss = hist.loss_list[-1] if hist is not None and hist.loss_list else None
                req.epoch = epoch
            self.beat = time.monotonic()

        try:
            if key is None:  # trains alone, as the session itself would
                group[0].exp.train(group[0].epochs, on_progress=on_progress)
            else:
                self.train_together([r.exp for r in group], group[0].epochs, on_progress)
        except Exception as err:  # noqa: BLE001
            if len(group) == 1:
                log.exception("training queue: a training failed")
                self._finish(group, f"{type(err).__name__}: {err}")
                return
            log.exception("training queue: a stacked group failed; training it one by one")
            for req in group:
                self._train([req], None)
            return
        self._finish(group)

    def _finish(self, group, error=None):
        for req in group:
            if req.done.is_set():
                continue
            if error is None and req.share_key is not None and req.store is not None:
                try:
                    req.store.put(req.share_key, req.exp.result())
                except Exception:  # noqa: BLE001  (sharing is a bonus, the result is not)
                    log.exception("training queue: could not share a result")
            with self.cond:
                req.error = error
                if req.state != "abandoned":
                    req.state = "failed" if error else "done"
            req.done.set()


def progress_text(req: Request, ahead: int) -> tuple[str, float]:
    """Return the progress bar's (text, fraction) for a waiting or training request."""
    if req.state in ("running", "done") and req.epoch:
        loss = f" · train loss {req.loss:.4g}" if req.loss is not None else ""
        return f"Epoch {req.epoch} of {req.epochs}{loss}", min(req.epoch / req.epochs, 1.0)
    if req.state == "running" or ahead == 0:
        return f"Training {req.epochs} epochs…", 0.0
    s = "" if ahead == 1 else "s"
    return f"Waiting for the server: {ahead} training{s} ahead of yours", 0.0


@st.cache_resource(show_spinner=False)
def shared() -> TrainQueue:
    """The process's training queue (one for every session; it hands each its own copy)."""
    from nn_core.stacked_training import stack_key, train_together

    return TrainQueue(stack_key, train_together)
