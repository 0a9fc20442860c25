"""The step-through model: its values are the engine's, and Mazur's published numbers appear."""

import numpy as np
import pytest

from nn_core import SGD, Network
from nn_core.stepthrough import step_through
from tests.test_worked_examples import MAZUR_X, MAZUR_Y, TUTORIAL_X, TUTORIAL_Y, mazur_net


def mazur_steps(granularity="neuron"):
    return step_through(mazur_net(), MAZUR_X[0], MAZUR_Y[0], loss="mse", lr=0.5,
                        granularity=granularity, digits=9)


def test_mazur_published_numbers_appear_in_the_steps():
    st = mazur_steps()
    by_kind = {}
    for s in st.steps:
        by_kind.setdefault(s.kind, []).append(s)
    h1 = by_kind["neuron"][0]
    assert (h1.layer, h1.unit) == (1, 0)
    assert h1.values["z"] == pytest.approx(0.3775, abs=1e-12)
    assert h1.values["a"] == pytest.approx(0.593269992, abs=1e-9)
    assert "0.05 * 0.15 + 0.1 * 0.2 + 0.35 = 0.3775" in h1.text
    assert "0.593269992" in h1.text and "0.593269992" in h1.latex
    o1 = by_kind["neuron"][2]
    assert o1.values["a"] == pytest.approx(0.75136507, abs=1e-8)
    assert "0.75136507" in o1.text
    (loss,) = by_kind["loss"]
    assert loss.values["loss"] == pytest.approx(0.298371109, abs=1e-9)
    assert loss.text.endswith("= 0.298371109")
    grad_o1 = [s for s in by_kind["grad_W"] if (s.layer, s.unit) == (2, 0)][0]
    assert grad_o1.values["dW"][0] == pytest.approx(0.082167041, abs=1e-9)  # dE/dw5
    assert "0.0821670406" in grad_o1.text
    grad_h1 = [s for s in by_kind["grad_W"] if (s.layer, s.unit) == (1, 0)][0]
    assert grad_h1.values["dW"][0] == pytest.approx(0.000438568, abs=1e-9)  # dE/dw1
    upd = [s for s in by_kind["update"] if (s.layer, s.unit) == (2, 0)][0]
    assert upd.values["W_after"][0] == pytest.approx(0.35891648, abs=1e-8)  # w5+
    assert "0.4 - 0.5 * 0.0821670406 = 0.35891648" in upd.text


@pytest.mark.parametrize("granularity", ["neuron", "layer"])
@pytest.mark.parametrize("acts,loss,k", [
    (["tanh", "relu", "sigmoid"], "bce", 1),
    (["sigmoid", "elu", "softmax"], "cross_entropy", 3),
    (["gelu", "swish", "softmax"], "mse", 3),
    (["leaky_relu", "softplus", "linear"], "sse", 2),
])
def test_step_values_are_exactly_the_engines(granularity, acts, loss, k):
    net = Network([3, 4, 3, k], acts, seed=3)
    x, y = np.array([0.3, -1.2, 0.8]), (np.eye(k)[1] if k > 1 else np.array([1.0]))
    st = step_through(net, x, y, loss=loss, lr=0.3, granularity=granularity)
    trace = net.forward(x)
    grads = net.backward(trace, y, loss)
    after = net.copy()
    SGD(0.3).step(after, grads)
    for s in st.steps:
        v, l, j = s.values, s.layer, s.unit
        col = slice(None) if j is None else j
        if s.kind in ("neuron", "layer"):
            np.testing.assert_array_equal(np.squeeze(v["z"]), trace.pre_activations[l - 1][0, col])
            if s.kind == "layer" or net.activations[l - 1] != "softmax":
                np.testing.assert_array_equal(np.squeeze(v["a"]), trace.activations[l][0, col])
        elif s.kind == "delta":
            np.testing.assert_array_equal(np.squeeze(v["delta"]), grads.deltas[l - 1][0, col])
        elif s.kind == "grad_W":
            np.testing.assert_array_equal(v["dW"], grads.weights[l - 1][:, col])
        elif s.kind == "grad_b":
            np.testing.assert_array_equal(v["db"], grads.biases[l - 1])
        elif s.kind == "update":
            np.testing.assert_array_equal(v["W_after"], after.weights[l - 1][:, col])
            np.testing.assert_array_equal(v["b_after"], after.biases[l - 1][col])
        elif s.kind == "loss":
            assert v["loss"] == grads.loss
    assert st.steps[-1].values["loss_after"] == after.loss(x, y, loss)
    # What the graph shows: at the end of the forward phase every activation is known.
    last_forward = st.phase("forward")[-1]
    for k_layer, a in enumerate(trace.activations):
        np.testing.assert_array_equal(last_forward.node_values[k_layer], a[0])
    last_backward = st.phase("backward")[-1]
    for l, g in enumerate(grads.weights):
        np.testing.assert_array_equal(last_backward.edge_values[l], g)


