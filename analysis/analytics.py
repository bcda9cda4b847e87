"""The analytical stage of `make data`: segments, trajectories and flags from the observations.

One set of thresholds (data/raw/reference/thresholds.yml, with overrides) serves all three, so a
notebook that overrides a threshold gets frames that agree with each other.
"""
from __future__ import annotations

import pandas as pd

from . import paths
from .flags import evaluate
from .growth import segments
from .reference import load_thresholds
from .trajectories import fit

SEGMENTS = paths.PROCESSED / "segments.csv"
TRAJECTORIES = paths.PROCESSED / "trajectories.csv"
FLAGS = paths.PROCESSED / "flags.csv"


def compute(obs: pd.DataFrame, overrides: dict | None = None) -> dict[str, pd.DataFrame]:
    """{"segments", "trajectories", "flags", "thresholds"} computed from `obs`."""
    th = load_thresholds(overrides)
    seg = segments(obs, th)
    return {"segments": seg, "trajectories": fit(obs, th), "flags": evaluate(obs, seg, th), "thresholds": th}


def frames(obs: pd.DataFrame) -> dict:
    """The processed frames of this stage by output path (for analysis.build.derived_frames)."""
    out = compute(obs)
    return {SEGMENTS: out["segments"], TRAJECTORIES: out["trajectories"], FLAGS: out["flags"]}
