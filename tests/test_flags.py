"""Flags: each rule fires and does not fire (hand-built frames, hand-computed numbers), and the real judgement calls."""
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from _frames import obs, path

from analysis.core.errors import InputError
from analysis.derive.cross_level import escalation_table, plan_levels
from analysis.derive.flags import evaluate
from analysis.derive.growth import segments
from analysis.derive.known import pre_plan_actuals
from analysis.derive.paces import pace_judgements
from analysis.derive.peers import WINDOW_COLUMNS
from analysis.derive.rules import too_fast
from analysis.derive.rules.base import COLUMNS
from analysis.derive.sentences import fmt
from analysis.inputs.reference import load_regions, load_thresholds
from analysis.pipeline.datasets import load

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


def one(f, source, indicator, rule=None):
    f = f[(f.source_id == source) & (f.indicator_id == indicator)]
    return f if rule is None else f[f.rule == rule]


def test_panyu_neeq_leap_is_judged_by_new_entries_a_year(real):
    # 3 → 95 listings 2014–2017: (95 − 3) / 3 = 30.67 new a year, not 216 %/yr; no peer, own-history or national
    # series of NEEQ listings in new entries a year, and no ceiling applies to increments: not judged, saying why
    assert one(real, "panyu-2015", "neeq_listed_companies").query("start_year == 2014").empty
    seg = load("segments")
    s = seg[(seg.source_id == "panyu-2015") & (seg.indicator_id == "neeq_listed_companies") & (seg.segment == "step")
            & (seg.start_year == 2014)].iloc[0]
    assert s["metric_judged"] == "new_per_year" and s["pace_judged"] == pytest.approx(92 / 3)
    assert not s["judged"] and "judged by its new entries a year" in s["not_judged_because"]
    assert "no ceiling applies to new entries a year" in s["not_judged_because"]


def test_panyu_patent_targets_sit_among_their_peers(real):
    # invention grants 403 → 730 (21.9 %/yr) and applications 1528 → 3115 (26.8 %/yr), 2014–2017, against 22
    # three-year windows of Guangdong cities' invention grants: no flag (they were `warn` against national paces)
    for ind in ("invention_patent_grants", "invention_patent_applications"):
        assert one(real, "panyu-2015", ind).empty, ind
    seg = load("segments")
    s = seg[(seg.source_id == "panyu-2015") & seg.indicator_id.isin(["invention_patent_grants",
                                                                      "invention_patent_applications"])
            & (seg.segment == "step")]
    assert s["judged"].all() and (s["peer_n"] >= 8).all()
    assert set(s["yardstick"]) == {"peers", "peers (proxy)"}
    assert ((s["peer_percentile"] > 25) & (s["peer_percentile"] < 75)).all()


def test_panyu_rd_intensity_peers_leave_out_guangzhou(real):
    # Panyu (a district of Guangzhou): Guangzhou's windows are its own family's and leave the peer set; what
    # remains (4 three-year windows of 2 regions) is too few regions. The lower-grade yardstick, the 30 provinces
    # other than Guangdong, has a faster window than 0.28 pp/yr: Beijing 2017 → 2020 in the yearbook's table 1-8,
    # 5.28612 → 6.444354 % (provincial_panel.csv lines 4098, 4101): 0.386 pp/yr. The former warn does not survive.
    seg = load("segments")
    s = seg[(seg.source_id == "panyu-2015") & (seg.indicator_id == "rd_intensity") & (seg.segment == "step")]
    assert (s["peer_excluded"] == "广州市").all() and (s["peer_regions"] < 5).all()
    assert "广州市" not in " ".join(s["peer_max_window"].dropna())
    assert (s["yardstick"] == "provinces (lower grade)").all() and (s["province_regions"] == 30).all()
    assert ((s["province_max"] - (6.444354 - 5.28612) / 3).abs() < 1e-9).all()
    assert (s["province_max_window"] == "北京市 2017–2020").all()
    assert one(real, "panyu-2015", "rd_intensity", "too_fast").empty


def test_agreeing_floors_are_not_inconsistent(real):
    assert real[real.rule == "rate_vs_levels"].empty               # Nanming 0.1 pp/yr & 2.5 %; Qingyuan 15 % & 1500


def test_plans_of_different_vintages_are_context_only(real):
    assert real[real.rule == "escalation"].empty
    esc = load("escalation")
    hte = esc[(esc.source_id == "panyu-2015") & (esc.related_source_id == "guangzhou-2019")
              & (esc.indicator_id == "high_tech_enterprises")].iloc[0]
    assert hte["vintage_gap_years"] == 4 and not hte["same_vintage"] and np.isnan(hte["growth_gap"])
    assert hte["comparison"].startswith("context only")


def test_guangzhou_technology_contracts_surface_as_too_slow(real):
    r = one(real, "guangzhou-2019", "tech_contract_turnover", "too_slow").iloc[0]
    # > 850 for 2019 from 719.38 (2018): 18.16 %/yr, against 357.51 → 719.38 (2017–2018): 101.22 %/yr
    assert r["value"] == pytest.approx((850 / 719.38 - 1) * 100)
    assert r["threshold"] == pytest.approx(0.5 * (719.38 / 357.51 - 1) * 100)
    assert r["severity"] == "info" and "hindsight" in r["reason"]   # the pages we cite appeared after the plan


