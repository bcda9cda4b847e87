"""Target versus actual: data/processed/progress.csv.

Every target of observations.csv whose region and indicator have a usable actual after the plan's base year
(`analysis.inputs.actuals.combined`; a document's own figure for its own year or later is interim, 截至5月底…, and is
not used) gets one row; the others are listed by `unassessed` with the reason. The
status is decided in this order, as Open SDG's ProgressMeasure checks "target achieved" first
(https://github.com/open-sdg/sdg-build/blob/master/sdg/ProgressMeasure.py); the rules, formulas and anchors
are in docs/methods.md, "Target versus actual (progress)":

1. An actual **for the target year** meets the target (bound-aware, `meets`; the actual's own bound honoured: an
   actual published as "more than 12,000" meets a target of "more than 12,000"): `achieved`, or
   `achieved_at_rounding` when the actual ties with the target within its published rounding (49 against
   49 %: the true value may lie either side). It misses: `achieved_late` if a later actual (at most
   `progress_max_years_after_target` years late) meets it, else `missed`.
2. No actual for the target year, but actuals **bracket** it (one before, one at most
   `progress_max_years_after_target` years after) at most `progress_max_interpolation_years` apart: the estimate at
   the target year is interpolated (linear for shares, geometric for levels and counts) and judges it: `achieved`
   (judged_by `interpolated`), `achieved_at_rounding` when the estimate is within the published rounding of either
   actual, else `achieved_late` when the later actual meets it, else `missed`. A longer bracket is named in the
   note and decides nothing.
3. No estimate at the target year, and the latest actual before it already meets it (a stock or level, not a
   flow; no later actual in the window says otherwise): `met_before_not_observed`.
4. No estimate at the target year, and a later actual within the window meets it: `met_later_not_observed`
   (the target year itself is not known, so not `achieved_late`). A later actual that falls short: `missed`,
   the note saying that the target year is not known. Flows (new entries in one year) are never judged from
   another year.
5. The target year has passed (it is not after `as_of`, the latest year any actual covers) with none of the
   above: `no_data`, never a progress category; the latest actual and the anticipated value stand beside.
6. A target after `as_of` that the latest actual already meets is `met_before_not_observed` (whether or not a
   base exists; not for flows); otherwise it is judged by pace, base → latest actual against base → target: the
   growth ratio of Open SDG / Statistics Canada: `on_track`, `acceleration_needed`, `limited_progress`,
   `deterioration`; without a usable base: `not_assessable`, with the reason.

Notes and reasons are built from the parts of `progress_notes` (sentences.Words) and written in both languages
(`note`, `note_zh`).

Base: the latest actual at or before the plan's base year (the year of the document's own baseline, else the
year before the document), the document's own figure first; an older one is named in the note, and one more
than `progress_max_base_lag_years` older is not used. Growth is compound (%/yr) for levels and counts and in
percentage points a year for shares. Current status index (ESCAP): (actual − base)/(target − base), at most 1.
Anticipated value (ESCAP's anticipated progress): the observed base → latest pace carried to the target year.
Preliminary actuals (note: PRELIMINARY, 预计, 初步) are labelled (`actual_preliminary`).

Thresholds are data (the progress_* rows and approx_band_pct of data/raw/reference/thresholds.yml) and can be
overridden by name, like the flags' thresholds.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import pandas as pd

from ..core import schema
from ..core.errors import InputError
from ..inputs.reference import load_references, load_regions, load_thresholds
from ..inputs.registry import load_sources
from ..inputs.vocab import load_indicators
from .growth import annual_rate
from .progress_notes import number, part
from .progress_notes import text as note_text
from .sentences import Words

STATUSES = schema.STATUSES          # in the order they are decided (module docstring)
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
SHARE_LIMIT = 100.0          # a share's natural maximum (%)
COUNT_MEASURES = ("count_stock", "count_flow")     # published as whole numbers: no rounding to tie within
FLOW_MEASURES = ("count_flow",)                    # a year's new entries say nothing about another year
PRELIMINARY_MARKERS = ("PRELIMINARY", "preliminary", "预计", "初步")
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
# a compiler's note may say that its row does not judge a target year: "The 2020 target (…) is not judged by this row"
WAN_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(万|萬|亿|億)")   # a count written in 万 or 亿 (its rounding)
EXCLUSION = re.compile(r"The (\d{4}) target[^.]*?is not judged by this row")
_EPS = 1e-9


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


# ---------------------------------------------------------------- pure measures (each in docs/methods.md)
def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def growth(start: float, end: float, years: float, measure: str) -> float:
    """Annual growth base → end: percentage points a year for a share, compound %/yr otherwise (NaN where
    undefined: no time, or a non-positive level)."""
    if years <= 0:
        return math.nan
    if measure == "share":
        return (end - start) / years
    if start <= 0 or end <= 0:
        return math.nan
    return float(annual_rate(start, end, years, "cagr"))


def growth_unit(measure: str) -> str:
    return "pp/yr" if measure == "share" else "%/yr"


def growth_ratio(observed: float, required: float, direction: int) -> float:
    """Open SDG / Statistics Canada: R = d · observed / |required| (NaN without a required growth)."""
    if _nan(observed) or _nan(required) or abs(required) <= _EPS:
        return math.nan
    return direction * observed / abs(required)


def limit_factor(base: float, limit: float, exponent: float) -> float:
    """Scaling factor C = 1 − (base/limit)^a for 0 ≤ base ≤ limit (1 far from the ceiling, 0 at it)."""
    if _nan(base):
        return math.nan
    return 1.0 - (min(max(base, 0.0), limit) / limit) ** exponent


def ratio_status(ratio: float, p: dict) -> str | None:
    if _nan(ratio):
        return None
    if ratio >= p["ratio_on_track"]:
        return "on_track"
    if ratio >= p["ratio_acceleration_needed"]:
        return "acceleration_needed"
    if ratio >= p["ratio_limited_progress"]:
        return "limited_progress"
    return "deterioration"


def trend_status(observed_cagr: float, direction: int, factor: float, p: dict) -> str | None:
    """Status of a compound growth rate without a required rate (Open SDG's trend thresholds × limit factor)."""
    if _nan(observed_cagr):
        return None
    g = direction * observed_cagr
    c = 1.0 if _nan(factor) else factor
    if g < 0:
        return "deterioration"
    if g >= p["trend_on_track_cagr"] * c:
        return "on_track"
    if g >= p["trend_acceleration_cagr"] * c:
        return "acceleration_needed"
    return "limited_progress"


def meets(actual: float, target: float, bound: str, direction: int, tolerance_pct: float,
          value_low: float | None = None) -> bool:
    """Whether an actual meets a target with the given bound: `ge` actual ≥ target, `gt` actual > target,
    `eq` actual ≥ target (≤ for a target below its base), `approx` within tolerance_pct below it, `range` at
    least the lower end."""
    scale = max(abs(target), 1.0)
    if bound == "gt":
        return actual > target + _EPS * scale
    if bound == "ge":
        return actual >= target - _EPS * scale
    if bound == "range":
        return actual >= (target if _nan(value_low) else value_low) - _EPS * scale
    if bound == "approx":
        tol = tolerance_pct / 100.0 * abs(target)
        return actual >= target - tol - _EPS * scale if direction > 0 else actual <= target + tol + _EPS * scale
    return actual >= target - _EPS * scale if direction > 0 else actual <= target + _EPS * scale


def rounding_half_unit(value: float, measure: str, quote=None) -> float:
    """Half a unit of the last published digit (0.5 for 49, 0.005 for 3.12). A count is exact unless its quote
    gives it in 万 or 亿 ("超过1.2万家": half of 0.1 万 = 500; "1.23万": 50). Otherwise the digits are those of
    the number as read (a trailing zero, 2.10, is not seen: the band is then wider)."""
    if measure in COUNT_MEASURES:
        return _count_half_unit(value, quote)
    text = f"{value:.10g}"
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
    return 0.5 * 10.0 ** (-decimals)


def _count_half_unit(value: float, quote) -> float:
    """Half a unit of a count's last digit as its quote writes it in 万 or 亿; 0 when it is written out in full."""
    if not isinstance(quote, str):
        return 0.0
    for digits, unit in WAN_NUMBER.findall(quote):
        scale = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}[unit]
        if abs(float(digits) * scale - value) <= _EPS * max(value, 1.0):
            decimals = len(digits.split(".")[1]) if "." in digits else 0
            return 0.5 * 10.0 ** (-decimals) * scale
    return 0.0


