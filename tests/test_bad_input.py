"""What users and mischief send: bad links, bad CSVs, bad network files, on every page.

Each gets a clear message; the session keeps its previous experiment (the network JSON is
compared before and after) and keeps working; nothing a user sends is executed or unpickled.
Uploads go through the sidebar's real st.file_uploader widgets (AppTest supports them).
"""

from __future__ import annotations

import json
import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from nn_core import Network, network_to_json
from nn_core.config import LIMITS, URL_KEYS, ExperimentConfig
from nn_core.serialization import MAX_JSON_BYTES
from tests.app_helpers import experiment, open_app

ROOT = Path(__file__).resolve().parents[1]
# Every page the navigation lists, read from ui/navigation.py, so a new page is covered when it
# lands.
PAGES = re.findall(r'st\.Page\("(pages/\w+\.py)"', (ROOT / "ui" / "navigation.py").read_text())
PWNED = Path("/tmp/nn_playground_pwned")


def state(at):
    """What must not change after rejected input: the config and every weight, exactly."""
    exp = experiment(at)
    return exp.config, network_to_json(exp.net), exp.version


def shown(at, kind):
    return " ".join(e.value for e in getattr(at, kind))


# ---------- links (query parameters)

BAD_LINKS = {
    "garbage": {"lr": "abc", "hidden": "a,b", "data": "<script>alert(1)</script>",
                "acts": "rm -rf /", "opt": "__import__('os')"},
    "huge": {"points": "1e300", "hidden": ",".join(["16"] * 500), "epochs": "99999999999",
             "lr": "1e308", "seed": str(10**40), "batch": "1e9", "regrate": "1e9"},
    "negative": {"points": "-5", "noise": "-1", "ratio": "-0.5", "lr": "-3", "epochs": "-10",
                 "hidden": "-4,-2", "seed": "-1", "batch": "-7"},
    "nan_inf": {"lr": "nan", "noise": "inf", "ratio": "-inf", "regrate": "NaN",
                "points": "nan", "epochs": "inf"},
    "wrong_types": {"bias": "maybe", "features": "x9,,;", "hidden": "4.5,2", "points": "[]",
                    "epochs": "{}", "preset": "does_not_exist", "zzz": "1"},
    "very_long": {"acts": "tanh," * 3000, "data": "x" * 100_000},
}


def assert_sane(at):
    """The app rendered, said what it replaced, and the experiment is within LIMITS."""
    assert not at.exception, [e.value for e in at.exception]
    assert at.warning, "the user is told which values were replaced"
    config = experiment(at).config
    assert config.clamp() == (config, []), "the experiment the session got is within LIMITS"
    assert config.epochs <= LIMITS.max_epochs
    assert len(config.hidden) <= LIMITS.max_hidden_layers
    assert all(1 <= h <= LIMITS.max_neurons for h in config.hidden)
    assert np.isfinite(config.lr) and LIMITS.min_lr <= config.lr <= LIMITS.max_lr


@pytest.mark.parametrize("name", list(BAD_LINKS))
def test_each_kind_of_bad_link_gets_a_notice_and_a_sane_experiment(name):
    at = open_app(BAD_LINKS[name])
    assert_sane(at)
    told = shown(at, "warning")
    # every bad parameter is named in the notices (by its URL key or its setting's name), so
    # the user knows what was ignored
    field = {url: name for name, url in URL_KEYS.items()}
    for key in BAD_LINKS[name]:
        assert key in told or field.get(key, key) in told, f"no notice names {key!r}: {told}"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_from_a_bad_link(page):
    params = {k: v for kind in ("garbage", "negative", "nan_inf") for k, v in
              BAD_LINKS[kind].items()}
    at = open_app(params, page=page)
    assert not at.exception, [e.value for e in at.exception]
    config = experiment(at).config
    assert config.clamp() == (config, [])
    # the page shows its own content for the clamped experiment, not an empty shell
    assert at.title or at.markdown


def test_a_repeated_parameter_uses_one_value():
    at = open_app({"lr": ["0.1", "abc", "0.3"]})
    assert not at.exception
    assert experiment(at).config.lr in (0.1, 0.3, ExperimentConfig().lr)


def test_the_training_cap_holds_for_a_huge_epoch_request_from_a_link():
    from nn_core.experiment import Experiment

    at = open_app({"epochs": "5000", "points": "2000", "hidden": "16,16,16,16,16,16",
                   "batch": "1"})
    assert not at.exception
    exp = experiment(at)
    assert exp.config.epochs <= Experiment.epoch_cap(exp.config, exp.dataset) < 5000
    assert "epochs" in shown(at, "warning")


# ---------- CSV uploads through the sidebar's uploader

def _code_cell():
    return (f"x1,x2,label\n1,2,0\n__import__('os').system('touch {PWNED}'),3,1\n"
            f"eval(\"open('{PWNED}','w')\"),4,0\n5,6,1\n").encode()


