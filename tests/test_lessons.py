"""Lessons as data: the shipped lessons validate, and their answer keys are the right numbers.

The references are independent of the engine: Matt Mazur's published values, and the
tutorial's own code (feedforward, d_weights, its buggy and fixed update) written out here in
plain NumPy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nn_core.lesson_answers import (
    KINDS,
    Answer,
    _best,
    answer_key,
    choices_for,
    direction,
    is_right,
    reveal_sentence,
    summary_sentence,
)
from nn_core.lesson_values import show_value
from nn_core.lessons import (
    MAX_BYTES,
    MAX_STEPS,
    LessonError,
    Question,
    experiment_config,
    load_lessons,
    parse_lesson,
    step_experiment,
)

LESSON_DIR = Path(__file__).resolve().parents[1] / "lessons"
LESSONS, ERRORS = load_lessons(LESSON_DIR)


def keys(name):
    lesson = LESSONS[name]
    return [answer_key(s.question, step_experiment(s), s.bug) if s.question else None
            for s in lesson.steps]


TUTORIAL_KEYS = keys("tutorial")


def sigmoid(x):
    return 1.0 / (1 + np.exp(-x))


def sigmoid_derivative(x):
    return x * (1.0 - x)


def tutorial_step(step_index):
    """Return the tutorial's X, y, weights1, weights2 for a step of the tutorial lesson."""
    exp = step_experiment(LESSONS["tutorial"].steps[step_index])
    return exp.X_train, exp.y_train, exp.net.weights[0].copy(), exp.net.weights[1].copy()


def tutorial_backprop(X, y, w1, w2):
    """The tutorial's feedforward and backpropagation, line for line (typos fixed)."""
    layer1 = sigmoid(np.dot(X, w1))
    output = sigmoid(np.dot(layer1, w2))
    d_weights2 = np.dot(layer1.T, (2 * (y - output) * sigmoid_derivative(output)))
    d_weights1 = np.dot(X.T, (np.dot(2 * (y - output) * sigmoid_derivative(output), w2.T)
                              * sigmoid_derivative(layer1)))
    return layer1, output, d_weights1, d_weights2


def step_of(name, title_start):
    for k, s in enumerate(LESSONS[name].steps):
        if s.title.startswith(title_start):
            return k
    raise AssertionError(f"{name} has no step titled {title_start!r}...")


# ---------------------------------------------------------------- the shipped lessons
def test_every_shipped_lesson_validates():
    assert ERRORS == {}
    assert {"tutorial", "activations", "learning_rate", "worked_example"} <= set(LESSONS)
    assert len(LESSONS["tutorial"].steps) >= 8
    for lesson in LESSONS.values():
        assert lesson.title and lesson.summary and lesson.n_questions >= 3


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_every_step_builds_its_experiment_exactly_as_written(name):
    for k, step in enumerate(LESSONS[name].steps, 1):
        config, notices = experiment_config(step.experiment)
        assert notices == [], (k, notices)  # nothing had to be clamped
        exp = step_experiment(step)
        assert exp.config == step.config == config, k
        for shown in step.show:
            caption, matrix, cols, rows = show_value(shown, exp, step.bug)
            assert matrix.shape == (len(rows), len(cols)) and np.all(np.isfinite(matrix)), shown


def test_tutorial_follows_the_tutorials_order_and_code():
    steps = LESSONS["tutorial"].steps
    text = [s.code for s in steps]
    order = ["np.array([[0, 0, 1]", "np.random.rand", "self.layer1 = sigmoid",
             "self.output = sigmoid", "d_weights2 =", "d_weights1 =", "= d_weights1 + 1",
             "+= d_weights1", "for i in range(1000)"]
    where = [next(k for k, c in enumerate(text) if o in c) for o in order]
    assert where == sorted(where)
    assert steps[step_of("tutorial", "The tutorial's update bug")].bug == "tutorial_update"
    assert steps[step_of("tutorial", "Train for")].config.epochs == 1000
    kinds = [s.question.kind for s in steps[-4:]]  # the three closing questions, by experiment
    assert kinds == ["best_activation", "smallest_gradient_layer", "lr_verdict",
                     "best_learning_rate"]


