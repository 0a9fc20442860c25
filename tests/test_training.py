"""train(), optimizers and History: recording, continuing, stopping, divergence."""

import numpy as np
import pytest

from nn_core import SGD, Adam, Momentum, Network, make_optimizer, train
from nn_core.gradcheck import numeric_gradients
from nn_core.optimizers import regularization_gradient, regularization_penalty

RNG = np.random.default_rng(0)
X = RNG.uniform(-3, 3, size=(40, 2))
Y = (X[:, :1] * X[:, 1:] > 0).astype(float)


def test_history_records_every_epoch():
    net = Network([2, 4, 1], "tanh", seed=0)
    h = train(net, X, Y, epochs=30, loss="mse", lr=0.1, batch_size=10, X_test=X[:10],
              y_test=Y[:10])
    assert list(h.epochs) == list(range(1, 31))
    assert h.loss.shape == (30,) and h.test_loss.shape == (30,)
    assert h.accuracy.shape == (30,) and np.all((h.accuracy >= 0) & (h.accuracy <= 1))
    assert h.grad_norms.shape == (30, 2)
    assert [s.epoch for s in h.snapshots] == list(range(31))
    # the snapshot of the last epoch is the network's current state
    np.testing.assert_array_equal(h.snapshots[-1].weights[0], net.weights[0])
    # loss recorded at each epoch is the loss of that epoch's snapshot
    probe = Network([2, 4, 1], "tanh")
    probe.set_params(h.snapshots[12].weights, h.snapshots[12].biases)
    assert probe.loss(X, Y, "mse") == pytest.approx(h.loss[11])
    assert h.initial_loss == pytest.approx(Network([2, 4, 1], "tanh", seed=0).loss(X, Y, "mse"))


def test_grad_norms_are_the_full_batch_gradient_norms():
    net = Network([2, 3, 1], "sigmoid", seed=1)
    h = train(net, X, Y, epochs=3, loss="sse", lr=0.05)
    dw, _ = numeric_gradients(net, X, Y, loss="sse")
    np.testing.assert_allclose(h.grad_norms[-1], [np.linalg.norm(g) for g in dw], rtol=1e-6)


def test_record_every_keeps_first_and_last():
    h = train(Network([2, 3, 1], seed=0), X, Y, epochs=25, lr=0.1, record_every=10)
    assert [s.epoch for s in h.snapshots] == [0, 10, 20, 25]
    assert len(h.loss) == 25
    assert h.snapshot_at(15).epoch == 10


def test_training_is_deterministic_and_seed_dependent():
    def run(seed):
        net = Network([2, 4, 1], "tanh", seed=0)
        train(net, X, Y, epochs=5, lr=0.1, batch_size=7, seed=seed)
        return net.weights[0]

    np.testing.assert_array_equal(run(1), run(1))
    assert not np.array_equal(run(1), run(2))


def test_continuing_equals_one_long_run_for_full_batch():
    a, b = Network([2, 4, 1], "tanh", seed=3), Network([2, 4, 1], "tanh", seed=3)
    opt_a, opt_b = Adam(0.01), Adam(0.01)
    train(a, X, Y, epochs=20, optimizer=opt_a, loss="mse")
    h = train(b, X, Y, epochs=8, optimizer=opt_b, loss="mse")
    h = train(b, X, Y, epochs=12, optimizer=opt_b, loss="mse", history=h)
    np.testing.assert_allclose(a.weights[0], b.weights[0], rtol=1e-12)
    assert list(h.epochs) == list(range(1, 21))


def test_loss_falls_with_each_optimizer():
    for opt in (SGD(0.5), Momentum(0.1), Adam(0.02)):
        net = Network([2, 8, 1], "tanh", seed=0)
        h = train(net, X, Y, epochs=200, loss="mse", optimizer=opt)
        assert h.loss[-1] < 0.5 * h.initial_loss, opt


def test_momentum_and_adam_follow_their_formulas():
    net = Network([1, 1], "linear", seed=0)
    net.weights, net.biases = [[[1.0]]], [[0.0]]
    grads = net.backward(net.forward([[1.0]]), [[0.0]], loss="sse")  # dL/dw = 2
    opt = Momentum(0.1, beta=0.9)
    opt.step(net, grads)
    opt.step(net, grads)  # v1 = -0.2, v2 = 0.9 * -0.2 - 0.2 = -0.38
    assert net.weights[0][0, 0] == pytest.approx(1.0 - 0.2 - 0.38)
    net.weights = [[[1.0]]]
    adam = Adam(0.1)
    adam.step(net, grads)  # the first Adam step moves each parameter by lr * sign(g)
    assert net.weights[0][0, 0] == pytest.approx(0.9, abs=1e-7)


