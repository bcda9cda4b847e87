"""The rule registry (analysis/derive/rules/): every rule is complete (both languages, parameters in
thresholds.yml, an entry in docs/methods.md), fires on a hand-computed example and stays silent on a near miss,
and the all-plans engine (`find`, `pace_judgements`) gives what the plain per-plan code gives on random panels."""
import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _frames import obs, path

from analysis.core import paths, schema
from analysis.derive import flags
from analysis.derive import rules as rules_package
from analysis.derive.cross_level import escalation_table, plan_levels
from analysis.derive.flags import evaluate
from analysis.derive.growth import segments
from analysis.derive.known import pre_plan_actuals
from analysis.derive.paces import JUDGEMENT_COLUMNS, explain_overall, judge_segment, pace_judgements, use_corpus
from analysis.derive.peers import reference_windows
from analysis.derive.rules import BY_NAME, REGISTRY, methods_table
from analysis.derive.rules.alternating_steps import reversals
from analysis.derive.rules.base import Inputs, empty, plans
from analysis.derive.yardsticks import Yardsticks, parents_of
from analysis.inputs.reference import load_rules, load_thresholds
from analysis.pipeline import datasets
from analysis.present import labels
from benchmarks.engine import make_panel

NO_LINKS = pd.DataFrame(columns=["relation", "indicator_id", "of_indicator_id", "note"])
CHAIN = pd.DataFrame({"region": ["番禺区", "广州市", "广东省", "全国"], "region_en": ["Panyu", "Guangzhou", "Guangdong", "China"],
                      "parent": ["广州市", "广东省", "全国", ""], "parent_en": ["", "", "", ""],
                      "level": ["district", "city", "province", "country"]})
METHODS = paths.ROOT / "docs" / "methods.md"
TOLERANCE = 1 - 5.0 / 100                      # flow_stock_tolerance_pct = 5


def inputs(frame: pd.DataFrame, links=NO_LINKS, regions=CHAIN, plan_years=None) -> Inputs:
    th, rules = load_thresholds(), load_rules()
    seg = segments(frame, th)
    judgement = pace_judgements(seg, th, rules, reference_windows(rules), plan_levels(regions), parents_of(regions))
    esc = escalation_table(frame, seg, regions, plan_years, th.at["escalation_max_vintage_gap_years", "value"])
    return Inputs(frame, seg, th, rules, links, regions, judgement, pre_plan_actuals(frame, None, {}), esc)


def normal(f: pd.DataFrame) -> pd.DataFrame:
    """A frame with every missing value as None (text columns hold None or NaN for it, as pandas builds them)."""
    return f.astype(object).where(f.notna(), None)


def by_plan(rule, inp: Inputs) -> pd.DataFrame:
    """The rule's plain per-plan judge over every plan."""
    return pd.concat([rule.judge(plan, inp) for plan in plans(inp)] or [empty()], ignore_index=True)


# ------------------------------------------------------------------ hand-computed examples, one pair per rule
def _links(relation, part, whole):
    return pd.DataFrame({"relation": [relation], "indicator_id": [part], "of_indicator_id": [whole], "note": [""]})


def _level_and_rate(rate, bound="eq"):
    """Levels 750 (2012) → 1,500 (2017) and a stated growth rate for 2017."""
    common = {"indicator_zh": "专利申请量", "unit": "件"}
    return obs({"year": 2012, "value": 750, "kind": "actual", "indicator_id": "patents", **common},
               {"year": 2017, "value": 1500, "kind": "target", "indicator_id": "patents", **common},
               {"year": 2017, "value": rate, "kind": "target", "bound": bound, "indicator_id": "patents_growth",
                "indicator_zh": "专利申请量年均增长率", "measure": "growth_rate", "unit": "%"})


def _stock_and_flows(per_year):
    return obs(*path({2015: 100, 2018: 200}, indicator_id="stock", measure="count_stock", indicator_zh="企业存量"),
               *[{"year": y, "value": per_year, "kind": "target", "indicator_id": "new", "measure": "count_flow",
                  "indicator_zh": "新增企业"} for y in (2016, 2017, 2018)])


