"""Experiments trained together (nn_core.stacked_training) equal `exp.train(epochs)`, bit for bit."""

import copy
from dataclasses import fields, replace

import numpy as np
import pytest

from nn_core.config import ExperimentConfig
from nn_core.experiment import MAX_SNAPSHOTS, Experiment
from nn_core.history import History
from nn_core.stacked_training import stack_key, train_together


def _exps(*changes, **common):
    return [Experiment(ExperimentConfig(**{**common, **c})) for c in changes]


def _assert_same_history(a: History, b: History):
    for f in fields(History):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "snapshots":
            assert [s.epoch for s in x] == [s.epoch for s in y]
            for s, t in zip(x, y):
                for p, q in zip(s.weights + s.biases, t.weights + t.biases):
                    assert p.shape == q.shape and np.array_equal(p, q), f"snapshot {s.epoch}"
        elif isinstance(x, list):
            assert len(x) == len(y), f.name
            assert np.array_equal(np.asarray(x, dtype=float), np.asarray(y, dtype=float)), f.name
        else:
            assert x == y, f.name


def _assert_same_experiment(a: Experiment, b: Experiment):
    _assert_same_history(a.history, b.history)
    for p, q in zip(a.net.weights + a.net.biases, b.net.weights + b.net.biases):
        assert p.shape == q.shape and np.array_equal(p, q)
    assert a.version == b.version
    oa, ob = a.optimizer(), b.optimizer()
    assert type(oa) is type(ob) and oa.lr == ob.lr and oa._state == ob._state


def _check(exps, epochs):
    """Train copies of `exps` solo and together; every run must be the same."""
    solo = [copy.copy(e) for e in exps]
    for e in solo:
        e.train(epochs)
    together = [copy.copy(e) for e in exps]
    histories = train_together(together, epochs)
    assert [h is e.history for h, e in zip(histories, together)] == [True] * len(exps)
    for s, t in zip(solo, together):
        _assert_same_experiment(s, t)
    return solo, together


SEEDS = [dict(seed=s) for s in range(6)]


def test_the_app_default_with_seeds_lrs_and_data_equals_train():
    changes = [dict(seed=s, lr=lr, data_seed=d, noise=nz) for s, lr, d, nz in
               [(0, 0.03, 0, 0.0), (1, 0.03, 0, 0.0), (2, 0.1, 5, 0.2), (3, 0.003, 7, 0.5),
                (40, 1.0, 0, 0.1), (41, 0.03, 2, 0.0)]]
    solo, _ = _check(_exps(*changes), 300)
    assert len({h.history.loss_list[-1] for h in solo}) == len(solo)  # six different runs


@pytest.mark.parametrize("batch_size", [0, 7, 100, 500])
def test_full_batch_and_uneven_batches(batch_size):
    _check(_exps(*SEEDS, batch_size=batch_size, lr=0.3), 40)


def test_regression_and_other_losses():
    _check(_exps(*SEEDS, dataset="sine", output_activation="linear", loss="mse"), 30)
    _check(_exps(*SEEDS, dataset="circle", loss="bce"), 30)
    _check(_exps(*SEEDS, dataset="three_class", output_activation="softmax",
                 loss="cross_entropy", hidden=(5, 3), hidden_activations=("relu", "tanh")), 30)


def test_without_a_test_set():
    exps = _exps(*SEEDS)
    for e in exps:
        e.dataset = replace(e.dataset, X_test=e.X_test[:0], y_test=e.y_test[:0])
    solo, _ = _check(exps, 20)
    assert solo[0].history.test_loss is None


def test_one_run_diverges_the_others_go_on():
    exps = _exps(*[dict(seed=s, lr=10.0 if s == 2 else 0.03) for s in range(5)],
                 dataset="plane", output_activation="linear")
    solo, _ = _check(exps, 60)
    assert [e.history.diverged for e in solo] == [False, False, True, False, False]
    assert solo[2].history.stop_epoch < 60 and solo[0].history.last_epoch == 60


def test_every_run_diverging_and_the_smallest_stack():
    exps = _exps(*[dict(seed=s, lr=lr) for s, lr in [(0, 10.0), (1, 4.0), (2, 10.0)]],
                 dataset="sine", output_activation="linear")
    solo, _ = _check(exps, 80)
    assert all(e.history.diverged for e in solo)
    assert len({e.history.stop_epoch for e in solo}) > 1
    _check(_exps(dict(seed=3), dict(seed=4, lr=0.5)), 25)


@pytest.mark.parametrize("epochs", [1, 300])
def test_epochs_one_and_many(epochs):
    _check(_exps(*SEEDS), epochs)


