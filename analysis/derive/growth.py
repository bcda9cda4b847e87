"""Implied annual growth per segment of an indicator's path → data/processed/segments.csv.

A path is the points (actuals and targets) of one indicator in one source, in year order (an actual
before a target of the same year). Each consecutive pair is a `step` segment; first → last is the
`overall` segment. The growth fits the measure:

    level, count_flow, count_stock   compound annual growth, `cagr` in %/yr
                                     (stocks also carry the implied new entries per year)
    share                            percentage points per year, `pp_per_year` (and the relative change)
    from a zero base                 `new_per_year` (counts) or `change_per_year` (levels): the compound
                                     rate is undefined, so the absolute yearly change is given, with a note
    rank                             places per year, `places_per_year` ((end − start) / years: negative is a
                                     move up, as a lower place is better); a rank is compared in places, never
                                     as a growth rate, and its pace is not judged
    growth_rate                      a target stated as a rate is kept as the rate it is (`stated` rows;
                                     `pp_per_year` when its unit is 百分点, `cagr` otherwise); analysis.derive.flags
                                     compares it with the level path it belongs to

Bounds carry through as a band: a ≥ target gives a minimum growth (growth_low), a ≤ target (以下, 不超过; a
rank's 前15位: place 15 or better) a maximum, an approximate target
a band of ± approx_band_pct, a range both ends (end_low / end_high: the values the end target allows;
end_high is empty when unbounded). Everything is computed on whole columns at once
(numpy), so the same code serves the few hundred real numbers and a million-row panel.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import schema
from ..inputs.reference import load_thresholds, values

PATH_MEASURES = ("share", "level", "count_stock", "count_flow", "rank")
COUNT_MEASURES = ("count_stock", "count_flow")
BEST_RANK = 1.0                    # the best place a rank can reach (the low end of a ≤ rank target)
_SEGMENT_COLUMNS = schema.columns("segments")
COLUMNS = _SEGMENT_COLUMNS[:_SEGMENT_COLUMNS.index("judged")]       # the growth; the judgement follows (plausibility)
ID_COLUMNS = ["source_id", "region", "indicator_id", "indicator_zh", "indicator_en", "measure", "unit"]
BOUNDS = schema.BOUNDS


def annual_rate(start, end, years, metric):
    """Growth per year between two values, elementwise; NaN where the metric is undefined (never inf).

    cagr: ((end / start) ** (1 / years) - 1) * 100, for start > 0, end >= 0, years > 0.
    pp_per_year, new_per_year, change_per_year: (end - start) / years, for years > 0."""
    metric = np.asarray(metric, dtype=object)
    return _rate(start, end, years, metric == "cagr", metric != "none")


def _rate(start, end, years, is_cagr, has_rate) -> np.ndarray:
    """annual_rate with the metric given as two masks (compound growth; any rate at all): no text compared."""
    start, end, years = (np.asarray(a, dtype=float) for a in (start, end, years))
    is_cagr, has_rate = (np.broadcast_to(m, start.shape) for m in (is_cagr, has_rate))
    out = np.full(start.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ok = (years > 0) & np.isfinite(start) & np.isfinite(end)
        c = ok & is_cagr & (start > 0) & (end >= 0)
        out[c] = (np.power(end[c] / start[c], 1.0 / years[c]) - 1.0) * 100.0
        d = ok & ~is_cagr & has_rate
        out[d] = (end[d] - start[d]) / years[d]
    out[~np.isfinite(out)] = np.nan
    return out


def differs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Where two float arrays are not the same number: unequal, a NaN, or zeros of opposite signs (a rate computed
    from the one could differ from one computed from the other)."""
    return (a != b) | (np.signbit(a) != np.signbit(b))


