"""stock_change_vs_flow: a total of new entries stated for the plan period (indicator_links.csv `period_flow_of`)
against the rise of the stock it feeds, from the stock's last point before the period to its target at the
period's end: info when the entries fall short of the rise by more than flow_stock_tolerance_pct (the rest would
have to come from elsewhere)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..sentences import Words, fmt, with_unit
from ._links import linked, of_indicators
from .base import INTERNAL, Inputs, Plan, Rule, empty, flag_frame, records


def reason(r) -> Words:
    rise, start, end, flow = fmt(r.rise), fmt(r.s_value), fmt(r.e_value), with_unit(r.value, r.unit)
    return Words(f"存量{r.stock_zh}要增加 {rise} {r.unit}（{r.s_year} 年 {start} → {r.year} 年 {end}），但文件所述期间"
                 f"新增（{r.indicator_zh}）只有 {flow}：其余须来自别处。",
                 f"The stock {r.stock_zh} is to rise by {rise} {r.unit} ({start} in {r.s_year} → {end} in {r.year}), "
                 f"but the new entries stated for the period ({r.indicator_zh}) are only {flow}: the rest would have "
                 "to come from elsewhere.")


def _flags(obs: pd.DataFrame, inp: Inputs) -> pd.DataFrame:
    lk = linked(inp.links, "period_flow_of")
    if lk.empty:
        return empty()
    o = of_indicators(obs, np.r_[lk["indicator_id"].to_numpy(), lk["of_indicator_id"].to_numpy()])
    flow = o.merge(lk, on="indicator_id")[["source_id", "region", "indicator_id", "indicator_zh", "year", "value",
                                          "unit", "of_indicator_id"]]
    stock = o[["source_id", "indicator_id", "indicator_zh", "year", "value"]].rename(
        columns={"indicator_id": "of_indicator_id", "indicator_zh": "stock_zh", "year": "s_year", "value": "s_value"})
    m = flow.merge(stock, on=["source_id", "of_indicator_id"])
    end = m[m["s_year"] == m["year"]].rename(columns={"s_value": "e_value"})[["source_id", "indicator_id", "year",
                                                                               "e_value"]]
    base = m[m["s_year"] < m["year"]].sort_values("s_year").drop_duplicates(["source_id", "indicator_id", "year"],
                                                                              keep="last")
    j = base.merge(end, on=["source_id", "indicator_id", "year"])
    if j.empty:
        return empty()
    rise = (j["e_value"] - j["s_value"]).to_numpy(dtype=float)
    tol = inp.values["flow_stock_tolerance_pct"] / 100.0
    j = j.assign(rise=rise)[(rise > 0) & (j["value"].to_numpy(dtype=float) < rise * (1 - tol))]
    j = j.assign(start_year=j["s_year"].to_numpy(dtype=np.int64), end_year=j["year"].to_numpy(dtype=np.int64))
    return flag_frame(j, RULE.name, "info", RULE.direction, "new_entries", j["value"], j["rise"] * (1 - tol),
                      "flow_stock_tolerance_pct", INTERNAL, [reason(r) for r in records(j)])


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    return _flags(plan.obs, inp)


def find(inp: Inputs) -> pd.DataFrame:
    return _flags(inp.obs, inp)


RULE = Rule(
    name="stock_change_vs_flow", direction="inconsistent", severities=("info",),
    parameters=("flow_stock_tolerance_pct",),
    label=Words("存量变化与新增量不符", "stock change disagrees with flows"),
    fires_when=Words("文件所述期间新增（period_flow_of）少于存量目标的增加",
                     "new entries stated for a period (period_flow_of) fall short of the stock's targeted rise"),
    reason=reason, judge=judge, find=find, section="Internal consistency")