def test_every_segment_says_whether_it_was_judged():
    seg = load("segments")
    assert seg["judged"].isin([True, False]).all()
    assert seg.loc[~seg["judged"], "not_judged_because"].str.len().gt(10).all()
    assert seg.loc[seg["judged"], "not_judged_because"].isna().all()
    share = seg[(seg.indicator_id == "firms_with_rd_institution_share") & (seg.segment == "step")].iloc[0]
    # no peers, own history, provinces or national series: set against every other plan's pp/yr steps
    assert share["judged"] and share["yardstick"] == "ambition (all indicators)" and share["ambition_n"] == 6
    listed = seg[(seg.indicator_id == "listed_companies") & (seg.segment == "step")].iloc[0]
    assert not listed["judged"] and "no full annual national series" in listed["not_judged_because"]


def test_every_reason_agrees_with_the_judgement_columns():
    """Each not_judged_because is true of the row: an overall row says its steps are judged only when every target
    step of its path is; a step's reasons match its peer counts, own history and ceiling."""
    seg = load("segments")
    levels = plan_levels(load_regions())
    step = (seg.segment == "step") & (seg.end_kind != "actual")
    unjudged = set(zip(*seg.loc[step & ~seg.judged, ["source_id", "indicator_id"]].T.to_numpy()))
    for r in seg[seg.segment == "overall"].itertuples():
        said_judged = r.not_judged_because.endswith("which are judged")
        assert said_judged == ((r.source_id, r.indicator_id) not in unjudged), r
    for r in seg[step & ~seg.judged].itertuples():
        why = r.not_judged_because
        if not why.startswith("not judged:"):
            assert why.startswith("no annual rate") and r.metric not in ("cagr", "pp_per_year"), r
            continue
        assert f"{int(r.peer_n)} peer windows" in why and f"from {int(r.peer_regions)} region" in why, r
        assert (r.peer_n < 8 or r.peer_regions < 5) and np.isnan(r.history_ratio) and r.national_n == 0, r
        assert pd.isna(r.ceiling_name), r
        assert ("judged by its new entries a year" in why) == (r.metric_judged == "new_per_year"), r
        # ambition among plans: no scope had enough other plans, and the count said is the indicator's
        assert pd.isna(r.ambition_scope) and r.ambition_n < 3, r
        if not np.isfinite(r.pace_judged):
            assert "ambition among plans: the step has no finite pace" in why, r
        elif r.metric_judged == "new_per_year":       # only plans of the same level and unit; never all indicators
            assert (f"compared only with plans of the same level ({levels[r.region]}) in {r.unit}: fewer than 3 "
                    f"other plans with steps of {r.indicator_id} ({int(r.ambition_n)}) or of " in why), r
        else:
            measured = "pp/yr" if r.metric_judged == "pp_per_year" else "%/yr"
            assert f"fewer than 3 other plans with steps of {r.indicator_id} ({int(r.ambition_n)}), of " in why, r
            assert f"or of any indicator in {measured} over" in why, r
        assert "own history: " in why and pd.isna(r.history_window), r     # no own window was found
    judged = seg[step & seg.judged]
    scopes = {"indicator": "ambition (indicator)", "family": "ambition (family)", "all": "ambition (all indicators)"}
    amb = judged["yardstick"].isin(scopes.values())
    assert (judged.loc[amb, "ambition_n"] >= 3).all() and judged.loc[amb, "ambition_scope"].notna().all()
    assert (judged.loc[amb, "yardstick"] == judged.loc[amb, "ambition_scope"].map(scopes)).all()
    # new entries a year: never across all indicators, and only against a plan of the same level
    new = judged[amb & (judged["metric_judged"] == "new_per_year")]
    assert (new["ambition_scope"] != "all").all()
    region_of = dict(zip(seg["source_id"], seg["region"]))
    assert all(levels[region_of[r.ambition_max_plan]] == levels[r.region] for r in new.itertuples())
    assert judged["yardstick"].notna().all()
    peers = judged["yardstick"].isin(["peers", "peers (proxy)"])
    assert ((judged.loc[peers, "peer_n"] >= 8) & (judged.loc[peers, "peer_regions"] >= 5)).all()


# ------------------------------------------------------------------ too fast: the judgement rule, hand-built windows
def windows(paces, indicator="ind", level="city", years=3, scope="peer", start=2010):
    rows = []
    for i, p in enumerate(paces):
        rows.append({"scope": scope, "indicator_id": indicator, "level": level, "region": f"r{i}", "series": "t",
                     "start_year": start + i, "end_year": start + i + years, "years": years, "start_value": 1.0,
                     "end_value": 1.0, "metric": "cagr", "pace": p, "lines": f"{i}", "source_url": "u"})
    return pd.DataFrame(rows, columns=WINDOW_COLUMNS)


def judge(frame, wins, overrides=None, rules=None):
    th = load_thresholds(overrides)
    seg = segments(frame, th)
    rules = rules or {"ceilings": {"cagr": "cagr_alert"}, "peers": {"levels": {"district": ["district", "city"]},
                                                                     "proxies": {"proxied": "ind"}},
                      "national_series": {}}
    j = pace_judgements(seg, th, rules, wins, {"番禺区": "district"})
    return seg, j, evaluate(frame, seg, th, links=NO_LINKS, regions=REGIONS, rules=rules, judgement=j)


