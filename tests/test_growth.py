"""Segments: growth that fits the measure, bounds as bands, zero bases, stated rates (hand-computed values)."""
import numpy as np
import pandas as pd
import pytest
from _frames import obs, path

from analysis.derive.growth import COLUMNS, annual_rate, categorical, segments
from analysis.pipeline.datasets import load


def seg(frame, **where):
    s = segments(frame)
    for k, v in where.items():
        s = s[s[k] == v]
    return s


def one(frame, **where):
    s = seg(frame, **where)
    assert len(s) == 1, s
    return s.iloc[0]


def test_cagr_for_a_stock_with_new_entries_per_year():
    f = obs(*path({2014: 62, 2017: 75, 2020: 110}, measure="count_stock", unit="个"))
    s = segments(f)
    assert list(s.columns) == COLUMNS
    assert list(s["segment"]) == ["step", "step", "overall"]
    first = s.iloc[0]
    # (75 / 62) ** (1/3) = 1.065508 → 6.5508 %/yr; (75 - 62) / 3 = 4.333 new a year
    assert first["metric"] == "cagr" and first["growth_unit"] == "%/yr"
    assert first["growth"] == pytest.approx(6.5508, abs=1e-4)
    assert first["new_per_year"] == pytest.approx(13 / 3)
    assert (first["start_kind"], first["end_kind"], first["years"]) == ("actual", "target", 3)
    overall = s.iloc[2]
    assert (overall["start_year"], overall["end_year"]) == (2014, 2020)
    assert overall["growth"] == pytest.approx(((110 / 62) ** (1 / 6) - 1) * 100)     # 10.027 %/yr
    assert overall["growth"] == pytest.approx(10.0272, abs=1e-4)
    assert s["growth_low"].isna().all() and s["growth_high"].isna().all()          # no bounds, no band


def test_share_in_percentage_points_and_relative_change():
    r = one(obs(*path({2014: 1.67, 2017: 2.51}, measure="share", unit="%")), segment="step")
    assert r["metric"] == "pp_per_year" and r["growth_unit"] == "pp/yr"
    assert r["growth"] == pytest.approx(0.28)                                      # (2.51 - 1.67) / 3
    assert r["relative_change_pct"] == pytest.approx(50.2994, abs=1e-4)            # 2.51 / 1.67 - 1
    assert np.isnan(r["new_per_year"])


def test_flow_is_compound_growth_without_new_entries():
    r = one(obs(*path({2014: 1528, 2017: 3115}, measure="count_flow", unit="件")), segment="step")
    assert r["metric"] == "cagr" and r["growth"] == pytest.approx(26.7978, abs=1e-4)
    assert np.isnan(r["new_per_year"])


def test_neeq_leap():
    r = one(obs(*path({2014: 3, 2017: 95}, measure="count_stock")), segment="step")
    assert r["growth"] == pytest.approx(216.374, abs=1e-3)                          # (95/3) ** (1/3) = 3.16374
    assert r["new_per_year"] == pytest.approx(92 / 3)


def test_zero_base_gives_new_per_year_not_inf():
    f = obs(*path({2015: 0, 2018: 12}, measure="count_stock", indicator_id="a"),
            *path({2015: 0, 2017: 5}, measure="level", unit="亿元", indicator_id="b"),
            *path({2015: 0, 2017: 4}, measure="share", unit="%", indicator_id="c"))
    s = segments(f)
    assert np.isfinite(s.select_dtypes("number").to_numpy(dtype=float)[~np.isnan(s.select_dtypes("number").to_numpy(dtype=float))]).all()
    a = s[(s.indicator_id == "a") & (s.segment == "step")].iloc[0]
    assert (a["metric"], a["growth"], a["growth_unit"]) == ("new_per_year", 4.0, "per yr")
    assert "zero base" in a["note"]
    b = s[(s.indicator_id == "b") & (s.segment == "step")].iloc[0]
    assert (b["metric"], b["growth"]) == ("change_per_year", 2.5)
    c = s[(s.indicator_id == "c") & (s.segment == "step")].iloc[0]
    assert (c["metric"], c["growth"]) == ("pp_per_year", 2.0)
    assert np.isnan(c["relative_change_pct"]) and c["note"] == ""


def test_end_at_zero_and_same_year_pairs_are_explicit():
    f = obs(*path({2015: 10, 2017: 0}, indicator_id="a"),
            {"year": 2016, "value": 5, "kind": "actual", "indicator_id": "b"},
            {"year": 2016, "value": 6, "kind": "target", "indicator_id": "b"},
            {"year": 2018, "value": 8, "kind": "target", "indicator_id": "b"})
    s = segments(f)
    a = s[(s.indicator_id == "a") & (s.segment == "step")].iloc[0]
    assert a["growth"] == -100.0 and "zero" in a["note"]
    b = s[s.indicator_id == "b"]
    same = b.iloc[0]                                        # actual 2016 comes before target 2016
    assert (same["start_kind"], same["end_kind"], same["metric"]) == ("actual", "target", "none")
    assert np.isnan(same["growth"]) and "same year" in same["note"]
    assert b.iloc[1]["growth"] == pytest.approx(((8 / 6) ** 0.5 - 1) * 100)


