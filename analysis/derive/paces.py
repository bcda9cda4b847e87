"""Every segment's pace judgement → the judgement columns of segments.csv, read by the too_fast rule.

Judged are steps that end in a target with a rate (cagr, pp/yr); the pace judged is the least the target allows
(to the low end of a ≥, approximate or range target); a count that starts below info_min_count_base is judged by
its new entries a year (yardsticks.judged_metric), not as a growth rate. Yardsticks in order (docs/methods.md,
"Yardsticks"):

    peers        windows of the same length of comparable regions (regional and provincial panels) without the
                 plan's own family (yardsticks.family), each region one vote, ≥ peer_min_n windows of
                 ≥ peer_min_regions regions: above the region-weighted peer_info_percentile → info, above every
                 window → warn; leave-one-region-out says whether the verdict needs one region (`loro`)
    own history  the region's own pace over as many years up to the step's start (actuals known before the plan):
                 required / realised ≥ own_history_ratio_info → info, ≥ own_history_ratio_warn → warn
    provinces    (lower grade, city and district plans, not small counts) the windows of the same length of the
                 provinces other than the plan's own: above every one → info (a province's pace averages over its
                 cities, so a city above every province window is a weaker finding than above every city window)
    national     a full annual national series (≥ peer_min_n consecutive one-year rows): above its fastest window
                 of the segment's length → info
    ceiling      for every rated segment: the ceiling of its metric or indicator whose window fits → alert

A segment none of these fits says why it was not judged. `pace_judgements` judges all segments at once (numpy
over columns, each yardstick looked up once per distinct key); `judge_segment` is the same judgement of one
segment in plain Python (tests/test_rules.py checks that they agree on random panels).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core import schema
from ..inputs.reference import ceiling_for, values
from ..inputs.vocab import load_indicators
from . import ambition as A
from . import yardsticks as Y
from .growth import COUNT_MEASURES, annual_rate, differs, run_codes
from .rules.base import EPS
from .sentences import fmt

JUDGEMENT_COLUMNS = ["judged", "not_judged_because", "yardstick", "pace_judged", "metric_judged", "peer_series",
                     "peer_n", "peer_regions", "peer_excluded", "peer_percentile", "peer_p_info", "peer_p90",
                     "peer_p95", "peer_p99", "peer_max", "peer_max_window", "loro", "history_pace", "history_window",
                     "history_ratio", "history_known", "province_n", "province_regions", "province_max",
                     "province_max_window", "windows_pm1", "national_n", "national_max", "national_max_window",
                     "national_same_window", "ceiling", "ceiling_name", "severity", *A.COLUMNS, "ambition_lopo"]
PEERS, PROXY, OWN, PROVINCES, NATIONAL, AMBITION, AMBITION_FAMILY, AMBITION_ALL, CEILING_ONLY = schema.YARDSTICKS
AMBITION_SCOPES = dict(zip(A.SCOPES, (AMBITION, AMBITION_FAMILY, AMBITION_ALL)))
SUB_PROVINCIAL = ("city", "district")          # levels that may be set against provinces (lower grade)
OVERALL = "the first-to-last segment repeats its steps, which are judged"
OVERALL_NOT = "the first-to-last segment repeats its steps, which are not all judged (see each step)"
STATED = "a stated growth rate: compared with its level path (rate_vs_levels)"
HISTORY = "history: both ends are actuals"
RATED = ("cagr", "pp_per_year")
PEER_COLUMNS = ["peer_series", "peer_n", "peer_regions", "peer_excluded", "peer_p_info", "peer_p90", "peer_p95",
                "peer_p99", "peer_max", "peer_max_window"]
HISTORY_COLUMNS = ["history_pace", "history_window", "history_known"]
NATIONAL_COLUMNS = ["national_n", "national_max", "national_max_window", "national_same_window"]
PROVINCE_COLUMNS = ["province_n", "province_regions", "province_max", "province_max_window"]
TEXT_COLUMNS = ("not_judged_because", "yardstick", "metric_judged", "peer_series", "peer_excluded", "peer_max_window",
                "loro", "history_window", "history_known", "province_max_window", "windows_pm1", "national_max_window",
                "ceiling_name", "severity", "ambition_scope", "ambition_max_plan", "ambition_lopo")
RANK = {None: 0, "info": 1, "warn": 2, "alert": 3}


def _window_label(region, y0, y1) -> str:
    return f"{region} {int(y0)}–{int(y1)}"


def _span(years) -> str:
    return f"{int(years)} year{'s' if int(years) != 1 else ''}"


@dataclass
class Yardsticks:
    """The reference windows, looked up per key and computed once: peers per (indicator, plan level, years, the
    plan's family among the panel regions, metric), own history per (source, indicator, start year, years,
    metric), the national series per (indicator, years). `parents`: {region: parent} (regions.csv); `known`:
    pre_plan_actuals (rows 'published later' are not used: hindsight is no yardstick of a plan)."""
    windows: pd.DataFrame
    rules: dict
    th: pd.DataFrame
    parents: dict = field(default_factory=dict)
    known: pd.DataFrame | None = None
    families: dict | None = None
    corpus: pd.DataFrame | None = None
    _peers: dict = field(default_factory=dict)
    _national: dict = field(default_factory=dict)
    _kin: dict = field(default_factory=dict)

    def __post_init__(self):
        v = values(self.th)
        self.min_n, self.min_regions = int(v["peer_min_n"]), int(v["peer_min_regions"])
        self.info_percentile = v["peer_info_percentile"]
        self.ratio_info, self.ratio_warn = v["own_history_ratio_info"], v["own_history_ratio_warn"]
        self.min_plans, self.max_apart = int(v["ambition_min_plans"]), int(v["ambition_max_years_apart"])
        self.ambition_info = v["ambition_info_percentile"]
        if self.families is None:
            self.families = load_indicators()["family"].to_dict()
        self.history_max_years = int(v["own_history_max_years"])
        peers = self.windows[self.windows["scope"] == "peer"]
        self._peer_rows = peers.reset_index(drop=True)
        self._peer_groups = self._peer_rows.groupby(["indicator_id", "level", "years"], sort=False).indices
        self._family = Y.family_of(self.parents)
        self._panel_regions = set(self._peer_rows["region"])
        self._annual = self._annual_national()
        known = self.known if self.known is not None else pd.DataFrame(columns=["source_id", "indicator_id", "year",
                                                                                  "value", "known"])
        known = known[known["known"] != "published later"].sort_values(["source_id", "indicator_id", "year"],
                                                                         kind="stable").reset_index(drop=True)
        self._known = {k: g for k, g in known.groupby(["source_id", "indicator_id"], sort=False)}

    # ------------------------------------------------------------------------------------------------ peers
    def kin(self, region: str) -> tuple:
        """The panel regions of `region`'s family (itself, above it, inside it), sorted: left out of its peers."""
        if region not in self._kin:
            self._kin[region] = tuple(sorted(self._family(region) & self._panel_regions))
        return self._kin[region]

    def _select(self, indicator, allowed, years, kin) -> tuple[pd.DataFrame, list]:
        parts = [self._peer_groups[k] for k in ((indicator, lv, years) for lv in allowed) if k in self._peer_groups]
        w = self._peer_rows.iloc[np.sort(np.concatenate(parts))] if parts else self._peer_rows.iloc[:0]
        return w, sorted(set(w["region"]) & set(kin))

    def peers(self, indicator: str, level: str, years: int, kin: tuple, metric: str) -> dict:
        """The peer windows of a plan of `level` whose family is `kin` for `indicator` over `years`, their paces in
        `metric` sorted, with each region's cumulative weight (`share`), and their summary (PEER_COLUMNS)."""
        key = (indicator, level, years, kin, metric)
        if key not in self._peers:
            allowed = self.rules["peers"].get("levels", {}).get(level, [])
            proxies = self.rules["peers"].get("proxies", {}) or {}
            used = indicator
            w, excluded = self._select(indicator, allowed, years, kin)
            w = w[~w["region"].isin(kin)]
            if w["region"].nunique() < self.min_regions and indicator in proxies:
                alt, alt_excluded = self._select(proxies[indicator], allowed, years, kin)
                alt = alt[~alt["region"].isin(kin)]
                if alt["region"].nunique() > w["region"].nunique():
                    used, w, excluded = proxies[indicator], alt, alt_excluded
            pace = (w["pace"].to_numpy(dtype=float) if metric != "new_per_year" else
                    Y.pace_of(w["start_value"], w["end_value"], w["years"], metric))
            w = w.assign(pace=pace)[np.isfinite(pace)].sort_values(["pace", "region", "start_year"], kind="stable")
            paces, names = w["pace"].to_numpy(dtype=float), w["region"].to_numpy(dtype=object)
            q = {f"peer_p{p}": Y.weighted_quantile(paces, names, p) if len(w) else np.nan for p in (90, 95, 99)}
            top = w.iloc[-1] if len(w) else None
            _, inverse, counts = np.unique(names, return_inverse=True, return_counts=True)
            self._peers[key] = {
                "paces": paces, "names": names, "share": np.cumsum(1.0 / counts[inverse]) / max(len(counts), 1) * 100,
                "peer_series": used if len(w) else None, "peer_n": len(w), "peer_regions": len(counts),
                "peer_excluded": ", ".join(excluded) or None, **q,
                "peer_p_info": Y.weighted_quantile(paces, names, self.info_percentile) if len(w) else np.nan,
                "peer_max": float(paces[-1]) if len(w) else np.nan,
                "peer_max_window": _window_label(top["region"], top["start_year"], top["end_year"]) if len(w) else None}
        return self._peers[key]

    def provinces(self, indicator: str, level: str, years: int, kin: tuple, metric: str) -> dict:
        """The province windows a city or district plan is set against (lower grade): PROVINCE_COLUMNS; none for a
        province plan (its peers are provinces already) or a small count (increments scale with size)."""
        if level not in SUB_PROVINCIAL or metric == "new_per_year":
            return {"province_n": 0, "province_regions": 0, "province_max": np.nan, "province_max_window": None}
        p = self.peers(indicator, "province", years, kin, metric)
        return {"province_n": p["peer_n"], "province_regions": p["peer_regions"], "province_max": p["peer_max"],
                "province_max_window": p["peer_max_window"]}

    def usable(self, peers: dict) -> bool:
        return peers["peer_n"] >= self.min_n and peers["peer_regions"] >= self.min_regions

    def peer_severity(self, pace: float, paces: np.ndarray, names: np.ndarray) -> str | None:
        """info above the region-weighted info percentile, warn above every window."""
        if pace > paces.max() + EPS:
            return "warn"
        return "info" if pace > Y.weighted_quantile(paces, names, self.info_percentile) + EPS else None

    def loro(self, pace: float, peers: dict, severity: str | None) -> str | None:
        """Leave one region out: 'robust' where the peer verdict stands without each single region, else
        'knife_edge' (None where there is no peer verdict)."""
        if severity not in ("info", "warn"):
            return None
        paces, names = peers["paces"], peers["names"]
        for region in np.unique(names):
            keep = names != region
            if RANK[self.peer_severity(pace, paces[keep], names[keep])] < RANK[severity]:
                return "knife_edge"
        return "robust"

    def neighbours(self, pace: float, yardstick: str, severity: str | None, indicator: str, level: str, years: int,
                   kin: tuple, metric: str) -> str | None:
        """The verdict under the neighbouring windows (±1 year of the window's length): 'robust' where every
        neighbouring length that has a usable yardstick of the same kind gives at least the same severity, else
        'knife_edge' (None: no verdict, or a yardstick without neighbours: own history already takes ±1 year)."""
        if severity not in ("info", "warn") or yardstick not in (PEERS, PROXY, PROVINCES, NATIONAL):
            return None
        for y in (years - 1, years + 1):
            if y < 1:
                continue
            if yardstick == NATIONAL:
                nat = self.national(indicator, y)
                if nat["national_n"] and pace <= nat["national_max"] + EPS:
                    return "knife_edge"
                continue
            p = self.peers(indicator, "province" if yardstick == PROVINCES else level, y, kin, metric)
            if not self.usable(p):
                continue
            got = (self.peer_severity(pace, p["paces"], p["names"]) if yardstick != PROVINCES else
                   "info" if pace > p["peer_max"] + EPS else None)
            if RANK[got] < RANK[severity]:
                return "knife_edge"
        return "robust"

    # ------------------------------------------------------------------------------------------------ own history
    def history(self, source: str, indicator: str, start_year: int, years: int, metric: str) -> dict:
        """yardsticks.own_history of a step: the region's realised pace over `years` (±1) years, else over the longest
        window of 2 to own_history_max_years years, ending at its latest actual known before the plan at or before
        `start_year`: HISTORY_COLUMNS (NaN where there is none) and `history_why` (why not)."""
        mine = self._known.get((source, indicator))
        if mine is None:
            return {"history_pace": np.nan, "history_window": None, "history_known": None,
                    "history_why": "no actual of the region known before the plan"}
        step = pd.Series({"source_id": source, "indicator_id": indicator, "years": years, "metric": metric,
                          "pace": np.nan})
        h = Y.own_history(step, mine, start_year, self.history_max_years)
        if "why_not" in h:
            return {"history_pace": np.nan, "history_window": None, "history_known": None, "history_why": h["why_not"]}
        return {"history_pace": h["history_pace"], "history_window": h["window"], "history_known": h["known"],
                "history_why": None}

    def history_severity(self, ratio: float) -> str | None:
        return "warn" if ratio >= self.ratio_warn - EPS else "info" if ratio >= self.ratio_info - EPS else None

    # ------------------------------------------------------------------------------------------------ ambition
    def use_corpus(self, source, indicator, metric, pace, level, unit, years) -> None:
        """The corpus the ambition yardstick reads: every rated target step (its judged metric and pace)."""
        c = self._ambition_steps(source, indicator, metric, pace, level, unit, years)
        self.corpus = c[np.isfinite(c["rate"])].reset_index(drop=True)

    def _ambition_steps(self, source, indicator, metric, pace, level, unit, years) -> pd.DataFrame:
        family = pd.Series(np.asarray(indicator, dtype=object)).map(self.families).to_numpy(dtype=object)
        return A.steps(source, indicator, family, A.kind_of(metric, level, unit), pace, years)

    def ambition(self, source, indicator, metric, pace, level, unit, years) -> pd.DataFrame:
        """ambition.judge of the steps given as columns against the corpus (no corpus: no ambition), with the
        leave-one-plan-out check of each info verdict (`ambition_lopo`)."""
        steps = self._ambition_steps(source, indicator, metric, pace, level, unit, years)
        corpus = self.corpus if self.corpus is not None else steps.iloc[:0]
        out = A.judge(corpus, steps, self.min_plans, self.max_apart, self.ambition_info)
        info = self.ambition_verdict(np.asarray(pace, dtype=float), out["ambition_scope"].notna().to_numpy(),
                                     out["ambition_percentile"].to_numpy(dtype=float),
                                     out["ambition_threshold"].to_numpy(dtype=float))
        lopo = A.lopo(out["ambition_percentile"], out["ambition_n"], self.min_plans, self.ambition_info)
        out["ambition_lopo"] = np.where(info, lopo, None).astype(object)
        out["ambition_info"] = info
        return out

    def ambition_verdict(self, pace, judged, percentile, threshold):
        """info where the pace's percentile among the other plans is above ambition_info_percentile and the pace is
        above the vote it had to reach (a pace equal to another plan's vote is not above it)."""
        with np.errstate(invalid="ignore"):
            return judged & (percentile > self.ambition_info + EPS) & (pace > threshold + EPS)

    def ambition_one(self, source: str, indicator: str, metric: str, pace: float, level: str, unit: str,
                     years: int) -> dict:
        """`ambition` of one step in plain Python (ambition.judge_step)."""
        kind = A.kind_of([metric], [level], [unit])[0]
        family = self.families.get(indicator, "")
        family = family if isinstance(family, str) else ""
        corpus = self.corpus if self.corpus is not None else A.corpus([], [], [], [], [], [])
        out = A.judge_step(corpus, source, indicator, family, kind, int(years), float(pace), self.min_plans,
                           self.max_apart, self.ambition_info)
        out["ambition_info"] = bool(self.ambition_verdict(pace, out["ambition_scope"] is not None,
                                                          out["ambition_percentile"], out["ambition_threshold"]))
        out["ambition_lopo"] = (str(A.lopo([out["ambition_percentile"]], [out["ambition_n"]], self.min_plans,
                                           self.ambition_info)[0]) if out["ambition_info"] else None)
        return out

    # ------------------------------------------------------------------------------------------------ national
    def _annual_national(self) -> dict:
        """{indicator: (first year, paces)}: the longest run of consecutive one-year national windows, where it
        has at least peer_min_n years (a full annual series); indicators without one have no national yardstick."""
        nat = self.windows[(self.windows["scope"] == "national") & (self.windows["years"] == 1)]
        out = {}
        for indicator, g in nat.sort_values(["indicator_id", "start_year"], kind="stable").groupby("indicator_id"):
            g = g.drop_duplicates("start_year")
            y = g["start_year"].to_numpy(dtype=np.int64)
            run = np.split(np.arange(len(y)), np.flatnonzero(np.diff(y) != 1) + 1)
            best = max(run, key=len)
            if len(best) >= self.min_n:
                out[indicator] = (int(y[best[0]]), g["pace"].to_numpy(dtype=float)[best], g["metric"].iloc[0],
                                  g["lines"].to_numpy(dtype=object)[best])
        return out

    def national(self, indicator: str, years: int) -> dict:
        """The windows of `years` years of the indicator's full annual national series (compounded one-year rates
        for cagr, summed pp for shares): their number and the fastest (NATIONAL_COLUMNS)."""
        key = (indicator, years)
        if key not in self._national:
            out = {"national_n": 0, "national_max": np.nan, "national_max_window": None, "national_same_window": np.nan}
            if indicator in self._annual and years >= 1:
                y0, rates, metric, lines = self._annual[indicator]
                n = len(rates) - years + 1
                if n > 0:
                    span = np.lib.stride_tricks.sliding_window_view(rates, years)
                    paces = (span.sum(axis=1) / years if metric != "cagr" else
                             (np.prod(1 + span / 100, axis=1) ** (1 / years) - 1) * 100)
                    i = int(np.argmax(paces))
                    out = {"national_n": n, "national_max": float(paces[i]),
                           "national_max_window": (f"China {y0 + i}–{y0 + i + years} (growth_references.csv lines "
                                                   f"{lines[i]}–{lines[i + years - 1]})"),
                           "national_same_window": float(np.median(paces))}
            self._national[key] = out
        return self._national[key]

    def ceiling(self, indicator: str, metric: str) -> dict:
        """The ceiling of a segment's indicator or metric (thresholds.yml `ceilings`): its name, value and the
        length of the window it was measured over."""
        name = ceiling_for(self.rules, indicator, metric)
        if not name:
            return {"name": None, "value": np.nan, "years": np.nan}
        return {"name": name, "value": float(self.th.at[name, "value"]),
                "years": float(self.th.at[name, "ref_end_year"] - self.th.at[name, "ref_start_year"])}


