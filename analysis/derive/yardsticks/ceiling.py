"""The ceiling: for every rated step, the ceiling of its indicator or metric (thresholds.yml `ceilings`) whose
window is no longer than the step's; a pace above it → alert. It binds only where no other yardstick applies
(`ceiling only`): a ceiling says what is impossible, not what is usual. New entries a year have none."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...core import schema
from ...inputs.reference import ceiling_for
from ..rules.base import EPS
from ..sentences import Words, fill
from .common import spread

CEILING_ONLY = schema.YARDSTICKS[-1]
NONE = {"name": None, "value": np.nan, "years": np.nan}


class Ceiling:
    def __init__(self, rules: dict, th: pd.DataFrame):
        self.rules, self.th = rules, th

    def lookup(self, indicator: str, metric: str) -> dict:
        """The ceiling of a step's indicator or metric: its name, value and the length of its window."""
        name = ceiling_for(self.rules, indicator, metric)
        if not name:
            return NONE
        return {"name": name, "value": float(self.th.at[name, "value"]),
                "years": float(self.th.at[name, "ref_end_year"] - self.th.at[name, "ref_start_year"])}

    def judge(self, steps: pd.DataFrame) -> dict:
        """`ceiling` and `ceiling_name` where one fits the step, `fits`, `alert` (the pace above it), and the
        ceiling of the step (`name`, `years`) for why_not."""
        found = spread(self.lookup, list(NONE), steps["indicator_id"].to_numpy(), steps["rate_metric"].to_numpy())
        value, years = found["value"].astype(float), found["years"].astype(float)
        fits = (pd.notna(found["name"]) & (steps["years"].to_numpy() >= years)
                & ~steps["small"].to_numpy(dtype=bool))
        return {"ceiling": np.where(fits, value, np.nan), "ceiling_name": np.where(fits, found["name"], None).astype(object),
                "fits": fits, "alert": fits & (steps["pace"].to_numpy(dtype=float) > value + EPS),
                "name": found["name"], "years": years}

    @staticmethod
    def why_not(small: bool, name, ceiling_years, years) -> Words:
        if small:
            return Words("每年新增数没有适用的上限", "no ceiling applies to new entries a year")
        if not isinstance(name, str):
            return fill(Words("没有适用于 {y} 年窗口的上限", "no ceiling for a {y}-year window"), y=int(years))
        return fill(Words("上限的窗口为 {n} 年，长于本路段的 {y} 年",
                          "the ceiling {c} was measured over {n} years, longer than this {y}-year segment"),
                    c=name, n=int(ceiling_years), y=int(years))
