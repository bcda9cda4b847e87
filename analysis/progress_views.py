"""What the target-versus-actual notebook shows: one call prepares everything for a source.

`prepare(source_id, actuals_path, thresholds)` validates the researcher's actuals file first (a bad file
raises InputError before anything else happens), combines it with the published actuals and the
documents' own, computes progress with the threshold overrides, and returns the frames the notebook
displays and plots. Tables are plain DataFrames (researchers can keep working with them).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import actuals, datasets, paths, progress
from .errors import InputError

STATUS_ORDER = ("achieved", "on_track", "acceleration_needed", "limited_progress", "deterioration", "missed")
STATUS_TEXT = {"achieved": "achieved", "missed": "missed", "on_track": "on track",
               "acceleration_needed": "progress, acceleration needed", "limited_progress": "limited progress",
               "deterioration": "deterioration"}


@dataclass
class ProgressRun:
    source_id: str
    progress: pd.DataFrame        # progress rows of the source
    unassessed: pd.DataFrame      # its targets without a progress row, with the reason
    across_levels: pd.DataFrame   # its rows beside the parent region's (or the child's) rows
    targets: pd.DataFrame         # its targets (observations, kind == target)
    actuals: pd.DataFrame         # usable actuals of its region and the parent region (progress.usable)
    parameters: pd.DataFrame      # the thresholds in force (thresholds.yml rows)
    extra_file: str | None


def resolve(actuals_path: str | None) -> Path | None:
    """A notebook's `actuals_path` (relative to the project root, or absolute); None or '' for none."""
    if actuals_path in (None, ""):
        return None
    if not isinstance(actuals_path, (str, Path)):
        raise InputError(f"parameter 'actuals_path' = {actuals_path!r}; expected null or the path of a CSV file")
    path = Path(actuals_path)
    return path if path.is_absolute() else paths.ROOT / path


def prepare(source_id: str, actuals_path: str | None = None, thresholds: dict | None = None) -> ProgressRun:
    extra_path = resolve(actuals_path)
    extra = actuals.load(extra_path) if extra_path is not None else None      # stops here on a bad file
    obs = datasets.load("observations")
    if source_id not in set(obs["source_id"]):
        raise InputError(f"parameter 'source_id' = {source_id!r}; expected one of {sorted(set(obs['source_id']))}")
    try:
        trajectories = datasets.load("trajectories")
    except InputError:
        trajectories = None
    comb = actuals.combined(obs, extra)
    table = progress.assess(obs, comb, trajectories, parameters=thresholds)
    prog = progress.progress_rows(table)
    levels = progress.across_levels(prog)
    region = obs.loc[obs["source_id"] == source_id, "region"].iloc[0]
    parent = progress.parent_regions().get(region)
    left = progress.unassessed_rows(table)
    return ProgressRun(
        source_id=source_id,
        progress=prog[prog["source_id"] == source_id].reset_index(drop=True),
        unassessed=left[left["source_id"] == source_id].reset_index(drop=True),
        across_levels=levels[(levels["source_id"] == source_id) | (levels["parent_source_id"] == source_id)].reset_index(drop=True),
        targets=obs[(obs["source_id"] == source_id) & (obs["kind"] == "target")].reset_index(drop=True),
        actuals=progress.usable(comb[comb["region"].isin([region, parent])], progress.document_years(obs)).reset_index(drop=True),
        parameters=progress.parameter_table(thresholds)[["name", "value", "unit", "label", "justification"]].reset_index(drop=True),
        extra_file=None if extra_path is None else str(extra_path))


def status_table(prog: pd.DataFrame) -> pd.DataFrame:
    """One line per target: target, the actual judged, the status and the measures behind it."""
    bound = {"eq": "", "ge": "≥ ", "gt": "> ", "approx": "≈ ", "range": "≤ "}
    out = pd.DataFrame({
        "indicator": prog["indicator_zh"] + " (" + prog["indicator_en"] + ")",
        "unit": prog["unit"],
        "target": [f"{bound.get(b, '')}{v:g} in {y}" for b, v, y in zip(prog["bound"], prog["target_value"], prog["target_year"])],
        "base": [f"{v:g} in {y}" if pd.notna(v) else "" for v, y in zip(prog["base_value"], prog["base_year"])],
        "actual": [f"{'> ' if b == 'gt' else ''}{v:g} in {y}" for b, v, y in
                   zip(prog["actual_bound"], prog["actual_value"], prog["actual_year"])],
        "status": prog["status"].map(STATUS_TEXT),
        "gap": prog["gap"].round(4),
        "gap %": prog["gap_pct"].round(1),
        "growth ratio": prog["growth_ratio"].round(2),
        "current status index": prog["current_status_index"].round(2),
        "quality": prog["quality_note"].fillna(""),
        "note": prog["note"].fillna(""),
    })
    return out


def counts(prog: pd.DataFrame) -> pd.DataFrame:
    """How many targets per status (all statuses listed, zero included)."""
    c = prog["status"].value_counts().reindex(STATUS_ORDER, fill_value=0)
    return pd.DataFrame({"status": [STATUS_TEXT[s] for s in c.index], "targets": c.to_numpy()})


def sources_with_progress() -> list[str]:
    """Source ids that have at least one progress row (one report per such source)."""
    return sorted(set(datasets.load("progress")["source_id"]))
