"""`python -m analysis.reports` (what `make reports` runs): the report runs listed in reports.yml.

Each run (analysis/reports/runner.py): validate the parameters (names against the notebook's `parameters` cell,
values against `NOTEBOOK_PARAMETERS`), execute the notebook with papermill in the project's kernel (working directory
notebooks/, a per-cell timeout), convert it to HTML without code cells, and only then replace the
report's files. A failing notebook leaves the last good HTML untouched and keeps the executed notebook
with the error as reports/<name>.failed.ipynb.

    python -m analysis.reports check              validate every run of reports.yml (no execution)
    python -m analysis.reports run NAME...        execute these runs (one progress line each)
    python -m analysis.reports index              write reports/index.html
    python -m analysis.reports makefile FILE      the make rules of every run (included by the Makefile)

Files per report NAME in reports/: NAME.html (what reviewers read), NAME.ipynb (the executed notebook),
NAME.run.json (how the last good run was made: parameters, time, commit, data version, flag counts) and,
after a failure, NAME.failed.ipynb and NAME.failed.json.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core import lock, paths
from ..core.errors import InputError, describe_os_error, run_cli
from .config import CONFIG, files, find, load_config, relative
from .index import run_problems, write_index
from .makerules import write_makefile
from .runner import ReportError, record_failure, run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.reports", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=CONFIG, help="the list of runs (default: reports.yml)")
    parser.add_argument("--out", type=Path, default=paths.REPORTS, help="where reports go (default: reports/)")
    parser.add_argument("--notebooks", type=Path, default=paths.NOTEBOOKS,
                        help="the folder every run's notebook must be in (default: notebooks/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate every run (no execution); lists every problem")
    p_run = sub.add_parser("run", help="execute runs by name (all when none is given)")
    p_run.add_argument("names", nargs="*")
    sub.add_parser("index", help="write the index page")
    p_mk = sub.add_parser("makefile", help="write the make rules of every run")
    p_mk.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    status = run_cli("python -m analysis.reports", _command, args)
    return 2 if status == 1 and args.command == "check" else status


def _command(args) -> int:
    if args.command == "check":
        reports, problems = run_problems(args.config, args.notebooks)
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        if problems:
            print(f"{relative(args.config)}: {len(problems)} problem(s); {len(reports)} valid report(s)", file=sys.stderr)
            return 2
        print(f"{relative(args.config)}: {len(reports)} report(s), parameters valid")
        return 0
    with lock.hold(f"python -m analysis.reports {args.command}"):
        if args.command == "makefile":
            reports, problems = run_problems(args.config, args.notebooks)
            for problem in problems:
                print(f"error: {problem}", file=sys.stderr)
            write_makefile(reports, args.target, problems=problems)
            return 0
        if args.command == "index":
            reports, problems = run_problems(args.config, args.notebooks)
            path = write_index(reports, args.out, problems)
            print(f"make reports: index of {len(reports)} report(s) → {relative(path)}"
                  + (f"; {len(problems)} problem(s) shown at its top" if problems else ""))
            return 0
        reports = load_config(args.config, args.notebooks)
        failed = 0
        for r in (find(reports, args.names, args.config) if args.names else reports):
            try:
                meta = run(r, args.out)
            except (ReportError, InputError, OSError) as exc:
                message = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
                if not isinstance(exc, ReportError):        # a ReportError has recorded itself
                    record_failure(r, args.out, f"report {r.name!r}: {message}")
                print(f"error: {message}", file=sys.stderr)
                failed += 1
                continue
            counts = meta["flag_counts"]
            flags = (" · flags " + ", ".join(f"{k} {v}" for k, v in counts.items())) if counts else ""
            print(f"report {r.name}: done in {meta['duration_s']:.1f} s → {relative(files(r.name, args.out)['html'])}{flags}",
                  flush=True)
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
