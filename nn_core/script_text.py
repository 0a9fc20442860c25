"""How numbers become lines of the NumPy script (see numpy_script): arrays written out row by
row, wrapped to the project's line length, comments, and text made harmless before it is
written into a docstring or a comment.
"""

from __future__ import annotations

import re
import textwrap

import numpy as np

LINE = 100  # the longest line written (the project's ruff line length)


def number(v) -> str:
    return repr(float(v))


def rows(name, matrix, comment="") -> list:
    """Return `name = np.array([...])` lines: one matrix row per line (wrapped if long)."""
    lines = comment_lines(comment)
    lines.append(f"{name} = np.array([")
    for row in np.asarray(matrix, dtype=float):
        lines += wrapped([number(v) for v in row], "    [", "],")
    lines.append("])")
    return lines


def wrapped(items, head, tail, indent="     ") -> list:
    one = head + ", ".join(items) + tail
    if len(one) <= LINE:
        return [one]
    lines, current = [], head
    for i, item in enumerate(items):
        piece = item + (", " if i < len(items) - 1 else "")
        if len(current) + len(piece.rstrip()) > LINE - len(tail) and current.strip(" [("):
            lines.append(current.rstrip())
            current = indent
        current += piece
    lines.append(current + tail)
    return lines


def param_lists(name, arrays, comment) -> list:
    """Return `name = [[...], ...]` for a list of weight matrices or bias vectors."""
    lines = comment_lines(comment) + [f"{name} = ["]
    for l, a in enumerate(arrays):
        a = np.asarray(a, dtype=float)
        lines.append(f"    # layer {l + 1}: shape {a.shape}")
        if a.ndim == 1:
            lines += wrapped([number(v) for v in a], "    [", "],")
        else:
            lines.append("    [")
            for row in a:
                lines += wrapped([number(v) for v in row], "        [", "],", " " * 9)
            lines.append("    ],")
    lines.append("]")
    return lines


def comment_lines(text, indent="") -> list:
    return textwrap.wrap(text, LINE - 2 - len(indent), initial_indent=indent + "# ",
                         subsequent_indent=indent + "# ") if text else []


def safe_text(text, limit=120) -> str:
    """Return text reduced to plain, harmless characters (for the docstring and comments)."""
    return re.sub(r"[^A-Za-z0-9 ,.;:()'+\-_/^=*]", "", str(text))[:limit].strip()


def print_every(epochs) -> int:
    """Return a round number of epochs between printed losses: about ten lines in all."""
    target = max(1, epochs // 10)
    nice = [m * 10**k for k in range(6) for m in (1, 2, 5)]
    return max(m for m in nice if m <= target)