def at_rounding(actual: float, half_unit: float, met: bool, target: float, bound: str, direction: int,
                tolerance_pct: float, value_low: float | None = None) -> bool:
    """A tie within the published rounding: the actual as published meets the target, but a value it rounds
    from (actual − half a unit, in the target's direction) would not."""
    return met and half_unit > 0 and not meets(actual - direction * half_unit, target, bound, direction, tolerance_pct,
                                               value_low)


def interpolate(y0: int, v0: float, y1: int, v1: float, year: int, measure: str) -> tuple[float, Words]:
    """The value at `year` between two actuals and how (a note part): linear for shares, geometric for levels and counts (linear
    where a value is not positive)."""
    w = (year - y0) / (y1 - y0)
    if measure != "share" and v0 > 0 and v1 > 0:
        return v0 * (v1 / v0) ** w, part("geometric", year=y0, value=v0, later_year=y1, later_value=v1)
    return v0 + (v1 - v0) * w, part("linear", year=y0, value=v0, later_year=y1, later_value=v1)


def current_status_index(actual: float, base: float, target: float) -> float:
    """ESCAP's current status: progress made base → actual against the progress needed base → target, at most 1
    (the target reached); negative when the indicator moved away from the target. NaN when target = base."""
    if _nan(base) or abs(target - base) <= _EPS * max(abs(base), 1.0):
        return math.nan
    return min((actual - base) / (target - base), 1.0)


