"""Activations: every function and its derivative, and the same network trained with each."""

from __future__ import annotations

import streamlit as st

from nn_core import ACTIVATIONS, HIDDEN_ACTIVATIONS
from nn_core.activation_study import (
    RELU_LIKE,
    activation_cost,
    dead_share,
    default_target,
    epochs_to_target,
    summarize,
)
from nn_core.config import LEARNING_RATES, LIMITS
from nn_core.datasets import DATASET_NAMES
from ui import cached
from ui.experiment import get_experiment
from viz.activations import (
    boundaries_figure,
    dead_units_figure,
    functions_figure,
    gradient_figure,
    loss_figure,
)

exp = get_experiment()
ss = st.session_state
DEAD_RATES = (0.03, 0.3, 3.0, 10.0)  # the learning rates of the dead-unit measurement
SIGMOID_MAX = ACTIVATIONS["sigmoid"].max_derivative


@st.cache_data(show_spinner=False)
def costs() -> dict:
    """Measured microseconds per f(z) and f'(z) call on 100,000 values, per activation."""
    return {name: tuple(1e6 * t for t in activation_cost(name)) for name in HIDDEN_ACTIVATIONS}


def study_setup(dataset_name, hidden, lr):
    """Return the study's experiment: the session's, with these data, widths and rate."""
    c = exp.config
    study_exp, notices = exp.variant(
        dataset=dataset_name, hidden=hidden, lr=lr,
        hidden_activations=(c.hidden_activations or ("tanh",))[:1] * len(hidden))
    for notice in notices:
        st.warning(notice, icon=":material/warning:")
    return study_exp


def parse_hidden(text):
    try:
        widths = tuple(int(p) for p in str(text).replace(" ", "").split(",") if p)
    except ValueError:
        return None
    return widths if widths else None


def study(study_exp, names, epochs, lrs):
    return cached.study(study_exp.key(True), tuple(names), int(epochs), tuple(lrs), study_exp)


# ---------- 1. the functions
st.title("Activation functions")
st.caption("The tutorial ends by asking which activation functions exist besides sigmoid, and "
           "which one to use. Below: each function and its slope, then the same network trained "
           "with each one, and the measurements that explain the difference.")
st.header("The functions", divider="gray")
shown = st.multiselect("Show", HIDDEN_ACTIVATIONS, default=["sigmoid", "tanh", "relu"],
                       key="act.show")
st.plotly_chart(functions_figure(shown), key="act.functions_chart")
if shown:
    cols = st.columns(min(len(shown), 3))
    for i, name in enumerate(shown):
        act = ACTIVATIONS[name]
        with cols[i % len(cols)]:
            st.markdown(f"**{name}**: {act.description}")
            st.latex(act.latex)
            st.latex(act.derivative_latex)

cost = costs()
table = [{
    "activation": name,
    "output range": ACTIVATIONS[name].range,
    "zero-centred": "yes" if ACTIVATIONS[name].zero_centred else "no",
    "largest f'(z)": round(ACTIVATIONS[name].max_derivative, 4),
    "saturates": ACTIVATIONS[name].saturates,
    "smooth at 0": "yes" if ACTIVATIONS[name].smooth_at_0 else "no",
    "cost": ACTIVATIONS[name].cost,
    "f(z) µs": round(cost[name][0], 1),
    "f'(z) µs": round(cost[name][1], 1),
} for name in HIDDEN_ACTIVATIONS]
st.dataframe(table, hide_index=True)
st.caption("Largest f'(z) is measured on a fine grid over [-10, 10]; the times are measured on "
           "this server: microseconds per call on 100,000 values (best of 5).")

# ---------- 2. the same network, trained with each
st.header("The same network, trained with each", divider="gray")
c = exp.config
datasets = list(DATASET_NAMES)
if c.dataset not in datasets:
    datasets.insert(0, c.dataset)
ss.setdefault("act.dataset", c.dataset)
ss.setdefault("act.hidden", ",".join(str(h) for h in c.hidden) or "8")
ss.setdefault("act.lr", c.lr if c.lr in LEARNING_RATES else 0.03)


