"""Networks and traces to and from JSON (never pickle); reading validates everything."""

from __future__ import annotations

import json

import numpy as np

from .network import ForwardTrace, Network

FORMAT = "nn_core.network"
MAX_JSON_BYTES = 2_000_000
MAX_UNITS = 256
MAX_WEIGHT_LAYERS = 16


def network_to_dict(net: Network) -> dict:
    """Return a JSON-ready dict of the architecture and every parameter."""
    return {
        "format": FORMAT,
        "version": 1,
        "layer_sizes": net.layer_sizes,
        "activations": net.activations,
        "use_bias": net.use_bias,
        "init": net.init,
        "seed": net.seed,
        "weights": [w.tolist() for w in net.weights],
        "biases": [b.tolist() for b in net.biases],
    }


def network_to_json(net: Network, indent: int | None = None) -> str:
    """Return the network as JSON; floats are written exactly (shortest round-trip repr)."""
    return json.dumps(network_to_dict(net), indent=indent, allow_nan=False)


def _finite_array(value, shape, what):
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a list of numbers") from None
    if arr.shape != tuple(shape):
        raise ValueError(f"{what} must have shape {tuple(shape)}; got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} contains NaN or infinite values")
    return arr


def network_from_dict(data) -> Network:
    """Return the network described by `data`, or raise ValueError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("a network file must be a JSON object")
    missing = [k for k in ("layer_sizes", "activations", "weights", "biases") if k not in data]
    if missing:
        raise ValueError(f"the network file lacks {', '.join(missing)}")
    sizes = data["layer_sizes"]
    if (not isinstance(sizes, list) or not 2 <= len(sizes) <= MAX_WEIGHT_LAYERS + 1
            or not all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= MAX_UNITS
                       for s in sizes)):
        raise ValueError(
            f"layer_sizes must be a list of 2 to {MAX_WEIGHT_LAYERS + 1} whole numbers "
            f"from 1 to {MAX_UNITS}")
    acts = data["activations"]
    if not (isinstance(acts, str) or (isinstance(acts, list)
                                      and all(isinstance(a, str) for a in acts))):
        raise ValueError("activations must be a name or a list of names, one per layer")
    seed = data.get("seed", 0)
    net = Network(sizes, data["activations"], init=str(data.get("init", "playground")),
                  seed=seed if isinstance(seed, int) else 0,
                  use_bias=bool(data.get("use_bias", True)))
    weights, biases = data["weights"], data["biases"]
    if not isinstance(weights, list) or not isinstance(biases, list) \
            or len(weights) != net.n_layers or len(biases) != net.n_layers:
        raise ValueError(f"expected {net.n_layers} weight matrices and bias vectors")
    pairs = list(zip(sizes, sizes[1:]))
    net.set_params(
        [_finite_array(w, s, f"weights[{l}]") for l, (w, s) in enumerate(zip(weights, pairs))],
        [_finite_array(b, (s[1],), f"biases[{l}]") for l, (b, s) in enumerate(zip(biases, pairs))],
    )
    return net


def _reject_constant(token):
    raise ValueError(f"{token} is not a number")


def read_json(text, max_bytes: int, what: str = "the file"):
    """Return the parsed JSON in `text` (str or bytes), or raise ValueError with a readable reason.

    User uploads go through here: size first, UTF-8, no NaN/Infinity, no deep nesting.
    """
    if len(text) > max_bytes:
        raise ValueError(f"{what} is larger than {max_bytes // 1000} kB")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{what} is not UTF-8 text") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})") \
            from None
    except RecursionError:
        raise ValueError(f"{what} is nested too deeply to be read") from None


def network_from_json(text) -> Network:
    """Return the network in JSON `text` (str or bytes), or raise ValueError with the reason."""
    return network_from_dict(read_json(text, MAX_JSON_BYTES, "the network file"))


def trace_to_dict(trace: ForwardTrace) -> dict:
    """Return a JSON-ready dict of a forward trace (z and a per layer)."""
    return {
        "pre_activations": [z.tolist() for z in trace.pre_activations],
        "activations": [a.tolist() for a in trace.activations],
    }


def trace_to_json(trace: ForwardTrace) -> str:
    """Return a forward trace as JSON."""
    return json.dumps(trace_to_dict(trace), allow_nan=False)


def trace_from_json(text: str) -> ForwardTrace:
    """Return the forward trace stored in JSON `text`."""
    data = json.loads(text, parse_constant=_reject_constant)
    return ForwardTrace([np.array(z, dtype=float) for z in data["pre_activations"]],
                        [np.array(a, dtype=float) for a in data["activations"]])

