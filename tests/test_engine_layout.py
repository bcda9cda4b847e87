"""The rules find segments by position when `segments` is laid out as segments() gives it (growth.step_rows), and
by their words otherwise: both ways give the same judgements, escalation table and flags."""
import numpy as np
import pandas as pd
import pytest

from analysis.derive import flags
from analysis.derive.flags import _judged, escalation_table, evaluate, judge_paces, judged_rows, plan_levels
from analysis.derive.growth import bound_interval, path_points, segments, step_rows
from analysis.derive.peers import reference_windows
from analysis.inputs.reference import load_rules, load_thresholds, values
from benchmarks.engine import make_panel


@pytest.fixture(scope="module")
def panel():
    obs, links, regions = make_panel(40, seed=11)
    # two targets for one year in one path, and an actual and a target of the same year: the step a target's
    # growth is read from is the last of its path ending in its year
    pick = (obs["indicator_id"] == "rd_expenditure") & (obs["year"] == 2020)
    dup = obs[pick & obs["source_id"].isin(["plan-0003", "plan-0038"])]                 # a district and its city
    same_year = obs[pick & (obs["source_id"] == "plan-0005")]
    obs = pd.concat([obs, dup.assign(value=dup["value"] * 1.1), same_year.assign(kind="actual")], ignore_index=True)
    th = load_thresholds()
    pts = path_points(obs)
    return obs, links, regions, th, pts, segments(obs, th, points=pts)


def test_step_rows_place_every_step(panel):
    obs, _, _, _, pts, seg = panel
    rows = step_rows(pts, seg)
    assert rows is not None
    has = rows >= 0
    assert (rows[~has] == -1).all() and (~has).sum() == pts["group"].nunique()        # a path's first point: none
    assert np.array_equal(np.sort(rows[has]), np.flatnonzero(seg["segment"].to_numpy() == "step"))
    assert (seg["end_year"].to_numpy()[rows[has]] == pts["year"].to_numpy()[has]).all()
    assert (seg["source_id"].to_numpy()[rows[has]] == pts["source"].to_numpy()[has].astype(object)).all()
    assert np.array_equal(judged_rows(seg, pts), _judged(seg))
    # a frame laid out otherwise is not placed by position
    assert step_rows(pts, seg.iloc[1:]) is None
    assert step_rows(pts, seg.iloc[::-1].reset_index(drop=True)) is None
    assert step_rows(pts, seg.assign(end_value=seg["end_value"] + 1)) is None


def test_by_position_and_by_words_agree(panel, monkeypatch):
    obs, links, regions, th, pts, seg = panel
    rules = load_rules()
    windows, levels = reference_windows(rules), plan_levels(regions)
    years = dict.fromkeys(pd.unique(obs["source_id"]), 2015)

    def engine():
        j = judge_paces(seg, th, rules, windows, levels, pts)
        esc = escalation_table(obs, seg, regions, years, 2, points=pts)
        return j, esc, evaluate(obs, seg, th, links=links, regions=regions, rules=rules, escalations=esc, judgement=j,
                                points=pts)

    by_position = engine()
    monkeypatch.setattr(flags, "step_rows", lambda points, segments=None: None)       # as for a reordered frame
    by_words = engine()
    for a, b in zip(by_position, by_words):
        pd.testing.assert_frame_equal(a, b)
    esc = by_position[1]
    assert esc["growth"].notna().sum() > 1000 and (by_position[2]["rule"] == "escalation").any()
    # the district's two targets for 2020: both read the growth of the last step ending in 2020 (no annual rate)
    two = esc[(esc["source_id"] == "plan-0003") & (esc["indicator_id"] == "rd_expenditure") & (esc["end_year"] == 2020)]
    assert len(two) >= 2 and (two["metric"] == "none").all() and two["growth"].isna().all()


def test_bands_and_paces_reuse_the_growth_only_where_their_ends_are_the_published_ones(panel):
    """growth_low / growth_high (the rate between the ends a band allows) and the pace judged (to the low end of the
    target) equal the rate computed afresh from their ends for every segment, zeros of either sign included."""
    from analysis.derive.growth import _rate

    obs, _, regions, th, _, _ = panel
    obs = obs.copy()
    ranges = obs.index[obs["bound"].eq("range")][:50]
    obs.loc[ranges[:25], "value_low"] = 0.0                        # a range down to zero, from a negative zero
    obs.loc[ranges[:25], "value"] = -0.0
    pts = path_points(obs)
    seg = segments(obs, th, points=pts)
    step = seg["segment"].eq("step").to_numpy()
    s = seg[step]
    cagr = s["metric"].eq("cagr").to_numpy()
    has = ~s["metric"].eq("none").to_numpy()
    years = s["years"].to_numpy(dtype=float)
    banded = ~(s["start_bound"].eq("eq") & s["end_bound"].eq("eq")).to_numpy()
    # the start's band: the points' own (the start of a step is the previous point)
    lo, hi = bound_interval(pts["value"], pts["value_low"], pts["bound"], pts["measure"], values(th)["approx_band_pct"])
    rows = step_rows(pts)
    at = np.flatnonzero(rows >= 0)
    order = np.argsort(rows[at])
    s_lo, s_hi = lo[at - 1][order], hi[at - 1][order]
    e_lo, e_hi = lo[at][order], hi[at][order]
    for column, a, b in (("growth_low", s_hi, e_lo), ("growth_high", s_lo, e_hi)):
        want = np.where(banded, _rate(a, b, years, cagr, has), np.nan)
        got = s[column].to_numpy()
        assert np.array_equal(got, want, equal_nan=True) and np.array_equal(np.signbit(got), np.signbit(want))
    rules = load_rules()
    j = judge_paces(seg, th, rules, reference_windows(rules), plan_levels(regions), pts)
    rated = np.flatnonzero(j["pace_judged"].notna().to_numpy())
    r = seg.iloc[rated]
    want = _rate(r["start_value"].to_numpy(), r["end_low"].to_numpy(), r["years"].to_numpy(dtype=float),
                 r["metric"].eq("cagr").to_numpy(), True)
    got = j["pace_judged"].to_numpy()[rated]
    assert len(rated) > 1000 and np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want))
