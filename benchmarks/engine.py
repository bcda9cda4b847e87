"""`make bench` (first half): the vectorised engine against a naive per-indicator loop on a synthetic national panel.

    python benchmarks/engine.py [--regions 2850] [--indicators 40] [--years 10] [--sample 5000] [--seed 20150925]
                              [--repeats 7]

1. Generates a seeded synthetic panel shaped like every Chinese county's plan: regions × indicators × years
   (default 2,850 × 40 × 10 = 1.14 M observations): actuals then targets, shares (with a ceiling),
   levels, yearly flows and cumulative stocks, bounds (≥, >, approximate, ranges), a few zero bases and
   falling targets, stated growth rates linked to their levels, districts inside prefectures (escalation).
2. Times the vectorised engine (segments + trajectories + flags + escalation table) on the whole panel, and
   its part that does the naive loop's work (`same_work`: segments, the too-fast judgement and flags, the
   decline flags, trajectories; it also writes the reasons, margins and robustness the loop does not): a
   first run of each in the fresh process, then one run of each per paired round.
3. Times the naive engine, a Python loop per indicator path (segments and the too-fast/decline rules in
   plain Python, trajectories with statsmodels OLS), on a random sample of paths cut into --repeats parts
   (whole sources each), one part per paired round: each round times the whole engine, then the first half
   of its part, the same work, and the second half (the naive loop brackets the same work, so a steady drift
   of the machine's speed cancels out); each part's time is scaled to the whole panel by the number of paths
   (the output says so).
4. The speedup is the median over the rounds of (naive part, scaled) / (same work): the same work on both
   sides, timed under the same conditions of the machine, whose speed drifts by ±30 % within seconds. The
   goal is judged on it. The whole engine's ratio is given too (`speedup_whole_engine`: the engine also
   builds the escalation table and runs every other rule, which the loop does not, so that ratio
   understates the speedup).
5. Checks that both engines give the same numbers on the sample.
6. Measures peak memory: the process's peak resident set (getrusage: everything the process ever held,
   libraries, the generated panel, the engine's outputs and working memory, the allocator's slack) after the
   vectorised runs, the resident set before them, and the vectorised run's own peak allocation (tracemalloc,
   in a separate, untimed run).
7. Prints a table and writes reports/bench.json.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from analysis.core import paths
from analysis.derive.cross_level import escalation_table, plan_levels
from analysis.derive.flags import evaluate
from analysis.derive.growth import path_points, segments
from analysis.derive.known import pre_plan_actuals
from analysis.derive.paces import pace_judgements
from analysis.derive.peers import reference_windows
from analysis.derive.rules import stock_falls, target_backwards, too_fast
from analysis.derive.rules.base import Inputs
from analysis.derive.trajectories import fit
from analysis.ingest.extract import COLUMNS
from analysis.inputs.reference import ceiling_for, load_rules, load_thresholds, values

# synthetic indicators: (id, measure, unit). Real ids where a national reference exists, so every tier fires.
REAL = [("rd_intensity", "share", "%"), ("basic_research_share", "share", "%"),
        ("high_tech_enterprises", "count_stock", "家"), ("neeq_listed_companies", "count_stock", "家"),
        ("invention_patent_applications", "count_flow", "件"), ("invention_patent_grants", "count_flow", "件"),
        ("patent_applications", "count_flow", "件"), ("tech_contract_turnover", "level", "亿元"),
        ("rd_expenditure", "level", "亿元"), ("fiscal_st_share", "share", "%")]
MEASURES = ["share", "level", "count_stock", "count_flow"]
UNIT = {"share": "%", "level": "亿元", "count_stock": "家", "count_flow": "件"}
GOALS = {"speedup": 100.0, "vectorised_s": 5.0, "peak_mib": 1536.0}       # issue 9: ≥ 100×, ≤ 1.5 GiB


def indicators(n: int) -> pd.DataFrame:
    rows = list(REAL[: min(n, len(REAL))])
    for i in range(len(rows), n):
        m = MEASURES[i % 4]
        rows.append((f"synthetic_{m}_{i:02d}", m, UNIT[m]))
    return pd.DataFrame(rows, columns=["indicator_id", "measure", "unit"])


SMALL_SHARES = ("rd_intensity", "basic_research_share", "fiscal_st_share")
FLOW_OF_HTE = "synthetic_count_flow_11"           # the yearly new high-tech enterprises (flow_of link)


def make_panel(n_regions: int = 2850, n_indicators: int = 40, n_years: int = 10, seed: int = 20150925,
               first_year: int = 2011) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(observations, links, regions): a seeded synthetic panel with observations.csv's columns.

    Each path has 1-3 noisy actual years, then targets that continue from the last actual at the actual trend
    plus some ambition. Districts (the first nine tenths of the regions) share their prefecture's pace plus a
    little escalation. A few paths start from zero, a few end with a falling target, a few parts exceed their
    whole or flows fall short of their stock, and every region states a growth rate for its patent applications."""
    rng = np.random.default_rng(seed)
    ind = indicators(n_indicators)
    ids = ind["indicator_id"].to_numpy(dtype=object)
    n_prefs = max(1, n_regions // 10)
    n_districts = n_regions - n_prefs
    n_paths = n_regions * n_indicators
    region = np.repeat(np.arange(n_regions), n_indicators)
    k = np.tile(np.arange(n_indicators), n_regions)
    measure = ind["measure"].to_numpy(dtype=object)[k]
    is_share = measure == "share"
    small_share = np.isin(ids[k], SMALL_SHARES)
    district = region < n_districts
    pref_of = np.where(district, n_districts + region % n_prefs, region)
    # yearly pace: compound growth for levels and counts, pp per year for shares
    pace = np.clip(rng.normal(0.08, 0.035, (n_regions, n_indicators)), 0.005, 0.3)
    share_pace = np.clip(rng.normal(0.6, 0.3, (n_regions, n_indicators)), 0.0, 2.0)
    g = np.where(is_share, share_pace[pref_of, k] * np.where(small_share, 0.13, 1.0), pace[pref_of, k])
    g = g + district * np.where(is_share, rng.normal(0.02, 0.02, n_paths) * np.where(small_share, 0.13, 1.0),
                                rng.normal(0.01, 0.015, n_paths))
    g_act = np.clip(g + rng.normal(0, 0.01, n_paths) * np.where(is_share, 5.0, 1.0), 0.0, None)
    scale = np.where(is_share, np.where(small_share, 0.13, 1.0) * 5.0, 1.0)
    g_tgt = g_act + np.abs(rng.normal(0, 0.01, n_paths)) * scale        # targets: the trend plus some ambition
    t = np.arange(n_years)[None, :]
    n_act = rng.integers(1, 4, n_paths)
    last = (n_act - 1)[:, None]
    actual = t < n_act[:, None]
    rows = np.arange(n_paths)
    # levels and counts: log-linear; shares: linear
    base = rng.lognormal(6.0, 1.0, n_paths)
    logv = g_act[:, None] * t + rng.normal(0, 0.01, (n_paths, n_years))
    logv = np.where(actual, logv, logv[rows, n_act - 1][:, None] + g_tgt[:, None] * (t - last))
    level = base[:, None] * np.exp(logv)
    s0 = np.where(small_share, rng.uniform(0.5, 4, n_paths), rng.uniform(5, 60, n_paths))
    sh = s0[:, None] + g_act[:, None] * t + rng.normal(0, 0.02, (n_paths, n_years)) * np.where(small_share, 1, 5)[:, None]
    sh = np.where(actual, sh, sh[rows, n_act - 1][:, None] + g_tgt[:, None] * (t - last))
    value = np.where(is_share[:, None], np.clip(sh, 0, 100), level)
    counts = np.isin(measure, ["count_stock", "count_flow"])
    value = np.where(counts[:, None], np.round(value), np.round(value, 2))
    v3 = value.reshape(n_regions, n_indicators, n_years)                 # a view: edits below change `value`
    kk = {name: i for i, name in enumerate(ids)}
    if {"invention_patent_grants", "invention_patent_applications"} <= set(kk):      # a part below its whole
        ratio = rng.uniform(0.2, 0.5, (n_regions, 1)) * np.where(rng.random((n_regions, 1)) < 0.005, 4, 1)
        v3[:, kk["invention_patent_grants"]] = np.round(v3[:, kk["invention_patent_applications"]] * ratio)
    if {FLOW_OF_HTE, "high_tech_enterprises"} <= set(kk):              # new entries that build the stock
        stock = v3[:, kk["high_tech_enterprises"]]
        new = np.diff(stock, axis=1, prepend=2 * stock[:, :1] - stock[:, 1:2]) * rng.uniform(1.0, 1.3, (n_regions, 1))
        new *= np.where(rng.random((n_regions, 1)) < 0.005, 0.5, 1.0)
        v3[:, kk[FLOW_OF_HTE]] = np.round(np.maximum(new, 0))
    zero = counts & (rng.random(n_paths) < 0.01)                      # a few start from nothing
    value[zero, 0] = 0
    fall = rng.random(n_paths) < 0.003                                # and a few targets go backwards
    value[fall, -1] = value[fall, -2] * 0.9
    # words as shared objects (one "actual", one "eq"...), as pandas.read_csv gives them
    kind = np.array(["target", "actual"], dtype=object)[actual.astype(np.int8)]
    u = rng.random((n_paths, n_years))
    bound = np.array(["eq", "ge", "gt", "approx", "range"], dtype=object)[
        np.select([u < 0.70, u < 0.85, u < 0.90, u < 0.95], [0, 1, 2, 3], 4)]
    bound[actual] = "eq"
    value_low = np.where(bound == "range", np.round(value * 0.9, 2), np.nan)
    years = first_year + np.arange(n_years)
    regions = np.array([f"region_{i:04d}" for i in range(n_regions)], dtype=object)
    sources = np.array([f"plan-{i:04d}" for i in range(n_regions)], dtype=object)
    obs = pd.DataFrame({
        "source_id": np.repeat(sources[region], n_years),
        "region": np.repeat(regions[region], n_years),
        "region_en": np.repeat(regions[region], n_years),
        "indicator_id": np.repeat(ids[k], n_years),
        "indicator_zh": np.repeat(ids[k], n_years),
        "indicator_en": np.repeat(ids[k], n_years),
        "measure": np.repeat(measure, n_years),
        "unit": np.repeat(ind["unit"].to_numpy(dtype=object)[k], n_years),
        "year": np.tile(years, n_paths),
        "value": value.ravel(),
        "value_published": "x", "unit_published": "x",
        "kind": kind.ravel(),
        "bound": bound.ravel(),
        "value_low": value_low.ravel(),
        "line": 1, "quote": "x",
    })
    # every region states a yearly growth rate for its patent applications (rounded, as documents do)
    pa = kk.get("patent_applications", 0)
    stated = np.round(g_tgt.reshape(n_regions, n_indicators)[:, pa] * 100)
    rate = pd.DataFrame({
        "source_id": sources, "region": regions, "region_en": regions,
        "indicator_id": "patent_applications_growth", "indicator_zh": "专利申请量年均增长率",
        "indicator_en": "patent_applications_growth", "measure": "growth_rate", "unit": "%",
        "year": years[-1], "value": stated, "value_published": "x", "unit_published": "x", "kind": "target",
        "bound": "ge", "value_low": np.nan, "line": 1, "quote": "x"})
    obs = pd.concat([obs, rate], ignore_index=True)[COLUMNS]
    links = pd.DataFrame({"relation": ["rate_of", "flow_of", "part_of"],
                          "indicator_id": ["patent_applications_growth", FLOW_OF_HTE, "invention_patent_grants"],
                          "of_indicator_id": ["patent_applications", "high_tech_enterprises", "invention_patent_applications"],
                          "note": ["synthetic", "synthetic", "synthetic"]})
    reg = pd.DataFrame({"region": regions[:n_districts], "region_en": regions[:n_districts],
                        "parent": regions[n_districts + np.arange(n_districts) % n_prefs],
                        "parent_en": "", "level": "district"})
    return obs, links, reg


# ------------------------------------------------------------------ the two engines
def vectorised(obs: pd.DataFrame, links: pd.DataFrame, regions: pd.DataFrame, th: pd.DataFrame) -> dict:
    pts = path_points(obs)
    seg = segments(obs, th, points=pts)
    rules = load_rules()
    judgement = pace_judgements(seg, th, rules, reference_windows(rules), plan_levels(regions))
    one_vintage = dict.fromkeys(pd.unique(obs["source_id"]), 2015)       # the synthetic plans are of one round
    esc = escalation_table(obs, seg, regions, one_vintage, th.at["escalation_max_vintage_gap_years", "value"])
    return {"segments": seg, "trajectories": fit(obs, th, points=pts),
            "flags": evaluate(obs, seg, th, links=links, regions=regions, rules=rules, escalations=esc,
                              judgement=judgement), "escalation": esc}


def same_work(obs: pd.DataFrame, regions: pd.DataFrame, th: pd.DataFrame) -> dict:
    """The vectorised engine's part that does the naive loop's work: segments, the too-fast judgement and flags, the
    decline flags (target_backwards, stock_falls), the trajectories; as `vectorised` computes them."""
    pts = path_points(obs)
    seg = segments(obs, th, points=pts)
    rules = load_rules()
    judgement = pace_judgements(seg, th, rules, reference_windows(rules), plan_levels(regions))
    inp = Inputs(obs, seg, th, rules, obs.iloc[0:0], regions, judgement, pre_plan_actuals(obs.iloc[0:0], None, {}),
                 obs.iloc[0:0])
    flags = pd.concat([r.RULE.find(inp) for r in (too_fast, target_backwards, stock_falls)], ignore_index=True)
    return {"segments": seg, "trajectories": fit(obs, th, points=pts), "flags": flags}


def _timed(func) -> tuple[float, object]:
    """(wall time, result) of func()."""
    t0 = time.perf_counter()
    out = func()
    return time.perf_counter() - t0, out


def _cagr(s: float, e: float, y: float) -> float:
    if y <= 0 or s <= 0 or e < 0:
        return math.nan
    return ((e / s) ** (1.0 / y) - 1.0) * 100.0


def naive(obs: pd.DataFrame, th: pd.DataFrame, regions: pd.DataFrame) -> dict:
    """The per-indicator loop: plain Python per path for segments and the too-fast / decline rules (peer windows
    filtered per segment), statsmodels OLS per path for the trajectories."""
    v = values(th)
    rules = load_rules()
    peer_paces, national_paces = {}, {}           # the reference windows by key, as a plain loop would keep them
    for w in reference_windows(rules).itertuples(index=False):
        if w.scope == "peer":
            peer_paces.setdefault((w.indicator_id, w.level, w.years), []).append(w.pace)
        else:
            national_paces.setdefault(w.indicator_id, []).append((w.years, w.pace))
    level_of = dict(zip(regions["region"], regions["level"]))
    levels = rules["peers"]["levels"]
    proxies = rules["peers"].get("proxies", {})
    seg_rows, flag_rows = [], []
    kind_rank = {"actual": 0, "target": 1}
    paths_ = obs[obs["measure"] != "growth_rate"]
    for (src, ind), g in paths_.groupby(["source_id", "indicator_id"], sort=True):
        pts = sorted(g.itertuples(index=False), key=lambda r: (r.year, kind_rank[r.kind]))
        for a, b in zip(pts[:-1], pts[1:]):
            years = b.year - a.year
            if b.measure == "share":
                metric, growth = "pp_per_year", ((b.value - a.value) / years if years > 0 else math.nan)
            elif years <= 0:
                metric, growth = "none", math.nan
            elif a.value > 0:
                metric, growth = "cagr", _cagr(a.value, b.value, years)
            else:
                metric, growth = "new_per_year", (b.value - a.value) / years
            seg_rows.append((src, ind, a.year, b.year, metric, growth))
            if b.kind != "target":
                continue
            if metric in ("cagr", "pp_per_year"):
                lo_end = b.value_low if b.bound == "range" else (b.value * (1 - v["approx_band_pct"] / 100)
                                                                   if b.bound == "approx" else b.value)
                pace = _cagr(a.value, lo_end, years) if metric == "cagr" else (lo_end - a.value) / years
                small = b.measure in ("count_stock", "count_flow") and a.value < v["info_min_count_base"]
                allowed = levels.get(level_of.get(b.region), [])
                peers = sorted(p for lv in allowed for p in peer_paces.get((ind, lv, years), []))
                if len(peers) < v["peer_min_n"] and ind in proxies:
                    alt = sorted(p for lv in allowed for p in peer_paces.get((proxies[ind], lv, years), []))
                    peers = alt if len(alt) > len(peers) else peers
                national = [p for y, p in national_paces.get(ind, []) if 1 <= y <= years]
                hit = None
                if not small and len(peers) >= v["peer_min_n"]:
                    if pace > float(np.percentile(peers, v["peer_info_percentile"])) + 1e-9:
                        hit = "info"
                    if pace > peers[-1] + 1e-9:
                        hit = "warn"
                elif not small and national and pace > max(national) + 1e-9:
                    hit = "info"
                ceiling = ceiling_for(rules, ind, metric)
                if ceiling and years >= th.at[ceiling, "ref_end_year"] - th.at[ceiling, "ref_start_year"] \
                        and pace > v[ceiling] + 1e-9:
                    hit = "alert"
                if hit:
                    flag_rows.append((src, ind, a.year, b.year, "too_fast", hit))
            if b.value < a.value - 1e-9 and a.kind == "target":
                flag_rows.append((src, ind, a.year, b.year, "target_backwards", None))
    traj = fit(obs, th, engine="statsmodels")
    return {"segments": pd.DataFrame(seg_rows, columns=["source_id", "indicator_id", "start_year", "end_year", "metric",
                                                         "growth"]),
            "flags": pd.DataFrame(flag_rows, columns=["source_id", "indicator_id", "start_year", "end_year", "rule",
                                                       "severity"]),
            "trajectories": traj}


def agree(vec: dict, nai: dict) -> dict:
    """Compare the engines on the sample: segment growth, trajectory numbers, and the rows the naive rules flag."""
    key = ["source_id", "indicator_id", "start_year", "end_year"]
    vs = vec["segments"][vec["segments"]["segment"] == "step"]
    m = vs.merge(nai["segments"], on=key, suffixes=("", "_n"))
    seg_ok = len(m) == len(vs) == len(nai["segments"]) and (m["metric"] == m["metric_n"]).all() and np.allclose(
        m["growth"].to_numpy(dtype=float), m["growth_n"].to_numpy(dtype=float), rtol=1e-9, atol=1e-12, equal_nan=True)
    num = ["observed", "fitted", "lower", "upper", "annual_growth", "growth_ci_low", "growth_ci_high"]
    a, b = (t.sort_values(["source_id", "indicator_id", "model", "year"], kind="stable").reset_index(drop=True)
            for t in (vec["trajectories"], nai["trajectories"]))
    traj_diff = float(np.nanmax(np.abs(a[num].to_numpy(dtype=float) - b[num].to_numpy(dtype=float))
                                / np.maximum(1.0, np.abs(b[num].to_numpy(dtype=float))))) if len(a) == len(b) else math.inf
    same_nan = len(a) == len(b) and bool((a[num].isna().to_numpy() == b[num].isna().to_numpy()).all())
    rules = ["too_fast", "target_backwards"]
    vf = vec["flags"][vec["flags"]["rule"].isin(rules)]
    vset = set(zip(vf.source_id, vf.indicator_id, vf.start_year, vf.end_year, vf.rule,
                   vf.severity.where(vf.rule == "too_fast", None)))
    nset = set(zip(*[nai["flags"][c] for c in ["source_id", "indicator_id", "start_year", "end_year", "rule", "severity"]]))
    return {"segments_equal": bool(seg_ok), "segments_compared": int(len(m)),
            "trajectory_rows_compared": int(len(b)), "trajectory_max_rel_diff": traj_diff,
            "trajectories_equal": bool(same_nan and traj_diff < 1e-6),
            "flags_compared": int(len(nset)), "flags_equal": vset == nset}


def _rss_mib() -> float:
    """The process's peak resident set so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0      # KiB on Linux


def _rss_now_mib() -> float:
    """The process's resident set now (MiB; NaN where /proc is not available)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except (OSError, ValueError):
        return math.nan


def run(n_regions: int, n_indicators: int, n_years: int, sample: int, seed: int, repeats: int = 7) -> dict:
    th = load_thresholds()
    t0 = time.perf_counter()
    obs, links, regions = make_panel(n_regions, n_indicators, n_years, seed)
    gen_s = time.perf_counter() - t0
    n_paths = obs[obs["measure"] != "growth_rate"].groupby(["source_id", "indicator_id"]).ngroups
    small = make_panel(30, n_indicators, n_years, seed + 1)              # warm-up: imports, caches
    vectorised(small[0], small[1], small[2], th)
    del small
    rss_before = _rss_now_mib()

    # a first run of each in the fresh process (memory not yet mapped), for the record
    first_s, vec = _timed(lambda: vectorised(obs, links, regions, th))
    sizes = {k: int(len(v)) for k, v in vec.items()}
    severities = vec["flags"].groupby(["rule", "severity"]).size()
    del vec                               # one set of outputs alive at a time
    same_first_s, _ = _timed(lambda: same_work(obs, regions, th))
    rss_after = _rss_mib()                # the peak so far: a whole-engine run on top of the panel

    # the naive loop's sample of paths, cut into `repeats` parts of whole sources
    rng = np.random.default_rng(seed + 2)
    keys = obs[["source_id", "indicator_id"]].drop_duplicates()
    keys = keys[~keys["indicator_id"].eq("patent_applications_growth")]
    pick = keys.iloc[np.sort(rng.choice(len(keys), size=min(sample, len(keys)), replace=False))]
    parts = [pick[pick["source_id"].isin(group)] for group in np.array_split(pd.unique(pick["source_id"]), repeats)]
    naive(obs.merge(keys.iloc[:20], on=["source_id", "indicator_id"]), th, regions)    # warm-up: imports statsmodels
    # paired rounds: the whole engine, then the same work bracketed by the two halves of one part of the naive loop
    # (half, same work, half), so that each ratio sets times taken under the same conditions of the machine side by
    # side: its speed drifts by ±30 % within seconds, and a steady drift cancels out of a bracket
    whole_runs, same_runs, naive_runs, ratios, ratios_whole, naive_out, naive_halves = [], [], [], [], [], [], []
    for part in parts:
        t, _ = _timed(lambda: vectorised(obs, links, regions, th))
        whole_runs.append(t)
        halves = [part[part["source_id"].isin(h)] for h in np.array_split(pd.unique(part["source_id"]), 2) if len(h)]
        frames = [obs.merge(h, on=["source_id", "indicator_id"]) for h in halves]
        t_first, out = _timed(lambda frame=frames[0]: naive(frame, th, regions))
        naive_out.append(out)
        t, _ = _timed(lambda: same_work(obs, regions, th))
        same_runs.append(t)
        half_runs = [t_first]
        for frame in frames[1:]:
            t_second, out = _timed(lambda frame=frame: naive(frame, th, regions))
            naive_out.append(out)
            half_runs.append(t_second)
        t = sum(half_runs)
        naive_runs.append(t)
        naive_halves.append([{"s": round(h_t, 3), "paths": int(len(h))} for h_t, h in zip(half_runs, halves)])
        scaled = t * n_paths / len(part)
        ratios.append(scaled / same_runs[-1])
        ratios_whole.append(scaled / whole_runs[-1])
    vec_s, same_s = statistics.median(whole_runs), statistics.median(same_runs)
    naive_sample_s = sum(naive_runs)
    naive_s = naive_sample_s * n_paths / len(pick)

    tracemalloc.start()
    vectorised(obs, links, regions, th)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    sub = obs.merge(pick, on=["source_id", "indicator_id"])
    vec_sub = vectorised(sub, links.iloc[0:0], regions, th)
    nai = {k: pd.concat([o[k] for o in naive_out], ignore_index=True) for k in naive_out[0]}
    check = agree(vec_sub, nai)
    part = same_work(sub, regions, th)                # the timed part gives the whole engine's numbers
    check["same_work_equal"] = bool(all(part[k].equals(vec_sub[k]) for k in ("segments", "trajectories")) and set(
        map(tuple, part["flags"][["source_id", "indicator_id", "start_year", "end_year", "rule", "reason"]].to_numpy()))
        <= set(map(tuple, vec_sub["flags"][["source_id", "indicator_id", "start_year", "end_year", "rule",
                                            "reason"]].to_numpy())))

    return {
        "n_observations": int(len(obs)), "n_paths": int(n_paths), "n_regions": n_regions, "n_indicators": n_indicators,
        "n_years": n_years, "seed": seed,
        "vectorised_s": round(vec_s, 3),
        "vectorised_first_run_s": round(first_s, 3),
        "vectorised_runs_s": [round(t, 3) for t in whole_runs],
        "vectorised_note": f"whole panel, wall clock; vectorised_s is the median of {repeats} runs, one per paired "
                           "round, after a first run in the fresh process (vectorised_first_run_s, slower: the process "
                           "maps its memory)",
        "vectorised_same_work_s": round(same_s, 3),
        "vectorised_same_work_first_run_s": round(same_first_s, 3),
        "vectorised_same_work_runs_s": [round(t, 3) for t in same_runs],
        "same_work_note": "the engine's part doing the naive loop's work (same_work: segments, too-fast judgement and "
                          "flags, decline flags, trajectories), timed as vectorised_s is",
        "naive_s": round(naive_s, 1), "speedup": round(statistics.median(ratios), 1),
        "speedup_rounds": [round(r, 1) for r in ratios],
        "speedup_note": f"the median over {repeats} paired rounds of (a part of the naive loop, scaled to the panel) / "
                        "(the same work in the vectorised engine, timed between the part's two halves): the same work "
                        "on both sides, under the same conditions of the machine (the goal is judged on it)",
        "speedup_whole_engine": round(statistics.median(ratios_whole), 1),
        "speedup_whole_engine_rounds": [round(r, 1) for r in ratios_whole],
        "speedup_whole_engine_note": "the same against the whole engine, which also builds the escalation table and "
                                     "runs every other rule, which the naive loop does not",
        "naive_timed_on_paths": int(len(pick)), "naive_sample_s": round(naive_sample_s, 2),
        "naive_runs_s": [round(t, 2) for t in naive_runs],
        "naive_halves": naive_halves,
        "naive_halves_note": "each round's naive part in its two halves, timed before and after the same work "
                             "(seconds, paths)",
        "naive_scaled": f"timed on {len(pick)} of {n_paths} paths, scaled by {n_paths / len(pick):.1f}",
        "peak_mib": round(rss_after, 1),
        "peak_mib_note": "peak resident set of the whole process (getrusage) after a first run of the whole engine "
                         "(before the naive loop runs): Python and its libraries, the generated panel, the engine's "
                         "outputs and working memory, allocator slack",
        "rss_before_engine_mib": round(rss_before, 1),
        "vectorised_traced_peak_mib": round(traced_peak / 2 ** 20, 1),
        "generate_s": round(gen_s, 2), "outputs": sizes,
        "flags_by_rule": {f"{r}/{s}": int(n) for (r, s), n in severities.items()},
        "agreement": check,
        "goals": GOALS,
        "goals_met": {"speedup": statistics.median(ratios) >= GOALS["speedup"], "vectorised_s": vec_s <= GOALS["vectorised_s"],
                      "peak_mib": rss_after <= GOALS["peak_mib"]},
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
                    "cpus": os.cpu_count(), "platform": platform.platform()},
    }


