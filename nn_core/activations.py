"""Activation functions: value, derivative, formula and properties of each, by name.

Every function here is stable for any finite input: no overflow warnings, no NaN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

_SQRT_2_OVER_PI = np.sqrt(2.0 / np.pi)
_GELU_K = 0.044715
LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0


def sigmoid(z):
    """Return 1 / (1 + e^-z), computed without ever exponentiating a positive number."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _gelu(z):
    # Beyond |z| = 50 the tanh is exactly +-1; clipping keeps z^3 from overflowing.
    zc = np.clip(z, -50.0, 50.0)
    # zc * zc * zc, not zc**3: NumPy's float power calls pow() and is ~200x slower here.
    return 0.5 * z * (1.0 + np.tanh(_SQRT_2_OVER_PI * (zc + _GELU_K * zc * zc * zc)))


def _gelu_derivative(z, a):
    zc = np.clip(z, -50.0, 50.0)
    t = np.tanh(_SQRT_2_OVER_PI * (zc + _GELU_K * zc * zc * zc))
    return 0.5 * (1.0 + t) + 0.5 * zc * (1.0 - t * t) * _SQRT_2_OVER_PI * (
        1.0 + 3.0 * _GELU_K * zc * zc
    )


def _gelu_both(z):
    # _gelu and _gelu_derivative with their one tanh computed once (the same arithmetic).
    zc = np.clip(z, -50.0, 50.0)
    t = np.tanh(_SQRT_2_OVER_PI * (zc + _GELU_K * zc * zc * zc))
    return 0.5 * z * (1.0 + t), 0.5 * (1.0 + t) + 0.5 * zc * (1.0 - t * t) * _SQRT_2_OVER_PI * (
        1.0 + 3.0 * _GELU_K * zc * zc
    )


def _swish_derivative(z, a):
    s = sigmoid(z)
    return s + a * (1.0 - s)


def _swish_both(z):
    s = sigmoid(z)
    a = z * s
    return a, s + a * (1.0 - s)


def softmax(z):
    """Return row-wise softmax of z (n, k); the max is subtracted first so exp never overflows."""
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


@dataclass(frozen=True)
class Activation:
    """One activation function: f(z), f'(z) (given z and a = f(z)), and what the pages show."""

    name: str
    fn: callable
    # Takes both z and a = f(z): sigmoid and tanh have cheap derivatives in terms of a.
    _derivative: callable
    latex: str
    derivative_latex: str
    description: str
    range: str
    zero_centred: bool
    saturates: str
    smooth_at_0: bool
    cost: str
    elementwise: bool = True
    extra: dict = field(default_factory=dict)
    # (f(z), f'(z)) in one go, for functions whose derivative repeats f's costly part.
    _both: callable = None

    def __call__(self, z):
        return self.fn(z)

    def value_and_derivative(self, z):
        """Return (f(z), f'(z)): the numbers of fn and derivative, computed together."""
        if self._both is not None:
            return self._both(z)
        a = self.fn(z)
        return a, self._derivative(z, a)

    def derivative(self, z):
        """Return f'(z) elementwise."""
        if not self.elementwise:
            raise ValueError(f"{self.name} is not elementwise; use backward(z, a, grad_a)")
        z = np.asarray(z, dtype=float)
        return self._derivative(z, self.fn(z))

    def backward(self, z, a, grad_a):
        """Return dL/dz given dL/da (the chain rule through this activation)."""
        return grad_a * self._derivative(z, a)

    @cached_property
    def max_derivative(self) -> float:
        """Return the largest f'(z), measured on a fine grid over [-10, 10]."""
        if not self.elementwise:
            return float("nan")
        return float(np.max(self.derivative(np.linspace(-10.0, 10.0, 200_001))))

    @property
    def properties(self) -> dict:
        """Return the facts the Activations page tabulates."""
        return {
            "range": self.range,
            "zero_centred": self.zero_centred,
            "max_derivative": self.max_derivative,
            "saturates": self.saturates,
            "smooth_at_0": self.smooth_at_0,
            "cost": self.cost,
        }


