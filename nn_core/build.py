"""Build an experiment's data, network and input plane from its config.

A notebook gets exactly what the pages show: `build_dataset(config)` then
`build_network(config, dataset)`. (Moved here from nn_core.experiment, which re-exports them.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import FIXED_WEIGHTS, ExperimentConfig
from .datasets import Dataset, feature_matrix, make_dataset, with_features
from .network import Network


def worked_example_dataset() -> Dataset:
    """Return Mazur's single sample: inputs (0.05, 0.10), targets (0.01, 0.99)."""
    X = np.array([[0.05, 0.10]])
    y = np.array([[0.01, 0.99]])
    return Dataset("worked_example", X, y, X, y, "regression", 1, ["i1", "i2"])


def build_dataset(config: ExperimentConfig, uploaded: Dataset | None = None) -> Dataset:
    """Return the dataset the config names, with its input features applied."""
    if config.dataset == "csv":
        if uploaded is None:
            raise ValueError("the experiment uses uploaded data, but none was uploaded")
        return uploaded
    if config.dataset == "worked_example":
        return worked_example_dataset()
    raw = make_dataset(config.dataset, n_points=config.n_points, noise=config.noise,
                       train_ratio=config.train_ratio, seed=config.data_seed)
    return with_features(raw, config.features)


def n_outputs(dataset: Dataset) -> int:
    """Return how many output units the data needs (one per class beyond two)."""
    return dataset.y_train.shape[1]


def build_network(config: ExperimentConfig, dataset: Dataset) -> Network:
    """Return the config's network for this data, with seeded (or the preset's fixed) weights."""
    sizes = config.layer_sizes(dataset.X_train.shape[1], n_outputs(dataset))
    net = Network(sizes, config.activation_names(), init=config.init, seed=config.seed,
                  use_bias=config.use_bias)
    if config.fixed_weights in FIXED_WEIGHTS:
        weights, biases = FIXED_WEIGHTS[config.fixed_weights]
        net.set_params(weights, biases)
    return net


@dataclass(frozen=True)
class InputPlane:
    """How to draw a dataset on the 2-D plane: its points and the map from plane to inputs."""

    points_train: np.ndarray
    points_test: np.ndarray
    domain: tuple
    feature_names: tuple  # () for data whose inputs are the plane's (x1, x2) as they are
    constant_column: bool = False

    def inputs(self, points) -> np.ndarray:
        """Return the network inputs for plane points (n, 2)."""
        points = np.asarray(points, dtype=float)
        if self.feature_names:
            return feature_matrix(points, self.feature_names)
        if self.constant_column:
            return np.column_stack([points, np.ones(len(points))])
        return points


def input_plane(config: ExperimentConfig, dataset: Dataset) -> InputPlane | None:
    """Return the 2-D plane to draw this data on, or None when its inputs are not a plane."""
    if config.dataset == "tutorial_xor":
        return InputPlane(dataset.X_train[:, :2], dataset.X_test[:, :2], (-0.5, 1.5), (), True)
    if config.dataset in ("worked_example",):
        return None
    if config.dataset == "csv":
        if dataset.X_train.shape[1] != 2:
            return None
        X = np.vstack([dataset.X_train, dataset.X_test])
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = 0.1 * max(float(np.max(hi - lo)), 1e-9)
        return InputPlane(dataset.X_train, dataset.X_test,
                          (float(np.min(lo) - pad), float(np.max(hi) + pad)), ())
    raw = make_dataset(config.dataset, n_points=config.n_points, noise=config.noise,
                       train_ratio=config.train_ratio, seed=config.data_seed)
    return InputPlane(raw.X_train, raw.X_test, (-6.0, 6.0), tuple(config.features))