def test_tutorial_forward_keys_equal_the_tutorials_code():
    X, y, w1, w2 = tutorial_step(0)
    layer1, output, _, _ = tutorial_backprop(X, y, w1, w2)
    assert TUTORIAL_KEYS[0].value == 3 and TUTORIAL_KEYS[1].value == 16
    assert TUTORIAL_KEYS[step_of("tutorial", "Feed forward")].value == pytest.approx(
        layer1[1, 0], abs=1e-12)
    assert TUTORIAL_KEYS[step_of("tutorial", "The output")].value == pytest.approx(
        1 - output[1, 0], abs=1e-12)
    assert TUTORIAL_KEYS[step_of("tutorial", "The loss")].value == pytest.approx(
        np.sum((y - output) ** 2), abs=1e-12)


def test_tutorial_d_weights_keys_are_the_tutorials_d_weights_and_the_negative_gradient():
    X, y, w1, w2 = tutorial_step(0)
    _, _, d_weights1, d_weights2 = tutorial_backprop(X, y, w1, w2)
    k2 = step_of("tutorial", "The chain rule")
    assert TUTORIAL_KEYS[k2].value == pytest.approx(d_weights2[0, 0], abs=1e-12)
    exp = step_experiment(LESSONS["tutorial"].steps[k2])
    grads = exp.net.backward(exp.net.forward(X), y, "sse")
    np.testing.assert_allclose(-grads.weights[1], d_weights2, atol=1e-12)
    k1 = step_of("tutorial", "One layer further back")
    moved = "increases" if d_weights1[1, 0] > 0 else "decreases"
    assert TUTORIAL_KEYS[k1].value == moved


def test_tutorial_bug_and_fix_keys_equal_the_tutorials_updates():
    X, y, w1, w2 = tutorial_step(0)
    _, _, d_weights1, _ = tutorial_backprop(X, y, w1, w2)
    bug = TUTORIAL_KEYS[step_of("tutorial", "The tutorial's update bug")].value
    fix = TUTORIAL_KEYS[step_of("tutorial", "The fix")].value
    assert bug == pytest.approx(d_weights1[0, 0] + 1, abs=1e-12)  # weights1 = d_weights1 + 1
    assert fix == pytest.approx(w1[0, 0] + d_weights1[0, 0], abs=1e-12)  # weights1 += ...


def test_tutorial_1000_epochs_key_equals_the_tutorials_loop():
    X, y, w1, w2 = tutorial_step(0)
    for _ in range(1000):
        _, _, d_weights1, d_weights2 = tutorial_backprop(X, y, w1, w2)
        w1 += d_weights1
        w2 += d_weights2
    output = sigmoid(np.dot(sigmoid(np.dot(X, w1)), w2))
    k = step_of("tutorial", "Train for")
    assert TUTORIAL_KEYS[k].value == pytest.approx(output[3, 0], abs=1e-9)
    assert output[3, 0] < 0.05 and output[1, 0] > 0.95  # it has learned XOR


def test_tutorial_closing_questions_are_answered_by_measurement():
    linear = TUTORIAL_KEYS[step_of("tutorial", "Without an activation")]
    assert linear.value == pytest.approx(0.5, abs=1e-3)  # a linear model cannot do XOR
    q1 = TUTORIAL_KEYS[step_of("tutorial", "Closing question 1")]
    assert q1.correct == ("tanh",) and "linear 1" in q1.detail
    q2 = TUTORIAL_KEYS[step_of("tutorial", "Closing question 2")]
    assert q2.correct == ("W(1)",)
    q3 = TUTORIAL_KEYS[step_of("tutorial", "Closing question 3")]
    assert q3.correct == ("too slow",)