def _stock_and_period_flow(total):
    return obs(*path({2015: 100, 2018: 200}, indicator_id="stock", measure="count_stock", indicator_zh="企业存量"),
               {"year": 2018, "value": total, "kind": "target", "indicator_id": "trained", "measure": "count_flow",
                "indicator_zh": "期间新增"})


def _district_and_city(district_end):
    def plan(source, region, end):
        return path({2015: 100, 2018: end}, indicator_id="high_tech_enterprises", measure="count_stock",
                    source_id=source, region=region)
    return obs(*plan("district-plan", "番禺区", district_end), *plan("city-plan", "广州市", 130))


def _cagr(start, end, years):
    return ((end / start) ** (1 / years) - 1) * 100


def _talent(senior, senior_year=2017):
    """Qingyuan's pair: 中级以上 (intermediate title and above) more than 60,000 and 中高级 (intermediate and senior)."""
    common = {"kind": "target", "measure": "count_stock", "unit": "人"}
    return obs({"year": 2017, "value": 60000, "bound": "gt", "indicator_id": "mid_level",
                "indicator_zh": "中级以上专业技术人才", **common},
               {"year": senior_year, "value": senior, "bound": "ge", "indicator_id": "mid_senior",
                "indicator_zh": "中高级专业技术人才", **common})


