"""Build an experiment's data and network from its config: what every page starts from.

A notebook gets exactly what the pages show: `build_dataset(config)` then
`build_network(config, dataset)`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .config import FIXED_WEIGHTS, LIMITS, ExperimentConfig, max_epochs
from .datasets import Dataset, feature_matrix, load_csv, make_dataset, with_features
from .network import Network
from .optimizers import make_optimizer
from .own_data import OwnPoints
from .serialization import network_from_json


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


def own_plane(own: OwnPoints, config: ExperimentConfig) -> InputPlane:
    """Return the plane of "your data": its points as they are, on the generated data's domain."""
    return InputPlane(own.X[own.train], own.X[~own.train], (-6.0, 6.0), tuple(config.features))


def _only_features_differ(a: ExperimentConfig, b: ExperimentConfig) -> bool:
    return a.data_key() != b.data_key() and replace(a, features=b.features).data_key() == b.data_key()


class Experiment:
    """One user's experiment: config, data, the current network and its training history.

    The pages share it; the Training page trains `net` in place. `version` goes up whenever
    the data or the architecture change, so a page can drop state that belonged to the old net.
    """

    def __init__(self, config: ExperimentConfig | None = None):
        self.config = config or ExperimentConfig()
        self.uploaded: Dataset | None = None  # a user's CSV, when config.dataset == "csv"
        self.uploaded_params = None  # (weights, biases) from a user's network file
        self.version = 0
        self.history = None
        self.own: OwnPoints | None = None  # "your data": points the user added or erased
        self.dataset = build_dataset(self.config)
        self.plane = input_plane(self.config, self.dataset)
        self.net = self.initial_net()

    # ---- derived views ----
    @property
    def X_train(self):
        return self.dataset.X_train

    @property
    def y_train(self):
        return self.dataset.y_train

    @property
    def X_test(self):
        return self.dataset.X_test

    @property
    def y_test(self):
        return self.dataset.y_test

    @property
    def task(self) -> str:
        return self.dataset.task

    @property
    def loss(self) -> str:
        return self.config.loss

    def initial_net(self) -> Network:
        """Return a fresh network with the experiment's initial weights (seeded or fixed)."""
        net = build_network(self.config, self.dataset)
        if self.uploaded_params is not None:
            net.set_params(*self.uploaded_params)
        return net

    def reset_network(self):
        """Put the initial weights back and forget the training history."""
        self.net = self.initial_net()
        self.history = None
        self.version += 1

    def make_optimizer(self):
        """Return a fresh optimizer with the config's name and learning rate."""
        return make_optimizer(self.config.optimizer, self.config.lr)

    def train_kwargs(self) -> dict:
        """Return the keyword arguments of nn_core.train for this experiment's settings."""
        c = self.config
        return dict(loss=c.loss, batch_size=c.batch_size or None, X_test=self.X_test,
                    y_test=self.y_test, seed=c.seed, regularization=c.regularization,
                    reg_rate=c.reg_rate)

    @staticmethod
    def epoch_cap(config: ExperimentConfig, dataset: Dataset) -> int:
        """Return the most epochs one training request of this config may run."""
        n_in, n_out = dataset.X_train.shape[1], dataset.y_train.shape[1]
        sizes = config.layer_sizes(n_in, n_out)
        n_params = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
        return max_epochs(len(dataset.X_train), config.batch_size, n_params)

    # ---- changes ----
    def apply(self, new: ExperimentConfig, reload_data: bool = False) -> list:
        """Switch to config `new` (clamped against the data); return notices for the user.

        Data or architecture changes rebuild the network; training settings keep it. If the
        new data cannot be built, nothing changes and the notice says why.
        """
        new, notices = new.clamp()
        dataset = self.dataset
        own = self.own
        if own is not None and not reload_data and _only_features_differ(new, self.config):
            dataset = own.dataset(new.features)  # your points, seen through other features
        elif reload_data or new.data_key() != self.config.data_key():
            own = None
            try:
                dataset = build_dataset(new, self.uploaded)
            except ValueError as err:
                return [f"Could not build that dataset: {err}. Nothing was changed."]
        new, more = new.clamp(dataset.y_train.shape[1], dataset.task, fallback=self.config)
        notices += more
        cap = self.epoch_cap(new, dataset)
        if new.epochs > cap:
            notices.append(f"epochs: {new.epochs} epochs of this network on this data would take "
                           f"too long for one request; using {cap}.")
            new = replace(new, epochs=cap)
        rebuild = new.network_key() != self.config.network_key() or dataset is not self.dataset
        if rebuild and self.uploaded_params is not None:
            self.uploaded_params = None
            notices.append("The uploaded network's weights were dropped: the architecture "
                           "or data changed.")
        self.config = new
        self.own = own
        if dataset is not self.dataset:
            self.dataset = dataset
            self.plane = own_plane(own, new) if own is not None else input_plane(new, dataset)
        if rebuild:
            self.reset_network()
        return notices

    def use_own_points(self, own: OwnPoints) -> None:
        """Make `own` the data ("your data"), keeping the network and its history: a point
        added while training is simply more data to fit."""
        self.own = own
        self.dataset = own.dataset(self.config.features)
        self.plane = own_plane(own, self.config)

    def use_csv(self, data) -> list:
        """Load a user's CSV (bytes) as the data; on a bad file raise ValueError, change nothing."""
        dataset = load_csv(data, max_rows=LIMITS.max_csv_rows, max_cols=LIMITS.max_csv_columns + 1,
                           max_bytes=LIMITS.max_upload_bytes, train_ratio=self.config.train_ratio,
                           seed=self.config.data_seed)
        previous = self.uploaded
        self.uploaded = dataset
        notices = self.apply(replace(self.config, dataset="csv"), reload_data=True)
        if self.config.dataset != "csv" or self.dataset is not dataset:
            self.uploaded = previous
            raise ValueError("; ".join(notices) or "the file could not be used")
        return notices

    def use_network_json(self, text) -> list:
        """Load a user's network file; it must fit the data. On any problem raise ValueError."""
        net = network_from_json(text)
        n_in, n_out = self.X_train.shape[1], self.y_train.shape[1]
        if net.layer_sizes[0] != n_in or net.layer_sizes[-1] != n_out:
            raise ValueError(
                f"this network has {net.layer_sizes[0]} inputs and {net.layer_sizes[-1]} outputs; "
                f"the current data needs {n_in} inputs and {n_out} outputs")
        new = replace(self.config, hidden=tuple(net.layer_sizes[1:-1]),
                       hidden_activations=tuple(net.activations[:-1]),
                       output_activation=net.activations[-1], use_bias=net.use_bias,
                       fixed_weights="")
        checked, notices = new.clamp(n_out, self.task, fallback=self.config)
        if checked != new:
            raise ValueError("this network does not fit the playground's limits: "
                             + " ".join(notices))
        self.config = new
        self.uploaded_params = net.get_params()
        self.reset_network()
        return []

