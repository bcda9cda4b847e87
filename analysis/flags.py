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

import math

import numpy as np
import pandas as pd

from .growth import annual_rate, bound_interval, is_one_of
from .reference import (TIERS, load_links, load_regions, load_series, load_thresholds, tiers_for, values)

COLUMNS = ["source_id", "region", "indicator_id", "indicator_zh", "start_year", "end_year", "rule", "severity",
           "direction", "metric", "value", "threshold", "threshold_name", "reference", "related_source_id", "reason"]
INTERNAL = "internal: the document's own figures"
SEVERITY_RANK = {s: i for i, s in enumerate(TIERS)}
EPS = 1e-9      # differences below this are floating-point noise ((3.11 - 2.51) / 3 is 0.20000000000000004)


# ---------------------------------------------------------------- formatting for reasons
def fmt(v: float, decimals: int = 4) -> str:
    """A number for a sentence: thousands separators, no trailing zeros (3, 1,528, 2.51, 1,508.5)."""
    if v is None or not math.isfinite(v):
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
    """Rows as namedtuples, iterating plain numpy arrays (much faster than itertuples over string columns); used to
    write the reason sentences of the rows that fire."""
    from collections import namedtuple

    Row = namedtuple("Row", list(df.columns))
    return map(Row._make, zip(*[df[c].to_numpy(dtype=object) for c in df.columns]))


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS) if rows else pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})


IDENTITY = ["source_id", "region", "indicator_id", "indicator_zh", "start_year", "end_year"]


def _flag_frame(rows: pd.DataFrame, rule, severity, direction, metric, value, threshold, threshold_name, reference,
                reason: list, related=None) -> pd.DataFrame:
    """The flags of one rule, built column by column: `rows` (one per flag) gives the IDENTITY columns; every other
    argument is one value for all flags or an array with one value per flag."""
    if not len(reason):
        return _frame([])
    cols = {c: rows[c].array for c in IDENTITY}
    given = {"rule": rule, "severity": severity, "direction": direction, "metric": metric, "value": value,
             "threshold": threshold, "threshold_name": threshold_name, "reference": reference,
             "related_source_id": related, "reason": reason}
    cols.update({k: v.array if isinstance(v, pd.Series) else v for k, v in given.items()})
    for k in ("value", "threshold"):      # plain floats, whatever type the rule computed them in
        v = cols[k]
        cols[k] = np.full(len(reason), float(v)) if np.ndim(v) == 0 else pd.Series(v).to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame(cols, index=pd.RangeIndex(len(reason)), columns=COLUMNS)


def _judged(segments: pd.DataFrame) -> np.ndarray:
    """Positions (in `segments`) of the segments the rules judge: steps that end in a target. evaluate() finds them
    once and hands them to every rule; a rule reads the columns it tests at these positions and takes whole rows
    only for the few that fire (a national panel has a million segments)."""
    return np.flatnonzero((segments["segment"].to_numpy() == "step") & (segments["end_kind"].to_numpy() == "target"))


def _at(segments: pd.DataFrame, column: str, rows: np.ndarray) -> np.ndarray:
    """One column of `segments` at positions `rows`: floats (NaN where empty) for numbers, objects for words."""
    col = segments[column]
    if pd.api.types.is_numeric_dtype(col.dtype):
        return col.to_numpy(dtype=float, na_value=np.nan)[rows]
    return col.to_numpy()[rows]


def _rated(segments: pd.DataFrame, judged: np.ndarray | None) -> np.ndarray:
    """Positions of the judged segments measured by a rate (cagr or pp_per_year)."""
    rows = judged if judged is not None else _judged(segments)
    return rows[is_one_of(_at(segments, "metric", rows), "cagr", "pp_per_year")]


