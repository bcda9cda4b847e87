"""The analytical stage of `make data`: segments, trajectories, flags and the escalation table.

One set of thresholds (data/raw/reference/thresholds.yml, with overrides) serves all three, so a
notebook that overrides a threshold gets frames that agree with each other.
"""
from __future__ import annotations

import pandas as pd

from . import paths
from .flags import escalation_table, evaluate
from .growth import path_points, segments
from .reference import load_regions, load_thresholds
from .trajectories import fit

SEGMENTS = paths.PROCESSED / "segments.csv"
TRAJECTORIES = paths.PROCESSED / "trajectories.csv"
FLAGS = paths.PROCESSED / "flags.csv"
ESCALATION = paths.PROCESSED / "escalation.csv"


def compute(obs: pd.DataFrame, overrides: dict | None = None) -> dict[str, pd.DataFrame]:
    """{"segments", "trajectories", "flags", "escalation", "thresholds"} computed from `obs`."""
    th = load_thresholds(overrides)
    pts = path_points(obs)
    seg = segments(obs, th, points=pts)
    esc = escalation_table(seg, load_regions())
    return {"segments": seg, "trajectories": fit(obs, th, points=pts), "flags": evaluate(obs, seg, th, escalations=esc),
            "escalation": esc, "thresholds": th}


def frames(obs: pd.DataFrame) -> dict:
    """The processed frames of this stage by output path (for analysis.build.derived_frames)."""
    out = compute(obs)
    return {SEGMENTS: out["segments"], TRAJECTORIES: out["trajectories"], FLAGS: out["flags"],
            ESCALATION: out["escalation"]}
