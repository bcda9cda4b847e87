"""A file of actuals read as CSV (its format: data/raw/actuals/README.md; what is done with it: actuals.py): the
columns and limits of the format, the problems of a file collected and raised together, one pass over its bytes
(`scan_file`: encoding, quotes, the fields and byte range of each record), the header, and the readers of its cells
(`Distinct` for columns of few values, `Text` for text read by its first bytes, `Reread` for records read again in
full, `to_floats` for numbers)."""
from __future__ import annotations

import codecs
import csv
import difflib
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import schema
from ..core.errors import InputError
from ..core.fileio import check_regular_file

REQUIRED = ("region", "indicator", "unit", "year", "value", "source")
RESERVED = ("indicator_id", "line", "file", "origin", "citation", "source_id")   # filled by the checker, never read
MIN_YEAR = 1949            # the earliest year of an actual (PRC statistics); see docs/methods.md
MAX_VALUE = 1e15           # larger than any statistic in any unit of the vocabulary
BOUNDS = tuple(b for b in schema.BOUNDS if b != "range")     # an actual is one number
NON_NEGATIVE = ("count_stock", "count_flow", "level")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_FORMULA_START = ("=", "+", "-", "@")
_NOT_PLAIN = re.compile(r"[^0-9.+\-\0]")   # in cells joined by NUL (never in a file): a character no plain ASCII number has
_BOM = b"\xef\xbb\xbf"
MAX_LISTED = 20


class Problems:
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


def scan_file(path: Path) -> dict:
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
                _check_text(path, chunk, decoder, line)
                b = np.frombuffer(chunk, dtype=np.uint8)
                newline_at = np.flatnonzero(b == 10)
                ends, comma_at, parity = _outside_quotes(b, chunk, newline_at, parity)
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
    scan["header"] = int(np.flatnonzero(~scan["blank"])[0])
    scan["header_fields"] = _header_fields(path, first, scan["header"], scan["start"])
    return scan


def _check_text(path: Path, chunk: bytes, decoder, line: int) -> None:
    """A piece of the file is UTF-8 (continuing the pieces before it) without NUL bytes; `line`: its first line."""
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
    nul = chunk.find(b"\0")
    if nul >= 0:
        at = line + chunk.count(b"\n", 0, nul)
        raise InputError(f"{path}: line {at}: a NUL byte; expected text "
                         "(a binary file, or a UTF-16 export? save it as 'CSV UTF-8')")


def _outside_quotes(b: np.ndarray, chunk: bytes, newline_at: np.ndarray, parity: int) -> tuple:
    """(the newlines that end a record, the commas that separate fields, the quote parity after the piece): those
    outside double quotes, given the parity before the piece."""
    comma_at = np.flatnonzero(b == 44)
    if not parity and b'"' not in chunk:
        return newline_at, comma_at, parity
    quote_at = np.flatnonzero(b == 34)
    inside = np.zeros(len(b) + 1, dtype=np.int8)
    inside[0] = parity
    inside[quote_at + 1] = 1
    inside = (np.cumsum(inside, dtype=np.int64)[:-1] + 0) & 1   # parity before each byte (+ the quote itself)
    return (newline_at[inside[newline_at] == 0], comma_at[inside[comma_at] == 0], (parity + len(quote_at)) & 1)


def _header_fields(path: Path, first: bytes, header: int, start: np.ndarray) -> list[str]:
    """The fields of the header, record `header` of the file's first bytes `first`."""
    text = first.decode("utf-8", errors="replace").lstrip(_BOM.decode())
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for _ in range(header + 1):
            header_fields = next(reader)
    except (csv.Error, StopIteration):
        raise InputError(f"{path}: line {start[header]}: the header is not a CSV line; expected "
                         f"{','.join(REQUIRED)}") from None
    return header_fields


def suggest(word: str, choices, n: int = 1) -> str:
    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def check_header(fields: list[str], problems: Problems, line: int = 1) -> list[str]:
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


class Distinct:
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


def first_characters(heads: np.ndarray) -> np.ndarray:
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


class Text:
    """A text column that may hold a different value on every line (source, notes), read as the first four
    bytes of each cell (`heads`: pandas makes no string of them). They give each cell's first character after
    its leading spaces, which settles the checks for most cells; the cells starting with = + - @ (a formula,
    or a number?) or with nothing but spaces in their first bytes (blank?) are read in full (`reread(rows)`
    gives their text)."""

    def __init__(self, heads: np.ndarray, reread):
        first = first_characters(heads)
        spaced = np.flatnonzero(np.char.isspace(first))          # the spaces of str.strip
        first[spaced] = [bytes(h).decode("utf-8", "ignore").lstrip()[:1] for h in heads[spaced]]  # '': not in the head
        closer = np.flatnonzero(np.isin(first, _FORMULA_START))
        closer = np.union1d(closer, spaced[first[spaced] == ""])
        stripped = [t.strip() for t in reread(closer)] if len(closer) else []
        first[closer] = [t[:1] for t in stripped]
        self.first = first                  # each cell's first character after its leading spaces ('' when blank)
        self.formula = np.zeros(len(first), dtype=bool)     # would a spreadsheet run the cell as a formula?
        self.formula[closer] = _formula_flags(stripped)


class ReadTwiceDiffers(Exception):
    """Records read again (`Reread`) differ from the first reading."""


class Reread:
    """Reads some records of the file again, in full, by the byte ranges the scan found (with the same
    pandas reader): the text of cells whose first bytes only were read, for the rows of the result and the
    cells `Text` has to look at."""

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
            same = len(df) == len(begin) and np.array_equal(to_floats(df[usecols[0]].to_numpy(dtype=object)), values,
                                                            equal_nan=True)
        except (ValueError, pd.errors.ParserError):
            same = False
        if not same:
            raise ReadTwiceDiffers
        return {c: df[i].to_numpy(dtype=object) for c, i in zip(columns, usecols[1:])}


def to_floats(cells: np.ndarray) -> np.ndarray:
    """`_to_float` of every cell (spaces around it ignored). When every cell holds only ASCII digits, '.', '+'
    and '-' (the usual case), float() accepts exactly the texts `_NUMBER` accepts: one numpy cast reads them."""
    if _NOT_PLAIN.search("\0".join(cells)):
        cells = stripped(cells)              # perhaps only spaces around the numbers
    if not _NOT_PLAIN.search("\0".join(cells)):
        try:
            return cells.astype(float)          # float() of each cell
        except ValueError:                      # an empty cell, '1.2.3', '+': one by one below
            pass
    return np.array([_to_float(t) for t in cells], dtype=float)


def stripped(cells: np.ndarray) -> np.ndarray:
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
