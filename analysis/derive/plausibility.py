"""The analytical stage of `make data`: segments (with what each was judged against), trajectories, flags and
the cross-level table.

One set of thresholds (data/raw/reference/thresholds.yml, with overrides) serves all of them, so a notebook that
overrides a threshold gets frames that agree with each other.
"""
from __future__ import annotations

import pandas as pd

from ..core import paths, schema
from ..inputs import actuals
from ..inputs.reference import load_regions, load_rules, load_thresholds
from ..inputs.registry import load_sources
from .cross_level import escalation_table, plan_levels
from .flags import evaluate
from .growth import COLUMNS as growth_columns
from .growth import path_points, segments
from .known import pre_plan_actuals
from .paces import explain_overall, judge_all
from .peers import reference_windows
from .trajectories import fit
from .yardsticks import Yardsticks, parents_of
from .yardsticks.table import yardstick_rows

SEGMENTS = paths.processed("segments")
TRAJECTORIES = paths.processed("trajectories")
FLAGS = paths.processed("flags")
ESCALATION = paths.processed("escalation")
YARDSTICKS = paths.processed("yardsticks")
# what segments.csv carries of each segment's judgement (analysis.derive.paces.pace_judgements)
SEGMENT_JUDGEMENT = schema.columns("segments")[len(growth_columns):]


def compute(obs: pd.DataFrame, overrides: dict | None = None) -> dict[str, pd.DataFrame]:
    """{"segments", "trajectories", "flags", "escalation", "thresholds", "judgement"} computed from `obs`."""
    th = load_thresholds(overrides)
    rules = load_rules()
    regions = load_regions()
    sources = {k: s for k, s in load_sources().items() if k in set(obs["source_id"])}
    pts = path_points(obs)
    seg = segments(obs, th, points=pts)
    known = pre_plan_actuals(obs, actuals.load_published(), sources)
    levels = plan_levels(regions)
    sticks = Yardsticks(reference_windows(rules), rules, th, parents_of(regions), known)
    judgement = explain_overall(seg, judge_all(seg, sticks, levels))
    esc = escalation_table(obs, seg, regions, {k: s.year for k, s in sources.items()},
                           th.at["escalation_max_vintage_gap_years", "value"])
    flags = evaluate(obs, seg, th, regions=regions, rules=rules, escalations=esc, judgement=judgement, known=known)
    long = yardstick_rows(seg, judgement, levels, sticks)
    seg = pd.concat([seg, judgement[SEGMENT_JUDGEMENT]], axis=1)
    return {"segments": seg, "trajectories": fit(obs, th, points=pts), "flags": flags, "escalation": esc,
            "thresholds": th, "judgement": judgement, "yardsticks": long}


def frames(obs: pd.DataFrame) -> dict:
    """The processed frames of this stage by output path (for analysis.pipeline.build.derived_frames)."""
    out = compute(obs)
    return {SEGMENTS: out["segments"], TRAJECTORIES: out["trajectories"], FLAGS: out["flags"],
            ESCALATION: out["escalation"], YARDSTICKS: out["yardsticks"]}
