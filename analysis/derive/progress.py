"""Target versus actual: data/processed/progress.csv.

Every target of observations.csv whose region and indicator have a usable actual after the plan's base year
(`analysis.inputs.actuals.combined`; a document's own figure for its own year or later is interim, 截至5月底…, and is
not used) gets one row; the others are listed by `unassessed` with the reason. The rules, formulas and anchors
are in docs/methods.md, "Target versus actual (progress)". This module runs over every target and writes the rows;
the status of one target is decided by analysis.derive.progress_status (its steps, in order, with the base), from
the measures of analysis.derive.progress_measures (growth, growth ratio, current status index, anticipated value).

Notes and reasons are built from the parts of `progress_notes` (sentences.Words) and written in both languages
(`note`, `note_zh`).

Thresholds are data (the progress_* rows and approx_band_pct of data/raw/reference/thresholds.yml) and can be
overridden by name, like the flags' thresholds.
"""
from __future__ import annotations

import functools
import math

import pandas as pd

from ..core import schema
from ..core.errors import InputError
from ..inputs.reference import load_references, load_regions, load_thresholds
from ..inputs.registry import load_sources
from ..inputs.vocab import load_indicators
from .progress_measures import (
    COUNT_MEASURES,
    EPS,
    PRELIMINARY_MARKERS,
    SHARE_LIMIT,
    Target,
    anticipated,
    anticipated_gap,
    current_status_index,
    growth,
    growth_ratio,
    growth_unit,
    is_preliminary,
    limit_factor,
    missing,
    plan_base_year,
    rounding_half_unit,
)
from .progress_notes import part
from .progress_notes import text as note_text
from .progress_status import choose_base, judge_pace, judge_passed, pace_status, value_text
from .sentences import Words

STATUSES = schema.STATUSES          # in the order they are decided (analysis.derive.progress_status)
PACE_STATUSES = ("on_track", "acceleration_needed", "limited_progress", "deterioration")
# the known outcome of a target whose year has passed (the backtest's `outcome`)
OUTCOMES = {"achieved": "achieved", "achieved_at_rounding": "achieved", "achieved_late": "achieved_late",
            "missed": "missed"}
JUDGED_BY = ("actual_at_target_year", "interpolated", "actual_after_target_year", "latest_actual_before_target_year")
COLUMNS = schema.columns("progress")
# the thresholds (data/raw/reference/thresholds.yml) progress uses: {short name here: name in thresholds.yml}
THRESHOLD_NAMES = {
    "ratio_on_track": "progress_ratio_on_track", "ratio_acceleration_needed": "progress_ratio_acceleration_needed",
    "ratio_limited_progress": "progress_ratio_limited_progress", "trend_on_track_cagr": "progress_trend_on_track_cagr",
    "trend_acceleration_cagr": "progress_trend_acceleration_cagr", "limit_exponent": "progress_limit_exponent",
    "max_years_after_target": "progress_max_years_after_target", "max_base_lag_years": "progress_max_base_lag_years",
    "max_interpolation_years": "progress_max_interpolation_years",
    "approx_tolerance_pct": "approx_band_pct",        # shared with growth: the band read into 左右/近/约
}
SOURCE_FLAGS = (  # words of an actual's note → what progress's note repeats (keys of progress_notes.PARTS)
    (PRELIMINARY_MARKERS, "preliminary"), (("THIRD-PARTY",), "third_party"), (("NEAREST YEAR",), "nearest_year"),
    (("DEFINITION CAVEAT",), "definition"), (("uncertain",), "year_uncertain"), (("inferred",), "year_inferred"))
ORIGIN_WORDS = {"researcher": Words("研究者文件", "researcher"), "published": Words("公开统计", "published"),
                "document": Words("文件自身", "document")}
# literature for data-quality notes: rows of growth_references.csv (topic lit_statistical_manipulation) by author key
QUALITY_LITERATURE = "Gong, Shen & Chen (2025)"
QUALITY_LITERATURE_BY_INDICATOR = {
    "rd_intensity": "Chen, Liu, Suarez Serrato & Xu (2021)",
    "high_tech_enterprises": "Chen, Liu, Suarez Serrato & Xu (2021)",
    "patent": "Dang & Motohashi (2015)",
}


