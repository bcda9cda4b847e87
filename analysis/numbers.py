"""Numbers as Chinese policy documents write them: digits (ASCII or full-width), Chinese multipliers
(万, 亿), units (家, 件, 万平方米, ％...), qualifiers that make a target a bound (以上, 超过, 突破,
不少于 → ge/gt; 左右, 近 → approx) and ranges (1~2).

Everything here works on one line of text at a time and keeps character offsets: `normalize` maps
full-width forms to ASCII one character for one character, so a position in the normalized line is
the same position in the line as published.
"""
from __future__ import annotations

import re
from decimal import Decimal
from dataclasses import dataclass
from functools import lru_cache

# one-for-one replacements (same length), so offsets survive normalisation
_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_FULLWIDTH.update({"．": ".", "％": "%", "～": "~", "〜": "~", "－": "-", "，": "，"})
_TRANS = str.maketrans(_FULLWIDTH)

NUMBER = re.compile(r"\d+(?:\.\d+)?")
YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*年")

# published unit (simplified; traditional text is converted with OpenCC before lookup)
#   -> (canonical unit, multiplier)
UNITS: dict[str, tuple[str, float]] = {
    "万平方米": ("万平方米", 1.0),
    "平方米": ("万平方米", 1e-4),
    "平方公里": ("平方公里", 1.0),
    "个百分点": ("百分点", 1.0),
    "百分点": ("百分点", 1.0),
    "亿元": ("亿元", 1.0),
    "万元": ("亿元", 1e-4),
    "亿": ("亿元", 1.0),
    "万家": ("家", 1e4),
    "万人": ("人", 1e4),
    "万名": ("人", 1e4),
    "万件": ("件", 1e4),
    "万张": ("张", 1e4),
    "万项": ("项", 1e4),
    "万个": ("个", 1e4),
    "%": ("%", 1.0),
    "家": ("家", 1.0),
    "件": ("件", 1.0),
    "人": ("人", 1.0),
    "名": ("人", 1.0),
    "位": ("人", 1.0),
    "个": ("个", 1.0),
    "项": ("项", 1.0),
    "张": ("张", 1.0),
    "支": ("支", 1.0),
    "场": ("场", 1.0),
    "所": ("所", 1.0),
    "次": ("次", 1.0),
    "亩": ("亩", 1.0),
}
_UNIT_KEYS = sorted(UNITS, key=len, reverse=True)
CANONICAL_UNITS = frozenset(u for u, _ in UNITS.values())

# qualifiers, in simplified characters; the first that matches wins (longest first)
BEFORE = [("不少于", "ge"), ("不低于", "ge"), ("不少", "ge"), ("至少", "ge"), ("超过", "gt"), ("突破", "gt"),
          ("逾", "gt"), ("近", "approx"), ("约", "approx")]
AFTER = [("以上", "ge"), ("左右", "approx")]
BOUNDS = ("eq", "ge", "gt", "approx", "range")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified with OpenCC (the library, not a hand-made table)."""
    return _t2s().convert(text)


def normalize(line: str) -> str:
    """Full-width digits, ．, ％ and ～ to ASCII, one character for one (offsets are preserved)."""
    return line.translate(_TRANS)


def parse_decimal(text: str) -> float:
    """'1.14' → 1.14, '１５' → 15.0; anything else is a ValueError naming the text."""
    norm = normalize(text.strip())
    if not NUMBER.fullmatch(norm):
        raise ValueError(f"not a number: {text!r}")
    return float(norm)


@dataclass(frozen=True)
class Reading:
    """One number read from a line: where it is, as written, and what it means."""
    start: int            # offset of the first digit in the line
    end: int              # offset after the unit (and trailing qualifier, if any)
    value: float          # in the canonical unit
    value_low: float | None
    value_published: str  # digits as written ("1.14", "1~2")
    unit_published: str   # unit as written ("萬家", "％", "" when none)
    unit: str | None      # canonical unit, None when no unit follows the number
    bound: str            # eq / ge / gt / approx / range
    spans: tuple[tuple[int, int], ...]  # spans of every digit group consumed (a range has two)


_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*(~|～|〜|至|-|—)\s*(\d+(?:\.\d+)?)")


def lookup_unit(text: str) -> tuple[str, str, float] | None:
    """The unit at the start of `text` (published form, canonical unit, multiplier), or None."""
    simple = to_simplified(normalize(text[:5]))
    for key in _UNIT_KEYS:
        if simple.startswith(key):
            return text[: len(key)], UNITS[key][0], UNITS[key][1]
    return None


def read_number(line: str, start: int, *, before_window: int = 6) -> Reading:
    """Read the number whose first digit is at `start` in `line`, with its unit and qualifiers."""
    norm = normalize(line)
    m = _RANGE.match(norm, start)
    spans: tuple[tuple[int, int], ...]
    if m and (m.group(2) in "~～〜至" or _looks_like_range(norm, m)):
        low, high = float(m.group(1)), float(m.group(3))
        pos = m.end()
        value_published = line[m.start(): m.end()]
        spans = ((m.start(1), m.end(1)), (m.start(3), m.end(3)))
        is_range = True
    else:
        n = NUMBER.match(norm, start)
        if not n:
            raise ValueError(f"no number at offset {start} of {line!r}")
        low = high = float(n.group())
        pos = n.end()
        value_published = line[n.start(): n.end()]
        spans = ((n.start(), n.end()),)
        is_range = False
    bound = "range" if is_range else "eq"
    # 多 between number and unit (550多亿元, 200多所): more than
    after = norm[pos:]
    if after.startswith("多"):
        pos += 1
        bound = "gt" if not is_range else bound
    ws = len(norm[pos:]) - len(norm[pos:].lstrip(" \u3000\t\u00a0"))
    unit_found = lookup_unit(line[pos + ws:])
    unit_published, unit, mult = "", None, 1.0
    if unit_found:
        unit_published, unit, mult = unit_found
        pos = pos + ws + len(unit_published)
    tail = to_simplified(line[pos: pos + 3])
    if not is_range:
        for word, b in AFTER:
            if tail.startswith(word):
                bound = b
                pos += len(word)
                break
        if bound == "eq":
            head = to_simplified(line[max(0, start - before_window): start]).rstrip(" \u3000")
            for word, b in BEFORE:
                if head.endswith(word):
                    bound = b
                    break
    return Reading(start=start, end=pos, value=scale(high, mult), value_low=(scale(low, mult) if is_range else None),
                   value_published=value_published, unit_published=unit_published, unit=unit, bound=bound,
                   spans=spans)


def scale(value: float, multiplier: float) -> float:
    """value × multiplier in decimal arithmetic (1.14 × 10⁴ = 11400 exactly, not 11399.999…)."""
    return float(Decimal(repr(value)) * Decimal(repr(multiplier)))


def _looks_like_range(norm: str, m: re.Match) -> bool:
    """'3-5万元' is a range; '2016-2025' (years) and '10.5代' are not."""
    a, b = m.group(1), m.group(3)
    return not (len(a) == 4 and len(b) == 4) and m.group(2) in "-—" and float(a) < float(b)


def number_spans(line: str) -> list[tuple[int, int]]:
    """Every digit group of the line (after normalisation), as (start, end) offsets."""
    return [(m.start(), m.end()) for m in NUMBER.finditer(normalize(line))]


def year_spans(line: str) -> list[tuple[int, int, int]]:
    """Every 'YYYY年' of the line: (start of digits, end of digits, year)."""
    return [(m.start(1), m.end(1), int(m.group(1))) for m in YEAR.finditer(normalize(line))]
