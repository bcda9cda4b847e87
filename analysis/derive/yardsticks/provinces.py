"""Yardstick 3, provinces (lower grade): a city or district plan's step set against the windows of the same length
of the provinces other than its own (peers.Peers at the province level). Above every one → info: a province's
pace averages over its cities, so a city above every province window is a weaker finding than above every city
window. Not for a province plan (its peers are provinces already) nor a small count (new entries a year scale
with a province's size)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...core import schema
from ...core.arrays import either, repeated
from ..rules.base import EPS
from ..sentences import Words, fill
from .common import SUB_PROVINCIAL, span, spread
from .peers import Peers

PROVINCES = schema.YARDSTICKS[3]
COLUMNS = ["province_n", "province_regions", "province_max", "province_max_window"]
NONE = {"province_n": 0, "province_regions": 0, "province_max": np.nan, "province_max_window": None}


class Provinces:
    def __init__(self, peers: Peers):
        self.peers = peers

    def lookup(self, indicator: str, level: str, years: int, kin: tuple, metric: str) -> dict:
        """The province windows a step is set against (COLUMNS); none for a province plan or a small count."""
        if level not in SUB_PROVINCIAL or metric == "new_per_year":
            return NONE
        p = self.peers.lookup(indicator, "province", years, kin, metric)
        return {"province_n": p["peer_n"], "province_regions": p["peer_regions"], "province_max": p["peer_max"],
                "province_max_window": p["peer_max_window"]}

    def judge(self, steps: pd.DataFrame, kins: dict) -> dict:
        """Every step's province columns, `applies` and `severity` (info above every province window)."""
        found = spread(lambda i, lv, y, k, m: self.lookup(i, lv, y, kins[k], m), COLUMNS,
                       *(steps[c].to_numpy() for c in ("indicator_id", "level", "years", "kin", "metric")))
        n, regions = found["province_n"].astype(np.int64), found["province_regions"].astype(np.int64)
        applies = self.peers.usable(n, regions)
        over = steps["pace"].to_numpy(dtype=float) > found["province_max"].astype(float) + EPS
        return {**found, "province_n": n.astype(float), "province_regions": regions.astype(float),
                "applies": applies, "severity": either(applies & over, "info", None),
                "label": repeated(PROVINCES, len(steps))}

    def neighbours(self, pace: float, indicator: str, years: int, kin: tuple, metric: str) -> str:
        """'knife_edge' where a neighbouring window length (±1 year) with usable province windows is not passed."""
        for y in (years - 1, years + 1):
            p = self.peers.lookup(indicator, "province", y, kin, metric) if y >= 1 else None
            if p is not None and self.peers.usable(p["peer_n"], p["peer_regions"]) and not pace > p["peer_max"] + EPS:
                return "knife_edge"
        return "robust"

    def why_not(self, level: str, metric: str, n, regions, years) -> Words:
        """Why the provinces do not judge a step."""
        if level not in SUB_PROVINCIAL:
            return (Words("省级规划的同类地区已是各省", "province windows are its peers already") if level == "province"
                    else Words("规划的行政级别不明", "the plan's level is unknown"))
        if metric == "new_per_year":
            return Words("每年新增数不与各省窗口比较（随省份规模而变）",
                         "no province windows for new entries a year (they scale with a province's size)")
        return fill(Words("{y} 年的省级窗口 {n} 个，来自 {r} 个省份（少于 {m} 个窗口或 {k} 个地区）",
                          "{n} province windows of {span} from {r} provinces (fewer than {m} windows or {k} regions)"),
                    n=int(n), r=int(regions), y=int(years), span=span(years), m=self.peers.min_n,
                    k=self.peers.min_regions)
