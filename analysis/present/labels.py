"""Every word the reports show, in Chinese (`zh`, the default) and English (`en`): the one place for them.

- `t(key)`: labels of axes, legends and table headers (TEXT).
- `value(field, code)`: the code values of the frames (bounds eq/ge/…, kinds, statuses, metrics, rules,
  severities, directions, measures, models, source grades; VALUES). A code without a word falls back to
  itself (tests/test_labels.py checks that every code in data/processed/ has one).
- `unit(u)`, `growth_unit(u)`: canonical units and growth units.
- `narrative(key)`: the Markdown of the notebooks' headings and explanations (NARRATIVE), so that a zh
  page reads Chinese from its title to its footnotes.
- `flag_reason(row)`: a flag's reason in the page's language: flags.csv's `reason` or `reason_zh`, the same
  sentence which the rule writes in both languages from the same parts (analysis/derive/rules/).

Indicator names: one display name per indicator id (data/raw/indicators.csv, `display_zh`, `display_en`),
never the fragment a document happens to use in one sentence (`display_names`).
"""
from __future__ import annotations

import functools
import math
import re

import pandas as pd
from pandas import NA as _NA  # the missing value of nullable columns (boolean, Int64)

from ..core import units
from ..core.errors import InputError
from ..derive.rules import REGISTRY as RULES
from ..inputs.reference import load_regions
from ..inputs.vocab import load_indicators

LANGUAGES = ("zh", "en")


TEXT: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "year": ("年份", "Year"),
    "progress.planned_path": ("规划路径", "planned path"),
    "progress.actual": ("实际值", "actual"),
    "progress.parent_actual": ("上级地区实际值", "parent region, actual"),
    "progress.legend_actual": ("实际值（○ 公布为“超过”）", "actual (○ published as 'more than')"),
    "progress.legend_target": ("目标路径（◆ 达到、▲ 不低于、△ 超过、◇ 左右）",
                               "target path (◆ reach, ▲ at least, △ more than, ◇ about)"),
    "progress.pct_of_target": ("实际值占目标的百分比（100 % = 达到目标）", "actual as % of target (100 % = target reached)"),
    "actual": ("实际值", "actual"),
    "target": ("目标值", "target"),
    "bound.eq": ("目标", "target"),
    "bound.ge": ("目标：不低于 ▲", "target: at least ▲"),
    "bound.gt": ("目标：超过 △", "target: more than △"),
    "bound.le": ("目标：不超过 ▼（名次：此名次或更前）", "target: at most ▼ (a rank: this place or better)"),
    "bound.lt": ("目标：低于 ▽", "target: less than ▽"),
    "bound.approx": ("目标：左右 ◇", "target: about ◇"),
    "bound.range": ("目标：区间 ┃", "target: range ┃"),
    "fit": ("拟合趋势", "fitted trend"),
    "fit.band": ("90% 预测区间", "90% prediction interval"),
    "plan": ("规划路径", "plan path"),
    "plan.bounds": ("规划约束允许的范围", "range the plan's bounds allow"),
    "model.plan": ("规划路径（逐段插值）", "plan path (piecewise)"),
    "model.exponential": ("指数", "exponential"),
    "model.linear": ("线性", "linear"),
    "model.logistic": ("逻辑斯蒂", "logistic"),
    "coverage.note": ("数字：当年有数值的指标个数", "numbers: indicators with a value in that year"),
    "no_data": ("暂无数据", "no data"),
    "source": ("来源", "source"),
    "source_id": ("来源编号", "source id"),
    "region": ("地区", "region"),
    "title": ("文件名称", "title"),
    "issuer": ("发文机关", "issuer"),
    "date": ("日期", "date"),
    "indicator": ("指标", "indicator"),
    "indicator_id": ("指标编号", "indicator id"),
    "n_indicators": ("指标数", "indicators"),
    "n_actuals": ("实际值个数", "actual values"),
    "n_targets": ("目标值个数", "target values"),
    "actual_years": ("实际值年份", "years of actuals"),
    "target_years": ("目标年份", "target years"),
    "unit": ("单位", "unit"),
    "measure": ("类型", "measure"),
    "value": ("数值", "value"),
    "value_published": ("原文数值", "value as published"),
    "unit_published": ("原文单位", "unit as published"),
    "name_published": ("原文名称", "name as published"),
    "kind": ("实际/目标", "kind"),
    "bound": ("约束", "bound"),
    "value_low": ("区间下限", "range low"),
    "line": ("行号", "line"),
    "quote": ("原文", "quote"),
    "segment": ("区段", "segment"),
    "segment.step": ("相邻两点", "step"),
    "segment.overall": ("首末两点", "overall"),
    "segment.stated": ("文件所述增长率", "rate stated"),
    "note": ("说明", "note"),
    "period": ("起止年份", "period"),
    "start_value": ("起点值", "start value"),
    "end_value": ("终点值", "end value"),
    "metric": ("增长口径", "metric"),
    "growth": ("隐含年均增长", "implied annual growth"),
    "growth_unit": ("增长单位", "growth unit"),
    "growth_band": ("约束隐含区间", "band implied by bounds"),
    "model": ("模型", "model"),
    "annual_growth": ("拟合年均增长", "fitted annual growth"),
    "growth_ci": ("90% 区间", "90% interval"),
    "n_points": ("点数", "points"),
    "rule": ("规则", "rule"),
    "severity": ("严重程度", "severity"),
    "direction": ("方向", "direction"),
    "threshold": ("阈值", "threshold"),
    "reference": ("依据", "reference"),
    "reason": ("理由", "reason"),
    "yardstick": ("参照", "yardstick"),
    "grade": ("来源等级", "source grade"),
    "robust": ("稳健性", "robustness"),
    "margin": ("超出幅度", "margin"),
    "peer": ("同类比较", "peers"),
    "peer_percentile": ("同类百分位", "peer percentile"),
    "outcome": ("结果", "outcome"),
    "target_year": ("目标年份", "target year"),
    "level": ("层级", "level"),
    "actual_year": ("实际值年份", "year of the actual"),
    "status": ("状态", "status"),
    "worst_severity": ("路径上最严重的标记", "worst flag on the path"),
    "path": ("路径上的标记（方向 · 最严重）", "flags on the path (direction · worst)"),
    "n_flags": ("标记数", "flags"),
    "rules": ("规则", "rules"),
    "directions": ("方向", "directions"),
    "rate": ("年均速度", "annual rate"),
    "name": ("参数名（覆盖阈值时使用）", "parameter"),
    "source_url": ("出处", "source"),
    "count": ("个数", "count"),
    "overridden": ("已覆盖，默认", "overridden, default"),
    "range": ("允许范围", "accepted range"),
    "label": ("含义", "what it is"),
    "justification": ("选取理由", "why"),
    "reference_band": ("参考区间", "reference band"),
    "zone": ("参考区", "zone"),
    "scale.symlog": ("对数刻度", "log scale"),
    "flagged": ("被标记", "flagged"),
    "not_flagged": ("未标记", "not flagged"),
    "floor": ("下限（▶ 目标为“不低于/超过”，增长可更高）", "floor (▶ target is 'at least'/'more than': growth may be higher)"),
    "band": ("约束允许的区间", "band the bounds allow"),
    "severity.info": ("提示", "info"),
    "severity.warn": ("警告", "warn"),
    "severity.alert": ("严重", "alert"),
    "metric.cagr": ("年均复合增长率", "compound annual growth"),
    "metric.pp_per_year": ("每年百分点变化", "percentage points per year"),
    "metric.new_per_year": ("每年新增", "new per year"),
    # page furniture (analysis/reports/templates/report_header.html.j2, index.html.j2)
    "page.back": ("← 返回报告索引", "← back to the index of reports"),
    "page.contents": ("目录", "Contents"),
    "page.howto": ("如何阅读本页", "How to read this page"),
    "page.notebook": ("笔记本", "notebook"),
    "page.parameters": ("参数", "parameters"),
    "page.defaults": ("笔记本默认值", "defaults of the notebook"),
    "page.run": ("运行", "run"),
    "page.commit": ("提交", "commit"),
    "page.data": ("数据版本", "data"),
    "page.seconds": ("秒", "s"),
    "single_year": ("仅有一个年份的指标", "indicators with a single year"),
    "years": ("年份", "years"),
    "publisher": ("发布者", "publisher"),
    "address": ("网址", "address"),
    "publisher_address": ("发布者原址", "publisher's own address"),
    # the coverage table and the status of every target segment (analysis/present/coverage.py)
    "coverage.all": ("全部规划", "all plans"),
    "coverage.target_segments": ("以目标结尾的路段", "segments ending in a target"),
    "coverage.steps": ("其中相邻两点", "of which steps"),
    "coverage.judged_by": ("按{}判断", "judged: {}"),
    "coverage.other_yardstick": ("其他参照 {}", "other yardstick {}"),
    "coverage.ceiling_only": ("仅按上限判断（实际上无法约束）", "judged against the ceiling only (cannot bind in practice)"),
    "coverage.not_judged": ("未判断", "not judged"),
    "coverage.binding_pct": ("可约束的判断占相邻两点（%）", "judged by a yardstick that can bind (% of steps)"),
    "coverage.flagged": ("已标记", "flagged"),
    "coverage.plausible": ("已判断：合理", "judged plausible"),
    "coverage.why": ("未判断的原因（个数）", "why not judged (count)"),
}

