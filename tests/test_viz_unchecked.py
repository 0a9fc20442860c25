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
    from viz.training import replay_figure

    exp = Experiment()
    exp.apply(PRESETS[preset][1])
    exp.continue_training(40)
    for animate in (True, False):
        fig = replay_figure(exp.history, exp.net, exp.plane, exp.y_train, exp.y_test,
                            animate=animate, input_names=exp.dataset.feature_names)
        assert as_sent(fig) == validated(fig)
