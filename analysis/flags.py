"""Plausibility flags → data/processed/flags.csv: one row per (source, indicator, segment, rule) that fires.

The thresholds and the reference rates they rest on are data (data/raw/reference/, see
analysis.reference); this module holds the rules. Only step segments that end in a target are judged
(the overall first → last segment repeats them; actual → actual is history).

    rule                     direction     severity      fires when
    too_fast                 too_fast      info|warn|alert the implied growth (to the low end of a ≥, approximate
                                                         or range target) exceeds the indicator's tier thresholds
    below_baseline           too_slow      warn          a target lies below the actual it starts from
    below_trend              too_slow      info          the step from the last actual to the first target grows
                                                         more slowly than the actual trend the document reports
    target_backwards         inconsistent  warn          a later target lies below an earlier one
    stock_falls              impossible    alert         a cumulative count (累计) falls (other stocks: too_slow, warn)
    share_above_100          impossible    alert         a share target above 100 %
    rate_vs_levels           inconsistent  info|warn     a stated growth-rate target and the level targets it
                                                         belongs to (indicator_links.csv: rate_of) disagree
    part_exceeds_whole       impossible    alert         a part exceeds its whole (part_of)
    flow_cannot_build_stock  impossible    alert         the yearly new-entry targets (flow_of) add up to less
                                                         than the targeted increase of the stock
    escalation               too_fast      warn          a district and its city (regions.csv) target the
                                                         same indicator for the same year and the district's
                                                         implied growth exceeds the city's by more than the
                                                         documented escalation; every such pair, flagged or
                                                         not, is in escalation_table() (escalation.csv)

Every row names its reference and gives one plain sentence with the numbers.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .growth import annual_rate, bound_interval
from .reference import (TIERS, load_links, load_regions, load_series, load_thresholds, tiers_for, values)

COLUMNS = ["source_id", "region", "indicator_id", "indicator_zh", "start_year", "end_year", "rule", "severity",
           "direction", "metric", "value", "threshold", "threshold_name", "reference", "related_source_id", "reason"]
INTERNAL = "internal: the document's own figures"
SEVERITY_RANK = {s: i for i, s in enumerate(TIERS)}
EPS = 1e-9      # differences below this are floating-point noise ((3.11 - 2.51) / 3 is 0.20000000000000004)


# ---------------------------------------------------------------- formatting for reasons
def fmt(v: float, decimals: int = 4) -> str:
    """A number for a sentence: thousands separators, no trailing zeros (3, 1,528, 2.51, 1,508.5)."""
    if v is None or not np.isfinite(v):
        return "∞" if v is not None and v > 0 else "n/a"
    s = f"{v:,.{decimals}f}"
    s = s.rstrip("0").rstrip(".") if "." in s else s
    return "0" if s == "-0" else s


def fmt_rate(v: float, unit: str) -> str:
    return f"{fmt(v, 3 if unit == 'pp/yr' else 2)} {unit}"


def _unit(u: str) -> str:
    return "%" if u == "%" else f" {u}"


def _with_unit(v: float, u: str) -> str:
    return f"{fmt(v)}{_unit(u)}"


def _phrases(th: pd.DataFrame) -> dict:
    """{parameter name: reference phrase} for every threshold (built once per evaluation)."""
    return {name: _ref_phrase(row) for name, row in th.iterrows()}


def _ref_phrase(p: pd.Series) -> str:
    """'<label> (205.63 %/yr, 356 → 10,163, 2013–2016)' from a threshold row."""
    unit = p["unit"]
    bits = [fmt_rate(p["value"], unit)]
    if p["overridden"]:
        bits[0] += " as overridden"
    elif pd.notna(p["ref_start_value"]) and pd.notna(p["ref_end_value"]):
        bits.append(f"{fmt(p['ref_start_value'])} → {fmt(p['ref_end_value'])}")
    if not p["overridden"] and pd.notna(p["ref_start_year"]) and pd.notna(p["ref_end_year"]):
        bits.append(f"{int(p['ref_start_year'])}–{int(p['ref_end_year'])}")
    return f"{p['label']} ({', '.join(bits)})"


def _records(df: pd.DataFrame):
    """Rows as namedtuples, iterating plain numpy arrays (much faster than itertuples over string columns)."""
    from collections import namedtuple

    Row = namedtuple("Row", list(df.columns))
    return map(Row._make, zip(*[df[c].to_numpy(dtype=object) for c in df.columns]))


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS) if rows else pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})


def _base(r, rule, severity, direction, metric, value, threshold, threshold_name, reference, reason, related=None) -> dict:
    return {"source_id": r.source_id, "region": r.region, "indicator_id": r.indicator_id, "indicator_zh": r.indicator_zh,
            "start_year": r.start_year, "end_year": r.end_year, "rule": rule, "severity": severity,
            "direction": direction, "metric": metric, "value": value, "threshold": threshold,
            "threshold_name": threshold_name, "reference": reference, "related_source_id": related, "reason": reason}


JUDGED_COLUMNS = ["source_id", "region", "indicator_id", "indicator_zh", "indicator_en", "measure", "unit", "start_year",
                  "end_year", "years", "start_value", "end_value", "end_low", "start_kind", "end_kind", "start_bound",
                  "end_bound", "metric", "growth", "growth_unit", "new_per_year"]


def _judged(segments: pd.DataFrame) -> pd.DataFrame:
    """The segments the rules judge (steps ending in a target), with only the columns they read. evaluate()
    computes this once and hands it to every rule (a frame marked `judged` is returned as it is)."""
    if segments.attrs.get("judged"):
        return segments
    s = segments
    keep = (s["segment"].to_numpy(dtype=object) == "step") & (s["end_kind"].to_numpy(dtype=object) == "target")
    out = s.loc[keep, [c for c in JUDGED_COLUMNS if c in s.columns]].reset_index(drop=True)
    out.attrs["judged"] = True
    return out


# ---------------------------------------------------------------- too fast
def too_fast(segments: pd.DataFrame, th: pd.DataFrame, series: dict) -> pd.DataFrame:
    s = _judged(segments)
    metric = s["metric"].to_numpy(dtype=object)
    s = s[(metric == "cagr") | (metric == "pp_per_year")]
    if s.empty:
        return _frame([])
    pairs = s[["indicator_id", "metric"]].drop_duplicates()
    tier_rows = []
    for ind, metric in pairs.itertuples(index=False):
        t = tiers_for(series, ind, metric)
        tier_rows.append({"indicator_id": ind, "metric": metric,
                          **{f"p_{k}": t.get(k) for k in TIERS},
                          **{f"v_{k}": (th.at[t[k], "value"] if k in t else np.nan) for k in TIERS}})
    s = s.merge(pd.DataFrame(tier_rows), on=["indicator_id", "metric"], how="left")
    # the least the published path asks for: from the start as published to the low end of the end target
    judged = annual_rate(s["start_value"], s["end_low"], s["years"].to_numpy(dtype=float), s["metric"])
    measure = s["measure"].to_numpy(dtype=object)
    small = (((measure == "count_stock") | (measure == "count_flow"))
             & (s["start_value"].to_numpy(dtype=float) < th.at["info_min_count_base", "value"]))
    level = np.full(len(s), -1)
    for i, k in enumerate(TIERS):
        over = judged > s[f"v_{k}"].to_numpy(dtype=float) + EPS
        if k == "info":
            over &= ~small
        level = np.where(over, i, level)
    keep = level >= 0
    s, judged, level = s[keep], judged[keep], level[keep]
    rows = []
    phrase, value, reference = _phrases(th), values(th), dict(zip(th["name"], th["reference"]))
    for r, g, lv in zip(_records(s), judged, level):
        tier = TIERS[lv]
        pname = getattr(r, f"p_{tier}")
        unit = r.growth_unit
        word = "rise" if r.metric == "pp_per_year" else "growth"
        least = "at least " if r.end_bound != "eq" else ""
        reason = (f"Implied {word} of {least}{fmt_rate(g, unit)} ({fmt(r.start_value)} → {_with_unit(r.end_value, r.unit)}, "
                  f"{r.start_year}–{r.end_year}) exceeds {phrase[pname]} by {fmt_rate(g - value[pname], unit)}")
        if r.measure == "count_stock" and np.isfinite(r.new_per_year):
            reason += f"; it needs {fmt(r.new_per_year, 1)} new entries a year on a base of {fmt(r.start_value)}"
        rows.append(_base(r, "too_fast", tier, "too_fast", r.metric, g, value[pname], pname, reference[pname], reason + "."))
    return _frame(rows)


# ---------------------------------------------------------------- too slow, backwards, impossible
def _is_cumulative(zh: str, en: str) -> bool:
    return "累计" in str(zh) or "cumulative" in str(en).lower()


def declines(segments: pd.DataFrame) -> pd.DataFrame:
    """below_baseline, target_backwards and stock_falls."""
    s = _judged(segments)
    s = s[s["end_value"].to_numpy(dtype=float) < s["start_value"].to_numpy(dtype=float) - EPS]
    rows = []
    for r in _records(s):
        growth = fmt_rate(r.growth, r.growth_unit) if np.isfinite(r.growth) else "a decline"
        pair = (f"{_with_unit(r.end_value, r.unit)} for {r.end_year} against {_with_unit(r.start_value, r.unit)} "
                f"({r.start_kind}) for {r.start_year}")
        if r.measure == "count_stock":
            cumulative = _is_cumulative(r.indicator_zh, r.indicator_en)
            reason = (f"The stock target falls: {pair} ({growth})"
                      + ("; a cumulative count (累计) cannot fall." if cumulative else "."))
            rows.append(_base(r, "stock_falls", "alert" if cumulative else "warn",
                              "impossible" if cumulative else "too_slow", r.metric, r.growth, 0.0, None, INTERNAL, reason))
        elif r.start_kind == "actual":
            reason = f"The target is below the baseline already reached: {pair} ({growth})."
            rows.append(_base(r, "below_baseline", "warn", "too_slow", r.metric, r.growth, 0.0, None, INTERNAL, reason))
        else:
            reason = f"The yearly targets go backwards: {pair} ({growth})."
            rows.append(_base(r, "target_backwards", "warn", "inconsistent", r.metric, r.growth, 0.0, None, INTERNAL,
                              reason))
    return _frame(rows)


def below_trend(segments: pd.DataFrame, th: pd.DataFrame, judged: pd.DataFrame | None = None) -> pd.DataFrame:
    """The step from the last actual to the next target growing more slowly than the actual trend the same
    document reports (first to last actual; ≥ 2 actual points)."""
    seg = segments
    mask = ((seg["segment"].to_numpy(dtype=object) == "step") & (seg["start_kind"].to_numpy(dtype=object) == "actual")
            & (seg["end_kind"].to_numpy(dtype=object) == "actual") & (seg["years"].to_numpy(dtype=float) > 0))
    hist = seg.loc[mask, ["source_id", "indicator_id", "start_year", "start_value", "end_year", "end_value", "metric",
                          "growth_unit"]]
    if hist.empty:
        return _frame([])
    key = ["source_id", "indicator_id"]
    h = hist.groupby(key, sort=False).agg(h_start_year=("start_year", "first"), h_start=("start_value", "first"),
                                          h_end_year=("end_year", "last"), h_end=("end_value", "last"),
                                          h_metric=("metric", "last"), h_unit=("growth_unit", "last")).reset_index()
    h["achieved"] = annual_rate(h["h_start"], h["h_end"], h["h_end_year"] - h["h_start_year"], h["h_metric"])
    j = judged if judged is not None else _judged(segments)
    t = j[j["start_kind"].to_numpy(dtype=object) == "actual"].merge(h, on=key)      # the step from the last actual
    margin = th.at["below_trend_margin_pct", "value"] / 100.0
    t["bar"] = t["achieved"] * (1 - margin)
    t = t[((t["metric"] == t["h_metric"]) & (t["achieved"] > 0) & (t["growth"] < t["bar"] - EPS)).to_numpy()]
    rows = []
    for r in t.itertuples(index=False):
        reason = (f"The target implies {fmt_rate(r.growth, r.growth_unit)} ({fmt(r.start_value)} → "
                  f"{_with_unit(r.end_value, r.unit)}, {r.start_year}–{r.end_year}), less than the "
                  f"{fmt_rate(r.achieved, r.h_unit)} the document reports as achieved ({fmt(r.h_start)} → "
                  f"{_with_unit(r.h_end, r.unit)}, {r.h_start_year}–{r.h_end_year}).")
        rows.append(_base(r, "below_trend", "info", "too_slow", r.metric, r.growth, r.bar, "below_trend_margin_pct",
                          INTERNAL, reason))
    return _frame(rows)


def share_above_100(obs: pd.DataFrame) -> pd.DataFrame:
    o = obs[((obs["measure"] == "share") & (obs["kind"] == "target")).to_numpy()]
    low = np.where(o["bound"] == "range", o["value_low"], o["value"]).astype(float)
    o = o[low > 100]
    rows = []
    for r in o.itertuples(index=False):
        reason = f"A share cannot exceed 100 %, but the target for {r.year} is {fmt(r.value)}%."
        rows.append(_base(_Point(r), "share_above_100", "alert", "impossible", "share", r.value, 100.0, None,
                          "definition of a share (0–100 %)", reason))
    return _frame(rows)


class _Point:
    """An observation row seen as a one-year segment (for rules judging single numbers)."""

    def __init__(self, r, start_year=None):
        self.source_id, self.region, self.indicator_id, self.indicator_zh = r.source_id, r.region, r.indicator_id, r.indicator_zh
        self.start_year = r.year if start_year is None else start_year
        self.end_year = r.year


# ---------------------------------------------------------------- internal consistency
def rate_vs_levels(obs: pd.DataFrame, links: pd.DataFrame, th: pd.DataFrame) -> pd.DataFrame:
    """A stated growth-rate target against the level path of the indicator it describes (same source): the
    level's first point to its point at (or last before) the rate's year."""
    rates = obs[obs["measure"] == "growth_rate"]
    lk = links[links["relation"] == "rate_of"][["indicator_id", "of_indicator_id"]]
    if rates.empty or lk.empty:
        return _frame([])
    r = rates.merge(lk, on="indicator_id")
    lv = obs[obs["measure"] != "growth_rate"][["source_id", "indicator_id", "indicator_zh", "year", "kind", "value",
                                               "unit"]]
    m = r.merge(lv, left_on=["source_id", "of_indicator_id"], right_on=["source_id", "indicator_id"], suffixes=("", "_lv"))
    m = m[m["year_lv"] <= m["year"]].sort_values(["source_id", "indicator_id", "year", "year_lv", "kind_lv"])
    key = ["source_id", "indicator_id", "year"]
    first = m.drop_duplicates(key, keep="first")
    last = m.drop_duplicates(key, keep="last")[key + ["year_lv", "value_lv", "unit_lv", "indicator_zh_lv"]]
    j = first.merge(last, on=key, suffixes=("_s", "_e"))
    j = j[(j["year_lv_e"] > j["year_lv_s"]).to_numpy()]
    if j.empty:
        return _frame([])
    pp = (j["unit"] == "百分点").to_numpy()
    metric = np.where(pp, "pp_per_year", "cagr").astype(object)
    years = (j["year_lv_e"] - j["year_lv_s"]).to_numpy(dtype=float)
    implied = annual_rate(j["value_lv_s"], j["value_lv_e"], years, metric)
    stated = j["value"].to_numpy(dtype=float)
    gap = implied - stated
    floor = j["bound"].isin(["ge", "gt"]).to_numpy()
    fires = np.isfinite(implied) & np.where(floor, gap < -EPS, np.abs(gap) > EPS)
    tol_name = np.where(pp, "rate_consistency_warn_pp", "rate_consistency_warn_cagr")
    tol = np.where(pp, th.at["rate_consistency_warn_pp", "value"], th.at["rate_consistency_warn_cagr", "value"])
    at_rate = np.where(pp, j["value_lv_s"] + stated * years, j["value_lv_s"] * (1 + stated / 100.0) ** years)
    rows = []
    for i in np.flatnonzero(fires):
        e = j.iloc[i]
        unit = "pp/yr" if pp[i] else "%/yr"
        words = "a rise of" if pp[i] else "growth of"
        reason = (f"The document states {words} {'at least ' if floor[i] else ''}{fmt_rate(stated[i], unit)} for "
                  f"{e['indicator_zh_lv_e']} to {int(e['year'])}, but its level figures {fmt(e['value_lv_s'])} → "
                  f"{_with_unit(e['value_lv_e'], e['unit_lv_e'])} ({int(e['year_lv_s'])}–{int(e['year_lv_e'])}) imply "
                  f"{fmt_rate(implied[i], unit)}, {fmt_rate(abs(gap[i]), unit)} {'less' if gap[i] < 0 else 'more'}; at "
                  f"the stated rate the {int(e['year_lv_e'])} level would be {fmt(at_rate[i], 2)}{_unit(e['unit_lv_e'])}.")
        row = _Point(e, start_year=int(e["year_lv_s"]))
        row.end_year = int(e["year_lv_e"])
        rows.append(_base(row, "rate_vs_levels", "warn" if abs(gap[i]) > tol[i] else "info", "inconsistent", metric[i],
                          implied[i], stated[i], tol_name[i], INTERNAL, reason))
    return _frame(rows)


def part_exceeds_whole(obs: pd.DataFrame, links: pd.DataFrame, th: pd.DataFrame) -> pd.DataFrame:
    lk = links[links["relation"] == "part_of"][["indicator_id", "of_indicator_id"]]
    if lk.empty:
        return _frame([])
    o = obs.copy()
    o["lo"], o["hi"] = bound_interval(o["value"], o["value_low"], o["bound"], o["measure"],
                                      th.at["approx_band_pct", "value"])
    part = o.merge(lk, on="indicator_id")
    m = part.merge(o, left_on=["source_id", "of_indicator_id", "year", "kind"],
                   right_on=["source_id", "indicator_id", "year", "kind"], suffixes=("", "_w"))
    m = m[m["lo"] > m["hi_w"]]
    rows = []
    for r in m.itertuples(index=False):
        reason = (f"The part {r.indicator_zh} ({_with_unit(r.value, r.unit)}, {r.year} {r.kind}) exceeds its whole "
                  f"{r.indicator_zh_w} ({_with_unit(r.value_w, r.unit_w)}).")
        rows.append(_base(_Point(r), "part_exceeds_whole", "alert", "impossible", "value", r.value, r.value_w, None,
                          INTERNAL, reason))
    return _frame(rows)


def flow_cannot_build_stock(obs: pd.DataFrame, segments: pd.DataFrame, links: pd.DataFrame,
                            th: pd.DataFrame) -> pd.DataFrame:
    lk = links[links["relation"] == "flow_of"][["indicator_id", "of_indicator_id"]]
    if lk.empty:
        return _frame([])
    st = _judged(segments)
    st = st[st["measure"].to_numpy(dtype=object) == "count_stock"].merge(
        lk.rename(columns={"indicator_id": "flow_id", "of_indicator_id": "indicator_id"}), on="indicator_id")
    if st.empty:
        return _frame([])
    o = obs.copy()
    o["lo"], o["hi"] = bound_interval(o["value"], o["value_low"], o["bound"], o["measure"],
                                      th.at["approx_band_pct", "value"])
    fl = o[["source_id", "indicator_id", "indicator_zh", "year", "kind", "hi"]].rename(
        columns={"indicator_id": "flow_id", "indicator_zh": "flow_zh", "year": "flow_year", "kind": "flow_kind"})
    m = st.merge(fl, on=["source_id", "flow_id"])
    m = m[(m["flow_year"] > m["start_year"]) & (m["flow_year"] <= m["end_year"])]
    m = m.sort_values(["flow_year", "flow_kind"]).drop_duplicates(
        ["source_id", "indicator_id", "start_year", "end_year", "flow_year"], keep="last")
    key = ["source_id", "indicator_id", "start_year", "end_year"]
    agg = m.groupby(key).agg(flow_sum=("hi", "sum"), flow_n=("hi", "size"), flow_first=("flow_year", "min"),
                             flow_last=("flow_year", "max"), flow_zh=("flow_zh", "first")).reset_index()
    seg = st.drop_duplicates(key).merge(agg, on=key)
    tol = th.at["flow_stock_tolerance_pct", "value"] / 100.0
    seg["flow_total"] = seg["flow_sum"] / seg["flow_n"] * seg["years"]
    seg["needed"] = seg["end_value"] - seg["start_value"]
    seg = seg[(seg["needed"] > 0) & (seg["flow_total"] < seg["needed"] * (1 - tol))]
    rows = []
    for r in seg.itertuples(index=False):
        per = "" if r.flow_n == r.years else (f", assuming the {fmt(r.flow_sum / r.flow_n)} a year stated for "
                                              f"{r.flow_first}–{r.flow_last} holds every year")
        reason = (f"Reaching {_with_unit(r.end_value, r.unit)} in {r.end_year} from {fmt(r.start_value)} in "
                  f"{r.start_year} needs {fmt(r.needed)} new, but the targets for {r.flow_zh} add up to only "
                  f"{fmt(r.flow_total)} over those {r.years} years{per}.")
        rows.append(_base(r, "flow_cannot_build_stock", "alert", "impossible", "new_entries", r.flow_total,
                          r.needed * (1 - tol), "flow_stock_tolerance_pct", INTERNAL, reason))
    return _frame(rows)


# ---------------------------------------------------------------- across levels
ESCALATION_COLUMNS = ["source_id", "region", "related_source_id", "parent_region", "indicator_id", "indicator_zh",
                      "measure", "unit", "end_year", "metric", "growth_unit", "start_year", "start_value", "end_value",
                      "growth", "parent_start_year", "parent_start_value", "parent_end_value", "parent_growth",
                      "growth_gap", "level_gap"]


def escalation_table(segments: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Every district–city pair (regions.csv) targeting the same indicator for the same year: the implied growth
    of each one's step ending there and the gap (district minus city); for shares also the gap of the targets."""
    s = _judged(segments)
    metric = s["metric"].to_numpy(dtype=object)
    s = s[(metric == "cagr") | (metric == "pp_per_year")]
    # integer keys (region, indicator, metric codes) make the join cheap at scale
    names = pd.Index(pd.unique(np.concatenate([s["region"].to_numpy(dtype=object),
                                               regions["parent"].to_numpy(dtype=object)])))
    region_code = names.get_indexer(s["region"].to_numpy(dtype=object))
    parent_of = np.full(len(names), -1)
    known = names.get_indexer(regions["region"].to_numpy(dtype=object))
    parent_of[known[known >= 0]] = names.get_indexer(regions["parent"].to_numpy(dtype=object))[known >= 0]
    ind_code = pd.factorize(s["indicator_id"])[0].astype(np.int64)
    is_pp = (s["metric"].to_numpy(dtype=object) == "pp_per_year").astype(np.int64)
    base = (ind_code * 4 + is_pp) * 10000 + s["end_year"].to_numpy(dtype=np.int64) % 10000
    n_names = len(names) + 1
    own_key = base * n_names + region_code
    parent_code = parent_of[region_code]
    has_parent = parent_code >= 0
    d = s[has_parent].assign(parent_region=names.to_numpy(dtype=object)[parent_code[has_parent]],
                             _k=(base * n_names + parent_code)[has_parent])
    c = s[["source_id", "start_year", "start_value", "end_value", "growth"]].rename(
        columns={"source_id": "related_source_id", "start_year": "parent_start_year", "start_value": "parent_start_value",
                 "end_value": "parent_end_value", "growth": "parent_growth"}).assign(_k=own_key)
    m = d.merge(c, on="_k").drop(columns="_k")
    m = m[(m["source_id"] != m["related_source_id"]).to_numpy()]
    m["growth_gap"] = m["growth"] - m["parent_growth"]
    m["level_gap"] = np.where(m["measure"] == "share", m["end_value"] - m["parent_end_value"], np.nan)
    return m.sort_values(["source_id", "indicator_id", "end_year", "related_source_id"]).reset_index(drop=True)[ESCALATION_COLUMNS]


