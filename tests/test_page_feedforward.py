"""Feedforward page through AppTest: walk to the end and back, on two networks."""

import pytest

from tests.app_helpers import experiment, open_app


def walk(at, prefix, n_expected=None):
    """Click Next to the end, check the last step, then Previous and Reset back to 0."""
    n = 0
    while not at.button(key=f"{prefix}.next").disabled:
        at.button(key=f"{prefix}.next").click().run()
        assert not at.exception
        n += 1
        assert at.session_state[f"{prefix}.step"] == n
        assert n < 400
    if n_expected is not None:
        assert n + 1 == n_expected
    at.button(key=f"{prefix}.prev").click().run()
    assert at.session_state[f"{prefix}.step"] == n - 1
    at.button(key=f"{prefix}.reset").click().run()
    assert at.session_state[f"{prefix}.step"] == 0 and not at.exception
    return n


def shown_latex(at):
    return " ".join(e.body for e in at.latex)


@pytest.mark.parametrize("params", [{"hidden": "4,3", "acts": "tanh,relu"},
                                    {"preset": "tutorial"}])
def test_walk_forward_to_the_loss_and_back(params):
    at = open_app(params, page="pages/feedforward.py")
    assert not at.exception
    exp = experiment(at)
    sizes = exp.net.layer_sizes
    # input step + one step per neuron (no softmax here) + the loss step
    walk(at, "ff", 1 + sum(sizes[1:]) + 1)
    at.button(key="ff.end").click().run()
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["Output", "Target"] and labels[2].startswith("Loss")
    x = exp.X_train[0]
    trace = exp.net.forward(x)
    grads = exp.net.backward(trace, exp.y_train[0], exp.loss)
    assert at.metric[2].value == format(grads.loss, ".6g")
    assert at.metric[0].value == format(trace.output[0, 0], ".6g")


def test_per_layer_steps_and_typed_input():
    at = open_app({"preset": "worked_example"}, page="pages/feedforward.py")
    at.segmented_control(key="ff.granularity").set_value("layer").run()
    walk(at, "ff", 1 + 2 + 1)
    at.segmented_control(key="ff.source").set_value("Type values").run()
    at.number_input(key="ff.x.0").set_value(0.05).run()
    at.number_input(key="ff.x.1").set_value(0.1).run()
    at.button(key="ff.next").click().run()
    assert "0.59327" in shown_latex(at)  # Mazur's out_h1
    at.number_input(key="ff.x.0").set_value(1e9).run()  # clamped by the widget
    assert not at.exception


def test_mazur_neuron_step_shows_the_published_arithmetic():
    at = open_app({"preset": "worked_example"}, page="pages/feedforward.py")
    at.button(key="ff.next").click().run()
    latex = shown_latex(at)
    assert r"&= 0.05 \cdot 0.15 + 0.1 \cdot 0.2 + 0.35 \\ &= 0.3775" in latex
    assert "0.59327" in latex