# ---------------------------------------------------------------- parameters
def parameter_table(overrides: dict | None = None) -> pd.DataFrame:
    """The thresholds progress uses (rows of thresholds.yml, with their sources); `overrides` as for flags."""
    th = load_thresholds(overrides)
    th = th[th["name"].isin(THRESHOLD_NAMES.values())].copy()
    v = dict(zip(th["name"], th["value"].astype(float)))
    on, acc, lim = (v[THRESHOLD_NAMES[k]] for k in ("ratio_on_track", "ratio_acceleration_needed", "ratio_limited_progress"))
    if not on > acc > lim:
        raise InputError(f"thresholds: expected {THRESHOLD_NAMES['ratio_on_track']} > {THRESHOLD_NAMES['ratio_acceleration_needed']} > "
                         f"{THRESHOLD_NAMES['ratio_limited_progress']}, found {on:g}, {acc:g}, {lim:g}")
    if not v[THRESHOLD_NAMES["trend_on_track_cagr"]] > v[THRESHOLD_NAMES["trend_acceleration_cagr"]]:
        raise InputError(f"thresholds: expected {THRESHOLD_NAMES['trend_on_track_cagr']} > {THRESHOLD_NAMES['trend_acceleration_cagr']}")
    for key in ("max_years_after_target", "max_base_lag_years", "max_interpolation_years"):
        if not float(v[THRESHOLD_NAMES[key]]).is_integer():
            raise InputError(f"threshold {THRESHOLD_NAMES[key]!r} = {v[THRESHOLD_NAMES[key]]:g}; expected a whole number of years")
    return th


def load_parameters(overrides: dict | None = None) -> dict[str, float]:
    """{short name: value} of THRESHOLD_NAMES (overrides use the thresholds.yml names, e.g. progress_ratio_on_track)."""
    th = parameter_table(overrides)
    value = dict(zip(th["name"], th["value"].astype(float)))
    return {short: value[name] for short, name in THRESHOLD_NAMES.items()}



# ---------------------------------------------------------------- helpers
def document_years(obs: pd.DataFrame) -> dict[str, int]:
    """{source_id: the year of its date} from the registry (a document states actuals only for earlier years)."""
    sources = load_sources()
    return {sid: sources[sid].year for sid in obs["source_id"].unique() if sid in sources}


def _literature() -> dict[str, str]:
    lit = load_references()
    lit = lit[lit["topic"] == "lit_statistical_manipulation"]
    return {t: f"{t} {u}" for t, u in zip(lit["source_title"], lit["source_url"])}


def _reference(key: str, literature: dict[str, str]) -> str:
    hits = [ref for title, ref in literature.items() if title.startswith(key)]
    if not hits:
        raise InputError(f"growth_references.csv: no lit_statistical_manipulation row whose source_title starts with {key!r}")
    return hits[0]


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


def _source_words(source: str):
    """A source as a note names it: a registered document by its Chinese title (《…》) in Chinese, its id in English;
    anything else (a publication, a file) as it is."""
    found = load_sources().get(source)
    return Words(f"《{found.title}》", source) if found else source


def _alternatives(acts: pd.DataFrame, chosen) -> pd.DataFrame:
    """Other values published for the chosen actual's year (other origins or sources)."""
    same = acts[(acts["year"] == chosen["year"]) & ~((acts["origin"] == chosen["origin"]) & (acts["source"] == chosen["source"]))]
    return same[(same["value"] - chosen["value"]).abs() > EPS * max(abs(chosen["value"]), 1.0)]


def _source_flags(row) -> list[Words]:
    note = "" if missing(row.get("note")) else str(row.get("note"))
    flags = [part(key) for words, key in SOURCE_FLAGS if any(w in note for w in words)]
    if row.get("bound") == "approx":
        flags.append(part("approximate"))
    return flags


