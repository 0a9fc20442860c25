"""The Playground's machinery: Play / Pause / Step / Reset on the session's experiment, the
points a click on the output plane adds or erases, and the settings its own widgets change.

Play trains a chunk of epochs (about a second of play) and sends them as frames; the stage
(ui/playground_stage.py) plays them one per redraw and asks for the next chunk before it runs
out, so the server trains ~FPS epochs a second and redraws nothing itself. Pause comes back
with the epoch on screen, and nn_core.playback's Player puts the network at exactly that epoch.
The selected weight's editor is ui/weight_editor.py.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from nn_core.config import LIMITS
from nn_core.datasets import DATASET_NAMES, REGRESSION_SETS
from nn_core.experiment import Experiment
from nn_core.own_data import OwnPoints
from nn_core.playback import Player
from ui import links
from ui.session import add_notices, config_to_widgets
from viz import playground as pv

FPS = 40  # epochs shown per second while playing (one epoch a redraw)
CHUNK_SECONDS = 1.5  # the stage asks for the next one with 1.6 s of epochs still to show
PLAY_KEY = "pg_play"  # the stage intercepts this button's Pause (see playground_stage.js)
ERASE_RADIUS = 0.4  # plane units: a click this near a point erases it
PICKER_SETS = tuple(d for d in DATASET_NAMES if d != "tutorial_xor")


def current_experiment() -> Experiment:
    """The session's experiment, in a widget's callback (which gets no `exp` of its own)."""
    return st.session_state["experiment"]


# ---------- session state
def player(exp: Experiment) -> Player:
    """Return this session's Player, new when the network was rebuilt or reset."""
    held = st.session_state.get("pg.player")
    if held is None or not held.fits(exp):
        held = st.session_state["pg.player"] = Player(exp)
    return held


def is_playing() -> bool:
    return bool(st.session_state.get("pg.playing"))


def epoch_of(exp) -> int:
    return exp.history.last_epoch if exp.history is not None else 0


def shown_epoch(exp) -> int:
    """The epoch the page shows now: while playing, where the last chunk started."""
    p = st.session_state.get("pg.player")
    if is_playing() and p is not None and p.fits(exp) and p.chunk_start is not None:
        return p.chunk_start
    return epoch_of(exp)


def stop(message=None, kind="info"):
    st.session_state["pg.playing"] = False
    st.session_state.pop("pg.frames", None)
    st.session_state.pop("pg.shown", None)
    st.session_state["pg.rerun_app"] = True  # the Play button and any message are outside
    if message:
        st.session_state["pg.message"] = (kind, message)


# ---------- the verbs
def grid_inputs(exp):
    """The plane's grid as network inputs, kept while the data and features stay."""
    if exp.plane is None:
        return None
    key = (id(exp.plane), exp.net.layer_sizes[0])
    held = st.session_state.get("pg.grid")
    if held is None or held[0] != key:
        inputs = exp.plane.inputs(pv.grid_points(exp.plane.domain))
        held = (key, inputs if inputs.shape[1] == exp.net.layer_sizes[0] else None)
        st.session_state["pg.grid"] = held
    return held[1]


def colours(exp):
    return pv.OutputColours(exp.net.activations[-1], exp.y_train, exp.net.layer_sizes[-1])


def current_frame(exp) -> dict:
    """The frame of the network as it is now (losses measured, not taken from the history)."""
    test = exp.net.loss(exp.X_test, exp.y_test, exp.loss) if len(exp.X_test) else None
    with np.errstate(all="ignore"):
        train = exp.net.loss(exp.X_train, exp.y_train, exp.loss)
    return pv.frame(exp.net, grid_inputs(exp), colours(exp), epoch_of(exp), train, test)


def chunk_epochs(exp) -> int:
    """Epochs in one chunk: a second of play, within the per-request and play caps."""
    left = LIMITS.max_play_epochs - epoch_of(exp)
    return int(max(0, min(FPS * CHUNK_SECONDS, left, Experiment.epoch_cap(exp.config, exp.dataset))))


def train_frames(exp, epochs: int) -> list:
    """Train `epochs` epochs with the Player; return one frame per epoch trained."""
    grid, col, frames = grid_inputs(exp), colours(exp), []

    def on_epoch(epoch, h):
        frames.append(pv.frame(exp.net, grid, col, epoch, h.loss_list[-1],
                               h.test_loss_list[-1] if h.test_loss_list else None))

    player(exp).train(exp, epochs, on_epoch=on_epoch)
    return frames


def play_chunk(exp):
    """Train the next chunk while playing; stop on divergence or at the cap."""
    n = chunk_epochs(exp)
    if n <= 0:
        stop(f"Play stops at epoch {LIMITS.max_play_epochs:,}, the most one session may "
             "train. Reset to start again.")
        return
    st.session_state["pg.frames"] = train_frames(exp, n)
    if exp.history.diverged:
        stop(exp.history.stop_reason, "error")


