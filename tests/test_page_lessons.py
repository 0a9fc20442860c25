"""The lesson panel and the Lessons page through AppTest: links, steps, answers, summary."""

from __future__ import annotations

import numpy as np
import pytest

from nn_core.config import ExperimentConfig
from nn_core.lesson_answers import answer_key
from nn_core.lessons import load_lessons, step_experiment
from nn_core.stepthrough import step_through
from tests.app_helpers import experiment, open_app, open_tab
from tests.test_lessons import LESSON_DIR

LESSONS, _ = load_lessons(LESSON_DIR)


def texts(at):
    return [m.value for m in at.markdown]


def param(at, name):
    value = at.query_params.get(name)
    return value[-1] if isinstance(value, list) else value


def header(at):
    """Return the lesson panel's first line without its icon, e.g. '**Lesson · Step 2 of 7**...'"""
    line = next(t for t in texts(at) if t.startswith(":material/school: **Lesson"))
    return line.removeprefix(":material/school: ")


def key_of(step):
    return answer_key(step.question, step_experiment(step), step.bug)


def answer(at, name, k, value):
    widget_key = f"lesson.{name}.{k}.in"
    if LESSONS[name].steps[k].question.numeric:
        at.number_input(key=widget_key).set_value(value).run()
    else:
        at.radio(key=widget_key).set_value(value).run()
    at.button(key=f"lesson.{name}.{k}.check").click().run()


def wrong_value(step, key):
    if step.question.numeric:
        return float(key.value) + 10 * step.question.tolerance + 1.0
    return next(c for c in key.choices if c not in key.correct)


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_walk_every_lesson_to_the_summary_one_answer_wrong(name):
    lesson = LESSONS[name]
    n = len(lesson.steps)
    at = open_app({"lesson": name}, timeout=120)
    wrong_done = False
    for k, step in enumerate(lesson.steps):
        assert not at.exception
        assert header(at).startswith(f"**Lesson · Step {k + 1} of {n}**")
        assert param(at, "lesson") == name and param(at, "step") == str(k + 1)
        assert f"**{step.title}**" in [e.label for e in at.expander]
        assert experiment(at).config == step.config
        if step.question is not None:
            key = key_of(step)
            if not wrong_done:
                answer(at, name, k, wrong_value(step, key))
                assert [w.value for w in at.warning] == [f"Not yet. **Hint:** {step.question.hint}"]
                wrong_done = True
            value = key.value if step.question.numeric else key.correct[0]
            answer(at, name, k, value)
            assert any(s.value.startswith("The engine's value:") or s.value.startswith("Right:")
                       for s in at.success)
        at.button(key="lesson.next").click().run()
    assert header(at).startswith("**Lesson · Summary**")
    q = lesson.n_questions
    assert f"##### {q - 1} of {q} predictions within tolerance." in texts(at)
    table = at.dataframe[0].value
    assert list(table["right"]) == [False] + [True] * (q - 1)


def test_a_link_opens_a_step_and_the_page_it_points_to():
    at = open_app({"lesson": "tutorial", "step": "3"})
    assert header(at).startswith("**Lesson · Step 3 of ")
    step = LESSONS["tutorial"].steps[2]
    assert step.page == "feedforward" and at.session_state["ff.sample"] == 2
    assert any(t.value == "Feedforward" for t in at.title)
    # The Feedforward page steps through sample 2 of the session's network: its h1 is the key.
    assert at.number_input(key="ff.sample").value == 2
    exp = experiment(at)
    run = step_through(exp.net, exp.X_train[1], exp.y_train[1], loss=exp.loss, lr=exp.config.lr)
    assert np.array_equal(run.X[0], [0, 1, 1])
    assert run.trace.activations[1][0, 0] == pytest.approx(key_of(step).value, abs=1e-12)


