"""already_met_when_set: the first target after the latest actual known before the plan is at or below it
(analysis.derive.known). warn; info when the actual was published after the plan (hindsight)."""
from __future__ import annotations

import pandas as pd

from ...core.arrays import either
from ..sentences import Words, with_unit
from ._known import first_targets, first_targets_of, the_target, when_known
from .base import Inputs, Plan, Rule, flag_frame, records


def reason(r) -> Words:
    t, w, reached = the_target(r), when_known(r), with_unit(r.a_value, r.unit)
    return Words(f"{t.zh}不高于 {r.a_year} 年已达到的 {reached}：制定时已经达到{w.zh}。",
                 f"{t.en} is at or below the {reached} already reached in {r.a_year}: it was met when it was set{w.en}.")


def _flags(m: pd.DataFrame) -> pd.DataFrame:
    a = m[m["met"].to_numpy(dtype=bool)]
    severity = either(a["hindsight"].to_numpy(dtype=bool), "info", "warn")
    return flag_frame(a, RULE.name, severity, RULE.direction, a["metric"], a["low"], a["a_value"], None, a["a_cite"],
                      [reason(r) for r in records(a)])


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    return _flags(first_targets_of(plan, inp))


def find(inp: Inputs) -> pd.DataFrame:
    return _flags(first_targets(inp))


RULE = Rule(
    name="already_met_when_set", direction="too_slow", severities=("warn", "info"), parameters=("approx_band_pct",),
    label=Words("制定时已达成", "already met when set"),
    fires_when=Words("最近一个规划前实际值之后的第一个目标不高于该实际值（实际值在规划之后才发布时为提示）",
                     "the first target after the latest pre-plan actual is at or below it (info when the actual was "
                     "published after the plan)"),
    reason=reason, judge=judge, find=find, section="Too slow: what was known when the plan was set")
