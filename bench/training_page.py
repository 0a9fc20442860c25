"""Budgets of the Training page (issue #5): prints figures, asserts nothing.

    python3 bench/training_page.py

1. 300 epochs of TensorFlow Playground's default setup (circle, x1 x2, [4, 2] tanh, batch 10,
   250 training points, lr 0.03) trained AND its replay figure built and serialised: < 2 s.
   The same CPU for the app's default experiment (100 training points), which is what a
   student's Train click runs: the classroom's target is 0.25 s.
2. Replay figure JSON size at 300, 1000 and 5000 epochs (largest allowed network too): < 3 MB.
3. One live redraw (a chunk of epochs + the live figure + its JSON): well under 200 ms.
Each figure is the median of several runs.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import plotly.io as pio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_time  # noqa: E402  (bench/timing.py, beside this script)

from nn_core.config import ExperimentConfig  # noqa: E402
from nn_core.experiment import Experiment  # noqa: E402
from viz.replay import replay_figure  # noqa: E402

RUNS = 5


def tf_default():
    return Experiment(replace(ExperimentConfig(), n_points=500, train_ratio=0.5, epochs=300))


def train_and_build(exp, epochs):
    h = exp.train(epochs)  # what the page's Train button calls
    fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test, height=700)
    return h, fig, pio.to_json(fig, validate=False)


def train_and_replay_cpu(exp):
    """Medians of RUNS: (wall, CPU) seconds per part of a Train click's engine and figure work."""
    parts = {"train": [], "figure": [], "json": []}
    cpu = {k: [] for k in parts}
    for _ in range(RUNS):
        t0, c0 = time.perf_counter(), time.thread_time()
        h = exp.train(300)
        t1, c1 = time.perf_counter(), time.thread_time()
        fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test, height=700)
        t2, c2 = time.perf_counter(), time.thread_time()
        pio.to_json(fig, validate=False)  # what st.plotly_chart does with it
        t3, c3 = time.perf_counter(), time.thread_time()
        for k, a, b, ca, cb in (("train", t0, t1, c0, c1), ("figure", t1, t2, c1, c2),
                                ("json", t2, t3, c2, c3)):
            parts[k].append(b - a)
            cpu[k].append(cb - ca)
    return ({k: statistics.median(v) for k, v in parts.items()},
            {k: statistics.median(v) for k, v in cpu.items()})


def main():
    exp = tf_default()
    print(f"TF Playground default: {len(exp.X_train)} training points, layers "
          f"{exp.net.layer_sizes}, batch {exp.config.batch_size}, lr {exp.config.lr}")
    med, cpu = train_and_replay_cpu(exp)
    print(f"1. 300 epochs trained {med['train']:.3f} s + replay built {med['figure']:.3f} s "
          f"+ JSON {med['json']:.3f} s = {sum(med.values()):.3f} s (budget 2 s)")
    print(f"   CPU time (this thread; meaningful on a shared machine): {cpu['train']:.3f} + "
          f"{cpu['figure']:.3f} + {cpu['json']:.3f} = {sum(cpu.values()):.3f} s")
    app = Experiment(replace(ExperimentConfig(), epochs=300))
    _, cpu = train_and_replay_cpu(app)
    print(f"   the app's default experiment ({len(app.X_train)} training points, layers "
          f"{app.net.layer_sizes}, batch {app.config.batch_size}), what a student's Train "
          f"runs: CPU {cpu['train']:.3f} + {cpu['figure']:.3f} + {cpu['json']:.3f} = "
          f"{sum(cpu.values()):.3f} s (the classroom's target for training plus replay: 0.25 s)")

    print("2. replay figure JSON size (budget 3 MB):")
    for name, config in (("TF default", replace(ExperimentConfig(), n_points=500)),
                         ("largest net (7 features, 6 x 16 tanh)", replace(
                             ExperimentConfig(), n_points=200, hidden=(16,) * 6,
                             hidden_activations=("tanh",) * 6, batch_size=0,
                             features=("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1",
                                       "sin_x2")))):
        exp = Experiment(config)
        for epochs in (300, 1000, 5000):
            h, fig, text = train_and_build(exp, epochs)
            print(f"   {name}, {epochs} epochs: {len(text) / 1e6:.2f} MB, "
                  f"{len(fig.frames)} frames")

    exp = tf_default()
    h = exp.train(5)

    def live_redraw():
        exp.continue_training(2)  # what one live-mode redraw trains
        fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test, animate=False,
                            resolution=40, height=640)
        pio.to_json(fig, validate=False)

    def figure_only():
        fig = replay_figure(h, exp.net, exp.plane, exp.y_train, exp.y_test, animate=False,
                            resolution=40, height=640)
        pio.to_json(fig, validate=False)

    print(f"3. live redraw (2 epochs + figure + JSON): {1000 * median_time(live_redraw, 15):.1f} ms"
          f"; figure + JSON alone {1000 * median_time(figure_only, 15):.1f} ms (budget 200 ms)")


if __name__ == "__main__":
    main()
