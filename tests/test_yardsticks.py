"""The yardsticks of issue 21, each against values computed by hand."""
import numpy as np
import pandas as pd
import pytest

from analysis.derive import yardsticks as Y

REGIONS = pd.DataFrame({
    "region": ["A", "P", "C", "D", "C2", "D2"],
    "parent": ["", "A", "P", "C", "P", "C2"],
    "level": ["country", "province", "city", "district", "city", "district"],
})
LEVELS = {"district": ["district", "city"], "city": ["district", "city"], "province": ["province"], "country": []}


WINDOW_COLUMNS = ["scope", "indicator_id", "level", "region", "years", "start_year", "end_year", "start_value",
                  "end_value", "metric", "pace"]


def windows(rows):
    """Peer windows (region, level, pace) of 3 years of indicator x, pace in pp/yr: start 1, end 1 + 3·pace."""
    return pd.DataFrame(columns=WINDOW_COLUMNS, data=[{"scope": "peer", "indicator_id": "x", "level": level, "region": region, "years": 3,
                          "start_year": 2010 + i, "end_year": 2013 + i, "start_value": 1.0,
                          "end_value": 1.0 + 3 * pace, "metric": "pp_per_year", "pace": pace}
                         for i, (region, level, pace) in enumerate(rows)]) if rows else pd.DataFrame(columns=WINDOW_COLUMNS)


def step(**kw):
    base = {"source_id": "s", "region": "D", "indicator_id": "x", "start_year": 2014, "end_year": 2017, "years": 3,
            "metric": "pp_per_year", "pace": 0.6, "measure": "share", "start_value": 1.0}
    return pd.Series({**base, **kw})


def test_family_is_the_region_everything_above_and_everything_inside():
    assert Y.family("C", REGIONS) == {"C", "P", "A", "D"}
    assert Y.family("D", REGIONS) == {"D", "C", "P", "A"}
    assert Y.family("P", REGIONS) == {"P", "A", "C", "D", "C2", "D2"}
    assert Y.family("unknown", REGIONS) == {"unknown"}


def test_region_weighted_percentile_and_quantile():
    # X has four windows (weight ¼ each), Y and Z one each: three regions
    paces = np.array([1, 2, 3, 4, 5, 0.5])
    names = np.array(["X", "X", "X", "X", "Y", "Z"], dtype=object)
    # at or below 2.5: X's 1 and 2 (½) and Z (1) → 1.5 of 3 regions
    assert Y.weighted_percentile(2.5, paces, names) == pytest.approx(50.0)
    # cumulative shares in pace order: 0.5→33.3, 1→41.7, 2→50, 3→58.3, 4→66.7, 5→100: the 90th is 5
    assert Y.weighted_quantile(paces, names, 90) == 5
    assert Y.weighted_quantile(paces, names, 50) == 2


def judge_peers(pace, rows, metric="pp_per_year", min_regions=5, w=None):
    """The peers yardstick (yardsticks.peers.Peers) of one step of region D over 3 years, at peer_info_percentile 90."""
    peers = Y.Peers(w if w is not None else windows(rows), {"peers": {"levels": LEVELS}},
                    {"peer_min_n": 1, "peer_min_regions": min_regions, "peer_info_percentile": 90},
                    Y.parents_of(REGIONS))
    steps = pd.DataFrame({"indicator_id": ["x"], "level": ["district"], "years": [3], "kin": [0], "metric": [metric],
                          "pace": [pace]})
    out = peers.judge(steps, {0: peers.kin("D")})
    return {k: v[0] for k, v in out.items()}


def test_peers_leave_out_the_plans_family_and_warn_above_every_window():
    # the parent city C has 17 windows faster than the target; five other cities have one window each
    rows = [("C", "city", 0.9)] * 17 + [(f"O{i}", "city", p) for i, p in enumerate([0.1, 0.2, 0.3, 0.4, 0.5])]
    out = judge_peers(0.6, rows)
    assert (out["peer_n"], out["peer_regions"], out["peer_excluded"]) == (5, 5, "C")
    assert out["peer_percentile"] == pytest.approx(100.0)
    assert out["peer_max"] == pytest.approx(0.5) and out["severity"] == "warn"
    assert out["loro"] == "robust"            # without O4 the fastest is 0.4 < 0.6: still above every window
    below = judge_peers(0.45, rows)
    assert below["peer_percentile"] == pytest.approx(80.0) and below["severity"] is None


def test_peers_too_few_regions_once_the_family_is_left_out():
    rows = [("C", "city", 0.9)] * 17 + [("O1", "city", 0.1), ("O2", "city", 0.2)]
    out = judge_peers(0.6, rows)
    assert not out["applies"] and (out["peer_n"], out["peer_regions"], out["peer_excluded"]) == (2, 2, "C")
    why = Y.Peers(windows(rows), {"peers": {"levels": LEVELS}},
                  {"peer_min_n": 1, "peer_min_regions": 5, "peer_info_percentile": 90}, {}).why_not(2, 3, 2, "C", False)
    assert why.en == "2 peer windows of 3 years from 2 regions once the plan's own family (C) is left out (fewer than " \
                     "1 windows or 5 regions)"
    assert why.zh == "3 年的同类地区窗口 2 个，来自 2 个地区（不含本地区所属及下辖的 C）（少于 1 个窗口或 5 个地区）"