# ---------------------------------------------------------------- too fast
def _tier_limits(indicators: pd.Index, th: pd.DataFrame, series: dict) -> dict:
    """{tier: (parameter names, values)}, each an array [indicator, metric] (metric 0 = cagr, 1 = pp_per_year); no
    parameter (None, NaN) where a tier does not judge that indicator."""
    out = {}
    for tier in TIERS:
        names = np.full((len(indicators), 2), None, dtype=object)
        for i, ind in enumerate(indicators):
            for j, metric in enumerate(("cagr", "pp_per_year")):
                names[i, j] = tiers_for(series, ind, metric).get(tier)
        limit = np.array([[th.at[n, "value"] if n is not None else np.nan for n in row] for row in names], dtype=float)
        out[tier] = (names, limit.reshape(len(indicators), 2))
    return out


def too_fast(segments: pd.DataFrame, th: pd.DataFrame, series: dict, judged: np.ndarray | None = None) -> pd.DataFrame:
    rows = _rated(segments, judged)
    if not len(rows):
        return _frame([])
    ind, indicators = pd.factorize(_at(segments, "indicator_id", rows))
    metric = _at(segments, "metric", rows)
    pp = (metric == "pp_per_year").astype(np.int64)
    limits = _tier_limits(indicators, th, series)
    # the least the published path asks for: from the start as published to the low end of the end target
    start = _at(segments, "start_value", rows)
    judged = annual_rate(start, _at(segments, "end_low", rows), _at(segments, "years", rows), metric)
    small = (is_one_of(_at(segments, "measure", rows), "count_stock", "count_flow")
             & (start < th.at["info_min_count_base", "value"]))
    level = np.full(len(rows), -1)
    for i, k in enumerate(TIERS):
        over = judged > limits[k][1][ind, pp] + EPS
        if k == "info":
            over &= ~small
        level = np.where(over, i, level)
    fire = np.flatnonzero(level >= 0)
    s, judged, level = segments.iloc[rows[fire]], judged[fire], level[fire]
    pname = np.empty(len(s), dtype=object)
    for i, k in enumerate(TIERS):
        at = level == i
        pname[at] = limits[k][0][ind[fire][at], pp[fire][at]]
    phrase, value, reference = _phrases(th), values(th), dict(zip(th["name"], th["reference"]))
    limit = np.array([value[p] for p in pname], dtype=float)
    reasons = []
    for r, g, p, lim in zip(_records(s), judged.tolist(), pname, limit.tolist()):
        unit = r.growth_unit
        word = "rise" if r.metric == "pp_per_year" else "growth"
        least = "at least " if r.end_bound != "eq" else ""
        reason = (f"Implied {word} of {least}{fmt_rate(g, unit)} ({fmt(r.start_value)} → {_with_unit(r.end_value, r.unit)}, "
                  f"{r.start_year}–{r.end_year}) exceeds {phrase[p]} by {fmt_rate(g - lim, unit)}")
        if r.measure == "count_stock" and math.isfinite(r.new_per_year):
            reason += f"; it needs {fmt(r.new_per_year, 1)} new entries a year on a base of {fmt(r.start_value)}"
        reasons.append(reason + ".")
    return _flag_frame(s, "too_fast", np.asarray(TIERS, dtype=object)[level], "too_fast", s["metric"], judged, limit,
                       pname, np.array([reference[p] for p in pname], dtype=object), reasons)


# ---------------------------------------------------------------- too slow, backwards, impossible
def _is_cumulative(zh: str, en: str) -> bool:
    return "累计" in str(zh) or "cumulative" in str(en).lower()


