"""The hidden activation of a stack of runs that differ in it, computed family by family.

The activation study trains its runs as one stack (nn_core.passes): every run's hidden layer
holds a (rows, units) block of z, and run r applies its own activation f_r. Applied group by
group (passes.PerRun), each of the nine functions costs its own handful of NumPy calls, and
with minibatches of ten rows those calls, not the arithmetic, are most of a study's time.
`FusedPerRun` cuts them where functions share work: runs are ordered so that each family is
one contiguous slice of the stack (`family_order`), then

- relu, leaky ReLU and linear are one slope choice, z > 0 ? 1 : c (c = 0, 0.01, 1), and
  a = z * f'(z) for the last two; ELU needs no choice at all (see _elu);
- sigmoid, softplus (whose f' is the sigmoid) and swish (z * sigmoid) share one sigmoid and
  its exp(-|z|), and one 1 - sigmoid;
- every result is written straight into the stacked a and f'(z) (ufuncs with out=).

Each value is the one `nn_core.activations` computes for that run, bit for bit: the same
operations in the same order per element (commuted only where IEEE arithmetic commutes,
x * y = y * x and x + y = y + x), and where a choice is replaced (a max instead of a
where), the replacement picks exactly the same number for every input, signed zeros, infinities
and NaN included (tests/test_fused_activations.py checks each against nn_core.activations).
"""

from __future__ import annotations

import numpy as np

from .activations import _GELU_K, _SQRT_2_OVER_PI, ELU_ALPHA, LEAKY_SLOPE, get_activation

# The stack's order of the hidden activations: the families below are contiguous in it.
FAMILY_ORDER = ("relu", "leaky_relu", "linear", "elu", "softplus", "sigmoid", "swish", "tanh",
                "gelu")
_SLOPES = {"relu": 0.0, "leaky_relu": LEAKY_SLOPE, "linear": 1.0}


def family_order(names) -> list[int]:
    """Return the runs' order in a fused stack: by FAMILY_ORDER, stable within one name."""
    rank = {name: i for i, name in enumerate(FAMILY_ORDER)}
    for name in names:
        if name not in rank:
            get_activation(name)  # an unknown name says what is known
            raise ValueError(f"{name!r} cannot be a hidden layer's activation")
    return sorted(range(len(names)), key=lambda r: rank[names[r]])


def _span(bounds, names):
    """Return the slice of the stack that holds `names` (consecutive in FAMILY_ORDER), or None."""
    present = [bounds[n] for n in names if n in bounds]
    return slice(present[0][0], present[-1][1]) if present else None


def _within(outer, inner):
    """Return `inner` (a slice of the stack) relative to the start of `outer`."""
    return slice(inner.start - outer.start, inner.stop - outer.start)


