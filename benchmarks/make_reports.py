"""How long `make reports` takes (what `make bench-reports` runs; writes reports/bench-reports.json).

    cold_j1_s / cold_j2_s   every report of reports.yml built from nothing (data step included), with
                            `make -j1` and `make -j2` (this machine has 2 cores)
    noop_s                  a rerun with nothing changed (best of 5; the issue asks for <= 1 s)
    notebook_touched_s      after touching notebooks/02_growth_trajectories.ipynb: only its runs rebuild
    noop_after_touch_s      and a rerun after that does nothing again

The reports of reports.yml are deleted first (reports/<name>.*, index.html, reports/.build), nothing else.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time

from analysis.core import paths
from analysis.reports import runner

ROOT = paths.ROOT


def clear(runs) -> None:
    for r in runs:
        for f in runner.files(r.name).values():
            f.unlink(missing_ok=True)
    (paths.REPORTS / "index.html").unlink(missing_ok=True)
    shutil.rmtree(runner.BUILD, ignore_errors=True)


def make(*args: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(["make", "--no-print-directory", *args, "reports"], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"make {' '.join(args)} reports failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc.stdout


def main() -> int:
    runs = runner.load_config()
    out = {"n_reports": len(runs), "cpus": os.cpu_count(), "python": platform.python_version()}
    clear(runs)
    out["cold_j1_s"], log = make("-j1")
    out["cold_j1_progress"] = [ln for ln in log.splitlines() if ln.startswith("report ")]
    out["noop_s"] = min(make()[0] for _ in range(5))
    (ROOT / "notebooks" / "02_growth_trajectories.ipynb").touch()
    out["notebook_touched_s"], log = make("-j2")
    out["notebook_touched_rebuilt"] = sum(ln.startswith("report ") for ln in log.splitlines())
    out["noop_after_touch_s"] = min(make()[0] for _ in range(5))
    clear(runs)
    out["cold_j2_s"], _ = make("-j2")
    out["noop_after_j2_s"] = min(make()[0] for _ in range(5))
    for k, v in out.items():
        if isinstance(v, float):
            out[k] = round(v, 3)
    target = paths.REPORTS / "bench-reports.json"
    target.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in out.items() if not isinstance(v, list)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
