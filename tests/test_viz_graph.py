"""Figure builders of the Network graph page: colours, widths, hover values, heatmaps."""

import numpy as np
import pytest

from nn_core import Network
from nn_core.config import PRESETS
from nn_core.datasets import feature_matrix
from nn_core.experiment import Experiment
from viz.boundary import (
    decision_boundary_figure,
    neuron_figure,
    neuron_thumbnails_figure,
    plane_grid,
)
from viz.colors import NEGATIVE, POSITIVE, UNKNOWN, WHITE, diverging_colour
from viz.network_graph import (
    EDGE_GROUPS,
    N_EDGE_TRACES,
    WIDTHS,
    bias_rings,
    edge_segments,
    edge_traces,
    network_figure,
    node_biases,
    node_positions,
)


def net_with(sizes, seed=0, acts="tanh"):
    net = Network(sizes, acts, seed=seed)
    rng = np.random.default_rng(seed)
    # Weights of both signs and many magnitudes, biases of both signs.
    net.weights = [rng.normal(0, 1, W.shape) for W in net.weights]
    net.biases = [rng.normal(0, 1, b.shape) for b in net.biases]
    return net


def drawn_edges(fig):
    """Return {(x0, y0, x1, y1): (colour, width, opacity)} of every drawn edge segment."""
    out = {}
    for t in fig.data:
        if t.mode != "lines" or t.name == "highlight":
            continue
        x, y = np.asarray(t.x, float), np.asarray(t.y, float)
        for k in range(0, len(x), 3):
            key = tuple(np.round([x[k], y[k], x[k + 1], y[k + 1]], 4))
            assert key not in out, "an edge is drawn twice"
            out[key] = (t.line.color, t.line.width, t.opacity)
    return out


def edge_key(sizes, l, i, j):
    pos = node_positions(sizes)
    return tuple(np.round([pos[l][0][i], pos[l][1][i], pos[l + 1][0][j], pos[l + 1][1][j]], 4))


def trace(fig, name):
    return next(t for t in fig.data if t.name == name)


@pytest.mark.parametrize("sizes", [[2, 1], [2, 4, 2, 1], [3, 4, 1], [6, 16, 8, 3]])
def test_edge_colour_is_the_weights_sign_and_width_grows_with_size(sizes):
    net = net_with(sizes)
    edges = drawn_edges(network_figure(net))
    assert len(edges) == sum(a * b for a, b in zip(sizes, sizes[1:]))
    pairs = []
    for l, W in enumerate(net.weights):
        for (i, j), w in np.ndenumerate(W):
            colour, width, _ = edges[edge_key(sizes, l, i, j)]
            assert colour == (POSITIVE if w >= 0 else NEGATIVE)
            pairs.append((abs(w), width))
    pairs.sort()
    widths = [w for _, w in pairs]
    assert widths == sorted(widths), "width must not fall as |w| grows"
    ref = pairs[-1][0]
    assert widths[-1] == WIDTHS[-1]  # the largest |w| is drawn widest
    assert all(w == WIDTHS[0] for a, w in pairs if a <= ref / len(WIDTHS))


def test_edge_values_override_the_weights():
    net = net_with([2, 3, 1])
    grads = [-np.sign(W) * np.arange(1, W.size + 1).reshape(W.shape) for W in net.weights]
    edges = drawn_edges(network_figure(net, edge_values=grads, edge_label="dL/dw"))
    for l, G in enumerate(grads):
        for (i, j), g in np.ndenumerate(G):
            assert edges[edge_key(net.layer_sizes, l, i, j)][0] == (
                POSITIVE if g >= 0 else NEGATIVE)
    hover = trace(network_figure(net, edge_values=grads, edge_label="dL/dw"), "edge values")
    assert hover.hovertext[0].startswith("dL/dw(1)[1,1]: x1 → h1.1")


@pytest.mark.parametrize("sizes", [[2, 1], [2, 8, 1], [2] + [16] * 6 + [3], [7, 1, 1, 1, 1, 1, 1, 1, 2]])
def test_edge_trace_count_is_fixed_for_an_architecture(sizes):
    rng = np.random.default_rng(1)
    counts = set()
    for scale in (0.0, 1e-3, 1.0, 1e3):
        values = [scale * rng.normal(size=(a, b)) for a, b in zip(sizes, sizes[1:])]
        traces = edge_traces(sizes, values)
        counts.add(len(traces))
        n_segments = sum(len(t.x) for t in traces) // 3
        assert n_segments == sum(a * b for a, b in zip(sizes, sizes[1:]))
    values[0][0, 0] = np.nan  # an unknown value goes to its own (grey) trace
    assert len(edge_traces(sizes, values)) == N_EDGE_TRACES
    assert counts == {N_EDGE_TRACES}