class _Softmax(Activation):
    def backward(self, z, a, grad_a):
        # Jacobian-vector product of softmax: dz_i = a_i (g_i - sum_j g_j a_j).
        return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in [
        Activation(
            "sigmoid", sigmoid, lambda z, a: a * (1.0 - a),
            r"\sigma(z) = \frac{1}{1 + e^{-z}}", r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))",
            "The tutorial's S-curve: squashes any number into (0, 1).",
            "(0, 1)", False, "both sides", True, "1 exp, 1 division",
        ),
        Activation(
            "tanh", np.tanh, lambda z, a: 1.0 - a * a,
            r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}", r"\tanh'(z) = 1 - \tanh^2(z)",
            "A zero-centred sigmoid: squashes into (-1, 1), steeper at 0.",
            "(-1, 1)", True, "both sides", True, "1 tanh",
        ),
        Activation(
            "relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float),
            r"\mathrm{ReLU}(z) = \max(0, z)", r"\mathrm{ReLU}'(z) = [z > 0]",
            "Passes positives, zeroes negatives: cheap, no saturation for z > 0, can die.",
            "[0, inf)", False, "left (zero gradient for z < 0)", False, "1 comparison",
        ),
        Activation(
            "leaky_relu", lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
            lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
            r"\mathrm{LeakyReLU}(z) = \max(0.01 z, z)",
            r"\mathrm{LeakyReLU}'(z) = 1 \text{ if } z > 0 \text{ else } 0.01",
            "ReLU with a small slope (0.01) for negatives, so units never die completely.",
            "(-inf, inf)", False, "no", False, "1 comparison, 1 multiply",
        ),
        Activation(
            "elu", lambda z: np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0))),
            lambda z, a: np.where(z > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0))),
            r"\mathrm{ELU}(z) = z \text{ if } z > 0 \text{ else } e^{z} - 1",
            r"\mathrm{ELU}'(z) = 1 \text{ if } z > 0 \text{ else } e^{z}",
            "Like ReLU for positives, smooth exponential down to -1 for negatives.",
            "(-1, inf)", False, "left (towards -1)", False, "1 exp for z < 0",
        ),
        Activation(
            "softplus", lambda z: np.logaddexp(0.0, z), lambda z, a: sigmoid(z),
            r"\mathrm{softplus}(z) = \ln(1 + e^{z})", r"\mathrm{softplus}'(z) = \sigma(z)",
            "A smooth ReLU: its derivative is the sigmoid.",
            "(0, inf)", False, "left", True, "1 exp, 1 log",
        ),
        Activation(
            "gelu", _gelu, _gelu_derivative,
            r"\mathrm{GELU}(z) = \tfrac{1}{2} z \left(1 + \tanh\!\left(\sqrt{2/\pi}\,"
            r"(z + 0.044715 z^{3})\right)\right)",
            r"\mathrm{GELU}'(z) = \tfrac{1}{2}(1 + t) + \tfrac{1}{2} z (1 - t^{2})\sqrt{2/\pi}"
            r"\,(1 + 3 \cdot 0.044715 z^{2})",
            "Gaussian error linear unit (tanh form), used in transformers: a smooth, dipping ReLU.",
            "(-0.17, inf)", False, "left", True, "1 tanh, a cubic", _both=_gelu_both,
        ),
        Activation(
            "swish", lambda z: z * sigmoid(z), _swish_derivative,
            r"\mathrm{swish}(z) = z\,\sigma(z)",
            r"\mathrm{swish}'(z) = \sigma(z) + z\,\sigma(z)(1 - \sigma(z))",
            "z times its own sigmoid: smooth and non-monotonic, close to ReLU for large |z|.",
            "(-0.28, inf)", False, "left", True, "1 exp, 1 division", _both=_swish_both,
        ),
        Activation(
            "linear", lambda z: z, lambda z, a: np.ones_like(z),
            r"f(z) = z", r"f'(z) = 1",
            "No activation: stacked linear layers collapse into one linear model.",
            "(-inf, inf)", True, "no", True, "none",
        ),
        _Softmax(
            "softmax", softmax, None,
            r"\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
            r"\frac{\partial a_i}{\partial z_j} = a_i(\delta_{ij} - a_j)",
            "Turns an output layer's scores into class probabilities that sum to 1.",
            "(0, 1), rows sum to 1", False, "yes", True, "k exps, 1 sum", elementwise=False,
        ),
    ]
}

HIDDEN_ACTIVATIONS = tuple(name for name in ACTIVATIONS if name != "softmax")


def get_activation(name: str) -> Activation:
    """Return the activation called `name`, or raise ValueError listing the known names."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}"
        ) from None