def test_bounds_carry_through_as_a_band():
    f = obs({"year": 2019, "value": 100, "kind": "actual", "indicator_id": "ge"},
            {"year": 2021, "value": 121, "kind": "target", "bound": "ge", "indicator_id": "ge"},
            {"year": 2019, "value": 100, "kind": "actual", "indicator_id": "approx"},
            {"year": 2021, "value": 121, "kind": "target", "bound": "approx", "indicator_id": "approx"},
            {"year": 2019, "value": 100, "kind": "actual", "indicator_id": "range"},
            {"year": 2021, "value": 121, "value_low": 110, "kind": "target", "bound": "range", "indicator_id": "range"},
            {"year": 2019, "value": 90, "kind": "actual", "indicator_id": "share", "measure": "share", "unit": "%"},
            {"year": 2021, "value": 94, "kind": "target", "bound": "ge", "indicator_id": "share", "measure": "share", "unit": "%"})
    s = segments(f).set_index(["indicator_id", "segment"])
    ge = s.loc[("ge", "step")]
    assert ge["growth"] == pytest.approx(10.0) and ge["growth_low"] == pytest.approx(10.0)   # a minimum growth
    assert np.isnan(ge["growth_high"])                                                       # no upper end
    ap = s.loc[("approx", "step")]                                 # 121 ± 5 %: 114.95 .. 127.05
    assert ap["growth_low"] == pytest.approx((np.sqrt(1.1495) - 1) * 100)                  # 7.2147
    assert ap["growth_high"] == pytest.approx((np.sqrt(1.2705) - 1) * 100)                 # 12.7165
    rg = s.loc[("range", "step")]
    assert rg["growth_low"] == pytest.approx((np.sqrt(1.10) - 1) * 100)                     # 4.8809
    assert rg["growth_high"] == pytest.approx(10.0)
    sh = s.loc[("share", "step")]                                  # ≥ 94 % of a share: at most 100 %
    assert sh["growth_low"] == pytest.approx(2.0) and sh["growth_high"] == pytest.approx(5.0)


def test_approx_band_follows_the_threshold_override():
    from analysis.inputs.reference import load_thresholds

    f = obs({"year": 2019, "value": 100, "kind": "actual"},
            {"year": 2021, "value": 121, "kind": "target", "bound": "approx"})
    s = segments(f, load_thresholds({"approx_band_pct": 10}))
    assert s.iloc[0]["growth_low"] == pytest.approx((np.sqrt(1.089) - 1) * 100)


def test_stated_growth_rates_are_kept_as_rates():
    f = obs(*path({2012: 750, 2017: 1500}, indicator_id="patent_applications", unit="件"),
            {"year": 2017, "value": 15, "kind": "target", "bound": "ge", "indicator_id": "patent_applications_growth",
             "measure": "growth_rate", "unit": "%"},
            {"year": 2020, "value": 0.1, "kind": "target", "bound": "ge", "indicator_id": "share_rise",
             "measure": "growth_rate", "unit": "百分点"})
    s = segments(f)
    st = s[s.segment == "stated"].set_index("indicator_id")
    assert len(st) == 2
    assert (st.at["patent_applications_growth", "metric"], st.at["patent_applications_growth", "growth"]) == ("cagr", 15.0)
    assert st.at["patent_applications_growth", "growth_low"] == 15.0
    assert np.isnan(st.at["patent_applications_growth", "growth_high"])
    assert (st.at["share_rise", "metric"], st.at["share_rise", "growth_unit"]) == ("pp_per_year", "pp/yr")
    level = s[(s.indicator_id == "patent_applications") & (s.segment == "step")].iloc[0]
    assert level["growth"] == pytest.approx(14.8698, abs=1e-4)                      # 2 ** (1/5) = 1.148698


def test_annual_rate_never_returns_inf():
    out = annual_rate([0, 5, 5, 5, -1], [5, 0, 5, np.inf, 2], [2, 2, 0, 2, 2], ["cagr"] * 5)
    assert np.isnan(out[0]) and out[1] == -100 and np.isnan(out[2]) and np.isnan(out[3]) and np.isnan(out[4])


def test_paths_are_per_source_and_sorted():
    f = obs(*path({2017: 2, 2014: 1}, source_id="b"), *path({2020: 9, 2014: 3}, source_id="a"))
    s = segments(f.sample(frac=1, random_state=1))
    assert list(zip(s.source_id, s.segment, s.start_year)) == [("a", "step", 2014), ("a", "overall", 2014),
                                                               ("b", "step", 2014), ("b", "overall", 2014)]


