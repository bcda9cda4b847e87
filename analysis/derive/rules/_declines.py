"""The two rules on a target below the point before it (target_backwards, stock_falls): the segments they read."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..sentences import Words, rate, with_unit
from .base import EPS, Plan, is_cumulative, judged_rows

KIND_ZH = {"actual": "实际值", "target": "目标"}


def falling(segments: pd.DataFrame, cumulative: bool) -> pd.DataFrame:
    """Judged steps whose end lies below their start: of cumulative stocks (cumulative=True), else of a target
    after a target."""
    rows = judged_rows(segments)
    s = segments.iloc[rows[segments["end_value"].to_numpy(dtype=float, na_value=np.nan)[rows]
                           < segments["start_value"].to_numpy(dtype=float, na_value=np.nan)[rows] - EPS]]
    cum = np.array([is_cumulative(z, e) for z, e in zip(s["indicator_zh"], s["indicator_en"])], dtype=bool)
    cum &= s["measure"].to_numpy() == "count_stock"
    later_target = ~cum & (s["start_kind"].to_numpy() == "target") & (s["measure"].to_numpy() != "rank")  # rank: down is up
    return s[cum] if cumulative else s[later_target]


def falling_in_plan(plan: Plan, cumulative: bool) -> pd.DataFrame:
    """falling() read segment by segment over one plan."""
    keep = []
    for i, s in enumerate(plan.segments.itertuples(index=False)):
        if s.segment != "step" or s.end_kind != "target" or not s.end_value < s.start_value - EPS:
            continue
        cum = is_cumulative(s.indicator_zh, s.indicator_en) and s.measure == "count_stock"
        if cum if cumulative else (not cum and s.start_kind == "target" and s.measure != "rank"):
            keep.append(i)
    return plan.segments.iloc[keep]


def pair(r) -> Words:
    """'<end> for <year> against <start> (<kind>) for <year> (<growth>)', both languages."""
    growth = rate(r.growth, r.growth_unit) if math.isfinite(r.growth) else Words("下降", "a decline")
    end, start = with_unit(r.end_value, r.unit), with_unit(r.start_value, r.unit)
    return Words(f"{r.end_year} 年为 {end}，低于 {r.start_year} 年的 {start}（{KIND_ZH.get(r.start_kind, r.start_kind)}）"
                 f"（{growth.zh}）",
                 f"{end} for {r.end_year} against {start} ({r.start_kind}) for {r.start_year} ({growth.en})")

