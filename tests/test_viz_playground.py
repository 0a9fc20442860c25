"""The Playground stage's arrays (viz.playground): codes, pictures, frames."""

import base64

import numpy as np

from nn_core import Network
from nn_core.experiment import Experiment
from viz import playground as pv


def _u8(text):
    return np.frombuffer(base64.b64decode(text), dtype=np.uint8)


def test_signed_codes_put_zero_in_the_middle_and_clip_the_ends():
    codes = pv.signed_codes(np.array([-5.0, -1.0, 0.0, 0.5, 1.0, 7.0, np.inf, -np.inf]))
    assert codes.tolist() == [0, 0, 127, 191, 254, 254, 254, 0]
    assert pv.signed_codes(np.array([2.0]), ref=4.0).tolist() == [191]


def test_palettes_run_from_orange_through_grey_to_blue():
    pal = pv.diverging_palette()
    assert pal.shape == (pv.LEVELS, 3)
    assert tuple(pal[0]) == (0xF5, 0x93, 0x22) and tuple(pal[-1]) == (0x08, 0x77, 0xBD)
    assert tuple(pal[127]) == (0xE8, 0xEA, 0xEB)
    assert pv.class_palette(3).shape == (3 * pv.SHADES, 3)


def test_a_frame_holds_every_neurons_picture_the_parameters_and_the_losses():
    exp = Experiment()
    grid = exp.plane.inputs(pv.grid_points(exp.plane.domain))
    colours = pv.OutputColours("sigmoid", exp.y_train, 1)
    f = pv.frame(exp.net, grid, colours, 7, 0.25, None)
    assert f["e"] == 7 and f["lt"] == 0.25 and f["ls"] is None
    w = np.frombuffer(base64.b64decode(f["w"]), dtype=np.float32)
    np.testing.assert_allclose(w, np.concatenate([W.ravel() for W in exp.net.weights]),
                               rtol=1e-6)
    assert len(_u8(f["h"])) == (4 + 2) * pv.THUMB ** 2  # hidden pictures, 20 x 20 each
    out = _u8(f["o"])
    assert len(out) == pv.GRID ** 2 and len(_u8(f["n"])) == pv.THUMB ** 2
    # the output plane is the network's output at the grid points, x1 fastest
    want = pv.signed_codes(exp.net.predict(grid)[:, 0] - 0.5, 0.5)
    assert np.abs(out.astype(int) - want.astype(int)).max() <= 1  # float32 drawing
    # a hidden picture: neuron h1.1's tanh at every 2nd grid point
    a1 = np.tanh(grid @ exp.net.weights[0] + exp.net.biases[0])[:, 0]
    want = pv.signed_codes(a1.reshape(pv.GRID, pv.GRID)[::2, ::2])
    got = _u8(f["h"])[:pv.THUMB ** 2].reshape(pv.THUMB, pv.THUMB)
    assert np.abs(got.astype(int) - want.astype(int)).max() <= 1


def test_big_networks_get_small_pictures():
    net = Network([2] + [8] * 6 + [1], "tanh")
    assert pv.thumb_step(net.layer_sizes) == pv.SMALL_STEP
    assert pv.thumb_step([2, 4, 2, 1]) == pv.THUMB_STEP


def test_class_outputs_and_labels_share_one_palette():
    colours = pv.OutputColours("softmax", np.eye(3), 3)
    codes = colours.label_codes(np.eye(3))
    assert codes.tolist() == [pv.SHADES - 1, 2 * pv.SHADES - 1, 3 * pv.SHADES - 1]
    assert len(colours.palette()) == 3 * pv.SHADES


def test_the_loss_curve_is_thinned_and_starts_at_epoch_zero():
    exp = Experiment()
    exp.continue_training(500)
    curve = pv.loss_curve(exp.history)
    assert curve["e"][0] == 0 and curve["e"][-1] == 500
    assert len(curve["e"]) == pv.CURVE_POINTS == len(curve["lt"]) == len(curve["ls"])
    assert curve["lt"][0] == exp.history.initial_loss
    assert pv.loss_curve(None) == {"e": [], "lt": [], "ls": []}