def test_nothing_ahead_of_the_step_is_known():
    net = Network([2, 3, 1], "sigmoid", seed=0)
    st = step_through(net, [1.0, 2.0], [1.0], loss="sse", lr=1.0)
    forward = st.phase("forward")
    assert np.all(np.isnan(forward[0].node_values[1]))
    second = forward[1]  # neuron 1 of layer 1
    assert np.isfinite(second.node_values[1][0]) and np.all(np.isnan(second.node_values[1][1:]))
    assert np.all(np.isnan(second.node_values[2]))
    assert second.highlight_nodes == ((1, 0),)
    assert set(second.highlight_edges) == {(0, 0, 0), (0, 1, 0)}
    backward = st.phase("backward")
    assert np.all(np.isnan(backward[0].edge_values[0])) and np.all(np.isnan(backward[0].edge_values[1]))


def test_tutorial_net_batch_by_layer_and_text():
    net = Network([3, 4, 1], "sigmoid", init="uniform", seed=0, use_bias=False)
    st = step_through(net, TUTORIAL_X, TUTORIAL_Y, loss="sse", lr=1.0, granularity="layer")
    grads = net.backward(net.forward(TUTORIAL_X), TUTORIAL_Y, "sse")
    dW = [s for s in st.steps if s.kind == "grad_W"]
    np.testing.assert_array_equal(dW[0].values["dW"], grads.weights[1])
    assert not [s for s in st.steps if s.kind == "grad_b"]  # no biases in the tutorial's net
    text = st.to_text()
    assert text.startswith("[1/") and "dL/dW(2)" in text


def test_bad_requests_are_refused():
    net = Network([2, 2, 1], seed=0)
    with pytest.raises(ValueError, match="one sample"):
        step_through(net, [[1, 2], [3, 4]], [[1], [0]])
    with pytest.raises(ValueError, match="granularity"):
        step_through(net, [1, 2], [1], granularity="weight")
    with pytest.raises(ValueError):
        step_through(net, [1, 2, 3], [1])


@pytest.mark.parametrize("granularity", ["neuron", "layer"])
def test_forward_only_writes_exactly_the_whole_runs_forward_and_loss_steps(granularity):
    """What the Feedforward page asks for its whole-layer formulas: the same steps, the same
    numbers, and nothing of the backward pass or the update."""
    net = Network([3, 4, 2], activations=["tanh", "sigmoid"], seed=2)
    x, y = [0.5, -1.0, 2.0], [1.0, 0.0]
    whole = step_through(net, x, y, loss="mse", lr=0.5, granularity=granularity)
    part = step_through(net, x, y, loss="mse", lr=0.5, granularity=granularity,
                        forward_only=True)
    expected = whole.phase("forward", "loss")
    assert [s.phase for s in part.steps] == [s.phase for s in expected]
    assert {s.phase for s in part.steps} == {"forward", "loss"}
    for a, b in zip(part.steps, expected, strict=True):
        assert (a.kind, a.layer, a.unit, a.title, a.latex, a.text, a.index) == \
            (b.kind, b.layer, b.unit, b.title, b.latex, b.text, b.index)
        assert all(np.array_equal(u, v, equal_nan=True)  # NaN: not computed yet
                   for u, v in zip(a.node_values, b.node_values, strict=True))