def test_worked_example_keys_equal_mazurs_published_numbers():
    published = [0.3775, 0.593269992, 0.75136507, 0.298371109, 0.082167041, 0.35891648,
                 0.149780716]
    got = [a.value for a in keys("worked_example")]
    np.testing.assert_allclose(got, published, atol=1e-8)


def test_learning_rate_lesson_shows_all_four_regimes_from_the_same_weights():
    answers = keys("learning_rate")
    assert [a.correct for a in answers[:4]] == [("too slow",), ("reached target",),
                                                 ("reached target", "oscillates"), ("diverged",)]
    assert answers[4].correct == (0.03,) and "lr 1 diverged" in answers[4].detail
    starts = {step_experiment(s).net.get_params()[0][0].tobytes()
              for s in LESSONS["learning_rate"].steps}
    assert len(starts) == 1


def test_activations_lesson_measures_the_vanishing_gradient():
    answers = keys("activations")
    k = step_of("activations", "Six sigmoid layers")
    exp = step_experiment(LESSONS["activations"].steps[k])
    grads = exp.net.backward(exp.net.forward(exp.X_train), exp.y_train, exp.loss)
    norms = [np.linalg.norm(g) for g in grads.weights]
    assert answers[k].correct == ("W(1)",) and norms[0] < 1e-3 * norms[-1]
    deep = answers[step_of("activations", "Train the deep")]
    assert "sigmoid" not in deep.correct


# ---------------------------------------------------------------- bad files
GOOD = """
title = "T"
summary = "S"
[[step]]
title = "one"
text = "t"
page = "feedforward"
experiment = "preset=tutorial"
[step.question]
kind = "activation"
sample = 2
layer = 1
unit = 1
prompt = "p"
hint = "h"
explanation = "e"
"""


def problems(text):
    with pytest.raises(LessonError) as err:
        parse_lesson(text, "t")
    return " | ".join(err.value.problems)


def test_a_small_good_lesson_parses():
    lesson = parse_lesson(GOOD, "t")
    assert lesson.n_questions == 1 and lesson.steps[0].question.param("sample") == 2


@pytest.mark.parametrize("change, expected", [
    (('kind = "activation"', 'kind = "exec"'), "kind 'exec' is not one of"),
    (("sample = 2", "sample = 9"), "sample must be a whole number from 1 to 4"),
    (("layer = 1", "layer = 7"), "layer must be a whole number from 1 to 2"),
    (('page = "feedforward"', 'page = "admin"'), "page 'admin' is not one of"),
    (('preset=tutorial"', 'preset=tutorial&lr=50"'), "lr: 50 is outside"),
    (('preset=tutorial"', '__import__(\'os\').system(\'ls\')"'), "ignored unknown parameters"),
    (('title = "one"', 'titel = "one"'), "unknown field 'titel'"),
    (('hint = "h"', ""), "hint is missing"),
    (('unit = 1', 'unit = 1\ntolerance = -1'), "tolerance is a number"),
    (('unit = 1', 'unit = 1\nchoices = ["x"]'), "choices is not a parameter of activation"),
    (('text = "t"', 'text = "t"\nbug = "rm -rf"'), "bug 'rm -rf' is not one of"),
    (('text = "t"', 'text = "t"\nshow = ["W9"]'), "weight layers 1 to 2"),
    (('title = "T"', 'title = "T"\nhide = ["everything"]'), "hide: 'everything' not among"),
])
def test_bad_lesson_files_get_clear_problems(change, expected):
    assert expected in problems(GOOD.replace(*change))


def test_unreadable_files_get_clear_problems():
    assert "not valid TOML" in problems("title = ")
    assert "not UTF-8" in problems(b"title = '\xff'")
    assert "at most 100 kB" in problems(b"#" * (MAX_BYTES + 1))
    assert "at least one [[step]]" in problems('title = "T"\nsummary = "S"')
    many = GOOD + "\n".join(GOOD[GOOD.index("[[step]]"):] for _ in range(MAX_STEPS))
    assert f"at most {MAX_STEPS}" in problems(many)
    choice = GOOD.replace('kind = "activation"\nsample = 2\nlayer = 1\nunit = 1',
                          'kind = "best_activation"\nchoices = ["sigmoid", "softmax"]')
    assert "choices: 2 to 10 of" in problems(choice)


