"""The backtest of the flags (data/processed/backtest.csv): hand-built progress and flags frames, the cross-table,
the committed frame; and the published actuals read from every file of paths.PUBLISHED_ACTUAL_FILES."""
import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.core.fileio import frame_to_csv_text
from analysis.derive import backtest
from analysis.inputs import actuals
from analysis.pipeline.datasets import load


def prog(*rows):
    return pd.DataFrame([{"source_id": s, "indicator_id": i, "target_year": y, "status": st} for s, i, y, st in rows])


def flags(*rows, peer=True):
    df = pd.DataFrame([{"source_id": s, "indicator_id": i, "start_year": a, "end_year": b, "rule": r, "severity": sev,
                        "direction": r, "peer_percentile": p} for s, i, a, b, r, sev, p in rows])
    return df if peer else df.drop(columns="peer_percentile")


P = prog(("a", "x", 2017, "achieved"), ("a", "x", 2020, "missed"), ("a", "y", 2020, "achieved_late"),
         ("a", "z", 2020, "no_data"), ("b", "x", 2020, "achieved_at_rounding"))
F = flags(("a", "x", 2014, 2017, "too_fast", "info", 91.0), ("a", "x", 2017, 2020, "too_fast", "alert", 99.5),
          ("a", "y", 2014, 2020, "below_trend", "warn", None))


def test_one_row_per_known_outcome_with_the_worst_flag_on_its_path():
    bt = backtest.compute(P, F).set_index(["source_id", "indicator_id", "target_year"])
    assert len(bt) == 4                                              # no_data has no known outcome
    assert bt.loc[("a", "x", 2017), ["worst_severity", "n_flags", "peer_percentile"]].tolist() == ["info", 1, 91.0]
    # the 2020 target's path holds both steps: the worse one (alert) counts, the highest peer percentile
    assert bt.loc[("a", "x", 2020), ["worst_severity", "n_flags", "rules", "outcome"]].tolist() == ["alert", 2, "too_fast", "missed"]
    assert bt.loc[("a", "x", 2020), "peer_percentile"] == 99.5
    assert bt.loc[("a", "y", 2020), ["worst_severity", "outcome", "directions"]].tolist() == ["warn", "achieved_late", "below_trend"]
    assert pd.isna(bt.loc[("a", "y", 2020), "peer_percentile"])
    assert bt.loc[("b", "x", 2020), ["worst_severity", "outcome", "status"]].tolist() == ["none", "achieved", "achieved_at_rounding"]


def test_without_a_peer_percentile_column_it_stays_empty():
    bt = backtest.compute(P, flags(("a", "x", 2014, 2017, "too_fast", "info", 91.0), peer=False))
    assert bt["peer_percentile"].isna().all() and list(bt.columns) == backtest.COLUMNS


def segs(*rows):
    return pd.DataFrame([{"source_id": s, "indicator_id": i, "end_year": b, "judged": j} for s, i, b, j in rows])


# a: x judged (and flagged), y judged (flagged by another rule); b: x never judged by a pace yardstick
S = segs(("a", "x", 2017, True), ("a", "x", 2020, False), ("a", "y", 2020, True), ("b", "x", 2020, False))


