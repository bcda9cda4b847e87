"""The words of progress's notes and reasons: each kind of note is one entry of PARTS with its English and its
Chinese, filled from the same arguments, so that both languages say the same thing (no translation of finished
English). `analysis.derive.progress` builds a row's notes as `Part`s and writes `note` (English) and `note_zh`.

An argument is a number or plain text (the same in both languages), a `Words(en, zh)` pair, a `Part`, or a list
of these (joined with ", " in English and "，" in Chinese).
"""
from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("en", "zh")
SEPARATOR = {"en": "; ", "zh": "；"}
LIST_SEPARATOR = {"en": ", ", "zh": "，"}

PARTS: dict[str, tuple[str, str]] = {
    # base
    "base_lag": ("base from {year}, {n} year(s) before the plan's base year {base_year}",
                 "基期取 {year} 年的实际值（比规划基期 {base_year} 年早 {n} 年）"),
    "no_base": ("no actual at or before the plan's base year {year}", "规划基期 {year} 年及之前没有实际值"),
    "base_too_old": ("the latest actual at or before the plan's base year {base_year} is from {year}, {n} years earlier "
                     "(more than progress_max_base_lag_years = {m})",
                     "规划基期 {base_year} 年及之前最近的实际值是 {year} 年的，早 {n} 年（超过允许的 {m} 年）"),
    # the target year
    "excluded": ("the note of the {years} actual excludes it from judging {year}",
                 "{years} 年实际值的说明指出它不用于判断 {year} 年的目标"),
    "fell_short": ("{year}: {value} fell short", "{year} 年的 {value} 未达到目标"),
    "no_actual_window": ("no actual for {year} or the {n} year(s) after", "{year} 年及其后 {n} 年都没有实际值"),
    "no_actual_window_flow": ("no actual for {year} (a flow is judged only by its own year) or the {n} year(s) after",
                              "{year} 年及其后 {n} 年都没有实际值（新增量只按当年判断）"),
    "estimate_meets": ("no actual for {year}: the estimate {value} ({method}) meets it{lower}",
                       "{year} 年没有实际值：估计值 {value}（{method}）达到目标{lower}"),
    "estimate_short": ("no actual for {year}: the estimate {value} ({method}) falls short{lower}",
                       "{year} 年没有实际值：估计值 {value}（{method}）未达到目标{lower}"),
    "estimate_short_as_does": ("no actual for {year}: the estimate {value} ({method}) falls short, as does {later_year}{lower}",
                               "{year} 年没有实际值：估计值 {value}（{method}）未达到目标，{later_year} 年也未达到{lower}"),
    "estimate_tie": ("the estimate is within the published rounding (± {value}) of the actuals it is interpolated from",
                     "估计值与目标的差距在插值所用实际值的公布取整精度（± {value}）以内"),
    "lower_bounds": (" (interpolated between published lower bounds)", "（在公布的下限之间插值）"),
    "geometric": ("geometric interpolation between {year} ({value}) and {later_year} ({later_value})",
                  "{year} 年（{value}）与 {later_year} 年（{later_value}）之间的几何插值"),
    "linear": ("linear interpolation between {year} ({value}) and {later_year} ({later_value})",
               "{year} 年（{value}）与 {later_year} 年（{later_value}）之间的线性插值"),
    "bracket_too_long": ("the actuals around {year} ({before_year} and {later_year}) are {n} years apart, more than "
                         "progress_max_interpolation_years = {m}: no estimate for {year}",
                         "{year} 年前后的实际值（{before_year} 年和 {later_year} 年）相隔 {n} 年，超过允许的 {m} 年："
                         "不估计 {year} 年的数值"),
    "year_unknown": ("no actual for {year}; whether {year} itself met the target is not known",
                     "{year} 年没有实际值；{year} 年本身是否达到目标不得而知"),
    "met_before": ("{year} ({value}) already met it, before the target year {target_year}; the target year itself is "
                   "not observed", "{year} 年（{value}）已达到目标，早于目标年份 {target_year} 年；目标年份本身没有实际值"),
    "met_later": ("{year} ({value}) met it, {n} year(s) after the target year {target_year}",
                  "{year} 年（{value}）达到目标，比目标年份 {target_year} 年晚 {n} 年"),
    "still_short": ("{year} still falls short", "{year} 年仍未达到"),
    "met_then_short": ("{year} ({value}) met it but {later_year} ({later_value}) did not: the target year is not decided",
                       "{year} 年（{value}）达到目标，但 {later_year} 年（{later_value}）未达到：目标年份无法判断"),
    # judged by pace
    "no_actual_after_base": ("no actual after the base year {year}", "基期 {year} 年之后没有实际值"),
    "trend_thresholds": ("target equals the base value: judged by Open SDG's trend thresholds on the compound rate "
                         "(scaled by the limit factor for shares)",
                         "目标等于基期值：按 Open SDG 的趋势阈值判断复合增长率（比重乘以极限系数）"),
    "no_growth": ("growth cannot be measured (a zero or negative value, or no time between base and actual)",
                  "无法计算增长（数值为零或负数，或基期与实际值同一年）"),
    "no_anticipated": ("no anticipated value: {reason}", "无预期值：{reason}"),
    # how to read the status
    "lower_bound_actual": ("the actual is published as a lower bound ('more than'); the target may have been met",
                           "实际值公布为下限（“超过”）；目标可能已经达到"),
    "lower_bound_met": ("the actual is published as a lower bound ('more than') and meets the target as it stands",
                        "实际值公布为下限（“超过”），按公布数即已达到目标"),
    "approx": ("an 'about' target counts as met within {value} % below it", "“左右”目标在低于目标值 {value}% 以内即算达到"),
    "range": ("a range target counts as met at its lower end", "区间目标达到下限即算达到"),
    "tie": ("the actual ties with the target at its published rounding (± {value})",
            "按公布的取整精度（± {value}），实际值与目标值持平"),
    "later": ("later: {later}", "后来的实际值：{later}"),
    "year_value": ("{year} {value}", "{year} 年 {value}"),
    "provenance": ("{what}: {caveats}", "{what}：{caveats}"),
    "also_given": ("{what}: {year} is also given as {value} ({origin}: {source})",
                   "{what}：{year} 年另有数值 {value}（{origin}：{source}）"),
    # the words inside a provenance note
    "preliminary": ("preliminary figure", "初步数"), "third_party": ("third-party source", "第三方来源"),
    "nearest_year": ("nearest year (stated for another date)", "最接近的年份（原文所述为另一日期）"),
    "definition": ("its definition may differ from the target's", "口径可能与目标不同"),
    "year_uncertain": ("year uncertain", "年份不确定"), "year_inferred": ("year inferred", "年份为推断"),
    "approximate": ("published as approximate", "公布为约数"),
    # targets without a progress row
    "growth_rate_target": ("a growth-rate target (compare with the growth of the actual series in segments)",
                           "以增长率表述的目标（可与增长表中实际序列的增长对比）"),
    "no_actual_series": ("no actual for {region} {indicator}", "{region}没有“{indicator}”的实际值"),
    "nothing_after_base": ("no actual after the plan's base year {year} (latest: {latest_year}: {value})",
                           "规划基期 {year} 年之后没有实际值（最近一个：{latest_year} 年 {value}）"),
    # quality
    "exact_hits": ("the series lands exactly on every target ({n} of {n}; information, not an accusation)",
                   "该序列恰好落在每一个目标上（{n} 个中的 {n} 个；仅供参考，并非指控）"),
}


