"""Results computed once for every session that asks the same: the experiment's verbs, cached.

Every cache here is keyed on `Experiment.key()` (config, data and parameter bytes) plus the
arguments of the verb; the experiment itself is passed unhashed (`_exp`). st.cache_data hands
each caller its own copy, so nothing mutable is shared between sessions. A class opening one
link asks the same questions: the second student gets the first one's answer.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import time
from collections import OrderedDict

import numpy as np
import streamlit as st

from nn_core.history import Snapshot
from nn_core.lr_picture import line_picture
from viz.activations import functions_figure
from viz.replay import replay_figure
from viz.unchecked import as_prebuilt


@st.cache_data(max_entries=32, show_spinner=False)
def replay(key: str, _exp, height: int = 560):
    """The Training page's replay figure of `_exp`'s history (key: Experiment.history_key)."""
    return replay_figure(_exp.history, _exp.net, _exp.plane, _exp.y_train, _exp.y_test,
                         height=height, input_names=_exp.dataset.feature_names)


@st.cache_data(max_entries=16, show_spinner=False)
def functions(names: tuple):
    """The Activations page's functions and derivatives (the same for every session)."""
    return as_prebuilt(functions_figure(list(names)))


@st.cache_data(max_entries=32, show_spinner=False)
def start_view(key: str, epochs: int, _exp, height: int = 560):
    """The Training page before any training: the network, its output and an empty loss
    chart running to `epochs` (key: Experiment.key())."""
    return replay_figure(_exp.start_history(), _exp.net, _exp.plane, _exp.y_train,
                         _exp.y_test, animate=False, height=height, x_max=epochs,
                         input_names=_exp.dataset.feature_names)


@st.cache_data(max_entries=32, show_spinner=False)
def comparison(key: str, kind: str, values: tuple, epochs: int, _exp):
    """Experiment.compare (key: Experiment.key())."""
    return _exp.compare(kind, values, epochs)


@st.cache_data(max_entries=12, show_spinner=False)
def study(key: str, names: tuple, epochs: int, lrs: tuple, _exp, seeds: int = 1):
    """Experiment.study, with the seconds it took: (runs, seconds)."""
    t = time.perf_counter()
    runs = _exp.study(names, epochs, lrs, seeds)
    return runs, time.perf_counter() - t


@st.cache_data(max_entries=64, show_spinner=False)
def steps(key: str, x: tuple, y: tuple, granularity: str, _exp, forward_only: bool = False):
    """Experiment.step_through of one sample (key: Experiment.key())."""
    return _exp.step_through(list(x), list(y), granularity, forward_only)


_SCALARS = frozenset({float, int, str, bool, type(None)})


def deep_copy(value):
    """copy.deepcopy(value), quicker for what a training result holds: arrays, lists of
    numbers, dataclasses (History) and Snapshots are copied directly; anything else goes to
    copy.deepcopy. (copy.deepcopy visited each of a History's thousands of floats: ~6 ms of
    every Train; this ~1 ms.) Nothing of `value` is shared by the copy, as with deepcopy."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is np.ndarray:
        return value.copy()
    if kind is list:
        return list(value) if _SCALARS.issuperset(map(type, value)) else [
            deep_copy(v) for v in value]
    if kind is tuple:
        return tuple(deep_copy(v) for v in value)
    if kind is dict:
        return {k: deep_copy(v) for k, v in value.items()}
    if kind is Snapshot:
        return Snapshot(value.epoch, deep_copy(value.weights), deep_copy(value.biases))
    if dataclasses.is_dataclass(value) and hasattr(value, "__dict__"):
        new = copy.copy(value)
        for name, v in vars(value).items():
            setattr(new, name, deep_copy(v))
        return new
    return copy.deepcopy(value)


class _Trainings:
    """Finished trainings from the initial weights, by key (at most `size`, least recent
    dropped). Values go in and come out as deep copies (deep_copy): no session holds a
    shared object. (Kept pickled they would cost less per Train, but the app unpickles
    nothing, so that rule stays checkable by reading the code.)"""

    def __init__(self, size: int = 32):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key not in self.items:
                return None
            self.items.move_to_end(key)
            value = self.items[key]
        return deep_copy(value)

    def put(self, key, value):
        value = deep_copy(value)
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


@st.cache_resource(show_spinner=False)
def trainings() -> _Trainings:
    """The process's store of finished trainings (Experiment.result(), by training_key)."""
    return _Trainings()


def training_key(exp, epochs: int) -> str | None:
    """Return the key of a shareable training of `exp` from its initial weights, or None."""
    return exp.key(True, "train", int(epochs)) if exp.shareable() else None


@st.cache_data(max_entries=32, show_spinner=False)
def lr_picture(key: str, lr: float, _exp):
    """nn_core.lr_picture.line_picture of the current network, with the config's rate as
    "your lr" (key: Experiment.key())."""
    return line_picture(_exp.net, _exp.X_train, _exp.y_train, _exp.loss, extra_lrs=[lr])
