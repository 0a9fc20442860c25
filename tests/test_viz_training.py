"""viz.replay and viz.training: the replay's frames follow the snapshots, stay small, and draw no NaN."""

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from nn_core import History, Network, Snapshot, train
from nn_core.comparison import compare
from nn_core.config import ExperimentConfig
from nn_core.experiment import Experiment
from viz.colors import NEGATIVE as ORANGE
from viz.colors import POSITIVE as BLUE
from viz.colors import output_codes
from viz.replay import replay_figure
from viz.replay_frames import b64, b64_rows, b64_slices, unb64
from viz.training import comparison_figure, grad_norm_figure


@pytest.fixture(scope="module")
def trained():
    exp = Experiment(ExperimentConfig())
    h = train(exp.net, exp.X_train, exp.y_train, epochs=60, optimizer="sgd", lr=0.3,
              **{k: v for k, v in exp.train_kwargs().items()})
    return exp, h


def _edge_traces(traces):
    return [t for t in traces if t.get("type") == "scatter" and "line" in t
            and t["line"].get("color") in (BLUE, ORANGE)]


def _plane(fig, frame):
    """Return the frame's output colour codes over the plane (the square-marker grid)."""
    i = next(n for n, t in enumerate(fig["data"])
             if t.get("marker", {}).get("symbol") == "square")
    return unb64(frame["data"][i]["marker"]["color"])


def _edges_in_frame(frame, base, nodes_xy):
    """Map each drawn segment back to (node a, node b) -> (colour, width)."""
    found = {}
    edge_base = _edge_traces(base)
    for i, trace in enumerate(edge_base):
        part = frame["data"][i]
        x, y = unb64(part["x"]), unb64(part["y"])
        for s in range(0, len(x), 3):
            a = int(np.argmin(np.hypot(nodes_xy[0] - x[s], nodes_xy[1] - y[s])))
            b = int(np.argmin(np.hypot(nodes_xy[0] - x[s + 1], nodes_xy[1] - y[s + 1])))
            found[(a, b)] = (trace["line"]["color"], trace["line"]["width"])
    return found


def test_one_frame_per_recorded_epoch_and_widths_follow_each_snapshot(trained):
    exp, h = trained
    fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test).to_dict()
    assert [f["name"] for f in fig["frames"]] == [str(s.epoch) for s in h.snapshots]
    nodes = next(t for t in fig["data"] if t.get("mode") == "markers" and t.get("xaxis") == "x")
    nodes_xy = unb64(nodes["x"]), unb64(nodes["y"])
    sizes = exp.net.layer_sizes
    starts = np.cumsum([0, *sizes])
    changed = 0
    first = None
    for frame, snap in zip(fig["frames"], h.snapshots):
        drawn = _edges_in_frame(frame, fig["data"], nodes_xy)
        assert len(drawn) == sum(a * b for a, b in zip(sizes, sizes[1:]))
        pairs = []
        for l, W in enumerate(snap.weights):
            for i in range(W.shape[0]):
                for j in range(W.shape[1]):
                    colour, width = drawn[(starts[l] + i, starts[l + 1] + j)]
                    assert colour == (BLUE if W[i, j] >= 0 else ORANGE)
                    pairs.append((abs(W[i, j]), width))
        pairs.sort()
        widths = [w for _, w in pairs]
        assert widths == sorted(widths), f"epoch {snap.epoch}: a larger |w| drawn thinner"
        first = first or drawn
        changed += drawn != first
    assert changed > 0  # the edges do move over the replay


def test_frames_carry_the_epoch_and_its_losses(trained):
    exp, h = trained
    fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test).to_dict()
    frame = fig["frames"][10]
    epoch = int(frame["name"])
    markers = frame["data"][-1]
    assert markers["x"] == [float(epoch)] * 2
    assert markers["y"] == pytest.approx([h.loss[epoch - 1], h.test_loss[epoch - 1]], rel=1e-6)
    step = fig["layout"]["sliders"][0]["steps"][10]
    assert step["args"][0] == [frame["name"]]
    assert f"Epoch {epoch}" in step["label"] and f"{h.loss[epoch - 1]:.4g}" in step["label"]
    z = _plane(fig, frame)
    assert z.dtype == np.uint8 and z.shape == (40 * 40,) and z.max() <= 30


def test_heatmap_frame_shows_that_epochs_output(trained):
    exp, h = trained
    fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test, resolution=20).to_dict()
    snap = h.snapshots[-1]
    probe = Network(exp.net.layer_sizes, exp.net.activations)
    probe.set_params(snap.weights, snap.biases)
    g = np.linspace(-6, 6, 20)
    gx, gy = np.meshgrid(g, g)
    out = probe.predict(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0].reshape(20, 20)
    z = _plane(fig, fig["frames"][-1]).reshape(20, 20)
    assert np.max(np.abs(z / 30.0 - out)) <= 0.5 / 30 + 1e-6  # 31 shades of the output


def test_figure_is_valid_plotly_and_small(trained):
    exp, h = trained
    fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test)
    go.Figure(fig.to_dict())  # full validation of what the builder produced
    assert max(len(f.data) for f in fig.frames) <= 12


