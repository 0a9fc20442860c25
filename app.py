"""Neural Network Playground: the entry point (`streamlit run app.py`).

The app is its pages (below) around one shared sidebar; the Playground is the front page.
ui.experiment.run_app draws the navigation and the sidebar, then runs the page asked for.
"""

import streamlit as st

from ui.experiment import run_app


def pages():
    """The app's pages in the order of a first visit; each is a thin script in pages/."""
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


if __name__ == "__main__":  # Streamlit runs this file as __main__; pages import pages()
    run_app(pages())