def test_snapshots_thinned_as_experiment_thins_them():
    solo, _ = _check(_exps(*SEEDS, dataset="tutorial_xor", batch_size=0, lr=0.5), 700)
    assert len(solo[0].history.snapshots) == MAX_SNAPSHOTS


def test_continue_after_training_together_is_the_same():
    solo, together = _check(_exps(*SEEDS), 30)
    for s, t in zip(solo, together):
        s.continue_training(15)
        t.continue_training(15)
        _assert_same_experiment(s, t)


def test_a_group_too_big_to_record_at_once_trains_in_several_stacks(monkeypatch):
    import nn_core.stacked_training as stacked_training

    # Two runs' snapshots per stack: stacks of 2, 2 and 1 (the last one alone, exp.train).
    per_run = 8 * (40 + 2) * (3 * 4 + 5 * 2 + 3 * 1)
    monkeypatch.setattr(stacked_training, "MAX_RECORD_BYTES", 2 * per_run + 1)
    exps = [copy.copy(e) for e in _exps(*SEEDS[:5])]
    seen = []
    train_together(exps, 40, on_progress=seen.append)
    assert seen == [13, 26, 40]  # each stack's end, as a share of the whole group's work
    for e, twin in zip(exps, _exps(*SEEDS[:5])):
        twin.train(40)
        _assert_same_experiment(e, twin)


def test_keys():
    base = Experiment()
    assert stack_key(base, 300) is not None
    same = [dict(seed=9), dict(lr=1.5), dict(data_seed=4), dict(noise=0.3)]
    for c in same:
        assert stack_key(Experiment(ExperimentConfig(**c)), 300) == stack_key(base, 300), c
    other = [dict(hidden=(4, 3)), dict(batch_size=20), dict(n_points=150), dict(loss="sse"),
             dict(hidden_activations=("relu", "tanh")), dict(use_bias=False)]
    for c in other:
        assert stack_key(Experiment(ExperimentConfig(**c)), 300) != stack_key(base, 300), c
    assert stack_key(base, 299) != stack_key(base, 300)
    for c in [dict(optimizer="adam"), dict(optimizer="momentum"),
              dict(regularization="l2", reg_rate=0.01)]:
        assert stack_key(Experiment(ExperimentConfig(**c)), 300) is None, c
    # Batch sizes train() treats alike (the whole set) stack together.
    assert (stack_key(Experiment(ExperimentConfig(batch_size=0)), 5)
            == stack_key(Experiment(ExperimentConfig(batch_size=100)), 5))


def test_mismatched_or_unstackable_keys_raise():
    with pytest.raises(ValueError):
        train_together(_exps(dict(seed=1), dict(batch_size=20)), 10)
    with pytest.raises(ValueError):
        train_together(_exps(dict(seed=1), dict(seed=2, optimizer="adam")), 10)


def test_the_originals_behind_the_copies_are_untouched():
    exps = _exps(*SEEDS)
    for e in exps[:2]:
        e.train(5)  # one with a history and a trained net already
    before = [(e.net, e.history, e.version, e._optimizer, e.config,
               [a.copy() for a in e.net.weights + e.net.biases],
               [a.copy() for a in (e.X_train, e.y_train, e.X_test, e.y_test)],
               e.history.loss_list[:] if e.history else None) for e in exps]
    train_together([copy.copy(e) for e in exps], 40)
    for e, (net, history, version, opt, config, params, data, losses) in zip(exps, before):
        assert e.net is net and e.history is history and e.version == version
        assert e._optimizer is opt and e.config is config
        for a, b in zip(e.net.weights + e.net.biases, params):
            assert np.array_equal(a, b)
        for a, b in zip((e.X_train, e.y_train, e.X_test, e.y_test), data):
            assert np.array_equal(a, b)
        assert (e.history.loss_list if e.history else None) == losses


def test_progress_is_reported_up_to_the_last_epoch_with_the_histories_recorded():
    exps = [copy.copy(e) for e in _exps(*SEEDS)]
    seen = []

    def on_progress(epoch):
        # What the training queue shows while it waits: each run's history up to `epoch`.
        assert [e.history.last_epoch for e in exps] == [epoch] * len(exps)
        seen.append(epoch)

    train_together(exps, 130, on_progress=on_progress)
    assert len(seen) > 1 and seen[-1] == 130 and seen == sorted(seen)
    one = []
    train_together(_exps(dict(seed=3)), 70, on_progress=one.append)  # alone: exp.train
    assert one and one[-1] == 70