def test_divergence_stops_and_keeps_finite_weights():
    net = Network([2, 8, 1], ["tanh", "linear"], seed=0)
    h = train(net, X, Y, epochs=200, loss="sse", lr=1.0)
    assert h.diverged and h.stop_epoch is not None and "learning rate" in h.stop_reason
    assert len(h.loss) == h.stop_epoch - 1 and np.all(np.isfinite(h.loss))
    assert all(np.all(np.isfinite(w)) for w in net.weights)
    np.testing.assert_array_equal(h.snapshots[-1].weights[0], net.weights[0])


def test_should_stop_and_on_epoch():
    seen = []
    h = train(Network([2, 2, 1], seed=0), X, Y, epochs=50, lr=0.1,
              on_epoch=lambda e, hist: seen.append(e), should_stop=lambda: len(seen) >= 4)
    assert h.last_epoch == 5 and seen == [1, 2, 3, 4, 5] and h.stop_reason.startswith("Stopped")


def test_l2_regularization_shrinks_weights_and_gradients_are_right():
    plain, reg = Network([2, 6, 1], "tanh", seed=0), Network([2, 6, 1], "tanh", seed=0)
    train(plain, X, Y, epochs=100, loss="mse", lr=0.2)
    train(reg, X, Y, epochs=100, loss="mse", lr=0.2, regularization="l2", reg_rate=0.05)
    assert np.linalg.norm(reg.weights[0]) < np.linalg.norm(plain.weights[0])
    w = RNG.normal(size=(3, 2))
    eps = 1e-6
    for kind in ("l1", "l2"):
        bumped = w.copy()
        bumped[1, 0] += eps
        slope = (regularization_penalty([bumped], kind, 0.3)
                 - regularization_penalty([w], kind, 0.3)) / eps
        assert slope == pytest.approx(regularization_gradient(w, kind, 0.3)[1, 0], rel=1e-4)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("rmsprop", 0.1)
    with pytest.raises(ValueError, match="learning rate"):
        SGD(float("nan"))
    with pytest.raises(ValueError, match="shape"):
        train(Network([2, 2, 1]), X, Y[:5], epochs=1)


def test_overshoot_is_reported_for_a_large_learning_rate_on_the_tutorial_net():
    X4 = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    y4 = np.array([[0], [1], [1], [0]], dtype=float)

    def run(lr):
        net = Network([3, 4, 1], "sigmoid", init="uniform", seed=0, use_bias=False)
        return train(net, X4, y4, epochs=300, loss="sse", lr=lr)

    assert run(1.0).overshoot() is None
    message = run(10.0).overshoot()
    assert message is not None and "epoch 1" in message and "(now 10)" in message


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_minibatch_fast_path_equals_a_plain_reference_loop(name):
    """train()'s minibatch path steps on a flat parameter buffer; it must equal the textbook loop."""
    net = Network([2, 5, 3, 1], ["tanh", "relu", "sigmoid"], seed=4)
    ref = net.copy()
    history = train(net, X, Y, epochs=6, loss="bce", optimizer=name, lr=0.05, batch_size=7,
                    seed=11)

    rng = np.random.default_rng([11, 0])
    m = [np.zeros_like(p) for p in ref.weights + ref.biases]
    v = [np.zeros_like(p) for p in ref.weights + ref.biases]
    t = 0
    for _ in range(6):
        order = rng.permutation(len(X))
        for lo in range(0, len(X), 7):
            rows = order[lo:lo + 7]
            g = ref.backward(ref.forward(X[rows]), Y[rows], loss="bce")
            t += 1
            for i, (p, grad) in enumerate(zip(ref.weights + ref.biases, g.weights + g.biases)):
                if name == "sgd":
                    p -= 0.05 * grad
                elif name == "momentum":
                    m[i] = 0.9 * m[i] - 0.05 * grad
                    p += m[i]
                else:
                    m[i] = 0.9 * m[i] + 0.1 * grad
                    v[i] = 0.999 * v[i] + 0.001 * grad * grad
                    mhat, vhat = m[i] / (1 - 0.9**t), v[i] / (1 - 0.999**t)
                    p -= 0.05 * mhat / (np.sqrt(vhat) + 1e-8)
    for a, b in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert history.loss[-1] == pytest.approx(ref.loss(X, Y, "bce"), rel=1e-12)
    # the net holds ordinary arrays again after training, not views of a buffer
    assert all(p.base is None for p in net.weights + net.biases)