def declines(segments: pd.DataFrame, judged: np.ndarray | None = None) -> pd.DataFrame:
    """below_baseline, target_backwards and stock_falls."""
    rows = judged if judged is not None else _judged(segments)
    s = segments.iloc[rows[_at(segments, "end_value", rows) < _at(segments, "start_value", rows) - EPS]]
    rule, severity, direction, reasons = [], [], [], []
    for r in _records(s):
        growth = fmt_rate(r.growth, r.growth_unit) if math.isfinite(r.growth) else "a decline"
        pair = (f"{_with_unit(r.end_value, r.unit)} for {r.end_year} against {_with_unit(r.start_value, r.unit)} "
                f"({r.start_kind}) for {r.start_year}")
        if r.measure == "count_stock":
            cumulative = _is_cumulative(r.indicator_zh, r.indicator_en)
            reasons.append(f"The stock target falls: {pair} ({growth})"
                           + ("; a cumulative count (累计) cannot fall." if cumulative else "."))
            flag = ("stock_falls", "alert" if cumulative else "warn", "impossible" if cumulative else "too_slow")
        elif r.start_kind == "actual":
            reasons.append(f"The target is below the baseline already reached: {pair} ({growth}).")
            flag = ("below_baseline", "warn", "too_slow")
        else:
            reasons.append(f"The yearly targets go backwards: {pair} ({growth}).")
            flag = ("target_backwards", "warn", "inconsistent")
        rule.append(flag[0])
        severity.append(flag[1])
        direction.append(flag[2])
    return _flag_frame(s, rule, severity, direction, s["metric"], s["growth"], 0.0, None, INTERNAL, reasons)


def below_trend(segments: pd.DataFrame, th: pd.DataFrame, judged: np.ndarray | None = None) -> pd.DataFrame:
    """The step from the last actual to the next target growing more slowly than the actual trend the same
    document reports (first to last actual; ≥ 2 actual points)."""
    seg = segments
    mask = ((seg["segment"].to_numpy() == "step") & (seg["start_kind"].to_numpy() == "actual")
            & (seg["end_kind"].to_numpy() == "actual") & (seg["years"].to_numpy(dtype=float, na_value=np.nan) > 0))
    hist = seg.loc[mask, ["source_id", "indicator_id", "start_year", "start_value", "end_year", "end_value", "metric",
                          "growth_unit"]]
    if hist.empty:
        return _frame([])
    key = ["source_id", "indicator_id"]
    h = hist.groupby(key, sort=False).agg(h_start_year=("start_year", "first"), h_start=("start_value", "first"),
                                          h_end_year=("end_year", "last"), h_end=("end_value", "last"),
                                          h_metric=("metric", "last"), h_unit=("growth_unit", "last")).reset_index()
    h["achieved"] = annual_rate(h["h_start"], h["h_end"], h["h_end_year"] - h["h_start_year"], h["h_metric"])
    rows = judged if judged is not None else _judged(segments)
    from_actual = rows[_at(seg, "start_kind", rows) == "actual"]
    t = seg[IDENTITY + ["unit", "start_value", "end_value", "metric", "growth", "growth_unit"]].iloc[from_actual]
    t = t.merge(h, on=key)                                            # the step from the last actual
    margin = th.at["below_trend_margin_pct", "value"] / 100.0
    t["bar"] = t["achieved"] * (1 - margin)
    t = t[((t["metric"] == t["h_metric"]) & (t["achieved"] > 0) & (t["growth"] < t["bar"] - EPS)).to_numpy()]
    reasons = [f"The target implies {fmt_rate(r.growth, r.growth_unit)} ({fmt(r.start_value)} → "
               f"{_with_unit(r.end_value, r.unit)}, {r.start_year}–{r.end_year}), less than the "
               f"{fmt_rate(r.achieved, r.h_unit)} the document reports as achieved ({fmt(r.h_start)} → "
               f"{_with_unit(r.h_end, r.unit)}, {r.h_start_year}–{r.h_end_year})." for r in _records(t)]
    return _flag_frame(t, "below_trend", "info", "too_slow", t["metric"], t["growth"], t["bar"], "below_trend_margin_pct",
                       INTERNAL, reasons)


def share_above_100(obs: pd.DataFrame) -> pd.DataFrame:
    target = (obs["measure"].to_numpy() == "share") & (obs["kind"].to_numpy() == "target")
    low = np.where(obs["bound"].to_numpy() == "range", obs["value_low"].to_numpy(dtype=float),
                   obs["value"].to_numpy(dtype=float))
    o = _as_points(obs.iloc[np.flatnonzero(target & (low > 100))])
    reasons = [f"A share cannot exceed 100 %, but the target for {r.year} is {fmt(r.value)}%." for r in _records(o)]
    return _flag_frame(o, "share_above_100", "alert", "impossible", "share", o["value"], 100.0, None,
                       "definition of a share (0–100 %)", reasons)


