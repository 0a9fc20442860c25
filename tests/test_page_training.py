"""The Training page through AppTest: Train, Continue, Reset, Live, comparisons, divergence."""

import json

import numpy as np

from tests.app_helpers import experiment, open_app

PAGE = "pages/training.py"


def _train(at, epochs):
    at.number_input(key="train.epochs").set_value(epochs)
    at.button(key="train.train").click().run()
    assert not at.exception
    return experiment(at)


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_train_continue_reset_keep_one_history_from_the_same_start():
    at = open_app(page=PAGE)
    assert not at.exception
    exp = experiment(at)
    start = exp.initial_net()
    exp = _train(at, 40)
    h = exp.history
    assert h.last_epoch == 40 and _metric(at, "Epoch") == "40"
    assert at.get("plotly_chart")  # the replay is drawn
    assert _metric(at, "Train loss") == f"{h.loss_list[-1]:.4g}"

    at.button(key="train.continue").click().run()
    assert not at.exception
    assert exp.history is h and h.last_epoch == 80  # the same History continues
    assert list(h.epochs) == list(range(1, 81))
    np.testing.assert_array_equal(h.snapshots[0].weights[0], start.weights[0])
    np.testing.assert_array_equal(h.snapshots[-1].weights[0], exp.net.weights[0])

    at.button(key="train.reset").click().run()
    assert not at.exception
    exp = experiment(at)
    assert exp.history is None
    for a, b in zip(exp.net.weights, start.weights):
        np.testing.assert_array_equal(a, b)
    assert any("initial weights" in i.value for i in at.info)

    exp = _train(at, 25)  # Train starts again from the initial weights
    assert exp.history.last_epoch == 25
    np.testing.assert_array_equal(exp.history.snapshots[0].weights[1], start.weights[1])


def test_epochs_beyond_the_cap_are_clamped_with_a_message():
    at = open_app({"preset": "spiral"}, page=PAGE)
    exp = _train(at, 5000)
    cap = exp.epoch_cap(exp.config, exp.dataset)
    assert cap < 5000 and exp.history.last_epoch == cap
    # the setting itself is clamped (the page's Epochs and the sidebar's are one), with why
    assert exp.config.epochs == cap and at.number_input(key="train.epochs").value == cap
    assert any("too long" in m.value for m in [*at.info, *at.warning])


def test_one_epochs_setting_for_the_page_and_the_sidebar():
    at = open_app({"preset": "tutorial"}, page=PAGE)
    at.number_input(key="train.epochs").set_value(321).run()
    assert experiment(at).config.epochs == 321
    assert at.number_input(key="cfg.epochs").value == 321
    at.number_input(key="cfg.epochs").set_value(123).run()
    assert at.number_input(key="train.epochs").value == 123


def test_epoch_0_shows_the_network_its_output_and_an_empty_loss_chart():
    at = open_app(page=PAGE)
    assert not at.exception and experiment(at).history is None
    charts = at.get("plotly_chart")
    assert len(charts) >= 1  # the start view, before any training


def test_live_step_play_and_pause():
    at = open_app(page=PAGE)
    at.toggle(key="train.live").set_value(True).run()
    assert not at.exception
    at.button(key="train.live_step").click().run()
    exp = experiment(at)
    assert exp.history.last_epoch == 1
    at.button(key="train.live_play").click().run()  # play: each run trains a chunk
    after_play = exp.history.last_epoch
    assert after_play > 1
    at.run()
    assert exp.history.last_epoch > after_play
    at.button(key="train.live_play").click().run()  # pause
    paused = exp.history.last_epoch
    at.run()
    assert exp.history.last_epoch == paused and not at.exception
    assert _metric(at, "Epoch") == str(paused)