# code values of the frames → (zh, en); `value(field, code)`
VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "bound": {"eq": ("等于", "exactly"), "ge": ("不低于", "at least"), "gt": ("超过", "more than"),
              "le": ("不超过", "at most"), "lt": ("低于", "less than"),
              "approx": ("左右", "about"), "range": ("区间", "range")},
    "kind": {"actual": ("实际值", "actual"), "target": ("目标值", "target")},
    "level": {"country": ("全国", "nation"), "province": ("省级", "province"), "city": ("市级", "city"),
              "district": ("区县级", "district or county")},
    "status": {
        "achieved": ("已实现", "achieved"),
        "achieved_at_rounding": ("按四舍五入实现", "achieved at rounding"),
        "met_before_not_observed": ("目标年前已达到，目标年份无数据", "met before the target year, not observed at it"),
        "met_later_not_observed": ("目标年后达到，目标年份未知", "met later, the target year unknown"),
        "achieved_late": ("逾期实现", "achieved late"),
        "missed": ("未实现", "missed"),
        "no_data": ("无数据", "no data"),
        "not_assessable": ("无法评估", "not assessable"),
        "on_track": ("进度正常", "on track"),
        "acceleration_needed": ("有进展，需加快", "progress, acceleration needed"),
        "limited_progress": ("进展有限", "limited progress"),
        "deterioration": ("倒退", "deterioration"),
    },
    "metric": {"cagr": ("年均复合增长率", "compound annual growth"),
               "pp_per_year": ("每年百分点变化", "percentage points per year"),
               "new_per_year": ("每年新增", "new per year"), "none": ("无年率", "no annual rate"),
               "change_per_year": ("每年变化", "change per year"),
               "places_per_year": ("每年名次变化（负数为上升）", "places per year (negative: moving up)"),
               # the figures rules other than the pace rules judge (flag_frame's metric in analysis/derive/rules/)
               "ratio": ("倍数", "ratio"), "value": ("数值", "value"), "share": ("比重", "share"),
               "new_entries": ("新增数", "new entries"),
               **{m: (w.zh, w.en) for r in RULES for m, w in r.metrics.items()}},   # a rule's own metrics
    "rule": {r.name: (r.label.zh, r.label.en) for r in RULES},     # each rule's module: analysis/derive/rules/
    "severity": {"info": ("提示", "info"), "warn": ("警告", "warn"), "alert": ("严重", "alert")},
    "direction": {"too_fast": ("过快", "too fast"), "too_slow": ("过慢", "too slow"),
                  "inconsistent": ("不一致", "inconsistent"), "impossible": ("不可能", "impossible")},
    "measure": {"share": ("比重", "share"), "level": ("总量", "level"), "count_stock": ("存量（个数）", "count (stock)"),
                "count_flow": ("流量（个数）", "count (flow)"), "growth_rate": ("增长率", "growth rate"),
                "rank": ("名次", "rank")},
    "segment": {"step": ("相邻两点", "step"), "overall": ("首末两点", "overall"), "stated": ("文件所述增长率", "rate stated")},
    "model": {"plan": ("规划路径（逐段插值）", "plan path (piecewise)"), "exponential": ("指数", "exponential"),
              "linear": ("线性", "linear"), "logistic": ("逻辑斯蒂", "logistic")},
    "robust": {"robust": ("稳健", "robust"), "knife_edge": ("临界", "knife-edge")},   # explained in NARRATIVE flags.table
    # how trustworthy the page a cited figure was read from is (analysis.core.grades)
    "grade": {"official_bulletin": ("官方公报", "official bulletin"),
              "official_repost": ("官方公报转载", "official repost"),
              "newspaper": ("新闻报道", "newspaper"),
              "secondary": ("二手汇编", "secondary compilation"),
              "document": ("政策文件原文", "the policy document itself")},
    "judged": {True: ("已判断", "judged"), False: ("未判断", "not judged")},
    "yes_no": {True: ("是", "yes"), False: ("否", "no")},
    # where an actual comes from (analysis.inputs.actuals.ORIGINS)
    "origin": {"researcher": ("研究者文件", "researcher's file"), "published": ("公开统计", "published statistics"),
               "document": ("文件自身", "the document itself")},
    # the yardsticks a too_fast flag names in flags.csv `threshold_name` besides the parameters of thresholds.yml
    "yardstick": {"peer_max": ("同类地区最快的同长度窗口", "the fastest peer window"),
                  "peer_info_percentile": ("同类地区同长度窗口的高百分位", "the peer windows' info percentile"),
                  "national_series": ("全国同一序列的最快窗口", "the fastest national window of the series"),
                  # what a segment's pace was judged against (segments.csv, flags.csv `yardstick`: schema.YARDSTICKS)
                  "peers": ("同类地区", "peers"), "peers (proxy)": ("同类地区（代理序列）", "peers (proxy series)"),
                  "national": ("全国序列", "national series"), "ceiling only": ("仅上限", "ceiling only"),
                  "own history": ("本地区规划前速度", "own pre-plan pace"),
                  "ambition (indicator)": ("其他规划同一指标的速度", "other plans' paces of the indicator"),
                  "ambition (family)": ("其他规划同类指标的速度", "other plans' paces of the indicator family"),
                  "ambition (all indicators)": ("其他规划所有同类衡量指标的速度",
                                                "other plans' paces of every indicator measured the same way"),
                  "ambition_info_percentile": ("其他规划速度的高百分位", "the other plans' paces' info percentile"),
                  "provinces (lower grade)": ("其他省份（较弱尺度）", "other provinces (lower grade)"),
                  "province_max": ("其他省份最快的同长度窗口", "the fastest window of the other provinces"),
                  "own_history_ratio_info": ("本地区规划前速度的两倍", "twice the own pre-plan pace"),
                  "own_history_ratio_warn": ("本地区规划前速度的四倍", "four times the own pre-plan pace")},
    # a target segment's status on the flags pages (analysis/present/coverage.py)
    "segment_status": {"flagged": ("已标记", "flagged"),
                       "flagged_below": ("已标记（严重程度低于本页显示的级别）", "flagged (below the severity this page shows)"),
                       "judged": ("已判断：合理", "judged plausible"),
                       "ceiling_only": ("只与上限比较：未超过（上限实际上无法约束）",
                                        "against the ceiling only: not above it (a ceiling cannot bind in practice)"),
                       "not_judged": ("未判断", "not judged")},
    # why a segment was not judged, by kind (analysis/present/coverage.py: JUDGEMENT_REASON_KINDS finds the kind)
    "not_judged": {"overall": ("首末两点：由其相邻两点判断", "first to last: judged by its steps"),
                   "stated": ("文件所述增长率：与其水平路径对比", "a stated rate: compared with its level path"),
                   "history": ("历史：两端都是实际值", "history: both ends are actuals"),
                   "no_rate": ("无年率", "no annual rate"),
                   "small_base": ("基数过小，只能与上限比较，而上限的窗口不适用", "base too small, and no ceiling fits"),
                   "no_yardstick": ("没有适用的参照：同类窗口太少、无全国序列、其他规划太少、无适用的上限",
                                    "no yardstick reaches it: too few peer windows, no national series, too few other "
                                    "plans, no ceiling that fits"),
                   "other": ("其他原因（见 segments.csv）", "another reason (see segments.csv)")},
    # the notes analysis.derive.growth writes into segments.csv
    "segment_note": {
        "actual and target for the same year: no annual rate": ("同一年份的实际值和目标值：无年率",
                                                                "actual and target for the same year: no annual rate"),
        "a target stated as a growth rate (compared with its level path in flags)": (
            "以增长率表述的目标（在合理性标记中与其水平路径对比）",
            "a target stated as a growth rate (compared with its level path in flags)"),
        "a rank: compared in places (lower is better), never as a growth rate": (
            "名次：按名次比较（越小越好），不按增长率计算", "a rank: compared in places (lower is better), never as a growth rate"),
    },
}

