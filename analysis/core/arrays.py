"""Object arrays of words (labels, verdicts, names) with one str per distinct word.

numpy copies a str into every entry of `np.full(n, "info", dtype=object)`, of `np.where(c, "info", None)` on a
large array, and of `np.where(c, "warn", "info").astype(object)`: n str objects. On a national panel that
is millions of small objects made and freed: time, and memory the allocator keeps. `repeated` and `either` give
the same values as references to one str each.
"""
from __future__ import annotations

import numpy as np


def repeated(word, n: int) -> np.ndarray:
    """An object array of n entries, each `word` (np.full(n, word, dtype=object), without n copies)."""
    out = np.empty(n, dtype=object)
    out.fill(word)
    return out


def either(condition, yes, no) -> np.ndarray:
    """An object array: `yes` where `condition`, else `no` (np.where(condition, yes, no) for two words)."""
    return np.array([no, yes], dtype=object)[np.asarray(condition, dtype=bool).astype(np.intp)]
