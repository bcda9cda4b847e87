"""analysis.progress: hand-computed target-versus-actual cases (real Guangzhou and Panyu figures), the bound rules,
the growth-ratio categories, the limit factor, data-quality notes, levels, parameters, and the committed progress.csv."""
import math

import pandas as pd
import pytest

from analysis import actuals, paths, progress
from analysis.errors import InputError
from analysis.io import frame_to_csv_text, read_processed
from analysis.ingest import COLUMNS as OBS_COLUMNS

DOC_YEARS = {"guangzhou-2019": 2019, "panyu-2015": 2015, "test-2010": 2010, "test-2015": 2015}
INDICATORS = {  # indicator_id: (measure, unit)
    "rd_intensity": ("share", "%"), "high_tech_enterprises": ("count_stock", "家"),
    "tech_contract_turnover": ("level", "亿元"), "high_tech_output_share": ("share", "%"),
    "incubator_area": ("level", "万平方米"), "fiscal_st_spending": ("level", "亿元"),
}
REGION = {"guangzhou-2019": "广州市", "panyu-2015": "番禺区", "test-2010": "广州市", "test-2015": "番禺区"}


def obs(*rows):
    """Observations-shaped frame from (source_id, indicator_id, year, value, kind, bound[, value_low])."""
    out = []
    for i, r in enumerate(rows, 1):
        sid, ind, year, value, kind, bound = r[:6]
        measure, unit = INDICATORS[ind]
        out.append({"source_id": sid, "region": REGION[sid], "region_en": "", "indicator_id": ind, "indicator_zh": ind,
                    "indicator_en": ind, "measure": measure, "unit": unit, "year": year, "value": value,
                    "value_published": str(value), "unit_published": unit, "kind": kind, "bound": bound,
                    "value_low": r[6] if len(r) > 6 else math.nan, "line": i, "quote": f"{value}{unit}"})
    return pd.DataFrame(out, columns=OBS_COLUMNS)


def published(*rows):
    """Actuals frame (as from actuals.load) from (region, indicator_id, year, value[, bound])."""
    return pd.DataFrame([{"region": r[0], "indicator_id": r[1], "unit": INDICATORS[r[1]][1], "year": r[2], "value": r[3],
                          "bound": r[4] if len(r) > 4 else "eq", "source": f"http://example.org/{r[1]}/{r[2]}",
                          "line": i + 2} for i, r in enumerate(rows)])


def run(o, pub, trajectories=None, **kw):
    comb = actuals.combined(o, published=pub)
    return progress.compute(o, comb, trajectories, doc_years=DOC_YEARS, **kw).set_index(["indicator_id", "target_year"])


# ---------------------------------------------------------------- real cases, computed by hand
GZ_HTE = published(("广州市", "high_tech_enterprises", 2015, 1919), ("广州市", "high_tech_enterprises", 2019, 12099),
                   ("广州市", "high_tech_enterprises", 2022, 12300, "gt"))


def gz_plan():
    """The 2019–2021 plan's targets as published (超过 1.14/1.17/1.2 万家, 突破 850/1000/1200 亿元, 达到 3.1 %)."""
    return obs(("guangzhou-2019", "high_tech_enterprises", 2019, 11400, "target", "gt"),
               ("guangzhou-2019", "high_tech_enterprises", 2020, 11700, "target", "gt"),
               ("guangzhou-2019", "high_tech_enterprises", 2021, 12000, "target", "gt"),
               ("guangzhou-2019", "tech_contract_turnover", 2019, 850, "target", "gt"),
               ("guangzhou-2019", "tech_contract_turnover", 2020, 1000, "target", "gt"),
               ("guangzhou-2019", "tech_contract_turnover", 2021, 1200, "target", "gt"),
               ("guangzhou-2019", "rd_intensity", 2021, 3.1, "target", "eq"))


def gz_actuals():
    return pd.concat([GZ_HTE, published(
        ("广州市", "tech_contract_turnover", 2017, 357.51), ("广州市", "tech_contract_turnover", 2018, 719.38),
        ("广州市", "tech_contract_turnover", 2019, 1273.36), ("广州市", "tech_contract_turnover", 2020, 2256.53),
        ("广州市", "tech_contract_turnover", 2021, 2413.11),
        ("广州市", "rd_intensity", 2015, 2.10), ("广州市", "rd_intensity", 2019, 2.87), ("广州市", "rd_intensity", 2021, 3.12),
        ("广东省", "rd_intensity", 2021, 3.14))], ignore_index=True)


