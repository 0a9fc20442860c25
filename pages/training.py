"""Training: train the session's network, replay every epoch, compare learning rates."""

from __future__ import annotations

import math
import time
from contextlib import nullcontext

import streamlit as st

from nn_core import network_to_json
from nn_core.comparison import OPTIMIZER_NAMES, columns_to_csv, history_columns
from nn_core.config import LEARNING_RATES, LIMITS
from nn_core.experiment import Experiment
from ui import cached, learning_rate, train_queue
from ui.experiment import get_experiment
from ui.script_download import numpy_script_button
from ui.session import PREFIX, on_sidebar_change
from viz.replay import replay_figure
from viz.training import comparison_figure, grad_norm_figure

exp = get_experiment()
ss = st.session_state
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}
EDGE_KEY = "Edges: blue positive, orange negative, thicker = larger |w|; a node's ring is its bias."


def clamp_epochs(exp, requested):
    cap = Experiment.epoch_cap(exp.config, exp.dataset)
    if requested > cap:
        st.info(f"{requested} epochs of this network on this data would take too long for one "
                f"request; training {cap}. Press Continue for more.", icon=":material/info:")
    return max(1, min(int(requested), cap))


def on_reset():
    exp.reset_network()
    ss["train.message"] = "Back to the initial weights (same seed); the history is cleared."


def on_stop():
    h = exp.history
    if h is not None and not h.diverged and h.epoch_list:
        h.stop_epoch, h.stop_reason = h.last_epoch, f"Stopped at epoch {h.last_epoch}."
        ss["train.message"] = f"Stopped at epoch {h.last_epoch}. Continue picks up from here."


def train_queued(queue, n, key, bar):
    """Train through the queue: wait (the bar says where this student is), then take the
    trained copy over. The experiment is untouched until then: a failure, a timeout or a
    Stop leave it as it was."""
    req = ss["train.request"] = queue.submit(exp, n, key, cached.trainings())
    try:
        trained = queue.wait(req, lambda text, f: bar.progress(f, text=text))
    except train_queue.TrainingFailed as err:
        st.error(str(err), icon=":material/error:")
        return
    except train_queue.Withdrawn:
        return
    finally:
        if ss.get("train.request") is req:
            del ss["train.request"]
    exp.take_over(trained)


def on_stop_queued():
    # Streamlit runs this while the stopped run may still be waiting in its thread: the
    # request is withdrawn here, and that run takes nothing over.
    req = ss.pop("train.request", None)
    if req is None:
        return
    train_queue.shared().cancel(req)
    if req.state == "cancelled":
        ss["train.message"] = ("Stopped: your training was still waiting for the server and "
                               "was withdrawn. Nothing changed; press Train to queue it again.")
    else:  # it trains (or has just trained) in a batch with other students' trainings
        ss["train.message"] = (
            "Stopped waiting: your training was already running on the server, together with "
            "other students' (they cannot be stopped one by one). Nothing changed here; "
            + ("press Train to get its result at once." if exp.shareable() else
               "its result is not kept (momentum and Adam runs are not shared)."))


def epochs_changed():
    # The sidebar's Epochs and this one are one setting: the experiment's (and the link's).
    ss[PREFIX + "epochs"] = ss["train.epochs"]
    on_sidebar_change()


def request(action):
    ss["train.action"] = action  # read before the buttons are drawn, so they show the outcome


def on_play():
    ss["train.playing"] = not ss.get("train.playing", False)
    ss["train.play_toggled"] = True


def request_step():
    ss["train.step"] = True


def request_comparison():
    ss["train.cmp_clicked"] = True


# ---------- header and controls
st.title("Training")
c = exp.config
hidden = "-".join(str(h) for h in c.hidden) or "no hidden layer"
st.caption(
    f"{c.dataset.replace('_', ' ')} · layers {'-'.join(map(str, exp.net.layer_sizes))} "
    f"({hidden} hidden, {', '.join(dict.fromkeys(c.hidden_activations)) or '–'} → "
    f"{c.output_activation}) · {OPTIMIZER_LABELS.get(c.optimizer, c.optimizer)} lr {c.lr:g} · "
    f"{'full batch' if not c.batch_size else f'batch {c.batch_size}'} · loss {c.loss} · "
    f"{len(exp.X_train)} training points. Change any of it in the sidebar.")

