"""Hand-built observation frames for the judgement tests (columns as in observations.csv)."""
import numpy as np
import pandas as pd

from analysis.ingest.extract import COLUMNS

DEFAULTS = {"source_id": "src", "region": "番禺区", "region_en": "Panyu District", "indicator_id": "ind",
            "indicator_zh": "指标", "indicator_en": "indicator", "measure": "level", "unit": "家", "bound": "eq",
            "value_low": np.nan, "line": 1, "quote": "q"}


def obs(*rows: dict) -> pd.DataFrame:
    """Rows with at least year, value, kind; everything else defaults (value_published = str(value))."""
    full = []
    for r in rows:
        row = {**DEFAULTS, **r}
        row.setdefault("value_published", str(row["value"]))
        row.setdefault("unit_published", row["unit"])
        full.append(row)
    df = pd.DataFrame(full)
    df["year"] = df["year"].astype(np.int64)
    df["value"] = df["value"].astype(float)
    df["value_low"] = df["value_low"].astype(float)
    return df[COLUMNS]


def path(values_by_year: dict, kinds: dict | None = None, **common) -> list[dict]:
    """{year: value} as rows; the first year is an actual unless `kinds` says otherwise."""
    years = sorted(values_by_year)
    kinds = kinds or {}
    return [{"year": y, "value": values_by_year[y], "kind": kinds.get(y, "actual" if i == 0 else "target"), **common}
            for i, y in enumerate(years)]
