"""Implied annual growth per segment of an indicator's path → data/processed/segments.csv.

A path is the points (actuals and targets) of one indicator in one source, in year order (an actual
before a target of the same year). Each consecutive pair is a `step` segment; first → last is the
`overall` segment. The growth fits the measure:

    level, count_flow, count_stock   compound annual growth, `cagr` in %/yr
                                     (stocks also carry the implied new entries per year)
    share                            percentage points per year, `pp_per_year` (and the relative change)
    from a zero base                 `new_per_year` (counts) or `change_per_year` (levels): the compound
                                     rate is undefined, so the absolute yearly change is given, with a note
    growth_rate                      a target stated as a rate is kept as the rate it is (`stated` rows;
                                     `pp_per_year` when its unit is 百分点, `cagr` otherwise); analysis.derive.flags
                                     compares it with the level path it belongs to

Bounds carry through as a band: a ≥ target gives a minimum growth (growth_low), an approximate target
a band of ± approx_band_pct, a range both ends (end_low / end_high: the values the end target allows;
end_high is empty when unbounded). Everything is computed on whole columns at once
(numpy), so the same code serves the few hundred real numbers and a million-row panel.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import schema
from ..inputs.reference import load_thresholds, values

PATH_MEASURES = ("share", "level", "count_stock", "count_flow")
COUNT_MEASURES = ("count_stock", "count_flow")
GROWTH_UNITS = {"cagr": "%/yr", "pp_per_year": "pp/yr", "new_per_year": "per yr", "change_per_year": "per yr",
                "none": ""}
_SEGMENT_COLUMNS = schema.columns("segments")
COLUMNS = _SEGMENT_COLUMNS[:_SEGMENT_COLUMNS.index("judged")]       # the growth; the judgement follows (plausibility)
ID_COLUMNS = ["source_id", "region", "indicator_id", "indicator_zh", "indicator_en", "measure", "unit"]
BOUNDS = schema.BOUNDS


def annual_rate(start, end, years, metric):
    """Growth per year between two values, elementwise; NaN where the metric is undefined (never inf).

    cagr: ((end / start) ** (1 / years) - 1) * 100, for start > 0, end >= 0, years > 0.
    pp_per_year, new_per_year, change_per_year: (end - start) / years, for years > 0."""
    start, end, years = (np.asarray(a, dtype=float) for a in (start, end, years))
    metric = np.broadcast_to(np.asarray(metric, dtype=object), start.shape)
    out = np.full(start.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ok = (years > 0) & np.isfinite(start) & np.isfinite(end)
        is_cagr = metric == "cagr"
        c = ok & is_cagr & (start > 0) & (end >= 0)
        out[c] = (np.power(end[c] / start[c], 1.0 / years[c]) - 1.0) * 100.0
        d = ok & ~is_cagr & (metric != "none")
        out[d] = (end[d] - start[d]) / years[d]
    out[~np.isfinite(out)] = np.nan
    return out


def is_one_of(words, *which) -> np.ndarray:
    """Boolean mask: where `words` (an array, Series or list of text or categorical values) is one of `which`."""
    return pd.Series(words, copy=False).isin(which).to_numpy()


def bound_interval(value, value_low, bound, measure, approx_band_pct: float):
    """(low, high) of the values a published number allows: eq → [v, v]; ge/gt → [v, ∞) ([v, 100] for shares);
    approx → v ± approx_band_pct %; range → [value_low, value]."""
    value = np.asarray(value, dtype=float)
    value_low = np.asarray(value_low, dtype=float)
    is_share = is_one_of(measure, "share")
    lo, hi = value.copy(), value.copy()
    floor = is_one_of(bound, "ge", "gt")
    hi[floor] = np.where(is_share[floor], 100.0, np.inf)
    approx = is_one_of(bound, "approx")
    band = approx_band_pct / 100.0
    lo[approx] = value[approx] * (1 - band)
    hi[approx] = value[approx] * (1 + band)
    hi[approx & is_share] = np.minimum(hi[approx & is_share], 100.0)
    rng = is_one_of(bound, "range")
    lo[rng] = value_low[rng]
    return lo, hi


def path_points(obs: pd.DataFrame) -> pd.DataFrame:
    """The points of every indicator path (measure ≠ growth_rate), sorted by source, indicator, year, kind
    (an actual before a target of the same year). Lean on purpose (a national panel has a million points): the
    numbers, measure and bound as categoricals, integer `group` codes (one per source × indicator), `n_points`,
    and `row`, the point's position in `obs`, from which the text columns are taken when a frame is written."""
    row = np.flatnonzero(obs["measure"].isin(PATH_MEASURES).to_numpy())
    src = pd.factorize(obs["source_id"].to_numpy()[row], sort=True)[0]
    ind = pd.factorize(obs["indicator_id"].to_numpy()[row], sort=True)[0]
    key = src.astype(np.int64) * (ind.max(initial=0) + 1) + ind
    year = obs["year"].to_numpy(dtype=np.int64)[row]
    order = np.lexsort((obs["kind"].to_numpy()[row] != "actual", year, key))
    row, key = row[order], key[order]
    group = np.cumsum(np.r_[True, key[1:] != key[:-1]]) - 1 if len(key) else key
    return pd.DataFrame({
        "row": row, "group": group, "year": year[order],
        "value": obs["value"].to_numpy(dtype=float)[row], "value_low": obs["value_low"].to_numpy(dtype=float)[row],
        "measure": pd.Categorical(obs["measure"].to_numpy()[row], categories=PATH_MEASURES),
        "bound": pd.Categorical(obs["bound"].to_numpy()[row], categories=BOUNDS),
        "n_points": np.bincount(group)[group]}, copy=False)