ss["train.epochs"] = int(c.epochs)  # the experiment's setting, also in the sidebar
history = exp.history
action = ss.pop("train.action", None)
row = st.container(horizontal=True, vertical_alignment="bottom")
row.number_input("Epochs", 1, LIMITS.max_epochs, key="train.epochs", width=150,
                 on_change=epochs_changed,
                 help="How many epochs Train (and each Continue) trains. The same setting as "
                      "Epochs in the sidebar.")
row.button("Train", key="train.train", type="primary",
           icon=":material/play_arrow:", on_click=request, args=("train",),
           help="Start from the initial weights and train the epochs set on the left.")
continue_slot = row.empty()  # drawn after training: enabled only if it can continue
row.button("Reset to epoch 0", key="train.reset", on_click=on_reset,
           icon=":material/restart_alt:", help="Back to the initial weights (same seed).")
live = row.toggle("Live", key="train.live",
                  help="Train in small chunks and redraw as it goes, like TensorFlow "
                       "Playground's play button.")

progress_slot, stop_slot = st.empty(), st.empty()
message = ss.pop("train.message", None)
if message:
    st.info(message, icon=":material/info:")

if action in ("train", "continue") and not live:
    n = clamp_epochs(exp, ss["train.epochs"])
    key = cached.training_key(exp, n) if action == "train" else None
    shared = cached.trainings().get(key) if key else None
    queue = train_queue.shared() if action == "train" and shared is None else None
    # A Train goes through the process's queue unless the server is idle (then it trains
    # here as always: it starts at once and Stop stops it at once).
    with queue.lane_if_idle() if queue else nullcontext(True) as inline:
        if action == "train" and inline:
            exp.reset_network()
        start = exp.history.last_epoch if exp.history and inline else 0
        if shared is not None:  # someone trained exactly this already: take a copy of the result
            exp.adopt(shared)
            n = 0
        stop_slot.button("Stop", key="train.stop", on_click=on_stop if inline else on_stop_queued,
                         icon=":material/stop:")
        bar = progress_slot.progress(0.0, text=f"Training {n} epochs…")
        shown = [0.0]

        def on_progress(epoch, h):
            # Each progress message is also where Streamlit can stop this run for a Stop click.
            # Called per recorded block of epochs, not per epoch: a per-epoch callback would
            # make train() record epoch by epoch (~20% more CPU per Train).
            now = time.perf_counter()
            if now - shown[0] > 0.1 or epoch == start + n:
                shown[0] = now
                bar.progress((epoch - start) / n,
                             text=f"Epoch {epoch} of {start + n} · train loss {h.loss_list[-1]:.4g}")

        if not inline:
            train_queued(queue, n, key, bar)
        elif n:
            exp.continue_training(n, on_progress=on_progress)
            if key and exp.history.stop_reason is None:  # finished, not stopped: share it
                cached.trainings().put(key, exp.result())
    progress_slot.empty()
    stop_slot.empty()
    history = exp.history
continue_slot.button(
    "Continue", key="train.continue", icon=":material/fast_forward:",
    disabled=history is None or history.diverged, on_click=request, args=("continue",),
    help="Train more epochs from where the last run stopped (the same history).")


# ---------- what happened: divergence, overshoot
def notices(h):
    if h is None:
        return
    if h.diverged:
        st.error(h.stop_reason, icon=":material/error:")
    elif h.overshoot():
        st.warning(h.overshoot(), icon=":material/trending_up:")


def readouts(h):
    """Epoch, losses, accuracy and the largest weight change, as metrics (each as wide as
    its label, wrapping when the page is narrow)."""
    m = st.container(horizontal=True, gap="medium")
    i = len(h.epoch_list) - 1
    kw = dict(width="content")
    m.metric("Epoch", h.last_epoch, **kw)
    prev = h.loss_list[i - 1] if i > 0 else h.initial_loss
    m.metric("Train loss", f"{h.loss_list[i]:.4g}", f"{h.loss_list[i] - prev:+.2g}",
             delta_color="inverse", **kw)
    if h.test_loss_list:
        m.metric("Test loss", f"{h.test_loss_list[i]:.4g}", **kw)
    if h.accuracy_list:
        m.metric("Train accuracy", f"{100 * h.accuracy_list[i]:.1f}%", **kw)
    if h.test_accuracy_list:
        m.metric("Test accuracy", f"{100 * h.test_accuracy_list[i]:.1f}%", **kw)
    m.metric("Largest weight step", f"{h.weight_change_list[i]:.3g}", **kw,
             help="The biggest change of any single weight during the last epoch: |ΔW|.")


