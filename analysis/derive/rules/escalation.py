"""escalation: a plan's implied growth exceeds that of a plan of a region above it (any level of regions.csv),
of the same vintage, for the same indicator and year, by more than the documented escalation (compound growth
only); every pair is in escalation.csv (analysis.derive.cross_level)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..sentences import Words, fmt, rate, with_unit
from .base import EPS, Inputs, Plan, Rule, flag_frame, records, threshold_phrase

PARAMETER = "escalation_warn_cagr"


def reason(r, phrase: Words) -> Words:
    unit = r.growth_unit
    end, parent_end, apart = with_unit(r.end_value, r.unit), with_unit(r.parent_end_value, r.unit), fmt(r.vintage_gap_years)
    g, pg, gap = rate(r.growth, unit), rate(r.parent_growth, unit), rate(r.growth_gap, unit)
    return Words(
        f"{r.end_year} 年，{r.region}的目标为 {end}（自 {r.start_year} 年起 {g.zh}），{r.parent_region}为 {parent_end}"
        f"（自 {r.parent_start_year} 年起 {pg.zh}），两份规划相隔 {apart} 年：下级的隐含增长比上级高 {gap.zh}，超过"
        f"{phrase.zh}。",
        f"For {r.end_year} {r.region} targets {end} ({g.en} from {r.start_year}) and "
        f"{r.parent_region} {parent_end} ({pg.en} from {r.parent_start_year}), in plans "
        f"{apart} years apart: the lower level's implied growth is {gap.en} above the higher's, "
        f"more than {phrase.en}.")


def _flags(t: pd.DataFrame, inp: Inputs) -> pd.DataFrame:
    p = inp.thresholds.loc[PARAMETER]
    phrase = threshold_phrase(p)
    return flag_frame(t, RULE.name, "warn", RULE.direction, t["metric"], t["growth_gap"], float(p["value"]), PARAMETER,
                      p["reference"], [reason(r, phrase) for r in records(t)], related=t["related_source_id"])


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    """Each pair of the plan's table rows of the same vintage whose compound growth gap exceeds the parameter."""
    at = inp.values[PARAMETER]
    keep = [i for i, r in enumerate(plan.escalation.itertuples(index=False))
            if r.same_vintage and r.metric == "cagr" and r.growth_gap > at + EPS]
    return _flags(plan.escalation.iloc[keep], inp)


def find(inp: Inputs) -> pd.DataFrame:
    t = inp.escalation
    at = inp.values[PARAMETER]
    fires = (t["same_vintage"].to_numpy(dtype=bool) & (t["growth_gap"].to_numpy(dtype=float) > at + EPS)
             & (t["metric"].to_numpy(dtype=object) == "cagr"))
    return _flags(t.iloc[np.flatnonzero(fires)], inp)


RULE = Rule(
    name="escalation", direction="too_fast", severities=("warn",),
    parameters=(PARAMETER, "escalation_max_vintage_gap_years"),
    label=Words("层层加码", "escalation"),
    fires_when=Words("某规划的隐含增长比同期上级地区规划（同一指标、同一年份）高出文献记载的加码幅度以上；每一对都在 escalation.csv 中",
                     "a plan's implied growth exceeds that of a plan of a region above it (any level of regions.csv), "
                     "of the same vintage, for the same indicator and year, by more than the documented escalation; "
                     "every pair is in escalation.csv"),
    reason=reason, judge=judge, find=find, section="Across levels")
