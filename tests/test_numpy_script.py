"""The exported NumPy script, run by python3, prints train()'s losses and ends at its weights."""

import ast
import json
import re
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from nn_core import (
    ACTIVATIONS,
    LOSSES,
    SGD,
    Adam,
    Network,
    experiment_script,
    script_refusal,
    to_numpy_script,
    train,
)
from nn_core.config import PRESETS
from nn_core.experiment import Experiment
from tests.test_worked_examples import TUTORIAL_X, TUTORIAL_Y, tutorial_reference

RTOL = 1e-12
# Runs each script's main() with its output captured, and reports what it printed and its
# final parameters as JSON (repr precision): many scripts, one interpreter.
DRIVER = r"""
import contextlib, io, json, runpy, sys
results = []
for path in sys.argv[1:]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        nn = runpy.run_path(path)["main"]()
    results.append({"stdout": out.getvalue(), "W": [w.tolist() for w in nn.W],
                    "b": [v.tolist() for v in getattr(nn, "b", [])],
                    "output": nn.a[-1].tolist()})
print(json.dumps(results))
"""


def run_scripts(tmp_path, texts):
    """Return, per script text, what running it printed and its final W, b and output."""
    paths = []
    for i, text in enumerate(texts):
        path = tmp_path / f"script_{i}.py"
        path.write_text(text)
        paths.append(str(path))
    done = subprocess.run([sys.executable, "-c", DRIVER, *paths], capture_output=True,
                          text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def printed_losses(stdout):
    """Return {epoch: loss} from the script's `epoch N loss L` lines."""
    return {int(m[1]): float(m[2])
            for m in re.finditer(r"^epoch (\d+) loss (\S+)$", stdout, re.MULTILINE)}


def assert_same_as_train(result, net, history, X, epochs, every):
    losses = printed_losses(result["stdout"])
    expected_epochs = [0, *range(every, epochs + 1, every)]
    if epochs not in expected_epochs:
        expected_epochs.append(epochs)
    assert sorted(losses) == expected_epochs
    assert losses[0] == pytest.approx(history.initial_loss, rel=RTOL, abs=0)
    for epoch in expected_epochs[1:]:
        assert losses[epoch] == pytest.approx(history.loss_list[epoch - 1], rel=RTOL, abs=0)
    for mine, theirs in zip(result["W"], net.weights):
        np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=1e-300)
    if net.use_bias:
        for mine, theirs in zip(result["b"], net.biases):
            np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=1e-300)
    np.testing.assert_allclose(result["output"], net.predict(X), rtol=RTOL, atol=1e-300)
    assert "The output for each training input:" in result["stdout"]


def every_of(text):
    return int(re.search(r"^PRINT_EVERY = (\d+)", text, re.MULTILINE)[1])


def test_every_preset_prints_the_losses_and_ends_at_the_weights_of_train(tmp_path):
    cases, texts = [], []
    for _, config in PRESETS.values():
        config = replace(config, epochs=min(config.epochs, 60))
        exp = Experiment(config)
        texts.append(experiment_script(exp))
        net = exp.initial_net()
        history = train(net, exp.X_train, exp.y_train, epochs=config.epochs,
                        optimizer=exp.make_optimizer(), **exp.train_kwargs())
        cases.append((net, history, exp.X_train, config.epochs))
    for result, text, (net, history, X, epochs) in zip(run_scripts(tmp_path, texts), texts,
                                                        cases):
        assert_same_as_train(result, net, history, X, epochs, every_of(text))


def small_case(hidden, out, loss, rng_seed):
    """A 2-3-k net on 12 points: k = 3 classes for softmax, else one output."""
    rng = np.random.default_rng(rng_seed)
    X = rng.uniform(-2, 2, (12, 2))
    k = 3 if out == "softmax" else 1
    if k == 3:
        y = np.eye(3)[rng.integers(0, 3, 12)]
    elif loss in ("bce", "cross_entropy"):
        y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    else:
        y = np.sin(X[:, :1])
    return Network([2, 3, k], [hidden, out], seed=rng_seed), X, y


def test_every_activation_with_every_loss_matches_train(tmp_path):
    """Each activation as the hidden and as the output layer, with each loss, several
    optimizers, batch sizes and regularizations among the cases."""
    hidden_names = [a for a in ACTIVATIONS if a != "softmax"]
    cases, texts = [], []
    i = 0
    for act in ACTIVATIONS:
        for loss in LOSSES:
            i += 1
            hidden = act if act != "softmax" else hidden_names[i % len(hidden_names)]
            net, X, y = small_case(hidden, act, loss, i)
            settings = dict(loss=loss, lr=0.05, epochs=7, batch_size=(0, 5, 4)[i % 3],
                            seed=i, optimizer=("sgd", "momentum", "adam")[i % 3],
                            regularization=("none", "l1", "l2", "none")[i % 4],
                            reg_rate=0.01)
            texts.append(to_numpy_script(net, X, y, **settings))
            trained = net.copy()
            opt = settings.pop("optimizer")
            history = train(trained, X, y, optimizer=opt, **settings)
            cases.append((trained, history, X, settings["epochs"]))
    for result, text, (net, history, X, epochs) in zip(run_scripts(tmp_path, texts), texts,
                                                        cases):
        assert_same_as_train(result, net, history, X, epochs, every_of(text))


