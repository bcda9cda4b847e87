"""The cross-level table → data/processed/escalation.csv: every pair of a plan and a plan of a region above it
(the whole chain of regions.csv) that target the same indicator, in the same unit, for the same year.

Both targets are given (the level comparison, for single-point targets too), the implied growth of each one's step
ending there, and, for plans of the same vintage (dates within escalation_max_vintage_gap_years), the growth gap
the escalation rule judges (analysis/derive/rules/escalation.py). Pairs of different vintages are context only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import schema
from .growth import PATH_MEASURES, categorical
from .rules.base import EPS, judged_rows

ESCALATION_COLUMNS = schema.columns("escalation")
TARGET_COLUMNS = ["source_id", "region", "indicator_id", "indicator_zh", "measure", "unit", "year", "value", "bound"]
STEP_COLUMNS = ["metric", "growth_unit", "start_year", "start_value", "growth"]


def plan_levels(regions: pd.DataFrame) -> dict:
    """{region: level} from regions.csv (district, city, province, country)."""
    return dict(zip(regions["region"].tolist(), regions["level"].tolist()))


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


def _steps_at_targets(segments: pd.DataFrame, keys: dict) -> pd.DataFrame:
    """The step a target's growth is read from: the last judged step of its path ending in its year. `keys`: the
    dtypes of source_id and indicator_id (the targets' categories: duplicates are then found on their codes)."""
    s = segments[["source_id", "indicator_id", "end_year", *STEP_COLUMNS]].iloc[judged_rows(segments)].astype(keys)
    s = s.drop_duplicates(["source_id", "indicator_id", "end_year"], keep="last")
    return s.rename(columns={"end_year": "year"}).assign(year=lambda d: d["year"].astype(np.int64), has_step=True)


def _comparison(gap: float, max_gap: float) -> str:
    if not np.isfinite(gap):
        return "context only: a plan's date is unknown"
    return "same vintage: growth compared" if gap <= max_gap + EPS else f"context only: plans {gap:g} years apart"


def _comparisons(gap: np.ndarray, max_gap: float) -> np.ndarray:
    """_comparison of every gap, each distinct gap written once."""
    code, distinct = pd.factorize(gap, use_na_sentinel=False)
    return np.array([_comparison(g, max_gap) for g in distinct], dtype=object)[code]


def escalation_table(obs: pd.DataFrame, segments: pd.DataFrame, regions: pd.DataFrame, plan_years: dict | None = None,
                     max_gap: float = 2.0) -> pd.DataFrame:
    """Every pair of a plan and a plan of a region above it targeting the same indicator, unit and year, sorted by
    source, indicator, year, steps up the chain and related source; `plan_years`: source → the plan's year."""
    targets = obs[TARGET_COLUMNS][(obs["kind"].to_numpy() == "target") & obs["measure"].isin(PATH_MEASURES).to_numpy()]
    anc = ancestors(regions)[["region", "ancestor", "steps"]]
    # the keys as categories (sorted, so they sort as the text does): joins and sorts on their codes
    region = pd.CategoricalDtype(sorted(set(pd.unique(targets["region"])) | set(anc["region"]) | set(anc["ancestor"])))
    targets = targets.assign(**{c: categorical(targets[c].to_numpy()) for c in ("source_id", "indicator_id", "unit")})
    targets = targets.astype({"region": region, "year": np.int64})
    low = targets.merge(anc.astype({"region": region, "ancestor": region}), on="region")
    high = targets[["source_id", "region", "indicator_id", "unit", "year", "value", "bound"]].set_axis(
        ["related_source_id", "parent_region", "indicator_id", "unit", "year", "parent_end_value", "parent_end_bound"],
        axis=1)
    p = low.merge(high, left_on=["ancestor", "indicator_id", "unit", "year"],
                  right_on=["parent_region", "indicator_id", "unit", "year"])
    p = p[(p["source_id"] != p["related_source_id"]).to_numpy()]
    p = p.sort_values(["source_id", "indicator_id", "year", "steps", "related_source_id"], kind="stable")
    if p.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ESCALATION_COLUMNS})
    steps = _steps_at_targets(segments, {c: targets[c].dtype for c in ("source_id", "indicator_id")})
    p = p.merge(steps, on=["source_id", "indicator_id", "year"], how="left")
    parent = steps[["source_id", "indicator_id", "year", "metric", "start_year", "start_value", "growth", "has_step"]]
    parent = parent.astype({"source_id": p["related_source_id"].dtype}).set_axis(
        ["related_source_id", "indicator_id", "year", "parent_metric", "parent_start_year", "parent_start_value",
         "parent_growth", "parent_has_step"], axis=1)
    p = p.merge(parent, on=["related_source_id", "indicator_id", "year"], how="left")
    years = pd.Series(plan_years or {}, dtype=float)
    gap = np.abs(p["source_id"].map(years).to_numpy(dtype=float) - p["related_source_id"].map(years).to_numpy(dtype=float))
    same = np.isfinite(gap) & (gap <= max_gap + EPS)
    comparable = (same & (p["metric"].to_numpy(dtype=object) == p["parent_metric"].to_numpy(dtype=object))
                  & p["has_step"].notna().to_numpy() & p["parent_has_step"].notna().to_numpy())
    growth, parent_growth = p["growth"].to_numpy(dtype=float), p["parent_growth"].to_numpy(dtype=float)
    text = ["source_id", "region", "related_source_id", "parent_region", "indicator_id", "indicator_zh", "measure",
            "unit", "end_bound", "parent_end_bound", "metric", "growth_unit"]
    out = p.rename(columns={"year": "end_year", "value": "end_value", "bound": "end_bound"}).assign(
        parent_level=p["parent_region"].map(plan_levels(regions)).to_numpy(dtype=object),
        level_gap=p["value"].to_numpy(dtype=float) - p["parent_end_value"].to_numpy(dtype=float),
        start_year=p["start_year"].astype("Int64"), parent_start_year=p["parent_start_year"].astype("Int64"),
        start_value=p["start_value"].astype(float), parent_start_value=p["parent_start_value"].astype(float),
        growth=growth, parent_growth=parent_growth, growth_gap=np.where(comparable, growth - parent_growth, np.nan),
        vintage_gap_years=gap, same_vintage=same, comparison=_comparisons(gap, max_gap))
    out = out[ESCALATION_COLUMNS].reset_index(drop=True)
    return out.astype({c: object for c in text + ["parent_level", "comparison"]})
