"""The Playground's weight editor: the weight or bias clicked on the stage, its exact value,
a box for a new one, and a button to step through its neuron on the Feedforward page.
"""

from __future__ import annotations

import streamlit as st

from ui.playground import current_experiment

MAX_PARAM = 100.0


def valid_selection(exp, sel) -> dict | None:
    """Return the selection if it names a parameter of the current network, else None."""
    if not isinstance(sel, dict):
        return None
    sizes = exp.net.layer_sizes
    try:
        kind, layer = sel.get("k"), int(sel.get("l"))
        j = int(sel.get("j"))
        if not 0 <= layer < len(sizes) - 1 or not 0 <= j < sizes[layer + 1]:
            return None
        if kind == "w":
            i = int(sel.get("i"))
            return {"k": "w", "l": layer, "i": i, "j": j} if 0 <= i < sizes[layer] else None
        return {"k": "b", "l": layer, "j": j} if kind == "b" else None
    except (TypeError, ValueError):
        return None


def _param(exp, sel) -> float:
    if sel["k"] == "w":
        return float(exp.net.weights[sel["l"]][sel["i"], sel["j"]])
    return float(exp.net.biases[sel["l"]][sel["j"]])


def set_param(exp, sel, value):
    """Give the selected weight or bias a new value (finite, within +-MAX_PARAM)."""
    value = float(min(max(float(value), -MAX_PARAM), MAX_PARAM))
    weights, biases = exp.net.get_params()
    if sel["k"] == "w":
        weights[sel["l"]][sel["i"], sel["j"]] = value
    else:
        biases[sel["l"]][sel["j"]] = value
    exp.net.set_params(weights, biases)


def _edited(sel, key):
    exp = current_experiment()
    if valid_selection(exp, sel) == sel:
        set_param(exp, sel, st.session_state[key])


def _goto_neuron(sel):
    """Ask Feedforward to open neuron by neuron at the selected neuron (its sample stays)."""
    ss = st.session_state
    ss["ff.goto"] = (sel["l"] + 1, sel["j"])
    ss["ff.granularity"] = "neuron"
    ss["ff.source"] = "A training sample"


def editor(exp):
    """The selected weight or bias: its exact value, a box for a new one, and the neuron's
    step-through."""
    ss = st.session_state
    sel = valid_selection(exp, ss.get("pg.sel"))
    if sel is None:
        st.caption("Click an edge (a weight) or a neuron (its bias) to see its exact value and "
                   "change it; click a feature to switch it on or off.")
        return
    names = exp.net.layer_sizes
    last = len(names) - 2
    target = "o" if sel["l"] == last else f"h{sel['l'] + 1}."
    neuron = f"{target}{sel['j'] + 1}"
    if sel["k"] == "w":
        source = (exp.dataset.feature_names[sel["i"]] if sel["l"] == 0 else
                  f"h{sel['l']}.{sel['i'] + 1}")
        what = f"Weight W{sel['l'] + 1}[{sel['i'] + 1},{sel['j'] + 1}] from {source} to {neuron}"
    else:
        what = f"Bias b{sel['l'] + 1}[{sel['j'] + 1}] of neuron {neuron}"
    value = _param(exp, sel)
    key = "pg_edit_" + "_".join(str(v) for v in sel.values())
    ss[key] = value
    cols = st.columns([2.6, 1.3, 1.5, 0.6], vertical_alignment="bottom")
    cols[0].markdown(f"**{what}** = `{value!r}`")
    cols[1].number_input("New value", -MAX_PARAM, MAX_PARAM, step=0.1, format="%.6g", key=key,
                         on_change=_edited, args=(sel, key),
                         help="Type a value and press Enter: the pictures, the output and "
                              "the loss follow at once.")
    if cols[2].button(f"Step through neuron {neuron}", key="pg_stepthrough",
                      icon=":material/arrow_forward:", width="stretch", on_click=_goto_neuron,
                      args=(sel,), help="Open Feedforward at this neuron for the current sample."):
        st.switch_page("pages/feedforward.py")
    cols[3].button("", key="pg_unselect", icon=":material/close:", help="Close",
                   on_click=lambda: ss.pop("pg.sel", None))
