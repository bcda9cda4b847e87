"""Sentences in both languages, built once from the same parts (flag reasons, progress notes).

A sentence is joined from parts; each part is a `Words` pair (Chinese, English). Numbers and names are written
the same in both languages (`same`), so the two sentences always carry the same figures:

    Words("隐含增长 ", "Implied growth of ") + same(fmt_rate(12.5, "%/yr")) + Words("。", ".")

A template in both languages is filled from the same arguments (`fill`; progress's notes, progress_notes.PARTS):

    fill(Words("{year} 年仍未达到", "{year} still falls short"), year=2021)

`fmt` writes a number as every sentence of the project does (thousands separators, no trailing zeros).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

LANGUAGES = ("zh", "en")
RATE_UNITS_ZH = {"%/yr": "%/年", "pp/yr": "个百分点/年", "per yr": "/年"}


@dataclass(frozen=True)
class Words:
    """One part of a sentence in Chinese and in English."""
    zh: str
    en: str

    def __add__(self, other: Words) -> Words:
        return Words(self.zh + other.zh, self.en + other.en)

    def __radd__(self, other) -> Words:          # sum() starts from 0
        if other == 0:
            return self
        return NotImplemented

    def get(self, language: str) -> str:
        if language not in LANGUAGES:
            raise ValueError(f"language {language!r}: expected one of {LANGUAGES}")
        return self.zh if language == "zh" else self.en


EMPTY = Words("", "")


def same(text) -> Words:
    """A part written the same in both languages: a number, a name, a year."""
    return Words(str(text), str(text))


def join(parts: Iterable[Words], sep: Words = Words("；", "; ")) -> Words:
    """The parts joined by `sep` (by default a semicolon in each language)."""
    parts = list(parts)
    if not parts:
        return EMPTY
    out = parts[0]
    for p in parts[1:]:
        out = out + sep + p
    return out


LIST_SEPARATOR = Words("，", ", ")


def fill(template: Words, **args) -> Words:
    """`template`'s {slots} filled in each language: an argument that is `Words` gives its own words in each
    language, a list is joined by LIST_SEPARATOR, anything else is written the same in both (`str`)."""
    def one(v) -> Words:
        if isinstance(v, Words):
            return v
        if isinstance(v, list | tuple):
            return join([one(x) for x in v], LIST_SEPARATOR)
        return same(v)
    words = {k: one(v) for k, v in args.items()}
    return Words(template.zh.format(**{k: w.zh for k, w in words.items()}),
                 template.en.format(**{k: w.en for k, w in words.items()}))


def fmt(v, decimals: int = 4) -> str:
    """A number for a sentence: thousands separators, no trailing zeros (3, 1,528, 2.51, 1,508.5); ∞, n/a."""
    if v is None or not math.isfinite(v):
        return "∞" if v is not None and v > 0 else "n/a"
    s = f"{v:,.{decimals}f}"
    s = s.rstrip("0").rstrip(".") if "." in s else s
    return "0" if s == "-0" else s


def fmt_rate(v, unit: str) -> str:
    """A rate with its unit: '12.5 %/yr' (two decimals), '0.125 pp/yr' (three)."""
    return f"{fmt(v, 3 if unit == 'pp/yr' else 2)} {unit}"


LEVEL_ZH = {"district": "区县", "city": "地市", "province": "省级", "country": "国家", "unknown": "不明"}


def level_words(level: str) -> Words:
    """An administrative level (regions.csv `level`) in both languages: 'city' → 地市."""
    return Words(LEVEL_ZH.get(level, level), level)


def rate(v, unit: str) -> Words:
    """fmt_rate in both languages: '12.5 %/yr' and '12.5 %/年' (new entries a year: '2 家/yr', '2 家/年')."""
    number = fmt(v, 3 if unit == "pp/yr" else 2)
    zh = RATE_UNITS_ZH.get(unit, unit.removesuffix("/yr") + "/年" if unit.endswith("/yr") else unit)
    return Words(f"{number} {zh}", f"{number} {unit}")


def with_unit(v, unit: str) -> str:
    """A value with its canonical unit: '13.5%', '1,528 家'."""
    return f"{fmt(v)}{'%' if unit == '%' else f' {unit}'}"


def years(y0, y1) -> str:
    """'2019–2021'."""
    return f"{y0}–{y1}"


# a window label as analysis.derive.paces writes it: '<region> 2021–2024', with the lines of growth_references.csv it
# was read from for the national series: 'China 2021–2024 (growth_references.csv lines 27–29)'
WINDOW = re.compile(r"(?P<region>.+?) (?P<y0>\d{4})–(?P<y1>\d{4})"
                    r"(?: \(growth_references\.csv lines? (?P<lines>\d+(?:–\d+)?)\))?")
# the national series' names as the labels carry them (paces.py, growth_references.csv `region`)
NATIONAL_NAMES = {"China": "全国", "China (national)": "全国"}


def window(label: str) -> Words:
    """A window label in the reader's language, one home for both: 'China 2021–2024 (growth_references.csv lines
    27–29)' → '全国 2021–2024 年（growth_references.csv 第 27–29 行）' / as written; a region's own name (Chinese in the
    data, put in English by the page) and the years are kept. A label of another form is returned as written."""
    m = WINDOW.fullmatch(str(label))
    if not m:
        return same(label)
    region = NATIONAL_NAMES.get(m["region"], m["region"])
    lines = f"（growth_references.csv 第 {m['lines']} 行）" if m["lines"] else ""
    return Words(f"{region} {m['y0']}–{m['y1']} 年{lines}", str(label))
