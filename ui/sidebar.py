"""The sidebar every page shares: presets, data, network, training, files."""

from __future__ import annotations

import streamlit as st

from nn_core import INIT_DESCRIPTIONS, network_to_json
from nn_core.activations import HIDDEN_ACTIVATIONS
from nn_core.config import (
    FIELDS,
    FIXED_FEATURE_SETS,
    LEARNING_RATES,
    LIMITS,
    PRESETS,
    REG_RATES,
    WIDGET_FIELDS,
)
from nn_core.datasets import DATASET_NAMES, FEATURES, dataset_to_csv
from ui import links
from ui.script_download import numpy_script_button
from ui.session import (
    PREFIX,
    PRESET_KEY,
    add_notices,
    apply_preset,
    config_to_widgets,
    on_sidebar_change,
    session_experiment,
    sync_url,
)

DATASET_LABELS = {
    "tutorial_xor": "Tutorial XOR (4 rows)", "circle": "Circle", "xor": "XOR (2-D)",
    "gaussian": "Two Gaussians", "spiral": "Spiral", "moons": "Moons",
    "three_class": "Three classes", "plane": "Plane (regression)", "sine": "Sine (regression)",
    "worked_example": "Worked example (1 row)", "csv": "Uploaded CSV",
}
LOSS_LABELS = {"sse": "SSE (tutorial)", "mse": "MSE", "bce": "Binary cross-entropy",
               "cross_entropy": "Cross-entropy (softmax)"}
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}
# Names short enough for the sidebar's Preset box (the full descriptions are in its help).
PRESET_NAMES = {"tutorial": "Tutorial XOR net", "worked_example": "Worked example 2-2-2",
                "playground": "TF Playground default", "spiral": "Deep spiral",
                "three_class": "Three classes"}


def _with_current(options, current):
    """Return options plus the current value (a URL may hold a value the list lacks)."""
    return tuple(sorted(set(options) | {current}))


def _key(name):
    return PREFIX + name


def _bounds(name) -> tuple:
    """A number widget's (lowest, highest): the bounds clamp keeps, from FIELDS' row."""
    return FIELDS[name].rule[1:3]


def _options(name) -> list:
    """A select box's options: the choices clamp allows, from FIELDS' row."""
    return list(FIELDS[name].rule[1])


def render_sidebar():
    """Draw the shared sidebar (every page) and keep the URL in step with the experiment."""
    exp = session_experiment()
    with st.sidebar:
        sidebar_widgets(exp)
        links.lock_caption()
    links.apply_style()  # a teacher's link: hide= and lock=
    sync_url(exp.config)


def sidebar_widgets(exp):
    """Draw every experiment widget; each change goes through on_sidebar_change."""
    cb = {"on_change": on_sidebar_change}
    st.selectbox("Preset", list(PRESETS), index=None, key=PRESET_KEY,
                 format_func=lambda k: PRESET_NAMES.get(k, PRESETS[k][0]), placeholder="Your own settings: load a preset…",
                 on_change=_preset_changed,
                 help="Shows the preset loaded last, until you change a setting below.\n\n"
                      + "\n".join(f"- **{PRESET_NAMES[k]}**: {label}"
                                   for k, (label, _) in PRESETS.items()))

    # Only the network is open at first: a first look is the preset, then the architecture.
    # The closed sections' widgets are not drawn (most of the sidebar's work on every rerun):
    # Streamlit then forgets their state, so it is written back from the experiment first.
    if any(PREFIX + name not in st.session_state for name in WIDGET_FIELDS):
        config_to_widgets(exp.config)
    _section("Data", "sidebar_data", _data, exp, cb)
    with st.expander("Network", expanded=True):
        st.slider("Hidden layers", 0, LIMITS.max_hidden_layers, key=_key("n_hidden"), **cb)
        for i in range(int(st.session_state.get(_key("n_hidden"), 0))):
            c1, c2 = st.columns([2, 3])
            c1.number_input(f"Layer {i + 1}", 1, LIMITS.max_neurons,
                            key=f"{PREFIX}width.{i}", **cb)
            c2.selectbox(f"Activation {i + 1}", HIDDEN_ACTIVATIONS, key=f"{PREFIX}act.{i}",
                         **cb)
        # Full-width rows: names like "playground" and "sigmoid" are cut off in half a sidebar.
        st.selectbox("Output activation", _options("output_activation"),
                     key=_key("output_activation"), **cb)
        st.selectbox("Loss", _options("loss"), key=_key("loss"), format_func=LOSS_LABELS.get, **cb)
        st.selectbox("Initial weights", _options("init"), key=_key("init"),
                     help="\n".join(f"- **{k}**: {v}" for k, v in INIT_DESCRIPTIONS.items()),
                     **cb)
        c1, c2 = st.columns(2, vertical_alignment="bottom")
        c1.number_input("Weight seed", *_bounds("seed"), key=_key("seed"),
                        help="Same seed, same initial weights.", **cb)
        c2.checkbox("Biases", key=_key("use_bias"), help="Off: every b stays 0, as in the "
                    "tutorial (whose constant third input plays the bias).", **cb)

    _section("Training", "sidebar_training", _training, exp, cb)
    _section("Files: your data and networks", "sidebar_files", lambda exp, cb: _files(exp),
             exp, cb)  # hide=files hides this key
    st.caption("The address bar always holds this experiment: copy it to share the same data "
               "and the same initial weights.")


def _section(label, key, draw, exp, cb):
    """A closed-at-first sidebar section whose widgets are drawn only while it is open
    (opening it reruns the page, which then draws them)."""
    box = st.expander(label, expanded=False, key=key, on_change="rerun")
    if box.open:
        with box:
            draw(exp, cb)


