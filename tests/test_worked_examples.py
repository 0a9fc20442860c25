"""Published worked examples of backprop, reproduced to 1e-8, and the tutorial's own code."""

import numpy as np
import pytest

from nn_core import SGD, Network, train

# Matt Mazur, "A Step by Step Backpropagation Example" (2015),
# https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/
# A 2-2-2 sigmoid network, inputs (0.05, 0.10), targets (0.01, 0.99), E = sum 1/2 (t - o)^2,
# which is our "mse" for one sample with two outputs. W[0][i, j] connects input i to hidden j.
MAZUR_X = [[0.05, 0.10]]
MAZUR_Y = [[0.01, 0.99]]


def mazur_net():
    net = Network([2, 2, 2], "sigmoid")
    net.weights = [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]]
    net.biases = [[0.35, 0.35], [0.60, 0.60]]
    return net


def test_mazur_forward_pass():
    trace = mazur_net().forward(MAZUR_X)
    assert trace.pre_activations[0][0, 0] == pytest.approx(0.3775, abs=1e-12)
    np.testing.assert_allclose(trace.activations[1][0], [0.593269992, 0.596884378], atol=1e-8)
    np.testing.assert_allclose(trace.output[0], [0.75136507, 0.772928465], atol=1e-8)


def test_mazur_backward_pass_and_update():
    net = mazur_net()
    grads = net.backward(net.forward(MAZUR_X), MAZUR_Y, loss="mse")
    assert grads.loss == pytest.approx(0.298371109, abs=1e-8)
    assert grads.weights[1][0, 0] == pytest.approx(0.082167041, abs=1e-8)  # dE/dw5
    assert grads.weights[0][0, 0] == pytest.approx(0.000438568, abs=1e-8)  # dE/dw1
    # Mazur updates only the weights, with learning rate 0.5.
    SGD(0.5).step(net, type(grads)(grads.weights, [0 * b for b in grads.biases], [], 0.0))
    np.testing.assert_allclose(
        net.weights[1], [[0.35891648, 0.511301270], [0.408666186, 0.561370121]], atol=1e-8)
    np.testing.assert_allclose(
        net.weights[0], [[0.149780716, 0.24975114], [0.19956143, 0.29950229]], atol=1e-8)


def tutorial_reference(X, y, w1, w2, epochs):
    """The tutorial's own code (seed/ README), with its update written as intended: W += dW."""

    def sigmoid(x):
        return 1.0 / (1 + np.exp(-x))

    def sigmoid_derivative(x):
        return x * (1.0 - x)

    w1, w2 = w1.copy(), w2.copy()
    for _ in range(epochs):
        layer1 = sigmoid(np.dot(X, w1))
        output = sigmoid(np.dot(layer1, w2))
        d_weights2 = np.dot(layer1.T, (2 * (y - output) * sigmoid_derivative(output)))
        d_weights1 = np.dot(X.T, (np.dot(2 * (y - output) * sigmoid_derivative(output), w2.T)
                                  * sigmoid_derivative(layer1)))
        w1 += d_weights1
        w2 += d_weights2
    return w1, w2, sigmoid(np.dot(sigmoid(np.dot(X, w1)), w2))


TUTORIAL_X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
TUTORIAL_Y = np.array([[0], [1], [1], [0]], dtype=float)


def tutorial_net(seed):
    return Network([3, 4, 1], "sigmoid", init="uniform", seed=seed, use_bias=False)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_train_matches_the_tutorials_code_step_for_step(seed):
    net = tutorial_net(seed)
    w1, w2, output = tutorial_reference(TUTORIAL_X, TUTORIAL_Y, *net.weights, epochs=1000)
    train(net, TUTORIAL_X, TUTORIAL_Y, epochs=1000, loss="sse", optimizer=SGD(1.0))
    np.testing.assert_allclose(net.weights[0], w1, rtol=0, atol=1e-10)
    np.testing.assert_allclose(net.weights[1], w2, rtol=0, atol=1e-10)
    np.testing.assert_allclose(net.predict(TUTORIAL_X), output, atol=1e-10)


def test_tutorial_xor_learns_for_most_seeds():
    close = 0
    for seed in range(20):
        net = tutorial_net(seed)
        history = train(net, TUTORIAL_X, TUTORIAL_Y, epochs=1500, loss="sse", lr=1.0)
        assert not history.diverged
        close += np.all(np.abs(net.predict(TUTORIAL_X) - TUTORIAL_Y) < 0.1)
    assert close >= 15, f"only {close}/20 seeds learned XOR"


def test_uniform_init_is_numpy_rand_style():
    net = tutorial_net(7)
    expected = np.random.default_rng(7).random((3, 4))
    np.testing.assert_array_equal(net.weights[0], expected)
    assert all(np.all(b == 0) for b in net.biases)
