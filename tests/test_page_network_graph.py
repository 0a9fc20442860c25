"""Network graph page through AppTest: renders for several experiments, the sample drives
the node values, the toggles and the neuron picker work, data without a plane says why."""

import numpy as np
import pytest

from tests.app_helpers import experiment, open_app

PAGE = "pages/network_graph.py"


def charts(at):
    """Return the page's Plotly figures (as dicts) by their element position."""
    import json

    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def named(fig, name):
    return next(t for t in fig["data"] if t.get("name") == name)


def node_labels(at):
    return named(charts(at)[0], "node values")["text"]


@pytest.mark.parametrize("params", [None, {"preset": "tutorial"}, {"preset": "spiral"},
                                    {"preset": "three_class"},
                                    {"hidden": "16,16,16,16,16,16", "acts": "relu"}])
def test_page_renders(params):
    at = open_app(params, page=PAGE)
    assert not at.exception
    exp = experiment(at)
    figs = charts(at)
    assert len(figs) == 4  # graph, boundary, one neuron, thumbnails
    nodes = named(figs[0], "nodes")
    assert len(nodes["text"]) == sum(exp.net.layer_sizes)
    # the numbers on the nodes are the first training sample's forward pass
    trace = exp.net.forward(exp.X_train[0])
    expected = [format(v, ".3g") for a in trace.activations for v in a[0]]
    assert node_labels(at) == expected


def test_changing_the_sample_changes_the_node_values():
    at = open_app(None, page=PAGE)
    first = node_labels(at)
    at.slider(key="ng.sample").set_value(7).run()
    assert not at.exception
    exp = experiment(at)
    trace = exp.net.forward(exp.X_train[6])
    assert node_labels(at) == [format(v, ".3g") for a in trace.activations for v in a[0]]
    assert node_labels(at) != first
    assert any("Train sample 7 of" in m.value for m in at.markdown)
    at.segmented_control(key="ng.split").set_value("test").run()
    trace = exp.net.forward(exp.X_test[6])
    assert node_labels(at) == [format(v, ".3g") for a in trace.activations for v in a[0]]
    assert any("Test sample 7 of" in m.value for m in at.markdown)


def test_toggles_and_neuron_choice():
    at = open_app(None, page=PAGE)
    scatter_names = [t.get("name") for t in charts(at)[1]["data"] if t["type"] == "scatter"]
    assert scatter_names == ["train data", "test data"]
    at.toggle(key="ng.show_test").set_value(False).run()
    scatter_names = [t.get("name") for t in charts(at)[1]["data"] if t["type"] == "scatter"]
    assert scatter_names == ["train data"]
    at.toggle(key="ng.discretize").set_value(True).run()
    assert not at.exception
    at.selectbox(key="ng.neuron").set_value("2.1").run()
    assert not at.exception
    heat = charts(at)[2]["data"][0]
    assert heat["type"] == "heatmap" and "h2.2" in heat["hovertemplate"]
    # a smaller network: the chosen neuron no longer exists and falls back to the first one
    at.slider(key="cfg.n_hidden").set_value(1).run()
    assert not at.exception
    assert at.selectbox(key="ng.neuron").value == "1.0"


def test_data_without_a_plane_says_why():
    at = open_app({"preset": "worked_example"}, page=PAGE)
    assert not at.exception
    assert len(charts(at)) == 1  # the graph only
    assert any("not points of a 2-D plane" in i.value for i in at.info)
    values = node_labels(at)
    assert values[:2] == ["0.05", "0.1"]  # Mazur's inputs


def test_boundary_is_the_sessions_network():
    at = open_app({"preset": "tutorial"}, page=PAGE)
    exp = experiment(at)
    heat = charts(at)[1]["data"][0]
    z = np.asarray(decode(heat["z"]), dtype=float)
    r = z.shape[0]
    g = np.linspace(-0.5, 1.5, r)
    # the corner (x1, x2) = (1.5, -0.5) with the tutorial's constant third input
    expected = exp.net.predict(np.array([[g[-1], g[0], 1.0]]))[0, 0]
    assert np.isclose(z[0, -1], expected, atol=1e-6)


def decode(spec):
    """Return a Plotly typed-array spec (or a list) as a NumPy array."""
    import base64

    if isinstance(spec, dict):
        a = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=spec["dtype"])
        return a.reshape([int(s) for s in spec["shape"].split(",")]) if "shape" in spec else a
    return np.asarray(spec)


def test_stuck_relu_units_are_faded_and_named():
    at = open_app({"hidden": "2,2,2,2,2,2", "acts": "relu", "seed": "7"}, page=PAGE)
    assert not at.exception
    nodes = named(charts(at)[0], "nodes")
    opacity = decode(nodes["marker"]["opacity"])
    names = nodes["text"]
    faded = [n for n, o in zip(names, opacity) if o < 1]
    assert faded == ["h6.2"]
    z = experiment(at).net.forward(experiment(at).X_train).pre_activations
    assert (z[5][:, 1] <= 0).all() and (z[5][:, 0] > 0).any()  # never active on this data
    assert any("h6.2 is stuck" in w.value for w in at.warning)
    at = open_app(None, page=PAGE)
    assert not at.warning


def test_uploaded_csv_two_columns_plane_named_and_three_columns_no_plane():
    import json

    at = open_app(None, page=PAGE)
    rows = "\n".join(f"{i * 0.1},{(i % 7) * 0.3},{i % 2}" for i in range(40))
    experiment(at).use_csv(("height,weight,label\n" + rows).encode())
    at.run()
    assert not at.exception
    boundary = json.loads(at.get("plotly_chart")[1].proto.spec)["layout"]
    assert boundary["xaxis"]["title"]["text"] == "height"
    assert boundary["yaxis"]["title"]["text"] == "weight"
    rows = "\n".join(f"{i * 0.1},{(i % 7) * 0.3},{i % 3},{i % 2}" for i in range(40))
    experiment(at).use_csv(("a,b,c,label\n" + rows).encode())
    at.run()
    assert not at.exception
    assert any("it has 3 input columns" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 1
