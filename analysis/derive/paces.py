"""Every segment's pace judgement → the judgement columns of segments.csv, read by the too_fast rule.

Judged are steps that end in a target with a rate (cagr, pp/yr); the pace judged is the least the target allows
(to the low end of a ≥, approximate or range target); a count that starts below info_min_count_base is judged by
its new entries a year (steps_of), not as a growth rate. Each yardstick (analysis.derive.yardsticks,
one module each) judges every step at once; the first that applies binds, in this order: peers, own history,
provinces (lower grade), national, ambition among plans; a ceiling whose window fits turns any verdict into an
alert and binds where nothing else applies. A step none of them fits says why, yardstick by yardstick, in English
(`not_judged_because`) and Chinese (`not_judged_because_zh`), from the same parts.

`pace_judgements` judges all segments of a corpus (the corpus is what ambition among plans compares with);
`judge_segment` judges one (tests/test_rules.py checks that judging segment by segment gives the same columns).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import schema
from ..core.arrays import either
from .growth import COUNT_MEASURES, NOTES_ZH, annual_rate, differs
from .sentences import Words, fill, fmt, join
from .yardsticks import Yardsticks, among_plans, national, provinces
from .yardsticks.common import pace_of, per_key
from .yardsticks.peers import PEERS, PROXY

JUDGEMENT_COLUMNS = ["judged", "not_judged_because", "not_judged_because_zh", "yardstick", "pace_judged", "metric_judged", "peer_series",
                     "peer_n", "peer_regions", "peer_excluded", "peer_percentile", "peer_p_info", "peer_p90",
                     "peer_p95", "peer_p99", "peer_max", "peer_max_window", "loro", "history_pace", "history_window",
                     "history_ratio", "history_known", "province_n", "province_regions", "province_max",
                     "province_max_window", "windows_pm1", "national_n", "national_max", "national_max_window",
                     "national_same_window", "ceiling", "ceiling_name", "severity", *among_plans.COLUMNS]
TEXT_COLUMNS = ("not_judged_because", "not_judged_because_zh", "yardstick", "metric_judged", "peer_series",
                "peer_excluded", "peer_max_window", "loro", "history_window", "history_known", "province_max_window",
                "windows_pm1", "national_max_window", "ceiling_name", "severity", "ambition_scope", "ambition_max_plan", "ambition_lopo")
OVERALL = Words("首末两点的路段重复其相邻两点的路段，后者均已判断", "the first-to-last segment repeats its steps, which are judged")
OVERALL_NOT = Words("首末两点的路段重复其相邻两点的路段，后者未全部判断（见各路段）",
                    "the first-to-last segment repeats its steps, which are not all judged (see each step)")
STATED = Words("文件所述增长率：与其水平路径对比（增长率与水平规则）",
               "a stated growth rate: compared with its level path (rate_vs_levels)")
HISTORY = Words("历史：两端都是实际值", "history: both ends are actuals")
NOT_JUDGED = Words("未判断：", "not judged: ")
RATED = ("cagr", "pp_per_year")
STEP_COLUMNS = ["source_id", "region", "indicator_id", "level", "kin", "start_year", "years", "metric", "rate_metric",
                "pace", "unit", "small"]


# ------------------------------------------------------------------------------------------------ the steps
def _not_rated(segment: str, end_kind: str, metric: str, note) -> Words | None:
    """Why a segment is not a rated step that ends in a target (None: it is one)."""
    if segment == "overall":
        return OVERALL
    if segment == "stated":
        return STATED
    if end_kind == "actual":
        return HISTORY
    if metric not in RATED:
        return (fill(Words("无年率（{note}）", "no annual rate ({note})"), note=Words(NOTES_ZH.get(note, note), note))
                if isinstance(note, str) and note else Words("无年率", "no annual rate"))
    return None


def steps_of(s: pd.DataFrame, sticks: Yardsticks, levels: dict) -> tuple[pd.DataFrame, dict]:
    """The rated steps `s` (segments.csv rows) as the yardsticks read them (STEP_COLUMNS): `pace` the least the
    target allows in the judged `metric` (new entries a year for a small count; `rate_metric` the segment's own),
    `level` the plan's (regions.csv), `kin` a code of the plan's family ({code: family} beside)."""
    years = s["years"].to_numpy(dtype=np.int64)
    start = s["start_value"].to_numpy(dtype=float)
    end_low, end_value = s["end_low"].to_numpy(dtype=float), s["end_value"].to_numpy(dtype=float)
    small = (start < sticks.v["info_min_count_base"]) & s["measure"].isin(COUNT_MEASURES).to_numpy()
    rate_metric = s["metric"].to_numpy(dtype=object)
    pace = s["growth"].to_numpy(dtype=float).copy()
    bounded = differs(end_low, end_value)
    less = np.flatnonzero(bounded | small)                              # the least the target allows
    end = np.where(bounded, end_low, end_value)[less]
    pace[less] = np.where(small[less], pace_of(start[less], end, years[less], "new_per_year"),
                          annual_rate(start[less], end, years[less], rate_metric[less]))
    metric = rate_metric.copy()
    metric[small] = "new_per_year"
    region = s["region"].to_numpy(dtype=object)
    codes, distinct = pd.factorize(region)
    ids: dict = {}
    of_region = np.array([ids.setdefault(sticks.kin(r), len(ids)) for r in distinct], dtype=np.int64)
    steps = pd.DataFrame({
        "source_id": s["source_id"].to_numpy(dtype=object), "region": region,
        "indicator_id": s["indicator_id"].to_numpy(dtype=object),
        "level": s["region"].map(levels).fillna("unknown").to_numpy(dtype=object),
        "kin": of_region[codes] if len(codes) else np.zeros(0, dtype=np.int64),
        "start_year": s["start_year"].to_numpy(dtype=np.int64), "years": years,
        "metric": metric, "rate_metric": rate_metric,
        "pace": pace, "unit": s["unit"].to_numpy(dtype=object), "small": small})
    return steps, {i: k for k, i in ids.items()}


# ------------------------------------------------------------------------------------------------ the judgement
def _judge_steps(steps: pd.DataFrame, kins: dict, sticks: Yardsticks) -> dict:
    """The judgement columns of rated steps: every yardstick's, the binding one and the verdict."""
    shown = [sticks.peers.judge(steps, kins), sticks.own_history.judge(steps),
             sticks.provinces.judge(steps, kins), sticks.national.judge(steps), sticks.among_plans.judge(steps)]
    yardstick = np.full(len(steps), None, dtype=object)
    severity = np.full(len(steps), None, dtype=object)
    decided = np.zeros(len(steps), dtype=bool)
    for found in shown:                                            # the first that applies binds
        take = ~decided & found["applies"]
        yardstick[take], severity[take] = found["label"][take], found["severity"][take]
        decided |= take
    ceiling = sticks.ceiling.judge(steps)
    severity[ceiling["alert"]] = "alert"
    yardstick[ceiling["fits"] & ~decided] = schema.YARDSTICKS[-1]   # ceiling only
    judged = decided | ceiling["fits"]
    out = {k: v for found in shown for k, v in found.items()} | {k: ceiling[k] for k in ("ceiling", "ceiling_name")}
    why_en, why_zh = _why_not(steps, shown, ceiling, ~judged, sticks)
    return out | {"judged": judged, "yardstick": yardstick, "severity": severity, "pace_judged": steps["pace"].to_numpy(),
                  "metric_judged": steps["metric"].to_numpy(), "windows_pm1": _neighbours(steps, kins, yardstick,
                                                                                          severity, sticks),
                  "not_judged_because": why_en, "not_judged_because_zh": why_zh}


def _neighbours(steps: pd.DataFrame, kins: dict, yardstick: np.ndarray, severity: np.ndarray,
                sticks: Yardsticks) -> np.ndarray:
    """The verdict under the neighbouring window lengths (±1 year): 'robust' or 'knife_edge' for an info or warn
    verdict of peers, provinces or the national series (None for the others: own history already takes ±1 year;
    ambition among plans has its own leave-one-plan-out check)."""
    out = np.full(len(steps), None, dtype=object)
    pace, years, kin = (steps[c].to_numpy() for c in ("pace", "years", "kin"))
    indicator, level, metric = (steps[c].to_numpy(dtype=object) for c in ("indicator_id", "level", "metric"))
    for i in np.flatnonzero(pd.notna(severity) & (severity != "alert")):      # few
        y = yardstick[i]
        if y in (PEERS, PROXY):
            out[i] = sticks.peers.neighbours(pace[i], severity[i], indicator[i], level[i], int(years[i]),
                                             kins[kin[i]], metric[i])
        elif y == provinces.PROVINCES:
            out[i] = sticks.provinces.neighbours(pace[i], indicator[i], int(years[i]), kins[kin[i]], metric[i])
        elif y == national.NATIONAL:
            out[i] = sticks.national.neighbours(pace[i], indicator[i], int(years[i]))
    return out


def _why_not(steps: pd.DataFrame, shown: list, ceiling: dict, rows: np.ndarray, sticks: Yardsticks) -> tuple:
    """Why each step of `rows` was not judged: each yardstick in order and why it does not apply, in English and
    Chinese (each clause written once per distinct case)."""
    en, zh = (np.full(len(steps), None, dtype=object) for _ in range(2))
    if not rows.any():
        return en, zh
    s = {c: steps[c].to_numpy()[rows] for c in STEP_COLUMNS}
    p, h, pr, _, a = ({k: v[rows] for k, v in found.items()} for found in shown)

    def clause(words, *columns):
        table, at = per_key(lambda *key: {"w": words(*key)}, *columns)
        return table["w"].to_numpy(dtype=object)[at]
    head = clause(lambda small: Words(f"起点低于 {fmt(sticks.v['info_min_count_base'])} 的计数按每年新增数判断",
                                      f"a count starting below {fmt(sticks.v['info_min_count_base'])} is judged by "
                                      "its new entries a year") if small else None, s["small"])
    clauses = [
        clause(sticks.peers.why_not, p["peer_n"], s["years"], p["peer_regions"], p["peer_excluded"],
               s["level"] == "unknown"),
        clause(sticks.own_history.why_not, h["history_why"]),
        clause(sticks.provinces.why_not, s["level"], s["metric"], pr["province_n"], pr["province_regions"],
               s["years"]),
        clause(sticks.national.why_not, s["indicator_id"], s["years"]),
        clause(sticks.among_plans.why_not, s["indicator_id"], s["years"], a["ambition_n"], s["metric"],
               np.isfinite(s["pace"]), s["level"], s["unit"]),
        clause(sticks.ceiling.why_not, s["small"], ceiling["name"][rows], ceiling["years"][rows], s["years"])]
    whole, at = per_key(lambda *parts: vars(NOT_JUDGED + join(w for w in parts if w is not None)), head, *clauses)
    en[rows], zh[rows] = whole["en"].to_numpy(dtype=object)[at], whole["zh"].to_numpy(dtype=object)[at]
    return en, zh


def judge_all(segments: pd.DataFrame, sticks: Yardsticks, levels: dict) -> pd.DataFrame:
    """One row per segment (same positions): whether and against what its pace is judged (JUDGEMENT_COLUMNS). The
    corpus of ambition among plans: the one sticks was given (use_corpus), else these segments' own steps."""
    n = len(segments)
    if n:                                               # why a segment is not a rated step, once per distinct case
        table, at = per_key(lambda *k: vars(_not_rated(*k) or Words(None, None)),
                            *(segments[c].to_numpy(dtype=object) for c in ("segment", "end_kind", "metric", "note")))
        why = {"not_judged_because": table["en"].to_numpy(dtype=object)[at],
               "not_judged_because_zh": table["zh"].to_numpy(dtype=object)[at]}
    else:
        why = {c: np.zeros(0, dtype=object) for c in ("not_judged_because", "not_judged_because_zh")}
    rows = np.flatnonzero(pd.isna(why["not_judged_because"]))
    reads = ["source_id", "region", "indicator_id", "measure", "unit", "metric", "start_year", "years", "start_value",
             "end_value", "end_low", "growth"]                  # what steps_of reads (a copy of only these rows)
    rated = _judge_steps(*steps_of(segments[reads].iloc[rows], sticks, levels), sticks) if len(rows) else {}
    columns = {}
    for c in JUDGEMENT_COLUMNS:         # each column made whole from the rated steps' one at a time (memory)
        col = why[c] if c in why else (np.zeros(n, dtype=bool) if c == "judged" else
                                       np.full(n, None, dtype=object) if c in TEXT_COLUMNS else np.full(n, np.nan))
        if c in rated:
            col[rows] = rated.pop(c)
        columns[c] = pd.Series(col, dtype=object if c in TEXT_COLUMNS else None, copy=False)
    return pd.DataFrame(columns, copy=False)


def explain_overall(segments: pd.DataFrame, judgement: pd.DataFrame) -> pd.DataFrame:
    """The judgement with each overall row's reason true: its steps that end in a target are all judged (OVERALL)
    or not (OVERALL_NOT)."""
    path = ["source_id", "indicator_id"]
    step = (segments["segment"] == "step") & (segments["end_kind"] != "actual")
    judged = judgement["judged"].to_numpy(dtype=bool)
    overall = np.flatnonzero((segments["segment"] == "overall").to_numpy())
    if not len(overall):
        return judgement
    unjudged = pd.MultiIndex.from_frame(segments.loc[step.to_numpy() & ~judged, path])
    not_all = pd.MultiIndex.from_frame(segments.iloc[overall][path]).isin(unjudged)
    reasons = {}
    for c, language in (("not_judged_because", "en"), ("not_judged_because_zh", "zh")):
        text = judgement[c].to_numpy(dtype=object).copy()
        text[overall] = either(not_all, OVERALL_NOT.get(language), OVERALL.get(language))
        reasons[c] = pd.Series(text, index=judgement.index, dtype=object)
    return judgement.assign(**reasons)


def pace_judgements(segments: pd.DataFrame, th: pd.DataFrame, rules: dict, windows: pd.DataFrame,
                    levels: dict, parents: dict | None = None, known: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per segment (same positions): whether and against what its pace is judged, every segment of the
    corpus at once. `parents`: {region: parent} (regions.csv, for the plan's family); `known`: pre_plan_actuals
    (own history)."""
    return explain_overall(segments, judge_all(segments, Yardsticks(windows, rules, th, parents, known), levels))


def judge_segment(s, sticks: Yardsticks, levels: dict) -> dict:
    """The judgement of one segment (a row with segments.csv's columns): judge_all of that row alone, against the
    corpus `sticks` was given (use_corpus). An overall row says OVERALL here; explain_overall then says whether its
    steps were all judged."""
    row = s._asdict() if hasattr(s, "_asdict") else dict(s) if isinstance(s, dict | pd.Series) else vars(s)
    return judge_all(pd.DataFrame([row]), sticks, levels).iloc[0].to_dict()


def use_corpus(sticks: Yardsticks, segments: pd.DataFrame, judgement: pd.DataFrame, levels: dict) -> None:
    """Give `sticks` the corpus ambition among plans compares with: the rated steps of `segments` as `judgement`
    judged them (its pace and metric)."""
    rated = judgement["pace_judged"].notna().to_numpy()
    s = segments[["source_id", "indicator_id", "region", "unit", "years"]].loc[rated]
    sticks.among_plans.use_corpus(pd.DataFrame({
        "source_id": s["source_id"].to_numpy(dtype=object), "indicator_id": s["indicator_id"].to_numpy(dtype=object),
        "metric": judgement.loc[rated, "metric_judged"].to_numpy(dtype=object),
        "level": s["region"].map(levels).fillna("unknown").to_numpy(dtype=object),
        "unit": s["unit"].to_numpy(dtype=object), "pace": judgement.loc[rated, "pace_judged"].to_numpy(dtype=float),
        "years": s["years"].to_numpy()}))
