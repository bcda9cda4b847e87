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

import argparse
import codecs
import csv
import datetime
import difflib
import io
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import paths, schema
from ..core.errors import InputError, run_cli
from ..core.fileio import check_regular_file
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
_NOT_PLAIN = re.compile(r"[^0-9.+\-\0]")   # in cells joined by NUL (never in a file): a character no plain ASCII number has
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
    `start`, `fields`, `blank` over all records (the header included), `offset` (the byte where each
    record starts, and where the last one ends) and the header's text."""
    check_regular_file(path, EXPECTED_FILE)
    decoder = codecs.getincrementaldecoder("utf-8")()
    blank_table = np.zeros(256, dtype=bool)
    blank_table[list(_BLANK_BYTES)] = True
    starts, fields, blanks, offsets = [], [], [], []
    line = 1                    # physical line of the next byte
    rec_start, rec_offset, rec_seps, rec_values = 1, 0, 0, 0      # the record being read (may span pieces)
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
                nul = chunk.find(b"\0")
                if nul >= 0:
                    at = line + chunk.count(b"\n", 0, nul)
                    raise InputError(f"{path}: line {at}: a NUL byte; expected text "
                                     "(a binary file, or a UTF-16 export? save it as 'CSV UTF-8')")
                newline_at = np.flatnonzero(b == 10)
                comma_at = np.flatnonzero(b == 44)
                if parity or b'"' in chunk:       # which newlines and commas are outside double quotes
                    quote_at = np.flatnonzero(b == 34)
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
                    offsets.append(np.concatenate(([rec_offset], offset + ends[:-1] + 1)).astype(np.int64))
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
                    rec_offset = offset + int(ends[-1]) + 1
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
        offsets.append(np.array([rec_offset], np.int64))
        fields.append(np.array([rec_seps + 1], np.int32))
        blanks.append(np.array([rec_values == 0]))
    if not starts or all(b.all() for b in blanks):
        raise InputError(f"{path}: the file is empty; expected a header line '{','.join(REQUIRED)}' and one line per actual")
    scan = {"start": np.concatenate(starts), "fields": np.concatenate(fields), "blank": np.concatenate(blanks),
            "offset": np.concatenate([*offsets, [offset if rec_values or rec_seps else rec_offset]])}
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
    """A column of few values (regions, indicators, units, years) as its distinct values (spaces around them
    stripped) and, per row, which one it holds: each check runs once per distinct value, and the result is
    spread back to every row."""

    def __init__(self, column: pd.Series):
        if isinstance(column.dtype, pd.CategoricalDtype):        # read as categories: already factorized
            codes, uniques = column.cat.codes.to_numpy(), column.cat.categories
        else:
            codes, uniques = pd.factorize(column.to_numpy(dtype=object))     # every cell is text, none is NA
        self.codes = codes
        self.values = [u.strip() if type(u) is str else str(u).strip() for u in uniques]

    def map(self, func, dtype=object) -> np.ndarray:
        """`func` of each row's value, as an array of `dtype`."""
        results = np.empty(len(self.values), dtype=dtype)
        results[:] = [func(v) for v in self.values]
        return results[self.codes]

    def text(self) -> np.ndarray:
        """Each row's value."""
        return self.map(str)


def _first_characters(heads: np.ndarray) -> np.ndarray:
    """The first character of each cell (numpy U1; '' for an empty cell), decoded from the cell's first four
    bytes (numpy S4; the scan found the file to be valid UTF-8)."""
    b = np.ascontiguousarray(heads, dtype="S4").view(np.uint8).reshape(-1, 4)
    code = b[:, 0].astype(np.uint32)                  # an ASCII character: its byte
    multi = np.flatnonzero(code >= 0x80)              # a character of 2, 3 or 4 bytes
    b0, b1, b2, b3 = b[multi].T.astype(np.uint32)
    code[multi] = np.select([b0 < 0xE0, b0 < 0xF0],
                            [((b0 & 0x1F) << 6) | (b1 & 0x3F), ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F)],
                            ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((b2 & 0x3F) << 6) | (b3 & 0x3F))
    return code.view("U1")


