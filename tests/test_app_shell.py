"""The app shell through AppTest: sidebar, presets, query parameters, uploads."""

import pytest

from nn_core.config import PRESETS
from nn_core.serialization import network_to_json
from tests.app_helpers import experiment
from tests.app_helpers import open_app as app


def test_the_front_page_is_the_playground_with_the_default_experiment():
    at = app()
    assert not at.exception
    assert "Neural Network Playground" in at.markdown[0].value
    assert at.button(key="pg_play").label == "Play"
    assert experiment(at).net.layer_sizes == [2, 4, 2, 1]


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_loads_and_the_url_follows(name):
    at = app()
    at.button(key=f"preset_{name}").click().run()
    assert not at.exception
    assert experiment(at).config == PRESETS[name][1]
    assert at.query_params == {k: v for k, v in PRESETS[name][1].to_query_params().items()}
    # the sidebar shows the preset's values
    assert at.selectbox(key="cfg.dataset").value == PRESETS[name][1].dataset


def test_closed_sections_draw_no_widgets_and_open_with_the_experiments_values():
    at = app({"lr": "0.3", "data": "xor"}, page="pages/network_graph.py", sections=False)
    keys = {w.key for w in at.sidebar.select_slider} | {w.key for w in at.sidebar.selectbox}
    assert "cfg.lr" not in keys and "cfg.dataset" not in keys  # Data, Training: closed
    assert at.number_input(key="cfg.seed").value == 0  # Network: open
    at.session_state["sidebar_training"] = True
    at.session_state["sidebar_data"] = True
    at.run()
    assert at.select_slider(key="cfg.lr").value == 0.3
    assert at.selectbox(key="cfg.dataset").value == "xor"
    # A change in a section, closed and opened again, stays what the experiment holds.
    at.select_slider(key="cfg.lr").set_value(0.1).run()
    at.selectbox(key="cfg.loss").set_value("mse").run()  # a change in the open Network too
    at.session_state["sidebar_training"] = False
    at.run()
    assert experiment(at).config.lr == 0.1 and experiment(at).config.loss == "mse"
    at.session_state["sidebar_training"] = True
    at.run()
    assert at.select_slider(key="cfg.lr").value == 0.1
    assert experiment(at).config.dataset == "xor" and not at.exception


def test_sidebar_changes_rebuild_the_network_but_the_learning_rate_does_not():
    at = app()
    net = experiment(at).net
    at.select_slider(key="cfg.lr").set_value(0.3).run()
    assert experiment(at).net is net and experiment(at).config.lr == 0.3
    assert at.query_params["lr"] == "0.3"
    at.slider(key="cfg.n_hidden").set_value(3).run()
    assert experiment(at).net.layer_sizes == [2, 4, 2, 2, 1]
    at.number_input(key="cfg.width.0").set_value(7).run()
    at.selectbox(key="cfg.act.0").set_value("relu").run()
    assert experiment(at).net.layer_sizes[1] == 7
    assert experiment(at).net.activations[0] == "relu"
    assert at.query_params["hidden"] == "7,2,2"
    assert not at.exception


def test_a_shared_link_opens_the_same_network():
    at = app({"data": "moons", "hidden": "5,3", "seed": "77", "init": "xavier", "lr": "0.1"})
    assert not at.exception and not at.warning
    first = network_to_json(experiment(at).net)
    again = app(at.query_params)
    assert network_to_json(experiment(again).net) == first


@pytest.mark.parametrize("params", [
    {"lr": "abc", "hidden": "4,99", "data": "evil", "noise": "nan"},
    {"points": "1e30", "epochs": "-1", "batch": "[]", "bias": "maybe", "preset": "nope"},
    {"acts": "x" * 5000, "features": "", "seed": "-3", "regrate": "inf"},
    {"data": "csv"},
])
def test_garbage_query_parameters_get_a_notice_never_an_exception(params):
    at = app(params)
    assert not at.exception
    assert at.warning, "the user is told what was replaced"
    assert experiment(at).config.clamp() == (experiment(at).config, [])


def test_a_bad_csv_upload_leaves_the_experiment_as_it_was():
    at = app()
    before = network_to_json(experiment(at).net)
    exp = experiment(at)
    with pytest.raises(ValueError):
        exp.use_csv(b"x,y\n1,2\nfoo,3\n")
    at.run()
    assert network_to_json(experiment(at).net) == before and not at.exception
