"""The Playground's stage, a canvas component (ui/playground_stage.js), and its dataset
picker (ui/playground_datasets.js): the data they get, and what clicks on them do.

The stage draws the network with each neuron's picture, the output plane and the loss curve,
and plays the frames ui.playground trains; its messages (a chunk needed, Pause at the epoch on
screen, a weight selected, a feature switched, a click on the plane) arrive as the triggers
handled below.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from nn_core.datasets import FEATURES, make_dataset
from ui.playground import (
    FPS,
    PICKER_SETS,
    can_edit_points,
    colours,
    current_experiment,
    current_frame,
    edit_point,
    epoch_of,
    features_switchable,
    grid_inputs,
    is_playing,
    on_step,
    pause,
    play_chunk,
    set_config,
    shown_epoch,
)
from ui.weight_editor import editor, valid_selection
from viz import playground as pv

HERE = Path(__file__).resolve().parent
STAGE_HEIGHT = 520
STAGE_KEY = "pg_stage"
PICKER_KEY = "pg_sets"

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
    exp = current_experiment()
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
    exp = current_experiment()
    if is_playing():
        pause(exp, _epoch_in(value, "epoch"))
    then = value.get("then") if isinstance(value, dict) else None
    go = value.get("go") if isinstance(value, dict) else None
    if then == "step":
        on_step()
    elif isinstance(go, str) and go.rstrip("/").rsplit("/", 1)[-1] in PAGE_FILES:
        st.session_state["pg.goto"] = PAGE_FILES[go.rstrip("/").rsplit("/", 1)[-1]]
    st.session_state["pg.rerun_app"] = True  # the Play button's label lives outside the stage


def on_select():
    exp = current_experiment()
    sel = valid_selection(exp, trigger("select"))
    if sel is not None:
        if is_playing():
            pause(exp, None)
        st.session_state["pg.sel"] = sel
        st.session_state["pg.rerun_app"] = True


def on_pick():
    name = trigger("pick", PICKER_KEY)
    if name in PICKER_SETS:
        set_config(current_experiment(), dataset=name)


def on_feature():
    name = trigger("feature")
    exp = current_experiment()
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
    edit_point(current_experiment(), x1, x2, st.session_state.get("pg.click", "add 1"))


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
    plane = exp.plane if grid_inputs(exp) is not None else None
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
    exp = current_experiment()
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