def anticipated(actual: float, actual_year: int, observed: float, measure: str, year: int) -> float:
    """The observed pace carried from the latest actual to `year`: + pp/yr for shares (kept in 0–100), × (1 + %/yr)
    for levels (ESCAP's anticipated progress, extrapolating the observed actuals)."""
    if _nan(observed):
        return math.nan
    if measure == "share":
        return min(max(actual + observed * (year - actual_year), 0.0), SHARE_LIMIT)
    return actual * (1.0 + observed / 100.0) ** (year - actual_year)


def anticipated_gap(anticipated_value: float, base: float, target: float, direction: int) -> float:
    """ESCAP: the gap the anticipated value leaves to the target, as a share of the progress required base →
    target; 0 when the target is expected to be met."""
    if _nan(anticipated_value) or _nan(base) or abs(target - base) <= _EPS * max(abs(base), 1.0):
        return math.nan
    return max(0.0, direction * (target - anticipated_value)) / abs(target - base)


def is_preliminary(note) -> bool:
    text = "" if _nan(note) else str(note)
    return any(m in text for m in PRELIMINARY_MARKERS)


def plan_base_year(doc_year: int, own_actual_years) -> int:
    """The plan's base year: its latest own actual before its own year (its stated baseline), else the year before."""
    years = [int(y) for y in own_actual_years if int(y) < doc_year]
    return max(years) if years else doc_year - 1


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
    return same[(same["value"] - chosen["value"]).abs() > _EPS * max(abs(chosen["value"]), 1.0)]


def _source_flags(row) -> list[Words]:
    note = "" if _nan(row.get("note")) else str(row.get("note"))
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


