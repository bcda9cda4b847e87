"""Quantities as Chinese plans write them: the one place that reads a number with its unit and bound.

    python -m analysis.quantity "到2020年，高新技术企业达到1.2万家以上"

prints one JSON object per quantity found, in text order (`value` in the canonical unit, `unit`,
`bound`, `value_low` for a range, `published`: the text read). Keep this command stable: researchers use
it to see how a phrase will be read.

What it reads (every table below is the single source; data/raw/specs/README.md is generated from it):
  - digits, ASCII or full-width (15, １５, 1.14), and Chinese numerals (一…十, 两, 百, 千, 十二, 两千五百);
  - scale words between number and unit (万, 亿, 万亿, 千万…; both scripts: 萬億元 = 万亿元);
  - units (家, 件, 人, 人年, 亿元, 万平方米, %, 个百分点, 倍…), converted to a canonical unit;
  - bounds from the words around the number (以上, 不少于, 超过, 以下, 不超过, 左右, 近, 约…), 多/余 between
    number and unit (550多亿元: more than 550), ranges (1~2, 二至三);
  - ranks (全省前40位, 全市前3, 第15位, 世界第二): unit 名次; 前N bound `le` ("this place or better"), 第N `eq` (that
    place);
  - index points (创新指数 160以上: unit 点 when the clause names an 指数 and no unit follows);
  - relative amounts (翻一番 = 2 倍, 翻两番 = 4 倍).
A number followed by a unit token this module does not know (台, 美元, 家次…) is an error naming the token,
never a reading that silently drops what follows.

Everything works on one line at a time and keeps character offsets: full-width forms map to ASCII one
character for one, and traditional characters are converted with OpenCC, which maps these one for one.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass
from decimal import Decimal

from .errors import InputError, run_cli
from .numerals import _CN_DIGITS, _CN_RUN, NUMBER, normalize, parse_chinese, scale, simple
from .units import canonical_units, units

YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*年")
_SPACE = " \u3000\t\u00a0"

# ---- the tables (README: data/raw/specs/README.md is generated from these) ----------------------------
# the units and their words: data/raw/units.yml (one table for the reader, the schema, the vocabulary and the
# labels), loaded on first use by `units()`; UNITS, UNKNOWN_UNITS, VAGUE_CLASSIFIERS and CANONICAL_UNITS of this
# module are its views (module attributes computed on access)
# scale words between a number and its unit (万家, 亿元, 万亿元, 千万元)
SCALES: dict[str, float] = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6,
                            "十万": 1e5, "万": 1e4, "千": 1e3}
RANK_UNIT = "名次"
INDEX_UNIT = "点"
# words before the number (simplified; the longest that ends right before the number wins)
BEFORE: dict[str, str] = {
    "不少于": "ge", "不低于": "ge", "不小于": "ge", "不少": "ge", "至少": "ge", "至少达到": "ge", "最少": "ge",
    "超过": "gt", "突破": "gt", "逾": "gt", "高于": "gt", "多于": "gt", "大于": "gt",
    "不超过": "le", "不高于": "le", "不多于": "le", "不大于": "le", "最多": "le", "最高": "le",
    "不足": "lt", "不到": "lt", "少于": "lt", "低于": "lt", "小于": "lt",
    "近": "approx", "约": "approx", "大约": "approx", "接近": "approx",
}
# words after the number and unit
AFTER: dict[str, str] = {"以上": "ge", "以下": "le", "以内": "le", "左右": "approx", "上下": "approx"}
# between number and unit: 550多亿元, 300余家 (more than)
MORE_THAN = ("多", "余")
RANGE_SEPARATORS = ("~", "至", "到", "-", "—")
# relative amounts: word -> factor
RELATIVE: dict[str, float] = {"翻一番": 2, "翻两番": 4, "翻三番": 8, "翻一倍": 2, "翻番": 2}
BOUNDS = ("eq", "ge", "gt", "le", "lt", "approx", "range")
BOUND_MEANING = {"eq": "exactly", "ge": "at least", "gt": "more than", "le": "at most (a rank: this or better)",
                 "lt": "less than", "approx": "about", "range": "from value_low to value"}
TIME_WORDS = ("个月", "年", "月", "日", "天", "周", "小时")   # durations and dates (not quantities of a target)
# characters that may follow a unit and would change its meaning (人 + 年 = 人年): an unknown compound
_COMPOUND_TAIL = "年次天日时"
_CLAUSE_END = re.compile(r"[，,。；;：:！？!?、]")
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_RANK_CONTEXT = ("世界", "全球", "全国", "全省", "全市", "全区", "国内", "亚洲", "居", "排名", "排", "位列", "位居",
                 "跃居", "列", "进入", "提升到", "提高到", "上升至", "达到", "保持")
_NOT_A_NUMERAL_BEFORE = "同每统唯逐单某任其万上下"   # 同一, 每一个, 统一, 唯一, 逐一, 单一, 万一, 上一篇

_SCALE_KEYS = sorted(SCALES, key=len, reverse=True)


class QuantityError(ValueError):
    """A number that cannot be read as a quantity (unknown unit token, an ordinal, no number)."""


def __getattr__(name: str):
    """UNITS, UNKNOWN_UNITS, VAGUE_CLASSIFIERS, CANONICAL_UNITS: views of data/raw/units.yml, read on first use."""
    views = {"UNITS": lambda: units().published, "UNKNOWN_UNITS": lambda: units().not_read,
             "VAGUE_CLASSIFIERS": lambda: units().vague, "CANONICAL_UNITS": canonical_units}
    if name in views:
        return views[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Reading:
    """One number read from a line: where it is, as written, and what it means."""
    start: int            # offset of the first character of the number in the line
    end: int              # offset after the unit (and trailing qualifier, if any)
    value: float          # in the canonical unit
    value_low: float | None
    value_published: str  # the number as written ("1.14", "1~2", "两", "翻一番")
    unit_published: str   # scale and unit as written ("萬家", "％", "" when none)
    unit: str | None      # canonical unit, None when no unit follows the number
    bound: str            # one of BOUNDS
    spans: tuple[tuple[int, int], ...]  # spans of every number consumed (a range has two)
    begin: int = -1       # offset of the first character read (a bound word before the number), -1: = start

    def published(self, line: str) -> str:
        return line[(self.begin if self.begin >= 0 else self.start): self.end]


_CN_DECIMALS = re.compile(r"点([〇零一二三四五六七八九]+)")      # 零点五, 三点一四: a Chinese decimal fraction
MAX_VALUE = 1e15        # larger values (in the canonical unit) are not a plan's quantity: refused, never printed as inf


def _number_at(s: str, pos: int) -> tuple[float, int, bool] | None:
    """(value, end, is_chinese) of the number (digits or a Chinese numeral, 零点五 included) starting at pos of
    simplified text. Raises QuantityError for digits that are no number (1.2.3, 1e308)."""
    m = NUMBER.match(s, pos)
    if m:
        tail = re.match(r"(?:\.\d+)+|[eE][+-]?\d", s[m.end():])
        if tail:
            run = re.match(r"[\d.eE+-]+", s[pos:]).group()
            raise QuantityError(f"{run!r} is not a number as plans write them (two decimal points, or scientific "
                                "notation); expected digits with at most one decimal point")
        return float(m.group()), m.end(), False
    m = _CN_RUN.match(s, pos)
    if m:
        v = parse_chinese(m.group())
        if v is not None:
            d = _CN_DECIMALS.match(s, m.end())
            if d:
                fraction = "".join(str(_CN_DIGITS[c]) for c in d.group(1))
                return float(Decimal(int(v)) + Decimal(f"0.{fraction}")), d.end(), True
            return float(v), m.end(), True
    return None


_COMPOUND_SCALES = ("万亿", "亿", "万")      # 3万5千家, 1亿5000万元: one number in two parts
_PART_SCALES = {**SCALES, "百": 1e2}


def _compound(s: str, value: float, pos: int) -> tuple[float, int, tuple[int, int] | None]:
    """3万5千 → (35000, end, span of the second number), or (value, pos, None) when no second part follows."""
    k1 = _startswith_any(s, pos, _COMPOUND_SCALES)
    if not k1:
        return value, pos, None
    second = _number_at(s, pos + len(k1))
    if second is None:
        return value, pos, None
    v2, end2, chinese2 = second
    k2 = _startswith_any(s, end2, sorted(_PART_SCALES, key=len, reverse=True))
    part = v2 * _PART_SCALES[k2] if k2 else (v2 if chinese2 else None)
    if part is None or part >= SCALES[k1]:
        return value, pos, None
    total = float(Decimal(repr(value)) * Decimal(repr(SCALES[k1])) + Decimal(repr(part)))
    end = end2 + (len(k2) if k2 else 0)
    return total, end, (pos + len(k1), end)            # the second part's span holds its scale (千 is a numeral too)


def _startswith_any(s: str, pos: int, keys) -> str | None:
    for k in keys:
        if s.startswith(k, pos):
            return k
    return None


def lookup_unit(text: str) -> tuple[str, str | None, float] | None:
    """The scale and unit at the start of `text`: (published form, canonical unit, multiplier), or None.

    '萬家' → ('萬家', '家', 10000.0); '万亿元' → ('万亿元', '亿元', 10000.0); '万' → ('万', None, 10000.0); '台' → None."""
    try:
        _, published, unit, mult = _unit_after(simple(text), 0, text)
    except QuantityError:
        return None
    return (published, unit, mult) if published else None


def _unit_after(s: str, pos: int, line: str) -> tuple[int, str, str | None, float]:
    """(end, unit_published, canonical unit, multiplier) of the scale/unit at pos (after spaces); raises on an
    unknown unit token."""
    ws = pos
    while ws < len(s) and s[ws] in _SPACE:
        ws += 1
    p, mult = ws, 1.0
    k = _startswith_any(s, p, _SCALE_KEYS)
    scaled = False
    if k and not (k in ("千", "十万", "百万") and not (_startswith_any(s, p + len(k), units().published_keys) or
                                                     s.startswith(("多", "余"), p + len(k)))):
        # 亿 alone (突破850亿) is 亿元, as the documents use it
        if k == "亿" and not _startswith_any(s, p + 1, units().published_keys) and not _startswith_any(s, p + 1, units().not_read_keys):
            return p + 1, line[ws: p + 1], "亿元", 1.0
        p, mult, scaled = p + len(k), SCALES[k], True
    if s.startswith(MORE_THAN, p):        # 1万多家
        p += 1
    u = _startswith_any(s, p, units().published_keys)
    if u is None:
        bad = _startswith_any(s, p, units().not_read_keys)
        if bad:
            raise QuantityError(f"unknown unit {line[p:p + len(bad)]!r} after {line[:p].strip()[-12:]!r}; "
                                f"known units: {', '.join(units().published_keys)}")
        if scaled:
            return p, line[ws:p], None, mult
        return pos, "", None, 1.0
    canon, m, _ = units().published[u]
    end = p + len(u)
    if u in ("个", "个百分点") and s.startswith("月", p + 1):
        raise QuantityError(f"{line[p:p + 2]!r} (a duration) is not a unit of a quantity")
    if end < len(s) and s[end] in _COMPOUND_TAIL and s[p:end + 1] not in units().published and u not in ("%", "亿元", "元"):
        raise QuantityError(f"unknown unit {line[p:end + 1]!r} after {line[:p].strip()[-12:]!r} "
                            f"(read as {u!r} it would drop {line[end]!r})")
    if scaled:
        if u in ("%", "个百分点", "百分点", "倍", "点"):
            raise QuantityError(f"a scale word before {u!r} in {line[ws:end]!r}")
        if canon == "亿元":
            return end, line[ws:end], canon, scale(mult, m)
        return end, line[ws:end], canon, scale(mult, m)
    return end, line[ws:end], canon, m


def _bound_before(s: str, start: int, window: int = 6) -> tuple[str | None, int]:
    head = s[max(0, start - window): start].rstrip(_SPACE)
    for word in sorted(BEFORE, key=len, reverse=True):
        if head.endswith(word):
            return BEFORE[word], max(0, start - window) + len(head) - len(word)
    return None, -1


def _rank(s: str, start: int, num_end: int) -> tuple[int, str] | None:
    """(end, unit_published) when the number at start is a rank: 前N(位|名|强)?, 第N(位|名), or 第N after a
    rank word (世界第二, 居全省第4)."""
    before = s[max(0, start - 1): start]
    after = s[num_end: num_end + 1]
    if before == "前":
        if after in ("位", "名"):
            return num_end + 1, after
        if not after or not (_startswith_any(s, num_end, units().published_keys) or _startswith_any(s, num_end, units().not_read_keys)
                             or _startswith_any(s, num_end, TIME_WORDS) or _startswith_any(s, num_end, _SCALE_KEYS)):
            return num_end, ""
        return None
    if before == "第":
        if after in ("位", "名"):
            return num_end + 1, after
        ctx = s[max(0, start - 6): start - 1].rstrip(_SPACE)
        if ctx.endswith(_RANK_CONTEXT) and not (_startswith_any(s, num_end, units().published_keys)
                                                 or _startswith_any(s, num_end, units().not_read_keys)
                                                 or _startswith_any(s, num_end, TIME_WORDS)):
            return num_end, ""
    return None


def _looks_like_range(a: str, b: str, sep: str) -> bool:
    """'3-5万元' is a range; '2016-2025' (years) and '10.5代' are not."""
    if sep in ("~", "至"):
        return True
    return not (len(a) == 4 and len(b) == 4) and float(a) < float(b)


def read_number(line: str, start: int, *, before_window: int = 6) -> Reading:
    """Read the number whose first character is at `start` in `line`, with its unit and qualifiers.

    Raises QuantityError for an ordinal (第3次), a duration (3个月) or an unknown unit token (209台)."""
    s = simple(line)
    first = _number_at(s, start)
    if first is None:
        raise QuantityError(f"no number at offset {start} of {line!r}")
    low, pos, chinese = first
    low, pos, part = _compound(s, low, pos)
    high = low
    spans = ((start, pos),) if part is None else ((start, part[0]), part)
    value_published = line[start:pos]
    is_range = False
    # a sign: -5%, −5%, 负5% (a '-' right after a digit is a range's, 3-5)
    sign = -1.0 if (s[start - 1: start] == "-" and not s[max(0, start - 2): start - 1].isdigit()
                    or s[start - 1: start] == "负") and start > 0 else 1.0
    # a range: 1~2, 3-5万元, 二至三
    sep_pos = pos
    while sep_pos < len(s) and s[sep_pos] in _SPACE:
        sep_pos += 1
    sep = _startswith_any(s, sep_pos, RANGE_SEPARATORS)
    if sep:
        nxt = sep_pos + len(sep)
        while nxt < len(s) and s[nxt] in _SPACE:
            nxt += 1
        second = _number_at(s, nxt)
        if second and second[2] == chinese and (chinese or _looks_like_range(s[start:pos], s[nxt:second[1]], sep)):
            high, is_range = second[0], True
            spans = ((start, pos), (nxt, second[1]))
            value_published = line[start:second[1]]
            pos = second[1]
    bound = "range" if is_range else "eq"
    rank = None if is_range else _rank(s, start, pos)
    if rank:
        end, unit_published = rank
        return Reading(start=start, end=end, value=high, value_low=None, value_published=value_published,
                       unit_published=line[pos:end] if unit_published else "", unit=RANK_UNIT,
                       bound="le" if s[start - 1: start] == "前" else "eq",     # 前15位: 15 or better; 第18位: place 18
                       spans=spans, begin=start - 1)
    if s[max(0, start - 1): start] == "第":
        raise QuantityError(f"{line[start - 1:pos + 1]!r} is an ordinal, not a quantity")
    if s.startswith(MORE_THAN, pos) and not is_range:
        bound = "gt"
        pos += 1
    if not is_range and _startswith_any(s, pos, TIME_WORDS) and not _startswith_any(s, pos, units().published_keys):
        raise QuantityError(f"{line[start:pos + 2]!r} is a date or a duration, not a quantity")
    end, unit_published, unit, mult = _unit_after(s, pos, line)
    if s.startswith(MORE_THAN, end) and not is_range and bound == "eq" and unit is not None:
        bound, end = "gt", end + 1        # 1万多家 read as scale+unit then 多? (rare: 万家多)
    if unit is None and unit_published == "":
        clause_start = 0
        for m in _CLAUSE_END.finditer(s, 0, start):
            clause_start = m.end()
        if "指数" in s[clause_start:start]:
            unit = INDEX_UNIT
    begin = -1
    if not is_range:
        word = _startswith_any(s, end, sorted(AFTER, key=len, reverse=True))
        if word and bound == "eq":
            bound, end = AFTER[word], end + len(word)
        elif word and bound == "gt" and AFTER[word] == "ge":
            end += len(word)                  # 550多亿元以上: still more than
        if bound == "eq":
            b, at = _bound_before(s, start - 1 if sign < 0 else start, before_window)   # 不低于-5%: the word before the sign
            if b:
                bound, begin = b, at
    v_high = scale(high, mult) * sign
    if not abs(v_high) <= MAX_VALUE:
        raise QuantityError(f"{line[start:end]!r} reads as {v_high:g} {unit or ''}: larger than {MAX_VALUE:g}, not a "
                            "plan's quantity")
    if sign < 0:
        value_published = line[start - 1: start] + value_published
        begin = start - 1 if begin < 0 else begin
    return Reading(start=start, end=end, value=v_high, value_low=(scale(low, mult) * sign if is_range else None),
                   value_published=value_published, unit_published=unit_published, unit=unit, bound=bound,
                   spans=spans, begin=begin)


def read_relative(line: str, start: int) -> Reading | None:
    """翻一番 at `start` → 2 倍 (relative=unit 倍), or None."""
    s = simple(line)
    word = _startswith_any(s, start, sorted(RELATIVE, key=len, reverse=True))
    if not word:
        return None
    end = start + len(word)
    bound = "eq"
    after = _startswith_any(s, end, sorted(AFTER, key=len, reverse=True))
    if after and AFTER[after] == "ge":
        bound, end = "ge", end + len(after)
    num = _CN_RUN.search(s, start, start + len(word))
    spans = ((num.start(), num.end()),) if num else ()
    return Reading(start=start, end=end, value=float(RELATIVE[word]), value_low=None, value_published=line[start:start + len(word)],
                   unit_published="", unit="倍", bound=bound, spans=spans)


# ---- a target stated relative to a base: 翻一番, 增长50%, 提高2个百分点, 达到全国平均水平 ------------------------------
CHANGE_WORDS = {"增长": 1, "增加": 1, "提高": 1, "提升": 1, "上升": 1, "降低": -1, "下降": -1, "减少": -1}
SERIES_WORDS = ("平均水平",)          # 达到全国平均水平: the value of another series (a region's) in the target's year
RELATIONS = ("multiple", "percent_change", "pp_change", "series")
_CHANGE = re.compile("(" + "|".join(CHANGE_WORDS) + r")了?\s*(\d+(?:\.\d+)?)\s*(%|个百分点|百分点)")


@dataclass(frozen=True)
class Change:
    """A relative target's relation to its base: value = base × factor (multiple, percent_change), base + change
    (pp_change, in percentage points), or the base itself (series: another region's value)."""
    relation: str                          # one of RELATIONS
    factor: float | None
    change: float | None
    bound: str                             # eq, or ge/gt/le/lt/approx from the words after (翻一番以上: ge)
    spans: tuple[tuple[int, int], ...]     # the numbers of the phrase (offsets in the line)
    end: int


def read_change(line: str, start: int) -> Change | None:
    """The relative phrase that begins at `start` of `line`, or None: 翻一番 (×2), 翻两番 (×4), 增长50% (×1.5),
    降低20% (×0.8), 提高2个百分点 (+2 pp), 达到全国平均水平 (the series)."""
    s = simple(line)
    rel = read_relative(line, start)
    if rel is not None:
        return Change("multiple", rel.value, None, rel.bound, rel.spans, rel.end)
    m = _CHANGE.match(s, start)
    if m:
        sign, number = CHANGE_WORDS[m.group(1)], float(m.group(2))
        end, bound = m.end(), "eq"
        after = _startswith_any(s, end, sorted(AFTER, key=len, reverse=True))
        if after:
            bound, end = AFTER[after], end + len(after)
        spans = ((m.start(2), m.end(2)),)
        if m.group(3) == "%":
            return Change("percent_change", float(Decimal(1) + sign * Decimal(m.group(2)) / 100), None, bound, spans, end)
        return Change("pp_change", None, sign * number, bound, spans, end)
    word = next((w for w in SERIES_WORDS if w in s[start:start + 12]), None)
    if word:
        return Change("series", None, None, "eq", (), s.index(word, start) + len(word))
    return None


# ---- scanning a line: every number, classified ----------------------------------------------------------
@dataclass(frozen=True)
class Token:
    """A number of a line: a quantity (with its reading), or why it is not one."""
    start: int
    end: int
    kind: str                 # quantity | year | date | ordinal | docnumber | error
    reading: Reading | None = None
    error: str | None = None


def _chinese_carries_quantity(s: str, m: re.Match) -> bool:
    """A Chinese numeral counts when it carries a quantity: a unit, a scale word or an unknown unit token follows
    (两家, 十二件, 五万人, 三台), or it is a rank (世界第二, 全市前三)."""
    run, start, end = m.group(), m.start(), m.end()
    if parse_chinese(run) is None:
        return False                                   # 十三五: a plan's name
    before = s[max(0, start - 1): start]
    if before == "翻":
        return True                                    # 翻一番 (relative)
    if before in _NOT_A_NUMERAL_BEFORE and before:
        return False
    if before in ("第", "前"):
        return _rank(s, start, end) is not None
    if _startswith_any(s, end, TIME_WORDS):
        return False                                   # 五年行动计划, 二〇一七年
    if _startswith_any(s, end, units().published_keys):
        u = _startswith_any(s, end, units().published_keys)
        return not s.startswith("性", end + len(u))    # 一次性 (one-off)
    if _startswith_any(s, end, _SCALE_KEYS):
        return True
    sep = _startswith_any(s, end, RANGE_SEPARATORS)
    if sep and (m2 := _CN_RUN.match(s, end + len(sep))):
        return _chinese_carries_quantity(s, m2)             # 二至三家
    return _startswith_any(s, end, units().not_read_keys) is not None and _startswith_any(s, end, units().vague) is None


def scan(line: str) -> list[Token]:
    """Every number of the line in text order: digit groups (all of them) and the Chinese numerals that carry
    a quantity, each read or classified (a year, a date, an ordinal, a document number, an error)."""
    s = simple(line)
    starts = [(m.start(), m.end(), False) for m in NUMBER.finditer(s)]
    starts += [(m.start(), m.end(), True) for m in _CN_RUN.finditer(s) if _chinese_carries_quantity(s, m)]
    rel = [(m.start(), m.end()) for w in RELATIVE for m in re.finditer(re.escape(w), s)]
    out: list[Token] = []
    consumed = -1
    for a, b, chinese in sorted(starts):
        if a < consumed:
            continue
        r_at = next((ra for ra, rb in rel if ra <= a < rb), None)
        if r_at is not None:
            r = read_relative(line, r_at)
            out.append(Token(r_at, r.end, "quantity", r))
            consumed = r.end
            continue
        kind = _classify(s, a, b, chinese)
        if kind:
            out.append(Token(a, b, kind))
            consumed = b
            continue
        try:
            r = read_number(line, a)
        except QuantityError as exc:
            run = re.match(r"[\d.eE+-]+", s[a:]) if not chinese else None
            end = max(b, a + len(run.group())) if run else b          # 1.2.3亿元: none of its digits read after
            out.append(Token(a, end, "ordinal" if s[max(0, a - 1):a] == "第" and "ordinal" in str(exc) else "error",
                             error=str(exc)))
            consumed = end
            continue
        out.append(Token(a, r.end, "quantity", r))
        consumed = max(e for _, e in r.spans)
    return out


def _classify(s: str, a: int, b: int, chinese: bool) -> str | None:
    """year / date / docnumber for the number s[a:b], or None (a quantity or an error)."""
    text = s[a:b]
    if not chinese and len(text) == 4 and text[:2] in ("19", "20"):
        rest = s[b:b + 8].lstrip(_SPACE)
        if rest.startswith("年") or re.match(r"[—–\-~至]\s*(?:19|20)\d{2}", rest) or re.match(r"-\d{2}", rest):
            return "year"
        if s[max(0, a - 1):a] in ("〔", "[", "【", "（", "(") and s[b:b + 1] in ("〕", "]", "】", "）", ")"):
            return "docnumber"
        if re.match(r"\s*[—–\-~至]", s[b:]) and re.search(r"(?:19|20)\d{2}\s*[—–\-~至]\s*$", s[max(0, a - 8):a] + text + "—") is None:
            pass
    if not chinese and (s[max(0, a - 1):a] == ":" and re.match(r"\d{1,2}:", s[max(0, a - 3):a]) or
                        (_startswith_any(s, b, TIME_WORDS) and (s.startswith("个月", b) or not s.startswith(units().published_keys, b)))):
        return "date"                                  # 14:26; 15年内, 3个月 (durations)
    if re.match(r"\s*(?:月|日|号|时|:\d)", s[b:b + 3]) and not chinese:
        if re.search(r"[〕\]】]\s*$", s[max(0, a - 3):a]):
            return "docnumber"
        return "date"
    if not chinese and re.search(r"[—–\-~至]\s*$", s[max(0, a - 3):a]) and re.search(r"(?:19|20)\d{2}\s*[—–\-~至]\s*$", s[max(0, a - 8):a]):
        return "year"
    return None


def quantity_spans(line: str) -> list[tuple[int, int]]:
    """Every number of the line that completeness must account for: each digit group, and each Chinese numeral
    that carries a quantity (see `scan`)."""
    s = simple(line)
    spans = [(m.start(), m.end()) for m in NUMBER.finditer(s)]
    spans += [(m.start(), m.end()) for m in _CN_RUN.finditer(s) if _chinese_carries_quantity(s, m)]
    return sorted(spans)


def number_spans(line: str) -> list[tuple[int, int]]:
    """Alias of quantity_spans (the completeness check's name)."""
    return quantity_spans(line)


def year_spans(line: str) -> list[tuple[int, int, int]]:
    """Every 'YYYY年' of the line: (start of digits, end of digits, year)."""
    return [(m.start(1), m.end(1), int(m.group(1))) for m in YEAR.finditer(normalize(line))]


def year_before(line: str, start: int, kind: str = "target") -> int | None:
    """The year context of a number: the last 'YYYY年' before it in the same sentence.

    For a target, a year introduced by 由/从/比 ('由2012年的3个增加到5个') is the base year, not the target's."""
    norm = normalize(line)
    sentence_start = 0
    for m in _SENTENCE_END.finditer(norm, 0, start):
        if m.group() in "。！？!?":
            sentence_start = m.end()
    years = [(s, y) for s, e, y in year_spans(norm) if sentence_start <= s < start]
    if kind == "target":
        years = [(s, y) for s, y in years if not norm[max(0, s - 2): s].strip().endswith(_BASE_YEAR_MARK)]
    return years[-1][1] if years else None


_BASE_YEAR_MARK = ("由", "从", "從", "比", "自", "较", "較")


def as_json(reading: Reading, line: str) -> dict:
    d = asdict(reading)
    return {"value": d["value"], "unit": d["unit"], "bound": d["bound"], "value_low": d["value_low"],
            "published": reading.published(line), "value_published": d["value_published"],
            "unit_published": d["unit_published"], "start": d["start"], "end": d["end"]}


def main(argv=None) -> int:
    """`python -m analysis.quantity TEXT`: one JSON object a line per quantity (valid JSON: no NaN or Infinity); an
    unreadable one is printed with its `error` and the exit status is 1; text that is not UTF-8 is refused (status 1)."""
    parser = argparse.ArgumentParser(prog="python -m analysis.quantity",
                                     description="Show how the suite reads every quantity of a text: one JSON object per "
                                     "quantity, in text order. Unreadable ones are printed with an `error` and exit 1.")
    parser.add_argument("text", nargs="+", help="the text (several arguments are joined by a space)")
    argv = sys.argv[1:] if argv is None else list(argv)
    # a text may begin with '-' (-5%): everything is text unless help is asked for
    args = parser.parse_args(argv if {"-h", "--help"} & set(argv) else ["--", *argv])
    return run_cli("python -m analysis.quantity", _show, args.text)


def _show(texts: list[str]) -> int:
    for i, arg in enumerate(texts, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:        # argv bytes that are not UTF-8 arrive as lone surrogates
            bad = arg[exc.start].encode("utf-8", "surrogateescape")
            raise InputError(f"argument {i}: byte {bad[0]:#04x} at character {exc.start + 1} is not UTF-8; expected "
                             "the text in UTF-8") from None
    text = " ".join(texts)
    bad = 0
    for line in text.split("\n"):
        for t in scan(line):
            if t.kind == "quantity":
                print(json.dumps(as_json(t.reading, line), ensure_ascii=False, allow_nan=False))
            elif t.kind == "error":
                bad += 1
                print(json.dumps({"published": line[t.start:t.end + 2].strip(), "start": t.start, "error": t.error},
                                 ensure_ascii=False))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
