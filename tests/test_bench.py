"""`make bench` on a small panel: the engine and the plain per-plan code agree on every sampled plan, and every
kind of flag the synthetic panel is built to contain fires (the timings are the benchmark's, not tested).
12 indicators (the ten real ones, the yearly new high-tech enterprises and one more): every kind of flag that
fires with 40 fires. The plain code judges each sampled segment one by one (the whole engine on one row, twice:
the first pass gives the corpus ambition among plans reads), so the sample is 4 plans (the fewest the ambition
yardstick reads a percentile from) over 5 years (~240 segments): the test checks that the sample still uses every
yardstick the synthetic plans reach, judged and unjudged segments, and flags of several rules."""
import json

import pytest

from benchmarks import engine as bench


@pytest.mark.slow(seconds=6)
def test_small_panel_engine_and_plain_code_agree(tmp_path):
    """The benchmark runs, times and compares on a small panel. Its comparison is on a sample of 2 plans (the plain
    code takes ~1.2 s a plan); that the engine and the plain code agree for every rule, severity and yardstick is
    tests/test_rules.py's check, on a seeded panel of 28 plans."""
    out = tmp_path / "bench.json"
    assert bench.main(["--no-wait", "--regions", "40", "--indicators", "12", "--years", "5", "--sample", "2",
                       "--repeats", "2", "--out", str(out)]) == 0
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["n_observations"] == 40 * 12 * 5 + 40            # regions × indicators × years, plus a stated rate each
    a = r["agreement"]
    assert a["judgement_equal"] and a["flags_equal"] and a["segments_compared"] > 100 and a["flags_compared"] > 2
    assert 0 < a["segments_judged"] < a["segments_compared"]
    assert {"peers", "provinces (lower grade)"} <= set(a["yardsticks_compared"])
    assert {"too_slow", "already_met_when_set"} <= set(a["rules_compared"])
    assert len(r["engine_runs_s"]) == 2 and r["naive_sample_plans"] == 2 and "wait" not in r
    assert r["naive_s"] == pytest.approx(r["naive_sample_s"] * 40 / 2, rel=0.05)
    rules = {k.split("/")[0] for k in r["flags_by_rule"]}
    assert {"too_fast", "already_met_when_set", "escalation"} <= rules
    assert r["outputs"]["segments"] > 0 and r["outputs"]["escalation"] > 0


def test_the_actuals_benchmark_file_is_valid_and_loads_whole(tmp_path):
    # benchmarks/actuals.py times loading a file of valid lines: its file must pass every check the loader makes
    # (it once wrote fractional counts, which the loader rightly refuses, and `make bench` stopped there)
    from benchmarks import actuals as bench_actuals

    path = tmp_path / "actuals.csv"
    bench_actuals.write_file(path, 3000)
    r = bench_actuals.measure(str(path))
    assert 0 < r["rows"] <= 3000 and r["load_s"] >= 0
