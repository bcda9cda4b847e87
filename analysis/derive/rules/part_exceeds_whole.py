"""part_exceeds_whole: a part (indicator_links.csv `part_of`) whose least allowed value exceeds the most its whole
allows, for the same year and kind in the same plan."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..growth import bound_interval
from ..sentences import Words, with_unit
from ._links import linked, of_indicators
from .base import INTERNAL, Inputs, Plan, Rule, empty, flag_frame, records

KIND_ZH = {"actual": "实际值", "target": "目标"}


def reason(r) -> Words:
    part, whole = with_unit(r.value, r.unit), with_unit(r.value_w, r.unit_w)
    return Words(f"部分{r.indicator_zh}（{part}，{r.year} 年{KIND_ZH.get(r.kind, r.kind)}）大于其整体{r.indicator_zh_w}（{whole}）。",
                 f"The part {r.indicator_zh} ({part}, {r.year} {r.kind}) exceeds its whole {r.indicator_zh_w} ({whole}).")


def _flags(obs: pd.DataFrame, inp: Inputs) -> pd.DataFrame:
    lk = linked(inp.links, "part_of")
    if lk.empty:
        return empty()
    o = of_indicators(obs, np.r_[lk["indicator_id"].to_numpy(), lk["of_indicator_id"].to_numpy()])
    lo, hi = bound_interval(o["value"], o["value_low"], o["bound"], o["measure"], inp.values["approx_band_pct"])
    o = o.assign(lo=lo, hi=hi)
    m = o.merge(lk, on="indicator_id").merge(o, left_on=["source_id", "of_indicator_id", "year", "kind"],
                                             right_on=["source_id", "indicator_id", "year", "kind"], suffixes=("", "_w"))
    m = m[m["lo"] > m["hi_w"]]
    m = m.assign(start_year=m["year"].to_numpy(dtype=np.int64), end_year=m["year"].to_numpy(dtype=np.int64))
    return flag_frame(m, RULE.name, "alert", RULE.direction, "value", m["value"], m["value_w"], None, INTERNAL,
                      [reason(r) for r in records(m)])


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    return _flags(plan.obs, inp)


def find(inp: Inputs) -> pd.DataFrame:
    return _flags(inp.obs, inp)


RULE = Rule(
    name="part_exceeds_whole", direction="impossible", severities=("alert",), parameters=("approx_band_pct",),
    label=Words("部分大于整体", "part exceeds whole"),
    fires_when=Words("部分超过其整体（part_of）", "a part exceeds its whole (part_of)"),
    reason=reason, judge=judge, find=find, section="Internal consistency")