def test_edge_hover_carries_the_exact_value():
    net = net_with([2, 4, 2, 1], seed=3)
    hover = trace(network_figure(net), "edge values")
    flat = np.concatenate([W.ravel() for W in net.weights])
    assert np.array_equal(np.asarray(hover.customdata), flat)
    for text, w in zip(hover.hovertext, flat):
        assert float(text.split("<b>")[1].split("</b>")[0]) == w  # exact, not rounded
    # the 2nd weight of layer 2 is W[1][0, 1]: from h1.1 to h2.2
    assert hover.hovertext[8 + 1].startswith("w(2)[1,2]: h1.1 → h2.2")


def test_nodes_show_values_names_and_biases():
    net = net_with([2, 3, 1], seed=4)
    x = np.array([0.25, -1.5])
    tr = net.forward(x)
    fig = network_figure(net, node_values=[tr.activations[0][0], tr.activations[1][0], None],
                         input_names=["x1", "x2"])
    nodes, labels = trace(fig, "nodes"), trace(fig, "node values")
    assert list(nodes.text) == ["", "", "h1.1", "h1.2", "h1.3", "o1"]  # inputs' names outside
    assert [a.text for a in fig.layout.annotations][:2] == ["x1", "x2"]
    shown = list(labels.text)
    assert shown[:2] == ["0.25", "-1.5"]
    assert shown[2:5] == [format(v, ".3g") for v in tr.activations[1][0]]
    assert shown[5] == ""  # unknown output: blank
    assert "value = not known yet" in nodes.hovertext[5]
    b = np.asarray(nodes.customdata)[:, 1]
    assert np.array_equal(b[2:], np.concatenate(net.biases))
    assert np.isnan(b[:2]).all()
    for k, bias in enumerate(np.concatenate(net.biases)):
        assert f"bias b = {float(bias)!r}" in nodes.hovertext[2 + k]
        assert nodes.marker.line.color[2 + k] == (POSITIVE if bias >= 0 else NEGATIVE)
    # no node values: no value labels at all
    assert all(t.name != "node values" for t in network_figure(net).data)


def test_highlight_dims_the_other_edges():
    net = net_with([2, 3, 1])
    fig = network_figure(net, highlight_edges=[(1, 0, 0), (1, 2, 0)], highlight_nodes=[(2, 0)])
    edges = drawn_edges(fig)
    sizes = net.layer_sizes
    bright = {k for k, (_, _, o) in edges.items() if o == 1.0}
    assert bright == {edge_key(sizes, 1, 0, 0), edge_key(sizes, 1, 2, 0)}
    assert trace(fig, "highlighted nodes").x[0] == 2.0


@pytest.mark.parametrize("n_hidden", range(7))
def test_every_depth_and_width_draws(n_hidden):
    sizes = [2] + [16 if n_hidden % 2 else 1 + n_hidden] * n_hidden + [1]
    fig = network_figure(Network(sizes, "relu", seed=n_hidden))
    assert len(trace(fig, "nodes").x) == sum(sizes)
    assert fig.layout.height >= 300


def test_no_bias_net_says_so():
    tut = Network([3, 4, 1], "sigmoid", init="uniform", use_bias=False)
    nodes = trace(network_figure(tut), "nodes")
    assert "no bias" in nodes.hovertext[3]


def test_diverging_colour_ends():
    assert diverging_colour(1) == "rgb(8, 119, 189)"
    assert diverging_colour(-5) == "rgb(245, 147, 34)"


# ---------- the plane
def experiment(preset):
    exp = Experiment()
    exp.apply(PRESETS[preset][1])
    exp.reset_network()
    return exp


def heatmap(fig):
    return next(t for t in fig.data if t.type == "heatmap")


