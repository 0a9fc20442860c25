"""The experiment a user works on, and the application's verbs on it.

`Experiment` holds one config, its data, the current network and its training history. Its
verbs are what the pages (and bench/) do with it: `train` / `continue_training` (the session's
own run), `compare` (several settings from the initial weights), `study` (the activation
study), `step_through` (one sample's forward and backward pass), `variant` (the same
experiment with a few settings changed). Each returns engine objects. `key()` is the one
stable identity of an experiment (config, data and parameter bytes): every cache is keyed on it.

Building the data, network and input plane from a config lives in nn_core.build (its names
are re-exported here).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from .activation_study import ActivationRun, study_epoch_cap, train_activations
from .build import (  # noqa: F401  (re-exported: pages and notebooks import them from here)
    InputPlane,
    build_dataset,
    build_network,
    input_plane,
    n_outputs,
    worked_example_dataset,
)
from .comparison import Run, compare, thin_snapshots
from .config import LIMITS, ExperimentConfig, max_epochs
from .datasets import Dataset, load_csv
from .network import Network
from .optimizers import make_optimizer
from .own_data import OwnPoints
from .seed_study import seed_starts
from .serialization import network_from_json
from .stepthrough import StepThrough, step_through
from .training import History, train

MAX_SNAPSHOTS = 600  # kept per training; a replay picks <= 120 frames from them


def experiment_key(config: ExperimentConfig, dataset: Dataset, net: Network, *extra) -> str:
    """Return the hex digest that identifies (config, data, network parameters, extra)."""
    h = hashlib.sha256(repr((config, net.layer_sizes, net.activations, net.use_bias,
                             extra)).encode())
    for a in (dataset.X_train, dataset.y_train, dataset.X_test, dataset.y_test,
              *net.weights, *net.biases):
        h.update(a.tobytes())
    return h.hexdigest()


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
        self._optimizer = None  # (key, optimizer): see optimizer()
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
        self._optimizer = None
        self.version += 1

    def key(self, initial: bool = False, *extra) -> str:
        """Return the experiment's identity: config, data and the current (or initial) network.

        Every cache of a computation on an experiment is keyed on it; `extra` adds what else
        the computation depends on (a history, a sample).
        """
        return experiment_key(self.config, self.dataset,
                              self.initial_net() if initial else self.net, *extra)

    def history_key(self) -> str:
        """Return a key of what a replay shows: the current network and the whole history."""
        h = self.history
        if h is None:
            return self.key()
        d = hashlib.sha256(self.key().encode())
        d.update(repr((h.epoch_list, h.loss_list, h.test_loss_list, h.stop_reason,
                       [s.epoch for s in h.snapshots])).encode())
        for a in h.snapshots[0].weights:
            d.update(a.tobytes())
        return d.hexdigest()

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

    # ---- verbs ----
    def optimizer(self):
        """Return the optimizer to train with: the same object while the settings stay, so
        Continue keeps momentum's velocity and Adam's moments; a new one after a reset or a
        change of optimizer or learning rate."""
        key = (self.version, self.config.optimizer, self.config.lr)
        if self._optimizer is None or self._optimizer[0] != key:
            self._optimizer = (key, self.make_optimizer())
        return self._optimizer[1]

    def continue_training(self, epochs: int, on_epoch=None, on_progress=None) -> History:
        """Train `net` in place for `epochs` more epochs, continuing `history`; return it
        (on_epoch and on_progress: see nn_core.training.train)."""
        if self.history is None:
            self.history = History(loss_name=self.loss)  # stored first: a stop keeps it
        train(self.net, self.X_train, self.y_train, epochs=epochs, optimizer=self.optimizer(),
              history=self.history, on_epoch=on_epoch, on_progress=on_progress,
              **self.train_kwargs())
        thin_snapshots(self.history, MAX_SNAPSHOTS)
        return self.history

    def start_history(self) -> History:
        """Return the history of no training yet: epoch 0, the current weights and losses."""
        h = History(loss_name=self.loss)
        train(self.net.copy(), self.X_train, self.y_train, epochs=0, history=h,
              **self.train_kwargs())
        return h

    def train(self, epochs: int, on_epoch=None, on_progress=None) -> History:
        """From the initial weights: reset, then train `epochs` epochs; return the History."""
        self.reset_network()
        return self.continue_training(epochs, on_epoch, on_progress)

    def shareable(self) -> bool:
        """Whether a training from the initial weights may be shared with other sessions.

        Training is deterministic, so the same key gives the same result; momentum and Adam
        are left out because Continue must carry their state, which a result does not hold.
        """
        return self.config.optimizer == "sgd"

    def result(self):
        """Return (weights, biases, history) of the current training: what another session
        with the same key may adopt."""
        weights, biases = self.net.get_params()
        return weights, biases, self.history

    def adopt(self, result):
        """Take over a result of `result()` (a copy of it: nothing stays shared)."""
        weights, biases, history = result
        self.net.set_params(weights, biases)
        self.history = history

    def take_over(self, trained: Experiment):
        """Take the network, history and optimizer state of `trained`, a shallow copy of
        this experiment that trained on its own (ui.train_queue): as if this one had trained.
        Its objects become this one's; the copy must not be used any more."""
        self.net, self.history = trained.net, trained.history
        self._optimizer, self.version = trained._optimizer, trained.version

    def compare(self, kind: str, values, epochs: int) -> list[Run]:
        """Return one Run per value of `kind` (lr, optimizer, batch_size), each trained from
        the initial weights with the other settings as they are."""
        c = self.config
        return compare(self.initial_net(), self.X_train, self.y_train, kind, list(values),
                       epochs, lr=c.lr, optimizer=c.optimizer, batch_size=c.batch_size,
                       loss=c.loss, X_test=self.X_test, y_test=self.y_test, seed=c.seed,
                       regularization=c.regularization, reg_rate=c.reg_rate)

    def comparison_cap(self, kind: str, values) -> int:
        """Return the most epochs each run of a comparison may train."""
        batches = values if kind == "batch_size" else [self.config.batch_size]
        n_params = self.net.n_params
        return min(max_epochs(len(self.X_train), b, n_params, runs=max(1, len(values)))
                   for b in batches)

    def study(self, names, epochs: int, lrs=None, seeds: int = 1) -> list[ActivationRun]:
        """Return one ActivationRun per hidden activation in `names` and seed, all trained
        together (`lrs`: one learning rate per name, else the config's). Seed 0 is the
        initial weights; seeds > 1 adds the config's net with seed + 1, ... (name by name,
        seeds innermost: nn_core.seed_study)."""
        c = self.config
        lrs = [c.lr] * len(names) if lrs is None else list(lrs)
        starts = seed_starts(c, self.dataset, self.initial_net(), seeds)
        return train_activations([s for _ in names for s in starts], self.X_train, self.y_train,
                                 [n for n in names for _ in starts], epochs,
                                 lrs=[lr for lr in lrs for _ in starts], optimizer=c.optimizer,
                                 batch_size=c.batch_size or None, loss=c.loss,
                                 X_test=self.X_test, y_test=self.y_test, seed=c.seed,
                                 regularization=c.regularization, reg_rate=c.reg_rate)

    def study_cap(self, runs: int) -> int:
        """Return the most epochs one study of `runs` activations may train."""
        return study_epoch_cap(len(self.X_train), self.config.batch_size, self.net.n_params,
                               runs)

    def step_through(self, x, y, granularity: str = "neuron",
                     forward_only: bool = False) -> StepThrough:
        """Return every step of the current network's forward and backward pass on (x, y)
        (forward_only: the forward pass and the loss only)."""
        return step_through(self.net, x, y, loss=self.loss, lr=float(self.config.lr),
                            granularity=granularity, forward_only=forward_only)

    def variant(self, **changes) -> tuple[Experiment, list]:
        """Return (a separate experiment with `changes` applied and clamped, notices).

        With the same data and hidden widths it keeps this one's data and initial weights
        (an uploaded CSV or network too); otherwise it builds them from the new config.
        """
        new, notices = replace(self.config, **changes).clamp(
            self.y_train.shape[1], self.task, fallback=self.config)
        twin = Experiment.__new__(Experiment)
        twin.__dict__.update(self.__dict__)
        twin.config, twin.history, twin._optimizer, twin.version = new, None, None, 0
        if new.data_key() == self.config.data_key() and new.hidden == self.config.hidden:
            twin.net = self.initial_net()
        else:
            twin.uploaded_params = None
            twin.dataset = build_dataset(new)
            twin.plane = input_plane(new, twin.dataset)
            twin.net = build_network(new, twin.dataset)
        return twin, notices

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
        if (dataset.task == "regression" and self.dataset.task != "regression"
                and new.loss == self.config.loss and new.loss in ("bce", "cross_entropy")):
            # Picking regression data is not a mistake: it brings the loss it needs. A loss
            # asked for together with the data (a link) still gets clamp's notice.
            new = replace(new, loss="mse")
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

