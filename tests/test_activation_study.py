"""The activation study: batched training equals train(), and what it measures is right."""

import numpy as np
import pytest

from nn_core import HIDDEN_ACTIVATIONS, History, Network, train
from nn_core.activation_study import (
    dead_share,
    dead_units,
    epochs_to_target,
    layer_gradient_ratio,
    study_epoch_cap,
    train_activations,
    zero_gradient_units,
)
from nn_core.config import max_epochs
from nn_core.datasets import make_dataset

CIRCLE = make_dataset("circle", n_points=120, noise=0.1, seed=3)


def _twin(net, hidden):
    """Return a copy of net with every hidden layer using `hidden` (same weights)."""
    twin = Network(net.layer_sizes, [hidden] * (net.n_layers - 1) + [net.activations[-1]],
                   use_bias=net.use_bias)
    twin.set_params(*net.get_params())
    return twin


def _assert_same(run, history, net, exact=True):
    """Run equals train()'s history and net: bit for bit, or (exact=False) to rounding."""
    def same(b, a, msg=""):
        if exact:
            np.testing.assert_array_equal(b, a, err_msg=msg)
        else:
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12, err_msg=msg)

    for field in ("loss", "test_loss", "accuracy", "test_accuracy", "grad_norms",
                  "max_weight_change"):
        a, b = getattr(history, field), getattr(run.history, field)
        if a is None:
            assert b is None, field
            continue
        assert a.shape == b.shape, field
        same(b, a, f"{run.name} {field}")
    np.testing.assert_array_equal(run.history.epochs, history.epochs)
    assert run.history.diverged == history.diverged
    for w_run, w in zip(run.weights + run.biases, net.weights + net.biases):
        same(w_run, w)


@pytest.mark.parametrize("optimizer, batch, loss, out, reg, bias", [
    ("sgd", 10, "mse", "sigmoid", None, True),
    ("sgd", None, "sse", "tanh", None, True),
    ("adam", 16, "bce", "sigmoid", "l2", True),
    ("momentum", 7, "mse", "linear", "l1", False),
])
def test_batched_runs_equal_train_run_by_run(optimizer, batch, loss, out, reg, bias):
    d = CIRCLE
    net = Network([2, 5, 4, 1], ["tanh", "tanh", out], seed=4, use_bias=bias)
    kwargs = dict(loss=loss, X_test=d.X_test, y_test=d.y_test, seed=9,
                  regularization=reg, reg_rate=0.01 if reg else 0.0)
    runs = train_activations(net, d.X_train, d.y_train, HIDDEN_ACTIVATIONS, 25, lr=0.05,
                             optimizer=optimizer, batch_size=batch, **kwargs)
    assert [r.name for r in runs] == list(HIDDEN_ACTIVATIONS)
    for run in runs:
        twin = _twin(net, run.name)
        history = train(twin, d.X_train, d.y_train, epochs=25, optimizer=optimizer, lr=0.05,
                        batch_size=batch, **kwargs)
        # With a penalty train() measures gradient norms layer by layer (its slow path): the
        # same sums in another order, so those equal it to rounding; all else bit for bit.
        _assert_same(run, history, twin, exact=reg is None)


@pytest.mark.parametrize("optimizer, batch, bias", [
    ("momentum", 12, True), ("adam", None, False), ("adam", 7, True)])
def test_one_flat_buffer_steps_momentum_and_adam_as_train_does(optimizer, batch, bias):
    # One learning rate and no penalty: the stack's parameters live in one buffer that the
    # optimizer steps whole; its velocities and moments must still be each run's own.
    d = CIRCLE
    net = Network([2, 5, 3, 1], ["tanh", "tanh", "sigmoid"], seed=6, use_bias=bias)
    kwargs = dict(loss="bce", X_test=d.X_test, y_test=d.y_test, seed=2)
    runs = train_activations(net, d.X_train, d.y_train, ["relu", "gelu", "swish"], 12,
                             lr=0.02, optimizer=optimizer, batch_size=batch, **kwargs)
    for run in runs:
        twin = _twin(net, run.name)
        history = train(twin, d.X_train, d.y_train, epochs=12, optimizer=optimizer, lr=0.02,
                        batch_size=batch, **kwargs)
        _assert_same(run, history, twin)


