"""JSON round trips are exact; bad files are rejected with a reason."""

import json

import numpy as np
import pytest

from nn_core import Network, network_from_json, network_to_json, trace_from_json, trace_to_json


def test_network_round_trip_is_exact():
    net = Network([3, 5, 2, 2], ["elu", "gelu", "softmax"], init="he", seed=9)
    twin = network_from_json(network_to_json(net))
    assert twin.layer_sizes == net.layer_sizes and twin.activations == net.activations
    for a, b in zip(net.weights + net.biases, twin.weights + twin.biases):
        np.testing.assert_array_equal(a, b)
    X = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_array_equal(net.forward(X).output, twin.forward(X).output)


def test_no_bias_network_round_trip():
    net = Network([3, 4, 1], init="uniform", seed=1, use_bias=False)
    assert network_from_json(network_to_json(net)).use_bias is False


def test_trace_round_trip():
    trace = Network([2, 3, 1], seed=0).forward([[0.1, 0.2], [0.3, -0.4]])
    back = trace_from_json(trace_to_json(trace))
    for a, b in zip(trace.activations + trace.pre_activations,
                    back.activations + back.pre_activations):
        np.testing.assert_array_equal(a, b)


def good():
    return json.loads(network_to_json(Network([2, 2, 1], seed=0)))


@pytest.mark.parametrize("mutate, message", [
    (lambda d: "not json {", "not valid JSON"),
    (lambda d: json.dumps([1, 2]), "JSON object"),
    (lambda d: json.dumps({k: v for k, v in d.items() if k != "weights"}), "lacks weights"),
    (lambda d: json.dumps({**d, "weights": [[[1.0, 2.0]], [[1.0], [2.0]]]}), r"shape \(2, 2\)"),
    (lambda d: json.dumps({**d, "activations": "sigmoidx"}), "unknown activation"),
    (lambda d: json.dumps(d).replace("0.1", "NaN", 1), "not a number"),
    (lambda d: json.dumps({**d, "weights": [[["a", 1], [1, 1]], [[1], [1]]]}), "numbers"),
    (lambda d: json.dumps({**d, "layer_sizes": [2, 100000, 1]}), "layer_sizes"),
    (lambda d: b"\xff\xfe\x00", "UTF-8"),
])
def test_bad_network_files_are_rejected(mutate, message):
    with pytest.raises(ValueError, match=message):
        network_from_json(mutate(good()))


def test_a_network_survives_the_copy_that_st_cache_data_makes():
    import pickle

    net = Network([2, 3, 2], ["gelu", "softmax"], seed=3)
    twin = pickle.loads(pickle.dumps(net))
    X = np.random.default_rng(1).normal(size=(4, 2))
    np.testing.assert_array_equal(net.forward(X).output, twin.forward(X).output)
    twin.weights[0][0, 0] += 1  # a copy, not shared
    assert net.weights[0][0, 0] != twin.weights[0][0, 0]
