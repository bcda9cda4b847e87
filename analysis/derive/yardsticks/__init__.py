"""The yardsticks a target step is judged against (issue 21), one module each, tried in this order; the first that
applies binds (analysis.derive.paces):

    peers.py         comparable regions' windows of the same length, without the plan's own family
    own_history.py   the region's own pace before the plan, from actuals known before it
    provinces.py     (lower grade) the provinces' windows, for a city or district plan
    national.py      a full annual national series
    among_plans.py   what the other plans of the corpus ask of the same indicator, family, or any indicator
    ceiling.py       a ceiling whose window fits: alert above it; binds only where nothing else applies

Each module has a class with `lookup` (what the yardstick holds for one key, computed once), `judge(steps)` (every
step at once: its columns, `applies`, `severity`, `label`) and `why_not` (why it does not apply, in both
languages). `Yardsticks` holds one of each, built from the reference windows, rules and thresholds. Formulas and
a worked example of each: docs/methods.md ("Yardsticks").
"""
from __future__ import annotations

import pandas as pd

from ...inputs.reference import values
from ...inputs.vocab import load_indicators
from .among_plans import AmongPlans
from .ceiling import Ceiling
from .common import family, family_of, pace_of, parents_of, weighted_percentile, weighted_quantile
from .national import National
from .own_history import OwnHistory, own_history
from .peers import Peers
from .provinces import Provinces

__all__ = ["Yardsticks", "family", "family_of", "own_history", "pace_of", "parents_of",
           "weighted_percentile", "weighted_quantile"]


class Yardsticks:
    """One of each yardstick. `parents`: {region: parent} (regions.csv, for the plan's family); `known`:
    pre_plan_actuals (own history); `families`: {indicator: family} (indicators.csv by default)."""

    def __init__(self, windows: pd.DataFrame, rules: dict, th: pd.DataFrame, parents: dict | None = None,
                 known: pd.DataFrame | None = None, families: dict | None = None):
        self.th, self.v = th, values(th)
        indicators = load_indicators()
        families = families if families is not None else indicators["family"].to_dict()
        names = indicators["display_zh"].to_dict()
        self.peers = Peers(windows, rules, self.v, parents or {})
        self.own_history = OwnHistory(known, self.v)
        self.provinces = Provinces(self.peers)
        self.national = National(windows, self.v, names)
        self.among_plans = AmongPlans(self.v, families, names)
        self.ceiling = Ceiling(rules, th)
        self.families = families

    def kin(self, region: str) -> tuple:
        return self.peers.kin(region)
