"""Home: what the playground is, the presets, and where to start."""

import streamlit as st

from nn_core.config import PRESETS
from ui.experiment import apply_preset, get_experiment

exp = get_experiment()

st.title("Neural Network Playground")
st.markdown(
    "Watch a small neural network learn, **one number at a time**. Every weight, every "
    "weighted sum, every gradient is on screen and can be checked: draw the network, step "
    "through its forward pass, walk backpropagation backwards like a debugger, and watch the "
    "weights, the decision boundary and the loss move together while it trains."
)

st.subheader("Start from a preset")
st.caption("Each loads data, a network and training settings; the sidebar shows them and the "
           "address bar becomes a link that reopens exactly this experiment.")
cols = st.columns(len(PRESETS))
for col, (name, (label, config)) in zip(cols, PRESETS.items()):
    with col.container(border=True):
        st.markdown(f"**{label}**")
        hidden = "-".join(str(h) for h in config.hidden) or "no hidden layer"
        st.caption(f"{config.dataset.replace('_', ' ')} · hidden {hidden} · "
                   f"{config.hidden_activations[0] if config.hidden else config.output_activation}"
                   f" · lr {config.lr:g}")
        st.button("Load", key=f"preset_{name}", on_click=apply_preset, args=(name,),
                  width="stretch")

st.subheader("Where to start")
st.markdown(
    """
1. **Network graph**: the architecture drawn live. Blue edges are positive weights, orange
   negative, thicker means larger. Pick a sample and read its value at every node.
2. **Feedforward**: one sample through the network, neuron by neuron, with the real numbers.
3. **Backprop**: the chain rule backwards, every gradient checked against finite differences;
   switch on a classic bug and see what it breaks, or paste your own numbers to find where
   they first go wrong.
4. **Training**: train for N epochs and replay it: edges, decision boundary and loss curves
   move together. Compare learning rates, optimizers and batch sizes.
5. **Activations**: sigmoid, tanh, ReLU and friends side by side, and the same network trained
   with each one, answering the tutorial's last questions with measurements.
"""
)

c = exp.config
st.info(
    f"**Current experiment:** {c.dataset.replace('_', ' ')} data "
    f"({len(exp.X_train)} training rows, {len(exp.X_test)} test rows), network "
    f"{' - '.join(str(s) for s in exp.net.layer_sizes)} "
    f"({', '.join(exp.net.activations)}), loss {c.loss}, learning rate {c.lr:g}.",
    icon=":material/science:",
)
