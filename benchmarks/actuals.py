"""How long `analysis.inputs.actuals.load` takes to check a large actuals file, and how much memory it needs
(part of `make bench`; writes reports/bench-actuals.json).

A synthetic file of N_ROWS valid lines (regions, indicators and units of the project's own tables; values,
years and sources varying from line to line; a free-text note column) is written to a temporary folder and
checked in a fresh process, which reports:

    load_s              wall time of `actuals.load(file)` (median of REPEAT runs in that process; first run too)
    load_cpu_s          the process's CPU time for the same runs (median): what a busy machine inflates least
    peak_rss_growth_mb  growth of the process's peak resident set during the first load (after imports)
    file_mb             size of the file
    memory_ratio        peak_rss_growth_mb / file_mb (issue 13: ≤ 3)

Goal (issue 13): 1 M rows in ≤ 5 s and ≤ 3× the file size in memory.
    .venv/bin/python benchmarks/actuals.py [--rows N]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_ROWS = 1_000_000
REPEAT = 3
GOAL_S, GOAL_RATIO = 5.0, 3.0


def write_file(path: Path, n: int) -> None:
    """n valid lines cycling through every (region, indicator, year) of the project's tables (8 regions × the
    level and count indicators × 1949–2023; a count is a whole number); a key seen again repeats its value (an
    agreeing duplicate, which load drops), the note differs on every line."""
    from analysis.inputs.reference import load_regions
    from analysis.inputs.vocab import load_indicators

    vocab = load_indicators()
    vocab = vocab[vocab["measure"].isin(["level", "count_stock", "count_flow"])]
    keys = [(r, i, u, m, y) for r in load_regions()["region"]
            for i, u, m in zip(vocab["indicator_id"], vocab["unit"], vocab["measure"]) for y in range(1949, 2024)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("region,indicator,unit,year,value,source,note\n")
        for k in range(n):
            region, ind, unit, measure, year = keys[k % len(keys)]
            value = (k % len(keys)) * 7919 % 100000 / 100
            value = round(value) if measure.startswith("count") else value     # a count is a whole number
            fh.write(f"{region},{ind},{unit},{year},{value},http://stats.example.org/{year}/{k % 997}.html,"
                     f"line {k} of a synthetic benchmark file\n")


def measure(path: str) -> dict:
    """Run in a fresh process: time and peak memory of loading `path`."""
    import resource

    from analysis.inputs import actuals
    from analysis.inputs.reference import load_regions
    from analysis.inputs.vocab import load_indicators

    vocab, regions = load_indicators(), load_regions()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    df = actuals.load(path, vocab=vocab, regions=regions)
    first = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = len(df)
    del df
    times, cpu_times = [], []
    for _ in range(REPEAT):
        t0, c0 = time.perf_counter(), time.process_time()
        actuals.load(path, vocab=vocab, regions=regions)
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
    return {"rows": rows, "first_load_s": first, "load_s": sorted(times)[REPEAT // 2],
            "load_cpu_s": sorted(cpu_times)[REPEAT // 2], "peak_rss_growth_mb": (peak - before) / 1024}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=N_ROWS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "actuals.csv"
        write_file(path, args.rows)
        size_mb = path.stat().st_size / 2**20
        proc = subprocess.run([sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True, cwd=ROOT)
        if proc.returncode:
            sys.exit(f"benchmarks/actuals.py: the measuring process failed:\n{proc.stderr}")
        m = json.loads(proc.stdout)
    out = {"rows": m["rows"], "file_mb": round(size_mb, 1), "load_s": round(m["load_s"], 2), "load_cpu_s": round(m["load_cpu_s"], 2),
           "first_load_s": round(m["first_load_s"], 2), "peak_rss_growth_mb": round(m["peak_rss_growth_mb"], 1),
           "memory_ratio": round(m["peak_rss_growth_mb"] / size_mb, 2), "goal": f"≤ {GOAL_S} s, ≤ {GOAL_RATIO}× file size",
           "cpus": os.cpu_count(), "python": platform.python_version()}
    out["meets_goal"] = out["load_s"] <= GOAL_S and out["memory_ratio"] <= GOAL_RATIO
    target = ROOT / "reports" / "bench-actuals.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