def _plan_view(trajectories: pd.DataFrame | None, target, actual: float, actual_year: int) -> dict:
    """The plan path (trajectories.csv, model `plan`) at the actual's year and how far the actual is from it."""
    if trajectories is None or not len(trajectories):
        return {}
    t = trajectories[(trajectories["source_id"] == target.source_id) & (trajectories["indicator_id"] == target.indicator_id)
                     & (trajectories["model"] == "plan")]
    at = t[t["year"] == actual_year]
    if not len(at) or not float(at["fitted"].iloc[0]) > 0:
        return {}
    plan = float(at["fitted"].iloc[0])
    return {"plan_at_actual_year": plan, "actual_vs_plan_pct": 100.0 * (actual / plan - 1.0)}


def usable(actuals: pd.DataFrame, doc_years: dict[str, int]) -> pd.DataFrame:
    """The actuals progress may use: a document's figure for its own year or later is interim (截至5月底…)."""
    interim = (actuals["origin"] == "document") & (actuals["year"] >= actuals["source_id"].map(doc_years).fillna(math.inf))
    return actuals[~interim]


# ---------------------------------------------------------------- assessment
def assess(obs: pd.DataFrame, actuals: pd.DataFrame, trajectories: pd.DataFrame | None = None, *,
           parameters: dict | None = None, doc_years: dict[str, int] | None = None,
           regions: pd.DataFrame | None = None, as_of: int | None = None) -> pd.DataFrame:
    """Every target of `obs` with its progress row, or with `reason` why it has none (status empty).

    `as_of`: the year the assessment stands in (targets after it are judged by pace); by default the latest
    year any usable actual covers, so that the same inputs always give the same statuses."""
    p = load_parameters(parameters)
    doc_years = document_years(obs) if doc_years is None else doc_years
    regions = load_regions() if regions is None else regions
    parents = parent_regions(regions)
    regions_en = dict(zip(regions["region"], regions["region_en"]))
    literature = _literature()
    use = usable(actuals, doc_years)
    as_of = int(use["year"].max()) if as_of is None and len(use) else (as_of if as_of is not None else 0)
    by_series = {k: g for k, g in use.groupby(["region", "indicator_id"], sort=False)}
    own_years = obs[obs["kind"] == "actual"].groupby("source_id")["year"].apply(list).to_dict()
    out = []
    targets = obs[obs["kind"] == "target"].sort_values(["source_id", "indicator_id", "year"], kind="stable")
    for t in targets.itertuples(index=False):
        doc_year = doc_years.get(t.source_id, int(t.year))
        base_year = plan_base_year(doc_year, own_years.get(t.source_id, []))
        out.append(_assess_one(t, by_series, base_year, as_of, p, trajectories, parents, regions_en))
    cols = COLUMNS + ["reason", "reason_zh"]
    df = pd.DataFrame(out, columns=cols) if out else pd.DataFrame(columns=cols)
    return _series_quality(df, literature) if len(df) else df


def _identity(t) -> dict:
    row = {c: None for c in COLUMNS}
    row.update({"source_id": t.source_id, "region": t.region, "indicator_id": t.indicator_id, "indicator_zh": t.indicator_zh,
                "indicator_en": t.indicator_en, "measure": t.measure, "unit": t.unit, "bound": t.bound,
                "target_year": int(t.year), "target_value": float(t.value),
                "target_value_low": None if pd.isna(t.value_low) else float(t.value_low), "reason": None,
                "reason_zh": None})
    return row


