"""The rules find segments by position when `segments` is laid out as segments() gives it (growth.step_rows), and
by their words otherwise: both ways give the same judgements, escalation table and flags."""
import numpy as np
import pandas as pd
import pytest

from analysis.derive import flags
from analysis.derive.flags import _judged, escalation_table, evaluate, judge_paces, judged_rows, plan_levels
from analysis.derive.growth import path_points, segments, step_rows
from analysis.derive.peers import reference_windows
from analysis.inputs.reference import load_rules, load_thresholds
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
