"""Actual outcomes: files of published or researcher-supplied actuals, and the actuals stated in the documents.

File format (documented in data/raw/actuals/README.md): UTF-8 CSV (a byte-order mark is accepted) with a
header line and the columns

    region, indicator, unit, year, value, source          (required, any order)
    bound                                                 (optional: eq, ge, gt, approx; empty = eq)
    anything else (quote, note, source_title...)          (kept as provenance text)

`load(path)` validates a file and returns one row per (region, indicator, year); anything wrong raises
`InputError` whose message names the file, the line and column, and what was expected; every problem
of the file is listed, not only the first. `combined(obs, extra)` puts the published actuals
(the files of `paths.PUBLISHED_ACTUAL_FILES` in data/raw/actuals/), the actuals the documents state themselves (baselines,
kind == "actual" in observations.csv) and a researcher's file into one frame, with an `origin` column.
"""
from __future__ import annotations

import csv
import datetime
import difflib
import io
import re
from pathlib import Path

import pandas as pd

from . import paths
from .errors import InputError
from .reference import load_regions
from .vocab import load_indicators

REQUIRED = ("region", "indicator", "unit", "year", "value", "source")
BOUNDS = ("eq", "ge", "gt", "approx")
ORIGINS = ("researcher", "published", "document")   # priority when several give a value for the same year
NON_NEGATIVE = ("count_stock", "count_flow", "level")
COLUMNS = ["origin", "region", "indicator_id", "unit", "year", "value", "bound", "source", "citation", "quote", "note",
           "source_id", "file", "line"]
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_YEAR = re.compile(r"\d{4}")
_BOM = b"\xef\xbb\xbf"
MAX_LISTED = 20


class _Problems:
    """Collects the problems of one file; raises them together."""

    def __init__(self, path: Path):
        self.path = path
        self.items: list[str] = []

    def add(self, line: int, column: str | None, text: str) -> None:
        where = f"line {line}" + (f", column '{column}'" if column else "")
        self.items.append(f"{where}: {text}")

    def raise_if_any(self) -> None:
        if not self.items:
            return
        shown = self.items[:MAX_LISTED]
        more = f"\n  … and {len(self.items) - MAX_LISTED} more" if len(self.items) > MAX_LISTED else ""
        if len(self.items) == 1:
            raise InputError(f"{self.path}: {self.items[0]}")
        raise InputError(f"{self.path}: {len(self.items)} problems:\n  " + "\n  ".join(shown) + more)


def region_names(regions: pd.DataFrame) -> dict[str, str]:
    """Every accepted spelling of a region (Chinese name; English name, case-insensitive) → the Chinese name."""
    names = {r: r for r in regions["region"]}
    names.update({en.casefold(): r for r, en in zip(regions["region"], regions["region_en"])})
    return names


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file does not exist; expected a CSV file of actuals with columns {', '.join(REQUIRED)}") from None
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"{path}: line {line}: byte {raw[exc.start]:#04x} at byte {column} of the line is not UTF-8; "
            "expected a UTF-8 file (save it as 'CSV UTF-8'; GBK/GB18030 files must be converted)") from None
    if not text.strip():
        raise InputError(f"{path}: the file is empty; expected a header line '{','.join(REQUIRED)}' and one line per actual")
    return text


