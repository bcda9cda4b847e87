"""City windows as peers of city and district plans, through the engine's own path (a panel file → peers.load_panel
→ peers.panel_windows → yardsticks.Yardsticks → paces.judge_segment): the plan's own city and a district's parent city
never in the peer set, siblings always in it, and the region-weighted percentile computed by hand."""
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.derive.paces import judge_segment
from analysis.derive.peers import load_panel, panel_windows
from analysis.derive.yardsticks import Yardsticks
from analysis.derive.yardsticks.peers import PEERS
from analysis.inputs.panels import PANEL_COLUMNS
from analysis.inputs.reference import load_rules, load_thresholds

# rd_intensity (%, pp/yr) of Guangdong cities, start 1.0 → end 1.0 + 3 × pace over each 3-year window
CITY_WINDOWS = {
    "清远市": [(2014, 2017, 1.0)],
    "广州市": [(2011, 2014, 0.9), (2014, 2017, 0.9)],          # two windows: weight ½ each
    "深圳市": [(2014, 2017, 0.1)],
    "珠海市": [(2014, 2017, 0.2)],
    "佛山市": [(2014, 2017, 0.3)],
    "东莞市": [(2014, 2017, 0.4)],
    "中山市": [(2011, 2014, 0.5), (2014, 2017, 0.7)],
    "江门市": [(2014, 2017, 0.05)],
}
PARENTS = {"番禺区": "广州市", **{c: "广东省" for c in CITY_WINDOWS}, "广东省": "全国", "全国": ""}
LEVELS = {"番禺区": "district", **{c: "city" for c in CITY_WINDOWS}}


def city_panel(tmp_path):
    """The panel file: each city's values at the years its windows name (a chained series where they meet)."""
    rows = []
    for city, windows in CITY_WINDOWS.items():
        values = {}
        for y0, y1, pace in windows:
            values.setdefault(y0, 1.0 if not values else values[max(values)])
            values[y1] = values[y0] + 3 * pace
        rows += [{"region": city, "region_level": "city", "province": "广东", "indicator": "rd_intensity",
                  "unit": "% of GDP", "year": y, "value": round(v, 6), "source_url": "https://example.org/city.xlsx",
                  "publisher": "p", "title": "t", "quote": f"{city} | {v}", "notes": ""} for y, v in values.items()]
    path = tmp_path / "city_panel.csv"
    pd.DataFrame(rows, columns=PANEL_COLUMNS).to_csv(path, index=False)
    return path


@pytest.fixture()
def sticks(tmp_path):
    windows = panel_windows(load_panel(city_panel(tmp_path)), {"rd_intensity": "share"})
    three = windows[windows["years"] == 3]
    # 9 three-year windows (广州 and 中山 two each) and the 6-year ones of the chained series
    assert len(three) == 10 and set(windows["years"]) == {3, 6}
    return Yardsticks(windows, load_rules(), load_thresholds(), PARENTS)


def step(region, pace):
    """A target step of rd_intensity over 2014 → 2017 requiring `pace` pp/yr."""
    return SimpleNamespace(source_id="plan", region=region, indicator_id="rd_intensity", segment="step",
                           end_kind="target", metric="pp_per_year", note=None, measure="share", unit="%", years=3,
                           start_year=2014, end_year=2017, start_value=2.0, end_value=2.0 + 3 * pace,
                           end_low=2.0 + 3 * pace, growth=pace)


def test_a_city_plans_own_windows_are_left_out_and_its_siblings_stay(sticks):
    p = sticks.peers.lookup("rd_intensity", "city", 3, sticks.kin("清远市"), "pp_per_year")
    assert sticks.kin("清远市") == ("清远市",)
    assert (p["peer_n"], p["peer_regions"], p["peer_excluded"]) == (9, 7, "清远市")
    assert "清远市" not in set(p["names"]) and "广州市" in set(p["names"])
    out = judge_segment(step("清远市", 0.6), sticks, LEVELS)
    # at or below 0.6: 江门, 深圳, 珠海, 佛山, 东莞 (one vote each) and 中山's 0.5 (½ vote) → 5.5 of 7 regions
    assert out["judged"] and out["yardstick"] == PEERS
    assert out["peer_percentile"] == pytest.approx(100 * 5.5 / 7)
    assert out["severity"] is None                       # below the 90th percentile (广州's 0.9)
    fast = judge_segment(step("清远市", 0.95), sticks, LEVELS)
    # above every window (广州 0.9): warn, and without 广州 the fastest is 中山's 0.7: robust
    assert (fast["severity"], fast["loro"], fast["peer_max"]) == ("warn", "robust", pytest.approx(0.9))


def test_a_district_plans_parent_city_is_left_out(sticks):
    assert sticks.kin("番禺区") == ("广州市",)
    p = sticks.peers.lookup("rd_intensity", "district", 3, sticks.kin("番禺区"), "pp_per_year")
    assert (p["peer_n"], p["peer_regions"], p["peer_excluded"]) == (8, 7, "广州市")
    assert "广州市" not in set(p["names"])
    out = judge_segment(step("番禺区", 0.45), sticks, LEVELS)
    # at or below 0.45: 江门, 深圳, 珠海, 佛山, 东莞 → 5 of 7 regions (with 广州 it would be 5 of 8)
    assert out["peer_percentile"] == pytest.approx(100 * 5 / 7) and out["peer_excluded"] == "广州市"
    fast = judge_segment(step("番禺区", 0.95), sticks, LEVELS)
    # 0.95 is above 广州's windows, which do not count; 清远's 1.0 is above it: no warn
    assert fast["peer_max"] == pytest.approx(1.0) and fast["severity"] is None
    assert fast["peer_percentile"] == pytest.approx(100 * 6 / 7)


def test_too_few_cities_once_the_family_is_left_out_is_not_judged_by_peers(tmp_path):
    windows = panel_windows(load_panel(city_panel(tmp_path)), {"rd_intensity": "share"})
    few = windows[windows["region"].isin(["广州市", "清远市", "深圳市", "珠海市", "佛山市"])]
    sticks = Yardsticks(few, load_rules(), load_thresholds(), PARENTS)
    p = sticks.peers.lookup("rd_intensity", "district", 3, sticks.kin("番禺区"), "pp_per_year")
    assert (p["peer_n"], p["peer_regions"]) == (4, 4) and not sticks.peers.usable(p["peer_n"], p["peer_regions"])
    out = judge_segment(step("番禺区", 0.45), sticks, LEVELS)
    assert not out["judged"] and out["not_judged_because"].startswith(
        "not judged: 4 peer windows of 3 years from 4 regions once the plan's own family (广州市) is left out "
        "(fewer than 8 windows or 5 regions)")
