"""`python -m analysis.build` (what `make data` runs): raw documents → data/processed/.

Order: take the project's lock (analysis.core.lock), finish an interrupted earlier update and delete leftover
temporary files, check every reference table against its schema (analysis.inputs.reference_checks.check_all), verify
every document's hash (a changed document stops everything before anything is
written), extract with the specs, validate the invariants, compute every frame, then publish the changed
CSVs as one set (analysis.core.fileio.publish_set: all or nothing, even across kill -9 or a full disk).
Any failure is one message naming the file and what was expected, and exit status 1 (74 for a file that
cannot be written, 75 when another run holds the lock longer than LOCK_WAIT).
"""
from __future__ import annotations

import argparse
import sys
import time

from ..core import lock, paths
from ..core.errors import ValidationError, run_cli
from ..core.fileio import frame_to_csv_text, publish_set, repair
from ..derive import backtest, plausibility, progress
from ..derive.rules import parameters_read
from ..ingest.extract import extract_all, relative_frame
from ..ingest.validate import validate_observations
from ..inputs import actuals
from ..inputs.reference_checks import check_all
from ..inputs.registry import load_verified
from ..inputs.vocab import load_indicators
from . import documents


def build_observations(strict: bool = False):
    """Verified, validated observations frame (nothing is written here)."""
    sources = load_verified()
    vocab = load_indicators()
    df, unaccounted = extract_all(sources, vocab)
    validate_observations(df, sources, vocab)
    for u in unaccounted:
        print(f"warning: {u}", file=sys.stderr)
    for note in df.attrs.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    if strict and unaccounted:
        raise ValidationError(f"{len(unaccounted)} number(s) in the documents are neither observations nor ignored (see above)")
    return df, unaccounted


def derived_frames(obs) -> dict:
    """Every processed frame computed from the observations, by output path.

    Each later stage (growth, trajectories, flags, progress) adds its frames here: one line each."""
    frames = {paths.OBSERVATIONS: obs, paths.RELATIVE_TARGETS: relative_frame(obs.attrs.get("relatives", []))}
    frames.update(plausibility.frames(obs))      # issue 4: segments, trajectories, flags
    frames[paths.PROGRESS] = progress.compute(obs, actuals.combined(obs), frames[plausibility.TRAJECTORIES])  # issue 6
    frames[backtest.BACKTEST] = backtest.compute(frames[paths.PROGRESS], frames[plausibility.FLAGS],
                                                  frames[plausibility.SEGMENTS])  # issue 10
    return frames


def publish(frames: dict) -> list:
    """Write every frame's CSV text first, then replace the changed files of data/processed/ as one set."""
    texts = {path: frame_to_csv_text(frame) for path, frame in frames.items()}
    return publish_set(texts, paths.PROCESSED)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--strict", action="store_true", help="fail when a number in a document is unaccounted for")
    args = parser.parse_args(argv)
    return run_cli("make data", _build, args.strict)


def _build(strict: bool) -> int:
    t0 = time.perf_counter()
    with lock.hold("make data"):
        for done in repair(paths.PROCESSED):
            print(f"make data: {done}", file=sys.stderr)
        check_all(load_indicators(), parameters_read())   # every reference table, before anything is computed
        obs, _ = build_observations(strict=strict)
        outputs = derived_frames(obs)     # everything is computed before anything is written
        changed = publish(outputs)
        changed += documents.write()      # the lists of documents in README.md and docs/design.md follow the registry
    counts = obs.groupby("source_id").size()
    print(f"make data: {len(obs)} observations ({', '.join(f'{k} {v}' for k, v in counts.items())}) "
          f"→ {paths.OBSERVATIONS.relative_to(paths.ROOT)} in {time.perf_counter() - t0:.2f} s"
          + (f"; changed: {', '.join(p.name for p in changed)}" if changed else "; nothing changed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