def test_the_tutorial_presets_script_is_the_tutorials_corrected_code(tmp_path):
    exp = Experiment(PRESETS["tutorial"][1])
    net = exp.initial_net()
    assert np.array_equal(exp.X_train, TUTORIAL_X) and np.array_equal(exp.y_train, TUTORIAL_Y)
    (result,) = run_scripts(tmp_path, [experiment_script(exp)])
    w1, w2, output = tutorial_reference(TUTORIAL_X, TUTORIAL_Y, *net.weights, epochs=1500)
    # The tutorial's sigmoid rounds differently from the stable one for z < 0.
    np.testing.assert_allclose(result["W"][0], w1, rtol=0, atol=1e-10)
    np.testing.assert_allclose(result["W"][1], w2, rtol=0, atol=1e-10)
    np.testing.assert_allclose(result["output"], output, rtol=0, atol=1e-10)
    assert np.all(np.abs(np.array(result["output"]) - TUTORIAL_Y) < 0.1)  # it learned XOR


def test_a_script_passes_ruff_and_imports_only_numpy(tmp_path):
    exp = Experiment(PRESETS["three_class"][1])
    text = experiment_script(exp)
    path = tmp_path / "three_class.py"
    path.write_text(text)
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select",
                           "E,F,W,I,B,UP,SIM", "--line-length", "100", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    tree = ast.parse(text)
    imports = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert [ast.unparse(node) for node in imports] == ["import numpy as np"]
    assert ast.get_docstring(tree).startswith(PRESETS["three_class"][0])


def test_the_script_names_the_math_and_writes_out_only_what_it_uses():
    text = experiment_script(Experiment(PRESETS["tutorial"][1]))
    for name in ("class NeuralNetwork", "def feedforward", "def backpropagation", "def update",
                 "def sigmoid(", "def sigmoid_derivative", "def sse(", "def sse_gradient",
                 "delta", "self.z", "self.a", "self.W"):
        assert name in text
    for unused in ("tanh", "relu", "softmax", "def mse", "self.b", "rng", "BETA1"):
        assert unused not in text
    assert "np.random" not in text  # full batch: nothing random at all


def test_user_text_never_becomes_code():
    net, X, y = small_case("tanh", "sigmoid", "mse", 0)
    text = to_numpy_script(net, X, y, loss="mse", lr=0.1, epochs=2,
                           title='x"""\nimport os; os.system("rm -rf /")  #',
                           input_names=['a"\nimport os', "b"])
    tree = ast.parse(text)
    imports = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert len(imports) == 1
    assert "os" not in {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not any(isinstance(node, ast.Attribute) and node.attr == "system"
                   for node in ast.walk(tree))
    assert '"' not in ast.get_docstring(tree).splitlines()[0]  # the title, quotes removed
    assert "columns:" not in text  # names that are not plain are left out
    text = to_numpy_script(net, X, y, loss="mse", lr=0.1, epochs=2, input_names=["x1", "x2^2"])
    assert "columns: x1, x2^2" in text


@pytest.mark.parametrize("make, why", [
    (lambda net: dict(optimizer="rmsprop"), "SGD, momentum and Adam"),
    (lambda net: dict(optimizer=_stepped_adam(net)), "already taken steps"),
    (lambda net: dict(regularization="dropout"), "L1 and L2"),
])
def test_what_the_script_cannot_reproduce_is_refused_with_the_reason(make, why):
    net, X, y = small_case("tanh", "sigmoid", "mse", 1)
    kwargs = make(net)
    assert why in script_refusal(net, X, y, loss="mse", **kwargs)
    with pytest.raises(ValueError, match=why):
        to_numpy_script(net, X, y, loss="mse", lr=0.1, epochs=3, **kwargs)


def _stepped_adam(net):
    opt = Adam(0.01)
    opt.step(net.copy(), net.backward(net.forward([[0.0, 0.0]]), [[1.0]], "mse"))
    return opt


def test_diverged_weights_and_non_one_hot_softmax_targets_are_refused():
    net, X, y = small_case("tanh", "sigmoid", "mse", 2)
    net.weights[0][0, 0] = np.nan
    assert "diverged" in script_refusal(net, X, y, loss="mse")
    net, X, y = small_case("relu", "softmax", "cross_entropy", 3)
    assert "one-hot" in script_refusal(net, X, 0.5 * y, loss="cross_entropy")
    assert script_refusal(net, X, y, loss="cross_entropy") is None


def test_a_fresh_optimizer_object_gives_its_settings_to_the_script():
    net, X, y = small_case("tanh", "sigmoid", "mse", 4)
    text = to_numpy_script(net, X, y, loss="mse", lr=0.5, epochs=3, optimizer=Adam(0.02, 0.8))
    assert "LEARNING_RATE = 0.02\n" in text and "BETA1 = 0.8  #" in text
    text = to_numpy_script(net, X, y, loss="mse", lr=0.5, epochs=3, optimizer=SGD(0.25))
    assert "LEARNING_RATE = 0.25\n" in text


def test_a_diverging_script_stops_at_the_epoch_train_stops_and_prints_no_outputs(tmp_path):
    net, X, y = small_case("relu", "linear", "sse", 5)
    settings = dict(loss="sse", lr=10.0, epochs=50)
    history = train(net.copy(), X, y, **settings)
    assert history.diverged
    (result,) = run_scripts(tmp_path, [to_numpy_script(net, X, y, **settings)])
    stdout = result["stdout"]
    assert f"epoch {history.stop_epoch}: the loss is NaN or infinite" in stdout
    assert "The output for each training input:" not in stdout
    for epoch, loss in printed_losses(stdout).items():
        expected = history.initial_loss if epoch == 0 else history.loss_list[epoch - 1]
        assert loss == pytest.approx(expected, rel=RTOL, abs=0)
