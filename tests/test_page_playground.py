"""The Playground (the front page) through AppTest: every control, Play / Pause / Step, and
the paused network on the other pages."""

from dataclasses import replace

import numpy as np
import pytest

from nn_core import network_to_json, step_through
from nn_core.config import LIMITS, PLAYGROUND_START, ExperimentConfig
from nn_core.experiment import Experiment
from tests.app_helpers import experiment, open_app

PAGE = "pages/playground.py"


def _epoch(at):
    h = experiment(at).history
    return h.last_epoch if h is not None else 0


def _counter(at) -> str:
    """The epoch counter's text in the top bar ("Epoch 000,123")."""
    import re
    bodies = [h.proto.body for h in at.get("html") if "pg-epoch-value\">" in h.proto.body]
    assert len(bodies) == 1
    return re.search(r'pg-epoch-value">([^<]*)<', bodies[0]).group(1)


def _params(net):
    return [a.copy() for a in net.weights + net.biases]


def test_the_app_opens_on_the_playground_paused_at_epoch_zero():
    at = open_app()
    assert not at.exception
    assert at.button(key="pg_play").label == "Play"
    assert _counter(at) == "000,000"
    assert _epoch(at) == 0


def test_the_front_page_starts_at_the_playgrounds_start_and_says_so_in_the_url():
    at = open_app()
    assert experiment(at).config == PLAYGROUND_START
    assert at.query_params == {"points": "300", "loss": "bce"}  # a link to it carries it
    # A link with an experiment in it, or a lesson, starts where it says (defaults elsewhere).
    assert experiment(open_app({"lr": "0.03"})).config == ExperimentConfig()
    assert experiment(open_app({"preset": "playground"})).config == ExperimentConfig()
    at = open_app({"hide": "lr"})  # a teacher's link that only hides: still the front page's
    assert experiment(at).config == PLAYGROUND_START


def test_the_playgrounds_start_learns_the_circle_within_seconds_of_play():
    """A student pressing Play must see it learn: 97% test accuracy on the circle within 150
    epochs (under 4 s at ui.playground.FPS) for seeds 0-2, where the app-wide defaults are
    still far from it at that epoch."""
    def accuracy_at(config, epochs):
        exp = Experiment(config)
        exp.continue_training(epochs)
        return exp.history.test_accuracy_list[-1]
    for seed in range(3):
        assert accuracy_at(replace(PLAYGROUND_START, seed=seed), 150) >= 0.97, seed
    assert accuracy_at(ExperimentConfig(), 150) < 0.8


def _trained_to(epoch):
    """The Playground's start trained `epoch` epochs from scratch (training is deterministic)."""
    ref = Experiment(PLAYGROUND_START)
    ref.continue_training(epoch)
    return network_to_json(ref.net)


def test_play_trains_a_chunk_and_pause_stops_at_the_epoch_on_screen():
    at = open_app()
    at.button(key="pg_play").click().run()
    assert not at.exception
    assert at.button(key="pg_play").label == "Pause"
    assert _epoch(at) > 40  # a chunk for the browser to play, ahead of the screen
    at.session_state["pg.shown"] = 37  # the stage's last report of the epoch on screen
    at.button(key="pg_play").click().run()  # Pause
    assert at.button(key="pg_play").label == "Play"
    assert _epoch(at) == 37 and _counter(at) == "000,037"
    assert network_to_json(experiment(at).net) == _trained_to(37)


def test_leaving_the_page_mid_play_leaves_the_network_at_the_epoch_shown():
    at = open_app()
    at.button(key="pg_play").click().run()
    at.session_state["pg.shown"] = 23
    at.switch_page("pages/feedforward.py").run()  # e.g. the browser's Back button
    assert not at.exception and not at.session_state["pg.playing"]
    assert _epoch(at) == 23 and network_to_json(experiment(at).net) == _trained_to(23)
    # with no report from the stage yet: where the chunk on screen started
    at.switch_page(PAGE).run()
    at.button(key="pg_play").click().run()
    assert _epoch(at) > 23
    at.switch_page("pages/network_graph.py").run()
    assert _epoch(at) == 23 and network_to_json(experiment(at).net) == _trained_to(23)


