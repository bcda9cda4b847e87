"""The administrative regions (data/raw/regions.csv): names, English names, level and parent region.

Actuals name their region by its Chinese name (广州市) or its English name (Guangzhou); the parent column
says which city a district belongs to, so a district's progress can be shown beside its city's.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import paths
from .errors import InputError

COLUMNS = ["region", "region_en", "level", "parent"]
LEVELS = ("country", "province", "city", "district")


def load_regions(path: Path = paths.REGIONS) -> pd.DataFrame:
    """The region table indexed by Chinese name; every parent must itself be a region."""
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    for i, row in enumerate(df.itertuples(index=False), start=2):
        if row.level not in LEVELS:
            raise InputError(f"{path}: line {i} ({row.region}) field 'level' is {row.level!r}; expected one of {LEVELS}")
        if row.parent and row.parent not in set(df["region"]):
            raise InputError(f"{path}: line {i} ({row.region}) field 'parent' is {row.parent!r}, which is not a region of the file")
    dup = df["region"][df["region"].duplicated()]
    if len(dup):
        raise InputError(f"{path}: region {dup.iloc[0]!r} appears twice")
    return df.set_index("region", drop=False)


def canonical_names(regions: pd.DataFrame) -> dict[str, str]:
    """Every accepted spelling (Chinese name, English name, case-insensitive) → the Chinese name."""
    names = {r: r for r in regions["region"]}
    names.update({en.casefold(): r for r, en in zip(regions["region"], regions["region_en"])})
    return names


def parent_of(regions: pd.DataFrame, region: str) -> str | None:
    if region not in regions.index:
        return None
    return regions.at[region, "parent"] or None
