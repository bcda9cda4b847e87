"""too_slow: the first target after the latest actual known before the plan asks, from that actual, less than
too_slow_ratio_info × the pace realised over the pre-plan years (from the earliest actual within
too_slow_lookback_years of the latest); warn below too_slow_ratio_warn (info only in hindsight).

The same idea on every target step whose binding yardstick is the region's own history (analysis.derive.paces, the
other side of too_fast's own-history verdict): a step asking less than too_slow_ratio_info × its own pre-plan pace
(info). A step the first check already flags is not flagged twice."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...core import schema
from ...core.arrays import either
from ...core.schema import UNIT_OF_METRIC
from ..sentences import Words, fmt, rate, with_unit
from ._known import first_targets, first_targets_of, the_target, when_known
from .base import EPS, Inputs, Plan, Rule, flag_frame, records

OWN = schema.YARDSTICKS[2]                          # "own history"
READS = ["source_id", "region", "indicator_id", "indicator_zh", "unit", "metric", "growth_unit", "start_year",
         "end_year", "start_value", "end_value"]           # of a segment
KEY = ["source_id", "indicator_id", "start_year", "end_year"]


def reason(r) -> Words:
    unit = UNIT_OF_METRIC[r.metric]
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
    severity = either(~s["hindsight"].to_numpy(dtype=bool) & (ratio < v["too_slow_ratio_warn"] - EPS), "warn", "info")
    return flag_frame(s, RULE.name, severity, RULE.direction, s["metric"], s["g_target"],
                      (s["g_pre"] * v["too_slow_ratio_info"]).to_numpy(), "too_slow_ratio_info", s["a_cite"],
                      [reason(r) for r in records(s)])


def _pace(v, r) -> Words:
    """A judged pace in words: a rate, or new entries a year for a small count."""
    if r.metric_judged == "new_per_year":
        return Words(f"每年新增 {fmt(v, 2)} {r.unit}", f"{fmt(v, 2)} new a year")
    return rate(v, r.growth_unit)


def step_reason(r) -> Words:
    """The sentence of a target step asking less than half the region's own pre-plan pace."""
    pace, path = _pace(r.pace_judged, r), f"{fmt(r.start_value)} → {with_unit(r.end_value, r.unit)}"
    own, ratio = _pace(r.history_pace, r), fmt(r.history_ratio, 2)
    return Words(f"{r.start_year}–{r.end_year} 年的目标（{path}）隐含年均 {pace.zh}，只有该地区规划前 {r.history_window} "
                 f"年自身速度 {own.zh}（{r.history_known}）的 {ratio}：不到规划前速度的一半。",
                 f"The target step {r.start_year}–{r.end_year} ({path}) implies {pace.en}, {ratio} of the pace the "
                 f"region itself realised {r.history_window}, {own.en} ({r.history_known}): less than half its own "
                 "pre-plan pace.")


def _slow_steps(seg: pd.DataFrame, v: dict, first: pd.DataFrame) -> pd.DataFrame:
    """The target steps (segments with their judgement columns) judged against the region's own history that ask
    less than too_slow_ratio_info × its own pre-plan pace (info), without those the first check flags already."""
    ratio = seg["history_ratio"].to_numpy(dtype=float)
    s = seg[(seg["yardstick"] == OWN).to_numpy() & (ratio >= 0) & (ratio < v["too_slow_ratio_info"] - EPS)]
    if len(first) and len(s):
        done = set(zip(*(first[c].to_numpy().tolist() for c in KEY)))
        s = s[[k not in done for k in zip(*(s[c].to_numpy().tolist() for c in KEY))]]
    if s.empty:
        return flag_frame(s, RULE.name, "info", RULE.direction, None, [], [], None, None, [])
    s = s.assign(start_year=s["start_year"].astype(np.int64), end_year=s["end_year"].astype(np.int64))
    return flag_frame(s, RULE.name, "info", RULE.direction, s["metric"], s["pace_judged"],
                      (s["history_pace"] * v["too_slow_ratio_info"]).to_numpy(), "too_slow_ratio_info",
                      s["history_known"], [step_reason(r) for r in records(s)])


def _both(first: pd.DataFrame, seg: pd.DataFrame, v: dict) -> pd.DataFrame:
    parts = [p for p in (_flags(first, v), _slow_steps(seg, v, first[first["slow"].to_numpy(dtype=bool)]))
             if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else _flags(first, v)


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    return _both(first_targets_of(plan, inp), plan.segments, inp.values)


def find(inp: Inputs) -> pd.DataFrame:
    j = inp.judgement
    own = np.flatnonzero((j["yardstick"] == OWN).to_numpy())        # few rows: only these are joined
    seg = pd.concat([inp.segments[READS].iloc[own].reset_index(drop=True),
                     j[["yardstick", "pace_judged", "metric_judged", "history_pace", "history_window",
                        "history_known", "history_ratio"]].iloc[own].reset_index(drop=True)], axis=1)
    return _both(first_targets(inp), seg, inp.values)


RULE = Rule(
    name="too_slow", direction="too_slow", severities=("warn", "info"),
    parameters=("too_slow_ratio_info", "too_slow_ratio_warn", "too_slow_lookback_years", "own_history_max_years",
                "approx_band_pct"),
    label=Words("增长过慢", "too slow"),
    fires_when=Words("最近一个规划前实际值之后的第一个目标所要求的速度低于规划前已实现速度的一定比例；以该地区自身历史判断的目标步骤不到其规划前速度的一半",
                     "the first target after the latest pre-plan actual asks less than a fraction of the pace "
                     "realised before the plan; a target step judged against the region's own history asks less "
                     "than half its own pre-plan pace"),
    reason=reason, judge=judge, find=find, section="Too slow: what was known when the plan was set")
