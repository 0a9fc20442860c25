"""The activation study's budget (issues #6, #10): prints figures, asserts nothing.

    python3 bench/activations.py [--runs 5] [--seeds-only]

All nine hidden activations, 300 epochs, a 2-8-8-1 net (sigmoid output, MSE, SGD lr 0.03,
the shared experiment's defaults otherwise) on the circle data: once trained together by
nn_core.activation_study.train_activations (batched across the runs), once one after another
with nn_core.train. Checks once that both give the same losses, then prints the median wall
time and CPU time of each and the ratio sequential / batched (> 1: batching is faster).

Then the page's study: the nine activations x 5 initial-weight seeds (45 runs) in one batch
(Experiment.study(..., seeds=5), what the Activations page runs; budget 3 s), in CPU seconds
and wall seconds, against two references measured in the same process: one seed (9 runs in
one batch) and one train() of the same net (one run): the last column says how many single
trainings the whole study costs, a figure that travels between machines and loads better
than seconds do. The last two columns: the same study with each activation applied group
by group (passes.PerRun, as before nn_core.fused_activations), and the ratio fused / per-group
(< 1: the fused activations are faster), both from the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from nn_core import HIDDEN_ACTIVATIONS, activation_study, train  # noqa: E402
from nn_core.activation_study import train_activations  # noqa: E402
from nn_core.config import ExperimentConfig  # noqa: E402
from nn_core.experiment import Experiment, build_network  # noqa: E402
from nn_core.passes import PerRun  # noqa: E402
from nn_core.seed_study import SEEDS  # noqa: E402

EPOCHS = 300


def setup(n_points, batch):
    config = replace(ExperimentConfig(), n_points=n_points, hidden=(8, 8),
                     hidden_activations=("tanh", "tanh"), batch_size=batch)
    return Experiment(config)


def batched(exp):
    kw = exp.train_kwargs()
    kw.pop("batch_size")
    return train_activations(exp.net, exp.X_train, exp.y_train, HIDDEN_ACTIVATIONS, EPOCHS,
                             lr=exp.config.lr, optimizer=exp.config.optimizer,
                             batch_size=exp.config.batch_size or None, **kw)


def seeds(exp):
    return exp.study(HIDDEN_ACTIVATIONS, EPOCHS, seeds=SEEDS)  # what the Activations page runs


def seeds_per_group(exp):
    """The same study with each activation applied group by group (passes.PerRun, before
    nn_core.fused_activations): the reference for what the fused activations save."""
    fused = activation_study.FusedPerRun
    activation_study.FusedPerRun = PerRun
    try:
        return seeds(exp)
    finally:
        activation_study.FusedPerRun = fused


def sequential(exp):
    histories = []
    for name in HIDDEN_ACTIVATIONS:
        net = build_network(replace(exp.config, hidden_activations=(name, name)), exp.dataset)
        histories.append(train(net, exp.X_train, exp.y_train, epochs=EPOCHS,
                               optimizer=exp.make_optimizer(), **exp.train_kwargs()))
    return histories


def timed(fn, exp, runs):
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn(exp)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seeds-only", action="store_true",
                        help="only the page's 9 x 5-seed study against one seed")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
          f"9 activations x {EPOCHS} epochs, 2-8-8-1, median of {args.runs} runs")
    print(f"{'case':44s} {'batched wall':>12s} {'cpu':>6s} {'sequential':>11s} {'cpu':>6s} "
          f"{'ratio':>6s}")
    for n_points, batch in () if args.seeds_only else ((500, 10), (500, 0), (1000, 10)):
        exp = setup(n_points, batch)
        runs = batched(exp)
        worst = max(float(np.max(np.abs(r.history.loss - h.loss)))
                    for r, h in zip(runs, sequential(exp)))
        assert worst < 1e-10, f"batched and sequential losses differ by {worst}"
        bw, bc = timed(batched, exp, args.runs)
        sw, sc = timed(sequential, exp, args.runs)
        label = (f"{n_points} points ({len(exp.X_train)} train), "
                 f"{'full batch' if not batch else f'batch {batch}'}")
        print(f"{label:44s} {bw:11.2f}s {bc:5.2f}s {sw:10.2f}s {sc:5.2f}s {sw / bw:6.2f}")
    print(f"\nthe page's study: 9 activations x {SEEDS} seeds = {9 * SEEDS} runs in one batch "
          f"(budget 3 s) vs one seed (9 runs) and vs one train() run")
    print(f"{'case':40s} {'study wall':>10s} {'cpu':>6s} {'1 seed cpu':>10s} "
          f"{'train() cpu':>11s} {'study / train()':>15s} {'per-group cpu':>13s} "
          f"{'fused / per-group':>17s}")
    for n_points, batch in ((200, 10), (500, 10)):
        exp = setup(n_points, batch)
        fw, fc = timed(seeds, exp, args.runs)
        _, oc = timed(batched, exp, args.runs)
        _, tc = timed(single, exp, args.runs)
        _, gc = timed(seeds_per_group, exp, args.runs)
        label = f"{n_points} points ({len(exp.X_train)} train), batch {batch}"
        print(f"{label:40s} {fw:9.2f}s {fc:5.2f}s {oc:9.2f}s {tc:10.3f}s {fc / tc:14.1f}x "
              f"{gc:12.2f}s {fc / gc:17.2f}")


def single(exp):
    net = exp.initial_net()
    return train(net, exp.X_train, exp.y_train, epochs=EPOCHS, optimizer=exp.make_optimizer(),
                 **exp.train_kwargs())


if __name__ == "__main__":
    main()
