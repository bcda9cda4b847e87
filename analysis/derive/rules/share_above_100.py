"""share_above_100: a share target whose least allowed value (a range's low end) is above 100 %."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..sentences import Words, fmt
from .base import Inputs, Plan, Rule, flag_frame, records

REFERENCE = "definition of a share (0–100 %)"


def reason(r) -> Words:
    return Words(f"比重不能超过 100%，但 {r.year} 年的目标为 {fmt(r.value)}%。",
                 f"A share cannot exceed 100 %, but the target for {r.year} is {fmt(r.value)}%.")


def _flags(o: pd.DataFrame) -> pd.DataFrame:
    o = o.assign(start_year=o["year"].to_numpy(dtype=np.int64), end_year=o["year"].to_numpy(dtype=np.int64))
    return flag_frame(o, RULE.name, "alert", RULE.direction, "share", o["value"], 100.0, None, REFERENCE,
                      [reason(r) for r in records(o)])


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    """Every share target of the plan whose least allowed value is above 100."""
    rows = []
    for i, r in enumerate(plan.obs.itertuples(index=False)):
        least = r.value_low if r.bound == "range" else r.value
        if r.measure == "share" and r.kind == "target" and least > 100:
            rows.append(i)
    return _flags(plan.obs.iloc[rows])


def find(inp: Inputs) -> pd.DataFrame:
    obs = inp.obs
    value, low = obs["value"].to_numpy(dtype=float), obs["value_low"].to_numpy(dtype=float)
    rows = np.flatnonzero((value > 100) | (low > 100))               # few rows: the rest of the test on them
    o = obs.iloc[rows[obs["measure"].to_numpy()[rows] == "share"]]
    least = np.where(o["bound"].to_numpy() == "range", o["value_low"].to_numpy(dtype=float),
                     o["value"].to_numpy(dtype=float))
    return _flags(o.iloc[np.flatnonzero((o["kind"].to_numpy() == "target") & (least > 100))])


RULE = Rule(
    name="share_above_100", direction="impossible", severities=("alert",), parameters=(),
    label=Words("比重超过100%", "share above 100 %"),
    fires_when=Words("比重目标（区间取下限）超过 100%", "a share target (a range's low end) is above 100 %"),
    reason=reason, judge=judge, find=find, section="Internal consistency")
