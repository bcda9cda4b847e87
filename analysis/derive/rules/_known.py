"""The parts of the two rules on what was known when a plan was set (already_met_when_set, too_slow)."""
from __future__ import annotations

import pandas as pd

from ..known import HOW_KNOWN, first_targets_after_known
from ..sentences import Words, with_unit
from .base import Inputs, Plan, bound_word


def when_known(r) -> Words:
    """How the actuals were known: from the plan itself, published before it, or later (hindsight)."""
    dates = sorted({d for d in (r.a_date, r.h_date) if isinstance(d, str) and d})
    if HOW_KNOWN[2] in (r.a_known, r.h_known):
        when = ", ".join(dates) or "on an unknown date"
        return Words(f"；所引数据发布于{'、'.join(dates) or '未知日期'}，晚于规划制定，因此这是事后之见，不能证明制定者已知",
                     f"; the figures we cite were published {when}, after the plan was set, so this is hindsight, "
                     "not proof that the authors knew")
    if r.a_known == HOW_KNOWN[0] and (not isinstance(r.h_known, str) or r.h_known == HOW_KNOWN[0]):
        return Words("；规划本身给出了这些数据", "; the plan itself states these figures")
    return Words(f"；发布于{'、'.join(dates)}，早于规划", f"; published {', '.join(dates)}, before the plan")


def the_target(r) -> Words:
    """'The target for <year> (<bound><value>)'."""
    value = bound_word(r.bound) + Words(with_unit(r.value, r.unit), with_unit(r.value, r.unit))
    return Words(f"{r.year} 年的目标（{value.zh}）", f"The target for {r.year} ({value.en})")


def first_targets(inp: Inputs) -> pd.DataFrame:
    """The first target after the latest known actual of every path (computed once for both rules)."""
    return inp.shared("first_targets_after_known",
                      lambda i: first_targets_after_known(i.obs, i.known, i.values))


def first_targets_of(plan: Plan, inp: Inputs) -> pd.DataFrame:
    """first_targets over one plan: its observations and what was known of its paths."""
    return first_targets_after_known(plan.obs, inp.known[inp.known["source_id"] == plan.source_id], inp.values)
