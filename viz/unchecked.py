"""Plotly objects for figures the app builds itself, without Plotly's property validation.

Plotly checks every property of every trace and annotation as it is set (type, range, and each
NumPy array through narwhals); for the step-through's network graph that was about 90% of the
time to build it (some 40 traces and annotations per click) and the largest share of the
server's CPU under a class's load (bench/load.py --profile). The builders here hand Plotly
values of the right types already (tests/test_viz_unchecked.py checks that each figure's JSON
is exactly what the validating constructors give), so the checks are skipped with Plotly's
own `_validate=False` switch, the one `plotly.io.from_json` uses for trusted input.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio


def scatter(**props) -> go.Scatter:
    """go.Scatter(**props), unchecked."""
    return go.Scatter(_validate=False, **props)


def figure(data=(), layout=None, frames=None) -> go.Figure:
    """go.Figure(data, layout, frames), unchecked (also what is added to it later)."""
    layout = dict(layout or {})
    if isinstance(layout.get("template"), str):  # a name; validation is what expands it
        layout["template"] = pio.templates[layout["template"]].to_plotly_json()
    return go.Figure(data=list(data), layout=layout, frames=frames, _validate=False)