TEN = [5.0, 10.0, 12.0, 15.0, 18.0, 20.0, 22.0, 25.0, 30.0, 40.0]     # ten 3-year city windows, %/yr


def test_peer_percentile_and_tiers():
    # 100 → 160 over 3 years: 16.96 %/yr, 4 of 10 windows at or below: percentile 40, no flag
    seg, j, f = judge(obs(*path({2014: 100, 2017: 160}, measure="count_flow")), windows(TEN))
    row = j[seg.segment.eq("step").to_numpy()].iloc[0]
    assert row["judged"] and row["yardstick"] == "peers" and row["peer_n"] == 10 and row["peer_percentile"] == 40
    # region-weighted: each of the ten regions holds a tenth; the smallest pace with 90 % at or below it is 30
    assert row["peer_p_info"] == 30.0 and row["peer_regions"] == 10
    assert f.empty
    # 100 → 250: 35.72 %/yr: above p90 (30), below the maximum 40: info, and a knife edge
    seg, j, f = judge(obs(*path({2014: 100, 2017: 250}, measure="count_flow")), windows(TEN))
    r = f.iloc[0]
    assert (r["rule"], r["severity"], r["threshold_name"]) == ("too_fast", "info", "peer_info_percentile")
    assert r["threshold"] == pytest.approx(30.0) and r["peer_percentile"] == 90
    assert r["robust"] == "knife_edge"                      # 35.72 < p99 = 40: does not survive the p99 yardstick
    # leave one region out: without r8 (30) the p90 of the other nine is 40 (25 holds 8/9 < 90 %): not info
    assert j[seg.segment.eq("step").to_numpy()].iloc[0]["loro"] == "knife_edge"
    # 100 → 300: 44.22 %/yr, above every window: warn; margin 44.22 / 40
    seg, j, f = judge(obs(*path({2014: 100, 2017: 300}, measure="count_flow")), windows(TEN))
    r = f.iloc[0]
    assert (r["severity"], r["threshold"], r["peer_max"]) == ("warn", 40.0, 40.0)
    assert r["margin"] == pytest.approx((3 ** (1 / 3) - 1) * 100 / 40) and r["robust"] == "robust"
    assert j[seg.segment.eq("step").to_numpy()].iloc[0]["loro"] == "robust"     # without r9 the fastest is 30
    assert "above every one of the 10 3-year windows" in r["reason"] and "r9 2019–2022" in r["reason"]


def test_a_flag_is_robust_only_if_the_neighbouring_window_lengths_agree():
    # 100 → 300 over 3 years (44.22 %/yr) is above every 3-year window (warn); ten 4-year windows of other regions
    # reach 50 %/yr, so one year longer the pace is not above every window: knife_edge
    four = windows([p + 10 for p in TEN], years=4).assign(region=[f"q{i}" for i in range(10)])
    seg, j, f = judge(obs(*path({2014: 100, 2017: 300}, measure="count_flow")), pd.concat([windows(TEN), four]))
    row = j[seg.segment.eq("step").to_numpy()].iloc[0]
    assert (row["severity"], row["loro"], row["windows_pm1"]) == ("warn", "robust", "knife_edge")
    assert f.iloc[0]["robust"] == "knife_edge"
    # 4-year windows all slower than 44.22 (5 … 40): the warn stands one year longer too
    seg, j, f = judge(obs(*path({2014: 100, 2017: 300}, measure="count_flow")),
                      pd.concat([windows(TEN), four.assign(pace=TEN)]))
    assert j[seg.segment.eq("step").to_numpy()].iloc[0]["windows_pm1"] == "robust" and f.iloc[0]["robust"] == "robust"


def test_peers_need_the_same_window_length_and_level():
    # the same ten windows but 4 years long, or at province level: no peers for a 3-year district segment
    for w in (windows(TEN, years=4), windows(TEN, level="province")):
        seg, j, f = judge(obs(*path({2014: 100, 2017: 300}, measure="count_flow")), w)
        row = j[seg.segment.eq("step").to_numpy()].iloc[0]
        assert row["peer_n"] == 0 and row["yardstick"] == "ceiling only" and f.empty


def annual(paces, start=2010):
    """A national series of one-year windows, one a year from `start`."""
    return windows(paces, scope="national", level="country", years=1, start=start).assign(
        start_year=[start + i for i in range(len(paces))], end_year=[start + i + 1 for i in range(len(paces))])


