"""ExperimentConfig: limits, URL round trips, garbage parameters, presets."""

import math

import numpy as np
import pytest

from nn_core.config import LIMITS, PRESETS, ExperimentConfig
from nn_core.experiment import Experiment, build_dataset, build_network
from nn_core.serialization import network_to_json


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_are_valid_and_round_trip_through_the_url(name):
    config = PRESETS[name][1]
    dataset = build_dataset(config)
    assert config.clamp(dataset.y_train.shape[1], dataset.task) == (config, [])
    back, notices = ExperimentConfig.from_query_params(config.to_query_params())
    assert back == config and notices == []
    assert ExperimentConfig.from_query_params({"preset": name}) == (config, [])


def test_link_reproduces_the_same_initial_weights():
    config = ExperimentConfig(hidden=(5, 3), seed=1234, init="xavier", dataset="moons")
    back, _ = ExperimentConfig.from_query_params(config.to_query_params())
    a = build_network(config, build_dataset(config))
    b = build_network(back, build_dataset(back))
    assert network_to_json(a) == network_to_json(b)


@pytest.mark.parametrize("params, field, expected", [
    ({"lr": "abc"}, "lr", 0.03),
    ({"lr": "nan"}, "lr", 0.03),
    ({"lr": "inf"}, "lr", 0.03),
    ({"lr": "1e9"}, "lr", LIMITS.max_lr),
    ({"lr": "-1"}, "lr", LIMITS.min_lr),
    ({"hidden": "4,99"}, "hidden", (4, LIMITS.max_neurons)),
    ({"hidden": "1,1,1,1,1,1,1,1,1"}, "hidden", (1,) * LIMITS.max_hidden_layers),
    ({"hidden": "a,b"}, "hidden", (4, 2)),
    ({"points": "99999999999"}, "n_points", LIMITS.max_points),
    ({"points": "2.5"}, "n_points", 200),
    ({"epochs": "-5"}, "epochs", 1),
    ({"data": "<script>"}, "dataset", "circle"),
    ({"acts": "relu,evil"}, "hidden_activations", ("relu", "tanh")),
    ({"features": "x1,os.system"}, "features", ("x1",)),
    ({"features": "evil"}, "features", ("x1", "x2")),
    ({"bias": "maybe"}, "use_bias", True),
    ({"noise": "0.9"}, "noise", LIMITS.max_noise),
    ({"seed": "x" * 5000}, "seed", 0),
])
def test_garbage_parameters_get_a_notice_and_a_sane_value(params, field, expected):
    config, notices = ExperimentConfig.from_query_params(params)
    assert getattr(config, field) == expected
    assert notices, "a bad parameter must be reported"
    assert config.clamp() == (config, [])


def test_no_hidden_layer_is_a_valid_link():
    config, notices = ExperimentConfig.from_query_params({"hidden": ""})
    assert config.hidden == () and config.hidden_activations == () and notices == []


def test_unknown_parameters_are_reported_not_fatal():
    config, notices = ExperimentConfig.from_query_params({"foo": "bar"})
    assert config == ExperimentConfig() and "foo" in notices[0]


def test_data_dependent_rules():
    three = ExperimentConfig(dataset="three_class", output_activation="sigmoid", loss="mse")
    assert three.clamp(3, "classification")[0] == three  # allowed: one sigmoid per class
    binary, notices = ExperimentConfig(output_activation="softmax", loss="cross_entropy").clamp(
        1, "classification")
    assert binary.output_activation == "sigmoid" and binary.loss == "bce" and len(notices) == 2
    regression, _ = ExperimentConfig(dataset="plane", loss="bce").clamp(1, "regression")
    assert regression.loss == "mse"


def test_experiment_rebuilds_only_when_data_or_architecture_change():
    exp = Experiment()
    net, version = exp.net, exp.version
    exp.apply(ExperimentConfig(lr=0.3, optimizer="adam", epochs=10))
    assert exp.net is net and exp.version == version
    exp.apply(ExperimentConfig(lr=0.3, hidden=(3,), hidden_activations=("relu",)))
    assert exp.net is not net and exp.version == version + 1
    assert exp.net.layer_sizes == [2, 3, 1]


def test_worked_example_preset_has_mazurs_weights():
    exp = Experiment(PRESETS["worked_example"][1])
    np.testing.assert_array_equal(exp.net.weights[0], [[0.15, 0.25], [0.20, 0.30]])
    assert exp.net.forward(exp.X_train).output[0, 0] == pytest.approx(0.75136507, abs=1e-8)


def test_bad_csv_and_network_files_leave_the_experiment_unchanged():
    exp = Experiment()
    before = (exp.config, network_to_json(exp.net), exp.version)
    for bad in (b"", b"\x00\x01\x02", b"a,b,c\n1,2\n", b"1,2,nan\n3,4,1\n"):
        with pytest.raises(ValueError):
            exp.use_csv(bad)
    for bad in (b"{", b'{"layer_sizes": [2, 1]}', network_to_json(Experiment(
            PRESETS["three_class"][1]).net)):
        with pytest.raises(ValueError):
            exp.use_network_json(bad)
    assert (exp.config, network_to_json(exp.net), exp.version) == before


def test_a_good_upload_is_used():
    exp = Experiment()
    exp.use_csv(b"a,b,label\n" + b"".join(f"{i},{i % 3},{i % 2}\n".encode() for i in range(20)))
    assert exp.config.dataset == "csv" and len(exp.X_train) + len(exp.X_test) == 20
    trained = exp.net.copy()
    trained.weights[0][0, 0] = 7.5
    exp.use_network_json(network_to_json(trained))
    assert exp.net.weights[0][0, 0] == 7.5 and exp.initial_net().weights[0][0, 0] == 7.5


def test_limits_are_finite_numbers():
    for value in vars(LIMITS).values():
        assert math.isfinite(value) and value > 0


def test_training_requests_are_capped_by_steps_and_work():
    from nn_core.config import max_epochs

    assert max_epochs(250, 10, 17) <= LIMITS.max_training_steps // 25
    assert max_epochs(2000, 1, 2000) * 2000 <= LIMITS.max_training_steps
    assert max_epochs(4, 0, 16) == LIMITS.max_epochs  # the tutorial's net is never capped
    assert max_epochs(10, 1, 10, runs=10_000_000) == 1  # never below one epoch
    exp = Experiment()
    notices = exp.apply(ExperimentConfig(n_points=2000, batch_size=1, epochs=5000))
    assert exp.config.epochs < 5000 and any("epochs" in n for n in notices)
