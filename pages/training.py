"""Training: train the session's network, replay every epoch, compare learning rates."""

from __future__ import annotations

import hashlib
import math
import time

import streamlit as st

from nn_core import History, Network, network_to_json, train
from nn_core.comparison import OPTIMIZER_NAMES, compare, history_to_csv, thin_snapshots
from nn_core.config import LEARNING_RATES, LIMITS, max_epochs
from nn_core.experiment import Experiment
from ui.experiment import get_experiment
from ui.script_download import numpy_script_button
from viz.training import comparison_figure, grad_norm_figure, replay_figure

exp = get_experiment()
ss = st.session_state
MAX_SNAPSHOTS = 600  # kept per session; the replay picks <= 120 frames from them
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}


# ---------- training state (per session, dropped when the network is rebuilt)
def optimizer_for(exp):
    """Return the optimizer to train with: the same object while settings stay, so Continue
    keeps momentum / Adam's moments; a new one after Train, Reset or a change of lr."""
    key = (exp.version, exp.config.optimizer, exp.config.lr)
    held = ss.get("train.optimizer")
    if held is None or held[0] != key:
        ss["train.optimizer"] = (key, exp.make_optimizer())
    return ss["train.optimizer"][1]


def run_epochs(exp, epochs, on_epoch=None):
    """Train exp.net in place for `epochs` more epochs, continuing exp.history."""
    if exp.history is None:
        exp.history = History(loss_name=exp.loss)  # stored first: a Stop mid-run keeps it
    opt = optimizer_for(exp)
    train(exp.net, exp.X_train, exp.y_train, epochs=epochs, optimizer=opt, history=exp.history,
          on_epoch=on_epoch, **exp.train_kwargs())
    thin_snapshots(exp.history, MAX_SNAPSHOTS)


# ---------- shared across sessions: a class opening one link trains the same network
def start_key(exp, epochs):
    """Identify a plain-SGD training from the initial weights. Training is deterministic, so
    two sessions with the same key get the same result. (Momentum and Adam are left out:
    Continue must carry their state, which a shared result would not.)"""
    c = exp.config
    if c.optimizer != "sgd":
        return None
    h = hashlib.sha256(network_to_json(exp.initial_net()).encode())
    for a in (exp.X_train, exp.y_train, exp.X_test, exp.y_test):
        h.update(a.tobytes())
    h.update(repr((c.loss, c.lr, c.batch_size, c.seed, c.regularization, c.reg_rate,
                   epochs)).encode())
    return h.hexdigest()


@st.cache_data(max_entries=32, show_spinner=False)
def finished_run(key, _result=None):
    """A memo of finished trainings shared by all sessions, used as a store: called with a
    result it keeps it; called without, it returns the stored one or raises LookupError,
    which Streamlit does not cache. Every caller gets its own copy."""
    if _result is None:
        raise LookupError(key)
    return _result


def history_fingerprint(exp, h):
    """Return a digest of what the replay shows: network, data and the whole history."""
    d = hashlib.sha256(network_to_json(exp.net).encode())
    d.update(repr((h.epoch_list, h.loss_list, h.test_loss_list, len(h.snapshots),
                   h.stop_reason, exp.dataset.feature_names)).encode())
    for a in (*h.snapshots[0].weights, exp.y_train, exp.y_test):
        d.update(a.tobytes())
    if exp.plane is not None:
        d.update(exp.plane.points_train.tobytes() + repr(exp.plane.domain).encode())
    return d.hexdigest()


@st.cache_data(max_entries=32, show_spinner=False)
def shared_replay(fingerprint, _exp, _h):
    """The replay figure, built once for all sessions whose history is the same."""
    return replay_figure(_h, _exp.net, _exp.plane, _exp.y_train, _exp.y_test, height=700,
                         input_names=_exp.dataset.feature_names)


def clamp_epochs(exp, requested):
    cap = Experiment.epoch_cap(exp.config, exp.dataset)
    if requested > cap:
        st.info(f"{requested} epochs of this network on this data would take too long for one "
                f"request; training {cap}. Press Continue for more.", icon=":material/info:")
    return max(1, min(int(requested), cap))


def on_reset():
    exp.reset_network()
    ss.pop("train.optimizer", None)
    ss["train.message"] = "Back to the initial weights (same seed); the history is cleared."


def on_stop():
    h = exp.history
    if h is not None and not h.diverged and h.epoch_list:
        h.stop_epoch, h.stop_reason = h.last_epoch, f"Stopped at epoch {h.last_epoch}."
        ss["train.message"] = f"Stopped at epoch {h.last_epoch}. Continue picks up from here."


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

