"""The yardsticks a target step can meet (issue 21), each with its window, n and grade, in long format.

A *step* is a target step of a path (segments.csv `segment == "step"`, ending in a target, with a rate): its
`pace` is the least the target allows (cagr %/yr or pp/yr), over `years` years. For every step this module says,
for each yardstick in order, whether it applies and what it shows (or why it does not apply):

    peers        comparable regions' realised paces over windows of the same length (regional and provincial
                 panels), WITHOUT the plan's own family (its region, every region above it and every region inside
                 it, regions.csv), each region weighted equally (overlapping windows of one region share one vote)
    own_history  the region's own realised pace over the same number of years up to the plan's base: the ratio
                 of required to realised pace, set against the same ratio across the corpus's steps
    ambition     the same indicator's implied pace in the other plans of the corpus over a window of similar length

The rules (too_fast, too_slow) read the first yardstick that applies (`binding`). Formulas and a worked example
of each: docs/methods.md ("Yardsticks").
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

STEP_KEY = ["source_id", "indicator_id", "start_year", "end_year"]
YARDSTICKS = ("peers", "own_history", "ambition")
COUNT_MEASURES = ("count_stock", "count_flow")


def judged_metric(measure: str, metric: str, start_value: float, min_count_base: float) -> str:
    """The pace a step is judged by: a count starting below `min_count_base` by its new entries a year
    (`new_per_year`: 3 → 95 in three years is 30.7 a year, not 216 %/yr), everything else by its own metric."""
    return "new_per_year" if measure in COUNT_MEASURES and start_value < min_count_base else metric


def pace_of(start, end, years, metric: str):
    """A pace between two values: compound %/yr for `cagr`, the change a year otherwise (pp/yr, new per year)."""
    start, end, years = (np.asarray(a, dtype=float) for a in (start, end, years))
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "cagr":
            return np.where(start > 0, ((end / start) ** (1 / years) - 1) * 100, np.nan)
        return (end - start) / years


# ------------------------------------------------------------------------------------------------ the plan's family
def family_of(parent: dict) -> Callable[[str], set[str]]:
    """family(region) over a {region: parent} map (regions.csv): the region, every region above it (parent,
    grandparent, …) and every region inside it (children, …)."""
    children: dict = {}
    for r, p in parent.items():
        if isinstance(p, str) and p:
            children.setdefault(p, set()).add(r)

    def family(region: str) -> set[str]:
        above, here = set(), region
        while isinstance(parent.get(here), str) and parent[here] and parent[here] not in above:
            here = parent[here]
            above.add(here)
        below, frontier = set(), {region}
        while frontier:
            frontier = {c for f in frontier for c in children.get(f, ()) if c not in below and c != region}
            below |= frontier
        return {region} | above | below
    return family


def parents_of(regions: pd.DataFrame) -> dict:
    """{region: parent} of regions.csv."""
    return dict(zip(regions["region"], regions["parent"].fillna("")))


def family(region: str, regions: pd.DataFrame) -> set[str]:
    """`region`, every region above it (parent, grandparent, …) and every region inside it (children, …)."""
    return family_of(parents_of(regions))(region)


# ------------------------------------------------------------------------------------------------ peers
def weighted_percentile(pace: float, peer_paces: np.ndarray, peer_regions: np.ndarray) -> float:
    """100 × the share of regions' weight whose windows are at or below `pace`: each region has weight 1, shared
    equally by its windows (a region with 17 overlapping windows counts as much as one with a single window)."""
    regions, inverse, counts = np.unique(peer_regions, return_inverse=True, return_counts=True)
    weight = 1.0 / counts[inverse]
    return float(100.0 * weight[peer_paces <= pace].sum() / len(regions))


def weighted_quantile(peer_paces: np.ndarray, peer_regions: np.ndarray, q: float) -> float:
    """The smallest window pace at which the region-weighted share at or below it reaches q (0–100)."""
    order = np.argsort(peer_paces, kind="stable")
    paces, regions = peer_paces[order], peer_regions[order]
    _, inverse, counts = np.unique(regions, return_inverse=True, return_counts=True)
    share = np.cumsum(1.0 / counts[inverse]) / len(counts) * 100.0
    return float(paces[np.searchsorted(share, q - 1e-9)])


def peer_set(step: pd.Series, windows: pd.DataFrame, regions: pd.DataFrame, levels: dict) -> tuple[pd.DataFrame, list]:
    """The peer windows of one step (same indicator, same length, peer levels of the plan's level) without the plan's
    family; and the family regions that had windows and were left out."""
    level = regions.set_index("region")["level"].get(step["region"], "unknown")
    same = windows[(windows["scope"] == "peer") & (windows["indicator_id"] == step["indicator_id"])
                   & (windows["years"] == step["years"]) & windows["level"].isin(levels.get(level, []))]
    kin = family(step["region"], regions)
    mine = same["region"].isin(kin)
    # each window's pace in the step's metric (new entries a year where a small count is judged by increments)
    peers = same[~mine].assign(pace=lambda w: pace_of(w["start_value"], w["end_value"], w["years"], step["metric"]))
    return peers[np.isfinite(peers["pace"])], sorted(set(same.loc[mine, "region"]))


def judge_against_peers(step: pd.Series, windows: pd.DataFrame, regions: pd.DataFrame, levels: dict,
                        min_regions: int, info_percentile: float) -> dict:
    """What the peer yardstick says of one step: n windows, n regions, the family left out, the region-weighted
    percentile and p90, the fastest window, and the verdict with leave-one-region-out (`loro`) robustness."""
    peers, excluded = peer_set(step, windows, regions, levels)
    out = {"yardstick": "peers", "n": len(peers), "n_regions": peers["region"].nunique(),
           "excluded": ", ".join(excluded)}
    if out["n_regions"] < min_regions:
        out["why_not"] = (f"{out['n_regions']} peer region(s) with {step['years']}-year windows"
                          + (f" once the plan's own family ({out['excluded']}) is left out" if excluded else "")
                          + f" (fewer than {min_regions})")
        return out
    pace, paces, names = step["pace"], peers["pace"].to_numpy(float), peers["region"].to_numpy(object)
    fastest = peers.loc[peers["pace"].idxmax()]
    out.update(percentile=weighted_percentile(pace, paces, names),
               threshold=weighted_quantile(paces, names, info_percentile), peer_max=float(paces.max()),
               max_window=f"{fastest['region']} {fastest['start_year']}–{fastest['end_year']}")
    out["verdict"] = "warn" if pace > out["peer_max"] else "info" if out["percentile"] > info_percentile else "none"
    # leave one region out: does the verdict stand without each single region?
    standing = []
    for region in np.unique(names):
        keep = names != region
        if out["verdict"] == "warn":
            standing.append(pace > paces[keep].max())
        elif out["verdict"] == "info":
            standing.append(weighted_percentile(pace, paces[keep], names[keep]) > info_percentile)
    out["loro"] = "" if out["verdict"] == "none" else ("robust" if all(standing) else "knife_edge")
    return out


# ------------------------------------------------------------------------------------------------ own history
def own_history(step: pd.Series, known: pd.DataFrame, base_year: int, max_years: int = 0) -> dict:
    """The region's realised pace before the step, ending at its latest actual at or before `base_year`: over
    `step.years` years (one year shorter or longer where the exact year is not known); where no such window exists,
    over the longest window of 2 to `max_years` years ending there (`fallback`). The pace is in the step's metric
    (new entries a year for a small count), and `ratio` = the step's required pace / that pace."""
    out = {"yardstick": "own_history"}
    mine = known[(known["source_id"] == step["source_id"]) & (known["indicator_id"] == step["indicator_id"])
                 & (known["year"] <= base_year)].sort_values("year")
    if mine.empty:
        out["why_not"] = f"no actual of the region at or before {base_year} (the step's start)"
        return out
    year = mine["year"].to_numpy(dtype=np.int64)
    length, gap = int(step["years"]), year[-1] - year
    pick = np.flatnonzero((gap > 0) & (np.abs(gap - length) <= 1))
    fallback = not len(pick)
    if fallback:
        pick = np.flatnonzero((gap >= 2) & (gap <= max_years))
    if not len(pick):
        out["why_not"] = (f"no actual {length} (±1) years before {int(year[-1])}, the latest actual at or before "
                          f"the step's start" + (f", nor 2–{max_years} years before it" if max_years >= 2 else ""))
        return out
    # the window of the step's length (nearest to it, earliest on a tie), else the longest (the earliest actual)
    i = pick[0] if fallback else pick[np.argsort(np.abs(gap[pick] - length), kind="stable")[0]]
    first, last = mine.iloc[i], mine.iloc[-1]
    years = int(last["year"] - first["year"])
    realised = float(pace_of(first["value"], last["value"], years, step["metric"]))
    out.update(window=f"{int(first['year'])}–{int(last['year'])}", history_pace=realised, fallback=fallback,
               known=f"{_end(first)}; {_end(last)}")
    if not np.isfinite(realised) or realised <= 0:
        out["why_not"] = f"the region's own pace {out['window']} was not a rise ({realised:.4g})"
        return out
    out["ratio"] = step["pace"] / realised
    return out


def _end(row: pd.Series) -> str:
    """'<year>: <value> (<where it comes from>)' of one end of an own-history window: its citation (a document's
    line or a URL) where there is one, else how it was known."""
    c = row.get("citation")
    return f"{int(row['year'])}: {row['value']:g} ({c if isinstance(c, str) and c else row['known']})"


# ------------------------------------------------------------------------------------------------ ambition
def ambition(step: pd.Series, steps: pd.DataFrame, min_plans: int) -> dict:
    """The step's pace among the implied paces of the same indicator in the other plans over windows whose length
    differs by at most one year: percentile (share of those paces at or below it), n plans."""
    others = steps[(steps["indicator_id"] == step["indicator_id"]) & (steps["source_id"] != step["source_id"])
                   & ((steps["years"] - step["years"]).abs() <= 1) & (steps["metric"] == step["metric"])]
    # one vote per plan: its fastest step of that length (a plan with three steps is not three plans)
    per_plan = others.groupby("source_id")["pace"].max()
    out = {"yardstick": "ambition", "n": len(per_plan), "n_regions": others["region"].nunique()}
    if len(per_plan) < min_plans:
        out["why_not"] = f"{len(per_plan)} other plan(s) target this indicator over {step['years']}±1 years (fewer than {min_plans})"
        return out
    out["percentile"] = float(100.0 * (per_plan <= step["pace"]).mean())
    out["peer_max"] = float(per_plan.max())
    out["max_window"] = str(per_plan.idxmax())
    return out


# ------------------------------------------------------------------------------------------------ all of them
def yardstick_table(steps: pd.DataFrame, windows: pd.DataFrame, regions: pd.DataFrame, known: pd.DataFrame,
                    base_years: dict, params: dict) -> pd.DataFrame:
    """One row per (step, yardstick): STEP_KEY, yardstick, applies, why_not and what it shows; `binding` marks the
    first yardstick that applies to each step (peers, then own history, then ambition)."""
    rows = []
    for _, step in steps.iterrows():
        key = {k: step[k] for k in STEP_KEY}
        found = [judge_against_peers(step, windows, regions, params["peer_levels"], params["peer_min_regions"],
                                     params["peer_info_percentile"]),
                 own_history(step, known, base_years[step["source_id"]], params.get("own_history_max_years", 0)),
                 ambition(step, steps, params["ambition_min_plans"])]
        rows += [{**key, **f} for f in found]
    table = pd.DataFrame(rows)
    for column in ("why_not", "n", "n_regions", "excluded", "percentile", "threshold", "peer_max", "max_window",
                   "verdict", "loro", "window", "history_pace", "known", "ratio"):
        if column not in table:
            table[column] = np.nan
    table["applies"] = table["why_not"].isna()
    # own history: the ratio set against the ratios of every step that has one
    ratios = table.loc[table["yardstick"].eq("own_history") & table["applies"], "ratio"].to_numpy(float)
    own = table["yardstick"].eq("own_history") & table["applies"]
    table.loc[own, "n"] = len(ratios)
    table.loc[own, "percentile"] = [100.0 * (ratios <= r).mean() for r in table.loc[own, "ratio"]]
    first = table[table["applies"]].groupby(STEP_KEY, sort=False).head(1).index
    table["binding"] = table.index.isin(first)
    return table
