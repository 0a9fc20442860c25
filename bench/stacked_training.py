"""A class's trainings stacked (issue #15): prints figures, asserts nothing.

    python3 bench/stacked_training.py [--repeats 5] [--epochs 300] [--sizes 1 2 5 10 30 60]

The app's default experiment (2-4-2-1 tanh/tanh/sigmoid, 100 training points, batch 10,
SGD lr 0.03, 300 epochs), each student with their own seed (and every third a learning rate
and data seed of their own), trained by nn_core.stacked_training.train_together in groups of
R, next to the same experiments trained solo by `exp.train` in the same run. CPU seconds of
this thread (time.thread_time), per run, medians of --repeats; the ratio solo / together
(> 1: stacking is faster). Checks first that both give the same histories, bit for bit.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from nn_core.config import ExperimentConfig  # noqa: E402
from nn_core.experiment import Experiment  # noqa: E402
from nn_core.stacked_training import MIN_STACK, train_together  # noqa: E402


def students(R: int) -> list[Experiment]:
    """R students of the app's default experiment, each with a seed of their own."""
    return [Experiment(ExperimentConfig(seed=s, **({"lr": 0.1, "data_seed": s}
                                                   if s % 3 == 2 else {})))
            for s in range(R)]


def cpu(fn, *args) -> float:
    t = time.thread_time()
    fn(*args)
    return time.thread_time() - t


def train_solo(exps, epochs):
    for e in exps:
        e.train(epochs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 5, 10, 30, 60])
    args = parser.parse_args()
    epochs = args.epochs

    check = students(max(MIN_STACK, 3))
    solo, together = [copy.copy(e) for e in check], [copy.copy(e) for e in check]
    for e in solo:
        e.train(epochs)
    train_together(together, epochs)
    same = all(np.array_equal(a.history.loss, b.history.loss)
               and all(np.array_equal(p, q) for p, q in zip(a.net.weights, b.net.weights))
               for a, b in zip(solo, together))
    print(f"bit for bit as exp.train: {'yes' if same else 'NO'}")

    print(f"\n{epochs} epochs of the app default, CPU seconds per run (median of "
          f"{args.repeats}); solo = exp.train in the same run; stacking from R = {MIN_STACK}\n")
    print("| R | together (s/run) | solo (s/run) | solo / together |")
    print("| --- | --- | --- | --- |")
    for R in args.sizes:
        exps = students(R)
        t_together, t_solo = [], []
        for _ in range(args.repeats):
            # Alternated, so that both see the same machine.
            group = [copy.copy(e) for e in exps]
            t_together.append(cpu(train_together, group, epochs) / R)
            # Solo: a few runs are enough for a per-run median.
            alone = [copy.copy(e) for e in exps[:min(R, 3)]]
            t_solo.append(cpu(train_solo, alone, epochs) / len(alone))
        a, b = statistics.median(t_together), statistics.median(t_solo)
        print(f"| {R} | {a:.4f} | {b:.4f} | {b / a:.2f} |")


if __name__ == "__main__":
    main()
