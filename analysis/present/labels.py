"""Every word the reports show, in Chinese (`zh`, the default) and English (`en`): the one place for them (the
notebooks' prose, longer Markdown, has its own module: prose.py).

- `t(key)`: labels of axes, legends and table headers (TEXT).
- `value(field, code)`: the code values of the frames (bounds eq/ge/…, kinds, statuses, metrics, rules,
  severities, directions, measures, models, source grades; VALUES). A code without a word falls back to
  itself (tests/test_labels.py checks that every code in data/processed/ has one).
- `unit(u)`, `growth_unit(u)`: canonical units and growth units.
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
from ..derive.growth import NOTES_ZH
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
    "robust": {"robust": ("稳健", "robust"), "knife_edge": ("临界", "knife-edge")},   # explained in prose.NARRATIVE flags.table
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
                   "small_base": ("小基数，按每年新增数判断：没有参照可用（同级、同单位的其他规划太少）",
                                  "small base, judged by new entries a year: no yardstick reaches it (too few other "
                                  "plans of the same level and unit)"),
                   "no_yardstick": ("没有适用的参照：同类窗口太少、无全国序列、其他规划太少、无适用的上限",
                                    "no yardstick reaches it: too few peer windows, no national series, too few other "
                                    "plans, no ceiling that fits"),
                   "other": ("其他原因（见 segments.csv）", "another reason (see segments.csv)")},
    # the notes analysis.derive.growth writes into segments.csv
    "segment_note": {en: (zh, en) for en, zh in NOTES_ZH.items()},
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