if "train.epochs" not in ss:
    ss["train.epochs"] = int(c.epochs)
history = exp.history
action = ss.pop("train.action", None)
cols = st.columns([1.3, 1, 1, 1, 1.2], vertical_alignment="bottom")
cols[0].number_input("Epochs", 1, LIMITS.max_epochs, key="train.epochs",
                     help="How many epochs one press of Train or Continue trains.")
cols[1].button("Train", key="train.train", type="primary", width="stretch",
               icon=":material/play_arrow:", on_click=request, args=("train",),
               help="From the initial weights: reset, then train.")
continue_slot = cols[2].empty()  # drawn after training: enabled only if it can continue
cols[3].button("Reset", key="train.reset", width="stretch", on_click=on_reset,
               icon=":material/restart_alt:", help="Back to the initial weights (same seed).")
live = cols[4].toggle("Live", key="train.live",
                      help="Train in small chunks and redraw as it goes, like TensorFlow "
                           "Playground's play button.")

progress_slot, stop_slot = st.empty(), st.empty()
message = ss.pop("train.message", None)
if message:
    st.info(message, icon=":material/info:")

if action in ("train", "continue") and not live:
    if action == "train":
        exp.reset_network()
        ss.pop("train.optimizer", None)
    n = clamp_epochs(exp, ss["train.epochs"])
    start = exp.history.last_epoch if exp.history else 0
    key = start_key(exp, n) if action == "train" else None
    try:
        shared = finished_run(key) if key else None
    except LookupError:
        shared = None
    if shared is not None:  # someone trained exactly this already: take a copy of the result
        weights, biases, exp.history = shared
        exp.net.set_params(weights, biases)
        n = 0
    stop_slot.button("Stop", key="train.stop", on_click=on_stop, icon=":material/stop:")
    bar = progress_slot.progress(0.0, text=f"Training {n} epochs…")
    shown = [0.0]

    def on_epoch(epoch, h):
        # Each progress message is also where Streamlit can stop this run for a Stop click.
        now = time.perf_counter()
        if now - shown[0] > 0.1 or epoch == start + n:
            shown[0] = now
            bar.progress((epoch - start) / n,
                         text=f"Epoch {epoch} of {start + n} · train loss {h.loss_list[-1]:.4g}")

    if n:
        run_epochs(exp, n, on_epoch)
        if key and exp.history.stop_reason is None:  # finished, not stopped: share it
            finished_run(key, (exp.net.weights, exp.net.biases, exp.history))
    progress_slot.empty()
    stop_slot.empty()
    history = exp.history