# growth units of segments.csv / trajectories.csv
GROWTH_UNIT_WORDS = {"%/yr": ("%/年", "%/yr"), "pp/yr": ("百分点/年", "pp/yr"), "places/yr": ("名次/年", "places/yr"),
                "logit/yr": ("对数几率/年（逻辑斯蒂拟合的斜率）", "log-odds/yr (slope of the logistic fit)"),
                # units of threshold parameters (thresholds.yml)
                "count": ("个", "count"), "ratio": ("比值", "ratio"), "years": ("年", "years"),
                "windows": ("个窗口", "windows"), "regions": ("个地区", "regions"), "plans": ("个规划", "plans"),
                "percentile": ("百分位", "percentile"), "%": ("%", "%"),
                "cagr_percent": ("%/年", "%/yr"), "pp_per_year": ("百分点/年", "pp/yr")}

# the regions of data/raw/reference/growth_references.csv (written in English there) in Chinese
REFERENCE_REGIONS_ZH = {
    "South Korea": "韩国", "Israel": "以色列", "Czechia": "捷克", "European Union (WDI aggregate)": "欧盟（WDI 汇总）",
    "China (WDI series)": "中国（WDI 序列）", "Belgium": "比利时", "Slovenia": "斯洛文尼亚", "Estonia": "爱沙尼亚",
    "All countries in WDI file (excl. aggregates and UK)": "WDI 文件中的所有国家（不含汇总项和英国）",
    "China (national, NBS)": "中国（全国，国家统计局）", "China (national, plan target)": "中国（全国，规划目标）",
    "China (national)": "中国（全国）", "Guangdong province": "广东省", "Guangdong province (plan target)": "广东省（规划目标）",
    "China (national, CNIPA/SIPO)": "中国（全国，国家知识产权局）", "China": "中国",
}


