"""The study's fused per-run activation gives each run exactly nn_core.activations' numbers."""

import numpy as np
import pytest

from nn_core import HIDDEN_ACTIVATIONS
from nn_core.activation_study import train_activations
from nn_core.activations import get_activation
from nn_core.datasets import make_dataset
from nn_core.fused_activations import FAMILY_ORDER, FusedPerRun, family_order
from nn_core.network import Network

SPECIAL = np.array([0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1e-17, -1e-17, 36.0, -36.0,
                    50.0, -50.0, 60.0, -60.0, 710.0, -710.0, 745.0, -746.0, 1e300, -1e300,
                    np.inf, -np.inf, np.nan])


def _z(runs, rows, seed=0):
    """Return z of shape (runs, rows, 8): normals over many scales, with the special values."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(runs, rows, 8)) * 10.0 ** rng.integers(-20, 4, size=(runs, rows, 8))
    flat = z.reshape(-1)
    flat[rng.choice(flat.size, min(flat.size, 3 * SPECIAL.size), replace=False)] = np.resize(
        SPECIAL, min(flat.size, 3 * SPECIAL.size))
    return z


def _same_bits(got, want, what):
    # Equal as IEEE numbers, NaN where NaN, and the same sign on zeros (a NaN's sign bit
    # means nothing).
    assert got.shape == want.shape, what
    assert np.array_equal(got, want, equal_nan=True), what
    numbers = ~np.isnan(want)
    assert np.array_equal(np.signbit(got[numbers]), np.signbit(want[numbers])), what


@pytest.mark.parametrize("names", [
    [n for n in HIDDEN_ACTIVATIONS for _ in range(5)],  # the page's study: nine x five seeds
    list(HIDDEN_ACTIVATIONS),
    ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu"],  # the deep example's
    ["softplus"], ["swish"], ["sigmoid", "swish"], ["softplus", "swish"], ["relu", "elu"],
    ["linear", "linear", "leaky_relu"], ["gelu", "tanh", "gelu"],
])
@pytest.mark.parametrize("rows", [1, 10, 33])
def test_every_run_gets_exactly_its_own_activation_and_derivative(names, rows):
    order = family_order(names)
    stacked = [names[r] for r in order]
    fused = FusedPerRun(stacked)
    z = _z(len(names), rows, seed=rows)
    with np.errstate(all="ignore"):
        a_only = fused.fn(z)
        a, d = fused.value_and_derivative(z)
        for r, name in enumerate(stacked):
            act = get_activation(name)
            want_a = act.fn(z[r])
            want_d = act._derivative(z[r], want_a)
            _same_bits(a_only[r], want_a, f"{name} f(z), values only")
            _same_bits(a[r], want_a, f"{name} f(z)")
            _same_bits(d[r], want_d, f"{name} f'(z)")
        grad_a = np.linspace(-2.0, 2.0, z.size).reshape(z.shape)
        _same_bits(fused.backward(z, a, grad_a), grad_a * d, "backward")


def test_family_order_groups_the_families_and_keeps_each_names_order():
    names = ["tanh", "relu", "sigmoid", "relu", "gelu", "softplus", "linear", "swish", "elu"]
    order = family_order(names)
    assert sorted(order) == list(range(len(names)))
    stacked = [names[r] for r in order]
    assert stacked == sorted(names, key=FAMILY_ORDER.index)
    assert [r for r in order if names[r] == "relu"] == [1, 3]  # stable within a name


def test_unordered_or_unknown_names_are_refused():
    with pytest.raises(ValueError, match="family_order"):
        FusedPerRun(["tanh", "relu"])
    with pytest.raises(ValueError, match="unknown activation"):
        family_order(["relu", "mish"])
    with pytest.raises(ValueError, match="hidden"):
        family_order(["softmax"])


def test_runs_come_back_in_the_callers_order_with_their_own_numbers():
    # The stack reorders the runs by family; the caller gets them back in its own order, and
    # each equals the same run trained alone.
    d = make_dataset("circle", n_points=60, noise=0.1, seed=1)
    net = Network([2, 4, 3, 1], ["tanh", "tanh", "sigmoid"], seed=2)
    names = ["tanh", "relu", "swish", "relu", "softplus", "gelu"]
    runs = train_activations(net, d.X_train, d.y_train, names, 8, lr=0.3, batch_size=5,
                             loss="mse", X_test=d.X_test, y_test=d.y_test)
    assert [r.name for r in runs] == names
    for name, run in zip(names, runs):
        alone = train_activations(net, d.X_train, d.y_train, [name], 8, lr=0.3, batch_size=5,
                                  loss="mse", X_test=d.X_test, y_test=d.y_test)[0]
        np.testing.assert_array_equal(run.history.loss, alone.history.loss)
        np.testing.assert_array_equal(run.history.test_accuracy, alone.history.test_accuracy)
        for got, want in zip(run.weights + run.biases, alone.weights + alone.biases):
            np.testing.assert_array_equal(got, want)
