"""Playground: TensorFlow Playground's one screen on our engine. Press Play, touch the network.

Top bar: Reset, Play/Pause, Step, the epoch, learning rate, activation, regularization, problem
type. Left: the data. Middle and right: the stage (features, the network with each neuron's
picture, the output plane, the loss), drawn in the browser by ui/playground_stage.js.
"""

from __future__ import annotations

import streamlit as st

from nn_core.activations import HIDDEN_ACTIVATIONS
from nn_core.config import LEARNING_RATES, LIMITS, PLAYGROUND_START, PRESETS, REG_RATES
from ui import links
from ui import playground as pg
from ui import playground_stage as stage
from ui.experiment import get_experiment
from ui.session import apply_config, apply_preset
from ui.sidebar import DATASET_LABELS

st.set_page_config(initial_sidebar_state="collapsed")
exp = get_experiment()
ss = st.session_state
ss.pop("pg.rerun_app", None)  # this is a whole-page run already

st.html("""<style>
.block-container { padding-top: 3.2rem !important; padding-bottom: 1rem !important; }
@media (max-width: 640px) {  /* a phone: three controls a row, the stage before the data */
  .st-key-pg_topbar [data-testid="stHorizontalBlock"],
  .st-key-pg_layers [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
  .st-key-pg_topbar [data-testid="stColumn"],
  .st-key-pg_layers [data-testid="stColumn"] {
    min-width: 30% !important; flex: 1 1 30% !important; }
  .st-key-pg_layers [data-testid="stColumn"] [data-testid="stHorizontalBlock"] { flex-wrap: nowrap; }
  .st-key-pg_layers [data-testid="stColumn"] [data-testid="stColumn"] { min-width: 0 !important;
    flex: 1 1 0 !important; }
  [data-testid="stColumn"]:has(.st-key-pg_data) { order: 2; }
  /* "Classification" needs a row of its own; the headings belong beside the stage's wide
     layout, not above its +/- buttons */
  .st-key-pg_topbar [data-testid="stColumn"]:has(.st-key-pg_task) { min-width: 100% !important; }
  .st-key-pg_layers [data-testid="stColumn"]:has([class*="st-key-pg_head_"]) { display: none; }
}
/* The sidebar opened beside the stage at 1024 px leaves the top bar ~720 px: its nine
   controls go on two rows there instead of cutting "Play" and the menu's label. */
.st-key-pg_topbar { container-type: inline-size; }
@container (max-width: 860px) {
  .st-key-pg_topbar [data-testid="stHorizontalBlock"] { flex-wrap: wrap; row-gap: 0.5rem; }
  .st-key-pg_topbar [data-testid="stColumn"] { min-width: 18% !important; flex: 1 1 18% !important; }
}
.st-key-pg_layers { container-type: inline-size; }
@container (max-width: 700px) {  /* a narrow stage: the column titles stay whole words */
  .st-key-pg_layers strong { font-size: 0.75rem; }
}
.pg-epoch { line-height: 1.15; }
.pg-epoch-label { font-size: 0.8rem; color: #666; display: block; }
.pg-epoch-value { font-size: 1.75rem; font-variant-numeric: tabular-nums; color: #222; }
</style>""")

# ---------- a line about the app; the deep dives and the presets one click away
# [3, 1.3]: the menu's label fits beside the open sidebar at 1024 px (~560 px of page).
head = st.columns([3, 1.3], vertical_alignment="center")
head[0].markdown("**Neural Network Playground** · press Play and watch it learn; click a "
                 "weight to change it, click the output to add data; then check every number "
                 "on the deep-dive pages.")
with head[1].popover("Presets, pages", width="stretch", icon=":material/menu_book:"):
    if not links.is_hidden("preset"):  # a teacher's link may hide the presets
        st.markdown("**Start from a preset**")
        st.button("The Playground's start (circle, 300 points, 4-2 tanh)", key="preset_pg_start",
                  on_click=lambda: (pg.stop(), apply_config(PLAYGROUND_START)), width="stretch")
        for name, (label, _) in PRESETS.items():
            st.button(label, key=f"preset_{name}", width="stretch",
                      on_click=lambda n=name: (pg.stop(), apply_preset(n)))
    st.markdown("**Look closer**")
    for path, label in [("pages/network_graph.py", "Network graph: every value, hover"),
                        ("pages/feedforward.py", "Feedforward: one sample, step by step"),
                        ("pages/backprop.py", "Backprop: the chain rule, checked"),
                        ("pages/training.py", "Training: replay, compare learning rates"),
                        ("pages/activations.py", "Activations: which one, and why"),
                        ("pages/lessons.py", "Lessons: the tutorial, step by step")]:
        st.page_link(path, label=label)


