"""The activation study over several initial-weight seeds, and the deep vanishing-gradient example.

One study is not one run per activation: a single draw of initial weights can flatter or sink
any activation. `Experiment.study(names, epochs, seeds=SEEDS)` trains every activation from
the same few starts (`seed_starts`: the network's own weights, then the same config with the
next seeds), all in one batch through `activation_study.train_activations`, name by name with
the seeds innermost (`of_seed` picks one seed's runs back out). `DEEP_EXAMPLE` is an
experiment of its own (data and network), where sigmoid's vanishing gradient shows whatever
the sidebar holds.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .activation_study import ActivationRun, layer_gradient_ratio
from .build import build_network
from .config import ExperimentConfig
from .datasets import Dataset
from .network import Network

SEEDS = 5

# Six narrow sigmoid layers on the circle: 200 epochs of plain SGD leave sigmoid at chance
# (its first layer's gradient ~100x below the last's) while tanh and the ReLU family separate
# the classes, from the same initial weights (Xavier, so no activation starts saturated).
DEEP_EXAMPLE = ExperimentConfig(
    dataset="circle", n_points=200, noise=0.0, hidden=(8,) * 6,
    hidden_activations=("sigmoid",) * 6, output_activation="sigmoid", loss="mse",
    init="xavier", seed=0, lr=0.1, optimizer="sgd", batch_size=10, epochs=200)
DEEP_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu")


def seed_starts(config: ExperimentConfig, dataset: Dataset, net: Network, seeds: int = SEEDS):
    """Return `seeds` initial networks: `net` itself, then the config's net with seed + 1, ..."""
    starts = [net]
    for k in range(1, seeds):
        starts.append(build_network(replace(config, seed=config.seed + k), dataset))
    return starts


def of_seed(runs, seeds: int, index: int = 0) -> list[ActivationRun]:
    """Return the runs of one seed (index 0: the network's own start), one per name."""
    return runs[index::seeds]


def gradient_ratios(runs) -> dict:
    """Return per name the median over seeds of last-layer / first-layer gradient (see
    activation_study.layer_gradient_ratio); diverged runs are left out."""
    by = {}
    for run in runs:
        if not run.history.diverged:
            by.setdefault(run.name, []).append(layer_gradient_ratio(run.history))
    return {name: float(np.median(v)) for name, v in by.items()}
