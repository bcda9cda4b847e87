"""`make bench` (first half): the time a researcher waits, then the judging engine at national scale.

    python benchmarks/engine.py [--no-wait] [--regions 2850] [--indicators 40] [--years 10] [--sample 4]
                                [--repeats 3] [--seed 20150925] [--out reports/bench.json]

1. The headline: what a researcher waits for on this machine, for the real corpus: `make data` (the data step,
   rewriting nothing), a cold `make -j2 reports` (every report of reports.yml from nothing, data step included;
   benchmarks/make_reports.py clears the reports and times it), and per plan of the corpus (both divided by the
   number of documents: what one more plan adds). `--no-wait` skips it (the tests do).
2. The scale check: a seeded synthetic panel shaped like every Chinese county's plan (default 2,850 regions ×
   40 indicators × 10 years = 1.14 M observations; shares, levels, flows and stocks, bounds, zero bases, falling
   targets, stated rates linked to their levels, districts inside prefectures). The engine (segments,
   trajectories, every segment's pace judgement, the cross-level table, every rule of the registry) runs on the
   whole panel --repeats times (median wall time) and its process's peak resident memory is read; goals: at most
   8 s and 1.5 GiB on 2 cores.
3. The naive baseline: the plain per-plan code the engine is checked against (paces.judge_segment, the engine
   one segment at a time, for every segment; each rule's judge for every plan; the cross-level table of the
   sample), timed on --sample plans and
   scaled to the panel by the number of plans; on that sample the engine must give the same judgements and flags.
4. Prints a table and writes reports/bench.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from analysis.core import paths
from analysis.core.fileio import write_text_atomic
from analysis.derive.cross_level import escalation_table, plan_levels
from analysis.derive.flags import evaluate, margins
from analysis.derive.growth import path_points, segments
from analysis.derive.known import pre_plan_actuals
from analysis.derive.paces import JUDGEMENT_COLUMNS, explain_overall, judge_segment, pace_judgements, use_corpus
from analysis.derive.peers import reference_windows
from analysis.derive.rules import REGISTRY
from analysis.derive.rules.base import Inputs, empty, plans
from analysis.derive.trajectories import fit
from analysis.derive.yardsticks import Yardsticks, parents_of
from analysis.ingest.extract import COLUMNS
from analysis.inputs.reference import load_rules, load_thresholds
from analysis.reports import config

try:                                # run as a script (make bench): benchmarks/ is the script's own directory
    import make_reports
except ImportError:                 # imported as benchmarks.engine (tests/test_bench.py)
    from benchmarks import make_reports

# synthetic indicators: (id, measure, unit). Real ids where a national reference exists, so every tier fires.
REAL = [("rd_intensity", "share", "%"), ("basic_research_share", "share", "%"),
        ("high_tech_enterprises", "count_stock", "家"), ("neeq_listed_companies", "count_stock", "家"),
        ("invention_patent_applications", "count_flow", "件"), ("invention_patent_grants", "count_flow", "件"),
        ("patent_applications", "count_flow", "件"), ("tech_contract_turnover", "level", "亿元"),
        ("rd_expenditure", "level", "亿元"), ("fiscal_st_share", "share", "%")]
MEASURES = ["share", "level", "count_stock", "count_flow"]
UNIT = {"share": "%", "level": "亿元", "count_stock": "家", "count_flow": "件"}
GOALS = {"engine_s": 8.0, "peak_mib": 1536.0}          # issue 24: the scale check on 2 cores


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


# ------------------------------------------------------------------ the engine and its plain baseline
ONE_VINTAGE = 2015                          # the synthetic plans are of one round: every pair is compared


def engine(obs: pd.DataFrame, links: pd.DataFrame, regions: pd.DataFrame, th: pd.DataFrame) -> dict:
    """Every frame of the judging stage, as analysis.derive.plausibility computes them."""
    rules = load_rules()
    pts = path_points(obs)
    seg = segments(obs, th, points=pts)
    judgement = pace_judgements(seg, th, rules, reference_windows(rules), plan_levels(regions), parents_of(regions))
    esc = escalation_table(obs, seg, regions, dict.fromkeys(pd.unique(obs["source_id"]), ONE_VINTAGE),
                           th.at["escalation_max_vintage_gap_years", "value"])
    flags = evaluate(obs, seg, th, links=links, regions=regions, rules=rules, escalations=esc, judgement=judgement)
    return {"segments": seg, "trajectories": fit(obs, th, points=pts), "judgement": judgement, "escalation": esc,
            "flags": flags}


def plain(obs: pd.DataFrame, links: pd.DataFrame, regions: pd.DataFrame, th: pd.DataFrame) -> dict:
    """The plain per-plan code: judge_segment for every segment, each rule's judge for every plan."""
    rules = load_rules()
    seg = segments(obs, th)
    sticks, levels = Yardsticks(reference_windows(rules), rules, th, parents_of(regions)), plan_levels(regions)
    # the corpus ambition among plans reads: every rated target step's judged pace (a first pass, without it)
    first = pd.DataFrame([judge_segment(s, sticks, levels) for s in seg.itertuples(index=False)],
                         columns=JUDGEMENT_COLUMNS)
    use_corpus(sticks, seg, first, levels)
    judgement = explain_overall(seg, pd.DataFrame([judge_segment(s, sticks, levels) for s in seg.itertuples(index=False)],
                                                  columns=JUDGEMENT_COLUMNS))
    esc = escalation_table(obs, seg, regions, dict.fromkeys(pd.unique(obs["source_id"]), ONE_VINTAGE),
                           th.at["escalation_max_vintage_gap_years", "value"])
    inp = Inputs(obs, seg, th, rules, links, regions, judgement, pre_plan_actuals(obs, None, {}), esc)
    flags = pd.concat([rule.judge(plan, inp) for rule in REGISTRY for plan in plans(inp)] or [empty()],
                      ignore_index=True)
    return {"judgement": judgement, "flags": margins(flags, th.at["robust_min_margin_pct", "value"])}


