"""The process's training queue (ui.train_queue): batches, groups, results, failures, Stop.

The engine's trainer is replaced here by a recording stand-in that trains each experiment
with its own `train` (what nn_core.stacked_training.train_together promises, bit for bit), so
these tests see exactly which experiments each call got. The first batch is held with an
Event, never with sleeps.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from nn_core.config import ExperimentConfig
from nn_core.experiment import Experiment
from ui.train_queue import Request, TrainingFailed, TrainQueue, Withdrawn, progress_text

EPOCHS = 12


def make(seed=0, **changes):
    return Experiment(ExperimentConfig(n_points=40, seed=seed, **changes))


def solo(exp, epochs=EPOCHS):
    """What the session's own Train gives: a separate experiment of the same config."""
    twin = Experiment(exp.config)
    twin.train(epochs)
    return twin


def assert_same_training(a, b):
    assert a.history.loss_list == b.history.loss_list
    assert a.history.test_loss_list == b.history.test_loss_list
    assert [s.epoch for s in a.history.snapshots] == [s.epoch for s in b.history.snapshots]
    for x, y in zip(a.net.weights + a.net.biases, b.net.weights + b.net.biases):
        np.testing.assert_array_equal(x, y)


class Trainer:
    """stack_key by hidden widths (None for `alone`), train_together recording its calls; the
    first call waits for `release` once `started` is set (a batch still running)."""

    def __init__(self, hold=True, fail_stacked=False):
        self.calls, self.hold, self.fail_stacked = [], hold, fail_stacked
        self.started, self.release = threading.Event(), threading.Event()

    def stack_key(self, exp, epochs):
        return None if exp.config.optimizer != "sgd" else (exp.config.hidden, epochs)

    def train_together(self, exps, epochs, on_progress=None):
        self.calls.append([e.config.seed for e in exps])
        if self.hold and len(self.calls) == 1:
            self.started.set()
            assert self.release.wait(30)
        if self.fail_stacked and len(exps) > 1:
            raise RuntimeError("stacked arithmetic broke")
        out = []
        for e in exps:
            out.append(e.train(epochs))
            if on_progress:
                on_progress(epochs)
        return out


def queue(trainer):
    return TrainQueue(trainer.stack_key, trainer.train_together)


def never(text, fraction):
    raise AssertionError("no progress expected")


def test_requests_that_arrive_while_a_batch_runs_train_together_each_getting_its_own():
    t = Trainer()
    q = queue(t)
    first = q.submit(make(1), EPOCHS)
    assert t.started.wait(30)  # the first batch runs (held) ...
    exps = {seed: make(seed) for seed in (2, 3, 4)}
    exps[5] = make(5, hidden=(3,), hidden_activations=("tanh",))  # another key
    exps[6] = make(6, optimizer="momentum")  # no key: trains alone
    reqs = {seed: q.submit(e, EPOCHS) for seed, e in exps.items()}
    # ... so these wait behind it, and the bar says so
    assert q.ahead(reqs[2]) == 1 and q.ahead(reqs[4]) == 3
    assert progress_text(reqs[4], q.ahead(reqs[4]))[0] == \
        "Waiting for the server: 3 trainings ahead of yours"
    t.release.set()

    trained = {seed: q.wait(r, lambda *a: None) for seed, r in reqs.items()}
    q.wait(first, lambda *a: None)
    # one call for the first batch, one per stackable group of the next; seed 6 alone,
    # through its own train (momentum: no stack key)
    assert sorted(t.calls) == sorted([[1], [2, 3, 4], [5]])
    for seed, exp in exps.items():
        assert trained[seed] is not exp  # the session's own experiment was not trained ...
        assert exp.history is None
        assert_same_training(trained[seed], solo(exp))  # ... its copy was, exactly as alone
    assert trained[6].optimizer() is not None and trained[6].history.last_epoch == EPOCHS


def test_the_sessions_experiment_is_untouched_until_it_takes_the_result_over():
    t = Trainer(hold=False)
    q = queue(t)
    exp = make(7)
    exp.train(3)  # a previous training: what the student sees while waiting
    before = [w.copy() for w in exp.net.weights], exp.history, exp.net
    trained = q.wait(q.submit(exp, EPOCHS), lambda *a: None)
    assert exp.net is before[2] and exp.history is before[1] and exp.history.last_epoch == 3
    for w, w0 in zip(exp.net.weights, before[0]):
        np.testing.assert_array_equal(w, w0)
    version = exp.version
    exp.take_over(trained)
    assert_same_training(exp, solo(exp))
    assert exp.version == version + 1  # as after a reset: pages drop the old net's state
    exp.continue_training(2)  # Continue goes on from the adopted training
    assert exp.history.last_epoch == EPOCHS + 2


class Stop(BaseException):
    """What Streamlit raises in a script's element call for a Stop click (a rerun)."""


def stop(text, fraction):
    raise Stop