def _not_judged(small: bool, years: int, indicator: str, unknown: bool, peers: dict, own: str, provinces: str,
                national: str, ambition: str, ceiling: str | None, ceiling_years: float, v: dict) -> str:
    """Why a rated step was not judged: each yardstick in order and why it does not apply."""
    span = _span(years)
    head = ([f"a count starting below {fmt(v['info_min_count_base'])} is judged by its new entries a year"]
            if small else [])
    n, regions, excluded = int(peers["peer_n"]), int(peers["peer_regions"]), peers["peer_excluded"]
    bits = head + [f"{n} peer windows of {span} from {regions} region{'s' if regions != 1 else ''}"
                   + (f" once the plan's own family ({excluded}) is left out" if excluded else "")
                   + f" (fewer than {int(v['peer_min_n'])} windows or {int(v['peer_min_regions'])} regions)"
                   + ("; the plan's region is not in regions.csv" if unknown else ""),
                   own, provinces, national, ambition]
    if small:
        bits.append("no ceiling applies to new entries a year")
    elif not isinstance(ceiling, str):
        bits.append(f"no ceiling for a {years}-year window")
    else:
        bits.append(f"the ceiling {ceiling} was measured over {int(ceiling_years)} years, longer than this {years}-year "
                    "segment")
    return "not judged: " + "; ".join(bits)


