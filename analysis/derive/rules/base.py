"""What a rule is (`Rule`), what it reads (`Inputs`, `Plan`), and the frame its flags are written in.

A rule module (analysis/derive/rules/<name>.py) holds one `RULE`: its name, direction, severities, the
parameters of thresholds.yml it reads, its label and a one-line "fires when" in both languages, `reason` (the
sentence of one flag, in both languages, from the flag's parts), `judge` (plain code over one plan: the rule as
a reader checks it) and, where the rule must scale to a national panel, `find` (the same rule over all plans at
once, with numpy/pandas; tests/test_rules.py checks that both give the same flags on random panels). A rule
without `find` is run by the engine plan by plan through `judge`.
"""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...core import schema
from ..sentences import EMPTY, Words, fmt, fmt_rate

COLUMNS = schema.columns("flags")       # `reason` and `reason_zh`: one sentence, from the same parts
IDENTITY = ["source_id", "region", "indicator_id", "indicator_zh", "start_year", "end_year"]
INTERNAL = "internal: the document's own figures"
EPS = 1e-9      # differences below this are floating-point noise ((3.11 - 2.51) / 3 is 0.20000000000000004)


@dataclass(frozen=True)
class Inputs:
    """Everything a rule may read: the observations and their segments, the thresholds (rows and values), the
    rule sections of thresholds.yml, links, regions, each segment's pace judgement (analysis.derive.paces), the
    actuals known before each plan (analysis.derive.known), the cross-level table (analysis.derive.cross_level)."""
    obs: pd.DataFrame
    segments: pd.DataFrame
    thresholds: pd.DataFrame
    rules: dict
    links: pd.DataFrame
    regions: pd.DataFrame
    judgement: pd.DataFrame
    known: pd.DataFrame
    escalation: pd.DataFrame
    _shared: dict = field(default_factory=dict, compare=False, repr=False)

    def shared(self, name: str, compute: Callable[[Inputs], pd.DataFrame]) -> pd.DataFrame:
        """A table several rules read (e.g. the first targets after what was known), computed once per run."""
        if name not in self._shared:
            self._shared[name] = compute(self)
        return self._shared[name]

    @property
    def values(self) -> dict:
        """{parameter: value} of thresholds.yml (with overrides)."""
        return dict(zip(self.thresholds["name"], self.thresholds["value"]))


@dataclass(frozen=True)
class Plan:
    """One plan (source) as the per-plan rules read it: its observations, its segments with their judgements
    (same rows), and its rows of the cross-level table."""
    source_id: str
    obs: pd.DataFrame
    segments: pd.DataFrame
    escalation: pd.DataFrame


def plans(inp: Inputs) -> Iterator[Plan]:
    """Every plan of `inp`, with its rows of each frame (segments joined with their judgements)."""
    seg = pd.concat([inp.segments.reset_index(drop=True),
                     inp.judgement.drop(columns=[c for c in inp.judgement if c in inp.segments]).reset_index(drop=True)],
                    axis=1)
    obs_of = inp.obs.groupby("source_id", sort=True)
    seg_of = dict(list(seg.groupby("source_id", sort=False)))
    esc_of = dict(list(inp.escalation.groupby("source_id", sort=False)))
    for sid, o in obs_of:
        yield Plan(sid, o, seg_of.get(sid, seg.iloc[0:0]), esc_of.get(sid, inp.escalation.iloc[0:0]))


@dataclass(frozen=True)
class Rule:
    name: str
    direction: str
    severities: tuple[str, ...]
    parameters: tuple[str, ...]              # entries of thresholds.yml `parameters` the rule reads
    label: Words                             # its name for a reader
    fires_when: Words                        # one line: when it fires (docs/methods.md's table)
    reason: Callable[..., Words]             # the sentence of one flag, from its parts (a row)
    judge: Callable[[Plan, Inputs], pd.DataFrame]   # plain code over one plan
    find: Callable[[Inputs], pd.DataFrame] | None = None    # the same over every plan at once
    section: str = field(default="")         # the heading of docs/methods.md that gives its formula
    metrics: dict[str, Words] = field(default_factory=dict)   # words of a flags.csv `metric` only this rule writes


