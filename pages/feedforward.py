"""Feedforward: one sample through the network, neuron by neuron, with the real numbers."""

from __future__ import annotations

import streamlit as st

from ui.experiment import get_experiment
from ui.stepper import fingerprint, pick_sample, reset_when_changed, step_view, steps_for

exp = get_experiment()
PREFIX = "ff"

st.title("Feedforward")
st.caption("Pick one sample and push it through the network one step at a time: each neuron "
           "forms its weighted sum z = Σ w·a + b of the layer before, then its activation "
           "a = f(z). Values appear on the graph only once they are computed.")

x, y, granularity, where = pick_sample(exp, PREFIX)
run = steps_for(exp, x, y, granularity)
steps = run.phase("forward", "loss")
# The whole layer's formula beside each neuron's: only its forward steps are ever shown.
layer_run = steps_for(exp, x, y, "layer", forward_only=True) if granularity == "neuron" else run
layer_steps = {s.layer: s for s in layer_run.phase("forward") if s.kind == "layer"}
reset_when_changed(PREFIX, (exp.version, tuple(x), tuple(y), granularity, fingerprint(exp)))
goto = st.session_state.pop(f"{PREFIX}.goto", None)  # the Playground's "Step through this neuron"
if goto is not None:
    st.session_state[f"{PREFIX}.step"] = next(
        (k for k, s in enumerate(steps) if s.kind == "neuron" and (s.layer, s.unit) == tuple(goto)), 0)


def first_hint(step):
    if step.kind == "input":
        st.info("Press **Next** to compute the first neuron.", icon=":material/arrow_forward:")


def whole_layer(step):  # at the page's width: the layer's matrices are wide
    if step.kind == "neuron" and step.layer in layer_steps:
        with st.expander(f"The whole layer {step.layer} at once: z = aW + b, one row per "
                         "neuron", expanded=True):
            st.latex(layer_steps[step.layer].latex)


@st.fragment
def stepper():
    step = step_view(
        exp, PREFIX, run, steps, lambda s: s.title,
        f"{where} · {exp.loss} loss · network {'-'.join(map(str, exp.net.layer_sizes))}",
        lambda s: "Node colour and number: the activation a (blue positive, orange negative); "
                  "grey nodes are not computed yet. Edges: the weights (blue +, orange −, "
                  "thicker = larger); the glowing edges feed the neuron being computed.",
        first_hint, whole_layer)
    if step.kind == "loss":
        c1, c2, c3 = st.columns(3)
        out, target = step.values["output"][0], step.values["y"][0]
        c1.metric("Output", ", ".join(format(v, ".6g") for v in out))
        c2.metric("Target", ", ".join(format(v, ".6g") for v in target))
        c3.metric(f"Loss ({exp.loss})", format(step.values["loss"], ".6g"))
        st.success("That is the whole forward pass. The **Backprop** page walks back from this "
                   "loss to every weight.", icon=":material/check_circle:")
    with st.expander("All steps as text (copy into a notebook to compare)"):
        st.code(run.to_text(("forward", "loss")), language=None)
        # Written only when clicked (every Next reruns this fragment), from this run.
        st.download_button("Download the steps (.txt)", lambda run=run: run.to_text(),
                           "feedforward_steps.txt", key=f"{PREFIX}.download",
                           on_click="ignore")


stepper()
