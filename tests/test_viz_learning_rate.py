"""viz.learning_rate: one panel per path, the steps shown as asked, off-picture steps marked."""

import numpy as np

from nn_core import Network
from nn_core.lr_picture import line_picture
from viz.learning_rate import line_figure

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)


def test_one_panel_per_path_with_the_steps_asked_for():
    net = Network([3, 4, 1], "sigmoid", init="uniform", seed=0, use_bias=False)
    pic = line_picture(net, X, Y, "sse", extra_lrs=[1.0])
    fig = line_figure(pic, steps=3)
    titles = [a.text for a in fig.layout.annotations if "η =" in a.text]
    assert len(titles) == len(pic.paths)
    for title, path in zip(titles, pic.paths):
        assert title.startswith(path.name) and f"<b>{path.outcome}</b>" in title
    steps = [t for t in fig.data if t.mode == "lines+markers+text"]
    assert [len(t.x) for t in steps] == [min(3, len(p.t) - 1) + 1 for p in pic.paths]
    # a step beyond the drawn range is pinned to its edge and marked with an arrow
    lo, hi = pic.t[0], pic.t[-1]
    for t, p in zip(steps, pic.paths):
        for shown, real, label in zip(t.x, p.t, t.text):
            assert lo <= shown <= hi
            assert label.endswith("→") == (not lo <= real <= hi)
