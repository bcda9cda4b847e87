"""Object arrays of words (labels, verdicts, names) with one str per distinct word.

numpy copies a str into every entry of `np.full(n, "info", dtype=object)` (and of `.astype(object)` of a str
array): n str objects. On a national panel that is millions of small objects made and freed: time, and memory the
allocator keeps. `repeated` gives the same values as references to one str.
"""
from __future__ import annotations

import numpy as np


def repeated(word, n: int) -> np.ndarray:
    """An object array of n entries, each `word` (np.full(n, word, dtype=object), without n copies)."""
    out = np.empty(n, dtype=object)
    out.fill(word)
    return out