# ---------------------------------------------------------------- the steps of one target
@dataclass
class Target:
    """One target and what its judgement needs (the threshold is a range's lower end)."""
    row: object
    year: int
    value: float
    low: float | None
    threshold: float
    bound: str
    measure: str
    direction: int = 1

    def met(self, value: float, p: dict) -> bool:
        return meets(value, self.value, self.bound, self.direction, p["approx_tolerance_pct"], self.low)

    def met_by(self, actual, p: dict) -> bool:
        """Whether an actual (a row with value and bound) meets the target, its own bound honoured: an actual
        published as "more than a" says the value exceeds a, so it meets a target of "more than a" (or less)."""
        value = float(actual["value"])
        if actual["bound"] == "gt" and self.direction > 0 and self.bound != "approx":
            return value >= self.threshold - _EPS * max(abs(self.threshold), 1.0)
        return self.met(value, p)

    def tie(self, actual, p: dict) -> bool:
        """Whether the actual ties with the target within its own published rounding (h, `rounding_half_unit`):
        met as published, but a value it may round from (a − h) would not meet it; or missed as published, but
        a + h would. A lower bound ("more than a") has no doubt below a."""
        value, h = float(actual["value"]), rounding_half_unit(float(actual["value"]), self.measure, actual.get("quote"))
        if h <= 0:
            return False
        if self.met_by(actual, p):
            return actual["bound"] != "gt" and not self.met(value - self.direction * h, p)
        return self.met(value + self.direction * h, p)


def choose_base(series: pd.DataFrame, own: pd.DataFrame, base_year: int, max_lag: int) -> tuple[object, object, object]:
    """(base actual or None, note, reason; the note and reason are Words or ""): the latest actual at or before the
    plan's base year, the document's own figure first; one more than `max_lag` years older is not used (the reason
    says so)."""
    mine = own[own["year"] == base_year]
    if len(mine):
        return mine.iloc[0], "", ""
    earlier = series[series["year"] <= base_year]
    if not len(earlier):
        return None, "", part("no_base", year=base_year)
    base = earlier.iloc[-1]
    lag = base_year - int(base["year"])
    if lag > max_lag:
        return None, "", part("base_too_old", base_year=base_year, year=int(base["year"]), n=lag, m=max_lag)
    note = part("base_lag", year=int(base["year"]), n=lag, base_year=base_year) if lag else ""
    return base, note, ""


def excluded_years(note) -> set[int]:
    """Target years an actual's note says it does not judge ("The 2020 target (…) is not judged by this row")."""
    text = "" if _nan(note) else str(note)
    return {int(y) for y in EXCLUSION.findall(text)}


def _value_text(r) -> str:
    return f"{'> ' if r['bound'] == 'gt' else ''}{float(r['value']):g}"


def judge_passed(t: Target, series: pd.DataFrame, p: dict) -> dict:
    """Status of a target whose year has passed (steps 1–5 of the module docstring): status, judged_by, the
    judging actual (a row of `series`), achieved_year, the estimate at the target year and notes (Words). An
    actual whose note excludes this target year (`excluded_years`) is not used for it."""
    keep = [t.year not in excluded_years(n) for n in series["note"]]
    dropped = [str(y) for y in series.loc[[not k for k in keep], "year"]] if len(keep) else []
    series = series[keep] if len(keep) else series
    notes = [part("excluded", years=", ".join(dropped), year=t.year)] if dropped else []
    window = series[(series["year"] > t.year) & (series["year"] <= t.year + p["max_years_after_target"])]
    flow = t.measure in FLOW_MEASURES
    later_met = window[[t.met_by(r, p) for _, r in window.iterrows()]] if not flow else window.iloc[:0]
    at = series[series["year"] == t.year]
    out = {"estimate": None, "method": None, "notes": notes}
    if len(at):                                                        # 1. the target year's own actual
        return _at_target_year(t, at.iloc[0], later_met, out, p)
    before = series[series["year"] < t.year]
    if flow:
        return {**out, "status": "no_data", "judged_by": "latest_actual_before_target_year" if len(before) else None,
                "actual": before.iloc[-1] if len(before) else None, "achieved_year": None,
                "notes": notes + [part("no_actual_window_flow", year=t.year, n=int(p["max_years_after_target"]))]}
    return _around_target_year(t, before.iloc[-1] if len(before) else None, window.iloc[0] if len(window) else None,
                               later_met, out, p)


