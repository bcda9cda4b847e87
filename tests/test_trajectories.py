"""Trajectories: the vectorised engine agrees with statsmodels; hand-computed fits; models per measure."""
import numpy as np
import pandas as pd
import pytest

from _frames import obs, path
from analysis.datasets import load
from analysis.trajectories import COLUMNS, fit

NUMERIC = ["observed", "fitted", "lower", "upper", "annual_growth", "growth_ci_low", "growth_ci_high"]


def assert_same(a: pd.DataFrame, b: pd.DataFrame):
    assert list(a.columns) == list(b.columns) == COLUMNS
    assert len(a) == len(b)
    other = [c for c in COLUMNS if c not in NUMERIC]
    pd.testing.assert_frame_equal(a[other].reset_index(drop=True), b[other].reset_index(drop=True), check_dtype=False)
    np.testing.assert_allclose(a[NUMERIC].to_numpy(dtype=float), b[NUMERIC].to_numpy(dtype=float), rtol=1e-7, atol=1e-9)


@pytest.fixture(scope="module")
def mixed():
    rng = np.random.default_rng(7)
    rows = []
    rows += path({2014: 62, 2017: 75, 2020: 110}, indicator_id="stock", measure="count_stock", unit="个")
    rows += path({2015: 2.0, 2016: 2.3, 2018: 2.2, 2019: 2.9}, indicator_id="money", unit="亿元")
    rows += path({2014: 13, 2017: 42, 2020: 56}, indicator_id="share_hi", measure="share", unit="%")
    rows += path({2014: 1.67, 2017: 2.51, 2020: 3.11}, indicator_id="share_lo", measure="share", unit="%")
    rows += path({2016: 0, 2018: 3, 2020: 8}, indicator_id="zero", measure="count_stock")
    rows += path({2014: 3, 2017: 95}, indicator_id="two", measure="count_stock")
    rows += path({2014: 3, 2017: 95}, indicator_id="two", measure="count_stock", source_id="other")
    rows += [{"year": 2015, "value": 5, "kind": "actual", "indicator_id": "one_year"},
             {"year": 2015, "value": 6, "kind": "target", "indicator_id": "one_year"}]
    for i in range(30):                                        # noisy paths of 3-8 points
        years = np.sort(rng.choice(np.arange(2010, 2026), size=rng.integers(3, 9), replace=False))
        vals = 100 * np.exp(0.08 * (years - 2010) + rng.normal(0, 0.1, len(years)))
        rows += path(dict(zip(years.tolist(), vals.tolist())), indicator_id=f"n{i:02d}")
    return obs(*rows)


def test_vectorised_agrees_with_statsmodels(mixed):
    assert_same(fit(mixed), fit(mixed, engine="statsmodels"))


def test_vectorised_agrees_with_statsmodels_on_the_real_data():
    o = load("observations")
    assert_same(fit(o), fit(o, engine="statsmodels"))


def test_hand_computed_linear_fit_with_interval():
    # shares 10, 12, 15 in 2000-2002: slope 2.5 pp/yr, fitted 9.8333 / 12.3333 / 14.8333,
    # SSR = 1/6, s² = 1/6 (1 df), se(slope) = sqrt(1/12) = 0.288675, t(1 df, 95 %) = 6.313752
    t = fit(obs(*path({2000: 10, 2001: 12, 2002: 15}, measure="share", unit="%")))
    assert list(t["model"]) == ["linear"] * 3 and list(t["year"]) == [2000, 2001, 2002]
    assert t["annual_growth"].iloc[0] == pytest.approx(2.5)
    assert t["growth_unit"].iloc[0] == "pp/yr"
    assert t["fitted"].tolist() == pytest.approx([9.83333, 12.33333, 14.83333], abs=1e-5)
    half = 6.313752 * np.sqrt(1 / 12)
    assert t["growth_ci_low"].iloc[0] == pytest.approx(2.5 - half, abs=1e-5)        # 0.67735
    assert t["growth_ci_high"].iloc[0] == pytest.approx(2.5 + half, abs=1e-5)       # 4.32265
    # band of the mean at 2001 (the centre): t * s * sqrt(1/3)
    assert t["upper"].iloc[1] - t["fitted"].iloc[1] == pytest.approx(6.313752 * np.sqrt(1 / 6) * np.sqrt(1 / 3), abs=1e-5)


def test_exponential_fit_of_exact_growth():
    t = fit(obs(*path({2000: 100, 2001: 110, 2002: 121, 2003: 133.1})))
    assert set(t["model"]) == {"exponential"}
    assert t["annual_growth"].iloc[0] == pytest.approx(10.0)
    assert t["growth_ci_low"].iloc[0] == pytest.approx(10.0) and t["growth_ci_high"].iloc[0] == pytest.approx(10.0)
    assert t["fitted"].tolist() == pytest.approx([100, 110, 121, 133.1])
    assert t["observed"].tolist() == pytest.approx([100, 110, 121, 133.1])


def test_two_points_fit_exactly_without_a_band(mixed):
    t = fit(mixed)
    two = t[(t.indicator_id == "two") & (t.source_id == "src")]
    assert list(two["year"]) == [2014, 2015, 2016, 2017]                          # every year first..last
    assert two["annual_growth"].iloc[0] == pytest.approx(216.374, abs=1e-3)        # same as the CAGR
    assert two["fitted"].iloc[-1] == pytest.approx(95)
    assert two[["lower", "upper", "growth_ci_low", "growth_ci_high"]].isna().all().all()
    assert np.isnan(two["observed"].iloc[1]) and two["observed"].iloc[0] == 3
    assert (two["n_points"] == 2).all()


def test_models_fit_the_measure(mixed):
    t = fit(mixed)
    models = t.groupby("indicator_id")["model"].agg(lambda m: sorted(set(m)))
    assert models["stock"] == ["exponential"]
    assert models["share_hi"] == ["linear", "logistic"]          # reaches 56 % ≥ logistic_min_share (50)
    assert models["share_lo"] == ["linear"]
    assert models["zero"] == ["linear"]                          # a zero cannot be logged
    assert "cannot be logged" in t[t.indicator_id == "zero"]["note"].iloc[0]
    assert t[t.indicator_id == "zero"]["growth_unit"].iloc[0] == "per yr"
    assert "one_year" not in set(t["indicator_id"])              # points in one year only: nothing to fit
    logi = t[(t.indicator_id == "share_hi") & (t.model == "logistic")]
    assert ((logi["fitted"] > 0) & (logi["fitted"] < 100)).all()
    assert logi["growth_unit"].iloc[0] == "logit/yr"


def test_unknown_engine():
    with pytest.raises(ValueError, match="engine 'fast'"):
        fit(obs(*path({2000: 1, 2001: 2})), engine="fast")


def test_real_trajectories_project_every_target_year():
    o = load("observations")
    t = load("trajectories")
    targets = o[(o.kind == "target") & (o.measure != "growth_rate")]
    paths2 = o[o.measure != "growth_rate"].groupby(["source_id", "indicator_id"])["year"].nunique()
    targets = targets.set_index(["source_id", "indicator_id"]).loc[paths2[paths2 >= 2].index].reset_index()
    have = set(zip(t.source_id, t.indicator_id, t.year))
    assert all((r.source_id, r.indicator_id, r.year) in have for r in targets.itertuples())
    assert t["fitted"].notna().all()