def _as_points(o: pd.DataFrame, start_year: str = "year", end_year: str = "year") -> pd.DataFrame:
    """Observation rows seen as segments (for rules judging single numbers): start_year and end_year columns."""
    return o.assign(start_year=o[start_year].to_numpy(dtype=np.int64), end_year=o[end_year].to_numpy(dtype=np.int64))


# ---------------------------------------------------------------- internal consistency
def _of_indicators(obs: pd.DataFrame, ids) -> pd.DataFrame:
    """The observations of the given indicators (the few a link rule reads, out of a possibly national panel)."""
    return obs[obs["indicator_id"].isin(pd.unique(np.asarray(ids, dtype=object))).to_numpy()]


def rate_vs_levels(obs: pd.DataFrame, links: pd.DataFrame, th: pd.DataFrame) -> pd.DataFrame:
    """A stated growth-rate target against the level path of the indicator it describes (same source): the
    level's first point to its point at (or last before) the rate's year."""
    rates = obs[obs["measure"].to_numpy() == "growth_rate"]
    lk = links[links["relation"] == "rate_of"][["indicator_id", "of_indicator_id"]]
    if rates.empty or lk.empty:
        return _frame([])
    r = rates.merge(lk, on="indicator_id")
    lv = _of_indicators(obs, lk["of_indicator_id"])
    lv = lv[lv["measure"].to_numpy() != "growth_rate"][["source_id", "indicator_id", "indicator_zh", "year", "kind",
                                                         "value", "unit"]]
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
    i = np.flatnonzero(fires)
    j = _as_points(j.iloc[i], start_year="year_lv_s", end_year="year_lv_e")
    reasons = []
    for e, is_pp, fl, st, imp, g, at in zip(_records(j), pp[i], floor[i], stated[i], implied[i], gap[i], at_rate[i]):
        unit = "pp/yr" if is_pp else "%/yr"
        words = "a rise of" if is_pp else "growth of"
        reasons.append(
            f"The document states {words} {'at least ' if fl else ''}{fmt_rate(st, unit)} for "
            f"{e.indicator_zh_lv_e} to {int(e.year)}, but its level figures {fmt(e.value_lv_s)} → "
            f"{_with_unit(e.value_lv_e, e.unit_lv_e)} ({int(e.year_lv_s)}–{int(e.year_lv_e)}) imply "
            f"{fmt_rate(imp, unit)}, {fmt_rate(abs(g), unit)} {'less' if g < 0 else 'more'}; at "
            f"the stated rate the {int(e.year_lv_e)} level would be {fmt(at, 2)}{_unit(e.unit_lv_e)}.")
    severity = np.where(np.abs(gap[i]) > tol[i], "warn", "info").astype(object)
    return _flag_frame(j, "rate_vs_levels", severity, "inconsistent", metric[i], implied[i], stated[i], tol_name[i],
                       INTERNAL, reasons)


def part_exceeds_whole(obs: pd.DataFrame, links: pd.DataFrame, th: pd.DataFrame) -> pd.DataFrame:
    lk = links[links["relation"] == "part_of"][["indicator_id", "of_indicator_id"]]
    if lk.empty:
        return _frame([])
    o = _of_indicators(obs, np.r_[lk["indicator_id"].to_numpy(), lk["of_indicator_id"].to_numpy()])
    lo, hi = bound_interval(o["value"], o["value_low"], o["bound"], o["measure"], th.at["approx_band_pct", "value"])
    o = o.assign(lo=lo, hi=hi)
    part = o.merge(lk, on="indicator_id")
    m = part.merge(o, left_on=["source_id", "of_indicator_id", "year", "kind"],
                   right_on=["source_id", "indicator_id", "year", "kind"], suffixes=("", "_w"))
    m = _as_points(m[m["lo"] > m["hi_w"]])
    reasons = [f"The part {r.indicator_zh} ({_with_unit(r.value, r.unit)}, {r.year} {r.kind}) exceeds its whole "
               f"{r.indicator_zh_w} ({_with_unit(r.value_w, r.unit_w)})." for r in _records(m)]
    return _flag_frame(m, "part_exceeds_whole", "alert", "impossible", "value", m["value"], m["value_w"], None, INTERNAL,
                       reasons)


