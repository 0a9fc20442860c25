"""The Training page's answer to "what does the learning rate do?": the update rule with one
real weight, the loss along one direction with four rates' steps on it, and the comparison
table with each verdict's definition beside it. Widgets and layout only: the numbers come from
nn_core.lr_picture and nn_core.lr_verdicts.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nn_core.lr_picture import describe, one_weight_step
from nn_core.lr_verdicts import LABELS, definitions
from ui import cached
from viz.learning_rate import line_figure


def explain(exp) -> None:
    """The update rule with this network's numbers, then the picture along one direction."""
    c = exp.config
    h = exp.history
    where = (f"the current weights (after epoch {h.last_epoch})" if h is not None and h.epoch_list
             else "the initial weights")
    step = one_weight_step(exp.net, exp.X_train, exp.y_train, exp.loss, c.lr)
    st.markdown(
        "Training is gradient descent. After each batch every weight w moves against its "
        "gradient ∂L/∂w, the slope of the loss L along that weight; the **learning rate η** "
        "sets how far:")
    st.latex(r"w \leftarrow w - \eta \, \frac{\partial L}{\partial w}")
    batch = ("the whole training set (full batch)" if not c.batch_size
             else f"the whole training set (training itself uses batches of {c.batch_size}, "
                  "each with its own gradient)")
    st.markdown(f"With this network's real numbers at {where}, for the weight from input 1 to "
                f"hidden unit 1, its gradient over {batch}, and your η = {c.lr:g}:")
    st.latex(rf"W^{{(1)}}_{{1,1}} \leftarrow {step.w:.5f} - {c.lr:g} \times "
             rf"({step.grad:.5g}) = {step.new_w:.5f}")
    st.markdown(f"Every weight and bias takes its own such step at once; this one step moves the "
                f"training loss from {step.loss_before:.5g} to {step.loss_after:.5g}.")

    st.subheader("The loss along one direction")
    picture = cached.lr_picture(exp.key(), float(c.lr), exp)
    st.markdown(
        "The same network's loss as all its weights move together along the steepest-descent "
        "direction (minus the gradient at " + where + "), t being how far. Gradient descent "
        "along this line steps t ← t − η · dL/dt: each panel shows the steps one learning "
        "rate takes, numbered (→: off the picture).")
    shown = st.slider("Steps shown", 0, 8, 8, key="train.lr_steps",
                      help="Step through the updates one at a time.")
    st.plotly_chart(line_figure(picture, shown), key="train.lr_line_chart",
                    config={"displayModeBar": False})
    st.markdown("\n".join(f"- {s}" for s in describe(picture, c.lr)))


def comparison_table(runs, kind, label) -> None:
    """One row per run (ordered by the setting), the verdicts' definitions beside the table."""
    if kind in ("lr", "batch_size"):
        runs = sorted(runs, key=lambda r: (r.value == 0, r.value))
    rows = []
    for r in runs:
        h = r.history
        ok = not h.diverged and h.loss_list
        rows.append({
            label: r.label,
            "verdict": r.verdict,
            "numbers": r.summary,
            "final train loss": h.loss_list[-1] if ok else None,
            "final test loss": h.test_loss_list[-1] if ok and h.test_loss_list else None,
            "train accuracy": 100 * h.accuracy_list[-1] if ok and h.accuracy_list else None,
        })
    table = pd.DataFrame(rows).set_index(label)
    # st.table: an empty cell stays empty and long verdicts wrap instead of being cut.
    st.table(table.style.format({"final train loss": "{:.4g}", "final test loss": "{:.4g}",
                                 "train accuracy": "{:.1f}%"}, na_rep=""))
    start = runs[0].history.initial_loss if runs else None
    words = definitions(start)
    used = [w for w in LABELS if any(w in r.labels for r in runs)]
    with st.container(border=True):
        st.markdown("**What each verdict means** (computed from each run's recorded losses)")
        st.markdown("\n".join(f"- **{w}**: {words[w]}" for w in used or LABELS))