def _charts(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_learning_rate_comparison_labels_each_run():
    at = open_app(page=PAGE)
    at.button(key="train.cmp_run").click().run()
    assert not at.exception
    table = at.table[0].value
    assert list(table.index) == ["lr 0.001", "lr 0.01", "lr 0.1", "lr 1", "lr 10"]
    assert table["verdict"].iloc[0] == "too slow"
    # every verdict used is defined beside the table
    defined = " ".join(m.value for m in at.markdown if m.value.startswith("- **"))
    for verdict in table["verdict"]:
        for word in verdict.split(", "):
            assert f"**{word}**:" in defined
    assert table["final train loss"].dtype.kind == "f"


def test_tutorial_learning_rate_explained_with_the_networks_own_numbers():
    from nn_core.lr_picture import line_picture, one_weight_step
    from nn_core.lr_verdicts import judge_runs

    at = open_app({"preset": "tutorial"}, page=PAGE)
    assert not at.exception
    exp = experiment(at)
    step = one_weight_step(exp.net, exp.X_train, exp.y_train, "sse", 1.0)
    rule = [x.value for x in at.latex if "W^{(1)}_{1,1}" in x.value]
    assert rule and f"{step.w:.5f} - 1 \\times ({step.grad:.5g}) = {step.new_w:.5f}" in rule[0]
    pic = line_picture(exp.net, exp.X_train, exp.y_train, "sse", extra_lrs=[1.0])
    panels = _charts(at)[-1]
    titles = [a["text"] for a in panels["layout"]["annotations"] if "η =" in a["text"]]
    assert [t.split("<b>")[1].rstrip("</b>") for t in titles] == [p.outcome for p in pic.paths]
    assert {"crawling", "converging", "bouncing across the valley"} <= {p.outcome for p in pic.paths}
    at.slider(key="train.lr_steps").set_value(2).run()
    points = [t for t in _charts(at)[-1]["data"] if t.get("mode") == "lines+markers+text"]
    assert all(len(t["text"]) == 3 for t in points)  # steps 0, 1, 2

    at.button(key="train.cmp_run").click().run()
    assert not at.exception
    table = at.table[0].value
    runs = sorted(experiment(at).compare("lr", [0.001, 0.01, 0.1, 1.0, 10.0], 300),
                  key=lambda r: r.value)
    assert list(table["verdict"]) == [v.text for v in judge_runs([r.history for r in runs])]
    legend = [t["name"] for t in _charts(at)[-1]["data"] if t.get("mode") == "lines"]
    assert [n.split(":")[0] for n in legend] == list(table.index)
    # the run ending lowest is never labelled too slow or diverged
    lowest = table["final train loss"].idxmin()
    assert not {"too slow", "diverged"} & set(table.loc[lowest, "verdict"].split(", "))


def test_optimizer_and_batch_comparisons():
    at = open_app(page=PAGE)
    at.segmented_control(key="train.cmp_kind").set_value("optimizer").run()
    at.button(key="train.cmp_run").click().run()
    assert not at.exception
    assert list(at.table[0].value.index) == ["SGD", "Momentum", "Adam"]
    at.segmented_control(key="train.cmp_kind").set_value("batch_size").run()
    at.button(key="train.cmp_run").click().run()
    assert not at.exception
    assert list(at.table[0].value.index) == ["batch 1", "batch 10", "batch 50", "full batch"]


def test_typed_learning_rates_are_validated():
    at = open_app(page=PAGE)
    at.multiselect(key="train.cmp_values.lr").set_value([0.1, "abc", "1e9"]).run()
    assert any("abc" in w.value for w in at.warning)
    at.button(key="train.cmp_run").click().run()
    assert not at.exception
    assert list(at.table[0].value.index) == ["lr 0.1", "lr 10"]


def test_tutorial_net_with_lr_10_shows_the_overshoot_notice():
    at = open_app({"preset": "tutorial", "lr": "10"}, page=PAGE)
    assert experiment(at).config.lr == 10.0
    _train(at, 300)
    texts = [w.value for w in at.warning] + [e.value for e in at.error]
    assert any("overshoot" in t and "smaller learning rate" in t for t in texts)


def test_divergence_stops_training_and_says_where():
    at = open_app({"data": "plane", "hidden": "8", "acts": "relu", "out": "linear",
                   "loss": "mse", "init": "he", "lr": "10", "batch": "0"}, page=PAGE)
    exp = _train(at, 200)
    h = exp.history
    assert h.diverged and h.last_epoch < 200
    errors = [e.value for e in at.error]
    assert any(f"epoch {h.stop_epoch}" in e and "smaller learning rate" in e for e in errors)
    assert at.button(key="train.continue").disabled
    assert all(np.all(np.isfinite(w)) for w in exp.net.weights)


def test_a_second_session_with_the_same_link_gets_the_same_training_as_a_copy():
    from nn_core import network_to_json
    from tests.app_helpers import experiment

    first = open_app({"preset": "tutorial", "epochs": "200"}, page="pages/training.py")
    first.button(key="train.train").click().run()
    second = open_app({"preset": "tutorial", "epochs": "200"}, page="pages/training.py")
    second.button(key="train.train").click().run()
    a, b = experiment(first), experiment(second)
    assert not second.exception and b.history.last_epoch == a.history.last_epoch
    assert network_to_json(a.net) == network_to_json(b.net)
    assert b.history.loss_list == a.history.loss_list
    # a copy: training one session further leaves the other as it was
    before = network_to_json(a.net)
    second.button(key="train.continue").click().run()
    assert network_to_json(a.net) == before != network_to_json(b.net)


def test_train_through_the_queue_gives_the_numbers_of_training_alone():
    """While the server trains (the lane is held), a Train queues; the worker trains a copy
    and the page takes it over: the same numbers as the session training it itself."""
    import threading

    from nn_core.experiment import Experiment
    from tests.app_helpers import experiment
    from ui import train_queue

    at = open_app({"seed": "4242", "epochs": "60"}, page=PAGE)  # a seed nobody trained
    q = train_queue.shared()
    held, queued = threading.Event(), []

    def another_students_training():  # holds the lane until this page's request is queued
        with q.lane_if_idle() as inline:
            assert inline
            held.set()
            with q.cond:
                assert q.cond.wait_for(lambda: q.pending, timeout=60)
                queued.extend(q.pending)

    other = threading.Thread(target=another_students_training)
    other.start()
    assert held.wait(30)
    exp = experiment(at)
    before = exp.net
    at.button(key="train.train").click().run()
    other.join(30)
    assert not at.exception and len(queued) == 1 and queued[0].state == "done"
    assert queued[0].exp is not exp and exp.net is not before
    alone = Experiment(exp.config)
    alone.train(60)
    assert exp.history.loss_list == alone.history.loss_list
    for a, b in zip(exp.net.weights + exp.net.biases, alone.net.weights + alone.net.biases):
        np.testing.assert_array_equal(a, b)
    assert _metric(at, "Epoch") == "60"
    assert _metric(at, "Train loss") == f"{alone.history.loss_list[-1]:.4g}"
    at.button(key="train.continue").click().run()  # and Continue goes on from it
    assert not at.exception and exp.history.last_epoch == 120
