"""Numbers as written in Chinese text: full-width digits to ASCII and traditional to simplified characters (both one
character for one, so offsets survive), decimal and Chinese numerals, and exact scaling. `analysis.core.quantity`
reads quantities with these and re-exports them."""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

import opencc

# one-for-one replacements (same length), so offsets survive normalisation
_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_FULLWIDTH.update({"．": ".", "％": "%", "～": "~", "〜": "~", "－": "-", "\u2212": "-"})   # − (minus sign) too
_TRANS = str.maketrans(_FULLWIDTH)

NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_MULT = {"十": 10, "百": 100, "千": 1000}
_CN_RUN = re.compile(r"[〇零一二两三四五六七八九十百千]+")


@lru_cache(maxsize=1)
def _t2s():
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified with OpenCC (the library, not a hand-made table)."""
    return _t2s().convert(text)


def normalize(line: str) -> str:
    """Full-width digits, ．, ％ and ～ to ASCII, one character for one (offsets are preserved)."""
    return line.translate(_TRANS)


@lru_cache(maxsize=4096)
def simple(line: str) -> str:
    """normalize + traditional→simplified, same length as `line` (character by character where OpenCC's
    phrase conversion would change the length), so an offset means the same in both."""
    norm = normalize(line)
    out = to_simplified(norm)
    if len(out) != len(norm):
        out = "".join(c if len(s := to_simplified(c)) != 1 else s for c in norm)
    return out


def parse_decimal(text: str) -> float:
    """'1.14' → 1.14, '１５' → 15.0; anything else is a ValueError naming the text."""
    norm = normalize(text.strip())
    if not NUMBER.fullmatch(norm):
        raise ValueError(f"not a number: {text!r}")
    return float(norm)


def parse_chinese(text: str) -> int | None:
    """'十二' → 12, '两千五百' → 2500, '百' → 100, '二〇二〇' → 2020; None when not a well-formed numeral
    ('十三五', a plan's name)."""
    if not text or any(c not in _CN_DIGITS and c not in _CN_MULT for c in text):
        return None
    if all(c in _CN_DIGITS for c in text):                   # positional: 二〇二〇
        return int("".join(str(_CN_DIGITS[c]) for c in text)) if (len(text) == 1 or len(text) == 4) else None
    total, digit, last_mult = 0, None, 10 ** 9
    for c in text:
        if c in _CN_DIGITS:
            if digit is not None and digit != 0:
                return None
            digit = _CN_DIGITS[c]
        else:
            m = _CN_MULT[c]
            if m >= last_mult:
                return None
            total += (1 if digit is None else digit) * m
            digit, last_mult = None, m
    if digit:
        total += digit
    return total


def scale(value: float, multiplier: float) -> float:
    """value × multiplier in decimal arithmetic (1.14 × 10⁴ = 11400 exactly, not 11399.999…)."""
    return float(Decimal(repr(value)) * Decimal(repr(multiplier)))