# rule → (frame that fires, its links, the flag's value), (a near miss, its links)
EXAMPLES = {
    # NEEQ 60 → 1,900 over 3 years: 216.37 %/yr > the NEEQ boom ceiling 205.63 %/yr (3 years) → alert; 60 → 1,600:
    # 198.7 %/yr (a base of 60: a growth rate, not new entries a year)
    "too_fast": ((obs(*path({2014: 60, 2017: 1900}, indicator_id="neeq_listed_companies", measure="count_stock")),
                  NO_LINKS, _cagr(60, 1900, 3)),
                 (obs(*path({2014: 60, 2017: 1600}, indicator_id="neeq_listed_companies", measure="count_stock")),
                  NO_LINKS)),
    # a 2017 target of 45 after an actual of 50 for 2014: met when set (value 45 against 50)
    "already_met_when_set": ((obs(*path({2014: 50, 2017: 45}, unit="亿元")), NO_LINKS, 45.0),
                             (obs(*path({2014: 50, 2017: 55}, unit="亿元")), NO_LINKS)),
    # actuals 100 → 200 (2015–2017: 41.42 %/yr); 210 for 2019 asks 2.47 %/yr from 200, below half of it
    "too_slow": ((obs(*path({2015: 100, 2017: 200, 2019: 210}, kinds={2015: "actual", 2017: "actual"})), NO_LINKS,
                  _cagr(200, 210, 2)),
                 (obs(*path({2015: 100, 2017: 200, 2019: 200 * 1.26 ** 2}, kinds={2015: "actual", 2017: "actual"})),
                  NO_LINKS)),
    # targets 60 (2017) then 55 (2020): the step falls by 2.86 %/yr
    "target_backwards": ((obs(*path({2014: 50, 2017: 60, 2020: 55})), NO_LINKS, _cagr(60, 55, 3)),
                         (obs(*path({2014: 50, 2017: 60, 2020: 65})), NO_LINKS)),
    # a cumulative count 10 → 8: falls by 7.17 %/yr
    "stock_falls": ((obs(*path({2014: 10, 2017: 8}, measure="count_stock", indicator_zh="累计上市企业数量")), NO_LINKS,
                     _cagr(10, 8, 3)),
                    (obs(*path({2014: 10, 2017: 12}, measure="count_stock", indicator_zh="累计上市企业数量")), NO_LINKS)),
    "share_above_100": ((obs(*path({2014: 80, 2017: 105}, measure="share", unit="%")), NO_LINKS, 105.0),
                        (obs(*path({2014: 80, 2017: 100}, measure="share", unit="%")), NO_LINKS)),
    # 750 → 1,500 in 5 years is 14.87 %/yr, the document states 20 %/yr; "at least 14 %/yr" agrees with it
    "rate_vs_levels": ((_level_and_rate(20.0), _links("rate_of", "patents_growth", "patents"), _cagr(750, 1500, 5)),
                       (_level_and_rate(14.0, "ge"), _links("rate_of", "patents_growth", "patents"))),
    # a part of 120 in a whole of 100
    "part_exceeds_whole": ((obs({"year": 2017, "value": 120, "kind": "target", "indicator_id": "part"},
                                {"year": 2017, "value": 100, "kind": "target", "indicator_id": "whole"}),
                            _links("part_of", "part", "whole"), 120.0),
                           (obs({"year": 2017, "value": 90, "kind": "target", "indicator_id": "part"},
                                {"year": 2017, "value": 100, "kind": "target", "indicator_id": "whole"}),
                            _links("part_of", "part", "whole"))),
    # near-synonyms (中级以上 ≈ 中高级) 60,000 and 6,000 for 2017: 10 times apart > 5; 60,000 and 15,000: 4 times
    "near_synonyms_far_apart": ((_talent(6000), NO_LINKS, 10.0), (_talent(15000), NO_LINKS)),
    # the stock rises by 100 in 3 years; 3 × 10 new a year is 30 (3 × 40 = 120 would do)
    "flow_cannot_build_stock": ((_stock_and_flows(10), _links("flow_of", "new", "stock"), 30.0),
                                (_stock_and_flows(40), _links("flow_of", "new", "stock"))),
    # the stock rises by 100 over the period; 50 new entries stated for it (100 would do)
    "stock_change_vs_flow": ((_stock_and_period_flow(50), _links("period_flow_of", "trained", "stock"), 50.0),
                             (_stock_and_period_flow(100), _links("period_flow_of", "trained", "stock"))),
    # district 100 → 200 (25.99 %/yr) under its city's 100 → 130 (9.14 %/yr), same vintage: gap 16.85 > 5
    "escalation": ((_district_and_city(200), NO_LINKS, _cagr(100, 200, 3) - _cagr(100, 130, 3)),
                   (_district_and_city(140), NO_LINKS)),
    # targets 12, 11, 13, 12 (2017–2020, after an actual of 10): down, up, down, two changes of direction;
    # 12, 11, 13, 14: one change (the actual 10 → 12 is not a target's direction)
    "alternating_steps": ((obs(*path({2016: 10, 2017: 12, 2018: 11, 2019: 13, 2020: 12})), NO_LINKS, 2.0),
                          (obs(*path({2016: 10, 2017: 12, 2018: 11, 2019: 13, 2020: 14})), NO_LINKS)),
}
YEARS = {"district-plan": 2015, "city-plan": 2015}


@pytest.mark.parametrize("rule", REGISTRY, ids=lambda r: r.name)
def test_every_rule_fires_on_its_example_and_not_on_the_near_miss(rule):
    assert rule.name in EXAMPLES, f"add a hand-computed example of {rule.name} to EXAMPLES"
    (frame, links, value), (miss, miss_links) = EXAMPLES[rule.name]
    inp = inputs(frame, links, plan_years=YEARS)
    fired = flags.run(rule, inp)                            # its find, or its judge plan by plan
    assert len(fired) == 1 and fired.iloc[0]["rule"] == rule.name
    r = fired.iloc[0]
    assert r["value"] == pytest.approx(value, abs=1e-9)
    assert r["severity"] in rule.severities and r["direction"] == rule.direction
    # the two reasons say the same: every number of the English one stands in the Chinese one
    numbers = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
    assert r["reason"].endswith(".") and r["reason_zh"].endswith("。")
    assert sorted(numbers.findall(r["reason"])) == sorted(numbers.findall(r["reason_zh"])), (r["reason"], r["reason_zh"])
    pd.testing.assert_frame_equal(normal(by_plan(rule, inp)), normal(fired))
    assert flags.run(rule, inputs(miss, miss_links, plan_years=YEARS)).empty


