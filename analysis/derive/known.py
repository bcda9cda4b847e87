"""What was known when a plan was set: the actuals of its region and indicators for years before the plan, and
the first target after the latest of them (the too-slow rules: analysis/derive/rules/already_met_when_set.py,
too_slow.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.arrays import either
from .growth import PATH_MEASURES, _rate, bound_interval
from .rules.base import EPS

KNOWN_COLUMNS = ["source_id", "indicator_id", "year", "value", "known", "published_date", "citation"]
HOW_KNOWN = ("document", "published before the plan", "published later")      # the first of a year is kept
PATH = ["source_id", "indicator_id"]


def date_bounds(text: str) -> tuple[str, str]:
    """(earliest, latest) ISO day a date written as YYYY, YYYY-MM or YYYY-MM-DD can mean; ('', '') if unreadable."""
    t = str(text or "").strip()[:10]
    if len(t) >= 4 and t[:4].isdigit():
        y = t[:4]
        if len(t) >= 7 and t[5:7].isdigit():
            m = t[5:7]
            if len(t) == 10 and t[8:10].isdigit():
                return t, t
            return f"{y}-{m}-01", f"{y}-{m}-31"
        return f"{y}-01-01", f"{y}-12-31"
    return "", ""


def pre_plan_actuals(obs: pd.DataFrame, published: pd.DataFrame | None, sources: dict) -> pd.DataFrame:
    """The actuals of each source's region and indicators up to the plan's year: the document's own (known when set
    by definition), those other plans of the same region state (known before the plan where that plan is dated
    before it) and published ones, with `known`: 'document', 'published before the plan' (published_date, or the
    other plan's date, before the plan's date) or 'published later' (hindsight: the figure describes a pre-plan
    year, but the page we cite appeared after the plan). A published figure for the plan's own year is kept only
    where it was published before the plan (same-year evidence). One row per (source, indicator, year), the first in
    HOW_KNOWN order, sorted by source, indicator and year."""
    doc = obs.loc[obs["kind"].to_numpy() == "actual", ["source_id", "region", "indicator_id", "year", "value", "line"]]
    source = doc["source_id"].to_numpy(dtype=object)
    parts = [pd.DataFrame({"source_id": source, "indicator_id": doc["indicator_id"].to_numpy(),
                           "year": doc["year"].to_numpy(dtype=np.int64), "value": doc["value"].to_numpy(dtype=float),
                           "known": "document", "published_date": "",
                           "citation": np.array([f"{s} line {n}" for s, n in zip(source, doc["line"].tolist())],
                                                dtype=object)})]
    wanted = obs[PATH].drop_duplicates() if sources else None
    if sources:
        parts.append(_other_plans(doc, wanted, sources))
    if published is not None and len(published) and sources:
        for sid, src in sources.items():
            p = published[(published["region"] == src.region).to_numpy() & (published["year"] <= src.year).to_numpy()]
            p = p.merge(wanted[wanted["source_id"] == sid], on="indicator_id")
            if p.empty:
                continue
            plan_first, _ = date_bounds(src.date)
            late = np.array([date_bounds(d)[1] for d in p["published_date"].fillna("")], dtype=object)
            before = (late != "") & (late < plan_first)
            keep = before | (p["year"] < src.year).to_numpy()          # the plan's own year: only if known before
            p, before = p[keep], before[keep]
            parts.append(pd.DataFrame({
                "source_id": sid, "indicator_id": p["indicator_id"].to_numpy(),
                "year": p["year"].to_numpy(dtype=np.int64), "value": p["value"].to_numpy(dtype=float),
                "known": np.where(before, HOW_KNOWN[1], HOW_KNOWN[2]),
                "published_date": p["published_date"].fillna("").to_numpy(dtype=object),
                "citation": p["source"].astype(str).to_numpy(dtype=object)}))
    parts = [p for p in parts if len(p)] or parts[:1]
    out = pd.concat(parts, ignore_index=True)[KNOWN_COLUMNS] if len(parts) > 1 else parts[0][KNOWN_COLUMNS]
    if out.empty:
        return out.reset_index(drop=True)
    how = out["known"].map({k: i for i, k in enumerate(HOW_KNOWN)})
    order = out.assign(_how=how).sort_values(PATH + ["year", "_how"], kind="stable").index
    return out.loc[order].drop_duplicates(PATH + ["year"], keep="first").reset_index(drop=True)


def _other_plans(doc: pd.DataFrame, wanted: pd.DataFrame, sources: dict) -> pd.DataFrame:
    """The actuals other plans of the same region state, for each plan dated after them (their date's last day
    before the plan's first): 'published before the plan', cited by the other plan's id and line, its date as
    `published_date`. Only the plan's own indicators, years up to the plan's year."""
    plans = pd.DataFrame([{"source_id": sid, "region": s.region, "plan_year": int(s.year),
                           "first": date_bounds(s.date)[0], "last": date_bounds(s.date)[1], "date": str(s.date or "")}
                          for sid, s in sources.items()], columns=["source_id", "region", "plan_year", "first", "last",
                                                                    "date"])
    acts = doc[["source_id", "region", "indicator_id", "year", "value", "line"]].rename(columns={"source_id": "other"})
    dated = plans.rename(columns={"source_id": "other", "last": "o_last", "date": "o_date"})
    m = acts.merge(dated[["other", "o_last", "o_date"]], on="other")
    m = m.merge(plans[["source_id", "region", "plan_year", "first"]], on="region")
    m = m[(m["other"] != m["source_id"]) & (m["o_last"] != "") & (m["o_last"] < m["first"])
          & (m["year"] <= m["plan_year"])].merge(wanted, on=PATH)
    return pd.DataFrame({"source_id": m["source_id"].to_numpy(dtype=object),
                         "indicator_id": m["indicator_id"].to_numpy(dtype=object),
                         "year": m["year"].to_numpy(dtype=np.int64), "value": m["value"].to_numpy(dtype=float),
                         "known": HOW_KNOWN[1], "published_date": m["o_date"].to_numpy(dtype=object),
                         "citation": (m["other"].astype(str) + " line " + m["line"].astype(str)).to_numpy(dtype=object)},
                        columns=KNOWN_COLUMNS)


def first_targets_after_known(obs: pd.DataFrame, known: pd.DataFrame, values: dict) -> pd.DataFrame:
    """Per path (source, indicator) with a known actual: the first target after the latest one (`a_*`: that actual,
    `h_*`: the earliest within too_slow_lookback_years before it), the target's least allowed value `low`, the pace
    the target asks from the actual (`g_target`) and the pace realised before it (`g_pre`), the `metric` of both,
    and whether the target was `met` when set or is `slow` against that history."""
    kn = known[PATH + ["year", "value", "known", "published_date", "citation"]]
    latest = kn.drop_duplicates(PATH, keep="last").set_axis(PATH + ["a_year", "a_value", "a_known", "a_date", "a_cite"],
                                                              axis=1)
    # the first target of each path after the latest actual, or in its year where that actual was published before
    # the plan (same-year evidence: a document's own figure for its year is interim, 截至5月底…, and not used so);
    # found on the keys alone, then the rows of those targets taken whole (a national panel has a million targets)
    targets = np.flatnonzero((obs["kind"].to_numpy() == "target") & obs["measure"].isin(PATH_MEASURES).to_numpy())
    # (each path numbered by its row of `latest`, `_path`: grouped by that number, its words are not hashed again)
    k = obs[PATH + ["year"]].iloc[targets].assign(_row=targets).merge(
        latest[PATH + ["a_year", "a_known"]].assign(_path=np.arange(len(latest))), on=PATH)
    after = (k["year"].to_numpy() > k["a_year"].to_numpy()) | (
        (k["year"].to_numpy() == k["a_year"].to_numpy()) & (k["a_known"] == HOW_KNOWN[1]).to_numpy())
    first = k.loc[k[after].groupby("_path", sort=False)["year"].idxmin(), "_row"]       # its earliest year
    m = obs[["source_id", "region", "indicator_id", "indicator_zh", "measure", "unit", "year", "value", "value_low",
             "bound"]].iloc[first.to_numpy()].merge(latest, on=PATH)
    h = kn.drop(columns="citation").merge(m[PATH + ["a_year"]], on=PATH)
    h = h[(h["year"] < h["a_year"]) & (h["year"] >= h["a_year"] - values["too_slow_lookback_years"])]
    h = h.drop_duplicates(PATH, keep="first").drop(columns="a_year").set_axis(
        PATH + ["h_year", "h_value", "h_known", "h_date"], axis=1)
    m = m.merge(h, on=PATH, how="left").reset_index(drop=True)
    share = (m["measure"] == "share").to_numpy()                 # pp per year; else compound growth
    low, _ = bound_interval(m["value"], m["value_low"], m["bound"], m["measure"], values["approx_band_pct"])
    a_value, a_year = m["a_value"].to_numpy(dtype=float), m["a_year"].to_numpy(dtype=float)
    g_target = _rate(a_value, low, m["year"].to_numpy(dtype=float) - a_year, ~share, True)
    g_pre = _rate(m["h_value"].to_numpy(dtype=float), a_value, a_year - m["h_year"].to_numpy(dtype=float), ~share, True)
    # a target to go down to (a rank, where lower is better; a ≤ or < bound) is not judged by rules written for
    # targets that go up: 由第18位提升到前15位 is a rise, not a target already met
    upward = ~((m["measure"] == "rank").to_numpy() | m["bound"].isin(["le", "lt"]).to_numpy())
    met = (low <= a_value + EPS) & upward
    slow = ~met & upward & (g_pre > 0) & (g_target < values["too_slow_ratio_info"] * g_pre - EPS)
    hindsight = (m["a_known"] == HOW_KNOWN[2]).to_numpy() | (m["h_known"] == HOW_KNOWN[2]).to_numpy()
    return m.assign(low=low, metric=either(share, "pp_per_year", "cagr"), g_target=g_target,
                    g_pre=g_pre, met=met, slow=slow, hindsight=hindsight,
                    start_year=m["a_year"].to_numpy(dtype=np.int64), end_year=m["year"].to_numpy(dtype=np.int64))
