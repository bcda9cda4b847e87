"""What the plausibility rules judged, and against what: the coverage table of a flags page (one row per plan) and the
status of every target segment (flagged / judged plausible / not judged: why), so that a missing flag never reads as
"plausible".

Read from segments.csv's judgement columns (`judged`, `yardstick`, `not_judged_because`) and flags.csv only. Any
yardstick value is counted in a column of its own (words: labels.VALUES["yardstick"]; a value without words reads as
"other yardstick n" on a zh page, never as its English code); "ceiling only" is counted apart, as a ceiling cannot
bind in practice (docs/methods.md, "Coverage").
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from . import labels

CEILING_ONLY = "ceiling only"           # segments.csv `yardstick` of a step only a ceiling judges (schema.YARDSTICKS)
KEY = ["source_id", "indicator_id", "start_year", "end_year"]       # a segment, and the flags that speak of it
# the kind of a reason not to judge (labels.VALUES["not_judged"]), by the first pattern its English text matches
REASON_KINDS = (("overall", r"repeats its steps"), ("stated", r"stated growth rate"),
                ("history", r"both ends are actuals"), ("no_rate", r"^no annual rate"),
                ("small_base", r"starting below"), ("no_yardstick", r"peer windows of|no national series|no ceiling"))
# labels.VALUES["segment_status"], in page order
STATUSES = ("flagged", "flagged_below", "judged", "ceiling_only", "not_judged")


def reason_kind(text) -> str | None:
    """The kind of a `not_judged_because` text (REASON_KINDS; "other" when none matches; None for no text)."""
    if not isinstance(text, str) or not text:
        return None
    return next((kind for kind, pattern in REASON_KINDS if re.search(pattern, text)), "other")


def target_segments(segments: pd.DataFrame) -> pd.DataFrame:
    """The segments that end in a target (steps, first-to-last, stated rates): the ones a reader asks about."""
    return segments[segments["end_kind"].to_numpy() == "target"].reset_index(drop=True)


def _keys(df: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(df[KEY].astype({"start_year": "Int64", "end_year": "Int64"}))


def statuses(segments: pd.DataFrame, flags: pd.DataFrame, shown: pd.DataFrame | None = None) -> np.ndarray:
    """The status of each row of `segments` (STATUSES): flagged by a flag of `shown` (default: `flags`), flagged
    only below the severity shown (a flag of `flags` not in `shown`), judged by a yardstick that can bind and not
    flagged, judged against the ceiling only and not flagged, or not judged."""
    shown = flags if shown is None else shown
    keys = _keys(segments)
    judged = segments["judged"].fillna(False).astype(bool).to_numpy()
    ceiling = segments["yardstick"].to_numpy() == CEILING_ONLY
    return np.select([keys.isin(_keys(shown)), keys.isin(_keys(flags)), judged & ~ceiling, judged],
                     list(STATUSES[:4]), STATUSES[4]).astype(object)


def yardstick_columns(yardsticks) -> list[str]:
    """The yardstick values of `yardsticks` that get a column: every one but CEILING_ONLY, in the order of
    labels.VALUES["yardstick"] (known words first), then by name."""
    known = list(labels.VALUES["yardstick"])
    found = {y for y in pd.Series(yardsticks).dropna().astype(str) if y != CEILING_ONLY}
    return sorted(found, key=lambda y: (known.index(y) if y in known else len(known), y))


def counts(segments: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """One row per plan: its region, `target_segments`, `steps` (steps that end in a target), one column
    `yardstick:<value>` per yardstick that judged a step, `ceiling_only`, `not_judged` (steps), `binding_pct` (steps
    judged by a yardstick other than the ceiling, % of steps), `flagged` (target segments with a flag of `flags`),
    `plausible` (steps judged by a yardstick that can bind and not flagged) and `why` ({reason kind: steps}); codes,
    not words. With several plans, a last row (source_id None) for all of them."""
    t = target_segments(segments)
    t = t.assign(_status=statuses(t, flags), _step=t["segment"].to_numpy() == "step",
                 _kind=[reason_kind(r) for r in t["not_judged_because"]])
    sticks = yardstick_columns(t.loc[t["_step"], "yardstick"])
    rows = []
    for sid, g in t.groupby("source_id", sort=True):
        s = g[g["_step"]]
        judged = s["judged"].fillna(False).astype(bool)
        row = {"source_id": sid, "region": g["region"].iloc[0], "target_segments": len(g), "steps": len(s)}
        row |= {f"yardstick:{y}": int((judged & (s["yardstick"] == y)).sum()) for y in sticks}
        row |= {"ceiling_only": int((judged & (s["yardstick"] == CEILING_ONLY)).sum()), "not_judged": int((~judged).sum())}
        binding = int((judged & (s["yardstick"] != CEILING_ONLY)).sum())
        row |= {"binding_pct": 100.0 * binding / len(s) if len(s) else np.nan,
                "flagged": int(g["_status"].isin(["flagged", "flagged_below"]).sum()),
                "plausible": int((s["_status"] == "judged").sum()),
                "why": s.loc[~judged, "_kind"].value_counts().sort_index().to_dict()}
        rows.append(row)
    cols = ["source_id", "region", "target_segments", "steps", *(f"yardstick:{y}" for y in sticks), "ceiling_only",
            "not_judged", "binding_pct", "flagged", "plausible", "why"]
    out = pd.DataFrame(rows, columns=cols)
    if len(out) > 1:                                    # the total of every plan
        total = {c: out[c].sum() for c in cols[2:] if c not in ("binding_pct", "why")}
        binding = total["steps"] - total["not_judged"] - total["ceiling_only"]
        why: dict[str, int] = {}
        for w in out["why"]:
            for k, n in w.items():
                why[k] = why.get(k, 0) + n
        total |= {"source_id": None, "region": None, "why": dict(sorted(why.items())),
                  "binding_pct": 100.0 * binding / total["steps"] if total["steps"] else np.nan}
        out = pd.concat([out, pd.DataFrame([total], columns=cols)], ignore_index=True)
    return out


def yardstick_words(yardstick, language: str = "zh", others: list[str] | None = None) -> str:
    """A yardstick value in words; one without words reads "other yardstick n" in Chinese (n: its place among
    `others`, the values without words), itself in English."""
    if not isinstance(yardstick, str) or not yardstick:
        return ""
    if yardstick in labels.VALUES["yardstick"]:
        return labels.value("yardstick", yardstick, language)
    if language == "en":
        return yardstick
    others = others or [yardstick]
    return labels.t("coverage.other_yardstick", language).format(others.index(yardstick) + 1 if yardstick in others else "")


def table(segments: pd.DataFrame, flags: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """counts() as a reader sees it in `language`: plans by source id and region (a last row for all plans when there
    are several), a column per yardstick, the reasons not to judge in words with their counts."""
    c = counts(segments, flags)
    sticks = [col.split(":", 1)[1] for col in c.columns if col.startswith("yardstick:")]
    others = [y for y in sticks if y not in labels.VALUES["yardstick"]]
    t = lambda key: labels.t(key, language)     # noqa: E731
    count = "{}（{}）" if language == "zh" else "{} ({})"
    why = [("；" if language == "zh" else "; ").join(count.format(labels.value("not_judged", k, language), n)
                                                     for k, n in w.items()) for w in c["why"]]
    out = pd.DataFrame({
        t("source_id"): c["source_id"].fillna(t("coverage.all")),
        t("region"): [labels.region(r, language) if isinstance(r, str) else "" for r in c["region"]],
        t("coverage.target_segments"): c["target_segments"], t("coverage.steps"): c["steps"],
        **{t("coverage.judged_by").format(yardstick_words(y, language, others)): c[f"yardstick:{y}"] for y in sticks},
        t("coverage.ceiling_only"): c["ceiling_only"],
        t("coverage.not_judged"): c["not_judged"], t("coverage.binding_pct"): c["binding_pct"],
        t("coverage.flagged"): c["flagged"], t("coverage.plausible"): c["plausible"], t("coverage.why"): why})
    return out
