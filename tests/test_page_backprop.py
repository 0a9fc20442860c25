"""Backprop page through AppTest: stepping, gradient check, bug zoo, check your own numbers."""

import json

import pytest

from nn_core.checking import template
from tests.app_helpers import experiment, open_app, open_tab
from tests.test_page_feedforward import walk


@pytest.mark.parametrize("params", [{"hidden": "4,3", "acts": "tanh,relu"},
                                    {"preset": "tutorial"}])
def test_walk_backward_to_the_update_and_back(params):
    at = open_app(params, page="pages/backprop.py")
    assert not at.exception
    walk(at, "bp")
    at.button(key="bp.end").click().run()
    exp = experiment(at)
    x, y = exp.X_train[0], exp.y_train[0]
    before = exp.net.backward(exp.net.forward(x), y, exp.loss).loss
    assert at.metric[0].label == "Loss before" and at.metric[0].value == format(before, ".6g")


def test_only_the_open_tab_is_drawn_and_each_keeps_its_settings():
    at = open_app({"preset": "tutorial"}, page="pages/backprop.py")
    assert [t.label for t in at.tabs] == ["Step through", "Gradient check", "One update",
                                          "Bug zoo", "Check your own numbers"]
    assert not [m for m in at.markdown if m.value.startswith(("**Verdict", "Overall"))]
    open_tab(at, "bp.tab", "Bug zoo")
    at.selectbox(key="bp.bug").set_value("wrong_sign").run()
    open_tab(at, "bp.tab", "Check your own numbers")
    at.select_slider(key="bp.chk_tol").set_value(1e-3).run()
    open_tab(at, "bp.tab", "Step through")
    assert not [m for m in at.markdown if m.value.startswith("Overall")]
    open_tab(at, "bp.tab", "Bug zoo")
    assert at.selectbox(key="bp.bug").value == "wrong_sign"
    open_tab(at, "bp.tab", "Check your own numbers")
    assert at.select_slider(key="bp.chk_tol").value == 1e-3
    assert not at.exception


def test_gradient_check_tab_passes_for_the_session_net():
    at = open_app({"hidden": "4,3", "acts": "tanh,sigmoid"}, page="pages/backprop.py")
    open_tab(at, "bp.tab", "Gradient check")
    verdicts = [m.value for m in at.markdown if m.value.startswith("**Verdict")]
    assert verdicts and verdicts[0].startswith("**Verdict: good**")
    at.toggle(key="bp.check_all").set_value(True).run()
    assert not at.exception


def overall(at):
    return [m.value for m in at.markdown if m.value.startswith("Overall")][0]


@pytest.mark.parametrize("bug,verdict", [
    ("none", "good"), ("no_activation_derivative", "wrong"), ("derivative_of_z", "wrong"),
    ("extra_output_derivative", "wrong"), ("update_before_backprop", "wrong"),
    ("wrong_sign", "good"),
])
def test_bug_zoo_shows_what_each_bug_breaks(bug, verdict):
    at = open_app({"preset": "tutorial"}, page="pages/backprop.py")
    open_tab(at, "bp.tab", "Bug zoo")
    at.selectbox(key="bp.bug").set_value(bug).run()
    assert not at.exception
    assert overall(at).startswith(f"Overall: **{verdict}**")


def paste(at, text):
    at.text_area(key="bp.chk_paste").input(text)
    at.button(key="bp.chk_paste_use").click().run()
    assert not at.exception


def test_check_your_numbers_points_at_the_wrong_value():
    at = open_app({"preset": "worked_example"}, page="pages/backprop.py")
    open_tab(at, "bp.tab", "Check your own numbers")
    at.selectbox(key="bp.chk_preset").set_value("worked_example").run()
    assert [i.value for i in at.info if "Type your values" in i.value]
    data = json.loads(template("worked_example"))
    right = data["yours"]["delta1"][0][1]
    data["yours"]["delta1"][0][1] = 0.5
    paste(at, json.dumps(data))
    errors = [e.value for e in at.error]
    assert errors and "First difference: delta1[0, 1]" in errors[0]
    assert [m.value for m in at.metric if m.label == "Yours: delta1[0, 1]"] == ["0.5"]
    data["yours"]["delta1"][0][1] = right
    paste(at, json.dumps(data))
    assert [s.value for s in at.success if s.value.startswith("All ")]


@pytest.mark.parametrize("text", ["{broken", '{"network": 1, "input": [1], "target": [1]}',
                                  json.dumps({**json.loads(template("tutorial")),
                                              "yours": {"a1": [1, 2]}})])
def test_malformed_json_gets_a_message_and_changes_nothing(text):
    at = open_app({"preset": "worked_example"}, page="pages/backprop.py")
    open_tab(at, "bp.tab", "Check your own numbers")
    before = at.session_state["chk.problem"]
    paste(at, text)
    assert [e.value for e in at.error if e.value.startswith("Could not use the pasted JSON")]
    assert at.session_state["chk.problem"] is before
