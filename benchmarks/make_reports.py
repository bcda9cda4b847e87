"""How long a researcher waits: `make data` and `make reports` on the real corpus (what `make bench-reports` runs;
writes reports/bench-reports.json). The 1.1 M-row engine run (benchmarks/engine.py) is a scale check beside it.

    data_s                  `make data` from the raw documents (best of 3): what a new or edited plan costs before
                            its reports; a plan that changes the data then rebuilds every report that reads it (at
                            most a cold build, cold_j2_s)
    data_per_plan_s         data_s divided by the plans of the corpus (sources.yml)
    cold_j1_s / cold_j2_s   every report of reports.yml built from nothing (data step included), with
                            `make -j1` and `make -j2` (this machine has 2 cores)
    noop_s                  a rerun with nothing changed (best of 5; the issue asks for <= 1 s)
    notebook_touched_s      after touching notebooks/02_growth_trajectories.ipynb: only its runs rebuild
    noop_after_touch_s      and a rerun after that does nothing again
    *_cpu_s                 CPU seconds (user + system) of every process of that run: unlike wall time, hardly
                            changed by other programs on the machine; cold_j2_cpu_s / 2 is what 2 idle cores need
    load_before_*           the 1-minute load average just before that run (2 or more: the machine was busy)

The reports of reports.yml are deleted first (reports/<name>.*, index.html, reports/.build) with the font cuts kept
for pages (html_page.FONT_CACHE_DIR/pages), nothing else. The environment (.venv) stays: a cold build is one of the
reports, not of the environment.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time

from analysis.core import paths
from analysis.inputs.registry import load_sources
from analysis.present import html_page
from analysis.reports import config

ROOT = paths.ROOT


def clear(runs) -> None:
    for r in runs:
        for f in config.files(r.name).values():
            f.unlink(missing_ok=True)
    (paths.REPORTS / "index.html").unlink(missing_ok=True)
    shutil.rmtree(config.BUILD, ignore_errors=True)
    shutil.rmtree(html_page.FONT_CACHE_DIR / "pages", ignore_errors=True)      # the pages' kept font cuts too


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make(*args: str) -> tuple[float, str, float]:
    """(wall seconds, stdout, CPU seconds of make and everything it ran) of `make ARGS reports`."""
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(["make", "--no-print-directory", *args, "reports"], cwd=ROOT, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode:
        sys.exit(f"make {' '.join(args)} reports failed:\n{proc.stdout}\n{proc.stderr}")
    if "jobserver unavailable" in proc.stderr:
        sys.exit(f"make {' '.join(args)} reports ran its sub-make without the jobserver (one job at a time):\n{proc.stderr}")
    return elapsed, proc.stdout, cpu


def noop() -> float:
    """Best of 5 reruns with nothing changed."""
    return min(make()[0] for _ in range(5))


def cold(runs, jobs: str, out: dict) -> None:
    """A cold `make -jN reports` into `out` (cold_jN_s, its CPU seconds, its progress lines, the load before it);
    it must run every report."""
    clear(runs)
    key = f"cold_{jobs.lstrip('-')}"
    out[f"load_before_{key}"] = os.getloadavg()[0]
    out[f"{key}_s"], log, out[f"{key}_cpu_s"] = make(jobs)
    out[f"{key}_progress"] = [ln for ln in log.splitlines() if ln.startswith("report ")]
    if len(out[f"{key}_progress"]) != len(runs):
        sys.exit(f"a cold make reports ran {len(out[f'{key}_progress'])} of {len(runs)} reports:\n{log}")


def data() -> float:
    """Best of 3 runs of `make data` (every stage from the raw documents; the published set is unchanged)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        proc = subprocess.run(["make", "--no-print-directory", "data"], cwd=ROOT, capture_output=True, text=True)
        if proc.returncode:
            sys.exit(f"make data failed:\n{proc.stdout}\n{proc.stderr}")
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    runs = config.load_config()
    out = {"n_reports": len(runs), "cpus": os.cpu_count(), "python": platform.python_version(),
           "n_plans": len(load_sources())}
    out["load_before_data"] = os.getloadavg()[0]
    out["data_s"] = data()
    out["data_per_plan_s"] = out["data_s"] / out["n_plans"]
    cold(runs, "-j1", out)
    out["noop_s"] = noop()
    (ROOT / "notebooks" / "02_growth_trajectories.ipynb").touch()
    out["notebook_touched_s"], log, _ = make("-j2")
    out["notebook_touched_rebuilt"] = sum(ln.startswith("report ") for ln in log.splitlines())
    expected = sum(r.notebook.name == "02_growth_trajectories.ipynb" for r in runs)
    if out["notebook_touched_rebuilt"] != expected:      # the incremental build is what is measured: it must be right
        sys.exit(f"after touching notebook 02, make rebuilt {out['notebook_touched_rebuilt']} report(s), not its {expected}")
    out["noop_after_touch_s"] = noop()
    cold(runs, "-j2", out)
    out["noop_after_j2_s"] = noop()
    for k, v in out.items():
        if isinstance(v, float):
            out[k] = round(v, 3)
    target = paths.REPORTS / "bench-reports.json"
    target.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in out.items() if not isinstance(v, list)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
