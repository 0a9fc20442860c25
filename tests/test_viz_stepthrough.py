"""viz.stepthrough: the step-through's graph shows only what is known, and where the step is."""

import numpy as np

from nn_core.stepthrough import step_through
from tests.test_worked_examples import MAZUR_X, MAZUR_Y, mazur_net
from viz.colors import NEGATIVE, POSITIVE, UNKNOWN
from viz.network_graph import N_EDGE_TRACES, node_positions
from viz.stepthrough import step_figure


def trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def run():
    return step_through(mazur_net(), MAZUR_X[0], MAZUR_Y[0], loss="mse", lr=0.5)


def segments(t):
    x, y = np.asarray(t.x, float), np.asarray(t.y, float)
    return {tuple(np.round([x[k], y[k], x[k + 1], y[k + 1]], 4)) for k in range(0, len(x), 3)}


def edge_key(sizes, l, i, j):
    pos = node_positions(sizes)
    return tuple(np.round([pos[l][0][i], pos[l][1][i], pos[l + 1][0][j], pos[l + 1][1][j]], 4))


def test_forward_step_shows_known_values_only_and_glows_the_neuron_it_computes():
    st = run()
    net = st.net
    sizes = net.layer_sizes
    step = next(s for s in st.phase("forward") if s.kind == "neuron" and s.layer == 2)  # o1
    fig = step_figure(net, step, input_names=["in1", "in2"])
    labels = list(trace(fig, "node values").text)
    a = net.forward(MAZUR_X[0]).activations
    assert labels[:4] == [format(v, ".3g") for v in np.concatenate([a[0][0], a[1][0]])]
    assert labels[4] == format(a[2][0, 0], ".3g") and labels[5] == ""  # o2 not yet computed
    nodes = trace(fig, "nodes")
    assert nodes.marker.color[5] == UNKNOWN and nodes.marker.color[4] != UNKNOWN
    assert "a = not known yet" in nodes.hovertext[5]
    assert f"bias b = {float(net.biases[1][0])!r}" in nodes.hovertext[4]  # forward: rings = biases
    assert nodes.marker.line.color[4] == (POSITIVE if net.biases[1][0] >= 0 else NEGATIVE)
    glow = trace(fig, "highlighted nodes")
    pos = node_positions(sizes)
    assert (glow.x[0], glow.y[0]) == (pos[2][0][0], pos[2][1][0])
    assert segments(trace(fig, "highlight")) == {edge_key(sizes, 1, 0, 0), edge_key(sizes, 1, 1, 0)}
    bright = set().union(*(segments(t) for t in fig.data
                           if t.mode == "lines" and t.name != "highlight" and t.opacity == 1.0))
    assert bright == {edge_key(sizes, 1, 0, 0), edge_key(sizes, 1, 1, 0)}
    assert [a.text for a in fig.layout.annotations][:2] == ["in1", "in2"]


def test_backward_step_draws_gradients_deltas_and_no_bias_rings():
    st = run()
    net = st.net
    step = st.phase("backward")[1]  # delta of o1 known, the rest not
    fig = step_figure(net, step)
    nodes = trace(fig, "nodes")
    deltas = np.concatenate([np.asarray(v, float) for v in step.node_values])
    known = np.isfinite(deltas)
    assert known.sum() >= 1 and not known[:2].any()
    assert [c == UNKNOWN for c in nodes.marker.color] == list(~known)
    k = int(np.flatnonzero(known)[0])
    # a delta far below 1 still gets its full colour (no [-1, 1] floor for deltas)
    assert nodes.marker.color[k] in ("rgb(8, 119, 189)", "rgb(245, 147, 34)")
    assert abs(deltas[k]) < 0.5
    assert f"delta = {float(deltas[k])!r}" in nodes.hovertext[k]
    assert set(nodes.marker.line.color) == {UNKNOWN}  # rings would be biases: not shown here
    hover = trace(fig, "edge values")
    assert hover.hovertext[0].startswith("dL/dw(1)[1,1]: x1 → h1.1")
    assert "not known yet" in hover.hovertext[0]
    edge_traces = [t for t in fig.data if t.mode == "lines" and t.name != "highlight"]
    assert len(edge_traces) in (N_EDGE_TRACES, 2 * N_EDGE_TRACES)
    unknown = sum(len(t.x) for t in edge_traces if t.line.color == UNKNOWN) // 3
    assert unknown == int(sum(np.isnan(g).sum() for g in step.edge_values))


def test_every_step_draws():
    st = run()
    for step in st.steps:
        fig = step_figure(st.net, step)
        assert len(trace(fig, "nodes").x) == sum(st.net.layer_sizes)
        assert fig.layout.height >= 380
