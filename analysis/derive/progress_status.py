"""The status of one target (analysis.derive.progress runs it over every target): its base, then the steps
below, in this order, as Open SDG's ProgressMeasure checks "target achieved" first
(https://github.com/open-sdg/sdg-build/blob/master/sdg/ProgressMeasure.py); the rules, formulas and anchors are
in docs/methods.md, "Target versus actual (progress)":

1. An actual **for the target year** meets the target (bound-aware, `meets`; the actual's own bound honoured: an
   actual published as "more than 12,000" meets a target of "more than 12,000"): `achieved`, or
   `achieved_at_rounding` when the actual ties with the target within its published rounding (49 against
   49 %: the true value may lie either side). It misses: `achieved_late` if a later actual (at most
   `progress_max_years_after_target` years late) meets it, else `missed`.
2. No actual for the target year, but actuals **bracket** it (one before, one at most
   `progress_max_years_after_target` years after) at most `progress_max_interpolation_years` apart: the estimate at
   the target year is interpolated (linear for shares, geometric for levels and counts) and judges it: `achieved`
   (judged_by `interpolated`), `achieved_at_rounding` when the estimate is within the published rounding of either
   actual, else `achieved_late` when the later actual meets it, else `missed`. A longer bracket is named in the
   note and decides nothing.
3. No estimate at the target year, and the latest actual before it already meets it (a stock or level, not a
   flow; no later actual in the window says otherwise): `met_before_not_observed`.
4. No estimate at the target year, and a later actual within the window meets it: `met_later_not_observed`
   (the target year itself is not known, so not `achieved_late`). A later actual that falls short: `missed`,
   the note saying that the target year is not known. Flows (new entries in one year) are never judged from
   another year.
5. The target year has passed (it is not after `as_of`, the latest year any actual covers) with none of the
   above: `no_data`, never a progress category; the latest actual and the anticipated value stand beside.
6. A target after `as_of` that the latest actual already meets is `met_before_not_observed` (whether or not a
   base exists; not for flows); otherwise it is judged by pace, base → latest actual against base → target: the
   growth ratio of Open SDG / Statistics Canada: `on_track`, `acceleration_needed`, `limited_progress`,
   `deterioration`; without a usable base: `not_assessable`, with the reason.

Base (`choose_base`): the latest actual at or before the plan's base year (the year of the document's own baseline,
else the year before the document), the document's own figure first; an older one is named in the note, and one
more than `progress_max_base_lag_years` older is not used.

Each step returns its verdict with the notes that explain it (progress_notes parts, in both languages).
"""
from __future__ import annotations

import math
import re

import pandas as pd

from .growth import annual_rate
from .progress_measures import (
    EPS,
    Target,
    interpolate,
    missing,
    ratio_status,
    rounding_half_unit,
    trend_status,
)
from .progress_notes import number, part

FLOW_MEASURES = ("count_flow",)                    # a year's new entries say nothing about another year
# a compiler's note may say that its row does not judge a target year: "The 2020 target (…) is not judged by this row"
EXCLUSION = re.compile(r"The (\d{4}) target[^.]*?is not judged by this row")


def choose_base(series: pd.DataFrame, own: pd.DataFrame, base_year: int, max_lag: int) -> tuple[object, object, object]:
    """(base actual or None, note, reason; the note and reason are Words or ""): the latest actual at or before the
    plan's base year, the document's own figure first; one more than `max_lag` years older is not used (the reason
    says so)."""
    mine = own[own["year"] == base_year]
    if len(mine):
        return mine.iloc[0], "", ""
    earlier = series[series["year"] <= base_year]
    if not len(earlier):
        return None, "", part("no_base", year=base_year)
    base = earlier.iloc[-1]
    lag = base_year - int(base["year"])
    if lag > max_lag:
        return None, "", part("base_too_old", base_year=base_year, year=int(base["year"]), n=lag, m=max_lag)
    note = part("base_lag", year=int(base["year"]), n=lag, base_year=base_year) if lag else ""
    return base, note, ""


def excluded_years(note) -> set[int]:
    """Target years an actual's note says it does not judge ("The 2020 target (…) is not judged by this row")."""
    text = "" if missing(note) else str(note)
    return {int(y) for y in EXCLUSION.findall(text)}


def value_text(r) -> str:
    return f"{'> ' if r['bound'] == 'gt' else ''}{float(r['value']):g}"


