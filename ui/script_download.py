"""The "Download as a NumPy script" button the sidebar, Training and Backprop share."""

from __future__ import annotations

import streamlit as st

from nn_core import experiment_script, script_refusal


def numpy_script_button(exp, *, key, trained=False, epochs=None,
                        label="Download as a NumPy script", help=None, icon=":material/code:"):
    """Draw the download of the experiment as a NumPy script (its initial or its current
    weights), or, when no script could reproduce its training exactly, say why instead."""
    net = exp.net if trained else exp.initial_net()
    c = exp.config
    why = script_refusal(net, exp.X_train, exp.y_train, loss=c.loss, optimizer=c.optimizer,
                         regularization=c.regularization)
    if why:
        st.caption(f"No NumPy script of this network: {why}")
        return
    # Written once per state of the experiment (a big dataset takes ~0.1 s), not every rerun.
    done = exp.history.last_epoch if exp.history is not None else 0
    fingerprint = exp.key(not trained, trained, epochs, done)
    held = st.session_state.get(f"{key}.text")
    if held is None or held[0] != fingerprint:
        held = (fingerprint, experiment_script(exp, trained=trained, epochs=epochs))
        st.session_state[f"{key}.text"] = held
    name = f"{c.dataset}_{('trained' if done else 'current') if trained else 'initial'}.py"
    st.download_button(label, held[1], file_name=name, mime="text/x-python", key=key,
                       on_click="ignore", help=help, icon=icon)
