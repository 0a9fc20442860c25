"""The experiment's verbs (train, continue, compare, study, step through) and its one key."""

from dataclasses import replace

import numpy as np

from nn_core import train
from nn_core.activation_study import train_activations
from nn_core.comparison import compare
from nn_core.config import PRESETS, ExperimentConfig
from nn_core.experiment import Experiment
from nn_core.stepthrough import step_through


def test_the_key_is_stable_and_follows_config_data_and_parameters():
    a, b = Experiment(), Experiment()
    assert a.key() == b.key() == a.key(True)
    assert a.key(False, "x") != a.key()
    b.net.weights[0][0, 0] += 1e-12  # one parameter, one ulp-sized change: another network
    assert b.key() != a.key() and b.key(True) == a.key(True)
    c = Experiment(replace(ExperimentConfig(), lr=0.3))
    assert c.key(True) != a.key(True)  # a training setting is part of the experiment
    d = Experiment(replace(ExperimentConfig(), data_seed=1))
    assert d.key(True) != a.key(True)


def test_train_and_continue_equal_one_call_of_train():
    exp = Experiment(PRESETS["tutorial"][1])
    net = exp.initial_net()
    expected = train(net, exp.X_train, exp.y_train, epochs=30, optimizer=exp.make_optimizer(),
                     **exp.train_kwargs())
    exp.train(20)
    h = exp.continue_training(10)
    assert h is exp.history and h.loss_list == expected.loss_list
    for w, v in zip(exp.net.weights, net.weights):
        np.testing.assert_array_equal(w, v)
    exp.train(5)  # Train starts again from the initial weights
    assert exp.history.last_epoch == 5 and exp.history.loss_list == expected.loss_list[:5]


def test_continue_keeps_adams_moments_and_a_reset_drops_them():
    exp = Experiment(PRESETS["spiral"][1])
    opt = exp.optimizer()
    exp.continue_training(1)
    assert exp.optimizer() is opt
    exp.reset_network()
    assert exp.optimizer() is not opt


def test_adopting_a_result_gives_the_same_network_and_history():
    first, second = Experiment(PRESETS["tutorial"][1]), Experiment(PRESETS["tutorial"][1])
    first.train(15)
    assert first.shareable() and not Experiment(PRESETS["spiral"][1]).shareable()
    second.adopt(first.result())
    assert second.key() == first.key() and second.history.loss_list == first.history.loss_list


def test_compare_and_study_train_from_the_initial_weights():
    exp = Experiment()
    exp.train(3)  # the session's own training does not move a comparison's start
    c = exp.config
    runs = exp.compare("lr", [0.01, 0.1], 5)
    expected = compare(exp.initial_net(), exp.X_train, exp.y_train, "lr", [0.01, 0.1], 5,
                       lr=c.lr, optimizer=c.optimizer, batch_size=c.batch_size, loss=c.loss,
                       X_test=exp.X_test, y_test=exp.y_test, seed=c.seed)
    assert [r.history.loss_list for r in runs] == [r.history.loss_list for r in expected]
    study = exp.study(["tanh", "relu"], 4)
    direct = train_activations(exp.initial_net(), exp.X_train, exp.y_train, ["tanh", "relu"], 4,
                               lr=c.lr, batch_size=c.batch_size, loss=c.loss,
                               X_test=exp.X_test, y_test=exp.y_test, seed=c.seed)
    assert [r.history.loss_list for r in study] == [r.history.loss_list for r in direct]


def test_step_through_is_the_engines_and_a_variant_leaves_the_session_alone():
    exp = Experiment(PRESETS["worked_example"][1])
    steps = exp.step_through(exp.X_train[0], exp.y_train[0])
    direct = step_through(exp.net, exp.X_train[0], exp.y_train[0], loss="mse", lr=0.5)
    assert steps.to_text() == direct.to_text()
    before = exp.key()
    twin, notices = exp.variant(lr=0.03)
    assert not notices and twin.config.lr == 0.03 and exp.config.lr == 0.5
    assert exp.key() == before
    np.testing.assert_array_equal(twin.net.weights[0], exp.net.weights[0])  # Mazur's weights
    other, _ = Experiment().variant(hidden=(3,))
    assert other.net.layer_sizes[1] == 3


def test_picking_regression_data_brings_its_squared_error_loss_without_a_notice():
    """The Playground starts on binary cross-entropy; a student who then picks the worked
    example (or the plane) did nothing wrong: the loss becomes MSE and nothing is said."""
    from nn_core.config import PLAYGROUND_START
    for dataset in ("worked_example", "plane"):
        exp = Experiment(PLAYGROUND_START)
        assert exp.apply(replace(exp.config, dataset=dataset)) == []
        assert (exp.config.dataset, exp.config.loss, exp.task) == (dataset, "mse", "regression")
    # Back to classification: MSE is a loss it can use, so it stays (no notice either).
    assert exp.apply(replace(exp.config, dataset="circle")) == [] and exp.config.loss == "mse"


def test_a_cross_entropy_asked_for_with_regression_data_is_still_corrected_aloud():
    """A link (or a change) that asks for the loss and the data together gets the notice."""
    exp = Experiment()  # MSE
    notices = exp.apply(replace(exp.config, dataset="worked_example", loss="bce"))
    assert notices == ["loss: a regression target needs a squared-error loss; using 'mse'."]
    assert exp.config.loss == "mse"
    config, notices = ExperimentConfig.from_query_params({"data": "worked_example",
                                                          "loss": "bce"})
    assert Experiment().apply(config) != []
