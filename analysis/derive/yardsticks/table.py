"""yardsticks.csv: the judgement of every target step in long format, one row per yardstick in the order they are
tried, read from the judgement columns (so it agrees with segments.csv by construction)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import Yardsticks
from .among_plans import SCOPES
from .ceiling import CEILING_ONLY
from .national import NATIONAL
from .own_history import OWN
from .peers import PEERS, PROXY
from .provinces import PROVINCES

COLUMNS = ["source_id", "region", "indicator_id", "start_year", "end_year", "years", "metric_judged",
           "pace_judged", "yardstick", "applies", "binding", "why_not", "n", "n_regions", "excluded",
           "percentile", "threshold", "max", "max_window", "ratio", "verdict", "loro"]


def _peers(r, sticks: Yardsticks) -> dict:
    applies = bool(sticks.peers.usable(r.peer_n, r.peer_regions))
    left = f" once the plan's own family ({r.peer_excluded}) is left out" if isinstance(r.peer_excluded, str) else ""
    return {"yardstick": PROXY if r.yardstick == PROXY else PEERS, "applies": applies,
            "why_not": None if applies else (f"{int(r.peer_n)} windows from {int(r.peer_regions)} regions (fewer than "
                                             f"{sticks.peers.min_n} windows or {sticks.peers.min_regions} regions)"
                                             + left),
            "n": r.peer_n, "n_regions": r.peer_regions, "excluded": r.peer_excluded,
            "percentile": r.peer_percentile if applies else np.nan, "threshold": r.peer_p_info if applies else np.nan,
            "max": r.peer_max, "max_window": r.peer_max_window, "loro": r.loro}


def _own_history(r, sticks: Yardsticks) -> dict:
    applies = bool(np.isfinite(r.history_ratio))
    return {"yardstick": OWN, "applies": applies,
            "why_not": None if applies else ("no rise over as many years (±1) before the step among the actuals known "
                                             "before the plan"),
            "max": r.history_pace, "max_window": r.history_window, "ratio": r.history_ratio,
            "threshold": r.history_pace * sticks.own_history.ratio_info if applies else np.nan}


def _provinces(r, sticks: Yardsticks, level: str) -> dict:
    applies = bool(sticks.peers.usable(r.province_n, r.province_regions))
    return {"yardstick": PROVINCES, "applies": applies,
            "why_not": None if applies else sticks.provinces.why_not(level, r.metric_judged, r.province_n,
                                                                     r.province_regions, r.years).en,
            "n": r.province_n, "n_regions": r.province_regions, "threshold": r.province_max, "max": r.province_max,
            "max_window": r.province_max_window}


def _national(r, sticks: Yardsticks) -> dict:
    applies = bool(r.national_n > 0)
    return {"yardstick": NATIONAL, "applies": applies,
            "why_not": None if applies else sticks.national.why_not(r.indicator_id, r.years).en,
            "n": r.national_n, "threshold": r.national_max, "max": r.national_max, "max_window": r.national_max_window}


def _among_plans(r, sticks: Yardsticks, level: str) -> dict:
    applies = isinstance(r.ambition_scope, str)
    return {"yardstick": SCOPES.get(r.ambition_scope, SCOPES["indicator"]), "applies": applies,
            "why_not": None if applies else sticks.among_plans.why_not(
                r.indicator_id, r.years, r.ambition_n, r.metric_judged, bool(np.isfinite(r.pace_judged)), level,
                r.unit).en,
            "n": r.ambition_n, "percentile": r.ambition_percentile, "threshold": r.ambition_threshold,
            "max": r.ambition_max, "max_window": r.ambition_max_plan, "loro": r.ambition_lopo}


def _ceiling(r) -> dict:
    applies = isinstance(r.ceiling_name, str)
    return {"yardstick": CEILING_ONLY, "applies": applies,
            "why_not": None if applies else ("no growth-rate ceiling applies to new entries a year"
                                             if r.metric_judged == "new_per_year" else
                                             "no ceiling of this metric whose window is no longer than the step"),
            "threshold": r.ceiling, "excluded": None, "max_window": r.ceiling_name}


def yardstick_rows(segments: pd.DataFrame, judgement: pd.DataFrame, levels: dict, sticks: Yardsticks) -> pd.DataFrame:
    """One row per target step (a rated step ending in a target) and yardstick, in the order they are tried:
    whether it applies, why not, what it shows, and whether it binds (the first that applies; the ceiling binds
    only where nothing else does, as `ceiling only`)."""
    rated = np.flatnonzero(judgement["pace_judged"].notna().to_numpy())
    s = pd.concat([segments.iloc[rated].reset_index(drop=True), judgement.iloc[rated].reset_index(drop=True)],
                  axis=1)
    rows = []
    for r in s.itertuples(index=False):
        key = {"source_id": r.source_id, "region": r.region, "indicator_id": r.indicator_id,
               "start_year": r.start_year, "end_year": r.end_year, "years": r.years,
               "metric_judged": r.metric_judged, "pace_judged": r.pace_judged}
        level = levels.get(r.region, "unknown")
        level = level if isinstance(level, str) else "unknown"
        severity = r.severity if isinstance(r.severity, str) else None
        for f in (_peers(r, sticks), _own_history(r, sticks), _provinces(r, sticks, level), _national(r, sticks),
                  _among_plans(r, sticks, level), _ceiling(r)):
            f["binding"] = f["yardstick"] == r.yardstick
            f["verdict"] = severity if f["binding"] or (f["yardstick"] == CEILING_ONLY and severity == "alert") else None
            rows.append(key | f)
    out = pd.DataFrame(rows)
    for c in COLUMNS:
        if c not in out:
            out[c] = np.nan
    return out[COLUMNS]
