"""Plotly figures the app builds itself, without Plotly's property validation or object model.

Plotly checks every property of every trace and annotation as it is set (type, range, and each
NumPy array through narwhals), and even unchecked its object model costs: for the step-through's
network graph that was about 90% of the time to build it, and the replay's 120 frames spent
more time becoming Plotly objects (and back into a dict for Streamlit) than being computed.
The builders hand over values of the right types already (tests/test_viz_unchecked.py checks
that each figure's JSON is exactly what the validating constructors give), so:

- `figure` / `scatter` build Plotly objects with Plotly's own `_validate=False` switch (the one
  `plotly.io.from_json` uses for trusted input);
- `prebuilt` wraps a figure built as plain dicts (Plotly's JSON form) in a `Prebuilt`: a
  go.Figure that hands that dict to whoever serialises it (st.plotly_chart calls `to_dict`)
  and becomes a full Plotly object only if someone asks for its parts (`fig.data`, ...).
  A cache can keep the dict (cheap to pickle) instead of Plotly objects, whose unpickling
  rebuilds and validates every trace.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.utils import is_skipped_key, plotlyjsShortTypes, to_typed_array_spec


def scatter(**props) -> go.Scatter:
    """go.Scatter(**props), unchecked."""
    return go.Scatter(_validate=False, **props)


_TEXTS: dict = {}  # key -> JSON text; text, so no two callers ever hold the same object


def fresh(key, make) -> dict:
    """Return a new copy of `make()` (JSON data), computed once per process for `key`: what
    Plotly builds the same way every time (a template, make_subplots' grid), kept as text."""
    text = _TEXTS.get(key)
    if text is None:
        text = _TEXTS.setdefault(key, json.dumps(make()))
    return json.loads(text)


def _with_template(layout: dict) -> dict:
    """The layout with its template expanded as go.Figure does (a name, or Plotly's default)."""
    layout = dict(layout or {})
    template = layout.get("template", pio.templates.default)
    if isinstance(template, str):  # a name; validation is what expands it
        layout["template"] = fresh(("template", template),
                                   lambda: pio.templates[template].to_plotly_json())
    return layout


def figure(data=(), layout=None, frames=None) -> go.Figure:
    """go.Figure(data, layout, frames), unchecked (also what is added to it later)."""
    return go.Figure(data=list(data), layout=_with_template(layout), frames=frames,
                     _validate=False)


class Prebuilt(go.Figure):
    """A figure held as Plotly's JSON dict: serialised as it is, a Plotly object on demand.

    `to_dict()` returns the dict, NumPy arrays in Plotly's base64 form (encoded on the way out
    unless the builder did it); any other use (`fig.data`, `fig.update_layout(...)`) first
    builds the Plotly objects from it, unchecked, after which it is an ordinary go.Figure.
    """

    def __init__(self, spec: dict, encoded: bool = False):  # go.Figure.__init__: on demand
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_encoded", encoded)

    def _build(self):
        spec = self.__dict__.pop("_spec")
        go.Figure.__init__(self, data=spec.get("data", []), layout=spec.get("layout"),
                           frames=spec.get("frames"), _validate=False)

    def __getattr__(self, name):
        # Only reached for what the instance lacks: before the build, all of Plotly's state.
        if name.startswith("__") or "_spec" not in self.__dict__:
            raise AttributeError(name)
        self._build()
        return getattr(self, name)

    def __setattr__(self, name, value):
        if "_spec" in self.__dict__:
            self._build()
        super().__setattr__(name, value)

    def to_dict(self) -> dict:
        spec = self.__dict__.get("_spec")
        if spec is None:
            return super().to_dict()
        if not self._encoded:
            return _encode_arrays(spec)
        out = {"data": [dict(t) for t in spec.get("data", [])], "layout": dict(spec["layout"])}
        if spec.get("frames"):
            out["frames"] = list(spec["frames"])
        return out

    def to_plotly_json(self) -> dict:
        return self.to_dict()

    def __reduce__(self):  # pickling and deepcopy: the dict, not Plotly's objects
        spec = self.__dict__.get("_spec")
        return (Prebuilt, (spec, self._encoded) if spec is not None else (self.to_dict(), True))


def as_prebuilt(fig: go.Figure) -> Prebuilt:
    """Return `fig` as a Prebuilt of its JSON: what a cache keeps (cheap to pickle and back)."""
    return fig if isinstance(fig, Prebuilt) else Prebuilt(fig.to_dict(), True)


def prebuilt(data=(), layout=None, frames=None, encoded=False) -> Prebuilt:
    """Return a Prebuilt of these plain-dict traces, layout and frames (Plotly's JSON form),
    the template expanded as go.Figure does. NumPy arrays are sent in Plotly's base64 form
    (encoded=True: the builder encoded every array itself, nothing to look for)."""
    spec = {"data": list(data), "layout": _with_template(layout)}
    if frames:
        spec["frames"] = list(frames)
    return Prebuilt(spec, encoded)


# Values that hold no array: a list or dict of only these is copied as it is, in C.
_SCALARS = frozenset({float, int, str, bool, type(None)})
# The dtypes Plotly sends as they are ("f8", ...), by dtype object (its str() is slow).
_SHORT = {np.dtype(name): code for name, code in plotlyjsShortTypes.items()}


def _typed(v: np.ndarray):
    """to_typed_array_spec(v), without its narwhals round trip for the common dtypes."""
    code = _SHORT.get(v.dtype)
    if code is None or v.size == 0:  # int64, bool, empty...: Plotly's own rules
        return to_typed_array_spec(v)
    out = {"dtype": code, "bdata": base64.b64encode(np.ascontiguousarray(v)).decode("ascii")}
    if v.ndim > 1:
        out["shape"] = str(v.shape)[1:-1]
    return out


def _encode_arrays(node):
    """Return a copy of `node` with NumPy arrays in Plotly's base64 form, as go.Figure.to_dict()
    gives them (Plotly's own walk tests every value for array-ness: ten times slower; lists of
    plain numbers, such as edge coordinates, are copied without visiting each value)."""
    if isinstance(node, dict):
        if _SCALARS.issuperset(map(type, node.values())):
            return dict(node)
        return {k: (v if is_skipped_key(k) else _typed(v))
                if isinstance(v, np.ndarray) else _encode_arrays(v) for k, v in node.items()}
    if isinstance(node, list):
        if _SCALARS.issuperset(map(type, node)):
            return list(node)
        return [_typed(v) if isinstance(v, np.ndarray) else _encode_arrays(v) for v in node]
    return node
