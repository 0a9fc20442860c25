"""Neural Network Playground: navigation and the shared sidebar; the Playground is the front page."""

import streamlit as st

from ui import lesson
from ui.experiment import render_sidebar, show_notices

st.set_page_config(page_title="Neural Network Playground", page_icon=":material/hub:", layout="wide")

# Each page is a thin script in pages/; the order is the order of a first visit.
PAGES = [
    st.Page("pages/playground.py", title="Playground", icon=":material/play_circle:", default=True),
    st.Page("pages/lessons.py", title="Lessons", icon=":material/school:"),
    st.Page("pages/network_graph.py", title="Network graph", icon=":material/hub:"),
    st.Page("pages/feedforward.py", title="Feedforward", icon=":material/arrow_forward:"),
    st.Page("pages/backprop.py", title="Backprop", icon=":material/arrow_back:"),
    st.Page("pages/training.py", title="Training", icon=":material/model_training:"),
    st.Page("pages/activations.py", title="Activations", icon=":material/show_chart:"),
]

page = st.navigation(PAGES)
lesson.start(PAGES, page)  # ?lesson=NAME&step=K, and the page the lesson's step points to
render_sidebar()
show_notices()
lesson.panel()  # above every page while a lesson is open
page.run()
