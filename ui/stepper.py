"""Widgets shared by the Feedforward and Backprop pages: the sample, the step controls."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui import cached
from viz.stepthrough import step_figure

MAX_INPUT = 1000.0  # typed inputs and targets are clamped to +-MAX_INPUT


def steps_for(exp, x, y, granularity, forward_only=False):
    """Return the step-through of the session's current network on one sample (cached for
    every session by the experiment's key: training the net in place makes a new entry;
    forward_only: its forward and loss steps only)."""
    x, y = tuple(map(float, x)), tuple(map(float, y))
    return cached.steps(exp.key(), x, y, granularity, exp, forward_only)


def fingerprint(exp) -> str:
    """Return a key that changes whenever the session network's parameters change."""
    return exp.key()


def pick_sample(exp, prefix: str):
    """Draw the sample picker; return (x, y, description) of the chosen sample."""
    X, Y = exp.X_train, exp.y_train
    names = list(getattr(exp.dataset, "feature_names", None) or
                 [f"x{i + 1}" for i in range(X.shape[1])])
    # One row that wraps when the page is narrow: each control keeps its labels whole.
    row = st.container(horizontal=True, vertical_alignment="bottom")
    c1, c2, c3 = (row.container(width="content") for _ in range(3))
    source = c1.segmented_control("Input", ["A training sample", "Type values"],
                                  default="A training sample", key=f"{prefix}.source")
    granularity = c3.segmented_control(
        "Granularity", ["neuron", "layer"], default="neuron", key=f"{prefix}.granularity",
        format_func=lambda g: "neuron by neuron" if g == "neuron" else "layer by layer")
    granularity = granularity or "neuron"
    if source == "Type values":
        cols = st.columns(X.shape[1] + Y.shape[1])
        x = [cols[i].number_input(names[i] if i < len(names) else f"x{i + 1}",
                                  -MAX_INPUT, MAX_INPUT, float(X[0, i]), step=0.1,
                                  format="%.4g", key=f"{prefix}.x.{i}")
             for i in range(X.shape[1])]
        y = [cols[X.shape[1] + k].number_input(f"target y{k + 1}", -MAX_INPUT, MAX_INPUT,
                                               float(Y[0, k]), step=0.1, format="%.4g",
                                               key=f"{prefix}.y.{k}")
             for k in range(Y.shape[1])]
        x = np.clip(np.array(x, float), -MAX_INPUT, MAX_INPUT)
        y = np.clip(np.array(y, float), -MAX_INPUT, MAX_INPUT)
        return x, y, granularity, "typed input"
    n = len(X)
    # The value lives in session state (no value= here), so a lesson step can choose the sample.
    held = st.session_state.get(f"{prefix}.sample", 1)
    if not isinstance(held, int) or not 1 <= held <= n:
        st.session_state[f"{prefix}.sample"] = 1
    index = c2.number_input(f"Sample (1 to {n})", 1, n, step=1, key=f"{prefix}.sample",
                             width=170)
    index = int(min(max(int(index), 1), n)) - 1
    x, y = X[index], Y[index]
    return x, y, granularity, f"training sample {index + 1} of {n}"


def stepper_controls(prefix: str, n_steps: int) -> int:
    """Draw Reset / Previous / Next / Run to end and a slider; return the current step index."""
    ss = st.session_state
    key = f"{prefix}.step"
    current = int(ss.get(key, 0))
    if not 0 <= current < n_steps:
        current = min(max(current, 0), n_steps - 1)
        ss[key] = current

    def go(to):
        ss[key] = int(min(max(to, 0), n_steps - 1))

    # Buttons as wide as their labels, the slider takes the rest (and wraps below if narrow).
    row = st.container(horizontal=True, vertical_alignment="center")
    row.button("Reset", key=f"{prefix}.reset", icon=":material/first_page:",
               on_click=go, args=(0,), disabled=current == 0)
    row.button("Previous", key=f"{prefix}.prev", icon=":material/chevron_left:",
               on_click=go, args=(current - 1,), disabled=current == 0)
    row.button("Next", key=f"{prefix}.next", icon=":material/chevron_right:", type="primary",
               on_click=go, args=(current + 1,), disabled=current == n_steps - 1)
    row.button("Run to end", key=f"{prefix}.end", icon=":material/last_page:",
               on_click=go, args=(n_steps - 1,), disabled=current == n_steps - 1)
    if n_steps > 1:
        ss[f"{prefix}.slider"] = current + 1  # set before the slider exists in this run
        row.slider("Step", 1, n_steps, key=f"{prefix}.slider", label_visibility="collapsed",
                   on_change=_slider_moved, args=(prefix, n_steps), width="stretch")
    return int(ss[key])


def _slider_moved(prefix, n_steps):
    ss = st.session_state
    ss[f"{prefix}.step"] = int(min(max(ss[f"{prefix}.slider"], 1), n_steps)) - 1


def step_view(exp, prefix: str, run, steps, title_of, subtitle: str, caption_of,
              extra=None, below=None):
    """Draw one step-through view (controls, the graph so far, the step's numbers and its
    rule) for the Feedforward and Backprop pages; return the step shown.

    title_of(step) and caption_of(step) give the header's and the graph's text; extra(step),
    if given, draws more under the numbers (in the right-hand column), below(step) under
    both columns at the page's full width. A step whose formula is wider than the right-hand
    column (Step.wide: matrices, long sums) writes its numbers at the full width instead.
    """
    k = stepper_controls(prefix, len(steps))
    step = steps[k]
    st.markdown(f"**Step {k + 1} of {len(steps)}** · {title_of(step)}  \n:gray[{subtitle}]")
    # The formulas get the wider column: stepformat wraps a sum to LINE_EM, ~310 px.
    left, right = st.columns([1, 1.2])
    with left:
        st.plotly_chart(step_figure(run.net, step, input_names=exp.dataset.feature_names),
                        key=f"{prefix}.graph", config={"displayModeBar": False})
        st.caption(caption_of(step))
    with right:
        if not step.wide:
            st.markdown("##### This step, with its numbers")
            st.latex(step.latex)
        if step.general:
            st.markdown("##### The rule")
            st.latex(step.general)
        if step.wide:
            st.caption("This step's numbers need the page's width: they are written out below."
                       + (" One row per neuron of the layer." if step.kind == "layer" else ""))
        if extra is not None:
            extra(step)
    if step.wide:
        st.markdown("##### This step, with its numbers")
        st.latex(step.latex)
    if below is not None:
        below(step)
    return step


def reset_when_changed(prefix: str, identity) -> None:
    """Go back to step 0 when the sample, network or granularity changed."""
    ss = st.session_state
    if ss.get(f"{prefix}.identity") != identity:
        ss[f"{prefix}.identity"] = identity
        ss[f"{prefix}.step"] = 0