def test_softmax_output_three_classes_equals_train():
    d = make_dataset("three_class", n_points=90, noise=0.2, seed=1)
    net = Network([2, 6, 3], ["relu", "softmax"], init="he", seed=2)
    runs = train_activations(net, d.X_train, d.y_train, ["relu", "elu", "gelu"], 15, lr=0.1,
                             loss="cross_entropy", batch_size=10, X_test=d.X_test,
                             y_test=d.y_test)
    for run in runs:
        twin = _twin(net, run.name)
        history = train(twin, d.X_train, d.y_train, epochs=15, lr=0.1, loss="cross_entropy",
                        batch_size=10, X_test=d.X_test, y_test=d.y_test)
        _assert_same(run, history, twin)


def test_every_run_starts_from_the_same_weights_and_net_is_untouched():
    net = Network([2, 8, 8, 1], "sigmoid", seed=11)
    before = net.get_params()
    runs = train_activations(net, CIRCLE.X_train, CIRCLE.y_train, HIDDEN_ACTIVATIONS, 5,
                             lr=0.3, batch_size=10)
    for run in runs:
        start = run.history.snapshots[0]
        assert start.epoch == 0
        for a, b in zip(start.weights + start.biases, before[0] + before[1]):
            np.testing.assert_array_equal(a, b)
        # Trained: the final weights moved away from the shared start.
        assert max(np.max(np.abs(w - w0)) for w, w0 in zip(run.weights, before[0])) > 0
    for a, b in zip(net.weights, before[0]):
        np.testing.assert_array_equal(a, b)


def test_per_run_learning_rates_equal_train_with_each_rate():
    net = Network([2, 6, 1], ["relu", "sigmoid"], seed=5)
    rates = [0.01, 0.3, 3.0]
    runs = train_activations(net, CIRCLE.X_train, CIRCLE.y_train, ["relu"] * 3, 20, lrs=rates,
                             batch_size=8, loss="mse", optimizer="momentum")
    for run, lr in zip(runs, rates):
        twin = net.copy()
        history = train(twin, CIRCLE.X_train, CIRCLE.y_train, epochs=20, lr=lr, batch_size=8,
                        loss="mse", optimizer="momentum")
        assert run.lr == lr
        _assert_same(run, history, twin)


def test_a_diverging_run_stops_alone_like_train():
    net = Network([2, 8, 1], ["relu", "linear"], init="he", seed=0)
    runs = train_activations(net, CIRCLE.X_train, CIRCLE.y_train, ["relu", "tanh"], 30, lr=2.0,
                             loss="sse")
    twin = net.copy()
    history = train(twin, CIRCLE.X_train, CIRCLE.y_train, epochs=30, lr=2.0, loss="sse")
    assert history.diverged and runs[0].history.diverged
    assert runs[0].history.stop_epoch == history.stop_epoch
    _assert_same(runs[0], history, twin)
    assert all(np.all(np.isfinite(w)) for w in runs[0].weights)
    assert "smaller learning rate" in runs[0].history.stop_reason


def test_deep_sigmoid_first_layer_gradient_far_below_the_last():
    d = make_dataset("circle", n_points=200, seed=0)
    net = Network([2] + [8] * 6 + [1], "sigmoid", seed=0)
    run, = train_activations(net, d.X_train, d.y_train, ["sigmoid"], 20, lr=0.1, loss="mse",
                             batch_size=10)
    norms = run.history.grad_norms
    assert norms.shape == (20, 7)
    # The chain rule multiplies by sigma' <= 0.25 per layer: measured, it is orders below.
    assert np.all(norms[:, 0] < 1e-2 * norms[:, -1])
    assert layer_gradient_ratio(run.history) > 100


