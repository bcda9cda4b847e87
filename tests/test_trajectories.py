"""Trajectories: the plan path through the stated points (hand-computed, bounds as intervals), statistical fits of
four or more actuals with prediction intervals (hand-computed), no band from 2–3 points, shares within 0–100, and the
vectorised engine agreeing with statsmodels."""
import numpy as np
import pandas as pd
import pytest
from _frames import obs, path

from analysis.derive.trajectories import COLUMNS, MIN_ACTUAL_POINTS, fit, interpolate, plan_path
from analysis.pipeline.datasets import load

NUMERIC = ["observed", "fitted", "lower", "upper", "annual_growth", "growth_ci_low", "growth_ci_high"]


def assert_same(a: pd.DataFrame, b: pd.DataFrame):
    assert list(a.columns) == list(b.columns) == COLUMNS
    assert len(a) == len(b)
    other = [c for c in COLUMNS if c not in NUMERIC]
    pd.testing.assert_frame_equal(a[other].reset_index(drop=True), b[other].reset_index(drop=True), check_dtype=False)
    np.testing.assert_allclose(a[NUMERIC].to_numpy(dtype=float), b[NUMERIC].to_numpy(dtype=float), rtol=1e-7, atol=1e-9)


def actuals(values_by_year: dict, targets: dict | None = None, **common) -> list[dict]:
    """A path of actuals (and optional targets after them)."""
    rows = [{"year": y, "value": v, "kind": "actual", **common} for y, v in sorted(values_by_year.items())]
    return rows + [{"year": y, "value": v, "kind": "target", **common} for y, v in sorted((targets or {}).items())]


@pytest.fixture(scope="module")
def mixed():
    rng = np.random.default_rng(7)
    rows = []
    rows += path({2014: 62, 2017: 75, 2020: 110}, indicator_id="stock", measure="count_stock", unit="个")
    rows += path({2014: 13, 2017: 42, 2020: 56}, indicator_id="share_hi", measure="share", unit="%")
    rows += path({2016: 0, 2018: 3, 2020: 8}, indicator_id="zero", measure="count_stock")
    rows += path({2014: 3, 2017: 95}, indicator_id="two", measure="count_stock")
    rows += actuals({2010: 20, 2011: 30, 2012: 45, 2013: 55, 2014: 70}, {2016: 80}, indicator_id="share_fit",
                    measure="share", unit="%")
    rows += actuals({2010: 0, 2011: 2, 2012: 3, 2013: 5}, {2015: 9}, indicator_id="zero_fit", measure="count_stock")
    rows += [{"year": 2015, "value": 5, "kind": "actual", "indicator_id": "one_year"},
             {"year": 2015, "value": 6, "kind": "target", "indicator_id": "one_year"}]
    for i in range(30):                                        # noisy paths of 3-8 actuals and two targets
        years = np.sort(rng.choice(np.arange(2005, 2020), size=rng.integers(3, 9), replace=False))
        vals = 100 * np.exp(0.08 * (years - 2005) + rng.normal(0, 0.1, len(years)))
        rows += actuals(dict(zip(years.tolist(), vals.tolist())), {2022: 500.0, 2025: 700.0}, indicator_id=f"n{i:02d}")
    return obs(*rows)


# ---------------------------------------------------------------- the plan path
def test_interpolation_geometric_and_linear():
    # 100 → 121 over two years: geometric midpoint 110 (10 %/yr twice), linear midpoint 110.5
    assert interpolate(2010, 100, 2012, 121, 2011, True) == pytest.approx(110)
    assert interpolate(2010, 100, 2012, 121, 2011, False) == pytest.approx(110.5)
    assert interpolate(2010, 1.67, 2017, 2.51, 2014, False) == pytest.approx(1.67 + 0.84 * 4 / 7)
    # an open end stays open between the points, but the closed end is itself
    assert np.isinf(interpolate(2010, 5, 2012, np.inf, 2011, True))
    assert interpolate(2010, 5, 2012, np.inf, 2010, True) == 5
    assert interpolate(2010, 0, 2012, 8, 2011, True) == pytest.approx(4)        # a zero cannot be geometric


