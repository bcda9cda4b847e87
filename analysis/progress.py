"""Target versus actual: data/processed/progress.csv.

For every target of observations.csv with a usable actual (see `analysis.actuals.combined`):

* **Base**: the document's own latest actual before the target year (e.g. Panyu's 2014 figures); when the
  document states none, the latest cited actual of the region for a year before the document's year.
  A document's actuals count only for years before its own year (a figure for the current year, such as
  截至5月底…, is interim).
* **Judging actual** (`judged_by`): the actual for the target year (`actual_at_target_year`) decides
  `achieved` or `missed`, bound-aware: `ge` needs actual ≥ target, `gt` actual > target (超过 1.14 万家 is met
  by 12,099), `eq` actual ≥ target (≤ for a target below its base), `approx` within `approx_band_pct`
  below the target, `range` at least the lower end. Without one, the latest actual after the base and
  before the target year (`latest_actual_before_target_year`) or, failing that, an actual at most
  `progress_max_years_after_target` years late (`actual_after_target_year`) is judged by pace:
* **Growth ratio** (Eurostat-style, as implemented by Statistics Canada / Open SDG): R = d · CAGR_observed /
  |CAGR_required|, base→actual against base→target, d = +1 for a target above its base. R ≥ 0.95
  `on_track`, ≥ 0.60 `acceleration_needed`, ≥ 0 `limited_progress`, < 0 `deterioration`. An actual that
  already meets the target before its year is `on_track`. Where the required growth is zero (target =
  base), the observed CAGR is compared with the trend thresholds scaled by the limit factor
  C = 1 − (base/100)^4.44 of a share near its ceiling (`limit_factor`, reported for every share; with a
  quantitative target the ratio itself needs no ceiling correction, as in sdg-build's ProgressMeasure.py).
  Method: https://github.com/open-sdg/open-sdg/blob/master/docs/progress-methodology.md
* **Current status index** (ESCAP-style): (actual − base) / (target − base), the part of the planned
  change achieved; `elapsed_share` is the part of the planned time that had passed.
  Method: https://data.unescap.org/dataviz/methodology/technical-notes.html
* **Trajectory** (third view, when issue 4's trajectories are given): the plan's fitted path at the actual's
  year, how far the actual is ahead of or behind it, and the target-year value if that lead or lag persists.
* **Data quality** (information, not an accusation): an actual exactly equal to its target, or a series
  landing exactly on every target, with a literature reference from data/raw/reference/growth_references.csv.
* **Across levels**: the parent region's actual for the same indicator and year beside each row
  (`parent_*`); `across_levels(progress)` lines a district's rows up with its city's.

Thresholds are data (the progress_* rows and approx_band_pct of data/raw/reference/thresholds.yml) and can be
overridden by name, like the flags' thresholds.
"""
from __future__ import annotations

import math

import pandas as pd

from .errors import InputError
from .reference import load_references, load_regions, load_thresholds