def test_leave_one_region_out_tells_robust_from_knife_edge():
    # info: above the region-weighted 90th percentile window (the first window at which the regions' cumulative
    # share reaches 90 %). Ten regions 1..10: that window is 9 (9 of 10), and 9.5 is above it; without region 1
    # the shares are 8/9 = 88.9 % at 9 and 100 % at 10, so the window is 10 and 9.5 is no longer above it
    rows = [(f"O{i}", "city", float(i)) for i in range(1, 11)]
    edge = judge_peers(9.5, rows)
    assert edge["peer_percentile"] == pytest.approx(90.0) and edge["peer_p_info"] == 9.0
    assert edge["severity"] == "info" and edge["loro"] == "knife_edge"
    # twenty regions 1..20: the window is 18 and 19.5 is above it; without region 1 it is 19 (18/19 = 94.7 %), still
    # below 19.5; without a faster region it stays 18 or lower
    rows = [(f"O{i}", "city", float(i)) for i in range(1, 21)]
    firm = judge_peers(19.5, rows)
    assert firm["severity"] == "info" and firm["loro"] == "robust"


def test_small_counts_are_judged_by_new_entries_a_year():
    # (which steps are: tests/test_flags.py, NEEQ 3 → 95 judged as 92 / 3 new a year, and every real step's reason)
    assert float(Y.pace_of(3, 95, 3, "new_per_year")) == pytest.approx(30.6667, abs=1e-4)
    assert float(Y.pace_of(100, 133.1, 3, "cagr")) == pytest.approx(10.0)
    # the peers' windows are read in the step's metric: a window 10 → 40 over 3 years is 10 a year
    w = windows([(f"O{i}", "city", 0.0) for i in range(5)]).assign(start_value=10.0, end_value=40.0, metric="cagr")
    out = judge_peers(30.7, [], metric="new_per_year", w=w)
    assert out["peer_max"] == pytest.approx(10.0) and out["severity"] == "warn"


KNOWN = pd.DataFrame({"source_id": "s", "indicator_id": "x", "year": [2010, 2013], "value": [100.0, 133.1],
                      "known": "document"})


def test_own_history_ratio_of_required_to_realised_pace():
    # 100 → 133.1 over 2010–2013 is 10 %/yr; a target asking 30 %/yr asks three times that
    out = Y.own_history(step(metric="cagr", pace=30.0), KNOWN, base_year=2014)
    assert out["window"] == "2010–2013" and out["history_pace"] == pytest.approx(10.0)
    assert out["ratio"] == pytest.approx(3.0) and "why_not" not in out


def test_own_history_takes_a_window_one_year_off_and_says_why_not():
    known = KNOWN.assign(year=[2011, 2013], value=[1.0, 1.4])              # 2 years: 0.2 pp/yr
    out = Y.own_history(step(pace=0.3), known, base_year=2013)
    assert out["window"] == "2011–2013" and out["history_pace"] == pytest.approx(0.2) and out["ratio"] == pytest.approx(1.5)
    assert Y.own_history(step(), KNOWN.iloc[[1]], 2014)["why_not"].en == (
        "no actual 3 (±1) years before 2013, the latest actual at or before the step's start")
    assert Y.own_history(step(), KNOWN, 2009)["why_not"].zh == "在 2009 年（本路段起点）及以前没有本地区的实际值"
    falling = KNOWN.assign(value=[133.1, 100.0])
    assert Y.own_history(step(metric="cagr"), falling, 2014)["why_not"].en == (
        "the region's own pace 2010–2013 was not a rise (-9.091)")


def test_the_first_yardstick_that_applies_binds_and_the_others_say_why_not():
    """paces.judge_all over hand-made steps of an indicator 'x' no panel has: own history (100 → 133.1 over 2010–2013,
    10 %/yr) binds plan s before ambition among plans, which applies too (three other plans); plan t has no history
    and is judged among plans; plan u, a small count, is not judged at all, and says why in both languages."""
    from analysis.derive.paces import judge_all
    from analysis.derive.peers import reference_windows
    from analysis.inputs.reference import load_rules, load_thresholds

    def seg(source, growth, start=100.0, measure="count_stock"):
        end = start * (1 + growth / 100) ** 3
        return {"source_id": source, "region": "D", "indicator_id": "x", "segment": "step", "end_kind": "target",
                "metric": "cagr", "note": None, "measure": measure, "unit": "家", "years": 3, "start_year": 2014,
                "end_year": 2017, "start_value": start, "end_value": end, "end_low": end, "growth": growth}
    segments = pd.DataFrame([seg("s", 30.0), seg("t", 12.0), seg("o1", 5.0), seg("o2", 10.0), seg("o3", 20.0),
                             seg("u", 0.0, start=3.0) | {"end_value": 9.0, "end_low": 9.0}])
    rules = load_rules()
    sticks = Y.Yardsticks(reference_windows(rules), rules, load_thresholds(), {}, KNOWN)
    j = judge_all(segments, sticks, {"D": "district"}).set_index(segments["source_id"])
    assert j.at["s", "yardstick"] == "own history" and j.at["s", "history_ratio"] == pytest.approx(3.0)
    assert j.at["s", "severity"] == "info"                      # 3 × the own pace: ≥ 2 (info), < 4 (warn)
    assert j.at["s", "ambition_scope"] == "indicator"           # it applies, but own history came first
    # t among o1, o2, o3, s (votes 5, 10, 20, 30): at or above 2 of 4 → 50th percentile, plausible
    assert j.at["t", "yardstick"] == "ambition (indicator)" and j.at["t", "ambition_percentile"] == pytest.approx(50.0)
    assert not j.at["u", "judged"] and j.at["u", "metric_judged"] == "new_per_year" and j.at["u", "pace_judged"] == 2.0
    assert j.at["u", "not_judged_because"].startswith("not judged: a count starting below 50 is judged by its new "
                                                      "entries a year; 0 peer windows of 3 years from 0 regions")
    assert j.at["u", "not_judged_because_zh"].startswith("未判断：起点低于 50 的计数按每年新增数判断；3 年的同类地区窗口 0 个")
