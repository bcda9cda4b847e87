"""Every file of data/raw/reference/ against its schema and against each other: `check_all(vocab)`, which every build
runs first (analysis.pipeline.build), with the strictness of sources.yml: each problem is one line naming the file,
the line or field and what was expected. The files and what they hold: reference.py."""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from pathlib import Path

import pandas as pd

from ..core import paths
from ..core.errors import InputError
from ..core.fileio import load_yaml, read_csv_table
from .panels import PANEL_COLUMNS
from .panels import load_panel as load_provincial_panel
from .reference import (
    LINKS,
    MAX_YEAR,
    METRICS_JUDGED,
    MIN_YEAR,
    PARAMETERS,
    REFERENCE_COLUMNS,
    REFERENCES,
    REGION_LEVELS,
    THRESHOLDS,
    check_thresholds_file,
    load_links,
    load_references,
    load_regions,
    load_rules,
    matching_references,
    shortened,
)

PROVENANCE = paths.REFERENCE / "provenance.yml"
RATE_UNITS = ("pp_per_year", "cagr_percent", "")
# the unit text of a panel row, by the measure of its indicator (indicators.csv)
PANEL_UNITS = {"share": re.compile(r"% of GDP|%"), "count_stock": re.compile(r"[a-z ]+ \(stock[^()]*\)"),
               "count_flow": re.compile(r"[a-z ]+ per year"), "level": re.compile(r"\S.*"),
               "growth_rate": re.compile(r"%/yr|pp/yr")}


def check_all(vocab: pd.DataFrame, read_by_code: tuple[str, ...] = PARAMETERS) -> None:
    """Check every file of data/raw/reference/ against its schema and against each other (`vocab`: indicators.csv;
    `read_by_code`: the parameters of thresholds.yml the code reads, check_thresholds_file); InputError listing
    every problem found, one line each (file, line or field, what was expected)."""
    problems = []

    def attempt(check, *args):
        try:
            return check(*args)
        except InputError as exc:
            problems.append(str(exc))
            return None

    attempt(check_provenance)
    refs = attempt(load_references)
    if refs is not None:
        attempt(check_references, refs)
    attempt(load_regions)
    attempt(load_links_checked, vocab)
    panel = attempt(check_panel, paths.REGIONAL_PANEL, vocab)
    attempt(load_provincial_panel)
    if refs is not None:
        th = attempt(check_thresholds_file, THRESHOLDS, read_by_code)
        if th is not None:
            attempt(check_rules_against_data, load_rules(), refs, panel, vocab)
    if problems:
        shown = problems[:20]
        more = f"\n({len(problems) - 20} more)" if len(problems) > 20 else ""
        raise InputError(f"{len(problems)} problem(s) in {paths.REFERENCE.relative_to(paths.ROOT)}/:\n" + "\n".join(shown) + more)


def check_provenance(path: Path = PROVENANCE) -> None:
    """provenance.yml: a list of {file, sha256, received, notes}; each file's bytes still have that sha256 (an edit
    is a deliberate new version: the file, its sha256 and `received` change together)."""
    path = Path(path)
    entries = load_yaml(path, "a YAML list of {file, sha256, received, notes}")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: expected a list of entries (- file: …, sha256: …, received: …, notes: …)")
    for i, e in enumerate(entries, 1):
        if not isinstance(e, dict) or sorted(e) != ["file", "notes", "received", "sha256"]:
            raise InputError(f"{path}: entry {i} is {shortened(e)}; expected a mapping with exactly file, sha256, received, notes")
        file = path.parent / str(e["file"])
        inside = file.resolve().is_relative_to(path.parent.resolve()) and not Path(str(e["file"])).is_absolute()
        if not inside or not file.is_file():
            raise InputError(f"{path}: entry {i} field 'file' is {shortened(e['file'])}; expected a file of {path.parent.name}/")
        if not isinstance(e["sha256"], str) or not re.fullmatch(r"[0-9a-f]{64}", e["sha256"]):
            raise InputError(f"{path}: entry {i} field 'sha256' is {shortened(e['sha256'])}; expected 64 lower-case hex digits")
        found = hashlib.sha256(file.read_bytes()).hexdigest()
        if found != e["sha256"]:
            raise InputError(f"{file}: changed (sha256 {found}) without its provenance: {path.name} entry {i} gives "
                             f"{e['sha256']}; expected the file as received, or a new version: update its sha256 and "
                             "`received` (and say what changed in its notes)")


