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
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import paths, schema
from ..core.errors import InputError
from .reference import load_regions
from .vocab import load_indicators

REQUIRED = ("region", "indicator", "unit", "year", "value", "source")
RESERVED = ("indicator_id", "line", "file", "origin", "citation", "source_id")   # filled by the checker, never read
MIN_YEAR = 1949            # the earliest year of an actual (PRC statistics); see docs/methods.md
MAX_VALUE = 1e15           # larger than any statistic in any unit of the vocabulary
BOUNDS = tuple(b for b in schema.BOUNDS if b != "range")     # an actual is one number
ORIGINS = ("researcher", "published", "document")   # priority when several give a value for the same year
NON_NEGATIVE = ("count_stock", "count_flow", "level")
COLUMNS = ["origin", "region", "indicator_id", "unit", "year", "value", "bound", "source", "citation", "quote", "note",
           "source_id", "file", "line"]
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_YEAR = re.compile(r"\d{4}")
_FORMULA_START = ("=", "+", "-", "@")
_BOM = b"\xef\xbb\xbf"
MAX_LISTED = 20


class _Problems:
    """Collects the problems of one file (line, column, text); raises them together, in line order.

    A check that fails on many lines adds only the first few messages and counts the rest, so a file with
    a million bad lines is reported as fast as one with a single bad line."""

    def __init__(self, path: Path):
        self.path = path
        self.items: list[tuple[int, int, str]] = []
        self.count = 0

    def add(self, line: int, column: str | None, text: str, order: int = 0) -> None:
        where = f"line {line}" + (f", column '{column}'" if column else "")
        self.items.append((int(line), order, f"{where}: {text}"))
        self.count += 1

    def add_many(self, lines, column: str, texts, order: int) -> None:
        """Problems of one check on several lines (`texts`: one text, or one per line)."""
        lines = list(lines)
        texts = [texts] * len(lines) if isinstance(texts, str) else list(texts)
        for line, text in zip(lines[:MAX_LISTED], texts[:MAX_LISTED]):
            self.add(line, column, text, order)
        self.count += max(0, len(lines) - MAX_LISTED)

    def raise_if_any(self) -> None:
        if not self.count:
            return
        shown = [t for _, _, t in sorted(self.items)[:MAX_LISTED]]
        more = f"\n  … and {self.count - len(shown)} more" if self.count > len(shown) else ""
        if self.count == 1:
            raise InputError(f"{self.path}: {shown[0]}")
        raise InputError(f"{self.path}: {self.count} problems:\n  " + "\n  ".join(shown) + more)


def region_names(regions: pd.DataFrame) -> dict[str, str]:
    """Every accepted spelling of a region (Chinese name; English name, case-insensitive) → the Chinese name."""
    names = {r: r for r in regions["region"]}
    names.update({en.casefold(): r for r, en in zip(regions["region"], regions["region_en"])})
    return names


EXPECTED_FILE = f"a CSV file of actuals with the columns {', '.join(REQUIRED)} (data/raw/actuals/README.md)"


_CHUNK = 1 << 22          # bytes read at a time when scanning a file
_BLANK_BYTES = b" \t\r\n,\""  # a record made only of these has no value in any field