def on_play():
    """The Play/Pause button (without the stage's help: Pause at the server's epoch)."""
    exp = current_experiment()
    if is_playing():
        pause(exp, None)
        return
    if exp.history is not None and exp.history.diverged:
        st.session_state["pg.message"] = ("error", exp.history.stop_reason)
        return
    st.session_state["pg.playing"] = True
    play_chunk(exp)


def pause(exp, epoch):
    """Stop playing with the network at `epoch` (the one on screen) or, not knowing it, at
    the last epoch the stage reported on screen (else where the chunk on screen started)."""
    if epoch is None:
        epoch = st.session_state.get("pg.shown")
    if epoch is None:
        epoch = shown_epoch(exp)
    player(exp).rewind(exp, int(epoch))
    stop()


def on_step():
    """Train exactly one epoch."""
    exp = current_experiment()
    if is_playing():
        pause(exp, None)
    if exp.history is not None and exp.history.diverged:
        st.session_state["pg.message"] = ("error", exp.history.stop_reason)
        return
    if chunk_epochs(exp) > 0:
        player(exp).train(exp, 1)
    if exp.history.diverged:
        st.session_state["pg.message"] = ("error", exp.history.stop_reason)


def on_reset():
    """Back to the initial weights (your data stays)."""
    exp = current_experiment()
    stop()
    exp.reset_network()
    st.session_state.pop("pg.sel", None)


def leave():
    """Another page is opening while this session plays (a way the stage could not see, like
    the browser's Back button): stop at the last epoch the stage said was on screen."""
    if is_playing():
        pause(current_experiment(), None)


def data_caption(label: str, n_train: int, n_test: int, test_is_train: bool) -> str:
    """The line under the data picker: how many points train and how many test. Data whose
    test rows are its training rows (the worked example's one sample, the tutorial's four)
    says so, rather than counting the same rows twice."""
    if test_is_train:
        rows = f"{n_train} row{'s' * (n_train != 1)}"
        own = "its" if n_train == 1 else "their"
        return f"{label}: {rows}, used for training and as {own} own test"
    return (f"{label}: {n_train} training point{'s' * (n_train != 1)}, "
            f"{n_test} test point{'s' * (n_test != 1)}")


def tests_on_training_rows(dataset) -> bool:
    """Whether the data tests on exactly its training rows."""
    return (dataset.X_test.shape == dataset.X_train.shape
            and np.array_equal(dataset.X_test, dataset.X_train)
            and np.array_equal(dataset.y_test, dataset.y_train))


# ---------- points clicked onto the output plane
def can_edit_points(exp) -> bool:
    """Whether clicks on the plane may add and erase points (not when a link fixed the data)."""
    if links.is_locked("dataset", "n_points", "noise", "train_ratio", "data_seed"):
        return False
    return exp.own is not None or (exp.config.dataset in PICKER_SETS
                                   and exp.config.dataset not in REGRESSION_SETS)


def edit_point(exp, x1, x2, mode):
    """Add a point of class `mode` ("add <class>") at (x1, x2), or erase the nearest one."""
    if not can_edit_points(exp) or exp.plane is None:
        st.session_state["pg.message"] = ("info", "Points can be added to the 2-D "
                                          "classification datasets only.")
        return
    own = exp.own or OwnPoints.from_plane(exp.plane, exp.dataset)
    lo, hi = exp.plane.domain
    if not (lo <= x1 <= hi and lo <= x2 <= hi):
        return
    try:
        if mode == "erase":
            new = own.erase(x1, x2, ERASE_RADIUS)
        else:
            new = own.add(x1, x2, int(str(mode).split()[-1]))
    except ValueError as err:
        st.session_state["pg.message"] = ("warning", f"No point added: {err}.")
        return
    if new is not own or exp.own is None:
        exp.use_own_points(new)
        st.session_state.pop("pg.grid", None)
        st.session_state["pg.rerun_app"] = True  # the data column counts the points


# ---------- settings from the Playground's own widgets
def features_switchable() -> bool:
    """Whether the stage offers every feature to switch on and off (a link may fix them)."""
    return not (links.is_locked("features") or links.is_hidden("features"))


def set_config(exp, **changes):
    """Apply config changes through the experiment (validated, clamped) and the sidebar."""
    if is_playing():
        pause(exp, None)
    add_notices(exp.apply(links.enforce_locks(replace(exp.config, **changes), exp.config)))
    config_to_widgets(exp.config)
    st.session_state.pop("pg.grid", None)
    st.session_state["pg.rerun_app"] = True  # from the stage: the URL and the bar follow
