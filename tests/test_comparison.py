"""nn_core.comparison: runs from identical initial weights, verdicts, frame picking, CSV."""

import csv
import io

import numpy as np
import pytest

from nn_core import Network, train
from nn_core.comparison import compare, history_to_csv, pick_epochs, thin_snapshots

RNG = np.random.default_rng(3)
X = RNG.uniform(-3, 3, size=(60, 2))
Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
TUTORIAL_X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
TUTORIAL_Y = np.array([[0], [1], [1], [0]], dtype=float)


def test_every_run_starts_from_the_same_initial_weights():
    net = Network([2, 4, 1], "tanh", seed=7)
    before = net.get_params()
    runs = compare(net, X, Y, "lr", [0.001, 0.1, 1.0], epochs=20, loss="mse", batch_size=10)
    for run in runs:
        first = run.history.snapshots[0]
        assert first.epoch == 0
        for a, b in zip(first.weights + first.biases, before[0] + before[1]):
            np.testing.assert_array_equal(a, b)
        # the initial loss is the loss of those weights, so every curve starts at one point
        assert run.history.initial_loss == pytest.approx(runs[0].history.initial_loss)
    # the network passed in is not trained
    np.testing.assert_array_equal(net.weights[0], before[0][0])
    # and the runs really differ only by their learning rate
    assert [r.history.lr for r in runs] == [0.001, 0.1, 1.0]
    assert len({round(r.history.loss_list[-1], 9) for r in runs}) == 3


def test_a_run_equals_training_by_hand_with_that_setting():
    net = Network([2, 3, 1], "sigmoid", seed=1)
    runs = compare(net, X, Y, "optimizer", ["sgd", "adam"], epochs=15, lr=0.05, loss="bce",
                   batch_size=20, seed=4)
    by_hand = net.copy()
    h = train(by_hand, X, Y, epochs=15, optimizer="adam", lr=0.05, loss="bce", batch_size=20,
              seed=4)
    np.testing.assert_allclose(runs[1].history.loss, h.loss)
    assert runs[0].label == "SGD" and runs[1].label == "Adam"


def test_batch_size_comparison_labels_full_batch():
    net = Network([2, 3, 1], "tanh", seed=2)
    runs = compare(net, X, Y, "batch_size", [5, 0], epochs=5, lr=0.1, loss="mse")
    assert [r.label for r in runs] == ["batch 5", "full batch"]


def test_small_rate_crawls_and_a_diverging_rate_is_reported():
    net = Network([2, 8, 1], ["relu", "linear"], init="he", seed=0)
    y = X[:, :1] * 3.0 + X[:, 1:]
    runs = compare(net, X, y, "lr", [1e-5, 10.0], epochs=30, loss="mse")
    assert runs[0].verdict == "too slow"
    assert runs[1].verdict == "diverged" and runs[1].history.diverged
    assert f"epoch {runs[1].history.stop_epoch}" in runs[1].summary
    assert np.all(np.isfinite(runs[1].history.loss))  # no NaN recorded as a result


def test_a_good_rate_is_labelled_from_its_history():
    net = Network([2, 4, 1], "tanh", seed=7)
    (run,) = compare(net, X, Y, "lr", [0.1], epochs=200, loss="mse", batch_size=10)
    h = run.history
    assert run.labels == ("improving",)  # below half its start, not at a tenth of it
    assert 0.1 * h.initial_loss < h.loss[-1] <= 0.5 * h.initial_loss
    assert run.summary.startswith(f"loss {h.initial_loss:.3g} → {h.loss[-1]:.3g}")


def test_pick_epochs_keeps_ends_is_denser_early_and_respects_the_cap():
    picked = pick_epochs(range(0, 5001), 120)
    assert len(picked) == 120 and picked[0] == 0 and picked[-1] == 5000
    assert picked == sorted(set(picked))
    gaps = np.diff(picked)
    assert gaps[:10].mean() < gaps[-10:].mean()
    assert pick_epochs([0, 1, 2, 3], 120) == [0, 1, 2, 3]


def test_thin_snapshots_keeps_first_and_last():
    net = Network([2, 3, 1], "tanh", seed=0)
    h = train(net, X, Y, epochs=300, loss="mse", lr=0.1)
    thin_snapshots(h, 50)
    epochs = [s.epoch for s in h.snapshots]
    assert len(epochs) == 50 and epochs[0] == 0 and epochs[-1] == 300
    np.testing.assert_array_equal(h.snapshots[-1].weights[0], net.weights[0])


def test_history_csv_has_one_row_per_epoch_with_exact_values():
    net = Network([2, 3, 1], "sigmoid", seed=0)
    h = train(net, X, Y, epochs=12, loss="bce", lr=0.5, X_test=X[:10], y_test=Y[:10])
    rows = list(csv.DictReader(io.StringIO(history_to_csv(h))))
    assert len(rows) == 12
    assert [int(r["epoch"]) for r in rows] == list(range(1, 13))
    assert float(rows[4]["train_loss"]) == h.loss_list[4]
    assert float(rows[11]["test_accuracy"]) == h.test_accuracy_list[11]
    assert float(rows[0]["grad_norm_layer2"]) == h.grad_norms[0, 1]
