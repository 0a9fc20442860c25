"""The Playground's machinery: Play / Pause / Step on the session's experiment, its stage
(a canvas component, ui/playground_stage.js) and what clicks on it do.

Play trains a chunk of epochs (about a second of play) and sends them as frames; the stage
plays them one per redraw and asks for the next chunk before it runs out, so the server
trains ~FPS epochs a second and redraws nothing itself. Pause comes back with the epoch on
screen, and nn_core.playback's Player puts the network at exactly that epoch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from nn_core.config import LIMITS
from nn_core.datasets import DATASET_NAMES, FEATURES, REGRESSION_SETS, make_dataset
from nn_core.experiment import Experiment
from nn_core.own_data import OwnPoints
from nn_core.playback import Player
from ui import links
from viz import playground as pv

HERE = Path(__file__).resolve().parent
FPS = 40  # epochs shown per second while playing (one epoch a redraw)
CHUNK_SECONDS = 1.5  # the stage asks for the next one with 1.6 s of epochs still to show
STAGE_HEIGHT = 520
STAGE_KEY = "pg_stage"
PICKER_KEY = "pg_sets"
PLAY_KEY = "pg_play"  # the stage intercepts this button's Pause (see playground_stage.js)
ERASE_RADIUS = 0.4  # plane units: a click this near a point erases it
PICKER_SETS = tuple(d for d in DATASET_NAMES if d != "tutorial_xor")

_CSS = """
.nnpg { position: relative; width: 100%; }
.nnpg canvas { display: block; }
.nnpg-tip { position: absolute; display: none; pointer-events: none; background: #222;
  color: #fff; font: 12px sans-serif; padding: 3px 6px; border-radius: 4px; white-space: nowrap;
  z-index: 10; }
.nnpg-sets { display: grid; grid-template-columns: repeat(auto-fill, minmax(38px, 1fr)); gap: 4px; }
.nnpg-set { padding: 2px; border: 2px solid transparent; background: none; cursor: pointer;
  border-radius: 4px; line-height: 0; }
