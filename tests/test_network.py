"""Network: shapes, validation, determinism, and every gradient against central differences."""

import numpy as np
import pytest

from nn_core import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    LOSSES,
    Network,
    gradient_check,
    numeric_gradients,
    relative_error,
    verdict,
)

RNG = np.random.default_rng(42)


def random_problem(output_activation, loss, n=6, n_out=1):
    rng = np.random.default_rng(len(output_activation) * 31 + len(loss))
    X = rng.normal(size=(n, 2))
    if output_activation == "softmax" or loss == "cross_entropy":
        n_out = 3
        y = np.eye(n_out)[rng.integers(0, n_out, n)]
    elif loss == "bce":
        y = rng.integers(0, 2, (n, n_out)).astype(float)
    else:
        y = rng.normal(size=(n, n_out))
    return X, y, n_out


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("activation", list(HIDDEN_ACTIVATIONS))
def test_gradients_match_central_differences(activation, loss):
    output = {"bce": "sigmoid", "cross_entropy": "softmax"}.get(loss, activation)
    X, y, n_out = random_problem(output, loss)
    net = Network([2, 4, 3, n_out], [activation, activation, output], init="xavier", seed=3)
    # Offset the pre-activations away from ReLU's kink so differences see a smooth function.
    net.biases = [b + 0.05 for b in net.biases]
    result = gradient_check(net, X, y, loss=loss)
    assert result.max_rel_error < 1e-5, (activation, loss, result.max_rel_error)
    assert len(result.rows) == net.n_params


@pytest.mark.parametrize("loss", list(LOSSES))
def test_softmax_output_gradients_for_every_loss(loss):
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(5, 2)), np.eye(3)[[0, 2, 1, 1, 0]]
    net = Network([2, 4, 3], ["tanh", "softmax"], seed=2)
    analytic = net.backward(net.forward(X), y, loss=loss)
    num_w, num_b = numeric_gradients(net, X, y, loss=loss)
    for a, n in zip(analytic.weights + analytic.biases, num_w + num_b):
        assert np.max(relative_error(a, n)) < 1e-5


def test_deltas_are_dloss_dz():
    net = Network([2, 3, 1], "tanh", seed=1)
    X, y = RNG.normal(size=(4, 2)), RNG.normal(size=(4, 1))
    trace = net.forward(X)
    grads = net.backward(trace, y, loss="mse")
    np.testing.assert_allclose(grads.weights[1], trace.activations[1].T @ grads.deltas[1])
    np.testing.assert_allclose(grads.biases[0], grads.deltas[0].sum(axis=0))
    # delta of the output layer under mse: 2 (o - y) / N * f'(z)
    expected = 2 * (trace.output - y) / y.size * (1 - trace.output**2)
    np.testing.assert_allclose(grads.deltas[1], expected)


def test_shapes_and_trace():
    net = Network([2, 5, 3, 1], ["relu", "tanh", "sigmoid"], seed=0)
    assert [w.shape for w in net.weights] == [(2, 5), (5, 3), (3, 1)]
    assert [b.shape for b in net.biases] == [(5,), (3,), (1,)]
    trace = net.forward(np.zeros((7, 2)))
    assert [z.shape for z in trace.pre_activations] == [(7, 5), (7, 3), (7, 1)]
    assert len(trace.activations) == 4 and trace.activations[0].shape == (7, 2)
    assert trace.output is trace.activations[-1]
    assert net.forward([0.1, 0.2]).output.shape == (1, 1)  # one sample as a 1-D input


def test_no_hidden_layer_and_deep_nets():
    for sizes in ([2, 1], [2, 1, 1], [3] + [8] * 7 + [1]):
        net = Network(sizes, "tanh", seed=1)
        X, y = RNG.normal(size=(3, sizes[0])), RNG.normal(size=(3, 1))
        assert gradient_check(net, X, y, loss="mse").max_rel_error < 1e-5


def test_weights_are_assignable_and_forward_uses_them():
    net = Network([2, 1], "linear")
    net.weights = [[[2.0], [3.0]]]
    net.biases = [[1.0]]
    assert net.forward([[1.0, 1.0]]).output[0, 0] == 6.0
    net.weights[0] = np.array([[1.0], [1.0]])
    assert net.forward([[1.0, 1.0]]).output[0, 0] == 3.0


