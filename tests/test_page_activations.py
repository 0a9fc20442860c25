"""The Activations page through AppTest: the functions, a comparison, every chart, caching."""

import json
import logging

import numpy as np

from nn_core import ACTIVATIONS, HIDDEN_ACTIVATIONS
from nn_core.seed_study import SEEDS
from tests.app_helpers import experiment, open_app

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
    table = at.table[0].value
    assert list(table["activation"]) == list(HIDDEN_ACTIVATIONS)
    sigmoid = table[table["activation"] == "sigmoid"].iloc[0]
    assert sigmoid["largest f'(z)"] == round(ACTIVATIONS["sigmoid"].max_derivative, 4) == 0.25
    assert any(ACTIVATIONS["relu"].latex in lx.value for lx in at.latex), [x.value for x in at.latex]
    at.multiselect(key="act.show").set_value(["gelu"]).run()
    names = {t["name"] for t in _charts(at)[0]["data"]}
    assert names == {"gelu"}


class _LogRecords(logging.Handler):
    """Collects what Streamlit logs while a page runs (the server log of an AppTest)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def __enter__(self):
        self.logger = logging.getLogger("streamlit")
        self.level = self.logger.level
        self.logger.addHandler(self)
        self.logger.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level)

    def tracebacks(self):
        return [r.getMessage() for r in self.records if r.exc_info or r.levelno >= logging.ERROR]


def _single_type_columns(table):
    for col in table.columns:
        kinds = {type(v).__name__ for v in table[col] if v is not None and v == v}
        assert len(kinds) <= 1 or kinds <= {"int", "float", "int64", "float64"}, (col, kinds)


def test_comparison_shows_a_verdict_first_then_the_evidence():
    at = open_app(page=PAGE)
    _compare(at)
    charts = _charts(at)
    assert len(charts) == 4  # functions, loss, boundaries, gradients
    titles = [a["text"] for a in charts[3]["layout"]["annotations"]]
    assert titles == list(HIDDEN_ACTIVATIONS)
    assert "same initial weights" in " ".join(s.value for s in at.success)
    results = at.table[1].value  # [0]: the properties table
    assert sorted(results.index) == sorted(HIDDEN_ACTIVATIONS)
    # best group first
    assert list(results["group"]) == sorted(results["group"])
    _single_type_columns(results)
    assert results["test loss"].dtype.kind == "f"
    assert results["reached"].max() <= SEEDS
    # the loss-target label sits on its dashed line (log axis: y = log10 of the target)
    loss = charts[1]["layout"]
    target = loss["shapes"][0]["y0"]
    label = loss["annotations"][0]
    assert label["text"] == f"loss target {target:g}"
    assert np.isclose(label["y"], np.log10(target)) and label["yref"] == "y"


def test_tutorial_summary_never_names_a_single_best_among_ties():
    with _LogRecords() as log:
        at = open_app({"preset": "tutorial"}, page=PAGE, timeout=180)
        _compare(at, epochs=300)
    results = at.table[1].value
    best = list(results[results["group"] == 1].index)
    verdict = next(m.value for m in at.markdown if m.value.startswith("#### "))
    if len(best) > 1:
        assert "Best here: **" not in verdict
        assert (f"**{' and '.join(best)}**" in verdict.replace(", ", " and ")
                or "did equally well" in verdict)
    else:
        assert verdict.startswith(f"#### Best here: **{best[0]}**")
    worse = list(results[results["group"] > 1].index)
    for name in worse:
        assert f"**{name}" not in verdict and f"{name}**" not in verdict
    accuracy = [m.value for m in at.markdown if "Test accuracy" in m.value]
    top = results["test accuracy"].max()
    tied = list(results[results["test accuracy"] == top].index)
    if len(tied) > 1:
        assert not any(f"highest {n} (" in a for a in accuracy for n in tied)
    assert not log.tracebacks(), log.tracebacks()


def test_results_are_cached_and_runs_share_the_initial_weights():
    at = open_app(page=PAGE)
    _compare(at, epochs=40)
    first = _charts(at)[1]
    at.switch_page("pages/playground.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    again = _charts(at)[1]
    assert again["data"][0]["y"] == first["data"][0]["y"]


def test_deep_example_brings_its_own_data_and_sigmoid_ends_worse():
    with _LogRecords() as log:
        at = open_app({"preset": "tutorial"}, page=PAGE, timeout=240)
        at.button(key="act.deep").click().run()
    assert not at.exception
    assert not log.tracebacks(), log.tracebacks()
    text = " ".join(m.value for m in at.markdown)
    assert "its own data and network" in text and "6 hidden layers of 8 units" in text
    assert "sigmoid ended clearly worse than the best" in text
    assert "at least 10 times smaller: the gradient vanishes" in text
    grads = _charts(at)[1]
    sigmoid = [t for t in grads["data"] if t.get("xaxis", "x") == "x"]
    assert len(sigmoid) == 7  # six hidden layers and the output layer
    first, last = (np.array(_values(t["y"]), dtype=float) for t in (sigmoid[0], sigmoid[-1]))
    assert np.nanmedian(first) * 10 <= np.nanmedian(last)
    # the sidebar's tutorial experiment was not touched
    assert experiment(at).net.layer_sizes == [3, 4, 1]


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
    _compare(at, hidden="40,8", epochs=20)  # clamped to the widest allowed layer, with a notice
    assert any("hidden" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) == 4


def test_dead_units_at_several_learning_rates():
    at = open_app(page=PAGE)
    at.multiselect(key="act.names").set_value(["relu"])
    _compare(at, epochs=40, hidden="8,8")
    at.button(key="act.dead_button").click().run()
    assert not at.exception
    bars = _charts(at)[-1]["data"][0]
    assert len(bars["x"]) == 8 and "lr 10" in " ".join(bars["x"])
    assert any(m.value.startswith("Measured: relu") for m in at.markdown)
