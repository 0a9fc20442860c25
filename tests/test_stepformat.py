"""Formulas fit their box: long sums wrap onto aligned lines, matrices are elided to fit."""

import numpy as np
import pytest

from nn_core.config import PRESETS
from nn_core.experiment import Experiment
from nn_core.stepformat import LINE_EM, Fmt, tex_width, widest_line, wrap_terms
from nn_core.stepthrough import step_through


def test_a_long_sum_wraps_into_lines_that_fit():
    f = Fmt(True)
    terms = [f.mul(0.123456, -0.654321)] * 6
    tex = f.finish(f.eq("z", f.sum(terms), f.n(0.5)))
    lines = tex.split(r" \\ ")
    assert len(lines) == 7  # six terms, one per line, then "= 0.5"
    assert all(tex_width(line) <= LINE_EM for line in lines)
    assert lines[1].startswith(r"&\quad + 0.123456")  # continuation lines up under the "="
    assert "\x00" not in tex


def test_the_text_form_stays_on_one_line():
    f = Fmt(False)
    assert f.eq("z", f.sum(["1", "2", "3"]), "6") == "z = 1 + 2 + 3 = 6"
    assert f.eq("w", f.update(0.5, 0.1, 2.0), f.n(0.3), rel="<-") == "w <- 0.5 - 0.1 * 2 = 0.3"


def test_a_short_sum_and_brackets_are_not_broken():
    f = Fmt(True)
    assert wrap_terms(f.sum(["a", "b"]), LINE_EM) == [f.sum(["a", "b"])]
    inside = f.act("sigmoid", f.sum([f.mul(0.123456, -0.654321)] * 4))  # \left( ... \right)
    assert len(wrap_terms(inside, 5)) == 1
    # a long sum in the loss's brackets may break: its brackets are fixed-size
    loss = f.finish(f.eq("L", f.loss_terms("mse", np.full((1, 4), 0.123456), np.zeros((1, 4)))))
    assert r"\Big(" in loss and loss.count(r"\\") >= 1


def test_a_wide_matrix_is_elided_to_fit_the_page():
    f = Fmt(True)
    tex = f.mat(np.full((2, 16), -0.123456))
    assert r"\cdots" in tex and tex_width(tex) < 27


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("granularity", ["neuron", "layer"])
def test_every_step_fits_its_box(name, granularity):
    exp = Experiment()
    exp.apply(PRESETS[name][1])
    run = step_through(exp.net, exp.X_train[0], exp.y_train[0], loss=exp.loss,
                       lr=exp.config.lr, granularity=granularity)
    for step in run.steps:
        assert "\x00" not in step.latex
        # A formula beside the graph fits its column; a wider one gets the page's width.
        assert widest_line(step.latex) <= (LINE_EM if not step.wide else 31), step.latex
    if granularity == "neuron":
        assert sum(not s.wide for s in run.steps) >= len(run.steps) * 0.7