# ---------- top bar
def _sync(key, value):
    ss[key] = value  # the widgets show the experiment, whichever page or link changed it


def _changed(name, key, convert=lambda v: v):
    def callback():
        pg.set_config(exp, **{name: convert(ss[key])})
    return callback


c = exp.config
playing = pg.is_playing()
# Each select box as wide as its widest option (a student may pick "leaky_relu" or 0.0001):
# at 1024 px that takes the room of half the gaps between the controls.
bar = st.container(key="pg_topbar").columns([0.5, 1.05, 0.5, 1.15, 1.1, 1.35, 1.05, 0.95, 1.4],
                                            gap="xsmall", vertical_alignment="bottom")
bar[0].button("", key="pg_reset", icon=":material/restart_alt:", on_click=pg.on_reset,
              width="stretch", help="Reset: back to the initial weights (same seed). Your data "
              "stays.")
bar[1].button("Pause" if playing else "Play", key=pg.PLAY_KEY, type="primary", width="stretch",
              icon=":material/pause:" if playing else ":material/play_arrow:", on_click=pg.on_play,
              help="Train epoch after epoch and watch everything move; Pause keeps the "
                   "network at the epoch on screen.")
bar[2].button("", key="pg_step", icon=":material/skip_next:", on_click=pg.on_step,
              width="stretch", help="Step: train exactly one epoch.")
bar[3].html(f'<div class="pg-epoch"><span class="pg-epoch-label">Epoch</span>'
            f'<span class="pg-epoch-value">{pg.shown_epoch(exp):07,d}</span></div>')
_sync("pg_lr", c.lr)
bar[4].selectbox("Learning rate", sorted(set(LEARNING_RATES) | {c.lr}), key="pg_lr",
                 disabled=links.is_locked("lr"),
                 format_func=lambda v: f"{v:g}", on_change=_changed("lr", "pg_lr"))
acts = c.hidden_activations or ("tanh",)
_sync("pg_act", acts[0])
bar[5].selectbox("Activation", HIDDEN_ACTIVATIONS, key="pg_act",
                 disabled=links.is_locked("hidden_activations"),
                 on_change=_changed("hidden_activations", "pg_act",
                                    lambda a: (a,) * len(exp.config.hidden)),
                 help="Of every hidden layer (the sidebar sets them one by one).")
_sync("pg_reg", c.regularization)
bar[6].selectbox("Regularization", ["none", "l1", "l2"], key="pg_reg",
                 disabled=links.is_locked("regularization"),
                 format_func={"none": "None", "l1": "L1", "l2": "L2"}.get,
                 on_change=_changed("regularization", "pg_reg"))
_sync("pg_regrate", c.reg_rate)
bar[7].selectbox("Reg. rate", sorted(set(REG_RATES) | {c.reg_rate}), key="pg_regrate",
                 disabled=links.is_locked("reg_rate"),
                 format_func=lambda v: f"{v:g}", on_change=_changed("reg_rate", "pg_regrate"),
                 help="Regularization rate: how strongly large weights are penalised.")
_sync("pg_task", exp.task)  # the data's own task: the worked example's, an upload's too


def _task_changed():
    regression = ss["pg_task"] == "regression"
    # Classification as the Playground starts it: a sigmoid output and its cross-entropy.
    pg.set_config(exp, dataset="plane" if regression else "circle",
                  output_activation="tanh" if regression else "sigmoid",
                  loss="mse" if regression else PLAYGROUND_START.loss)


bar[8].selectbox("Problem type", ["classification", "regression"], key="pg_task",
                 disabled=links.is_locked("dataset", "output_activation", "loss"),
                 format_func=str.capitalize, on_change=_task_changed)

message = ss.pop("pg.message", None)
if message:
    getattr(st, message[0])(message[1])