def empty() -> pd.DataFrame:
    """A flags frame without rows."""
    return pd.DataFrame(columns=COLUMNS, dtype=object)


def flag_frame(rows: pd.DataFrame, rule: str, severity, direction: str, metric, value, threshold, threshold_name,
               reference, reasons: list[Words], related=None) -> pd.DataFrame:
    """The flags of one rule: `rows` (one per flag) gives the IDENTITY columns; every other argument is one value
    for all flags or one value per flag; `reasons` (the rule's `Words`) give `reason` (English) and
    `reason_zh` (Chinese)."""
    if not len(reasons):
        return empty()
    n = len(reasons)
    cols = {c: rows[c].array for c in IDENTITY}
    given = {"rule": rule, "severity": severity, "direction": direction, "metric": metric, "value": value,
             "threshold": threshold, "threshold_name": threshold_name, "reference": reference,
             "related_source_id": related, "reason": [r.en for r in reasons], "reason_zh": [r.zh for r in reasons]}
    cols.update({k: v.array if isinstance(v, pd.Series) else v for k, v in given.items()})
    for k in ("value", "threshold"):                # plain floats, whatever type the rule computed them in
        v = cols[k]
        cols[k] = np.full(n, float(v)) if np.ndim(v) == 0 else pd.Series(v).to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame(cols, index=pd.RangeIndex(n), columns=COLUMNS)


def records(df: pd.DataFrame) -> Iterator:
    """The rows of `df` as namedtuples (attribute access by column name), for writing reasons: what
    df.itertuples(index=False) gives, each column read once as an object array of Python str, float, int and bool
    (pandas reads a string column cell by cell, and converting a frame first cost ~5 ms per plan and rule)."""
    row = namedtuple("Row", df.columns, rename=True)
    return map(row._make, zip(*(df[c].to_numpy(dtype=object) for c in df.columns)))


def threshold_phrase(p: pd.Series) -> Words:
    """'<label> (205.63 %/yr, 356 → 10,163, 2013–2016)' from a row of thresholds.yml, in both languages."""
    unit = p["unit"]
    bits = [fmt_rate(p["value"], unit)]
    zh_first = fmt_rate(p["value"], unit).replace(" %/yr", " %/年").replace(" pp/yr", " 个百分点/年")
    if p["overridden"]:
        bits[0] += " as overridden"
        zh_first += "（已改设）"
    elif pd.notna(p["ref_start_value"]) and pd.notna(p["ref_end_value"]):
        bits.append(f"{fmt(p['ref_start_value'])} → {fmt(p['ref_end_value'])}")
    if not p["overridden"] and pd.notna(p["ref_start_year"]) and pd.notna(p["ref_end_year"]):
        bits.append(f"{int(p['ref_start_year'])}–{int(p['ref_end_year'])}")
    zh = "，".join([zh_first, *bits[1:]])
    return Words(f"{p['label_zh']}（{zh}）", f"{p['label']} ({', '.join(bits)})")


def bound_word(bound) -> Words:
    """The words before a bounded value: 'at least ' (ge), 'more than ' (gt), 'about ', 'up to ' (range)."""
    return BOUND_WORDS.get(str(bound), EMPTY)


BOUND_WORDS = {"ge": Words("不低于", "at least "), "gt": Words("超过", "more than "),
               "approx": Words("约", "about "), "range": Words("最高", "up to ")}


def judged_rows(segments: pd.DataFrame) -> np.ndarray:
    """Positions of the segments the pace rules judge: steps that end in a target."""
    return np.flatnonzero((segments["segment"].to_numpy() == "step") & (segments["end_kind"].to_numpy() == "target"))


def is_cumulative(zh, en) -> bool:
    """Whether an indicator counts a cumulative stock by its name (累计, cumulative)."""
    return "累计" in str(zh) or "cumulative" in str(en).lower()
