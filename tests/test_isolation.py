"""Each browser session has its own experiment; nothing mutable is shared between sessions.

Two AppTest sessions run in one process, as two students' sessions do on one server, so
anything shared through a module, a class attribute or a cache shows up here.
"""

from __future__ import annotations

import ast
import functools
import pickle
import re
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
import streamlit as st

from nn_core import network_to_json
from tests.app_helpers import experiment, open_app

ROOT = Path(__file__).resolve().parents[1]
APP_DIRS = ("nn_core", "ui", "viz", "pages")
SOURCES = sorted(p for d in APP_DIRS for p in (ROOT / d).glob("*.py")) + [ROOT / "app.py"]


def snapshot(at):
    exp = experiment(at)
    return exp.config, network_to_json(exp.net), exp.history, dict(at.query_params)


def test_two_sessions_never_see_each_others_network():
    a, b = open_app(), open_app()
    b_before = snapshot(b)
    assert snapshot(a)[:2] == b_before[:2], "same link, same start"

    a.button(key="preset_spiral").click().run()  # a preset
    a.slider(key="cfg.n_hidden").set_value(2).run()  # the sidebar
    a.number_input(key="cfg.width.0").set_value(3).run()
    a.select_slider(key="cfg.lr").set_value(0.3).run()
    a.switch_page("pages/training.py").run()
    a.button(key="train.train").click().run()  # trains a's network in place
    assert not a.exception
    assert experiment(a).config.dataset == "spiral" and experiment(a).history is not None

    b.run()
    b.switch_page("pages/training.py").run()
    assert not b.exception
    assert snapshot(b) == b_before, "b's config, weights, history and link are untouched"
    assert b.selectbox(key="cfg.dataset").value == "circle"
    assert b.select_slider(key="cfg.lr").value == b_before[0].lr

    # and the other way round: b trains, a's trained network stays as it was
    a_trained = network_to_json(experiment(a).net)
    b.button(key="train.train").click().run()
    a.run()
    assert network_to_json(experiment(a).net) == a_trained
    assert experiment(b).history is not experiment(a).history


def test_sessions_with_the_same_settings_share_no_arrays():
    """Equal settings give equal but separate objects: training one cannot move the other."""
    a, b = open_app(), open_app()
    ea, eb = experiment(a), experiment(b)
    assert ea is not eb and ea.net is not eb.net
    for wa, wb in zip(ea.net.weights + ea.net.biases, eb.net.weights + eb.net.biases):
        assert np.array_equal(wa, wb) and not np.shares_memory(wa, wb)
    for name in ("X_train", "y_train", "X_test", "y_test"):
        xa, xb = getattr(ea, name), getattr(eb, name)
        # shared data would be fine only if nobody could write to it
        assert not np.shares_memory(xa, xb) or not (xa.flags.writeable or xb.flags.writeable)