def test_guangzhou_high_tech_enterprises_against_the_plan():
    p = run(gz_plan(), gz_actuals())
    r19 = p.loc[("high_tech_enterprises", 2019)]
    # 12,099 > 11,400 (超过 1.14 万家): achieved by 699 = 6.13 %
    assert (r19.status, r19.judged_by) == ("achieved", "actual_at_target_year")
    assert r19.gap == pytest.approx(699) and r19.gap_pct == pytest.approx(100 * 699 / 11400)
    assert (r19.base_year, r19.base_value) == (2015, 1919)     # latest published actual before the 2019 plan
    # 2020: no 2020 actual; 2019's 12,099 already exceeds 11,700. Observed CAGR 2015→2019 = (12099/1919)^(1/4) − 1
    # = 58.46 %; required 2015→2020 = (11700/1919)^(1/5) − 1 = 43.56 %; ratio 1.342
    r20 = p.loc[("high_tech_enterprises", 2020)]
    assert (r20.status, r20.judged_by, r20.actual_year) == ("on_track", "latest_actual_before_target_year", 2019)
    assert r20.observed_cagr == pytest.approx(58.4596, abs=1e-3)
    assert r20.required_cagr == pytest.approx(43.5563, abs=1e-3)
    assert r20.growth_ratio == pytest.approx(1.34216, abs=1e-4)
    assert r20.current_status_index == pytest.approx((12099 - 1919) / (11700 - 1919))
    assert "already meets the 2020 target in 2019" in r20.note and "2022 > 12300" in r20.note
    assert p.loc[("high_tech_enterprises", 2021)].status == "on_track"


def test_guangzhou_technology_contract_turnover_against_the_plan():
    p = run(gz_plan(), gz_actuals())
    expected = {2019: (1273.36, 423.36, 49.80706), 2020: (2256.53, 1256.53, 125.653), 2021: (2413.11, 1213.11, 101.0925)}
    for year, (actual, gap, gap_pct) in expected.items():
        r = p.loc[("tech_contract_turnover", year)]
        assert (r.status, r.actual_value) == ("achieved", actual)
        assert r.gap == pytest.approx(gap) and r.gap_pct == pytest.approx(gap_pct, abs=1e-4)
        assert (r.base_year, r.base_value) == (2018, 719.38)
    # 2019: (1273.36/719.38)^1 − 1 = 77.01 % a year against (850/719.38) − 1 = 18.16 % required
    r = p.loc[("tech_contract_turnover", 2019)]
    assert r.observed_cagr == pytest.approx(77.0080, abs=1e-3) and r.required_cagr == pytest.approx(18.1573, abs=1e-3)


def test_guangzhou_rd_intensity_against_the_plan():
    r = run(gz_plan(), gz_actuals()).loc[("rd_intensity", 2021)]
    # 达到 3.1 %: 3.12 meets it; gap 0.02 points = 0.645 %; (3.12 − 2.10)/(3.10 − 2.10) = 1.02 of the planned change
    assert r.status == "achieved" and r.gap == pytest.approx(0.02) and r.gap_pct == pytest.approx(0.64516, abs=1e-4)
    assert r.current_status_index == pytest.approx(1.02)
    assert (r.parent_region, r.parent_actual_value) == ("广东省", 3.14)   # the province beside the city
    assert r.limit_factor == pytest.approx(1 - 0.021 ** 4.44)