class FusedPerRun:
    """One hidden layer's activation in a stack whose runs are in `family_order`.

    The interface of passes.PerRun (and of an Activation): fn(z), value_and_derivative(z),
    backward(z, a, grad_a), name; z is (runs, rows, units).
    """

    name = "per run"

    def __init__(self, names):
        names = list(names)
        if [names[r] for r in family_order(names)] != names:
            raise ValueError("the runs of a fused stack must be in family_order")
        bounds, start = {}, 0
        for name in FAMILY_ORDER:
            count = names.count(name)
            if count:
                bounds[name] = (start, start + count)
                start += count
        self.at = {name: slice(lo, hi) for name, (lo, hi) in bounds.items()}
        self.sloped = _span(bounds, ("relu", "leaky_relu", "linear"))
        self.scaled = _span(bounds, ("leaky_relu", "linear"))  # a = z * f'(z)
        if self.sloped is not None:
            self.slopes = np.concatenate([np.full(hi - lo, _SLOPES[n]) for n, (lo, hi)
                                          in bounds.items() if n in _SLOPES])[:, None, None]
        if self.scaled is not None:
            self.scaled_in_sloped = _within(self.sloped, self.scaled)
        self.sigmoid = _span(bounds, ("softplus", "sigmoid", "swish"))
        self.sigmoid_swish = _span(bounds, ("sigmoid", "swish"))
        if self.sigmoid is not None and "softplus" in self.at:
            self.softplus_in_sigmoid = _within(self.sigmoid, self.at["softplus"])
        if self.sigmoid_swish is not None:
            self.rest_in_sigmoid = _within(self.sigmoid, self.sigmoid_swish)
            for name in ("sigmoid", "swish"):
                if name in self.at:
                    setattr(self, f"{name}_in_rest", _within(self.sigmoid_swish, self.at[name]))

    def fn(self, z):
        a = np.empty_like(z)
        self._apply(z, a, None)
        return a

    def value_and_derivative(self, z):
        a, d = np.empty_like(z), np.empty_like(z)
        self._apply(z, a, d)
        return a, d

    def backward(self, z, a, grad_a):
        return grad_a * self.value_and_derivative(z)[1]

    # Each family takes its slices of z, a and f' once: a view costs about what a ufunc call
    # on a minibatch does.
    def _apply(self, z, a, d):
        at = self.at
        if self.sloped is not None:
            s = self.sloped
            zs = z[s]
            dz = d[s] if d is not None else np.empty_like(zs)
            # f'(z) = 1 where z > 0, else the run's slope c (0, 0.01, 1): max([z > 0], c) is
            # exactly np.where(z > 0, 1.0, c).
            np.maximum(np.greater(zs, 0.0), self.slopes, out=dz)
            if "relu" in at:
                np.maximum(z[at["relu"]], 0.0, out=a[at["relu"]])
            if self.scaled is not None:
                np.multiply(z[self.scaled], dz[self.scaled_in_sloped], out=a[self.scaled])
        if "elu" in at:
            s = at["elu"]
            self._elu(z[s], a[s], None if d is None else d[s])
        if self.sigmoid is not None:
            self._sigmoid_family(z, a, d)
        if "tanh" in at:
            s = at["tanh"]
            at_ = a[s]
            np.tanh(z[s], out=at_)
            if d is not None:
                dt = d[s]
                np.multiply(at_, at_, out=dt)
                np.subtract(1.0, dt, out=dt)
        if "gelu" in at:
            s = at["gelu"]
            self._gelu(z[s], a[s], None if d is None else d[s])

    @staticmethod
    def _elu(z, a, d):
        # ELU = z > 0 ? z : alpha (e^z - 1), ELU' = z > 0 ? 1 : alpha e^z, both of m = min(z, 0).
        # With alpha = 1 no choice is needed: e^m is exactly 1 where z > 0, and
        # max(z, e^m - 1) is z there and e^m - 1 elsewhere (e^z - 1 >= z).
        m = np.minimum(z, 0.0)
        if ELU_ALPHA != 1.0:
            positive = z > 0
            if d is not None:
                d[...] = np.where(positive, 1.0, ELU_ALPHA * np.exp(m))
            a[...] = np.where(positive, z, ELU_ALPHA * np.expm1(m))
            return
        if d is not None:
            np.exp(m, out=d)
        np.expm1(m, out=m)
        np.maximum(z, m, out=a)

    def _sigmoid_family(self, z, a, d):
        # activations.sigmoid: e = exp(-|z|), sigma = where(z >= 0, 1, e) / (1 + e); and
        # softplus = max(z, 0) + log1p(e) from the same e, which is exactly how
        # np.logaddexp(0, z) computes it. With f' wanted every run of the family needs sigma
        # (softplus' = sigma); for values only, softplus needs just its e.
        at = self.at
        softplus = at.get("softplus")
        span = self.sigmoid if d is not None else self.sigmoid_swish
        e_softplus = None
        if span is not None:
            zs = z[span]
            e = np.abs(zs)
            np.negative(e, out=e)
            np.exp(e, out=e)
            top = np.where(zs >= 0, 1.0, e)
            sig = a[span]
            np.divide(top, np.add(e, 1.0), out=sig)
            if d is not None:
                if softplus is not None:
                    e_softplus = e[self.softplus_in_sigmoid]
                    np.copyto(d[softplus], sig[self.softplus_in_sigmoid])
                if self.sigmoid_swish is not None:
                    sig = sig[self.rest_in_sigmoid]
                    d_sig = d[self.sigmoid_swish]
                    np.subtract(1.0, sig, out=d_sig)  # 1 - sigma
                    if "sigmoid" in at:
                        s = self.sigmoid_in_rest
                        np.multiply(sig[s], d_sig[s], out=d_sig[s])
                    if "swish" in at:
                        s = self.swish_in_rest
                        sig_w, d_w = sig[s], d_sig[s]
                        zsig = np.multiply(z[at["swish"]], sig_w)
                        # sigma + a (1 - sigma), a = z sigma
                        np.multiply(zsig, d_w, out=d_w)
                        np.add(d_w, sig_w, out=d_w)
                        np.copyto(sig_w, zsig)
            elif "swish" in at:
                s = at["swish"]
                a_w = a[s]
                np.multiply(z[s], a_w, out=a_w)
        if softplus is not None:
            zp = z[softplus]
            if e_softplus is None:
                e_softplus = np.abs(zp)
                np.negative(e_softplus, out=e_softplus)
                np.exp(e_softplus, out=e_softplus)
            a_p = a[softplus]
            np.log1p(e_softplus, out=e_softplus)
            np.maximum(zp, 0.0, out=a_p)
            np.add(a_p, e_softplus, out=a_p)

    @staticmethod
    def _gelu(z, a, d):
        # activations._gelu_both, with its temporaries reused.
        zc = np.maximum(z, -50.0)
        np.minimum(zc, 50.0, out=zc)
        t = np.multiply(zc, _GELU_K)
        t *= zc
        t *= zc
        t += zc
        t *= _SQRT_2_OVER_PI
        np.tanh(t, out=t)
        one_t = np.add(t, 1.0)
        if d is not None:
            # 0.5 (1 + t) + 0.5 zc (1 - t^2) sqrt(2/pi) (1 + 3 k zc^2)
            np.multiply(t, t, out=t)
            np.subtract(1.0, t, out=t)
            v = np.multiply(zc, 0.5)
            v *= t
            v *= _SQRT_2_OVER_PI
            np.multiply(zc, 3.0 * _GELU_K, out=t)
            t *= zc
            t += 1.0
            v *= t
            np.multiply(one_t, 0.5, out=d)
            d += v
        np.multiply(z, 0.5, out=a)
        a *= one_t
