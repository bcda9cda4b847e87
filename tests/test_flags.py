"""Flags: each rule fires and does not fire (hand-built frames, hand-computed numbers), and the real judgement calls."""
import numpy as np
import pandas as pd
import pytest

from _frames import obs, path
from analysis.datasets import load
from analysis.errors import InputError
from analysis.flags import COLUMNS, escalation_table, evaluate, fmt
from analysis.growth import segments
from analysis.reference import load_thresholds

NO_LINKS = pd.DataFrame(columns=["relation", "indicator_id", "of_indicator_id", "note"])
REGIONS = pd.DataFrame({"region": ["番禺区"], "region_en": ["Panyu District"], "parent": ["广州市"],
                        "parent_en": ["Guangzhou"], "level": ["district"]})
SEVERITIES = {"info", "warn", "alert"}
DIRECTIONS = {"too_fast", "too_slow", "inconsistent", "impossible"}


def flags(frame, overrides=None, links=NO_LINKS, regions=REGIONS):
    th = load_thresholds(overrides)
    out = evaluate(frame, segments(frame, th), th, links=links, regions=regions)
    check_rows(out)
    return out


def check_rows(f):
    assert list(f.columns) == COLUMNS
    for r in f.itertuples():
        assert r.severity in SEVERITIES and r.direction in DIRECTIONS, r
        assert r.reference and isinstance(r.reference, str), r
        assert r.reason.endswith(".") and r.reason.count(". ") == 0 and len(r.reason) > 40, r.reason


def rules(f):
    return sorted(zip(f["indicator_id"], f["rule"], f["severity"]))


# ------------------------------------------------------------------ the real judgement calls
@pytest.fixture(scope="module")
def real():
    f = load("flags")
    check_rows(f)
    return f


def test_panyu_neeq_leap_is_an_alert(real):
    f = real[(real.source_id == "panyu-2015") & (real.indicator_id == "neeq_listed_companies")]
    r = f[(f.start_year == 2014) & (f.end_year == 2017)].iloc[0]
    assert (r["rule"], r["severity"], r["direction"], r["metric"]) == ("too_fast", "alert", "too_fast", "cagr")
    assert r["value"] == pytest.approx(216.374, abs=1e-3)          # (95 / 3) ** (1/3) = 3.16374
    assert r["threshold"] == pytest.approx(205.63)                 # national NEEQ boom 356 → 10,163, 2013–2016
    assert "216.37 %/yr (3 → 95 家, 2014–2017)" in r["reason"] and "205.63 %/yr" in r["reason"]
    assert "by 10.74 %/yr" in r["reason"] and "30.7 new entries a year" in r["reason"]
    assert "growth_references.csv line 41" in r["reference"]


def test_panyu_rd_centres_are_not_flagged(real):
    # 62 → 75 in three years = 6.55 %/yr, 75 → 110 = 13.62 %/yr: moderate, below every threshold
    assert real[(real.source_id == "panyu-2015") & (real.indicator_id == "enterprise_rd_centres")].empty


def test_panyu_high_tech_enterprises_are_not_flagged(real):
    # 166 → 262 → 418: 16.43 and 16.85 %/yr, below the national 26.45 %/yr of 2017–2020
    assert real[(real.source_id == "panyu-2015") & (real.indicator_id == "high_tech_enterprises")
                & (real.rule == "too_fast")].empty


def test_panyu_rd_intensity_warns_only_for_the_first_step(real):
    f = real[(real.source_id == "panyu-2015") & (real.indicator_id == "rd_intensity") & (real.rule == "too_fast")]
    assert list(zip(f.start_year, f.end_year, f.severity)) == [(2014, 2017, "warn")]   # 0.28 > 0.234; 0.20 is not
    assert "0.28 pp/yr (1.67 → 2.51%, 2014–2017)" in f.iloc[0]["reason"]