def test_panyu_rd_intensity_judged_a_year_late_and_across_levels():
    o = pd.concat([gz_plan(), obs(("panyu-2015", "rd_intensity", 2014, 1.67, "actual", "eq"),
                                  ("panyu-2015", "rd_intensity", 2017, 2.51, "target", "eq"),
                                  ("panyu-2015", "rd_intensity", 2020, 3.11, "target", "eq"))], ignore_index=True)
    pub = pd.concat([gz_actuals(), published(("番禺区", "rd_intensity", 2021, 3.17))], ignore_index=True)
    comb = actuals.combined(o, published=pub)
    prog = progress.compute(o, comb, doc_years=DOC_YEARS)
    r = prog[(prog["source_id"] == "panyu-2015") & (prog["target_year"] == 2020)].iloc[0]
    # no 2020 actual; 2021's 3.17 is one year late. Observed (3.17/1.67)^(1/7) − 1 = 9.588 %, required
    # (3.11/1.67)^(1/6) − 1 = 10.919 %: ratio 0.878 → acceleration needed (never "achieved" a year late)
    assert (r.judged_by, r.status) == ("actual_after_target_year", "acceleration_needed")
    assert r.observed_cagr == pytest.approx(9.5881, abs=1e-3) and r.required_cagr == pytest.approx(10.9194, abs=1e-3)
    assert r.growth_ratio == pytest.approx(0.87808, abs=1e-4)
    assert (r.base_year, r.base_value, r.base_source) == (2014, 1.67, "panyu-2015 line 1: 1.67%")
    assert (r.parent_region, r.parent_actual_year, r.parent_actual_value) == ("广州市", 2021, 3.12)
    # the 2017 target: the only later actual (2021) is more than a year late → no row, with the reason
    left = progress.unassessed(o, comb, doc_years=DOC_YEARS)
    assert "no actual between the base year and 2018" in left[left["target_year"] == 2017]["reason"].iloc[0]
    pairs = progress.across_levels(prog)
    pair = pairs[pairs["region"] == "番禺区"].iloc[0]
    assert (pair.target_year, pair.status, pair.parent_region, pair.parent_target_year, pair.parent_status) == \
        (2020, "acceleration_needed", "广州市", 2021, "achieved")


# ---------------------------------------------------------------- bounds
@pytest.mark.parametrize("bound,actual,status", [
    ("gt", 11400, "missed"),       # 超过: equal is not more
    ("gt", 11401, "achieved"),
    ("ge", 11400, "achieved"),     # 以上: equal is enough
    ("ge", 11399, "missed"),
    ("eq", 11400, "achieved"),
    ("approx", 10830, "achieved"),  # 左右: 5 % below (11400 × 0.95 = 10830) still counts
    ("approx", 10829, "missed"),
])
def test_bound_aware_achievement(bound, actual, status):
    o = obs(("guangzhou-2019", "high_tech_enterprises", 2019, 11400, "target", bound))
    assert run(o, published(("广州市", "high_tech_enterprises", 2019, actual))).iloc[0].status == status


def test_range_target_counts_at_its_lower_end():
    o = obs(("guangzhou-2019", "high_tech_enterprises", 2019, 20, "target", "range", 10))
    assert run(o, published(("广州市", "high_tech_enterprises", 2019, 10))).iloc[0].status == "achieved"
    assert run(o, published(("广州市", "high_tech_enterprises", 2019, 9))).iloc[0].status == "missed"


def test_approx_tolerance_is_a_parameter():
    o = obs(("guangzhou-2019", "high_tech_enterprises", 2019, 11400, "target", "approx"))
    pub = published(("广州市", "high_tech_enterprises", 2019, 10900))
    assert run(o, pub).iloc[0].status == "achieved"
    assert run(o, pub, parameters={"approx_band_pct": 2}).iloc[0].status == "missed"


def test_lower_bound_actual_that_misses_is_noted():
    o = obs(("guangzhou-2019", "high_tech_enterprises", 2022, 12500, "target", "ge"))
    r = run(o, GZ_HTE).iloc[0]
    assert r.status == "missed" and "published as a lower bound" in r.note