# ---------------------------------------------------------------- checks and sentences
def question(kind="activation", tolerance=0.01):
    return Question(kind, "p", (), tolerance, "h", "e")


def test_is_right_uses_the_tolerance_and_refuses_non_numbers():
    q, a = question(), Answer(0.5)
    assert is_right(q, a, 0.51) and is_right(q, a, 0.49)
    assert not is_right(q, a, 0.5101) and not is_right(q, a, None)
    assert not is_right(q, a, float("nan")) and not is_right(q, a, "0.5x")
    choice = Answer("tanh", ("tanh", "relu"), ("sigmoid", "tanh", "relu"))
    assert is_right(question("best_activation"), choice, "relu")  # ties both count
    assert not is_right(question("best_activation"), choice, "sigmoid")


def test_reveal_sentences():
    q = question()
    assert reveal_sentence(q, Answer(0.795255), 0.795) == (
        "The engine's value: 0.795255. Yours, 0.795, is within 0.01 of it.")
    assert reveal_sentence(q, Answer(0.795255), 0.5) == (
        "The engine's value: 0.795255. Yours, 0.5, is 0.295 away (within 0.01 counts).")
    assert reveal_sentence(q, Answer(0.795255), None) == "The engine's value: 0.795255."
    tie = Answer(0.03, (0.03, 0.3), (0.03, 0.3, 1.0), "Losses...")
    qc = question("best_learning_rate")
    assert reveal_sentence(qc, tie, 0.3) == "Right: the engine's answer is lr 0.03 or lr 0.3. " \
                                            "Losses..."
    assert reveal_sentence(qc, tie, 1.0).startswith("You chose lr 1: the engine's answer")


def test_summary_sentence():
    assert summary_sentence(5, 6, 6) == "5 of 6 predictions within tolerance."
    assert summary_sentence(0, 0, 3) == "0 of 3 predictions within tolerance (3 not answered)."
    assert summary_sentence(2, 2, 2) == "2 of 2 predictions within tolerance."
    assert summary_sentence(0, 0, 0) == "This lesson has no questions."


def test_direction_and_choices():
    assert direction(1.0, 1.5) == "increases" and direction(1.0, 0.5) == "decreases"
    assert direction(1.0, 1.0) == "stays the same"
    exp = step_experiment(LESSONS["activations"].steps[step_of("activations", "Six sigmoid")])
    q = LESSONS["activations"].steps[2].question
    assert choices_for(q, exp) == tuple(f"W({l})" for l in range(1, 8))
    assert set(KINDS) >= {"activation", "output", "loss", "update_direction", "best_activation"}


def test_best_choice_ties_all_count_and_divergence_is_worst():
    answer = _best({"relu": 0.25, "tanh": 0.25, "sigmoid": 0.5}, ("sigmoid", "tanh", "relu"),
                   "after 1 epoch")
    assert answer.correct == ("tanh", "relu") and answer.value == "tanh"
    assert answer.detail == ("Final training loss after 1 epoch: tanh 0.25, relu 0.25, "
                             "sigmoid 0.5 (lowest first).")
    lrs = _best({0.1: float("inf"), 1.0: 0.3}, (0.1, 1.0), "x")
    assert lrs.correct == (1.0,) and "lr 0.1 diverged" in lrs.detail


def test_the_readme_example_is_a_valid_lesson():
    readme = (LESSON_DIR / "README.md").read_text()
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    lesson = parse_lesson(example, "example")
    assert len(lesson.steps) == 2 and lesson.n_questions == 2
    assert lesson.hide == ("files", "preset") and lesson.lock == ("dataset",)
    first = answer_key(lesson.steps[0].question, step_experiment(lesson.steps[0]))
    assert first.value == pytest.approx(TUTORIAL_KEYS[2].value, abs=1e-12)