# ------------------------------------------------------------------ too fast
def test_too_fast_tiers_and_overrides():
    f = obs(*path({2014: 1.67, 2017: 2.51, 2020: 3.11}, indicator_id="rd_intensity", measure="share", unit="%"),
            *path({2014: 1.0, 2017: 2.0}, indicator_id="rd_intensity", measure="share", unit="%", source_id="fast"))
    out = flags(f)
    assert list(zip(out.source_id, out.start_year, out.severity)) == [("fast", 2014, "alert"), ("src", 2014, "warn")]
    assert out.iloc[0]["value"] == pytest.approx(1 / 3)            # 0.333 > 0.316 (Israel 1996–2001)
    assert out[out.source_id == "src"].iloc[0]["threshold_name"] == "rd_intensity_warn_pp"
    # raising the warning threshold above 0.28 silences the warning, not the alert
    out = flags(f, {"rd_intensity_warn_pp": 0.29})
    assert list(out.source_id) == ["fast"]
    assert "as overridden" not in out.iloc[0]["reason"]
    out = flags(f, {"rd_intensity_warn_pp": 0.2, "rd_intensity_alert_pp": 0.25})
    assert list(zip(out.source_id, out.start_year, out.severity)) == [("fast", 2014, "alert"), ("src", 2014, "alert")]
    assert "0.25 pp/yr as overridden" in out.iloc[1]["reason"]


def test_info_tier_for_indicators_without_a_national_series():
    f = obs(*path({2014: 37, 2017: 84}, indicator_id="incubator_area", unit="万平方米"),
            *path({2014: 37, 2017: 70}, indicator_id="other_area", unit="万平方米"))
    out = flags(f)
    assert rules(out) == [("incubator_area", "too_fast", "info")]  # 31.43 > 28.21; 23.66 is not
    assert "31.43 %/yr (37 → 84 万平方米, 2014–2017)" in out.iloc[0]["reason"]


def test_info_tier_skips_small_counts_but_alerts_do_not():
    f = obs(*path({2019: 2, 2020: 4}, indicator_id="labs", measure="count_stock"),             # 100 %/yr from 2
            *path({2019: 60, 2020: 120}, indicator_id="spaces", measure="count_stock"),        # 100 %/yr from 60
            *path({2014: 3, 2017: 95}, indicator_id="neeq_listed_companies", measure="count_stock"))
    assert rules(flags(f)) == [("neeq_listed_companies", "too_fast", "alert"), ("spaces", "too_fast", "info")]
    assert rules(flags(f, {"info_min_count_base": 1})) == [
        ("labs", "too_fast", "info"), ("neeq_listed_companies", "too_fast", "alert"), ("spaces", "too_fast", "info")]


def test_too_fast_judges_the_minimum_of_a_band():
    # approx 121 ± 5 % from 100 over 2 years: at least 7.21 %/yr; with the invention-patent threshold 15.4
    rows = [{"year": 2019, "value": 100, "kind": "actual", "indicator_id": "invention_patent_applications",
             "measure": "count_flow", "unit": "件"},
            {"year": 2021, "value": 140, "kind": "target", "bound": "approx", "indicator_id": "invention_patent_applications",
             "measure": "count_flow", "unit": "件"}]
    out = flags(obs(*rows))
    assert out.empty                                                # low end (133/100)^(1/2) = 15.33 < 15.4
    rows[1]["value"] = 150                                          # low end (142.5/100)^(1/2) = 19.37
    out = flags(obs(*rows))
    assert rules(out) == [("invention_patent_applications", "too_fast", "warn")]
    assert out.iloc[0]["value"] == pytest.approx((np.sqrt(1.425) - 1) * 100)
    assert "at least 19.37 %/yr" in out.iloc[0]["reason"]


def test_actual_history_is_not_judged():
    out = flags(obs(*path({2010: 3, 2013: 95}, kinds={2010: "actual", 2013: "actual"}, indicator_id="neeq_listed_companies",
                          measure="count_stock")))
    assert out.empty


