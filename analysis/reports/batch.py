"""Several report runs by one command (what `make reports` does with the runs it found out of date).

`jobs` workers take the runs one at a time, the longest first (by the last good run's duration; runs never made
come first). Each worker keeps one kernel for all its runs (kernel.KeptKernel: reset before each notebook, replaced
after a failure) and imports papermill and nbconvert once, so a kernel's start and the imports are paid once per
worker rather than once per report. One job runs in the command's own process; with more, each worker is a process
of its own (converting a page to HTML and cutting its font is work on this side, which threads would do one at a
time under Python's interpreter lock).

The make rules of each run (makerules.py) only queue it (reports/.build/NAME.queued); `python -m analysis.reports run
--queued` then runs the queue, with as many workers as make's -j (`jobs_from_make`).
"""
from __future__ import annotations

import json
import os
import queue
import re
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import InputError
from .config import BUILD, Report, files
from .kernel import KeptKernel
from .runner import ReportError, run

QUEUED = ".queued"                      # reports/.build/NAME.queued: a run make found out of date


def jobs_from_make(environ=os.environ) -> int:
    """How many runs at once: make's -jN (N), -j without a number (one per CPU), else 1."""
    match = re.search(r"(?:^|\s)-j(\d*)(?=\s|$)", environ.get("MAKEFLAGS", ""))
    if not match:
        return 1
    return int(match.group(1)) if match.group(1) else (os.cpu_count() or 1)


def take_queue(build: Path = BUILD) -> list[str]:
    """The names of the queued runs (sorted), their queue files removed: a run that fails or is interrupted left its
    page older than its inputs, so the next `make reports` queues it again."""
    names = []
    for path in sorted(Path(build).glob(f"*{QUEUED}")):
        names.append(path.name[: -len(QUEUED)])
        path.unlink(missing_ok=True)
    return names


def longest_first(reports: list[Report], out_dir: Path) -> list[Report]:
    """The runs by their last good run's duration (NAME.run.json), longest first; runs never made come first (their
    length is unknown), in their order."""
    def last_duration(r: Report) -> float:
        try:
            return float(json.loads(files(r.name, out_dir)["meta"].read_text(encoding="utf-8"))["duration_s"])
        except (OSError, ValueError, KeyError, TypeError):
            return float("inf")
    return sorted(reports, key=last_duration, reverse=True)


def _runs(reports, out_dir: Path, kernel_name: str) -> Iterator[tuple[Report, dict | Exception]]:
    """Run `reports` in turn in one kept kernel; yields (run, its metadata or the exception it raised)."""

    kept = KeptKernel(kernel_name)
    try:
        for r in reports:
            try:
                yield r, run(r, out_dir, kernel_name, kept)
            except Exception as exc:  # noqa: BLE001 - handed to the caller, which reports it
                yield r, exc
    finally:
        kept.shutdown()


def _worker(index: int, todo, done, out_dir: Path, kernel_name: str) -> None:
    """Worker process `index`: takes runs from `todo` until None; tells `done` how each ended and when it stops
    (messages: (index, "end", name, outcome) and (index, "exit", None, why it stopped early or None))."""
    def taken():
        while (r := todo.get()) is not None:
            yield r
    why = None
    try:
        for r, outcome in _runs(taken(), out_dir, kernel_name):
            if isinstance(outcome, Exception) and not isinstance(outcome, (ReportError, InputError, OSError)):
                outcome = RuntimeError(f"{type(outcome).__name__}: {outcome}")      # sent by name: it may not pickle
            done.put((index, "end", r.name, outcome))
    except BaseException as exc:  # noqa: BLE001 - said to the parent, which fails the runs left undone
        why = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        done.put((index, "exit", None, why))


def run_many(reports: list[Report], out_dir: Path, jobs: int, kernel_name: str) -> Iterator[tuple[Report, dict | Exception]]:
    """Run `reports`, `jobs` at a time; yields (run, its metadata or the exception it raised) as each finishes.
    One job runs in this process; more run in worker processes (spawned: each imports what it needs, no state is
    shared; threads would queue for one interpreter lock to convert pages). A worker that dies (killed, out of
    memory, a bug) fails the run it had started; the other workers take the remaining runs, and any run left
    undone is a failure that names why."""
    ordered = longest_first(reports, out_dir)
    jobs = max(1, min(jobs, len(ordered)))
    if jobs == 1:
        yield from _runs(ordered, out_dir, kernel_name)
        return
    import multiprocessing  # only when several workers run

    ctx = multiprocessing.get_context("spawn")
    todo, done = ctx.Queue(), ctx.Queue()
    for r in ordered:
        todo.put(r)
    for _ in range(jobs):
        todo.put(None)
    by_name = {r.name: r for r in ordered}
    workers = [ctx.Process(target=_worker, args=(i, todo, done, out_dir, kernel_name), name=f"report-worker-{i}")
               for i in range(jobs)]
    for w in workers:
        w.start()
    finished: set[str] = set()
    stopped: list[str] = []                    # why workers stopped early
    live = set(range(jobs))
    try:
        while live:
            try:
                index, kind, name, outcome = done.get(timeout=1.0)
            except queue.Empty:
                for i in [i for i in sorted(live) if workers[i].exitcode is not None]:     # died without a word
                    live.discard(i)
                    stopped.append(f"worker {i} stopped (exit code {workers[i].exitcode})")
                continue
            if kind == "end":
                finished.add(name)
                yield by_name[name], outcome
            else:
                live.discard(index)
                if outcome:
                    stopped.append(f"worker {index} stopped: {outcome}")
        why = "; ".join(stopped) or "no worker was left to run it"
        for r in ordered:                        # a run that a stopped worker had started, or that none took
            if r.name not in finished:
                yield r, ReportError(f"report {r.name!r}: not finished ({why}); its last good page is kept")
    finally:
        for w in workers:
            w.join(timeout=10)
            if w.exitcode is None:
                w.terminate()
