"""The columns of every file of data/processed/: name, meaning, unit, allowed values, in file order.

The modules that write these files take their column lists from here (`columns(name)`), and docs/codebook.md is
generated from it (`python -m analysis.core.schema` rewrites it; tests/test_schema.py checks that the committed codebook
is current and that the processed files carry exactly these columns, within the allowed values).
An empty cell means "not applicable" or "not known" (the meaning says which).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

from . import paths
from .quantity import BOUNDS  # the one list of bounds (the quantity reader produces them)

# enumerations (the modules that produce the values keep them in this order; tests/test_schema.py compares)
MEASURES = ("share", "level", "count_stock", "count_flow", "growth_rate", "rank")
KINDS = ("actual", "target")
SEVERITIES = ("info", "warn", "alert")
DIRECTIONS = ("too_fast", "too_slow", "inconsistent", "impossible")
SEGMENT_KINDS = ("step", "overall", "stated")
METRICS = ("cagr", "pp_per_year", "new_per_year", "change_per_year", "places_per_year", "none")
UNIT_OF_METRIC = {"cagr": "%/yr", "pp_per_year": "pp/yr", "new_per_year": "per yr", "change_per_year": "per yr",
                  "places_per_year": "places/yr", "none": ""}
# logit/yr: the slope of a logistic trajectory; places/yr: a rank's change (negative: moving up)
GROWTH_UNITS = ("%/yr", "pp/yr", "per yr", "logit/yr", "places/yr")
YARDSTICKS = ("peers", "peers (proxy)", "own history", "provinces (lower grade)", "national", "ambition (indicator)",
              "ambition (family)", "ambition (all indicators)", "ceiling only")
MODELS = ("plan", "exponential", "linear", "logistic")
INTERVALS = ("bounds", "prediction_90")
# target versus actual, in the order they are decided (docs/methods.md, "Target versus actual")
STATUSES = ("achieved", "achieved_at_rounding", "met_before_not_observed", "met_later_not_observed", "achieved_late",
            "missed", "no_data", "not_assessable", "on_track", "acceleration_needed", "limited_progress", "deterioration")
JUDGED_BY = ("actual_at_target_year", "interpolated", "actual_after_target_year", "latest_actual_before_target_year")
OUTCOMES = ("achieved", "achieved_late", "missed")
RELATIONS = ("multiple", "percent_change", "pp_change", "series")
LEVELS = ("district", "city", "province", "country")
BOOLEANS = ("True", "False")


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    unit: str = ""                       # "" where the column is text or a count without unit
    values: tuple[str, ...] = ()         # the allowed values (besides empty, where the meaning allows it)


def _c(name, meaning, unit="", values=()):
    return Column(name, meaning, unit, tuple(values))


# columns shared by several files: one wording
SOURCE_ID = _c("source_id", "id of the document in data/raw/sources.yml")
REGION = _c("region", "the plan's region, in simplified Chinese (data/raw/reference/regions.csv)")
INDICATOR_ID = _c("indicator_id", "indicator id of data/raw/indicators.csv (the same concept has the same id in every source)")
INDICATOR_ZH = _c("indicator_zh", "the indicator's name as published, in simplified characters")
INDICATOR_EN = _c("indicator_en", "the indicator's English name (data/raw/indicators.csv)")
MEASURE = _c("measure", "what kind of number: a share of a whole (0–100), a level (money, area, people), a cumulative "
             "count (stock), a count within one year (flow), a target stated as a growth rate, a place in a ranking (lower is "
             "better)", values=MEASURES)
UNIT = _c("unit", "the canonical unit of the values (e.g. %, 亿元, 万平方米, 家, 名次 for a rank): one of "
         "the `canonical` units of data/raw/units.yml")
METRIC = _c("metric", "the growth measure: compound annual growth (levels, counts), percentage points a year (shares), "
            "places a year (ranks; negative: moving up), "
            "new entries or change a year (from a zero base), none (no annual rate)", values=METRICS)
GROWTH_UNIT = _c("growth_unit", "unit of the growth columns of the row", values=GROWTH_UNITS)
PEER_N = _c("peer_n", "number of comparable regional windows of the same length (regional_panel.csv)", "windows")
PEER_PERCENTILE = _c("peer_percentile", "percentile of the judged pace among those windows", "percentile (0–100)")
PEER_MAX = _c("peer_max", "the fastest of those windows", "growth_unit")
PEER_MAX_WINDOW = _c("peer_max_window", "region and years of the fastest window")
RELATED_SOURCE_ID = _c("related_source_id", "the other document the row compares with (a plan of a region above)")
YARDSTICK = _c("yardstick", "what the pace was judged against (empty: not judged)", values=YARDSTICKS)

FILES: dict[str, tuple[str, tuple[Column, ...]]] = {
    "observations": ("One row per number published in a document (analysis.ingest); "
                     "(source_id, indicator_id, year, kind) is unique.", (
        SOURCE_ID, REGION,
        _c("region_en", "the region's English name"),
        INDICATOR_ID, INDICATOR_ZH, INDICATOR_EN, MEASURE, UNIT,
        _c("year", "the year the number is for", "year"),
        _c("value", "the number in the canonical unit (1.14 万家 → 11400 家); a range's upper end", "unit"),
        _c("value_published", "the number as written in the document"),
        _c("unit_published", "the unit as written in the document"),
        _c("kind", "an actual (a figure for a past year) or a target", values=KINDS),
        _c("bound", "the qualifier: exactly, at least (以上, 不少于), more than (超过, 突破), at most (以下, 不超过; a rank "
           "such as 前15位: this place or better), less than (不足, 低于), about (左右, 近), a range",
           values=BOUNDS),
        _c("value_low", "a range's lower end; empty otherwise", "unit"),
        _c("line", "1-based line of the raw document (data/raw/documents/<source_id>.txt)", "line"),
        _c("quote", "the exact text of the document the number was read from; it occurs verbatim at `line`"),
    )),
    "relative_targets": ("One row per target stated relative to a base (翻一番, 增长50%, 提高2个百分点 of a base year; "
                         "达到全国平均水平, another region's value in the target's year), resolved or not "
                         "(analysis.ingest.extract); a resolved one is also a row of observations.csv.", (
        SOURCE_ID, REGION, INDICATOR_ID,
        _c("year", "the target's year", "year"),
        _c("kind", "an actual or a target", values=KINDS),
        _c("relation", "multiple (× factor), percent_change (× factor: 增长50% is × 1.5), pp_change (+ change "
           "percentage points), series (the value of base_region in the target's year)", values=RELATIONS),
        _c("published", "the words of the relation as written"),
        _c("base_region", "the region whose value is the base (the document's own, or the series' region)"),
        _c("base_year", "the year of the base value", "year"),
        _c("factor", "value = base_value × factor (multiple, percent_change)", "ratio"),
        _c("change", "value = base_value + change (pp_change)", "unit"),
        _c("base_value", "the base value; empty when not known", "unit"),
        _c("base_source", "where the base value comes from (the document's line, or the published actual's citation)"),
        _c("value", "the resolved target; empty when the base is not known", "unit"),
        UNIT,
        _c("bound", "the target's bound (翻一番以上: at least)", values=BOUNDS),
        _c("resolved", "whether the base value was found (the target is then a row of observations.csv)", values=BOOLEANS),
        _c("not_resolved_because", "why the target stays relative; empty when resolved"),
        _c("line", "1-based line of the raw document", "line"),
        _c("quote", "the exact text of the document holding the relation"),
    )),
    "segments": ("One row per consecutive pair of points of an indicator's path (`step`), per path first → last "
                 "(`overall`) and per target stated as a growth rate (`stated`), with the growth it implies and "
                 "what its pace was judged against (analysis.derive.growth, analysis.derive.paces).", (
        SOURCE_ID, REGION, INDICATOR_ID, INDICATOR_ZH, INDICATOR_EN, MEASURE, UNIT,
        _c("segment", "step (consecutive points), overall (first → last), stated (a growth-rate target)",
           values=SEGMENT_KINDS),
        _c("start_year", "year of the first point; empty for a stated rate without one", "year"),
        _c("end_year", "year of the last point (a target)", "year"),
        _c("years", "end_year − start_year", "years"),
        _c("start_value", "value at the start", "unit"),
        _c("end_value", "value at the end (a range's upper end)", "unit"),
        _c("end_low", "the lowest value the end target allows (its bound)", "unit"),
        _c("end_high", "the highest value the end target allows; empty when unbounded (以上, 超过)", "unit"),
        _c("start_kind", "kind of the start point", values=KINDS),
        _c("end_kind", "kind of the end point", values=KINDS),
        _c("start_bound", "bound of the start point", values=BOUNDS),
        _c("end_bound", "bound of the end point", values=BOUNDS),
        METRIC,
        _c("growth", "the implied growth per year (the stated rate for `stated` rows)", "growth_unit"),
        GROWTH_UNIT,
        _c("growth_low", "the least growth the bounds allow", "growth_unit"),
        _c("growth_high", "the most growth the bounds allow; empty when unbounded", "growth_unit"),
        _c("relative_change_pct", "shares: (end − start) / start × 100", "%"),
        _c("new_per_year", "counts: new entries a year implied by the step", "unit per year"),
        _c("n_points", "number of points of the path in the segment", "points"),
        _c("note", "why a growth is missing or special (e.g. a zero base, actual and target for the same year)"),
        _c("judged", "whether the pace of this segment was judged", values=BOOLEANS),
        _c("not_judged_because", "the reason a segment was not judged; empty when judged"),
        _c("not_judged_because_zh", "the same reason in Chinese, from the same parts (analysis.derive.paces)"),
        YARDSTICK,
        _c("pace_judged", "the pace that was judged (the least pace the end target allows)", "growth_unit"),
        _c("peer_series", "the indicator whose regional windows served as peers (another one for a proxy)"),
        PEER_N, PEER_PERCENTILE,
        _c("peer_p_info", "the peer percentile above which the info flag fires (thresholds.yml)", "growth_unit"),
        _c("peer_p90", "90th percentile of the peer windows", "growth_unit"),
        _c("peer_p95", "95th percentile of the peer windows", "growth_unit"),
        _c("peer_p99", "99th percentile of the peer windows", "growth_unit"),
        PEER_MAX, PEER_MAX_WINDOW,
        _c("national_max", "the fastest window of the segment's length of the indicator's full annual national "
           "series (growth_references.csv; empty where there is no full annual series)", "growth_unit"),
        _c("national_max_window", "years and lines of that national window"),
        _c("national_same_window", "the median national window of the segment's length", "growth_unit"),
        _c("ceiling", "the ceiling (an alert threshold) whose window fits the segment", "growth_unit"),
        _c("ceiling_name", "the name of that ceiling in thresholds.yml"),
        _c("metric_judged", "the metric the pace was judged in: the segment's own, or new_per_year for a count "
           "starting below info_min_count_base", values=METRICS),
        _c("peer_regions", "number of distinct regions among the peer windows (each region one vote)", "regions"),
        _c("peer_excluded", "the panel regions of the plan's own family (itself, above, inside) left out of its peers"),
        _c("loro", "leave one region out: robust where the peer verdict stands without each single peer region, "
           "knife_edge where it does not", values=("robust", "knife_edge")),
        _c("history_pace", "the region's own pace over as many years (±1) up to the step's start, from actuals "
           "known before the plan", "growth_unit"),
        _c("history_window", "the years of that own-history window"),
        _c("history_known", "how the own-history actuals were known (document, published before the plan)"),
        _c("history_ratio", "pace_judged / history_pace", "ratio"),
        _c("province_n", "city and district plans: number of province windows of the same length, without the plan's "
           "own province (the lower-grade yardstick)", "windows"),
        _c("province_regions", "number of distinct provinces among them", "regions"),
        _c("province_max", "the fastest of those province windows", "growth_unit"),
        _c("province_max_window", "province and years of that window"),
        _c("windows_pm1", "a flag's verdict under the windows one year shorter and one year longer (same "
           "yardstick): robust where every one that exists agrees, knife_edge where one does not",
           values=("robust", "knife_edge")),
        _c("national_n", "number of national windows of the segment's length (0: no full annual series)",
           "windows"),
        _c("ambition_scope", "ambition among plans: whether the other plans' steps of the same indicator, of its "
           "family (indicators.csv) or of every indicator measured the same way (all: %/yr or pp/yr, not new entries "
           "a year) were read; empty where none has ambition_min_plans plans",
           values=("indicator", "family", "all")),
        _c("ambition_n", "ambition among plans: the other plans read (one vote each; where no scope applies, the "
           "plans of the same indicator)", "plans"),
        _c("ambition_percentile", "ambition among plans: share of the other plans' fastest similar steps at or below "
           "the step's pace (in metric_judged: %/yr, pp/yr for shares, new entries a year of the same level and unit)",
           "percentile (0–100)"),
        _c("ambition_threshold", "ambition among plans: the other plans' pace the step must reach to be above "
           "ambition_info_percentile", "metric_judged's unit"),
        _c("ambition_max", "ambition among plans: the fastest other plan's pace", "metric_judged's unit"),
        _c("ambition_max_plan", "the plan (source_id) of that pace"),
        _c("ambition_lopo", "leave one plan out: robust where the ambition verdict stands without each single other "
           "plan, knife_edge where it does not", values=("robust", "knife_edge")),
    )),
    "trajectories": ("One row per path, model and year: the plan path through the stated points (with the values "
                     "its bounds allow) and, for paths with four or more actuals, fitted trends with 90 % prediction "
                     "intervals (analysis.derive.trajectories).", (
        SOURCE_ID, REGION, INDICATOR_ID, INDICATOR_ZH, MEASURE, UNIT,
        _c("model", "plan (piecewise through the stated points) or a trend fitted to the actuals", values=MODELS),
        _c("year", "the year of the row", "year"),
        _c("observed", "the stated value of that year (actual or target); empty where none", "unit"),
        _c("fitted", "the plan path's or the fitted trend's value", "unit"),
        _c("lower", "lower end of `interval`", "unit"),
        _c("upper", "upper end of `interval`; empty when unbounded", "unit"),
        _c("interval", "what lower/upper are: the values the bounds allow (plan), a 90 % prediction interval (fits)",
           values=INTERVALS),
        _c("annual_growth", "the path's first → last growth (plan) or the fitted growth a year", "growth_unit"),
        GROWTH_UNIT,
        _c("growth_ci_low", "fits: lower end of the 90 % interval of the annual growth", "growth_unit"),
        _c("growth_ci_high", "fits: upper end of the 90 % interval of the annual growth", "growth_unit"),
        _c("n_points", "number of points the row's model uses", "points"),
        _c("note", "how the path was drawn or fitted"),
    )),
    "flags": ("One row per (source, indicator, segment, rule) that fires (analysis.derive.flags; the rules: "
              "analysis/derive/rules/, "
              "docs/methods.md).", (
        SOURCE_ID, REGION, INDICATOR_ID, INDICATOR_ZH,
        _c("start_year", "first year of the flagged segment", "year"),
        _c("end_year", "last year of the flagged segment", "year"),
        _c("rule", "the rule that fired: one module of analysis/derive/rules/ (docs/methods.md, the rules table)"),
        _c("severity", "how serious: info < warn < alert", values=SEVERITIES),
        _c("direction", "what is wrong with the target", values=DIRECTIONS),
        _c("metric", "the quantity compared with the threshold (a growth metric, or e.g. new_entries)"),
        _c("value", "the value of `metric` for this target", "metric"),
        _c("threshold", "the value it was compared with", "metric"),
        _c("threshold_name", "where the threshold comes from: a name in thresholds.yml or a yardstick"),
        _c("reference", "the source of the threshold (a table line, a URL, the document's own figures)"),
        RELATED_SOURCE_ID, YARDSTICK, PEER_N, PEER_PERCENTILE, PEER_MAX, PEER_MAX_WINDOW,
        _c("margin", "value / threshold (how far past the threshold; near 1 is fragile)", "ratio"),
        _c("robust", "whether the flag survives the documented tolerance (docs/methods.md)",
           values=("robust", "knife_edge")),
        _c("reason", "one plain sentence with the numbers, for a reviewer"),
        _c("reason_zh", "the same sentence in Chinese, built by the rule from the same parts as `reason`"),
    )),
    "yardsticks": ("One row per target step (a step segment ending in a target, with a rate) and yardstick, in the "
                   "order they are tried: whether it applies, why not, what it shows and whether it binds "
                   "(analysis.derive.yardsticks.table.yardstick_rows; the same judgement as segments.csv, in long format).", (
        SOURCE_ID, REGION, INDICATOR_ID,
        _c("start_year", "year of the step's start", "year"),
        _c("end_year", "year of the step's target", "year"),
        _c("years", "end_year − start_year", "years"),
        _c("metric_judged", "the metric the pace is judged in (new_per_year for a small count)", values=METRICS),
        _c("pace_judged", "the least pace the target allows, in metric_judged", "metric_judged per year"),
        YARDSTICK,
        _c("applies", "whether the yardstick can judge this step", values=BOOLEANS),
        _c("binding", "whether it is the yardstick the step is judged by (segments.csv `yardstick`)", values=BOOLEANS),
        _c("why_not", "why it does not apply; empty when it does"),
        _c("n", "windows (peers, provinces, national) or other plans (ambition) behind it", "windows or plans"),
        _c("n_regions", "distinct regions among them (each region one vote)", "regions"),
        _c("excluded", "peers: the panel regions of the plan's own family left out"),
        _c("percentile", "peers: the region-weighted percentile of the pace; ambition: its percentile among the other "
           "plans (one vote each)", "percentile (0–100)"),
        _c("threshold", "the pace above which it flags (peers: info percentile; own history: ratio_info × the own "
           "pace; provinces and national: the fastest window; ceiling: the ceiling)", "metric_judged per year"),
        _c("max", "the fastest window (own history: the region's own pace)", "metric_judged per year"),
        _c("max_window", "region and years of that window (ceiling: its name; ambition: the fastest other plan)"),
        _c("ratio", "own history: pace_judged / the region's own pace", "ratio"),
        _c("verdict", "the severity it gives where it binds (or the ceiling's alert)", values=SEVERITIES),
        _c("loro", "peers: robust where the verdict stands without each single peer region (ambition: without each "
           "single other plan)",
           values=("robust", "knife_edge")),
    )),
    "escalation": ("One row per pair of plans of different levels (district → city → province → nation) that target "
                   "the same indicator in the same year (analysis.derive.cross_level).", (
        SOURCE_ID, REGION, RELATED_SOURCE_ID,
        _c("parent_region", "the region above, of the related document"),
        _c("parent_level", "the level of the region above", values=LEVELS),
        INDICATOR_ID, INDICATOR_ZH, MEASURE, UNIT,
        _c("end_year", "the target year both plans name", "year"),
        _c("end_value", "this plan's target", "unit"),
        _c("end_bound", "its bound", values=BOUNDS),
        _c("parent_end_value", "the plan above's target", "unit"),
        _c("parent_end_bound", "its bound", values=BOUNDS),
        _c("level_gap", "end_value − parent_end_value", "unit"),
        METRIC, GROWTH_UNIT,
        _c("start_year", "start of this plan's segment ending in end_year", "year"),
        _c("start_value", "its start value", "unit"),
        _c("growth", "this plan's implied growth", "growth_unit"),
        _c("parent_start_year", "start of the plan above's segment; empty when it has none", "year"),
        _c("parent_start_value", "its start value", "unit"),
        _c("parent_growth", "the plan above's implied growth", "growth_unit"),
        _c("growth_gap", "growth − parent_growth, for plans of the same vintage; empty otherwise", "growth_unit"),
        _c("vintage_gap_years", "years between the two plans' dates", "years"),
        _c("same_vintage", "whether the plans are close enough in date to compare their growth", values=BOOLEANS),
        _c("comparison", "what the pair is used for (growth compared, or context only and why)"),
    )),
    "progress": ("One row per target with a usable actual after its plan's base year: its status and the measures "
                 "behind it (analysis.derive.progress; the rules: docs/methods.md, \"Target versus actual\").", (
        SOURCE_ID, REGION, INDICATOR_ID, INDICATOR_ZH, INDICATOR_EN, MEASURE, UNIT,
        _c("bound", "the target's bound", values=BOUNDS),
        _c("plan_base_year", "the plan's base year (its own baseline's year, else the year before the document)", "year"),
        _c("base_year", "year of the base actual growth is measured from; empty when none is usable", "year"),
        _c("base_value", "the base actual", "unit"),
        _c("base_source", "where the base actual comes from (document and line, or publication and URL)"),
        _c("target_year", "the target's year", "year"),
        _c("target_value", "the target (a range's upper end)", "unit"),
        _c("target_value_low", "a range target's lower end", "unit"),
        _c("actual_year", "year of the actual that judged the target", "year"),
        _c("actual_value", "that actual", "unit"),
        _c("actual_bound", "its bound as published", values=BOUNDS),
        _c("actual_origin", "document (a later document's own figure) or published (data/raw/actuals/)",
           values=("document", "published")),
        _c("actual_source", "where the actual was published (citation and URL)"),
        _c("actual_preliminary", "whether the actual is a preliminary figure (预计, 初步)", values=BOOLEANS),
        _c("judged_by", "which actual decided the status", values=JUDGED_BY),
        _c("status", "the target's status", values=STATUSES),
        _c("achieved_year", "the year the target was met, where it was", "year"),
        _c("estimate_at_target", "the value interpolated at the target year between bracketing actuals", "unit"),
        _c("estimate_method", "how that estimate was made"),
        _c("gap", "actual − target", "unit"),
        _c("gap_pct", "gap as a percentage of the target", "%"),
        GROWTH_UNIT,
        _c("observed_growth", "growth per year from the base to the latest actual", "growth_unit"),
        _c("required_growth", "growth per year from the base that the target requires", "growth_unit"),
        _c("growth_ratio", "observed_growth / required_growth (the pace statuses' yardstick)", "ratio"),
        _c("limit_factor", "the damping of the required growth near a share's natural limit", "ratio"),
        _c("current_status_index", "ESCAP: (actual − base) / (target − base), at most 1", "ratio"),
        _c("elapsed_share", "share of the base → target years that had passed at the actual", "ratio"),
        _c("anticipated_value", "ESCAP: the observed pace carried to the target year", "unit"),
        _c("anticipated_gap", "anticipated_value − target", "unit"),
        _c("plan_at_actual_year", "the plan path's value at the actual's year", "unit"),
        _c("actual_vs_plan_pct", "the actual against the plan path at its year, in percent", "%"),
        _c("parent_region", "the region above, whose actual is shown beside"),
        _c("parent_actual_year", "year of the region above's actual", "year"),
        _c("parent_actual_value", "the region above's actual", "unit"),
        _c("quality_note", "a caution about the statistic's quality, where the literature gives one"),
        _c("quality_note_zh", "quality_note in Chinese (built from the same parts)"),
        _c("quality_reference", "the literature behind quality_note"),
        _c("note", "how the status was reached, in words"),
        _c("note_zh", "note in Chinese (built from the same parts, analysis/derive/progress_notes.py)"),
    )),
    "backtest": ("One row per target whose outcome is known: the worst flag on its path against the outcome "
                 "(analysis.derive.backtest).", (
        SOURCE_ID, INDICATOR_ID,
        _c("target_year", "the target's year", "year"),
        _c("status", "its progress status", values=("achieved", "achieved_at_rounding", "achieved_late", "missed")),
        _c("outcome", "the outcome the status stands for", values=OUTCOMES),
        _c("worst_severity", "the worst flag severity on the path to the target, of any direction; none when nothing "
           "fired", values=("none",) + SEVERITIES),
        _c("worst_too_fast", "the worst too_fast flag on that path (an implausibly fast target); none without one",
           values=("none",) + SEVERITIES),
        _c("worst_too_slow", "the worst too_slow flag on that path (an unambitious target); none without one",
           values=("none",) + SEVERITIES),
        _c("pace_judged", "whether a pace yardstick judged any segment of that path (segments.csv judged); "
           "none with False means not judged, not 'nothing found'", values=BOOLEANS),
        _c("n_flags", "number of flags on that path", "flags"),
        _c("rules", "the rules that fired, separated by ';'"),
        _c("directions", "their directions, separated by ';'"),
        _c("peer_percentile", "the peer percentile of the implied growth where flags.csv carries one",
           "percentile (0–100)"),
    )),
}
CODEBOOK = paths.ROOT / "docs" / "codebook.md"


def columns(name: str) -> list[str]:
    """The column names of data/processed/<name>.csv, in order."""
    return [c.name for c in FILES[name][1]]


def codebook() -> str:
    """docs/codebook.md: every column of every processed file."""
    out = ["# Codebook of data/processed/", "",
           "Generated from `analysis/core/schema.py` by `python -m analysis.core.schema`; do not edit by hand "
           "(tests/test_schema.py fails when it is out of date). An empty cell means not applicable or not known.", ""]
    for name, (what, cols) in FILES.items():
        out += [f"## {name}.csv", "", what, "", "| column | meaning | unit | allowed values |", "|---|---|---|---|"]
        for c in cols:
            values = ", ".join(f"`{v}`" for v in c.values)
            unit = f"as `{c.unit}` of the row" if c.unit in ("unit", "growth_unit", "metric") else c.unit
            out.append(f"| `{c.name}` | {c.meaning} | {unit} | {values} |")
        out.append("")
    return "\n".join(out)


def main() -> int:
    CODEBOOK.write_text(codebook(), encoding="utf-8")
    print(f"wrote {CODEBOOK.relative_to(paths.ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