def escalation(table: pd.DataFrame, th: pd.DataFrame) -> pd.DataFrame:
    """Flags where a district's implied growth exceeds its city's by more than the documented escalation."""
    p = th.loc["escalation_warn_cagr"]
    phrase, at, ref = _ref_phrase(p), float(p["value"]), p["reference"]
    t = table[(table["metric"].to_numpy(dtype=object) == "cagr") & (table["growth_gap"].to_numpy(dtype=float) > at + EPS)]
    rows = []
    for r in _records(t):
        reason = (f"For {r.end_year} {r.region} targets {_with_unit(r.end_value, r.unit)} ({fmt_rate(r.growth, r.growth_unit)} "
                  f"from {r.start_year}) and {r.parent_region} {_with_unit(r.parent_end_value, r.unit)} "
                  f"({fmt_rate(r.parent_growth, r.growth_unit)} from {r.parent_start_year}): the district's implied growth "
                  f"is {fmt_rate(r.growth_gap, r.growth_unit)} above the city's, more than {phrase}.")
        rows.append(_base(r, "escalation", "warn", "too_fast", r.metric, r.growth_gap, at, "escalation_warn_cagr",
                          ref, reason, related=r.related_source_id))
    return _frame(rows)


# ---------------------------------------------------------------- all rules
def evaluate(obs: pd.DataFrame, segments: pd.DataFrame, thresholds: pd.DataFrame | None = None,
             links: pd.DataFrame | None = None, regions: pd.DataFrame | None = None,
             series: dict | None = None, escalations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every rule over every path; sorted by source, indicator, years, rule. Columns COLUMNS.

    `escalations`: the escalation_table() of these segments, when the caller has it already."""
    th = thresholds if thresholds is not None else load_thresholds()
    links = links if links is not None else load_links()
    regions = regions if regions is not None else load_regions()
    series = series if series is not None else load_series()
    judged = _judged(segments)
    parts = [too_fast(judged, th, series), declines(judged), below_trend(segments, th, judged), share_above_100(obs),
             rate_vs_levels(obs, links, th), part_exceeds_whole(obs, links, th),
             flow_cannot_build_stock(obs, judged, links, th),
             escalation(escalations if escalations is not None else escalation_table(judged, regions), th)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _frame([])
    out = pd.concat(parts, ignore_index=True)
    out["start_year"] = out["start_year"].astype(np.int64)
    out["end_year"] = out["end_year"].astype(np.int64)
    return out.sort_values(["source_id", "indicator_id", "start_year", "end_year", "rule", "related_source_id"],
                           kind="stable", na_position="first").reset_index(drop=True)[COLUMNS]
