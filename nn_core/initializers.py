"""Weight initializers by name; each draws from the generator it is given, so a seed fixes all."""

from __future__ import annotations

import numpy as np

INIT_DESCRIPTIONS = {
    "uniform": "uniform [0, 1), the tutorial's np.random.rand; biases 0",
    "playground": "uniform (-0.5, 0.5) with biases 0.1, as TensorFlow Playground",
    "xavier": "Glorot/Xavier uniform, limit sqrt(6 / (n_in + n_out)); biases 0",
    "he": "He normal, std sqrt(2 / n_in), for ReLU-like units; biases 0",
    "zeros": "all zeros: every hidden unit stays identical (symmetry is never broken)",
}
INITIALIZERS = tuple(INIT_DESCRIPTIONS)


def initialize(name: str, n_in: int, n_out: int, rng: np.random.Generator):
    """Return (W of shape (n_in, n_out), b of shape (n_out,)) drawn by initializer `name`."""
    if name == "uniform":
        return rng.random((n_in, n_out)), np.zeros(n_out)
    if name == "playground":
        return rng.uniform(-0.5, 0.5, (n_in, n_out)), np.full(n_out, 0.1)
    if name == "xavier":
        limit = np.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-limit, limit, (n_in, n_out)), np.zeros(n_out)
    if name == "he":
        return rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out)), np.zeros(n_out)
    if name == "zeros":
        return np.zeros((n_in, n_out)), np.zeros(n_out)
    raise ValueError(f"unknown initializer {name!r}; expected one of {', '.join(INITIALIZERS)}")