class _Text:
    """A text column that may hold a different value on every line (source, notes), read as the first four
    bytes of each cell (`heads`: pandas makes no string of them). They give each cell's first character after
    its leading spaces, which settles the checks for most cells; the cells starting with = + - @ (a formula,
    or a number?) or with nothing but spaces in their first bytes (blank?) are read in full (`reread(rows)`
    gives their text)."""

    def __init__(self, heads: np.ndarray, reread):
        first = _first_characters(heads)
        spaced = np.flatnonzero(np.char.isspace(first))          # the spaces of str.strip
        first[spaced] = [bytes(h).decode("utf-8", "ignore").lstrip()[:1] for h in heads[spaced]]  # '': not in the head
        closer = np.flatnonzero(np.isin(first, _FORMULA_START))
        closer = np.union1d(closer, spaced[first[spaced] == ""])
        stripped = [t.strip() for t in reread(closer)] if len(closer) else []
        first[closer] = [t[:1] for t in stripped]
        self.first = first                  # each cell's first character after its leading spaces ('' when blank)
        self.formula = np.zeros(len(first), dtype=bool)     # would a spreadsheet run the cell as a formula?
        self.formula[closer] = _formula_flags(stripped)


class _ReadTwiceDiffers(Exception):
    """Records read again (`_Reread`) differ from the first reading."""


class _Reread:
    """Reads some records of the file again, in full, by the byte ranges the scan found (with the same
    pandas reader): the text of cells whose first bytes only were read, for the rows of the result and the
    cells `_Text` has to look at."""

    def __init__(self, path: Path, names: list[str]):
        self.path, self.names = path, names

    def cells(self, begin: np.ndarray, end: np.ndarray, columns, values: np.ndarray) -> dict[str, np.ndarray]:
        """The cells of `columns` in the records [begin, end) (sorted byte ranges). The numbers of the value
        column must equal `values`, those of the first reading: the records were found again."""
        if not len(begin):
            return {c: np.empty(0, dtype=object) for c in columns}
        adjacent = np.r_[False, begin[1:] == end[:-1]]         # read adjacent records in one piece
        with self.path.open("rb") as fh:
            pieces = []
            for first, last in zip(begin[~adjacent], end[np.r_[~adjacent[1:], True]]):
                fh.seek(first)
                pieces.append(fh.read(last - first))
        usecols = [self.names.index(c) for c in ("value", *columns)]
        try:
            df = pd.read_csv(io.BytesIO(b"".join(pieces)), header=None, names=list(range(len(self.names))),
                             usecols=usecols, dtype=object, keep_default_na=False, na_filter=False,
                             skip_blank_lines=False, engine="c")
            same = len(df) == len(begin) and np.array_equal(_to_floats(df[usecols[0]].to_numpy(dtype=object)), values,
                                                            equal_nan=True)
        except (ValueError, pd.errors.ParserError):
            same = False
        if not same:
            raise _ReadTwiceDiffers
        return {c: df[i].to_numpy(dtype=object) for c, i in zip(columns, usecols[1:])}


def _to_floats(cells: np.ndarray) -> np.ndarray:
    """`_to_float` of every cell (spaces around it ignored). When every cell holds only ASCII digits, '.', '+'
    and '-' (the usual case), float() accepts exactly the texts `_NUMBER` accepts: one numpy cast reads them."""
    if _NOT_PLAIN.search("\0".join(cells)):
        cells = _stripped(cells)              # perhaps only spaces around the numbers
    if not _NOT_PLAIN.search("\0".join(cells)):
        try:
            return cells.astype(float)          # float() of each cell
        except ValueError:                      # an empty cell, '1.2.3', '+': one by one below
            pass
    return np.array([_to_float(t) for t in cells], dtype=float)


