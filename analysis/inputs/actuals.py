"""Actual outcomes: files of published or researcher-supplied actuals, and the actuals stated in the documents.

File format (documented in data/raw/actuals/README.md): UTF-8 CSV (a byte-order mark is accepted) with a
header line and the columns

    region, indicator, unit, year, value, source          (required, any order)
    bound                                                 (optional: eq, ge, gt, approx; empty = eq)
    anything else (quote, note, source_title...)          (kept as provenance text)

`load(path)` validates a file and returns one row per (region, indicator, year); anything wrong raises
`InputError` whose message names the file, the line and column, and what was expected; every problem
of the file is listed, not only the first (the file read as CSV: actuals_csv.py; the checks of each row:
actuals_rows.py). `combined(obs, extra)` puts the published actuals
(the files of `paths.PUBLISHED_ACTUAL_FILES` in data/raw/actuals/), the actuals the documents state themselves (baselines,
kind == "actual" in observations.csv) and a researcher's file into one frame, with an `origin` column.
"""
from __future__ import annotations

import argparse
import datetime
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import paths
from ..core.errors import InputError, run_cli
from .actuals_csv import MAX_LISTED, Problems, ReadTwiceDiffers, Reread, check_header, scan_file, stripped
from .actuals_rows import READ_AS, RowChecker, check_duplicates, first_of_key, merged_sources
from .reference import load_regions
from .vocab import load_indicators

ORIGINS = ("researcher", "published", "document")   # priority when several give a value for the same year
COLUMNS = ["origin", "region", "indicator_id", "unit", "year", "value", "bound", "source", "citation", "quote", "note",
           "source_id", "file", "line"]
CHUNK_ROWS = 200_000       # rows checked at a time (memory stays near the size of the result)
READ_TWICE_DIFFERS = ("{path}: could not be read as CSV consistently (records read twice differ); expected plain "
                      "CSV (lines ending in a line feed, double quotes around values holding commas, quotes or line breaks)")


def load(path, *, vocab: pd.DataFrame | None = None, regions: pd.DataFrame | None = None,
         this_year: int | None = None) -> pd.DataFrame:
    """Validate a file of actuals and return it as a frame (see the module docstring for the format).

    Columns: region (Chinese name), indicator_id, unit, year (int), value (float), bound, source,
    line (of the file), every extra column of the file as text, and file.

    Checked column by column, a piece of CHUNK_ROWS rows at a time (benchmarks/actuals.py: a million lines in
    a few seconds): `scan_file` reads the bytes once (encoding, quotes, the fields and byte range of each record);
    pandas reads the columns of few values as categories (`Distinct`: each check once per distinct value),
    value and year as text, and source and the other text columns as their first bytes only (`Text`); the
    text of the rows kept is read again at the end (`Reread`)."""

    path = Path(path)
    vocab = load_indicators() if vocab is None else vocab
    regions = load_regions() if regions is None else regions
    this_year = datetime.date.today().year if this_year is None else this_year
    scan = scan_file(path)
    problems = Problems(path)
    names = check_header(scan["header_fields"], problems, int(scan["start"][scan["header"]]))
    start, n_fields, blank = (scan[k][scan["header"] + 1:] for k in ("start", "fields", "blank"))
    begin, end = scan["offset"][scan["header"] + 1:-1], scan["offset"][scan["header"] + 2:]    # each record's bytes
    _field_count_problems(problems, names, start, n_fields, blank)
    rows = n_fields <= len(names)            # the records pandas returns (it skips those with too many fields)
    start, n_fields, blank, begin, end = start[rows], n_fields[rows], blank[rows], begin[rows], end[rows]
    keep = ~blank & (n_fields == len(names))
    if not keep.any() and not problems.count:
        problems.add(int(scan["start"][scan["header"]]), None, "the file has a header but no data lines; expected one line per actual")
    problems.raise_if_any()
    reread = Reread(path, names)
    checker = RowChecker(names, vocab, regions, this_year, problems, reread)
    parts, pos, differs = [], 0, False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = pd.read_csv(path, encoding="utf-8-sig", header=None, skiprows=int(start[0] - 1) if len(start) else 0,
                                 names=list(range(len(names))), keep_default_na=False, na_filter=False,
                                 dtype={i: READ_AS.get(n, "S4") for i, n in enumerate(names)},
                                 skip_blank_lines=False, on_bad_lines="skip", engine="c", chunksize=CHUNK_ROWS)
            for df in reader if len(start) else []:
                n = len(df)
                rows = keep[pos: pos + n]
                df.columns = names
                if len(rows) == n and not differs:
                    piece = slice(pos, pos + n)
                    try:
                        parts.append(checker.check(df if rows.all() else df[rows], start[piece][rows],
                                                   begin[piece][rows], end[piece][rows]))
                    except ReadTwiceDiffers:
                        differs = True        # reported below, after the count of records
                pos += n
        except (ValueError, pd.errors.ParserError) as exc:
            raise InputError(f"{path}: not valid CSV ({str(exc).strip()}); expected plain CSV with double quotes around "
                             "values holding commas, quotes or line breaks") from None
    if pos != len(start):     # the scan and pandas disagree on the records: refuse rather than misnumber lines
        raise InputError(f"{path}: could not be read as CSV consistently ({len(start)} records found by one reader, "
                         f"{pos} by another); expected plain CSV (lines ending in a line feed, double quotes around "
                         "values holding commas, quotes or line breaks)")
    if differs:
        raise InputError(READ_TWICE_DIFFERS.format(path=path))
    problems.raise_if_any()
    if not parts:
        raise InputError(f"{path}: the file has a header but no data lines; expected one line per actual")
    cols = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    first = first_of_key(cols["key"])
    unique = check_duplicates(problems, first, cols)
    problems.raise_if_any()
    try:
        text = reread.cells(cols["begin"], cols["end"], ["source", *checker.extras], cols["value"])
    except ReadTwiceDiffers:
        raise InputError(READ_TWICE_DIFFERS.format(path=path)) from None
    source = merged_sources(first, unique, stripped(text["source"]))[unique]
    cols = {k: v[unique] for k, v in cols.items()}
    text = {k: v[unique] for k, v in text.items()}
    out = pd.DataFrame({**{k: cols[k] for k in ("region", "indicator_id", "unit", "year", "value", "bound")},
                        "source": source, "line": cols["line"],
                        **{name: stripped(text[name]) for name in checker.extras}})
    out.insert(len(out.columns), "file", str(path))
    return out


