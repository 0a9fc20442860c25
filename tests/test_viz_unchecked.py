"""Figures built without Plotly's validation (viz/unchecked.py) are exactly the validated ones."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from nn_core import Network, step_through
from viz.network_graph import network_figure
from viz.stepthrough import step_figure


def validated(fig: go.Figure) -> dict:
    """The figure rebuilt through Plotly's validating constructors, as JSON data."""
    return json.loads(pio.to_json(go.Figure(fig.to_dict()), validate=False))


def as_sent(fig: go.Figure) -> dict:
    """What st.plotly_chart sends for the figure (its to_dict, as JSON data)."""
    return json.loads(pio.to_json(fig.to_dict(), validate=False))


NETS = [Network([2, 4, 2, 1], activations=["tanh", "tanh", "sigmoid"], seed=3),
        Network([3, 4, 1], activations="sigmoid", init="uniform", seed=0, use_bias=False),
        Network([6, 8, 8, 3], activations=["relu", "relu", "softmax"], seed=1)]


@pytest.mark.parametrize("net", NETS, ids=lambda n: "-".join(map(str, n.layer_sizes)))
def test_the_network_graph_is_what_validation_would_give(net):
    tr = net.forward(np.linspace(-1, 1, net.layer_sizes[0])[None, :])
    figs = [network_figure(net), network_figure(net, input_names=["a", "b", "c", "d", "e", "f"]),
            network_figure(net, node_values=[a[0] for a in tr.activations],
                           hidden_nodes=[(1, 0)], title="t")]
    for fig in figs:
        assert as_sent(fig) == validated(fig)


@pytest.mark.parametrize("net", NETS[:2], ids=lambda n: "-".join(map(str, n.layer_sizes)))
def test_every_step_figure_is_what_validation_would_give(net):
    x = np.linspace(-1, 1, net.layer_sizes[0])
    steps = step_through(net, x, np.ones(net.layer_sizes[-1]) * 0.5, loss="mse", lr=0.5)
    for step in steps.steps:
        fig = step_figure(net, step)
        assert as_sent(fig) == validated(fig), step.title


@pytest.mark.parametrize("preset", ["playground", "three_class", "tutorial"])
def test_the_replay_is_what_validation_would_give(preset):
    from nn_core.config import PRESETS
    from nn_core.experiment import Experiment
    from viz.replay import replay_figure

    exp = Experiment()
    exp.apply(PRESETS[preset][1])
    exp.continue_training(40)
    for animate in (True, False):
        fig = replay_figure(exp.history, exp.net, exp.plane, exp.y_train, exp.y_test,
                            animate=animate, input_names=exp.dataset.feature_names)
        assert as_sent(fig) == validated(fig)


def test_the_learning_rate_picture_is_what_validation_would_give():
    from nn_core.lr_picture import line_picture
    from viz.learning_rate import line_figure

    net = NETS[1]
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    for extra in ([], [1.0], [0.5, 2.0]):
        picture = line_picture(net, X, y, "sse", extra_lrs=extra)
        for steps in (0, 3, 8):
            fig = line_figure(picture, steps)
            assert as_sent(fig) == validated(fig)
    # No steepest-descent line (a zero or non-finite gradient): no panels, still a figure.
    flat = line_picture(net, X, y * 0 + net.forward(X).output, "sse")
    assert not flat.paths
    assert as_sent(line_figure(flat)) == validated(line_figure(flat))


def test_a_prebuilt_figure_sends_its_dict_and_becomes_a_figure_on_demand():
    import copy
    import pickle

    from viz.unchecked import Prebuilt, prebuilt

    x = np.linspace(0, 1, 5)
    fig = prebuilt([dict(type="scatter", x=x, y=[1, 2, 3, 4, 5], mode="lines")],
                   dict(height=300, template="plotly_white"))
    sent = as_sent(fig)
    assert sent == validated(fig)
    assert sent["data"][0]["x"]["dtype"] == "f8"  # NumPy arrays go out as base64, as Plotly's
    for copied in (pickle.loads(pickle.dumps(fig)), copy.deepcopy(fig)):
        assert isinstance(copied, Prebuilt) and as_sent(copied) == sent
    # Asked for its parts, it is a Plotly figure: the builder's arrays, updates that show.
    np.testing.assert_array_equal(fig.data[0].x, x)
    fig.update_layout(height=500)
    assert as_sent(fig)["layout"]["height"] == 500
    assert as_sent(fig)["data"] == sent["data"]
    assert as_sent(pickle.loads(pickle.dumps(fig)))["layout"]["height"] == 500


def test_the_gradient_norms_are_what_validation_would_give():
    from nn_core import train
    from viz.training import grad_norm_figure

    net = NETS[0]
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(30, 2))
    h = train(net.copy(), X, (X[:, :1] > 0).astype(float), epochs=12, loss="mse", lr=0.3)
    fig = grad_norm_figure(h)
    assert as_sent(fig) == validated(fig)


@pytest.mark.parametrize("preset", ["playground", "three_class", "tutorial"])
def test_the_plane_figures_are_what_validation_would_give(preset):
    from nn_core.config import PRESETS
    from nn_core.experiment import Experiment
    from viz.boundary import decision_boundary_figure, neuron_figure, neuron_thumbnails_figure

    exp = Experiment()
    exp.apply(PRESETS[preset][1])
    p, net = exp.plane, exp.net
    figs = [neuron_thumbnails_figure(net, p.inputs, domain=p.domain, input_names=("a", "b")),
            neuron_figure(net, 1, 0, p.inputs, resolution=20, domain=p.domain,
                          X_train=p.points_train, y_train=exp.y_train),
            neuron_figure(net, 0, 1, p.inputs, resolution=20, domain=p.domain)]
    figs += [decision_boundary_figure(net, p.points_train, exp.y_train, p.points_test,
                                      exp.y_test, feature_fn=p.inputs, resolution=20,
                                      discretize=d, domain=p.domain) for d in (False, True)]
    for fig in figs:
        assert as_sent(fig) == validated(fig)


@pytest.mark.parametrize("array", [
    np.linspace(-1, 1, 7), np.arange(12, dtype=np.float32).reshape(3, 4),
    np.arange(6).reshape(2, 3)[:, ::2], np.array([3, -300, 70000]), np.array([1, 2], np.uint64),
    np.array([True, False]), np.zeros(0), np.arange(5, dtype=np.uint8), np.array(2.5)])
def test_arrays_are_encoded_as_plotly_encodes_them(array):
    from _plotly_utils.utils import PlotlyJSONEncoder, to_typed_array_spec

    from viz.unchecked import _encode_arrays

    def sent(node):
        return json.loads(json.dumps(node, cls=PlotlyJSONEncoder))

    node = {"data": [{"z": array, "x": [0.5, None, "a"], "range": np.array([0.0, 1.0])}]}
    want = {"data": [{"z": to_typed_array_spec(array), "x": [0.5, None, "a"],
                      "range": [0.0, 1.0]}]}
    assert sent(_encode_arrays(node)) == sent(want)
