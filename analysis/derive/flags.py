"""Plausibility flags → data/processed/flags.csv: one row per (source, indicator, segment, rule) that fires.

The yardsticks are data (data/raw/reference/: the regional panel, the national reference table, thresholds.yml;
analysis.inputs.reference, analysis.derive.peers); this module holds the rules. docs/methods.md gives each with its formula.
The pace rules judge step segments that end in a target (the overall first → last segment repeats them;
actual → actual is history); judge_paces() says for every segment whether and against what it was judged.

    rule                     direction     severity        fires when
    too_fast                 too_fast      info|warn|alert the least pace a target allows is above the peer p90 (info)
                                                           or every peer window of the same length (warn); with too
                                                           few peers, above the fastest national window no longer than
                                                           the segment (info); above a ceiling whose window fits (alert)
    already_met_when_set     too_slow      warn|info       the first target after the latest pre-plan actual is at or
                                                           below it (info when the actual was published after the plan)
    too_slow                 too_slow      warn|info       that target's pace is below a fraction of the pace realised
                                                           before the plan
    target_backwards         inconsistent  warn            a later target lies below an earlier one
    stock_falls              impossible    alert           a cumulative count (累计) falls
    share_above_100          impossible    alert           a share target above 100 %
    rate_vs_levels           inconsistent  info|warn       a stated growth rate and the level targets it describes
                                                           (indicator_links.csv: rate_of) allow no common pace
    part_exceeds_whole       impossible    alert           a part exceeds its whole (part_of)
    flow_cannot_build_stock  impossible    alert           yearly new-entry targets (flow_of) add up to less than the
                                                           targeted increase of the stock
    stock_change_vs_flow     inconsistent  info            new entries stated for a period (period_flow_of) fall short
                                                           of the stock's targeted rise
    escalation               too_fast      warn            a plan's implied growth exceeds that of a plan of a region
                                                           above it (any level of regions.csv), of the same vintage,
                                                           for the same indicator and year, by more than the
                                                           documented escalation; every pair is in escalation.csv

Every row names its yardstick and gives one plain sentence with the numbers; `margin` and `robust` say how
fragile it is.
"""
from __future__ import annotations

import collections
import functools
import itertools
import math
import string

import numpy as np
import pandas as pd

from ..core import schema
from ..core.schema import SEVERITIES
from ..inputs.reference import ceiling_for, load_links, load_regions, load_rules, load_thresholds, values
from .growth import (
    COUNT_MEASURES,
    METRICS,
    PATH_MEASURES,
    _metric_code,
    _rate,
    annual_rate,
    bound_interval,
    codes_of,
    differs,
    is_one_of,
    overall_rows,
    path_points,
    run_codes,
    step_rows,
)
from .peers import reference_windows

COLUMNS = schema.columns("flags")
INTERNAL = "internal: the document's own figures"
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
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


_SMALL = 10_000                     # whole parts below this, and every decimal part, are written from tables


@functools.cache
def _digit_tables(decimals: int) -> tuple[np.ndarray, np.ndarray]:
    """(whole, tail): fmt()'s text of every whole number below _SMALL ('1,234'), and of every decimal part of
    `decimals` digits ('', '.5', '.25', ...: trailing zeros dropped)."""
    whole = np.array([format(i, ",") for i in range(_SMALL)], dtype=object)
    tail = np.array([""] + [("." + format(i, f"0{decimals}d")).rstrip("0") for i in range(1, 10 ** decimals)],
                    dtype=object)
    return whole, tail


def fmt_each(values, decimals: int = 4) -> np.ndarray:
    """fmt() of every value of a column, as an object array (the same text, without formatting each number).

    A value's digits are its magnitude times 10**decimals rounded to an integer, written from tables; where that
    product is too large to be exact or lies within rounding error of a tie (x.5), the value is formatted as fmt()
    does, so the text is always Python's correctly rounded one."""
    v = pd.Series(values, dtype=float, copy=False).to_numpy()
    out = np.empty(len(v), dtype=object)
    scale = 10 ** decimals
    with np.errstate(invalid="ignore", over="ignore"):
        x = np.abs(v) * scale
        r = np.rint(x)
        exact = (x < 2.0 ** 52) & (np.abs(x - np.floor(x) - 0.5) > 4 * np.spacing(x))       # NaN, ∞: False
    fast = np.flatnonzero(exact)
    r = r[fast].astype(np.int64)
    whole, part = np.divmod(r, scale)
    whole_text, tail_text = _digit_tables(decimals)
    small = whole < _SMALL
    text = np.empty(len(fast), dtype=object)
    text[small] = whole_text[whole[small]]
    text[~small] = [format(w, ",") for w in whole[~small].tolist()]
    text = text + tail_text[part]
    negative = (v[fast] < 0) & (r > 0)                 # "-0" is written "0"
    text[negative] = "-" + text[negative]
    out[fast] = text
    out[np.isnan(v) | (v == -np.inf)] = fmt(np.nan)             # as fmt() writes them: n/a, ∞
    out[v == np.inf] = fmt(np.inf)
    slow = np.flatnonzero(~exact & np.isfinite(v))
    out[slow] = [fmt(x, decimals) for x in v[slow].tolist()]
    return out


def fmt_rate_each(values, units) -> np.ndarray:
    """fmt_rate() of every value of a column with its unit."""
    values, units = pd.Series(values, dtype=float, copy=False).to_numpy(), np.asarray(units, dtype=object)
    pp = units == "pp/yr"
    text = np.empty(len(units), dtype=object)
    text[pp], text[~pp] = fmt_each(values[pp], 3), fmt_each(values[~pp], 2)
    if pd.isna(units).any():                           # a missing unit is written as fmt_rate() writes it
        return np.array([f"{t} {u}" for t, u in zip(text, units)], dtype=object)
    return text + " " + units


def with_unit_each(values, units) -> np.ndarray:
    """_with_unit() of every value of a column with its unit."""
    code, distinct = pd.factorize(np.asarray(units, dtype=object), use_na_sentinel=False)
    return fmt_each(values) + np.array([_unit(u) for u in distinct], dtype=object)[code]


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


def _text_of(values, words: dict | None = None) -> np.ndarray:
    """f"{v}" (or words[v]) of every value of a column of words or whole numbers, as an object array; each distinct
    value written once."""
    values = np.asarray(values, dtype=object)
    out = np.empty(len(values), dtype=object)
    missing = pd.isna(values)
    code, distinct = pd.factorize(values[~missing])
    out[~missing] = np.array([words[d] if words is not None else f"{d}" for d in distinct], dtype=object)[code]
    out[missing] = [words[d] if words is not None else f"{d}" for d in values[missing]]
    return out


def _texts(df: pd.DataFrame, *names: str) -> list[np.ndarray]:
    """_text_of() of columns."""
    return [_text_of(df[c].to_numpy(dtype=object)) for c in names]


def _fill(template: str, *columns, once: bool = False) -> np.ndarray:
    """template.format(*row) for every row of equally long columns, as an object array (one call per sentence);
    `once`: each distinct row filled in once (columns of text that a sentence part shares with many rows)."""
    if not columns or not len(columns[0]):
        return np.zeros(0, dtype=object)
    if not once:
        texts = _template_texts(template, len(columns))
        if texts is not None:              # bare {} fields: each row joined from the texts and its words (faster)
            n = len(columns[0])
            parts = [p for text, column in zip(texts, [*columns, None]) for p in (itertools.repeat(text, n), column)
                     if p is not None]
            try:
                return np.array(list(map("".join, zip(*parts))), dtype=object)
            except TypeError:              # a value that is not text: written by format() as str() writes it
                pass
        return np.array(list(map(template.format, *columns)), dtype=object)
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for c in columns:                                  # the distinct rows, numbered column by column
        code, distinct = pd.factorize(np.asarray(c, dtype=object), use_na_sentinel=False)
        key, _ = pd.factorize(key * len(distinct) + code)
    row, which = np.unique(key, return_index=True, return_inverse=True)[1:]
    return _fill(template, *(np.asarray(c, dtype=object)[row] for c in columns))[which]


@functools.lru_cache(maxsize=64)
def _template_texts(template: str, n_fields: int) -> tuple[str, ...] | None:
    """The literal texts around a template's fields ("a {} b {}." → ("a ", " b ", ".")), or None unless its fields
    are n_fields bare {} (no name, conversion or format spec)."""
    texts, text = [], ""
    for literal, name, spec, conversion in string.Formatter().parse(template):
        text += literal                                # "{{" and "}}" come as literals of their own
        if name is not None:
            if (name, spec, conversion) != ("", "", None):
                return None
            texts.append(text)
            text = ""
    return (*texts, text) if len(texts) == n_fields else None


def _columns(df: pd.DataFrame, *names: str) -> list[np.ndarray]:
    """Columns as plain object arrays (Python values, as _records gives them), to zip when writing reasons."""
    return [df[c].to_numpy(dtype=object) for c in names]


def _records(df: pd.DataFrame):
    """Rows as namedtuples, iterating plain numpy arrays (much faster than itertuples over string columns); used to
    write the reason sentences of the rows that fire."""
    return _rows({c: df[c].to_numpy(dtype=object) for c in df.columns})


def _rows(columns: dict):
    """Namedtuples over equally long columns {name: array or list}."""
    from collections import namedtuple

    Row = namedtuple("Row", list(columns))
    return map(Row._make, zip(*columns.values()))


