"""How a run was made, for its record and page header: commit, data version, source, counts, language."""
from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from ..core import paths
from ..core.errors import InputError
from ..core.fileio import check_published
from ..inputs.registry import load_sources
from ..pipeline import datasets
from ..present import views
from .config import Report
from .parameters import notebook_parameters


def git_commit(root: Path = paths.ROOT) -> str:
    """Short commit of the working tree, '+dirty' when tracked files differ from it; 'unknown' outside git."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + ("+dirty" if dirty else "")


def data_version(processed: Path = paths.PROCESSED) -> str:
    """sha256 (first 12 hex digits) of the published set's manifest (each file's name and sha256), once every
    file matches it: a changed or deleted file is an InputError, a file the set does not list (a stray CSV)
    changes nothing."""
    return hashlib.sha256(check_published(processed).encode("utf-8")).hexdigest()[:12]


def source_info(source_id: str | None) -> dict | None:
    if not source_id:
        return None
    s = load_sources()[source_id]
    return {"id": s.id, "title": s.title, "title_en": s.title_en, "region": s.region, "region_en": s.region_en, "date": s.date}


def n_observations(report: Report) -> int:
    """Rows of observations.csv the report's source (all sources when it has none) holds."""

    obs = datasets.load("observations")
    sid = report.parameters.get("source_id")
    return int(len(obs) if not sid else (obs["source_id"] == sid).sum())


def flag_counts(report: Report) -> dict | None:
    """Counts per severity of the flags a plausibility report shows (None for a report of another notebook).
    With the default thresholds they are counted in data/processed/flags.csv, which the data step wrote (no
    the plausibility frames are recomputed); only a run that overrides thresholds computes its own flags."""
    if "min_severity" not in notebook_parameters(report.notebook):
        return None
    try:
        if report.parameters.get("thresholds"):
            flags = views.plausibility(source_id=report.parameters.get("source_id"),
                                       thresholds=report.parameters.get("thresholds"))["flags"]
        else:
            flags = views.select(datasets.load("flags"), report.parameters.get("source_id"), name="flags")
        return views.flag_counts(views.at_least(flags, report.parameters.get("min_severity")))
    except InputError:
        return None


def report_language(report: Report) -> str:
    """The language of a report's page: its `language` parameter, else the notebook's default, else zh."""
    lang = report.parameters.get("language") or notebook_parameters(report.notebook).get("language")
    return lang.strip("'\"") if isinstance(lang, str) and lang.strip("'\"") in ("zh", "en") else "zh"