def test_backprop_page_shows_the_lessons_gradients():
    for name, title in (("tutorial", "The chain rule"), ("worked_example", "Backwards")):
        k = next(i for i, s in enumerate(LESSONS[name].steps) if s.title.startswith(title))
        step = LESSONS[name].steps[k]
        at = open_app({"lesson": name, "step": str(k + 1)})
        assert any(t.value == "Backprop" for t in at.title)
        open_tab(at, "bp.tab", "Gradient check")
        at.toggle(key="bp.check_all").set_value(True).run()
        table = next(d.value for d in at.dataframe if "analytic" in getattr(d.value, "columns",
                                                                            []))
        q = step.question
        row = table[(table["layer"] == f"W({q.param('layer')})")
                    & (table["index"] == f"{q.param('row')},{q.param('col')}")]
        sign = -1 if q.kind == "d_weights" else 1
        assert sign * float(row["analytic"].iloc[0]) == pytest.approx(key_of(step).value,
                                                                      abs=1e-9)


def test_training_page_trains_to_the_lessons_number():
    name = "tutorial"
    k = next(i for i, s in enumerate(LESSONS[name].steps) if s.title.startswith("Train for"))
    step = LESSONS[name].steps[k]
    at = open_app({"lesson": name, "step": str(k + 1)}, timeout=120)
    assert any(t.value == "Training" for t in at.title)
    assert at.session_state["train.epochs"] == 1000
    at.button(key="train.train").click().run()
    exp = experiment(at)
    output = exp.net.forward(exp.X_train).output[3, 0]
    assert output == pytest.approx(key_of(step).value, abs=1e-12)


@pytest.mark.parametrize("params, message", [
    ({"lesson": "nope"}, "There is no lesson called 'nope'."),
    ({"lesson": "tutorial", "step": "99"}, "there is no step '99'"),
    ({"lesson": "tutorial", "step": "0"}, "there is no step '0'"),
    ({"lesson": "tutorial", "step": "two"}, "there is no step 'two'"),
])
def test_bad_lesson_links_get_a_message_and_the_lesson_list(params, message):
    at = open_app(params)
    assert not at.exception
    assert any(message in e.value for e in at.error)
    assert any(t.value == "Lessons" for t in at.title)
    listed = " ".join(texts(at))
    for lesson in LESSONS.values():
        assert lesson.title in listed
    assert "lesson" not in at.query_params  # no lesson is open
    assert experiment(at).config == ExperimentConfig()


def test_lessons_page_lists_and_starts_lessons():
    at = open_app(page="pages/lessons.py")
    cards = " ".join(texts(at))
    for name, lesson in LESSONS.items():
        assert f"{len(lesson.steps)} steps · {lesson.n_questions} questions" in cards
        assert f"`?lesson={name}`" in cards
    at.button(key="lesson.start.worked_example").click().run()
    assert header(at).startswith(f"**Lesson · Step 1 of {len(LESSONS['worked_example'].steps)}**")
    assert experiment(at).config.fixed_weights == "worked_example"


def test_hide_and_lock_from_a_teachers_link():
    at = open_app({"lesson": "learning_rate", "hide": "lr,files", "lock": "optimizer,bogus"})
    assert param(at, "hide") == "lr,files" and param(at, "lock") == "optimizer"
    css = " ".join(h.proto.body for h in at.get("html"))
    assert '[class~="st-key-cfg-lr"]' in css and '[class~="st-key-sidebar_files"]' in css
    assert "display: none" in css and "pointer-events: none" in css
    assert any("bogus" in w.value for w in at.warning)
    at.selectbox(key="cfg.optimizer").set_value("adam").run()
    assert experiment(at).config.optimizer == "sgd"  # locked: the change is refused
    at.button(key="lesson.next").click().run()
    assert param(at, "hide") == "lr,files" and param(at, "step") == "2"


def test_close_keeps_answers_and_drops_the_lesson_from_the_url():
    at = open_app({"lesson": "worked_example"})
    answer(at, "worked_example", 0, 0.3775)
    at.button(key="lesson.close").click().run()
    assert "lesson" not in at.query_params
    assert not any(t.startswith(":material/school: **Lesson") for t in texts(at))
    assert at.session_state["lesson.answers"]["worked_example"][0]["right"] is True
