"""The "Download as a NumPy script" button the sidebar, Training and Backprop share."""

from __future__ import annotations

import streamlit as st

from nn_core import script_inputs, script_refusal, to_numpy_script


def numpy_script_button(exp, *, key, trained=False, epochs=None,
                        label="Download as a NumPy script", help=None, icon=":material/code:"):
    """Draw the download of the experiment as a NumPy script (its initial or its current
    weights), or, when no script could reproduce its training exactly, say why instead."""
    inputs = script_inputs(exp, trained=trained, epochs=epochs)
    why = script_refusal(**inputs)
    if why:
        st.caption(f"No NumPy script of this network: {why}")
        return
    done = exp.history is not None and exp.history.last_epoch > 0
    name = f"{exp.config.dataset}_{('trained' if done else 'current') if trained else 'initial'}.py"
    # Written only when clicked (the largest data takes ~0.2 s), from the inputs as they are now.
    st.download_button(label, lambda: to_numpy_script(**inputs), file_name=name,
                       mime="text/x-python", key=key, on_click="ignore", help=help, icon=icon)
