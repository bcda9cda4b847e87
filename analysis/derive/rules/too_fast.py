"""too_fast: the least pace a target allows exceeds its yardstick (analysis.derive.paces judges every segment):
above the peer windows' info percentile (info) or every peer window of the same length (warn); with too few
peers, above the fastest national window no longer than the segment (info); above a ceiling whose window fits
(alert). `margin` and `robust` say how far past the yardstick and whether the neighbouring yardsticks agree."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ...core import schema
from ...core.arrays import either
from ...inputs.vocab import FAMILY_NAMES, load_indicators
from ..sentences import EMPTY, LEVEL_ZH, Words, fmt, rate, window, with_unit
from .base import EPS, Inputs, Plan, Rule, empty, flag_frame, records, threshold_phrase

PEER_YARDSTICKS = schema.YARDSTICKS[:2]            # "peers", "peers (proxy)": comparable regions' windows
OWN = schema.YARDSTICKS[2]                          # "own history": the region's own pre-plan pace
PROVINCES = schema.YARDSTICKS[3]                    # "provinces (lower grade)": a city set against provinces
AMBITION = schema.YARDSTICKS[5:8]                   # "ambition (indicator | family | all indicators)": other plans'
AMBITION_REFERENCE = "segments.csv (the other plans' target steps)"
PEERS_REFERENCE = "regional_panel.csv (peer windows)"
# what clause() reads: it is written once per distinct set of these (it is given only them, so it cannot read more)
CLAUSE_READS = ["severity", "yardstick", "threshold", "growth_unit", "years", "indicator_id", "unit", "metric_judged",
                "ceiling_name", "peer_series", "peer_n", "peer_regions", "peer_percentile", "peer_max", "peer_excluded",
                "peer_max_window", "province_n", "province_regions", "province_max", "province_max_window",
                "history_ratio", "history_pace", "history_window", "history_known", "ratio_threshold", "national_n",
                "national_max_window", "ambition_n", "ambition_percentile", "ambition_max", "ambition_max_plan",
                "family", "level"]
# what reason() reads besides its clause (its rows are read with only these: a row of every column costs more)
REASON_READS = ["metric", "end_bound", "metric_judged", "unit", "growth_unit", "pace_judged", "start_value", "end_value",
                "measure", "new_per_year", "start_year", "end_year"]
READS = ["source_id", "region", "indicator_id", "indicator_zh", "start_year", "end_year", "measure", "unit", "metric",
         "growth_unit", "years", "start_value", "end_value", "end_bound", "new_per_year"]   # of a segment


# ---------------------------------------------------------------- the flag of one segment, in plain words
def threshold_of(j) -> tuple[float, str]:
    """(threshold, threshold_name) a judged segment crossed: the ceiling (alert), the fastest peer window (warn),
    the peer info percentile, or the fastest national window."""
    if j.severity == "alert":
        return j.ceiling, j.ceiling_name
    if j.severity == "warn" and j.yardstick in PEER_YARDSTICKS:
        return j.peer_max, "peer_max"
    if j.yardstick in PEER_YARDSTICKS:
        return j.peer_p_info, "peer_info_percentile"
    if j.yardstick == PROVINCES:
        return j.province_max, "province_max"
    if j.yardstick in AMBITION:
        return j.ambition_threshold, "ambition_info_percentile"
    if j.yardstick == OWN:
        name = "own_history_ratio_warn" if j.severity == "warn" else "own_history_ratio_info"
        return j.history_pace * j.ratio_threshold, name
    return j.national_max, "national_series"


def margin_of(pace: float, threshold: float, neighbours: Sequence[float], min_margin_pct: float) -> tuple[float, str]:
    """(margin, robust): margin = pace / threshold; robust where the pace clears every neighbouring yardstick that
    exists (NaN = absent) and its own threshold by at least min_margin_pct, else knife_edge."""
    margin = pace / threshold if threshold > 0 else math.nan
    clears = all(not (math.isfinite(nb) and pace <= nb + EPS) for nb in neighbours)
    ok = clears and (not math.isfinite(margin) or margin >= 1 + min_margin_pct / 100.0)
    return margin, "robust" if ok else "knife_edge"


def neighbours_of(j) -> list[float]:
    """The neighbouring yardsticks of a judged segment: peer p90, p95, p99 (peers only), the national window of
    exactly the segment's length."""
    peers = j.yardstick in PEER_YARDSTICKS
    return [j.peer_p90 if peers else math.nan, j.peer_p95 if peers else math.nan, j.peer_p99 if peers else math.nan,
            j.national_same_window]


