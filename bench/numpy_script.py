"""The NumPy script export (issue #16): prints figures, asserts nothing.

    python3 bench/numpy_script.py

1. Writing the script: TensorFlow Playground's default, and the largest data the playground
   accepts (1800 training rows of 20 CSV-like columns, six hidden layers of 16).
2. Running it: the default preset's script (python3, its 300 epochs) against train() on the
   same experiment in this process, as a ratio: the script is the readable program, not a
   fast one, so the ratio only tells a learner how long to wait.
Each figure is the median of several runs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_time  # noqa: E402  (bench/timing.py, beside this script)

from nn_core import Network, experiment_script, to_numpy_script, train  # noqa: E402
from nn_core.config import PRESETS  # noqa: E402
from nn_core.experiment import Experiment  # noqa: E402

RUNS = 5


def main():
    exp = Experiment(PRESETS["playground"][1])
    text = experiment_script(exp)
    t = median_time(lambda: experiment_script(exp))
    print(f"write, TF Playground default ({len(exp.X_train)} rows): {t * 1e3:.1f} ms, "
          f"{len(text) / 1e3:.0f} kB")

    rng = np.random.default_rng(0)
    X, y = rng.uniform(-6, 6, (1800, 20)), rng.integers(0, 2, (1800, 1)).astype(float)
    net = Network([20, *[16] * 6, 1], ["tanh"] * 6 + ["sigmoid"], seed=0)
    big = to_numpy_script(net, X, y, loss="bce", lr=0.03, epochs=10, batch_size=10)
    t = median_time(lambda: to_numpy_script(net, X, y, loss="bce", lr=0.03, epochs=10,
                                            batch_size=10))
    print(f"write, largest (1800 rows x 20 columns, 6 x 16 hidden): {t * 1e3:.0f} ms, "
          f"{len(big) / 1e3:.0f} kB")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "playground.py"
        path.write_text(text)
        run = median_time(lambda: subprocess.run([sys.executable, str(path)], check=True,
                                                 capture_output=True), runs=3)
        bare = median_time(lambda: subprocess.run([sys.executable, "-c", "import numpy"],
                                                  check=True), runs=3)

    def engine():
        net = exp.initial_net()
        train(net, exp.X_train, exp.y_train, epochs=exp.config.epochs,
              optimizer=exp.make_optimizer(), **exp.train_kwargs())

    t_train = median_time(engine, runs=3)
    print(f"run, TF Playground default, {exp.config.epochs} epochs: script {run:.2f} s "
          f"(of which {bare:.2f} s starting python3 + NumPy), train() {t_train:.2f} s, "
          f"ratio {(run - bare) / t_train:.1f}x")


if __name__ == "__main__":
    main()
