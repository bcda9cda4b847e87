"""Yardstick 5, ambition among plans: a step's pace set against what the OTHER plans of the corpus ask of the same
indicator, else of its family, else of every indicator measured the same way, over windows of similar length
(the arithmetic, one vote a plan: analysis.derive.ambition). Info only: the corpus is not a law."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...core import schema
from ...core.arrays import either
from ...inputs.vocab import FAMILY_NAMES
from .. import ambition as A
from ..rules.base import EPS
from ..sentences import Words, fill, level_words
from .common import span

SCOPES = dict(zip(A.SCOPES, schema.YARDSTICKS[5:8]))       # ambition (indicator | family | all indicators)
COLUMNS = [*A.COLUMNS, "ambition_lopo"]


class AmongPlans:
    def __init__(self, v: dict, families: dict, names: dict):
        self.min_plans, self.max_apart = int(v["ambition_min_plans"]), int(v["ambition_max_years_apart"])
        self.info_percentile = v["ambition_info_percentile"]
        self.families = families
        self.names = names                                      # {indicator_id: its Chinese name}
        self.corpus: pd.DataFrame | None = None

    def _steps(self, steps: pd.DataFrame) -> pd.DataFrame:
        indicator = steps["indicator_id"].to_numpy(dtype=object)
        family = pd.Series(indicator).map(self.families).to_numpy(dtype=object)
        return A.steps(steps["source_id"].to_numpy(dtype=object), indicator, family,
                       A.kind_of(steps["metric"].to_numpy(dtype=object), steps["level"].to_numpy(dtype=object),
                                 steps["unit"].to_numpy(dtype=object)),
                       steps["pace"].to_numpy(dtype=float), steps["years"].to_numpy())

    def use_corpus(self, steps: pd.DataFrame) -> None:
        """The corpus the yardstick reads: every rated target step (its judged metric and pace)."""
        c = self._steps(steps)
        self.corpus = c[np.isfinite(c["rate"])].reset_index(drop=True)

    def judge(self, steps: pd.DataFrame) -> dict:
        """Every step's ambition columns against the corpus (use_corpus; else these steps), `applies` (a scope has enough other plans),
        `severity` (info above ambition_info_percentile and above the vote of that rank) and the leave-one-plan-out
        check of each info verdict (`ambition_lopo`)."""
        mine = self._steps(steps)
        corpus = self.corpus if self.corpus is not None else mine[np.isfinite(mine["rate"])].reset_index(drop=True)
        out = A.judge(corpus, mine, self.min_plans, self.max_apart, self.info_percentile)
        scope = out["ambition_scope"].to_numpy(dtype=object)
        applies = pd.notna(scope)
        with np.errstate(invalid="ignore"):
            info = (applies & (out["ambition_percentile"].to_numpy(dtype=float) > self.info_percentile + EPS)
                    & (steps["pace"].to_numpy(dtype=float) > out["ambition_threshold"].to_numpy(dtype=float) + EPS))
        lopo = A.lopo(out["ambition_percentile"], out["ambition_n"], self.min_plans, self.info_percentile)
        return {**{c: out[c].to_numpy() for c in A.COLUMNS}, "ambition_n": out["ambition_n"].to_numpy(dtype=float),
                "ambition_lopo": np.where(info, lopo, None).astype(object), "applies": applies,
                "severity": either(info, "info", None),
                "label": np.array([SCOPES.get(s) for s in scope], dtype=object)}

    def why_not(self, indicator: str, years, n, metric: str, finite: bool, level: str, unit: str) -> Words:
        """Why ambition among plans does not judge a step: no finite pace, or too few other plans in every scope."""
        if not finite:
            return Words("规划间比较：本路段没有有限的速度", "ambition among plans: the step has no finite pace")
        family = self.families.get(indicator)
        fam = (fill(Words("其指标族（{f}）", "its family ({f})"), f=Words(FAMILY_NAMES.get(family, (family,))[0], family))
               if isinstance(family, str) and family else
               Words("指标族（indicators.csv 中没有）", "a family (none in indicators.csv)"))
        args = {"i": Words(self.names.get(indicator, indicator), indicator), "n": int(n), "fam": fam, "y": int(years),
                "span": span(years), "a": self.max_apart, "m": self.min_plans}
        if metric == "new_per_year":
            return fill(Words("规划间比较：每年新增数随地区规模而变，只与同级（{level}）、同单位（{unit}）的规划比较："
                              "{y} 年（±{a}）内设定“{i}”（{n} 个）或{fam}路段的其他规划少于 {m} 个",
                              "ambition among plans: new entries a year scale with a region's size, so they are "
                              "compared only with plans of the same level ({level}) in {unit}: fewer than {m} other "
                              "plans with steps of {i} ({n}) or of {fam} over {span} (±{a})"),
                        level=level_words(level), unit=unit, **args)
        measured = "pp/yr" if metric == "pp_per_year" else "%/yr"
        return fill(Words("规划间比较：{y} 年（±{a}）内设定“{i}”（{n} 个）、{fam}或任何以 {measured} 计的指标路段的其他规划少于 {m} 个",
                          "ambition among plans: fewer than {m} other plans with steps of {i} ({n}), of {fam} or of "
                          "any indicator in {measured} over {span} (±{a})"), measured=measured, **args)