def _plural(n) -> str:
    return "s" if n != 1 else ""


def clause(r, v: dict, phrases: dict) -> Words:
    """What the pace exceeds: the ceiling, every peer window, the peers' info percentile, or the national window."""
    unit, years = r.growth_unit, r.years
    if r.severity == "alert":
        p = phrases[r.ceiling_name]
        return Words(f"，超过{p.zh}——该速度的窗口不长于本段",
                     f" exceeds {p.en}, a pace over a window no longer than this segment")
    lim = rate(r.threshold, unit)
    if r.yardstick in PEER_YARDSTICKS:
        proxy = (Words(f"（以 {r.peer_series} 的窗口代替 {r.indicator_id}）",
                       f" (windows of {r.peer_series}, standing in for {r.indicator_id})")
                 if r.yardstick == PEER_YARDSTICKS[1] else Words("", ""))
        n, pct, top = int(r.peer_n), fmt(r.peer_percentile, 0), rate(r.peer_max, unit)
        regions = int(r.peer_regions)
        left = (Words(f"，不含本地区所属及下辖的 {r.peer_excluded}", f", without the plan's own family ({r.peer_excluded})")
                if isinstance(r.peer_excluded, str) else Words("", ""))
        where = Words(f"同类地区（{regions} 个地区，每个地区一票{left.zh}）的 {n} 个 {years} 年窗口{proxy.zh}：位于第 {pct} "
                      f"百分位；最快的是 {top.zh}（{r.peer_max_window}）",
                      f"{n} {years}-year windows of {regions} comparable regions (one vote each{left.en}){proxy.en}: "
                      f"percentile {pct}; the fastest was {top.en} ({r.peer_max_window})")
        if r.severity == "warn":
            return Words(f"，高于{where.zh}中的每一个", f" is above every one of the {where.en}")
        info = fmt(v["peer_info_percentile"], 0)
        return Words(f"，高于{where.zh}的第 {info} 百分位（{lim.zh}）",
                     f" is above the {info}th percentile ({lim.en}) of the {where.en}")
    if r.yardstick == PROVINCES:
        n, regions, top = int(r.province_n), int(r.province_regions), rate(r.province_max, unit)
        return Words(f"，高于 {regions} 个省份（不含本省）的 {n} 个 {years} 年窗口中的每一个，最快的是 {top.zh}"
                     f"（{r.province_max_window}）；省份的速度是其各城市的平均，因此这是较弱的尺度，仅供参考",
                     f" is above every one of the {n} {years}-year windows of {regions} provinces (without the "
                     f"plan's own), the fastest {top.en} ({r.province_max_window}); a province's pace averages over "
                     "its cities, so this lower-grade yardstick is informative only")
    if r.yardstick == OWN:
        ratio, hist = fmt(r.history_ratio, 2), rate(r.history_pace, unit)
        return Words(f"，是该地区规划前 {r.history_window} 年实际速度 {hist.zh}（{r.history_known}）的 {ratio} 倍"
                     f"（阈值 {fmt(r.ratio_threshold)} 倍）",
                     f" is {ratio} times the pace the region itself realised {r.history_window}, {hist.en} "
                     f"({r.history_known}; threshold {fmt(r.ratio_threshold)} times)")
    if r.yardstick in AMBITION:
        return ambition_clause(r, v)
    n, regions, min_r = int(r.peer_n), int(r.peer_regions), fmt(v["peer_min_regions"])
    nn, national = int(r.national_n), window(r.national_max_window)
    return Words(f"，超过全国逐年序列 {nn} 个 {years} 年窗口中最快的 {national.zh}：{lim.zh}；同类地区的 "
                 f"{years} 年窗口只有 {n} 个、来自 {regions} 个地区（少于 {min_r} 个地区），而全国的变化比区县或城市慢，因此仅供参考",
                 f" exceeds the fastest of the {nn} {years}-year windows of the full annual national series, "
                 f"{national.en}: {lim.en}; only {n} comparable regional windows of "
                 f"{years} year{_plural(years)} from {regions} region{_plural(regions)} exist (fewer than {min_r} "
                 "regions), and a nation moves more slowly than a district or city, so this is informative only")


