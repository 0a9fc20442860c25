"""Network graph: the architecture drawn live, one sample's value at every node, the plane."""

from __future__ import annotations

import numpy as np
import streamlit as st

from nn_core.activation_study import zero_gradient_units
from ui.experiment import get_experiment
from viz.boundary import decision_boundary_figure, neuron_figure, neuron_thumbnails_figure
from viz.network_graph import network_figure, node_names

exp = get_experiment()

PREFIX = "ng"
RESOLUTION = 100  # boundary grid (LIMITS.max_grid_resolution caps any user choice)
CHART = {"displayModeBar": False}


# ---------- pure, cached computations (keyed on the experiment: its network and its plane)
@st.cache_data(max_entries=64, show_spinner=False)
def boundary(key, discretize, show_test, axis_names, _exp):
    plane = _exp.plane
    return decision_boundary_figure(
        _exp.net, plane.points_train, _exp.y_train, plane.points_test, _exp.y_test,
        feature_fn=plane.inputs, resolution=RESOLUTION, discretize=discretize,
        show_test=show_test, domain=plane.domain, axis_names=axis_names, height=440)


@st.cache_data(max_entries=64, show_spinner=False)
def thumbnails(key, input_names, _exp):
    return neuron_thumbnails_figure(_exp.net, _exp.plane.inputs, domain=_exp.plane.domain,
                                    input_names=input_names)


@st.cache_data(max_entries=64, show_spinner=False)
def one_neuron(key, layer, unit, input_names, axis_names, _exp):
    plane = _exp.plane
    return neuron_figure(_exp.net, layer, unit, plane.inputs, resolution=RESOLUTION,
                         domain=plane.domain, X_train=plane.points_train, y_train=_exp.y_train,
                         input_names=input_names, axis_names=axis_names, height=440)


# ---------- the page
net = exp.net
sizes = net.layer_sizes
input_names = tuple(exp.dataset.feature_names or [])
names = node_names(sizes, input_names)

st.title("Network graph")
st.markdown(
    "Every line is a weight: **blue is positive, orange is negative**, and the thicker the line, "
    "the larger the weight. Each node's **ring is its bias** (same colours); the number above "
    "a node is its value for the sample you pick below. Hover over any line or node for its "
    "exact value.")

has_test = exp.X_test is not exp.X_train and len(exp.X_test) > 0
# Units whose activation has zero slope on every training row can never learn: drawn faded.
dead = [(k + 1, int(j)) for k, stuck in enumerate(zero_gradient_units(net, exp.X_train))
        for j in np.flatnonzero(stuck)]


@st.fragment
def graph_section():
    """The sample picker and the graph with that sample's values (reruns alone)."""
    c1, c2 = st.columns([1, 3])
    split = c1.segmented_control("Sample from", ["train", "test"] if has_test else ["train"],
                                 default="train", key=f"{PREFIX}.split") or "train"
    X, Y = (exp.X_test, exp.y_test) if split == "test" else (exp.X_train, exp.y_train)
    n = len(X)
    if n > 1:
        index = c2.slider(f"Sample (1 to {n})", 1, n, 1, key=f"{PREFIX}.sample")
    else:
        index = 1
        c2.caption("This data has a single sample.")
    index = min(max(int(index), 1), n) - 1
    x, y = X[index], Y[index]
    trace = net.forward(x)
    node_values = [a[0] for a in trace.activations]
    st.plotly_chart(
        network_figure(net, node_values=node_values, input_names=input_names, hidden_nodes=dead),
        key=f"{PREFIX}.graph", config=CHART)
    out_text = ", ".join(f"{names[-1][j]} = {v:.4g}" for j, v in enumerate(trace.output[0]))
    target_text = ", ".join(f"{v:.4g}" for v in np.ravel(y))
    inputs_text = ", ".join(f"{names[0][i]} = {v:.4g}" for i, v in enumerate(x))
    st.markdown(f"**{split.capitalize()} sample {index + 1} of {n}:** {inputs_text} → "
                f"output {out_text} (target {target_text}).  \n"
                f":gray[Network {'-'.join(map(str, sizes))} · {net.n_params} parameters · "
                f"activations {', '.join(net.activations)}. Node colour: the value on a blue "
                f"(positive) / orange (negative) scale, white near 0. The Feedforward page "
                f"shows how each number is computed.]")