def _fingerprint(value, depth=0):
    """A comparable digest of a module-level value (its contents, not its identity)."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, value.dtype.str, value.tobytes())
    if depth > 4:
        return repr(type(value))
    if isinstance(value, dict):
        return ("dict", tuple((repr(k), _fingerprint(v, depth + 1)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return (type(value).__name__, tuple(_fingerprint(v, depth + 1) for v in items))
    if hasattr(value, "__dict__") and not isinstance(value, type):
        # A functools.cached_property is a pure memo (the same value in every session).
        cls = type(value)
        own = {k: v for k, v in vars(value).items()
               if not isinstance(getattr(cls, k, None), functools.cached_property)}
        return (cls.__qualname__, _fingerprint(own, depth + 1))
    try:
        return pickle.dumps(value)
    except Exception:  # functions, classes and the like: identity is what matters
        return ("object", type(value).__qualname__, id(value))


def _project_module_state():
    state = {}
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None) or ""
        if not path.startswith(str(ROOT)) or name.startswith("tests") or "bench" in name:
            continue
        for attr, value in vars(module).items():
            if attr.startswith("__") or callable(value) or isinstance(value, type(sys)):
                continue
            state[f"{name}.{attr}"] = _fingerprint(value)
    return state


def test_using_every_page_writes_no_module_level_state():
    open_app()  # imports everything a session imports
    before = _project_module_state()
    assert any(k.startswith("nn_core.config.") for k in before), "the scan sees the modules"

    at = open_app()
    at.button(key="preset_three_class").click().run()
    at.select_slider(key="cfg.lr").set_value(0.1).run()
    for page in re.findall(r'st\.Page\("(pages/\w+\.py)"', (ROOT / "app.py").read_text()):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        for key in ("ff.next", "bp.next", "train.train"):
            if any(getattr(w, "key", None) == key for w in at.button):
                at.button(key=key).click().run()
    at.file_uploader(key="upload_csv").upload(
        "d.csv", b"".join(b"%d,%d,%d\n" % (i, i * i % 7, i % 2) for i in range(30)),
        "text/csv").run()
    assert not at.exception

    after = _project_module_state()
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    assert not changed, f"module-level state written by a session: {changed}"


def _decorators(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from node.decorator_list


def test_no_cache_resource_and_no_global_writes_in_app_code():
    """st.cache_resource hands every session the same object; `global` writes are shared."""
    offenders = []
    for path in SOURCES:
        text = path.read_text()
        tree = ast.parse(text)
        rel = path.relative_to(ROOT)
        # The copy-in, copy-out store, and the training queue (each request carries its
        # session's own copy, and only that session gets it back: tests/test_train_queue.py).
        allowed = 1 if rel in (Path("ui/cached.py"), Path("ui/train_queue.py")) else 0
        if text.count("cache_resource") > allowed or "experimental_singleton" in text:
            offenders.append(f"{rel}: st.cache_resource")
        offenders += [f"{rel}:{n.lineno}: global {', '.join(n.names)}"
                      for n in ast.walk(tree) if isinstance(n, ast.Global)]
        for dec in _decorators(tree):
            name = ast.unparse(dec.func if isinstance(dec, ast.Call) else dec)
            if name.split(".")[-1] in ("lru_cache", "cache"):
                offenders.append(f"{rel}:{dec.lineno}: {name} returns the same object to "
                                 "every session; use st.cache_data")
    assert not offenders


def test_the_one_shared_store_hands_out_copies():
    """ui.cached.trainings() is one object for all sessions: what goes in and what comes out
    are deep copies, so a session changing its result changes nothing another session gets."""
    from ui.cached import _Trainings

    store = _Trainings(size=2)
    weights = [np.ones((2, 2))]
    store.put("a", (weights, {"loss": [1.0]}))
    weights[0][0, 0] = 5.0  # the putting session trains on
    got = store.get("a")
    got[0][0][0, 0] = 7.0
    got[1]["loss"].append(0.5)
    assert np.array_equal(store.get("a")[0][0], np.ones((2, 2)))
    assert store.get("a")[1] == {"loss": [1.0]}
    store.put("b", 1)
    store.get("a")  # used: "b" is now the least recent
    store.put("c", 2)
    assert store.get("b") is None and store.get("a") is not None and store.get("c") == 2


def test_a_shared_training_is_the_deep_copy_of_the_result_and_shares_nothing():
    """The store's own copier (ui.cached.deep_copy, quicker than copy.deepcopy) gives what
    copy.deepcopy gives for a real training result, and Continue on the putting session's
    experiment (training in place) changes nothing another session adopts."""
    import copy
    from dataclasses import fields, replace

    from nn_core.config import ExperimentConfig
    from nn_core.experiment import Experiment
    from ui.cached import _Trainings, deep_copy

    exp = Experiment(replace(ExperimentConfig(), epochs=30, batch_size=10))
    exp.train(30)
    result = exp.result()
    ours, reference = deep_copy(result), copy.deepcopy(result)
    for a, b in zip(ours[0] + ours[1], reference[0] + reference[1]):
        assert np.array_equal(a, b) and a.dtype == b.dtype
    assert [f.name for f in fields(ours[2])] == [f.name for f in fields(reference[2])]
    for f in fields(reference[2]):
        assert getattr(ours[2], f.name) == getattr(reference[2], f.name), f.name
    store = _Trainings()
    store.put("k", result)
    kept = copy.deepcopy(store.get("k"))
    exp.continue_training(5)  # the putting session continues in place
    exp.history.snapshots[1].weights[0][...] = 9.0
    exp.history.grad_norm_list[0][0] = 9.0
    got = store.get("k")
    for f in fields(kept[2]):
        assert getattr(got[2], f.name) == getattr(kept[2], f.name), f.name
    got[2].snapshots[1].weights[0][...] = 7.0  # a session changing its copy
    got[2].loss_list.append(1.0)
    assert store.get("k")[2] == kept[2]


def _cache_data_options():
    """The distinct keyword sets the app's code passes to st.cache_data."""
    found = set()
    for path in SOURCES:
        for dec in _decorators(ast.parse(path.read_text())):
            target = dec.func if isinstance(dec, ast.Call) else dec
            if ast.unparse(target).endswith("cache_data"):
                kwargs = dec.keywords if isinstance(dec, ast.Call) else []
                found.add(tuple(sorted((k.arg, ast.literal_eval(k.value)) for k in kwargs)))
    return sorted(found)


CACHE_OPTIONS = _cache_data_options()


def test_the_app_uses_st_cache_data():
    assert CACHE_OPTIONS, "no st.cache_data in the app: the copy test below checks nothing"


@pytest.mark.parametrize("options", CACHE_OPTIONS, ids=str)
def test_cached_values_are_copies_a_session_cannot_change_for_another(options):
    """Mutating what a cached function returned must not reach the next caller."""
    calls = []

    def make(n):
        fig = go.Figure(go.Scatter(x=np.arange(n, dtype=float), y=np.ones(n)))
        return fig, np.arange(n, dtype=float), {"weights": [1.0, 2.0]}

    @st.cache_data(**dict(options))
    def build(n):
        calls.append(n)
        return make(n)

    build.clear()
    fig, arr, d = build(5)  # session A
    fig.update_layout(title="changed by A")
    fig.data[0].y = np.zeros(5)
    arr[:] = -1
    d["weights"].append(99.0)
    fig2, arr2, d2 = build(5)  # session B, same arguments: a cache hit
    assert calls == [5], "the second call was served from the cache"
    assert fig2.to_json() == make(5)[0].to_json()
    assert np.array_equal(arr2, np.arange(5.0)) and d2 == {"weights": [1.0, 2.0]}
    build.clear()
