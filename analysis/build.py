"""`python -m analysis.build` (what `make data` runs): raw documents → data/processed/.

Order: verify every document's hash (a changed document stops everything before anything is written),
extract with the specs, validate the invariants, then write each processed frame atomically.
"""
from __future__ import annotations

import argparse
import sys
import time

from . import actuals, analytics, backtest, paths, progress
from .errors import InputError, ValidationError
from .ingest import extract_all
from .io import write_csv_atomic
from .registry import load_verified
from .validate import validate_observations
from .vocab import load_indicators


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
    frames = {paths.OBSERVATIONS: obs}
    frames.update(analytics.frames(obs))      # issue 4: segments, trajectories, flags
    frames[paths.PROGRESS] = progress.compute(obs, actuals.combined(obs), frames[analytics.TRAJECTORIES])  # issue 6
    frames[backtest.BACKTEST] = backtest.compute(frames[paths.PROGRESS], frames[analytics.FLAGS])  # issue 10
    return frames


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--strict", action="store_true", help="fail when a number in a document is unaccounted for")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        obs, _ = build_observations(strict=args.strict)
        outputs = derived_frames(obs)     # everything is computed before anything is written
        for path, frame in outputs.items():
            write_csv_atomic(frame, path)
    except (InputError, ValidationError) as exc:
        print(f"make data: error: {exc}", file=sys.stderr)
        return 1
    counts = obs.groupby("source_id").size()
    print(f"make data: {len(obs)} observations ({', '.join(f'{k} {v}' for k, v in counts.items())}) "
          f"→ {paths.OBSERVATIONS.relative_to(paths.ROOT)} in {time.perf_counter() - t0:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