def _synthetic_history(sizes, epochs, seed=0):
    """A long history of random weights: what the figure's size depends on."""
    rng = np.random.default_rng(seed)
    h = History(loss_name="mse", initial_loss=1.0, initial_test_loss=1.0)
    h.epoch_list = list(range(1, epochs + 1))
    h.loss_list = list(np.exp(-np.arange(epochs) / epochs))
    h.test_loss_list = list(h.loss_list)
    h.accuracy_list = [0.5] * epochs
    shapes = list(zip(sizes, sizes[1:]))
    h.snapshots = [Snapshot(e, [rng.normal(size=s) for s in shapes],
                            [rng.normal(size=s[1]) for s in shapes]) for e in range(epochs + 1)]
    return h


@pytest.mark.parametrize("epochs", [300, 1000, 5000])
def test_replay_json_stays_under_3_mb_for_the_largest_network(epochs):
    config = ExperimentConfig(hidden=(16,) * 6, hidden_activations=("tanh",) * 6,
                              features=("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2"))
    exp = Experiment(config)
    h = _synthetic_history(exp.net.layer_sizes, epochs)
    fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test)
    size = len(pio.to_json(fig, validate=False))
    assert size < 3_000_000
    assert len(fig.frames) <= 120 and fig.frames[-1].name == str(epochs)


def test_live_view_draws_the_last_snapshot_without_frames(trained):
    exp, h = trained
    fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test, animate=False)
    assert not fig.frames
    assert f"Epoch {h.last_epoch}" in fig.layout.title.text


def test_diverged_history_draws_no_nan():
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(50, 2))
    y = X[:, :1] * 3.0
    net = Network([2, 8, 1], ["relu", "linear"], init="he", seed=0)
    h = train(net, X, y, epochs=40, loss="mse", lr=10.0)
    assert h.diverged
    fig = json.loads(pio.to_json(replay_figure(h, net), validate=False))
    for trace in fig["data"]:
        if trace.get("name") == "train loss":
            assert np.all(np.isfinite(unb64(trace["y"])))
    assert any(t.get("text") == ["diverged (NaN)"] for t in fig["data"])


def test_output_codes_use_31_shades():
    codes = output_codes(np.array([[0.0], [0.5], [1.0], [2.0]]), 0.0, 1.0)
    assert codes.dtype == np.uint8 and list(codes) == [0, 15, 30, 30]
    three = output_codes(np.array([[0.9, 0.05, 0.05], [1 / 3, 1 / 3, 1 / 3]]), 0, 1)
    assert three[0] // 31 == 0 and three[0] % 31 > 20
    assert three[1] % 31 == 0


def test_comparison_figure_has_one_curve_per_run_and_marks_divergence():
    rng = np.random.default_rng(1)
    X = rng.uniform(-3, 3, size=(50, 2))
    y = X[:, :1] * 3.0
    net = Network([2, 8, 1], ["relu", "linear"], init="he", seed=0)
    runs = compare(net, X, y, "lr", [0.001, 10.0], epochs=30, loss="mse")
    fig = comparison_figure(runs, "lr")
    lines = [t for t in fig.data if t.mode == "lines"]
    assert [t.name.split(":")[0] for t in lines] == ["lr 0.001", "lr 10"]
    assert "diverged" in lines[1].name
    assert np.all(np.isfinite(np.asarray(lines[1].y, dtype=float)))
    assert any(t.mode == "markers+text" for t in fig.data)
    assert fig.layout.yaxis.type == "log"


def test_comparison_runs_get_distinct_colours_and_the_legend_goes_by_learning_rate():
    net = Network([2, 4, 1], "tanh", seed=3)
    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, size=(40, 2))
    y = (X[:, :1] > 0).astype(float)
    runs = compare(net, X, y, "lr", [1.0, 0.001, 0.1, 0.01, 3.0], epochs=5, loss="mse")
    lines = [t for t in comparison_figure(runs, "lr").data if t.mode == "lines"]
    assert [t.name.split(":")[0] for t in lines] == ["lr 0.001", "lr 0.01", "lr 0.1", "lr 1",
                                                       "lr 3"]
    colours = [t.line.color for t in lines]
    assert len(set(colours)) == len(colours)
    # distinct hues, not shades of one: no two colours share their largest RGB channel order
    rgb = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colours]
    assert len({tuple(np.argsort(v)) for v in rgb}) >= 4


def test_grad_norm_figure_one_line_per_layer(trained):
    exp, h = trained
    fig = grad_norm_figure(h)
    assert len(fig.data) == exp.net.n_layers
    np.testing.assert_allclose(np.asarray(fig.data[1].y), h.grad_norms[:, 1])