def is_one_of(words, *which, in_runs: bool = False) -> np.ndarray:
    """Boolean mask: where `words` (an array, Series or list of text or categorical values) is one of `which`;
    `in_runs`: the words come in runs of equal neighbours (a path's indicator), each run looked up once."""
    if in_runs and not any(pd.isna(w) for w in which):
        code, distinct = run_codes(words)
        return np.r_[pd.Index(distinct, dtype=object).isin(which), False][code]      # code -1 (missing): False
    if isinstance(words, np.ndarray) and words.dtype == object:        # as it is: inferring text would copy it
        return pd.Series(words, dtype=object, copy=False).isin(which).to_numpy()
    if isinstance(getattr(words, "dtype", None), pd.CategoricalDtype):   # compare the small integer codes
        cat = pd.Categorical(words)
        return np.r_[cat.categories.isin(which), False][cat.codes]          # code -1 (missing): False
    return pd.Series(words, copy=False).isin(which).to_numpy()


def bound_interval(value, value_low, bound, measure, approx_band_pct: float):
    """(low, high) of the values a published number allows: eq → [v, v]; ge/gt → [v, ∞) ([v, 100] for shares);
    le/lt → [0, v] ([1, v] for a rank: this place or better); approx → v ± approx_band_pct %; range →
    [value_low, value]. (Any other bound word: [v, v].)"""
    value = np.asarray(value, dtype=float)
    cat = bound.array if isinstance(bound, pd.Series) else bound
    code = (np.asarray(cat.codes) if isinstance(cat, pd.Categorical) and tuple(cat.categories) == BOUNDS
            else codes_of(bound, BOUNDS))                                           # -1: any other word
    lo, hi = value.copy(), value.copy()                       # eq and any other word: [v, v]
    at = np.flatnonzero(code != BOUNDS.index("eq"))           # the values with a bound (the rest stay [v, v])
    v, kind, is_share = value[at], code[at], is_one_of(measure, "share")[at]
    approx = kind == BOUNDS.index("approx")
    band = approx_band_pct / 100.0
    lo[at] = np.where(kind == BOUNDS.index("range"), np.asarray(value_low, dtype=float)[at],
                      np.where(approx, v * (1 - band), v))
    high = np.where(approx, v * (1 + band), v)
    high = np.where(approx & is_share, np.minimum(high, 100.0), high)
    hi[at] = np.where((kind == BOUNDS.index("ge")) | (kind == BOUNDS.index("gt")), np.where(is_share, 100.0, np.inf), high)
    below = (kind == BOUNDS.index("le")) | (kind == BOUNDS.index("lt"))            # an upper bound: down to the floor
    lo[at] = np.where(below, np.where(is_one_of(measure, "rank")[at], BEST_RANK, 0.0), lo[at])
    return lo, hi


def codes_of(words, categories, in_runs: bool = False) -> np.ndarray:
    """Each word's position in `categories` (-1 for any other word or a missing one), as int8. Hashes the column
    once and compares only its few distinct words (much faster than building a Categorical from text); `in_runs`:
    the words come in runs of equal neighbours (a path's measure), each run hashed once (run_codes)."""
    code, distinct = run_codes(words) if in_runs else pd.factorize(np.asarray(words, dtype=object))
    return np.r_[pd.Index(categories).get_indexer(distinct), -1].astype(np.int8)[code]