STATUSES = ("achieved", "missed", "on_track", "acceleration_needed", "limited_progress", "deterioration")
JUDGED_BY = ("actual_at_target_year", "latest_actual_before_target_year", "actual_after_target_year")
COLUMNS = [
    "source_id", "region", "indicator_id", "indicator_zh", "indicator_en", "measure", "unit", "bound",
    "base_year", "base_value", "base_source",
    "target_year", "target_value", "target_value_low",
    "actual_year", "actual_value", "actual_bound", "actual_origin", "actual_source", "judged_by", "status",
    "gap", "gap_pct", "observed_cagr", "required_cagr", "growth_ratio", "limit_factor", "current_status_index", "elapsed_share",
    "trajectory_model", "trajectory_at_actual_year", "actual_vs_trajectory_pct", "projected_at_target",
    "parent_region", "parent_actual_year", "parent_actual_value",
    "quality_note", "quality_reference", "note",
]
# the thresholds (data/raw/reference/thresholds.yml) progress uses, by their short names here
PARAMETERS = {
    "ratio_on_track": "progress_ratio_on_track", "ratio_acceleration_needed": "progress_ratio_acceleration_needed",
    "ratio_limited_progress": "progress_ratio_limited_progress", "trend_on_track_cagr": "progress_trend_on_track_cagr",
    "trend_acceleration_cagr": "progress_trend_acceleration_cagr", "limit_exponent": "progress_limit_exponent",
    "max_years_after_target": "progress_max_years_after_target",
    "approx_tolerance_pct": "approx_band_pct",        # shared with growth: the band read into 左右/近/约
}
SHARE_LIMIT = 100.0          # a share's natural maximum (%)
# which trajectory model stands for the plan's path, by measure (first available wins)
TRAJECTORY_MODELS = {"share": ("logistic", "linear", "exponential")}
TRAJECTORY_DEFAULT = ("exponential", "linear", "logistic")
# literature for data-quality notes: rows of growth_references.csv (topic lit_statistical_manipulation) by author key
QUALITY_LITERATURE = "Gong, Shen & Chen (2025)"
QUALITY_LITERATURE_BY_INDICATOR = {
    "rd_intensity": "Chen, Liu, Suarez Serrato & Xu (2021)",
    "high_tech_enterprises": "Chen, Liu, Suarez Serrato & Xu (2021)",
    "patent": "Dang & Motohashi (2015)",
}
_EPS = 1e-9


# ---------------------------------------------------------------- parameters
def parameter_table(overrides: dict | None = None) -> pd.DataFrame:
    """The thresholds progress uses (rows of thresholds.yml, with their sources); `overrides` as for flags."""
    th = load_thresholds(overrides)
    th = th[th["name"].isin(PARAMETERS.values())].copy()
    v = dict(zip(th["name"], th["value"].astype(float)))
    on, acc, lim = (v[PARAMETERS[k]] for k in ("ratio_on_track", "ratio_acceleration_needed", "ratio_limited_progress"))
    if not on > acc > lim:
        raise InputError(f"thresholds: expected {PARAMETERS['ratio_on_track']} > {PARAMETERS['ratio_acceleration_needed']} > "
                         f"{PARAMETERS['ratio_limited_progress']}, found {on:g}, {acc:g}, {lim:g}")
    if not v[PARAMETERS["trend_on_track_cagr"]] > v[PARAMETERS["trend_acceleration_cagr"]]:
        raise InputError(f"thresholds: expected {PARAMETERS['trend_on_track_cagr']} > {PARAMETERS['trend_acceleration_cagr']}")
    if not float(v[PARAMETERS["max_years_after_target"]]).is_integer():
        raise InputError(f"threshold {PARAMETERS['max_years_after_target']!r} = {v[PARAMETERS['max_years_after_target']]:g}; "
                         "expected a whole number of years")
    return th


def load_parameters(overrides: dict | None = None) -> dict[str, float]:
    """{short name: value} of PARAMETERS (overrides use the thresholds.yml names, e.g. progress_ratio_on_track)."""
    th = parameter_table(overrides)
    value = dict(zip(th["name"], th["value"].astype(float)))
    return {short: value[name] for short, name in PARAMETERS.items()}


# ---------------------------------------------------------------- measures
def cagr(start: float, end: float, years: float) -> float:
    """Compound annual growth in percent per year; NaN where undefined (non-positive values, no time)."""
    if years <= 0 or start <= 0 or end <= 0:
        return math.nan
    return 100.0 * ((end / start) ** (1.0 / years) - 1.0)


def limit_factor(base: float, limit: float, exponent: float) -> float:
    """Scaling factor C = 1 − (base/limit)^a for 0 ≤ base ≤ limit (1 far from the ceiling, 0 at it)."""
    if base is None or math.isnan(base):
        return math.nan
    return 1.0 - (min(max(base, 0.0), limit) / limit) ** exponent


def ratio_status(ratio: float, p: dict) -> str | None:
    if ratio is None or math.isnan(ratio):
        return None
    if ratio >= p["ratio_on_track"]:
        return "on_track"
    if ratio >= p["ratio_acceleration_needed"]:
        return "acceleration_needed"
    if ratio >= p["ratio_limited_progress"]:
        return "limited_progress"
    return "deterioration"