def reference_region(region, language: str = "zh") -> str:
    """A region of growth_references.csv in `language` (unknown ones stay as written; tests/test_labels.py checks
    that every region of the file has its Chinese)."""
    if check_language(language) == "en" or not isinstance(region, str):
        return region
    return REFERENCE_REGIONS_ZH.get(region, region)


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InputError(f"parameter 'language' is {language!r}; expected one of {LANGUAGES}")
    return language


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[0] if check_language(language) == "zh" else pair[1]


def t(key: str, language: str = "zh") -> str:
    """The label `key` in `language`; an unknown key is a KeyError naming it (a programming error)."""
    return _pick(TEXT[key], language)


def value(field: str, code, language: str = "zh") -> str:
    """A code value of column `field` in words: value("bound", "ge", "zh") → '不低于'. Blank for a missing
    value; a code without words stays as it is."""
    if code is None or code is _NA or (isinstance(code, float) and math.isnan(code)):
        return ""
    pair = VALUES.get(field, {}).get(code)
    if pair is None and isinstance(code, str):
        pair = VALUES.get(field, {}).get({"true": True, "false": False}.get(code.lower(), code))
    return _pick(pair, language) if pair else str(code)


def unit(u: str, language: str = "zh") -> str:
    """A canonical unit as an axis shows it: '亿元' in zh, '100 million yuan' in en, '家' → 'firms/institutions'."""
    if check_language(language) == "zh" or not isinstance(u, str):
        return u
    return _units_en().get(u, u)


def growth_unit(u: str, language: str = "zh") -> str:
    """'%/yr' → '%/年', 'pp/yr' → '百分点/年', 'logit/yr' explained; English as given."""
    if not isinstance(u, str):
        return u
    if u in GROWTH_UNIT_WORDS:
        return _pick(GROWTH_UNIT_WORDS[u], language)
    if check_language(language) == "en":
        return u
    return u.replace("pp/", "百分点/").replace("per yr", "/年").replace("/yr", "/年")


def name_column(language: str) -> str:
    """Column of the vocabulary (data/raw/indicators.csv) with the indicator's display name in `language`."""
    return "display_zh" if check_language(language) == "zh" else "display_en"


def region_column(language: str) -> str:
    return "region" if check_language(language) == "zh" else "region_en"


def display_name(indicator_id: str, language: str = "zh") -> str:
    """The display name of one indicator id (data/raw/indicators.csv `display_zh`/`display_en`)."""
    return str(display_names([indicator_id], language).iloc[0])


def display_names(indicator_ids, language: str = "zh"):
    """The display name of each indicator id (a pandas Series aligned with `indicator_ids`)."""


    ids = pd.Series(indicator_ids) if not isinstance(indicator_ids, pd.Series) else indicator_ids
    return ids.map(load_indicators()[name_column(language)])


def flag_reason(row, language: str = "zh") -> str:
    """The reason of one flag (a mapping or namedtuple with the columns of flags.csv) in `language`: `reason_zh`,
    or `reason` with the Chinese names it carries in English."""
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    if check_language(language) == "en":
        return english_names(get("reason", "") or "")
    return get("reason_zh", "") or ""


# ------------------------------------------------------------------------------------------------
# why a segment was not judged, in Chinese (analysis/derive/paces.py writes segments.csv `not_judged_because` in
# English: one sentence, or "not judged: " and pieces joined by "; "). A piece without a template makes the whole
# reason untranslated: a zh page then shows the words of its kind (VALUES["not_judged"], analysis/present/coverage.py).
# ------------------------------------------------------------------------------------------------
# (the English with {slots}, the Chinese); a slot's pattern and its Chinese (None: the reason does not translate)
JUDGEMENT_REASONS: tuple[tuple[str, str], ...] = (
    ("the first-to-last segment repeats its steps, which are judged", "首末两点的路段重复其相邻两点的路段，后者已判断"),
    ("a stated growth rate: compared with its level path (rate_vs_levels)", "文件所述增长率：与其水平路径对比"),
    ("history: both ends are actuals", "历史：两端都是实际值"),
    ("no annual rate ({note})", "无年率（{note}）"),
    ("no annual rate", "无年率"),
    ("a count starting below {value} is judged only against the ceiling", "起点低于 {value} 的计数只与上限比较"),
    ("{value} peer windows of {n} year (fewer than {m})", "{n} 年的同类地区窗口只有 {value} 个（少于 {m} 个）"),
    ("{value} peer windows of {n} years (fewer than {m})", "{n} 年的同类地区窗口只有 {value} 个（少于 {m} 个）"),
    ("the plan's region is not in regions.csv", "规划所在地区不在 regions.csv 中"),
    ("no national series of ≤ {n} year for {indicator_id}", "“{indicator_id}”没有不长于 {n} 年的全国序列"),
    ("no national series of ≤ {n} years for {indicator_id}", "“{indicator_id}”没有不长于 {n} 年的全国序列"),
    ("no ceiling for a {n}-year window", "没有适用于 {n} 年窗口的上限"),
    ("the ceiling {parameter} was measured over {n} years, longer than this {m}-year segment",
     "上限的窗口为 {n} 年，长于本路段的 {m} 年"),
)
_REASON_SLOTS = {
    "value": (r"-?[0-9.,]+", str), "n": (r"\d+", str), "m": (r"\d+", str), "parameter": (r"[a-z0-9_]+", str),
    "indicator_id": (r"[a-z0-9_]+", lambda v: load_indicators()["display_zh"].get(v)),
    "note": (r".+", lambda v: (VALUES["segment_note"].get(v) or (None,))[0]),
}
NOT_JUDGED_PREFIX = "not judged: "