def _once_each(func, *columns) -> list:
    """func(*row) for every row of equally long columns, computed once per distinct row (a sentence part that
    depends on a few words, not on the numbers)."""
    done: dict = {}
    return [done[k] if k in done else done.setdefault(k, func(*k)) for k in zip(*columns)]


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


# ---------------------------------------------------------------- too fast: peers, national series, ceilings
JUDGEMENT_COLUMNS = ["judged", "not_judged_because", "yardstick", "pace_judged", "peer_series", "peer_n",
                     "peer_percentile", "peer_p_info", "peer_p90", "peer_p95", "peer_p99", "peer_max", "peer_max_window", "national_max",
                     "national_max_window", "national_same_window", "ceiling", "ceiling_name", "severity"]


PEER_YARDSTICKS = schema.YARDSTICKS[:2]            # "peers", "peers (proxy)": comparable regions' windows
SEVERITY_WORDS = (None, *SEVERITIES)                  # a judgement's severity by code (None: not too fast)


def plan_levels(regions: pd.DataFrame) -> dict:
    """{region: level} from regions.csv (district, city, province, country)."""
    return dict(zip(regions["region"].tolist(), regions["level"].tolist()))


def _window_label(region, y0, y1) -> str:
    return f"{region} {int(y0)}–{int(y1)}"


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse) of integer keys: where each distinct key first occurs (in order of appearance) and which
    distinct key each element is. Hashes instead of sorting (np.unique sorts)."""
    inverse, _ = pd.factorize(keys)
    if not len(inverse):
        return np.zeros(0, dtype=np.int64), inverse
    return np.flatnonzero(np.r_[True, inverse[1:] > np.maximum.accumulate(inverse[:-1])]), inverse


def _peer_table(windows: pd.DataFrame, rules: dict, min_n: int, keys: pd.DataFrame) -> pd.DataFrame:
    """Per (indicator_id, level, years) of `keys`: the sorted peer paces and their summary, with the proxy
    series where the indicator's own windows are fewer than `min_n`."""
    peers = windows[windows["scope"] == "peer"].reset_index(drop=True)
    levels_of = rules["peers"].get("levels", {})
    proxies = rules["peers"].get("proxies", {}) or {}
    groups = peers.groupby(["indicator_id", "level", "years"], sort=False).indices       # key → rows of `peers`
    pace_of = peers["pace"].to_numpy(dtype=float)
    region_rank = pd.factorize(peers["region"].to_numpy(dtype=object), sort=True)[0]
    start_of = peers["start_year"].to_numpy()

    def select(indicator, allowed, years):
        parts = [groups[k] for k in ((indicator, lv, years) for lv in allowed) if k in groups]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)

    rows = []
    for ind, level, years in keys.itertuples(index=False):
        allowed = levels_of.get(level, [])
        used, pw = ind, select(ind, allowed, years)
        if len(pw) < min_n and ind in proxies:
            alt = select(proxies[ind], allowed, years)
            if len(alt) > len(pw):
                used, pw = proxies[ind], alt
        pw = pw[np.lexsort((start_of[pw], region_rank[pw], pace_of[pw]))]          # by pace, region, start year
        pace = pace_of[pw]
        top = peers.iloc[pw[-1]] if len(pw) else None
        rows.append({"indicator_id": ind, "level": level, "years": years, "peer_series": used, "paces": pace,
                     "peer_n": len(pace), "peer_levels": "/".join(allowed),
                     **{f"peer_p{q}": float(np.percentile(pace, q)) if len(pace) else np.nan for q in (90, 95, 99)},
                     "peer_max": float(pace[-1]) if len(pace) else np.nan,
                     "peer_max_window": _window_label(top["region"], top["start_year"], top["end_year"]) if top is not None else None})
    return pd.DataFrame(rows)


