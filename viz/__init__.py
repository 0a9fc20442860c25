"""Plotly figure builders: pure functions, engine objects in, go.Figure out."""
