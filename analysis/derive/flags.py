"""Plausibility flags → data/processed/flags.csv: one row per (source, indicator, segment, rule) that fires.

The rules are analysis/derive/rules/ (one module each; docs/methods.md gives each with its formula); the
yardsticks are data (data/raw/reference/: the regional panel, the national reference table, thresholds.yml;
analysis.inputs.reference, analysis.derive.peers). This module runs every rule of the registry over all plans at
once (each rule's `find`, or its per-plan `judge` where it has none), then adds margin and robustness. Every row
names its yardstick and gives one plain sentence with the numbers, in English (`reason`) and Chinese (`reason_zh`)
from the same parts; `margin` and `robust` say how fragile it is.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.arrays import either
from ..inputs.reference import load_links, load_regions, load_rules, load_thresholds, values
from .cross_level import escalation_table, plan_levels
from .known import pre_plan_actuals
from .paces import pace_judgements
from .peers import reference_windows
from .rules import REGISTRY
from .rules.base import COLUMNS, Inputs, empty, plans
from .yardsticks import parents_of

SORT = ["source_id", "indicator_id", "start_year", "end_year", "rule", "related_source_id"]


def evaluate(obs: pd.DataFrame, segments: pd.DataFrame, thresholds: pd.DataFrame | None = None,
             links: pd.DataFrame | None = None, regions: pd.DataFrame | None = None, rules: dict | None = None,
             escalations: pd.DataFrame | None = None, judgement: pd.DataFrame | None = None,
             known: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every rule over every plan; sorted by source, indicator, years, rule. Columns COLUMNS (flags.csv's: the
    reason in English, `reason`, and in Chinese, `reason_zh`, both from the rule's own parts).

    `escalations` (escalation_table), `judgement` (pace_judgements) and `known` (pre_plan_actuals): when the
    caller has them already; by default the escalation table without plan dates and the document's own actuals as
    what was known."""
    th = thresholds if thresholds is not None else load_thresholds()
    links = links if links is not None else load_links()
    regions = regions if regions is not None else load_regions()
    rules = rules if rules is not None else load_rules()
    if known is None:
        known = pre_plan_actuals(obs, None, {})
    if judgement is None:
        judgement = pace_judgements(segments, th, rules, reference_windows(rules), plan_levels(regions),
                                    parents_of(regions), known)
    if escalations is None:
        escalations = escalation_table(obs, segments, regions, None, th.at["escalation_max_vintage_gap_years", "value"])
    inp = Inputs(obs, segments, th, rules, links, regions, judgement, known, escalations)
    parts = [p for p in (run(rule, inp) for rule in REGISTRY) if not p.empty]
    if not parts:
        return empty()
    out = pd.concat(parts, ignore_index=True)
    out["start_year"] = out["start_year"].astype(np.int64)
    out["end_year"] = out["end_year"].astype(np.int64)
    out = margins(out, values(th)["robust_min_margin_pct"])
    return out.sort_values(SORT, kind="stable", na_position="first").reset_index(drop=True)[COLUMNS]


def run(rule, inp: Inputs) -> pd.DataFrame:
    """The flags of one rule over every plan: its `find`, else its `judge` plan by plan."""
    if rule.find is not None:
        return rule.find(inp)
    return pd.concat([rule.judge(plan, inp) for plan in plans(inp)] or [empty()], ignore_index=True)


def margins(flags: pd.DataFrame, min_margin_pct: float) -> pd.DataFrame:
    """margin (value / threshold) and robust for the rules that do not compute them (too_fast does): a too-slow
    flag is robust when its value is below the threshold by the margin, the others when above it by the margin;
    a rule against zero or a definition (a share above 100 %, a cumulative count that falls by any amount) is
    robust unless within the margin of its threshold."""
    out = flags.copy()
    todo = out["robust"].isna().to_numpy()
    value, thr = out["value"].to_numpy(dtype=float), out["threshold"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where((thr != 0) & np.isfinite(thr), value / thr, np.nan)
    slow = out["direction"].to_numpy() == "too_slow"
    m = min_margin_pct / 100.0
    ok = np.where(slow, margin <= 1 / (1 + m),
                  np.where(out["rule"].to_numpy() == "target_backwards", True, margin >= 1 + m))
    ok = ok | ~np.isfinite(margin)
    out.loc[todo, "margin"] = margin[todo]
    out.loc[todo, "robust"] = either(ok, "robust", "knife_edge")[todo]
    return out