def trend_status(observed: float, direction: int, factor: float, p: dict) -> str | None:
    """Status of a growth rate without a required rate (trend thresholds × limit factor)."""
    if observed is None or math.isnan(observed):
        return None
    g = direction * observed
    c = 1.0 if factor is None or math.isnan(factor) else factor
    if g < 0:
        return "deterioration"
    if g >= p["trend_on_track_cagr"] * c:
        return "on_track"
    if g >= p["trend_acceleration_cagr"] * c:
        return "acceleration_needed"
    return "limited_progress"


def meets(actual: float, target: float, bound: str, direction: int, tolerance_pct: float, value_low: float | None = None) -> bool:
    """Whether an actual meets a target with the given bound (see the module docstring)."""
    scale = max(abs(target), 1.0)
    if bound == "gt":
        return actual > target + _EPS * scale
    if bound == "ge":
        return actual >= target - _EPS * scale
    if bound == "range":
        return actual >= (value_low if value_low is not None and not math.isnan(value_low) else target) - _EPS * scale
    if bound == "approx":
        tol = tolerance_pct / 100.0 * abs(target)
        return actual >= target - tol - _EPS * scale if direction > 0 else actual <= target + tol + _EPS * scale
    return actual >= target - _EPS * scale if direction > 0 else actual <= target + _EPS * scale


def _exactly(a: float, b: float) -> bool:
    return abs(a - b) <= _EPS * max(abs(a), abs(b), 1.0)


# ---------------------------------------------------------------- helpers
def document_years(obs: pd.DataFrame) -> dict[str, int]:
    """{source_id: the year of its date} from the registry (a document states actuals only for earlier years)."""
    from .registry import load_sources

    sources = load_sources()
    return {sid: int(str(sources[sid].date)[:4]) for sid in obs["source_id"].unique() if sid in sources}


def _literature() -> dict[str, str]:
    lit = load_references()
    lit = lit[lit["topic"] == "lit_statistical_manipulation"]
    return {t: f"{t} {u}" for t, u in zip(lit["source_title"], lit["source_url"])}


def _reference(key: str, literature: dict[str, str]) -> str:
    hits = [ref for title, ref in literature.items() if title.startswith(key)]
    if not hits:
        raise InputError(f"growth_references.csv: no lit_statistical_manipulation row whose source_title starts with {key!r}")
    return hits[0]


def _parents(regions: pd.DataFrame) -> dict[str, str]:
    return {r: p for r, p in zip(regions["region"], regions["parent"]) if p}


def _quality_reference(indicator_id: str, literature: dict[str, str]) -> str:
    refs = [_reference(QUALITY_LITERATURE, literature)]
    for prefix, key in QUALITY_LITERATURE_BY_INDICATOR.items():
        if indicator_id.startswith(prefix) or prefix in indicator_id:
            refs.append(_reference(key, literature))
            break
    return " | ".join(refs)


def _best_per_year(acts: pd.DataFrame) -> pd.DataFrame:
    """One actual per year: the first by origin priority (combined() sorts by it)."""
    return acts.drop_duplicates("year", keep="first").sort_values("year")


def _alternatives(acts: pd.DataFrame, chosen) -> str:
    same = acts[(acts["year"] == chosen["year"]) & ~((acts["origin"] == chosen["origin"]) & (acts["source"] == chosen["source"]))]
    diff = same[(same["value"] - chosen["value"]).abs() > _EPS * max(abs(chosen["value"]), 1.0)]
    return "; ".join(f"{r.year} is also given as {r.value:g} ({r.origin}: {r.source})" for r in diff.itertuples())


def _source_flags(row) -> str:
    note = str(row.get("note", "") or "")
    flags = [text for word, text in (("PRELIMINARY", "preliminary figure"), ("THIRD-PARTY", "third-party source"),
                                     ("uncertain", "year uncertain"), ("inferred", "year inferred")) if word in note]
    return ", ".join(flags)


