"""Province (and city) annual panels of the indicators the plans target: data/raw/reference/provincial_panel.csv.

The file has the columns of regional_panel.csv (PANEL_COLUMNS); every row is one published value with the address
of the file it was read from and the row as seen (`quote`). It is written by
data/raw/reference/build_provincial_panel.py from the fetched source files (their addresses and sha256 in
data/raw/reference/sources/MANIFEST.csv; provenance in data/raw/reference/README.md).

`load_panel(path)` reads and validates it; `validate(df, where)` is the same check on a frame (the build script
runs it before writing). The judging engine reads its windows through analysis.derive.peers.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..core import paths
from ..core.errors import InputError
from ..core.fileio import read_csv_table
from .vocab import load_indicators

PANEL_COLUMNS = ["region", "region_level", "province", "indicator", "unit", "year", "value", "source_url", "publisher",
                 "title", "quote", "notes"]
KEY = ["region", "indicator", "title", "year"]       # one value per series (region, indicator, table) and year
LEVELS = ("province", "city", "district")
YEARS = (1978, 2030)                                   # the years a published annual value may describe

# the 31 provincial-level units of mainland China: the short name the statistical tables print → the full name
PROVINCES = {
    "北京": "北京市", "天津": "天津市", "河北": "河北省", "山西": "山西省", "内蒙古": "内蒙古自治区",
    "辽宁": "辽宁省", "吉林": "吉林省", "黑龙江": "黑龙江省", "上海": "上海市", "江苏": "江苏省",
    "浙江": "浙江省", "安徽": "安徽省", "福建": "福建省", "江西": "江西省", "山东": "山东省",
    "河南": "河南省", "湖北": "湖北省", "湖南": "湖南省", "广东": "广东省", "广西": "广西壮族自治区",
    "海南": "海南省", "重庆": "重庆市", "四川": "四川省", "贵州": "贵州省", "云南": "云南省",
    "西藏": "西藏自治区", "陕西": "陕西省", "甘肃": "甘肃省", "青海": "青海省", "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
}


def known_units(indicators_path: Path = paths.INDICATORS, regional_panel: Path = paths.REGIONAL_PANEL) -> dict:
    """{indicator id: the units a panel row may carry}: the vocabulary's unit and those regional_panel.csv uses."""
    vocab = load_indicators(indicators_path)
    units = {i: {str(u)} for i, u in vocab["unit"].items()}
    used = read_csv_table(regional_panel, PANEL_COLUMNS)
    for indicator, unit in zip(used["indicator"], used["unit"]):
        units.setdefault(indicator, set()).add(unit)
    return units


def _fail(where: str, line: int, field: str, value, expected: str) -> None:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "…"
    raise InputError(f"{where}: line {line} field {field!r} is {shown}; expected {expected}")


def validate(df: pd.DataFrame, where: str, units: dict | None = None) -> pd.DataFrame:
    """The panel with `year` as int and `value` as float, or InputError naming `where`, the line (of the CSV: the
    header is line 1) and the field: a value that is not a finite non-negative number, a year that is not an
    integer in YEARS, an unknown level / province / indicator / unit, a row without source_url or quote, or a
    (region, indicator, title, year) given twice."""
    missing = [c for c in PANEL_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{where}: missing column(s) {', '.join(missing)}; expected {', '.join(PANEL_COLUMNS)}")
    units = known_units() if units is None else units
    full_names = set(PROVINCES.values())
    years, values = [], []
    for line, row in enumerate(df[PANEL_COLUMNS].astype(str).itertuples(index=False), start=2):
        for field in ("region", "source_url", "publisher", "title", "quote"):
            if not getattr(row, field).strip():
                _fail(where, line, field, getattr(row, field), "text (every row keeps its source and the row as seen)")
        if not row.source_url.startswith(("https://", "http://")):
            _fail(where, line, "source_url", row.source_url, "an address starting with https:// or http://")
        if row.region_level not in LEVELS:
            _fail(where, line, "region_level", row.region_level, f"one of {', '.join(LEVELS)}")
        if row.province not in PROVINCES:
            _fail(where, line, "province", row.province, "the short name of one of the 31 provinces (e.g. 广东)")
        if row.region_level == "province" and row.region != PROVINCES[row.province]:
            _fail(where, line, "region", row.region, f"{PROVINCES[row.province]!r}, the full name of {row.province}")
        if row.region_level != "province" and row.region in full_names:
            _fail(where, line, "region", row.region, f"a {row.region_level}, not a province")
        if row.indicator not in units:
            _fail(where, line, "indicator", row.indicator, "an indicator_id of data/raw/indicators.csv")
        if row.unit not in units[row.indicator]:
            _fail(where, line, "unit", row.unit, f"one of {sorted(units[row.indicator])} for {row.indicator}")
        try:
            year = int(row.year)
        except ValueError:
            _fail(where, line, "year", row.year, "an integer year")
        if str(year) != row.year.strip() or not YEARS[0] <= year <= YEARS[1]:
            _fail(where, line, "year", row.year, f"an integer year in {YEARS[0]}–{YEARS[1]}")
        try:
            value = float(row.value)
        except ValueError:
            _fail(where, line, "value", row.value, "a number")
        if not math.isfinite(value) or value < 0:
            _fail(where, line, "value", row.value, "a finite number >= 0")
        years.append(year)
        values.append(value)
    out = df[PANEL_COLUMNS].copy()
    out["year"], out["value"] = pd.array(years, dtype="int64"), pd.array(values, dtype="float64")
    first: dict = {}
    for line, key in enumerate(zip(*(out[k] for k in KEY)), start=2):
        if key in first:
            region, indicator, title, year = key
            raise InputError(f"{where}: line {line}: {region} {indicator} {year} of the table {title!r} is given "
                             f"twice (first at line {first[key]}); expected one value per series and year")
        first[key] = line
    return out


def load_panel(path: Path = paths.PROVINCIAL_PANEL, units: dict | None = None) -> pd.DataFrame:
    """provincial_panel.csv, validated (`validate`), with `line` (its line in the file, for citation)."""
    path = Path(path)
    df = validate(read_csv_table(path, PANEL_COLUMNS, exact=True), str(path), units)
    df.insert(0, "line", range(2, len(df) + 2))
    return df


def coverage(panel: pd.DataFrame) -> pd.DataFrame:
    """Per indicator and level: regions, years (first–last, count) and rows."""
    g = panel.groupby(["indicator", "region_level"], sort=True)
    return pd.DataFrame({"regions": g["region"].nunique(), "first_year": g["year"].min(), "last_year": g["year"].max(),
                         "years": g["year"].nunique(), "rows": g.size()}).reset_index()