continue_slot.button(
    "Continue", key="train.continue", width="stretch", icon=":material/fast_forward:",
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
    """Epoch, losses, accuracy and the largest weight change, as metrics."""
    m = st.columns(6)
    i = len(h.epoch_list) - 1
    m[0].metric("Epoch", h.last_epoch)
    prev = h.loss_list[i - 1] if i > 0 else h.initial_loss
    m[1].metric("Train loss", f"{h.loss_list[i]:.4g}", f"{h.loss_list[i] - prev:+.2g}",
                delta_color="inverse")
    if h.test_loss_list:
        m[2].metric("Test loss", f"{h.test_loss_list[i]:.4g}")
    if h.accuracy_list:
        m[3].metric("Train accuracy", f"{100 * h.accuracy_list[i]:.1f}%")
    if h.test_accuracy_list:
        m[4].metric("Test accuracy", f"{100 * h.test_accuracy_list[i]:.1f}%")
    m[5].metric("Largest |ΔW|, last epoch", f"{h.weight_change_list[i]:.3g}",
                help="The biggest change of any single weight during the last epoch.")


def replay(exp, h):
    """The animated replay, built once per state of the history (kept in the session)."""
    key = (exp.version, id(h), h.last_epoch, len(h.snapshots))
    held = ss.get("train.replay")
    if held is None or held[0] != key:
        ss["train.replay"] = held = (key, shared_replay(history_fingerprint(exp, h), exp, h))
    st.plotly_chart(held[1], key="train.replay_chart", theme=None,
                    config={"displayModeBar": False})


@st.fragment(run_every=0.4 if (live and ss.get("train.playing")) else None)
def live_view():
    """Live mode: each run trains a chunk (~80 ms) and redraws the current state."""
    exp = get_experiment()
    c1, c2, c3 = st.columns([1, 1, 4], vertical_alignment="center")
    playing = ss.get("train.playing", False)
    c1.button("Pause" if playing else "Play", key="train.live_play", on_click=on_play,
              icon=":material/pause:" if playing else ":material/play_arrow:",
              type="primary", width="stretch")
    if ss.pop("train.play_toggled", False):
        st.rerun()  # run_every changes with play/pause: the whole page must rerun
    c2.button("Step", key="train.live_step", icon=":material/skip_next:", width="stretch",
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
        run_epochs(exp, n)
        ss["train.epoch_s"] = (time.perf_counter() - t0) / n
    h = exp.history
    c3.caption("Play trains a few epochs per redraw; Step trains one. The replay below "
               "appears when you pause.")
    if h is None or not h.epoch_list:
        st.info("Press Play or Step to start training.")
        return
    notices(h)
    fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test, animate=False,
                        resolution=40, height=640, input_names=exp.dataset.feature_names)
    st.plotly_chart(fig, key="train.live_chart", theme=None, config={"displayModeBar": False})
    readouts(h)


if live:
    live_view()
elif history is None or not history.epoch_list:
    st.info("Press **Train** to train the network for the epochs above, then watch the replay: "
            "the edges (weights), the output over the input plane and the loss move together.",
            icon=":material/school:")
else:
    notices(history)
    replay(exp, history)
    readouts(history)

history = exp.history
if history is not None and history.epoch_list:
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(grad_norm_figure(history), key="train.grad_chart")
    with right:
        st.markdown("**Downloads**")
        st.download_button("Trained network (JSON)", network_to_json(exp.net, indent=1),
                           file_name="trained_network.json", mime="application/json",
                           on_click="ignore", key="train.download_net",
                           icon=":material/download:")
        st.download_button("History (CSV, one row per epoch)", history_to_csv(history),
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
@st.cache_data(max_entries=32, show_spinner=False)
def comparison_runs(sizes, activations, use_bias, params, data, settings, kind, values,
                    epochs):
    """Return the runs of one comparison (a pure function of its arguments: cached)."""
    net = Network(list(sizes), list(activations), use_bias=use_bias)
    net.set_params(*params)
    X, y, X_test, y_test = data
    lr, optimizer, batch, loss, seed, reg, reg_rate = settings
    return compare(net, X, y, kind, list(values), epochs, lr=lr, optimizer=optimizer,
                   batch_size=batch, loss=loss, X_test=X_test, y_test=y_test, seed=seed,
                   regularization=reg, reg_rate=reg_rate)


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
st.header("Learning rate, made visible")
st.markdown("The same network from **the same initial weights**, trained once per setting. "
            "Too small a learning rate crawls; too large overshoots, oscillates or diverges.")
kind = st.segmented_control("Compare", list(COMPARE), key="train.cmp_kind", default="lr",
                            format_func=lambda k: COMPARE[k][0]) or "lr"
label, options, default = COMPARE[kind]
c1, c2, c3 = st.columns([4, 1.2, 1], vertical_alignment="bottom")
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

initial = exp.initial_net()
batches = values if kind == "batch_size" else [c.batch_size]
cap = min(max_epochs(len(exp.X_train), b, initial.n_params, runs=max(1, len(values)))
          for b in batches)
request = (c, kind, tuple(values), min(int(cmp_epochs), cap))
if run_clicked:
    ss["train.cmp_request"] = request
    if cmp_epochs > cap:
        st.info(f"{len(values)} runs of {cmp_epochs} epochs would take too long for one "
                f"request; each run trains {cap} epochs.", icon=":material/info:")
held = ss.get("train.cmp_request")
if held is not None and held[:3] == request[:3]:
    with st.spinner(f"Training {len(values)} runs of {held[3]} epochs…"):
        runs = comparison_runs(
            tuple(initial.layer_sizes), tuple(initial.activations), initial.use_bias,
            initial.get_params(), (exp.X_train, exp.y_train, exp.X_test, exp.y_test),
            (c.lr, c.optimizer, c.batch_size, c.loss, c.seed, c.regularization, c.reg_rate),
            held[1], held[2], held[3])
    st.plotly_chart(comparison_figure(runs, held[1]), key="train.cmp_chart")
    st.dataframe(
        [{label: r.label, "verdict": r.verdict, "what happened": r.summary,
          "final train loss": (None if r.history.diverged else r.history.loss_list[-1]),
          "final test loss": (r.history.test_loss_list[-1]
                              if r.history.test_loss_list and not r.history.diverged else None),
          "train accuracy": (r.history.accuracy_list[-1]
                             if r.history.accuracy_list and not r.history.diverged else None)}
         for r in runs], hide_index=True, key="train.cmp_table")
elif held is not None:
    st.caption("The settings changed since the last comparison: press Compare to run it again.")
