"""The indicator vocabulary (data/raw/indicators.csv): one id per concept across all sources."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from ..core import paths
from ..core.errors import InputError
from ..core.fileio import read_csv_table
from ..core.quantity import RANK_UNIT
from ..core.units import canonical_units

# display_zh / display_en: the one name per indicator that the reports show (a name a reader recognises, short
# enough for an axis; never the fragment one sentence of a document happens to use)
COLUMNS = ["indicator_id", "indicator_zh", "indicator_en", "measure", "unit", "aliases", "display_zh", "display_en",
           "family"]
MEASURES = ("share", "level", "count_stock", "count_flow", "growth_rate", "rank")
# family: what an indicator measures, for the ambition yardstick's fallback (docs/methods.md, "Ambition among plans"):
# paces of different indicators of one family are set side by side as rates (cagr %/yr, pp/yr)
FAMILY_NAMES = {"rd_input": ("研发投入", "R&D input"), "patents": ("专利与知识产权", "patents and IP"),
                "firms": ("企业", "firms"), "platforms": ("研发平台与实验室", "research platforms and labs"),
                "talent": ("人才", "talent"), "incubation": ("孵化", "incubation"), "finance": ("科技金融", "finance"),
                "output": ("产出与结构", "output and structure"), "cooperation": ("合作", "cooperation"),
                "services": ("科技服务", "S&T services"), "rank": ("排名", "rankings"),
                "other": ("其他（项目、奖项、园区）", "other (projects, awards, parks)")}
FAMILIES = tuple(FAMILY_NAMES)
ID = re.compile(r"[a-z][a-z0-9_]{0,79}")


def _clip(text: str, width: int = 60) -> str:
    shown = repr(text)
    return shown if len(shown) <= width else shown[: width - 1] + f"…' ({len(text)} characters)"


def load_indicators(path: Path = paths.INDICATORS) -> pd.DataFrame:
    """The vocabulary indexed by indicator_id, checked: known measures, canonical units, unique ids."""
    path = Path(path)
    df = read_csv_table(path, COLUMNS)
    if df.empty:
        raise InputError(f"{path}: no indicators; expected one line per indicator after the header")
    for i, row in enumerate(df.itertuples(index=False), start=2):
        for col in ("indicator_id", "indicator_zh", "indicator_en"):
            if not getattr(row, col).strip():
                raise InputError(f"{path}: line {i} field {col!r} is empty; expected "
                                 + ("an id (lower-case letters, digits, '_')" if col == "indicator_id" else "a name"))
        if not ID.fullmatch(row.indicator_id):
            raise InputError(f"{path}: line {i} field 'indicator_id' is {row.indicator_id!r}; expected lower-case "
                             "letters, digits and '_', starting with a letter")
        if row.measure not in MEASURES:
            raise InputError(f"{path}: line {i} ({row.indicator_id}) field 'measure' is {row.measure!r}; expected one of {MEASURES}")
        if row.family not in FAMILIES:
            raise InputError(f"{path}: line {i} ({row.indicator_id}) field 'family' is {row.family!r}; expected one of "
                             f"{FAMILIES}")
        if row.unit not in canonical_units():
            raise InputError(f"{path}: line {i} ({row.indicator_id}) field 'unit' is {row.unit!r}; "
                             f"expected a canonical unit: {sorted(canonical_units())} (data/raw/units.yml)")
        if row.measure == "share" and row.unit != "%":
            raise InputError(f"{path}: line {i} ({row.indicator_id}): measure 'share' needs unit '%', found {row.unit!r}")
        if (row.measure == "rank") != (row.unit == RANK_UNIT):
            raise InputError(f"{path}: line {i} ({row.indicator_id}): measure 'rank' goes with unit {RANK_UNIT!r} (a place "
                             f"in a ranking, lower is better) and only with it; found measure {row.measure!r}, unit {row.unit!r}")
        for col in ("display_zh", "display_en"):
            name = getattr(row, col)
            if not name.strip():
                raise InputError(f"{path}: line {i} ({row.indicator_id}) field {col!r} is empty; expected the name the reports show")
            if name != name.strip() or "$" in name:
                raise InputError(f"{path}: line {i} ({row.indicator_id}) field {col!r} is {_clip(name)}: "
                                 + ("spaces around it" if name != name.strip() else "a $ (the plots read $…$ as a formula)")
                                 + "; expected the name the reports show, without spaces around it or $")
    for col in ("indicator_id", "display_zh", "display_en"):
        key = df[col].map(lambda v: unicodedata.normalize("NFKC", v).casefold())     # 'R&D' and 'r&d' are one name
        dup = key.duplicated()
        if dup.any():
            second = int(dup.to_numpy().argmax())
            first = int((key == key.iloc[second]).to_numpy().argmax())
            raise InputError(f"{path}: line {second + 2} field {col!r} is {_clip(df[col].iloc[second])}, the same name as "
                             f"line {first + 2} ({df['indicator_id'].iloc[first]}); expected one {col} per indicator "
                             "(a reader could not tell them apart)")
    return df.set_index("indicator_id", drop=False)