def test_too_few_peers_fall_back_to_a_full_annual_national_series_then_say_not_judged():
    few = windows(TEN[:5])
    # eight years at 10 %/yr but one at 30: the fastest 3-year window compounds 1.1 × 1.1 × 1.3 → 16.32 %/yr
    nat = annual([10.0, 10.0, 10.0, 30.0, 10.0, 10.0, 10.0, 10.0])
    seg, j, f = judge(obs(*path({2014: 100, 2017: 250}, measure="count_flow")), pd.concat([few, nat]))
    r = f.iloc[0]
    assert (r["severity"], r["yardstick"]) == ("info", "national")
    assert r["threshold"] == pytest.approx(((1.1 * 1.1 * 1.3) ** (1 / 3) - 1) * 100)
    assert "only 5 comparable regional windows of 3 years from 5 regions exist" in r["reason"]
    assert "fastest of the 6 3-year windows of the full annual national series" in r["reason"]
    # the national window is named in the reader's language (sentences.window), never "China … lines" on a zh page
    th = load_thresholds(None)
    rules = {"ceilings": {"cagr": "cagr_alert"}, "peers": {"levels": {"district": ["district", "city"]},
                                                           "proxies": {"proxied": "ind"}}, "national_series": {}}
    frame = obs(*path({2014: 100, 2017: 250}, measure="count_flow"))
    zh = evaluate(frame, seg, th, links=NO_LINKS, regions=REGIONS, rules=rules, judgement=j)
    zh = zh.iloc[0]["reason_zh"]
    assert "全国逐年序列 6 个 3 年窗口中最快的" in zh and not re.search(r"[A-Za-z]{2,}", zh.replace("growth_references.csv", "")), zh
    # two national rows are no series: not used (the "whichever two rows exist")
    seg, j, f = judge(obs(*path({2014: 100, 2017: 250}, measure="count_flow")), pd.concat([few, annual([12.0, 30.0])]))
    assert f.empty and j[seg.segment.eq("step").to_numpy()].iloc[0]["national_n"] == 0
    # a 3-year ceiling does not fit a 2-year segment; no peers, no national series: not judged, with the reason
    seg, j, f = judge(obs(*path({2015: 100, 2017: 300}, measure="count_flow")), few)
    row = j[seg.segment.eq("step").to_numpy()].iloc[0]
    assert not row["judged"] and "measured over 3 years, longer than this 2-year segment" in row["not_judged_because"]


def test_proxy_series_stand_in_when_the_own_series_is_thin():
    seg, j, f = judge(obs(*path({2014: 100, 2017: 300}, measure="count_flow", indicator_id="proxied")), windows(TEN))
    r = f.iloc[0]
    assert r["yardstick"] == "peers (proxy)" and "windows of ind, standing in for proxied" in r["reason"]


def test_ceiling_alerts_and_small_counts():
    # 60 → 1,900 over 3 years: 216 %/yr > 205.63 (NEEQ boom, 3 years): alert
    seg, j, f = judge(obs(*path({2014: 60, 2017: 1900}, measure="count_stock")), windows(TEN))
    assert rules(f) == [("ind", "too_fast", "alert")]
    # 3 → 95 is judged by new entries a year, 30.67, against the peers' increments (1, 2, …, 10 a year): above
    # every one (warn); no growth-rate ceiling applies to increments
    counts = windows(TEN).assign(start_value=10.0, end_value=[10.0 + 3 * k for k in range(1, 11)])
    seg, j, f = judge(obs(*path({2014: 3, 2017: 95}, measure="count_stock")), counts)
    assert rules(f) == [("ind", "too_fast", "warn")]
    assert f.iloc[0]["value"] == pytest.approx(92 / 3) and f.iloc[0]["threshold"] == pytest.approx(10.0)
    # 2 → 4 labs: no peers of 1 year (and no ceiling for increments): not judged
    seg, j, f = judge(obs(*path({2019: 2, 2020: 4}, measure="count_stock")), windows(TEN, years=1).iloc[:0])
    row = j[seg.segment.eq("step").to_numpy()].iloc[0]
    assert not row["judged"] and "starting below 50" in row["not_judged_because"] and f.empty


def test_too_fast_judges_the_minimum_of_a_band():
    # about 250 (± 5 %) from 100 over 3 years: at least (237.5 / 100) ** (1/3) - 1 = 33.42 %/yr: info (p90 = 31)
    rows = path({2014: 100, 2017: 250}, measure="count_flow")
    rows[1]["bound"] = "approx"
    seg, j, f = judge(obs(*rows), windows(TEN))
    assert f.iloc[0]["value"] == pytest.approx((2.375 ** (1 / 3) - 1) * 100) and "at least 33.42 %/yr" in f.iloc[0]["reason"]
    rows[1]["value"] = 230                                          # low end 218.5: 29.76 %/yr < 30
    assert judge(obs(*rows), windows(TEN))[2].empty


def test_actual_history_is_not_judged():
    out = flags(obs(*path({2010: 3, 2013: 95}, kinds={2010: "actual", 2013: "actual"}, indicator_id="neeq_listed_companies",
                          measure="count_stock")))
    assert out.empty


# ------------------------------------------------------------------ too slow, backwards, impossible
def test_already_met_when_set_and_target_backwards():
    out = flags(obs(*path({2014: 50, 2017: 45, 2020: 40}, indicator_id="money", unit="亿元")))
    assert rules(out) == [("money", "already_met_when_set", "warn"), ("money", "target_backwards", "warn")]
    bb = out[out.rule == "already_met_when_set"].iloc[0]
    assert bb["direction"] == "too_slow" and bb["value"] == 45 and bb["threshold"] == 50
    assert "at or below the 50 亿元 already reached in 2014" in bb["reason"] and "the plan itself states" in bb["reason"]
    assert out[out.rule == "target_backwards"].iloc[0]["direction"] == "inconsistent"
    assert flags(obs(*path({2014: 50, 2017: 55, 2020: 60}, indicator_id="money", unit="亿元"))).empty


