"""The lesson panel: "Step k of N", Back / Next, the step's text, code, numbers and question.

app.py calls `start(pages)` before the sidebar (it opens ?lesson=NAME&step=K on a session's
first run and moves to the page a step points to) and `panel()` above every page while a
lesson is open. Answers stay in the session; the URL follows the step.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from nn_core.experiment import Experiment
from nn_core.lesson_answers import (
    answer_key,
    choices_for,
    is_right,
    reveal_sentence,
    summary_sentence,
)
from nn_core.lesson_values import show_value
from nn_core.lessons import LessonError, load_lessons, parse_lesson
from ui import links
from ui.session import add_notices, config_to_widgets
from ui.session import session_experiment as _session_experiment

LESSON_DIR = Path(__file__).resolve().parents[1] / "lessons"
NAME, STEP, ANSWERS = "lesson.name", "lesson.step", "lesson.answers"
PREVIEW = "lesson.preview"  # a Lesson uploaded on the Lessons page, for its author to try
MESSAGE = "lesson.message"  # shown on the Lessons page: why a link did not open
GOTO = "lesson.goto"
PREVIEW_NAME = "preview"


@st.cache_data(show_spinner=False)
def shipped_lessons():
    """Return ({name: Lesson}, {name: LessonError}) of lessons/ (read once per process)."""
    return load_lessons(LESSON_DIR)


def get_lesson(name):
    if name == PREVIEW_NAME:
        return st.session_state.get(PREVIEW)
    return shipped_lessons()[0].get(name)


def current():
    """Return (lesson, step index) of the open lesson, or (None, None)."""
    ss = st.session_state
    lesson = get_lesson(ss.get(NAME)) if ss.get(NAME) else None
    return (lesson, ss.get(STEP, 0)) if lesson else (None, None)


# ---------------------------------------------------------------- opening and moving
def start(pages, page):
    """Once per session, open the lesson the URL names; then go to the page the step wants."""
    ss = st.session_state
    if "lesson.started" not in ss:
        ss["lesson.started"] = True
        params = st.query_params.to_dict()
        add_notices(links.init_from_url(params))
        if "lesson" in params:
            open_from_url(params.get("lesson", ""), params.get("step"))
    goto = ss.pop(GOTO, None)
    if goto:
        by_name = {p.url_path: p for p in pages}
        by_name["home"] = by_name["playground"] = next(p for p in pages if not p.url_path)
        target = by_name.get(goto)
        if target is not None and target.url_path != page.url_path:
            st.switch_page(target)


def open_from_url(name: str, step_text):
    """Open lesson `name` at step `step_text` (1-based text), or explain why not."""
    lessons, errors = shipped_lessons()
    name = str(name)[:60]
    if name in errors:
        _refuse(f"The lesson {name!r} could not be read: {errors[name]}. Choose another below.")
        return
    if name not in lessons:
        _refuse(f"There is no lesson called {name!r}. These are the lessons:")
        return
    n = len(lessons[name].steps)
    k = 1
    if step_text is not None:
        try:
            k = int(str(step_text).strip())
        except ValueError:
            k = 0
        if not 1 <= k <= n:
            _refuse(f"The lesson {name!r} has steps 1 to {n}; there is no step "
                    f"{str(step_text)[:20]!r}. Start it below, or open step 1.")
            return
    open_lesson(name, k - 1)


def _refuse(message: str):
    ss = st.session_state
    ss[MESSAGE] = message
    ss[GOTO] = "lessons"


def open_lesson(name: str, k: int = 0):
    """Open lesson `name` at step index k (its hide/lock names join the link's)."""
    lesson = get_lesson(name)
    ss = st.session_state
    ss[NAME] = name
    ss.setdefault(ANSWERS, {}).setdefault(name, {})
    links.add(lesson.hide, lesson.lock)
    enter_step(k)


def close_lesson():
    ss = st.session_state
    ss.pop(NAME, None)
    ss.pop(STEP, None)
    ss.pop(links.LESSON_URL_KEY, None)


def enter_step(k: int):
    """Go to step k: set up its experiment (initial weights), its page and its view."""
    lesson, _ = current()
    ss = st.session_state
    k = int(min(max(k, 0), len(lesson.steps)))
    ss[STEP] = k
    if lesson.name != PREVIEW_NAME:
        ss[links.LESSON_URL_KEY] = {"lesson": lesson.name, "step": str(min(k + 1,
                                                                          len(lesson.steps)))}
    if k == len(lesson.steps):  # the summary
        return
    step = lesson.steps[k]
    exp = _session_experiment()
    exp.uploaded_params = None
    add_notices(exp.apply(step.config))
    exp.reset_network()
    config_to_widgets(exp.config)
    ss["ff.sample"] = ss["bp.sample"] = step.sample
    ss["bp.bug"] = step.bug or "none"
    ss["train.epochs"] = exp.config.epochs  # the Training page trains as long as the step
    ss[GOTO] = step.page


# ---------------------------------------------------------------- engine results, cached
@st.cache_data(max_entries=256, show_spinner=False)
def cached_answer(config, question, bug):
    exp = step_experiment_for(config)
    return answer_key(question, exp, bug)


@st.cache_data(max_entries=256, show_spinner=False)
def cached_show(config, name, bug):
    return show_value(name, step_experiment_for(config), bug)


@st.cache_data(max_entries=256, show_spinner=False)
def cached_choices(config, question):
    return choices_for(question, step_experiment_for(config))


def _choice_label(choice) -> str:
    return f"lr {choice:g}" if isinstance(choice, float) else str(choice)


def step_experiment_for(config):
    exp = Experiment()
    exp.apply(config)
    exp.reset_network()
    return exp


# ---------------------------------------------------------------- drawing
def panel():
    """Draw the open lesson's panel (nothing when no lesson is open)."""
    lesson, k = current()
    if lesson is None:
        return
    ss = st.session_state
    n = len(lesson.steps)
    with st.container(border=True, key="lesson_panel"):
        # One wrapping row: on a narrow screen the buttons move under the title, never cut.
        with st.container(horizontal=True, vertical_alignment="center", key="lesson_head"):
            where = "Summary" if k == n else f"Step {k + 1} of {n}"
            st.markdown(f":material/school: **Lesson · {where}** · :gray[{lesson.title}]",
                        width="stretch")
            buttons = st.container(horizontal=True, width="content")
            buttons.button("Back", key="lesson.back", icon=":material/chevron_left:",
                           disabled=k == 0, on_click=enter_step, args=(k - 1,))
            buttons.button("Finish" if k == n - 1 else "Next", key="lesson.next",
                           type="primary", icon=":material/chevron_right:", disabled=k == n,
                           on_click=enter_step, args=(k + 1,))
            buttons.button("Close", key="lesson.close", icon=":material/close:",
                           on_click=close_lesson,
                           help="Leave the lesson (your answers are kept).")
        if k == n:
            _summary(lesson)
        else:
            _step(lesson, k, ss.setdefault(ANSWERS, {}).setdefault(lesson.name, {}))


def _step(lesson, k, answers):
    step = lesson.steps[k]
    # Folded away, the panel leaves the page below in view; each step opens unfolded.
    body = st.expander(f"**{step.title}**", expanded=True, key=f"lesson_body_{lesson.name}_{k}")
    with body:
        _step_body(lesson, k, step, answers)


def _step_body(lesson, k, step, answers):
    numbers = step.code or step.show
    left, right = st.columns([1.4, 1]) if numbers else (st.container(), None)
    with left:
        st.markdown(step.text)
    if right is not None:
        with right:
            if step.code:
                st.code(step.code, language="python", wrap_lines=True)
            for name in step.show:
                _table(*cached_show(step.config, name, step.bug))
    if step.question is not None:
        _question(lesson, k, step, answers)


def _table(caption, matrix, cols, rows):
    df = pd.DataFrame(np.asarray(matrix, float), columns=cols, index=rows)
    st.caption(caption)
    st.dataframe(df.style.format(_fmt), width="stretch")


def _fmt(v) -> str:
    if not np.isfinite(v):
        return "diverged"
    return f"{v:.0f}" if v == int(v) and abs(v) < 1e6 else f"{v:.6g}"


def _question(lesson, k, step, answers):
    q = step.question
    record = answers.get(k)
    key = f"lesson.{lesson.name}.{k}"
    with st.container(border=True, key=f"lesson_question_{k}"):
        st.markdown(f"**Predict:** {q.prompt}")
        done = record is not None and bool(record["right"] or record.get("last_right")
                                           or record.get("revealed"))
        c0, c1, c2 = st.columns([2, 1, 1], vertical_alignment="center")
        with c0:
            if q.numeric:
                st.number_input("Your answer", value=None, format="%.6g", step=None,
                                key=key + ".in", placeholder="type a number",
                                label_visibility="collapsed")
            else:
                st.radio("Your answer", cached_choices(step.config, q), index=None,
                         key=key + ".in", horizontal=True, format_func=_choice_label,
                         label_visibility="collapsed")
        c1.button("Check", key=key + ".check", on_click=_check, args=(lesson, k),
                  width="stretch", disabled=done, type="primary" if not done else "secondary")
        if record is not None and not done:
            c2.button("Show the answer", key=key + ".reveal", on_click=_reveal,
                      args=(lesson, k), width="stretch")
        if record is None:
            if st.session_state.pop("lesson.nudge", None) == k:
                st.caption("Type a number or pick a choice first, then press Check.")
            return
        answer = cached_answer(step.config, q, step.bug)
        if record.get("last_right") or done:
            text = reveal_sentence(q, answer, record.get("last_given"))
            box = st.success if record.get("last_right") else st.info
            box(f"{text}\n\n{q.explanation}", icon=":material/lightbulb:")
        else:
            st.warning(f"Not yet. **Hint:** {q.hint}", icon=":material/tips_and_updates:")


def _check(lesson, k):
    ss = st.session_state
    step = lesson.steps[k]
    given = ss.get(f"lesson.{lesson.name}.{k}.in")
    if given is None:
        ss["lesson.nudge"] = k
        return
    answer = cached_answer(step.config, step.question, step.bug)
    right = is_right(step.question, answer, given)
    answers = ss.setdefault(ANSWERS, {}).setdefault(lesson.name, {})
    record = answers.get(k)
    if record is None:  # the first answer is the prediction the summary counts
        record = answers[k] = {"given": given, "right": right}
    record["last_given"], record["last_right"] = given, right


def _reveal(lesson, k):
    record = st.session_state[ANSWERS][lesson.name][k]
    record["revealed"] = True


def _summary(lesson):
    answers = st.session_state.get(ANSWERS, {}).get(lesson.name, {})
    asked = [(k, s) for k, s in enumerate(lesson.steps) if s.question is not None]
    n_right = sum(1 for k, _ in asked if answers.get(k, {}).get("right"))
    n_answered = sum(1 for k, _ in asked if k in answers)
    st.markdown(f"##### {summary_sentence(n_right, n_answered, len(asked))}")
    rows = []
    for k, s in asked:
        record = answers.get(k)
        answer = cached_answer(s.config, s.question, s.bug) if record else None
        rows.append({
            "step": k + 1, "question": s.question.prompt,
            "your first answer": "—" if record is None else _show_given(record["given"]),
            "engine": "—" if answer is None else _show_answer(s.question, answer),
            "right": None if record is None else bool(record["right"]),
        })
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     height=36 * (len(rows) + 1) + 3)
    c1, c2, _ = st.columns([1, 1, 3])
    c1.button("Start again", key="lesson.restart", on_click=enter_step, args=(0,),
              width="stretch")
    c2.button("All lessons", key="lesson.list", on_click=_to_list, width="stretch")


def _to_list():
    close_lesson()
    st.session_state[GOTO] = "lessons"


def _show_given(value) -> str:
    return f"{value:.6g}" if isinstance(value, (int, float)) else str(value)


def _show_answer(question, answer) -> str:
    if question.numeric:
        return f"{float(answer.value):.6g}"
    return " or ".join(_choice_label(c) for c in answer.correct)


def preview_upload(data: bytes) -> list:
    """Validate an uploaded lesson file; keep it as the preview lesson; return problems."""
    try:
        lesson = parse_lesson(data, PREVIEW_NAME)
    except LessonError as err:
        return err.problems
    st.session_state[PREVIEW] = lesson
    return []

