"""Words the notebooks show, in Chinese (`zh`, the default) and English (`en`).

One table for every label of the plots and report tables, so that a notebook's `language` parameter
switches all of them at once. Names from the documents stay as published in `zh`; in `en` the
vocabulary's English name (`indicator_en`) and the registry's `region_en` are used.
"""
from __future__ import annotations

from .errors import InputError

LANGUAGES = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "year": ("年份", "Year"),
    "actual": ("实际值", "actual"),
    "target": ("目标值", "target"),
    "bound.eq": ("目标", "target"),
    "bound.ge": ("目标：不低于 ▲", "target: at least ▲"),
    "bound.gt": ("目标：超过 △", "target: more than △"),
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
    "metric": ("指标口径", "metric"),
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
    "name": ("参数", "parameter"),
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
    "severity.info": ("提示", "info"),
    "severity.warn": ("警告", "warn"),
    "severity.alert": ("严重", "alert"),
    "metric.cagr": ("年均复合增长率", "compound annual growth"),
    "metric.pp_per_year": ("每年百分点变化", "percentage points per year"),
    "metric.new_per_year": ("每年新增", "new per year"),
}

# canonical units (docs/design.md) in English; counters become "count (家)" so the Chinese counter stays visible
UNITS_EN = {"%": "%", "百分点": "percentage points", "亿元": "100 million yuan", "万平方米": "10,000 m²",
            "平方公里": "km²", "人": "persons", "亩": "mu"}


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InputError(f"parameter 'language' is {language!r}; expected one of {LANGUAGES}")
    return language


def t(key: str, language: str = "zh") -> str:
    """The label `key` in `language`; an unknown key is a KeyError naming it (a programming error)."""
    zh, en = TEXT[key]
    return zh if check_language(language) == "zh" else en


def unit(u: str, language: str = "zh") -> str:
    """A canonical unit as an axis shows it: '亿元' in zh, '100 million yuan' in en, counters as 'count (家)'."""
    if check_language(language) == "zh" or not isinstance(u, str):
        return u
    return UNITS_EN.get(u, f"count ({u})")


def growth_unit(u: str, language: str = "zh") -> str:
    """'%/yr' → '%/年', 'pp/yr' → '百分点/年', '个/yr' → '个/年' in zh; English as given."""
    if check_language(language) == "en" or not isinstance(u, str):
        return u
    return u.replace("pp/", "百分点/").replace("per yr", "/年").replace("/yr", "/年")


def name_column(language: str) -> str:
    """Column of a frame that holds the indicator's name in `language`."""
    return "indicator_zh" if check_language(language) == "zh" else "indicator_en"


def region_column(language: str) -> str:
    return "region" if check_language(language) == "zh" else "region_en"