def _normal(f: pd.DataFrame, key: list[str] | None = None) -> pd.DataFrame:
    """A frame to compare: rows in `key` order, every missing value as None."""
    if key:
        f = f.sort_values(key, kind="stable")
    f = f.reset_index(drop=True)
    return f.astype(object).where(f.notna(), None)


def agree(vec: dict, naive: dict) -> dict:
    """Whether the engine and the plain code give the same judgements and flags (every column), and what the
    comparison covered: segments (judged or not), the yardsticks used, flags and their rules."""
    key = ["source_id", "indicator_id", "start_year", "end_year", "rule", "related_source_id", "reason"]
    flags = vec["flags"][naive["flags"].columns.intersection(vec["flags"].columns)]
    same_flags = _normal(flags, key).equals(_normal(naive["flags"][flags.columns], key))
    same_judgement = _normal(vec["judgement"]).equals(_normal(naive["judgement"]))
    return {"judgement_equal": bool(same_judgement), "flags_equal": bool(same_flags),
            "segments_compared": int(len(vec["judgement"])), "segments_judged": int(vec["judgement"]["judged"].sum()),
            "yardsticks_compared": sorted(set(vec["judgement"]["yardstick"].dropna())),
            "flags_compared": int(len(flags)), "rules_compared": sorted(set(flags["rule"]))}


def _timed(func) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = func()
    return time.perf_counter() - t0, out


def _read(path: str) -> str:
    """A kernel setting as the file shows it ('' where there is none)."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return ""


def _peak_mib() -> float:
    """The process's peak resident set so far (MiB; getrusage reports KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ------------------------------------------------------------------ what a researcher waits for
def researcher_wait() -> dict:
    """`make data` and a cold `make -j2 reports` on the real corpus, and both per document."""
    t, proc = _timed(lambda: subprocess.run([sys.executable, "-m", "analysis.build"], cwd=paths.ROOT,
                                            capture_output=True, text=True))
    if proc.returncode:
        sys.exit(f"make data failed:\n{proc.stderr}")
    runs = config.load_config()
    out = {"load_before": os.getloadavg()[0], "make_data_s": round(t, 2)}
    make_reports.cold(runs, "-j2", out)
    n_plans = len(pd.unique(pd.read_csv(paths.OBSERVATIONS, usecols=["source_id"])["source_id"]))
    out.update(n_plans=n_plans, n_reports=len(runs), per_plan_s=round((t + out["cold_j2_s"]) / n_plans, 2))
    out.pop("cold_j2_progress", None)
    return out