def test_plan_path_of_a_level_passes_through_every_stated_point():
    t = fit(obs(*path({2014: 166, 2017: 262, 2020: 418}, measure="count_stock")))
    assert set(t["model"]) == {"plan"} and set(t["interval"]) == {"bounds"}
    assert list(t["year"]) == list(range(2014, 2021))
    fitted = t.set_index("year")["fitted"]
    assert fitted[[2014, 2017, 2020]].tolist() == pytest.approx([166, 262, 418])          # never misses a point
    observed = t.set_index("year")["observed"]                                           # the points, none between
    assert observed.dropna().to_dict() == {2014: 166, 2017: 262, 2020: 418} and len(observed) == 7
    assert fitted[2015] == pytest.approx(166 * (262 / 166) ** (1 / 3))                     # 191.96
    assert fitted[2019] == pytest.approx(262 * (418 / 262) ** (2 / 3))                     # 358.47
    assert (t["lower"] == t["fitted"]).all() and (t["upper"] == t["fitted"]).all()        # exact targets: [v, v]
    assert t["annual_growth"].iloc[0] == pytest.approx(100 * ((418 / 166) ** (1 / 6) - 1))  # first → last, %/yr
    assert t["growth_unit"].iloc[0] == "%/yr" and t[["growth_ci_low", "growth_ci_high"]].isna().all().all()
    assert (t["n_points"] == 3).all()


def test_plan_bounds_are_intervals_a_floor_is_a_floor():
    t = fit(obs({"year": 2014, "value": 100, "kind": "actual", "measure": "count_stock"},
                {"year": 2016, "value": 144, "kind": "target", "measure": "count_stock"},
                {"year": 2018, "value": 200, "kind": "target", "measure": "count_stock", "bound": "ge"}))
    t = t.set_index("year")
    assert t.loc[2015, "fitted"] == pytest.approx(120) and t.loc[2015, "upper"] == pytest.approx(120)
    # 2016 → 2018 ends in "at least 200": the floor is interpolated, the top is open (empty)
    assert t.loc[2017, "lower"] == pytest.approx(144 * (200 / 144) ** 0.5) and np.isnan(t.loc[2017, "upper"])
    assert t.loc[2018, "lower"] == 200 and np.isnan(t.loc[2018, "upper"])


def test_plan_bounds_of_shares_stay_within_0_to_100():
    rows = [{"year": 2014, "value": 40, "kind": "actual", "measure": "share", "unit": "%"},
            {"year": 2016, "value": 96, "kind": "target", "measure": "share", "unit": "%", "bound": "approx"},
            {"year": 2018, "value": 98, "kind": "target", "measure": "share", "unit": "%", "bound": "ge"},
            {"year": 2020, "value": 99, "kind": "target", "measure": "share", "unit": "%", "bound": "range",
             "value_low": 97}]
    t = fit(obs(*rows)).set_index("year")
    assert t.loc[2015, "fitted"] == pytest.approx(68)                                   # linear for shares
    assert t.loc[2016, "lower"] == pytest.approx(96 * 0.95) and t.loc[2016, "upper"] == 100   # 96 × 1.05 cut at 100
    assert t.loc[2018, "lower"] == 98 and t.loc[2018, "upper"] == 100                  # a share's floor: [v, 100]
    assert (t.loc[2020, "lower"], t.loc[2020, "upper"]) == (97, 99)                    # a range: [low, high]
    assert ((t[["fitted", "lower", "upper"]] >= 0) & (t[["fitted", "lower", "upper"]] <= 100)).all().all()
    assert t["growth_unit"].iloc[0] == "pp/yr" and t["annual_growth"].iloc[0] == pytest.approx((99 - 40) / 6)


def test_no_fit_and_no_band_from_two_or_three_points(mixed):
    t = fit(mixed)
    for ind in ("stock", "share_hi", "zero", "two"):
        part = t[t.indicator_id == ind]
        assert set(part["model"]) == {"plan"}, ind
    assert "one_year" not in set(t["indicator_id"])              # points in one year only: nothing to draw


# ---------------------------------------------------------------- statistical fits of four or more actuals
def test_hand_computed_linear_fit_with_prediction_interval():
    # shares 10, 12, 15, 17 in 2000–2003: x̄ = 2001.5, Sxx = 5, Sxy = 12 → slope 2.4 pp/yr, fitted 9.9 / 12.3 /
    # 14.7 / 17.1; residuals .1 −.3 .3 −.1, SSR = 0.2, s² = 0.1 (2 df), t(2 df, 95 %) = 2.919986.
    # prediction half-width at 2000: t·√(s²(1 + 1/4 + 1.5²/5)) = 2.919986·√0.17 = 1.203942
    t = fit(obs(*actuals({2000: 10, 2001: 12, 2002: 15, 2003: 17}, {2005: 25}, measure="share", unit="%")))
    lin = t[t.model == "linear"].set_index("year")
    assert list(lin.index) == [2000, 2001, 2002, 2003, 2004, 2005]                      # projected to the target
    assert lin["fitted"].loc[2000:2003].tolist() == pytest.approx([9.9, 12.3, 14.7, 17.1])
    assert lin.loc[2000, "upper"] - lin.loc[2000, "fitted"] == pytest.approx(2.919986 * np.sqrt(0.17), abs=1e-5)
    assert lin.loc[2005, "fitted"] == pytest.approx(21.9)
    assert set(lin["interval"]) == {"prediction_90"} and (lin["n_points"] == 4).all()
    assert lin["annual_growth"].iloc[0] == pytest.approx(2.4) and lin["growth_unit"].iloc[0] == "pp/yr"
    se_slope = np.sqrt(0.1 / 5)
    assert lin["growth_ci_low"].iloc[0] == pytest.approx(2.4 - 2.919986 * se_slope, abs=1e-5)
    assert np.isnan(lin.loc[2004, "observed"]) and lin.loc[2003, "observed"] == 17
    plan = t[t.model == "plan"]
    assert plan["fitted"].tolist() == pytest.approx([10, 12, 15, 17, 21, 25])          # the path through every point


