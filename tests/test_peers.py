"""Peer and national windows: which panel rows make windows, window arithmetic, breaks, the national series."""
import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.derive.peers import PANEL_COLUMNS, describe, load_panel, panel_windows, reference_windows


def test_rows_that_make_no_window_say_why():
    p = load_panel()
    assert len(p) == 156
    lower = p[(p.region == "广州市") & (p.indicator == "high_tech_enterprises") & (p.year == 2017)].iloc[0]
    assert not lower["usable"] and lower["unusable_because"] == "marked LOWER BOUND in notes"
    no_url = p[(p.region == "深圳市") & (p.indicator == "rd_intensity")].iloc[0]
    assert not no_url["usable"] and no_url["unusable_because"] == "no source address"
    implied = p[(p.region == "广州市") & (p.year == 2020) & p.notes.str.contains("IMPLIED")].iloc[0]
    assert not implied["usable"]


def test_real_windows_match_the_hand_computation_of_the_panel_notes():
    w = reference_windows()
    rd3 = w[(w.scope == "peer") & (w.indicator_id == "rd_intensity") & w.level.isin(["district", "city"]) & (w.years == 3)]
    # the panel's notes: "R&D intensity, city and district windows: 3-year n = 21, median 0.127, max 0.207 pp/yr
    # (Guangzhou 2017–20)"
    assert len(rd3) == 21
    assert rd3["pace"].median() == pytest.approx(0.127, abs=5e-4) and rd3["pace"].max() == pytest.approx(0.62 / 3)
    top = rd3.loc[rd3["pace"].idxmax()]
    assert (top["region"], top["start_year"], top["end_year"]) == ("广州市", 2017, 2020)
    # Guangzhou's yearbook series breaks after 2006 (coverage): no window crosses it
    gz = w[(w.region == "广州市") & w.series.str.contains("17-5")]
    assert not ((gz.start_year <= 2006) & (gz.end_year >= 2007)).any()
    assert ((gz.start_year == 2003) & (gz.end_year == 2006)).any()


def test_national_windows_are_outcomes_of_the_assigned_series():
    w = reference_windows()
    nat = w[w.scope == "national"]
    assert set(nat["level"]) == {"country"}
    neeq = nat[nat.indicator_id == "neeq_listed_companies"]
    assert ((neeq.start_year == 2013) & (neeq.end_year == 2016) & (neeq.pace == 205.63)).any()
    assert not nat["series"].str.contains("TARGET").any() and not nat["region"].str.contains("plan target").any()


def fixture_panel(tmp_path, rows):
    base = {"region_level": "city", "province": "广东", "unit": "x", "source_url": "u", "publisher": "p", "title": "t",
            "quote": "q", "notes": ""}
    df = pd.DataFrame([{**base, **r} for r in rows])[PANEL_COLUMNS]
    path = tmp_path / "panel.csv"
    df.to_csv(path, index=False)
    return path


def test_window_arithmetic_and_series_boundaries(tmp_path):
    path = fixture_panel(tmp_path, [
        {"region": "A", "indicator": "invention_patent_grants", "year": 2014, "value": 100},
        {"region": "A", "indicator": "invention_patent_grants", "year": 2017, "value": 200},
        {"region": "A", "indicator": "invention_patent_grants", "year": 2018, "value": 180},
        {"region": "A", "indicator": "invention_patent_grants", "year": 2018, "value": 999, "title": "other table"},
        {"region": "B", "indicator": "rd_intensity", "year": 2010, "value": 1.0},
        {"region": "B", "indicator": "rd_intensity", "year": 2012, "value": 1.5}])
    w = panel_windows(load_panel(path), {"invention_patent_grants": "count_flow", "rd_intensity": "share"})
    a = w[w.region == "A"].set_index(["start_year", "end_year"])["pace"]
    assert a[(2014, 2017)] == pytest.approx((2 ** (1 / 3) - 1) * 100)          # 25.99 %/yr
    assert a[(2017, 2018)] == pytest.approx(-10.0)
    assert a[(2014, 2018)] == pytest.approx((1.8 ** 0.25 - 1) * 100)
    assert len(a) == 3                                                          # 999 is another table: no window
    b = w[w.region == "B"].iloc[0]
    assert (b["metric"], b["pace"], b["years"]) == ("pp_per_year", pytest.approx(0.25), 2)
    d = describe(w)
    assert d[(d.indicator_id == "invention_patent_grants") & (d.years == 3)].iloc[0]["max_window"] == "A 2014–2017"


def test_bad_panel_rows_are_refused_with_the_line(tmp_path):
    dup = fixture_panel(tmp_path, [{"region": "A", "indicator": "rd_intensity", "year": 2014, "value": 1.0},
                                   {"region": "A", "indicator": "rd_intensity", "year": 2014, "value": 1.1}])
    with pytest.raises(InputError, match="A rd_intensity 2014 appears twice in the table 't'"):
        panel_windows(load_panel(dup), {"rd_intensity": "share"})
    bad = fixture_panel(tmp_path, [{"region": "A", "indicator": "rd_intensity", "year": 2014, "value": "n/a"}])
    with pytest.raises(InputError, match=r"line 2 field 'value' is 'n/a'; expected a number"):
        load_panel(bad)
    lvl = fixture_panel(tmp_path, [{"region": "A", "indicator": "rd_intensity", "year": 2014, "value": 1, "region_level": "town"}])
    with pytest.raises(InputError, match=r"line 2 field 'region_level' is 'town'"):
        load_panel(lvl)