# ---------------------------------------------------------------- growth ratio categories (base 100 → 200 over 10 years)
@pytest.mark.parametrize("actual,ratio,status", [
    (141.4214, 1.0, "on_track"),              # on the required path: 7.177 %/yr
    (130, 0.75061, "acceleration_needed"),    # (1.3)^(1/5) − 1 = 5.387 %/yr
    (120, 0.51742, "limited_progress"),       # 3.714 %/yr
    (90, -0.29052, "deterioration"),          # −2.085 %/yr
])
def test_growth_ratio_categories(actual, ratio, status):
    o = obs(("test-2010", "fiscal_st_spending", 2009, 100, "actual", "eq"),
            ("test-2010", "fiscal_st_spending", 2019, 200, "target", "eq"))
    r = run(o, published(("广州市", "fiscal_st_spending", 2014, actual))).iloc[0]
    assert r.required_cagr == pytest.approx(7.17735, abs=1e-4)
    assert r.growth_ratio == pytest.approx(ratio, abs=1e-4) and r.status == status
    assert r.current_status_index == pytest.approx((actual - 100) / 100) and r.elapsed_share == pytest.approx(0.5)


def test_ratio_thresholds_can_be_overridden():
    o = obs(("test-2010", "fiscal_st_spending", 2009, 100, "actual", "eq"),
            ("test-2010", "fiscal_st_spending", 2019, 200, "target", "eq"))
    pub = published(("广州市", "fiscal_st_spending", 2014, 130))
    assert run(o, pub, parameters={"progress_ratio_acceleration_needed": 0.8}).iloc[0].status == "limited_progress"


def test_limit_factor_scales_trend_thresholds_for_a_share_near_its_ceiling():
    # target equal to its base (90 %): no required growth, so the trend thresholds apply, scaled by
    # C = 1 − 0.9^4.44 = 0.3736. Observed (91/90)^(1/3) − 1 = 0.369 %/yr: above 0.5 × C = 0.187, below 1.5 × C = 0.560
    o = obs(("test-2015", "high_tech_output_share", 2014, 90, "actual", "eq"),
            ("test-2015", "high_tech_output_share", 2016, 90, "target", "eq"))
    r = run(o, published(("番禺区", "high_tech_output_share", 2017, 91))).iloc[0]
    assert r.limit_factor == pytest.approx(0.373614, abs=1e-5)
    assert r.observed_cagr == pytest.approx(0.36900, abs=1e-4)
    assert r.status == "acceleration_needed"     # without the factor: 0.369 < 0.5 → limited progress
    assert run(o, published(("番禺区", "high_tech_output_share", 2017, 91)),
               parameters={"progress_limit_exponent": 100}).iloc[0].status == "limited_progress"


# ---------------------------------------------------------------- data quality, interim figures, trajectories
def test_actual_exactly_on_target_is_noted_with_literature():
    o = obs(("guangzhou-2019", "high_tech_output_share", 2019, 49, "target", "eq"),
            ("guangzhou-2019", "high_tech_output_share", 2020, 50, "target", "eq"))
    r = run(o, published(("广州市", "high_tech_output_share", 2019, 49))).loc[("high_tech_output_share", 2019)]
    assert r.status == "achieved" and r.quality_note.startswith("the actual equals the target exactly")
    assert "Gong, Shen & Chen (2025)" in r.quality_reference


def test_series_landing_on_every_target():
    o = gz_plan()
    pub = published(("广州市", "tech_contract_turnover", 2019, 850), ("广州市", "tech_contract_turnover", 2020, 1000),
                    ("广州市", "tech_contract_turnover", 2021, 1200), ("广州市", "high_tech_enterprises", 2019, 11400),
                    ("广州市", "high_tech_enterprises", 2020, 11800))
    p = run(o, pub)
    notes = p.loc["tech_contract_turnover"]["quality_note"]
    assert all(n.startswith("the series lands exactly on every target (3 of 3") for n in notes)
    assert set(p.loc["tech_contract_turnover"]["status"]) == {"missed"}    # 突破: landing on it is not exceeding it
    assert p.loc[("high_tech_enterprises", 2019)].quality_note.startswith("the actual equals the target exactly")
    assert pd.isna(p.loc[("high_tech_enterprises", 2020)].quality_note)


def test_interim_figure_in_a_document_does_not_judge_its_own_year():
    # a 2015 document stating a 2015 figure (截至5月底…) and a 2015 target: no judgement
    o = obs(("test-2015", "incubator_area", 2015, 37, "actual", "eq"), ("test-2015", "incubator_area", 2015, 84, "target", "eq"))
    comb = actuals.combined(o, published=published(("全国", "rd_intensity", 2015, 2.07)))
    assert progress.compute(o, comb, doc_years=DOC_YEARS).empty