def _measures(row: dict, t: Target, base, actual, p: dict) -> None:
    """Gap, growth, growth ratio, current status index, elapsed share and anticipated value, in place."""
    a, ya = float(actual["value"]), int(actual["year"])
    row.update({"actual_year": ya, "actual_value": a, "actual_bound": actual["bound"], "actual_origin": actual["origin"],
                "actual_source": actual["citation"], "actual_preliminary": is_preliminary(actual.get("note")),
                "gap": a - t.value, "gap_pct": 100.0 * (a - t.value) / t.value if t.value else math.nan,
                "growth_unit": growth_unit(t.measure)})
    if base is None:
        return
    b, yb = float(base["value"]), int(base["year"])
    row.update({"base_year": yb, "base_value": b, "base_source": base["citation"]})
    if ya > yb:
        row["observed_growth"] = growth(b, a, ya - yb, t.measure)
    row["required_growth"] = growth(b, t.threshold, t.year - yb, t.measure)
    row["growth_ratio"] = growth_ratio(row["observed_growth"], row["required_growth"], t.direction)
    if ya > yb:                              # blank, not 0, when nothing was observed after the base
        row["current_status_index"] = current_status_index(a, b, t.threshold)
    row["elapsed_share"] = (ya - yb) / (t.year - yb) if t.year > yb else math.nan
    if t.measure == "share":
        row["limit_factor"] = limit_factor(b, SHARE_LIMIT, p["limit_exponent"])
    if ya < t.year and not missing(row["observed_growth"]):
        row["anticipated_value"] = anticipated(a, ya, row["observed_growth"], t.measure, t.year)
        row["anticipated_gap"] = anticipated_gap(row["anticipated_value"], b, t.threshold, t.direction)


def _assess_one(t, by_series, base_year, as_of, p, trajectories, parents, regions_en) -> dict:
    """One target's progress row: its outcome (judge_passed or judge_pace), its measures, its status and notes
    (`note` in English, `note_zh` in Chinese, from the same parts)."""
    row = _identity(t)
    acts = by_series.get((t.region, t.indicator_id))
    series = _best_per_year(acts) if acts is not None and len(acts) else None
    reason = _no_outcome(t, series, base_year, regions_en)
    if reason:
        row.update({"reason": reason.en, "reason_zh": reason.zh})
        return row
    own = acts[(acts["origin"] == "document") & (acts["source_id"] == t.source_id)]
    base, base_note, base_reason = choose_base(series, own, base_year, int(p["max_base_lag_years"]))
    target = _target(t, row["target_value_low"], base)
    row["plan_base_year"] = base_year
    verdict = judge_passed(target, series, p) if t.year <= as_of else judge_pace(target, series, base, base_reason, p)
    actual = verdict["actual"]
    if actual is None:                       # no actual at all up to the target year (and its window)
        row.update({"status": verdict["status"], "judged_by": None})
        _write_notes(row, _without_actual(verdict, series, target))
        return row
    _measures(row, target, base, actual, p)
    row.update({"judged_by": verdict["judged_by"], "achieved_year": verdict.get("achieved_year"),
                "estimate_at_target": verdict.get("estimate"), "estimate_method": verdict.get("method")})
    notes = [base_note] + _decide_status(row, verdict, target, actual, p)
    if row["status"] == "no_data" and base is None and base_reason:
        notes.append(part("no_anticipated", reason=base_reason))
    notes += _caveats(row, target, actual, p) + _later(series, row, actual) + _provenance(acts, actual, base)
    row.update(_plan_view(trajectories, t, float(actual["value"]), int(actual["year"])))
    row.update(_parent_actual(by_series, parents.get(t.region), t.indicator_id, row["actual_year"]))
    _write_notes(row, notes)
    return row


def _write_notes(row: dict, notes: list) -> None:
    row["note"], row["note_zh"] = note_text(notes, "en"), note_text(notes, "zh")


def _no_outcome(t, series: pd.DataFrame | None, base_year: int, regions_en: dict) -> Words | None:
    """Why a target has no outcome to judge (a growth-rate target, no actual, nothing after the base), or None;
    `series`: its actuals, one per year (None without any)."""
    if t.measure == "growth_rate":
        return part("growth_rate_target")
    if series is None:
        name = _indicator_names().get(t.indicator_id, Words(t.indicator_zh, t.indicator_id))
        return part("no_actual_series", region=Words(t.region, regions_en.get(t.region, t.region)), indicator=name)
    if not (series["year"] > base_year).any():          # only the plan's baseline or older: no outcome to judge
        return part("nothing_after_base", year=base_year, latest_year=int(series["year"].iloc[-1]),
                    value=float(series["value"].iloc[-1]))
    return None