def test_boundary_heatmap_is_the_networks_output_on_the_grid():
    net = net_with([2, 3, 1], acts=["tanh", "sigmoid"])
    X = np.array([[0.0, 1.0], [2.0, -3.0]])
    y = np.array([[0.0], [1.0]])
    fig = decision_boundary_figure(net, X, y, resolution=30)
    axis, points = plane_grid((-6, 6), 30)
    expected = net.predict(points, dtype=np.float32)[:, 0].reshape(30, 30)
    z = np.asarray(heatmap(fig).z)
    assert np.array_equal(z, expected)
    assert z[0, 29] == expected[0, 29] and np.isclose(
        z[0, 29], net.predict(np.array([[6.0, -6.0]]))[0, 0], atol=1e-6)  # x along columns
    assert np.allclose(np.asarray(heatmap(fig).x), axis)
    discrete = np.asarray(heatmap(decision_boundary_figure(net, X, y, resolution=30,
                                                           discretize=True)).z)
    assert set(np.unique(discrete)) <= {0.0, 1.0}
    assert np.array_equal(discrete == 1.0, expected >= 0.5)


def test_boundary_with_features_and_test_points():
    exp = experiment("playground")
    plane = exp.plane
    feats = ("x1", "x2", "x1^2")
    net = net_with([3, 4, 1], acts=["tanh", "sigmoid"])
    fig = decision_boundary_figure(net, plane.points_train, exp.y_train, plane.points_test,
                                   exp.y_test, feature_fn=lambda p: feature_matrix(p, feats),
                                   resolution=20)
    _, points = plane_grid((-6, 6), 20)
    expected = net.predict(feature_matrix(points, feats), dtype=np.float32)[:, 0]
    assert np.array_equal(np.asarray(heatmap(fig).z).ravel(), expected)
    names = [t.name for t in fig.data if t.type == "scatter"]
    assert names == ["train data", "test data"]
    test = fig.data[2]
    assert np.array_equal(np.asarray(test.marker.color), exp.y_test[:, 0].astype(np.float32))
    hidden = decision_boundary_figure(net, plane.points_train, exp.y_train, plane.points_test,
                                      exp.y_test, feature_fn=lambda p: feature_matrix(p, feats),
                                      resolution=20, show_test=False)
    assert [t.name for t in hidden.data if t.type == "scatter"] == ["train data"]
    assert decision_boundary_figure(net, plane.points_train, exp.y_train) is None  # 3 inputs


def test_tutorial_plane_fixes_the_bias_column():
    exp = experiment("tutorial")
    plane = exp.plane
    fig = decision_boundary_figure(exp.net, plane.points_train, exp.y_train,
                                   feature_fn=plane.inputs, domain=plane.domain, resolution=11)
    axis = np.asarray(heatmap(fig).x)
    assert axis[0] == -0.5 and axis[-1] == 1.5
    z = np.asarray(heatmap(fig).z)
    # grid point (x1, x2) = (0.1, 0.3): row 4 (x2), column 3 (x1)
    assert np.isclose(z[4, 3], exp.net.predict(np.array([[0.1, 0.3, 1.0]]))[0, 0], atol=1e-6)


def test_three_classes_colour_by_argmax():
    exp = experiment("three_class")
    plane = exp.plane
    fig = decision_boundary_figure(exp.net, plane.points_train, exp.y_train,
                                   feature_fn=plane.inputs, domain=plane.domain, resolution=25)
    _, points = plane_grid(plane.domain, 25)
    out = exp.net.predict(plane.inputs(points))
    z = np.asarray(heatmap(fig).z).ravel()
    assert np.array_equal(np.floor(z).astype(int), np.argmax(out, axis=1))
    assert np.array_equal(np.asarray(heatmap(fig).customdata).ravel(), np.argmax(out, axis=1))


def test_thumbnails_are_each_units_activation():
    exp = experiment("playground")
    plane = exp.plane
    fig = neuron_thumbnails_figure(exp.net, plane.inputs, resolution=12, domain=plane.domain,
                                   input_names=exp.dataset.feature_names)
    maps = [t for t in fig.data if t.type == "heatmap"]
    sizes = exp.net.layer_sizes
    assert [t.name for t in maps] == ["x1", "x2", "h1.1", "h1.2", "h1.3", "h1.4", "h2.1",
                                      "h2.2", "o1"]
    _, points = plane_grid(plane.domain, 12)
    acts = exp.net.forward(plane.inputs(points)).activations
    k = 0
    for layer, n in enumerate(sizes):
        for j in range(n):
            expected = acts[layer][:, j].astype(np.float32).reshape(12, 12)
            assert np.array_equal(np.asarray(maps[k].z), expected)
            k += 1
    big = neuron_figure(exp.net, 2, 1, plane.inputs, resolution=15, domain=plane.domain)
    _, points = plane_grid(plane.domain, 15)
    expected = exp.net.forward(plane.inputs(points)).activations[2][:, 1]
    assert np.array_equal(np.asarray(heatmap(big).z).ravel(), expected.astype(np.float32))
    with pytest.raises(ValueError):
        neuron_figure(exp.net, 1, 9, plane.inputs)