def _no_provinces(level: str, metric: str, prov: dict, years: int, v: dict) -> str:
    if level not in SUB_PROVINCIAL:
        return "province windows are its peers already" if level == "province" else "the plan's level is unknown"
    if metric == "new_per_year":
        return "no province windows for new entries a year (they scale with a province's size)"
    return (f"{int(prov['province_n'])} province windows of {_span(years)} from {int(prov['province_regions'])} "
            f"provinces (fewer than {int(v['peer_min_n'])} windows or {int(v['peer_min_regions'])} regions)")


def _no_ambition(indicator: str, family, years: int, n: int, metric: str, pace: float, level: str, unit: str,
                 v: dict) -> str:
    """Why ambition among plans does not judge a step: no finite pace, or too few other plans in every scope."""
    if not np.isfinite(pace):
        return "ambition among plans: the step has no finite pace"
    fam = f"its family ({family})" if isinstance(family, str) and family else "a family (none in indicators.csv)"
    over = f"over {_span(years)} (±{int(v['ambition_max_years_apart'])})"
    few = f"fewer than {int(v['ambition_min_plans'])} other plans"
    if metric == "new_per_year":
        return (f"ambition among plans: new entries a year scale with a region's size, so they are compared only "
                f"with plans of the same level ({level}) in {unit}: {few} with steps of {indicator} ({n}) or of "
                f"{fam} {over}")
    measured = "pp/yr" if metric == "pp_per_year" else "%/yr"
    return f"ambition among plans: {few} with steps of {indicator} ({n}), of {fam} or of any indicator in {measured} {over}"


