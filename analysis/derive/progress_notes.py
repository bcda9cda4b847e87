"""The words of progress's notes and reasons: each kind of note is one entry of PARTS, a `sentences.Words`
template in Chinese and English filled from the same arguments (`part`), so that both languages say the same thing
(no translation of finished English). `analysis.derive.progress` builds a row's notes as parts and writes `note`
(English) and `note_zh` (`text`).

An argument is a number or plain text (the same in both languages), a `Words` pair (its own words in each
language, e.g. another part), or a list of these (joined with "，" in Chinese and ", " in English).
"""
from __future__ import annotations

from .sentences import Words, fill, join

PARTS: dict[str, Words] = {
    # base
    "base_lag": Words("基期取 {year} 年的实际值（比规划基期 {base_year} 年早 {n} 年）",
                      "base from {year}, {n} year(s) before the plan's base year {base_year}"),
    "no_base": Words("规划基期 {year} 年及之前没有实际值", "no actual at or before the plan's base year {year}"),
    "base_too_old": Words("规划基期 {base_year} 年及之前最近的实际值是 {year} 年的，早 {n} 年（超过允许的 {m} 年）",
                          "the latest actual at or before the plan's base year {base_year} is from {year}, {n} years "
                          "earlier (more than progress_max_base_lag_years = {m})"),
    # the target year
    "excluded": Words("{years} 年实际值的说明指出它不用于判断 {year} 年的目标",
                      "the note of the {years} actual excludes it from judging {year}"),
    "fell_short": Words("{year} 年的 {value} 未达到目标", "{year}: {value} fell short"),
    "no_actual_window": Words("{year} 年及其后 {n} 年都没有实际值", "no actual for {year} or the {n} year(s) after"),
    "no_actual_window_flow": Words("{year} 年及其后 {n} 年都没有实际值（新增量只按当年判断）",
                                   "no actual for {year} (a flow is judged only by its own year) or the {n} year(s) "
                                   "after"),
    "estimate_meets": Words("{year} 年没有实际值：估计值 {value}（{method}）达到目标{lower}",
                            "no actual for {year}: the estimate {value} ({method}) meets it{lower}"),
    "estimate_short": Words("{year} 年没有实际值：估计值 {value}（{method}）未达到目标{lower}",
                            "no actual for {year}: the estimate {value} ({method}) falls short{lower}"),
    "estimate_short_as_does": Words("{year} 年没有实际值：估计值 {value}（{method}）未达到目标，"
                                    "{later_year} 年也未达到{lower}",
                                    "no actual for {year}: the estimate {value} ({method}) falls short, as does "
                                    "{later_year}{lower}"),
    "estimate_tie": Words("估计值与目标的差距在插值所用实际值的公布取整精度（± {value}）以内",
                          "the estimate is within the published rounding (± {value}) of the actuals it is "
                          "interpolated from"),
    "lower_bounds": Words("（在公布的下限之间插值）", " (interpolated between published lower bounds)"),
    "geometric": Words("{year} 年（{value}）与 {later_year} 年（{later_value}）之间的几何插值",
                       "geometric interpolation between {year} ({value}) and {later_year} ({later_value})"),
    "linear": Words("{year} 年（{value}）与 {later_year} 年（{later_value}）之间的线性插值",
                    "linear interpolation between {year} ({value}) and {later_year} ({later_value})"),
    "bracket_too_long": Words("{year} 年前后的实际值（{before_year} 年和 {later_year} 年）相隔 {n} 年，"
                              "超过允许的 {m} 年：不估计 {year} 年的数值",
                              "the actuals around {year} ({before_year} and {later_year}) are {n} years apart, more "
                              "than progress_max_interpolation_years = {m}: no estimate for {year}"),
    "year_unknown": Words("{year} 年没有实际值；{year} 年本身是否达到目标不得而知",
                          "no actual for {year}; whether {year} itself met the target is not known"),
    "met_before": Words("{year} 年（{value}）已达到目标，早于目标年份 {target_year} 年；目标年份本身没有实际值",
                        "{year} ({value}) already met it, before the target year {target_year}; the target year "
                        "itself is not observed"),
    "met_later": Words("{year} 年（{value}）达到目标，比目标年份 {target_year} 年晚 {n} 年",
                       "{year} ({value}) met it, {n} year(s) after the target year {target_year}"),
    "still_short": Words("{year} 年仍未达到", "{year} still falls short"),
    "met_then_short": Words("{year} 年（{value}）达到目标，但 {later_year} 年（{later_value}）未达到：目标年份无法判断",
                            "{year} ({value}) met it but {later_year} ({later_value}) did not: the target year is "
                            "not decided"),
    # judged by pace
    "no_actual_after_base": Words("基期 {year} 年之后没有实际值", "no actual after the base year {year}"),
    "trend_thresholds": Words("目标等于基期值：按 Open SDG 的趋势阈值判断复合增长率（比重乘以极限系数）",
                              "target equals the base value: judged by Open SDG's trend thresholds on the compound "
                              "rate (scaled by the limit factor for shares)"),
    "no_growth": Words("无法计算增长（数值为零或负数，或基期与实际值同一年）",
                       "growth cannot be measured (a zero or negative value, or no time between base and actual)"),
    "no_anticipated": Words("无预期值：{reason}", "no anticipated value: {reason}"),
    # how to read the status
    "lower_bound_actual": Words("实际值公布为下限（“超过”）；目标可能已经达到",
                                "the actual is published as a lower bound ('more than'); the target may have been met"),
    "lower_bound_met": Words("实际值公布为下限（“超过”），按公布数即已达到目标",
                             "the actual is published as a lower bound ('more than') and meets the target as it "
                             "stands"),
    "approx": Words("“左右”目标在低于目标值 {value}% 以内即算达到",
                    "an 'about' target counts as met within {value} % below it"),
    "range": Words("区间目标达到下限即算达到", "a range target counts as met at its lower end"),
    "tie": Words("按公布的取整精度（± {value}），实际值与目标值持平",
                 "the actual ties with the target at its published rounding (± {value})"),
    "later": Words("后来的实际值：{later}", "later: {later}"),
    "year_value": Words("{year} 年 {value}", "{year} {value}"),
    "provenance": Words("{what}：{caveats}", "{what}: {caveats}"),
    "also_given": Words("{what}：{year} 年另有数值 {value}（{origin}：{source}）",
                        "{what}: {year} is also given as {value} ({origin}: {source})"),
    # the words inside a provenance note
    "preliminary": Words("初步数", "preliminary figure"),
    "third_party": Words("第三方来源", "third-party source"),
    "nearest_year": Words("最接近的年份（原文所述为另一日期）", "nearest year (stated for another date)"),
    "definition": Words("口径可能与目标不同", "its definition may differ from the target's"),
    "year_inferred": Words("年份为推断", "year inferred"),
    "year_uncertain": Words("年份不确定", "year uncertain"),
    "approximate": Words("公布为约数", "published as approximate"),
    # targets without a progress row
    "growth_rate_target": Words("以增长率表述的目标（可与增长表中实际序列的增长对比）",
                                "a growth-rate target (compare with the growth of the actual series in segments)"),
    "no_actual_series": Words("{region}没有“{indicator}”的实际值", "no actual for {region} {indicator}"),
    "nothing_after_base": Words("规划基期 {year} 年之后没有实际值（最近一个：{latest_year} 年 {value}）",
                                "no actual after the plan's base year {year} (latest: {latest_year}: {value})"),
    # quality
    "exact_hits": Words("该序列恰好落在每一个目标上（{n} 个中的 {n} 个；仅供参考，并非指控）",
                        "the series lands exactly on every target ({n} of {n}; information, not an accusation)"),
}


def part(key: str, **args) -> Words:
    """The note `key` of PARTS filled with `args` in both languages (a float written as `number` writes it)."""
    if key not in PARTS:
        raise KeyError(f"progress_notes: no words for {key!r}")
    return fill(PARTS[key], **{k: _plain(v) for k, v in args.items()})


def number(v: float, digits: int | None = None) -> str:
    """A number of a progress note: `digits` significant digits (all by default), no trailing zeros."""
    return f"{v:.{digits}g}" if digits else f"{v:g}"


def _plain(v):
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return number(v) if isinstance(v, float) else v


def text(parts, language: str) -> str | None:
    """The note of `parts` (Words; empty ones, "", skipped) in `language`, joined by "；" / "; "; None without any."""
    parts = [p for p in parts if p]
    return join(parts).get(language) if parts else None