def test_directions_apart_and_not_judged_told_from_none():
    F2 = pd.concat([F, flags(("a", "x", 2017, 2020, "too_slow", "info", None))], ignore_index=True)
    P2 = pd.concat([P, prog(("c", "x", 2020, "missed"))], ignore_index=True)
    S2 = pd.concat([S, segs(("c", "x", 2020, True))], ignore_index=True)
    bt = backtest.compute(P2, F2, S2).set_index(["source_id", "indicator_id", "target_year"])
    # a/x 2020: too_fast alert and too_slow info on its path
    assert bt.loc[("a", "x", 2020), ["worst_too_fast", "worst_too_slow", "worst_severity"]].tolist() == ["alert", "info", "alert"]
    assert bt.loc[("a", "x", 2017), ["worst_too_fast", "worst_too_slow"]].tolist() == ["info", "none"]
    assert bool(bt.loc[("a", "x", 2017), "pace_judged"]) and not bool(bt.loc[("b", "x", 2020), "pace_judged"])
    classes = {k: backtest.path_class(r) for k, r in bt.iterrows()}
    assert classes == {("a", "x", 2017): "too_fast:info", ("a", "x", 2020): "both:alert", ("a", "y", 2020): "other:warn",
                       ("b", "x", 2020): "not_judged", ("c", "x", 2020): "none"}
    t = backtest.cross_table(backtest.compute(P2, F2, S2))
    assert list(t.index) == ["too_fast:info", "both:alert", "other:warn", "none", "not_judged", "total"]
    assert t.loc["not_judged", "achieved"] == 1 and t.loc["none", "missed"] == 1 and t.loc["total", "total"] == 5
    assert backtest.caveat_numbers(backtest.compute(P2, F2, S2)) == \
        {"n": 5, "flagged": 3, "paths": 2, "none": 1, "not_judged": 1, "sources": 3}


def test_cross_table_counts_severity_by_outcome():
    t = backtest.cross_table(backtest.compute(P, F))
    assert list(t.index) == ["too_fast:alert", "too_fast:info", "other:warn", "none", "not_judged", "total"]
    assert list(t.columns) == ["achieved", "achieved_late", "missed", "total"]
    assert t.loc["too_fast:alert", "missed"] == 1 and t.loc["none", "achieved"] == 1 and t.loc["too_fast:info", "achieved"] == 1
    assert t.loc["total", "total"] == 4 and t.loc["not_judged", "total"] == 0


def test_committed_backtest_is_current_and_registered(made):
    assert backtest.BACKTEST in made
    assert frame_to_csv_text(made[backtest.BACKTEST]) == backtest.BACKTEST.read_text(encoding="utf-8")
    bt = load("backtest")
    assert set(bt["outcome"]) <= set(backtest.OUTCOME_ORDER) and len(bt) >= 18
    assert set(bt["worst_severity"]) <= set(backtest.SEVERITIES)
    # issue 23: every unflagged path of the real data is told apart: judged with nothing found, or never judged
    assert set(backtest.path_class(r) for _, r in bt.iterrows()) <= set(backtest.path_classes())


# ---------------------------------------------------------------- published actuals from every file
def test_published_actuals_come_from_every_listed_file():
    pub = actuals.load_published()
    assert {p.name for p in paths.PUBLISHED_ACTUAL_FILES} == {"published_actuals.csv", "more_actuals_2017-2021.csv"}
    assert set(pub["file"].map(lambda f: f.rsplit("/", 1)[-1])) == {p.name for p in paths.PUBLISHED_ACTUAL_FILES}
    hte = pub[(pub["region"] == "广州市") & (pub["indicator_id"] == "high_tech_enterprises")].set_index("year")
    assert (hte.loc[2017, "value"], hte.loc[2020, "bound"]) == (8690, "gt")      # from the second file
    readme = (paths.ACTUALS / "README.md").read_text(encoding="utf-8")
    assert "more_actuals_2017-2021.csv" in readme and "../" not in readme      # nothing outside the repository


def test_two_files_disagreeing_on_a_value_stop_with_both_named(tmp_path):
    head = "region,indicator,unit,year,value,source\n"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(head + "广州市,rd_intensity,%,2021,3.12,x\n", encoding="utf-8")
    b.write_text(head + "广州市,rd_intensity,%,2021,3.2,y\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        actuals.load_published((a, b))
    assert "a.csv line 2: 3.12" in str(info.value) and "b.csv line 2: 3.2" in str(info.value)
    b.write_text(head + "广州市,rd_intensity,%,2021,3.12,y\n", encoding="utf-8")
    assert len(actuals.load_published((a, b))) == 1
