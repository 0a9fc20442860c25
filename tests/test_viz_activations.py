"""Figures of the Activations page show nn_core's numbers."""

import numpy as np

from nn_core import HIDDEN_ACTIVATIONS, get_activation
from nn_core.activation_study import train_activations
from nn_core.config import ExperimentConfig
from nn_core.experiment import Experiment
from viz.activations import (
    boundaries_figure,
    dead_units_figure,
    functions_figure,
    gradient_figure,
    loss_figure,
)


def _traces(fig, name, axis):
    return [t for t in fig.data if t.name == name and t.xaxis == axis]


def test_curves_and_derivatives_equal_nn_core_functions():
    fig = functions_figure(HIDDEN_ACTIVATIONS)
    for name in HIDDEN_ACTIVATIONS:
        act = get_activation(name)
        (f,), (d,) = _traces(fig, name, "x"), _traces(fig, name, "x2")
        z = np.asarray(f.x)
        assert z.min() == -5 and z.max() == 5 and len(z) == 401
        np.testing.assert_array_equal(f.y, act.fn(z))
        # the derivative is nn_core's, not a finite difference of the curve
        np.testing.assert_array_equal(d.y, act.derivative(z))
    relu = _traces(fig, "relu", "x2")[0]
    assert set(np.unique(relu.y)) == {0.0, 1.0}


def _runs(hidden=(8, 8), epochs=12):
    exp = Experiment(ExperimentConfig(hidden=hidden, hidden_activations=("tanh",) * len(hidden)))
    kw = exp.train_kwargs()
    kw.pop("batch_size")
    return exp, train_activations(exp.net, exp.X_train, exp.y_train,
                                  ["sigmoid", "tanh", "relu"], epochs, lr=0.3, batch_size=10, **kw)


def test_gradient_panels_are_the_training_history():
    exp, runs = _runs()
    fig = gradient_figure(runs)
    assert [a.text for a in fig.layout.annotations] == ["sigmoid", "tanh", "relu"]
    for i, run in enumerate(runs):
        axis = "x" if i == 0 else f"x{i + 1}"
        lines = [t for t in fig.data if t.xaxis == axis]
        assert len(lines) == 3  # two hidden layers and the output layer
        for l, line in enumerate(lines):
            np.testing.assert_array_equal(line.x, run.history.epochs)
            np.testing.assert_array_equal(line.y, run.history.grad_norms[:, l])
    assert fig.layout.yaxis.type == "log"


def test_loss_curves_are_each_runs_history():
    exp, runs = _runs()
    fig = loss_figure(runs, target=0.2)
    for run in runs:
        train, test = [t for t in fig.data if t.legendgroup == run.name]
        np.testing.assert_array_equal(train.y[1:], run.history.loss)
        assert train.y[0] == run.history.initial_loss
        np.testing.assert_array_equal(test.y[1:], run.history.test_loss)


def test_boundaries_one_panel_per_run_from_its_trained_network():
    exp, runs = _runs()
    fig = boundaries_figure(runs, exp.plane, exp.y_train, resolution=20)
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert len(heat) == 3
    for run, h in zip(runs, heat):
        points = np.column_stack([np.repeat(h.y, 20), np.tile(h.x, 20)])[:, ::-1]
        expected = run.network().predict(exp.plane.inputs(points), dtype=np.float32)[:, 0]
        np.testing.assert_allclose(np.asarray(h.z).ravel(), expected, rtol=1e-5, atol=1e-6)
    assert boundaries_figure(runs, None, exp.y_train) is None


def test_dead_units_bars():
    fig = dead_units_figure(["relu", "elu"], [3, 0], [8, 8], ["relu", "elu"])
    np.testing.assert_allclose(fig.data[0].y, [37.5, 0.0])
    assert list(fig.data[0].text) == ["3 of 8", "0 of 8"]


def test_functions_figure_with_nothing_selected_is_empty():
    assert len(functions_figure([]).data) == 0
