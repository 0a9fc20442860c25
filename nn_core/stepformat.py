"""Write the step-through's formulas with their numbers, as LaTeX or as plain text.

One `Fmt(tex=True)` and one `Fmt(tex=False)` render the same formula, so the page (KaTeX) and
a notebook (print) show the same arithmetic. Layers are written (l), units 1-based.
"""

from __future__ import annotations

import numpy as np

MAX_TERMS = 8  # a written-out sum longer than this elides its middle
MAX_DIM = 8  # a matrix with more rows or columns than this elides its middle

_ACT_TEX = {
    "sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{ReLU}",
    "leaky_relu": r"\mathrm{LeakyReLU}", "elu": r"\mathrm{ELU}", "softplus": r"\mathrm{softplus}",
    "gelu": r"\mathrm{GELU}", "swish": r"\mathrm{swish}", "linear": r"\mathrm{id}",
    "softmax": r"\mathrm{softmax}",
}


def _keep(items, limit, filler):
    """Return items, or the first limit - 2, a filler and the last one when there are more."""
    items = list(items)
    if len(items) <= limit:
        return items
    return items[:limit - 2] + [filler] + items[-1:]


class Fmt:
    """Formats numbers, symbols and small expressions in one output language."""

    def __init__(self, tex: bool, digits: int = 6):
        self.tex, self.digits = tex, digits

    # ---- numbers ----
    def n(self, x) -> str:
        s = format(float(x), f".{self.digits}g")
        if s in ("-0", "-0.0"):
            s = "0"
        if self.tex and "e" in s:
            mantissa, exp = s.split("e")
            return rf"{mantissa} \times 10^{{{int(exp)}}}"
        return s

    def factor(self, x) -> str:
        """A number as a factor: negatives in parentheses."""
        s = self.n(x)
        return f"({s})" if float(x) < 0 or "times" in s else s

    # ---- symbols ----
    def v(self, name, layer=None, i=None, j=None) -> str:
        if self.tex:
            base = r"\delta" if name == "delta" else name
            sup = f"^{{({layer})}}" if layer is not None else ""
            sub = ""
            if i is not None:
                idx = f"{i}" if j is None else (f"{i}{j}" if i < 10 and j < 10 else f"{i},{j}")
                sub = f"_{{{idx}}}"
            return base + sup + sub
        s = name + (f"({layer})" if layer is not None else "")
        if i is not None:
            s += f"_{i}" if j is None else f"_{i},{j}"
        return s

    def dL(self, name, layer=None, i=None, j=None) -> str:
        sym = self.v(name, layer, i, j)
        return rf"\frac{{\partial L}}{{\partial {sym}}}" if self.tex else f"dL/d{sym}"

    def text(self, s) -> str:
        return rf"\text{{{s}}}" if self.tex else s

    # ---- operators ----
    def times(self) -> str:
        return r" \cdot " if self.tex else " * "

    def matmul(self) -> str:
        return r" \, " if self.tex else " @ "

    def arrow(self) -> str:
        return r" \leftarrow " if self.tex else " <- "

    def newline(self) -> str:
        return r" \\ " if self.tex else "\n"

    def sep(self) -> str:
        return r",\quad " if self.tex else ", "

    def eq(self, *parts) -> str:
        """a = b = c; in LaTeX each further "= ..." on its own line, so nothing runs off."""
        if not self.tex or len(parts) < 3:
            return " = ".join(parts)
        return parts[0] + " = " + parts[1] + "".join(r" \\ = " + p for p in parts[2:])

    def mul(self, x, w) -> str:
        return self.factor(x) + self.times() + self.factor(w)

    def mul_sym(self, a, b) -> str:
        return f"{a} {b}" if self.tex else f"{a}*{b}"

    def sum(self, terms) -> str:
        return " + ".join(_keep(terms, MAX_TERMS, r"\cdots" if self.tex else "..."))

    def frac(self, top, bottom) -> str:
        if self.tex:
            return rf"\frac{{{top}}}{{{bottom}}}"
        simple = " " not in top and " " not in bottom
        return f"{top}/{bottom}" if simple else f"({top}) / ({bottom})"

    def scaled(self, factor, body) -> str:
        """factor times a bracketed body: 1/2 (...) in LaTeX, 1/2 * (...) in text."""
        return factor + body if self.tex else f"{factor} * {body}"

    def update(self, w, lr, g) -> str:
        return self.n(w) + " - " + self.factor(lr) + self.times() + self.factor(g)

    def act(self, name, arg) -> str:
        return (_ACT_TEX.get(name, "f") + rf"\left({arg}\right)") if self.tex else f"{name}({arg})"

    def deriv(self, name, arg) -> str:
        return (_ACT_TEX.get(name, "f") + rf"'\left({arg}\right)") if self.tex \
            else f"{name}'({arg})"

    def hadamard(self, u, v) -> str:
        u, v = np.asarray(u), np.asarray(v)
        if u.size == 1:
            return self.mul(u.item(), v.item())
        return self.mat(u) + (r" \odot " if self.tex else " .* ") + self.mat(v)

    def jvp(self, a, g) -> str:
        if self.tex:
            return rf"{a} \odot \left({g} - \langle {g}, {a} \rangle\right)"
        return f"{a} .* ({g} - <{g}, {a}>)"

    def colsum(self, m) -> str:
        return (r"\sum_{\text{samples}} " + m) if self.tex else f"sum over samples of {m}"

    # ---- arrays ----
    def vals(self, arr) -> str:
        arr = np.asarray(arr)
        return self.n(arr.item()) if arr.size == 1 else self.mat(np.atleast_2d(arr))

    def vec(self, arr) -> str:
        return self.mat(np.atleast_2d(np.asarray(arr))[:1])

    def mat(self, arr) -> str:
        arr = np.atleast_2d(np.asarray(arr, dtype=float))
        dots = r"\cdots" if self.tex else "..."
        vdots = r"\vdots" if self.tex else "..."
        rows = _keep(range(arr.shape[0]), MAX_DIM, None)
        cols = _keep(range(arr.shape[1]), MAX_DIM, None)
        lines = []
        for r in rows:
            if r is None:
                lines.append([vdots] * len(cols))
            else:
                lines.append([dots if c is None else self.n(arr[r, c]) for c in cols])
        if self.tex:
            body = r" \\ ".join(" & ".join(line) for line in lines)
            return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
        inner = ", ".join("[" + ", ".join(line) + "]" for line in lines)
        return inner if len(lines) == 1 else f"[{inner}]"

    # ---- losses ----
    def loss_terms(self, loss, o, y) -> str:
        """The loss written out with the outputs o and targets y (both (n, k))."""
        o, y = np.asarray(o), np.asarray(y)
        pairs = list(zip(o.ravel(), y.ravel()))
        ln = r"\ln" if self.tex else "ln"
        sq = "^2" if self.tex else "^2"
        if loss in ("sse", "mse"):
            terms = [f"({self.n(a)} - {self.factor(t)}){sq}" for a, t in pairs]
            body = self.sum(terms)
            if loss == "sse":
                return body
            return self.scaled(self.frac("1", str(o.size)), self.paren(body))
        if loss == "bce":
            terms = [f"{self.factor(t)} {ln} {self.n(a)} + (1 - {self.factor(t)}) {ln}(1 - {self.n(a)})"
                     for a, t in pairs]
            return "-" + self.scaled(self.frac("1", str(o.size)), self.paren(self.sum(terms), square=True))
        terms = [f"{self.factor(t)} {ln} {self.n(a)}" for a, t in pairs if t != 0]
        return "-" + self.scaled(self.frac("1", str(o.shape[0])), self.paren(self.sum(terms or ["0"])))

    def loss_grad_terms(self, loss, o, y, j) -> str:
        """dL/do written out for output unit j of sample 0 (or symbolically for all, j None)."""
        if j is None:
            o_s, y_s = self.mat(o), self.mat(y)
        else:
            o_s, y_s = self.n(o[0, j]), self.factor(y[0, j])
        size = np.size(o)
        if loss == "sse":
            return f"2({o_s} - {y_s})" if self.tex else f"2 * ({o_s} - {y_s})"
        if loss == "mse":
            return self.scaled(self.frac("2", str(size)), self.paren(f"{o_s} - {y_s}"))
        if loss == "bce":
            if j is None:
                return self.scaled(self.frac("1", str(size)), self.paren(
                    self.text("(o - y) / (o (1 - o)) for each output")))
            return self.scaled(self.frac("1", str(size)),
                               self.frac(f"{o_s} - {y_s}", f"{o_s}(1 - {o_s})"))
        n = np.shape(o)[0]
        return "-" + self.scaled(self.frac("1", str(n)), self.frac(y_s, o_s))

    def paren(self, s, square=False) -> str:
        if self.tex:
            return (r"\left[" + s + r"\right]") if square else (r"\left(" + s + r"\right)")
        return f"[{s}]" if square else f"({s})"
