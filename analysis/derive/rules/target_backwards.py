"""target_backwards: a later target below the target before it (a target below an actual is
already_met_when_set)."""
from __future__ import annotations

import pandas as pd

from ..sentences import Words
from ._declines import falling, falling_in_plan, pair
from .base import INTERNAL, Inputs, Plan, Rule, flag_frame, records


def reason(r) -> Words:
    p = pair(r)
    return Words(f"逐年目标倒退：{p.zh}。", f"The yearly targets go backwards: {p.en}.")


def _flags(s: pd.DataFrame) -> pd.DataFrame:
    return flag_frame(s, RULE.name, "warn", RULE.direction, s["metric"], s["growth"], 0.0, None, INTERNAL,
                      [reason(r) for r in records(s)])


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    return _flags(falling_in_plan(plan, cumulative=False))


def find(inp: Inputs) -> pd.DataFrame:
    return _flags(falling(inp.segments, cumulative=False))


RULE = Rule(
    name="target_backwards", direction="inconsistent", severities=("warn",), parameters=(),
    label=Words("目标倒退", "target backwards"),
    fires_when=Words("后一个目标低于前一个目标", "a later target lies below an earlier one"),
    reason=reason, judge=judge, find=find, section="Internal consistency")