@functools.lru_cache(maxsize=1)
def _indicator_names() -> dict[str, Words]:
    """{indicator_id: its display names} (data/raw/indicators.csv)."""
    names = load_indicators()
    return {i: Words(zh, en) for i, en, zh in zip(names["indicator_id"], names["display_en"], names["display_zh"])}


def _target(t, low: float | None, base) -> Target:
    """The target as judged: a range by its lower end; an equal-or-about target below its base is a fall to reach."""
    threshold = low if t.bound == "range" and low is not None else float(t.value)
    direction = -1 if base is not None and t.bound in ("eq", "approx") and float(t.value) < float(base["value"]) else 1
    return Target(t, int(t.year), float(t.value), low, threshold, t.bound, t.measure, direction)


def _without_actual(verdict: dict, series: pd.DataFrame, target: Target) -> list:
    """The notes of a target with no judging actual: why, and the actuals published after it."""
    later = series[series["year"] > target.year]
    why = [verdict["reason"]] if verdict.get("reason") else list(verdict.get("notes", []))
    return why + ([_later_part(later)] if len(later) else [])


def _later_part(later: pd.DataFrame) -> Words:
    return part("later", later=[part("year_value", year=int(r["year"]), value=value_text(r)) for _, r in later.iterrows()])


def _decide_status(row: dict, verdict: dict, target: Target, actual, p: dict) -> list:
    """Sets row's status (and reason where it follows from it); returns the notes (Words) that explain it. A passed
    target, or one met before its year, keeps its verdict; the others are judged by pace."""
    row["status"] = verdict["status"]
    notes = list(verdict.get("notes", []))
    if verdict["status"] == "not_assessable":
        notes.append(verdict["reason"])
    if row["status"] is None:                                   # judged by pace
        row["status"], why = pace_status(row, target.direction, p)
        notes += [why] if why else []
        if row["status"] is None:
            why = part("no_growth")
            row.update({"status": "not_assessable", "reason": why.en, "reason_zh": why.zh})
            notes.append(why)
    return notes


def _caveats(row: dict, target: Target, actual, p: dict) -> list:
    """What a reader must know to read the status: a lower-bound actual, how 'about' and range targets count,
    a tie at the published rounding."""
    notes = []
    if actual["bound"] == "gt":
        if row["status"] in ("missed", "achieved_late") and not target.met_by(actual, p):
            notes.append(part("lower_bound_actual"))
        elif target.met_by(actual, p) and not target.met(float(actual["value"]), p):
            notes.append(part("lower_bound_met"))
    if target.bound == "approx":
        notes.append(part("approx", value=p["approx_tolerance_pct"]))
    if target.bound == "range":
        notes.append(part("range"))
    if row["status"] == "achieved_at_rounding" and row["judged_by"] == "actual_at_target_year":
        notes.append(part("tie", value=rounding_half_unit(row["actual_value"], target.measure, actual.get("quote"))))
    return notes


def _later(series: pd.DataFrame, row: dict, actual) -> list:
    """The actuals after the judging one (unless the target year's own actual judged it)."""
    later = series[series["year"] > int(actual["year"])]
    if row["judged_by"] == "actual_at_target_year" or not len(later):
        return []
    return [_later_part(later)]


def _provenance(acts: pd.DataFrame, actual, base) -> list:
    """The caveats of the actual's and the base's sources, and other values published for their years."""
    notes = []
    for what, chosen in ((Words("实际值", "actual"), actual), (Words("基期", "base"), base)):
        if chosen is None:
            continue
        flags = _source_flags(chosen)
        if flags:
            notes.append(part("provenance", what=what, caveats=flags))
        notes += [part("also_given", what=what, year=int(r.year), value=float(r.value), origin=ORIGIN_WORDS[r.origin],
                       source=_source_words(r.source)) for r in _alternatives(acts, chosen).itertuples()]
    return notes