def test_trajectory_view():
    traj = pd.DataFrame({"source_id": "guangzhou-2019", "indicator_id": "high_tech_enterprises", "model": "exponential",
                         "year": [2019, 2020, 2021], "fitted": [11400.0, 11700.0, 12000.0]})
    r = run(gz_plan(), gz_actuals(), traj).loc[("high_tech_enterprises", 2020)]
    assert r.trajectory_model == "exponential" and r.trajectory_at_actual_year == 11400
    assert r.actual_vs_trajectory_pct == pytest.approx(100 * (12099 / 11400 - 1))
    assert r.projected_at_target == pytest.approx(11700 * 12099 / 11400)


# ---------------------------------------------------------------- parameters
def test_parameter_table_has_sources():
    table = progress.parameter_table()
    assert set(table["name"]) == set(progress.PARAMETERS.values())
    assert dict(zip(table["name"], table["value"]))["progress_ratio_on_track"] == 0.95
    assert table.loc["progress_ratio_on_track", "justification"].startswith("Open SDG / Statistics Canada")


@pytest.mark.parametrize("overrides,expected", [
    ({"progress_ratio_on_trak": 0.9}, "threshold override 'progress_ratio_on_trak': unknown parameter"),
    ({"approx_band_pct": 80}, "threshold 'approx_band_pct' = 80 is out of range; expected a number in [0, 50]"),
    ({"progress_ratio_on_track": "high"}, "'progress_ratio_on_track' = 'high' is not a number"),
    ({"progress_ratio_on_track": 0.5}, "expected progress_ratio_on_track > progress_ratio_acceleration_needed"),
    ({"progress_max_years_after_target": 1.5}, "expected a whole number of years"),
])
def test_bad_parameter_overrides(overrides, expected):
    with pytest.raises(InputError) as info:
        progress.load_parameters(overrides)
    assert expected in str(info.value)


# ---------------------------------------------------------------- the real data
@pytest.fixture(scope="module")
def real():
    obs_ = read_processed(paths.OBSERVATIONS)
    comb = actuals.combined(obs_)
    return obs_, comb, progress.compute(obs_, comb)


def test_committed_progress_csv_is_current(real):
    _, _, prog = real
    # the build may add trajectories (issue 4); regenerate with whatever the build passes
    from analysis.build import derived_frames
    frames = derived_frames(real[0])
    assert frame_to_csv_text(frames[paths.PROGRESS]) == paths.PROGRESS.read_text(encoding="utf-8")


def test_real_statuses_follow_the_rules(real):
    _, _, prog = real
    assert set(prog["status"]) <= set(progress.STATUSES)
    at_year = prog["judged_by"] == "actual_at_target_year"
    assert prog.loc[at_year, "status"].isin(["achieved", "missed"]).all()
    assert not prog.loc[~at_year, "status"].isin(["achieved", "missed"]).any()   # never decided without its year
    gz = prog[prog["source_id"] == "guangzhou-2019"].set_index(["indicator_id", "target_year"])
    assert gz.loc[("tech_contract_turnover", 2019), "status"] == "achieved"
    assert gz.loc[("high_tech_enterprises", 2019), "actual_value"] == 12099
    assert gz.loc[("rd_intensity", 2021), "status"] == "achieved"
    # Panyu (district) and Guangzhou (city) R&D intensity side by side
    pairs = progress.across_levels(prog)
    assert {("番禺区", "广州市", "rd_intensity")} <= set(zip(pairs["region"], pairs["parent_region"], pairs["indicator_id"]))


def test_every_target_with_an_actual_for_its_year_has_a_row(real):
    obs_, comb, prog = real
    usable = progress.usable(comb, progress.document_years(obs_))
    have = set(zip(usable["region"], usable["indicator_id"], usable["year"]))
    targets = obs_[(obs_["kind"] == "target") & (obs_["measure"] != "growth_rate")]
    due = {(r.source_id, r.indicator_id, r.year) for r in targets.itertuples() if (r.region, r.indicator_id, r.year) in have}
    rows = set(zip(prog["source_id"], prog["indicator_id"], prog["target_year"]))
    assert due <= rows