def test_real_segments_cover_every_path():
    o = load("observations")
    s = load("segments")
    paths_with_2 = o[o.measure != "growth_rate"].groupby(["source_id", "indicator_id"]).size()
    paths_with_2 = paths_with_2[paths_with_2 >= 2]
    overall = s[s.segment == "overall"].set_index(["source_id", "indicator_id"])
    assert set(overall.index) == set(paths_with_2.index)
    assert (s[s.segment == "step"].groupby(["source_id", "indicator_id"]).size() == paths_with_2 - 1).all()
    assert not np.isinf(s.select_dtypes("number").to_numpy(dtype=float)).any()
    rd = s[(s.source_id == "panyu-2015") & (s.indicator_id == "enterprise_rd_centres") & (s.start_year == 2014)
           & (s.end_year == 2017)].iloc[0]
    assert rd["growth"] == pytest.approx(6.5508, abs=1e-4)


def test_bound_interval_by_hand_for_every_kind_of_column():
    """eq → [v, v]; ge/gt → [v, ∞), [v, 100] for a share; le → [0, v] (an upper bound, issue 22; [1, v] for a rank:
    see test_a_rank_is_compared_in_places…); approx → v ± band (a share's top at 100); range → [low, v]; any other
    word → [v, v]: the same whether the bounds come as text, as the points' categorical (codes in
    BOUNDS order) or as a categorical of other categories."""
    import numpy as np
    import pandas as pd

    from analysis.derive.growth import BOUNDS, bound_interval

    value = np.array([10.0, 10.0, 10.0, 10.0, 95.0, 10.0, 10.0, 10.0])
    low = np.array([np.nan, np.nan, np.nan, np.nan, np.nan, 8.0, np.nan, np.nan])
    bound = np.array(["eq", "ge", "gt", "approx", "approx", "range", "le", None], dtype=object)
    measure = np.array(["level", "level", "share", "level", "share", "level", "level", "level"], dtype=object)
    want_lo = [10.0, 10.0, 10.0, 9.0, 85.5, 8.0, 0.0, 10.0]
    want_hi = [10.0, np.inf, 100.0, 11.0, 100.0, 10.0, 10.0, 10.0]
    points_like = pd.Categorical.from_codes([BOUNDS.index(b) if b in BOUNDS else -1 for b in bound], categories=BOUNDS)
    for b in (bound, pd.Series(bound, dtype="str"), pd.Series(points_like), pd.Categorical(bound)):
        lo, hi = bound_interval(value, low, b, pd.Categorical(measure), 10.0)
        assert np.allclose(lo, want_lo, rtol=0, atol=1e-12) and np.allclose(hi, want_hi, rtol=0, atol=1e-12)


# ------------------------------------------------------------------ ranks (issue 22): places, never a growth rate
RANK = {"indicator_id": "innovation_rank", "measure": "rank", "unit": "名次"}


def test_a_rank_is_compared_in_places_and_its_le_target_is_a_band():
    # 由2015年的第18位提升到前15位 (2020): 18 → at most 15 (place 15 or better, down to place 1)
    seg = segments(obs({"year": 2015, "value": 18, "kind": "actual", **RANK},
                       {"year": 2020, "value": 15, "kind": "target", "bound": "le", **RANK}))
    step = seg[seg["segment"] == "step"].iloc[0]
    assert step["metric"] == "places_per_year" and step["growth_unit"] == "places/yr"
    assert step["growth"] == pytest.approx(-0.6)                    # (15 − 18) / 5: 0.6 places up a year, not −3.6 %/yr
    assert step["end_low"] == 1 and step["end_high"] == 15          # le: place 1 to 15, not exactly 15
    assert step["growth_low"] == pytest.approx(-3.4) and step["growth_high"] == pytest.approx(-0.6)   # (1 − 18) / 5
    assert "never as a growth rate" in step["note"]


def test_le_and_lt_targets_are_not_exact_in_the_growth_engine():
    # 对外技术依存度 at most 30 % in 2020 from 50 % in 2006: the band reaches down to 0 %
    seg = segments(obs({"year": 2006, "value": 50, "kind": "actual", "measure": "share", "unit": "%"},
                       {"year": 2020, "value": 30, "kind": "target", "bound": "le", "measure": "share", "unit": "%"}))
    step = seg[seg["segment"] == "step"].iloc[0]
    assert (step["end_low"], step["end_high"]) == (0, 30)
    assert step["growth_high"] == pytest.approx((30 - 50) / 14) and step["growth_low"] == pytest.approx((0 - 50) / 14)
    lt = segments(obs({"year": 2015, "value": 10, "kind": "actual"}, {"year": 2020, "value": 8, "kind": "target",
                                                                       "bound": "lt"}))
    assert lt.iloc[0]["end_low"] == 0 and lt.iloc[0]["end_high"] == 8


def test_categorical_is_astype_category():
    """The same categories (sorted) and values as .astype("category"), a missing word missing, runs or not."""
    words = np.array(["plan-b", "plan-b", "plan-a", None, "plan-c", "plan-a", "plan-a"], dtype=object)
    got = categorical(words)
    assert list(got.categories) == ["plan-a", "plan-b", "plan-c"]
    assert list(got.codes) == [1, 1, 0, -1, 2, 0, 0]
    pd.testing.assert_series_equal(pd.Series(got), pd.Series(words).astype("category"))
    assert len(categorical(np.array([], dtype=object))) == 0