# ------------------------------------------------------------------ too slow, backwards, impossible
def test_below_baseline_and_target_backwards():
    out = flags(obs(*path({2014: 50, 2017: 45, 2020: 40}, indicator_id="money", unit="亿元")))
    assert rules(out) == [("money", "below_baseline", "warn"), ("money", "target_backwards", "warn")]
    bb = out[out.rule == "below_baseline"].iloc[0]
    assert bb["direction"] == "too_slow" and bb["value"] == pytest.approx(((45 / 50) ** (1 / 3) - 1) * 100)
    assert "45 亿元 for 2017 against 50 亿元 (actual) for 2014" in bb["reason"]
    assert out[out.rule == "target_backwards"].iloc[0]["direction"] == "inconsistent"
    assert flags(obs(*path({2014: 50, 2017: 50, 2020: 55}, indicator_id="money", unit="亿元"))).empty


def test_stock_falls():
    f = obs(*path({2014: 10, 2017: 8}, indicator_id="cum", measure="count_stock", indicator_zh="累计上市企业数量"),
            *path({2014: 10, 2017: 8}, indicator_id="stock", measure="count_stock", indicator_zh="企业数量",
                  indicator_en="Enterprises"),
            *path({2014: 10, 2017: 10}, indicator_id="flat", measure="count_stock", indicator_zh="累计"))
    out = flags(f)
    assert sorted(zip(out.indicator_id, out.rule, out.severity, out.direction)) == [
        ("cum", "stock_falls", "alert", "impossible"), ("stock", "stock_falls", "warn", "too_slow")]
    assert "cannot fall" in out[out.indicator_id == "cum"].iloc[0]["reason"]


def test_share_above_100():
    # observations.csv never holds one (validation refuses it), but a researcher's own frame may
    f = obs({"year": 2014, "value": 80, "kind": "actual", "measure": "share", "unit": "%"},
            {"year": 2017, "value": 105, "kind": "target", "measure": "share", "unit": "%"})
    out = flags(f)
    assert ("ind", "share_above_100", "alert") in rules(out)
    f.loc[1, "value"] = 100
    assert "share_above_100" not in set(flags(f)["rule"])


def test_below_trend():
    # actuals 100 (2010) → 121 (2012): 10 %/yr achieved
    base = {2010: 100, 2012: 121}
    kinds = {2010: "actual", 2012: "actual"}
    out = flags(obs(*path({**base, 2015: 130}, kinds=kinds)))
    assert rules(out) == [("ind", "below_trend", "info")]
    r = out.iloc[0]
    assert r["value"] == pytest.approx(((130 / 121) ** (1 / 3) - 1) * 100) and r["threshold"] == pytest.approx(10.0)
    assert "less than the 10 %/yr the document reports as achieved (100 → 121 家, 2010–2012)" in r["reason"]
    assert flags(obs(*path({**base, 2015: 170}, kinds=kinds))).empty             # 12.0 %/yr
    assert flags(obs(*path({**base, 2015: 130}, kinds=kinds)), {"below_trend_margin_pct": 80}).empty


# ------------------------------------------------------------------ internal consistency
RATE_LINK = pd.DataFrame({"relation": ["rate_of", "rate_of"],
                          "indicator_id": ["patent_applications_growth", "share_rise"],
                          "of_indicator_id": ["patent_applications", "st_share"], "note": ["", ""]})


def qingyuan(rate=15.0):
    return obs({"year": 2012, "value": 750, "kind": "actual", "indicator_id": "patent_applications",
                "indicator_zh": "专利申请量", "unit": "件", "source_id": "qingyuan-2013", "region": "清远市"},
               {"year": 2017, "value": 1500, "kind": "target", "bound": "ge", "indicator_id": "patent_applications",
                "indicator_zh": "专利申请量", "unit": "件", "source_id": "qingyuan-2013", "region": "清远市"},
               {"year": 2017, "value": rate, "kind": "target", "bound": "ge", "indicator_id": "patent_applications_growth",
                "indicator_zh": "专利申请量年均增长率", "measure": "growth_rate", "unit": "%",
                "source_id": "qingyuan-2013", "region": "清远市"})


