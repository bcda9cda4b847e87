"""Backtest of the plausibility flags: data/processed/backtest.csv.

One row per target whose outcome is known (progress status achieved, achieved_at_rounding, achieved_late or
missed): the worst flag severity on the path leading to it (flags of the same source and indicator whose
segment ends at or before the target year; `none` when nothing fired), the rules that fired and their directions
(a `too_slow` flag marks an unambitious target, not an implausible one), the peer
percentile of its implied growth where flags.csv carries one (`peer_percentile`, else empty), and the outcome
(achieved / achieved_late / missed). `cross_table` counts severity × outcome: the evidence a reviewer asks for
(are flagged targets missed more often?), with as few targets as there are cited actuals; docs/methods.md, "Backtest".
"""
from __future__ import annotations

import pandas as pd

from ..core import paths, schema
from ..core.schema import SEVERITIES as FLAG_SEVERITIES
from .progress import OUTCOMES

BACKTEST = paths.processed("backtest")
SEVERITIES = ("none",) + FLAG_SEVERITIES              # none < info < warn < alert: the worst flag of a path
OUTCOME_ORDER = ("achieved", "achieved_late", "missed")
COLUMNS = schema.columns("backtest")


def compute(progress: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """backtest.csv from the progress and flags frames (COLUMNS)."""
    known = progress[progress["status"].isin(list(OUTCOMES))]
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    rows = []
    for r in known.itertuples(index=False):
        on_path = flags[(flags["source_id"] == r.source_id) & (flags["indicator_id"] == r.indicator_id)
                        & (pd.to_numeric(flags["end_year"], errors="coerce") <= r.target_year)]
        worst = max(on_path["severity"], key=rank.__getitem__, default="none")
        peers = (pd.to_numeric(on_path["peer_percentile"], errors="coerce").dropna()
                 if "peer_percentile" in on_path.columns else pd.Series(dtype=float))
        rows.append({"source_id": r.source_id, "indicator_id": r.indicator_id, "target_year": int(r.target_year),
                     "status": r.status, "outcome": OUTCOMES[r.status], "worst_severity": worst,
                     "n_flags": int(len(on_path)), "rules": ";".join(sorted(set(on_path["rule"]))),
                     "directions": ";".join(sorted(set(on_path["direction"]))) if "direction" in on_path else "",
                     "peer_percentile": float(peers.max()) if len(peers) else None})
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["target_year"] = df["target_year"].astype("Int64")
    df["n_flags"] = df["n_flags"].astype("Int64")
    df["peer_percentile"] = df["peer_percentile"].astype(float)
    return df


def cross_table(backtest: pd.DataFrame) -> pd.DataFrame:
    """Targets by worst flag severity (rows, none → alert) and outcome (columns), with totals."""
    table = pd.crosstab(pd.Categorical(backtest["worst_severity"], categories=SEVERITIES),
                        pd.Categorical(backtest["outcome"], categories=OUTCOME_ORDER), dropna=False,
                        margins=True, margins_name="total")
    table.index.name, table.columns.name = "worst_severity", "outcome"
    return table