def flow_cannot_build_stock(obs: pd.DataFrame, segments: pd.DataFrame, links: pd.DataFrame, th: pd.DataFrame,
                            judged: np.ndarray | None = None) -> pd.DataFrame:
    lk = links[links["relation"] == "flow_of"][["indicator_id", "of_indicator_id"]]
    if lk.empty:
        return _frame([])
    rows = judged if judged is not None else _judged(segments)
    stocks = (_at(segments, "measure", rows) == "count_stock") & is_one_of(_at(segments, "indicator_id", rows),
                                                                         *lk["of_indicator_id"])
    st = segments.iloc[rows[stocks]].merge(
        lk.rename(columns={"indicator_id": "flow_id", "of_indicator_id": "indicator_id"}), on="indicator_id")
    if st.empty:
        return _frame([])
    o = _of_indicators(obs, lk["indicator_id"])
    _, hi = bound_interval(o["value"], o["value_low"], o["bound"], o["measure"], th.at["approx_band_pct", "value"])
    o = o.assign(hi=hi)
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
    reasons = []
    for r in _records(seg):
        per = "" if r.flow_n == r.years else (f", assuming the {fmt(r.flow_sum / r.flow_n)} a year stated for "
                                              f"{r.flow_first}–{r.flow_last} holds every year")
        reasons.append(f"Reaching {_with_unit(r.end_value, r.unit)} in {r.end_year} from {fmt(r.start_value)} in "
                       f"{r.start_year} needs {fmt(r.needed)} new, but the targets for {r.flow_zh} add up to only "
                       f"{fmt(r.flow_total)} over those {r.years} years{per}.")
    return _flag_frame(seg, "flow_cannot_build_stock", "alert", "impossible", "new_entries", seg["flow_total"],
                       seg["needed"] * (1 - tol), "flow_stock_tolerance_pct", INTERNAL, reasons)


# ---------------------------------------------------------------- across levels
ESCALATION_COLUMNS = ["source_id", "region", "related_source_id", "parent_region", "indicator_id", "indicator_zh",
                      "measure", "unit", "end_year", "metric", "growth_unit", "start_year", "start_value", "end_value",
                      "growth", "parent_start_year", "parent_start_value", "parent_end_value", "parent_growth",
                      "growth_gap", "level_gap"]
DISTRICT_COLUMNS = ["source_id", "region", "indicator_id", "indicator_zh", "measure", "unit", "end_year", "metric",
                    "growth_unit", "start_year", "start_value", "end_value", "growth"]
CITY_COLUMNS = {"source_id": "related_source_id", "start_year": "parent_start_year", "start_value": "parent_start_value",
                "end_value": "parent_end_value", "growth": "parent_growth"}