def judge_passed(t: Target, series: pd.DataFrame, p: dict) -> dict:
    """Status of a target whose year has passed (steps 1–5 of the module docstring): status, judged_by, the
    judging actual (a row of `series`), achieved_year, the estimate at the target year and notes (Words). An
    actual whose note excludes this target year (`excluded_years`) is not used for it."""
    keep = [t.year not in excluded_years(n) for n in series["note"]]
    dropped = [str(y) for y in series.loc[[not k for k in keep], "year"]] if len(keep) else []
    series = series[keep] if len(keep) else series
    notes = [part("excluded", years=", ".join(dropped), year=t.year)] if dropped else []
    window = series[(series["year"] > t.year) & (series["year"] <= t.year + p["max_years_after_target"])]
    flow = t.measure in FLOW_MEASURES
    later_met = window[[t.met_by(r, p) for _, r in window.iterrows()]] if not flow else window.iloc[:0]
    at = series[series["year"] == t.year]
    out = {"estimate": None, "method": None, "notes": notes}
    if len(at):                                                        # 1. the target year's own actual
        return _at_target_year(t, at.iloc[0], later_met, out, p)
    before = series[series["year"] < t.year]
    if flow:
        return {**out, "status": "no_data", "judged_by": "latest_actual_before_target_year" if len(before) else None,
                "actual": before.iloc[-1] if len(before) else None, "achieved_year": None,
                "notes": notes + [part("no_actual_window_flow", year=t.year, n=int(p["max_years_after_target"]))]}
    return _around_target_year(t, before.iloc[-1] if len(before) else None, window.iloc[0] if len(window) else None,
                               later_met, out, p)


def _at_target_year(t: Target, actual, later_met: pd.DataFrame, out: dict, p: dict) -> dict:
    """Step 1: the target year's own actual decides: achieved, at rounding, achieved late or missed."""
    if t.met_by(actual, p) or t.tie(actual, p):
        return {**out, "status": "achieved_at_rounding" if t.tie(actual, p) else "achieved",
                "judged_by": "actual_at_target_year", "actual": actual, "achieved_year": t.year}
    if len(later_met):
        first = later_met.iloc[0]
        return {**out, "status": "achieved_late", "judged_by": "actual_after_target_year", "actual": first,
                "achieved_year": int(first["year"]),
                "notes": out["notes"] + [part("fell_short", year=t.year, value=float(actual["value"]))]}
    return {**out, "status": "missed", "judged_by": "actual_at_target_year", "actual": actual, "achieved_year": None}


def _around_target_year(t: Target, b, after, later_met: pd.DataFrame, out: dict, p: dict) -> dict:
    """Steps 2–5, no actual for the target year: `b` the latest actual before it, `after` the first in the window
    after it (None where there is none)."""
    notes = out["notes"]
    if b is not None and after is not None:                            # 2. a bracket: interpolate, if short enough
        span = int(after["year"]) - int(b["year"])
        if span <= p["max_interpolation_years"]:
            return _interpolated(t, b, after, later_met, notes, out, p)
        notes = notes + [part("bracket_too_long", year=t.year, before_year=int(b["year"]), later_year=int(after["year"]),
                              n=span, m=int(p["max_interpolation_years"]))]
    before_met = b is not None and t.met_by(b, p)
    if before_met and (after is None or len(later_met)):             # 3. met before T, T not observed
        return {**out, "status": "met_before_not_observed", "judged_by": "latest_actual_before_target_year", "actual": b,
                "achieved_year": int(b["year"]),
                "notes": notes + [part("met_before", year=int(b["year"]), value=value_text(b), target_year=t.year)]}
    if len(later_met):                                                # 4. met by T+k, T not observed
        first = later_met.iloc[0]
        return {**out, "status": "met_later_not_observed", "judged_by": "actual_after_target_year", "actual": first,
                "achieved_year": int(first["year"]),
                "notes": notes + [part("year_unknown", year=t.year),
                                  part("met_later", year=int(first["year"]), value=value_text(first),
                                       n=int(first["year"]) - t.year, target_year=t.year)]}
    if after is None:                                                 # 5. nothing after it, nothing before meets it
        return {**out, "status": "no_data", "judged_by": "latest_actual_before_target_year" if b is not None else None,
                "actual": b, "achieved_year": None,
                "notes": notes + [part("no_actual_window", year=t.year, n=int(p["max_years_after_target"]))]}
    if before_met:                                                    # met before, not after, too far apart to tell
        return {**out, "status": "no_data", "judged_by": None, "actual": None, "achieved_year": None,
                "notes": notes + [part("met_then_short", year=int(b["year"]), value=value_text(b),
                                       later_year=int(after["year"]), later_value=value_text(after))]}
    return {**out, "status": "missed", "judged_by": "actual_after_target_year", "actual": after, "achieved_year": None,
            "notes": notes + [part("year_unknown", year=t.year), part("still_short", year=int(after["year"]))]}