def test_the_registry_is_every_rule_module_with_its_labels_and_the_flags_name_only_its_rules():
    modules = {p.stem for p in Path(rules_package.__file__).parent.glob("*.py") if not p.stem.startswith("_")}
    assert sorted(r.name for r in REGISTRY) == sorted(modules - {"base"})      # a rule is named as its module
    assert set(datasets.load("flags")["rule"]) <= set(BY_NAME)
    th = load_thresholds()
    for r in REGISTRY:
        assert r.direction in schema.DIRECTIONS and set(r.severities) <= set(schema.SEVERITIES), r.name
        assert set(r.parameters) <= set(th["name"]), (r.name, set(r.parameters) - set(th["name"]))
        for words in (r.label, r.fires_when):
            assert words.zh and words.en and re.search(r"[\u4e00-\u9fff]", words.zh), r.name
        assert labels.value("rule", r.name, "zh") == r.label.zh and labels.value("rule", r.name, "en") == r.label.en


def test_methods_carries_every_rule():
    text = METHODS.read_text(encoding="utf-8")
    assert methods_table() in text, "docs/methods.md: rules table out of date (python -m analysis.derive.rules)"
    headings = set(re.findall(r"^#+ (.+)$", text, flags=re.M))
    for r in REGISTRY:
        assert r.section in headings, (r.name, r.section)


# ------------------------------------------------------------------ the engine against the plain code
@pytest.fixture(scope="module")
def panel():
    """A seeded panel of 28 plans × 12 indicators (the ten real ones and two synthetic, one of them the yearly new
    high-tech enterprises) × 5 years: every rule the synthetic data can trigger fires, at every severity it reaches
    on 40 plans, and every yardstick but own history, all indicators and the ceiling is used (the tests below check
    all three), as with 40 plans × 40 indicators × 10 years, at a small part of the work the plain code does plan by
    plan. (Seed 14 of 28 plans gives every rule, severity and yardstick that seeds 5 and 6 of 40 plans gave.)"""
    o, links, regions = make_panel(28, n_indicators=12, n_years=5, seed=14)
    o = o.copy()
    rng = np.random.default_rng(14)
    o.loc[o["indicator_id"] == "high_tech_enterprises", "indicator_zh"] = "累计高新技术企业"
    o.loc[(o["kind"] == "target") & (rng.random(len(o)) < 0.03), "value"] *= rng.choice([0.5, 3.0])
    o.loc[(o["measure"] == "share") & (o["kind"] == "target") & (rng.random(len(o)) < 0.02), "value"] = 120.0
    years = {s: 2014 + i % 4 for i, s in enumerate(pd.unique(o["source_id"]))}
    return inputs(o, links, regions, years)


@pytest.mark.slow(seconds=7)
def test_every_rule_finds_what_its_plain_judge_finds(panel):
    fired = set()
    for rule in (r for r in REGISTRY if r.find is not None):      # a rule without find runs its judge
        engine, plain = rule.find(panel), by_plan(rule, panel)
        key = ["source_id", "indicator_id", "start_year", "end_year", "related_source_id", "reason"]
        a, b = (normal(f.sort_values(key, kind="stable").reset_index(drop=True)) for f in (engine, plain))
        pd.testing.assert_frame_equal(a, b, obj=rule.name)
        fired |= set(zip(engine["rule"], engine["severity"]))
    assert fired >= {("too_fast", "info"), ("too_fast", "warn"), ("already_met_when_set", "warn"),
                     ("target_backwards", "warn"), ("share_above_100", "alert"), ("escalation", "warn"),
                     ("too_slow", "info"), ("too_slow", "warn"), ("stock_falls", "alert"), ("rate_vs_levels", "info"),
                     ("rate_vs_levels", "warn"), ("part_exceeds_whole", "alert"), ("flow_cannot_build_stock", "alert"),
                     ("alternating_steps", "info")}, fired