def test_pause_then_another_page_shows_the_same_weights():
    at = open_app()
    at.button(key="pg_play").click().run()
    at.session_state["pg.shown"] = 45
    at.button(key="pg_play").click().run()
    paused = network_to_json(experiment(at).net)
    assert paused == _trained_to(45)
    for page in ("pages/feedforward.py", "pages/network_graph.py", "pages/backprop.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        assert network_to_json(experiment(at).net) == paused, page
    # Feedforward steps through exactly the paused network
    at.switch_page("pages/feedforward.py").run()
    exp = experiment(at)
    want = step_through(exp.net, exp.X_train[0], exp.y_train[0], loss=exp.loss,
                        lr=exp.config.lr).to_text(("forward", "loss"))
    assert at.code[0].value == want
    # and Play continues from it
    at.switch_page(PAGE).run()
    epoch = _epoch(at)
    at.button(key="pg_step").click().run()
    assert _epoch(at) == epoch + 1


def test_step_trains_one_epoch_and_reset_goes_back_to_the_initial_weights():
    at = open_app()
    initial = _params(experiment(at).net)
    at.button(key="pg_step").click().run()
    at.button(key="pg_step").click().run()
    assert _epoch(at) == 2 and _counter(at) == "000,002" and not at.exception
    at.button(key="pg_reset").click().run()
    assert _epoch(at) == 0
    for a, b in zip(initial, _params(experiment(at).net)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("key, value, check", [
    ("pg_lr", 0.3, lambda c: c.lr == 0.3),
    ("pg_act", "relu", lambda c: c.hidden_activations == ("relu", "relu")),
    ("pg_reg", "l2", lambda c: c.regularization == "l2"),
    ("pg_regrate", 0.01, lambda c: c.reg_rate == 0.01),
    ("pg_task", "regression", lambda c: c.dataset == "plane" and c.loss == "mse"),
])
def test_top_bar_selectboxes_change_the_shared_experiment_and_the_url(key, value, check):
    at = open_app()
    at.selectbox(key=key).set_value(value).run()
    assert not at.exception
    config = experiment(at).config
    assert check(config)
    assert at.query_params == config.to_query_params()


def test_problem_type_back_to_classification_is_the_playgrounds_sigmoid_and_cross_entropy():
    at = open_app({"preset": "playground"})  # MSE
    at.selectbox(key="pg_task").set_value("regression").run()
    at.selectbox(key="pg_task").set_value("classification").run()
    c = experiment(at).config
    assert (c.dataset, c.output_activation, c.loss) == ("circle", "sigmoid", "bce")


def test_data_controls():
    at = open_app()
    at.slider(key="pg_ratio").set_value(70).run()
    n = experiment(at).config.n_points
    assert experiment(at).config.train_ratio == 0.7 and len(experiment(at).X_train) == 0.7 * n
    at.slider(key="pg_noise").set_value(25).run()
    assert experiment(at).config.noise == 0.25
    at.select_slider(key="pg_batch").set_value(30).run()
    assert experiment(at).config.batch_size == 30
    seed = experiment(at).config.data_seed
    X = experiment(at).X_train.copy()
    at.button(key="pg_regen").click().run()
    assert experiment(at).config.data_seed == seed + 1
    assert not np.array_equal(experiment(at).X_train, X)
    assert not at.exception


def test_plus_and_minus_change_layers_and_neurons():
    at = open_app()
    at.button(key="pg_more.0").click().run()
    assert experiment(at).net.layer_sizes == [2, 5, 2, 1]
    at.button(key="pg_less.1").click().run()
    assert experiment(at).net.layer_sizes == [2, 5, 1, 1]
    assert at.button(key="pg_less.1").disabled  # a layer keeps at least one neuron
    at.button(key="pg_layers_more").click().run()
    assert experiment(at).net.layer_sizes == [2, 5, 1, 1, 1]
    for _ in range(3):
        at.button(key="pg_layers_less").click().run()
    assert experiment(at).net.layer_sizes == [2, 1]
    assert at.button(key="pg_layers_less").disabled
    assert at.query_params["hidden"] == ""
    assert not at.exception


def test_layers_stop_at_the_limits():
    at = open_app({"hidden": ",".join(["16"] * LIMITS.max_hidden_layers)})
    assert at.button(key="pg_layers_more").disabled
    assert at.button(key="pg_more.0").disabled


def test_toggles_and_the_click_mode():
    at = open_app()
    at.toggle(key="pg_show_test").set_value(True).run()
    at.toggle(key="pg_discretize").set_value(True).run()
    assert at.segmented_control(key="pg.click").options == ["add orange", "add blue", "erase"]
    at.segmented_control(key="pg.click").set_value("erase").run()
    assert at.session_state["pg.click"] == "erase" and not at.exception


def test_a_selected_weight_shows_its_exact_value_and_takes_a_new_one():
    at = open_app()
    at.session_state["pg.sel"] = {"k": "w", "l": 0, "i": 1, "j": 2}  # what a click on it sends
    at.run()
    exp = experiment(at)
    w = float(exp.net.weights[0][1, 2])
    assert any(repr(w) in m.value and "W1[2,3]" in m.value for m in at.markdown)
    loss_before = exp.net.loss(exp.X_train, exp.y_train, exp.loss)
    key = "pg_edit_w_0_1_2"
    at.number_input(key=key).set_value(2.5).run()
    assert experiment(at).net.weights[0][1, 2] == 2.5
    assert experiment(at).net.loss(exp.X_train, exp.y_train, exp.loss) != loss_before
    at.number_input(key=key).set_value(1e9).run()  # the box's own limit holds
    assert abs(experiment(at).net.weights[0][1, 2]) <= 100


def test_a_selected_bias_and_step_through_this_neuron():
    at = open_app()
    at.session_state["pg.sel"] = {"k": "b", "l": 1, "j": 1}
    at.run()
    at.number_input(key="pg_edit_b_1_1").set_value(-0.75).run()
    assert experiment(at).net.biases[1][1] == -0.75
    at.button(key="pg_stepthrough").click().run()
    at.switch_page("pages/feedforward.py").run()  # where the browser goes on that click
    assert not at.exception
    title = next(m.value for m in at.markdown if m.value.startswith("**Step "))
    assert title.startswith("**Step 7 of 9**"), title  # input, 4 + 1 neurons, then h2.2


def test_a_selection_that_no_longer_exists_is_dropped():
    at = open_app()
    at.session_state["pg.sel"] = {"k": "w", "l": 5, "i": 0, "j": 0}
    at.run()
    assert not at.exception and not any("Weight W6" in m.value for m in at.markdown)


def test_divergence_stops_play_with_the_engines_explanation():
    at = open_app({"lr": "10", "out": "linear", "batch": "1"})
    at.button(key="pg_play").click().run()
    assert not at.exception
    assert at.button(key="pg_play").label == "Play"
    assert any("smaller learning rate" in e.value for e in at.error)
    assert experiment(at).history.diverged


def test_presets_are_one_click_away():
    at = open_app()
    at.button(key="preset_spiral").click().run()
    assert experiment(at).config.dataset == "spiral" and not at.exception
    at.button(key="preset_pg_start").click().run()
    assert experiment(at).config == PLAYGROUND_START and experiment(at).history is None


def _stage(at) -> dict:
    """The data the stage was given (what the browser draws and lets the user click)."""
    import json
    return json.loads(next(b.proto.json for b in at.get("bidi_component")
                           if b.proto.component_name == "nnpg_stage"))


def test_a_teachers_link_hides_and_locks_the_playgrounds_own_controls():
    at = open_app({"hide": "lr,noise,preset", "lock": "batch,hidden,acts,data,features"})
    assert not at.exception
    css = "\n".join(h.proto.body for h in at.get("html") if "st-key-" in h.proto.body)
    hide_rule = next(r for r in css.splitlines() if "display: none" in r)
    lock_rule = next(r for r in css.splitlines() if "pointer-events: none" in r)
    for key in ("pg_lr", "pg_noise"):
        assert f'[class~="st-key-{key}"]' in hide_rule, key
    assert '[class*="st-key-preset_"]' in hide_rule  # the Playground's preset buttons
    for key in ("pg_batch", "pg_act", "pg_task", "pg_sets", "pg_layers_more"):
        assert f'[class~="st-key-{key}"]' in lock_rule, key
    assert '[class*="st-key-pg_more-"]' in lock_rule
    # locked controls are disabled, the others are not
    assert at.select_slider(key="pg_batch").disabled and at.selectbox(key="pg_act").disabled
    assert at.selectbox(key="pg_task").disabled and at.button(key="pg_more.0").disabled
    assert at.button(key="pg_layers_more").disabled
    assert not at.selectbox(key="pg_reg").disabled and not at.slider(key="pg_ratio").disabled
    # the stage offers no feature switches and no point editing
    stage = _stage(at)
    assert stage["all_features"] == [] and stage["edit_hint"] == ""
    assert not [b for b in at.button if b.key and b.key.startswith("preset_")]  # hidden
    # what is not locked still changes; a preset keeps what is locked (the server enforces it)
    at = open_app({"lock": "batch,hidden,data"})
    at.selectbox(key="pg_reg").set_value("l2").run()
    assert experiment(at).config.regularization == "l2"
    before = experiment(at).config
    at.button(key="preset_spiral").click().run()
    after = experiment(at).config
    assert after.batch_size == before.batch_size and after.hidden == before.hidden
    assert after.dataset == before.dataset and after.optimizer == "adam"


def test_without_a_link_every_playground_control_is_enabled():
    at = open_app()
    for box in at.selectbox:
        if box.key and box.key.startswith("pg_"):
            assert not box.disabled, box.key
    stage = _stage(at)
    assert len(stage["all_features"]) == 7 and stage["edit_hint"]


def test_the_worked_example_picked_in_the_sidebar_is_one_row_regression_without_a_warning():
    at = open_app()  # the Playground's start: binary cross-entropy
    at.selectbox(key="cfg.dataset").set_value("worked_example").run()
    assert not at.exception
    assert [w.value for w in at.warning] == []  # picking data is not a mistake to correct
    c = experiment(at).config
    assert (c.dataset, c.loss) == ("worked_example", "mse")
    assert at.selectbox(key="pg_task").value == "regression"
    assert at.selectbox(key="cfg.loss").value == "mse"  # the sidebar agrees
    assert at.query_params == c.to_query_params()  # and so does the link
    assert ("Worked example (1 row): 1 row, used for training and as its own test"
            in [x.value for x in at.caption])


def test_the_data_caption_counts_each_row_once():
    from ui.playground import data_caption
    assert data_caption("Circle", 150, 150, False) == "Circle: 150 training points, " \
                                                      "150 test points"
    assert data_caption("Mine", 1, 0, False) == "Mine: 1 training point, 0 test points"
    assert data_caption("Worked example (1 row)", 1, 1, True) == \
        "Worked example (1 row): 1 row, used for training and as its own test"
    assert data_caption("Tutorial XOR (4 rows)", 4, 4, True) == \
        "Tutorial XOR (4 rows): 4 rows, used for training and as their own test"


def test_only_data_that_tests_on_its_training_rows_is_said_to():
    from nn_core.experiment import build_dataset, worked_example_dataset
    from ui.playground import tests_on_training_rows
    assert tests_on_training_rows(worked_example_dataset())
    assert tests_on_training_rows(build_dataset(ExperimentConfig(dataset="tutorial_xor")))
    assert not tests_on_training_rows(build_dataset(ExperimentConfig()))  # 100 + 100 others


def test_the_sidebar_and_the_top_bar_write_rates_alike():
    at = open_app()
    assert at.select_slider(key="cfg.reg_rate").options == at.selectbox(key="pg_regrate").options
    assert at.select_slider(key="cfg.reg_rate").options[0] == "0"
    assert at.select_slider(key="cfg.lr").options == at.selectbox(key="pg_lr").options