def test_too_slow_against_the_pre_plan_pace():
    # actuals 100 (2015) → 200 (2017): 41.42 %/yr; target 2019 ≥ 210: 2.47 %/yr from 200, 0.06 of the pace
    kinds = {2015: "actual", 2017: "actual"}
    out = flags(obs(*path({2015: 100, 2017: 200, 2019: 210}, kinds=kinds)))
    r = out[out.rule == "too_slow"].iloc[0]
    assert r["severity"] == "warn" and r["value"] == pytest.approx((np.sqrt(1.05) - 1) * 100)
    assert r["threshold"] == pytest.approx(0.5 * (np.sqrt(2) - 1) * 100) and r["robust"] == "robust"
    assert "realised 2015–2017 (100 → 200)" in r["reason"]
    # 0.3 of the pace: info; 0.6: nothing
    mid = flags(obs(*path({2015: 100, 2017: 200, 2019: 200 * 1.1243 ** 2}, kinds=kinds)))
    assert rules(mid) == [("ind", "too_slow", "info")]
    assert flags(obs(*path({2015: 100, 2017: 200, 2019: 200 * 1.26 ** 2}, kinds=kinds))).empty


def test_published_actuals_count_as_known_only_before_the_plan():
    from analysis.inputs.registry import Source
    frame = obs(*path({2019: 210}, kinds={2019: "target"}))
    pub = pd.DataFrame({"region": ["番禺区"] * 2, "indicator_id": ["ind"] * 2, "year": [2015, 2017], "value": [100.0, 200.0],
                        "published_date": ["2016-03", "2019-01-10"], "source": ["u1", "u2"], "line": [2, 3]})
    src = Source("src", "f", "x", "t", "i", "番禺区", "Panyu", "2019-09", None, "simplified", None)
    known = pre_plan_actuals(frame, pub, {"src": src})
    assert list(known["known"]) == ["published before the plan"] * 2
    src_early = Source("src", "f", "x", "t", "i", "番禺区", "Panyu", "2018", None, "simplified", None)
    known = pre_plan_actuals(frame, pub, {"src": src_early})
    assert list(known["year"]) == [2015, 2017] and list(known["known"]) == ["published before the plan", "published later"]


def test_stock_falls():
    f = obs(*path({2014: 10, 2017: 12, 2020: 8}, kinds={2014: "actual", 2017: "target"}, indicator_id="cum",
                  measure="count_stock", indicator_zh="累计上市企业数量"),
            *path({2014: 10, 2017: 10}, indicator_id="flat", measure="count_stock", indicator_zh="累计"))
    out = flags(f)
    assert ("cum", "stock_falls", "alert") in rules(out)
    assert "cannot fall" in out[out.rule == "stock_falls"].iloc[0]["reason"]


def test_share_above_100():
    # observations.csv never holds one (validation refuses it), but a researcher's own frame may
    f = obs({"year": 2014, "value": 80, "kind": "actual", "measure": "share", "unit": "%"},
            {"year": 2017, "value": 105, "kind": "target", "measure": "share", "unit": "%"})
    out = flags(f)
    assert ("ind", "share_above_100", "alert") in rules(out)
    f.loc[1, "value"] = 100
    assert "share_above_100" not in set(flags(f)["rule"])


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


def test_stated_rate_and_level_floors_that_agree_qingyuan():
    # ≥ 15 %/yr and 1500 件以上 from 750: the levels allow ≥ 14.87 %/yr, the statement ≥ 15: both hold at 15 %/yr
    # (750 × 1.15⁵ = 1508.5 ≥ 1500): consistent
    assert "rate_vs_levels" not in set(flags(qingyuan(), links=RATE_LINK)["rule"])
    assert "rate_vs_levels" not in set(flags(qingyuan(14.0), links=RATE_LINK)["rule"])


def test_stated_rate_against_level_intervals():
    # a rate of exactly 10 %/yr cannot reach ≥ 1500 from 750 (needs ≥ 14.87): gap 4.87 > 1.0 → warn
    f = qingyuan(10.0)
    f.loc[f.indicator_id == "patent_applications_growth", "bound"] = "eq"
    r = flags(f, links=RATE_LINK).query("rule == 'rate_vs_levels'").iloc[0]
    assert r["severity"] == "warn" and r["value"] == pytest.approx(14.8698, abs=1e-4) and r["threshold"] == 10
    assert "miss each other by 4.87 %/yr" in r["reason"] and "allow at least 14.87 %/yr" in r["reason"]
    # the level exactly 1500 (eq) and the rate ≥ 15: the levels allow exactly 14.87: gap 0.13 ≤ 1.0 → info
    g = qingyuan(15.0)
    g.loc[(g.indicator_id == "patent_applications") & (g.year == 2017), "bound"] = "eq"
    r = flags(g, links=RATE_LINK).query("rule == 'rate_vs_levels'").iloc[0]
    assert r["severity"] == "info" and "miss each other by 0.13 %/yr" in r["reason"] and "1,508.52 件" in r["reason"]
    # about 10 %/yr (± 5 %: 9.5–10.5) against exactly 1500: still 4.37 short → warn
    g.loc[g.indicator_id == "patent_applications_growth", ["value", "bound"]] = [10.0, "approx"]
    r = flags(g, links=RATE_LINK).query("rule == 'rate_vs_levels'").iloc[0]
    assert r["severity"] == "warn" and "miss each other by 4.37 %/yr" in r["reason"]
    assert "rate_vs_levels" not in set(flags(qingyuan(), links=NO_LINKS)["rule"])            # unlinked: no claim