def _no_national(indicator: str, years: int) -> str:
    return f"no full annual national series of {indicator} with {_span(years)} windows"


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


def _least_pace(start, end_low, end_value, years, metric, small) -> float:
    """The least pace the end target allows, in the judged metric (new entries a year for a small count)."""
    end = end_low if differs(np.float64(end_low), np.float64(end_value)) else end_value
    if small:
        return float(Y.pace_of(start, end, years, "new_per_year"))
    return float(annual_rate([start], [end], [years], [metric])[0])


def judge_segment(s, sticks: Yardsticks, levels: dict) -> dict:
    """The judgement of one segment (a row with segments.csv's columns), in plain Python: JUDGEMENT_COLUMNS.
    An overall row says OVERALL here; explain_overall then says whether its steps were all judged."""
    v = values(sticks.th)
    out = {c: None for c in JUDGEMENT_COLUMNS} | {"judged": False}
    out.update({c: np.nan for c in JUDGEMENT_COLUMNS if c not in TEXT_COLUMNS and c != "judged"})
    why = _not_rated(s.segment, s.end_kind, s.metric, s.note)
    if why is not None:
        return out | {"not_judged_because": why}
    years = int(s.years)
    small = s.start_value < v["info_min_count_base"] and s.measure in COUNT_MEASURES
    metric = "new_per_year" if small else s.metric
    pace = s.growth if not small and not differs(np.float64(s.end_low), np.float64(s.end_value)) else _least_pace(
        s.start_value, s.end_low, s.end_value, years, s.metric, small)
    level = levels.get(s.region, "unknown")
    if not isinstance(level, str):
        level = "unknown"
    peers = sticks.peers(s.indicator_id, level, years, sticks.kin(s.region), metric)
    own = sticks.history(s.source_id, s.indicator_id, int(s.start_year), years, metric)
    nat = sticks.national(s.indicator_id, years) if not small else sticks.national("", years)
    use_peer = sticks.usable(peers)
    ratio = pace / own["history_pace"] if np.isfinite(own["history_pace"]) else np.nan
    use_own = not use_peer and np.isfinite(ratio)
    prov = sticks.provinces(s.indicator_id, level, years, sticks.kin(s.region), metric)
    use_prov = not (use_peer or use_own) and prov["province_regions"] >= sticks.min_regions and \
        prov["province_n"] >= sticks.min_n
    use_nat = not (use_peer or use_own or use_prov) and nat["national_n"] > 0
    amb = sticks.ambition_one(s.source_id, s.indicator_id, metric, pace, level, s.unit, years)
    use_amb = not (use_peer or use_own or use_prov or use_nat) and amb["ambition_scope"] is not None
    severity, loro = None, None
    if use_peer:
        severity = sticks.peer_severity(pace, peers["paces"], peers["names"])
        loro = sticks.loro(pace, peers, severity)
    elif use_own:
        severity = sticks.history_severity(ratio)
    elif use_prov:
        severity = "info" if pace > prov["province_max"] + EPS else None
    elif use_nat and pace > nat["national_max"] + EPS:
        severity = "info"
    elif use_amb and amb["ambition_info"]:
        severity = "info"
    c = sticks.ceiling(s.indicator_id, s.metric)
    fits = c["name"] is not None and years >= c["years"] and not small
    if fits and pace > c["value"] + EPS:
        severity = "alert"
    paces, share = peers["paces"], peers["share"]
    at = np.searchsorted(paces, pace + EPS, side="right")
    out.update({c: peers[c] for c in PEER_COLUMNS} | {c: own[c] for c in HISTORY_COLUMNS}
               | {c: nat[c] for c in NATIONAL_COLUMNS} | prov)
    out.update(peer_n=float(peers["peer_n"]), peer_regions=float(peers["peer_regions"]),
               province_n=float(prov["province_n"]), province_regions=float(prov["province_regions"]),
               national_n=float(nat["national_n"]), pace_judged=pace, metric_judged=metric, severity=severity,
               loro=loro, history_ratio=ratio,
               peer_percentile=(float(share[at - 1]) if at else 0.0) if len(paces) else np.nan,
               ceiling=c["value"] if fits else np.nan, ceiling_name=c["name"] if fits else None,
               **{k: amb[k] for k in A.COLUMNS if k != "ambition_n"}, ambition_n=float(amb["ambition_n"]),
               ambition_lopo=amb["ambition_lopo"])
    if not (use_peer or use_own or use_prov or use_nat or use_amb or fits):
        return out | {"not_judged_because": _not_judged(
            small, years, s.indicator_id, level == "unknown", peers,
            "own history: " + own["history_why"],
            _no_provinces(level, metric, prov, years, v), _no_national(s.indicator_id, years),
            _no_ambition(s.indicator_id, sticks.families.get(s.indicator_id), years, int(amb["ambition_n"]), metric,
                         pace, level, s.unit, v),
            c["name"], c["years"], v)}
    yardstick = (PEERS if peers["peer_series"] == s.indicator_id else PROXY) if use_peer else (
        OWN if use_own else PROVINCES if use_prov else NATIONAL if use_nat else
        AMBITION_SCOPES[amb["ambition_scope"]] if use_amb else CEILING_ONLY)
    pm1 = sticks.neighbours(pace, yardstick, severity, s.indicator_id, level, years, sticks.kin(s.region), metric)
    return out | {"judged": True, "yardstick": yardstick, "windows_pm1": pm1}