@pytest.mark.parametrize("kwargs, message", [
    ({"layer_sizes": [2]}, "input and an output"),
    ({"layer_sizes": [2, 0, 1]}, "positive integer"),
    ({"layer_sizes": [2, -3, 1]}, "positive integer"),
    ({"layer_sizes": [2, 2.5, 1]}, "positive integer"),
    ({"layer_sizes": [2, 3, 1], "activations": "sigmoidd"}, "unknown activation"),
    ({"layer_sizes": [2, 3, 1], "activations": ["tanh"]}, "one per hidden layer"),
    ({"layer_sizes": [2, 3, 1], "activations": ["softmax", "sigmoid"]}, "output layer"),
    ({"layer_sizes": [2, 3, 1], "activations": "softmax"}, "softmax"),
    ({"layer_sizes": [2, 3, 1], "init": "gaussian"}, "unknown initializer"),
])
def test_bad_construction_raises_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Network(**kwargs)


def test_bad_shapes_raise_value_error():
    net = Network([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        net.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"weights\[0\] must have shape \(2, 3\)"):
        net.weights = [np.zeros((3, 3)), np.zeros((3, 1))]
    assert net.weights[0].shape == (2, 3)  # a rejected assignment changes nothing
    with pytest.raises(ValueError, match=r"y must have shape \(4, 1\)"):
        net.backward(net.forward(np.zeros((4, 2))), np.zeros((5, 1)))
    with pytest.raises(ValueError, match="unknown loss"):
        net.backward(net.forward(np.zeros((4, 2))), np.zeros((4, 1)), loss="l2")


def test_same_seed_same_weights_and_different_seed_different():
    a, b, c = (Network([2, 4, 1], "tanh", seed=s) for s in (5, 5, 6))
    for wa, wb, wc in zip(a.weights, b.weights, c.weights):
        np.testing.assert_array_equal(wa, wb)
        assert not np.array_equal(wa, wc)


@pytest.mark.parametrize("init", ["uniform", "playground", "xavier", "he", "zeros"])
def test_initializer_ranges(init):
    net = Network([50, 40, 1], seed=0, init=init)
    w = net.weights[0]
    if init == "uniform":
        assert w.min() >= 0 and w.max() < 1
    elif init == "playground":
        assert w.min() >= -0.5 and w.max() < 0.5 and np.all(net.biases[0] == 0.1)
    elif init == "xavier":
        assert np.abs(w).max() <= np.sqrt(6 / 90) and w.std() > 0.1
    elif init == "he":
        assert abs(w.std() - np.sqrt(2 / 50)) < 0.02
    else:
        assert np.all(w == 0)


def test_zeros_init_keeps_hidden_units_identical():
    from nn_core import train
    net = Network([2, 3, 1], "tanh", init="zeros", seed=0)
    net.weights[1][:] = 0.5  # only the hidden layer is symmetric
    X, y = RNG.normal(size=(10, 2)), RNG.normal(size=(10, 1))
    train(net, X, y, epochs=20, loss="mse", lr=0.1)
    w = net.weights[0]
    assert np.allclose(w, w[:, :1])  # every hidden unit has the same incoming weights


def test_copy_is_independent():
    net = Network([2, 2, 1], seed=0)
    twin = net.copy()
    twin.weights[0][0, 0] += 1
    assert net.weights[0][0, 0] != twin.weights[0][0, 0]


def test_verdict_thresholds():
    assert [verdict(e) for e in (1e-9, 1e-5, 1e-3, 0.5)] == ["good", "ok", "suspicious", "wrong"]
    assert relative_error(1.0, 1.0) == 0.0
    assert relative_error(0.0, 0.0) == 0.0


def test_gradient_check_catches_a_wrong_gradient():
    net = Network([2, 3, 1], "sigmoid", seed=0)
    X, y = RNG.normal(size=(4, 2)), RNG.random((4, 1))
    grads = net.backward(net.forward(X), y)
    grads.weights[0] = -grads.weights[0]
    result = gradient_check(net, X, y, grads=grads)
    assert not result.passed and result.verdict == "wrong"
    assert all(r["verdict"] == "wrong" for r in result.rows if r["layer"] == 0 and r["param"] == "W")


def test_activation_registry_is_complete():
    names = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "swish", "linear", "softmax"]
    assert list(ACTIVATIONS) == names
    for act in ACTIVATIONS.values():
        assert act.latex and act.description and act.derivative_latex