def ambition_clause(r, v: dict) -> Words:
    """Where the pace stands among the other plans' paces: of the same indicator, of its family, or of every
    indicator measured the same way; new entries a year only among plans of the same level, in the same unit."""
    new = r.metric_judged == "new_per_year"
    unit = new_unit(r.unit) if new else r.growth_unit
    lim, top = rate(r.threshold, unit), rate(r.ambition_max, unit)
    n, pct, info = int(r.ambition_n), fmt(r.ambition_percentile, 0), fmt(v["ambition_info_percentile"], 0)
    fam = FAMILY_NAMES.get(r.family, ("", ""))
    measured = Words("按百分点/年衡量", "measured in pp/yr") if r.metric_judged == "pp_per_year" else \
        Words("按 %/年 衡量", "measured in %/yr")
    scope = {AMBITION[0]: Words("同一指标", "of the same indicator"),
             AMBITION[1]: Words(f"同类指标（{fam[0]}）", f"of the same indicator family ({fam[1]})"),
             AMBITION[2]: Words(f"所有{measured.zh}的指标", f"of every indicator {measured.en}")}[r.yardstick]
    level = r.level
    how = (Words(f"按每年新增数比较，且只与同级（{LEVEL_ZH.get(level, level)}）规划比较，因为新增数随地区规模而变",
                 f"compared as new entries a year, and only with plans of the same level ({level}), since new "
                 "entries scale with a region's size") if new else
           Words("按比率比较", "compared as rates"))
    weaker = (Words("；不同指标的速度只能粗略比较，但一步快于其他每个规划任何指标的最快目标，本身就是一个发现",
                    "; paces of different indicators compare only roughly, but a step faster than every other plan's "
                    "fastest target of any indicator is a finding") if r.yardstick == AMBITION[2] else EMPTY)
    return Words(f"，在其他 {n} 个规划{scope.zh}的速度中位于第 {pct} 百分位，高于第 {info} 百分位（{lim.zh}）；每个规划一票，"
                 f"取其窗口相近的最快一步，{how.zh}；最快的是 {top.zh}（{r.ambition_max_plan}）{weaker.zh}；"
                 "语料库只是少数规划，因此仅供参考",
                 f" is at percentile {pct} among the paces of {n} other plans {scope.en}, above the {info}th "
                 f"percentile ({lim.en}); one vote per plan, its fastest step over a similar window, {how.en}; the "
                 f"fastest was {top.en} ({r.ambition_max_plan}){weaker.en}; the corpus is a handful of plans, so "
                 "this is informative only")


def new_unit(unit: str) -> str:
    """The unit of new entries a year: '家/yr' (rate() writes it '家/年' in Chinese)."""
    return f"{unit}/yr"


def reason(r, v: dict, phrases: dict, c: Words | None = None) -> Words:
    """'Implied growth of <pace> (<start> → <end>, <years>)<clause><needs>.' `r`: the segment, its judgement and
    the flag's threshold; `v`: the parameters' values; `phrases`: {ceiling name: its phrase}; `c`: the clause
    when written already (else clause(r))."""
    rise = r.metric == "pp_per_year"
    least = r.end_bound != "eq"
    small = r.metric_judged == "new_per_year"                       # a small count: judged by new entries a year
    unit = new_unit(r.unit) if small else r.growth_unit
    pace, start, end = rate(r.pace_judged, unit), fmt(r.start_value), with_unit(r.end_value, r.unit)
    needs = EMPTY
    if r.measure == "count_stock" and math.isfinite(r.new_per_year) and not small:
        new = fmt(r.new_per_year, 1)
        needs = Words(f"；需在 {start} 的基数上每年新增 {new}",
                      f"; it needs {new} new entr{'y' if new == '1' else 'ies'} a year on a base of {start}")
    c = clause(r, v, phrases) if c is None else c
    if small:
        return Words(f"隐含每年新增{'至少 ' if least else ''}{pace.zh}（{start} → {end}，{r.start_year}–{r.end_year}）"
                     f"{c.zh}。",
                     f"Implied new entries of {'at least ' if least else ''}{pace.en} ({start} → {end}, "
                     f"{r.start_year}–{r.end_year}){c.en}.")
    return Words(f"隐含年均{'提高' if rise else '增长'}{'至少 ' if least else ''}{pace.zh}（{start} → {end}，"
                 f"{r.start_year}–{r.end_year}）{c.zh}{needs.zh}。",
                 f"Implied {'rise' if rise else 'growth'} of {'at least ' if least else ''}"
                 f"{pace.en} ({start} → {end}, {r.start_year}–{r.end_year}){c.en}"
                 f"{needs.en}.")


