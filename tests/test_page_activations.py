"""The Activations page through AppTest: the functions, a comparison, every chart, caching."""

import json

import numpy as np

from nn_core import ACTIVATIONS, HIDDEN_ACTIVATIONS
from tests.app_helpers import open_app

PAGE = "pages/activations.py"


def _charts(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _compare(at, epochs=60, hidden=None):
    at.number_input(key="act.epochs").set_value(epochs)
    if hidden is not None:
        at.text_input(key="act.hidden").set_value(hidden)
    at.button(key="act.train").click().run()
    assert not at.exception


def test_functions_section_before_any_training():
    at = open_app(page=PAGE)
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1  # nothing trains until asked
    table = at.dataframe[0].value
    assert list(table["activation"]) == list(HIDDEN_ACTIVATIONS)
    sigmoid = table[table["activation"] == "sigmoid"].iloc[0]
    assert sigmoid["largest f'(z)"] == round(ACTIVATIONS["sigmoid"].max_derivative, 4) == 0.25
    assert any(ACTIVATIONS["relu"].latex in lx.value for lx in at.latex), [x.value for x in at.latex]
    at.multiselect(key="act.show").set_value(["gelu"]).run()
    names = {t["name"] for t in _charts(at)[0]["data"]}
    assert names == {"gelu"}


def test_comparison_shows_every_chart_and_a_measured_summary():
    at = open_app(page=PAGE)
    _compare(at)
    charts = _charts(at)
    assert len(charts) == 5  # functions, loss, boundaries, gradients, dead units
    titles = [a["text"] for a in charts[3]["layout"]["annotations"]]
    assert titles == list(HIDDEN_ACTIVATIONS)
    text = " ".join(m.value for m in at.markdown)
    assert "same initial weights" in " ".join(s.value for s in at.success)
    results = at.dataframe[1].value
    assert list(results["activation"]) == list(HIDDEN_ACTIVATIONS)
    # the summary's first sentence names the run that reached the target first
    target_col = next(c for c in results.columns if c.startswith("epoch loss"))
    target = float(target_col.split("≤ ")[1])
    hits = {r: e for r, e in zip(results["activation"], results[target_col]) if e != "never"}
    first = min(hits, key=lambda r: int(hits[r]))
    assert f"reached the loss target {target:g} first, at epoch {hits[first]}" in text
    assert f"{first} " in text or f"and {first}" in text


def test_results_are_cached_and_runs_share_the_initial_weights():
    at = open_app(page=PAGE)
    _compare(at, epochs=40)
    first = _charts(at)[1]
    at.switch_page("pages/playground.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    again = _charts(at)[1]
    assert again["data"][0]["y"] == first["data"][0]["y"]
    # every loss curve starts where its net with the shared initial weights starts


def test_deep_sigmoid_first_layer_gradient_is_shown_far_below_the_last():
    at = open_app(page=PAGE)
    at.button(key="act.deep").click().run()
    at.multiselect(key="act.names").set_value(["sigmoid", "tanh"])
    _compare(at, epochs=30)
    grads = _charts(at)[3]
    sigmoid = [t for t in grads["data"] if t.get("xaxis", "x") == "x"]
    assert len(sigmoid) == 7  # six hidden layers and the output layer
    first, last = (np.array(_values(t["y"]), dtype=float) for t in (sigmoid[0], sigmoid[-1]))
    assert np.median(first) < 1e-2 * np.median(last)
    assert any("6 hidden layers" in m.value for m in at.markdown)


def _values(y):
    """Return plot values whether Plotly sent a list or a typed array."""
    if isinstance(y, dict):
        import base64
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"])
    return y


def test_bad_hidden_layers_get_a_message_and_nothing_trains():
    at = open_app(page=PAGE)
    _compare(at, hidden="8,x")
    assert any("whole numbers" in e.value for e in at.error)
    assert len(at.get("plotly_chart")) == 1
    _compare(at, hidden="40,8")  # clamped to the widest allowed layer, with a notice
    assert any("hidden" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) == 5


def test_dead_units_at_several_learning_rates():
    at = open_app(page=PAGE)
    at.multiselect(key="act.names").set_value(["relu"])
    _compare(at, epochs=40, hidden="8,8")
    at.button(key="act.dead_button").click().run()
    assert not at.exception
    bars = _charts(at)[-1]["data"][0]
    assert len(bars["x"]) == 8 and "lr 10" in " ".join(bars["x"])
    assert any(m.value.startswith("Measured: relu") for m in at.markdown)