def test_dead_units_on_a_constructed_case():
    net = Network([2, 3, 2, 1], "relu")
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -3.0]])
    # Unit 0 gets z = -10 + ...: always negative; unit 1 is z = x1: active on row 0 only;
    # unit 2 is z = 5: always active. Second layer: unit 0 z = -a2 <= 0 (dead), unit 1 z = a2.
    net.weights = [np.array([[0.1, 1.0, 0.0], [0.1, 0.0, 0.0]]),
                   np.array([[0.0, 0.0], [0.0, 0.0], [-1.0, 1.0]]),
                   np.ones((2, 1))]
    net.biases = [np.array([-10.0, 0.0, 5.0]), np.zeros(2), np.zeros(1)]
    dead = dead_units(net, X)
    np.testing.assert_array_equal(dead[0], [True, False, False])
    np.testing.assert_array_equal(dead[1], [True, False])
    np.testing.assert_array_equal(zero_gradient_units(net, X)[0], [True, False, False])
    leaky = Network([2, 3, 2, 1], "leaky_relu")
    leaky.set_params(net.weights, net.biases)
    assert dead_units(leaky, X)[0][0]  # never active ...
    assert not zero_gradient_units(leaky, X)[0][0]  # ... but still passes 1% of the gradient


def test_dead_share_counts_hidden_units_of_the_trained_net():
    net = Network([2, 4, 1], ["relu", "sigmoid"], seed=1)
    run, = train_activations(net, CIRCLE.X_train, CIRCLE.y_train, ["relu"], 0)
    w, b = run.weights, run.biases
    b[0][:] = [-100.0, -100.0, 0.0, 0.0]  # two units pushed far below zero everywhere
    w[0][:, 2:] = 1.0
    b[0][2:] = 20.0
    assert dead_share(run, CIRCLE.X_train) == (2, 4)


def test_epochs_to_target():
    h = History(initial_loss=1.0, epoch_list=[1, 2, 3, 4], loss_list=[0.9, 0.5, 0.55, 0.2])
    assert epochs_to_target(h, 0.5) == 2
    assert epochs_to_target(h, 0.2) == 4
    assert epochs_to_target(h, 0.1) is None
    assert epochs_to_target(h, 1.0) == 0


def test_study_epoch_cap_uses_the_shared_caps():
    # Nine runs count as five against max_epochs (a batched step costs ~ half of R steps).
    assert study_epoch_cap(250, 10, 105, 9) == max_epochs(250, 10, 105, runs=5)
    assert study_epoch_cap(250, 10, 105, 1) == max_epochs(250, 10, 105, runs=1)
    assert study_epoch_cap(250, 10, 105, 9) >= 300


def test_one_start_per_run_equals_train_from_each_start():
    # several initial-weight seeds in one batch: run r starts from nets[r], as train() would
    nets = [Network([2, 5, 4, 1], ["tanh", "tanh", "sigmoid"], seed=s) for s in (1, 2)]
    names = ["relu", "relu", "elu", "elu"]
    runs = train_activations(nets * 2, CIRCLE.X_train, CIRCLE.y_train, names, 15, lr=0.3,
                             batch_size=16, loss="mse", X_test=CIRCLE.X_test,
                             y_test=CIRCLE.y_test, seed=4)
    for r, run in enumerate(runs):
        twin = _twin(nets[r % 2], names[r])
        history = train(twin, CIRCLE.X_train, CIRCLE.y_train, epochs=15, lr=0.3, batch_size=16,
                        loss="mse", X_test=CIRCLE.X_test, y_test=CIRCLE.y_test, seed=4)
        _assert_same(run, history, twin)
        np.testing.assert_array_equal(run.history.snapshots[0].weights[1], nets[r % 2].weights[1])
    with pytest.raises(ValueError, match="one per run"):
        train_activations(nets, CIRCLE.X_train, CIRCLE.y_train, ["relu"] * 3, 2)
    with pytest.raises(ValueError, match="same layers"):
        train_activations([nets[0], Network([2, 3, 1], seed=0)], CIRCLE.X_train,
                          CIRCLE.y_train, ["relu"] * 2, 2)
