"""nn_core.lr_picture: the update rule with real numbers, the loss along one direction."""

import numpy as np
import pytest

from nn_core import Network
from nn_core.lr_picture import RATES, line_picture, one_weight_step, outcome

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)


def tutorial_net():
    return Network([3, 4, 1], "sigmoid", init="uniform", seed=0, use_bias=False)


def test_one_weight_step_is_the_update_rule_with_the_real_gradient():
    net = tutorial_net()
    step = one_weight_step(net, X, Y, "sse", lr=1.0, layer=0, i=1, j=2)
    # dL/dw against central differences of the loss
    eps = 1e-6
    plus, minus = net.copy(), net.copy()
    plus.weights[0][1, 2] += eps
    minus.weights[0][1, 2] -= eps
    numeric = (plus.loss(X, Y, "sse") - minus.loss(X, Y, "sse")) / (2 * eps)
    assert step.grad == pytest.approx(numeric, rel=1e-6)
    assert step.w == net.weights[0][1, 2]
    assert step.new_w == pytest.approx(step.w - 1.0 * step.grad)
    assert step.loss_before == pytest.approx(net.loss(X, Y, "sse"))
    # loss after: every weight stepped once, as train() does in one full-batch epoch
    twin = net.copy()
    g = twin.backward(twin.forward(X), Y, loss="sse")
    twin.set_params([w - g_ for w, g_ in zip(twin.weights, g.weights)], twin.biases)
    assert step.loss_after == pytest.approx(twin.loss(X, Y, "sse"))
    assert net.weights[0][1, 2] == step.w  # the network is not changed


def test_the_line_is_the_real_loss_along_minus_the_gradient():
    net = tutorial_net()
    pic = line_picture(net, X, Y, "sse")
    g = net.backward(net.forward(X), Y, loss="sse")
    norm = np.sqrt(sum(np.sum(a * a) for a in g.weights))
    assert pic.grad_norm == pytest.approx(norm)
    for t, value in zip(pic.t[::30], pic.loss[::30]):
        twin = net.copy()
        twin.set_params([w - t * a / norm for w, a in zip(net.weights, g.weights)], net.biases)
        assert value == pytest.approx(twin.loss(X, Y, "sse"), rel=1e-12)
    assert pic.has_valley and 0 < pic.t_min < pic.t[-1]
    assert np.min(pic.loss) == pytest.approx(min(pic.loss.min(), pic.paths[1].loss.min()),
                                             rel=1e-3)


def test_each_paths_first_step_is_the_networks_own_gradient_step():
    net = tutorial_net()
    pic = line_picture(net, X, Y, "sse", extra_lrs=[1.0])
    assert [p.name for p in pic.paths] == [n for n, _ in RATES] + ["your lr"]
    for p in pic.paths:
        assert p.t[0] == 0.0
        assert p.t[1] == pytest.approx(p.lr * pic.grad_norm, rel=1e-9)
    good = pic.paths[1]
    assert good.t[1] == pytest.approx(pic.t_min, rel=1e-9)  # the one-step rate lands on the floor


def test_the_four_rates_do_what_their_names_say_on_the_tutorial_net():
    outcomes = {p.name: p.outcome for p in line_picture(tutorial_net(), X, Y, "sse").paths}
    assert outcomes["too small"] == "crawling"
    assert outcomes["good"] == "converging"
    assert outcomes["too large"] == "bouncing across the valley"


def test_outcome_names_paths_by_what_they_did():
    assert outcome([0, 0.1, 0.2, 0.3], 1.0) == "crawling"
    assert outcome([0, 0.7, 0.95, 0.99], 1.0) == "converging"
    assert outcome([0, 1.6, 0.6, 1.3, 0.8], 1.0) == "bouncing across the valley"
    assert outcome([0, 2.5, -1.5, 4.0], 1.0) == "diverging"
    assert outcome([0, 1.01, 0.995], 1.0) == "converging"  # a hair past the floor is not a bounce
    assert outcome([0, np.inf], 1.0) == "diverging"


def test_a_flat_line_has_no_valley_and_no_paths():
    net = Network([2, 1], "linear", seed=0)
    Xs = np.zeros((3, 2))
    ys = net.forward(Xs).output.copy()  # already exact: zero gradient
    pic = line_picture(net, Xs, ys, "mse")
    assert not pic.has_valley and pic.paths == []


def test_describe_says_what_each_path_did_with_its_numbers():
    from nn_core.lr_picture import describe

    pic = line_picture(tutorial_net(), X, Y, "sse", extra_lrs=[1.0])
    text = describe(pic, 1.0)
    assert text[0].startswith(f"The loss is lowest {pic.t_min:.3g} along this line")
    assert f"{pic.one_step_lr:.3g} gets there in one step" in text[0]
    assert f"Good, η = {pic.paths[1].lr:.3g}: converging." in text
    mine = pic.paths[-1]
    assert text[-1] == (f"Your learning rate η = 1 is {1.0 / pic.one_step_lr:.2g}× the one-step "
                        f"rate: on this line it is {mine.outcome}.")
    flat = line_picture(Network([2, 1], "linear", seed=0), np.zeros((3, 2)),
                        Network([2, 1], "linear", seed=0).forward(np.zeros((3, 2))).output, "mse")
    assert "nothing to descend" in describe(flat)[0]