def deep_sigmoid():
    ss["act.hidden"] = "8,8,8,8,8,8"


def submit():
    # A callback: the request is stored before the rerun, so it survives Streamlit's reruns.
    hidden = parse_hidden(ss["act.hidden"])
    names = ss["act.names"]
    if hidden is None:
        ss["act.error"] = "Hidden layers: write widths as whole numbers separated by commas, e.g. 8,8."
    elif not names:
        ss["act.error"] = "Choose at least one activation."
    else:
        ss["act.request"] = (ss["act.dataset"], hidden, float(ss["act.lr"]), tuple(names),
                             int(ss["act.epochs"]), float(ss["act.target"]))


with st.container(border=True):
    a, b, d = st.columns(3)
    dataset_name = a.selectbox("Dataset", datasets, key="act.dataset")
    hidden_text = b.text_input("Hidden layers (widths, comma-separated)", key="act.hidden",
                               help=f"Up to {LIMITS.max_hidden_layers} layers of 1 to "
                                    f"{LIMITS.max_neurons} units, e.g. 8,8")
    lr = d.select_slider("Learning rate", LEARNING_RATES, key="act.lr")
    a, b, d = st.columns([3, 1, 1])
    names = a.multiselect("Activations (hidden layers)", HIDDEN_ACTIVATIONS,
                          default=list(HIDDEN_ACTIVATIONS), key="act.names")
    epochs = b.number_input("Epochs", 1, LIMITS.max_epochs, value=min(c.epochs, 300),
                            key="act.epochs")
    target = d.number_input("Loss target (0 = auto)", 0.0, 1e6, value=0.0, format="%.4g",
                            key="act.target")
    a, b = st.columns([1, 3])
    a.button("Train and compare", type="primary", icon=":material/play_arrow:",
             key="act.train", on_click=submit)
    b.button("Deep sigmoid example: 6 hidden layers of 8", on_click=deep_sigmoid,
             key="act.deep", help="Fills in the layers; then press Train and compare.")

if "act.error" in ss:
    st.error(ss.pop("act.error"), icon=":material/error:")
request = ss.get("act.request")
if request is None:
    st.info("Choose the settings and press **Train and compare**. The defaults come from the "
            "shared experiment (sidebar).", icon=":material/info:")
    st.stop()

dataset_name, hidden, lr, names, epochs, target = request
study_exp = study_setup(dataset_name, hidden, lr)
config, dataset, net, plane = study_exp.config, study_exp.dataset, study_exp.net, study_exp.plane
names = [n for n in names if n in HIDDEN_ACTIVATIONS][:LIMITS.max_comparison_runs]
cap = study_exp.study_cap(len(names))
if epochs > cap:
    st.info(f"{epochs} epochs of {len(names)} networks would take too long for one request; "
            f"training {cap}.", icon=":material/info:")
    epochs = cap
with st.spinner(f"Training {len(names)} networks for {epochs} epochs..."):
    runs, seconds = study(study_exp, names, epochs, [config.lr] * len(names))
target = target if target > 0 else default_target(runs)

sizes = "-".join(map(str, net.layer_sizes))
batch = "full batch" if not config.batch_size else f"batch {config.batch_size}"
st.success(
    f"Every run starts from **the same initial weights** ({config.init} init, seed "
    f"{config.seed}) and sees the same minibatches in the same order: only the hidden layers' "
    f"activation differs. Network {sizes} ({net.activations[-1]} output), "
    f"{dataset_name.replace('_', ' ')}, {len(dataset.X_train)} training points, "
    f"{config.optimizer} lr {config.lr:g}, {batch}, {config.loss} loss, {epochs} epochs.",
    icon=":material/balance:")

st.subheader("The answer, measured")
st.markdown("\n".join(f"- {s}" for s in summarize(runs, target, dataset.X_train)))
st.caption(f"All {len(runs)} networks trained together in {seconds:.2f} s (one batched step "
           "updates every run). The result is cached: coming back to this page does not "
           "retrain.")

