"""Extreme inputs stay finite and silent (warnings are errors here)."""

import warnings

import numpy as np
import pytest

from nn_core import ACTIVATIONS, HIDDEN_ACTIVATIONS, LOSSES, Network, sigmoid, softmax

EXTREMES = np.array([-1e300, -1e4, -745.0, -50.0, -1e-300, 0.0, 1e-300, 50.0, 710.0, 1e4, 1e300])


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            yield


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_activation_and_derivative_finite_at_extremes(name):
    act = ACTIVATIONS[name]
    assert np.all(np.isfinite(act(EXTREMES[1:-1]))) or name == "linear"
    assert np.all(np.isfinite(act.derivative(EXTREMES)))


def test_sigmoid_softplus_softmax_values():
    assert sigmoid(np.array([-1e4, 1e4])).tolist() == [0.0, 1.0]
    assert sigmoid(np.array([-30.0]))[0] == pytest.approx(1 / (1 + np.exp(30.0)), rel=1e-12)
    assert ACTIVATIONS["softplus"](np.array([1e4]))[0] == 1e4
    p = softmax(np.array([[1e4, 1e4 - 1, -1e4]]))
    assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0)
    assert p[0, 0] == pytest.approx(1 / (1 + np.exp(-1)))


def test_matching_reference_formulas_in_normal_range():
    z = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"](z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(ACTIVATIONS["softplus"](z), np.log1p(np.exp(z)), rtol=1e-12)
    np.testing.assert_allclose(ACTIVATIONS["swish"](z), z / (1 + np.exp(-z)), rtol=1e-12)
    np.testing.assert_allclose(ACTIVATIONS["elu"](z), np.where(z > 0, z, np.exp(z) - 1))
    np.testing.assert_allclose(ACTIVATIONS["leaky_relu"](z), np.where(z > 0, z, 0.01 * z))
    gelu = 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))
    np.testing.assert_allclose(ACTIVATIONS["gelu"](z), gelu, rtol=1e-12)


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_derivative_matches_central_difference(name):
    act = ACTIVATIONS[name]
    z = np.array([-3.1, -0.7, 0.3, 1.9, 4.2])
    h = 1e-6
    numeric = (act(z + h) - act(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-6, atol=1e-9)


def test_max_derivative_property():
    assert ACTIVATIONS["sigmoid"].max_derivative == pytest.approx(0.25)
    assert ACTIVATIONS["tanh"].max_derivative == pytest.approx(1.0)
    assert ACTIVATIONS["gelu"].max_derivative == pytest.approx(1.129, abs=1e-3)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_losses_finite_when_outputs_saturate(loss):
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    for out in (np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])):
        assert np.isfinite(LOSSES[loss].value(out, y))
        assert np.all(np.isfinite(LOSSES[loss].gradient(out, y)))


def test_fused_losses_are_exact_at_huge_logits():
    net = Network([1, 1], "sigmoid")
    net.weights, net.biases = [[[1e4]]], [[0.0]]
    grads = net.backward(net.forward([[1.0]]), [[0.0]], loss="bce")
    assert grads.loss == pytest.approx(1e4)  # -ln(1 - sigmoid(1e4)) = 1e4, not a clipped 27.6
    assert grads.weights[0][0, 0] == pytest.approx(1.0)
    soft = Network([1, 2], "softmax")
    soft.weights, soft.biases = [[[1e4, -1e4]]], [[0.0, 0.0]]
    g = soft.backward(soft.forward([[1.0]]), [[0.0, 1.0]], loss="cross_entropy")
    assert g.loss == pytest.approx(2e4) and np.all(np.isfinite(g.weights[0]))