def test_stated_yearly_rise_of_a_share_nanming():
    f = obs({"year": 2016, "value": 2.12, "kind": "actual", "indicator_id": "st_share", "measure": "share", "unit": "%"},
            {"year": 2020, "value": 2.5, "kind": "target", "bound": "ge", "indicator_id": "st_share", "measure": "share",
             "unit": "%"},
            {"year": 2020, "value": 0.1, "kind": "target", "bound": "ge", "indicator_id": "share_rise",
             "measure": "growth_rate", "unit": "百分点"})
    # 每年增加0.1%以上 and 2.5%以上: 2.12 + 4 × 0.1 = 2.52 ≥ 2.5, two floors that agree
    assert "rate_vs_levels" not in set(flags(f, links=RATE_LINK)["rule"])
    f.loc[1, "bound"] = "eq"                      # exactly 2.5: (2.5 - 2.12) / 4 = 0.095 < 0.1 by 0.005 → info
    r = flags(f, links=RATE_LINK).query("rule == 'rate_vs_levels'").iloc[0]
    assert r["metric"] == "pp_per_year" and r["value"] == pytest.approx(0.095) and r["severity"] == "info"
    assert "miss each other by 0.005 pp/yr" in r["reason"] and "would be 2.52%" in r["reason"]


def test_stock_change_versus_period_flow_qingyuan():
    links = pd.DataFrame({"relation": ["period_flow_of"], "indicator_id": ["trained"], "of_indicator_id": ["talent"],
                          "note": [""]})
    rows = [*path({2012: 122500, 2017: 137100}, indicator_id="talent", measure="count_stock", unit="人",
                  indicator_zh="专业技术人才"),
            {"year": 2017, "value": 15000, "kind": "target", "indicator_id": "trained", "measure": "count_flow",
             "unit": "人", "indicator_zh": "新培养专业技术人才"}]
    assert flags(obs(*rows), links=links).empty                     # 15,000 trained ≥ the rise of 14,600
    rows[-1]["value"] = 10000
    r = flags(obs(*rows), links=links).iloc[0]
    assert (r["rule"], r["severity"], r["value"]) == ("stock_change_vs_flow", "info", 10000)
    assert "rise by 14,600 人" in r["reason"] and "only 10,000 人" in r["reason"]


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
CHAIN = pd.DataFrame({"region": ["番禺区", "广州市", "广东省", "全国"], "region_en": ["Panyu", "Guangzhou", "Guangdong", "China"],
                      "parent": ["广州市", "广东省", "全国", ""], "parent_en": ["", "", "", ""],
                      "level": ["district", "city", "province", "country"]})


def hte(values, source, region, **kw):
    return path(values, kinds={min(values): "target"}, indicator_id="high_tech_enterprises", measure="count_stock",
                source_id=source, region=region, **kw)


def test_escalation_needs_plans_of_the_same_vintage():
    frame = obs(*hte({2017: 262, 2020: 418}, "panyu-2015", "番禺区"), *hte({2019: 11400, 2020: 11700}, "guangzhou-2019", "广州市"))
    th = load_thresholds()
    seg = segments(frame, th)
    g_d, g_c = ((418 / 262) ** (1 / 3) - 1) * 100, (11700 / 11400 - 1) * 100      # 16.85 and 2.63 %/yr
    # plans four years apart: context only, no gap, no flag
    t = escalation_table(frame, seg, CHAIN, {"panyu-2015": 2015, "guangzhou-2019": 2019}, 2)
    assert len(t) == 1 and not t.iloc[0]["same_vintage"] and np.isnan(t.iloc[0]["growth_gap"])
    assert t.iloc[0]["comparison"] == "context only: plans 4 years apart" and t.iloc[0]["level_gap"] == 418 - 11700
    assert "escalation" not in set(evaluate(frame, seg, th, links=NO_LINKS, regions=CHAIN, escalations=t)["rule"])
    # the same plans dated a year apart: compared, and the gap of 14.22 %/yr is above the documented 5
    t = escalation_table(frame, seg, CHAIN, {"panyu-2015": 2018, "guangzhou-2019": 2019}, 2)
    assert t.iloc[0]["growth_gap"] == pytest.approx(g_d - g_c)
    out = evaluate(frame, seg, th, links=NO_LINKS, regions=CHAIN, escalations=t)
    r = out[out.rule == "escalation"].iloc[0]
    assert (r["severity"], r["related_source_id"], r["value"]) == ("warn", "guangzhou-2019", pytest.approx(14.22, abs=5e-3))
    assert "in plans 1 years apart" in r["reason"] and "Dongguan" in r["reason"]


def test_cross_level_walks_the_whole_chain_and_compares_single_targets():
    # a district's 3.11 % for 2020 against a national single-point target of 2.5 % for 2020 (no step of its own)
    d = path({2017: 2.51, 2020: 3.11}, kinds={2017: "target"}, indicator_id="rd_intensity", measure="share", unit="%",
             source_id="panyu-2015", region="番禺区")
    n = [{"year": 2020, "value": 2.5, "kind": "target", "indicator_id": "rd_intensity", "measure": "share", "unit": "%",
          "source_id": "nation-2016", "region": "全国"}]
    frame = obs(*d, *n)
    t = escalation_table(frame, segments(frame), CHAIN, {"panyu-2015": 2015, "nation-2016": 2016}, 2)
    r = t.iloc[0]
    assert (r["parent_region"], r["parent_level"], r["end_year"]) == ("全国", "country", 2020)
    assert r["level_gap"] == pytest.approx(0.61) and r["same_vintage"] and np.isnan(r["parent_growth"])


