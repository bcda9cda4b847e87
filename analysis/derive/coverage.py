"""Coverage of the pace judgements (issue 21): per plan, its step segments that end in a target with a rate, how
many were judged by which binding yardstick, how many only against a ceiling (which cannot bind a step shorter
than its window and rarely binds a longer one), and how many were not judged.

    python -m analysis.derive.coverage        # reads data/processed/segments.csv, prints the table
"""
from __future__ import annotations

import pandas as pd

from ..core import paths
from ..core.fileio import read_csv_table

CEILING_ONLY = "ceiling only"


def target_steps(segments: pd.DataFrame) -> pd.DataFrame:
    """The step segments that end in a target (the rows issue 21 counts)."""
    return segments[(segments["segment"] == "step") & (segments["end_kind"] != "actual")]


def coverage(segments: pd.DataFrame) -> pd.DataFrame:
    """One row per plan with target steps, and a total row: steps, one column per binding yardstick, ceiling only,
    not judged, and `binding_pct` (judged against a yardstick that can bind, ceiling-only not counted)."""
    s = target_steps(segments)
    judged = s["judged"].astype(str).str.lower().eq("true")
    how = s["yardstick"].where(judged, "not judged").fillna("not judged")
    table = pd.crosstab(s["source_id"], how)
    table.insert(0, "steps", table.sum(axis=1))
    table.loc["total"] = table.sum()
    binding = table.drop(columns=["steps", "not judged", CEILING_ONLY], errors="ignore").sum(axis=1)
    table["binding_pct"] = (100 * binding / table["steps"]).round(1)
    return table


def main() -> None:
    seg = read_csv_table(paths.processed("segments"), ["source_id", "segment", "end_kind", "judged", "yardstick"])
    pd.set_option("display.width", 200)
    print(coverage(seg).to_string())
    s = target_steps(seg)
    why = s.loc[~s["judged"].astype(str).str.lower().eq("true"), "not_judged_because"]
    print("\nnot judged, by reason:")
    print(why.str.replace(r"\d+(\.\d+)?", "#", regex=True).value_counts().to_string())


if __name__ == "__main__":
    main()
