"""`make bench` on a small panel: the vectorised engine and the naive statsmodels loop agree on every sampled path,
and every kind of flag the synthetic panel is built to contain fires (the timings are the benchmark's, not tested)."""
import json

import pytest

from benchmarks import engine as bench


@pytest.mark.slow
def test_small_panel_engines_agree(tmp_path):
    out = tmp_path / "bench.json"
    assert bench.main(["--regions", "40", "--sample", "150", "--repeats", "2", "--out", str(out)]) == 0
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["n_observations"] == 40 * 40 * 10 + 40          # regions × indicators × years, plus a stated rate each
    a = r["agreement"]
    assert a["segments_equal"] and a["trajectories_equal"] and a["flags_equal"] and a["same_work_equal"]
    # the speedup compares the same work in paired rounds (their median); the whole engine's ratio is the smaller
    assert len(r["speedup_rounds"]) == len(r["naive_runs_s"]) == len(r["vectorised_same_work_runs_s"]) == 2
    assert r["speedup"] == pytest.approx(sum(r["speedup_rounds"]) / 2, abs=0.1)
    assert r["naive_s"] == pytest.approx(sum(r["naive_runs_s"]) * r["n_paths"] / r["naive_timed_on_paths"], rel=0.05)
    # each round's naive part ran in two halves around the same work, every sampled path in one of them
    assert [len(h) for h in r["naive_halves"]] == [2, 2]
    assert [sum(x["s"] for x in h) for h in r["naive_halves"]] == pytest.approx(r["naive_runs_s"], abs=0.02)
    assert sum(x["paths"] for h in r["naive_halves"] for x in h) == r["naive_timed_on_paths"]
    assert r["vectorised_same_work_s"] < r["vectorised_s"] and r["speedup_whole_engine"] <= r["speedup"]
    assert a["segments_compared"] > 1000 and a["trajectory_rows_compared"] > 1000 and a["flags_compared"] > 5
    rules = {k.split("/")[0] for k in r["flags_by_rule"]}
    assert {"too_fast", "already_met_when_set", "escalation"} <= rules
    assert r["outputs"]["segments"] > 0 and r["outputs"]["escalation"] > 0
