"""What the pages show for every preset, pinned (issue 14: refactors must change nothing seen).

For each preset this opens the real app through AppTest and reads the numbers a user sees:
Feedforward's and Backprop's steps as text and their metrics, Backprop's gradient check and
one-update tables, Training's readouts after 30 epochs, the Activations page's results table
and verdict (sigmoid, tanh and relu, 5 seeds, 30 epochs). They are compared with tests/pins/pages.json, written from
the code before the engine and the pages were reorganised.

A deliberate change of what a page shows: `PIN_PAGES_WRITE=1 python3 -m pytest
tests/test_page_pins.py` rewrites the file (then read its diff: every changed number is a
change users see).
"""

import json
import math
import os
from pathlib import Path

import pandas as pd
import pytest

from nn_core.config import PRESETS
from tests.app_helpers import open_app, open_tab

PINS = Path(__file__).parent / "pins" / "pages.json"
WRITE = os.environ.get("PIN_PAGES_WRITE") == "1"
_written = {}


def _cell(v):
    # 12 significant digits: what a page prints (at most 10), free of last-bit BLAS noise.
    if isinstance(v, float):
        return None if math.isnan(v) else float(f"{v:.12g}")
    return v if isinstance(v, (int, str, bool)) or v is None else str(v)


def _table(df, drop=()):
    df = df.data if hasattr(df, "data") and not isinstance(df, pd.DataFrame) else df
    return {c: [_cell(v) for v in df[c].tolist()] for c in df.columns if c not in drop}


def _metrics(at):
    return [(m.label, m.value) for m in at.metric]


def _codes(at):
    return [c.value for c in at.code]


def _check(name, seen):
    seen = json.loads(json.dumps(seen))
    if WRITE:
        _written[name] = seen
        pins = json.loads(PINS.read_text()) if PINS.exists() else {}
        pins.update(_written)
        PINS.parent.mkdir(exist_ok=True)
        PINS.write_text(json.dumps(pins, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    expected = json.loads(PINS.read_text())[name]
    assert seen == expected


@pytest.mark.parametrize("preset", list(PRESETS))
def test_feedforward_and_backprop_show_the_pinned_numbers(preset):
    at = open_app({"preset": preset}, page="pages/feedforward.py")
    at.button(key="ff.end").click().run()
    assert not at.exception
    ff = {"metrics": _metrics(at), "code": _codes(at)}

    at.switch_page("pages/backprop.py").run()
    at.button(key="bp.end").click().run()
    assert not at.exception
    # Only the open tab is drawn: every tab in turn, in the page's order.
    bp, tables = {"metrics": [], "code": []}, {}
    for tab in [t.label for t in at.tabs]:
        open_tab(at, "bp.tab", tab)
        assert not at.exception
        # Each table under its tab and place: most have no key (None), and one shared key
        # would keep only the last table drawn.
        tables.update({f"{tab}/{i}": d.value for i, d in enumerate(at.dataframe)})
        bp["metrics"] += _metrics(at)
        bp["code"] += _codes(at)
    bp["tables"] = {name: _table(t) for name, t in tables.items()}
    _check(f"{preset}/feedforward", ff)
    _check(f"{preset}/backprop", bp)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_training_and_activations_show_the_pinned_numbers(preset):
    at = open_app({"preset": preset}, page="pages/training.py")
    at.number_input(key="train.epochs").set_value(30)
    at.button(key="train.train").click().run()
    assert not at.exception
    _check(f"{preset}/training", {"metrics": _metrics(at)})

    at.switch_page("pages/activations.py").run()
    at.multiselect(key="act.names").set_value(["sigmoid", "tanh", "relu"])
    at.number_input(key="act.epochs").set_value(30)
    at.button(key="act.train").click().run()
    assert not at.exception
    results = at.table[1].value.reset_index()  # [0]: the properties of the functions
    _check(f"{preset}/activations",
           {"results": _table(results),
            "summary": [m.value for m in at.markdown if m.value.startswith(("- ", "#### "))]})