rows = []
for run in runs:
    h = run.history
    hit = epochs_to_target(h, target)
    dead, total = dead_share(run, dataset.X_train)
    rows.append({
        "activation": run.name,
        "final train loss": float(h.loss[-1]) if h.loss.size else h.initial_loss,
        "final test loss": float(h.test_loss[-1]) if h.test_loss is not None else None,
        "test accuracy": (f"{100 * h.test_accuracy[-1]:.1f}%" if h.test_accuracy is not None
                          else "–"),
        f"epoch loss ≤ {target:g}": hit if hit is not None else "never",
        "time in f and f' (ms)": round(1000 * run.activation_seconds, 1),
        "dead units": f"{dead} of {total}" if run.name in RELU_LIKE else "–",
        "status": h.stop_reason.split(":")[0] if h.diverged else "trained",
    })
st.dataframe(rows, hide_index=True)
st.caption("Time in f and f': this run's own activation calls during training (the rest of the "
           "batched step is shared by all runs).")

st.markdown("**Loss per epoch**")
st.plotly_chart(loss_figure(runs, target), key="act.loss_chart")
st.markdown("**Decision boundaries after training** (training points on top)")
boundaries = boundaries_figure(runs, plane, dataset.y_train)
if boundaries is None:
    st.info("This data is not a 2-D plane, so there is no decision boundary to draw.")
else:
    st.plotly_chart(boundaries, key="act.boundaries_chart",
                    config={"displayModeBar": False})

# ---------- 3. why
st.header("Why: gradients per layer, and dead units", divider="gray")
st.markdown(
    f"Backpropagation multiplies the gradient by f'(z) once per layer. Sigmoid's slope is at "
    f"most {SIGMOID_MAX:.2f}, so through a stack of sigmoid layers the first layers' gradient "
    f"shrinks (vanishes) and they learn slowly. Each panel shows |dL/dW| per layer after every "
    f"epoch, read from the training history; try the deep sigmoid example above.")
st.plotly_chart(gradient_figure(runs), key="act.gradient_chart")

st.markdown(
    "A ReLU unit whose z is negative on every training point outputs 0 and gets zero "
    "gradient: it is **dead** and gradient descent can never bring it back. Large steps push "
    "units there. Leaky ReLU and ELU keep a small slope for z < 0, so their never-active units "
    "can still recover.")
st.button("Measure dead units at several learning rates", key="act.dead_button",
          on_click=lambda: ss.update({"act.dead_request": ss.get("act.request")}))
if ss.get("act.dead_request") == request:
    dead_names = [n for n in ("relu", "leaky_relu") for _ in DEAD_RATES]
    dead_rates = list(DEAD_RATES) * 2
    dead_runs, _ = study(study_exp, dead_names, min(epochs, study_exp.study_cap(len(dead_names))),
                         dead_rates)
    counts = [dead_share(r, dataset.X_train) for r in dead_runs]
    labels = [f"{r.name}<br>lr {r.lr:g}" + (" (diverged)" if r.history.diverged else "")
              for r in dead_runs]
    st.plotly_chart(dead_units_figure(labels, [d for d, _ in counts], [t for _, t in counts],
                                      [r.name for r in dead_runs]), key="act.dead_chart")
    by = {(r.name, r.lr): d for r, (d, _) in zip(dead_runs, counts)}
    total = counts[0][1]
    st.markdown("Measured: " + "; ".join(
        f"{name} {by[(name, DEAD_RATES[0])]} of {total} dead at lr {DEAD_RATES[0]:g}, "
        f"{by[(name, DEAD_RATES[-1])]} at lr {DEAD_RATES[-1]:g}" for name in ("relu", "leaky_relu"))
        + ".")
    st.caption("Same network and initial weights; a unit counts as dead when its z ≤ 0 on every "
               "training point after training.")
else:
    relu_runs = [r for r in runs if r.name in RELU_LIKE]
    if relu_runs:
        counts = [dead_share(r, dataset.X_train) for r in relu_runs]
        st.plotly_chart(dead_units_figure([r.name for r in relu_runs], [d for d, _ in counts],
                                          [t for _, t in counts], [r.name for r in relu_runs]),
                        key="act.dead_chart")
