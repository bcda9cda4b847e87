"""Backtest of the plausibility flags: data/processed/backtest.csv.

One row per target whose outcome is known (progress status achieved, achieved_at_rounding, achieved_late or
missed; a target whose own year was not observed, met_before_not_observed or met_later_not_observed, has no known
outcome and is left out): the flags on the path leading to it (flags of the same source and indicator whose segment
ends at or before the target year), split by direction: the worst `too_fast` flag (an implausibly fast target) and
the worst `too_slow` flag (an unambitious one) apart, with `worst_severity` the worst of any; `pace_judged`, whether
any pace yardstick judged a segment of that path (segments.csv `judged`), so that "no flag" (`none`) is told apart
from "never judged" (`not_judged`); the peer percentile of its implied growth where flags.csv carries one; and the
outcome (achieved / achieved_late / missed). `cross_table` counts path × outcome, the direction and severity of the
path's flags in rows: the evidence a reviewer asks for (are flagged targets missed more often?), with as few targets
as there are cited actuals; docs/methods.md, "Backtest".
"""
from __future__ import annotations

import pandas as pd

from ..core import paths, schema
from ..core.schema import SEVERITIES as FLAG_SEVERITIES
from .progress import OUTCOMES

BACKTEST = paths.processed("backtest")
SEVERITIES = ("none",) + FLAG_SEVERITIES              # none < info < warn < alert: the worst flag of a path
OUTCOME_ORDER = ("achieved", "achieved_late", "missed")
PATH_DIRECTIONS = ("too_fast", "too_slow", "both", "other")   # a path's flags: one pace direction, both, or other rules
NOT_JUDGED = "not_judged"                              # no flag, and no pace yardstick judged the path
COLUMNS = schema.columns("backtest")


def compute(progress: pd.DataFrame, flags: pd.DataFrame, segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """backtest.csv from the progress, flags and segments frames (COLUMNS). Without `segments` every path counts
    as judged."""
    known = progress[progress["status"].isin(list(OUTCOMES))]
    rank = {s: i for i, s in enumerate(SEVERITIES)}

    def worst(severities) -> str:
        return max(severities, key=rank.__getitem__, default="none")

    rows = []
    for r in known.itertuples(index=False):
        on_path = flags[(flags["source_id"] == r.source_id) & (flags["indicator_id"] == r.indicator_id)
                        & (pd.to_numeric(flags["end_year"], errors="coerce") <= r.target_year)]
        peers = (pd.to_numeric(on_path["peer_percentile"], errors="coerce").dropna()
                 if "peer_percentile" in on_path.columns else pd.Series(dtype=float))
        if segments is None:
            judged = True
        else:
            seg = segments[(segments["source_id"] == r.source_id) & (segments["indicator_id"] == r.indicator_id)
                           & (pd.to_numeric(segments["end_year"], errors="coerce") <= r.target_year)]
            judged = bool(seg["judged"].astype(str).eq("True").any())
        rows.append({"source_id": r.source_id, "indicator_id": r.indicator_id, "target_year": int(r.target_year),
                     "status": r.status, "outcome": OUTCOMES[r.status], "worst_severity": worst(on_path["severity"]),
                     "worst_too_fast": worst(on_path.loc[on_path["direction"] == "too_fast", "severity"]),
                     "worst_too_slow": worst(on_path.loc[on_path["direction"] == "too_slow", "severity"]),
                     "pace_judged": judged, "n_flags": int(len(on_path)), "rules": ";".join(sorted(set(on_path["rule"]))),
                     "directions": ";".join(sorted(set(on_path["direction"]))),
                     "peer_percentile": float(peers.max()) if len(peers) else None})
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["target_year"] = df["target_year"].astype("Int64")
    df["n_flags"] = df["n_flags"].astype("Int64")
    df["pace_judged"] = df["pace_judged"].astype("boolean")
    df["peer_percentile"] = df["peer_percentile"].astype(float)
    return df


def path_class(row) -> str:
    """A backtest row's path in one word: `too_fast:alert` (its too_fast flags, the worst), `too_slow:info`, `both:warn`
    (flags of both pace directions), `other:warn` (only other rules), `none` (judged, nothing fired) or `not_judged`."""
    fast, slow = row["worst_too_fast"] != "none", row["worst_too_slow"] != "none"
    if row["worst_severity"] == "none":
        return "none" if bool(row["pace_judged"]) else NOT_JUDGED
    direction = "both" if fast and slow else "too_fast" if fast else "too_slow" if slow else "other"
    return f"{direction}:{row['worst_severity']}"


def path_classes() -> list[str]:
    """Every path class in the order of the cross table: too fast worst first, then too slow, both, other, none,
    not judged."""
    flagged = [f"{d}:{s}" for d in PATH_DIRECTIONS for s in reversed(FLAG_SEVERITIES)]
    return flagged + ["none", NOT_JUDGED]


def cross_table(backtest: pd.DataFrame) -> pd.DataFrame:
    """Targets by their path's flags (rows: direction and worst severity, then none and not judged; a flagged class
    no target falls in is left out) and outcome (columns), with totals."""
    classes = [path_class(r) for _, r in backtest.iterrows()]
    table = pd.crosstab(pd.Categorical(classes, categories=path_classes()),
                        pd.Categorical(backtest["outcome"], categories=OUTCOME_ORDER), dropna=False,
                        margins=True, margins_name="total")
    keep = [c for c in table.index if c in ("none", NOT_JUDGED, "total") or table.loc[c, "total"] > 0]
    table = table.loc[keep]
    table.index.name, table.columns.name = "path", "outcome"
    return table


def caveat_numbers(backtest: pd.DataFrame) -> dict:
    """What the backtest's caveat states: n (targets), the distinct flagged paths (source, indicator) among them,
    how many are flagged, and how many of the unflagged were never judged by a pace rule."""
    flagged = backtest[backtest["worst_severity"] != "none"]
    quiet = backtest[backtest["worst_severity"] == "none"]
    return {"n": len(backtest), "flagged": len(flagged),
            "paths": len(set(zip(flagged["source_id"], flagged["indicator_id"]))),
            "none": int(quiet["pace_judged"].astype(bool).sum()), "not_judged": int((~quiet["pace_judged"].astype(bool)).sum()),
            "sources": backtest["source_id"].nunique()}