def test_cross_level_single_targets_without_any_step():
    # two single-point targets (no segment at all): the level comparison still comes out, without growth
    d = [{"year": 2020, "value": 3.11, "kind": "target", "indicator_id": "rd_intensity", "measure": "share", "unit": "%",
          "source_id": "panyu-2015", "region": "番禺区"}]
    n = [{**d[0], "value": 2.5, "source_id": "nation-2016", "region": "全国"}]
    frame = obs(*d, *n)
    seg = segments(frame)
    assert not (seg["segment"] == "step").any()
    t = escalation_table(frame, seg, CHAIN, {"panyu-2015": 2015, "nation-2016": 2016}, 2)
    r = t.iloc[0]
    assert len(t) == 1 and (r["related_source_id"], r["parent_region"]) == ("nation-2016", "全国")
    assert r["level_gap"] == pytest.approx(0.61) and pd.isna(r["metric"]) and pd.isna(r["start_year"])
    assert np.isnan(r["growth"]) and np.isnan(r["growth_gap"]) and r["comparison"] == "same vintage: growth compared"


# ------------------------------------------------------------------ plumbing
def test_bad_threshold_override_through_compute():
    from analysis.derive.plausibility import compute

    with pytest.raises(InputError, match="'cagr_alert' = -1 is out of range"):
        compute(load("observations"), {"cagr_alert": -1})


def test_fmt():
    assert [fmt(3.0), fmt(1528), fmt(2.51), fmt(1508.5), fmt(0.28000000000000003), fmt(10163)] == \
        ["3", "1,528", "2.51", "1,508.5", "0.28", "10,163"]


def test_a_rank_that_rises_is_neither_already_met_nor_backwards_nor_judged_as_growth():
    # 由2015年的第18位提升到前15位 (2020), then 前10位 (2025): each a rise in places
    rank = {"indicator_id": "innovation_rank", "measure": "rank", "unit": "名次"}
    frame = obs({"year": 2015, "value": 18, "kind": "actual", **rank},
                {"year": 2020, "value": 15, "kind": "target", "bound": "le", **rank},
                {"year": 2025, "value": 10, "kind": "target", "bound": "le", **rank})
    assert flags(frame).empty
    th = load_thresholds()
    seg = segments(frame, th)
    j = pace_judgements(seg, th, {}, pd.DataFrame(columns=WINDOW_COLUMNS), {"番禺区": "district"})
    steps = (seg["segment"] == "step").to_numpy()
    assert not j["judged"][steps].any()
    assert all("a rank: compared in places" in w for w in j["not_judged_because"][steps])
    # the same path as a level that falls is still flagged: the exception is for ranks only
    level = obs({"year": 2015, "value": 18, "kind": "actual"}, {"year": 2020, "value": 15, "kind": "target"},
                {"year": 2025, "value": 10, "kind": "target"})
    assert {"already_met_when_set", "target_backwards"} <= set(flags(level)["rule"])


def test_a_le_target_below_the_latest_actual_is_not_already_met():
    # 对外技术依存度 降低到30%以下 from 50 %: a target to go down to
    share = {"measure": "share", "unit": "%", "indicator_id": "tech_dependence"}
    assert flags(obs({"year": 2005, "value": 50, "kind": "actual", **share},
                     {"year": 2020, "value": 30, "kind": "target", "bound": "le", **share})).empty


def test_yardsticks_csv_agrees_with_segments():
    """yardsticks.csv: five rows per target step; the binding row is segments.csv's yardstick; where a yardstick
    does not apply it says why."""
    y, seg = load("yardsticks"), load("segments")
    assert (y.groupby(["source_id", "indicator_id", "start_year", "end_year"]).size() == 6).all()
    assert (y.loc[~y["applies"], "why_not"].str.len() > 5).all() and y.loc[y["applies"], "why_not"].isna().all()
    bound = y[y["binding"]].set_index(["source_id", "indicator_id", "start_year", "end_year"])["yardstick"]
    step = seg[(seg.segment == "step") & seg.judged].set_index(["source_id", "indicator_id", "start_year",
                                                               "end_year"])["yardstick"]
    step.index = step.index.set_levels(step.index.levels[2].astype(int), level=2)
    assert bound.sort_index().to_dict() == step.sort_index().to_dict()
    # the binding one is the first that applies, in order
    first = y[y["applies"]].groupby(["source_id", "indicator_id", "start_year", "end_year"])["yardstick"].first()
    assert first.sort_index().to_dict() == bound.sort_index().to_dict()


