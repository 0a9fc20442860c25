"""Write the step-through's formulas with their numbers, as LaTeX or as plain text.

One `Fmt(tex=True)` and one `Fmt(tex=False)` render the same formula, so the page (KaTeX) and
a notebook (print) show the same arithmetic. Layers are written (l), units 1-based.
"""

from __future__ import annotations

import numpy as np

MAX_TERMS = 8  # a written-out sum longer than this elides its middle
MAX_DIM = 8  # a matrix with more rows or columns than this elides its middle
# Boxes a formula gets, in em of KaTeX's display font (1.21 x 16 px), at 1024x768: the step
# pages' formula column, and the full width of the page. A longer sum goes on several lines,
# a few terms each; a matrix form is drawn full width, its matrices elided to fit.
LINE_EM = 16.0
FULL_EM = 27.0
_BRK = "\x00"  # before an operator where a line may break; Fmt.finish removes it

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

    def eq(self, *parts, rel="=") -> str:
        """a = b = c. In LaTeX an aligned block: each "= ..." on its own line, lined up on
        the "=", and a sum too long for LINE_EM continues on the next lines, a few terms
        each, so nothing runs off its box."""
        if not self.tex:
            return parts[0] + f" {rel} " + " = ".join(parts[1:])
        lhs, lines = parts[0], []
        for k, part in enumerate(parts[1:]):
            room = (FULL_EM if "bmatrix" in part else LINE_EM) - 2.5
            if k == 0:
                room -= tex_width(lhs)
            r = (r"\leftarrow" if rel == "<-" else rel) if k == 0 else "="
            chunks = wrap_terms(part, room)
            lines.append((lhs + " &" if k == 0 else "&") + r + " " + chunks[0])
            lines += [r"&\quad " + c for c in chunks[1:]]
        return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"

    def then(self, op) -> str:
        """ op  with a place before it where a long line may break."""
        return (" " + _BRK + op + " ") if self.tex else f" {op} "

    def finish(self, s) -> str:
        """The finished formula, without the marks of where lines could have broken."""
        return s.replace(_BRK, "")

    def mul(self, x, w) -> str:
        return self.factor(x) + self.times() + self.factor(w)

    def mul_sym(self, a, b) -> str:
        return f"{a} {b}" if self.tex else f"{a}*{b}"

    def sum(self, terms) -> str:
        kept = _keep(terms, MAX_TERMS, r"\cdots" if self.tex else "...")
        return self.then("+").join(kept)

    def frac(self, top, bottom) -> str:
        if self.tex:
            return rf"\frac{{{top}}}{{{bottom}}}"
        simple = " " not in top and " " not in bottom
        return f"{top}/{bottom}" if simple else f"({top}) / ({bottom})"

    def scaled(self, factor, body) -> str:
        """factor times a bracketed body: 1/2 (...) in LaTeX, 1/2 * (...) in text."""
        return factor + body if self.tex else f"{factor} * {body}"

    def update(self, w, lr, g) -> str:
        return self.n(w) + self.then("-") + self.factor(lr) + self.times() + self.factor(g)

    def act(self, name, arg) -> str:
        return (_ACT_TEX.get(name, "f") + rf"\left({arg}\right)") if self.tex else f"{name}({arg})"

    def deriv(self, name, arg) -> str:
        return (_ACT_TEX.get(name, "f") + rf"'\left({arg}\right)") if self.tex \
            else f"{name}'({arg})"

    def hadamard(self, u, v) -> str:
        u, v = np.asarray(u), np.asarray(v)
        if u.size == 1:
            return self.mul(u.item(), v.item())
        return self.mat(u) + self.then(r"\odot" if self.tex else ".*") + self.mat(v)

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
        num, max_cols = self.n, MAX_DIM
        if self.tex and arr.shape[1] > 2:
            # A wide matrix in a formula: 4 significant digits (the text keeps them all), and
            # as many columns as fit the page's full width beside a symbol and a vector.
            num = Fmt(True, min(self.digits, 4)).n
            cell = max(tex_width(num(v)) for v in arr.ravel()[:64]) + 1.0
            max_cols = max(3, min(MAX_DIM, int((FULL_EM - 7) // cell)))
        cols = _keep(range(arr.shape[1]), max_cols, None)
        lines = []
        for r in rows:
            if r is None:
                lines.append([vdots] * len(cols))
            else:
                lines.append([dots if c is None else num(arr[r, c]) for c in cols])
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
            if _BRK in s:  # fixed-size brackets, so a long sum inside may break onto lines
                return (r"\Big[" + s + r"\Big]") if square else (r"\Big(" + s + r"\Big)")
            return (r"\left[" + s + r"\right]") if square else (r"\left(" + s + r"\right)")
        return f"[{s}]" if square else f"({s})"


# ---- fitting LaTeX into a narrow box ----
_CMD_EM = {"cdot": 0.8, "leftarrow": 1.6, "odot": 1.3, "quad": 1.0, "qquad": 2.0, ",": 0.17,
           "times": 1.3, "cdots": 1.6, "vdots": 0.5, "ln": 1.1, "partial": 0.6, "delta": 0.5,
           "sigma": 0.6, "tanh": 1.9, "sum": 1.6, "langle": 0.4, "rangle": 0.4, "eta": 0.5,
           "top": 0.8}
_CHAR_EM = {"+": 1.3, "-": 1.3, "=": 1.4, "(": 0.4, ")": 0.4, "[": 0.3, "]": 0.3, ",": 0.5,
            ".": 0.28, " ": 0.0, "&": 0.0, "'": 0.3, "<": 1.3, ">": 1.3, "/": 0.5}


def _group(s, i):
    """Return (content, end) of the {...} group starting at s[i] == "{" (or one character)."""
    if s[i] != "{":
        return s[i], i + 1
    depth = 0
    for k in range(i, len(s)):
        depth += {"{": 1, "}": -1}.get(s[k], 0)
        if depth == 0:
            return s[i + 1:k], k + 1
    return s[i + 1:], len(s)


def _matrix_width(body) -> float:
    rows = [r.split("&") for r in body.split(r"\\")]
    cols = max(len(r) for r in rows)
    widths = [max(tex_width(r[c]) if c < len(r) else 0 for r in rows) for c in range(cols)]
    return sum(widths) + 1.0 * (cols - 1) + 1.2


def tex_width(s) -> float:
    """Estimate how wide LaTeX `s` is in em when KaTeX draws it (within ~15%)."""
    s = s.replace(_BRK, "")
    w, i = 0.0, 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and s.startswith(r"\begin{bmatrix}", i):
            end = s.find(r"\end{bmatrix}", i)
            end = len(s) if end < 0 else end
            w += _matrix_width(s[i + len(r"\begin{bmatrix}"):end])
            i = end + len(r"\end{bmatrix}")
        elif ch == "\\" and (s.startswith(r"\begin{", i) or s.startswith(r"\end{", i)):
            i = s.index("}", i) + 1
        elif ch == "\\":
            k = i + 1
            while k < len(s) and s[k].isalpha():
                k += 1
            name = s[i + 1:k] or s[k:k + 1]
            i = k if k > i + 1 else k + 1
            if name in ("frac",):
                top, i = _group(s, i)
                bottom, i = _group(s, i)
                w += max(tex_width(top), tex_width(bottom)) + 0.3
            elif name in ("text", "mathrm"):
                body, i = _group(s, i)
                w += 0.5 * len(body)
            elif name in ("left", "right"):
                w += 0.4
                i += 1
            else:
                w += _CMD_EM.get(name, 0.6)
        elif ch in "^_":
            body, i = _group(s, i + 1)
            w += 0.7 * tex_width(body)
        elif ch in "{}":
            i += 1
        else:
            before = s[:i].rstrip()[-1:]
            unary = ch == "-" and (not before or before in "&{([=\\")
            w += 0.8 if unary else _CHAR_EM.get(ch, 0.5)
            i += 1
    return w


def _pieces(s) -> list:
    """Split s at its break marks that stand outside any bracket or group."""
    pieces, start, depth, i = [], 0, 0, 0
    while i < len(s):
        # (every command starts with a backslash: test the character before the prefixes)
        if s[i] == "\\" and (s.startswith(r"\left", i) or s.startswith(r"\begin", i)):
            depth += 1
        elif s[i] == "\\" and (s.startswith(r"\right", i) or s.startswith(r"\end", i)):
            depth -= 1
        elif s[i] in "{}":
            depth += 1 if s[i] == "{" else -1
        elif s[i] == _BRK and depth == 0:
            pieces.append(s[start:i])
            start = i + 1
        i += 1
    return pieces + [s[start:]]


def wrap_terms(s, room) -> list:
    """Split s at its break marks into lines no wider than `room` em (a piece wider than the
    room gets a line of its own)."""
    pieces = _pieces(s)
    if len(pieces) == 1 or tex_width(s) <= room:
        return [s]
    lines, line = [], pieces[0]
    for piece in pieces[1:]:
        if tex_width(line + piece) <= room:
            line += _BRK + piece
        else:
            lines.append(line.rstrip())
            line = piece
    return lines + [line]


def widest_line(s) -> float:
    """The width in em of the widest line of formula s (lines split at top-level \\\\)."""
    lines, start, depth, i = [], 0, 0, 0
    while i < len(s):
        if s.startswith(r"\begin{bmatrix}", i):
            depth += 1
        elif s.startswith(r"\end{bmatrix}", i):
            depth -= 1
        elif s.startswith("\\\\", i) and depth == 0:
            lines.append(s[start:i])
            start = i + 2
            i += 1
        i += 1
    return max(tex_width(line) for line in lines + [s[start:]])
