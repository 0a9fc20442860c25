"""What every page calls first: the session's experiment, with the app's navigation and
shared sidebar drawn around the page.

app.py calls `run_app(pages())` (ui.navigation's list); a page calls `get_experiment()`.
Normally app.py has drawn the navigation and the sidebar before the page runs. A page file
can also run alone: on a fresh server, Streamlit serves the first request for /<page> from the
pages/ folder before app.py ever called st.navigation (and AppTest does so on every run after
its first). Then get_experiment calls `run_app` itself: st.navigation takes over for good
(Streamlit ignores pages/ from then on), the requested page runs inside it with the sidebar,
and the alone run stops. Only public Streamlit API is used.
"""

from __future__ import annotations

import threading

import streamlit as st

from nn_core.config import PLAYGROUND_START
from nn_core.experiment import Experiment
from ui import lesson, playground
from ui.navigation import pages
from ui.session import session_experiment, show_notices
from ui.sidebar import render_sidebar

_run = threading.local()  # per script thread: is app.py's navigation around this page?


def run_app(nav_pages) -> None:
    """Navigation, the shared sidebar and notices, then the chosen page (app.py's body)."""
    st.set_page_config(page_title="Neural Network Playground", page_icon="🧠",
                       layout="wide")
    page = st.navigation(nav_pages)
    # A first visit to the front page (the Playground) without an experiment in its link
    # starts at the Playground's own start (nn_core.config.PLAYGROUND_START).
    session_experiment(PLAYGROUND_START if page.url_path == "" else None)
    if page.url_path != "":
        playground.leave()  # the other pages open on the epoch the Playground showed
    lesson.start(nav_pages, page)  # ?lesson=NAME&step=K, and the page the lesson's step points to
    render_sidebar()
    show_notices()
    lesson.panel()  # above every page while a lesson is open
    _run.in_app = True
    try:
        page.run()
    finally:
        _run.in_app = False


def get_experiment() -> Experiment:
    """Return this browser session's experiment (a page's first call; see the module doc).

    Inside a fragment's rerun use the `exp` the page already holds: a fragment runs without
    app.py, so this would run the whole app again.
    """
    if not getattr(_run, "in_app", False):
        run_app(pages())
        st.stop()
    return session_experiment()