def test_stated_rate_versus_level_targets_qingyuan():
    out = flags(qingyuan(), links=RATE_LINK)
    r = out[out.rule == "rate_vs_levels"].iloc[0]
    # 750 → 1500 in five years: 2 ** (1/5) - 1 = 14.87 %/yr, 0.13 short of ≥ 15 %; 750 * 1.15 ** 5 = 1508.52
    assert (r["severity"], r["direction"], r["metric"]) == ("info", "inconsistent", "cagr")
    assert r["value"] == pytest.approx(14.8698, abs=1e-4) and r["threshold"] == 15.0
    assert (r["start_year"], r["end_year"]) == (2012, 2017)
    assert "at least 15 %/yr" in r["reason"] and "750 → 1,500 件 (2012–2017) imply 14.87 %/yr, 0.13 %/yr less" in r["reason"]
    assert "1,508.52 件" in r["reason"]
    assert "rate_vs_levels" not in set(flags(qingyuan(14.0), links=RATE_LINK)["rule"])       # 14.87 ≥ 14
    assert "rate_vs_levels" not in set(flags(qingyuan(), links=NO_LINKS)["rule"])            # unlinked: no claim
    warn = flags(qingyuan(20.0), links=RATE_LINK)
    assert warn[warn.rule == "rate_vs_levels"].iloc[0]["severity"] == "warn"                 # 5.13 > 1.0


def test_stated_yearly_rise_of_a_share_nanming():
    f = obs({"year": 2016, "value": 2.12, "kind": "target", "indicator_id": "st_share", "measure": "share", "unit": "%"},
            {"year": 2020, "value": 2.5, "kind": "target", "bound": "ge", "indicator_id": "st_share", "measure": "share",
             "unit": "%"},
            {"year": 2020, "value": 0.1, "kind": "target", "bound": "ge", "indicator_id": "share_rise",
             "measure": "growth_rate", "unit": "百分点"})
    r = flags(f, links=RATE_LINK).query("rule == 'rate_vs_levels'").iloc[0]
    # (2.5 - 2.12) / 4 = 0.095 pp/yr < 0.1; 2.12 + 4 * 0.1 = 2.52
    assert r["metric"] == "pp_per_year" and r["value"] == pytest.approx(0.095) and r["severity"] == "info"
    assert "imply 0.095 pp/yr, 0.005 pp/yr less" in r["reason"] and "would be 2.52%" in r["reason"]


def test_part_exceeds_whole():
    links = pd.DataFrame({"relation": ["part_of"], "indicator_id": ["senior"], "of_indicator_id": ["all"], "note": [""]})
    rows = [{"year": 2017, "value": 70000, "kind": "target", "indicator_id": "senior", "indicator_zh": "中级以上", "unit": "人"},
            {"year": 2017, "value": 60000, "kind": "target", "indicator_id": "all", "indicator_zh": "总量", "unit": "人"}]
    out = flags(obs(*rows), links=links)
    assert rules(out) == [("senior", "part_exceeds_whole", "alert")]
    assert "中级以上 (70,000 人, 2017 target) exceeds its whole 总量 (60,000 人)" in out.iloc[0]["reason"]
    rows[1]["bound"] = "ge"                                         # "at least 60,000": no contradiction
    assert flags(obs(*rows), links=links).empty
    rows[1]["bound"], rows[0]["value"] = "eq", 50000
    assert flags(obs(*rows), links=links).empty


def test_flow_cannot_build_stock():
    links = pd.DataFrame({"relation": ["flow_of"], "indicator_id": ["new_neeq"], "of_indicator_id": ["neeq"], "note": [""]})
    stock = path({2014: 3, 2017: 95}, indicator_id="neeq", measure="count_stock", indicator_zh="累计挂牌")

    def flow(values):
        return [{"year": y, "value": v, "kind": "target", "indicator_id": "new_neeq", "measure": "count_flow",
                 "indicator_zh": "新增挂牌"} for y, v in values.items()]

    out = flags(obs(*stock, *flow({2015: 20, 2016: 20, 2017: 20})), links=links)
    r = out[out.rule == "flow_cannot_build_stock"].iloc[0]
    assert (r["severity"], r["direction"], r["value"]) == ("alert", "impossible", 60)   # 60 < 92 needed
    assert "needs 92 new, but the targets for 新增挂牌 add up to only 60 over those 3 years." in r["reason"]
    out = flags(obs(*stock, *flow({2017: 20})), links=links)            # one year stated: assumed every year
    assert "assuming the 20 a year stated for 2017–2017 holds every year" in out[out.rule == "flow_cannot_build_stock"].iloc[0]["reason"]
    out = flags(obs(*stock, *flow({2015: 40, 2016: 40, 2017: 40})), links=links)
    assert "flow_cannot_build_stock" not in set(out["rule"])