@pytest.mark.parametrize("acts, loss, n_out", [
    (["tanh", "relu", "sigmoid"], "mse", 1), (["gelu", "swish", "sigmoid"], "bce", 1),
    (["elu", "leaky_relu", "linear"], "sse", 2), (["softplus", "sigmoid", "softmax"],
                                                  "cross_entropy", 3)])
def test_the_hot_pass_gives_backward_s_numbers_bit_for_bit(acts, loss, n_out):
    """train()'s Pass is forward() then backward() with their choices made once: the same
    numbers to the last bit, or training would drift from what the step pages show."""
    from nn_core import passes
    net = Network([2, 5, 4, n_out], acts, seed=3)
    y = np.eye(n_out)[(X[:, 0] > 0).astype(int) % n_out] if n_out > 1 else Y
    grad_w = [np.full_like(w, np.nan) for w in net.weights]
    grad_b = [np.full_like(b, np.nan) for b in net.biases]
    hot = passes.Pass(net.weights, net.biases, net._acts, loss, True, grad_w, grad_b)
    z, output = hot.gradients(X[:9], y[:9])
    trace = net.forward(X[:9])
    g = net.backward(trace, y[:9], loss)
    np.testing.assert_array_equal(z, trace.pre_activations[-1])
    np.testing.assert_array_equal(output, trace.output)
    for a, b in zip(grad_w + grad_b, g.weights + g.biases):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("lr", [0.3, 1.0])
def test_recording_in_blocks_equals_recording_each_epoch(lr):
    """Without a callback train() measures its epochs a block at a time; with one, each epoch
    as it ends: both histories (and a divergence inside a block) must be the same."""
    X_test, Y_test = X[::2] + 0.1, Y[::2]

    def run(on_epoch):
        net = Network([2, 6, 1], ["tanh", "linear" if lr == 1 else "sigmoid"], seed=2)
        h = train(net, X, Y, epochs=150, loss="mse", lr=lr, batch_size=8, X_test=X_test,
                  y_test=Y_test, record_every=7, on_epoch=on_epoch)
        return h, net

    (a, net_a), (b, net_b) = run(None), run(lambda epoch, h: None)
    # lr 1 diverges inside the first block (at epoch 46, a snapshot at 45 added for it)
    assert a.diverged == b.diverged == (lr == 1) and a.stop_reason == b.stop_reason
    for field in ("epoch_list", "loss_list", "test_loss_list", "accuracy_list",
                  "test_accuracy_list", "grad_norm_list", "weight_change_list"):
        assert getattr(a, field) == getattr(b, field), field
    assert [s.epoch for s in a.snapshots] == [s.epoch for s in b.snapshots]
    assert a.snapshots == b.snapshots
    for p, q in zip(net_a.weights + net_a.biases, net_b.weights + net_b.biases):
        np.testing.assert_array_equal(p, q)


def test_on_progress_reports_each_recorded_block_and_changes_nothing():
    """The Training page's progress bar: called once per block of recorded epochs (not per
    epoch), ending at the last epoch, each time with the history recorded up to its epoch;
    the history and weights are those of a run without it."""
    def run(on_progress):
        net = Network([2, 6, 1], ["tanh", "sigmoid"], seed=2)
        h = train(net, X, Y, epochs=150, loss="mse", lr=0.3, batch_size=8,
                  on_progress=on_progress)
        return h, net

    calls = []
    (a, net_a), (b, net_b) = run(None), run(lambda epoch, h: calls.append((epoch, h.last_epoch)))
    assert [epoch for epoch, _ in calls] == [64, 128, 150]
    assert all(epoch == recorded for epoch, recorded in calls)
    assert a.loss_list == b.loss_list and a.snapshots == b.snapshots
    for p, q in zip(net_a.weights + net_a.biases, net_b.weights + net_b.biases):
        np.testing.assert_array_equal(p, q)