def _scan(path: Path) -> dict:
    """One pass over the file's bytes, in pieces (never the whole file in memory): it exists and is a file,
    is UTF-8 without NUL bytes, its double quotes are balanced; and, per CSV record (quote-aware), the line
    where it starts, its number of fields and whether every field is empty. Returns numpy arrays
    `start`, `fields`, `blank` over all records (the header included) and the header's text."""
    import codecs

    import numpy as np

    if not path.exists():
        raise InputError(f"{path}: file does not exist; expected {EXPECTED_FILE}")
    if not path.is_file():
        raise InputError(f"{path}: is a directory, not a file; expected {EXPECTED_FILE}")
    decoder = codecs.getincrementaldecoder("utf-8")()
    blank_table = np.zeros(256, dtype=bool)
    blank_table[list(_BLANK_BYTES)] = True
    starts, fields, blanks = [], [], []
    line = 1                    # physical line of the next byte
    rec_start, rec_seps, rec_values = 1, 0, 0      # the record being read (may span pieces)
    parity, offset, first = 0, 0, b""
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                if offset == 0:
                    first = chunk[:65536]
                    if chunk.startswith(_BOM):
                        chunk = b" " * len(_BOM) + chunk[len(_BOM):]
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    before = chunk[: exc.start]
                    nl = before.rfind(b"\n")
                    column = exc.start - nl if nl >= 0 else None
                    at = line + before.count(b"\n")
                    raise InputError(
                        f"{path}: line {at}: byte {chunk[exc.start]:#04x}"
                        + (f" at byte {column} of the line" if column else "") + " is not UTF-8; expected a UTF-8 file "
                        "(save it as 'CSV UTF-8'; GBK/GB18030 files must be converted)") from None
                b = np.frombuffer(chunk, dtype=np.uint8)
                nul = np.flatnonzero(b == 0)
                if len(nul):
                    at = line + chunk[: nul[0]].count(b"\n")
                    raise InputError(f"{path}: line {at}: a NUL byte; expected text "
                                     "(a binary file, or a UTF-16 export? save it as 'CSV UTF-8')")
                newline_at = np.flatnonzero(b == 10)
                comma_at = np.flatnonzero(b == 44)
                quote_at = np.flatnonzero(b == 34)
                if len(quote_at) or parity:       # which newlines and commas are outside double quotes
                    inside = np.zeros(len(b) + 1, dtype=np.int8)
                    inside[0] = parity
                    inside[quote_at + 1] = 1
                    inside = (np.cumsum(inside, dtype=np.int64)[:-1] + 0) & 1   # parity before each byte (+ the quote itself)
                    ends = newline_at[inside[newline_at] == 0]
                    comma_at = comma_at[inside[comma_at] == 0]
                    parity = (parity + len(quote_at)) & 1
                    del inside
                else:
                    ends = newline_at
                if len(ends):
                    seps_at = np.searchsorted(comma_at, ends)
                    lines_at = np.searchsorted(newline_at, ends) + 1          # newlines up to and including each end
                    starts.append(np.concatenate(([rec_start], line + lines_at[:-1])).astype(np.int64))
                    per = np.diff(seps_at, prepend=0)
                    per[0] += rec_seps
                    fields.append((per + 1).astype(np.int32))
                    # a record is blank when every byte is blank; most records start with a non-blank byte
                    begin = np.concatenate(([0], ends[:-1] + 1))
                    maybe = np.flatnonzero(blank_table[b[np.minimum(begin, len(b) - 1)]])
                    blank = np.zeros(len(ends), dtype=bool)
                    for k in maybe:
                        lo = 0 if k == 0 else int(ends[k - 1]) + 1
                        blank[k] = not chunk[lo:int(ends[k])].translate(None, _BLANK_BYTES) and (k > 0 or not rec_values)
                    blanks.append(blank)
                    rec_start = line + int(lines_at[-1])
                    rec_seps = len(comma_at) - int(seps_at[-1])
                    rec_values = len(chunk[int(ends[-1]) + 1:].translate(None, _BLANK_BYTES))
                else:
                    rec_seps += len(comma_at)
                    rec_values += len(chunk.translate(None, _BLANK_BYTES))
                line += len(newline_at)
                offset += len(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputError(f"{path}: the file ends inside a character; expected a UTF-8 file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); expected {EXPECTED_FILE}") from None
    if parity:
        raise InputError(f"{path}: line {rec_start}: a double quote opens a value that never closes; expected values "
                         'holding commas, quotes or line breaks in double quotes, with inner quotes doubled ("")')
    if rec_values or rec_seps:          # a last record without a final line break
        starts.append(np.array([rec_start], np.int64))
        fields.append(np.array([rec_seps + 1], np.int32))
        blanks.append(np.array([rec_values == 0]))
    if not starts or all(b.all() for b in blanks):
        raise InputError(f"{path}: the file is empty; expected a header line '{','.join(REQUIRED)}' and one line per actual")
    scan = {"start": np.concatenate(starts), "fields": np.concatenate(fields), "blank": np.concatenate(blanks)}
    header = int(np.flatnonzero(~scan["blank"])[0])
    scan["header"] = header
    text = first.decode("utf-8", errors="replace").lstrip(_BOM.decode())
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for _ in range(header + 1):
            header_fields = next(reader)
    except (csv.Error, StopIteration):
        raise InputError(f"{path}: line {scan['start'][header]}: the header is not a CSV line; expected "
                         f"{','.join(REQUIRED)}") from None
    scan["header_fields"] = header_fields
    return scan


def _suggest(word: str, choices, n: int = 1) -> str:
    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def _header(fields: list[str], problems: _Problems, line: int = 1) -> list[str]:
    names = [f.strip().casefold() for f in fields]
    for i, name in enumerate(names, 1):
        if not name:
            problems.add(line, None, f"column {i} of the header is empty; expected a column name")
        elif names.index(name) != i - 1:
            problems.add(line, name, f"column name appears twice (columns {names.index(name) + 1} and {i})")
        elif name in RESERVED:
            problems.add(line, name, f"'{name}' is a column the checker fills itself ({', '.join(RESERVED)}); expected the "
                         f"columns {', '.join(REQUIRED)} (optional: bound) and provenance text under other names: rename it "
                         f"(e.g. '{name}_note') or remove it")
    unknown = [n for n in names if n and n not in REQUIRED and n != "bound"]
    for col in REQUIRED:
        if col not in names:
            close = difflib.get_close_matches(col, unknown, n=1, cutoff=0.6)
            hint = f"; the header has {close[0]!r} — misspelled?" if close else ""
            problems.add(line, col, f"required column is missing{hint} (expected columns: {', '.join(REQUIRED)}; optional: bound)")
    problems.raise_if_any()
    return names


class _Distinct:
    """A column as its distinct values (spaces around them stripped) and, per row, which one it holds: each
    check runs once per distinct value (most columns of an actuals file repeat a few values: regions,
    indicators, units, years), and the result is spread back to every row."""

    def __init__(self, column: pd.Series):
        if isinstance(column.dtype, pd.CategoricalDtype):        # read as categories: already factorized
            codes, uniques = column.cat.codes.to_numpy(), column.cat.categories
        else:
            codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
        self.codes = codes
        self.values = [u.strip() if type(u) is str else str(u).strip() for u in uniques]

    def map(self, func) -> np.ndarray:
        results = np.empty(len(self.values), dtype=object)
        results[:] = [func(v) for v in self.values]
        return results[self.codes]

    def map_values(self, func) -> np.ndarray:
        """Like map, with `func` taking the list of distinct values and returning one result per value."""
        results = np.empty(len(self.values), dtype=object)
        results[:] = func(self.values)
        return results[self.codes]

    def text(self) -> np.ndarray:
        results = np.empty(len(self.values), dtype=object)
        results[:] = self.values
        return results[self.codes]


def _formula_flags(texts: list[str]) -> list[bool]:
    """Per (stripped) text cell: would a spreadsheet run it as a formula? It starts with = + - or @ and is not
    a plain number (OWASP's rule for CSV injection)."""
    return [t[:1] in _FORMULA_START and not _NUMBER.fullmatch(t) for t in texts]


def _to_float(text: str) -> float:
    """A plain decimal number as float (NaN for anything else: empty, '1e5', 'inf', '12,099', '3%')."""
    if not _NUMBER.fullmatch(text):
        return math.nan
    try:
        return float(text)
    except OverflowError:       # not reached for decimal text (float() gives inf), kept for safety
        return float("inf")


def load(path, *, vocab: pd.DataFrame | None = None, regions: pd.DataFrame | None = None,
         this_year: int | None = None) -> pd.DataFrame:
    """Validate a file of actuals and return it as a frame (see the module docstring for the format).

    Columns: region (Chinese name), indicator_id, unit, year (int), value (float), bound, source,
    line (of the file), every extra column of the file as text, and file. Checked column by column
    (pandas), so a file of a million lines takes seconds."""
    import warnings

    path = Path(path)
    vocab = load_indicators() if vocab is None else vocab
    regions = load_regions() if regions is None else regions
    this_year = datetime.date.today().year if this_year is None else this_year
    scan = _scan(path)
    problems = _Problems(path)
    names = _header(scan["header_fields"], problems, int(scan["start"][scan["header"]]))
    start, n_fields, blank = (scan[k][scan["header"] + 1:] for k in ("start", "fields", "blank"))
    too_many = (n_fields > len(names)) & ~blank
    header_text = ",".join(names)
    for line, n in zip(start[too_many][:MAX_LISTED], n_fields[too_many]):
        problems.add(int(line), None, f"{n} field(s), but the header has {len(names)} ({header_text}); "
                     "too many fields — a value containing a comma must be in double quotes")
    problems.count += max(0, int(too_many.sum()) - MAX_LISTED)
    rows = n_fields <= len(names)            # the records pandas returns (it skips those with too many fields)
    start, n_fields, blank = start[rows], n_fields[rows], blank[rows]
    short = (n_fields < len(names)) & ~blank
    for line, n in zip(start[short][:MAX_LISTED], n_fields[short]):
        problems.add(int(line), None, f"{n} field(s), but the header has {len(names)} ({header_text}); too few fields — "
                     "a missing comma or an unfilled trailing column?")
    problems.count += max(0, int(short.sum()) - MAX_LISTED)
    keep = ~blank & ~short
    if not keep.any() and not problems.count:
        problems.add(int(scan["start"][scan["header"]]), None, "the file has a header but no data lines; expected one line per actual")
    problems.raise_if_any()
    checker = _RowChecker(names, vocab, regions, this_year, problems)
    parts, pos = [], 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = pd.read_csv(path, encoding="utf-8-sig", header=None, skiprows=int(start[0] - 1) if len(start) else 0,
                                 names=list(range(len(names))), keep_default_na=False, na_filter=False,
                                 dtype={i: "category" if n in LOW_CARDINALITY else object for i, n in enumerate(names)},
                                 skip_blank_lines=False, on_bad_lines="skip", engine="c", chunksize=CHUNK_ROWS)
            for df in reader if len(start) else []:
                n = len(df)
                rows = keep[pos: pos + n]
                df.columns = names
                if len(rows) == n:
                    parts.append(checker.check(df[rows], start[pos: pos + n][rows]))
                pos += n
        except (ValueError, pd.errors.ParserError) as exc:
            raise InputError(f"{path}: not valid CSV ({str(exc).strip()}); expected plain CSV with double quotes around "
                             "values holding commas, quotes or line breaks") from None
    if pos != len(start):     # the scan and pandas disagree on the records: refuse rather than misnumber lines
        raise InputError(f"{path}: could not be read as CSV consistently ({len(start)} records found by one reader, "
                         f"{pos} by another); expected plain CSV (lines ending in a line feed, double quotes around "
                         "values holding commas, quotes or line breaks)")
    problems.raise_if_any()
    if not parts:
        raise InputError(f"{path}: the file has a header but no data lines; expected one line per actual")
    cols = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    first = _first_of_key(cols["region"], cols["indicator_id"], cols["year"], np.ones(len(cols["line"]), dtype=bool))
    unique = _check_duplicates(problems, first, cols)
    problems.raise_if_any()
    out = pd.DataFrame({k: v[unique] for k, v in cols.items()})
    out.insert(len(out.columns), "file", str(path))
    return out


LOW_CARDINALITY = ("region", "indicator", "unit", "bound")   # columns read as categories (few values)
CHUNK_ROWS = 200_000       # rows checked at a time (memory stays near the size of the result)


class _RowChecker:
    """The checks of every data row, applied to a piece of the file at a time (`check`). Each check runs once
    per distinct value of a column in the piece; results for values seen in earlier pieces are reused."""

    def __init__(self, names, vocab, regions, this_year, problems: _Problems):
        self.names, self.vocab, self.this_year, self.problems = names, vocab, this_year, problems
        self.extras = [n for n in names if n not in REQUIRED and n != "bound"]
        self.region_of = region_names(regions)
        self.known_regions = ", ".join(f"{r} ({en})" for r, en in zip(regions["region"], regions["region_en"]))
        self.by_name = {n.strip(): i for i, nm in zip(vocab.index, vocab["indicator_zh"] + ";" + vocab["aliases"])
                        for n in nm.split(";") if n.strip()}
        self.unit_of, self.measure_of = dict(vocab["unit"]), dict(vocab["measure"])
        self.cache: dict[str, dict] = {}

    def _cached(self, name: str, func):
        memo = self.cache.setdefault(name, {})

        def lookup(value):
            try:
                return memo[value]
            except KeyError:
                memo[value] = result = func(value)
                return result
        return lookup

    def check(self, df: pd.DataFrame, line: np.ndarray) -> dict:
        """The checked columns of one piece as arrays (and the problems added to self.problems)."""
        problems, vocab = self.problems, self.vocab
        col = {name: _Distinct(df[name]) for name in self.names}
        n = len(line)
        ok = np.ones(n, dtype=bool)

        def fail(mask, column: str, text, order: int) -> None:
            """Mark the rows of `mask` bad; `text` is the message or a function of a row position giving it
            (called for the first few rows only)."""
            idx = np.flatnonzero(np.asarray(mask, dtype=bool))
            if not len(idx):
                return
            ok[idx] = False
            shown = idx[:MAX_LISTED]
            problems.add_many(line[shown], column, text if isinstance(text, str) else [text(i) for i in shown], order)
            problems.count += len(idx) - len(shown)

        def cell(name, i) -> str:
            return col[name].values[col[name].codes[i]]

        region = col["region"].map(self._cached("region", lambda c: self.region_of.get(c) or self.region_of.get(c.casefold())))
        fail(pd.isna(region), "region", lambda i: f"unknown region {cell('region', i)!r}"
             f"{_suggest(cell('region', i), self.region_of)} Expected one of: {self.known_regions} (new regions go into "
             "data/raw/reference/regions.csv)", 0)
        indicator = col["indicator"].text()
        expected_unit = col["indicator"].map(self.unit_of.get)
        measure = col["indicator"].map(self.measure_of.get)
        known_ind = pd.notna(expected_unit)

        def unknown_indicator(i):
            c = indicator[i]
            hint = f"; {c!r} is the name of {self.by_name[c]!r}, give the id" if c in self.by_name else _suggest(c, vocab.index)
            return f"unknown indicator {c!r}{hint} (expected an indicator_id of {paths.INDICATORS.name})"
        fail(~known_ind, "indicator", unknown_indicator, 1)
        unit = col["unit"].text()
        fail(known_ind & (unit != expected_unit), "unit",
             lambda i: f"unit {unit[i]!r} does not match indicator {indicator[i]!r}, whose unit is {expected_unit[i]!r}; "
                       f"give the value in {expected_unit[i]} (e.g. 1.2万家 → 12000 家)", 2)
        year = col["year"].map(self._cached("year", lambda c: int(c) if _YEAR.fullmatch(c) else -1)).astype(np.int64)
        is_year = year >= 0
        fail(~is_year, "year", lambda i: f"{cell('year', i)!r} is not a year; expected an integer such as 2019", 3)
        fail(is_year & (year > self.this_year), "year", lambda i: f"{year[i]} lies in the future (this year is "
             f"{self.this_year}); an actual must be for a past year", 3)
        fail(is_year & (year < MIN_YEAR), "year",
             lambda i: f"{year[i]} is before {MIN_YEAR}; expected a year from {MIN_YEAR} to {self.this_year}", 3)
        raw = col["value"].text()
        empty = raw == ""
        fail(empty, "value", "empty; expected a number", 4)
        value = col["value"].map(_to_float).astype(float)
        is_number = ~np.isnan(value)

        def why(i):
            v = raw[i]
            return (f"{v!r} is not a number; " + ("thousands separators are not accepted" if re.fullmatch(r"[\d,，]+(\.\d+)?", v)
                    else "give the number without unit or multiplier, in the indicator's unit" if re.search(r"\d", v)
                    else "expected a plain decimal number") + " (e.g. 2.87 or 12099)")
        fail(~empty & ~is_number, "value", why, 4)
        with np.errstate(invalid="ignore"):
            too_big = is_number & ~(np.abs(value) < MAX_VALUE)
            fail(too_big, "value", lambda i: f"{raw[i][:20]}{'…' if len(raw[i]) > 20 else ''} ({len(raw[i])} characters) "
                 f"is too large; expected a number below {MAX_VALUE:.0e} in the indicator's unit", 4)
            sane = is_number & ~too_big
            fail(sane & (measure == "share") & ~((value >= 0) & (value <= 100)), "value",
                 lambda i: f"share {raw[i]} outside 0–100; expected a percentage between 0 and 100", 4)
            fail(sane & np.isin(measure, NON_NEGATIVE) & (value < 0), "value", lambda i: f"negative "
                 f"{'count' if measure[i].startswith('count') else 'amount'} {raw[i]}; expected a number ≥ 0", 4)
            fail(sane & (measure == "growth_rate") & (value < -100), "value",
                 lambda i: f"growth rate {raw[i]} % is below −100 % (a level cannot fall by more than all of itself); "
                           "expected a percentage change ≥ −100", 4)
        source = col["source"].text()
        fail(source == "", "source", "empty; every actual must cite where it was published (a URL or a reference)", 5)
        if "bound" in col:
            bound = col["bound"].map(lambda c: c or "eq")
            fail(~np.isin(bound, BOUNDS), "bound",
                 lambda i: f"{bound[i]!r} is not a bound; expected one of {', '.join(BOUNDS)} (or empty for eq)", 6)
        else:
            bound = np.full(n, "eq", dtype=object)
        for order, name in enumerate(["source", *self.extras], 7):   # text a spreadsheet would run (CSV injection)
            fail(col[name].map_values(_formula_flags).astype(bool), name, lambda i, name=name: f"text starting with "
                 f"{cell(name, i)[:1]!r}, which a spreadsheet runs as a formula (CSV injection); expected text that does "
                 "not start with = + - @ (reword it, e.g. put a word first)", order)
        out = {"region": region, "indicator_id": indicator, "unit": unit, "year": year, "value": value, "bound": bound,
               "source": source, "line": line.astype(np.int64)}
        out.update({name: col[name].text() for name in self.extras})
        out = {k: v[ok] for k, v in out.items()}
        # repeated keys within the piece: a different value or bound is an error, an agreeing repeat is dropped
        # here already (a file of a million lines repeats the few thousand keys the project's tables allow)
        first = _first_of_key(out["region"], out["indicator_id"], out["year"], np.ones(len(out["line"]), dtype=bool))
        unique = _check_duplicates(problems, first, out)
        return {k: v[unique] for k, v in out.items()}


def _first_of_key(region: np.ndarray, indicator: np.ndarray, year: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """For every row, the position of the first valid row with the same (region, indicator, year) (itself
    when it is the first; -1 for an invalid row)."""
    r, _ = pd.factorize(region, use_na_sentinel=False)
    i, n_ind = pd.factorize(indicator, use_na_sentinel=False)
    key = (r.astype(np.int64) * (len(n_ind) + 1) + i) * 10000 + np.clip(year, 0, 9999)
    pos = np.flatnonzero(ok)
    order = pos[np.argsort(key[pos], kind="stable")]
    k = key[order]
    new_group = np.r_[True, k[1:] != k[:-1]] if len(k) else np.zeros(0, dtype=bool)
    first_in_group = order[new_group][np.cumsum(new_group) - 1]
    first = np.full(len(key), -1, dtype=np.int64)
    first[order] = first_in_group
    return first


def _check_duplicates(problems: _Problems, first: np.ndarray, cols: dict) -> np.ndarray:
    """Rows repeating (region, indicator, year) with the same value and bound are dropped (returns the rows to
    keep); a different value or bound is an error naming both lines."""
    line, value, bound = cols["line"], cols["value"], cols["bound"]
    rows = np.flatnonzero((first >= 0) & (first != np.arange(len(first))))
    f = first[rows]
    differ = value[rows] != value[f]
    other_bound = ~differ & (bound[rows] != bound[f])
    for mask, col, what in ((differ, "value", "values"), (other_bound, "bound", "bounds")):
        bad, fb = rows[mask], f[mask]
        shown = list(zip(bad[:MAX_LISTED], fb[:MAX_LISTED]))
        show = (lambda j: f"{value[j]:g}") if col == "value" else (lambda j: repr(bound[j]))
        problems.add_many(line[[b for b, _ in shown]], col, [
            f"{cols['region'][b]} {cols['indicator_id'][b]} {cols['year'][b]} is given twice with different {what}: "
            f"{show(a)} (line {line[a]}) and {show(b)}; expected one {col} per (region, indicator, year)"
            for b, a in shown], 4 if col == "value" else 6)
        problems.count += max(0, len(bad) - MAX_LISTED)
    return first == np.arange(len(first))


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
    """`python -m analysis.actuals FILE...`: check researcher actuals files (exit status 1 on the first bad one:
    one message naming the file, the line and column, and what was expected; never a traceback)."""
    import argparse

    from ..core.errors import run_cli

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