def _reason_piece(text: str) -> str | None:
    """One piece of a reason by the first template of JUDGEMENT_REASONS it matches in full, else None."""
    for en, zh in JUDGEMENT_REASONS:
        parts = re.split(r"\{(\w+)\}", en)
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>{_REASON_SLOTS[p][0]})" for i, p in enumerate(parts))
        m = re.fullmatch(pattern, text)
        if m:
            words = {k: _REASON_SLOTS[k][1](v) for k, v in m.groupdict().items()}
            return None if None in words.values() else zh.format(**words)
    return None


def judgement_reason(text, language: str = "zh") -> str | None:
    """Why a segment was not judged (segments.csv `not_judged_because`) in `language`: English as written; Chinese
    piece by piece from JUDGEMENT_REASONS, None when a piece has no template (the caller shows its kind instead)."""
    if check_language(language) == "en" or not isinstance(text, str):
        return text
    body = text[len(NOT_JUDGED_PREFIX):] if text.startswith(NOT_JUDGED_PREFIX) else text
    pieces = [_reason_piece(p) for p in body.split("; ")]
    return None if None in pieces else "；".join(pieces)


def _units_en() -> dict[str, str]:
    """Every canonical unit in English (data/raw/units.yml `canonical`: '家' → 'firms/institutions')."""
    return {u: en for u, (en, _) in units.units().canonical.items()}


@functools.lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:

    regions = load_regions()
    return dict(zip(regions["region"], regions["region_en"]))


def region(name, language: str = "zh") -> str:
    """A region of the documents (data/raw/reference/regions.csv) in `language`: 广州市 → Guangzhou in en."""
    if check_language(language) == "zh" or not isinstance(name, str):
        return name
    return _region_names().get(name, name)


def english_names(text: str) -> str:
    """An English sentence of the data (a flag's reason, a progress note) with the Chinese names it carries in
    English: regions (data/raw/reference/regions.csv: 广州市 → Guangzhou) and units after a number (95 家 → 95
    firms/institutions)."""
    if not isinstance(text, str) or not re.search(r"[\u3400-\u9fff]", text):
        return text
    for zh, en in sorted(_region_names().items(), key=lambda kv: -len(kv[0])):
        text = text.replace(zh, en)
    names = _units_en()
    units = "|".join(sorted((re.escape(u) for u in names if re.search(r"[\u3400-\u9fff]", u)), key=len, reverse=True))
    return re.sub(rf"(\d) ?({units})(?![\u3400-\u9fff])", lambda m: f"{m.group(1)} {names[m.group(2)]}", text)