# ------------------------------------------------------------------ own history, provinces (hand-computed)
@pytest.mark.parametrize("target, ratio, severity", [
    (200, ((200 / 133.1) ** (1 / 3) - 1) / 0.1, None),      # 14.56 %/yr: 1.46 × the own 10 %/yr
    (300, ((300 / 133.1) ** (1 / 3) - 1) / 0.1, "info"),    # 31.09 %/yr: 3.11 ×
    (500, ((500 / 133.1) ** (1 / 3) - 1) / 0.1, "warn"),    # 55.49 %/yr: 5.55 ×
])
def test_own_history_ratio(target, ratio, severity):
    # the plan states 100 (2012) and 133.1 (2015): 10 %/yr over three years; its 2015 → 2018 step is set against it
    frame = obs(*path({2012: 100, 2015: 133.1, 2018: target}, kinds={2012: "actual", 2015: "actual"},
                      measure="count_flow"))
    th, rules = load_thresholds(), {"ceilings": {}, "peers": {"levels": {}}, "national_series": {}}
    seg = segments(frame, th)
    j = pace_judgements(seg, th, rules, pd.DataFrame(columns=WINDOW_COLUMNS), {"番禺区": "district"},
                        {"番禺区": "广州市"}, pre_plan_actuals(frame, None, {}))
    row = j[(seg.segment == "step").to_numpy() & (seg.end_kind == "target").to_numpy()].iloc[0]
    assert (row["yardstick"], row["history_window"], row["history_known"]) == (
        "own history", "2012–2015", "2012: 100 (src line 1); 2015: 133.1 (src line 1)")      # each end and its line
    assert row["history_pace"] == pytest.approx(10.0) and row["history_ratio"] == pytest.approx(ratio)
    assert row["severity"] == severity
    f = evaluate(frame, seg, th, links=NO_LINKS, regions=REGIONS, rules=rules, judgement=j)
    fast = f[f.rule == "too_fast"]
    assert len(fast) == (severity is not None)
    if severity:
        r = fast.iloc[0]
        factor = 4 if severity == "warn" else 2
        assert r["threshold"] == pytest.approx(10.0 * factor)
        assert r["threshold_name"] == f"own_history_ratio_{severity}"
        assert "times the pace the region itself realised 2012–2015" in r["reason"]


def test_cities_meet_the_other_provinces_as_a_lower_grade_yardstick():
    # a district of Guangzhou (Guangdong); ten province windows of 3 years, one of them Guangdong's (the fastest,
    # 100 %/yr): Guangdong is the plan's own family and leaves; the fastest of the nine others is 40 %/yr
    prov = windows(TEN, level="province").assign(region=["广东省"] + [f"p{i}" for i in range(1, 10)])
    prov.loc[0, "pace"] = 100.0
    regions = pd.DataFrame({"region": ["番禺区", "广州市", "广东省"], "parent": ["广州市", "广东省", "全国"]})
    th = load_thresholds()
    rules = {"ceilings": {}, "peers": {"levels": {"district": ["district", "city"], "province": ["province"]}},
             "national_series": {}}
    for target, severity in ((300, "info"), (200, None)):          # 44.22 %/yr > 40 → info; 25.99 %/yr is not
        frame = obs(*path({2014: 100, 2017: target}, measure="count_flow"))
        seg = segments(frame, th)
        j = pace_judgements(seg, th, rules, prov, {"番禺区": "district"}, dict(zip(regions.region, regions.parent)))
        row = j[seg.segment.eq("step").to_numpy()].iloc[0]
        assert (row["yardstick"], row["province_regions"], row["province_max"]) == ("provinces (lower grade)", 9, 40.0)
        assert row["severity"] == severity


def test_a_too_fast_flag_names_the_metric_it_judged():
    """flags.csv `metric` is the metric the pace was judged in (new_per_year for a small count), and a reason in
    new entries a year says so in its units, never 'compared as rates'."""
    seg, real = load("segments"), load("flags")
    key = ["source_id", "indicator_id", "start_year", "end_year"]
    fast = real[real.rule == "too_fast"].merge(seg[seg.segment == "step"][key + ["metric_judged", "unit"]], on=key)
    assert len(fast) == len(real[real.rule == "too_fast"]) and (fast["metric"] == fast["metric_judged"]).all()
    for r in fast[fast["metric"] == "new_per_year"].itertuples():
        assert f"{r.unit}/yr" in r.reason and "compared as rates" not in r.reason, r.reason


def test_a_small_count_flag_reads_as_new_entries_among_plans_of_its_level():
    r = SimpleNamespace(metric="cagr", metric_judged="new_per_year", measure="count_stock", unit="家",
                        growth_unit="%/yr", end_bound="ge", pace_judged=1.0, start_value=1.0, end_value=2.0,
                        new_per_year=1.0, start_year=2019, end_year=2020, years=1, severity="info",
                        yardstick="ambition (family)", threshold=0.5, ambition_n=3, ambition_percentile=100.0,
                        ambition_max=0.5, ambition_max_plan="p", indicator_id="provincial_featured_industry_bases",
                        family="platforms", level="district")
    words = too_fast.reason(r, {"ambition_info_percentile": 90}, {})
    assert words.en.startswith("Implied new entries of at least 1 家/yr (1 → 2 家, 2019–2020) is at percentile 100 "
                               "among the paces of 3 other plans of the same indicator family")
    assert "compared as new entries a year, and only with plans of the same level (district)" in words.en
    assert "compared as rates" not in words.en and "new entries a year on a base" not in words.en
    assert words.zh.startswith("隐含每年新增至少 1 家/年（1 → 2 家，2019–2020）") and "同级（区县）" in words.zh
    assert "yr" not in words.zh
    r.metric_judged, r.pace_judged, r.growth_unit, r.yardstick = "cagr", 100.0, "%/yr", "ambition (indicator)"
    assert "it needs 1 new entry a year on a base of 1" in too_fast.reason(r, {"ambition_info_percentile": 90}, {}).en
