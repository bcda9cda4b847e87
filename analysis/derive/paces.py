"""Every segment's pace judgement → the judgement columns of segments.csv, read by the too_fast rule.

Judged are steps that end in a target with a rate (cagr, pp/yr); the pace judged is the least the target allows
(to the low end of a ≥, approximate or range target). Yardsticks in order (docs/methods.md, "too_fast"):
peers (≥ peer_min_n windows of the same length, analysis.derive.peers), else the national series (the fastest
window no longer than the segment), and for every segment the ceiling of its metric or indicator where the
ceiling's window is no longer than the segment. A segment none of these fits says why it was not judged.

`pace_judgements` judges all segments at once (numpy over columns); `judge_segment` is the same judgement of one
segment in plain Python (tests/test_rules.py checks that they agree on random panels).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core import schema
from ..inputs.reference import ceiling_for, values
from .growth import COUNT_MEASURES, annual_rate, differs, run_codes
from .rules.base import EPS
from .sentences import fmt

JUDGEMENT_COLUMNS = ["judged", "not_judged_because", "yardstick", "pace_judged", "peer_series", "peer_n",
                     "peer_percentile", "peer_p_info", "peer_p90", "peer_p95", "peer_p99", "peer_max",
                     "peer_max_window", "national_max", "national_max_window", "national_same_window", "ceiling",
                     "ceiling_name", "severity"]
PEERS, PROXY, NATIONAL, CEILING_ONLY = schema.YARDSTICKS
OVERALL = "the first-to-last segment repeats its steps, which are judged"
STATED = "a stated growth rate: compared with its level path (rate_vs_levels)"
HISTORY = "history: both ends are actuals"
RATED = ("cagr", "pp_per_year")
PEER_COLUMNS = ["peer_series", "peer_n", "peer_p90", "peer_p95", "peer_p99", "peer_max", "peer_max_window"]
NATIONAL_COLUMNS = ["national_n", "national_max", "national_max_window", "national_same_window"]


def _window_label(region, y0, y1) -> str:
    return f"{region} {int(y0)}–{int(y1)}"


@dataclass
class Yardsticks:
    """The reference windows, looked up per (indicator, plan level, years): peers (with their proxy series) and the
    national series. Each lookup is computed once."""
    windows: pd.DataFrame
    rules: dict
    th: pd.DataFrame
    _peers: dict = field(default_factory=dict)
    _national: dict = field(default_factory=dict)

    def __post_init__(self):
        self.min_n = int(self.th.at["peer_min_n", "value"])
        self.info_percentile = self.th.at["peer_info_percentile", "value"]
        peers = self.windows[self.windows["scope"] == "peer"]
        # by pace, then region, then start year: the fastest window is the last
        self._peer_rows = peers.sort_values(["pace", "region", "start_year"], kind="stable")
        self._peer_groups = self._peer_rows.groupby(["indicator_id", "level", "years"], sort=False).indices
        nat = self.windows[self.windows["scope"] == "national"]
        self._nat_rows = nat.sort_values(["indicator_id", "pace", "start_year"], kind="stable")
        self._nat_groups = self._nat_rows.groupby("indicator_id", sort=False).indices

    def _select(self, indicator, allowed, years) -> np.ndarray:
        parts = [self._peer_groups[k] for k in ((indicator, lv, years) for lv in allowed) if k in self._peer_groups]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.intp)

    def peers(self, indicator: str, level: str, years: int) -> dict:
        """The peer windows of a plan of `level` for `indicator` over `years`: sorted `paces`, their summary
        (PEER_COLUMNS) and the info percentile."""
        key = (indicator, level, years)
        if key not in self._peers:
            allowed = self.rules["peers"].get("levels", {}).get(level, [])
            proxies = self.rules["peers"].get("proxies", {}) or {}
            used, rows = indicator, self._select(indicator, allowed, years)
            if len(rows) < self.min_n and indicator in proxies:
                alt = self._select(proxies[indicator], allowed, years)
                if len(alt) > len(rows):
                    used, rows = proxies[indicator], alt
            w = self._peer_rows.iloc[rows]
            paces = w["pace"].to_numpy(dtype=float)
            top = w.iloc[-1] if len(w) else None
            self._peers[key] = {
                "paces": paces, "peer_series": used if len(w) else None, "peer_n": len(w),
                **{f"peer_p{q}": float(np.percentile(paces, q)) if len(w) else np.nan for q in (90, 95, 99)},
                "peer_p_info": float(np.percentile(paces, self.info_percentile)) if len(w) else np.nan,
                "peer_max": float(paces[-1]) if len(w) else np.nan,
                "peer_max_window": _window_label(top["region"], top["start_year"], top["end_year"]) if len(w) else None}
        return self._peers[key]

    def national(self, indicator: str, years: int) -> dict:
        """The fastest national window no longer than `years` (the fallback) and the fastest of exactly `years`
        (a robustness neighbour): NATIONAL_COLUMNS."""
        key = (indicator, years)
        if key not in self._national:
            w = self._nat_rows.iloc[self._nat_groups.get(indicator, np.zeros(0, dtype=np.intp))]
            fits = w[(w["years"] <= years) & (w["years"] >= 1)]
            same = fits["pace"][fits["years"] == years]
            top = fits.iloc[-1] if len(fits) else None
            self._national[key] = {
                "national_n": len(fits), "national_max": float(top["pace"]) if top is not None else np.nan,
                "national_max_window": (f"{_window_label(top['region'], top['start_year'], top['end_year'])} "
                                        f"(growth_references.csv line {top['lines']})") if top is not None else None,
                "national_same_window": float(same.max()) if len(same) else np.nan}
        return self._national[key]


    def ceiling(self, indicator: str, metric: str) -> dict:
        """The ceiling of a segment's indicator or metric (thresholds.yml `ceilings`): its name, value and the
        length of the window it was measured over."""
        name = ceiling_for(self.rules, indicator, metric)
        if not name:
            return {"name": None, "value": np.nan, "years": np.nan}
        return {"name": name, "value": float(self.th.at[name, "value"]),
                "years": float(self.th.at[name, "ref_end_year"] - self.th.at[name, "ref_start_year"])}


def _not_judged(small: bool, peer_n: int, years: int, indicator: str, unknown: bool, ceiling: str | None,
                ceiling_years: float, v: dict) -> str:
    """Why a rated step was not judged: too small a base, or too few peers and no national series; and no ceiling
    whose window fits."""
    span = f"{years} year{'s' if years != 1 else ''}"
    if small:
        bits = [f"a count starting below {fmt(v['info_min_count_base'])} is judged only against the ceiling"]
    else:
        bits = [f"{int(peer_n)} peer windows of {span} (fewer than {int(v['peer_min_n'])})"
                + ("; the plan's region is not in regions.csv" if unknown else ""),
                f"no national series of ≤ {span} for {indicator}"]
    bits.append(f"no ceiling for a {years}-year window" if not isinstance(ceiling, str) else
                f"the ceiling {ceiling} was measured over {int(ceiling_years)} years, longer than this {years}-year "
                "segment")
    return "not judged: " + "; ".join(bits)


def _not_rated(segment: str, end_kind: str, metric: str, note) -> str | None:
    """Why a segment is not a rated step that ends in a target (None: it is one)."""
    if segment == "overall":
        return OVERALL
    if segment == "stated":
        return STATED
    if end_kind == "actual":
        return HISTORY
    if metric not in RATED:
        return f"no annual rate ({note})" if isinstance(note, str) and note else "no annual rate"
    return None


def judge_segment(s, sticks: Yardsticks, levels: dict) -> dict:
    """The judgement of one segment (a row with segments.csv's columns), in plain Python: JUDGEMENT_COLUMNS."""
    v = values(sticks.th)
    out = {c: None for c in JUDGEMENT_COLUMNS} | {"judged": False}
    out.update({c: np.nan for c in ("pace_judged", "peer_n", "peer_percentile", "peer_p_info", "peer_p90", "peer_p95",
                                    "peer_p99", "peer_max", "national_max", "national_same_window", "ceiling")})
    why = _not_rated(s.segment, s.end_kind, s.metric, s.note)
    if why is not None:
        return out | {"not_judged_because": why}
    years = int(s.years)
    pace = s.growth
    if differs(np.float64(s.end_low), np.float64(s.end_value)):     # the least the target allows
        pace = float(annual_rate([s.start_value], [s.end_low], [years], [s.metric])[0])
    level = levels.get(s.region, "unknown")
    if not isinstance(level, str):
        level = "unknown"
    small = s.start_value < v["info_min_count_base"] and s.measure in COUNT_MEASURES
    peers, nat = sticks.peers(s.indicator_id, level, years), sticks.national(s.indicator_id, years)
    use_peer = peers["peer_n"] >= sticks.min_n and not small
    use_nat = not use_peer and not small and nat["national_n"] > 0
    severity = None
    if use_peer and pace > peers["peer_p_info"] + EPS:
        severity = "info"
    if use_peer and pace > peers["peer_max"] + EPS:
        severity = "warn"
    if use_nat and pace > nat["national_max"] + EPS:
        severity = "info"
    c = sticks.ceiling(s.indicator_id, s.metric)
    fits = c["name"] is not None and years >= c["years"]
    if fits and pace > c["value"] + EPS:
        severity = "alert"
    paces = peers["paces"]
    out.update({c: peers[c] for c in PEER_COLUMNS} | {c: nat[c] for c in NATIONAL_COLUMNS if c != "national_n"})
    out.update(peer_n=float(peers["peer_n"]), peer_p_info=peers["peer_p_info"], pace_judged=pace, severity=severity,
               peer_percentile=(100.0 * np.searchsorted(paces, pace + EPS, side="right") / len(paces)
                                if len(paces) else np.nan),
               ceiling=c["value"] if fits else np.nan, ceiling_name=c["name"] if fits else None)
    if not (use_peer or use_nat or fits):
        return out | {"not_judged_because": _not_judged(small, peers["peer_n"], years, s.indicator_id,
                                                        level == "unknown", c["name"], c["years"], v)}
    yardstick = (PEERS if peers["peer_series"] == s.indicator_id else PROXY) if use_peer else (
        NATIONAL if use_nat else CEILING_ONLY)
    return out | {"judged": True, "yardstick": yardstick}


TEXT_COLUMNS = ("not_judged_because", "yardstick", "peer_series", "peer_max_window", "national_max_window",
                "ceiling_name", "severity")


def pace_judgements(segments: pd.DataFrame, th: pd.DataFrame, rules: dict, windows: pd.DataFrame,
                    levels: dict) -> pd.DataFrame:
    """One row per segment (same positions): whether and against what its pace is judged (JUDGEMENT_COLUMNS);
    judge_segment over every segment at once, with the yardsticks looked up once per (indicator, level, years)."""
    v = values(th)
    sticks = Yardsticks(windows, rules, th)
    why = _why_not_rated(segments)
    rows = np.flatnonzero(pd.isna(why))
    out = {c: np.full(len(segments), None, dtype=object) if c in TEXT_COLUMNS else np.full(len(segments), np.nan)
           for c in JUDGEMENT_COLUMNS}
    out["judged"] = np.zeros(len(segments), dtype=bool)
    out["not_judged_because"] = why
    for c, col in _judge_rated(segments.iloc[rows], sticks, levels, v).items():
        out[c][rows] = col
    return pd.DataFrame({c: pd.Series(out[c], dtype=object if c in TEXT_COLUMNS else None, copy=False)
                         for c in JUDGEMENT_COLUMNS})


def _why_not_rated(segments: pd.DataFrame) -> np.ndarray:
    """_not_rated of every segment (None: a rated step that ends in a target), each distinct case written once."""
    table, at = _per_key(lambda *k: {"why": _not_rated(*k)},
                         *(segments[c].to_numpy(dtype=object) for c in ("segment", "end_kind", "metric", "note")))
    return table["why"].to_numpy(dtype=object)[at] if len(table) else np.zeros(0, dtype=object)


def _per_key(lookup, *columns: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """(table, at): lookup(*key) once per distinct key (one value from each column), a row of `table` each, and
    each row's key. Words are coded by their runs (growth.run_codes: a path's rows share them)."""
    at = np.zeros(len(columns[0]), dtype=np.int64)
    for c in columns:
        code, distinct = run_codes(c) if c.dtype == object else pd.factorize(c, use_na_sentinel=False)
        at, _ = pd.factorize(at * (len(distinct) + 1) + code + 1)
    first = np.unique(at, return_index=True)[1]                 # codes number the keys in order of appearance
    table = pd.DataFrame([lookup(*(c[i] for c in columns)) for i in first], dtype=object)
    return table, at


def _judge_rated(s: pd.DataFrame, sticks: Yardsticks, levels: dict, v: dict) -> dict:
    """The judgement columns of the rated steps that end in a target `s`: judge_segment over columns."""
    years = s["years"].to_numpy(dtype=np.int64)
    metric = s["metric"].to_numpy(dtype=object)
    start = s["start_value"].to_numpy(dtype=float)
    end_low, end_value = s["end_low"].to_numpy(dtype=float), s["end_value"].to_numpy(dtype=float)
    pace = s["growth"].to_numpy(dtype=float).copy()
    less = np.flatnonzero(differs(end_low, end_value))           # the least the target allows
    pace[less] = annual_rate(start[less], end_low[less], years[less], metric[less])
    indicator = s["indicator_id"].to_numpy(dtype=object)
    level = s["region"].map(levels).fillna("unknown").to_numpy(dtype=object)
    small = (start < v["info_min_count_base"]) & s["measure"].isin(COUNT_MEASURES).to_numpy()
    if not len(s):
        return {}
    peer_table, at = _per_key(sticks.peers, indicator, level, years)
    nat_table, nat_at = _per_key(sticks.national, indicator, years)
    peers = {c: peer_table[c].to_numpy()[at] for c in peer_table.columns if c != "paces"}
    nat = {c: nat_table[c].to_numpy()[nat_at] for c in nat_table.columns}
    peer_n = peers["peer_n"]
    pct = np.full(len(s), np.nan)
    for g in np.flatnonzero(peer_table["peer_n"].to_numpy() > 0):       # the percentile among each group's paces
        paces, mine = peer_table["paces"].iloc[g], at == g
        pct[mine] = 100.0 * np.searchsorted(paces, pace[mine] + EPS, side="right") / len(paces)
    use_peer = (peer_n.astype(np.int64) >= sticks.min_n) & ~small
    use_nat = ~use_peer & ~small & (nat["national_n"].astype(np.int64) > 0)
    c_table, c_at = _per_key(sticks.ceiling, indicator, metric)
    ceiling = c_table["name"].to_numpy(dtype=object)[c_at]
    c_value, c_years = (c_table[c].to_numpy(dtype=float)[c_at] for c in ("value", "years"))
    fits = pd.notna(ceiling) & (years >= c_years)
    severity = np.full(len(s), None, dtype=object)
    severity[use_peer & (pace > peers["peer_p_info"].astype(float) + EPS)] = "info"
    severity[use_peer & (pace > peers["peer_max"].astype(float) + EPS)] = "warn"
    severity[use_nat & (pace > nat["national_max"].astype(float) + EPS)] = "info"
    severity[fits & (pace > c_value + EPS)] = "alert"
    proxy = peers["peer_series"] != indicator
    judged = use_peer | use_nat | fits
    yardstick = np.select([use_peer & ~proxy, use_peer, use_nat, fits], [PEERS, PROXY, NATIONAL, CEILING_ONLY],
                          None).astype(object)
    why = np.full(len(s), None, dtype=object)
    if (~judged).any():
        texts, text_at = _per_key(lambda *k: {"why": _not_judged(*k, v)},
                                  *(a[~judged] for a in (small, peer_n.astype(np.int64), years, indicator,
                                                         level == "unknown", ceiling, c_years)))
        why[~judged] = texts["why"].to_numpy(dtype=object)[text_at]
    return {"judged": judged, "not_judged_because": why, "yardstick": yardstick, "pace_judged": pace,
            "peer_n": peer_n.astype(float), "peer_percentile": pct,
            **{c: peers[c] for c in ("peer_p_info", *PEER_COLUMNS) if c != "peer_n"},
            **{c: nat[c] for c in NATIONAL_COLUMNS if c != "national_n"},
            "ceiling": np.where(fits, c_value, np.nan), "ceiling_name": np.where(fits, ceiling, None).astype(object),
            "severity": severity}