.nnpg-set:hover { border-color: #999; }
.nnpg-set.chosen { border-color: #222; }
"""

stage_component = st.components.v2.component(
    "nnpg_stage", js=(HERE / "playground_stage.js").read_text(), css=_CSS)
picker_component = st.components.v2.component(
    "nnpg_datasets", js=(HERE / "playground_datasets.js").read_text(), css=_CSS)


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
def _grid(exp):
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
    return pv.frame(exp.net, _grid(exp), colours(exp), epoch_of(exp), train, test)


def chunk_epochs(exp) -> int:
    """Epochs in one chunk: a second of play, within the per-request and play caps."""
    left = LIMITS.max_play_epochs - epoch_of(exp)
    return int(max(0, min(FPS * CHUNK_SECONDS, left, Experiment.epoch_cap(exp.config, exp.dataset))))


def train_frames(exp, epochs: int) -> list:
    """Train `epochs` epochs with the Player; return one frame per epoch trained."""
    grid, col, frames = _grid(exp), colours(exp), []

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
    exp = _exp()
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
    exp = _exp()
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
    exp = _exp()
    stop()
    exp.reset_network()
    st.session_state.pop("pg.sel", None)


def _exp() -> Experiment:
    return st.session_state["experiment"]


# ---------- clicks on the stage
def trigger(name, key=STAGE_KEY):
    """The value of a component's trigger `name` in this run (None if it did not fire)."""
    state = st.session_state.get(key)
    if state is None:
        return None
    return state.get(name) if hasattr(state, "get") else getattr(state, name, None)


def _epoch_in(value, name):
    """Return value[name] if it is an epoch number (a click's message), else None."""
    v = value.get(name) if isinstance(value, dict) else None
    return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 else None


def on_need():
    value = trigger("need")
    exp = _exp()
    if is_playing() and isinstance(value, dict):
        shown = _epoch_in(value, "shown")
        if shown is not None:
            st.session_state["pg.shown"] = shown
        play_chunk(exp)


# The pages a click on a link may open from the stage's Pause (url path -> script).
PAGE_FILES = {p.stem: f"pages/{p.name}" for p in (HERE.parent / "pages").glob("*.py")
              if p.stem != "playground"}


def on_pause():
    """The stage's Pause: with the epoch on screen, then maybe a Step or another page."""
    value = trigger("pause")
    exp = _exp()
    if is_playing():
        pause(exp, _epoch_in(value, "epoch"))
    then = value.get("then") if isinstance(value, dict) else None
    go = value.get("go") if isinstance(value, dict) else None
    if then == "step":
        on_step()
    elif isinstance(go, str) and go.rstrip("/").rsplit("/", 1)[-1] in PAGE_FILES:
        st.session_state["pg.goto"] = PAGE_FILES[go.rstrip("/").rsplit("/", 1)[-1]]
    st.session_state["pg.rerun_app"] = True  # the Play button's label lives outside the stage


def leave():
    """Another page is opening while this session plays (a way the stage could not see, like
    the browser's Back button): stop at the last epoch the stage said was on screen."""
    if is_playing():
        pause(_exp(), None)


def valid_selection(exp, sel) -> dict | None:
    """Return the selection if it names a parameter of the current network, else None."""
    if not isinstance(sel, dict):
        return None
    sizes = exp.net.layer_sizes
    try:
        kind, layer = sel.get("k"), int(sel.get("l"))
        j = int(sel.get("j"))
        if not 0 <= layer < len(sizes) - 1 or not 0 <= j < sizes[layer + 1]:
            return None
        if kind == "w":
            i = int(sel.get("i"))
            return {"k": "w", "l": layer, "i": i, "j": j} if 0 <= i < sizes[layer] else None
        return {"k": "b", "l": layer, "j": j} if kind == "b" else None
    except (TypeError, ValueError):
        return None


def on_select():
    exp = _exp()
    sel = valid_selection(exp, trigger("select"))
    if sel is not None:
        if is_playing():
            pause(exp, None)
        st.session_state["pg.sel"] = sel
        st.session_state["pg.rerun_app"] = True


def on_pick():
    name = trigger("pick", PICKER_KEY)
    if name in PICKER_SETS:
        set_config(_exp(), dataset=name)


def on_feature():
    name = trigger("feature")
    exp = _exp()
    if name not in FEATURES or not features_switchable():
        return
    feats = [f for f in exp.config.features if f != name]
    if name not in exp.config.features:
        feats = [f for f in FEATURES if f in exp.config.features or f == name]
    if not feats:
        st.session_state["pg.message"] = ("warning", "The network needs at least one input.")
        return
    set_config(exp, features=tuple(feats))


def on_plane():
    value = trigger("plane")
    if not isinstance(value, dict):
        return
    try:
        x1, x2 = float(value["x"]), float(value["y"])
    except (KeyError, TypeError, ValueError):
        return
    edit_point(_exp(), x1, x2, st.session_state.get("pg.click", "add 1"))


def features_switchable() -> bool:
    """Whether the stage offers every feature to switch on and off (a link may fix them)."""
    return not (links.is_locked("features") or links.is_hidden("features"))


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
def set_config(exp, **changes):
    """Apply config changes through the experiment (validated, clamped) and the sidebar."""
    from dataclasses import replace

    from ui.experiment import add_notices, config_to_widgets

    if is_playing():
        pause(exp, None)
    add_notices(exp.apply(links.enforce_locks(replace(exp.config, **changes), exp.config)))
    config_to_widgets(exp.config)
    st.session_state.pop("pg.grid", None)
    st.session_state["pg.rerun_app"] = True  # from the stage: the URL and the bar follow


@st.cache_data(max_entries=4, show_spinner=False)
def picker_sets(noise_free=True) -> dict:
    """Small copies of every dataset for the picker (the same for all sessions)."""
    sets = {name: make_dataset(name, n_points=120, noise=0.0 if noise_free else 0.1, seed=1)
            for name in PICKER_SETS}
    return pv.dataset_thumbnails(sets)


# ---------- what the stage gets
def stage_data(exp, *, show_test: bool, discretize: bool, height: int = STAGE_HEIGHT) -> dict:
    """Return the stage's data: the frames to show (one when paused, a chunk while playing)
    and what stays put (palettes, features, points, the loss curve so far)."""
    playing = is_playing() and st.session_state.get("pg.frames")
    frames = st.session_state["pg.frames"] if playing else [current_frame(exp)]
    col = colours(exp)
    plane = exp.plane if _grid(exp) is not None else None
    upto = shown_epoch(exp) if playing else epoch_of(exp)
    curve = pv.loss_curve(exp.history)
    keep = [k for k, e in enumerate(curve["e"]) if e <= upto]
    curve = {name: [v[k] for k in keep] if v else [] for name, v in curve.items()}
    if not curve["e"]:  # no history yet: the curve starts at the frame shown
        curve = {"e": [0], "lt": [frames[0]["lt"]], "ls": [frames[0]["ls"]]}
    generated = exp.config.dataset in PICKER_SETS or exp.own is not None
    step = pv.thumb_step(exp.net.layer_sizes)
    empty = {"x": "", "y": "", "c": ""}
    mode = st.session_state.get("pg.click", "add 1")
    return {
        "sig": f"{exp.version}",
        "playing": bool(playing),
        "fps": FPS,
        "height": height,
        "sizes": list(exp.net.layer_sizes),
        "inputs": list(exp.dataset.feature_names),
        "all_features": (list(FEATURES) if generated and plane is not None
                         and features_switchable() else []),
        "feature_pics": pv.feature_pictures(plane.domain, step) if plane is not None else {},
        "thumb": pv.GRID // step, "grid": pv.GRID, "shades": pv.SHADES,
        "palettes": {"hidden": pv.b64(pv.diverging_palette()), "output": pv.b64(col.palette())},
        "single_out": not col.classes,
        "use_bias": bool(exp.net.use_bias),
        "has_plane": plane is not None,
        "domain": list(plane.domain) if plane is not None else [-6, 6],
        "points": (pv.points(plane, exp.y_train, exp.y_test, col) if plane is not None
                   else {"train": empty, "test": empty}),
        "show_test": bool(show_test),
        "discretize": bool(discretize),
        "curve": curve,
        "frames": frames,
        "selected": st.session_state.get("pg.sel"),
        "edit_hint": ("click to erase the nearest point" if mode == "erase" else
                      "click to add a point here") if can_edit_points(exp) else "",
    }


def draw_stage(exp, **kwargs):
    """Mount the stage; its clicks arrive through the callbacks above."""
    return stage_component(
        key=STAGE_KEY, data=stage_data(exp, **kwargs), height="content",
        on_need_change=on_need, on_pause_change=on_pause, on_select_change=on_select,
        on_feature_change=on_feature, on_plane_change=on_plane)


CLASS_NAMES = ("orange", "blue", "green", "purple", "brown", "pink")


@st.fragment
def stage_fragment(_exp_at_start=None):
    """The stage and what belongs to it; a chunk request reruns only this."""
    ss = st.session_state
    exp = _exp()
    draw_stage(exp, show_test=ss.get("pg_show_test", False),
               discretize=ss.get("pg_discretize", False))
    goto = ss.pop("pg.goto", None)
    if goto:
        ss.pop("pg.rerun_app", None)
        st.switch_page(goto)  # a link clicked while playing, now paused at the epoch shown
    if ss.pop("pg.rerun_app", False):
        st.rerun()  # Pause, a selection or a stop changes the top bar too
    # One row, each control as wide as its label; it wraps on a narrow screen, never cuts.
    row = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    cols = [row] * 4
    cols[0].toggle("Show test data", key="pg_show_test")
    cols[1].toggle("Discretize output", key="pg_discretize")
    if can_edit_points(exp) and exp.plane is not None:
        k = exp.dataset.n_classes
        options = [f"add {c}" for c in range(k)] + ["erase"]
        if ss.get("pg.click") not in options:
            ss["pg.click"] = options[min(1, k - 1)]
        cols[2].segmented_control(
            "Click on the output to", options, key="pg.click", label_visibility="collapsed",
            format_func=lambda o: "erase" if o == "erase" else f"add {CLASS_NAMES[int(o[4:])]}",
            help="Click on the output plane: add a training point of this class, or erase the "
                 "nearest point. Your points stay in this session; Reset keeps them.")
    if exp.own is not None:
        cols[3].download_button(
            f"Your data ({len(exp.own.X)} points, CSV)", exp.own.to_csv(), "your_data.csv",
            mime="text/csv", on_click="ignore", key="pg_own_csv", icon=":material/download:")
    editor(exp)


def _param(exp, sel) -> float:
    if sel["k"] == "w":
        return float(exp.net.weights[sel["l"]][sel["i"], sel["j"]])
    return float(exp.net.biases[sel["l"]][sel["j"]])


def set_param(exp, sel, value):
    """Give the selected weight or bias a new value (finite, within +-MAX_PARAM)."""
    value = float(min(max(float(value), -MAX_PARAM), MAX_PARAM))
    weights, biases = exp.net.get_params()
    if sel["k"] == "w":
        weights[sel["l"]][sel["i"], sel["j"]] = value
    else:
        biases[sel["l"]][sel["j"]] = value
    exp.net.set_params(weights, biases)


MAX_PARAM = 100.0


def _edited(sel, key):
    exp = _exp()
    if valid_selection(exp, sel) == sel:
        set_param(exp, sel, st.session_state[key])


def _goto_neuron(sel):
    """Ask Feedforward to open neuron by neuron at the selected neuron (its sample stays)."""
    ss = st.session_state
    ss["ff.goto"] = (sel["l"] + 1, sel["j"])
    ss["ff.granularity"] = "neuron"
    ss["ff.source"] = "A training sample"


def editor(exp):
    """The selected weight or bias: its exact value, a box for a new one, and the neuron's
    step-through."""
    ss = st.session_state
    sel = valid_selection(exp, ss.get("pg.sel"))
    if sel is None:
        st.caption("Click an edge (a weight) or a neuron (its bias) to see its exact value and "
                   "change it; click a feature to switch it on or off.")
        return
    names = exp.net.layer_sizes
    last = len(names) - 2
    target = "o" if sel["l"] == last else f"h{sel['l'] + 1}."
    neuron = f"{target}{sel['j'] + 1}"
    if sel["k"] == "w":
        source = (exp.dataset.feature_names[sel["i"]] if sel["l"] == 0 else
                  f"h{sel['l']}.{sel['i'] + 1}")
        what = f"Weight W{sel['l'] + 1}[{sel['i'] + 1},{sel['j'] + 1}] from {source} to {neuron}"
    else:
        what = f"Bias b{sel['l'] + 1}[{sel['j'] + 1}] of neuron {neuron}"
    value = _param(exp, sel)
    key = "pg_edit_" + "_".join(str(v) for v in sel.values())
    ss[key] = value
    cols = st.columns([2.6, 1.3, 1.5, 0.6], vertical_alignment="bottom")
    cols[0].markdown(f"**{what}** = `{value!r}`")
    cols[1].number_input("New value", -MAX_PARAM, MAX_PARAM, step=0.1, format="%.6g", key=key,
                         on_change=_edited, args=(sel, key),
                         help="Type a value and press Enter: the pictures, the output and "
                              "the loss follow at once.")
    if cols[2].button(f"Step through neuron {neuron}", key="pg_stepthrough",
                      icon=":material/arrow_forward:", width="stretch", on_click=_goto_neuron,
                      args=(sel,), help="Open Feedforward at this neuron for the current sample."):
        st.switch_page("pages/feedforward.py")
    cols[3].button("", key="pg_unselect", icon=":material/close:", help="Close",
                   on_click=lambda: ss.pop("pg.sel", None))
