"""flow_cannot_build_stock: the yearly new-entry targets (indicator_links.csv `flow_of`) over a step of the stock
add up to less than the step's rise, beyond flow_stock_tolerance_pct. A flow stated for fewer years than the step
is assumed to hold every year (its mean times the step's years)."""
from __future__ import annotations

import pandas as pd

from ..growth import bound_interval, is_one_of
from ..sentences import Words, fmt, with_unit
from ._links import linked, of_indicators
from .base import INTERNAL, Inputs, Plan, Rule, empty, flag_frame, judged_rows, records

KEY = ["source_id", "indicator_id", "start_year", "end_year"]


def reason(r) -> Words:
    if r.flow_n == r.years:
        per = Words("", "")
    else:
        mean = fmt(r.flow_sum / r.flow_n)
        per = Words(f"（假定 {r.flow_first}–{r.flow_last} 年每年 {mean} 的目标在每一年都成立）",
                    f", assuming the {mean} a year stated for {r.flow_first}–{r.flow_last} holds every year")
    end, start, needed, total = with_unit(r.end_value, r.unit), fmt(r.start_value), fmt(r.needed), fmt(r.flow_total)
    return Words(f"从 {r.start_year} 年的 {start} 到 {r.end_year} 年的 {end} 需要新增 {needed}，但{r.flow_zh}的目标"
                 f"在这 {r.years} 年里合计只有 {total}{per.zh}。",
                 f"Reaching {end} in {r.end_year} from {start} in {r.start_year} needs {needed} new, but the targets "
                 f"for {r.flow_zh} add up to only {total} over those {r.years} years{per.en}.")


def _flags(obs: pd.DataFrame, segments: pd.DataFrame, inp: Inputs) -> pd.DataFrame:
    lk = linked(inp.links, "flow_of")
    if lk.empty:
        return empty()
    rows = judged_rows(segments)
    rows = rows[is_one_of(segments["indicator_id"].to_numpy()[rows], *lk["of_indicator_id"], in_runs=True)]
    st = segments.iloc[rows[segments["measure"].to_numpy()[rows] == "count_stock"]].merge(
        lk.rename(columns={"indicator_id": "flow_id", "of_indicator_id": "indicator_id"}), on="indicator_id")
    if st.empty:
        return empty()
    o = of_indicators(obs, lk["indicator_id"])
    _, hi = bound_interval(o["value"], o["value_low"], o["bound"], o["measure"], inp.values["approx_band_pct"])
    fl = o.assign(hi=hi)[["source_id", "indicator_id", "indicator_zh", "year", "kind", "hi"]].rename(
        columns={"indicator_id": "flow_id", "indicator_zh": "flow_zh", "year": "flow_year", "kind": "flow_kind"})
    m = st[KEY + ["flow_id"]].merge(fl, on=["source_id", "flow_id"])          # each segment × flow year
    m = m[(m["flow_year"] > m["start_year"]) & (m["flow_year"] <= m["end_year"])]
    m = m.sort_values(["flow_year", "flow_kind"]).drop_duplicates(KEY + ["flow_year"], keep="last")
    agg = m.groupby(KEY).agg(flow_sum=("hi", "sum"), flow_n=("hi", "size"), flow_first=("flow_year", "min"),
                             flow_last=("flow_year", "max"), flow_zh=("flow_zh", "first")).reset_index()
    seg = st.drop_duplicates(KEY).merge(agg, on=KEY)
    tol = inp.values["flow_stock_tolerance_pct"] / 100.0
    seg["flow_total"] = seg["flow_sum"] / seg["flow_n"] * seg["years"]
    seg["needed"] = seg["end_value"] - seg["start_value"]
    seg = seg[(seg["needed"] > 0) & (seg["flow_total"] < seg["needed"] * (1 - tol))]
    return flag_frame(seg, RULE.name, "alert", RULE.direction, "new_entries", seg["flow_total"],
                      seg["needed"] * (1 - tol), "flow_stock_tolerance_pct", INTERNAL, [reason(r) for r in records(seg)])


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    return _flags(plan.obs, plan.segments.reset_index(drop=True), inp)


def find(inp: Inputs) -> pd.DataFrame:
    return _flags(inp.obs, inp.segments, inp)


RULE = Rule(
    name="flow_cannot_build_stock", direction="impossible", severities=("alert",),
    parameters=("approx_band_pct", "flow_stock_tolerance_pct"),
    label=Words("新增量不足以累积存量", "flows cannot build the stock"),
    fires_when=Words("每年新增目标（flow_of）之和少于存量目标的增加",
                     "yearly new-entry targets (flow_of) add up to less than the targeted increase of the stock"),
    reason=reason, judge=judge, find=find, section="Internal consistency")