def _stripped(cells: np.ndarray) -> np.ndarray:
    """The cells without the spaces around them."""
    out = np.empty(len(cells), dtype=object)
    out[:] = [t.strip() for t in cells]
    return out


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
    line (of the file), every extra column of the file as text, and file.

    Checked column by column, a piece of CHUNK_ROWS rows at a time (benchmarks/actuals.py: a million lines in
    a few seconds): `_scan` reads the bytes once (encoding, quotes, the fields and byte range of each record);
    pandas reads the columns of few values as categories (`_Distinct`: each check once per distinct value),
    value and year as text, and source and the other text columns as their first bytes only (`_Text`); the
    text of the rows kept is read again at the end (`_Reread`)."""

    path = Path(path)
    vocab = load_indicators() if vocab is None else vocab
    regions = load_regions() if regions is None else regions
    this_year = datetime.date.today().year if this_year is None else this_year
    scan = _scan(path)
    problems = _Problems(path)
    names = _header(scan["header_fields"], problems, int(scan["start"][scan["header"]]))
    start, n_fields, blank = (scan[k][scan["header"] + 1:] for k in ("start", "fields", "blank"))
    begin, end = scan["offset"][scan["header"] + 1:-1], scan["offset"][scan["header"] + 2:]    # each record's bytes
    too_many = (n_fields > len(names)) & ~blank
    header_text = ",".join(names)
    for line, n in zip(start[too_many][:MAX_LISTED], n_fields[too_many]):
        problems.add(int(line), None, f"{n} field(s), but the header has {len(names)} ({header_text}); "
                     "too many fields — a value containing a comma must be in double quotes")
    problems.count += max(0, int(too_many.sum()) - MAX_LISTED)
    rows = n_fields <= len(names)            # the records pandas returns (it skips those with too many fields)
    start, n_fields, blank, begin, end = start[rows], n_fields[rows], blank[rows], begin[rows], end[rows]
    short = (n_fields < len(names)) & ~blank
    for line, n in zip(start[short][:MAX_LISTED], n_fields[short]):
        problems.add(int(line), None, f"{n} field(s), but the header has {len(names)} ({header_text}); too few fields — "
                     "a missing comma or an unfilled trailing column?")
    problems.count += max(0, int(short.sum()) - MAX_LISTED)
    keep = ~blank & ~short
    if not keep.any() and not problems.count:
        problems.add(int(scan["start"][scan["header"]]), None, "the file has a header but no data lines; expected one line per actual")
    problems.raise_if_any()
    reread = _Reread(path, names)
    checker = _RowChecker(names, vocab, regions, this_year, problems, reread)
    parts, pos, differs = [], 0, False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = pd.read_csv(path, encoding="utf-8-sig", header=None, skiprows=int(start[0] - 1) if len(start) else 0,
                                 names=list(range(len(names))), keep_default_na=False, na_filter=False,
                                 dtype={i: _READ_AS.get(n, "S4") for i, n in enumerate(names)},
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
                    except _ReadTwiceDiffers:
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
        raise InputError(_READ_TWICE_DIFFERS.format(path=path))
    problems.raise_if_any()
    if not parts:
        raise InputError(f"{path}: the file has a header but no data lines; expected one line per actual")
    cols = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    first = _first_of_key(cols["key"])
    unique = _check_duplicates(problems, first, cols)
    problems.raise_if_any()
    try:
        text = reread.cells(cols["begin"], cols["end"], ["source", *checker.extras], cols["value"])
    except _ReadTwiceDiffers:
        raise InputError(_READ_TWICE_DIFFERS.format(path=path)) from None
    source = _merged_sources(first, unique, _stripped(text["source"]))[unique]
    cols = {k: v[unique] for k, v in cols.items()}
    text = {k: v[unique] for k, v in text.items()}
    out = pd.DataFrame({**{k: cols[k] for k in ("region", "indicator_id", "unit", "year", "value", "bound")},
                        "source": source, "line": cols["line"],
                        **{name: _stripped(text[name]) for name in checker.extras}})
    out.insert(len(out.columns), "file", str(path))
    return out


LOW_CARDINALITY = ("region", "indicator", "unit", "bound")   # columns read as categories (few values)
FEW_VALUES = (*LOW_CARDINALITY, "year")   # columns checked per distinct value (_Distinct)
_READ_TWICE_DIFFERS = ("{path}: could not be read as CSV consistently (records read twice differ); expected plain "
                       "CSV (lines ending in a line feed, double quotes around values holding commas, quotes or line breaks)")
# how the first reading reads each column: value and year as text, source and every other column as the first
# four bytes of each cell ("S4", see _Text)
_READ_AS = {**dict.fromkeys(LOW_CARDINALITY, "category"), "year": object, "value": object}
CHUNK_ROWS = 200_000       # rows checked at a time (memory stays near the size of the result)


class _RowChecker:
    """The checks of every data row, applied to a piece of the file at a time (`check`): once per distinct value
    for the columns of few values (results for values seen in earlier pieces are reused), on whole columns for
    value, source and the other text columns."""

    def __init__(self, names, vocab, regions, this_year, problems: _Problems, reread: _Reread):
        self.names, self.vocab, self.this_year, self.problems, self.reread = names, vocab, this_year, problems, reread
        self.extras = [n for n in names if n not in REQUIRED and n != "bound"]
        self.region_of = region_names(regions)
        self.known_regions = ", ".join(f"{r} ({en})" for r, en in zip(regions["region"], regions["region_en"]))
        self.by_name = {n.strip(): i for i, nm in zip(vocab.index, vocab["indicator_zh"] + ";" + vocab["aliases"])
                        for n in nm.split(";") if n.strip()}
        self.unit_of, self.measure_of = dict(vocab["unit"]), dict(vocab["measure"])
        self.region_number = {r: k for k, r in enumerate(regions["region"])}
        self.indicator_number = {ind: k for k, ind in enumerate(vocab.index)}
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

    def check(self, df: pd.DataFrame, line: np.ndarray, begin: np.ndarray, end: np.ndarray) -> dict:
        """The checked columns of one piece as arrays (and the problems added to self.problems); `line`, `begin`
        and `end`: each row's line and byte range in the file."""
        problems = self.problems
        col = {name: _Distinct(df[name]) for name in self.names if name in FEW_VALUES}
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
            """The stripped cell of column `name` (one read per distinct value) in row position i."""
            return col[name].values[col[name].codes[i]]

        region_of = self._cached("region", lambda c: self.region_of.get(c) or self.region_of.get(c.casefold()))
        region = col["region"].map(region_of)
        fail(col["region"].map(lambda c: region_of(c) is None, bool), "region", lambda i: f"unknown region "
             f"{cell('region', i)!r}{_suggest(cell('region', i), self.region_of)} Expected one of: {self.known_regions} "
             "(new regions go into data/raw/reference/regions.csv)", 0)
        indicator = col["indicator"].text()
        expected_unit = col["indicator"].map(self.unit_of.get)
        measure = col["indicator"].map(self.measure_of.get)
        known_ind = col["indicator"].map(lambda c: pd.notna(self.unit_of.get(c)), bool)

        def is_measure(*kinds) -> np.ndarray:
            return col["indicator"].map(lambda c: self.measure_of.get(c) in kinds, bool)

        def unknown_indicator(i):
            c = indicator[i]
            hint = f"; {c!r} is the name of {self.by_name[c]!r}, give the id" if c in self.by_name else _suggest(c, self.vocab.index)
            return f"unknown indicator {c!r}{hint} (expected an indicator_id of {paths.INDICATORS.name})"
        fail(~known_ind, "indicator", unknown_indicator, 1)
        unit = col["unit"].text()
        fail(known_ind & (unit != expected_unit), "unit",
             lambda i: f"unit {unit[i]!r} does not match indicator {indicator[i]!r}, whose unit is {expected_unit[i]!r}; "
                       f"give the value in {expected_unit[i]} (e.g. 1.2万家 → 12000 家)", 2)
        year = col["year"].map(self._cached("year", lambda c: int(c) if _YEAR.fullmatch(c) else -1), np.int64)
        is_year = year >= 0
        fail(~is_year, "year", lambda i: f"{cell('year', i)!r} is not a year; expected an integer such as 2019", 3)
        fail(is_year & (year > self.this_year), "year", lambda i: f"{year[i]} lies in the future (this year is "
             f"{self.this_year}); an actual must be for a past year", 3)
        fail(is_year & (year < MIN_YEAR), "year",
             lambda i: f"{year[i]} is before {MIN_YEAR}; expected a year from {MIN_YEAR} to {self.this_year}", 3)
        cells = df["value"].to_numpy(dtype=object)
        value = _to_floats(cells)
        is_number = ~np.isnan(value)
        empty = np.zeros(n, dtype=bool)
        not_number = np.flatnonzero(~is_number)
        empty[not_number] = [not cells[i].strip() for i in not_number]
        fail(empty, "value", "empty; expected a number", 4)

        def why(i):
            v = cells[i].strip()
            return (f"{v!r} is not a number; " + ("thousands separators are not accepted" if re.fullmatch(r"[\d,，]+(\.\d+)?", v)
                    else "give the number without unit or multiplier, in the indicator's unit" if re.search(r"\d", v)
                    else "expected a plain decimal number") + " (e.g. 2.87 or 12099)")
        fail(~empty & ~is_number, "value", why, 4)
        with np.errstate(invalid="ignore"):
            too_big = is_number & ~(np.abs(value) < MAX_VALUE)
            fail(too_big, "value", lambda i: f"{cells[i].strip()[:20]}{'…' if len(cells[i].strip()) > 20 else ''} "
                 f"({len(cells[i].strip())} characters) is too large; expected a number below {MAX_VALUE:.0e} in the "
                 "indicator's unit", 4)
            sane = is_number & ~too_big
            fail(sane & is_measure("share") & ~((value >= 0) & (value <= 100)), "value",
                 lambda i: f"share {cells[i].strip()} outside 0–100; expected a percentage between 0 and 100", 4)
            fail(sane & is_measure(*NON_NEGATIVE) & (value < 0), "value", lambda i: f"negative "
                 f"{'count' if measure[i].startswith('count') else 'amount'} {cells[i].strip()}; expected a number ≥ 0", 4)
            fail(sane & is_measure("count_stock", "count_flow") & (value != np.round(value)), "value",
                 lambda i: f"count {cells[i].strip()[:20]} is not a whole number; expected a whole number of "
                           "enterprises, patents… (a count cannot be fractional)", 4)
            fail(sane & is_measure("growth_rate") & (value < -100), "value",
                 lambda i: f"growth rate {cells[i].strip()} % is below −100 % (a level cannot fall by more than all of "
                           "itself); expected a percentage change ≥ −100", 4)

        def reread(name):
            return lambda rows: self.reread.cells(begin[rows], end[rows], [name], value[rows])[name]
        text = {name: _Text(df[name].to_numpy(), reread(name)) for name in ("source", *self.extras)}
        fail(text["source"].first == "", "source",
             "empty; every actual must cite where it was published (a URL or a reference)", 5)
        if "bound" in col:
            bound = col["bound"].map(lambda c: c or "eq")
            fail(~col["bound"].map(lambda c: (c or "eq") in BOUNDS, bool), "bound",
                 lambda i: f"{bound[i]!r} is not a bound; expected one of {', '.join(BOUNDS)} (or empty for eq)", 6)
        else:
            bound = np.repeat(np.array(["eq"], dtype=object), n)        # (np.full would copy "eq" n times)
        for order, name in enumerate(["source", *self.extras], 7):   # text a spreadsheet would run (CSV injection)
            fail(text[name].formula, name, lambda i, name=name: f"text starting with {str(text[name].first[i])!r}, "
                 "which a spreadsheet runs as a formula (CSV injection); expected text that does not start with "
                 "= + - @ (reword it, e.g. put a word first)", order)
        rows = np.flatnonzero(ok)
        region_number = col["region"].map(lambda c: self.region_number.get(region_of(c), -1), np.int64)
        indicator_number = col["indicator"].map(lambda c: self.indicator_number.get(c, -1), np.int64)
        key = ((region_number * len(self.indicator_number) + indicator_number) * 10000 + year)[rows]  # (region, indicator, year)
        out = {"region": region[rows], "indicator_id": indicator[rows], "unit": unit[rows], "year": year[rows],
               "value": value[rows], "bound": bound[rows], "line": line[rows].astype(np.int64), "key": key,
               "begin": begin[rows], "end": end[rows]}
        # repeated keys within the piece: a different value or bound is an error (a repeat that agrees is dropped
        # once every piece is read and its source is known to be the same as the first's)
        _check_duplicates(problems, _first_of_key(key), out)
        return out


def _first_of_key(key: np.ndarray) -> np.ndarray:
    """For every row, the position of the first row with the same key (itself when it is the first)."""
    _, first_at, which = np.unique(key, return_index=True, return_inverse=True)   # return_index: first occurrences
    return first_at[which]


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


def _merged_sources(first: np.ndarray, unique: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Each row's source, where a (region, indicator, year) repeated with the same value (the repeat is dropped)
    cites another source: that source joined to the kept row's with ' | ' (a corroborating source is kept, not lost)."""
    rows = np.flatnonzero(~unique)
    other = rows[source[rows] != source[first[rows]]]
    if not len(other):
        return source
    source = source.copy()
    for b in other:
        kept = first[b]
        if source[b] not in source[kept].split(" | "):
            source[kept] = f"{source[kept]} | {source[b]}"
    return source


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
