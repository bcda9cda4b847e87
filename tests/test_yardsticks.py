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


def test_peers_leave_out_the_plans_family_and_warn_above_every_window():
    # the parent city C has 17 windows faster than the target; five other cities have one window each
    rows = [("C", "city", 0.9)] * 17 + [(f"O{i}", "city", p) for i, p in enumerate([0.1, 0.2, 0.3, 0.4, 0.5])]
    out = Y.judge_against_peers(step(pace=0.6), windows(rows), REGIONS, LEVELS, min_regions=5, info_percentile=90)
    assert (out["n"], out["n_regions"], out["excluded"]) == (5, 5, "C")
    assert out["percentile"] == pytest.approx(100.0)
    assert out["peer_max"] == pytest.approx(0.5) and out["verdict"] == "warn"
    assert out["loro"] == "robust"            # without O4 the fastest is 0.4 < 0.6: still above every window
    below = Y.judge_against_peers(step(pace=0.45), windows(rows), REGIONS, LEVELS, 5, 90)
    assert below["percentile"] == pytest.approx(80.0) and below["verdict"] == "none"


def test_peers_too_few_regions_once_the_family_is_left_out():
    rows = [("C", "city", 0.9)] * 17 + [("O1", "city", 0.1), ("O2", "city", 0.2)]
    out = Y.judge_against_peers(step(), windows(rows), REGIONS, LEVELS, 5, 90)
    assert "why_not" in out and "own family (C)" in out["why_not"] and "2 peer region(s)" in out["why_not"]


def test_leave_one_region_out_tells_robust_from_knife_edge():
    # eleven regions with paces 1..11: 10.5 is above 10 of 11 (90.9 > 90); without region 1 it is 9 of 10 (90)
    rows = [(f"O{i}", "city", float(i)) for i in range(1, 12)]
    edge = Y.judge_against_peers(step(pace=10.5), windows(rows), REGIONS, LEVELS, 5, 90)
    assert edge["percentile"] == pytest.approx(100 * 10 / 11) and edge["verdict"] == "info"
    assert edge["loro"] == "knife_edge"
    # twenty regions 1..20: 19.5 is above 19 of 20 (95); leaving any one out keeps it above 90
    rows = [(f"O{i}", "city", float(i)) for i in range(1, 21)]
    firm = Y.judge_against_peers(step(pace=19.5), windows(rows), REGIONS, LEVELS, 5, 90)
    assert firm["verdict"] == "info" and firm["loro"] == "robust"


def test_small_counts_are_judged_by_new_entries_a_year():
    assert Y.judged_metric("count_stock", "cagr", 3, 50) == "new_per_year"
    assert Y.judged_metric("count_stock", "cagr", 300, 50) == "cagr"
    assert Y.judged_metric("share", "pp_per_year", 3, 50) == "pp_per_year"
    assert float(Y.pace_of(3, 95, 3, "new_per_year")) == pytest.approx(30.6667, abs=1e-4)
    assert float(Y.pace_of(100, 133.1, 3, "cagr")) == pytest.approx(10.0)
    # the peers' windows are read in the step's metric: a window 10 → 40 over 3 years is 10 a year
    w = windows([(f"O{i}", "city", 0.0) for i in range(5)]).assign(start_value=10.0, end_value=40.0, metric="cagr")
    out = Y.judge_against_peers(step(metric="new_per_year", pace=30.7), w, REGIONS, LEVELS, 5, 90)
    assert out["peer_max"] == pytest.approx(10.0) and out["verdict"] == "warn"


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
    assert "no actual 3 (±1) years before" in Y.own_history(step(), KNOWN.iloc[[1]], 2014)["why_not"]
    assert "no actual of the region" in Y.own_history(step(), KNOWN, 2009)["why_not"]
    falling = KNOWN.assign(value=[133.1, 100.0])
    assert "was not a rise" in Y.own_history(step(metric="cagr"), falling, 2014)["why_not"]


def test_ambition_counts_each_other_plan_once():
    steps = pd.DataFrame({"source_id": ["a", "a", "b", "c", "d", "me"], "region": ["R1", "R1", "R2", "R3", "R4", "D"],
                          "indicator_id": "x", "years": [3, 3, 4, 2, 9, 3], "metric": "cagr",
                          "pace": [5.0, 25.0, 10.0, 15.0, 99.0, 20.0]})
    # d's 9-year window is too long; a counts once, by its fastest step (25): others are 25, 10, 15
    out = Y.ambition(steps.iloc[-1], steps, min_plans=3)
    assert out["n"] == 3 and out["percentile"] == pytest.approx(100 * 2 / 3) and out["peer_max"] == 25.0
    assert "fewer than 4" in Y.ambition(steps.iloc[-1], steps, min_plans=4)["why_not"]


def test_the_first_yardstick_that_applies_binds():
    steps = pd.DataFrame([dict(step(metric="cagr", pace=30.0)), dict(step(source_id="t", metric="cagr", pace=12.0))])
    known = pd.concat([KNOWN, KNOWN.assign(source_id="t")])
    params = {"peer_levels": LEVELS, "peer_min_regions": 5, "peer_info_percentile": 90, "ambition_min_plans": 1}
    table = Y.yardstick_table(steps, windows([]), REGIONS, known, {"s": 2014, "t": 2014}, params)
    assert list(table["yardstick"]) == ["peers", "own_history", "ambition"] * 2
    assert list(table["applies"]) == [False, True, True] * 2
    assert list(table["binding"]) == [False, True, False] * 2
    own = table[table["yardstick"] == "own_history"]
    assert list(own["ratio"]) == pytest.approx([3.0, 1.2])
    assert list(own["percentile"]) == pytest.approx([100.0, 50.0])          # each ratio among the two
