"""segments.csv, trajectories.csv and flags.csv are exactly what `make data` produces from the observations
(`made`, tests/conftest.py: what the build computes, once per test run)."""
import pytest

from analysis.core import paths
from analysis.core.fileio import frame_to_csv_text
from analysis.derive import plausibility
from analysis.pipeline.datasets import load

OUTPUTS = [plausibility.SEGMENTS, plausibility.TRAJECTORIES, plausibility.FLAGS, plausibility.ESCALATION]


@pytest.mark.parametrize("path", OUTPUTS, ids=lambda p: p.name)
def test_processed_file_is_regenerated_identically(made, path):
    assert path.read_text(encoding="utf-8") == frame_to_csv_text(made[path]), f"run `make data` ({path.name} is stale)"


def test_rerun_is_deterministic(made):
    again = plausibility.frames(made[paths.OBSERVATIONS])
    assert set(again) >= set(OUTPUTS)
    for path, frame in again.items():
        assert frame_to_csv_text(frame) == frame_to_csv_text(made[path])


def test_registered_in_build(made):
    assert set(OUTPUTS) <= set(made)


def test_compute_returns_the_thresholds_it_used():
    out = plausibility.compute(load("observations"), {"peer_info_percentile": 99})
    assert out["thresholds"].at["peer_info_percentile", "value"] == 99
    # the peers' info cut-off moves with the override (Qingyuan's patent applications have no peers: unchanged)
    low = plausibility.compute(load("observations"), {"too_slow_ratio_info": 0.15})
    slow = low["flags"].query("rule == 'too_slow'")
    assert list(slow["indicator_id"]) == ["high_tech_enterprises"]   # ratio 0.13 < 0.15; contracts' 0.18 no longer
