"""The session's experiment in st.session_state, its sidebar widgets' state and the URL.

Widgets write into session state, a callback turns them into an ExperimentConfig and the
engine's `Experiment.apply` validates it, so the sidebar, the URL and the engine never
disagree. Nothing here draws anything (ui.sidebar draws; ui.experiment is the pages' entry).
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from nn_core.config import LIMITS, PRESETS, WIDGET_FIELDS, ExperimentConfig
from nn_core.experiment import Experiment
from ui import links

SESSION_KEY = "experiment"
# A link with data=csv: a shared link, or a browser that came back to a restarted server (in a
# classroom, a live replica after its own died). A link cannot carry the file itself.
CSV_LOST = ("This link's data is an uploaded CSV file, which a link cannot carry (and which is "
            "lost when the server restarts): upload it again under Files in the sidebar. "
            "Everything else (network, initial weights, training settings) is the link's; the "
            "circle dataset is shown meanwhile.")
NOTICES_KEY = "experiment_notices"
PREFIX = "cfg."  # every sidebar widget's key starts with this
PRESET_KEY = "preset_choice"  # the sidebar's Preset box
PRESET_CONFIG_KEY = "preset_config"  # the config the named preset loaded


def session_experiment(start: ExperimentConfig | None = None) -> Experiment:
    """Return this browser session's experiment, built from the URL on its first run (from
    `start` instead of the defaults when the URL names no experiment and no lesson)."""
    if SESSION_KEY not in st.session_state:
        url = st.query_params.to_dict()
        params = {k: v for k, v in url.items()
                  if k not in links.LINK_PARAMS}  # lesson=, step=, hide=, lock=: ui.links
        if start is not None and not params and "lesson" not in url:
            config, notices = start, []
        else:
            config, notices = ExperimentConfig.from_query_params(params)
        if config.dataset == "csv":  # kept in the URL by sync_url so that this is said
            notices.append(CSV_LOST)
            config = replace(config, dataset="circle")
        exp = Experiment()
        notices += exp.apply(config)
        st.session_state[SESSION_KEY] = exp
        add_notices(notices)
        config_to_widgets(exp.config)
        name = st.query_params.get("preset")
        if name in PRESETS and set(params) == {"preset"}:
            st.session_state[PRESET_KEY] = name  # a link that opened a preset names it
            st.session_state[PRESET_CONFIG_KEY] = exp.config
    return st.session_state[SESSION_KEY]


def add_notices(notices):
    """Queue messages for the top of the next page render."""
    if notices:
        st.session_state.setdefault(NOTICES_KEY, []).extend(notices)


def show_notices():
    """Show (once) what was clamped or rejected since the last render."""
    for notice in st.session_state.pop(NOTICES_KEY, []):
        st.warning(notice, icon=":material/warning:")


def config_to_widgets(config: ExperimentConfig):
    """Write a config into the sidebar widgets' session state (before they are drawn)."""
    ss = st.session_state
    for name in WIDGET_FIELDS:
        ss[PREFIX + name] = getattr(config, name)
    ss[PREFIX + "features"] = list(config.features)
    ss[PREFIX + "n_hidden"] = len(config.hidden)
    for i in range(LIMITS.max_hidden_layers):
        if i < len(config.hidden):
            ss[f"{PREFIX}width.{i}"] = config.hidden[i]
            ss[f"{PREFIX}act.{i}"] = config.hidden_activations[i]
        else:  # a layer added later starts like the last one
            ss[f"{PREFIX}width.{i}"] = config.hidden[-1] if config.hidden else 4
            ss[f"{PREFIX}act.{i}"] = (config.hidden_activations[-1]
                                      if config.hidden_activations else "tanh")


def config_from_widgets(current: ExperimentConfig) -> ExperimentConfig:
    """Return the config the sidebar widgets describe (not yet validated)."""
    ss = st.session_state

    def get(name):
        return ss.get(PREFIX + name, getattr(current, name))

    n_hidden = int(ss.get(PREFIX + "n_hidden", len(current.hidden)))
    hidden = tuple(int(ss.get(f"{PREFIX}width.{i}", 4)) for i in range(n_hidden))
    acts = tuple(ss.get(f"{PREFIX}act.{i}", "tanh") for i in range(n_hidden))
    fixed = current.fixed_weights
    values = {name: get(name) for name in WIDGET_FIELDS}
    new = replace(current, features=tuple(get("features")), hidden=hidden,
                  hidden_activations=acts, **values)
    if new.network_key()[:-1] != current.network_key()[:-1]:
        fixed = ""  # a preset's fixed weights belong to its exact architecture and data
    return replace(new, fixed_weights=fixed)


def on_sidebar_change():
    """Widget callback: validate the sidebar's config, apply it, write back what was kept."""
    exp = session_experiment()
    new = links.enforce_locks(config_from_widgets(exp.config), exp.config)
    add_notices(exp.apply(new))
    config_to_widgets(exp.config)
    if exp.config != st.session_state.get(PRESET_CONFIG_KEY):
        st.session_state[PRESET_KEY] = None  # no longer the preset the box named


def apply_preset(name: str):
    """Switch the experiment to preset `name` (its data, network and training settings)."""
    apply_config(PRESETS[name][1], name)


def apply_config(config: ExperimentConfig, preset: str | None = None):
    """Switch the experiment to `config` from its initial weights (locked settings stay);
    `preset` names it in the sidebar's Preset box (None: the box says "your own settings")."""
    exp = session_experiment()
    exp.uploaded_params = None
    add_notices(exp.apply(links.enforce_locks(config, exp.config)))
    exp.reset_network()
    config_to_widgets(exp.config)
    st.session_state[PRESET_KEY] = preset  # the Preset box shows what is loaded
    st.session_state[PRESET_CONFIG_KEY] = exp.config


def sync_url(config: ExperimentConfig):
    """Mirror the config in the URL so the address bar is always a shareable link."""
    params = config.to_query_params()  # data=csv stays: whoever opens it is told (CSV_LOST)
    params.update(links.url_params())  # the open lesson and step, hide= and lock=
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