def test_a_shareable_result_goes_into_the_store_also_when_nobody_waits():
    class Store(dict):
        def put(self, key, value):
            self[key] = value

    t = Trainer()
    q = queue(t)
    store = Store()
    req = q.submit(make(8), EPOCHS, share_key="k8", store=store)
    assert t.started.wait(30)
    with pytest.raises(Stop):
        q.wait(req, stop)
    assert req.state == "abandoned"  # it runs with others: it finishes, for the store
    t.release.set()
    assert req.done.wait(30)
    weights, biases, history = store["k8"]
    assert history.loss_list == solo(make(8)).history.loss_list


def test_a_cancelled_queued_request_is_not_trained():
    t = Trainer(hold=False)
    q = queue(t)
    with q.lane_if_idle() as inline:  # a lone student trains inline: the lane is busy
        assert inline
        with q.lane_if_idle() as second:
            assert not second  # the next one queues
        stopped, timed_out, called_off, kept = (q.submit(make(s), EPOCHS) for s in (1, 2, 3, 4))
        assert progress_text(kept, q.ahead(kept))[0] == \
            "Waiting for the server: 4 trainings ahead of yours"
        with pytest.raises(Stop):
            q.wait(stopped, stop)  # Streamlit stopped the waiting run: withdrawn
        with pytest.raises(TrainingFailed, match="no training has moved for 0 s"):
            q.wait(timed_out, lambda *a: None, limit=0)  # gave up: withdrawn
        q.cancel(called_off)  # the Stop button's callback, from the session's next run ...
        with pytest.raises(Withdrawn):
            q.wait(called_off, never)  # ... and the waiting run takes nothing over
        assert stopped.state == timed_out.state == called_off.state == "cancelled"
        assert q.ahead(kept) == 1  # only the inline training is ahead now
    trained = q.wait(kept, lambda *a: None)
    assert t.calls == [[4]]
    assert all(r.exp.history is None for r in (stopped, timed_out, called_off))
    assert_same_training(trained, solo(make(4)))


def test_a_failure_reaches_its_session_and_the_worker_keeps_serving():
    class Broken(Experiment):
        def train(self, epochs, on_epoch=None, on_progress=None):
            raise FloatingPointError("the weights overflowed")

    t = Trainer(hold=False)
    q = queue(t)
    broken = Broken(ExperimentConfig(n_points=40, optimizer="adam"))
    with pytest.raises(TrainingFailed, match="failed on the server: FloatingPointError: "
                                             "the weights overflowed"):
        q.wait(q.submit(broken, EPOCHS), never)
    trained = q.wait(q.submit(make(3), EPOCHS), lambda *a: None)
    assert_same_training(trained, solo(make(3)))


def test_a_stacked_group_that_fails_is_trained_one_by_one():
    t = Trainer(fail_stacked=True)
    q = queue(t)
    first = q.submit(make(1), EPOCHS)
    assert t.started.wait(30)
    reqs = [q.submit(make(seed), EPOCHS) for seed in (2, 3)]
    t.release.set()
    q.wait(first, lambda *a: None)
    for seed, req in zip((2, 3), reqs):
        assert_same_training(q.wait(req, lambda *a: None), solo(make(seed)))
    assert t.calls == [[1], [2, 3]]  # then each through its own train


def test_progress_text():
    r = Request(make(0), 300)
    assert progress_text(r, 1) == ("Waiting for the server: 1 training ahead of yours", 0.0)
    assert progress_text(r, 0) == ("Training 300 epochs…", 0.0)
    r.state = "running"
    assert progress_text(r, 0) == ("Training 300 epochs…", 0.0)
    r.epoch, r.loss = 150, 0.123456
    assert progress_text(r, 0) == ("Epoch 150 of 300 · train loss 0.1235", 0.5)
    r.loss = None  # stacked trainings may not report a loss mid-way
    assert progress_text(r, 0) == ("Epoch 150 of 300", 0.5)


def test_with_the_engines_stacked_trainer_each_gets_what_it_would_alone():
    """The queue as the app builds it: nn_core.stacked_training's stack_key and train_together
    (a real stack of 4 sessions, one with another learning rate; one that trains alone)."""
    from nn_core.stacked_training import stack_key, train_together

    q = TrainQueue(stack_key, train_together)
    exps = [make(seed) for seed in (11, 12, 13)] + [make(14, lr=0.3), make(15, optimizer="adam")]
    with q.lane_if_idle() as inline:  # one training runs: these five form the next batch
        assert inline
        reqs = [q.submit(e, EPOCHS) for e in exps]
    for exp, req in zip(exps, reqs):
        seen = []
        got = q.wait(req, lambda text, f, seen=seen: seen.append((text, f)))
        assert exp.history is None
        alone = solo(exp)
        assert_same_training(got, alone)
        # the bar's last word: the run's own final epoch and loss
        assert seen[-1] == (f"Epoch {EPOCHS} of {EPOCHS} · train loss "
                            f"{alone.history.loss_list[-1]:.4g}", 1.0)