def run_codes(words, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize(words, sort=sort) (codes, distinct words), hashing each run of equal neighbours once: much faster
    for words that come in runs, as the rows of a path share their source, region and indicator."""
    words = np.asarray(words, dtype=object)
    starts = np.ones(len(words), dtype=bool)
    np.not_equal(words[1:], words[:-1], out=starts[1:])
    code, distinct = pd.factorize(words[starts], sort=sort)
    return code[np.cumsum(starts) - 1], distinct


def categorical(words) -> pd.Categorical:
    """`words` as a Categorical of its distinct words, sorted (as .astype("category") gives it), each run of equal
    neighbours hashed once (run_codes)."""
    code, distinct = run_codes(words, sort=True)
    return pd.Categorical.from_codes(code, categories=distinct)


def path_points(obs: pd.DataFrame) -> pd.DataFrame:
    """The points of every indicator path (measure ≠ growth_rate), sorted by source, indicator, year, kind
    (an actual before a target of the same year). Lean on purpose (a national panel has a million points): the
    numbers, source, indicator, measure and bound as categoricals (sources and indicators in sorted order), integer
    `group` codes (one per source × indicator), `actual` (else a target), `n_points`, and `row`, the point's position
    in `obs`, from which the text columns are taken when a frame is written."""
    measure = codes_of(obs["measure"], PATH_MEASURES, in_runs=True)
    row = np.flatnonzero(measure >= 0)
    src, sources = run_codes(obs["source_id"].to_numpy(), sort=True)     # sorted codes: the order of the text
    ind, indicators = run_codes(obs["indicator_id"].to_numpy(), sort=True)
    src, ind = src[row], ind[row]
    year = obs["year"].to_numpy(dtype=np.int64)[row]
    y0 = year.min(initial=0)
    key = src.astype(np.int64) * (ind.max(initial=0) + 1) + ind
    actual = (obs["kind"].to_numpy() == "actual")[row]
    order = np.argsort((key * (year.max(initial=0) - y0 + 1) + year - y0) * 2 + ~actual, kind="stable")
    row, key = row[order], key[order]
    group = np.cumsum(np.r_[True, key[1:] != key[:-1]]) - 1 if len(key) else key
    return pd.DataFrame({
        "row": row, "group": group,
        "source": pd.Categorical.from_codes(src[order], categories=sources),
        "indicator": pd.Categorical.from_codes(ind[order], categories=indicators), "year": year[order],
        "value": obs["value"].to_numpy(dtype=float)[row], "value_low": obs["value_low"].to_numpy(dtype=float)[row],
        "measure": pd.Categorical.from_codes(measure[row], categories=PATH_MEASURES),
        "bound": pd.Categorical.from_codes(codes_of(obs["bound"], BOUNDS)[row], categories=BOUNDS),
        "actual": actual[order], "n_points": np.bincount(group)[group]}, copy=False)


METRICS = schema.METRICS                                        # a segment's metric, as its position here
CAGR, PP_PER_YEAR, NEW_PER_YEAR, CHANGE_PER_YEAR, PLACES_PER_YEAR, NO_RATE = (METRICS.index(m) for m in (
    "cagr", "pp_per_year", "new_per_year", "change_per_year", "places_per_year", "none"))
METRIC_UNITS = [schema.UNIT_OF_METRIC[m] for m in METRICS]
SEGMENT_KINDS = np.array(["step", "overall", "stated"], dtype=object)
NOTES = np.array(["", "actual and target for the same year: no annual rate",
                  "zero base: compound growth is undefined; the absolute change per year is given",
                  "the end value is zero: -100 %/yr",
                  "a target stated as a growth rate (compared with its level path in flags)",
                  "a rank: compared in places (lower is better), never as a growth rate"], dtype=object)
NOTES_ZH = {"actual and target for the same year: no annual rate": "同一年份的实际值和目标值：无年率",
            "zero base: compound growth is undefined; the absolute change per year is given":
                "基数为零：复合增长率无定义，给出每年的绝对变化",
            "the end value is zero: -100 %/yr": "终值为零：-100 %/年",
            "a target stated as a growth rate (compared with its level path in flags)":
                "以增长率表述的目标（在合理性标记中与其水平路径对比）",
            "a rank: compared in places (lower is better), never as a growth rate":
                "名次：按名次比较（越小越好），不按增长率计算"}


def step_rows(points: pd.DataFrame) -> np.ndarray:
    """The row in segments(obs, points=points) of the step ending at each point (-1 at a path's first point): a
    path's steps come first, in the order of their end points, then its overall segment."""
    group = points["group"].to_numpy()
    n = len(group)
    first = np.ones(n, dtype=bool)
    np.not_equal(group[1:], group[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    multi = np.diff(starts, append=n) > 1                       # paths with a step, hence an overall segment too
    # a point's step follows the steps ending at earlier points (one per earlier point that is not a path's first)
    # and the overall segments of the earlier paths
    rows = np.arange(n) + (np.cumsum(multi) - multi - np.arange(len(starts)) - 1)[group]
    rows[first] = -1
    return rows


def overall_rows(steps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From step_rows(points): (first point, last point, row) of every path with a step; the row is its overall
    segment's, right after the step ending at its last point."""
    first = np.flatnonzero(steps < 0)
    last = np.r_[first[1:] - 1, len(steps) - 1] if len(first) else first
    multi = first != last
    return first[multi], last[multi], steps[last[multi]] + 1


def _metric_code(measure: np.ndarray, start, years):
    """Index into METRICS per segment from the end point's measure code (PATH_MEASURES): small integer codes,
    looked up once when the frame is written (fast and light at scale)."""
    counts = (measure == PATH_MEASURES.index("count_stock")) | (measure == PATH_MEASURES.index("count_flow"))
    return np.select([years <= 0, measure == PATH_MEASURES.index("share"), measure == PATH_MEASURES.index("rank"),
                      start > 0, counts], [NO_RATE, PP_PER_YEAR, PLACES_PER_YEAR, CAGR, NEW_PER_YEAR],
                     default=CHANGE_PER_YEAR)


def words(vocabulary, codes) -> pd.arrays.StringArray:
    """pandas text (str) from integer codes into a short vocabulary: the few words are checked once, then taken."""
    return pd.array(np.asarray(vocabulary, dtype=object), dtype="str").take(np.asarray(codes, dtype=np.intp))


def _int64(values, missing=None):
    """Nullable integers (Int64) from int64 values, empty where `missing`."""
    values = np.asarray(values, dtype=np.int64)
    return pd.arrays.IntegerArray(values, np.zeros(len(values), dtype=bool) if missing is None else missing)


def segments(obs: pd.DataFrame, thresholds: pd.DataFrame | None = None, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per step (consecutive pair) and per overall (first → last) segment of every path, plus one
    `stated` row per growth-rate target; columns COLUMNS (see the module docstring). `points`: path_points(obs),
    when the caller has it already."""
    th = values(thresholds if thresholds is not None else load_thresholds())
    pts = points if points is not None else path_points(obs)
    # the rows (step_rows): a path's steps in the order of their end points, then its overall segment
    step_row = step_rows(pts)
    ends = np.flatnonzero(step_row >= 0)                                # the points that end a step
    first, last, overall = overall_rows(step_row)
    s_idx, e_idx = np.empty(len(ends) + len(overall), dtype=np.intp), np.empty(len(ends) + len(overall), dtype=np.intp)
    s_idx[step_row[ends]] = ends - 1
    e_idx[step_row[ends]] = ends
    s_idx[overall], e_idx[overall] = first, last
    kind = np.zeros(len(s_idx), dtype=np.int8)
    kind[overall] = 1

    value = pts["value"].to_numpy(dtype=float)
    lo, hi = bound_interval(value, pts["value_low"], pts["bound"], pts["measure"], th["approx_band_pct"])
    year = pts["year"].to_numpy(dtype=np.int64)
    s_val, e_val = value[s_idx], value[e_idx]
    years = year[e_idx] - year[s_idx]
    measure = pts["measure"].cat.codes.to_numpy()[e_idx]
    code = _metric_code(measure, s_val, years)
    is_cagr, has_rate = code == CAGR, code != NO_RATE
    growth = _rate(s_val, e_val, years, is_cagr, has_rate)
    eq = (pts["bound"] == "eq").to_numpy()
    banded = np.flatnonzero(~eq[s_idx] | ~eq[e_idx])
    growth_low, growth_high = np.full(len(code), np.nan), np.full(len(code), np.nan)
    for out, start, end in ((growth_low, hi, lo), (growth_high, lo, hi)):       # the least and the most growth
        start, end = start[s_idx[banded]], end[e_idx[banded]]
        out[banded] = growth[banded]                  # where the band leaves both ends as published: the growth itself
        moved = np.flatnonzero(differs(start, s_val[banded]) | differs(end, e_val[banded]))
        at = banded[moved]
        out[at] = _rate(start[moved], end[moved], years[at], is_cagr[at], has_rate[at])
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where((measure == PATH_MEASURES.index("share")) & (s_val > 0), (e_val / s_val - 1.0) * 100.0, np.nan)
        per_year = np.where((measure == PATH_MEASURES.index("count_stock")) & (years > 0), (e_val - s_val) / years,
                            np.nan)
    note = np.select([years <= 0, (code == NEW_PER_YEAR) | (code == CHANGE_PER_YEAR), is_cagr & (e_val == 0),
                      code == PLACES_PER_YEAR], [1, 2, 3, 5], default=0)
    end_high = hi[e_idx]
    cols = {"segment": kind, "start_year": year[s_idx], "end_year": year[e_idx], "years": years, "start_value": s_val,
            "end_value": e_val, "end_low": lo[e_idx], "end_high": np.where(np.isfinite(end_high), end_high, np.nan),
            "metric": code, "growth": growth, "growth_low": growth_low, "growth_high": growth_high,
            "relative_change_pct": rel, "new_per_year": per_year, "n_points": pts["n_points"].to_numpy()[e_idx],
            "note": note}
    row = pts["row"].to_numpy()
    s_row, e_row = row[s_idx], row[e_idx]
    stated, st_row = _stated_rates(obs, pts)         # stated rates go after the paths
    cols = {c: np.concatenate([cols[c], stated[c]]).astype(cols[c].dtype, copy=False) for c in cols}
    e_row = np.r_[e_row, st_row]
    s_row = np.r_[s_row, np.full(len(st_row), -1)]            # a stated rate has no start
    path = np.r_[np.ones(len(s_idx), dtype=bool), np.zeros(len(st_row), dtype=bool)]

    # words: taken from the observations themselves (the point's row in obs), in their own text dtype, or from the
    # engine's short vocabularies (pandas' str); years as nullable integers (empty for stated rates, never 2014.0)
    out = {c: obs[c].array.take(e_row) for c in ID_COLUMNS}
    out.update({"start_kind": obs["kind"].array.take(s_row, allow_fill=True), "end_kind": obs["kind"].array.take(e_row),
                "start_bound": obs["bound"].array.take(s_row, allow_fill=True), "end_bound": obs["bound"].array.take(e_row),
                "segment": words(SEGMENT_KINDS, cols.pop("segment")), "metric": words(METRICS, cols["metric"]),
                "growth_unit": words(METRIC_UNITS, cols.pop("metric")), "note": words(NOTES, cols.pop("note")),
                "start_year": _int64(cols.pop("start_year"), ~path), "years": _int64(cols.pop("years"), ~path)})
    out.update(cols)
    return pd.DataFrame(out, columns=COLUMNS, copy=False)     # the arrays are new: no need to copy them again


def _stated_rates(obs: pd.DataFrame, points: pd.DataFrame) -> tuple[dict, np.ndarray]:
    """Targets stated as a growth rate, kept as the rate they are: one `stated` row each, sorted by source,
    indicator, year and kind. (the segment columns segments() computes, as numbers and codes; their rows in obs)"""
    rest = np.ones(len(obs), dtype=bool)
    rest[points["row"].to_numpy()] = False                                  # the rows that are not path points
    pos = np.flatnonzero(rest)
    pos = pos[obs["measure"].to_numpy()[pos] == "growth_rate"]
    r = obs.iloc[pos].reset_index(drop=True).sort_values(["source_id", "indicator_id", "year", "kind"])
    pp = (r["unit"] == "百分点").to_numpy()
    value = r["value"].to_numpy(dtype=float)
    bound = r["bound"].to_numpy(dtype=object)
    lo = np.where(bound == "range", r["value_low"].to_numpy(dtype=float), value)
    hi = np.where(is_one_of(bound, "ge", "gt"), np.nan, value)
    banded = bound != "eq"
    n = len(r)
    empty = np.full(n, np.nan)
    code = np.where(pp, PP_PER_YEAR, CAGR)
    return {"segment": np.full(n, 2), "start_year": np.zeros(n, dtype=np.int64), "end_year": r["year"].to_numpy(),
            "years": np.zeros(n, dtype=np.int64), "start_value": empty, "end_value": empty, "end_low": empty,
            "end_high": empty, "metric": code, "growth": value, "growth_low": np.where(banded, lo, np.nan),
            "growth_high": np.where(banded, hi, np.nan), "relative_change_pct": empty, "new_per_year": empty,
            "n_points": np.ones(n, dtype=np.int64), "note": np.full(n, 4)}, pos[r.index.to_numpy()]
