"""stock_falls: a cumulative count (累计) whose target falls, from any start."""
from __future__ import annotations

import pandas as pd

from ..sentences import Words
from ._declines import falling, falling_in_plan, pair
from .base import INTERNAL, Inputs, Plan, Rule, flag_frame, records


def reason(r) -> Words:
    p = pair(r)
    return Words(f"存量目标下降：{p.zh}；累计数不会减少。",
                 f"The stock target falls: {p.en}; a cumulative count (累计) cannot fall.")


def _flags(s: pd.DataFrame) -> pd.DataFrame:
    return flag_frame(s, RULE.name, "alert", RULE.direction, s["metric"], s["growth"], 0.0, None, INTERNAL,
                      [reason(r) for r in records(s)])


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    return _flags(falling_in_plan(plan, cumulative=True))


def find(inp: Inputs) -> pd.DataFrame:
    return _flags(falling(inp.segments, cumulative=True))


RULE = Rule(
    name="stock_falls", direction="impossible", severities=("alert",), parameters=(),
    label=Words("存量下降", "stock falls"),
    fires_when=Words("累计数（累计）的目标下降", "a cumulative count (累计) falls"),
    reason=reason, judge=judge, find=find, section="Internal consistency")