def _national_table(windows: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Per (indicator_id, years): the fastest national window no longer than `years` (the fallback) and the
    fastest of exactly `years` (a robustness neighbour)."""
    nat = windows[windows["scope"] == "national"].sort_values(["indicator_id", "pace", "start_year"], kind="stable")
    of = nat.groupby("indicator_id", sort=False).indices                  # indicator → its rows, by pace
    length, pace = nat["years"].to_numpy(), nat["pace"].to_numpy(dtype=float)
    label = [f"{_window_label(r, y0, y1)} (growth_references.csv line {ln})"
             for r, y0, y1, ln in zip(*(nat[c].to_numpy(dtype=object) for c in ("region", "start_year", "end_year", "lines")))]
    rows = []
    for ind, years in keys.itertuples(index=False):
        w = of.get(ind, np.zeros(0, dtype=np.intp))
        fits = w[(length[w] <= years) & (length[w] >= 1)]
        same = pace[fits][length[fits] == years]
        rows.append({"indicator_id": ind, "years": years, "national_n": len(fits),
                     "national_max": float(pace[fits[-1]]) if len(fits) else np.nan,
                     "national_max_window": label[fits[-1]] if len(fits) else None,
                     "national_same_window": float(same.max()) if len(same) else np.nan})
    return pd.DataFrame(rows, columns=["indicator_id", "years", "national_n", "national_max", "national_max_window",
                                       "national_same_window"])


def judge_paces(segments: pd.DataFrame, th: pd.DataFrame, rules: dict, windows: pd.DataFrame,
                levels: dict, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per segment (same positions): whether and against what its pace is judged (JUDGEMENT_COLUMNS).

    Judged are steps that end in a target with a rate (cagr, pp/yr); the pace judged is the least the target allows
    (to the low end of a ≥, approximate or range target). Yardsticks in order: peers (≥ peer_min_n windows of the
    same length), else the national series (fastest window no longer than the segment), and for every segment the
    ceiling of its metric or indicator where the ceiling's window is no longer than the segment. `points`
    (path_points of the same observations): when the caller has them, to place the segments without reading words."""
    n = len(segments)
    v = values(th)
    # why a segment was not judged, as codes into `because` (0: it was judged, or not a step), written out once
    because = [None, "the first-to-last segment repeats its steps, which are judged",
               "a stated growth rate: compared with its level path (rate_vs_levels)", "history: both ends are actuals"]
    why = np.zeros(n, dtype=np.int64)
    steps = step_rows(points, segments) if points is not None else None
    if steps is None:                                # the kind of each segment from its words
        seg = segments["segment"].to_numpy()
        end_kind = segments["end_kind"].to_numpy()
        step = seg == "step"
        overall, stated, history = seg == "overall", seg == "stated", step & (end_kind == "actual")
        step_t = np.flatnonzero(step & (end_kind == "target"))
        ind_of_step = count_of_step = years_of_step = None
        metric = codes_of(_at(segments, "metric", step_t), METRICS)
    else:                                            # or from the points (segments() lays the rows out by them)
        actual = points["actual"].to_numpy()
        overall = np.zeros(n, dtype=bool)
        overall[overall_rows(steps)[2]] = True
        stated = np.zeros(n, dtype=bool)
        path_rows = int((steps >= 0).sum()) + int(overall.sum())             # stated rates follow the paths
        stated[path_rows:] = True
        history = steps[actual & (steps >= 0)]
        at_target = np.flatnonzero(~actual & (steps >= 0))
        step_t = steps[at_target]
        ind_of_step = points["indicator"].cat.codes.to_numpy()[at_target]
        measure = points["measure"].cat.codes.to_numpy()[at_target]
        count_of_step = np.isin(measure, [PATH_MEASURES.index(m) for m in COUNT_MEASURES])
        year = points["year"].to_numpy()            # the step's metric, as segments() chose it from the same points
        years_of_step = year[at_target] - year[at_target - 1]
        metric = _metric_code(measure, points["value"].to_numpy()[at_target - 1], years_of_step)
    why[overall], why[stated], why[history] = 1, 2, 3
    step_pp = metric == list(METRICS).index("pp_per_year")
    rated = step_pp | (metric == list(METRICS).index("cagr"))
    unrated = step_t[~rated]
    code, notes = pd.factorize(_at(segments, "note", unrated))
    why[unrated] = len(because) + code
    because += [f"no annual rate ({t})" if t else "no annual rate" for t in notes]
    rows = step_t[rated]
    if not len(rows):
        text = ("not_judged_because", "yardstick", "peer_series", "peer_max_window", "national_max_window",
                "ceiling_name", "severity")
        why = np.array(because, dtype=object)[why]
        return pd.DataFrame({c: pd.Series(why, dtype=object, copy=False) if c == "not_judged_because" else
                             np.zeros(n, dtype=bool) if c == "judged" else
                             pd.Series(np.full(n, None, dtype=object), dtype=object, copy=False) if c in text else
                             np.full(n, np.nan) for c in JUDGEMENT_COLUMNS}, copy=False)

    # the segments' words as integer codes: indicators, regions and their levels (regions.csv)
    if ind_of_step is None:
        ind_code, ind_names = run_codes(_at(segments, "indicator_id", rows))
    else:
        ind_code, ind_names = ind_of_step[rated], points["indicator"].cat.categories
    ind_names = np.asarray(ind_names, dtype=object)
    years = (_at(segments, "years", rows) if years_of_step is None else years_of_step[rated]).astype(np.int64)
    start = _at(segments, "start_value", rows)
    is_pp = step_pp[rated]                             # else cagr: the rows are rated
    end_low = _at(segments, "end_low", rows)
    pace = _at(segments, "growth", rows)                # where the target allows no less than it states: its growth
    less = np.flatnonzero(differs(end_low, _at(segments, "end_value", rows)))
    pace[less] = _rate(start[less], end_low[less], years[less], ~is_pp[less], True)
    reg_code, reg_names = run_codes(_at(segments, "region", rows))
    lvl_of_region, lvl_names = pd.factorize(pd.Series(reg_names).map(levels).fillna("unknown").to_numpy(dtype=object))
    lvl_code = lvl_of_region[reg_code]
    lvl_names = np.asarray(lvl_names, dtype=object)
    unknown = (lvl_names == "unknown")[lvl_code]
    small = start < v["info_min_count_base"]
    if count_of_step is None:
        small[small] = is_one_of(_at(segments, "measure", rows[small]), *COUNT_MEASURES)
    else:
        small &= count_of_step[rated]
    min_n = int(v["peer_min_n"])

    # peers: one lookup per (indicator, level, length) on integer codes, then every segment's percentile from the
    # sorted paces of its group (only groups that have peers are visited)
    packed = (ind_code.astype(np.int64) * (len(lvl_names) + 1) + lvl_code) * 1000 + np.clip(years, 0, 999)
    first, at = _distinct(packed)
    ukeys = pd.DataFrame({"indicator_id": ind_names[ind_code[first]], "level": lvl_names[lvl_code[first]],
                          "years": years[first]})
    pt = _peer_table(windows, rules, min_n, ukeys)
    peer_n = pt["peer_n"].to_numpy()[at]
    pct = np.full(len(rows), np.nan)
    for k in np.flatnonzero(pt["peer_n"].to_numpy() > 0):
        paces = pt["paces"].iloc[k]
        mine = at == k
        pct[mine] = 100.0 * np.searchsorted(paces, pace[mine] + EPS, side="right") / len(paces)
    # national series: one lookup per (indicator, length), found among the peer keys
    nfirst, nat_of_key = _distinct(ind_code[first].astype(np.int64) * 1000 + np.clip(years[first], 0, 999))
    nfirst = first[nfirst]
    nt = _national_table(windows, pd.DataFrame({"indicator_id": ind_names[ind_code[nfirst]], "years": years[nfirst]}))
    nat_of_group = {c: nt[c].to_numpy()[nat_of_key] for c in ("national_n", "national_max", "national_max_window",
                                                             "national_same_window")}    # per peer group (row of pt)
    nat = {c: nat_of_group[c][at] for c in ("national_n", "national_max")}

    use_peer = (peer_n >= min_n) & ~small
    use_nat = ~use_peer & ~small & (nat["national_n"] > 0)
    sev = np.zeros(len(rows), dtype=np.int8)                  # codes into SEVERITY_WORDS
    p_info = np.array([np.percentile(p, v["peer_info_percentile"]) if len(p) else np.nan for p in pt["paces"]])[at]
    peer_max = pt["peer_max"].to_numpy()[at]
    sev[use_peer & (pace > p_info + EPS)] = SEVERITY_WORDS.index("info")
    sev[use_peer & (pace > peer_max + EPS)] = SEVERITY_WORDS.index("warn")
    sev[use_nat & (pace > nat["national_max"] + EPS)] = SEVERITY_WORDS.index("info")

    # ceilings: the parameter for the indicator (or its metric), only where its window fits in the segment
    code = ind_code.astype(np.int64) * 2 + is_pp                    # (indicator, metric), a few pairs
    names = [ceiling_for(rules, ind, metric) for ind in ind_names for metric in ("cagr", "pp_per_year")]
    has = pd.notna(np.array(names, dtype=object))[code]
    cval = np.array([th.at[c, "value"] if c else np.nan for c in names], dtype=float)[code]
    cwin = np.array([th.at[c, "ref_end_year"] - th.at[c, "ref_start_year"] if c else np.nan for c in names],
                    dtype=float)[code]
    fits = has & (years >= cwin)
    sev[fits & (pace > cval + EPS)] = SEVERITY_WORDS.index("alert")

    proxy = (pt["peer_series"].to_numpy(dtype=object) != pt["indicator_id"].to_numpy(dtype=object))[at]
    yard = np.select([use_peer & ~proxy, use_peer, use_nat, fits], [0, 1, 2, 3], default=4)   # codes into YARDSTICKS
    judged = use_peer | use_nat | fits
    todo = np.flatnonzero(~judged)
    if len(todo):        # one sentence per distinct situation (peer group: indicator, level, length; small; metric)
        ufirst, scode = _distinct((at[todo].astype(np.int64) * 2 + small[todo]) * 2 + is_pp[todo])
        texts = []
        for k in todo[ufirst]:
            sm, pn, yr, ii, unk, cn, cw = small[k], peer_n[k], years[k], ind_names[ind_code[k]], unknown[k], names[code[k]], cwin[k]
            span = f"{yr} year{'s' if yr != 1 else ''}"
            bits = ([f"a count starting below {fmt(v['info_min_count_base'])} is judged only against the ceiling"] if sm
                    else [f"{int(pn)} peer windows of {span} (fewer than {min_n})"
                          + ("; the plan's region is not in regions.csv" if unk else ""),
                          f"no national series of ≤ {span} for {ii}"])
            bits.append(f"no ceiling for a {yr}-year window" if not isinstance(cn, str) else
                        f"the ceiling {cn} was measured over {int(cw)} years, longer than this {yr}-year segment")
            texts.append("not judged: " + "; ".join(bits))
        why[rows[todo]] = len(because) + scode
        because += texts

    # every column over all segments: a judged segment takes its own value (or its peer group's row of `pt`), any
    # other segment the column's empty value; words as codes into short tables, taken once
    group = np.full(n, len(pt))
    group[rows] = at
    with_peers = pt["peer_n"].to_numpy() > 0

    def per_row(values, empty=np.nan):
        values = np.asarray(values)
        out = np.full(n, empty, dtype=values.dtype)
        out[rows] = values
        return out

    def per_group(values, empty=np.nan):
        values = np.asarray(values)
        return np.append(values, np.array([empty], dtype=values.dtype))[group]

    def words_per_row(codes, vocabulary):             # code len(vocabulary), and any segment not judged: None
        return np.array([*vocabulary, None], dtype=object)[per_row(codes, len(vocabulary))]

    cols = {"judged": per_row(judged, False), "not_judged_because": np.array(because, dtype=object)[why],
            "yardstick": words_per_row(yard, schema.YARDSTICKS), "pace_judged": per_row(pace), "peer_series": per_group(
                np.where(with_peers, pt["peer_series"].to_numpy(dtype=object), None), None),
            "peer_n": per_row(peer_n.astype(float)), "peer_percentile": per_row(pct), "peer_p_info": per_row(p_info),
            **{f"peer_p{q}": per_group(pt[f"peer_p{q}"].to_numpy(dtype=float)) for q in (90, 95, 99)},
            "peer_max": per_row(peer_max), "peer_max_window": per_group(
                np.where(with_peers, pt["peer_max_window"].to_numpy(dtype=object), None), None),
            "national_max": per_group(nat_of_group["national_max"].astype(float)),
            "national_max_window": per_group(nat_of_group["national_max_window"].astype(object), None),
            "national_same_window": per_group(nat_of_group["national_same_window"].astype(float)),
            "ceiling": per_row(np.where(fits, cval, np.nan)), "ceiling_name": words_per_row(np.where(fits, code, len(names)), names),
            "severity": words_per_row(sev, SEVERITY_WORDS)}
    return pd.DataFrame({c: pd.Series(cols[c], dtype=object if cols[c].dtype == object else None, copy=False)
                         for c in JUDGEMENT_COLUMNS}, copy=False)


def robustness(pace: np.ndarray, threshold: np.ndarray, neighbours: list[np.ndarray], min_margin_pct: float):
    """(margin, robust): margin = pace / threshold; `robust` where the pace clears every neighbouring yardstick that
    exists (NaN = absent) and its own threshold by at least `min_margin_pct`, else `knife_edge`."""
    pace, threshold = np.asarray(pace, dtype=float), np.asarray(threshold, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where(threshold > 0, pace / threshold, np.nan)
    clears = np.ones(len(pace), dtype=bool)
    for nb in neighbours:
        nb = np.asarray(nb, dtype=float)
        clears &= ~(np.isfinite(nb) & (pace <= nb + EPS))
    ok = clears & (~np.isfinite(margin) | (margin >= 1 + min_margin_pct / 100.0))
    return margin, np.where(ok, "robust", "knife_edge").astype(object)


TOO_FAST_READS = IDENTITY + ["measure", "unit", "metric", "growth_unit", "years", "start_value", "end_value", "end_bound",
                             "new_per_year"]       # what too_fast reads of a segment


def too_fast(segments: pd.DataFrame, th: pd.DataFrame, judgement: pd.DataFrame) -> pd.DataFrame:
    """A flag per judged segment whose pace exceeds its yardstick (judge_paces), with peer percentile, margin and
    robustness against the neighbouring yardsticks."""
    fire = np.flatnonzero(~pd.isna(judgement["severity"].to_numpy(dtype=object)))
    if not len(fire):
        return _frame([])
    j = judgement[[c for c in judgement.columns if c not in ("judged", "not_judged_because")]].iloc[fire].reset_index(drop=True)
    s = segments[[c for c in segments.columns if c in TOO_FAST_READS]].iloc[fire].reset_index(drop=True)
    v = values(th)
    sev = j["severity"].to_numpy(dtype=object)
    pace = j["pace_judged"].to_numpy(dtype=float)
    peers = is_one_of(j["yardstick"].to_numpy(dtype=object), *PEER_YARDSTICKS)
    threshold = np.where(sev == "alert", j["ceiling"], np.where(
        sev == "warn", j["peer_max"], np.where(peers, j["peer_p_info"], j["national_max"]))).astype(float)
    neighbours = [j["peer_p90"].where(peers), j["peer_p95"].where(peers), j["peer_p99"].where(peers),
                  j["national_same_window"]]
    margin, robust = robustness(pace, threshold, neighbours, v["robust_min_margin_pct"])
    name = np.where(sev == "alert", j["ceiling_name"], np.where(
        sev == "warn", "peer_max", np.where(peers, "peer_info_percentile", "national_series"))).astype(object)
    phrase = _phrases(th)
    alert = sev == "alert"
    reference = np.where(peers, "regional_panel.csv (peer windows)", j["national_max_window"].astype(str)).astype(object)
    reference[alert] = _text_of(j["ceiling_name"].to_numpy(dtype=object)[alert],
                                collections.defaultdict(str, zip(th["name"], th["reference"])))   # "" if none
    # the sentences, column by column: every number formatted in bulk, each distinct word written once, then each
    # sentence filled in from its template in one call
    units = s["growth_unit"].to_numpy(dtype=object)
    word = np.array(["growth", "rise"], dtype=object)[(s["metric"].to_numpy(dtype=object) == "pp_per_year").astype(int)]
    least = np.array(["", "at least "], dtype=object)[(s["end_bound"].to_numpy(dtype=object) != "eq").astype(int)]
    start = fmt_each(s["start_value"])
    stock_needs = (s["measure"].to_numpy(dtype=object) == "count_stock") & np.isfinite(s["new_per_year"].to_numpy(dtype=float))
    needs = np.full(len(s), "", dtype=object)
    needs[stock_needs] = _fill("; it needs {} new entries a year on a base of {}",
                               fmt_each(s["new_per_year"].to_numpy(dtype=float)[stock_needs], 1), start[stock_needs])
    info_pct, min_n = fmt(v["peer_info_percentile"], 0), fmt(v["peer_min_n"])
    years = s["years"].to_numpy(dtype=object)
    year_text, plural = _text_of(years), np.where(years != 1, "s", "").astype(object)
    peer_n = j["peer_n"].to_numpy(dtype=float)
    lim = fmt_rate_each(threshold, units)
    clauses = np.empty(len(s), dtype=object)
    clauses[alert] = _fill(" exceeds {}, a pace over a window no longer than this segment",
                           _text_of(j["ceiling_name"].to_numpy(dtype=object)[alert], phrase), once=True)
    p = np.flatnonzero(~alert & peers)                 # set against comparable regions' windows
    proxy = np.full(len(p), "", dtype=object)
    by_proxy = j["yardstick"].to_numpy(dtype=object)[p] == PEER_YARDSTICKS[1]
    proxy[by_proxy] = _fill(" (windows of {}, standing in for {})",
                            _text_of(j["peer_series"].to_numpy(dtype=object)[p[by_proxy]]),
                            _text_of(s["indicator_id"].to_numpy(dtype=object)[p[by_proxy]]))
    where = _fill("{} {}-year windows of comparable regions in regional_panel.csv{}: percentile {}; the fastest was {} ({})",
                  _text_of(peer_n[p].astype(np.int64)), year_text[p], proxy,
                  fmt_each(j["peer_percentile"].to_numpy(dtype=float)[p], 0),
                  fmt_rate_each(j["peer_max"].to_numpy(dtype=float)[p], units[p]),
                  _text_of(j["peer_max_window"].to_numpy(dtype=object)[p]))
    warn = sev[p] == "warn"
    clauses[p[warn]] = _fill(" is above every one of the {}", where[warn])
    clauses[p[~warn]] = _fill(" is above the " + info_pct + "th percentile ({}) of the {}", lim[p[~warn]], where[~warn])
    nat = np.flatnonzero(~alert & ~peers)              # set against the national series
    clauses[nat] = _fill(" exceeds the fastest national window of at most {} year{} of the same series in the reference "
                         "table, {}: {}; only {} comparable regional windows of {} year{} exist (fewer than " + min_n +
                         "), and a nation moves more slowly than a district or city, so this is informative only",
                         year_text[nat], plural[nat], _text_of(j["national_max_window"].to_numpy(dtype=object)[nat]),
                         lim[nat], _text_of(peer_n[nat].astype(np.int64)), year_text[nat], plural[nat], once=True)
    reasons = _fill("Implied {} of {}{} ({} → {}, {}–{}){}{}.", word, least, fmt_rate_each(pace, units), start,
                    with_unit_each(s["end_value"], s["unit"]), *_texts(s, "start_year", "end_year"), clauses, needs)
    out = _flag_frame(s, "too_fast", sev, "too_fast", s["metric"], pace, threshold, name, reference, reasons)
    return out.assign(yardstick=j["yardstick"].to_numpy(dtype=object), peer_n=j["peer_n"].to_numpy(dtype=float),
                      peer_percentile=j["peer_percentile"].to_numpy(dtype=float),
                      peer_max=j["peer_max"].to_numpy(dtype=float),
                      peer_max_window=j["peer_max_window"].to_numpy(dtype=object), margin=margin, robust=robust)



# ---------------------------------------------------------------- too slow, backwards, impossible
def _is_cumulative(zh: str, en: str) -> bool:
    return "累计" in str(zh) or "cumulative" in str(en).lower()


def declines(segments: pd.DataFrame, judged: np.ndarray | None = None) -> pd.DataFrame:
    """stock_falls (a cumulative count that falls, from any start) and target_backwards (a later target below an
    earlier one). A target below an actual is already_met_when_set (too_slow)."""
    rows = judged if judged is not None else _judged(segments)
    s = segments.iloc[rows[_at(segments, "end_value", rows) < _at(segments, "start_value", rows) - EPS]]
    cumulative = np.array([_is_cumulative(z, e) for z, e in zip(s["indicator_zh"], s["indicator_en"])], dtype=bool)
    cumulative &= s["measure"].to_numpy() == "count_stock"
    keep = (cumulative | (s["start_kind"].to_numpy() == "target")) & (s["measure"].to_numpy() != "rank")  # rank: down is up
    s, cumulative = s[keep], cumulative[keep]
    rule, severity, direction, reasons = [], [], [], []
    for r, cum in zip(_records(s), cumulative):
        growth = fmt_rate(r.growth, r.growth_unit) if math.isfinite(r.growth) else "a decline"
        pair = (f"{_with_unit(r.end_value, r.unit)} for {r.end_year} against {_with_unit(r.start_value, r.unit)} "
                f"({r.start_kind}) for {r.start_year}")
        if cum:
            reasons.append(f"The stock target falls: {pair} ({growth}); a cumulative count (累计) cannot fall.")
            flag = ("stock_falls", "alert", "impossible")
        else:
            reasons.append(f"The yearly targets go backwards: {pair} ({growth}).")
            flag = ("target_backwards", "warn", "inconsistent")
        rule.append(flag[0])
        severity.append(flag[1])
        direction.append(flag[2])
    return _flag_frame(s, rule, severity, direction, s["metric"], s["growth"], 0.0, None, INTERNAL, reasons)


def share_above_100(obs: pd.DataFrame) -> pd.DataFrame:
    """A share target whose least allowed value (the low end of a range) is above 100 %."""
    rows = np.flatnonzero((obs["value"].to_numpy(dtype=float) > 100) | (obs["value_low"].to_numpy(dtype=float) > 100))
    o = obs.iloc[rows[obs["measure"].to_numpy()[rows] == "share"]]             # shares above 100: few
    target = o["kind"].to_numpy() == "target"
    low = np.where(o["bound"].to_numpy() == "range", o["value_low"].to_numpy(dtype=float), o["value"].to_numpy(dtype=float))
    o = _as_points(o.iloc[np.flatnonzero(target & (low > 100))])
    reasons = [f"A share cannot exceed 100 %, but the target for {r.year} is {fmt(r.value)}%." for r in _records(o)]
    return _flag_frame(o, "share_above_100", "alert", "impossible", "share", o["value"], 100.0, None,
                       "definition of a share (0–100 %)", reasons)


def _as_points(o: pd.DataFrame, start_year: str = "year", end_year: str = "year") -> pd.DataFrame:
    """Observation rows seen as segments (for rules judging single numbers): start_year and end_year columns."""
    return o.assign(start_year=o[start_year].to_numpy(dtype=np.int64), end_year=o[end_year].to_numpy(dtype=np.int64))


# ---------------------------------------------------------------- too slow: what was known when the plan was set
def _date_bounds(text: str) -> tuple[str, str]:
    """(earliest, latest) ISO day a date written as YYYY, YYYY-MM or YYYY-MM-DD can mean; ('', '') if unreadable."""
    t = str(text or "").strip()[:10]
    if len(t) >= 4 and t[:4].isdigit():
        y = t[:4]
        if len(t) >= 7 and t[5:7].isdigit():
            m = t[5:7]
            if len(t) == 10 and t[8:10].isdigit():
                return t, t
            return f"{y}-{m}-01", f"{y}-{m}-31"
        return f"{y}-01-01", f"{y}-12-31"
    return "", ""


def pre_plan_actuals(obs: pd.DataFrame, published: pd.DataFrame | None, sources: dict) -> pd.DataFrame:
    """The actuals of each source's region and indicators for years before the plan's year: the document's own
    (known when set by definition) and published ones, with `known`: 'document', 'published before the plan'
    (published_date before the plan's date) or 'published later' (hindsight: the figure describes a pre-plan year,
    but the page we cite appeared after the plan)."""
    cols = ["source_id", "indicator_id", "year", "value", "known", "published_date", "citation"]
    doc = np.flatnonzero(obs["kind"].to_numpy() == "actual")
    source = obs["source_id"].to_numpy()[doc]
    parts = [pd.DataFrame({"source_id": source, "indicator_id": obs["indicator_id"].to_numpy()[doc],
                           "year": obs["year"].to_numpy(dtype=np.int64)[doc], "value": obs["value"].to_numpy(dtype=float)[doc],
                           "known": "document", "published_date": "",
                           "citation": _citations(source, obs["line"].to_numpy()[doc])})]
    if published is not None and len(published) and sources:
        wanted = obs[["source_id", "indicator_id"]].drop_duplicates()
        for sid, src in sources.items():
            p = published[(published["region"] == src.region).to_numpy() & (published["year"] < src.year).to_numpy()]
            p = p.merge(wanted[wanted["source_id"] == sid], on="indicator_id")
            if p.empty:
                continue
            plan_first, _ = _date_bounds(src.date)
            late = np.array([_date_bounds(d)[1] for d in p["published_date"].fillna("")], dtype=object)
            before = (late != "") & (late < plan_first)
            parts.append(pd.DataFrame({
                "source_id": sid, "indicator_id": p["indicator_id"].to_numpy(), "year": p["year"].to_numpy(dtype=np.int64),
                "value": p["value"].to_numpy(dtype=float),
                "known": np.where(before, "published before the plan", "published later"),
                "published_date": p["published_date"].fillna("").to_numpy(dtype=object),
                "citation": (p["source"].astype(str) + np.where(p["line"].notna(), "", "")).to_numpy(dtype=object)}))
    out = pd.concat(parts, ignore_index=True)[cols] if len(parts) > 1 else parts[0][cols]
    if out.empty:
        return out.reset_index(drop=True)
    # sorted by source, indicator, year and how it was known (integer codes that sort as the words do); the first
    # of each (source, indicator, year) kept
    src_code, src_rank, _ = _ranked_codes(out["source_id"].to_numpy())
    ind_code, ind_rank, _ = _ranked_codes(out["indicator_id"].to_numpy())
    year = out["year"].to_numpy(dtype=np.int64)
    how = codes_of(out["known"], ("document", "published before the plan", "published later")).astype(np.int64) % 4
    path = src_rank[src_code] * len(ind_rank) + ind_rank[ind_code]
    y0, span = (year.min(), year.max() - year.min() + 1) if len(year) else (0, 1)
    order = np.argsort(((path * span) + year - y0) * 4 + how, kind="stable")
    key = path[order] * span + year[order]
    return out.iloc[order[np.r_[True, key[1:] != key[:-1]]]].reset_index(drop=True)


def _citations(source: np.ndarray, line: np.ndarray) -> np.ndarray:
    """'<source_id> line <line>' per row (each distinct pair written once)."""
    s_code, s_names = pd.factorize(source)
    l_code, l_names = pd.factorize(line)
    pair, distinct = pd.factorize(s_code.astype(np.int64) * len(l_names) + l_code)
    return np.array([f"{s_names[p // len(l_names)]} line {l_names[p % len(l_names)]}" for p in distinct],
                    dtype=object)[pair]


def too_slow(obs: pd.DataFrame, known: pd.DataFrame, th: pd.DataFrame, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """already_met_when_set: the first target after the latest pre-plan actual is at or below it.
    too_slow: that target's pace from the latest pre-plan actual is below too_slow_ratio_info × the pace realised
    over the pre-plan years (from the earliest actual within too_slow_lookback_years of the latest).
    `points`: path_points(obs), when the caller has it."""
    if known.empty:
        return _frame([])
    v = values(th)
    pts = points if points is not None else path_points(obs)
    tpos, t_src, t_ind, tpoint = _path_targets(pts)
    # one integer per (source, indicator) path: the joins and sorts below run on it (a panel has a million targets)
    sources, indicators = pd.Index(pd.unique(known["source_id"])), pd.Index(pd.unique(known["indicator_id"]))

    def path_code(s, i):
        return np.where((s >= 0) & (i >= 0), s.astype(np.int64) * len(indicators) + i, -1)

    k_key = path_code(_positions(sources, known["source_id"].to_numpy()), _positions(indicators, known["indicator_id"].to_numpy()))
    k_year = known["year"].to_numpy(dtype=np.int64)
    t_key = path_code(_positions(sources, pts["source"].cat.categories.to_numpy(dtype=object))[t_src],
                      _positions(indicators, pts["indicator"].cat.categories.to_numpy(dtype=object))[t_ind])
    t_year = obs["year"].to_numpy(dtype=np.int64)[tpos]
    if not len(tpos):
        return _frame([])
    # the latest known actual of each path (its last row in `known`), and the first target after it
    latest = np.where(t_key >= 0, _last_match(k_key, t_key), -1)
    after = np.flatnonzero((latest >= 0) & (t_year > k_year[np.maximum(latest, 0)]))
    after = after[np.argsort(t_key[after] * (t_year.max() - t_year.min() + 1) + t_year[after] - t_year.min(), kind="stable")]
    first = after[np.r_[True, t_key[after][1:] != t_key[after][:-1]]] if len(after) else after
    if not len(first):
        return _frame([])
    m_key, a_row = t_key[first], latest[first]
    a_year = k_year[a_row]
    # the realised pre-plan pace: earliest actual within the look-back → latest
    m_of = np.searchsorted(m_key, k_key).clip(0, len(m_key) - 1)               # m_key is sorted: each known row's path
    mine = (m_key[m_of] == k_key) & (k_key >= 0)
    window = np.flatnonzero(mine & (k_year < a_year[m_of]) & (k_year >= a_year[m_of] - v["too_slow_lookback_years"]))
    window = window[np.argsort(m_of[window] * (k_year.max() - k_year.min() + 1) + k_year[window] - k_year.min(), kind="stable")]
    earliest = window[np.r_[True, m_of[window][1:] != m_of[window][:-1]]] if len(window) else window
    h_row = np.full(len(first), -1)
    h_row[m_of[earliest]] = earliest

    # the numbers of the first targets after the latest actual, and of the actuals before them (`known`)
    t_rows, t_pts = tpos[first], tpoint[first]
    value = pts["value"].to_numpy()[t_pts]
    measure = pts["measure"].array.take(t_pts)
    low, _ = bound_interval(value, pts["value_low"].to_numpy()[t_pts], pts["bound"].array.take(t_pts), measure,
                            v["approx_band_pct"])
    known_value = known["value"].to_numpy(dtype=float)
    a_value, h_value = known_value[a_row], np.where(h_row >= 0, known_value[h_row], np.nan)
    h_year = np.where(h_row >= 0, k_year[h_row], np.nan)
    share = is_one_of(measure, "share")                # pp per year; else compound growth
    g_target = _rate(a_value, low, t_year[first] - a_year, ~share, True)
    g_pre = _rate(h_value, a_value, a_year - h_year, ~share, True)
    met = low <= a_value + EPS
    slow = ~met & (g_pre > 0) & (g_target < v["too_slow_ratio_info"] * g_pre - EPS)
    # a target to go down to (a rank, where lower is better; a ≤ or < bound) is not judged by a rule written for
    # targets that go up: 由第18位提升到前15位 is a rise, not a target already met
    upward = ~(is_one_of(measure, "rank") | is_one_of(pts["bound"].array.take(t_pts), "le", "lt"))
    # the frame of the targets that fire only: text from obs, the actuals from `known`
    pick = np.flatnonzero((met | slow) & upward)
    t = obs[["source_id", "region", "indicator_id", "indicator_zh", "measure", "unit", "year", "value",
             "bound"]].iloc[t_rows[pick]].reset_index(drop=True)
    t.insert(t.columns.get_loc("value") + 1, "low", low[pick])
    t.insert(0, "path_key", m_key[pick])
    kn = known[["year", "value", "known", "published_date", "citation"]].reset_index(drop=True)
    a = kn.iloc[a_row[pick]].reset_index(drop=True).set_axis(["a_year", "a_value", "a_known", "a_date", "a_cite"], axis=1)
    h = kn.drop(columns="citation").reindex(h_row[pick]).reset_index(drop=True).set_axis(
        ["h_year", "h_value", "h_known", "h_date"], axis=1)
    metric = np.array(["cagr", "pp_per_year"], dtype=object)[share[pick].astype(np.int8)]
    m = pd.concat([t, a, h], axis=1).assign(metric=metric, g_target=g_target[pick], g_pre=g_pre[pick])
    hindsight = is_one_of(m["a_known"].to_numpy(dtype=object), "published later") | is_one_of(
        m["h_known"].to_numpy(dtype=object), "published later")
    met, slow = met[pick], slow[pick]
    frames = []

    def when(a_date, h_date, a_known, h_known) -> str:
        dates = sorted({d for d in (a_date, h_date) if isinstance(d, str) and d})
        if a_known == "published later" or h_known == "published later":
            return (f"; the figures we cite were published {', '.join(dates) or 'on an unknown date'}, after the plan "
                    "was set, so this is hindsight, not proof that the authors knew")
        if a_known == "document" and (not isinstance(h_known, str) or h_known == "document"):
            return "; the plan itself states these figures"
        return f"; published {', '.join(dates)}, before the plan"

    def openings(f: pd.DataFrame) -> tuple[list, list, list]:
        """'The target for <year> (<bound><value>)', the latest actual with its unit, and when it was known."""
        target = [f"The target for {y} ({_bound_word(b)}{t})" for y, b, t in
                  zip(*_columns(f, "year", "bound"), with_unit_each(f["value"], f["unit"]))]
        return (target, with_unit_each(f["a_value"], f["unit"]),
                _once_each(when, *_columns(f, "a_date", "h_date", "a_known", "h_known")))

    a = m[met]
    if len(a):
        aw = np.where(hindsight[met], "info", "warn").astype(object)
        reasons = [f"{t} is at or below the {av} already reached in {y}: it was met when it was set{w}."
                   for t, av, w, y in zip(*openings(a), a["a_year"].to_numpy(dtype=object))]
        frames.append(_flag_frame(_as_points(a, "a_year", "year"), "already_met_when_set", aw, "too_slow", a["metric"],
                                  a["low"], a["a_value"], None, a["a_cite"], reasons))
    s = m[slow]
    if len(s):
        ratio = (s["g_target"] / s["g_pre"]).to_numpy()
        sw = np.where(~hindsight[slow] & (ratio < v["too_slow_ratio_warn"] - EPS), "warn", "info").astype(object)
        threshold = (s["g_pre"] * v["too_slow_ratio_info"]).to_numpy()
        units = s["metric"].map({"pp_per_year": "pp/yr", "cagr": "%/yr"}).to_numpy(dtype=object)
        reasons = [f"{t} implies {gt} from {av} in {y}, {q} of the {gp} realised {int(hy)}–{y} ({hv} → {a0}): "
                   f"far below the pre-plan pace{w}."
                   for t, av, w, y, gt, q, gp, hy, hv, a0 in zip(
                       *openings(s), *_columns(s, "a_year"), fmt_rate_each(s["g_target"], units), fmt_each(ratio, 2),
                       fmt_rate_each(s["g_pre"], units), s["h_year"].to_numpy(dtype=object), fmt_each(s["h_value"]),
                       fmt_each(s["a_value"]))]
        frames.append(_flag_frame(_as_points(s, "a_year", "year"), "too_slow", sw, "too_slow", s["metric"],
                                  s["g_target"], threshold, "too_slow_ratio_info", s["a_cite"], reasons))
    return pd.concat(frames, ignore_index=True) if frames else _frame([])


BOUND_WORDS = {"ge": "at least ", "gt": "more than ", "approx": "about ", "range": "up to "}


def _bound_word(bound: str) -> str:
    return BOUND_WORDS.get(str(bound), "")


# ---------------------------------------------------------------- internal consistency
LINK_COLUMNS = ["source_id", "region", "indicator_id", "indicator_zh", "measure", "unit", "year", "value", "kind",
                "bound", "value_low"]         # what the link rules read of an observation


def _of_indicators(obs: pd.DataFrame, ids) -> pd.DataFrame:
    """The observations of the given indicators (the few a link rule reads, out of a possibly national panel), with
    the columns the link rules read."""
    rows = np.flatnonzero(is_one_of(obs["indicator_id"].to_numpy(dtype=object), *pd.unique(np.asarray(ids, dtype=object)),
                                    in_runs=True))
    return obs[[c for c in obs.columns if c in LINK_COLUMNS]].iloc[rows]


def rate_vs_levels(obs: pd.DataFrame, links: pd.DataFrame, th: pd.DataFrame) -> pd.DataFrame:
    """A stated growth-rate target against the level path of the indicator it describes (same source): the level's
    first point to its point at (or last before) the rate's year. Both are intervals (a floor is [v, ∞), about is
    v ± approx_band_pct, a range its ends): the rates the levels allow, [rate(start_high → end_low),
    rate(start_low → end_high)], against the rates the statement allows. Only intervals that do not meet fire, by the
    gap between them: info within rounding (rate_consistency_warn_*), warn beyond."""
    rates = obs[obs["measure"].to_numpy() == "growth_rate"]
    lk = links[links["relation"] == "rate_of"][["indicator_id", "of_indicator_id"]]
    if rates.empty or lk.empty:
        return _frame([])
    band = th.at["approx_band_pct", "value"]
    r = rates.merge(lk, on="indicator_id")
    lv = _of_indicators(obs, lk["of_indicator_id"])
    lv = lv[lv["measure"].to_numpy() != "growth_rate"]
    lo, hi = bound_interval(lv["value"], lv["value_low"], lv["bound"], lv["measure"], band)
    lv = lv.assign(lo=lo, hi=hi)[["source_id", "indicator_id", "indicator_zh", "year", "kind", "value", "unit", "bound",
                                  "lo", "hi"]]
    m = r.merge(lv, left_on=["source_id", "of_indicator_id"], right_on=["source_id", "indicator_id"], suffixes=("", "_lv"))
    m = m[m["year_lv"] <= m["year"]].sort_values(["source_id", "indicator_id", "year", "year_lv", "kind_lv"])
    key = ["source_id", "indicator_id", "year"]
    first = m.drop_duplicates(key, keep="first")
    last = m.drop_duplicates(key, keep="last")[key + ["year_lv", "value_lv", "unit_lv", "indicator_zh_lv", "bound_lv",
                                                      "lo", "hi"]]
    j = first.merge(last, on=key, suffixes=("_s", "_e"))
    j = j[(j["year_lv_e"] > j["year_lv_s"]).to_numpy()]
    if j.empty:
        return _frame([])
    pp = (j["unit"] == "百分点").to_numpy()
    metric = np.where(pp, "pp_per_year", "cagr").astype(object)
    years = (j["year_lv_e"] - j["year_lv_s"]).to_numpy(dtype=float)
    implied = annual_rate(j["value_lv_s"], j["value_lv_e"], years, metric)
    imp_lo = annual_rate(j["hi_s"], j["lo_e"], years, metric)
    imp_hi = np.where(np.isinf(j["hi_e"]), np.inf, annual_rate(j["lo_s"], j["hi_e"], years, metric))
    imp_lo = np.where(np.isfinite(imp_lo), imp_lo, -np.inf)         # an unbounded start allows any pace from below
    st_lo, st_hi = bound_interval(j["value"], j["value_low"], j["bound"], np.full(len(j), "growth_rate"), band)
    stated = j["value"].to_numpy(dtype=float)
    gap = np.maximum.reduce([imp_lo - st_hi, st_lo - imp_hi, np.zeros(len(j))])
    fires = np.isfinite(implied) & (gap > EPS)
    tol_name = np.where(pp, "rate_consistency_warn_pp", "rate_consistency_warn_cagr")
    tol = np.where(pp, th.at["rate_consistency_warn_pp", "value"], th.at["rate_consistency_warn_cagr", "value"])
    at_rate = np.where(pp, j["value_lv_s"] + stated * years, j["value_lv_s"] * (1 + stated / 100.0) ** years)
    i = np.flatnonzero(fires)
    j = _as_points(j.iloc[i], start_year="year_lv_s", end_year="year_lv_e")
    reasons = []
    for e, is_pp, st, lo_, hi_, g, at in zip(_records(j), pp[i], stated[i], imp_lo[i], imp_hi[i], gap[i], at_rate[i]):
        unit = "pp/yr" if is_pp else "%/yr"
        allowed = (f"at least {fmt_rate(lo_, unit)}" if not np.isfinite(hi_) else
                   f"{fmt_rate(lo_, unit)}" if abs(hi_ - lo_) < EPS else f"{fmt_rate(lo_, unit)} to {fmt_rate(hi_, unit)}")
        reasons.append(
            f"The document states {'a rise of' if is_pp else 'growth of'} {_bound_word(e.bound)}{fmt_rate(st, unit)} for "
            f"{e.indicator_zh_lv_e} to {int(e.year)}, but its level figures {fmt(e.value_lv_s)} → "
            f"{_bound_word(e.bound_lv_e)}{_with_unit(e.value_lv_e, e.unit_lv_e)} ({int(e.year_lv_s)}–{int(e.year_lv_e)}) allow "
            f"{allowed}: the two statements miss each other by {fmt_rate(g, unit)}; at the stated rate the "
            f"{int(e.year_lv_e)} level would be {fmt(at, 2)}{_unit(e.unit_lv_e)}.")
    severity = np.where(gap[i] > tol[i] + EPS, "warn", "info").astype(object)
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
    rows = rows[is_one_of(_at(segments, "indicator_id", rows), *lk["of_indicator_id"], in_runs=True)]
    st = segments.iloc[rows[_at(segments, "measure", rows) == "count_stock"]].merge(
        lk.rename(columns={"indicator_id": "flow_id", "of_indicator_id": "indicator_id"}), on="indicator_id")
    if st.empty:
        return _frame([])
    o = _of_indicators(obs, lk["indicator_id"])
    _, hi = bound_interval(o["value"], o["value_low"], o["bound"], o["measure"], th.at["approx_band_pct", "value"])
    o = o.assign(hi=hi)
    fl = o[["source_id", "indicator_id", "indicator_zh", "year", "kind", "hi"]].rename(
        columns={"indicator_id": "flow_id", "indicator_zh": "flow_zh", "year": "flow_year", "kind": "flow_kind"})
    key = ["source_id", "indicator_id", "start_year", "end_year"]
    m = st[key + ["flow_id"]].merge(fl, on=["source_id", "flow_id"])          # the keys only: each segment × flow year
    m = m[(m["flow_year"] > m["start_year"]) & (m["flow_year"] <= m["end_year"])]
    m = m.sort_values(["flow_year", "flow_kind"]).drop_duplicates(key + ["flow_year"], keep="last")
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


def stock_change_vs_flow(obs: pd.DataFrame, links: pd.DataFrame, th: pd.DataFrame) -> pd.DataFrame:
    """A total of new entries stated for the plan period (period_flow_of) against the rise of the stock it feeds,
    from the stock's last point before the period to its target at the period's end: fires (info) when the entries
    are short of the rise by more than flow_stock_tolerance_pct (the rest would have to come from elsewhere)."""
    lk = links[links["relation"] == "period_flow_of"][["indicator_id", "of_indicator_id"]]
    if lk.empty:
        return _frame([])
    o = _of_indicators(obs, np.r_[lk["indicator_id"].to_numpy(), lk["of_indicator_id"].to_numpy()])
    flow = o.merge(lk, on="indicator_id")[["source_id", "region", "indicator_id", "indicator_zh", "year", "value", "unit",
                                          "of_indicator_id"]]
    stock = o[["source_id", "indicator_id", "indicator_zh", "year", "value"]].rename(
        columns={"indicator_id": "of_indicator_id", "indicator_zh": "stock_zh", "year": "s_year", "value": "s_value"})
    m = flow.merge(stock, on=["source_id", "of_indicator_id"])
    end = m[m["s_year"] == m["year"]].rename(columns={"s_value": "e_value"})[["source_id", "indicator_id", "year", "e_value"]]
    base = m[m["s_year"] < m["year"]].sort_values("s_year").drop_duplicates(["source_id", "indicator_id", "year"], keep="last")
    j = base.merge(end, on=["source_id", "indicator_id", "year"])
    if j.empty:
        return _frame([])
    rise = (j["e_value"] - j["s_value"]).to_numpy(dtype=float)
    tol = th.at["flow_stock_tolerance_pct", "value"] / 100.0
    j = j.assign(rise=rise)[(rise > 0) & (j["value"].to_numpy(dtype=float) < rise * (1 - tol))]
    reasons = [f"The stock {r.stock_zh} is to rise by {fmt(r.rise)} {r.unit} ({fmt(r.s_value)} in {r.s_year} → "
               f"{fmt(r.e_value)} in {r.year}), but the new entries stated for the period ({r.indicator_zh}) are only "
               f"{_with_unit(r.value, r.unit)}: the rest would have to come from elsewhere." for r in _records(j)]
    return _flag_frame(_as_points(j, "s_year", "year"), "stock_change_vs_flow", "info", "inconsistent", "new_entries",
                       j["value"], j["rise"] * (1 - tol), "flow_stock_tolerance_pct", INTERNAL, reasons)


# ---------------------------------------------------------------- across levels
ESCALATION_COLUMNS = schema.columns("escalation")


def ancestors(regions: pd.DataFrame) -> pd.DataFrame:
    """(region, ancestor, ancestor_level, steps): every region above each region, walking regions.csv's parents
    (district → city → province → nation)."""
    parent, level = dict(zip(regions["region"].tolist(), regions["parent"].tolist())), plan_levels(regions)
    rows = []
    for r in regions["region"]:
        seen, p, steps = {r}, parent.get(r, ""), 1
        while p and p not in seen:
            rows.append((r, p, level.get(p, ""), steps))
            seen.add(p)
            p, steps = parent.get(p, ""), steps + 1
    return pd.DataFrame(rows, columns=["region", "ancestor", "ancestor_level", "steps"])


def _join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inner join of two integer key arrays: (left positions, right positions) of every matching pair, in left order
    and, within one left key, in right order (as pandas' merge gives them). Hashes the right keys once."""
    r_code, r_keys = pd.factorize(right)
    r_order = np.argsort(r_code, kind="stable")                 # right positions grouped by key, in right order
    count = np.bincount(r_code, minlength=len(r_keys))
    start = np.cumsum(count) - count
    l_code = pd.Index(r_keys).get_indexer(left)
    n = np.r_[count, 0][l_code]                                # -1 (no match): none
    li = np.repeat(np.arange(len(left)), n)
    offset = np.arange(len(li)) - np.repeat(np.cumsum(n) - n, n)
    return li, r_order[start[l_code[li]] + offset]


def _last_match(keys: np.ndarray, lookup: np.ndarray) -> np.ndarray:
    """For each of `lookup`: the position of the last equal element of `keys` (-1 where none)."""
    if not len(keys):
        return np.full(len(lookup), -1)
    order = np.argsort(keys, kind="stable")
    pos = np.searchsorted(keys[order], lookup, side="right") - 1
    found = (pos >= 0) & (keys[order][np.maximum(pos, 0)] == lookup)
    return np.where(found, order[np.maximum(pos, 0)], -1)


def _positions(index: pd.Index, words) -> np.ndarray:
    """index.get_indexer(words) (-1 where absent), each run of equal neighbours looked up once (run_codes)."""
    code, distinct = run_codes(words)
    return np.r_[index.get_indexer(distinct), -1][code]


def _path_targets(points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(rows, source, indicator, point) of the targets on indicator paths (path_points): their rows in the
    observations, in the observations' order, their source and indicator codes (the points' sorted categories), and
    their positions in `points`."""
    t = np.flatnonzero(~points["actual"].to_numpy())
    row = points["row"].to_numpy()[t]
    if len(t) and (row[1:] < row[:-1]).any():        # points come in the observations' order when obs is sorted
        t = t[np.argsort(row, kind="stable")]
    return (points["row"].to_numpy()[t], points["source"].cat.codes.to_numpy()[t].astype(np.int64),
            points["indicator"].cat.codes.to_numpy()[t].astype(np.int64), t)


def judged_rows(segments: pd.DataFrame, points: pd.DataFrame | None = None) -> np.ndarray:
    """Positions (in `segments`) of the segments the rules judge: steps that end in a target. With `points`
    (path_points of the same observations) found from the points, without reading the words, when `segments` is
    laid out as segments() gives it (growth.step_rows)."""
    steps = step_rows(points, segments) if points is not None else None
    if steps is None:
        return _judged(segments)
    return steps[~points["actual"].to_numpy() & (steps >= 0)]


def _step_at_targets(points: pd.DataFrame, steps: np.ndarray, at: np.ndarray) -> np.ndarray:
    """For points `at` (targets): the row of the step ending at the last point of the same path and year (-1: none),
    as the rules read a target's growth (growth.step_rows gives `steps`)."""
    g, y = points["group"].to_numpy(), points["year"].to_numpy()
    last = np.r_[(g[1:] != g[:-1]) | (y[1:] != y[:-1]), True] if len(g) else np.zeros(0, dtype=bool)
    run = np.cumsum(np.r_[True, last[:-1]]) - 1 if len(g) else np.zeros(0, dtype=np.int64)
    return steps[np.flatnonzero(last)[run[at]]]


def _ranked_codes(words) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """(code, rank, distinct): each word's code (its position in `distinct`; -1 if missing) and each distinct word's
    rank in sorted order (rank[code] sorts as the text does, a missing word last), sorting only the distinct words."""
    code, distinct = run_codes(words)
    rank = np.empty(len(distinct) + 1, dtype=np.int64)
    rank[np.argsort(np.asarray(distinct, dtype=object), kind="stable")] = np.arange(len(distinct))
    rank[-1] = len(distinct)
    return code.astype(np.int64), rank, pd.Index(distinct, dtype=object)


def escalation_table(obs: pd.DataFrame, segments: pd.DataFrame, regions: pd.DataFrame, plan_years: dict | None = None,
                     max_gap: float = 2.0, judged: np.ndarray | None = None,
                     points: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every pair of a plan and a plan of a region above it (the whole chain of regions.csv) that target the same
    indicator, in the same unit, for the same year: both targets (the level comparison, for single-point targets
    too), the implied growth of each one's step ending there, and, for plans of the same vintage (dates within
    `max_gap` years; `plan_years`: source → year), the growth gap. Pairs of different vintages are context only
    (`comparison`). Joins and the sort run on integer codes (a national panel has a million targets); each column
    is taken once, in the final order. `judged` (_judged) and `points` (path_points): when the caller has them."""
    pts = points if points is not None else path_points(obs)
    tpos, src_code, ind_code, tpoint = _path_targets(pts)
    step_of_point = step_rows(pts, segments)
    if not len(tpos):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ESCALATION_COLUMNS})
    # every target as integer codes: its region, source and indicator (codes that sort as the text does), unit, year
    region, names = run_codes(obs["region"].to_numpy(dtype=object)[tpos])
    src_names, ind_names = (pd.Index(pts[c].cat.categories, dtype=object) for c in ("source", "indicator"))
    src_rank, ind_rank = src_code, ind_code
    unit_code, _ = run_codes(obs["unit"].to_numpy()[tpos])
    year = obs["year"].to_numpy(dtype=np.int64)[tpos]
    what = ((ind_code * (unit_code.max() + 1) + unit_code) * 10000 + year % 10000)        # indicator×unit×year
    n_names = len(names) + 1
    # the lower plan's targets, once per region above its own, joined to the higher plan's targets on that region
    anc = ancestors(regions)
    names = pd.Index(names)
    a_reg, a_up = (names.get_indexer(anc[c].to_numpy(dtype=object)) for c in ("region", "ancestor"))
    li, ai = _join(region, a_reg)                    # (target, one of its region's ancestors), in merge order
    above = a_up[ai] >= 0                            # an ancestor without targets of its own pairs with nothing
    li, ai = li[above], ai[above]
    is_above = np.zeros(n_names, dtype=bool)
    is_above[a_up[a_up >= 0]] = True
    high = np.flatnonzero(is_above[region])          # only targets of a region above another can be the higher plan
    pl, hj = _join(what[li] * n_names + a_up[ai], what[high] * n_names + region[high])
    i, j, steps = li[pl], high[hj], anc["steps"].to_numpy()[ai[pl]]
    keep = src_code[i] != src_code[j]
    i, j, steps = i[keep], j[keep], steps[keep]
    if not len(i):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ESCALATION_COLUMNS})
    key = ((((src_rank[i] * (ind_rank.max() + 1) + ind_rank[i]) * (year.max() - year.min() + 1) + year[i] - year.min())
            * (steps.max() + 1) + steps) * (src_rank.max() + 1) + src_rank[j])
    order = np.argsort(key, kind="stable")           # by source, indicator, year, steps up, related source
    i, j, steps = i[order], j[order], steps[order]

    # the step ending at each target (its growth): the last step of its path ending in its year
    if step_of_point is not None:                    # segments as segments() lays them out: found by position
        step = _step_at_targets(pts, step_of_point, tpoint)
    else:                                            # else by (source, indicator, year) on integer codes
        rows = judged if judged is not None else _judged(segments)
        s_src, s_ind = (_positions(names_, segments[c].to_numpy()[rows])
                        for names_, c in ((src_names, "source_id"), (ind_names, "indicator_id")))
        width = ind_code.max() + 2
        s_key = ((s_src.astype(np.int64) * width + s_ind) * 10000
                 + segments["end_year"].to_numpy(dtype=np.int64)[rows] % 10000)
        found = _last_match(s_key, (src_code * width + ind_code) * 10000 + year % 10000)
        step = np.r_[rows, -1][found]                # found -1 (no step): -1
    # each pair's two targets: their rows in obs and the steps ending at them (-1: none)
    obs_i, obs_j, step_i, step_j = tpos[i], tpos[j], step[i], step[j]

    def seg_col(col, at):
        return pd.api.extensions.take(segments[col].to_numpy(dtype=object), at, allow_fill=True, fill_value=None)

    def seg_num(col, at):
        return pd.api.extensions.take(segments[col].to_numpy(dtype=float, na_value=np.nan), at, allow_fill=True)

    def seg_int(col, at):
        return segments[col].astype("Int64").array.take(at, allow_fill=True)

    def o(col, at):
        return obs[col].to_numpy(dtype=object)[at]

    src_year = pd.Series(plan_years or {}, dtype=float).reindex(src_names).to_numpy(dtype=float)   # per source code
    gap = np.abs(src_year[src_code[i]] - src_year[src_code[j]])
    same = np.isfinite(gap) & (gap <= max_gap + EPS)
    metric, parent_metric = seg_col("metric", step_i), seg_col("metric", step_j)
    growth, parent_growth = seg_num("growth", step_i), seg_num("growth", step_j)
    comparable = same & (metric == parent_metric) & (step_i >= 0) & (step_j >= 0)
    inverse, gaps = pd.factorize(np.where(np.isfinite(gap), gap, -1.0))
    words = np.array(["context only: a plan's date is unknown" if g < 0 else
                      ("same vintage: growth compared" if g <= max_gap + EPS else f"context only: plans {g:g} years apart")
                      for g in gaps], dtype=object)
    value = obs["value"].to_numpy(dtype=float)
    level_of = plan_levels(regions)
    cols = {"source_id": o("source_id", obs_i), "region": o("region", obs_i), "related_source_id": o("source_id", obs_j),
            "parent_region": names.to_numpy(dtype=object)[region[j]],
            "parent_level": pd.Series(names).map(level_of).to_numpy(dtype=object)[region[j]],
            "indicator_id": o("indicator_id", obs_i), "indicator_zh": o("indicator_zh", obs_i),
            "measure": o("measure", obs_i), "unit": o("unit", obs_i), "end_year": year[i], "end_value": value[obs_i],
            "end_bound": o("bound", obs_i), "parent_end_value": value[obs_j], "parent_end_bound": o("bound", obs_j),
            "level_gap": value[obs_i] - value[obs_j], "metric": metric, "growth_unit": seg_col("growth_unit", step_i),
            "start_year": seg_int("start_year", step_i), "start_value": seg_num("start_value", step_i),
            "growth": growth, "parent_start_year": seg_int("start_year", step_j),
            "parent_start_value": seg_num("start_value", step_j), "parent_growth": parent_growth,
            "growth_gap": np.where(comparable, growth - parent_growth, np.nan), "vintage_gap_years": gap,
            "same_vintage": same, "comparison": words[inverse]}
    text = {c for c, a in cols.items() if isinstance(a, np.ndarray) and a.dtype == object}     # kept as objects
    return pd.DataFrame({c: pd.Series(a, dtype=object if c in text else None, copy=False) for c, a in cols.items()},
                        columns=ESCALATION_COLUMNS, copy=False)


def escalation(table: pd.DataFrame, th: pd.DataFrame) -> pd.DataFrame:
    """Flags where a plan's implied growth exceeds that of a plan above it of the same vintage by more than the
    documented escalation (compound growth only)."""
    p = th.loc["escalation_warn_cagr"]
    phrase, at, ref = _ref_phrase(p), float(p["value"]), p["reference"]
    rows = np.flatnonzero(table["same_vintage"].to_numpy(dtype=bool) & (table["growth_gap"].to_numpy(dtype=float) > at + EPS))
    t = table.iloc[rows[table["metric"].to_numpy()[rows] == "cagr"]]
    year, region, start, parent, parent_start = _columns(t, "end_year", "region", "start_year", "parent_region",
                                                        "parent_start_year")
    units = t["growth_unit"].to_numpy(dtype=object)
    end, parent_end = (with_unit_each(t[c], t["unit"]) for c in ("end_value", "parent_end_value"))
    growth, parent_growth, gap = (fmt_rate_each(t[c], units) for c in ("growth", "parent_growth", "growth_gap"))
    reasons = [f"For {y} {r} targets {e} ({g} from {y0}) and {pr} {pe} ({pg} from {py0}), in plans {a} years apart: "
               f"the lower level's implied growth is {gg} above the higher's, more than {phrase}."
               for y, r, e, g, y0, pr, pe, pg, py0, a, gg in zip(year, region, end, growth, start, parent, parent_end,
                                                                 parent_growth, parent_start,
                                                                 fmt_each(t["vintage_gap_years"]), gap)]
    return _flag_frame(t, "escalation", "warn", "too_fast", t["metric"], t["growth_gap"], at, "escalation_warn_cagr", ref,
                       reasons, related=t["related_source_id"])


# ---------------------------------------------------------------- all rules
def evaluate(obs: pd.DataFrame, segments: pd.DataFrame, thresholds: pd.DataFrame | None = None,
             links: pd.DataFrame | None = None, regions: pd.DataFrame | None = None, rules: dict | None = None,
             escalations: pd.DataFrame | None = None, judgement: pd.DataFrame | None = None,
             known: pd.DataFrame | None = None, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every rule over every path; sorted by source, indicator, years, rule. Columns COLUMNS.

    `escalations`, `judgement` (judge_paces), `known` (pre_plan_actuals) and `points` (path_points): when the caller
    has them already; by default the escalation table without plan dates and the document's own actuals as what was
    known."""
    th = thresholds if thresholds is not None else load_thresholds()
    links = links if links is not None else load_links()
    regions = regions if regions is not None else load_regions()
    rules = rules if rules is not None else load_rules()
    if points is None:
        points = path_points(obs)
    if judgement is None:
        judgement = judge_paces(segments, th, rules, reference_windows(rules), plan_levels(regions), points)
    if known is None:
        known = pre_plan_actuals(obs, None, {})
    judged = judged_rows(segments, points)
    if escalations is None:
        escalations = escalation_table(obs, segments, regions, None, th.at["escalation_max_vintage_gap_years", "value"],
                                       judged, points)
    linked = _of_indicators(obs, links[["indicator_id", "of_indicator_id"]].to_numpy().ravel())  # all the link rules read
    parts = [too_fast(segments, th, judgement), declines(segments, judged), too_slow(obs, known, th, points),
             share_above_100(obs), rate_vs_levels(linked, links, th), part_exceeds_whole(linked, links, th),
             flow_cannot_build_stock(linked, segments, links, th, judged), stock_change_vs_flow(linked, links, th),
             escalation(escalations, th)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _frame([])
    out = pd.concat(parts, ignore_index=True)
    out["start_year"] = out["start_year"].astype(np.int64)
    out["end_year"] = out["end_year"].astype(np.int64)
    out = _margins(out, values(th)["robust_min_margin_pct"])
    return out.sort_values(["source_id", "indicator_id", "start_year", "end_year", "rule", "related_source_id"],
                           kind="stable", na_position="first").reset_index(drop=True)[COLUMNS]


def _margins(flags: pd.DataFrame, min_margin_pct: float) -> pd.DataFrame:
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
    ok = np.where(slow, margin <= 1 / (1 + m), np.where(out["rule"].to_numpy() == "target_backwards", True, margin >= 1 + m))
    ok = ok | ~np.isfinite(margin)
    out.loc[todo, "margin"] = margin[todo]
    out.loc[todo, "robust"] = np.where(ok, "robust", "knife_edge")[todo]
    return out