# ------------------------------------------------------------------ across levels
def test_escalation_district_versus_city():
    district = path({2017: 262, 2020: 418}, kinds={2017: "target"}, indicator_id="high_tech_enterprises",
                    measure="count_stock", source_id="panyu-2015", region="番禺区")
    city = path({2019: 11400, 2020: 11700}, kinds={2019: "target"}, indicator_id="high_tech_enterprises",
                measure="count_stock", source_id="guangzhou-2019", region="广州市")
    out = flags(obs(*district, *city))
    r = out[out.rule == "escalation"].iloc[0]
    g_d, g_c = ((418 / 262) ** (1 / 3) - 1) * 100, (11700 / 11400 - 1) * 100      # 16.85 and 2.63 %/yr
    assert r["value"] == pytest.approx(g_d - g_c) and r["value"] == pytest.approx(14.22, abs=5e-3)
    assert (r["severity"], r["direction"], r["related_source_id"]) == ("warn", "too_fast", "guangzhou-2019")
    assert r["source_id"] == "panyu-2015" and (r["start_year"], r["end_year"]) == (2017, 2020)
    assert "番禺区 targets 418 家 (16.85 %/yr from 2017) and 广州市 11,700 家 (2.63 %/yr from 2019)" in r["reason"]
    assert "14.22 %/yr above the city's, more than" in r["reason"] and "Dongguan" in r["reason"]
    # a smaller gap than the reference: in the table, not flagged
    assert "escalation" not in set(flags(obs(*district, *city), {"escalation_warn_cagr": 20})["rule"])
    t = escalation_table(segments(obs(*district, *city)), REGIONS)
    assert len(t) == 1 and t.iloc[0]["growth_gap"] == pytest.approx(g_d - g_c)
    assert t.iloc[0]["parent_region"] == "广州市" and np.isnan(t.iloc[0]["level_gap"])
    # no parent relation, no comparison
    assert escalation_table(segments(obs(*district, *city)), REGIONS.iloc[0:0]).empty
    # a city above its district is no escalation
    slow = path({2017: 262, 2020: 270}, kinds={2017: "target"}, indicator_id="high_tech_enterprises",
                measure="count_stock", source_id="panyu-2015", region="番禺区")
    assert "escalation" not in set(flags(obs(*slow, *city))["rule"])


def test_escalation_of_a_share_is_in_the_table_with_the_level_gap():
    d = path({2017: 50.51, 2020: 54.1}, kinds={2017: "target"}, indicator_id="high_tech_output_share", measure="share",
             unit="%", source_id="panyu-2015", region="番禺区")
    c = path({2019: 49, 2020: 50}, kinds={2019: "target"}, indicator_id="high_tech_output_share", measure="share",
             unit="%", source_id="guangzhou-2019", region="广州市")
    t = escalation_table(segments(obs(*d, *c)), REGIONS).iloc[0]
    assert t["metric"] == "pp_per_year" and t["growth_gap"] == pytest.approx((54.1 - 50.51) / 3 - 1.0)   # 1.197 - 1.0
    assert t["level_gap"] == pytest.approx(4.1)
    assert "escalation" not in set(flags(obs(*d, *c))["rule"])               # no reference for shares: report only


# ------------------------------------------------------------------ plumbing
def test_bad_threshold_override_through_compute():
    from analysis.analytics import compute

    with pytest.raises(InputError, match="'cagr_alert' = -1 is out of range"):
        compute(load("observations"), {"cagr_alert": -1})


def test_fmt():
    assert [fmt(3.0), fmt(1528), fmt(2.51), fmt(1508.5), fmt(0.28000000000000003), fmt(10163)] == \
        ["3", "1,528", "2.51", "1,508.5", "0.28", "10,163"]