def _at_target_year(t: Target, actual, later_met: pd.DataFrame, out: dict, p: dict) -> dict:
    """Step 1: the target year's own actual decides: achieved, at rounding, achieved late or missed."""
    if t.met_by(actual, p) or t.tie(actual, p):
        return {**out, "status": "achieved_at_rounding" if t.tie(actual, p) else "achieved",
                "judged_by": "actual_at_target_year", "actual": actual, "achieved_year": t.year}
    if len(later_met):
        first = later_met.iloc[0]
        return {**out, "status": "achieved_late", "judged_by": "actual_after_target_year", "actual": first,
                "achieved_year": int(first["year"]),
                "notes": out["notes"] + [part("fell_short", year=t.year, value=float(actual["value"]))]}
    return {**out, "status": "missed", "judged_by": "actual_at_target_year", "actual": actual, "achieved_year": None}


def _around_target_year(t: Target, b, after, later_met: pd.DataFrame, out: dict, p: dict) -> dict:
    """Steps 2–5, no actual for the target year: `b` the latest actual before it, `after` the first in the window
    after it (None where there is none)."""
    notes = out["notes"]
    if b is not None and after is not None:                            # 2. a bracket: interpolate, if short enough
        span = int(after["year"]) - int(b["year"])
        if span <= p["max_interpolation_years"]:
            return _interpolated(t, b, after, later_met, notes, out, p)
        notes = notes + [part("bracket_too_long", year=t.year, before_year=int(b["year"]), later_year=int(after["year"]),
                              n=span, m=int(p["max_interpolation_years"]))]
    before_met = b is not None and t.met_by(b, p)
    if before_met and (after is None or len(later_met)):             # 3. met before T, T not observed
        return {**out, "status": "met_before_not_observed", "judged_by": "latest_actual_before_target_year", "actual": b,
                "achieved_year": int(b["year"]),
                "notes": notes + [part("met_before", year=int(b["year"]), value=_value_text(b), target_year=t.year)]}
    if len(later_met):                                                # 4. met by T+k, T not observed
        first = later_met.iloc[0]
        return {**out, "status": "met_later_not_observed", "judged_by": "actual_after_target_year", "actual": first,
                "achieved_year": int(first["year"]),
                "notes": notes + [part("year_unknown", year=t.year),
                                  part("met_later", year=int(first["year"]), value=_value_text(first),
                                       n=int(first["year"]) - t.year, target_year=t.year)]}
    if after is None:                                                 # 5. nothing after it, nothing before meets it
        return {**out, "status": "no_data", "judged_by": "latest_actual_before_target_year" if b is not None else None,
                "actual": b, "achieved_year": None,
                "notes": notes + [part("no_actual_window", year=t.year, n=int(p["max_years_after_target"]))]}
    if before_met:                                                    # met before, not after, too far apart to tell
        return {**out, "status": "no_data", "judged_by": None, "actual": None, "achieved_year": None,
                "notes": notes + [part("met_then_short", year=int(b["year"]), value=_value_text(b),
                                       later_year=int(after["year"]), later_value=_value_text(after))]}
    return {**out, "status": "missed", "judged_by": "actual_after_target_year", "actual": after, "achieved_year": None,
            "notes": notes + [part("year_unknown", year=t.year), part("still_short", year=int(after["year"]))]}