def _parent_actual(by_series: dict, parent: str | None, indicator_id: str, year) -> dict:
    """The enclosing region's actual of the same indicator and year (context for the reader), if published."""
    pacts = by_series.get((parent, indicator_id)) if parent else None
    if pacts is None:
        return {}
    pa = _best_per_year(pacts)
    pa = pa[pa["year"] == year]
    if not len(pa):
        return {}
    return {"parent_region": parent, "parent_actual_year": year, "parent_actual_value": float(pa.iloc[0]["value"])}


def _series_quality(df: pd.DataFrame, literature: dict[str, str]) -> pd.DataFrame:
    """An information note when a series of counts lands exactly on every one of (at least two) targets judged in
    their year: a pattern no rounding explains. A single exact hit, or a tie within rounding
    (achieved_at_rounding), gets no note."""
    exact = (df["status"] == "achieved") & (df["judged_by"] == "actual_at_target_year") & df["measure"].isin(COUNT_MEASURES) \
        & ((df["actual_value"] - df["target_value"]).abs() <= EPS)
    for (sid, ind), g in df[exact].groupby(["source_id", "indicator_id"]):
        judged = df[(df["source_id"] == sid) & (df["indicator_id"] == ind) & (df["judged_by"] == "actual_at_target_year")]
        if len(g) >= 2 and len(g) == len(judged):
            note = part("exact_hits", n=len(g))
            df.loc[g.index, "quality_note"], df.loc[g.index, "quality_note_zh"] = note.en, note.zh
            df.loc[g.index, "quality_reference"] = _quality_reference(ind, literature)
    return df


def progress_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The progress.csv rows of an `assess` table (targets with a status), in the COLUMNS order."""
    df = table[table["status"].notna()][COLUMNS].reset_index(drop=True)
    for col in ("plan_base_year", "base_year", "target_year", "actual_year", "achieved_year", "parent_actual_year"):
        df[col] = df[col].astype("Int64")
    df["actual_preliminary"] = df["actual_preliminary"].astype("boolean")
    return df


def unassessed_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The targets of an `assess` table without a progress row, with the reason."""
    return table[table["status"].isna()][["source_id", "region", "indicator_id", "indicator_zh", "unit", "bound",
                                          "target_year", "target_value", "reason", "reason_zh"]].reset_index(drop=True)


def compute(obs: pd.DataFrame, actuals: pd.DataFrame, trajectories: pd.DataFrame | None = None, **kwargs) -> pd.DataFrame:
    """progress.csv: one row per target whose region and indicator have a usable actual (COLUMNS).

    `actuals` is the frame of `analysis.inputs.actuals.combined(obs, ...)`; `trajectories` the frame of
    `analysis.derive.trajectories.fit(obs)` (optional: its plan path gives plan_at_actual_year)."""
    return progress_rows(assess(obs, actuals, trajectories, **kwargs))


def unassessed(obs: pd.DataFrame, actuals: pd.DataFrame, trajectories: pd.DataFrame | None = None, **kwargs) -> pd.DataFrame:
    """Targets without a progress row, with the reason (for the notebook's coverage table)."""
    return unassessed_rows(assess(obs, actuals, trajectories, **kwargs))


def parent_regions(regions: pd.DataFrame | None = None) -> dict[str, str]:
    """{region: the region it lies in} from data/raw/reference/regions.csv."""
    regions = load_regions() if regions is None else regions
    return {r: p for r, p in zip(regions["region"], regions["parent"]) if p}


def across_levels(progress: pd.DataFrame, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """A district's progress rows beside its parent city's rows for the same indicator."""
    parents = parent_regions(regions)
    keep = ["source_id", "region", "indicator_id", "target_year", "target_value", "bound", "actual_year", "actual_value", "status"]
    left = progress[keep].copy()
    left["parent_region"] = left["region"].map(parents)
    right = progress[keep].rename(columns={c: f"parent_{c}" for c in keep if c != "indicator_id"})
    pairs = left.merge(right, on=["parent_region", "indicator_id"], how="inner")
    return pairs.sort_values(["indicator_id", "region", "target_year", "parent_target_year"]).reset_index(drop=True)
