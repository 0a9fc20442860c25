"""Backprop: the chain rule backwards, checked against finite differences; bugs; your numbers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import streamlit as st

from nn_core import gradient_check
from nn_core.bugs import BUGS, CORRECT, loss_curve
from nn_core.checking import PRESETS as CHECK_PRESETS
from nn_core.checking import (
    CheckInput,
    compare,
    parse_check_json,
    parse_matrix_csv,
    preset,
    to_dict,
    true_values,
)
from ui.experiment import get_experiment
from ui.script_download import numpy_script_button
from ui.stepper import fingerprint, pick_sample, reset_when_changed, step_view, steps_for
from viz.colors import MATCH_COLOURS, VERDICT_COLOURS
from viz.stepthrough import loss_curves_figure

exp = get_experiment()
ss = st.session_state
PREFIX = "bp"
CURVE_STEPS = 60
CURVE_ROWS = 400  # the bug zoo trains on at most this many training rows
VERDICT_ORDER = ["good", "ok", "suspicious", "wrong"]

st.title("Backprop")
st.caption("Walk the chain rule backwards from the loss to the first layer, then take one "
           "gradient-descent step. Every gradient is checked against a finite-difference "
           "estimate; switch on a classic bug to see what it breaks, or paste your own numbers "
           "to find where they first differ.")

x, y, granularity, where = pick_sample(exp, PREFIX)
run = steps_for(exp, x, y, granularity)
steps = run.phase("loss", "backward", "update")
reset_when_changed(PREFIX, (exp.version, tuple(x), tuple(y), granularity, fingerprint(exp)))


def downloads(df: pd.DataFrame, name: str, key: str):
    # Written when clicked (callables), from the table as drawn: not on every rerun.
    row = st.container(horizontal=True)  # each button as wide as its label
    row.download_button("CSV", lambda: df.to_csv(index=False), f"{name}.csv", "text/csv",
                        key=f"{key}.csv", icon=":material/download:", on_click="ignore")
    row.download_button("JSON", lambda: df.to_json(orient="records", indent=1),
                        f"{name}.json", "application/json", key=f"{key}.json",
                        icon=":material/download:", on_click="ignore")


# Pure computations, cached for every session alike (a class on one link asks the same),
# keyed on the experiment (its network's exact parameters) and what else they depend on.
@st.cache_data(max_entries=64, show_spinner=False)
def cached_check(key, X, y, bug_name=None, _exp=None):
    if bug_name is None:
        return gradient_check(_exp.net, X, y, _exp.loss)
    return BUGS.get(bug_name, CORRECT).check(_exp.net, X, y, _exp.loss, lr=_exp.config.lr)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_loss_curve(key, X, y, steps, bug_name=None, _exp=None):
    return loss_curve(_exp.net, X, y, _exp.loss, _exp.config.lr, steps, BUGS.get(bug_name))


exp_key = exp.key()


def check_table(result) -> pd.DataFrame:
    rows = [{"layer": f"W({r['layer'] + 1})" if r["param"] == "W" else f"b({r['layer'] + 1})",
             "index": ",".join(str(i + 1) for i in r["index"]), "analytic": r["analytic"],
             "numeric": r["numeric"], "relative error": r["rel_error"], "verdict": r["verdict"]}
            for r in result.rows]
    return pd.DataFrame(rows)


def show_check(df: pd.DataFrame, key: str):
    # 6 digits and a short header: the table fits a 1024 px screen (the downloads keep all).
    styled = df.style.map(lambda v: f"background-color: {VERDICT_COLOURS.get(v, '')}",
                          subset=["verdict"]).format(
        {"analytic": "{:.6g}", "numeric": "{:.6g}", "relative error": "{:.1e}"})
    st.dataframe(styled, hide_index=True, height=min(36 * (len(df) + 1), 360), key=key,
                 column_config={"relative error": st.column_config.Column("rel. error")})


def graph_caption(step):
    if step.phase == "backward":
        return ("Nodes: delta = dL/dz once computed. Edges: the gradient dL/dw once known "
                "(blue +, orange −, thicker = larger); grey = not yet known.")
    if step.phase == "update":
        return "Edges: the weights, updated ones already moved by −η·dL/dw."
    return "Edges: the weights. Backprop starts from the loss at the output."


@st.fragment
def stepper():
    step = step_view(exp, PREFIX, run, steps, lambda s: f"{s.phase} · {s.title}",
                     f"{where} · {exp.loss} loss · learning rate {exp.config.lr:g}",
                     graph_caption)
    if step.kind == "loss_after":
        c1, c2 = st.columns(2)
        c1.metric("Loss before", format(step.values["loss_before"], ".6g"))
        c2.metric("Loss after one step", format(step.values["loss_after"], ".6g"),
                  delta=format(step.values["loss_after"] - step.values["loss_before"], ".3g"),
                  delta_color="inverse")


def steps_tab():
    """The chain rule step by step (the stepper), and all steps as text."""
    stepper()
    with st.expander("All steps as text (copy into a notebook to compare)"):
        st.code(run.to_text(("loss", "backward", "update")), language=None)


def check_tab():
    """Every gradient against its finite-difference estimate."""
    whole = st.toggle("Check on the whole training set (otherwise on this sample)",
                      key=f"{PREFIX}.check_all")
    Xc, yc = (exp.X_train, exp.y_train) if whole else (run.X, run.y)
    result = cached_check(exp_key, Xc, yc, _exp=exp)
    st.markdown(f"**Verdict: {result.verdict}** · largest relative error "
                f"{result.max_rel_error:.2e} over {len(result.rows)} parameters. Relative "
                "error |a − n| / max(|a|, |n|): below 1e-7 good, 1e-4 ok (kinks such as ReLU's), "
                "1e-2 suspicious, above: wrong.")
    df = check_table(result)
    show_check(df, f"{PREFIX}.check_table")
    downloads(df, "gradient_check", f"{PREFIX}.check_dl")


def update_tab():
    """One plain gradient-descent step, parameter by parameter."""
    st.markdown(f"One plain gradient-descent step on {where} with the experiment's learning "
                f"rate η = {exp.config.lr:g}: w ← w − η·dL/dw.")
    c1, c2, c3 = st.columns(3)
    before, after = run.grads.loss, run.loss_after
    c1.metric("Loss before", format(before, ".6g"))
    c2.metric("Loss after", format(after, ".6g"), delta=format(after - before, ".3g"),
              delta_color="inverse")
    c3.metric("Learning rate", format(exp.config.lr, "g"))
    rows = []
    for l in range(run.net.n_layers):
        for name, p0, g, p1 in (("W", run.net.weights[l], run.grads.weights[l],
                                 run.net_after.weights[l]),
                                ("b", run.net.biases[l], run.grads.biases[l],
                                 run.net_after.biases[l])):
            if name == "b" and not run.net.use_bias:
                continue
            for idx in np.ndindex(p0.shape):
                rows.append({"parameter": f"{name}({l + 1})", "index": ",".join(
                    str(i + 1) for i in idx), "before": p0[idx], "gradient": g[idx],
                    "after": p1[idx], "change": p1[idx] - p0[idx]})
    df = pd.DataFrame(rows)
    st.dataframe(df.style.format("{:.6g}", subset=["before", "gradient", "after", "change"]),
                 hide_index=True, height=min(36 * (len(df) + 1), 360), key=f"{PREFIX}.update")
    downloads(df, "one_update", f"{PREFIX}.update_dl")


def bugs_tab():
    """A classic mistake switched on: its gradient check and its loss curve."""
    choice = st.selectbox("Switch on a mistake", ["none", *BUGS], key=f"{PREFIX}.bug",
                          format_func=lambda n: "No bug (correct)" if n == "none"
                          else BUGS[n].title)
    bug = CORRECT if choice == "none" else BUGS[choice]
    if choice != "none":
        st.markdown(f"**The mistake.** {bug.mistake}  \n**How to spot it.** {bug.spot}")
        st.code(bug.code, language="python")
    Xb, yb = exp.X_train[:CURVE_ROWS], exp.y_train[:CURVE_ROWS]
    c1 = c2 = st.container()  # one above the other: the table and the curve need the width
    with c1:
        st.markdown("##### Gradient check of this bug's gradients (this sample)")
        bug_result = cached_check(exp_key, run.X, run.y, bug.name, _exp=exp)
        bdf = check_table(bug_result)
        summary = bdf.groupby("layer", sort=False).agg(
            verdict=("verdict", lambda v: max(v, key=VERDICT_ORDER.index)),
            largest=("relative error", "max")).reset_index()
        st.markdown(f"Overall: **{bug_result.verdict}** (largest relative error "
                    f"{bug_result.max_rel_error:.2e})")
        st.dataframe(summary.style.map(lambda v: f"background-color: {VERDICT_COLOURS.get(v, '')}",
                                       subset=["verdict"]).format({"largest": "{:.2e}"}),
                     hide_index=True, key=f"{PREFIX}.bugsum")
        downloads(bdf, f"gradient_check_{bug.name}", f"{PREFIX}.bug_dl")
    with c2:
        st.markdown(f"##### Loss over {CURVE_STEPS} full-batch steps (η = {exp.config.lr:g})")
        correct = cached_loss_curve(exp_key, Xb, yb, CURVE_STEPS, _exp=exp)
        curves = {"correct": correct}
        if choice != "none":
            curves[bug.title] = cached_loss_curve(exp_key, Xb, yb, CURVE_STEPS, bug.name,
                                                  _exp=exp)
            if np.isnan(curves[bug.title][-1]):
                st.warning("With this bug the run diverged (the loss became infinite): the "
                           "line stops there.", icon=":material/warning:")
        st.plotly_chart(loss_curves_figure(curves), key=f"{PREFIX}.bugcurve",
                        config={"displayModeBar": False})


def yours_tab():
    """The user's own values against the true ones: the first that differs."""
    st.markdown("Enter the weights of a small network, one input and its target, and the values "
                "**your own code** produced. The playground computes the true values and shows "
                "the first one that differs: that is where your code first goes wrong. Leave a "
                "cell empty for a value you did not compute.")
    numpy_script_button(
        exp, key=f"{PREFIX}.download_script", trained=True, epochs=exp.config.epochs,
        help="This experiment's network with its current weights, its data and training as "
             "one plain NumPy program (the tutorial's, corrected), to run beside your own.")
    st.caption("The script: this experiment's network with its current weights, its data and "
               "its training, as one plain NumPy program to run beside your own.")
    options = [*CHECK_PRESETS, "session"]
    labels = {**{k: v[0] for k, v in CHECK_PRESETS.items()},
              "session": f"This experiment's network on {where}"}
    name = st.selectbox("Start from", options, format_func=labels.get, key=f"{PREFIX}.chk_preset")
    if ss.get("chk.source") != name or "chk.problem" not in ss:
        if name == "session":
            ss["chk.problem"] = CheckInput(run.net.copy(), run.X, run.y, exp.loss,
                                           float(exp.config.lr), {})
        else:
            ss["chk.problem"] = preset(name)
        ss["chk.source"] = name
        ss["chk.version"] = ss.get("chk.version", 0) + 1
    def use_json(text, source):
        if not text or not str(text).strip():
            return
        try:
            ss["chk.problem"] = parse_check_json(text)
            ss["chk.version"] = ss.get("chk.version", 0) + 1
            ss["chk.message"] = ("success", f"Loaded {source}.")
        except ValueError as err:
            ss["chk.message"] = ("error", f"Could not use {source}: {err}. Nothing was changed.")

    up_col, paste_col = st.columns(2)
    upload = up_col.file_uploader("…or upload a whole problem as JSON (network, input, target, "
                                  "your values)", type=["json"], key=f"{PREFIX}.chk_upload")
    if upload is not None and ss.get("chk.uploaded") != upload.file_id:
        ss["chk.uploaded"] = upload.file_id
        use_json(upload.getvalue(), "your file")
    with paste_col:
        st.text_area("…or paste it", key=f"{PREFIX}.chk_paste", height=90,
                              placeholder='{"network": {...}, "input": [...], ...}')
        # A callback, so the click survives any rerun the script itself asks for.
        st.button("Use the pasted JSON", key=f"{PREFIX}.chk_paste_use", on_click=lambda: use_json(
            ss.get(f"{PREFIX}.chk_paste", ""), "the pasted JSON"))
    kind, message = ss.pop("chk.message", (None, None))
    if kind == "error":
        st.error(message, icon=":material/error:")
    elif kind == "success":
        st.success(message, icon=":material/check:")
    problem = ss["chk.problem"]
    truth = true_values(problem.net, problem.X, problem.y, problem.loss, problem.lr)
    blank = to_dict(problem, with_truth=True)
    for k in blank["yours"]:
        blank["yours"][k] = np.full(np.shape(truth[k]), None).tolist()
    st.download_button("Download a template (JSON, your values null)", json.dumps(blank, indent=1),
                       "check_template.json", "application/json", key=f"{PREFIX}.chk_template",
                       icon=":material/download:")
    net = problem.net
    st.caption(f"Network {'-'.join(map(str, net.layer_sizes))} ({', '.join(net.activations)}), "
               f"{'with' if net.use_bias else 'no'} biases · loss {problem.loss} · learning rate "
               f"{problem.lr:g} · input {np.round(problem.X, 6).tolist()} · target "
               f"{np.round(problem.y, 6).tolist()}")
    with st.expander("Its weights and biases"):
        st.code(json.dumps(blank["network"], indent=1), language="json")
    csv_name = st.selectbox("Fill one value from a CSV matrix (one row per line)",
                            list(truth), key=f"{PREFIX}.chk_csv_name")
    csv = st.file_uploader("CSV", type=["csv", "txt"], key=f"{PREFIX}.chk_csv",
                           label_visibility="collapsed")
    yours = {k: np.array(v, dtype=float) for k, v in problem.yours.items() if k != "output"}
    if "output" in problem.yours:
        yours[f"a{net.n_layers}"] = np.array(problem.yours["output"], dtype=float)
    if csv is not None and ss.get("chk.csv_used") != (csv.file_id, csv_name):
        try:
            m = parse_matrix_csv(csv.getvalue())
            if m.size != truth[csv_name].size:
                raise ValueError(f"{csv_name} needs {truth[csv_name].size} numbers; the CSV has "
                                 f"{m.size}")
            yours[csv_name] = m.reshape(truth[csv_name].shape)
            problem.yours = {k: v.tolist() for k, v in yours.items()}
            ss["chk.version"] = ss.get("chk.version", 0) + 1
        except ValueError as err:
            st.error(f"Could not use that CSV: {err}. Nothing was changed.",
                     icon=":material/error:")
        ss["chk.csv_used"] = (csv.file_id, csv_name)
    table = pd.DataFrame([{"value": n + (f"[{', '.join(map(str, i))}]" if i else ""),
                           "yours": (float(yours[n][i]) if n in yours and np.isfinite(
                               yours[n].reshape(t.shape)[i]) else None)}
                          for n, t in truth.items() for i in np.ndindex(t.shape)])
    edited = st.data_editor(table, hide_index=True, disabled=["value"],
                            key=f"{PREFIX}.chk_editor.{ss['chk.version']}", height=320,
                            column_config={"yours": st.column_config.NumberColumn(
                                "your value", format="%.10g")})
    given, pos = {}, 0
    for n, t in truth.items():
        cells = edited["yours"].iloc[pos:pos + t.size].to_numpy(dtype=float)
        pos += t.size
        if np.any(np.isfinite(cells)):
            given[n] = cells.reshape(t.shape)
    problem.yours = {k: v.tolist() for k, v in given.items()}
    ss.setdefault(f"{PREFIX}.chk_tol", 1e-6)  # set here, not as value=: the key is kept
    tol = st.select_slider("Tolerance (relative and absolute)", [1e-9, 1e-6, 1e-4, 1e-3, 1e-2],
                           key=f"{PREFIX}.chk_tol")
    result = compare(problem, rtol=tol, atol=tol)
    bad = result.first_mismatch
    if not result.rows:
        st.info("Type your values in the table (or upload them) to compare.",
                icon=":material/edit:")
    elif bad is None:
        st.success(result.summary(), icon=":material/check_circle:")
    else:
        st.error(result.summary(), icon=":material/error:")
        c1, c2, c3 = st.columns(3)
        c1.metric(f"Yours: {bad['label']}", format(bad["yours"], ".10g"))
        c2.metric("True value", format(bad["true"], ".10g"))
        c3.metric("Off by", format(bad["abs_diff"], ".3g"))
    if result.rows:
        cmp_df = pd.DataFrame([{k: r[k] for k in ("label", "yours", "true", "abs_diff",
                                                  "match")} for r in result.rows])
        st.dataframe(cmp_df.style.map(
            lambda v: f"background-color: {MATCH_COLOURS[bool(v)]}", subset=["match"]),
            hide_index=True, key=f"{PREFIX}.chk_table", height=min(36 * (len(cmp_df) + 1), 360))
        downloads(cmp_df, "check_your_numbers", f"{PREFIX}.chk_dl")


TABS = {"Step through": steps_tab, "Gradient check": check_tab, "One update": update_tab,
        "Bug zoo": bugs_tab, "Check your own numbers": yours_tab}
# The tabs' own settings. Only the open tab is drawn, and Streamlit forgets the state of a
# widget a run did not draw: written back on every run, they survive a switch of tabs.
KEPT = [f"{PREFIX}.{k}" for k in ("check_all", "bug", "chk_preset", "chk_paste",
                                   "chk_csv_name", "chk_tol")]


@st.fragment
def tabs():
    """Only the open tab is computed and drawn (a tab switch reruns this fragment alone): the
    page opens on the step-through, without the four other tabs' tables and checks."""
    for k in KEPT:
        if k in ss:
            ss[k] = ss[k]
    for tab, draw in zip(st.tabs(list(TABS), key=f"{PREFIX}.tab", on_change="rerun"),
                         TABS.values()):
        if tab.open:
            with tab:
                draw()


tabs()
