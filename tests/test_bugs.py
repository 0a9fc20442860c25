"""The bug zoo: each gradient bug fails the gradient check, each update bug spoils training."""

import numpy as np
import pytest

from nn_core import HIDDEN_ACTIVATIONS, Network, gradient_check
from nn_core.bugs import BUGS, CORRECT, _chain, loss_curve
from nn_core.datasets import make_dataset
from tests.test_worked_examples import TUTORIAL_X, TUTORIAL_Y

RNG = np.random.default_rng(0)
X5 = RNG.normal(size=(5, 3))
Y5 = (RNG.random((5, 1)) > 0.5).astype(float)
GRADIENT_BUGS = [b for b in BUGS.values() if b.kind == "gradient"]
UPDATE_BUGS = [b for b in BUGS.values() if b.kind == "update"]


def test_the_zoo_has_the_seven_classic_mistakes_each_explained():
    assert set(BUGS) == {"tutorial_update", "no_activation_derivative", "derivative_of_z",
                         "wrong_sign", "no_learning_rate", "update_before_backprop",
                         "extra_output_derivative"}
    for bug in BUGS.values():
        assert bug.title and bug.mistake.endswith(".") and bug.spot.endswith(".") and bug.code


@pytest.mark.parametrize("acts,loss,k", [
    (["sigmoid", "tanh", "sigmoid"], "bce", 1),
    (["relu", "sigmoid", "softmax"], "cross_entropy", 3),
    (["tanh", "elu", "softmax"], "mse", 3),
    (["swish", "gelu", "linear"], "sse", 2),
])
def test_chain_with_no_mistake_is_the_engines_backward(acts, loss, k):
    net = Network([3, 4, 2, k], acts, seed=4)
    y = np.eye(k)[RNG.integers(0, k, 5)] if k > 1 else Y5
    trace = net.forward(X5)
    ours, engine = _chain(net, trace, y, loss), net.backward(trace, y, loss)
    for a, b in zip(ours.weights + ours.biases, engine.weights + engine.biases):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_gradient_check_passes_for_every_activation(activation):
    net = Network([3, 4, 1], [activation, "sigmoid"], seed=1)
    X = X5 + 0.05  # keeps every ReLU-family z away from its kink at 0
    result = CORRECT.check(net, X, Y5, "mse", lr=0.1)
    assert result.passed, (activation, result.max_rel_error)


@pytest.mark.parametrize("loss", ["sse", "bce"])
@pytest.mark.parametrize("bug", GRADIENT_BUGS, ids=lambda b: b.name)
def test_each_gradient_bug_fails_the_gradient_check(bug, loss):
    net = Network([3, 4, 2, 1], ["sigmoid", "sigmoid", "sigmoid"], seed=2)
    result = gradient_check(net, X5, Y5, loss, grads=bug.gradients(net, X5, Y5, loss, lr=0.5))
    assert not result.passed and result.verdict == "wrong", result.max_rel_error


def test_update_before_backprop_leaves_the_output_layer_right_and_grows_with_lr():
    net = Network([3, 4, 1], "sigmoid", seed=2)
    bug = BUGS["update_before_backprop"]
    small = bug.check(net, X5, Y5, "sse", lr=0.01)
    large = bug.check(net, X5, Y5, "sse", lr=1.0)
    assert all(r["verdict"] == "good" for r in large.rows if r["layer"] == 1)
    assert small.max_rel_error < large.max_rel_error and not large.passed


@pytest.mark.parametrize("bug", UPDATE_BUGS, ids=lambda b: b.name)
def test_update_bugs_have_right_gradients_but_the_loss_stops_falling(bug):
    ds = make_dataset("circle", n_points=200, seed=0)
    net = Network([2, 4, 1], ["tanh", "tanh"], seed=0)
    assert bug.check(net, ds.X_train, ds.y_train, "sse", lr=0.003).passed
    correct = loss_curve(net, ds.X_train, ds.y_train, "sse", 0.003, 30)
    buggy = loss_curve(net, ds.X_train, ds.y_train, "sse", 0.003, 30, bug)
    assert correct[-1] < 0.5 * correct[0]
    assert correct[0] == buggy[0]
    assert not buggy[-1] < buggy[0]  # not lower than where it started (NaN: diverged)


def test_the_tutorials_update_on_the_tutorials_net():
    net = Network([3, 4, 1], "sigmoid", init="uniform", seed=0, use_bias=False)
    correct = loss_curve(net, TUTORIAL_X, TUTORIAL_Y, "sse", 1.0, 300)
    buggy = loss_curve(net, TUTORIAL_X, TUTORIAL_Y, "sse", 1.0, 300, BUGS["tutorial_update"])
    assert correct[-1] < 0.1 < buggy[-1]
    stepped = net.copy()
    grads = net.backward(net.forward(TUTORIAL_X), TUTORIAL_Y, "sse")
    BUGS["tutorial_update"].step(stepped, TUTORIAL_X, TUTORIAL_Y, "sse", 1.0)
    np.testing.assert_allclose(stepped.weights[1], 1.0 - grads.weights[1])


def test_a_diverging_curve_ends_in_nan_not_inf():
    net = Network([2, 8, 1], ["relu", "linear"], seed=0)
    X = RNG.normal(size=(50, 2)) * 5
    y = RNG.normal(size=(50, 1)) * 100
    curve = loss_curve(net, X, y, "sse", 1.0, 100, BUGS["no_learning_rate"])
    assert np.isnan(curve[-1]) and not np.any(np.isinf(curve))
    assert np.isfinite(curve[0])