# ------------------------------------------------------------------------------------------------
# the notebooks' narrative (Markdown), shown with analysis.views.text(key, language)
# ------------------------------------------------------------------------------------------------
NARRATIVE: dict[str, tuple[str, str]] = {
    # ---- 01 targets overview
    "overview.title": ("""# 目标总览

本套件中的每一份政策文件：地区、日期、设定目标的指标及覆盖的年份，以及整理后的数据表本身
（`data/processed/observations.csv`），按下方参数筛选。

每个数字都由该文件的提取规则（`data/raw/specs/`）从原文读出，保留所在行号和原句；数值换算为统一单位
（1.14 万家 → 11,400 家），原文的数值和单位并列显示。""",
                       """# Targets overview

Every source document of the suite with its region and date, the indicators it sets targets for and
the years it covers, then the tidy frame itself (`data/processed/observations.csv`), filtered by the
parameters of this run.

Each number was read from its document by the document's extraction spec (`data/raw/specs/`) and
keeps the line and the exact sentence it came from; values are in a canonical unit (1.14 万家 →
11,400 firms), with the value and unit as published beside them."""),
    "overview.sources": ("""## 政策文件

每份登记的文件一行（`data/raw/sources.yml`）：地区、日期、标题，从中读出的指标数、实际值个数和目标值个数，
以及各自的年份。""",
                         """## Sources

One row per registered document (`data/raw/sources.yml`): its region, date and title (as published, in
Chinese), how many indicators, actual values and target values were read from it, and the years of each."""),
    "overview.coverage": ("""## 覆盖年份

每份文件一行：● 表示该年有实际值（通常是基期），◆ 表示目标年份。标记上方的数字是当年有数值的指标个数。""",
                          """## Years covered

One row per source: ● marks a year with actual values (usually the baseline), ◆ a target year. The
number above a mark counts the indicators with a value in that year."""),
    "overview.indicators": ("""## 指标及其年份

每份文件的每个指标一行：指标名称、统一单位，以及有实际值和有目标值的年份。""",
                            """## Indicators and their years

One row per source and indicator: the indicator's name, its canonical unit, and the years with an
actual value and with a target."""),
    "overview.frame": ("""## 整理后的数据表

每个公布的数字一行。“约束”说明目标的表述方式：等于；不低于（以上、不少于）；超过（超过、突破）；
左右（左右、近）；区间（1~2，数值为上限，下限列在旁边）。“原文名称”是文件在该句中对指标的称呼，
“行号”和“原文”指明数字在文件中的位置。""",
                       """## The tidy frame

One row per published number. `bound` says how a target is stated: exactly; at least (以上, 不少于);
more than (超过, 突破); about (左右, 近); a range (1~2: the value is its upper end, the lower end is beside
it). `name as published` is what the document calls the indicator in that sentence (Chinese); `line`
and `quote` locate the number in its document."""),
    # ---- 02 growth trajectories
    "indicator.title": ("""# 同一指标的各级规划

一个指标在所有规划文件中的数值：按层级（全国 → 省 → 市 → 区县）和文件日期排列的目标与实际值，
各文件目标隐含的年均增长（名次按名次变化计算，不按增长率），以及已有实际值的目标的完成情况。""",
                        """# One indicator across plans

One indicator in every plan that states it: the targets and actuals by level (nation → province → city →
district or county) and by the plan's date, the annual growth each plan's targets imply (a rank in places, never as
a growth rate), and the outcome of the targets whose actual is known."""),
    "indicator.targets": ("## 各文件的数值", "## Every plan's numbers"),
    "indicator.growth": ("## 隐含的年均增长", "## Implied annual growth"),
    "indicator.outcomes": ("## 完成情况（已知实际值）", "## Outcomes (where the actual is known)"),
    "growth.title": ("""# 增长路径

一份政策文件的每个指标：基期实际值（●）和目标，目标按其表述画出（◆ 等于，▲ 不低于，△ 超过，◇ 左右，
竖线为区间），穿过所述各点的规划路径，以及每一段隐含的年均增长及单位。

以增长率表述的目标（年均增长……%）没有自己的路径，列在增长表中。""",
                     """# Growth trajectories

For one source document: per indicator, the baseline actuals (●) and the targets, each drawn as the
bound it states (◆ exactly, ▲ at least, △ more than, ◇ about, a vertical bar for a range), the plan path
through the stated points, and the annual growth each step implies, with its unit.

A target stated as a growth rate (年均增长…%) has no path of its own; it is in the growth table."""),
    "growth.paths": ("""## 路径

有两个以上年份的指标每个一幅小图；纵轴为指标的统一单位，从零开始（不夸大增长），计数指标用整数刻度。
虚线是规划路径：穿过所述各点的逐段插值（总量和计数在每段内按固定复合增长，比重按固定百分点）；
斜线阴影是目标约束允许的范围（左右、区间；比重的“不低于”至 100%），只有下限的目标没有上端。
规划是一组有意设定的数字而不是样本，因此没有统计区间。只有四个以上实际值年份的路径才有拟合趋势
（总量和计数用指数，比重用线性，50% 以上另加逻辑斯蒂）及其 90% 预测区间（阴影）。超出顶部的区间在顶部截断。""",
                     """## Paths

One panel per indicator with two or more years; the y axis is in the indicator's canonical unit and
starts at zero (growth is not exaggerated), counts have whole-number ticks. The dashed line is the plan
path: the piecewise interpolation through the stated points (constant compound growth within each step
for levels and counts, constant percentage points for shares); hatching shows the range the targets'
bounds allow (about, range; a share's "at least" up to 100 %), an open floor has no top. A plan is a set
of deliberate numbers, not a sample, so it has no statistical band. Only a path with four or more actual
years gets a fitted trend (exponential for levels and counts, linear for shares, logistic as well from
50 %) with its 90 % prediction interval (shaded). An interval that runs off the top is cut there."""),
    "growth.single": ("""## 只有一个年份的指标

只在一个年份有数值的指标（例如只有一个目标、没有基期）画不出路径，在此列成一张表。""",
                      """## Indicators with a single year

An indicator with a value in one year only (a target without a baseline, say) has no path to draw;
these are listed in one table."""),
    "growth.implied": ("""## 隐含年均增长

相邻两点之间每段一行，另加首末两点一行。年均复合增长率：每年百分比（总量和计数）；每年百分点变化：比重。
当约束（不低于、左右、区间）使终点值不确定时，给出该约束允许的增长区间；“≥”表示只有下限。""",
                       """## Implied annual growth

One row per step between consecutive points and one for first → last. Compound annual growth: % per
year (levels and counts); percentage points per year: shares. Where a bound (at least, about, range)
leaves the end value open, the band of growth it allows is given; "≥" means a floor with no ceiling."""),
    "growth.fits": ("""## 规划路径与拟合趋势

规划路径首末两点的年均增长，以及拟合趋势（四个以上实际值）的年均增长及其 90% 区间和所依据的点数。
逻辑斯蒂模型的增长以“对数几率/年”表示：比重 p 的 ln(p/(100−p)) 每年的变化，不是百分比。""",
                    """## Plan paths and fitted trends

The plan path's first → last annual growth, and for fitted trends (four or more actuals) the annual
growth with its 90 % interval; with the number of points each rests on. The logistic model's growth is
in log-odds per year: the yearly change of ln(p/(100 − p)) for a share p, not a percentage."""),
    # ---- 03 plausibility flags
    "flags.title": ("""# 合理性标记

每个目标隐含的年均增长与参考速度对比：同级可比地区同一指标、同样年数的已实现增长（同行窗口），
同行窗口太少时用不长于该段的全国最快速度，以及有记录以来的最快速度（上限）。隐含增长高于同行窗口的
高分位数为“提示”，高于所有同行窗口为“警告”（同行太少时全国参考只给“提示”），超过上限为“严重”；
每个标记注明参照、窗口和倍数（见下方阈值表）。其他规则标记低于基期值的目标、超过 100% 的比重、
下降的存量，以及大于整体的部分。

阈值是数据（`data/raw/reference/thresholds.yml`，每个都基于 `growth_references.csv` 中有出处的一行）；
参数 `thresholds` 可在本次运行中覆盖任何阈值，生效的阈值列在标记之后。""",
                    """# Plausibility flags

The annual growth each target implies, set against realised paces: the same indicator in comparable
regions at the plan's level over windows of the same number of years (peer windows); with too few peers,
the fastest national window no longer than the step; and the fastest pace on record (a ceiling). A target
above a high percentile of its peer windows is *info*, above every peer window *warn* (a national
fallback gives *info* only), beyond the ceiling *alert*; each flag names its yardstick, window and margin
(thresholds in the table below). Other rules flag targets below their baseline, shares above 100 %,
stocks that fall, and parts that exceed their whole.

The thresholds are data (`data/raw/reference/thresholds.yml`, each resting on a cited row of
`growth_references.csv`); the parameter `thresholds` overrides any of them for this run, and the
thresholds in force are listed below the flags."""),
    "flags.counts": ("""## 标记数量

本页所含标记按严重程度计数。""", """## Number of flags

The flags of this page by severity."""),
    "flags.zones": ("""## 隐含增长与参考区

每个以目标结尾的区段一行。阴影区从该指标的“提示”“警告”“严重”阈值开始；点的颜色为其标记的严重程度
（任何严重程度，不论表格中 `min_severity` 显示哪些）。目标为“不低于/超过”时，点是增长的下限，▶ 表示
增长可以更高；只有两端都确定的区间才画成横线。横轴为对数刻度（零附近为线性）。""",
                    """## Implied growth against the reference zones

One row per step that ends in a target. The shaded zones start at the indicator's info, warn and alert
thresholds; a point is coloured by the severity of its flag (of any severity, whatever `min_severity`
shows in the table). Where the target is "at least"/"more than", the point is a floor and ▶ says the
growth may be higher; only a band with two definite ends is drawn as a line. Log-like axis (linear near zero)."""),
    "flags.table": ("""## 标记

最严重的在前。“数值”是隐含增长（或规则所判断的数字），“阈值”是判断的标准，“依据”是阈值的出处及其来源等级；
“理由”用一句话说明。“稳健性”为“临界”时，判断取决于取整或口径（超出阈值不足 `robust_min_margin_pct`，
或换一把相邻的尺子就不再被标记）。""",
                    """## Flags

Most severe first. `value` is the implied growth (or the figure the rule judged), `threshold` what it
was judged against, `reference` where that threshold comes from, with the grade of its source;
`reason` says it in one sentence. A *knife-edge* `robustness` means the judgement depends on rounding or
definitions (the threshold is cleared by less than `robust_min_margin_pct`, or a neighbouring yardstick would not
flag it)."""),
    "flags.coverage": ("""## 覆盖情况：哪些目标被判断，用什么参照

每份规划一行（多份规划时最后一行为合计）：以目标结尾的路段数，其中相邻两点的路段数；这些相邻两点各按哪一种参照
判断（同类地区、全国序列等，每种参照一列）；只与上限比较的路段单独计数，因为上限是有记录以来的最快速度，实际上
无法约束；未判断的路段数及原因。“可约束的判断占相邻两点（%）”是按上限以外的参照判断的相邻两点所占的百分比。没有标记不等于
合理：只有被判断过的目标才谈得上合理。""",
                       """## Coverage: which targets were judged, and against what

One row per plan (with several plans, a last row for all of them): its segments that end in a target, and of these
the steps; how many steps each yardstick judged (peers, the national series…, a column each); the steps judged
against the ceiling only, counted apart because a ceiling (the fastest pace on record) cannot bind in practice; the
steps not judged, and why. `judged by a yardstick that can bind` is the share of steps judged by a yardstick other
than the ceiling. No flag does not mean plausible: only a judged target can be called plausible."""),
    "flags.status": ("""下表列出每一个以目标结尾的路段及其状态：“已标记”（每个标记一行，附理由）；“已判断：合理”（按所列参照判断，
未被标记）；“只与上限比较”；“未判断”及原因。被标记但严重程度低于本页所显示级别的路段也会列出。""",
                     """The table lists every segment that ends in a target with its status: *flagged* (a row per flag, with
its reason), *judged plausible* (judged against the yardstick named, not flagged), *against the ceiling only*, or
*not judged* and why. A segment flagged below the severity this page shows is listed too."""),
    "flags.thresholds": ("""## 生效的阈值及依据

每个规则参数在本次运行中的数值（被参数 `thresholds` 改变时标明“已覆盖”）、单位和允许范围，
所依据的参考及选取理由（含义和理由为英文原文）。""",
                         """## Thresholds and references in force

Every rule parameter with its value in this run (`overridden` where the parameter `thresholds` changed
it), its unit and accepted range, the reference it rests on and why it was chosen."""),
    "flags.references": ("""## 参考来源

阈值所依据的参考数据：每行的出处、来源等级（官方公报 / 官方公报转载 / 新闻报道 / 二手汇编，规则见
`analysis/core/grades.py`），以及已知时发布者自己的网址。""",
                         """## References

The reference rows the thresholds rest on: where each was read, its source grade (official bulletin /
official repost / newspaper / secondary compilation; the rule is in `analysis/core/grades.py`) and, where
known, the publisher's own address."""),
    "flags.sensitivity": ("""## 敏感性：换一把尺子，哪些目标仍被标记

每一行是在至少一把合理尺子下会被标为“过快”的目标路段；各列表示换用该尺子时是否被标记：同类地区同长度窗口的
第 90、95、99 百分位数与最大值，全国同一序列不长于该路段的最快窗口，以及上限（天花板）。一行在各列都为“是”，
说明判断稳健；只在一两列为“是”，说明判断取决于尺子的选择（`docs/methods.md`）。""",
                          """## Sensitivity: which targets stay flagged under another yardstick

Each row is a target segment that at least one reasonable yardstick flags as too fast; each column says whether
it is flagged when that yardstick is used: the 90th, 95th and 99th percentiles and the maximum of comparable
regions' windows of the same length, the fastest national window of the same series no longer than the segment,
and the ceiling. A row flagged in every column is a robust judgement; one flagged in one or two depends on the
choice of yardstick (`docs/methods.md`)."""),
    # ---- 04 target versus actual (narrative only; the figures' words are analysis/present/progress_plots.py's)
    "progress.title": ("""# 目标与实际

一份政策文件的每个数字目标与实际完成情况对比。实际值有三个来源：注明页面和原文的公开统计
（`data/raw/actuals/`）、文件自身给出的数字（基期），以及研究者自己的文件（参数 `actuals_path`）。
判断规则见 `analysis/derive/progress.py` 和 `docs/methods.md`：有目标年份的实际值时判断“已实现/未实现”
（按目标的表述：不低于、超过、左右）；否则按已观察增长与所需增长之比判断进度。""",
                       """# Target versus actual

Each numeric target of one policy document set against what was actually achieved. Actuals come from
three places: published statistics with their page and a verbatim quote (`data/raw/actuals/`), the
figures the documents state themselves (baselines), and, optionally, a researcher's own file
(`actuals_path`). The rules are in `analysis/derive/progress.py` and `docs/methods.md`: with an actual for the
target year, achieved or missed (reading the target's qualifier: at least, more than, about); otherwise
progress from the ratio of observed to required growth."""),
    "progress.glance": ("## 概览\n\n各状态的目标个数，以及每个实际值占其目标的百分比（条形颜色为状态，100% 线即目标）。",
                        "## At a glance\n\nHow many targets fall in each status, and each judged actual as a percentage of its target "
                        "(the bar's colour is the status; the 100 % line is the target)."),
    "progress.status": ("## 状态表\n\n“目标”带有其表述（≥ 不低于，> 超过，≈ 左右）；“基期”是增长的起点；“实际值”是判断所用的数字"
                        "（* 为初步数）；“差距”是实际值减目标值。",
                        "## Status table\n\n`target` shows the qualifier (≥ at least, > more than, ≈ about); `base` is the figure "
                        "growth is measured from; `actual` is the figure that judged the target (* preliminary); "
                        "`gap` is actual − target."),
    "progress.paths": ("## 规划路径与实际路径\n\n每个指标：规划路径（基期 → 目标，虚线）和实际路径（实线）；灰色点线为上级地区的实际值。",
                       "## Target path against actual path\n\nPer indicator: the planned path (base → targets, dashed) and the "
                       "actual path (solid); the dotted grey line is the parent region's actual."),
    "progress.levels": ("## 区与市\n\n区和所属城市对同一指标都有目标和实际值时，二者的进展并列。",
                        "## District and city\n\nWhere a district and its city both have targets with actuals for the same "
                        "indicator, their progress side by side."),
    "progress.unassessed": ("## 无可用实际值的目标\n\n文件的其他目标及无法判断的原因（通常：该地区该指标没有公开的实际值）。",
                            "## Targets without a usable actual\n\nEvery other target of the document, with the reason it "
                            "could not be judged (usually: no published actual for the region and indicator)."),
    "progress.backtest": ("## 回测：标记与结果（所有文件合并）\n\n这是所有文件合并的表，不只是本文件：每个结果已知的目标"
                          "（已实现、逾期实现、未实现），按其路径上的合理性标记分组，“过快”与“过慢”分开，没有标记的目标分为"
                          "“已判断、无标记”和“未判断”。被标记的目标是否更常未实现？先读表下的说明。",
                          "## Backtest: flags against outcomes (every document pooled)\n\nThis table pools every document, "
                          "not only this one: every target whose outcome is known (achieved, achieved late, missed), by the "
                          "plausibility flags on the path leading to it, too fast and too slow apart, the unflagged split into "
                          "judged with no flag and never judged. Are flagged targets missed more often? Read the caveat first."),
    "progress.sources": ("## 实际值的来源\n\n上面使用的每个实际值和基期的出处及来源等级（官方公报 / 官方公报转载 / 新闻报道 / 二手汇编）。",
                         "## Where the actuals come from\n\nThe citation of every actual and base used above, with its source "
                         "grade (official bulletin / official repost / newspaper / secondary compilation)."),
    "progress.thresholds": ("## 生效的阈值\n\n判断状态所用的阈值及其出处（参数 `thresholds` 可按名称覆盖）。",
                            "## Thresholds in force\n\nThe thresholds behind the statuses, with their sources "
                            "(`thresholds` overrides them by name)."),
    # ---- how to read each page (the page header)
    "howto.01_targets_overview": (
        "先看“政策文件”表了解有哪些文件，再看“覆盖年份”图：● 为实际值年份，◆ 为目标年份。"
        "最后的数据表每行是一个原文数字，可按行号在原文中核对。",
        "Start with the table of sources, then the chart of years covered (● actual, ◆ target). "
        "The last table holds one published number per row; its line number finds it in the document."),
    "howto.02_growth_trajectories": (
        "每幅小图是一个指标：黑点是实际值，橙色标记是目标（形状表示“等于/不低于/超过/左右”），虚线是规划路径。"
        "只有一个年份的指标列在表中。增长表给出每段隐含的年均增长及单位。",
        "Each panel is one indicator: black dots are actuals, orange marks are targets (the shape says exactly / "
        "at least / more than / about), the dashed line is the plan path. Indicators with a single year are in a "
        "table. The growth table gives the annual growth each step implies, with its unit."),
    # the same, where a statistical trend is fitted (a path with four or more actual years): runner._header picks it
    "howto.02_growth_trajectories.fits": (
        "每幅小图是一个指标：黑点是实际值，橙色标记是目标（形状表示“等于/不低于/超过/左右”），虚线是规划路径，"
        "实线是按实际值拟合的趋势。只有一个年份的指标列在表中。增长表给出每段隐含的年均增长及单位。",
        "Each panel is one indicator: black dots are actuals, orange marks are targets (the shape says exactly / "
        "at least / more than / about), the dashed line is the plan path, the solid line the trend fitted to the "
        "actuals. Indicators with a single year are in a table. The growth table gives the annual growth each step "
        "implies, with its unit."),
    "howto.03_plausibility_flags": (
        "图中每行是一个目标区段，点越靠右隐含增长越快；落入彩色区表示超过参考阈值。"
        "标记表说明每个标记的理由和依据，阈值表列出判断所用的全部参数及其出处。",
        "Each row of the chart is a target step; the further right, the faster the implied growth; a point in a "
        "coloured zone exceeds a reference threshold. The flags table gives each flag's reason and reference; the "
        "threshold table lists every parameter used, with its source."),
    "howto.05_indicator_across_plans": (
        "图中每条线是一份规划文件，颜色表示层级（全国、省、市、区县），圆点为实际值，菱形为目标。"
        "下面三张表依次列出各文件的数值、各段隐含的年均增长，以及已知实际值的目标的完成情况。",
        "Each line of the chart is one plan, its colour the level (nation, province, city, district or county); dots "
        "are actuals, diamonds targets. The three tables below give every plan's numbers, the annual growth each step "
        "to a target implies, and the outcome of the targets whose actual is known."),
    "howto.04_target_vs_actual": (
        "先看状态计数和条形图（实际值占目标的百分比，100% 线即目标），再看状态表和路径图：虚线为计划路径，实线为实际路径。"
        "最后两张表列出未能判断的目标及实际值的来源和来源等级。",
        "Start with the status counts and the bar chart (actual as % of target; the 100 % line is the target), then "
        "the status table and the path charts: dashed is the plan, solid the actual path. The last tables list the "
        "targets that could not be judged and where each actual comes from, with its source grade."),
}


def narrative(key: str, language: str = "zh") -> str:
    """The Markdown of the narrative block `key` in `language`."""
    return _pick(NARRATIVE[key], language)
