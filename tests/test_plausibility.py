"""segments.csv, trajectories.csv and flags.csv are exactly what `make data` produces from the observations."""
import pytest

from analysis.core.fileio import frame_to_csv_text
from analysis.derive import plausibility
from analysis.pipeline.build import derived_frames
from analysis.pipeline.datasets import load


@pytest.fixture(scope="module")
def frames():
    return plausibility.frames(load("observations"))


OUTPUTS = [plausibility.SEGMENTS, plausibility.TRAJECTORIES, plausibility.FLAGS, plausibility.ESCALATION]


@pytest.mark.parametrize("path", OUTPUTS, ids=lambda p: p.name)
def test_processed_file_is_regenerated_identically(frames, path):
    assert path.read_text(encoding="utf-8") == frame_to_csv_text(frames[path]), f"run `make data` ({path.name} is stale)"


def test_rerun_is_deterministic(frames):
    again = plausibility.frames(load("observations"))
    for path, frame in frames.items():
        assert frame_to_csv_text(frame) == frame_to_csv_text(again[path])


def test_registered_in_build():
    obs = load("observations")
    assert {plausibility.SEGMENTS, plausibility.TRAJECTORIES, plausibility.FLAGS, plausibility.ESCALATION} <= set(derived_frames(obs))


def test_compute_returns_the_thresholds_it_used():
    out = plausibility.compute(load("observations"), {"peer_info_percentile": 99})
    assert out["thresholds"].at["peer_info_percentile", "value"] == 99
    # the peers' info cut-off moves with the override (Qingyuan's patent applications have no peers: unchanged)
    low = plausibility.compute(load("observations"), {"too_slow_ratio_info": 0.15})
    slow = low["flags"].query("rule == 'too_slow'")
    assert list(slow["indicator_id"]) == ["high_tech_enterprises"]   # ratio 0.13 < 0.15; contracts' 0.18 no longer
