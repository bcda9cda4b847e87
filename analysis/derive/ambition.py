"""Ambition among plans (issue 21, yardstick after peers, own history, provinces and national): a target step's
pace set against the paces the OTHER plans of the corpus ask of the same indicator, where too few plans target it
of the same indicator family (indicators.csv `family`), and where too few of those of every indicator measured the
same way (`all`), over windows of similar length.

    ambition pace   the judged pace: cagr %/yr for levels and counts, pp/yr for shares, and for a count judged by
                    its new entries a year (a start below info_min_count_base) those new entries a year.
    kind            what may be compared: 'pct' (%/yr) with 'pct', 'pp' (pp/yr) with 'pp'; new entries a year
                    scale with a region's size, so they compare only with new entries a year of plans of the same
                    administrative level in the same unit ('new <level> <unit>'), and never in the `all` scope
                    (increments of unlike indicators say nothing of each other).
    similar window  the other step's length differs by at most ambition_max_years_apart years
    one vote a plan each other plan counts once, by its fastest step that qualifies (three steps are not three plans)
    percentile      100 × (plans whose vote is at or below the pace) / n plans, n ≥ ambition_min_plans
    verdict         above ambition_info_percentile and above the vote of that rank (`ambition_threshold`; a pace
                    equal to another plan's vote is not above it) → info (never more: the corpus is not a law)
    lopo            leave one plan out: robust where the info verdict stands without each single other plan
                    (dropping a plan at or below the pace lowers the percentile most: (k − 1) / (n − 1) with k of
                    n plans at or below; and n − 1 plans must still be at least ambition_min_plans)

`judge` does it for every step at once (grouped by scope, kind and length; no loop over steps); `judge_step` is the
same for one step in plain Python (tests check that they agree). Worked example: docs/methods.md ("Ambition among
plans").
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.arrays import repeated

EPS = 1e-9
SCOPES = ("indicator", "family", "all")
SCOPE_COLUMN = {"indicator": "indicator_id", "family": "family", "all": "all"}
NEW = "new"                                        # the kind of new entries a year starts with it
COLUMNS = ["ambition_scope", "ambition_n", "ambition_percentile", "ambition_threshold", "ambition_max",
           "ambition_max_plan"]


def kind_of(metric, level, unit) -> np.ndarray:
    """The kind of each pace (what it may be compared with): 'pct', 'pp', or 'new <level> <unit>' for new entries
    a year."""
    metric = np.asarray(metric, dtype=object)
    kind = repeated("pct", len(metric))
    kind[metric == "pp_per_year"] = "pp"
    new = np.flatnonzero(metric == "new_per_year")
    kind[new] = [f"{NEW} {lv} {u}" for lv, u in zip(np.asarray(level, dtype=object)[new],
                                                    np.asarray(unit, dtype=object)[new])]
    return kind


def is_new(kind) -> np.ndarray:
    """Whether each kind is new entries a year (each distinct kind read once)."""
    codes, distinct = pd.factorize(np.asarray(kind, dtype=object))
    return np.array([k.startswith(NEW) for k in distinct], dtype=bool)[codes]


def steps(source, indicator, family, kind, pace, years) -> pd.DataFrame:
    """Target steps as the ambition yardstick reads them: source_id, indicator_id, family, all (the `all` scope's
    value: '' for new entries a year), kind, years, rate (the judged pace)."""
    kind = np.asarray(kind, dtype=object)
    scope_all = repeated("all", len(kind))
    scope_all[is_new(kind)] = ""
    return pd.DataFrame({"source_id": np.asarray(source, dtype=object), "indicator_id": np.asarray(indicator, dtype=object),
                         "family": pd.Series(np.asarray(family, dtype=object)).fillna("").to_numpy(dtype=object),
                         "all": scope_all, "kind": kind,
                         "years": np.asarray(years, dtype=np.int64), "rate": np.asarray(pace, dtype=float)})


def corpus(source, indicator, family, kind, pace, years) -> pd.DataFrame:
    """`steps` of the corpus: steps without a finite pace are left out of everyone's comparison."""
    c = steps(source, indicator, family, kind, pace, years)
    return c[np.isfinite(c["rate"])].reset_index(drop=True)


def _votes(c: pd.DataFrame, years: int, max_apart: int) -> pd.Series:
    """{plan: its fastest rate} over the corpus rows `c` whose length is within max_apart years of `years`,
    sorted by rate then plan."""
    near = c[(c["years"] - years).abs() <= max_apart]
    v = near.groupby("source_id")["rate"].max()
    return v.iloc[np.lexsort((v.index.to_numpy(dtype=str), v.to_numpy()))]


def info_rank(n, info_percentile: float):
    """The fewest of n plans a pace must be at or above for its percentile to exceed info_percentile: the pace is
    flagged exactly where it reaches the vote of that rank (`ambition_threshold`)."""
    return np.floor(np.asarray(n, dtype=float) * info_percentile / 100.0 + EPS).astype(np.int64) + 1


