"""What the rules between two indicators of one plan read (data/raw/reference/indicator_links.csv)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..growth import is_one_of

LINK_COLUMNS = ["source_id", "region", "indicator_id", "indicator_zh", "measure", "unit", "year", "value", "kind",
                "bound", "value_low"]         # what the link rules read of an observation


def linked(links: pd.DataFrame, relation: str) -> pd.DataFrame:
    """(indicator_id, of_indicator_id) of the links of one relation."""
    return links[links["relation"] == relation][["indicator_id", "of_indicator_id"]]


def of_indicators(obs: pd.DataFrame, ids) -> pd.DataFrame:
    """The observations of the given indicators (the few a link rule reads, out of a possibly national panel),
    with the columns the link rules read."""
    rows = np.flatnonzero(is_one_of(obs["indicator_id"].to_numpy(dtype=object),
                                    *pd.unique(np.asarray(ids, dtype=object)), in_runs=True))
    return obs[[c for c in obs.columns if c in LINK_COLUMNS]].iloc[rows]


def unit_suffix(u: str) -> str:
    """How a value is followed by its unit: '13.5%', '1,528 家'."""
    return "%" if u == "%" else f" {u}"
