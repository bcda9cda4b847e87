"""Load the processed frames by name (what notebooks and researchers call)."""
from __future__ import annotations

import pandas as pd

from ..core import paths
from ..core.errors import InputError
from ..core.fileio import check_published, read_processed

NAMES = ("observations", "segments", "trajectories", "flags", "progress", "escalation", "backtest", "relative_targets",
         "yardsticks")


def load(name: str) -> pd.DataFrame:
    """`load("observations")` → data/processed/observations.csv as a DataFrame (run `make data` first)."""
    if name not in NAMES:
        raise InputError(f"unknown dataset {name!r}; expected one of {NAMES}")
    check_published(paths.PROCESSED)
    path = paths.processed(name)
    if not path.exists():
        raise InputError(f"{path} does not exist; run `make data` first")
    return read_processed(path)
