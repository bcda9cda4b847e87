"""near_synonyms_far_apart: two figures of one plan for the same year and kind, in the same unit and measure, whose
published names (`indicator_zh`) differ only by qualifiers thresholds.yml declares equivalent (`near_synonyms`:
中级以上 ≈ 中高级, 以上 ≈ 及以上 …), with values more than `synonym_max_ratio` times apart. Not a verdict: a
question for the reader (info), which figure or which definition the plan means."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..sentences import Words, fmt, with_unit
from .base import EPS, INTERNAL, Inputs, Plan, Rule, bound_word, empty, flag_frame, records

SAME = ["source_id", "year", "kind", "unit", "measure", "name_key"]   # what two figures of a pair share
ORDER = ["source_id", "indicator_id", "year", "kind", "indicator_id_b"]


def qualifier_groups(inp: Inputs) -> list[list[str]]:
    return inp.rules.get("near_synonyms", {}).get("qualifiers", [])


def _matcher(groups: list[list[str]]) -> tuple[re.Pattern | None, dict[str, int]]:
    """One pattern of every qualifier (longest first) and each qualifier's group."""
    group = {q: i for i, g in enumerate(groups) for q in g}
    if not group:
        return None, group
    return re.compile("|".join(re.escape(q) for q in sorted(group, key=lambda q: (-len(q), q)))), group


def name_key(name, groups: list[list[str]]) -> str | None:
    """The name with each qualifier replaced by its group ('中高级专业技术人才' → '〔0〕专业技术人才'); None when the
    name holds no qualifier (it has no near-synonym by this rule)."""
    pattern, group = _matcher(groups)
    if pattern is None or not isinstance(name, str) or not pattern.search(name):
        return None
    return pattern.sub(lambda m: f"〔{group[m.group(0)]}〕", name)


def _qualifiers(a: str, b: str, groups: list[list[str]]) -> str:
    """The qualifiers in which two near-synonymous names differ: '中级以上 ≈ 中高级'."""
    pattern, _ = _matcher(groups)
    pairs = [f"{x} ≈ {y}" for x, y in zip(pattern.findall(a), pattern.findall(b)) if x != y]
    return "; ".join(dict.fromkeys(pairs))


def reason(r) -> Words:
    a, b = bound_word(r.bound), bound_word(r.bound_b)
    va, vb = with_unit(r.value, r.unit), with_unit(r.value_b, r.unit)
    return Words(
        f"{r.year} 年“{r.indicator_zh}”（{a.zh}{va}）与“{r.indicator_zh_b}”（{b.zh}{vb}）是近义类别（{r.qualifiers}），"
        f"数值却相差 {fmt(r.ratio, 2)} 倍；请读者核对规划所指的是哪个数字或口径。",
        f"For {r.year} the plan sets '{r.indicator_zh}' ({a.en}{va}) and '{r.indicator_zh_b}' ({b.en}{vb}), "
        f"near-synonymous categories ({r.qualifiers}), {fmt(r.ratio, 2)} times apart; a question for the reader: "
        "which figure or definition does the plan mean.")


def _flags(pairs: pd.DataFrame, inp: Inputs) -> pd.DataFrame:
    """The flags of the candidate pairs (one row each: the first figure's columns, the second's with suffix _b)."""
    if pairs.empty:
        return empty()
    pairs = pairs.sort_values(ORDER, kind="stable").reset_index(drop=True)
    big = np.maximum(pairs["value"].to_numpy(dtype=float), pairs["value_b"].to_numpy(dtype=float))
    small = np.minimum(pairs["value"].to_numpy(dtype=float), pairs["value_b"].to_numpy(dtype=float))
    limit = inp.values["synonym_max_ratio"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(small > 0, big / small, np.nan)
    m = pairs[ratio > limit + EPS].reset_index(drop=True)
    if m.empty:
        return empty()
    groups = qualifier_groups(inp)
    m = m.assign(ratio=ratio[ratio > limit + EPS],
                 qualifiers=[_qualifiers(a, b, groups) for a, b in zip(m["indicator_zh"], m["indicator_zh_b"])],
                 start_year=m["year"].to_numpy(dtype=np.int64), end_year=m["year"].to_numpy(dtype=np.int64))
    return flag_frame(m, RULE.name, "info", RULE.direction, "ratio", m["ratio"], limit, "synonym_max_ratio",
                      INTERNAL, [reason(r) for r in records(m)], related=None)


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    """Every pair of the plan's figures (first by indicator id) that share year, kind, unit and measure and whose
    names differ but read the same once each qualifier stands for its group."""
    groups = qualifier_groups(inp)
    rows = list(records(plan.obs))
    keys = [name_key(r.indicator_zh, groups) for r in rows]
    pairs = []
    for i, a in enumerate(rows):
        for j, b in enumerate(rows):
            if (keys[i] is not None and keys[i] == keys[j] and a.indicator_id < b.indicator_id
                    and a.indicator_zh != b.indicator_zh
                    and (a.year, a.kind, a.unit, a.measure) == (b.year, b.kind, b.unit, b.measure)):
                pairs.append({**a._asdict(), **{f"{k}_b": v for k, v in b._asdict().items()}})
    return _flags(pd.DataFrame(pairs), inp)


def find(inp: Inputs) -> pd.DataFrame:
    groups = qualifier_groups(inp)
    names = pd.unique(inp.obs["indicator_zh"])
    key_of = {n: name_key(n, groups) for n in names}
    o = inp.obs.assign(name_key=inp.obs["indicator_zh"].map(key_of))
    o = o[o["name_key"].notna()]
    if o.empty:
        return empty()
    m = o.merge(o, on=SAME, suffixes=("", "_b"))
    m = m[(m["indicator_id"] < m["indicator_id_b"]) & (m["indicator_zh"] != m["indicator_zh_b"])]
    return _flags(m, inp)


RULE = Rule(
    name="near_synonyms_far_apart", direction="inconsistent", severities=("info",), parameters=("synonym_max_ratio",),
    label=Words("近义类别数值悬殊", "near-synonyms far apart"),
    fires_when=Words("同一规划同一年份、名称只差同义限定词（near_synonyms）的两个数字相差超过 synonym_max_ratio 倍",
                     "two figures of one plan for the same year whose names differ only by qualifiers declared "
                     "equivalent (`near_synonyms`) are more than `synonym_max_ratio` times apart"),
    reason=reason, judge=judge, find=find, section="Internal consistency")