def escalation_table(segments: pd.DataFrame, regions: pd.DataFrame, judged: np.ndarray | None = None) -> pd.DataFrame:
    """Every district–city pair (regions.csv) targeting the same indicator for the same year: the implied growth
    of each one's step ending there and the gap (district minus city); for shares also the gap of the targets."""
    rated = _rated(segments, judged)
    # integer codes (sorted like the text, so they also give the output order) make the join and the sort cheap
    source = pd.factorize(_at(segments, "source_id", rated), sort=True)[0]
    indicator = pd.factorize(_at(segments, "indicator_id", rated), sort=True)[0].astype(np.int64)
    end_year = segments["end_year"].to_numpy(dtype=np.int64)[rated]
    region = _at(segments, "region", rated)
    names = pd.Index(pd.unique(np.concatenate([region, regions["parent"].to_numpy(dtype=object)])))
    region_code = names.get_indexer(region)
    parent_of = np.full(len(names), -1)
    known = names.get_indexer(regions["region"].to_numpy(dtype=object))
    parent_of[known[known >= 0]] = names.get_indexer(regions["parent"].to_numpy(dtype=object))[known >= 0]
    is_pp = (_at(segments, "metric", rated) == "pp_per_year").astype(np.int64)
    base = (indicator * 4 + is_pp) * 10000 + end_year % 10000        # indicator × metric × end year
    n_names = len(names) + 1
    parent_code = parent_of[region_code]
    has_parent = parent_code >= 0
    # d, c: the district's and the city's step (positions in `rated`), joined on the city's key
    district = pd.DataFrame({"d": np.flatnonzero(has_parent), "_k": (base * n_names + parent_code)[has_parent]})
    city = pd.DataFrame({"c": np.arange(len(rated)), "_k": base * n_names + region_code})
    pair = district.merge(city, on="_k")
    d, c = pair["d"].to_numpy(), pair["c"].to_numpy()
    other = source[d] != source[c]
    d, c = d[other], c[other]
    order = np.lexsort((source[c], end_year[d], indicator[d], source[d]))     # stable, like sort_values
    d, c = d[order], c[order]
    cols = {col: segments[col].array.take(rated[d]) for col in DISTRICT_COLUMNS}
    cols.update({new: segments[col].array.take(rated[c]) for col, new in CITY_COLUMNS.items()})
    cols["parent_region"] = names.to_numpy(dtype=object)[parent_code[d]]
    cols["growth_gap"] = cols["growth"].to_numpy() - cols["parent_growth"].to_numpy()
    cols["level_gap"] = np.where(cols["measure"].to_numpy() == "share",
                                 cols["end_value"].to_numpy() - cols["parent_end_value"].to_numpy(), np.nan)
    return pd.DataFrame(cols, columns=ESCALATION_COLUMNS, copy=False)     # new arrays: no need to copy them again


def escalation(table: pd.DataFrame, th: pd.DataFrame) -> pd.DataFrame:
    """Flags where a district's implied growth exceeds its city's by more than the documented escalation."""
    p = th.loc["escalation_warn_cagr"]
    phrase, at, ref = _ref_phrase(p), float(p["value"]), p["reference"]
    t = table[(table["metric"].to_numpy() == "cagr") & (table["growth_gap"].to_numpy(dtype=float) > at + EPS)]
    reasons = [f"For {r.end_year} {r.region} targets {_with_unit(r.end_value, r.unit)} ({fmt_rate(r.growth, r.growth_unit)} "
               f"from {r.start_year}) and {r.parent_region} {_with_unit(r.parent_end_value, r.unit)} "
               f"({fmt_rate(r.parent_growth, r.growth_unit)} from {r.parent_start_year}): the district's implied growth "
               f"is {fmt_rate(r.growth_gap, r.growth_unit)} above the city's, more than {phrase}." for r in _records(t)]
    return _flag_frame(t, "escalation", "warn", "too_fast", t["metric"], t["growth_gap"], at, "escalation_warn_cagr", ref,
                       reasons, related=t["related_source_id"])


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
    parts = [too_fast(segments, th, series, judged), declines(segments, judged), below_trend(segments, th, judged),
             share_above_100(obs), rate_vs_levels(obs, links, th), part_exceeds_whole(obs, links, th),
             flow_cannot_build_stock(obs, segments, links, th, judged),
             escalation(escalations if escalations is not None else escalation_table(segments, regions, judged), th)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _frame([])
    out = pd.concat(parts, ignore_index=True)
    out["start_year"] = out["start_year"].astype(np.int64)
    out["end_year"] = out["end_year"].astype(np.int64)
    return out.sort_values(["source_id", "indicator_id", "start_year", "end_year", "rule", "related_source_id"],
                           kind="stable", na_position="first").reset_index(drop=True)[COLUMNS]