def _records(text: str, path: Path):
    """(first line number, fields) of every non-blank CSV record, the header first."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{path}: line {last + 1}: not valid CSV ({exc}); a value holding quotes or commas must be in "
                             'double quotes, with inner quotes doubled ("")') from None
        start, last = last + 1, reader.line_num
        if not any(f.strip() for f in fields):
            continue
        yield start, fields


def _suggest(word: str, choices, n: int = 1) -> str:
    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def _header(fields: list[str], problems: _Problems) -> list[str]:
    names = [f.strip().casefold() for f in fields]
    for i, name in enumerate(names, 1):
        if not name:
            problems.add(1, None, f"column {i} of the header is empty; expected a column name")
        elif names.index(name) != i - 1:
            problems.add(1, name, f"column name appears twice (columns {names.index(name) + 1} and {i})")
    unknown = [n for n in names if n and n not in REQUIRED and n != "bound"]
    for col in REQUIRED:
        if col not in names:
            close = difflib.get_close_matches(col, unknown, n=1, cutoff=0.6)
            hint = f"; the header has {close[0]!r} — misspelled?" if close else ""
            problems.add(1, col, f"required column is missing{hint} (expected columns: {', '.join(REQUIRED)}; optional: bound)")
    problems.raise_if_any()
    return names


def load(path, *, vocab: pd.DataFrame | None = None, regions: pd.DataFrame | None = None,
         this_year: int | None = None) -> pd.DataFrame:
    """Validate a file of actuals and return it as a frame (see the module docstring for the format).

    Columns: region (Chinese name), indicator_id, unit, year (int), value (float), bound, source,
    file, line (of the file), plus every extra column of the file as text."""
    path = Path(path)
    vocab = load_indicators() if vocab is None else vocab
    regions = load_regions() if regions is None else regions
    this_year = datetime.date.today().year if this_year is None else this_year
    names_of_regions = region_names(regions)
    text = _decode(path)
    problems = _Problems(path)
    records = _records(text, path)
    header_line, header_fields = next(records)
    names = _header(header_fields, problems)
    rows = []
    for line, fields in records:
        if len(fields) != len(names):
            few = len(fields) < len(names)
            problems.add(line, None, f"{len(fields)} field(s), but the header has {len(names)} ({','.join(names)}); "
                         + ("too few fields — a missing comma or an unfilled trailing column?" if few else
                            "too many fields — a value containing a comma must be in double quotes"))
            continue
        cell = {n: f.strip() for n, f in zip(names, fields)}
        row = _check_row(cell, line, problems, vocab, names_of_regions, regions, this_year)
        if row is not None:
            row.update({k: v for k, v in cell.items() if k not in REQUIRED and k != "bound"})
            rows.append(row)
    if not rows and not problems.items:
        problems.add(header_line, None, "the file has a header but no data lines; expected one line per actual")
    problems.raise_if_any()
    df = pd.DataFrame(rows)
    df = _drop_agreeing_duplicates(df, problems)
    problems.raise_if_any()
    df.insert(len(df.columns), "file", str(path))
    return df.reset_index(drop=True)


def _check_row(cell: dict, line: int, problems: _Problems, vocab, region_names, regions, this_year) -> dict | None:
    before = len(problems.items)
    region = region_names.get(cell["region"]) or region_names.get(cell["region"].casefold())
    if region is None:
        known = ", ".join(f"{r} ({en})" for r, en in zip(regions["region"], regions["region_en"]))
        problems.add(line, "region", f"unknown region {cell['region']!r}{_suggest(cell['region'], region_names)} "
                     f"Expected one of: {known} (new regions go into data/raw/reference/regions.csv)")
    indicator = cell["indicator"]
    if indicator not in vocab.index:
        by_name = {n.strip(): i for i, names in zip(vocab.index, vocab["indicator_zh"] + ";" + vocab["aliases"])
                   for n in names.split(";") if n.strip()}
        hint = (f"; {indicator!r} is the name of {by_name[indicator]!r}, give the id" if indicator in by_name
                else _suggest(indicator, vocab.index))
        problems.add(line, "indicator", f"unknown indicator {indicator!r}{hint} "
                     f"(expected an indicator_id of {paths.INDICATORS.name})")
        measure = expected_unit = None
    else:
        measure, expected_unit = vocab.at[indicator, "measure"], vocab.at[indicator, "unit"]
        if cell["unit"] != expected_unit:
            problems.add(line, "unit", f"unit {cell['unit']!r} does not match indicator {indicator!r}, whose unit is "
                         f"{expected_unit!r}; give the value in {expected_unit} (e.g. 1.2万家 → 12000 家)")
    year = None
    if not _YEAR.fullmatch(cell["year"]):
        problems.add(line, "year", f"{cell['year']!r} is not a year; expected an integer such as 2019")
    else:
        year = int(cell["year"])
        if year > this_year:
            problems.add(line, "year", f"{year} lies in the future (this year is {this_year}); an actual must be for a past year")
    value = None
    raw = cell["value"]
    if not raw:
        problems.add(line, "value", "empty; expected a number")
    elif not _NUMBER.fullmatch(raw):
        why = ("thousands separators are not accepted" if re.fullmatch(r"[\d,，]+(\.\d+)?", raw) else
               "give the number without unit or multiplier, in the indicator's unit" if re.search(r"\d", raw) else
               "expected a plain decimal number")
        problems.add(line, "value", f"{raw!r} is not a number; {why} (e.g. 2.87 or 12099)")
    else:
        value = float(raw)
        if measure == "share" and not 0 <= value <= 100:
            problems.add(line, "value", f"share {raw} outside 0–100; expected a percentage between 0 and 100")
        elif measure in NON_NEGATIVE and value < 0:
            kind = "count" if measure.startswith("count") else "amount"
            problems.add(line, "value", f"negative {kind} {raw}; expected a number ≥ 0")
    if not cell["source"]:
        problems.add(line, "source", "empty; every actual must cite where it was published (a URL or a reference)")
    bound = cell.get("bound", "") or "eq"
    if bound not in BOUNDS:
        problems.add(line, "bound", f"{bound!r} is not a bound; expected one of {', '.join(BOUNDS)} (or empty for eq)")
    if len(problems.items) > before:
        return None
    return {"region": region, "indicator_id": indicator, "unit": cell["unit"], "year": year, "value": value,
            "bound": bound, "source": cell["source"], "line": line}


def _drop_agreeing_duplicates(df: pd.DataFrame, problems: _Problems) -> pd.DataFrame:
    """Rows repeating (region, indicator, year) with the same value are dropped; different values are an error."""
    key = ["region", "indicator_id", "year"]
    for _, group in df[df.duplicated(key, keep=False)].groupby(key, sort=False):
        first = group.iloc[0]
        for _, other in group.iloc[1:].iterrows():
            if other["value"] != first["value"]:
                problems.add(int(other["line"]), "value",
                             f"{first['region']} {first['indicator_id']} {first['year']} is given twice with different "
                             f"values: {first['value']:g} (line {first['line']}) and {other['value']:g}; expected one value per "
                             "(region, indicator, year)")
    return df.drop_duplicates(key, keep="first")


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
    return df.drop_duplicates(key, keep="first").reset_index(drop=True)


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
    """`python -m analysis.actuals FILE...`: check researcher actuals files (exit status 1 on the first bad one)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Check files of actuals (format: data/raw/actuals/README.md).")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    for f in args.files:
        try:
            df = load(f)
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"{f}: {len(df)} actual(s) OK ({', '.join(sorted(set(df['indicator_id'])))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