def _trajectory(trajectories: pd.DataFrame | None, target, actual: float, actual_year: int) -> dict:
    """The plan's fitted path at the actual's year, the actual's lead or lag on it, and the target-year value
    if that lead or lag persists (fitted at the target year × actual / fitted at the actual's year)."""
    if trajectories is None or not len(trajectories):
        return {}
    t = trajectories[(trajectories["source_id"] == target.source_id) & (trajectories["indicator_id"] == target.indicator_id)]
    for model in TRAJECTORY_MODELS.get(target.measure, TRAJECTORY_DEFAULT):
        path = t[t["model"] == model].set_index("year")["fitted"]
        if actual_year in path.index and target.year in path.index and path[actual_year] > 0:
            at_a, at_t = float(path[actual_year]), float(path[target.year])
            return {"trajectory_model": model, "trajectory_at_actual_year": at_a,
                    "actual_vs_trajectory_pct": 100.0 * (actual / at_a - 1.0), "projected_at_target": at_t * actual / at_a}
    return {}


# ---------------------------------------------------------------- assessment
def usable(actuals: pd.DataFrame, doc_years: dict[str, int]) -> pd.DataFrame:
    """The actuals progress may use: a document's figure for its own year or later is interim (截至5月底…)."""
    interim = (actuals["origin"] == "document") & (actuals["year"] >= actuals["source_id"].map(doc_years).fillna(math.inf))
    return actuals[~interim]