def _phrases(th: pd.DataFrame) -> dict:
    return {name: threshold_phrase(row) for name, row in th.iterrows()}


def _clauses(s: pd.DataFrame, v: dict, phrases: dict) -> list[Words]:
    """clause() of each row of `s`, written once per distinct set of the words it reads (CLAUSE_READS): many
    flags share their yardstick's words."""
    words = s[CLAUSE_READS]
    group = words.groupby(CLAUSE_READS, dropna=False, sort=False).ngroup().to_numpy()
    first = np.unique(group, return_index=True)[1]              # groups are numbered in order of appearance
    written = [clause(r, v, phrases) for r in records(words.iloc[first])]
    return [written[g] for g in group]


def _frame(s: pd.DataFrame, inp: Inputs) -> pd.DataFrame:
    """The flags of the segments `s` that fire (their judgement columns included, `threshold`, `threshold_name`,
    `margin`, `robust` computed)."""
    if s.empty:
        return empty()
    v, phrases = inp.values, _phrases(inp.thresholds)
    refs = dict(zip(inp.thresholds["name"], inp.thresholds["reference"]))
    peers = s["yardstick"].isin(PEER_YARDSTICKS).to_numpy()
    reference = np.where(peers, PEERS_REFERENCE, s["national_max_window"].astype(str)).astype(object)
    reference[s["yardstick"].isin(AMBITION).to_numpy()] = AMBITION_REFERENCE
    alert = (s["severity"] == "alert").to_numpy()
    reference[alert] = [refs.get(c, "") for c in s["ceiling_name"].to_numpy(dtype=object)[alert]]
    s = s.assign(level=s["region"].map(dict(zip(inp.regions["region"], inp.regions["level"]))).fillna("unknown"),
                 family=s["indicator_id"].map(load_indicators()["family"]))      # read once, not once per flag
    out = flag_frame(s, RULE.name, s["severity"].to_numpy(dtype=object), RULE.direction, s["metric_judged"],
                     s["pace_judged"].to_numpy(dtype=float), s["threshold"].to_numpy(dtype=float),
                     s["threshold_name"].to_numpy(dtype=object), reference,
                     [reason(r, v, phrases, c) for r, c in zip(records(s[REASON_READS]), _clauses(s, v, phrases))])
    return out.assign(yardstick=s["yardstick"].to_numpy(dtype=object), peer_n=s["peer_n"].to_numpy(dtype=float),
                      peer_percentile=s["peer_percentile"].to_numpy(dtype=float),
                      peer_max=s["peer_max"].to_numpy(dtype=float),
                      peer_max_window=s["peer_max_window"].to_numpy(dtype=object), margin=s["margin"].to_numpy(),
                      robust=s["robust"].to_numpy(dtype=object))


def judge(plan: Plan, inp: Inputs) -> pd.DataFrame:
    """Each judged segment of the plan whose judgement has a severity, with its threshold, margin and robustness."""
    keep, extra = [], []
    v = inp.values
    segs = plan.segments.assign(ratio_threshold=np.where(plan.segments["severity"] == "warn",
                                                         v["own_history_ratio_warn"], v["own_history_ratio_info"]))
    for i, j in enumerate(segs.itertuples(index=False)):
        if not isinstance(j.severity, str):
            continue
        threshold, name = threshold_of(j)
        margin, robust = margin_of(j.pace_judged, threshold, neighbours_of(j), inp.values["robust_min_margin_pct"])
        robust = "knife_edge" if "knife_edge" in (j.loro, j.windows_pm1, j.ambition_lopo) else robust
        keep.append(i)
        extra.append((threshold, name, margin, robust))
    s = segs.iloc[keep]
    cols = list(zip(*extra)) if extra else [[], [], [], []]
    return _frame(s.assign(threshold=np.array(cols[0], dtype=float), threshold_name=np.array(cols[1], dtype=object),
                           margin=np.array(cols[2], dtype=float), robust=np.array(cols[3], dtype=object)), inp)