def _number_problem(value: str, *, whole: bool = False, lo: float | None = None, hi: float | None = None) -> str | None:
    """Why a CSV cell is not the number expected (None when it is)."""
    try:
        f = float(value)
    except ValueError:
        return "not a number"
    if not math.isfinite(f):
        return "not a finite number"
    if whole and not re.fullmatch(r"-?\d+", value.strip()):
        return "not a whole number"
    if lo is not None and f < lo:
        return f"below {lo:g}"
    if hi is not None and f > hi:
        return f"above {hi:g}"
    return None


def _cell(value: str) -> str:
    """A cell for a message: its repr, cut to 60 characters (a 100,000-character cell is not echoed whole)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…' (" + f"{len(value)} characters)"


def check_references(refs: pd.DataFrame, path: Path = REFERENCES) -> None:
    """growth_references.csv: years whole numbers in range, values and rates finite numbers, a known rate unit."""
    raw = read_csv_table(path, REFERENCE_COLUMNS)
    for i, row in enumerate(raw.itertuples(index=False), start=2):
        for col, rule in (("start_year", dict(whole=True, lo=1900, hi=MAX_YEAR)), ("end_year", dict(whole=True, lo=1900, hi=MAX_YEAR)),
                          ("start_value", {}), ("end_value", {}), ("annual_rate", {})):
            value = getattr(row, col)
            why = value != "" and _number_problem(value, **rule)
            if why:
                raise InputError(f"{path}: line {i} field {col!r} is {_cell(value)}: {why}; expected "
                                 + ("a year" if "year" in col else "a finite number") + " or an empty cell")
        if row.rate_unit not in RATE_UNITS:
            raise InputError(f"{path}: line {i} field 'rate_unit' is {_cell(row.rate_unit)}; expected one of {RATE_UNITS[:2]} or empty")
        if row.start_year and row.end_year and not int(row.start_year) < int(row.end_year) <= MAX_YEAR:
            raise InputError(f"{path}: line {i}: start_year {row.start_year} is not before end_year {row.end_year}")
        if row.annual_rate and not row.rate_unit:
            raise InputError(f"{path}: line {i} field 'rate_unit' is empty; expected the unit of annual_rate {row.annual_rate}")


def load_links_checked(vocab: pd.DataFrame, path: Path = LINKS) -> pd.DataFrame:
    """indicator_links.csv, each indicator a known one (indicators.csv), no link of an indicator to itself, none twice."""
    df = load_links(path)
    for i, row in enumerate(df.itertuples(index=False), start=2):
        for col in ("indicator_id", "of_indicator_id"):
            if getattr(row, col) not in vocab.index:
                raise InputError(f"{path}: line {i} field {col!r} is {_cell(getattr(row, col))}; expected an indicator_id "
                                 f"of {paths.INDICATORS.name}")
        if row.indicator_id == row.of_indicator_id:
            raise InputError(f"{path}: line {i}: links {row.indicator_id} to itself; expected two different indicators")
    dup = df.duplicated(["relation", "indicator_id", "of_indicator_id"])
    if dup.any():
        raise InputError(f"{path}: line {int(dup.to_numpy().argmax()) + 2}: the same link appears twice")
    return df


def _check_filled(row, where: str) -> None:
    """The cells a panel row needs: filled, without spaces around them."""
    for col in ("region", "region_level", "indicator", "unit", "year", "value", "title", "quote"):
        value = getattr(row, col)
        if not value.strip() or value != value.strip():
            raise InputError(f"{where} field {col!r} is {_cell(value)}; expected "
                             + ("text without spaces around it" if value.strip() else "a value (the cell is empty)"))


def check_panel(path: Path = paths.REGIONAL_PANEL, vocab: pd.DataFrame | None = None) -> pd.DataFrame:
    """regional_panel.csv: the columns, at least one row; a known level; a year (a whole number from 1949 to this
    year); a value that is a finite number, not negative (and at most 100 for a share, whole for a count); an
    indicator of indicators.csv with a unit of its measure; one value per series and year. Returns the rows as text."""
    path = Path(path)
    df = read_csv_table(path, PANEL_COLUMNS, exact=True)
    if df.empty:
        raise InputError(f"{path}: no rows; expected the cited yearly values the peer windows are computed from")
    this_year = dt.date.today().year
    for i, row in enumerate(df.itertuples(index=False), start=2):
        where = f"{path}: line {i}"
        _check_filled(row, where)
        if row.region_level not in REGION_LEVELS:
            raise InputError(f"{where} field 'region_level' is {_cell(row.region_level)}; expected one of {REGION_LEVELS}")
        why = _number_problem(row.year, whole=True, lo=MIN_YEAR, hi=this_year)
        if why:
            raise InputError(f"{where} field 'year' is {_cell(row.year)}: {why}; expected a year, a whole number from "
                             f"{MIN_YEAR} to {this_year}")
        measure = vocab.at[row.indicator, "measure"] if vocab is not None and row.indicator in vocab.index else None
        if vocab is not None and measure is None:
            raise InputError(f"{where} field 'indicator' is {_cell(row.indicator)}; expected an indicator_id of "
                             f"{paths.INDICATORS.name}")
        why = _number_problem(row.value, lo=0, hi=100 if measure == "share" else None,
                              whole=measure in ("count_stock", "count_flow"))
        if why:
            kind = {"share": "a share in % (0 to 100)", "count_stock": "a count (a whole number, 0 or more)",
                    "count_flow": "a count (a whole number, 0 or more)"}.get(measure, "a finite number, 0 or more")
            raise InputError(f"{where} field 'value' is {_cell(row.value)}: {why}; expected {kind}")
        if measure is not None and not PANEL_UNITS[measure].fullmatch(row.unit):
            raise InputError(f"{where} field 'unit' is {_cell(row.unit)}; expected a unit of the {measure} "
                             f"{row.indicator} (pattern {PANEL_UNITS[measure].pattern!r})")
    key = ["region", "indicator", "title", "year"]
    dup = df.duplicated(key)
    if dup.any():
        i = int(dup.to_numpy().argmax())
        raise InputError(f"{path}: line {i + 2}: {df['region'].iloc[i]} {df['indicator'].iloc[i]} {df['year'].iloc[i]} "
                         f"appears twice in the table {_cell(df['title'].iloc[i])}; expected one value per series and year")
    return df


def check_rules_against_data(rules: dict, refs: pd.DataFrame, panel: pd.DataFrame | None, vocab: pd.DataFrame,
                             path: Path = THRESHOLDS) -> None:
    """thresholds.yml's rule sections against the data they name: ceilings, proxies and national series of known
    indicators; national-series selectors that match reference rows; breaks of series in the panel; excluded marks
    that leave every indicator with usable panel rows some windows."""
    for key in rules["ceilings"]:
        if key not in METRICS_JUDGED and key not in vocab.index:
            raise InputError(f"{path}: ceilings {key!r}: not a metric ({', '.join(METRICS_JUDGED)}) nor an indicator_id "
                             f"of {paths.INDICATORS.name}")
    for indicator, selectors in rules["national_series"].items():
        if indicator not in vocab.index:
            raise InputError(f"{path}: national_series {indicator!r}: not an indicator_id of {paths.INDICATORS.name}")
        for k, selector in enumerate(selectors, 1):
            where = f"{path}: national_series {indicator!r} [{k}]"
            if not matching_references(refs, selector, where).any():
                raise InputError(f"{where}: {selector} matches no row of {REFERENCES.name}; expected a selector of existing rows")
    peers = rules["peers"]
    if panel is None:
        return
    series = set(zip(panel["region"], panel["indicator"]))
    for indicator, proxy in (peers.get("proxies") or {}).items():
        for name in (indicator, proxy):
            if name not in vocab.index:
                raise InputError(f"{path}: peers.proxies {indicator!r}: {name!r} is not an indicator_id of {paths.INDICATORS.name}")
        if proxy not in set(panel["indicator"]):
            raise InputError(f"{path}: peers.proxies {indicator!r}: {proxy!r} has no row in {paths.REGIONAL_PANEL.name}; expected an "
                             "indicator whose windows can stand in")
    for k, b in enumerate(peers.get("breaks", []), 1):
        where = f"{path}: peers.breaks[{k}]"
        if "region" not in b:
            continue                     # a break of every region's series (the provincial panel's bulletins)
        if (b["region"], b["indicator"]) not in series:
            raise InputError(f"{where}: {paths.REGIONAL_PANEL.name} has no series of region {b['region']!r} and indicator "
                             f"{b['indicator']!r}; expected a break of a series in the panel")
        rows = panel[(panel["region"] == b["region"]) & (panel["indicator"] == b["indicator"])]
        if not rows["title"].str.contains(b["title_contains"], regex=False).any():
            raise InputError(f"{where} field 'title_contains' {b['title_contains']!r} is in no title of {b['region']} "
                             f"{b['indicator']} in {paths.REGIONAL_PANEL.name}")
    usable = panel[panel["source_url"].str.strip() != ""]
    for mark in peers.get("excluded_marks", []):
        hit = usable["notes"].str.contains(mark, regex=False)
        for indicator, rows in hit.groupby(usable["indicator"]):
            if rows.all():
                raise InputError(f"{path}: peers.excluded_marks {mark!r} is in the notes of every row of {indicator} in "
                                 f"{paths.REGIONAL_PANEL.name} ({len(rows)}): it would remove every peer judgement of it; expected a "
                                 "mark that only some rows carry")