@dataclass(frozen=True)
class Words:
    """A word or phrase given in both languages (a region's name, an origin, what a note is about)."""
    en: str
    zh: str


@dataclass(frozen=True)
class Part:
    """One piece of a note: the key of its words in PARTS and the arguments that fill them."""
    key: str
    args: tuple = ()

    def text(self, language: str) -> str:
        template = PARTS[self.key][LANGUAGES.index(language)]
        return template.format(**{k: _argument(v, language) for k, v in self.args})


def part(key: str, **args) -> Part:
    if key not in PARTS:
        raise KeyError(f"progress_notes: no words for {key!r}")
    return Part(key, tuple(sorted(args.items())))


def number(v: float, digits: int | None = None) -> str:
    return f"{v:.{digits}g}" if digits else f"{v:g}"


def _argument(v, language: str) -> str:
    if isinstance(v, Part):
        return v.text(language)
    if isinstance(v, Words):
        return v.en if language == "en" else v.zh
    if isinstance(v, (list, tuple)):
        return LIST_SEPARATOR[language].join(_argument(x, language) for x in v)
    if isinstance(v, float):
        return number(v)
    return str(v)


def text(parts, language: str) -> str | None:
    """The note of `parts` (Parts, empty ones skipped) in `language`; None without any."""
    texts = [p.text(language) for p in parts if p]
    return SEPARATOR[language].join(texts) if texts else None
