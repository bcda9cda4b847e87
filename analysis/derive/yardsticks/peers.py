"""Yardstick 1, peers: the windows of the same length of comparable regions (regional and provincial panels,
peers.reference_windows), WITHOUT the plan's own family (its region, every region above it and every region
inside it: common.family_of), each region one vote (overlapping windows of one region share it).

    applies     ≥ peer_min_n windows from ≥ peer_min_regions regions (else a proxy indicator's windows,
                thresholds.yml `peers.proxies`, where they have more regions)
    percentile  100 × the region-weighted share of windows at or below the pace
    verdict     above every window → warn; above the region-weighted peer_info_percentile → info
    loro        leave one region out: 'robust' where the verdict stands without each single region
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...core import schema
from ...core.arrays import either
from ..rules.base import EPS
from ..sentences import Words, fill
from .common import RANK, family_of, pace_of, per_key, span, weighted_quantile, window_label

PEERS, PROXY = schema.YARDSTICKS[:2]
COLUMNS = ["peer_series", "peer_n", "peer_regions", "peer_excluded", "peer_p_info", "peer_p90", "peer_p95",
           "peer_p99", "peer_max", "peer_max_window"]
NONE = {"paces": np.zeros(0), "names": np.zeros(0, dtype=object), "share": np.zeros(0)}


class Peers:
    """The peer windows of every (indicator, plan level, years, the plan's family, metric), computed once."""

    def __init__(self, windows: pd.DataFrame, rules: dict, v: dict, parents: dict):
        self.rules = rules
        self.min_n, self.min_regions = int(v["peer_min_n"]), int(v["peer_min_regions"])
        self.info_percentile = v["peer_info_percentile"]
        self._rows = windows[windows["scope"] == "peer"].reset_index(drop=True)
        self._groups = self._rows.groupby(["indicator_id", "level", "years"], sort=False).indices
        self._family = family_of(parents)
        self._panel_regions = set(self._rows["region"].unique())
        self._kin: dict = {}
        self._cache: dict = {}

    def kin(self, region: str) -> tuple:
        """The panel regions of `region`'s family (itself, above it, inside it), sorted: left out of its peers."""
        if region not in self._kin:
            self._kin[region] = tuple(sorted(self._family(region) & self._panel_regions))
        return self._kin[region]

    def _select(self, indicator, allowed, years, kin) -> tuple[pd.DataFrame, list]:
        parts = [self._groups[k] for k in ((indicator, lv, years) for lv in allowed) if k in self._groups]
        w = self._rows.iloc[np.sort(np.concatenate(parts))] if parts else self._rows.iloc[:0]
        return w, sorted(set(w["region"]) & set(kin))

    def lookup(self, indicator: str, level: str, years: int, kin: tuple, metric: str) -> dict:
        """The peer windows of a plan of `level` whose family is `kin` for `indicator` over `years`: their paces in
        `metric` sorted (`paces`, `names`), each region's cumulative weight (`share`), and COLUMNS."""
        key = (indicator, level, years, kin, metric)
        if key not in self._cache:
            self._cache[key] = self._peers(*key)
        return self._cache[key]

    def _peers(self, indicator, level, years, kin, metric) -> dict:
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
                pace_of(w["start_value"], w["end_value"], w["years"], metric))
        w = w.assign(pace=pace)[np.isfinite(pace)].sort_values(["pace", "region", "start_year"], kind="stable")
        if not len(w):
            return NONE | {"peer_series": None, "peer_n": 0, "peer_regions": 0,
                           "peer_excluded": ", ".join(excluded) or None, "peer_p_info": np.nan, "peer_p90": np.nan,
                           "peer_p95": np.nan, "peer_p99": np.nan, "peer_max": np.nan, "peer_max_window": None}
        paces, names = w["pace"].to_numpy(dtype=float), w["region"].to_numpy(dtype=object)
        _, inverse, counts = np.unique(names, return_inverse=True, return_counts=True)
        top = w.iloc[-1]
        return {"paces": paces, "names": names, "share": np.cumsum(1.0 / counts[inverse]) / len(counts) * 100,
                "peer_series": used, "peer_n": len(w), "peer_regions": len(counts),
                "peer_excluded": ", ".join(excluded) or None,
                "peer_p_info": weighted_quantile(paces, names, self.info_percentile),
                **{f"peer_p{p}": weighted_quantile(paces, names, p) for p in (90, 95, 99)},
                "peer_max": float(paces[-1]),
                "peer_max_window": window_label(top["region"], top["start_year"], top["end_year"])}

    def usable(self, n, regions):
        """Enough windows and regions to judge by (scalars or arrays)."""
        return (np.asarray(n) >= self.min_n) & (np.asarray(regions) >= self.min_regions)

    def severity(self, pace: float, paces: np.ndarray, names: np.ndarray) -> str | None:
        """warn above every window, info above the region-weighted info percentile."""
        if pace > paces.max() + EPS:
            return "warn"
        return "info" if pace > weighted_quantile(paces, names, self.info_percentile) + EPS else None

    def loro(self, pace: float, peers: dict, severity: str | None) -> str | None:
        """Leave one region out: 'robust' where the verdict stands without each single region, else
        'knife_edge' (None where there is no peer verdict)."""
        if severity not in ("info", "warn"):
            return None
        paces, names = peers["paces"], peers["names"]
        for region in np.unique(names):
            keep = names != region
            if RANK[self.severity(pace, paces[keep], names[keep])] < RANK[severity]:
                return "knife_edge"
        return "robust"

    def judge(self, steps: pd.DataFrame, kins: dict) -> dict:
        """Every step's peer columns, percentile, `applies`, `severity`, `label` (peers or its proxy) and `loro`."""
        pace = steps["pace"].to_numpy(dtype=float)
        table, at = per_key(lambda i, lv, y, k, m: self.lookup(i, lv, y, kins[k], m),
                            *(steps[c].to_numpy() for c in ("indicator_id", "level", "years", "kin", "metric")))
        found = {c: table[c].to_numpy()[at] for c in COLUMNS}
        percentile = np.full(len(steps), np.nan)
        for g in np.flatnonzero(table["peer_n"].to_numpy() > 0):       # the percentile among each group's paces
            paces, share, mine = table["paces"].iloc[g], table["share"].iloc[g], at == g
            i = np.searchsorted(paces, pace[mine] + EPS, side="right")
            percentile[mine] = np.where(i > 0, share[np.maximum(i - 1, 0)], 0.0)
        applies = self.usable(found["peer_n"].astype(np.int64), found["peer_regions"].astype(np.int64))
        severity = np.full(len(steps), None, dtype=object)
        severity[applies & (pace > found["peer_p_info"].astype(float) + EPS)] = "info"
        severity[applies & (pace > found["peer_max"].astype(float) + EPS)] = "warn"
        loro = np.full(len(steps), None, dtype=object)
        for i in np.flatnonzero(pd.notna(severity)):                   # few: leave one region out
            loro[i] = self.loro(pace[i], table.iloc[at[i]], severity[i])
        label = either(found["peer_series"] == steps["indicator_id"].to_numpy(), PEERS, PROXY)
        return {**found, "peer_n": found["peer_n"].astype(float), "peer_regions": found["peer_regions"].astype(float),
                "peer_percentile": percentile, "loro": loro, "applies": applies, "severity": severity, "label": label}

    def neighbours(self, pace: float, severity: str, indicator: str, level: str, years: int, kin: tuple,
                   metric: str) -> str:
        """'knife_edge' where a neighbouring window length (±1 year) with usable peers gives a lower verdict."""
        for y in (years - 1, years + 1):
            p = self.lookup(indicator, level, y, kin, metric) if y >= 1 else None
            if p is not None and self.usable(p["peer_n"], p["peer_regions"]) and \
                    RANK[self.severity(pace, p["paces"], p["names"])] < RANK[severity]:
                return "knife_edge"
        return "robust"

    def why_not(self, n, years, regions, excluded, unknown) -> Words:
        """Why the peers do not judge a step (a clause of not_judged_because)."""
        left = (fill(Words("（不含本地区所属及下辖的 {e}）", " once the plan's own family ({e}) is left out"), e=excluded)
                if isinstance(excluded, str) and excluded else Words("", ""))
        plural = "s" if int(regions) != 1 else ""
        text = fill(Words("{y} 年的同类地区窗口 {n} 个，来自 {r} 个地区", "{n} peer windows of {span} from {r} region" + plural),
                    n=int(n), r=int(regions), y=int(years), span=span(years))
        text = text + left + fill(Words("（少于 {m} 个窗口或 {k} 个地区）", " (fewer than {m} windows or {k} regions)"),
                                  m=self.min_n, k=self.min_regions)
        return text + (Words("；规划所在地区不在 regions.csv 中", "; the plan's region is not in regions.csv") if unknown
                       else Words("", ""))