@pytest.mark.slow
def test_pace_judgements_are_judge_segment_over_every_segment(panel):
    sticks = Yardsticks(reference_windows(panel.rules), panel.rules, panel.thresholds, parents_of(panel.regions))
    levels = plan_levels(panel.regions)
    use_corpus(sticks, panel.segments, panel.judgement, levels)        # the corpus ambition among plans reads
    # every segment of four plans, one at a time (judge_segment is the whole engine on one row: ~40 ms)
    mine = panel.segments["source_id"].isin(pd.unique(panel.segments["source_id"])[:4]).to_numpy()
    sample = panel.segments[mine].reset_index(drop=True)
    plain = explain_overall(sample, pd.DataFrame(
        [judge_segment(s, sticks, levels) for s in sample.itertuples(index=False)], columns=JUDGEMENT_COLUMNS))
    pd.testing.assert_frame_equal(normal(panel.judgement[mine].reset_index(drop=True)), normal(plain))
    assert plain["judged"].any() and (~plain["judged"]).any()
    used = set(panel.judgement["yardstick"].dropna())
    assert used == set(schema.YARDSTICKS) - {"own history", "ambition (all indicators)", "ceiling only"}, used


def test_evaluate_runs_the_judge_of_a_rule_without_find(monkeypatch):
    frame, links, _ = EXAMPLES["share_above_100"][0]
    rule = BY_NAME["share_above_100"]
    without = tuple(dataclasses.replace(r, find=None) if r is rule else r for r in REGISTRY)
    monkeypatch.setattr(flags, "REGISTRY", without)
    out = evaluate(frame, segments(frame, load_thresholds()), links=links, regions=CHAIN)
    assert list(out["rule"]) == ["share_above_100"] and "比重不能超过 100%" in out.iloc[0]["reason_zh"]


def test_near_synonyms_need_the_same_year_and_a_declared_qualifier():
    rule = BY_NAME["near_synonyms_far_apart"]
    assert flags.run(rule, inputs(_talent(6000, senior_year=2018))).empty            # another year: not a pair
    other = _talent(6000).assign(indicator_zh=["中级以上专业技术人才", "高级专业技术人才"])   # 高级 is not declared
    assert flags.run(rule, inputs(other)).empty
    fired = flags.run(rule, inputs(_talent(6000)))
    assert fired.iloc[0]["reason"].startswith("For 2017 the plan sets '中级以上专业技术人才' (more than 60,000 人) and "
                                              "'中高级专业技术人才' (at least 6,000 人), near-synonymous categories "
                                              "(中级以上 ≈ 中高级), 10 times apart")


def test_near_synonyms_find_is_its_judge_over_several_plans():
    rule = BY_NAME["near_synonyms_far_apart"]
    frames = [_talent(v).assign(source_id=s) for s, v in (("p1", 6000), ("p2", 20000), ("p3", 100))]
    third = obs({"year": 2017, "value": 500, "kind": "target", "bound": "ge", "indicator_id": "mid_up",
                 "indicator_zh": "中级及以上专业技术人才", "measure": "count_stock", "unit": "人", "source_id": "p3"})
    inp = inputs(pd.concat([*frames, third], ignore_index=True))
    found = rule.find(inp)
    # p1: 10 times; p2: 3 (silent); p3: 60,000 / 100 = 600, 60,000 / 500 = 120, 500 / 100 = 5 (at the limit: silent)
    assert sorted(zip(found["source_id"], found["value"].round(6))) == [("p1", 10.0), ("p3", 120.0), ("p3", 600.0)]
    pd.testing.assert_frame_equal(normal(found), normal(by_plan(rule, inp)))


def test_reversals_count_changes_of_direction_by_hand():
    assert reversals([10, 8, 12, 9]) == 2            # down, up, down: two changes
    assert reversals([1, 2, 2, 3, 1]) == 1           # up, (flat: no direction), up, down
    assert reversals([5, 5, 5]) == 0 and reversals([1, 2]) == 0