METRICS = np.array(["none", "pp_per_year", "cagr", "new_per_year", "change_per_year"], dtype=object)
NOTES = np.array(["", "actual and target for the same year: no annual rate",
                  "zero base: compound growth is undefined; the absolute change per year is given",
                  "the end value is zero: -100 %/yr"], dtype=object)


METRIC_UNITS = np.array([GROWTH_UNITS[m] for m in METRICS], dtype=object)


def _metric_code(measure, start, years):
    """Index into METRICS per segment (small integer codes, looked up afterwards: fast and light at scale)."""
    return np.select([years <= 0, is_one_of(measure, "share"), start > 0, is_one_of(measure, *COUNT_MEASURES)], [0, 1, 2, 3],
                     default=4)


def segments(obs: pd.DataFrame, thresholds: pd.DataFrame | None = None, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per step (consecutive pair) and per overall (first → last) segment of every path, plus one
    `stated` row per growth-rate target; columns COLUMNS (see the module docstring). `points`: path_points(obs),
    when the caller has it already."""
    th = values(thresholds if thresholds is not None else load_thresholds())
    pts = points if points is not None else path_points(obs)
    group = pts["group"].to_numpy()
    n = len(pts)
    same = np.flatnonzero(group[1:] == group[:-1]) if n > 1 else np.array([], dtype=int)
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if n else np.array([], dtype=int)
    last = np.r_[first[1:] - 1, n - 1] if n else np.array([], dtype=int)
    multi = first != last
    s_idx = np.r_[same, first[multi]]
    e_idx = np.r_[same + 1, last[multi]]
    kind = np.r_[np.zeros(len(same), dtype=np.int8), np.ones(int(multi.sum()), dtype=np.int8)]
    order = np.lexsort((kind, group[e_idx] if len(e_idx) else e_idx))   # steps of a path, then its overall
    s_idx, e_idx, kind = s_idx[order], e_idx[order], kind[order]

    value = pts["value"].to_numpy(dtype=float)
    lo, hi = bound_interval(value, pts["value_low"], pts["bound"], pts["measure"], th["approx_band_pct"])
    year = pts["year"].to_numpy(dtype=np.int64)
    s_val, e_val = value[s_idx], value[e_idx]
    years = (year[e_idx] - year[s_idx]).astype(float)
    measure = pts["measure"].array.take(e_idx)
    code = _metric_code(measure, s_val, years)
    metric = METRICS[code]
    growth = annual_rate(s_val, e_val, years, metric)
    eq = is_one_of(pts["bound"], "eq")
    banded = ~eq[s_idx] | ~eq[e_idx]
    growth_low = np.where(banded, annual_rate(hi[s_idx], lo[e_idx], years, metric), np.nan)
    growth_high = np.where(banded, annual_rate(lo[s_idx], hi[e_idx], years, metric), np.nan)
    is_share = is_one_of(measure, "share")
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(is_share & (s_val > 0), (e_val / s_val - 1.0) * 100.0, np.nan)
        per_year = np.where(is_one_of(measure, "count_stock") & (years > 0), (e_val - s_val) / years, np.nan)
    note = NOTES[np.select(
        [years <= 0, (code == 3) | (code == 4), (code == 2) & (e_val == 0)], [1, 2, 3], default=0)]

    # text columns come from the observations themselves (the point's row in obs)
    row = pts["row"].to_numpy()
    s_row, e_row = row[s_idx], row[e_idx]
    cols = {c: obs[c].to_numpy()[e_row] for c in ID_COLUMNS}
    cols.update({
        "segment": np.array(["step", "overall"], dtype=object)[kind],
        "start_year": year[s_idx].astype(float), "end_year": year[e_idx], "years": years,
        "start_value": s_val, "end_value": e_val, "end_low": lo[e_idx],
        "end_high": np.where(np.isfinite(hi[e_idx]), hi[e_idx], np.nan),
        "start_kind": obs["kind"].to_numpy()[s_row], "end_kind": obs["kind"].to_numpy()[e_row],
        "start_bound": obs["bound"].to_numpy()[s_row], "end_bound": obs["bound"].to_numpy()[e_row],
        "metric": metric, "growth": growth,
        "growth_unit": METRIC_UNITS[code], "growth_low": growth_low, "growth_high": growth_high,
        "relative_change_pct": rel, "new_per_year": per_year, "n_points": pts["n_points"].to_numpy()[e_idx],
        "note": note})
    if (obs["measure"].to_numpy() == "growth_rate").any():       # stated rates go after the paths, column by column
        st = stated_rates(obs)
        cols = {c: np.concatenate([cols[c], st[c].to_numpy(dtype=cols[c].dtype)]) for c in COLUMNS}
    for col in ("start_year", "years"):           # empty for stated rates: nullable integers, never 2014.0
        cols[col] = pd.array(cols[col], dtype="Int64")
    # words: in the observations' own text dtype where taken from them, pandas' str where the engine wrote them
    text = {c: obs[c].dtype for c in ID_COLUMNS}
    text.update({"start_kind": obs["kind"].dtype, "end_kind": obs["kind"].dtype, "start_bound": obs["bound"].dtype,
                 "end_bound": obs["bound"].dtype, "segment": "str", "metric": "str", "growth_unit": "str", "note": "str"})
    for col, dtype in text.items():
        cols[col] = pd.array(cols[col], dtype=dtype)
    return pd.DataFrame(cols, columns=COLUMNS, copy=False)     # the arrays are new: no need to copy them again


def stated_rates(obs: pd.DataFrame) -> pd.DataFrame:
    """Targets stated as a growth rate, kept as the rate they are: one `stated` row each."""
    r = obs[obs["measure"] == "growth_rate"].sort_values(["source_id", "indicator_id", "year", "kind"])
    out = r[ID_COLUMNS].reset_index(drop=True)
    pp = (r["unit"] == "百分点").to_numpy()
    out["segment"] = "stated"
    out["start_year"] = np.nan
    out["end_year"] = r["year"].to_numpy()
    out["years"] = np.nan
    out["start_value"] = np.nan
    out["end_value"] = np.nan
    out["end_low"] = np.nan
    out["end_high"] = np.nan
    out["start_kind"] = None
    out["end_kind"] = r["kind"].to_numpy(dtype=object)
    out["start_bound"] = None
    out["end_bound"] = r["bound"].to_numpy(dtype=object)
    out["metric"] = np.where(pp, "pp_per_year", "cagr").astype(object)
    out["growth"] = r["value"].to_numpy(dtype=float)
    out["growth_unit"] = np.where(pp, "pp/yr", "%/yr").astype(object)
    lo = np.where(r["bound"] == "range", r["value_low"], r["value"]).astype(float)
    hi = np.where(r["bound"].isin(["ge", "gt"]), np.nan, r["value"]).astype(float)
    banded = (r["bound"] != "eq").to_numpy()
    out["growth_low"] = np.where(banded, lo, np.nan)
    out["growth_high"] = np.where(banded, hi, np.nan)
    out["relative_change_pct"] = np.nan
    out["new_per_year"] = np.nan
    out["n_points"] = 1
    out["note"] = "a target stated as a growth rate (compared with its level path in flags)"
    return out[COLUMNS]
