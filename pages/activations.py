"""Activations: every function and its derivative, and the same network trained with each."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nn_core import ACTIVATIONS, HIDDEN_ACTIVATIONS
from nn_core.activation_study import (
    activation_cost,
    dead_share,
    default_target,
)
from nn_core.answers import (
    answer,
    deep_example,
    loss_groups,
    measure,
    range_words,
    spread,
    target_spread,
)
from nn_core.config import LEARNING_RATES, LIMITS
from nn_core.datasets import DATASET_NAMES
from nn_core.experiment import Experiment
from nn_core.seed_study import DEEP_ACTIVATIONS, DEEP_EXAMPLE, SEEDS, gradient_ratios, of_seed
from ui import cached
from ui.experiment import get_experiment
from ui.sidebar import DATASET_LABELS
from viz.activations import (
    boundaries_figure,
    dead_units_figure,
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


def study(study_exp, names, epochs, lrs, seeds=SEEDS):
    """Every name trained from `seeds` starts, cached for all sessions: (runs, seconds)."""
    return cached.study(study_exp.key(True), tuple(names), int(epochs), tuple(lrs), study_exp,
                        seeds)


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


def task_of(dataset):
    if dataset.task == "regression":
        return "regression"
    return "multiclass" if dataset.n_classes > 2 else "binary"


def results_table(measured, groups):
    """One row per activation, one type per column (numbers; empty where not measured)."""
    group_of = {n: i + 1 for i, g in enumerate(groups) for n in g}
    rows = []
    for m in measured:
        med, lo, hi = spread(m.final_loss)
        hit_med = target_spread(m)[0]
        rows.append({
            "activation": m.name,
            "group": group_of.get(m.name),
            "loss: median": med,
            "low": lo,
            "high": hi,
            "accuracy": 100 * spread(m.accuracy)[0] if m.accuracy else None,
            "epochs to target": hit_med if hit_med < float("inf") else None,
            "reached target": sum(e is not None for e in m.epochs_to_target),
            "diverged": m.diverged,
        })
    return pd.DataFrame(rows)


def styled(table, seeds, target, has_test):
    """Numbers stay numbers (right-aligned); a missing value is an empty cell; one row per
    activation, named in the row header, best group first."""
    word = "test" if has_test else "training"
    names = {"loss: median": f"{word} loss", "low": "range: low", "high": "range: high",
             "accuracy": "test accuracy", "epochs to target": f"epochs to ≤ {target:g}",
             "reached target": "reached", "diverged": "diverged"}
    fmt = {"group": "{:.0f}", "loss: median": "{:.4g}", "low": "{:.4g}", "high": "{:.4g}",
           "accuracy": "{:.1f}%", "epochs to target": "{:.0f}",
           "reached target": f"{{:.0f}} of {seeds}", "diverged": f"{{:.0f}} of {seeds}"}
    table = table.sort_values(["group", "loss: median"], na_position="last")
    table = table.set_index("activation").rename(columns=names)
    return table.style.format({names.get(k, k): v for k, v in fmt.items()
                               if names.get(k, k) in table}, na_rep="")


def show_answer(measured, target, dataset, hidden_layers):
    has_test = len(dataset.X_test) > 0
    out = answer(measured, target, task_of(dataset), hidden_layers, has_test)
    st.markdown("#### " + out["verdict"])
    st.markdown("\n".join(f"- {s}" for s in out["evidence"]))
    st.markdown("**The general advice, and whether this data agreed**")
    st.markdown("\n".join(f"- {s}" for s in out["advice"] + [out["agreement"]]))
    return has_test


# ---------- the page: four tabs, in the order of the tutorial's questions
st.title("Activation functions")
st.caption("The tutorial ends by asking which activation functions exist besides sigmoid, and "
           "which one to use. The four tabs answer in order: **1** each function and its "
           "slope; **2** the same network trained with each one, a verdict measured over "
           "several starts; **3** a deep network where sigmoid's gradient vanishes; **4** "
           "ReLU units that die at large learning rates.")
tab_functions, tab_which, tab_deep, tab_dead = st.tabs(
    ["1 · The functions", "2 · Which one to use?", "3 · Vanishing gradients",
     "4 · Dead units"])

with tab_functions:
    shown = st.multiselect("Show", HIDDEN_ACTIVATIONS, default=["sigmoid", "tanh", "relu"],
                           key="act.show")
    st.plotly_chart(cached.functions(tuple(shown)), key="act.functions_chart")
    if shown:
        # Boxes wide enough for a derivative's formula, as many per row as the page holds.
        row = st.container(horizontal=True, gap="medium")
        for name in shown:
            act = ACTIVATIONS[name]
            with row.container(width=290):
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
    st.table(table, hide_index=True)  # a table that wraps: "saturates" is a sentence
    st.caption("Largest f'(z) is measured on a fine grid over [-10, 10]; the times are measured on "
               "this server: microseconds per call on 100,000 values (best of 5).")

# ---------- 2. which activation should I use? The same network, trained with each
with tab_which:
    st.markdown(f"The same network trained with each activation, from the same {SEEDS} sets of "
                "initial weights (seeds), on the same data: first the verdict, then the evidence.")
    c = exp.config
    datasets = list(DATASET_NAMES)
    if c.dataset not in datasets:
        datasets.insert(0, c.dataset)
    ss.setdefault("act.dataset", c.dataset)
    ss.setdefault("act.hidden", ",".join(str(h) for h in c.hidden) or "8")
    ss.setdefault("act.lr", c.lr if c.lr in LEARNING_RATES else 0.03)

    with st.container(border=True):
        # The dataset box is widest: "Tutorial XOR (4 rows)" must fit it at 1024 px.
        a, b, d = st.columns([4, 4, 3])
        a.selectbox("Dataset", datasets, key="act.dataset",
                    format_func=lambda k: DATASET_LABELS.get(k, k))  # named as in the sidebar
        b.text_input("Hidden layers (widths, comma-separated)", key="act.hidden",
                     help=f"Up to {LIMITS.max_hidden_layers} layers of 1 to "
                          f"{LIMITS.max_neurons} units, e.g. 8,8")
        d.select_slider("Learning rate", LEARNING_RATES, key="act.lr")
        # The whole width: nine activations' tags in one box are read at a glance.
        st.multiselect("Activations (hidden layers)", HIDDEN_ACTIVATIONS,
                       default=list(HIDDEN_ACTIVATIONS), key="act.names")
        row = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
        row.number_input("Epochs", 1, LIMITS.max_epochs, value=min(c.epochs, 300),
                         key="act.epochs", width=150)
        row.number_input("Loss target (0 = auto)", 0.0, 1e6, value=0.0, format="%.4g",
                         key="act.target", width=170)
        row.button("Train and compare", type="primary", icon=":material/play_arrow:",
                   key="act.train", on_click=submit, width="content")

    if "act.error" in ss:
        st.error(ss.pop("act.error"), icon=":material/error:")

    request = ss.get("act.request")
    if request is None:
        st.info("Choose the settings and press **Train and compare**. The defaults come from the "
                "shared experiment (sidebar).", icon=":material/info:")
    else:
        dataset_name, hidden, lr, names, epochs, target = request
        study_exp = study_setup(dataset_name, hidden, lr)
        config, dataset, net, plane = (study_exp.config, study_exp.dataset, study_exp.net,
                                       study_exp.plane)
        names = [n for n in names if n in HIDDEN_ACTIVATIONS][:LIMITS.max_comparison_runs]
        # A preset with fixed weights (Mazur's) has one start only: its seed draws nothing.
        seeds = 1 if config.fixed_weights else SEEDS
        # Five seeds in one batch cost about twice one seed (bench/activations.py).
        cap = study_exp.study_cap(2 * len(names))
        if epochs > cap:
            st.info(f"{epochs} epochs of {len(names)} x {seeds} networks would take too long for "
                    f"one request; training {cap}.", icon=":material/info:")
            epochs = cap
        with st.spinner(f"Training {len(names)} activations x {seeds} seeds for {epochs} epochs..."):
            runs, seconds = study(study_exp, names, epochs, [config.lr] * len(names),
                                  seeds)
        first = of_seed(runs, seeds)
        target = target if target > 0 else default_target(first)
        measured = measure(runs, target)

        sizes = "-".join(map(str, net.layer_sizes))
        batch = "full batch" if not config.batch_size else f"batch {config.batch_size}"
        st.success(
            (f"Every activation starts from **the same initial weights**, {seeds} times over "
             f"({config.init} init, seeds {config.seed} to {config.seed + seeds - 1}), and sees the "
             if seeds > 1 else "Every activation starts from **the same initial weights** (the "
             "preset's fixed ones: one start, so no ranges), and sees the ") +
            f"same minibatches in the same order: only the hidden layers' activation differs. "
            f"Network {sizes} ({net.activations[-1]} output), {dataset_name.replace('_', ' ')}, "
            f"{len(dataset.X_train)} training points, {config.optimizer} lr {config.lr:g}, {batch}, "
            f"{config.loss} loss, {epochs} epochs.", icon=":material/balance:")
        has_test = show_answer(measured, target, dataset, len(hidden))
        st.caption(f"All {len(runs)} networks trained together in {seconds:.2f} s (one batched step "
                   "updates every run). The result is cached: coming back does not retrain.")
        table = results_table(measured, loss_groups(measured))
        if not table["diverged"].any():
            table = table.drop(columns="diverged")  # a column of zeros says nothing
        # st.table, not st.dataframe: every column fits at 1024 px and an empty cell stays empty.
        st.table(styled(table, seeds, target, has_test))
        st.caption(f"Each row: the median over {seeds} seeds and its range; {range_words(seeds)}. "
                   f"**group**: 1 is the best group, the activations whose range overlaps that of "
                   f"the best median (indistinguishable from it here); empty: not ranked, a seed "
                   f"diverged. **epochs**: median epochs until the training loss ≤ {target:g} (the "
                   f"loss target); empty: most seeds never reached it. **reached**: seeds that "
                   f"reached it.")
        st.markdown(f"**Loss per epoch** (seed {config.seed}; the table covers all {seeds} seeds)")
        st.plotly_chart(loss_figure(first, target), key="act.loss_chart")
        st.markdown(f"**Decision boundaries after training** (seed {config.seed}, training points "
                    "on top)")
        boundaries = boundaries_figure(first, plane, dataset.y_train)
        if boundaries is None:
            st.info("This data is not a 2-D plane, so there is no decision boundary to draw.")
        else:
            st.plotly_chart(boundaries, key="act.boundaries_chart",
                            config={"displayModeBar": False})
        st.markdown(f"**Gradient size per layer** (seed {config.seed}): backpropagation multiplies "
                    f"the gradient by f'(z) once per layer; sigmoid's slope is at most "
                    f"{SIGMOID_MAX:.2f}.")
        st.plotly_chart(gradient_figure(first), key="act.gradient_chart")

# ---------- 3. vanishing gradients, demonstrated
with tab_deep:
    d = DEEP_EXAMPLE
    st.markdown(
        f"This example brings **its own data and network**, whatever the sidebar holds: the "
        f"circle data ({d.n_points} points), {len(d.hidden)} hidden layers of {d.hidden[0]} units, "
        f"{d.init} initial weights, plain SGD lr {d.lr:g}, batch {d.batch_size}, {d.loss} loss, "
        f"{d.epochs} epochs, {SEEDS} seeds. Each sigmoid layer multiplies the gradient flowing back "
        f"by f'(z) ≤ {SIGMOID_MAX:.2f}; six of them in a row leave the first layers almost no "
        "gradient to learn from.")
    st.button("Run the deep example", key="act.deep", icon=":material/layers:",
              on_click=lambda: ss.update({"act.deep_request": True}))
    if ss.get("act.deep_request"):
        deep = Experiment(d)
        with st.spinner(f"Training {len(DEEP_ACTIVATIONS)} activations x {SEEDS} seeds, "
                        f"{len(d.hidden)} hidden layers..."):
            deep_runs, _ = study(deep, DEEP_ACTIVATIONS, d.epochs,
                                 [d.lr] * len(DEEP_ACTIVATIONS))
        deep_first = of_seed(deep_runs, SEEDS)
        deep_target = default_target(deep_first)
        deep_measured = measure(deep_runs, deep_target)
        st.markdown("\n".join(f"- {s}" for s in deep_example(
            deep_measured, gradient_ratios(deep_runs), d.epochs)))
        st.markdown(f"**Gradient size per layer** (seed {d.seed}): in the sigmoid panel the first "
                    "layers sit far below the output layer; in the others they stay close.")
        st.plotly_chart(gradient_figure(deep_first), key="act.deep_gradient_chart")
        st.markdown(f"**Loss per epoch** (seed {d.seed})")
        st.plotly_chart(loss_figure(deep_first, deep_target), key="act.deep_loss_chart")

# ---------- 4. dead units (the study's network at larger learning rates)
with tab_dead:
    st.markdown(
        "A ReLU unit whose z is negative on every training point outputs 0 and gets zero "
        "gradient: it is **dead** and gradient descent can never bring it back. Large steps push "
        "units there. Leaky ReLU and ELU keep a small slope for z < 0, so their never-active units "
        "can still recover.")
    if request is None:
        st.caption("Press **Train and compare** in tab 2 first: this measures the same "
                   "network.")
    else:
        st.button("Measure dead units at several learning rates", key="act.dead_button",
                  on_click=lambda: ss.update({"act.dead_request": ss.get("act.request")}))
        if ss.get("act.dead_request") == request:
            dead_names = ("relu", "leaky_relu")
            dead_cap = study_exp.study_cap(len(dead_names) * len(DEAD_RATES))
            dead_runs, _ = study(study_exp, [n for n in dead_names for _ in DEAD_RATES],
                                 min(epochs, dead_cap), list(DEAD_RATES) * 2, seeds=1)
            counts = [dead_share(r, dataset.X_train) for r in dead_runs]
            labels = [f"{r.name}<br>lr {r.lr:g}" + (" (diverged)" if r.history.diverged else "")
                      for r in dead_runs]
            st.plotly_chart(dead_units_figure(labels, [k for k, _ in counts],
                                              [t for _, t in counts], [r.name for r in dead_runs]),
                            key="act.dead_chart")
            by = {(r.name, r.lr): k for r, (k, _) in zip(dead_runs, counts)}
            total = counts[0][1]
            st.markdown("Measured: " + "; ".join(
                f"{name} {by[(name, DEAD_RATES[0])]} of {total} dead at lr {DEAD_RATES[0]:g}, "
                f"{by[(name, DEAD_RATES[-1])]} at lr {DEAD_RATES[-1]:g}" for name in dead_names)
                + ".")
            st.caption("Same network and initial weights (seed 1 of the study); a unit counts as "
                       "dead when its z ≤ 0 on every training point after training.")
