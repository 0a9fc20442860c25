"""Every "NumPy script" download button yields a script that names the experiment."""

import ast

import numpy as np
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from nn_core.config import PRESETS
from tests.app_helpers import experiment, open_app, open_tab


@pytest.fixture
def downloads(monkeypatch):
    """Record the callable behind every deferred download the app offers, by file id."""
    files = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = original(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        files[file_id] = (data_callable, file_name)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return files


def script_of(at, files, key):
    """Return (text, file name) of the download button with this key, as a click makes it."""
    (button,) = [b for b in at.get("download_button") if b.key == key]
    make, name = files[button.proto.deferred_file_id]
    return make(), name


def assert_names_the_experiment(text, title):
    docstring = ast.get_docstring(ast.parse(text))
    assert text.startswith('"""') and docstring.splitlines()[0] == title


def test_the_sidebar_script_is_the_experiment_from_its_initial_weights(downloads):
    at = open_app({"preset": "tutorial"})
    assert not at.exception
    text, name = script_of(at, downloads, "download_script")
    assert_names_the_experiment(text, PRESETS["tutorial"][0])
    assert name == "tutorial_xor_initial.py"
    assert "EPOCHS = 1500\n" in text and "weights before training" in text
    first = experiment(at).initial_net().weights[0][0, 0]
    assert repr(float(first)) in text


def test_training_offers_the_run_from_its_initial_and_from_its_trained_weights(downloads):
    at = open_app({"preset": "worked_example"}, page="pages/training.py")
    at.number_input(key="train.epochs").set_value(30)
    at.button(key="train.train").click().run()
    assert not at.exception
    exp = experiment(at)
    title = PRESETS["worked_example"][0]
    text, name = script_of(at, downloads, "train.download_script")
    assert_names_the_experiment(text, title)
    assert "EPOCHS = 30\n" in text and name == "worked_example_initial.py"
    assert repr(0.15) in text  # Mazur's first weight, before training
    text, name = script_of(at, downloads, "train.download_script_trained")
    assert_names_the_experiment(text, title)
    assert "after 30 epochs of training" in text and name == "worked_example_trained.py"
    assert repr(float(exp.net.weights[0][0, 0])) in text
    assert not np.isclose(exp.net.weights[0][0, 0], 0.15)


def test_backprop_offers_the_network_as_it_is(downloads):
    at = open_app({"preset": "three_class", "epochs": "5"}, page="pages/backprop.py")
    open_tab(at, "bp.tab", "Check your own numbers")
    assert not at.exception
    text, name = script_of(at, downloads, "bp.download_script")
    assert_names_the_experiment(text, PRESETS["three_class"][0])
    assert name == "three_class_current.py" and "EPOCHS = 5\n" in text


def _page_with_diverged_weights():
    import numpy as np

    from nn_core.config import PRESETS
    from nn_core.experiment import Experiment
    from ui.script_download import numpy_script_button

    exp = Experiment(PRESETS["playground"][1])
    exp.net.weights[0][0, 0] = np.nan
    numpy_script_button(exp, key="script", trained=True)


def test_a_network_no_script_can_reproduce_gets_the_reason_instead_of_the_button():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_page_with_diverged_weights).run()
    assert not at.exception
    assert not at.get("download_button")
    assert "No NumPy script of this network: some weights are NaN or infinite" in at.caption[0].value