def _interpolated(t: Target, b, after, later_met: pd.DataFrame, notes: list, out: dict, p: dict) -> dict:
    """The verdict of an estimate interpolated at the target year between `b` and `after` (a bracket short enough):
    achieved, achieved_at_rounding (within the published rounding of either actual), achieved_late or missed."""
    est, method = interpolate(int(b["year"]), float(b["value"]), int(after["year"]), float(after["value"]), t.year,
                              t.measure)
    out = {**out, "estimate": est, "method": method.en}
    lower = part("lower_bounds") if "gt" in (b["bound"], after["bound"]) else ""
    half = max(rounding_half_unit(float(b["value"]), t.measure, b.get("quote")),
               rounding_half_unit(float(after["value"]), t.measure, after.get("quote")))
    met = t.met(est, p)
    tie = half > 0 and met != t.met(est - t.direction * half if met else est + t.direction * half, p)
    tie_note = [part("estimate_tie", value=half)] if tie else []
    if met or tie:
        return {**out, "status": "achieved_at_rounding" if tie else "achieved", "judged_by": "interpolated", "actual": after,
                "achieved_year": t.year,
                "notes": notes + [part("estimate_meets" if met else "estimate_short", year=t.year, value=number(est, 6),
                                       method=method, lower=lower)] + tie_note}
    if len(later_met):
        first = later_met.iloc[0]
        return {**out, "status": "achieved_late", "judged_by": "actual_after_target_year", "actual": first,
                "achieved_year": int(first["year"]),
                "notes": notes + [part("estimate_short", year=t.year, value=number(est, 6), method=method, lower=lower)]}
    return {**out, "status": "missed", "judged_by": "interpolated", "actual": after, "achieved_year": None,
            "notes": notes + [part("estimate_short_as_does", year=t.year, value=number(est, 6), method=method,
                                   later_year=int(after["year"]), lower=lower)]}


def judge_pace(t: Target, series: pd.DataFrame, base, base_reason, p: dict) -> dict:
    """Status of a target after `as_of` (step 6): met before its year (not a flow) first, whether or not a base
    exists; else the growth-ratio category (status None: pace_status decides), or not_assessable with the reason."""
    earlier = series[series["year"] < t.year]
    latest = earlier[earlier["year"] > (int(base["year"]) if base is not None else -1)]
    actual = latest.iloc[-1] if len(latest) else (earlier.iloc[-1] if len(earlier) else None)
    if actual is not None and t.measure not in FLOW_MEASURES and t.met_by(actual, p):
        return {"status": "met_before_not_observed", "judged_by": "latest_actual_before_target_year", "actual": actual,
                "achieved_year": int(actual["year"]),
                "notes": [part("met_before", year=int(actual["year"]), value=value_text(actual), target_year=t.year)]}
    if base is None:
        return {"status": "not_assessable", "judged_by": None, "actual": actual, "reason": base_reason}
    if not len(latest):
        return {"status": "not_assessable", "judged_by": None, "actual": actual,
                "reason": part("no_actual_after_base", year=int(base["year"]))}
    return {"status": None, "judged_by": "latest_actual_before_target_year", "actual": actual}


def pace_status(row: dict, direction: int, p: dict) -> tuple[str | None, str]:
    """The growth-ratio category of a row's measures; where the target equals its base, the trend thresholds."""
    status = ratio_status(row["growth_ratio"], p)
    if status is not None:
        return status, ""
    if not missing(row["required_growth"]) and abs(row["required_growth"]) <= EPS:
        b, a = row["base_value"], row["actual_value"]
        years = row["actual_year"] - row["base_year"]
        compound = float(annual_rate(b, a, years, "cagr")) if b > 0 and a > 0 and years > 0 else math.nan
        return trend_status(compound, direction, row["limit_factor"], p), part("trend_thresholds")
    return None, ""

