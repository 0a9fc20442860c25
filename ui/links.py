"""Teacher links: `&hide=` hides named controls, `&lock=` fixes named settings.

Names are the experiment's config fields (nn_core.config.URL_KEYS: lr, optimizer, hidden,
...), the same names a lesson file's `hide` and `lock` lists use, plus the groups `preset`,
`files` and `sidebar` for hide. Read from the URL once per session and kept in session state,
so they survive page switches; the URL is written back from the session (ui.experiment.sync_url).
A locked setting is enforced on the server (enforce_locks), not only greyed out.
"""

from __future__ import annotations

import re
from dataclasses import replace

import streamlit as st

from nn_core.config import URL_KEYS, ExperimentConfig
from nn_core.lessons import CONTROL_FIELDS, HIDE_GROUPS

HIDE_KEY = "link.hide"
LESSON_URL_KEY = "lesson.url"  # {"lesson": name, "step": "k"} of the open lesson
LOCK_KEY = "link.lock"
# URL parameters that belong to lessons and links, not to the experiment.
LINK_PARAMS = ("lesson", "step", "hide", "lock")
SHORT_NAMES = {short: field for field, short in URL_KEYS.items()}  # lr= works as well as lr

# The widgets (their keys, or key prefixes ending in '.' or '_') that show each name.
WIDGETS = {field: (f"cfg.{field}",) for field in CONTROL_FIELDS}
WIDGETS |= {
    "hidden": ("cfg.n_hidden", "cfg.width."),
    "hidden_activations": ("cfg.act.",),
    "epochs": ("cfg.epochs", "train.epochs"),
    "preset": ("preset_choice",),
    "files": ("sidebar_files",),
}
# The Playground's own controls of the same settings (pages/playground.py): its top bar, its
# data column, its +/- buttons and its "Presets, pages" menu. The problem type switches the
# dataset, the output activation and the loss together, so any of them hides or locks it.
PLAYGROUND_WIDGETS = {
    "lr": ("pg_lr",), "hidden_activations": ("pg_act",), "regularization": ("pg_reg",),
    "reg_rate": ("pg_regrate",), "dataset": ("pg_task", "pg_sets"),
    "output_activation": ("pg_task",), "loss": ("pg_task",), "train_ratio": ("pg_ratio",),
    "noise": ("pg_noise",), "batch_size": ("pg_batch",), "data_seed": ("pg_regen",),
    "hidden": ("pg_less.", "pg_more.", "pg_layers_less", "pg_layers_more"),
    "preset": ("preset_",),
}
for _name, _keys in PLAYGROUND_WIDGETS.items():
    WIDGETS[_name] = WIDGETS.get(_name, ()) + _keys


def parse_names(text: str, allowed: tuple) -> tuple[tuple, list]:
    """Return (the known names in a comma-separated list, the unknown ones)."""
    names, unknown = [], []
    for raw in str(text or "").split(",")[:40]:
        name = SHORT_NAMES.get(raw.strip(), raw.strip())
        if not name:
            continue
        (names if name in allowed else unknown).append(name)
    return tuple(dict.fromkeys(names)), unknown[:5]


def init_from_url(params: dict) -> list:
    """On a session's first run: read hide= and lock= from the URL; return notices."""
    ss, notices = st.session_state, []
    if HIDE_KEY in ss:
        return notices
    for key, param, allowed in ((HIDE_KEY, "hide", CONTROL_FIELDS + HIDE_GROUPS),
                                (LOCK_KEY, "lock", CONTROL_FIELDS)):
        names, unknown = parse_names(params.get(param, ""), allowed)
        ss[key] = names
        if unknown:
            notices.append(f"{param}: {', '.join(map(repr, unknown))} not known; names are "
                           f"{', '.join(allowed)}.")
    return notices


def hidden() -> tuple:
    return st.session_state.get(HIDE_KEY, ())


def locked() -> tuple:
    return st.session_state.get(LOCK_KEY, ())


def is_locked(*names) -> bool:
    """Whether any of these settings is fixed by the link (its controls are then disabled)."""
    return any(name in locked() for name in names)


def is_hidden(*names) -> bool:
    return any(name in hidden() for name in names)


def add(hide=(), lock=()):
    """Add a lesson's own hide and lock names to the session's."""
    ss = st.session_state
    ss[HIDE_KEY] = tuple(dict.fromkeys((*hidden(), *hide)))
    ss[LOCK_KEY] = tuple(dict.fromkeys((*locked(), *lock)))


def enforce_locks(new: ExperimentConfig, current: ExperimentConfig) -> ExperimentConfig:
    """Return `new` with every locked setting kept at its current value."""
    keep = {name: getattr(current, name) for name in locked()}
    return replace(new, **keep) if keep else new


def url_params() -> dict:
    """Return the open lesson, its step, and the link's hide= and lock=, as URL parameters."""
    params = dict(st.session_state.get(LESSON_URL_KEY, {}))
    if hidden():
        params["hide"] = ",".join(hidden())
    if locked():
        params["lock"] = ",".join(locked())
    return params


def _selectors(names) -> list:
    out = []
    for name in names:
        for key in WIDGETS.get(name, ()):
            # Streamlit gives every keyed element a class st-key-<key>, with each character
            # other than letters, digits, _ and - replaced by -.
            css = re.sub(r"[^a-zA-Z0-9_-]", "-", key)
            out.append(f'[class*="st-key-{css}"]' if key.endswith((".", "_"))  # a prefix
                       else f'[class~="st-key-{css}"]')
    return out


def style_rules() -> str:
    """Return the CSS that hides and greys out the link's controls ('' when there are none)."""
    rules = []
    hide = _selectors(hidden())
    if hide:
        rules.append(", ".join(hide) + " { display: none !important; }")
    if "sidebar" in hidden():
        rules.append('[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] '
                     "{ display: none !important; }")
    lock = _selectors(n for n in locked() if n not in hidden())
    if lock:
        rules.append(", ".join(lock) + " { opacity: 0.55; pointer-events: none; }")
    return "\n".join(rules)


def apply_style():
    """Inject the link's CSS (on every page, every run)."""
    css = style_rules()
    if css:
        st.html(f"<style>{css}</style>")


def lock_caption():
    """Tell the student which settings this link fixes (drawn in the sidebar)."""
    if locked():
        st.caption(":material/lock: Fixed by this link: " + ", ".join(locked()) + ".")