def replay(exp):
    """The animated replay (built once for every session whose history is the same)."""
    st.caption(EDGE_KEY)
    fig = cached.replay(exp.history_key(), exp)
    st.plotly_chart(fig, key="train.replay_chart", theme=None,
                    config={"displayModeBar": False})


@st.fragment(run_every=0.4 if (live and ss.get("train.playing")) else None)
def live_view():
    """Live mode: each run trains a chunk (~80 ms) and redraws the current state (on the
    page's `exp`: the session's one experiment, which training changes in place)."""
    c1 = c2 = c3 = st.container(horizontal=True, vertical_alignment="center")
    playing = ss.get("train.playing", False)
    # Named for what they do: these train (the replay's ▶ Play only replays).
    c1.button("Pause training" if playing else "Keep training", key="train.live_play",
              on_click=on_play, icon=":material/pause:" if playing else ":material/play_arrow:",
              type="primary")
    if ss.pop("train.play_toggled", False):
        st.rerun()  # run_every changes with play/pause: the whole page must rerun
    c2.button("Train 1 epoch", key="train.live_step", icon=":material/skip_next:",
              disabled=playing, help="Train exactly one epoch.", on_click=request_step)
    step = ss.pop("train.step", False)
    h = exp.history
    if h is not None and h.diverged:
        ss["train.playing"] = False
    elif step or playing:
        n = 1
        if playing:  # size the chunk so one redraw stays well under 200 ms of server time
            n = int(min(50, max(1, 0.08 / ss.get("train.epoch_s", 0.01))))
            n = min(n, Experiment.epoch_cap(exp.config, exp.dataset))
        t0 = time.perf_counter()
        exp.continue_training(n)
        ss["train.epoch_s"] = (time.perf_counter() - t0) / n
    h = exp.history
    c3.caption("Keep training trains a few epochs per redraw; Train 1 epoch trains one. "
               "Switch Live off for the replay.")
    if h is None or not h.epoch_list:
        start_view(exp)
        return
    notices(h)
    readouts(h)
    fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test, animate=False,
                        resolution=40, height=560, input_names=exp.dataset.feature_names)
    st.plotly_chart(fig, key="train.live_chart", theme=None, config={"displayModeBar": False})


def start_view(exp):
    """Epoch 0: the network, its output over the plane and the loss chart, before training
    (as TensorFlow Playground opens)."""
    st.caption("Epoch 0: the initial weights. Press **Train** and the replay plays the "
               "training here: the edges (weights), the output and the loss move together. "
               + EDGE_KEY)
    st.plotly_chart(cached.start_view(exp.key(), int(exp.config.epochs), exp),
                    key="train.start_chart", theme=None, config={"displayModeBar": False})


if live:
    live_view()
elif history is None or not history.epoch_list:
    start_view(exp)
else:
    notices(history)
    readouts(history)
    replay(exp)

history = exp.history
if history is not None and history.epoch_list:
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(grad_norm_figure(history), key="train.grad_chart")
    with right:
        st.markdown("**Downloads**")
        # Written only when clicked (a callable), from this run's network and history as
        # drawn: copies, since Continue trains the session's own in place meanwhile.
        net_now, columns = exp.net.copy(), history_columns(history)
        st.download_button("Trained network (JSON)", lambda: network_to_json(net_now, indent=1),
                           file_name="trained_network.json", mime="application/json",
                           on_click="ignore", key="train.download_net",
                           icon=":material/download:")
        st.download_button("History (CSV)", lambda: columns_to_csv(columns),
                           help="One row per epoch.",
                           file_name="training_history.csv", mime="text/csv",
                           on_click="ignore", key="train.download_history",
                           icon=":material/download:")
        numpy_script_button(
            exp, key="train.download_script", epochs=history.last_epoch,
            label="NumPy script (initial)",
            help=f"This run as one plain NumPy program: from the initial weights it trains "
                 f"{history.last_epoch} epochs in one go, as Train does, and prints the same "
                 f"losses. (After Continue with minibatches its shuffles differ from the "
                 f"continued part.)")
        numpy_script_button(
            exp, key="train.download_script_trained", trained=True,
            epochs=int(ss["train.epochs"]), label="NumPy script (trained)",
            help="The trained network as one plain NumPy program: it prints its outputs "
                 "after training on for the epochs above, as a new run from these weights.")
        st.caption("A gradient norm that shrinks layer by layer towards the input is the "
                   "vanishing gradient; one that keeps growing is heading for divergence.")