def judge_step(c: pd.DataFrame, source: str, indicator: str, family: str, kind: str, years: int, rate: float,
               min_plans: int, max_apart: int, info_percentile: float) -> dict:
    """The ambition yardstick of one step, in plain Python: COLUMNS (scope None where no scope has min_plans other
    plans; `ambition_n` then counts the other plans of its indicator)."""
    none = {"ambition_scope": None, "ambition_n": 0, "ambition_percentile": np.nan, "ambition_threshold": np.nan,
            "ambition_max": np.nan, "ambition_max_plan": None}
    if not np.isfinite(rate):
        return none
    n_first = None
    for scope, value in zip(SCOPES, (indicator, family, "" if is_new([kind])[0] else "all")):
        if not value:
            continue
        col = SCOPE_COLUMN[scope]
        others = c[(c[col] == value) & (c["kind"] == kind) & (c["source_id"] != source)]
        v = _votes(others, years, max_apart)
        n_first = len(v) if n_first is None else n_first
        if len(v) >= min_plans:
            m = int(info_rank(len(v), info_percentile))
            return {"ambition_scope": scope, "ambition_n": len(v),
                    "ambition_threshold": float(v.iloc[m - 1]) if m <= len(v) else np.nan,
                    "ambition_percentile": 100.0 * float((v.to_numpy() <= rate + EPS).sum()) / len(v),
                    "ambition_max": float(v.iloc[-1]), "ambition_max_plan": str(v.index[-1])}
    return none | {"ambition_n": n_first or 0}


def judge(c: pd.DataFrame, steps: pd.DataFrame, min_plans: int, max_apart: int, info_percentile: float) -> pd.DataFrame:
    """judge_step of every row of `steps` (columns of `corpus`) against the
    corpus `c`, grouped: per (scope value, kind, length) the other plans' votes are found once, and each step's own
    plan is taken out of them by arithmetic. `ambition_n` of a step no scope judges: the plans of its indicator."""
    n_steps = len(steps)
    scope_of, n_of = np.full(n_steps, None, dtype=object), np.zeros(n_steps, dtype=np.int64)
    percentile, threshold, top_vote = np.full(n_steps, np.nan), np.full(n_steps, np.nan), np.full(n_steps, np.nan)
    top_plan = np.full(n_steps, None, dtype=object)
    source, rates = steps["source_id"].to_numpy(dtype=object), steps["rate"].to_numpy(dtype=float)
    todo = np.isfinite(rates)
    voters = c[["source_id", "years", "rate"]]                      # what _votes reads (each group's rows copied)
    for scope in SCOPES:
        col = SCOPE_COLUMN[scope]
        cand = np.flatnonzero(todo & (steps[col].fillna("").to_numpy(dtype=object) != ""))
        if not len(cand):
            continue
        corpus_rows = c.groupby([col, "kind"], sort=False).indices
        judged = np.zeros(n_steps, dtype=bool)
        groups = steps[[col, "kind", "years"]].iloc[cand].groupby([col, "kind", "years"], sort=False).indices
        for (value, kind, years), pos in groups.items():
            rows = cand[pos]
            mine = corpus_rows.get((value, kind))
            v = _votes(voters.iloc[mine] if mine is not None else voters.iloc[:0], int(years), max_apart)
            plans, votes = v.index.to_numpy(dtype=object), v.to_numpy(dtype=float)
            rate = rates[rows]
            own_at = pd.Index(plans).get_indexer(source[rows])
            own = own_at >= 0
            own_vote = np.where(own, votes[np.maximum(own_at, 0)] if len(votes) else np.nan, np.nan)
            n = len(votes) - own
            k = np.searchsorted(votes, rate + EPS, side="right") - (own & (own_vote <= rate + EPS))
            # the fastest other plan: the last vote, or the one before it where the last is the step's own plan
            top = np.where(own & (own_at == len(votes) - 1), len(votes) - 2, len(votes) - 1)
            ok = n >= min_plans
            # the vote of the info rank among the other plans (the own plan's vote skipped where it comes first)
            m = info_rank(n, info_percentile) - 1
            at = m + (own & (own_at <= m))
            threshold[rows[ok & (m < n)]] = votes[at[ok & (m < n)]]
            if scope == "indicator":
                n_of[rows] = n
            fill = rows[ok]
            scope_of[fill] = scope
            n_of[fill] = n[ok]
            percentile[fill] = 100.0 * k[ok] / n[ok]
            top_vote[fill] = votes[top[ok]]
            top_plan[fill] = plans[top[ok]]
            judged[fill] = True
        todo &= ~judged
    return pd.DataFrame({"ambition_scope": pd.Series(scope_of, dtype=object), "ambition_n": n_of,
                         "ambition_percentile": percentile, "ambition_threshold": threshold, "ambition_max": top_vote,
                         "ambition_max_plan": pd.Series(top_plan, dtype=object)})


def lopo(percentile, n, min_plans: int, info_percentile: float) -> np.ndarray:
    """Leave one plan out of an info verdict (percentile above info_percentile among n plans): 'robust' where it
    stands without each single other plan, else 'knife_edge'. The worst single drop takes away a plan at or below
    the pace: (k − 1) / (n − 1) with k = percentile × n / 100; and the n − 1 left must still be enough."""
    percentile, n = np.asarray(percentile, dtype=float), np.asarray(n, dtype=float)
    k = np.rint(percentile * n / 100.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        worst = np.where(n > 1, 100.0 * (k - 1) / (n - 1), np.nan)
    verdict = repeated("knife_edge", len(n))
    verdict[(n - 1 >= min_plans) & (worst > info_percentile + EPS)] = "robust"
    return verdict
