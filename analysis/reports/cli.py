"""`python -m analysis.reports` (what `make reports` runs): the report runs listed in reports.yml.

Each run (analysis/reports/runner.py): validate the parameters (names against the notebook's `parameters` cell,
values against `NOTEBOOK_PARAMETERS`), execute the notebook with papermill in the project's kernel (working directory
notebooks/, a per-cell timeout), convert it to HTML without code cells, and only then replace the
report's files. A failing notebook leaves the last good HTML untouched and keeps the executed notebook
with the error as reports/<name>.failed.ipynb.

    python -m analysis.reports check              validate every run of reports.yml (no execution)
    python -m analysis.reports run NAME...        execute these runs (one progress line each; all when none is given)
    python -m analysis.reports run --queued       execute the runs make queued (reports/.build/NAME.queued)
                                                  --jobs N: N at once (default: make's -j, else 1)
                                                  --index: then write reports/index.html (also after a failure)
    python -m analysis.reports index              write reports/index.html
    python -m analysis.reports makefile FILE      the make rules of every run (included by the Makefile)
    python -m analysis.reports narrative          rewrite the notebooks' Markdown prose (lang-zh / lang-en cells) from
                                                  analysis/present/prose.py NARRATIVE
    python -m analysis.reports render OUT.ipynb   any executed notebook (papermill, JupyterLab) as a project page:
                                                  OUT.html beside it (--html PATH to choose), the same page as
                                                  `make reports` writes (embedded font, nothing loaded from outside)

Files per report NAME in reports/: NAME.html (what reviewers read), NAME.ipynb (the executed notebook),
NAME.run.json (how the last good run was made: parameters, time, commit, data version, flag counts) and,
after a failure, NAME.failed.ipynb and NAME.failed.json.
"""
from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..core import lock, paths
from ..core.errors import InputError, clip_quoted, describe_os_error, run_cli
from ..core.fileio import check_published
from . import kernel, narrative
from .batch import jobs_from_make, run_many, take_queue
from .config import CONFIG, files, find, load_config, read_config, relative
from .index import run_problems, write_index
from .makerules import write_makefile
from .runner import ReportError, record_failure, render


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
    p_run.add_argument("--queued", action="store_true", help="the runs make queued (reports/.build/NAME.queued)")
    p_run.add_argument("--jobs", type=int, default=None, help="runs at once (default: make's -j, else 1)")
    p_run.add_argument("--index", action="store_true", help="then write the index page (also after a failed run)")
    sub.add_parser("index", help="write the index page")
    p_mk = sub.add_parser("makefile", help="write the make rules of every run")
    p_mk.add_argument("target", type=Path)
    sub.add_parser("narrative", help="rewrite the notebooks' prose cells from prose.NARRATIVE")
    p_render = sub.add_parser("render", help="an executed notebook as a project page (HTML beside it)")
    p_render.add_argument("executed", type=Path, help="the executed notebook (.ipynb)")
    p_render.add_argument("--html", type=Path, default=None, help="the page to write (default: beside the notebook)")
    args = parser.parse_args(argv)
    status = run_cli("python -m analysis.reports", _command, args)
    return 2 if status == 1 and args.command == "check" else status


def _command(args) -> int:
    if args.command == "check":
        reports, problems = run_problems(args.config, args.notebooks)
        for problem in problems:
            print(f"error: {clip_quoted(problem)}", file=sys.stderr)
        if problems:
            print(f"{relative(args.config)}: {len(problems)} problem(s); {len(reports)} valid report(s)", file=sys.stderr)
            return 2
        print(f"{relative(args.config)}: {len(reports)} report(s), parameters valid")
        return 0
    if args.command == "narrative":
        changed = narrative.sync()
        for name, blocks in changed.items():
            print(f"notebooks/{name}: {', '.join(blocks)}")
        print(f"{len(changed)} notebook(s) rewritten" if changed else "the notebooks' prose agrees with prose.NARRATIVE")
        return 0
    if args.command == "render":          # writes one page where the user says: no lock on reports/
        print(f"page → {render(args.executed, args.html)}")
        return 0
    with lock.hold(f"python -m analysis.reports {args.command}"):
        if args.command == "makefile":
            reports, problems = run_problems(args.config, args.notebooks)
            for problem in problems:
                print(f"error: {problem}", file=sys.stderr)
            write_makefile(reports, args.target, problems=problems)
            return 0
        if args.command == "index":
            _index(args)
            return 0
        check_published(paths.PROCESSED)     # the reports use only the set `make data` published, as it wrote it
        if args.queued:         # the valid runs (make's rule `reports-invalid` reports the invalid entries)
            chosen = find(read_config(args.config, args.notebooks)[0], take_queue(), args.config)
        else:
            reports = load_config(args.config, args.notebooks)
            chosen = find(reports, args.names, args.config) if args.names else reports
        jobs = args.jobs if args.jobs is not None else jobs_from_make()
        if jobs < 1:
            raise InputError(f"--jobs {jobs}: expected a whole number of at least 1")
        # the kernel first: it imports jupyter_client, which the index's thread imports too, and two threads
        # importing one package at once can see it half initialised (an ImportError)
        spec = kernel.ensure()
        # what the index needs besides the runs' records (the valid runs, the problems) is read meanwhile
        pending_index = ThreadPoolExecutor(1).submit(run_problems, args.config, args.notebooks) if args.index else None
        failed = 0
        for r, outcome in run_many(chosen, args.out, jobs, spec):
            if isinstance(outcome, Exception):
                if not isinstance(outcome, (ReportError, InputError, OSError)):
                    raise outcome
                message = describe_os_error(outcome) if isinstance(outcome, OSError) else str(outcome)
                if not isinstance(outcome, ReportError):        # a ReportError has recorded itself
                    record_failure(r, args.out, f"report {r.name!r}: {message}")
                print(f"error: {message}", file=sys.stderr, flush=True)
                failed += 1
                continue
            counts = outcome["flag_counts"]
            flags = (" · flags " + ", ".join(f"{k} {v}" for k, v in counts.items())) if counts else ""
            print(f"report {r.name}: done in {outcome['duration_s']:.1f} s → {relative(files(r.name, args.out)['html'])}{flags}",
                  flush=True)
        if pending_index:
            _index(args, *pending_index.result())
        return 1 if failed else 0


def _index(args, reports=None, problems=None) -> None:
    if reports is None:
        reports, problems = run_problems(args.config, args.notebooks)
    path = write_index(reports, args.out, problems)
    print(f"make reports: index of {len(reports)} report(s) → {relative(path)}"
          + (f"; {len(problems)} problem(s) shown at its top" if problems else ""))


if __name__ == "__main__":
    sys.exit(main())
