"""train() of an earlier revision against this checkout's, in one process: prints figures.

    python3 bench/engine_ab.py REVISION [--runs 9]

The earlier `nn_core` is taken from git (`git archive REVISION nn_core`) into a temporary
folder; both engines train the same workloads alternately (so load on a shared machine falls on
both alike) and the table shows CPU-time medians and new / old. Workloads: TensorFlow
Playground's default (circle, 250 training points, [4, 2] tanh, batch 10, MSE, 300 epochs),
the app's default (100 training points), the same two with an on_epoch callback (what the
Playground's Play passes), and the tutorial's 3-4-1 XOR net (full batch, 1500 epochs).
Asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def load(root):
    """Import nn_core (and the modules used here) from `root`, apart from any other copy."""
    for name in [k for k in sys.modules if k == "nn_core" or k.startswith("nn_core.")]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        return {m: importlib.import_module(m) for m in ("nn_core", "nn_core.config",
                                                        "nn_core.experiment")}
    finally:
        sys.path.pop(0)


def workloads(m):
    experiment, config = m["nn_core.experiment"].Experiment, m["nn_core.config"].ExperimentConfig
    tf = experiment(replace(config(), n_points=500, train_ratio=0.5, epochs=300))
    app = experiment(replace(config(), epochs=300))
    nc = m["nn_core"]
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = nc.Network([3, 4, 1], "sigmoid", init="uniform", seed=0, use_bias=False)
    return {
        "TF default, 250 points, 300 epochs": lambda: tf.train(300),
        "app default, 100 points, 300 epochs": lambda: app.train(300),
        "TF default with on_epoch": lambda: tf.train(300, on_epoch=lambda e, h: None),
        "app default with on_epoch": lambda: app.train(300, on_epoch=lambda e, h: None),
        "tutorial 3-4-1, 1500 epochs": lambda: nc.train(net.copy(), X, y, epochs=1500,
                                                        loss="sse", optimizer=nc.SGD(1.0)),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("revision")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as old_root:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.revision, "nn_core"],
                                 check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(old_root, filter="data")
        old, new = workloads(load(old_root)), workloads(load(ROOT))
        compare(old, new, args)


def compare(old, new, args):
    print(f"CPU time, medians of {args.runs}; old = {args.revision}, new = this checkout\n")
    print(f"| {'workload':<38} | {'old':>9} | {'new':>9} | new / old |")
    print(f"|{'-' * 40}|{'-' * 11}|{'-' * 11}|-----------|")
    for name in old:
        times = {"old": [], "new": []}
        for _ in range(args.runs):
            for key, fn in (("old", old[name]), ("new", new[name])):
                t0 = time.process_time()
                fn()
                times[key].append(time.process_time() - t0)
        a, b = statistics.median(times["old"]), statistics.median(times["new"])
        print(f"| {name:<38} | {a * 1e3:6.1f} ms | {b * 1e3:6.1f} ms | {b / a:8.2f}x |",
              flush=True)


if __name__ == "__main__":
    main()