def test_frames_ring_each_node_with_that_snapshots_bias(trained):
    exp, h = trained
    fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test,
                        input_names=["x1", "x2"]).to_dict()
    i = next(n for n, t in enumerate(fig["data"]) if t.get("name") == "nodes")
    n_in = exp.net.layer_sizes[0]
    for frame in fig["frames"][::20]:
        snap = next(s for s in h.snapshots if str(s.epoch) == frame["name"])
        b = np.concatenate([np.ravel(v) for v in snap.biases])
        part = frame["data"][i]
        np.testing.assert_array_equal(unb64(part["customdata"])[n_in:], b)
        code = unb64(part["marker"]["line"]["color"])
        width = unb64(part["marker"]["line"]["width"])
        assert list(code[:n_in]) == [1] * n_in  # inputs: no bias, grey ring
        assert list(code[n_in:]) == [2 if v >= 0 else 0 for v in b]
        order = np.argsort(np.abs(b))
        assert np.all(np.diff(width[n_in:][order]) >= 0)  # thicker ring, larger |b|
        assert set(frame) <= {"name", "data", "traces"}  # no layout: no full redraw
        assert len(frame["data"]) == len(frame["traces"])
    names = next(t for t in fig["data"] if t.get("name") == "node names")
    assert list(names["text"]) == ["", "", "h1.1", "h1.2", "h1.3", "h1.4", "h2.1", "h2.2", "o1"]
    assert {"x1", "x2"} <= {a["text"] for a in fig["layout"]["annotations"]}


def test_frames_send_only_typed_arrays(trained):
    exp, h = trained
    fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test).to_dict()

    def arrays(node):
        if isinstance(node, dict):
            if "bdata" in node:
                yield node
            else:
                for v in node.values():
                    yield from arrays(v)

    for frame in fig["frames"][:3]:
        for part in frame["data"][:-1]:  # the loss marker: two numbers, plain lists
            found = list(arrays(part))
            assert found and all(a["_inputArray"] is None for a in found)


def test_epoch_0_view_draws_the_initial_network_with_varied_widths_and_an_empty_loss_axis():
    exp = Experiment(ExperimentConfig())
    fig = replay_figure(exp.start_history(), exp.net, exp.plane, exp.y_train, exp.y_test,
                        animate=False, x_max=300).to_dict()
    assert "frames" not in fig or not fig["frames"]
    loss_x = next(k for k, v in fig["layout"].items() if k.startswith("xaxis")
                  and v.get("range") == [0, 300.0])
    assert loss_x  # the loss axis already runs to the epochs Train will train
    # edge widths relative to these weights: at epoch 0 they differ, as on the Network graph
    widths = {t["line"]["width"] for t in _edge_traces(fig["data"]) if len(unb64(t["x"]))}
    assert len(widths) >= 3
    loss_lines = [t for t in fig["data"] if t.get("name") == "train loss"]
    assert list(unb64(loss_lines[0]["y"])) == pytest.approx([exp.start_history().initial_loss])


def test_log_axis_labels_are_the_values_a_reader_sees():
    from viz.training import log_axis

    # within one decade: at least three labels, each the tick's own value (0.2, never a bare
    # minor "2"), all inside the data's range
    for lo, hi in ((0.13, 0.25), (0.3, 0.9), (0.2491, 0.2493), (120.0, 900.0)):
        axis = log_axis([lo, hi, (lo + hi) / 2])
        assert axis["type"] == "log" and len(axis["tickvals"]) >= 3
        assert [float(t) for t in axis["ticktext"]] == axis["tickvals"]
        assert all(lo <= t <= hi for t in axis["tickvals"])
    # a range where every digit would be a label: the crowded ones (0.08 and 0.09 next to
    # 0.07 and 0.1) are left out, the round ones kept
    axis = log_axis([0.065, 0.3])
    assert axis["tickvals"] == [0.07, 0.1, 0.2, 0.3]
    gaps = np.diff(np.log10(axis["tickvals"]))
    assert gaps.min() >= (np.log10(0.3) - np.log10(0.065)) / 7
    # two decades or more: powers of ten
    assert log_axis([1e-4, 0.5])["dtick"] == 1
    # epoch 0: one value, a decade of room below it for the training to come
    one = log_axis([0.25])
    assert one["range"][0] < np.log10(0.25) - 0.99 and one["range"][1] > np.log10(0.25)
    assert log_axis([float("nan"), 0.0]) == {"type": "log", "exponentformat": "power"}


@pytest.mark.parametrize("dtype, width", [("f4", 12), ("f4", 7), ("u1", 9), ("u1", 10), ("f8", 5)])
def test_slices_encoded_together_are_each_slice_encoded_alone(dtype, width):
    # Aligned slices come out of one encoding of the whole array, the others one by one;
    # either way each is exactly b64 of that slice and decodes to its values.
    a = (np.random.default_rng(1).random((4, width)) * 200).astype(dtype)
    starts = np.array([[0, 3], [3, 3], [0, 6], [6, 9]]) % (width + 1)
    stops = np.minimum(starts + np.array([[3, 3], [0, 6], [6, 3], [3, 3]]), width)
    got = b64_slices(a, starts, stops)
    for k in range(len(a)):
        for j in range(2):
            part = a[k, starts[k, j]:stops[k, j]]
            assert got[k][j] == b64(part)
            np.testing.assert_array_equal(unb64(got[k][j]), part)
    assert b64_rows(a) == [b64(row) for row in a]