# ---------- left: the data; right: the stage
left, main = st.columns([1.05, 6.2], gap="medium")
with left.container(key="pg_data"):
    st.markdown("**DATA**")
    current = "own" if exp.own is not None else c.dataset
    stage.picker_component(key=stage.PICKER_KEY, data={
        "sets": stage.picker_sets(), "current": current, "size": 32,
        "labels": {n: DATASET_LABELS.get(n, n) for n in pg.PICKER_SETS}},
        on_pick_change=stage.on_pick)
    label = "Your data" if exp.own is not None else DATASET_LABELS.get(c.dataset, c.dataset)
    st.caption(pg.data_caption(label, len(exp.X_train), len(exp.X_test),
                               pg.tests_on_training_rows(exp.dataset)))
    _sync("pg_ratio", int(round(c.train_ratio * 100)))
    st.slider("Ratio of training to test data", int(LIMITS.min_train_ratio * 100),
              int(LIMITS.max_train_ratio * 100), step=5, key="pg_ratio", format="%d%%",
              disabled=links.is_locked("train_ratio"),
              on_change=_changed("train_ratio", "pg_ratio", lambda v: v / 100))
    _sync("pg_noise", int(round(c.noise * 100)))
    st.slider("Noise", 0, int(LIMITS.max_noise * 100), step=5, key="pg_noise",
              disabled=links.is_locked("noise"),
              on_change=_changed("noise", "pg_noise", lambda v: v / 100))
    batches = sorted({1, 2, 5, 10, 15, 20, 25, 30, 50, 100, c.batch_size} - {0}) + [0]
    _sync("pg_batch", c.batch_size)
    st.select_slider("Batch size", batches, key="pg_batch", disabled=links.is_locked("batch_size"),
                     format_func=lambda b: "all" if b == 0 else str(b),
                     on_change=_changed("batch_size", "pg_batch"))
    st.button("Regenerate", key="pg_regen", width="stretch", disabled=links.is_locked("data_seed"),
              help="New random points (a new "
              "data seed); the network starts again from its initial weights.",
              on_click=lambda: pg.set_config(exp, data_seed=(exp.config.data_seed + 1)
                                             % LIMITS.max_seed))

with main:
    n_hidden = len(c.hidden)
    fixed_net = links.is_locked("hidden")  # a teacher's link fixed the architecture
    slot = 0.70 / (n_hidden + 2)
    row = st.container(key="pg_layers").columns([slot] * (n_hidden + 2) + [0.30],
                                                vertical_alignment="bottom")
    row[0].container(key="pg_head_features").markdown("**FEATURES**")
    for k, width in enumerate(c.hidden):
        with row[k + 1]:
            b1, b2 = st.columns(2, gap="small")
            b1.button("", key=f"pg_less.{k}", icon=":material/remove:",
                      disabled=width <= 1 or fixed_net,
                      help=f"One neuron less in layer {k + 1}", on_click=lambda k=k: pg.set_config(
                          exp, hidden=tuple(h - (i == k) for i, h in enumerate(exp.config.hidden))))
            b2.button("", key=f"pg_more.{k}", icon=":material/add:",
                      disabled=width >= LIMITS.max_neurons or fixed_net,
                      help=f"One neuron more in layer {k + 1}",
                      on_click=lambda k=k: pg.set_config(exp, hidden=tuple(
                          h + (i == k) for i, h in enumerate(exp.config.hidden))))
            st.caption(f"{width} neuron{'s' * (width != 1)}")
    with row[n_hidden + 1]:
        b1, b2 = st.columns(2, gap="small")
        b1.button("", key="pg_layers_less", icon=":material/remove:",
                  disabled=n_hidden == 0 or fixed_net,
                  help="One hidden layer less",
                  on_click=lambda: pg.set_config(exp, hidden=exp.config.hidden[:-1]))
        b2.button("", key="pg_layers_more", icon=":material/add:",
                  disabled=n_hidden >= LIMITS.max_hidden_layers or fixed_net,
                  help="One hidden layer more",
                  on_click=lambda: pg.set_config(exp, hidden=exp.config.hidden + (
                      exp.config.hidden[-1] if exp.config.hidden else 4,)))
        st.caption(f"{n_hidden} hidden layer{'s' * (n_hidden != 1)}")
    row[-1].container(key="pg_head_output").markdown("**OUTPUT**")
    stage.stage_fragment(exp)