graph_section()
if dead:
    st.warning(f"Faded: {', '.join(names[k][j] for k, j in dead)} "
               f"{'is' if len(dead) == 1 else 'are'} stuck: the activation's slope is 0 for "
               f"every training sample, so no gradient reaches {'it' if len(dead) == 1 else 'them'}"
               f" and training cannot change {'its' if len(dead) == 1 else 'their'} incoming "
               f"weights (a dead ReLU). A different seed, a smaller learning rate or leaky ReLU "
               f"helps.", icon=":material/block:")

# ---------- the input plane
st.subheader("The network over the input plane")
plane = exp.plane
if plane is None:
    st.info(
        f"This data's inputs are not points of a 2-D plane (it has {sizes[0]} input columns "
        f"and no map from a plane to them), so there is no decision boundary or neuron map to "
        f"draw. Choose a 2-D dataset in the sidebar, or upload a CSV with two feature columns.",
        icon=":material/info:")
    st.stop()

exp_key = exp.key()
# The plane's axes: a CSV's own column names, else the generated data's x1, x2.
axis_names = (tuple(input_names[:2]) if not plane.feature_names and len(input_names) >= 2
              else ("x1", "x2"))
labels = {f"0.{i}": f"{names[0][i]} (input feature)" for i in range(sizes[0])}
labels.update({f"{k}.{j}": names[k][j] for k in range(1, len(sizes)) for j in range(sizes[k])})
options = list(labels)
if st.session_state.get(f"{PREFIX}.neuron") not in options:  # the architecture changed
    st.session_state[f"{PREFIX}.neuron"] = options[sizes[0]]  # the first hidden (or output) unit


@st.fragment
def boundary_section():
    st.markdown("##### The output (decision boundary)")
    t1 = t2 = st.container(horizontal=True)  # each toggle as wide as its label; wraps if narrow
    show_test = t1.toggle("Show test data", value=True, key=f"{PREFIX}.show_test",
                          disabled=not has_test)
    discretize = t2.toggle("Discretize output", value=False, key=f"{PREFIX}.discretize")
    st.plotly_chart(boundary(exp_key, discretize, show_test and has_test, axis_names, exp),
                    key=f"{PREFIX}.boundary", config=CHART)
    st.caption("Background: the network's output at each point of the plane; points: the data, "
               "coloured by their label (white ring = train, dark ring = test). "
               "Discretize shows only which side of 0.5 (or of 0) the output falls on.")


@st.fragment
def neuron_section():
    st.markdown("##### One neuron, large")
    choice = st.selectbox("Neuron", options, format_func=labels.get, key=f"{PREFIX}.neuron")
    layer, unit = (int(v) for v in choice.split("."))
    st.plotly_chart(one_neuron(exp_key, layer, unit, input_names, axis_names, exp), key=f"{PREFIX}.neuron_fig", config=CHART)
    act = "its value" if layer == 0 else f"its activation ({net.activations[layer - 1]})"
    st.caption(f"{labels[choice]}: {act} at each point of the plane, with the training points.")


left, right = st.columns(2, gap="large")
with left:
    boundary_section()
with right:
    neuron_section()

st.markdown("##### Every neuron")
st.caption("Each unit's own output over the same plane, laid out like the graph above: the "
           "first layer cuts the plane with straight lines (or curves of the input features), "
           "and later layers combine those pieces into the final boundary.")
st.plotly_chart(thumbnails(exp_key, input_names, exp), key=f"{PREFIX}.thumbnails",
                config=CHART)
