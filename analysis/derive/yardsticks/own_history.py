"""Yardstick 2, own history: the region's own realised pace over as many years up to the step's start, from the
actuals known before the plan (known.pre_plan_actuals: other plans of the region dated earlier, and same-year
evidence published before the plan; a value published later is hindsight, no yardstick of a plan).

    ratio       required pace / realised pace
    verdict     ratio ≥ own_history_ratio_warn → warn, ≥ own_history_ratio_info → info
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...core import schema
from ...core.arrays import repeated
from ..rules.base import EPS
from ..sentences import Words, fill
from .common import pace_of, spread

OWN = schema.YARDSTICKS[2]
COLUMNS = ["history_pace", "history_window", "history_known"]
KNOWN_COLUMNS = ["source_id", "indicator_id", "year", "value", "known"]


def own_history(step: pd.Series, known: pd.DataFrame, base_year: int, max_years: int = 0) -> dict:
    """The region's realised pace before the step, ending at its latest actual at or before `base_year`: over
    `step.years` years (one year shorter or longer where the exact year is not known); where no such window exists,
    over the longest window of 2 to `max_years` years ending there (`fallback`). The pace is in the step's metric
    (new entries a year for a small count), and `ratio` = the step's required pace / that pace."""
    out = {}
    mine = known[(known["source_id"] == step["source_id"]) & (known["indicator_id"] == step["indicator_id"])
                 & (known["year"] <= base_year)].sort_values("year")
    if mine.empty:
        out["why_not"] = fill(Words("在 {y} 年（本路段起点）及以前没有本地区的实际值",
                                    "no actual of the region at or before {y} (the step's start)"), y=base_year)
        return out
    year = mine["year"].to_numpy(dtype=np.int64)
    length, gap = int(step["years"]), year[-1] - year
    pick = np.flatnonzero((gap > 0) & (np.abs(gap - length) <= 1))
    fallback = not len(pick)
    if fallback:
        pick = np.flatnonzero((gap >= 2) & (gap <= max_years))
    if not len(pick):
        out["why_not"] = fill(Words("在 {last} 年（本路段起点及以前最近的实际值）之前 {n}（±1）年没有实际值",
                                    "no actual {n} (±1) years before {last}, the latest actual at or before the "
                                    "step's start"), n=length, last=int(year[-1]))
        if max_years >= 2:
            out["why_not"] += fill(Words("，之前 2–{m} 年也没有", ", nor 2–{m} years before it"), m=max_years)
        return out
    # the window of the step's length (nearest to it, earliest on a tie), else the longest (the earliest actual)
    i = pick[0] if fallback else pick[np.argsort(np.abs(gap[pick] - length), kind="stable")[0]]
    first, last = mine.iloc[i], mine.iloc[-1]
    years = int(last["year"] - first["year"])
    realised = float(pace_of(first["value"], last["value"], years, step["metric"]))
    out.update(window=f"{int(first['year'])}–{int(last['year'])}", history_pace=realised, fallback=fallback,
               known=f"{_end(first)}; {_end(last)}")
    if not np.isfinite(realised) or realised <= 0:
        out["why_not"] = fill(Words("本地区 {w} 年的速度不是增长（{p}）", "the region's own pace {w} was not a rise ({p})"),
                              w=out["window"], p=f"{realised:.4g}")
        return out
    out["ratio"] = step["pace"] / realised
    return out


def _end(row: pd.Series) -> str:
    """'<year>: <value> (<where it comes from>)' of one end of an own-history window: its citation (a document's
    line or a URL) where there is one, else how it was known."""
    c = row.get("citation")
    return f"{int(row['year'])}: {row['value']:g} ({c if isinstance(c, str) and c else row['known']})"


NONE = {"history_pace": np.nan, "history_window": None, "history_known": None,
        "history_why": Words("规划前没有已知的本地区实际值", "no actual of the region known before the plan")}


class OwnHistory:
    """The region's own pre-plan pace of every (source, indicator, start year, years, metric), computed once."""

    def __init__(self, known: pd.DataFrame | None, v: dict):
        self.ratio_info, self.ratio_warn = v["own_history_ratio_info"], v["own_history_ratio_warn"]
        self.max_years = int(v["own_history_max_years"])
        known = known if known is not None else pd.DataFrame(columns=KNOWN_COLUMNS)
        known = known[known["known"] != "published later"].sort_values(["source_id", "indicator_id", "year"],
                                                                         kind="stable").reset_index(drop=True)
        self._known = {k: g for k, g in known.groupby(["source_id", "indicator_id"], sort=False)}

    def lookup(self, source: str, indicator: str, start_year: int, years: int, metric: str) -> dict:
        """own_history of a step: COLUMNS (NaN where there is none) and `history_why` (why not, Words)."""
        mine = self._known.get((source, indicator))
        if mine is None:
            return NONE
        step = pd.Series({"source_id": source, "indicator_id": indicator, "years": years, "metric": metric,
                          "pace": np.nan})
        h = own_history(step, mine, start_year, self.max_years)
        if "why_not" in h:
            return NONE | {"history_why": h["why_not"]}
        return {"history_pace": h["history_pace"], "history_window": h["window"], "history_known": h["known"],
                "history_why": None}

    def judge(self, steps: pd.DataFrame) -> dict:
        """Every step's own-history columns, `history_ratio`, `applies` (a finite ratio) and `severity`."""
        # looked up step by step only where the plan's indicator has known actuals (few): the others have none
        known = pd.MultiIndex.from_arrays([steps["source_id"], steps["indicator_id"]]).isin(list(self._known))
        found = {c: repeated(NONE[c], len(steps)) for c in [*COLUMNS, "history_why"]}
        if known.any():
            mine = spread(self.lookup, [*COLUMNS, "history_why"], *(
                steps[c].to_numpy()[known] for c in ("source_id", "indicator_id", "start_year", "years", "metric")))
            for c in found:
                found[c][known] = mine[c]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = steps["pace"].to_numpy(dtype=float) / found["history_pace"].astype(float)
        applies = np.isfinite(ratio)
        severity = np.full(len(steps), None, dtype=object)
        severity[applies & (ratio >= self.ratio_info - EPS)] = "info"
        severity[applies & (ratio >= self.ratio_warn - EPS)] = "warn"
        return {**found, "history_ratio": ratio, "applies": applies, "severity": severity,
                "label": repeated(OWN, len(steps))}

    @staticmethod
    def why_not(history_why: Words) -> Words:
        """Why the region's own history does not judge a step."""
        return Words("本地区历史：", "own history: ") + history_why
