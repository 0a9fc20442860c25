"""The app's pages, in the order of a first visit; each is a thin script in pages/.

app.py hands them to ui.experiment.run_app, and so does get_experiment when a page file runs
alone (a fresh server's first request): here, below both, neither imports the other.
"""

import streamlit as st


def pages():
    """Return the navigation's pages, the Playground first (the front page)."""
    return [
        st.Page("pages/playground.py", title="Playground", icon=":material/play_circle:",
                default=True),
        st.Page("pages/lessons.py", title="Lessons", icon=":material/school:"),
        st.Page("pages/network_graph.py", title="Network graph", icon=":material/hub:"),
        st.Page("pages/feedforward.py", title="Feedforward", icon=":material/arrow_forward:"),
        st.Page("pages/backprop.py", title="Backprop", icon=":material/arrow_back:"),
        st.Page("pages/training.py", title="Training", icon=":material/model_training:"),
        st.Page("pages/activations.py", title="Activations", icon=":material/show_chart:"),
    ]