def find(inp: Inputs) -> pd.DataFrame:
    """judge() over every plan at once."""
    fire = np.flatnonzero(inp.judgement["severity"].notna().to_numpy())
    j = inp.judgement.iloc[fire].reset_index(drop=True)
    s = pd.concat([inp.segments[READS].iloc[fire].reset_index(drop=True),
                   j.drop(columns=["judged", "not_judged_because"])], axis=1)
    sev, pace = s["severity"].to_numpy(dtype=object), s["pace_judged"].to_numpy(dtype=float)
    peers = s["yardstick"].isin(PEER_YARDSTICKS).to_numpy()
    own = (s["yardstick"] == OWN).to_numpy()
    prov = (s["yardstick"] == PROVINCES).to_numpy()
    amb = s["yardstick"].isin(AMBITION).to_numpy()
    s = s.assign(ratio_threshold=np.where(sev == "warn", inp.values["own_history_ratio_warn"],
                                          inp.values["own_history_ratio_info"]))
    when = [sev == "alert", (sev == "warn") & peers, peers, prov, own, amb]
    threshold = np.select(when, [s["ceiling"], s["peer_max"], s["peer_p_info"], s["province_max"],
                                 s["history_pace"] * s["ratio_threshold"], s["ambition_threshold"]],
                          s["national_max"]).astype(float)
    name = np.select(when, [s["ceiling_name"], "peer_max", "peer_info_percentile", "province_max",
                            either(sev == "warn", "own_history_ratio_warn", "own_history_ratio_info"),
                            "ambition_info_percentile"],
                     "national_series").astype(object)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where(threshold > 0, pace / threshold, np.nan)
    clears = np.ones(len(s), dtype=bool)
    for nb in (s["peer_p90"].where(peers), s["peer_p95"].where(peers), s["peer_p99"].where(peers),
               s["national_same_window"]):
        nb = nb.to_numpy(dtype=float)
        clears &= ~(np.isfinite(nb) & (pace <= nb + EPS))
    clears &= (s["loro"] != "knife_edge").to_numpy()          # leave one region out
    clears &= (s["windows_pm1"] != "knife_edge").to_numpy()   # the windows one year shorter and longer
    clears &= (s["ambition_lopo"] != "knife_edge").to_numpy()  # leave one plan out
    ok = clears & (~np.isfinite(margin) | (margin >= 1 + inp.values["robust_min_margin_pct"] / 100.0))
    return _frame(s.assign(threshold=threshold, threshold_name=name, margin=margin,
                           robust=either(ok, "robust", "knife_edge")), inp)


RULE = Rule(
    name="too_fast", direction="too_fast", severities=("info", "warn", "alert"),
    parameters=("peer_min_n", "peer_min_regions", "peer_info_percentile", "own_history_ratio_info",
                "own_history_ratio_warn", "own_history_max_years", "ambition_min_plans", "ambition_max_years_apart",
                "ambition_info_percentile", "info_min_count_base", "robust_min_margin_pct", "cagr_alert",
                "rd_intensity_alert_pp", "approx_band_pct"),
    label=Words("增长过快", "too fast"),
    fires_when=Words("目标允许的最低速度高于同类地区（不含本地区所属及下辖地区，每个地区一票）的第 90 百分位（提示）或每一个同长度窗口"
                     "（警告）；同类地区过少时，为该地区规划前自身速度的 2 倍以上（提示）或 4 倍以上（警告）；再无则高于全国逐年序列"
                     "同长度窗口中最快的（提示）；再无则高于其他规划（同一指标，否则同类指标，否则所有同样衡量的指标；每年新增数只与同级规划比较）"
                     "相近窗口速度的第 90 百分位（提示）；"
                     "高于窗口相符的上限（严重）",
                     "the least pace a target allows is above the region-weighted peer p90 (info) or every peer "
                     "window of the same length (warn), peers without the plan's own family; with too few peer "
                     "regions, at least twice (info) or four times (warn) the region's own pre-plan pace; else above "
                     "the fastest same-length window of a full annual national series (info); else above the 90th "
                     "percentile of the other plans' paces of the indicator (else of its family, else of every "
                     "indicator measured the same way; new entries a year only among plans of the same level) over "
                     "similar windows (info); above a ceiling whose "
                     "window fits (alert)"),
    reason=reason, judge=judge, find=find, section="too_fast: yardsticks in order")