def explain_overall(segments: pd.DataFrame, judgement: pd.DataFrame) -> pd.DataFrame:
    """The judgement with each overall row's reason true: its steps that end in a target are all judged (OVERALL)
    or not (OVERALL_NOT)."""
    path = ["source_id", "indicator_id"]
    step = (segments["segment"] == "step") & (segments["end_kind"] != "actual")
    judged = judgement["judged"].to_numpy(dtype=bool)
    unjudged = set(map(tuple, segments.loc[step.to_numpy() & ~judged, path].drop_duplicates().to_numpy().tolist()))
    overall = np.flatnonzero((segments["segment"] == "overall").to_numpy())
    if not len(overall):
        return judgement
    keys = map(tuple, segments.iloc[overall][path].to_numpy().tolist())
    text = np.array([OVERALL_NOT if k in unjudged else OVERALL for k in keys], dtype=object)
    out = judgement.copy()
    out.iloc[overall, out.columns.get_loc("not_judged_because")] = text
    return out


def pace_judgements(segments: pd.DataFrame, th: pd.DataFrame, rules: dict, windows: pd.DataFrame,
                    levels: dict, parents: dict | None = None, known: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per segment (same positions): whether and against what its pace is judged (JUDGEMENT_COLUMNS);
    judge_segment over every segment at once, each yardstick looked up once per distinct key. `parents`:
    {region: parent} (regions.csv, for the plan's family); `known`: pre_plan_actuals (own history)."""
    v = values(th)
    sticks = Yardsticks(windows, rules, th, parents or {}, known)
    why = _why_not_rated(segments)
    rows = np.flatnonzero(pd.isna(why))
    out = {c: np.full(len(segments), None, dtype=object) if c in TEXT_COLUMNS else np.full(len(segments), np.nan)
           for c in JUDGEMENT_COLUMNS}
    out["judged"] = np.zeros(len(segments), dtype=bool)
    out["not_judged_because"] = why
    for c, col in _judge_rated(segments.iloc[rows], sticks, levels, v).items():
        out[c][rows] = col
    judgement = pd.DataFrame({c: pd.Series(out[c], dtype=object if c in TEXT_COLUMNS else None, copy=False)
                              for c in JUDGEMENT_COLUMNS})
    return explain_overall(segments, judgement)


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
    if not len(s):
        return {}
    years = s["years"].to_numpy(dtype=np.int64)
    start = s["start_value"].to_numpy(dtype=float)
    end_low, end_value = s["end_low"].to_numpy(dtype=float), s["end_value"].to_numpy(dtype=float)
    small = (start < v["info_min_count_base"]) & s["measure"].isin(COUNT_MEASURES).to_numpy()
    metric = np.where(small, "new_per_year", s["metric"].to_numpy(dtype=object)).astype(object)
    pace = s["growth"].to_numpy(dtype=float).copy()
    bounded = differs(end_low, end_value)
    less = np.flatnonzero(bounded | small)                              # the least the target allows
    end = np.where(bounded, end_low, end_value)[less]
    pace[less] = np.where(small[less], Y.pace_of(start[less], end, years[less], "new_per_year"),
                          annual_rate(start[less], end, years[less], s["metric"].to_numpy(dtype=object)[less]))
    indicator = s["indicator_id"].to_numpy(dtype=object)
    level = s["region"].map(levels).fillna("unknown").to_numpy(dtype=object)
    kin_code, kins = _kin_codes(s["region"].to_numpy(dtype=object), sticks.kin)
    peer_table, at = _per_key(lambda i, lv, y, k, m: sticks.peers(i, lv, y, kins[k], m),
                              indicator, level, years, kin_code, metric)
    peers = {c: peer_table[c].to_numpy()[at] for c in PEER_COLUMNS}
    pct = np.full(len(s), np.nan)
    for g in np.flatnonzero(peer_table["peer_n"].to_numpy() > 0):       # the percentile among each group's paces
        paces, share, mine = peer_table["paces"].iloc[g], peer_table["share"].iloc[g], at == g
        i = np.searchsorted(paces, pace[mine] + EPS, side="right")
        pct[mine] = np.where(i > 0, share[np.maximum(i - 1, 0)], 0.0)
    use_peer = ((peers["peer_n"].astype(np.int64) >= sticks.min_n)
                & (peers["peer_regions"].astype(np.int64) >= sticks.min_regions))
    severity = np.full(len(s), None, dtype=object)
    loro = np.full(len(s), None, dtype=object)
    severity[use_peer & (pace > peers["peer_p_info"].astype(float) + EPS)] = "info"
    severity[use_peer & (pace > peers["peer_max"].astype(float) + EPS)] = "warn"
    for i in np.flatnonzero(use_peer & pd.notna(severity)):              # few: leave one region out
        loro[i] = sticks.loro(pace[i], peer_table.iloc[at[i]], severity[i])
    source, first_year = s["source_id"].to_numpy(dtype=object), s["start_year"].to_numpy(dtype=np.int64)
    own_table, own_at = _per_key(sticks.history, source, indicator, first_year, years, metric)
    own = {c: own_table[c].to_numpy()[own_at] for c in HISTORY_COLUMNS}
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = pace / own["history_pace"].astype(float)
    use_own = ~use_peer & np.isfinite(ratio)
    severity[use_own & (ratio >= sticks.ratio_info - EPS)] = "info"
    severity[use_own & (ratio >= sticks.ratio_warn - EPS)] = "warn"
    prov_table, prov_at = _per_key(lambda i, lv, y, k, m: sticks.provinces(i, lv, y, kins[k], m),
                                   indicator, level, years, kin_code, metric)
    prov = {c: prov_table[c].to_numpy()[prov_at] for c in PROVINCE_COLUMNS}
    use_prov = (~use_peer & ~use_own & (prov["province_regions"].astype(np.int64) >= sticks.min_regions)
                & (prov["province_n"].astype(np.int64) >= sticks.min_n))
    severity[use_prov & (pace > prov["province_max"].astype(float) + EPS)] = "info"
    nat_table, nat_at = _per_key(sticks.national, np.where(small, "", indicator).astype(object), years)
    nat = {c: nat_table[c].to_numpy()[nat_at] for c in NATIONAL_COLUMNS}
    use_nat = ~use_peer & ~use_own & ~use_prov & (nat["national_n"].astype(np.int64) > 0)
    severity[use_nat & (pace > nat["national_max"].astype(float) + EPS)] = "info"
    unit = s["unit"].to_numpy(dtype=object)
    if sticks.corpus is None:                                           # the corpus: these steps
        sticks.use_corpus(source, indicator, metric, pace, level, unit, years)
    amb = sticks.ambition(source, indicator, metric, pace, level, unit, years)
    amb_scope = amb["ambition_scope"].to_numpy(dtype=object)
    use_amb = ~use_peer & ~use_own & ~use_prov & ~use_nat & pd.notna(amb_scope)
    severity[use_amb & amb["ambition_info"].to_numpy(dtype=bool)] = "info"
    c_table, c_at = _per_key(sticks.ceiling, indicator, s["metric"].to_numpy(dtype=object))
    ceiling = c_table["name"].to_numpy(dtype=object)[c_at]
    c_value, c_years = (c_table[c].to_numpy(dtype=float)[c_at] for c in ("value", "years"))
    fits = pd.notna(ceiling) & (years >= c_years) & ~small
    severity[fits & (pace > c_value + EPS)] = "alert"
    proxy = peers["peer_series"] != indicator
    judged = use_peer | use_own | use_prov | use_nat | use_amb | fits
    yardstick = np.select([use_peer & ~proxy, use_peer, use_own, use_prov, use_nat,
                           *(use_amb & (amb_scope == scope) for scope in A.SCOPES), fits],
                          [PEERS, PROXY, OWN, PROVINCES, NATIONAL, *AMBITION_SCOPES.values(), CEILING_ONLY],
                          None).astype(object)
    pm1 = np.full(len(s), None, dtype=object)
    for i in np.flatnonzero(pd.notna(severity) & (severity != "alert")):   # few: the neighbouring window lengths
        pm1[i] = sticks.neighbours(pace[i], yardstick[i], severity[i], indicator[i], level[i], int(years[i]),
                                   kins[kin_code[i]], metric[i])
    why = np.full(len(s), None, dtype=object)
    rows = np.flatnonzero(~judged)
    if len(rows):                            # written once per distinct combination of what decides the reason
        ind_code, ind_names = pd.factorize(indicator[rows])     # codes by value (run_codes would code by run)
        lv_code, lv_names = pd.factorize(level[rows])
        own_code, own_why = pd.factorize(own_table["history_why"].to_numpy(dtype=object)[own_at[rows]])
        amb_n = amb["ambition_n"].to_numpy(dtype=np.int64)[rows]
        rated = np.isfinite(pace[rows])
        unit_code, unit_names = pd.factorize(unit[rows])
        m_code, m_names = pd.factorize(metric[rows])

        def reason(a, o, p, c, n, sm, y, ic, lc, an, ar, uc, mc) -> dict:
            i, lv = ind_names[ic], lv_names[lc]
            return {"why": _not_judged(bool(sm), int(y), i, lv == "unknown", peer_table.iloc[a],
                                       "own history: " + own_why[o],
                                       _no_provinces(lv, "new_per_year" if sm else "", prov_table.iloc[p], int(y), v),
                                       _no_national(i, int(y)),
                                       _no_ambition(i, sticks.families.get(i), int(y), int(an), m_names[mc],
                                                    0.0 if ar else np.nan, lv, unit_names[uc], v),
                                       c_table["name"].iloc[c], c_table["years"].iloc[c], v)}
        texts, text_at = _per_key(reason, at[rows], own_code, prov_at[rows], c_at[rows], nat_at[rows],
                                  small[rows], years[rows], ind_code, lv_code, amb_n, rated, unit_code, m_code)
        why[rows] = texts["why"].to_numpy(dtype=object)[text_at]
    return {"judged": judged, "not_judged_because": why, "yardstick": yardstick, "pace_judged": pace,
            "metric_judged": metric, "peer_percentile": pct, "loro": loro, "windows_pm1": pm1, "history_ratio": ratio,
            **{c: peers[c] for c in PEER_COLUMNS}, "peer_n": peers["peer_n"].astype(float),
            "peer_regions": peers["peer_regions"].astype(float), **own, **nat, **prov,
            "province_n": prov["province_n"].astype(float), "province_regions": prov["province_regions"].astype(float),
            "national_n": nat["national_n"].astype(float),
            "ceiling": np.where(fits, c_value, np.nan), "ceiling_name": np.where(fits, ceiling, None).astype(object),
            "severity": severity, **{c: amb[c].to_numpy() for c in A.COLUMNS if c != "ambition_n"},
            "ambition_n": amb["ambition_n"].to_numpy(dtype=float), "ambition_lopo": amb["ambition_lopo"].to_numpy()}


def _kin_codes(regions: np.ndarray, kin) -> tuple[np.ndarray, dict]:
    """(code of each row's family, {code: family}): kin(region) computed once per distinct region."""
    codes, distinct = pd.factorize(regions)
    ids: dict = {}
    of_region = np.array([ids.setdefault(kin(r), len(ids)) for r in distinct], dtype=np.int64)
    return of_region[codes], {i: k for k, i in ids.items()}


# ------------------------------------------------------------------------------------------------ long format
YARDSTICK_COLUMNS = ["source_id", "region", "indicator_id", "start_year", "end_year", "years", "metric_judged",
                     "pace_judged", "yardstick", "applies", "binding", "why_not", "n", "n_regions", "excluded",
                     "percentile", "threshold", "max", "max_window", "ratio", "verdict", "loro"]


def yardstick_rows(segments: pd.DataFrame, judgement: pd.DataFrame, levels: dict, v: dict) -> pd.DataFrame:
    """yardsticks.csv: one row per target step (a rated step ending in a target) and yardstick, in the order they
    are tried (peers, own history, provinces, national, ambition among plans, ceiling): whether it applies, why not, what it shows, and
    whether it binds (the first that applies; the ceiling binds only where nothing else does, as `ceiling only`).
    Read from the judgement columns, so it agrees with segments.csv by construction."""
    rated = np.flatnonzero(judgement["pace_judged"].notna().to_numpy())
    s = pd.concat([segments.iloc[rated].reset_index(drop=True), judgement.iloc[rated].reset_index(drop=True)],
                  axis=1)
    rows = []
    families = load_indicators()["family"].to_dict()
    for r in s.itertuples(index=False):
        key = {"source_id": r.source_id, "region": r.region, "indicator_id": r.indicator_id,
               "start_year": r.start_year, "end_year": r.end_year, "years": r.years,
               "metric_judged": r.metric_judged, "pace_judged": r.pace_judged}
        small = r.metric_judged == "new_per_year"
        prov = {c: getattr(r, c) for c in PROVINCE_COLUMNS}
        level = levels.get(r.region, "unknown")
        peers_apply = r.peer_n >= v["peer_min_n"] and r.peer_regions >= v["peer_min_regions"]
        own_applies = np.isfinite(r.history_ratio)
        prov_applies = r.province_n >= v["peer_min_n"] and r.province_regions >= v["peer_min_regions"]
        sev = r.severity if isinstance(r.severity, str) else None
        found = [
            {"yardstick": PEERS if r.yardstick != PROXY else PROXY, "applies": peers_apply,
             "why_not": None if peers_apply else
             (f"{int(r.peer_n)} windows from {int(r.peer_regions)} regions (fewer than {int(v['peer_min_n'])} "
              f"windows or {int(v['peer_min_regions'])} regions)"
              + (f" once the plan's own family ({r.peer_excluded}) is left out" if isinstance(r.peer_excluded, str)
                 else "")),
             "n": r.peer_n, "n_regions": r.peer_regions, "excluded": r.peer_excluded,
             "percentile": r.peer_percentile if peers_apply else np.nan,
             "threshold": r.peer_p_info if peers_apply else np.nan, "max": r.peer_max, "max_window": r.peer_max_window,
             "loro": r.loro},
            {"yardstick": OWN, "applies": own_applies,
             "why_not": None if own_applies else "no rise over as many years (±1) before the step among the actuals "
                                                  "known before the plan",
             "max": r.history_pace, "max_window": r.history_window, "ratio": r.history_ratio,
             "threshold": r.history_pace * v["own_history_ratio_info"] if own_applies else np.nan},
            {"yardstick": PROVINCES, "applies": prov_applies,
             "why_not": None if prov_applies else _no_provinces(level if isinstance(level, str) else "unknown",
                                                                r.metric_judged, prov, int(r.years), v),
             "n": r.province_n, "n_regions": r.province_regions, "threshold": r.province_max, "max": r.province_max,
             "max_window": r.province_max_window},
            {"yardstick": NATIONAL, "applies": r.national_n > 0,
             "why_not": None if r.national_n > 0 else f"no full annual national series of {r.indicator_id}",
             "n": r.national_n, "threshold": r.national_max, "max": r.national_max,
             "max_window": r.national_max_window},
            {"yardstick": AMBITION_SCOPES.get(r.ambition_scope, AMBITION),
             "applies": isinstance(r.ambition_scope, str),
             "why_not": None if isinstance(r.ambition_scope, str) else _no_ambition(
                 r.indicator_id, families.get(r.indicator_id), int(r.years), int(r.ambition_n), r.metric_judged,
                 r.pace_judged, level if isinstance(level, str) else "unknown", r.unit, v),
             "n": r.ambition_n, "percentile": r.ambition_percentile, "threshold": r.ambition_threshold,
             "max": r.ambition_max, "max_window": r.ambition_max_plan, "loro": r.ambition_lopo},
            {"yardstick": CEILING_ONLY, "applies": isinstance(r.ceiling_name, str),
             "why_not": None if isinstance(r.ceiling_name, str) else
             ("no growth-rate ceiling applies to new entries a year" if small else
              "no ceiling of this metric whose window is no longer than the step"),
             "threshold": r.ceiling, "excluded": None, "max_window": r.ceiling_name},
        ]
        binding = r.yardstick if isinstance(r.yardstick, str) else None
        for f in found:
            f["binding"] = f["yardstick"] == binding
            f["verdict"] = sev if f["binding"] or (f["yardstick"] == CEILING_ONLY and sev == "alert") else None
            rows.append(key | f)
    out = pd.DataFrame(rows)
    for c in YARDSTICK_COLUMNS:
        if c not in out:
            out[c] = np.nan
    return out[YARDSTICK_COLUMNS]
