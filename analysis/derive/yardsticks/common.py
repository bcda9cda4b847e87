"""What the yardsticks share: a pace between two values, the plan's family, region-weighted percentiles, and the
lookup of a value once per distinct key (the engine reads every yardstick that way)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..growth import run_codes

RANK = {None: 0, "info": 1, "warn": 2, "alert": 3}
SUB_PROVINCIAL = ("city", "district")          # levels that may be set against provinces (lower grade)


def pace_of(start, end, years, metric: str):
    """A pace between two values: compound %/yr for `cagr`, the change a year otherwise (pp/yr, new per year)."""
    start, end, years = (np.asarray(a, dtype=float) for a in (start, end, years))
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "cagr":
            return np.where(start > 0, ((end / start) ** (1 / years) - 1) * 100, np.nan)
        return (end - start) / years


def span(years) -> str:
    """'1 year', '3 years'."""
    return f"{int(years)} year{'s' if int(years) != 1 else ''}"


def window_label(region, y0, y1) -> str:
    return f"{region} {int(y0)}–{int(y1)}"


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


# ------------------------------------------------------------------------------------------------ region weights
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


# ------------------------------------------------------------------------------------------------ once per key
def per_key(lookup, *columns: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """(table, at): lookup(*key) once per distinct key (one value from each column), a row of `table` each, and
    each row's key. Words are coded by their runs (growth.run_codes: a path's rows share them)."""
    at = np.zeros(len(columns[0]), dtype=np.int64)
    for c in columns:
        code, distinct = run_codes(c) if c.dtype == object else pd.factorize(c, use_na_sentinel=False)
        at, _ = pd.factorize(at * (len(distinct) + 1) + code + 1)
    first = np.flatnonzero(~pd.Series(at).duplicated().to_numpy())   # codes number the keys in order of appearance
    table = pd.DataFrame([lookup(*(c[i] for c in columns)) for i in first], dtype=object)
    return table, at


def spread(lookup, columns: list[str], *keys: np.ndarray) -> dict[str, np.ndarray]:
    """per_key(lookup, *keys), each of `columns` as one value per row."""
    table, at = per_key(lookup, *keys)
    if not len(table):
        return {c: np.zeros(0, dtype=object) for c in columns}
    return {c: table[c].to_numpy()[at] for c in columns}