def test_no_plane_no_figure():
    net = Network([5, 3, 1], seed=0)
    assert neuron_thumbnails_figure(net) is None
    assert neuron_figure(net, 1, 0) is None


# ---------- options the step-through and the replay use
def test_edge_segments_are_the_traces_arrays_in_group_order():
    sizes = [3, 4, 2]
    rng = np.random.default_rng(5)
    values = [rng.normal(size=(a, b)) for a, b in zip(sizes, sizes[1:])]
    values[1][2, 1] = np.nan
    segs = edge_segments(sizes, values, ref=2.0)
    traces = edge_traces(sizes, values, ref=2.0)
    assert len(segs) == len(EDGE_GROUPS) == N_EDGE_TRACES
    for (x, y), t, (sign, _, colour, width, _) in zip(segs, traces, EDGE_GROUPS):
        assert x.dtype == np.float32 and np.array_equal(x, np.asarray(t.x), equal_nan=True)
        assert (t.line.color, t.line.width) == (colour, width)
        if sign == 0:  # the one unknown edge: h1.3 -> o2
            pos = node_positions(sizes)
            assert list(x[:2]) == [1.0, 2.0] and list(y[:2]) == [pos[1][1][2], pos[2][1][1]]


def test_bias_rings_sign_and_width():
    b = np.array([np.nan, 0.0, -0.5, 2.0, -2.0])
    sign, width = bias_rings(b, 2.0)
    assert list(sign) == [0, 1, -1, 1, -1]
    assert list(width) == [1.5, 1.0, 2.25, 6.0, 6.0]
    assert list(node_biases([2, 2, 1], [np.array([0.5, -1.0]), np.array([3.0])]))[2:] == [
        0.5, -1.0, 3.0]
    assert np.isnan(node_biases([2, 2, 1], None)).all()


def test_unknown_node_values_are_grey_and_named_in_the_hover():
    net = net_with([2, 3, 1], seed=6)
    values = [np.array([1.0, -2.0]), np.array([0.5, np.nan, np.nan]), np.array([np.nan])]
    nodes = trace(network_figure(net, node_values=values, node_label="delta"), "nodes")
    colours = list(nodes.marker.color)
    assert colours[3:] == [UNKNOWN] * 3
    assert colours[0] == diverging_colour(0.5, zero=WHITE)  # layer 0 scaled by its max |2|
    assert colours[1] == "rgb(245, 147, 34)"  # -2 is the layer's largest: full orange
    assert UNKNOWN not in colours[:3]
    assert "delta = 0.5" in nodes.hovertext[2] and "delta = not known yet" in nodes.hovertext[3]
    # without values nothing is "unknown": the nodes are white
    assert set(trace(network_figure(net), "nodes").marker.color) == {"rgb(255, 255, 255)"}


def test_show_biases_false_draws_plain_rings():
    net = net_with([2, 3, 1], seed=7)
    nodes = trace(network_figure(net, show_biases=False), "nodes")
    assert set(nodes.marker.line.color) == {UNKNOWN}
    assert set(nodes.marker.line.width) == {1.5}
    assert not any("bias" in h for h in nodes.hovertext)


def test_diverging_colour_with_white_at_zero():
    assert diverging_colour(0, zero=WHITE) == "rgb(255, 255, 255)"
    assert diverging_colour(0) == "rgb(232, 234, 235)"
    assert diverging_colour(1, zero=WHITE) == diverging_colour(1)


def test_value_floor_scales_small_values():
    net = net_with([2, 2, 1], seed=8)
    values = [np.array([0.0, 0.0]), np.array([0.02, -0.01]), np.array([np.nan])]
    floored = trace(network_figure(net, node_values=values), "nodes").marker.color
    free = trace(network_figure(net, node_values=values, value_floor=0.0), "nodes").marker.color
    assert floored[2] == diverging_colour(0.02, zero=WHITE)  # nearly white on [-1, 1]
    assert free[2] == diverging_colour(1.0) and free[3] == diverging_colour(-0.5, zero=WHITE)
