"""The checks of every data row of a file of actuals (`RowChecker`, a piece of the file at a time: region, indicator,
unit, year, value, source, bound, text a spreadsheet would run) and of the (region, indicator, year) given twice."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..core import paths
from .actuals_csv import (
    BOUNDS,
    MAX_LISTED,
    MAX_VALUE,
    MIN_YEAR,
    NON_NEGATIVE,
    REQUIRED,
    Distinct,
    Problems,
    Reread,
    Text,
    region_names,
    suggest,
    to_floats,
)

_YEAR = re.compile(r"\d{4}")
LOW_CARDINALITY = ("region", "indicator", "unit", "bound")   # columns read as categories (few values)
FEW_VALUES = (*LOW_CARDINALITY, "year")   # columns checked per distinct value (Distinct)
# how the first reading reads each column: value and year as text, source and every other column as the first
# four bytes of each cell ("S4", see Text)
READ_AS = {**dict.fromkeys(LOW_CARDINALITY, "category"), "year": object, "value": object}


class RowChecker:
    """The checks of every data row, applied to a piece of the file at a time (`check`): once per distinct value
    for the columns of few values (results for values seen in earlier pieces are reused), on whole columns for
    value, source and the other text columns."""

    def __init__(self, names, vocab, regions, this_year, problems: Problems, reread: Reread):
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
        col = {name: Distinct(df[name]) for name in self.names if name in FEW_VALUES}
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
             f"{cell('region', i)!r}{suggest(cell('region', i), self.region_of)} Expected one of: {self.known_regions} "
             "(new regions go into data/raw/reference/regions.csv)", 0)
        indicator = col["indicator"].text()
        expected_unit = col["indicator"].map(self.unit_of.get)
        measure = col["indicator"].map(self.measure_of.get)
        known_ind = col["indicator"].map(lambda c: pd.notna(self.unit_of.get(c)), bool)

        def is_measure(*kinds) -> np.ndarray:
            return col["indicator"].map(lambda c: self.measure_of.get(c) in kinds, bool)

        def unknown_indicator(i):
            c = indicator[i]
            hint = f"; {c!r} is the name of {self.by_name[c]!r}, give the id" if c in self.by_name else suggest(c, self.vocab.index)
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
        value = self._values(df, fail, is_measure, measure)
        bound = self._texts(df, col, fail, begin, end, value)
        rows = np.flatnonzero(ok)
        region_number = col["region"].map(lambda c: self.region_number.get(region_of(c), -1), np.int64)
        indicator_number = col["indicator"].map(lambda c: self.indicator_number.get(c, -1), np.int64)
        key = ((region_number * len(self.indicator_number) + indicator_number) * 10000 + year)[rows]  # (region, indicator, year)
        out = {"region": region[rows], "indicator_id": indicator[rows], "unit": unit[rows], "year": year[rows],
               "value": value[rows], "bound": bound[rows], "line": line[rows].astype(np.int64), "key": key,
               "begin": begin[rows], "end": end[rows]}
        # repeated keys within the piece: a different value or bound is an error (a repeat that agrees is dropped
        # once every piece is read and its source is known to be the same as the first's)
        check_duplicates(problems, first_of_key(key), out)
        return out


    def _values(self, df: pd.DataFrame, fail, is_measure, measure: np.ndarray) -> np.ndarray:
        """The `value` column as floats, each cell checked: a plain number, not too large, within its measure's
        range (`fail`: check's marking of bad rows; `is_measure(*kinds)`: the rows of those measures)."""
        n = len(df)
        cells = df["value"].to_numpy(dtype=object)
        value = to_floats(cells)
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

        return value

    def _texts(self, df: pd.DataFrame, col: dict, fail, begin: np.ndarray, end: np.ndarray,
               value: np.ndarray) -> np.ndarray:
        """The text columns checked (a source given, no formula a spreadsheet would run, a known bound); returns
        the bound of each row."""
        n = len(df)
        def reread(name):
            return lambda rows: self.reread.cells(begin[rows], end[rows], [name], value[rows])[name]
        text = {name: Text(df[name].to_numpy(), reread(name)) for name in ("source", *self.extras)}
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
        return bound

def first_of_key(key: np.ndarray) -> np.ndarray:
    """For every row, the position of the first row with the same key (itself when it is the first)."""
    _, first_at, which = np.unique(key, return_index=True, return_inverse=True)   # return_index: first occurrences
    return first_at[which]


def check_duplicates(problems: Problems, first: np.ndarray, cols: dict) -> np.ndarray:
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


def merged_sources(first: np.ndarray, unique: np.ndarray, source: np.ndarray) -> np.ndarray:
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