def table(r: dict) -> str:
    a = r["agreement"]
    goal = {"vectorised_s": f"≤ {GOALS['vectorised_s']:g}", "speedup": f"≥ {GOALS['speedup']:g}×",
            "peak_mib": f"≤ {GOALS['peak_mib']:g}"}
    lines = [
        f"synthetic panel: {r['n_observations']:,} observations, {r['n_paths']:,} indicator paths "
        f"({r['n_regions']:,} regions × {r['n_indicators']} indicators × {r['n_years']} years, seed {r['seed']})",
        "",
        f"{'engine':<34}{'time (s)':>12}{'goal':>12}",
        f"{'vectorised (numpy, whole panel)':<34}{r['vectorised_s']:>12.2f}{goal['vectorised_s']:>12}",
        f"{'  first run in a fresh process':<34}{r['vectorised_first_run_s']:>12.2f}{'':>12}",
        f"{'  same work as the naive loop':<34}{r['vectorised_same_work_s']:>12.2f}{'':>12}",
        f"{'naive loop (statsmodels), scaled':<34}{r['naive_s']:>12.1f}{'':>12}",
        f"{'speedup, same work':<34}{r['speedup']:>11.1f}×{goal['speedup']:>12}",
        f"{'speedup, whole engine':<34}{r['speedup_whole_engine']:>11.1f}×{'':>12}",
        f"{'peak memory, process RSS (MiB)':<34}{r['peak_mib']:>12.1f}{goal['peak_mib']:>12}",
        f"{'  resident before the engine ran':<34}{r['rss_before_engine_mib']:>12.1f}{'':>12}",
        f"{'vectorised run, traced peak (MiB)':<34}{r['vectorised_traced_peak_mib']:>12.1f}{'':>12}",
        "",
        f"vectorised: median of {len(r['vectorised_runs_s'])} runs ({', '.join(f'{t:.2f}' for t in r['vectorised_runs_s'])} s) "
        f"after the first, one per paired round; same work: "
        f"{', '.join(f'{t:.2f}' for t in r['vectorised_same_work_runs_s'])} s; times are wall clock.",
        f"naive loop {r['naive_scaled']} ({r['naive_sample_s']:.1f} s on the sample, in "
        f"{len(r['naive_runs_s'])} parts: {', '.join(f'{t:.2f}' for t in r['naive_runs_s'])} s).",
        f"speedup in each paired round: same work {', '.join(f'{x:.0f}×' for x in r['speedup_rounds'])}; whole engine "
        f"{', '.join(f'{x:.0f}×' for x in r['speedup_whole_engine_rounds'])} (the medians above).",
        f"agreement on the sample: segments {'equal' if a['segments_equal'] else 'DIFFER'} ({a['segments_compared']:,}), "
        f"trajectories {'equal' if a['trajectories_equal'] else 'DIFFER'} ({a['trajectory_rows_compared']:,} rows, "
        f"max rel. diff {a['trajectory_max_rel_diff']:.1e}), flags {'equal' if a['flags_equal'] else 'DIFFER'} "
        f"({a['flags_compared']:,}); the timed same work {'equals' if a['same_work_equal'] else 'DIFFERS FROM'} the "
        "whole engine's.",
        "goals met: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in r["goals_met"].items()),
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--regions", type=int, default=2850)
    p.add_argument("--indicators", type=int, default=40)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--sample", type=int, default=5000, help="paths timed in the naive loop (then scaled)")
    p.add_argument("--seed", type=int, default=20150925)
    p.add_argument("--repeats", type=int, default=7,
                   help="paired rounds (vectorised runs and a part of the naive sample); medians are reported")
    p.add_argument("--out", default=str(paths.REPORTS / "bench.json"))
    args = p.parse_args(argv)
    r = run(args.regions, args.indicators, args.years, args.sample, args.seed, args.repeats)
    print(table(r))
    from analysis.core.fileio import write_text_atomic

    write_text_atomic(args.out, json.dumps(r, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {os.path.relpath(args.out, paths.ROOT)}")
    ok = all(r["agreement"][k] for k in ("segments_equal", "trajectories_equal", "flags_equal", "same_work_equal"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