def test_exponential_fit_of_exact_growth_has_a_zero_width_band_only_because_it_is_exact():
    t = fit(obs(*actuals({2000: 100, 2001: 110, 2002: 121, 2003: 133.1})))
    e = t[t.model == "exponential"]
    assert e["annual_growth"].iloc[0] == pytest.approx(10.0)
    assert e["fitted"].tolist() == pytest.approx([100, 110, 121, 133.1])
    assert e["upper"].tolist() == pytest.approx(e["fitted"].tolist())


def test_share_prediction_bands_are_clipped_to_0_100(mixed):
    t = fit(mixed)
    s = t[(t.indicator_id == "share_fit") & (t.model == "linear")]
    assert s["upper"].max() == 100                                # 20 → 70 in four years, projected to 2016
    assert ((s[["fitted", "lower", "upper"]] >= 0) & (s[["fitted", "lower", "upper"]] <= 100)).all().all()
    logi = t[(t.indicator_id == "share_fit") & (t.model == "logistic")]
    assert len(logi) and ((logi["fitted"] > 0) & (logi["fitted"] < 100)).all() and logi["growth_unit"].iloc[0] == "logit/yr"


def test_models_fit_the_measure(mixed):
    t = fit(mixed)
    models = t.groupby("indicator_id")["model"].agg(lambda m: sorted(set(m)))
    assert models["share_fit"] == ["linear", "logistic", "plan"]
    assert models["zero_fit"] == ["linear", "plan"]                                    # a zero cannot be logged
    assert "cannot be logged" in t[(t.indicator_id == "zero_fit") & (t.model == "linear")]["note"].iloc[0]
    assert models["n00"] == (["exponential", "plan"] if (mixed.indicator_id == "n00").sum() - 2 >= 4 else ["plan"])


def test_vectorised_agrees_with_statsmodels(mixed):
    assert_same(fit(mixed), fit(mixed, engine="statsmodels"))


def test_vectorised_agrees_with_statsmodels_on_the_real_data():
    o = load("observations")
    assert_same(fit(o), fit(o, engine="statsmodels"))


def test_unknown_engine():
    with pytest.raises(ValueError, match="engine 'fast'"):
        fit(obs(*path({2000: 1, 2001: 2})), engine="fast")


# ---------------------------------------------------------------- the committed frame
def test_real_trajectories_bands_follow_the_rules():
    t = load("trajectories")
    fits = t[t["model"] != "plan"]
    # no row carries a statistical interval from fewer than four actual points
    assert (fits["n_points"] >= MIN_ACTUAL_POINTS).all() and set(fits["interval"]) <= {"prediction_90"}
    assert set(t.loc[t["model"] == "plan", "interval"]) == {"bounds"}
    share = t[t["measure"] == "share"]
    for col in ("fitted", "lower", "upper"):
        v = share[col].dropna()
        assert ((v >= 0) & (v <= 100)).all(), col                 # no share band leaves 0–100


def test_real_plan_paths_project_every_target_year():
    o = load("observations")
    t = load("trajectories")
    targets = o[(o.kind == "target") & (o.measure != "growth_rate")]
    years = o[o.measure != "growth_rate"].groupby(["source_id", "indicator_id"])["year"].nunique()
    # (a series of actuals alone, as a plan's review of past years, has two years and no target: nothing to project)
    targets = targets[targets.set_index(["source_id", "indicator_id"]).index.isin(years[years >= 2].index)]
    assert len(targets) > 0
    for r in targets.itertuples():
        p = plan_path(t, r.source_id, r.indicator_id)
        assert p[r.year] == pytest.approx(r.value)                   # the plan passes through its own targets
    assert t["fitted"].notna().all()
