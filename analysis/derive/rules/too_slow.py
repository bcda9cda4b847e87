"""too_slow: the first target after the latest actual known before the plan asks, from that actual, less than
too_slow_ratio_info × the pace realised over the pre-plan years (from the earliest actual within
too_slow_lookback_years of the latest); warn below too_slow_ratio_warn (info only in hindsight)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..sentences import Words, fmt, rate, with_unit
from ._known import first_targets, first_targets_of, the_target, when_known
from .base import EPS, Inputs, Plan, Rule, flag_frame, records

RATE_UNITS = {"pp_per_year": "pp/yr", "cagr": "%/yr"}


def reason(r) -> Words:
    unit = RATE_UNITS[r.metric]
    t, w, reached = the_target(r), when_known(r), with_unit(r.a_value, r.unit)
    g_target, g_pre, ratio = rate(r.g_target, unit), rate(r.g_pre, unit), fmt(r.g_target / r.g_pre, 2)
    span, history = f"{int(r.h_year)}–{r.a_year}", f"{fmt(r.h_value)} → {fmt(r.a_value)}"
    return Words(f"{t.zh}意味着从 {r.a_year} 年的 {reached} 起年均 {g_target.zh}，只有 {span} 年实际速度 {g_pre.zh}"
                 f"（{history}）的 {ratio}：远低于规划前的速度{w.zh}。",
                 f"{t.en} implies {g_target.en} from {reached} in {r.a_year}, {ratio} of the "
                 f"{g_pre.en} realised {span} ({history}): far below the pre-plan pace{w.en}.")


def _flags(m: pd.DataFrame, v: dict) -> pd.DataFrame:
    s = m[m["slow"].to_numpy(dtype=bool)]
    ratio = (s["g_target"] / s["g_pre"]).to_numpy()
    severity = np.where(~s["hindsight"].to_numpy(dtype=bool) & (ratio < v["too_slow_ratio_warn"] - EPS),
                        "warn", "info").astype(object)
    return flag_frame(s, RULE.name, severity, RULE.direction, s["metric"], s["g_target"],
                      (s["g_pre"] * v["too_slow_ratio_info"]).to_numpy(), "too_slow_ratio_info", s["a_cite"],
                      [reason(r) for r in records(s)])


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    return _flags(first_targets_of(plan, inp), inp.values)


def find(inp: Inputs) -> pd.DataFrame:
    return _flags(first_targets(inp), inp.values)


RULE = Rule(
    name="too_slow", direction="too_slow", severities=("warn", "info"),
    parameters=("too_slow_ratio_info", "too_slow_ratio_warn", "too_slow_lookback_years", "approx_band_pct"),
    label=Words("增长过慢", "too slow"),
    fires_when=Words("最近一个规划前实际值之后的第一个目标所要求的速度低于规划前已实现速度的一定比例",
                     "the first target after the latest pre-plan actual asks less than a fraction of the pace "
                     "realised before the plan"),
    reason=reason, judge=judge, find=find, section="Too slow: what was known when the plan was set")
