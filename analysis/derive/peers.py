"""Reference windows: the pace that comparable series actually achieved over windows of each length.

The yardsticks of the pace rules (analysis.derive.paces, analysis/derive/rules/too_fast.py) are distributions of realised paces,
not single national numbers:

    peer       data/raw/reference/regional_panel.csv and provincial_panel.csv: every window (y0 → y1) of one
               published series (one region, one indicator, one table: windows never mix publications or
               vintages), for sub-national units
    national   rows of growth_references.csv that thresholds.yml `national_series` assigns to an indicator
               (outcomes only: plan targets are not paces anyone achieved)

A window's pace uses the metric of the indicator's measure (pp/yr for shares, compound %/yr for counts and
levels), the same as the segments it judges. Which panel rows may not make windows (LOWER BOUND, IMPLIED,
no address) and which series have breaks is data (thresholds.yml `peers`), each with its reason. The method and
its caveats are in docs/methods.md.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import paths
from ..core.errors import InputError
from ..inputs.panels import PANEL_COLUMNS
from ..inputs.reference import REFERENCES, load_references, load_rules, matching_references
from ..inputs.vocab import load_indicators
from .growth import annual_rate

LEVELS = ("district", "city", "province", "country")
WINDOW_COLUMNS = ["scope", "indicator_id", "level", "region", "series", "start_year", "end_year", "years", "start_value",
                  "end_value", "metric", "pace", "lines", "source_url"]


def load_panel(path: Path = paths.REGIONAL_PANEL, excluded_marks=("LOWER BOUND", "IMPLIED")) -> pd.DataFrame:
    """regional_panel.csv with `line` (its line in the file) and `usable` / `unusable_because` per row: a row without
    an address, or whose notes carry one of `excluded_marks`, makes no window."""
    path = Path(path)
    df = pd.read_csv(path, dtype={"region": str, "indicator": str, "title": str, "notes": str, "source_url": str},
                     keep_default_na=False, na_values={"value": [""], "year": [""]})
    missing = [c for c in PANEL_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(PANEL_COLUMNS)}")
    bad_level = ~df["region_level"].isin(LEVELS)
    if bad_level.any():
        i = int(np.flatnonzero(bad_level)[0])
        raise InputError(f"{path}: line {i + 2} field 'region_level' is {df['region_level'].iloc[i]!r}; expected one of {LEVELS}")
    for col in ("year", "value"):
        bad = pd.to_numeric(df[col], errors="coerce").isna()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{path}: line {i + 2} field {col!r} is {df[col].iloc[i]!r}; expected a number")
    df.insert(0, "line", range(2, len(df) + 2))
    df["year"] = df["year"].astype(int)
    df["value"] = df["value"].astype(float)
    why = np.where(df["source_url"].str.strip() == "", "no source address", "")
    for mark in excluded_marks:
        why = np.where((why == "") & df["notes"].str.contains(mark, regex=False), f"marked {mark} in notes", why)
    df["unusable_because"] = why
    df["usable"] = why == ""
    return df


def panel_windows(panel: pd.DataFrame, measures: dict, breaks: list | None = None,
                  excluded_series: list | None = None) -> pd.DataFrame:
    """Every window of every usable panel series: one series per (region, indicator, title); both ends present;
    no window across a declared break (a break without `region` holds for every region of the series); no window
    of a series `excluded_series` names (indicator and title_contains). Columns WINDOW_COLUMNS; `measures` maps
    indicator id → measure."""
    p = panel[panel["usable"]].sort_values(["region", "indicator", "title", "year"], kind="stable")
    for x in excluded_series or []:
        p = p[~((p["indicator"] == x["indicator"]) & p["title"].str.contains(x["title_contains"], regex=False))]
    if p.duplicated(["region", "indicator", "title", "year"]).any():
        d = p[p.duplicated(["region", "indicator", "title", "year"], keep=False)].iloc[0]
        raise InputError(f"{paths.REGIONAL_PANEL.name}: {d['region']} {d['indicator']} {d['year']} appears twice in the table "
                         f"{d['title']!r}; expected one value per series and year")
    p = p[p["indicator"].isin(measures)]      # an indicator no document uses: nothing to judge with it
    key = ["region", "indicator", "title"]
    # each series' level and address are those of its first year
    p = p.assign(**p.groupby(key, sort=False)[["region_level", "source_url"]].transform("first"))
    ends = ["year", "value", "line"]
    w = p[[*key, "region_level", "source_url", *ends]].merge(p[[*key, *ends]], on=key, suffixes=("_start", "_end"))
    w = w[w["year_start"] < w["year_end"]]    # every pair of years of a series
    for b in breaks or []:
        across = ((w["indicator"] == b["indicator"]) & w["title"].str.contains(b["title_contains"], regex=False)
                  & (w["year_start"] <= b["after_year"]) & (w["year_end"] > b["after_year"]))
        if "region" in b:
            across &= w["region"] == b["region"]
        w = w[~across]
    if w.empty:
        return pd.DataFrame(columns=WINDOW_COLUMNS)
    w = w.sort_values([*key, "year_start", "year_end"], kind="stable")
    metric = np.where(w["indicator"].map(measures) == "share", "pp_per_year", "cagr")
    years = w["year_end"] - w["year_start"]
    out = pd.DataFrame({
        "scope": "peer", "indicator_id": w["indicator"], "level": w["region_level"], "region": w["region"],
        "series": w["title"], "start_year": w["year_start"], "end_year": w["year_end"], "years": years,
        "start_value": w["value_start"], "end_value": w["value_end"], "metric": metric,
        "pace": annual_rate(w["value_start"], w["value_end"], years, metric),
        "lines": w["line_start"].astype(str) + ", " + w["line_end"].astype(str), "source_url": w["source_url"]})
    return out[np.isfinite(out["pace"].to_numpy(dtype=float))].reset_index(drop=True)


def national_windows(refs: pd.DataFrame, selectors: dict, measures: dict) -> pd.DataFrame:
    """The growth_references.csv rows that `selectors` (indicator id → list of {topic, region, indicator text})
    assign to an indicator, as windows. Plan targets (region 'plan target', indicator 'TARGET') are refused: a
    target is not a pace anyone achieved."""
    rows = []
    for indicator, sels in (selectors or {}).items():
        if indicator not in measures:
            raise InputError(f"thresholds.yml national_series: unknown indicator {indicator!r}; expected an id of "
                             "data/raw/indicators.csv")
        metric = "pp_per_year" if measures[indicator] == "share" else "cagr"
        for sel in sels:
            mask = matching_references(refs, sel, f"thresholds.yml national_series {indicator}")
            hit = refs[mask & refs["annual_rate"].notna() & refs["start_year"].notna() & refs["end_year"].notna()]
            if hit.empty:
                raise InputError(f"thresholds.yml national_series {indicator}: {sel} matches no row of "
                                 "growth_references.csv with years and an annual_rate")
            target = hit["region"].str.contains("plan target") | hit["indicator"].str.contains("TARGET")
            if target.any():
                raise InputError(f"thresholds.yml national_series {indicator}: {sel} matches plan-target rows "
                                 f"(lines {', '.join(map(str, hit.loc[target, 'line']))}); only outcomes are paces")
            unit = hit["rate_unit"].map({"pp_per_year": "pp_per_year", "cagr_percent": "cagr"})
            if (unit != metric).any():
                raise InputError(f"thresholds.yml national_series {indicator}: {sel} matches rows measured in "
                                 f"{sorted(set(hit['rate_unit']))}; the indicator is measured in {metric}")
            rows.append(pd.DataFrame({
                "scope": "national", "indicator_id": indicator, "level": "country", "region": hit["region"],
                "series": hit["indicator"], "start_year": hit["start_year"].astype(int),
                "end_year": hit["end_year"].astype(int), "years": (hit["end_year"] - hit["start_year"]).astype(int),
                "start_value": hit["start_value"], "end_value": hit["end_value"], "metric": metric,
                "pace": hit["annual_rate"].astype(float), "lines": hit["line"].astype(str),
                "source_url": hit["source_url"].astype(str).str.split(" | ", regex=False).str[0]}))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=WINDOW_COLUMNS)
    return out.drop_duplicates(["indicator_id", "lines"])[WINDOW_COLUMNS].reset_index(drop=True)


@lru_cache(maxsize=4)
def _cached_windows(panel_path: str, refs_path: str, rules_key: str, versions: tuple,
                    provincial_path: str = str(paths.PROVINCIAL_PANEL)) -> pd.DataFrame:
    rules = json.loads(rules_key)
    vocab = load_indicators()
    measures = dict(zip(vocab["indicator_id"], vocab["measure"]))
    peers = rules.get("peers", {})
    marks = tuple(peers.get("excluded_marks", ("LOWER BOUND", "IMPLIED")))
    panels = [load_panel(Path(f), marks) for f in (panel_path, provincial_path) if Path(f).exists()]
    out = pd.concat([*(panel_windows(p, measures, peers.get("breaks"), peers.get("excluded_series")) for p in panels),
                     national_windows(load_references(Path(refs_path)), rules.get("national_series"), measures)],
                    ignore_index=True)
    return out


def reference_windows(rules: dict | None = None, panel: Path = paths.REGIONAL_PANEL, references: Path | None = None) -> pd.DataFrame:
    """Peer and national windows (WINDOW_COLUMNS) under the rules of thresholds.yml (`peers`, `national_series`):
    the peer windows of `panel` and, where `panel` is the repository's regional panel, of the provincial panel."""
    rules = rules if rules is not None else load_rules()
    key = json.dumps({k: rules.get(k) for k in ("peers", "national_series")}, sort_keys=True, default=str)
    refs = Path(references or REFERENCES)
    # the files' modification times are part of the key: an edited panel is read again in a running notebook
    provincial = paths.PROVINCIAL_PANEL if Path(panel) == paths.REGIONAL_PANEL else Path(panel).with_name("no provincial panel")
    versions = tuple(Path(f).stat().st_mtime_ns if Path(f).exists() else 0
                     for f in (panel, refs, paths.INDICATORS, provincial))
    return _cached_windows(str(panel), str(refs), key, versions, str(provincial)).copy()


def describe(windows: pd.DataFrame) -> pd.DataFrame:
    """Per indicator, scope, level and window length: n, median, p90, max and the region-window of the max."""
    if windows.empty:
        return pd.DataFrame(columns=["indicator_id", "scope", "level", "years", "n", "median", "p90", "max", "max_window"])
    w = windows.sort_values(["indicator_id", "scope", "level", "years", "pace"], kind="stable")
    g = w.groupby(["indicator_id", "scope", "level", "years"], sort=True)
    out = g["pace"].agg(n="size", median="median", p90=lambda s: float(np.percentile(s, 90)), max="max").reset_index()
    top = g.tail(1).set_index(["indicator_id", "scope", "level", "years"])
    out["max_window"] = [f"{top.at[k, 'region']} {top.at[k, 'start_year']}–{top.at[k, 'end_year']}"
                         for k in zip(out["indicator_id"], out["scope"], out["level"], out["years"])]
    return out