BAD_CSVS = {
    "empty": (b"", "empty"),
    "blank_lines": (b"\n \n\t\n", "empty"),
    "binary": (bytes(range(256)) * 8, "binary"),
    "pickle": (pickle.dumps({"X": [[1, 2]], "y": [0]}), "binary"),
    "numpy_npy": (b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False}", "binary"),
    "utf16": ("1,2,0\n3,4,1\n".encode("utf-16"), "UTF-16"),
    "latin1": ("caf\xe9,y,label\n1,2,0\n3,4,1\n".encode("latin-1"), "UTF-8"),
    "ragged": (b"1,2,0\n3,4\n5,6,1\n", "same number of columns"),
    "non_numeric": (b"a,b,label\n1,x,0\n2,3,1\n", "not a number"),
    "formula": (b"1,2,0\n=1+1,4,1\n5,6,0\n", "not a number"),
    "nan": (b"1,2,0\nnan,nan,1\n3,4,0\n", "NaN"),
    "inf": (b"1,2,0\ninf,1,1\n3,4,0\n", "NaN or inf"),
    "overflow": (b"1,2,0\n1e400,4,1\n5,5,0\n", "NaN or inf"),
    "one_class": (b"1,2,0\n3,4,0\n5,6,0\n", "two classes"),
    "one_column": (b"1\n2\n3\n", "2 columns"),
    "bad_labels": (b"1,2,5\n3,4,7\n5,5,5\n", "0 to K-1"),
    "too_many_columns": ((",".join(["1"] * (LIMITS.max_csv_columns + 3)) + "\n") .encode() * 5,
                         "too many columns"),
    "too_many_rows": (b"1,2,0\n3,4,1\n" * LIMITS.max_csv_rows, "too many rows"),
    "enormous": (b"0.25,0.75,1\n" * (LIMITS.max_upload_bytes // 12 + 100), "too big"),
    "code_in_cells": (_code_cell(), "not a number"),
}


@pytest.fixture
def fresh_app():
    PWNED.unlink(missing_ok=True)
    at = open_app()
    at.button(key="preset_spiral").click().run()  # a non-default experiment to keep
    assert experiment(at).config.dataset == "spiral"
    return at


@pytest.mark.parametrize("name", list(BAD_CSVS))
def test_a_bad_csv_gets_a_clear_message_and_changes_nothing(fresh_app, name):
    at = fresh_app
    data, reason = BAD_CSVS[name]
    before = state(at)
    at.file_uploader(key="upload_csv").upload(f"{name}.csv", data, "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    message = shown(at, "error")
    assert f"{name}.csv was not loaded" in message and "unchanged" in message
    assert reason.lower() in message.lower(), message
    assert len(message) < 600, "a message, not a dump of the file"
    assert state(at) == before
    assert not PWNED.exists(), "a cell was executed"
    # the session keeps working: a setting change and another page still render
    at.select_slider(key="cfg.lr").set_value(0.1).run()
    at.switch_page("pages/feedforward.py").run()
    assert not at.exception and experiment(at).config.lr == 0.1
    assert experiment(at).config.dataset == "spiral"


def test_a_good_csv_after_a_bad_one_is_used():
    """The upload path really loads files: the rejections above are not for every file."""
    at = open_app()
    at.file_uploader(key="upload_csv").upload("bad.csv", b"1,2\nx,y\n", "text/csv").run()
    rows = "".join(f"{i % 7 * 0.5},{i % 5 * 0.25},{i % 2}\n" for i in range(40))
    at.file_uploader(key="upload_csv").set_value(("good.csv", rows.encode(), "text/csv")).run()
    assert not at.exception
    assert "Loaded good.csv: 40 rows" in shown(at, "success")
    exp = experiment(at)
    assert exp.config.dataset == "csv" and len(exp.X_train) + len(exp.X_test) == 40


def test_a_pickle_named_pickle_is_refused_before_it_is_read():
    # The uploader only takes .csv/.txt; Streamlit refuses the file's name before our code
    # (or anything) reads its bytes. The bytes here would run code if they were unpickled.
    PWNED.unlink(missing_ok=True)

    class Boom:
        def __reduce__(self):
            import os

            return os.system, (f"touch {PWNED}",)

    at = open_app()
    before = state(at)
    at.file_uploader(key="upload_csv").upload("data.pkl", pickle.dumps(Boom()),
                                              "application/octet-stream").run()
    assert "Invalid file extension" in " ".join(e.value for e in at.exception)
    assert not PWNED.exists()
    assert state(at) == before
    # under any name the bytes are refused as binary, never unpickled
    at = open_app()
    at.file_uploader(key="upload_csv").upload("data.csv", pickle.dumps(Boom()), "text/csv").run()
    assert not at.exception and "binary" in shown(at, "error")
    assert not PWNED.exists()


def test_extreme_but_finite_csv_values_are_refused_with_a_message():
    at = open_app()
    data = b"1e308,1e308,0\n-1e308,1e308,1\n1,2,0\n3,3,1\n"
    with warnings.catch_warnings(record=True) as caught:  # filters are process-wide
        warnings.simplefilter("always")
        at.file_uploader(key="upload_csv").upload("big.csv", data, "text/csv").run()
        message = shown(at, "error")
        at.switch_page("pages/network_graph.py").run()
    assert not at.exception
    assert "big.csv was not loaded" in message and "scale the column" in message
    assert experiment(at).config.dataset == "circle"
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]


# ---------- network files through the sidebar's uploader

def _net(sizes=(2, 4, 2, 1), acts=("tanh", "tanh", "sigmoid")):
    return json.loads(network_to_json(Network(list(sizes), list(acts), seed=3)))


def _with(**changes):
    d = _net()
    d.update(changes)
    return json.dumps(d).encode()


def _nan_weight():
    d = _net()
    d["weights"][0][0][0] = "NaN-placeholder"
    return json.dumps(d).replace('"NaN-placeholder"', "NaN").encode()


BAD_NETWORKS = {
    "not_json": (b"{'layer_sizes': [2, 1]", "not valid JSON"),
    "empty": (b"", "not valid JSON"),
    "a_list": (b"[1, 2, 3]", "JSON object"),
    "missing_keys": (b'{"layer_sizes": [2, 1]}', "lacks"),
    "binary": (pickle.dumps({"weights": 1}), "UTF-8"),
    "wrong_shape": (_with(weights=[np.zeros((3, 4)).tolist(), np.zeros((4, 2)).tolist(),
                                   np.zeros((2, 1)).tolist()]), "shape"),
    "wrong_count": (_with(weights=[np.zeros((2, 4)).tolist()]), "weight matrices"),
    "unknown_activation": (_with(activations=["tanh", "os.system", "sigmoid"]),
                           "unknown activation"),
    "nan_weight": (_nan_weight(), "NaN"),
    "inf_weight": (json.dumps(_net()).replace("0.", "1e999", 1).encode(), "infinite"),
    "string_weights": (_with(biases=[["a"] * 4, ["b"] * 2, ["c"]]), "numbers"),
    "wrong_inputs": (json.dumps(_net((3, 4, 1), ("tanh", "sigmoid"))).encode(), "inputs"),
    "too_wide": (json.dumps(_net((2, 64, 1), ("tanh", "sigmoid"))).encode(), "limits"),
    "too_deep": (json.dumps(_net((2,) + (4,) * 10 + (1,), ("tanh",) * 10 + ("sigmoid",)))
                 .encode(), "limits"),
    "softmax_hidden": (_with(activations=["softmax", "tanh", "sigmoid"]), "softmax"),
    "softmax_one_output": (_with(activations=["tanh", "tanh", "softmax"]), "softmax"),
    "huge": (b'{"layer_sizes": [2, 1], "pad": "' + b"x" * (MAX_JSON_BYTES + 10) + b'"}',
             "larger than"),
    "unknown_initializer": (_with(init="__import__('os').system('id')"), "unknown initializer"),
}


@pytest.mark.parametrize("name", list(BAD_NETWORKS))
def test_a_bad_network_file_gets_a_clear_message_and_changes_nothing(name):
    at = open_app()
    at.select_slider(key="cfg.lr").set_value(0.3).run()  # a non-default experiment to keep
    data, reason = BAD_NETWORKS[name]
    before = state(at)
    at.file_uploader(key="upload_network").upload(f"{name}.json", data,
                                                  "application/json").run()
    assert not at.exception, [e.value for e in at.exception]
    message = shown(at, "error")
    assert f"{name}.json was not loaded" in message and "unchanged" in message
    assert reason.lower() in message.lower(), message
    assert len(message) < 600
    assert state(at) == before
    at.switch_page("pages/training.py").run()
    assert not at.exception and experiment(at).config.lr == 0.3


@pytest.mark.parametrize("data", [_with(activations=5), b"[" * 100_000 + b"]" * 100_000],
                         ids=["activations_a_number", "deeply_nested"])
def test_odd_json_structures_are_rejected_with_a_message(data):
    at = open_app()
    before = state(at)
    at.file_uploader(key="upload_network").upload("odd.json", data, "application/json").run()
    assert not at.exception
    assert "was not loaded" in shown(at, "error")
    assert state(at) == before


def test_a_good_network_file_is_used():
    at = open_app()
    at.file_uploader(key="upload_network").upload("mine.json", _with(), "application/json").run()
    assert not at.exception and "Loaded the network" in shown(at, "success")
    net = experiment(at).net
    assert net.layer_sizes == [2, 4, 2, 1]
    expected = Network([2, 4, 2, 1], ["tanh", "tanh", "sigmoid"], seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, expected.weights))
