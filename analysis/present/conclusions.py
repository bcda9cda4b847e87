"""The two or three sentences each page opens with: its conclusion, computed from the frames the page shows, in the
page's language. One function per notebook (the notebook only calls it) and one for the index; each returns Markdown
text (`markdown(...)` displays it in a notebook). Every number comes from the frames; nothing is typed here.
"""
from __future__ import annotations

import pandas as pd

from ..derive import backtest
from . import coverage, labels

PASSED_MET = ("achieved", "achieved_at_rounding")
NOT_OBSERVED = ("met_before_not_observed", "met_later_not_observed")
PACE = ("on_track", "acceleration_needed", "limited_progress", "deterioration")


def markdown(text: str):
    """`text` as a Markdown output of a notebook cell (the page shows it as a paragraph)."""
    from IPython.display import Markdown  # IPython: only inside a notebook
    return Markdown(text)


def _zh(language: str) -> bool:
    return labels.check_language(language) == "zh"


def _name(indicator_id: str, language: str) -> str:
    return labels.display_names([indicator_id], language).iloc[0]


def _join(items: list[str], language: str) -> str:
    if _zh(language):
        return "、".join(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# the word that leads every conclusion; a page shows the paragraph it leads first (html_page.hoist_conclusion)
LEADS = {"zh": "结论", "en": "In short"}


def _lead(language: str) -> str:
    return f"**{LEADS['zh']}**：" if _zh(language) else f"**{LEADS['en']}**: "


# ---------------------------------------------------------------- 01 targets overview
def overview(selected: pd.DataFrame, language: str = "zh") -> str:
    """The observations shown: how many documents, targets and actuals, over which years, and which document
    holds the most targets."""
    zh = _zh(language)
    if selected.empty:
        return _lead(language) + ("所选条件下没有任何观测值。" if zh else "no observation matches the parameters of this run.")
    targets, actuals = selected[selected["kind"] == "target"], selected[selected["kind"] == "actual"]
    n_docs, n_ind = selected["source_id"].nunique(), selected["indicator_id"].nunique()
    y0, y1 = int(selected["year"].min()), int(selected["year"].max())
    top = targets["source_id"].value_counts()
    if zh:
        text = (f"{n_docs} 份文件共给出 {len(targets)} 个目标值和 {len(actuals)} 个实际值，涉及 {n_ind} 个指标，"
                f"年份从 {y0} 年到 {y1} 年。")
        if len(top):
            text += f"目标最多的是 {top.index[0]}（{int(top.iloc[0])} 个）。"
        if len(targets):
            text += "每个数字都带有原文所在的行号和原句，可以逐一核对。"
    else:
        text = (f"{n_docs} document(s) give {len(targets)} target value(s) and {len(actuals)} actual value(s) on "
                f"{n_ind} indicator(s), from {y0} to {y1}.")
        if len(top):
            text += f" The most targets are in {top.index[0]} ({int(top.iloc[0])})."
        if len(targets):
            text += " Every number keeps the line and the sentence it was read from, so each can be checked."
    return _lead(language) + text


# ---------------------------------------------------------------- 02 growth trajectories
def growth(obs: pd.DataFrame, segments: pd.DataFrame, language: str = "zh") -> str:
    """The plan's implied growth: how many paths have two or more years, the fastest implied rate, and, when there
    is no path (a national outline states one year per indicator), why the page holds little."""
    zh = _zh(language)
    targets = obs[obs["kind"] == "target"]
    years = obs.groupby("indicator_id")["year"].nunique()
    paths = int((years >= 2).sum())
    single = int((years == 1).sum())
    if not paths:
        if zh:
            return _lead(language) + (f"该文件的 {len(targets)} 个目标各只有一个年份（{single} 个指标），没有基期值或"
                                      "其他年份可以连成路径，因此本页没有隐含增长率和图，只有下面的单年目标表。"
                                      "需要增长率时，可把这些目标与公开的实际值对比（“目标与实际”页面）。")
        return _lead(language) + (f"each of this document's {len(targets)} target(s) stands alone ({single} indicator(s), "
                                  "one year each): no baseline or other year makes a path, so this page has no implied "
                                  "growth and no chart, only the table of single-year targets below. Set against "
                                  "published actuals, they are judged on the target-versus-actual page.")
    steps = segments[segments["segment"] == "step"] if "segment" in segments.columns else segments
    rated = steps.dropna(subset=["growth"])
    text = (f"{paths} 个指标有两个或以上年份的数值，可以算出隐含增长；{single} 个指标只有单一年份。" if zh else
            f"{paths} indicator(s) have values for two or more years, so their implied growth is computed; {single} "
            "have a single year.")
    cagr = rated[rated["metric"] == "cagr"]
    if len(cagr):
        r = cagr.loc[cagr["growth"].idxmax()]
        name = _name(r["indicator_id"], language)
        text += (f"隐含年均增长最快的是{name}：{int(r['start_year'])}—{int(r['end_year'])} 年每年 {r['growth']:.1f}%。" if zh
                 else f" The fastest implied compound growth is {name}'s, {r['growth']:.1f} %/yr from "
                      f"{int(r['start_year'])} to {int(r['end_year'])}.")
    judged = int(segments["judged"].astype(str).eq("True").sum()) if "judged" in segments.columns else 0
    text += (f"{judged} 段增长有可比的参照（同类地区、全国序列或上限），其是否合理见“合理性标记”页面。" if zh else
             f" {judged} segment(s) have a yardstick (peers, a national series or a ceiling); whether they are "
             "plausible is on the plausibility page.")
    return _lead(language) + text


# ---------------------------------------------------------------- 03 plausibility flags
def flags(shown: pd.DataFrame, every: pd.DataFrame, segments: pd.DataFrame, min_severity: str | None,
          language: str = "zh") -> str:
    """How many flags the page shows (by severity and direction), how many fell below its min_severity, and of the
    steps that end in a target how many a yardstick that can bind judged, how many only the ceiling, how many none
    (analysis.present.coverage)."""
    zh = _zh(language)
    hidden = len(every) - len(shown)
    level = labels.value("severity", min_severity or "info", language)
    plans = coverage.counts(segments, every) if len(segments) else pd.DataFrame()
    total = plans.iloc[-1] if len(plans) else None          # the last row: every plan of the page
    steps = int(total["steps"]) if total is not None else 0
    ceiling, not_judged = (int(total[k]) for k in ("ceiling_only", "not_judged")) if steps else (0, 0)
    binding = steps - ceiling - not_judged
    if shown.empty:
        text = (f"在“{level}”及以上级别没有任何标记。" if zh else f"no flag at {level} or above.")
    else:
        counts = shown.groupby(["direction", "severity"]).size()
        parts = [f"{labels.value('direction', d, language)}·{labels.value('severity', s, language)} {n}" if zh else
                 f"{n} {labels.value('direction', d, language)} ({labels.value('severity', s, language)})"
                 for (d, s), n in counts.items()]
        paths = shown.groupby(["source_id", "indicator_id"]).ngroups
        text = (f"本页显示 {len(shown)} 个“{level}”及以上级别的标记，分布在 {paths} 条路径上（{_join(parts, language)}）。" if zh
                else f"this page shows {len(shown)} flag(s) at {level} or above, on {paths} path(s): "
                     f"{_join(parts, language)}.")
        worst = _order_by_severity(shown).iloc[0]
        if zh:
            text += (f"最严重的是{_name(worst['indicator_id'], language)}（{worst['source_id']}，"
                     f"{int(worst['start_year'])}—{int(worst['end_year'])} 年）。")
        else:
            text += (f" The most severe: {_name(worst['indicator_id'], language)} ({worst['source_id']}, "
                     f"{int(worst['start_year'])}–{int(worst['end_year'])}).")
    if hidden:
        text += (f"另有 {hidden} 个低于“{level}”的标记未显示。" if zh else f" {hidden} flag(s) below {level} are not shown.")
    text += (f"以目标结尾的 {steps} 个相邻两点中，{binding} 个按可约束的参照判断，{ceiling} 个只与上限比较，"
             f"{not_judged} 个未作判断（没有标记不等于合理）。" if zh else
             f" Of {steps} step(s) ending in a target, {binding} were judged against a yardstick that can bind, "
             f"{ceiling} against the ceiling only, and {not_judged} were not judged (no flag does not mean plausible).")
    return _lead(language) + text


def _order_by_severity(frame: pd.DataFrame) -> pd.DataFrame:
    rank = {"alert": 0, "warn": 1, "info": 2}
    return frame.assign(_r=frame["severity"].map(rank)).sort_values("_r", kind="stable").drop(columns="_r")


# ---------------------------------------------------------------- 04 target versus actual
def progress(prog: pd.DataFrame, n_unassessed: int, bt: pd.DataFrame, language: str = "zh",
             extra_file: str | None = None) -> str:
    """The plan's targets against their actuals: how many met, met with the target year unobserved, missed, without
    data; the largest miss; and what the pooled backtest can and cannot say."""
    zh = _zh(language)
    total = len(prog) + n_unassessed
    if prog.empty:
        return _lead(language) + (f"该文件的 {total} 个目标都没有可用的实际值，无法判断是否实现（原因见下表）。" if zh else
                                  f"none of this document's {total} target(s) has a usable actual, so none can be judged "
                                  "(the reasons are in the table below).")
    count = prog["status"].value_counts()
    met = int(count.reindex(PASSED_MET, fill_value=0).sum())
    unobserved = int(count.reindex(NOT_OBSERVED, fill_value=0).sum())
    late, missed, nodata = (int(count.get(s, 0)) for s in ("achieved_late", "missed", "no_data"))
    pace = int(count.reindex(PACE, fill_value=0).sum())
    if zh:
        text = (f"该文件 {total} 个目标中，{len(prog)} 个有可用的实际值：{met} 个在目标年份已实现"
                f"（其中 {int(count.get('achieved_at_rounding', 0))} 个按四舍五入），{unobserved} 个在目标年份前后达到"
                f"但目标年份本身没有数据，{late} 个逾期实现，{missed} 个未实现，{nodata} 个无数据"
                + (f"，{pace} 个尚未到期、按进度判断" if pace else "") + "。")
    else:
        text = (f"of this document's {total} target(s), {len(prog)} have a usable actual: {met} met in the target year "
                f"({int(count.get('achieved_at_rounding', 0))} at rounding), {unobserved} met before or after it with "
                f"the target year itself not observed, {late} achieved late, {missed} missed, {nodata} without data"
                + (f", {pace} not yet due and judged by pace" if pace else "") + ".")
    misses = prog[(prog["status"] == "missed") & prog["gap_pct"].notna()]
    if len(misses):
        r = misses.loc[misses["gap_pct"].idxmin()]
        text += (f"差距最大的是{_name(r['indicator_id'], language)} {int(r['target_year'])} 年的目标（实际值低 "
                 f"{abs(r['gap_pct']):.1f}%）。" if zh else
                 f" The largest miss is {_name(r['indicator_id'], language)} in {int(r['target_year'])} "
                 f"({abs(r['gap_pct']):.1f} % short).")
    if extra_file:
        text += (f"实际值包括研究者的文件 {extra_file}。" if zh else f" The actuals include the researcher's file {extra_file}.")
    numbers = backtest.caveat_numbers(bt)
    text += (f"合并所有文件的回测只有 {numbers['n']} 个结果已知的目标，不足以说明被标记的目标是否更常落空。" if zh else
             f" The backtest, pooled over every document, has only {numbers['n']} targets with a known outcome: too "
             "few to say whether flagged targets are missed more often.")
    return _lead(language) + text


# ---------------------------------------------------------------- the index
def index(records: list[dict], language: str = "zh") -> str:
    """The index page's opening: how many reports, over how many documents, and how many flags the plausibility
    reports show (plain text; the template escapes it)."""
    zh = _zh(language)
    sources = {(r.get("source") or {}).get("id") for r in records} - {None}
    flagged = [r for r in records if r.get("flag_counts")]
    if zh:
        text = f"共 {len(records)} 份报告，涵盖 {len(sources)} 份政策文件。"
        if flagged:
            text += "合理性报告显示的标记数见各行；被标记的目标是需要核查的线索，不是结论。"
        return text + "每份报告都可以单独打开，字体已嵌入，不加载任何外部资源。"
    text = f"{len(records)} report(s) on {len(sources)} policy document(s)."
    if flagged:
        text += " The plausibility reports' flag counts are on their rows; a flagged target is a lead to check, not a verdict."
    return text + " Each page opens alone: its font is embedded and nothing is loaded from outside."


# ---------------------------------------------------------------- 05 one indicator across plans
def indicator(p: dict, language: str = "zh") -> str:
    """One indicator across plans (`indicator_views.prepare`): how many plans at which levels target it, the range of
    its targets for the most common target year, and how many targets with a known actual were met."""
    zh = _zh(language)
    obs, prog = p["observations"], p["progress"]
    targets = obs[obs["kind"] == "target"]
    plans = targets["source_id"].nunique()
    levels = [labels.value("level", lv, language) for lv in dict.fromkeys(targets["level"].dropna())]
    text = (f"{plans} 份规划为该指标设定了 {len(targets)} 个目标（{_join(levels, language)}）。" if zh else
            f"{plans} plan(s) set {len(targets)} target(s) for this indicator ({_join(levels, language)}).")
    if len(targets):
        year = int(targets["year"].mode().iloc[0])
        same = targets[targets["year"] == year]["value"]
        text += (f"{year} 年的目标从 {same.min():g} 到 {same.max():g}（{len(same)} 个）。" if zh else
                 f" For {year} the targets run from {same.min():g} to {same.max():g} ({len(same)}).")
    known = prog[prog["status"].isin(["achieved", "achieved_at_rounding", "achieved_late", "missed"])]
    met = int(known["status"].isin(["achieved", "achieved_at_rounding"]).sum())
    text += (f"有已知结果的 {len(known)} 个目标中，{met} 个在目标年份实现。" if zh else
             f" Of the {len(known)} target(s) with a known outcome, {met} were met in the target year.")
    return _lead(language) + text