def _field_count_problems(problems: Problems, names: list[str], start: np.ndarray, n_fields: np.ndarray,
                          blank: np.ndarray) -> None:
    """A record (not blank) with more or fewer fields than the header: one problem each, naming its line."""
    header_text = ",".join(names)
    for mask, what in ((n_fields > len(names), "too many fields — a value containing a comma must be in double quotes"),
                       (n_fields < len(names), "too few fields — a missing comma or an unfilled trailing column?")):
        mask &= ~blank
        for line, n in zip(start[mask][:MAX_LISTED], n_fields[mask]):
            problems.add(int(line), None, f"{n} field(s), but the header has {len(names)} ({header_text}); {what}")
        problems.count += max(0, int(mask.sum()) - MAX_LISTED)


def load_published(files=paths.PUBLISHED_ACTUAL_FILES, **kwargs) -> pd.DataFrame:
    """The published actuals shipped with the project (`paths.PUBLISHED_ACTUAL_FILES`, same format, with quote and
    citation columns), one frame; a (region, indicator, year) given by two files with different values is an error."""
    frames = [load(f, **kwargs) for f in ([files] if isinstance(files, (str, Path)) else files)]
    df = pd.concat(frames, ignore_index=True)
    key = ["region", "indicator_id", "year"]
    for _, group in df[df.duplicated(key, keep=False)].groupby(key, sort=False):
        if group["value"].nunique() > 1:
            where = ", ".join(f"{Path(r.file).name} line {r.line}: {r.value:g}" for r in group.itertuples())
            raise InputError(f"{group.iloc[0]['region']} {group.iloc[0]['indicator_id']} {group.iloc[0]['year']} is given "
                             f"with different values ({where}); expected one value per (region, indicator, year)")
    # a key given again with the same value by another source: one row, citing every source (none is lost)
    sources = df.groupby(key, sort=False)["source"].transform(lambda s: " | ".join(dict.fromkeys(s)))
    return df.assign(source=sources).drop_duplicates(key, keep="first").reset_index(drop=True)


def document_actuals(obs: pd.DataFrame) -> pd.DataFrame:
    """Actuals stated in the documents themselves (baselines, figures for past years), in the combined format."""
    doc = obs[obs["kind"] == "actual"]
    return pd.DataFrame({
        "origin": "document", "region": doc["region"], "indicator_id": doc["indicator_id"], "unit": doc["unit"],
        "year": doc["year"].astype(int), "value": doc["value"].astype(float), "bound": doc["bound"].where(doc["bound"] != "range", "eq"),
        "source": doc["source_id"], "citation": doc["source_id"] + " line " + doc["line"].astype(str) + ": " + doc["quote"],
        "quote": doc["quote"], "note": "", "source_id": doc["source_id"], "file": "", "line": doc["line"].astype(int),
    })


def _as_combined(df: pd.DataFrame, origin: str) -> pd.DataFrame:
    out = df.copy()
    out["origin"] = origin
    for col in ("quote", "note", "source_title", "file"):
        if col not in out.columns:
            out[col] = ""
    if "line" not in out.columns:
        out["line"] = 0
    out["quote"] = out["quote"].fillna("")
    out["note"] = out["note"].fillna("")
    title = out["source_title"].fillna("")
    out["citation"] = (title + " — ").where(title != "", "") + out["source"]
    out["source_id"] = ""
    return out[COLUMNS]


def combined(obs: pd.DataFrame, extra=None, *, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published actuals + the documents' own actuals + (optionally) a researcher's file or frame.

    `extra` is a path, a frame returned by `load`, or a list of either. Every row is kept (a year may have
    several values from different origins); `progress` chooses by ORIGINS priority and notes the others."""
    frames = [_as_combined(load_published() if published is None else published, "published"), document_actuals(obs)]
    extras = extra if isinstance(extra, (list, tuple)) else ([] if extra is None else [extra])
    for item in extras:
        frames.append(_as_combined(item if isinstance(item, pd.DataFrame) else load(item), "researcher"))
    out = pd.concat([f for f in frames if len(f)], ignore_index=True)
    out["priority"] = out["origin"].map({o: i for i, o in enumerate(ORIGINS)})
    out = out.sort_values(["region", "indicator_id", "year", "priority", "source", "line"], kind="stable")
    return out.drop(columns="priority").reset_index(drop=True)


def main(argv=None) -> int:
    """`python -m analysis.actuals FILE...`: check researcher actuals files (exit status 1 on the first bad one:
    one message naming the file, the line and column, and what was expected; never a traceback)."""


    parser = argparse.ArgumentParser(prog="python -m analysis.actuals",
                                     description="Check files of actuals (format: data/raw/actuals/README.md).")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)

    def check() -> int:
        for f in args.files:
            df = load(f)
            print(f"{f}: {len(df)} actual(s) OK ({', '.join(sorted(set(df['indicator_id'])))})")
        return 0
    return run_cli("python -m analysis.actuals", check)


if __name__ == "__main__":
    raise SystemExit(main())
