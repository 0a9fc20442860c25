"""Play's chunks and Pause's exact rewind (nn_core.playback), and "your data" (own_data)."""

import numpy as np
import pytest

from nn_core.config import LIMITS, ExperimentConfig
from nn_core.experiment import Experiment
from nn_core.own_data import OwnPoints
from nn_core.playback import Player


def _params(net):
    return [a.copy() for a in net.weights + net.biases]


@pytest.mark.parametrize("config", [
    ExperimentConfig(),  # TF Playground's default: minibatch SGD
    ExperimentConfig(optimizer="adam", batch_size=0, hidden=(5,), regularization="l2",
                     reg_rate=0.01).clamp()[0],  # optimizer state and full batch
])
def test_pause_inside_an_earlier_chunk_gives_exactly_the_weights_shown_at_that_epoch(config):
    exp = Experiment(config)
    player = Player(exp)
    shown = {}  # what the browser got for each epoch (the frames are made in on_epoch)

    def on_epoch(epoch, h):
        shown[epoch] = (_params(exp.net), h.loss_list[-1])

    for _ in range(3):
        player.train(exp, 40, on_epoch=on_epoch)
    assert exp.history.last_epoch == 120
    assert player.rewind(exp, 57) == 57  # in the second chunk: the browser lags a chunk behind
    for a, b in zip(_params(exp.net), shown[57][0]):
        np.testing.assert_array_equal(a, b)
    assert exp.history.epoch_list == list(range(1, 58))
    assert exp.history.loss_list == [shown[e][1] for e in range(1, 58)]
    # Play continues from there: the next chunk starts at epoch 57's weights
    more = {}
    player.train(exp, 5, on_epoch=lambda e, h: more.setdefault(e, _params(exp.net)))
    assert sorted(more) == [58, 59, 60, 61, 62]
    assert player.rewind(exp, 57) == 57
    for a, b in zip(_params(exp.net), shown[57][0]):
        np.testing.assert_array_equal(a, b)


def test_rewind_is_clamped_to_the_chunks_kept_and_a_no_op_at_the_end():
    exp = Experiment()
    player = Player(exp)
    for _ in range(6):
        player.train(exp, 10)
    before = _params(exp.net)
    assert player.rewind(exp, 60) == 60
    for a, b in zip(before, _params(exp.net)):
        np.testing.assert_array_equal(a, b)
    assert player.rewind(exp, 0) == 20  # four chunks kept: 20..60


def test_a_diverging_chunk_stops_with_the_engines_explanation():
    exp = Experiment(ExperimentConfig(lr=10.0, output_activation="linear", batch_size=1))
    Player(exp).train(exp, 40)
    h = exp.history
    assert h.diverged and "smaller learning rate" in h.stop_reason
    assert all(np.all(np.isfinite(w)) for w in exp.net.weights)


def test_your_data_adds_and_erases_points_and_keeps_the_network():
    exp = Experiment()
    net = exp.net
    own = OwnPoints.from_plane(exp.plane, exp.dataset)
    assert len(own.X) == len(exp.X_train) + len(exp.X_test)
    exp.use_own_points(own.add(0.5, -0.25, 1))
    assert exp.net is net and len(exp.X_train) == 101
    np.testing.assert_array_equal(exp.X_train[-1], [0.5, -0.25])
    assert exp.y_train[-1, 0] == 1.0
    smaller = exp.own.erase(0.55, -0.2, radius=0.4)
    assert len(smaller.X) == len(exp.own.X) - 1
    assert exp.own.erase(100.0, 100.0, radius=0.4) is exp.own  # nothing near: unchanged
    csv = exp.own.to_csv().splitlines()
    assert csv[0] == "x1,x2,label" and len(csv) == 1 + len(exp.own.X)
    assert "0.5,-0.25,1" in csv
    # Reset of the weights keeps your data; features seen differently keep it too
    exp.reset_network()
    assert exp.own is not None and len(exp.X_train) == 101
    exp.apply(exp.config.__class__(**{**exp.config.__dict__, "features": ("x1", "x2", "x1^2")}))
    assert exp.own is not None and exp.X_train.shape == (101, 3)
    # new data (another dataset) replaces it
    exp.apply(exp.config.__class__(**{**exp.config.__dict__, "dataset": "xor"}))
    assert exp.own is None


def test_your_data_is_capped_by_limits():
    exp = Experiment()
    own = OwnPoints.from_plane(exp.plane, exp.dataset)
    full = OwnPoints(np.zeros((LIMITS.max_points, 2)), np.zeros(LIMITS.max_points, int),
                     np.ones(LIMITS.max_points, bool), 2, "circle")
    with pytest.raises(ValueError, match=str(LIMITS.max_points)):
        full.add(0.0, 0.0, 1)
    with pytest.raises(ValueError):
        own.add(float("nan"), 0.0, 1)
    with pytest.raises(ValueError):
        own.add(0.0, 0.0, 7)