def assess(obs: pd.DataFrame, actuals: pd.DataFrame, trajectories: pd.DataFrame | None = None, *,
           parameters: dict | None = None, doc_years: dict[str, int] | None = None,
           regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every target of `obs` with its progress row, or with `reason` why it has none (status empty)."""
    p = load_parameters(parameters)
    doc_years = document_years(obs) if doc_years is None else doc_years
    parents = parent_regions(regions)
    literature = _literature()
    by_series = {k: g for k, g in usable(actuals, doc_years).groupby(["region", "indicator_id"], sort=False)}
    out = []
    targets = obs[obs["kind"] == "target"].sort_values(["source_id", "indicator_id", "year"], kind="stable")
    for t in targets.itertuples(index=False):
        row = _assess_one(t, by_series, doc_years, p, trajectories, parents, literature)
        out.append(row)
    cols = COLUMNS + ["reason"]
    df = pd.DataFrame(out, columns=cols) if out else pd.DataFrame(columns=cols)
    return _series_quality(df, literature)


def _assess_one(t, by_series, doc_years, p, trajectories, parents, literature) -> dict:
    row = {c: None for c in COLUMNS}
    row.update({"source_id": t.source_id, "region": t.region, "indicator_id": t.indicator_id, "indicator_zh": t.indicator_zh,
                "indicator_en": t.indicator_en, "measure": t.measure, "unit": t.unit, "bound": t.bound,
                "target_year": int(t.year), "target_value": float(t.value),
                "target_value_low": None if pd.isna(t.value_low) else float(t.value_low), "reason": None})
    if t.measure == "growth_rate":
        row["reason"] = "a growth-rate target (compare with the growth of the actual series in segments)"
        return row
    acts = by_series.get((t.region, t.indicator_id))
    if acts is None or not len(acts):
        row["reason"] = f"no actual for {t.region} {t.indicator_id}"
        return row
    doc_year = doc_years.get(t.source_id, int(t.year))
    own = acts[(acts["origin"] == "document") & (acts["source_id"] == t.source_id) & (acts["year"] < t.year)]
    earlier = _best_per_year(acts[acts["year"] < doc_year])
    base = own.sort_values("year").iloc[-1] if len(own) else (earlier.iloc[-1] if len(earlier) else None)
    series = _best_per_year(acts)
    notes = []
    at = series[series["year"] == t.year]
    if len(at):
        actual, judged_by = at.iloc[0], "actual_at_target_year"
    else:
        after_base = series["year"] > (base["year"] if base is not None else -1)
        before = series[after_base & (series["year"] < t.year)]
        late = series[(series["year"] > t.year) & (series["year"] <= t.year + p["max_years_after_target"])]
        if len(before):
            actual, judged_by = before.iloc[-1], "latest_actual_before_target_year"
        elif len(late):
            actual, judged_by = late.iloc[0], "actual_after_target_year"
        else:
            later = series[series["year"] > t.year]
            row["reason"] = (f"no actual between the base year and {int(t.year) + int(p['max_years_after_target'])}"
                             + (f" (later actuals: {', '.join(str(y) for y in later['year'])})" if len(later) else ""))
            return row
        if base is None:
            row["reason"] = f"an actual for {int(actual['year'])} but no base year before the document to measure growth from"
            return row
    target_value = float(t.value)
    low = row["target_value_low"]
    threshold = low if t.bound == "range" and low is not None else target_value
    direction = -1 if base is not None and t.bound in ("eq", "approx") and target_value < float(base["value"]) else 1
    a, ya = float(actual["value"]), int(actual["year"])
    row.update({"actual_year": ya, "actual_value": a, "actual_bound": actual["bound"], "actual_origin": actual["origin"],
                "actual_source": actual["citation"], "judged_by": judged_by,
                "gap": a - target_value, "gap_pct": 100.0 * (a - target_value) / target_value if target_value else math.nan})
    if base is not None:
        b, yb = float(base["value"]), int(base["year"])
        row.update({"base_year": yb, "base_value": b, "base_source": base["citation"]})
        if ya > yb:
            row["observed_cagr"] = cagr(b, a, ya - yb)
        row["required_cagr"] = cagr(b, threshold, t.year - yb)
        if row["observed_cagr"] is not None and not math.isnan(row["observed_cagr"]) and not math.isnan(row["required_cagr"]) \
                and abs(row["required_cagr"]) > _EPS:
            row["growth_ratio"] = direction * row["observed_cagr"] / abs(row["required_cagr"])
        if abs(threshold - b) > _EPS * max(abs(b), 1.0):
            row["current_status_index"] = (a - b) / (threshold - b)
        row["elapsed_share"] = (ya - yb) / (t.year - yb) if t.year > yb else math.nan
        if t.measure == "share":
            row["limit_factor"] = limit_factor(b, SHARE_LIMIT, p["limit_exponent"])
    met = meets(a, target_value, t.bound, direction, p["approx_tolerance_pct"], low)
    if judged_by == "actual_at_target_year":
        row["status"] = "achieved" if met else "missed"
        if not met and actual["bound"] == "gt":
            notes.append("the actual is published as a lower bound ('more than'); the target may have been met")
        if t.bound == "approx":
            notes.append(f"an 'about' target counts as met within {p['approx_tolerance_pct']:g} % below it")
        if t.bound == "range":
            notes.append("a range target counts as met at its lower end")
    else:
        if met and judged_by == "latest_actual_before_target_year":
            row["status"] = "on_track"
            notes.append(f"already meets the {int(t.year)} target in {ya}")
        elif row["growth_ratio"] is not None and not math.isnan(row["growth_ratio"]):
            row["status"] = ratio_status(row["growth_ratio"], p)
        elif row["required_cagr"] is not None and abs(row["required_cagr"]) <= _EPS:
            row["status"] = trend_status(row["observed_cagr"], direction, row["limit_factor"], p)
            notes.append("target equals the base value: judged by the trend thresholds (scaled by the limit factor for shares)")
        if row["status"] is None:
            row["reason"] = "growth cannot be measured (a zero or negative value, or no time between base and actual)"
            return row
        if judged_by == "actual_after_target_year":
            notes.append(f"no actual for {int(t.year)}; judged from {ya}, "
                         + ("which meets the target a year or more late" if met else "which still falls short of the target")
                         + "; whether the target year itself met it is not known")
        row.update(_trajectory(trajectories, t, a, ya))
    later = series[series["year"] > ya]
    if judged_by != "actual_at_target_year" and len(later):
        notes.append("later: " + ", ".join(f"{r.year} {'> ' if r.bound == 'gt' else ''}{r.value:g}" for r in later.itertuples()))
    for what, chosen in (("actual", actual), ("base", base)):
        if chosen is None:
            continue
        flags = _source_flags(chosen)
        if flags:
            notes.append(f"{what}: {flags}")
        alt = _alternatives(acts, chosen)
        if alt:
            notes.append(f"{what}: {alt}")
    if judged_by == "actual_at_target_year" and _exactly(a, target_value):
        row["quality_note"] = "the actual equals the target exactly (information, not an accusation)"
        row["quality_reference"] = _quality_reference(t.indicator_id, literature)
    parent = parents.get(t.region)
    if parent:
        pacts = by_series.get((parent, t.indicator_id))
        if pacts is not None:
            pa = _best_per_year(pacts)
            pa = pa[pa["year"] == ya]
            if len(pa):
                row.update({"parent_region": parent, "parent_actual_year": ya, "parent_actual_value": float(pa.iloc[0]["value"])})
    row["note"] = "; ".join(notes) or None
    return row


def _series_quality(df: pd.DataFrame, literature: dict[str, str]) -> pd.DataFrame:
    """Mark series whose actuals land exactly on every one of (at least two) targets."""
    judged = df[(df["judged_by"] == "actual_at_target_year")]
    for (sid, ind), g in judged.groupby(["source_id", "indicator_id"]):
        if len(g) >= 2 and all(_exactly(a, t) for a, t in zip(g["actual_value"], g["target_value"])):
            df.loc[g.index, "quality_note"] = (f"the series lands exactly on every target ({len(g)} of {len(g)}; "
                                               "information, not an accusation)")
            df.loc[g.index, "quality_reference"] = _quality_reference(ind, literature)
    return df


def progress_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The progress.csv rows of an `assess` table (targets with a status), in the docs/design.md column order."""
    df = table[table["status"].notna()][COLUMNS].reset_index(drop=True)
    for col in ("base_year", "target_year", "actual_year", "parent_actual_year"):
        df[col] = df[col].astype("Int64")
    return df


def unassessed_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The targets of an `assess` table without a progress row, with the reason."""
    return table[table["status"].isna()][["source_id", "region", "indicator_id", "indicator_zh", "unit", "bound",
                                          "target_year", "target_value", "reason"]].reset_index(drop=True)


def compute(obs: pd.DataFrame, actuals: pd.DataFrame, trajectories: pd.DataFrame | None = None, **kwargs) -> pd.DataFrame:
    """progress.csv: one row per target that has a usable actual (docs/design.md columns and the measures behind them).

    `actuals` is the frame of `analysis.actuals.combined(obs, ...)`; `trajectories` the frame of
    `analysis.trajectories.fit(obs)` (optional)."""
    return progress_rows(assess(obs, actuals, trajectories, **kwargs))


def unassessed(obs: pd.DataFrame, actuals: pd.DataFrame, trajectories: pd.DataFrame | None = None, **kwargs) -> pd.DataFrame:
    """Targets without a progress row, with the reason (for the notebook's coverage table)."""
    return unassessed_rows(assess(obs, actuals, trajectories, **kwargs))


def parent_regions(regions: pd.DataFrame | None = None) -> dict[str, str]:
    """{region: the region it lies in} from data/raw/reference/regions.csv."""
    return _parents(load_regions() if regions is None else regions)


def across_levels(progress: pd.DataFrame, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """A district's progress rows beside its parent city's rows for the same indicator."""
    parents = parent_regions(regions)
    keep = ["source_id", "region", "indicator_id", "target_year", "target_value", "bound", "actual_year", "actual_value", "status"]
    left = progress[keep].copy()
    left["parent_region"] = left["region"].map(parents)
    right = progress[keep].rename(columns={c: f"parent_{c}" for c in keep if c != "indicator_id"})
    pairs = left.merge(right, on=["parent_region", "indicator_id"], how="inner")
    return pairs.sort_values(["indicator_id", "region", "target_year", "parent_target_year"]).reset_index(drop=True)