# ---------- comparisons: the same start, several settings
def chosen_values(kind, raw, n_train):
    """Return (valid values, complaints) from the multiselect (typed values are strings)."""
    good, bad = [], []
    for v in raw:
        try:
            if kind == "optimizer":
                if v not in OPTIMIZER_NAMES:
                    raise ValueError
                good.append(v)
                continue
            x = float(v)
            if not math.isfinite(x):
                raise ValueError
            if kind == "lr":
                good.append(min(max(x, LIMITS.min_lr), LIMITS.max_lr))
            else:
                good.append(0 if x == 0 else int(min(max(round(x), 1), n_train)))
        except (TypeError, ValueError):
            bad.append(str(v)[:20])
    good = list(dict.fromkeys(good))[:LIMITS.max_comparison_runs]
    return good, bad


COMPARE = {
    "lr": ("Learning rate", sorted(set(LEARNING_RATES) - {0.00001}),
           [0.001, 0.01, 0.1, 1.0, 10.0]),
    "optimizer": ("Optimizer", list(OPTIMIZER_NAMES), list(OPTIMIZER_NAMES)),
    "batch_size": ("Batch size", [1, 5, 10, 25, 50, 0], [1, 10, 50, 0]),
}

st.divider()
st.header("What a learning rate is")
learning_rate.explain(exp)

st.divider()
st.header("Learning rate, made visible")
st.markdown("The same network from **the same initial weights**, trained once per setting. "
            "Too small a learning rate crawls; too large bounces (oscillates) or diverges. "
            "Each run's verdict is computed from its recorded losses; the definitions are "
            "beside the table.")
kind = st.segmented_control("Compare", list(COMPARE), key="train.cmp_kind", default="lr",
                            format_func=lambda k: COMPARE[k][0]) or "lr"
label, options, default = COMPARE[kind]
c1, c2, c3 = st.columns([3, 1.2, 1.3], vertical_alignment="bottom")
raw = c1.multiselect(
    f"{label}s to compare", options, default=default, key=f"train.cmp_values.{kind}",
    accept_new_options=kind != "optimizer", max_selections=LIMITS.max_comparison_runs,
    format_func=lambda v: ("full batch" if v == 0 else str(v)) if kind == "batch_size"
    else OPTIMIZER_LABELS.get(v, str(v)))
values, bad = chosen_values(kind, raw, len(exp.X_train))
if bad:
    st.warning(f"Ignored {', '.join(bad)}: not a valid {label.lower()}.")
cmp_epochs = c2.number_input("Epochs per run", 1, LIMITS.max_epochs,
                             value=min(int(c.epochs), 300), key="train.cmp_epochs")
c3.button("Compare", key="train.cmp_run", type="primary", width="stretch",
          disabled=not values, icon=":material/compare_arrows:", on_click=request_comparison)
run_clicked = ss.pop("train.cmp_clicked", False)

cap = exp.comparison_cap(kind, values)
request = (c, kind, tuple(values), min(int(cmp_epochs), cap))
if run_clicked:
    ss["train.cmp_request"] = request
    if cmp_epochs > cap:
        st.info(f"{len(values)} runs of {cmp_epochs} epochs would take too long for one "
                f"request; each run trains {cap} epochs.", icon=":material/info:")
held = ss.get("train.cmp_request")
if held is not None and held[:3] == request[:3]:
    with st.spinner(f"Training {len(values)} runs of {held[3]} epochs…"):
        runs = cached.comparison(exp.key(True), held[1], held[2], held[3], exp)
    st.plotly_chart(comparison_figure(runs, held[1]), key="train.cmp_chart")
    learning_rate.comparison_table(runs, held[1], label)
elif held is not None:
    st.caption("The settings changed since the last comparison: press Compare to run it again.")