def _data(exp, cb):
    """The Data section: dataset, features, noise, split, points, data seed."""
    datasets = list(DATASET_NAMES) + ["worked_example"] + (["csv"] if exp.uploaded else [])
    st.selectbox("Dataset", datasets, key=_key("dataset"),
                 format_func=DATASET_LABELS.get, **cb)
    fixed = exp.config.dataset in FIXED_FEATURE_SETS
    if fixed:  # the data's own columns (the tutorial's third is a constant 1)
        st.markdown("**Input features** (fixed by this data)  \n"
                    + ", ".join(f"`{n}`" for n in exp.dataset.feature_names),
                    help="This dataset brings its own input columns; the network has one "
                         "input per column.")
    else:
        st.multiselect("Input features", FEATURES, key=_key("features"),
                       help="What the input layer sees, computed from each point (x1, x2).",
                       **cb)
    c1, c2 = st.columns(2)
    c1.slider("Noise", *_bounds("noise"), step=0.05, key=_key("noise"), disabled=fixed, **cb)
    c2.slider("Train share", *_bounds("train_ratio"), step=0.05,
              key=_key("train_ratio"), disabled=fixed, **cb)
    c1, c2 = st.columns(2)
    c1.number_input("Points", *_bounds("n_points"), step=50,
                    key=_key("n_points"), disabled=fixed, **cb)
    c2.number_input("Data seed", *_bounds("data_seed"), key=_key("data_seed"),
                    disabled=fixed, **cb)


def _training(exp, cb):
    """The Training section: learning rate, optimizer, batch, regularization, epochs."""
    st.select_slider("Learning rate", _with_current(LEARNING_RATES, exp.config.lr),
                     key=_key("lr"), format_func=lambda v: f"{v:g}", **cb)
    # A full-width row: "Momentum" is cut to "Momen" in half a sidebar.
    st.selectbox("Optimizer", _options("optimizer"), key=_key("optimizer"),
                 format_func=OPTIMIZER_LABELS.get, **cb)
    c1, c2 = st.columns(2)
    c1.number_input("Batch size", *_bounds("batch_size"), key=_key("batch_size"),
                    help="0 = the whole training set in one batch (full batch).", **cb)
    c2.number_input("Epochs", *_bounds("epochs"), key=_key("epochs"),
                    help="How many epochs Train trains (the same setting as the Training "
                         "page's Epochs).", **cb)
    c1, c2 = st.columns(2)
    c1.selectbox("Regularization", _options("regularization"), key=_key("regularization"),
                 **cb)
    c2.select_slider("Reg. rate", _with_current(REG_RATES, exp.config.reg_rate),
                     key=_key("reg_rate"), format_func=lambda v: f"{v:g}", **cb)


def _preset_changed():
    name = st.session_state.get("preset_choice")
    if name:
        apply_preset(name)  # the box keeps showing it (ui.experiment forgets it on a change)


def _load_upload(key, load):
    """Uploader callback: hand the file to `load` (an Experiment method that raises ValueError
    and changes nothing on a bad file) and keep its outcome for the next render."""
    upload = st.session_state.get(key)
    if upload is None:
        return
    exp = session_experiment()
    try:
        success = load(exp, upload)
        config_to_widgets(exp.config)
        st.session_state["files_message"] = ("success", success)
    except ValueError as err:
        st.session_state["files_message"] = ("error", f"{upload.name} was not loaded: {err}. "
                                             "Your current experiment is unchanged.")


def _use_csv(exp, upload):
    add_notices(exp.use_csv(upload.getvalue()))
    return f"Loaded {upload.name}: {len(exp.X_train) + len(exp.X_test)} rows."


def _use_network(exp, upload):
    exp.use_network_json(upload.getvalue())
    return f"Loaded the network in {upload.name}."


def _files(exp):
    message = st.session_state.pop("files_message", None)
    if message:
        getattr(st, message[0])(message[1])
    st.file_uploader("Upload data (CSV)", type=["csv", "txt"], key="upload_csv",
                     on_change=_load_upload, args=("upload_csv", _use_csv),
                     help=f"Numbers only; the last column is the label (0/1 or 0..K-1 classes, "
                          f"or any number for regression). At most {LIMITS.max_csv_rows} rows, "
                          f"{LIMITS.max_csv_columns} feature columns, "
                          f"{LIMITS.max_upload_bytes // 1000} kB.")
    # Written only when clicked (callables: every page's rerun draws these), from the data and
    # network as they are now (a copy: training changes the session's network in place).
    dataset, net = exp.dataset, exp.net.copy()
    st.download_button("Download the data (CSV)", lambda: dataset_to_csv(dataset),
                       file_name=f"{exp.config.dataset}.csv", mime="text/csv",
                       on_click="ignore", key="download_data")
    st.download_button("Download the network (JSON)", lambda: network_to_json(net, indent=1),
                       file_name="network.json", mime="application/json", on_click="ignore",
                       key="download_network")
    numpy_script_button(exp, key="download_script", epochs=exp.config.epochs, icon=None,
                        help=f"The experiment from its initial weights, written out as one "
                             f"plain NumPy program (the tutorial's, corrected): run it and it "
                             f"prints the losses of {exp.config.epochs} epochs, the same as "
                             f"Train with these settings.")
    st.file_uploader("Load a network (JSON)", type=["json"], key="upload_network",
                     on_change=_load_upload, args=("upload_network", _use_network),
                     help="A file from 'Download the network'; it must fit the current data.")
