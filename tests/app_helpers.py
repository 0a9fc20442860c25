"""Helpers for page tests through streamlit.testing's AppTest."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


# The sidebar's sections that start closed; their widgets are drawn only while open.
SECTIONS = ("sidebar_data", "sidebar_training", "sidebar_files")


def open_app(params=None, page=None, timeout=60, sections=True):
    """Return an AppTest of app.py that has run once (optionally with URL params, on `page`);
    sections=True opens the sidebar's closed sections first, so their widgets are there."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if params:
        at.query_params.update(params)
    if sections:
        for key in SECTIONS:
            at.session_state[key] = True
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def experiment(at):
    """Return the session's nn_core Experiment."""
    return at.session_state["experiment"]


def open_tab(at, key, label):
    """Select the tab `label` of the lazy st.tabs with `key` (only the open tab is drawn), as
    a click on it does, and rerun."""
    at.session_state[key] = label
    return at.run()
