"""Neural Network Playground: entry point (placeholder until the navigation/Home page lands)."""

import streamlit as st

st.set_page_config(page_title="Neural Network Playground", layout="wide")

st.title("Neural Network Playground")
st.write("See, step through and debug how a small neural network learns.")