# ------------------------------------------------------------------ the run
def run(n_regions: int, n_indicators: int, n_years: int, sample: int, seed: int, repeats: int) -> dict:
    th = load_thresholds()
    obs, links, regions = make_panel(n_regions, n_indicators, n_years, seed)
    small = make_panel(20, n_indicators, n_years, seed + 1)               # warm-up: imports, caches
    engine(*small, th)
    first_s, out = _timed(lambda: engine(obs, links, regions, th))
    sizes = {k: int(len(v)) for k, v in out.items()}
    by_rule = {f"{r}/{s}": int(n) for (r, s), n in out["flags"].groupby(["rule", "severity"]).size().items()}
    del out
    peak = _peak_mib()                     # the whole process after a run on the whole panel
    times = [first_s] + [_timed(lambda: engine(obs, links, regions, th))[0] for _ in range(repeats - 1)]

    rng = np.random.default_rng(seed + 2)
    sources = pd.unique(obs["source_id"])
    pick = obs[obs["source_id"].isin(rng.choice(sources, size=min(sample, len(sources)), replace=False))]
    naive_s, naive = _timed(lambda: plain(pick, links, regions, th))
    check = agree(engine(pick, links, regions, th), naive)
    engine_s = statistics.median(times)
    return {
        "n_observations": int(len(obs)), "n_plans": int(len(sources)), "n_regions": n_regions,
        "n_indicators": n_indicators, "n_years": n_years, "seed": seed,
        "engine_s": round(engine_s, 3), "engine_runs_s": [round(t, 3) for t in times],
        "engine_note": "the whole judging stage on the whole panel, wall clock; the median of the runs, the first "
                       "in the fresh process",
        "peak_mib": round(peak, 1),
        "peak_note": "peak resident set of the whole process after the first run: Python, its libraries, the panel, "
                     "the engine's outputs and working memory",
        "naive_sample_plans": int(pick["source_id"].nunique()), "naive_sample_s": round(naive_s, 2),
        "naive_s": round(naive_s * len(sources) / pick["source_id"].nunique(), 1),
        "naive_note": "the plain per-plan code on the sample, scaled to the panel by the number of plans",
        "speedup": round(naive_s * len(sources) / pick["source_id"].nunique() / engine_s, 1),
        "outputs": sizes, "flags_by_rule": by_rule, "agreement": check, "goals": GOALS,
        "goals_met": {"engine_s": engine_s <= GOALS["engine_s"], "peak_mib": peak <= GOALS["peak_mib"]},
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
                    "cpus": os.cpu_count(), "load": round(os.getloadavg()[0], 2), "platform": platform.platform(),
                    "numpy_madvise_hugepage": os.environ.get("NUMPY_MADVISE_HUGEPAGE", "unset (on)"),
                    "transparent_hugepage_defrag": _read("/sys/kernel/mm/transparent_hugepage/defrag")},
    }


def table(r: dict) -> str:
    a, lines = r["agreement"], []
    if "wait" in r:
        w = r["wait"]
        lines += [f"what a researcher waits for ({w['n_plans']} documents, {w['n_reports']} reports; load "
                  f"{w['load_before']:.1f} before):",
                  f"  make data                      {w['make_data_s']:8.2f} s",
                  f"  make -j2 reports, cold         {w['cold_j2_s']:8.2f} s   (CPU {w['cold_j2_cpu_s']:.1f} s)",
                  f"  per plan (data + its reports)  {w['per_plan_s']:8.2f} s", ""]
    lines += [
        f"scale check: {r['n_observations']:,} synthetic observations ({r['n_plans']:,} plans × {r['n_indicators']} "
        f"indicators × {r['n_years']} years, seed {r['seed']})",
        f"  engine, whole panel            {r['engine_s']:8.2f} s   (goal ≤ {GOALS['engine_s']:g}; runs "
        f"{', '.join(f'{t:.2f}' for t in r['engine_runs_s'])})",
        f"  peak memory of the process     {r['peak_mib']:8.1f} MiB (goal ≤ {GOALS['peak_mib']:g})",
        f"  plain per-plan code, scaled    {r['naive_s']:8.1f} s   ({r['naive_sample_s']:.1f} s on "
        f"{r['naive_sample_plans']} plans; the engine is {r['speedup']:.0f}× faster)",
        f"  on the sample the engine gives {'the same' if a['judgement_equal'] else 'OTHER'} judgements "
        f"({a['segments_compared']:,} segments) and {'the same' if a['flags_equal'] else 'OTHER'} flags "
        f"({a['flags_compared']:,})",
        "goals met: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in r["goals_met"].items()),
        f"(load average {r['machine']['load']} on {r['machine']['cpus']} cores: above 2 the times are inflated; "
        f"NUMPY_MADVISE_HUGEPAGE {r['machine']['numpy_madvise_hugepage']}, see the Makefile)"]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--no-wait", action="store_true", help="skip timing make data and a cold make -j2 reports")
    p.add_argument("--regions", type=int, default=2850)
    p.add_argument("--indicators", type=int, default=40)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--sample", type=int, default=4, help="plans run through the plain per-plan code (then scaled)")
    p.add_argument("--seed", type=int, default=20150925)
    p.add_argument("--repeats", type=int, default=3, help="engine runs on the whole panel (the median is reported)")
    p.add_argument("--out", default=str(paths.REPORTS / "bench.json"))
    args = p.parse_args(argv)
    r = run(args.regions, args.indicators, args.years, args.sample, args.seed, max(1, args.repeats))
    if not args.no_wait:
        r = {"wait": researcher_wait(), **r}
    print(table(r))
    write_text_atomic(args.out, json.dumps(r, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {os.path.relpath(args.out, paths.ROOT)}")
    return 0 if all(r["agreement"][k] for k in ("judgement_equal", "flags_equal")) else 1


if __name__ == "__main__":
    sys.exit(main())
