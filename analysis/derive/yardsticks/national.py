"""Yardstick 4, national: a full annual national series (≥ peer_min_n consecutive one-year rows of
growth_references.csv): a step above its fastest window of the step's length → info. Two one-year rows are no
series: an indicator without a full one has no national yardstick."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...core import schema
from ...core.arrays import either, repeated
from ..rules.base import EPS
from ..sentences import Words, fill
from .common import span, spread

NATIONAL = schema.YARDSTICKS[4]
COLUMNS = ["national_n", "national_max", "national_max_window", "national_same_window"]
NONE = {"national_n": 0, "national_max": np.nan, "national_max_window": None, "national_same_window": np.nan}


class National:
    def __init__(self, windows: pd.DataFrame, v: dict, names: dict):
        self.names = names                                      # {indicator_id: its Chinese name}
        self.min_n = int(v["peer_min_n"])
        self._annual = self._annual_series(windows)
        self._cache: dict = {}

    def _annual_series(self, windows: pd.DataFrame) -> dict:
        """{indicator: (first year, paces, metric, lines)}: the longest run of consecutive one-year national
        windows, where it has at least peer_min_n years (a full annual series)."""
        nat = windows[(windows["scope"] == "national") & (windows["years"] == 1)]
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

    def lookup(self, indicator: str, years: int) -> dict:
        """The windows of `years` years of the indicator's full annual national series (compounded one-year rates
        for cagr, summed pp for shares): their number, the fastest and the median (COLUMNS)."""
        key = (indicator, years)
        if key not in self._cache:
            out = NONE
            if indicator in self._annual and years >= 1:
                y0, rates, metric, lines = self._annual[indicator]
                if len(rates) - years + 1 > 0:
                    span_ = np.lib.stride_tricks.sliding_window_view(rates, years)
                    paces = (span_.sum(axis=1) / years if metric != "cagr" else
                             (np.prod(1 + span_ / 100, axis=1) ** (1 / years) - 1) * 100)
                    i = int(np.argmax(paces))
                    out = {"national_n": len(paces), "national_max": float(paces[i]),
                           "national_max_window": (f"China {y0 + i}–{y0 + i + years} (growth_references.csv lines "
                                                   f"{lines[i]}–{lines[i + years - 1]})"),
                           "national_same_window": float(np.median(paces))}
            self._cache[key] = out
        return self._cache[key]

    def judge(self, steps: pd.DataFrame) -> dict:
        """Every step's national columns, `applies` and `severity` (info above the fastest national window). A small
        count has none: new entries a year are not a national growth rate."""
        indicator = steps["indicator_id"].to_numpy(dtype=object).copy()
        indicator[steps["small"].to_numpy(dtype=bool)] = ""
        found = spread(self.lookup, COLUMNS, indicator, steps["years"].to_numpy())
        n = found["national_n"].astype(np.int64)
        over = steps["pace"].to_numpy(dtype=float) > found["national_max"].astype(float) + EPS
        return {**found, "national_n": n.astype(float), "applies": n > 0,
                "severity": either((n > 0) & over, "info", None),
                "label": repeated(NATIONAL, len(steps))}

    def neighbours(self, pace: float, indicator: str, years: int) -> str:
        """'knife_edge' where the fastest window of a neighbouring length (±1 year) is not passed."""
        for y in (years - 1, years + 1):
            nat = self.lookup(indicator, y) if y >= 1 else NONE
            if nat["national_n"] and pace <= nat["national_max"] + EPS:
                return "knife_edge"
        return "robust"

    def why_not(self, indicator: str, years) -> Words:
        return fill(Words("“{i}”没有窗口为 {y} 年的完整全国年度序列", "no full annual national series of {i} with {span} windows"),
                    i=Words(self.names.get(indicator, indicator), indicator), y=int(years), span=span(years))
