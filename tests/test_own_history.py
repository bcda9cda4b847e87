"""Own history (issue 21, yardstick 3): where the pre-plan values come from (published before the plan only), the
window and its fallback, same-year evidence for already_met_when_set, and too_slow against the region's own pace.
Every expected number is computed by hand in the comments."""
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis.derive import flags  # noqa: F401  (first: loads the rules package, which known.py imports)
from analysis.derive import yardsticks as Y
from analysis.derive.known import HOW_KNOWN, first_targets_after_known, pre_plan_actuals
from analysis.derive.rules import too_slow
from analysis.inputs.reference import load_thresholds, values

V = values(load_thresholds())


def obs_row(source, kind, year, value, indicator="labs", region="R市", line=1, measure="count_stock"):
    return {"source_id": source, "region": region, "indicator_id": indicator, "indicator_zh": "实验室",
            "measure": measure, "unit": "家", "year": year, "value": float(value), "value_low": float(value),
            "kind": kind, "bound": "eq", "line": line}


def published(year, value, date, indicator="labs", region="R市"):
    return {"region": region, "indicator_id": indicator, "year": year, "value": float(value), "published_date": date,
            "source": f"http://example.org/{year}-{date}"}


SOURCES = {"plan-a": SimpleNamespace(region="R市", year=2015, date="2015-01-10"),
           "plan-b": SimpleNamespace(region="R市", year=2019, date="2019-09"),
           "plan-c": SimpleNamespace(region="R市", year=2014, date="2014-03-01")}


def test_other_plans_of_the_region_count_only_when_dated_before():
    obs = pd.DataFrame([obs_row("plan-a", "actual", 2014, 12, line=7), obs_row("plan-b", "target", 2020, 30),
                        obs_row("plan-c", "target", 2016, 20)])
    k = pre_plan_actuals(obs, None, SOURCES)
    b = k[k.source_id == "plan-b"]
    # plan-a (2015-01-10) is before plan-b (2019-09): its 2014 actual is what plan-b's authors could know
    assert b[["year", "value", "known", "published_date", "citation"]].values.tolist() == [
        [2014, 12.0, HOW_KNOWN[1], "2015-01-10", "plan-a line 7"]]
    assert k[k.source_id == "plan-c"].empty          # plan-c (2014-03) came before plan-a: it could not know it


def test_published_after_the_plan_is_hindsight_and_same_year_only_when_before():
    obs = pd.DataFrame([obs_row("plan-b", "target", 2019, 2), obs_row("plan-b", "target", 2020, 3)])
    pub = pd.DataFrame([published(2017, 19, "2018-05-20"), published(2015, 10, "2020-11-03"),
                        published(2019, 4, "2019-08-30"), published(2019, 5, "2020-05-15", indicator="other")])
    k = pre_plan_actuals(obs, pub, SOURCES)
    got = {(r.year, r.value): r.known for r in k.itertuples()}
    # 2017 published 2018-05-20 < 2019-09-01: known; 2015 published 2020: hindsight; 2019 published 2019-08-30 < the
    # plan's first possible day: same-year evidence; the 2019 row published 2020 is dropped (and not its indicator)
    assert got == {(2015, 10.0): HOW_KNOWN[2], (2017, 19.0): HOW_KNOWN[1], (2019, 4.0): HOW_KNOWN[1]}


def test_met_when_set_from_same_year_evidence_published_before_the_plan():
    obs = pd.DataFrame([obs_row("plan-b", "target", 2019, 2), obs_row("plan-b", "target", 2020, 3)])
    before = pd.DataFrame([published(2019, 4, "2019-08-30")])
    m = first_targets_after_known(obs, pre_plan_actuals(obs, before, SOURCES), V)
    # the 2019 target of 2 is at or below the 4 published before the plan: met when set
    assert m[["year", "a_year", "a_value", "met"]].values.tolist() == [[2019, 2019, 4.0, True]]
    later = pd.DataFrame([published(2019, 4, "2019-09-09")])     # within the plan's month: not provably before
    assert first_targets_after_known(obs, pre_plan_actuals(obs, later, SOURCES), V).empty


def known(rows):
    return pd.DataFrame([{"source_id": "s", "indicator_id": "labs", "year": y, "value": float(v), "known": HOW_KNOWN[1],
                          "citation": f"u{y}"} for y, v in rows])


def step(years=1, pace=10.0, metric="cagr"):
    return pd.Series({"source_id": "s", "indicator_id": "labs", "years": years, "pace": pace, "metric": metric})


def test_window_of_the_steps_length_then_the_longest_fallback():
    k = known([(2010, 100), (2013, 200), (2015, 242)])
    same = Y.own_history(step(years=2), k, 2016, max_years=5)
    # 2013 → 2015 is 2 years: (242 / 200) ** (1 / 2) - 1 = 10.0 %/yr; ratio 10 / 10 = 1
    assert same["window"] == "2013–2015" and same["history_pace"] == pytest.approx(10.0) and not same["fallback"]
    assert same["ratio"] == pytest.approx(1.0)
    assert same["known"] == "2013: 200 (u2013); 2015: 242 (u2015)"
    k = known([(2010, 100), (2013, 200)])
    fb = Y.own_history(step(years=1), k, 2016, max_years=5)
    # no window of 1 (±1) year; the longest of 2–5 years ending 2013 is 2010–2013: (2 ** (1 / 3) - 1) = 25.992 %/yr
    assert fb["window"] == "2010–2013" and fb["fallback"]
    assert fb["history_pace"] == pytest.approx(25.9921, abs=1e-4)
    assert fb["ratio"] == pytest.approx(10 / 25.9921, abs=1e-5)            # 0.3847
    assert "why_not" in Y.own_history(step(years=1), k, 2016, max_years=2)  # 3 years > 2: nothing
    small = Y.own_history(step(years=1, pace=5.0, metric="new_per_year"), k, 2016, max_years=5)
    assert small["history_pace"] == pytest.approx(100 / 3)               # (200 - 100) / 3 new a year


def judged(ratio, pace=2.0, start=2019, end=2020):
    return {"source_id": "s", "region": "R市", "indicator_id": "labs", "indicator_zh": "实验室", "unit": "家",
            "metric": "cagr", "growth_unit": "%/yr", "start_year": start, "end_year": end, "start_value": 100.0,
            "end_value": 102.0, "yardstick": "own history", "pace_judged": pace, "metric_judged": "cagr",
            "history_pace": pace / ratio, "history_window": "2015–2017", "history_known": "2015: 1 (u); 2017: 2 (u)",
            "history_ratio": ratio}


def test_too_slow_against_own_history():
    seg = pd.DataFrame([judged(0.2), judged(0.6, start=2020, end=2021), judged(0.1, start=2017, end=2019)])
    first = pd.DataFrame({"source_id": ["s"], "indicator_id": ["labs"], "start_year": [2017], "end_year": [2019]})
    f = too_slow._slow_steps(seg, V, first)
    # ratio 0.2 < 0.5 → info at threshold 0.5 × (2 / 0.2 = 10) = 5 %/yr; 0.6 is not below half; 2017–2019 is the
    # first check's already
    assert f[["start_year", "severity", "value", "threshold", "threshold_name"]].values.tolist() == [
        [2019, "info", 2.0, 5.0, "too_slow_ratio_info"]]
    assert "less than half its own pre-plan pace" in f["reason"].iloc[0]
    assert not any(c.isascii() and c.isalpha() for c in f["reason_zh"].iloc[0].replace("u", ""))
    assert np.isfinite(f["threshold"]).all()
