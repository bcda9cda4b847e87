"""rate_vs_levels: a stated growth-rate target against the level path of the indicator it describes (same
source; indicator_links.csv `rate_of`).

The level's first point and its point at (or last before) the rate's year are intervals (a floor is [v, ∞), about
is v ± approx_band_pct, a range its ends): the rates the levels allow are [rate(start_high → end_low),
rate(start_low → end_high)], against the rates the statement allows. Only intervals that do not meet fire, by the
gap between them: info within rounding (rate_consistency_warn_*), warn beyond."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.arrays import either
from ..growth import annual_rate, bound_interval
from ..sentences import Words, fmt, rate, with_unit
from ._links import linked, of_indicators, unit_suffix
from .base import EPS, INTERNAL, Inputs, Plan, Rule, bound_word, empty, flag_frame, records

LEVEL_COLUMNS = ["source_id", "indicator_id", "indicator_zh", "year", "kind", "value", "unit", "bound", "lo", "hi"]


def _allowed(lo: float, hi: float, unit: str) -> Words:
    if not np.isfinite(hi):
        return Words("至少 ", "at least ") + rate(lo, unit)
    if abs(hi - lo) < EPS:
        return rate(lo, unit)
    return rate(lo, unit) + Words(" 至 ", " to ") + rate(hi, unit)


def reason(r) -> Words:
    unit = "pp/yr" if r.is_pp else "%/yr"
    start, end = fmt(r.value_lv_s), with_unit(r.value_lv_e, r.unit_lv_e)
    span, y = f"{int(r.year_lv_s)}–{int(r.year_lv_e)}", int(r.year_lv_e)
    allowed, gap = _allowed(r.imp_lo, r.imp_hi, unit), rate(r.gap, unit)
    stated, ends = bound_word(r.bound) + rate(r.stated, unit), bound_word(r.bound_lv_e)
    at = f"{fmt(r.at_rate, 2)}{unit_suffix(r.unit_lv_e)}"
    return Words(
        f"文件所述{r.indicator_zh_lv_e}到 {int(r.year)} 年的{'年均提高' if r.is_pp else '年均增长'}为{stated.zh}，但其水平"
        f"目标 {start} → {ends.zh}{end}（{span}）允许的是 {allowed.zh}：两者相差 {gap.zh}；按所述增速，{y} 年的水平"
        f"应为 {at}。",
        f"The document states {'a rise of' if r.is_pp else 'growth of'} {stated.en} for {r.indicator_zh_lv_e} to "
        f"{int(r.year)}, but its level figures {start} → {ends.en}{end} ({span}) allow {allowed.en}: the two "
        f"statements miss each other by {gap.en}; at the stated rate the {y} level would be {at}.")


def _pairs(obs: pd.DataFrame, links: pd.DataFrame, band: float) -> pd.DataFrame:
    """Each stated rate with the first and the last level point of its indicator up to its year (suffixes _s, _e)."""
    rates = obs[obs["measure"].to_numpy() == "growth_rate"]
    lk = linked(links, "rate_of")
    if rates.empty or lk.empty:
        return pd.DataFrame()
    r = rates.merge(lk, on="indicator_id")
    lv = of_indicators(obs, lk["of_indicator_id"])
    lv = lv[lv["measure"].to_numpy() != "growth_rate"]
    lo, hi = bound_interval(lv["value"], lv["value_low"], lv["bound"], lv["measure"], band)
    lv = lv.assign(lo=lo, hi=hi)[LEVEL_COLUMNS]
    m = r.merge(lv, left_on=["source_id", "of_indicator_id"], right_on=["source_id", "indicator_id"],
                suffixes=("", "_lv"))
    m = m[m["year_lv"] <= m["year"]].sort_values(["source_id", "indicator_id", "year", "year_lv", "kind_lv"])
    key = ["source_id", "indicator_id", "year"]
    first = m.drop_duplicates(key, keep="first")
    last = m.drop_duplicates(key, keep="last")[key + ["year_lv", "value_lv", "unit_lv", "indicator_zh_lv", "bound_lv",
                                                      "lo", "hi"]]
    j = first.merge(last, on=key, suffixes=("_s", "_e"))
    return j[(j["year_lv_e"] > j["year_lv_s"]).to_numpy()]


def _flags(j: pd.DataFrame, inp: Inputs) -> pd.DataFrame:
    """The pairs whose intervals do not meet, as flags."""
    if j.empty:
        return empty()
    v = inp.values
    pp = (j["unit"] == "百分点").to_numpy()
    metric = either(pp, "pp_per_year", "cagr")
    years = (j["year_lv_e"] - j["year_lv_s"]).to_numpy(dtype=float)
    implied = annual_rate(j["value_lv_s"], j["value_lv_e"], years, metric)
    imp_lo = annual_rate(j["hi_s"], j["lo_e"], years, metric)
    imp_hi = np.where(np.isinf(j["hi_e"]), np.inf, annual_rate(j["lo_s"], j["hi_e"], years, metric))
    imp_lo = np.where(np.isfinite(imp_lo), imp_lo, -np.inf)         # an unbounded start allows any pace from below
    st_lo, st_hi = bound_interval(j["value"], j["value_low"], j["bound"], np.full(len(j), "growth_rate"),
                                  v["approx_band_pct"])
    stated = j["value"].to_numpy(dtype=float)
    gap = np.maximum.reduce([imp_lo - st_hi, st_lo - imp_hi, np.zeros(len(j))])
    tol_name = np.where(pp, "rate_consistency_warn_pp", "rate_consistency_warn_cagr")
    tol = np.where(pp, v["rate_consistency_warn_pp"], v["rate_consistency_warn_cagr"])
    at_rate = np.where(pp, j["value_lv_s"] + stated * years, j["value_lv_s"] * (1 + stated / 100.0) ** years)
    i = np.flatnonzero(np.isfinite(implied) & (gap > EPS))
    j = j.iloc[i].assign(start_year=j["year_lv_s"].to_numpy(dtype=np.int64)[i],
                         end_year=j["year_lv_e"].to_numpy(dtype=np.int64)[i], is_pp=pp[i], stated=stated[i],
                         imp_lo=imp_lo[i], imp_hi=imp_hi[i], gap=gap[i], at_rate=at_rate[i])
    severity = either(gap[i] > tol[i] + EPS, "warn", "info")
    return flag_frame(j, RULE.name, severity, RULE.direction, metric[i], implied[i], stated[i], tol_name[i], INTERNAL,
                      [reason(r) for r in records(j)])


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    """Each of the plan's stated rates against its level path (the plan's own observations only)."""
    return _flags(_pairs(plan.obs, inp.links, inp.values["approx_band_pct"]), inp)


def find(inp: Inputs) -> pd.DataFrame:
    return _flags(_pairs(inp.obs, inp.links, inp.values["approx_band_pct"]), inp)


RULE = Rule(
    name="rate_vs_levels", direction="inconsistent", severities=("info", "warn"),
    parameters=("approx_band_pct", "rate_consistency_warn_cagr", "rate_consistency_warn_pp"),
    label=Words("增速与水平目标不一致", "rate disagrees with levels"),
    fires_when=Words("文件所述增速与其描述的水平目标（rate_of）不存在共同的速度",
                     "a stated growth rate and the level targets it describes (indicator_links.csv: rate_of) allow "
                     "no common pace"),
    reason=reason, judge=judge, find=find, section="Internal consistency")
