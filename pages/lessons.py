"""Lessons: the guided lessons, a teacher's link builder, and a preview of a lesson file."""

from __future__ import annotations

import streamlit as st

from nn_core.lessons import CONTROL_FIELDS, HIDE_GROUPS, MAX_BYTES
from ui import lesson as lessons_ui
from ui.experiment import get_experiment

get_experiment()
ss = st.session_state

st.title("Lessons")
message = ss.pop(lessons_ui.MESSAGE, None)
if message:
    st.error(message, icon=":material/error:")
st.caption("Each lesson walks you through a few experiments, step by step: it sets up the "
           "network, opens the page to look at, and asks you to predict a number before the "
           "engine reveals it. Your answers stay in this browser session.")

lessons, errors = lessons_ui.shipped_lessons()
for name, item in lessons.items():
    with st.container(border=True, key=f"lesson_card_{name}"):
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(f"**{item.title}**  \n{item.summary}  \n"
                      f":gray[{len(item.steps)} steps · {item.n_questions} questions · "
                      f"link: `?lesson={name}`]")
        right.button("Start", key=f"lesson.start.{name}", type="primary", width="stretch",
                     icon=":material/play_arrow:", on_click=lessons_ui.open_lesson, args=(name,))
for name, err in errors.items():
    st.error(f"The lesson file {name}.toml has problems: {err}", icon=":material/error:")

st.subheader("A link for your class")
st.caption("Open a lesson at a chosen step and hide or fix the controls it does not need. "
           "Names are the experiment's settings (as in lessons/README.md).")
if lessons:
    c1, c2 = st.columns([2, 1])
    chosen = c1.selectbox("Lesson", list(lessons), format_func=lambda n: lessons[n].title,
                          key="lessons.link_lesson")
    n_steps = len(lessons[chosen].steps)
    step = c2.number_input(f"Step (1 to {n_steps})", 1, n_steps, 1, key="lessons.link_step")
    hide = st.multiselect("Hide", CONTROL_FIELDS + HIDE_GROUPS, key="lessons.link_hide")
    lock = st.multiselect("Lock", CONTROL_FIELDS, key="lessons.link_lock",
                          help="A locked setting is shown greyed out and cannot be changed.")
    link = f"?lesson={chosen}" + (f"&step={int(step)}" if step > 1 else "")
    link += (f"&hide={','.join(hide)}" if hide else "") + (f"&lock={','.join(lock)}" if lock
                                                          else "")
    st.code(link, language=None)
    st.caption("Add it to this app's address, e.g. http://your-server:8501/" + link)

st.subheader("Preview a lesson you are writing")
st.caption(f"Upload a lesson file (TOML, at most {MAX_BYTES // 1000} kB; the format is in "
           "lessons/README.md). It is checked (its size, every field, every experiment "
           "clamped like a link) and nothing in it is run.")


def _uploaded():
    upload = ss.get("lessons.upload")
    if upload is None:
        return
    problems = lessons_ui.preview_upload(upload.getvalue())
    ss["lessons.upload_result"] = (upload.name, problems)


st.file_uploader("Lesson file", type=["toml"], key="lessons.upload", on_change=_uploaded)
result = ss.get("lessons.upload_result")
if result:
    filename, problems = result
    if problems:
        st.error(f"{filename} cannot be used as a lesson:\n\n"
                 + "\n".join(f"- {p}" for p in problems[:20]), icon=":material/error:")
    else:
        preview = ss[lessons_ui.PREVIEW]
        st.success(f"{filename} is a valid lesson: **{preview.title}**, {len(preview.steps)} "
                   f"steps, {preview.n_questions} questions.", icon=":material/check_circle:")
        st.button("Try it", key="lessons.preview_start", on_click=lessons_ui.open_lesson,
                  args=(lessons_ui.PREVIEW_NAME,), icon=":material/play_arrow:")