def _interpolated(t: Target, b, after, later_met: pd.DataFrame, notes: list, out: dict, p: dict) -> dict:
    """The verdict of an estimate interpolated at the target year between `b` and `after` (a bracket short enough):
    achieved, achieved_at_rounding (within the published rounding of either actual), achieved_late or missed."""
    est, method = interpolate(int(b["year"]), float(b["value"]), int(after["year"]), float(after["value"]), t.year,
                              t.measure)
    out = {**out, "estimate": est, "method": method.en}
    lower = part("lower_bounds") if "gt" in (b["bound"], after["bound"]) else ""
    half = max(rounding_half_unit(float(b["value"]), t.measure, b.get("quote")),
               rounding_half_unit(float(after["value"]), t.measure, after.get("quote")))
    met = t.met(est, p)
    tie = half > 0 and met != t.met(est - t.direction * half if met else est + t.direction * half, p)
    tie_note = [part("estimate_tie", value=half)] if tie else []
    if met or tie:
        return {**out, "status": "achieved_at_rounding" if tie else "achieved", "judged_by": "interpolated", "actual": after,
                "achieved_year": t.year,
                "notes": notes + [part("estimate_meets" if met else "estimate_short", year=t.year, value=number(est, 6),
                                       method=method, lower=lower)] + tie_note}
    if len(later_met):
        first = later_met.iloc[0]
        return {**out, "status": "achieved_late", "judged_by": "actual_after_target_year", "actual": first,
                "achieved_year": int(first["year"]),
                "notes": notes + [part("estimate_short", year=t.year, value=number(est, 6), method=method, lower=lower)]}
    return {**out, "status": "missed", "judged_by": "interpolated", "actual": after, "achieved_year": None,
            "notes": notes + [part("estimate_short_as_does", year=t.year, value=number(est, 6), method=method,
                                   later_year=int(after["year"]), lower=lower)]}


def judge_pace(t: Target, series: pd.DataFrame, base, base_reason, p: dict) -> dict:
    """Status of a target after `as_of` (step 6): met before its year (not a flow) first, whether or not a base
    exists; else the growth-ratio category (status None: pace_status decides), or not_assessable with the reason."""
    earlier = series[series["year"] < t.year]
    latest = earlier[earlier["year"] > (int(base["year"]) if base is not None else -1)]
    actual = latest.iloc[-1] if len(latest) else (earlier.iloc[-1] if len(earlier) else None)
    if actual is not None and t.measure not in FLOW_MEASURES and t.met_by(actual, p):
        return {"status": "met_before_not_observed", "judged_by": "latest_actual_before_target_year", "actual": actual,
                "achieved_year": int(actual["year"]),
                "notes": [part("met_before", year=int(actual["year"]), value=_value_text(actual), target_year=t.year)]}
    if base is None:
        return {"status": "not_assessable", "judged_by": None, "actual": actual, "reason": base_reason}
    if not len(latest):
        return {"status": "not_assessable", "judged_by": None, "actual": actual,
                "reason": part("no_actual_after_base", year=int(base["year"]))}
    return {"status": None, "judged_by": "latest_actual_before_target_year", "actual": actual}


def pace_status(row: dict, direction: int, p: dict) -> tuple[str | None, str]:
    """The growth-ratio category of a row's measures; where the target equals its base, the trend thresholds."""
    status = ratio_status(row["growth_ratio"], p)
    if status is not None:
        return status, ""
    if not _nan(row["required_growth"]) and abs(row["required_growth"]) <= _EPS:
        b, a = row["base_value"], row["actual_value"]
        years = row["actual_year"] - row["base_year"]
        compound = float(annual_rate(b, a, years, "cagr")) if b > 0 and a > 0 and years > 0 else math.nan
        return trend_status(compound, direction, row["limit_factor"], p), part("trend_thresholds")
    return None, ""


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
    if ya < t.year and not _nan(row["observed_growth"]):
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
    return part("later", later=[part("year_value", year=int(r["year"]), value=_value_text(r)) for _, r in later.iterrows()])


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
        & ((df["actual_value"] - df["target_value"]).abs() <= _EPS)
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
