"""Reference rates and the plausibility thresholds built on them (data/raw/reference/).

    growth_references.csv   cited historical paces (a fact table kept as received; provenance.yml)
    regional_panel.csv      cited yearly values of sub-national units: the peer windows (analysis.derive.peers)
    thresholds.yml          the flag parameters (each names the reference row it rests on and why) and the
                            rules' data: ceilings, peer levels and proxies, each indicator's national series
    indicator_links.csv     which indicator is the stated growth rate / a part / the yearly flow of another
    regions.csv             which region lies inside which (district → city), for escalation across levels
    provincial_panel.csv    province (and city) annual panels (analysis.inputs.panels checks it)
    provenance.yml          where each table came from, with its sha256

`load_thresholds(overrides)` is what notebooks pass their `thresholds` parameter to. `check_all()` (every build
runs it first) checks every file against its schema with the strictness of sources.yml: each problem is one line
naming the file, the line or field and what was expected.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from numbers import Real
from pathlib import Path

import pandas as pd

from ..core import paths
from ..core.errors import InputError
from ..core.fileio import load_yaml, read_csv_table
from .panels import load_panel as load_provincial_panel

REFERENCES = paths.REFERENCE / "growth_references.csv"
THRESHOLDS = paths.REFERENCE / "thresholds.yml"
LINKS = paths.REFERENCE / "indicator_links.csv"
REGIONS = paths.REFERENCE / "regions.csv"
PANEL = paths.REFERENCE / "regional_panel.csv"
PROVENANCE = paths.REFERENCE / "provenance.yml"
THRESHOLDS_VERSION = 2         # the version of thresholds.yml this code reads
MIN_YEAR, MAX_YEAR = 1949, 2100   # a statistic's year (PRC statistics) / the latest year a reference may name
REGION_LEVELS = ("district", "city", "province", "country")      # from the smallest to the largest
# the parameters read by name outside the rules (progress, trajectories); each rule lists its own (Rule.parameters,
# analysis/derive/rules/), and the build passes both to check_all. A parameter only a `ceilings` entry names is data.
PARAMETERS = ("logistic_min_share", "progress_ratio_on_track", "progress_ratio_acceleration_needed",
              "progress_ratio_limited_progress", "progress_trend_on_track_cagr", "progress_trend_acceleration_cagr",
              "progress_limit_exponent", "progress_max_years_after_target", "progress_max_base_lag_years",
              "progress_max_interpolation_years")

REFERENCE_COLUMNS = ["topic", "region", "indicator", "unit", "start_year", "start_value", "end_year", "end_value",
                     "annual_rate", "rate_unit", "source_title", "source_url", "quote_or_series", "note"]
PARAM_KEYS = {"unit", "min", "max", "value", "from_reference", "reference", "label", "justification", "label_zh",
              "justification_zh"}
TEXT_KEYS = ("label", "justification", "label_zh", "justification_zh")   # the words of a parameter, in en and zh
SELECTOR_KEYS = {"topic", "region", "start_year", "end_year", "indicator"}
RULE_SECTIONS = ("parameters", "ceilings", "peers", "national_series")
OPTIONAL_SECTIONS = ("near_synonyms",)     # a rule's data that a file may leave out (then: empty)
TOP_KEYS = ("version",) + RULE_SECTIONS + OPTIONAL_SECTIONS
PEER_KEYS = {"levels": "a mapping {level: [levels]}", "excluded_marks": "a list of texts",
             "breaks": "a list of {region (optional: every region), indicator, title_contains, after_year, reason}",
             "excluded_series": "a list of {indicator, title_contains, reason}",
             "proxies": "a mapping {indicator id: indicator id}"}
BREAK_KEYS = ("region", "indicator", "title_contains", "after_year", "reason")
RATE_UNITS = ("pp_per_year", "cagr_percent", "")
PANEL_COLUMNS = ["region", "region_level", "province", "indicator", "unit", "year", "value", "source_url", "publisher",
                 "title", "quote", "notes"]
# the unit text of a panel row, by the measure of its indicator (indicators.csv)
PANEL_UNITS = {"share": re.compile(r"% of GDP|%"), "count_stock": re.compile(r"[a-z ]+ \(stock[^()]*\)"),
               "count_flow": re.compile(r"[a-z ]+ per year"), "level": re.compile(r"\S.*"),
               "growth_rate": re.compile(r"%/yr|pp/yr")}
METRICS_JUDGED = ("cagr", "pp_per_year")
LINK_RELATIONS = ("rate_of", "part_of", "flow_of", "period_flow_of")
THRESHOLD_COLUMNS = ["name", "value", "default", "overridden", "unit", "min", "max", "label", "reference",
                     "ref_start_year", "ref_start_value", "ref_end_year", "ref_end_value", "ref_rate", "ref_rate_unit",
                     "source_title", "source_url", "justification", "label_zh", "justification_zh"]


def load_references(path: Path = REFERENCES) -> pd.DataFrame:
    """growth_references.csv with a `line` column (its line in the file, for citation)."""
    path = Path(path)
    read_csv_table(path, REFERENCE_COLUMNS)          # UTF-8, rectangular, the columns: or an error naming the line
    df = pd.read_csv(path, dtype={"topic": str, "region": str, "indicator": str}, keep_default_na=False,
                     na_values=[""])
    df.insert(0, "line", range(2, len(df) + 2))
    return df


def matching_references(refs: pd.DataFrame, selector: dict, where: str) -> pd.Series:
    """Which rows of growth_references.csv a selector ({topic, region, start_year, end_year, indicator text})
    picks; an unknown key raises InputError naming `where`."""
    unknown = set(selector) - SELECTOR_KEYS
    if unknown:
        raise InputError(f"{where}: unknown reference key(s) {sorted(unknown)}; expected some of {sorted(SELECTOR_KEYS)}")
    mask = pd.Series(True, index=refs.index)
    for key, want in selector.items():
        if key == "indicator":
            mask &= refs["indicator"].str.contains(str(want), regex=False)
        elif key in ("start_year", "end_year"):
            mask &= refs[key] == float(want)
        else:
            mask &= refs[key] == str(want)
    return mask


def _select_reference(refs: pd.DataFrame, selector: dict, where: str) -> pd.Series:
    hits = refs[matching_references(refs, selector, where)]
    if len(hits) != 1:
        raise InputError(f"{where}: reference {selector} matches {len(hits)} rows of {REFERENCES.name}; expected exactly one "
                         "(add `indicator` text or years to narrow it)")
    return hits.iloc[0]


def _fmt_rate(rate: float, unit: str) -> str:
    return f"{rate:g} {'pp/yr' if unit == 'pp_per_year' else '%/yr'}"


def _reference_text(row: pd.Series | None, name: str) -> str:
    if row is None:
        return f"{THRESHOLDS.name}: {name} (a judgement; see its justification)"
    years = f", {int(row.start_year)}–{int(row.end_year)}" if pd.notna(row.start_year) and pd.notna(row.end_year) else ""
    rate = f": {_fmt_rate(row.annual_rate, row.rate_unit)}" if pd.notna(row.annual_rate) else ""
    return f"{REFERENCES.name} line {row.line} ({row.topic}, {row.region}{years}{rate}); {str(row.source_url).split(' | ')[0]}"


def _read_yaml(path: Path) -> dict:
    doc = load_yaml(path, f"a YAML file with the mappings {', '.join(RULE_SECTIONS)}") or {}
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a mapping with the sections {', '.join(RULE_SECTIONS)}")
    unknown = [k for k in doc if k not in TOP_KEYS]
    if unknown:
        raise InputError(f"{path}: unknown section {_short(unknown[0])}; expected the sections {', '.join(TOP_KEYS)}")
    version = doc.get("version", THRESHOLDS_VERSION)   # required of the project's file (check_thresholds_file)
    if isinstance(version, bool) or not isinstance(version, int):
        raise InputError(f"{path}: field 'version' is {_short(version)}; expected the whole number {THRESHOLDS_VERSION}")
    if version != THRESHOLDS_VERSION:
        newer = "newer than" if version > THRESHOLDS_VERSION else "older than"
        raise InputError(f"{path}: field 'version' is {version}, {newer} the version this code reads; expected "
                         f"{THRESHOLDS_VERSION} (update the code with the file, or use the file of this code's version)")
    for key in RULE_SECTIONS:
        if not isinstance(doc.get(key), dict):
            raise InputError(f"{path}: expected a mapping `{key}` (sections: {', '.join(RULE_SECTIONS)})")
    return doc


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _as_finite(value) -> tuple[float, str | None]:
    """(value as float, None), or (nan, why): 'not a number' for text and booleans, 'not a finite number' for
    infinities and integers too large for a float (hundreds of digits)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return math.nan, "not a number"
    try:
        f = float(value)
    except OverflowError:
        return math.nan, "not a finite number"
    return (f, None) if math.isfinite(f) else (math.nan, "not a finite number")


def _check_value(name: str, value, lo: float, hi: float, unit: str, where: str) -> float:
    expected = f"a number in [{lo:g}, {hi:g}] {unit}"
    f, why = _as_finite(value)
    if why:
        raise InputError(f"{where}: threshold {name!r} = {_short(value)} is {why}; expected {expected}")
    if not lo <= f <= hi:
        raise InputError(f"{where}: threshold {name!r} = {_short(value)} is out of range; expected {expected}")
    return f


def _bound(spec: dict, key: str, where: str) -> float:
    """A parameter's `min` or `max`: a finite number."""
    value = spec[key]
    f, why = _as_finite(value)
    if why == "not a number":
        raise InputError(f"{where}: key {key!r} is {_short(value)}, not a number; expected a number")
    if why:
        raise InputError(f"{where}: key {key!r} = {_short(value)} is {why}; expected a number")
    return f


def load_thresholds(overrides: dict | None = None, path: Path = THRESHOLDS, references: Path = REFERENCES) -> pd.DataFrame:
    """One row per rule parameter (name, value, unit, the reference it rests on, source_url, justification...).

    `overrides` maps parameter names to values (a notebook's `thresholds` parameter). An unknown name, a value
    that is not a number or one outside the parameter's [min, max] raises InputError naming the parameter."""
    path = Path(path)
    doc = _read_yaml(path)
    refs = load_references(references)
    rows = []
    for name, spec in doc["parameters"].items():
        where = f"{path}: parameter {name!r}"
        if not isinstance(spec, dict):
            raise InputError(f"{where}: expected a mapping with keys {sorted(PARAM_KEYS)}")
        unknown = set(spec) - PARAM_KEYS
        if unknown:
            raise InputError(f"{where}: unknown key(s) {sorted(unknown)}; expected some of {sorted(PARAM_KEYS)}")
        for key in ("unit", "min", "max") + TEXT_KEYS:
            if key not in spec:
                raise InputError(f"{where}: key {key!r} is missing")
        lo, hi = _bound(spec, "min", where), _bound(spec, "max", where)
        if lo > hi:
            raise InputError(f"{where}: min {lo:g} exceeds max {hi:g}; expected min <= max")
        for key in ("unit",) + TEXT_KEYS:
            if not isinstance(spec[key], str):
                raise InputError(f"{where}: key {key!r} is {_short(spec[key])}; expected text")
        row = _select_reference(refs, spec["reference"], where) if spec.get("reference") else None
        if spec.get("from_reference"):
            if row is None or pd.isna(row.annual_rate):
                raise InputError(f"{where}: from_reference needs a `reference` row with an annual_rate")
            if "value" in spec:
                raise InputError(f"{where}: give either `value` or `from_reference`, not both")
            default = float(row.annual_rate)
        elif "value" in spec:
            default = spec["value"]
        else:
            raise InputError(f"{where}: give `value` or `from_reference: true`")
        default = _check_value(name, default, lo, hi, spec["unit"], str(path))
        rows.append({
            "name": name, "value": default, "default": default, "overridden": False, "unit": spec["unit"],
            "min": lo, "max": hi, "label": spec["label"].strip(),
            "reference": _reference_text(row, name),
            "ref_start_year": None if row is None else row.start_year,
            "ref_start_value": None if row is None else row.start_value,
            "ref_end_year": None if row is None else row.end_year,
            "ref_end_value": None if row is None else row.end_value,
            "ref_rate": None if row is None else row.annual_rate,
            "ref_rate_unit": None if row is None else row.rate_unit,
            "source_title": None if row is None else row.source_title,
            "source_url": None if row is None else row.source_url,
            "justification": " ".join(str(spec["justification"]).split()),
            "label_zh": spec["label_zh"].strip(), "justification_zh": spec["justification_zh"].strip(),
        })
    th = pd.DataFrame(rows, columns=THRESHOLD_COLUMNS).set_index("name", drop=False)
    if overrides is not None and not isinstance(overrides, dict):
        raise InputError(f"threshold overrides are {_short(overrides)}; expected a mapping {{parameter name: number}}")
    for name, value in (overrides or {}).items():
        if name not in th.index:
            raise InputError(f"threshold override {name!r}: unknown parameter; expected one of {', '.join(th.index)}")
        p = th.loc[name]
        th.loc[name, "value"] = _check_value(name, value, p["min"], p["max"], p["unit"], "threshold override")
        th.loc[name, "overridden"] = th.loc[name, "value"] != p["default"]
    _check_rules(load_rules(path), th, path)
    return th


def load_rules(path: Path = THRESHOLDS) -> dict:
    """The rule sections of thresholds.yml (`ceilings`, `peers`, `national_series`; see the file's header)."""
    doc = _read_yaml(path)
    rules = {k: doc[k] for k in RULE_SECTIONS if k != "parameters"}
    rules["near_synonyms"] = _near_synonyms(doc.get("near_synonyms"), path)
    return rules


def _near_synonyms(section, path: Path) -> dict:
    """`near_synonyms`: {"qualifiers": [[qualifier, …], …]}, groups of two or more qualifiers that name the same
    category (analysis/derive/rules/near_synonyms_far_apart.py); a qualifier in one group only."""
    if section is None:
        return {"qualifiers": []}
    groups = section.get("qualifiers") if isinstance(section, dict) else None
    if not isinstance(groups, list):
        raise InputError(f"{path}: near_synonyms: expected a mapping with `qualifiers`, a list of lists of qualifiers")
    seen: set[str] = set()
    for i, g in enumerate(groups, start=1):
        if not isinstance(g, list) or len(g) < 2 or not all(isinstance(q, str) and q.strip() for q in g):
            raise InputError(f"{path}: near_synonyms.qualifiers group {i} is {_short(g)}; expected a list of two or "
                             "more qualifiers (text)")
        twice = seen & set(g)
        if twice:
            raise InputError(f"{path}: near_synonyms.qualifiers group {i}: {sorted(twice)} already in an earlier "
                             "group; expected each qualifier in one group")
        seen |= set(g)
    return {"qualifiers": [list(g) for g in groups]}


def ceiling_for(rules: dict, indicator_id: str, metric: str) -> str | None:
    """The parameter name of the ceiling (alert) judging `indicator_id` measured by `metric`, or None."""
    ceilings = rules["ceilings"]
    return ceilings.get(indicator_id) or ceilings.get(metric)


def check_thresholds_file(path: Path = THRESHOLDS, read_by_code: tuple[str, ...] = PARAMETERS) -> pd.DataFrame:
    """The project's thresholds.yml as the code needs it: its `version` given, every parameter the code reads
    (`read_by_code`: PARAMETERS and the rules' own) there, every other parameter named by a `ceilings` entry
    (load_thresholds checks each parameter and section)."""
    path = Path(path)
    th = load_thresholds(path=path)
    doc = _read_yaml(path)
    if "version" not in doc:
        raise InputError(f"{path}: field 'version' is missing; expected the whole number {THRESHOLDS_VERSION}")
    _check_parameter_names(th, doc, path, read_by_code)
    return th


def _check_parameter_names(th: pd.DataFrame, doc: dict, path: Path, read_by_code: tuple[str, ...]) -> None:
    named = {str(v) for v in doc["ceilings"].values()}
    unknown = [n for n in th.index if n not in read_by_code and n not in named]
    missing = [n for n in read_by_code if n not in th.index]
    problems = [f"{path}: parameters: {n!r} is not a parameter of the rules (a misspelt name?) and no `ceilings` entry "
                "names it; expected a parameter the code reads (a rule's `parameters` in analysis/derive/rules/, or "
                "analysis.inputs.reference.PARAMETERS) or a ceiling's" for n in unknown]
    problems += [f"{path}: parameters: {n!r} is missing; expected every parameter the code reads (a rule's "
                 "`parameters` in analysis/derive/rules/, or analysis.inputs.reference.PARAMETERS)" for n in missing]
    if problems:
        raise InputError("\n".join(problems))


def _check_rules(rules: dict, th: pd.DataFrame, path: Path) -> None:
    for key, name in rules["ceilings"].items():
        if name not in th.index:
            raise InputError(f"{path}: ceilings {key!r}: unknown parameter {name!r}; expected one of {', '.join(th.index)}")
        if pd.isna(th.at[name, "ref_start_year"]) or pd.isna(th.at[name, "ref_end_year"]):
            raise InputError(f"{path}: ceilings {key!r}: parameter {name!r} must take its value from a reference row "
                             "with a window (start_year, end_year)")
        if key not in METRICS_JUDGED and not (isinstance(key, str) and re.fullmatch(r"[a-z][a-z0-9_]*", key)):
            raise InputError(f"{path}: ceilings {_short(key)}: expected a metric ({', '.join(METRICS_JUDGED)}) or an indicator id")
    peers = rules["peers"]
    unknown = [k for k in peers if k not in PEER_KEYS]
    if unknown:
        raise InputError(f"{path}: peers: unknown key {_short(unknown[0])}; expected some of {', '.join(PEER_KEYS)}")
    levels = peers.get("levels", {})
    if not isinstance(levels, dict):
        raise InputError(f"{path}: peers.levels is {_short(levels)}; expected {PEER_KEYS['levels']}")
    for level, allowed in levels.items():
        if level not in REGION_LEVELS:
            raise InputError(f"{path}: peers.levels {_short(level)}: unknown level; expected one of {REGION_LEVELS}")
        if not isinstance(allowed, list) or any(a not in REGION_LEVELS for a in allowed):
            raise InputError(f"{path}: peers.levels {level!r} is {_short(allowed)}; expected a list of levels "
                             f"among {REGION_LEVELS}")
    marks = peers.get("excluded_marks", [])
    if not isinstance(marks, list) or any(not isinstance(m, str) or len(m.strip()) < 2 or m != m.strip() for m in marks):
        raise InputError(f"{path}: peers.excluded_marks is {_short(marks)}; expected a list of marks, each a text of "
                         "at least two characters without spaces around it (a panel row whose notes contain one makes no window)")
    breaks = peers.get("breaks", [])
    if not isinstance(breaks, list):
        raise InputError(f"{path}: peers.breaks is {_short(breaks)}; expected {PEER_KEYS['breaks']}")
    for i, b in enumerate(breaks, 1):
        where = f"{path}: peers.breaks[{i}]"
        if not isinstance(b, dict) or sorted(b) not in (sorted(BREAK_KEYS), sorted(BREAK_KEYS[1:])):
            raise InputError(f"{where} is {_short(b)}; expected a mapping with exactly the keys {', '.join(BREAK_KEYS)} "
                             "(region may be left out: the break holds for every region of the series)")
        for key in [k for k in ("region", "indicator", "title_contains", "reason") if k in b]:
            if not isinstance(b[key], str) or not b[key].strip():
                raise InputError(f"{where} field {key!r} is {_short(b[key])}; expected text")
        if isinstance(b["after_year"], bool) or not isinstance(b["after_year"], int) or not MIN_YEAR <= b["after_year"] <= MAX_YEAR:
            raise InputError(f"{where} field 'after_year' is {_short(b['after_year'])}; expected a year, a whole number "
                             f"from {MIN_YEAR} to {MAX_YEAR}")
    for i, x in enumerate(peers.get("excluded_series", []) or [], 1):
        keys = ("indicator", "title_contains", "reason")
        if not isinstance(x, dict) or sorted(x) != sorted(keys) or any(
                not isinstance(x[k], str) or not x[k].strip() for k in keys):
            raise InputError(f"{path}: peers.excluded_series[{i}] is {_short(x)}; expected a mapping of the texts "
                             f"{', '.join(keys)}")
    proxies = peers.get("proxies", {}) or {}
    if not isinstance(proxies, dict) or any(not isinstance(k, str) or not isinstance(v, str) or k == v for k, v in proxies.items()):
        raise InputError(f"{path}: peers.proxies is {_short(proxies)}; expected {PEER_KEYS['proxies']} (an indicator "
                         "and another indicator whose windows stand in for its own)")
    for indicator, selectors in rules["national_series"].items():
        if not isinstance(selectors, list) or not selectors or not all(isinstance(x, dict) for x in selectors):
            raise InputError(f"{path}: national_series {_short(indicator)} is {_short(selectors)}; expected a list of "
                             f"reference selectors ({', '.join(sorted(SELECTOR_KEYS))})")


def values(th: pd.DataFrame) -> dict:
    """{parameter name: value}."""
    return dict(zip(th["name"], th["value"].astype(float)))


def load_links(path: Path = LINKS) -> pd.DataFrame:
    """indicator_links.csv: relation (rate_of | part_of | flow_of), indicator_id, of_indicator_id, note."""
    path = Path(path)
    expected = ["relation", "indicator_id", "of_indicator_id", "note"]
    df = read_csv_table(path, expected, exact=True)
    for i, row in enumerate(df.itertuples(index=False), start=2):
        if row.relation not in LINK_RELATIONS:
            raise InputError(f"{path}: line {i} field 'relation' is {row.relation!r}; expected one of {LINK_RELATIONS}")
        if not row.indicator_id or not row.of_indicator_id:
            raise InputError(f"{path}: line {i}: indicator_id and of_indicator_id are required")
    return df


def load_regions(path: Path = REGIONS) -> pd.DataFrame:
    """regions.csv: region, region_en, parent, parent_en, level (which region lies inside which). Checked: names
    without spaces around them, each region once, a known level, a parent that is a listed region of a larger
    level (only the country has none) with its English name, and no cycle."""
    path = Path(path)
    expected = ["region", "region_en", "parent", "parent_en", "level"]
    df = read_csv_table(path, expected, exact=True)
    if df.empty:
        raise InputError(f"{path}: no regions; expected one line per region after the header")
    line = dict(zip(df["region"], range(2, len(df) + 2)))
    for i, row in enumerate(df.itertuples(index=False), start=2):
        for col in expected:
            value = getattr(row, col)
            if value != value.strip():
                raise InputError(f"{path}: line {i} field {col!r} is {_short(value)}: spaces around it; expected the "
                                 "name alone (an invisible space makes it another region)")
        if not row.region or not row.region_en:
            raise InputError(f"{path}: line {i}: fields 'region' and 'region_en' are required")
        if row.level not in REGION_LEVELS:
            raise InputError(f"{path}: line {i} ({row.region}) field 'level' is {_short(row.level)}; expected one of {REGION_LEVELS}")
    dup = df["region"][df["region"].duplicated()]
    if len(dup):
        raise InputError(f"{path}: region {dup.iloc[0]!r} appears twice (lines {line[dup.iloc[0]]} and "
                         f"{int(df.index[df['region'] == dup.iloc[0]][-1]) + 2})")
    rank = {lv: k for k, lv in enumerate(REGION_LEVELS)}
    by_name = df.set_index("region")
    for i, row in enumerate(df.itertuples(index=False), start=2):
        where = f"{path}: line {i} ({row.region})"
        if not row.parent:
            if row.level != "country" or row.parent_en:
                raise InputError(f"{where} field 'parent' is empty; expected the region it lies in (only a country has none)")
            continue
        if row.parent == row.region:
            raise InputError(f"{where} field 'parent' is the region itself; expected the larger region it lies in")
        if row.parent not in by_name.index:
            raise InputError(f"{where} field 'parent' is {row.parent!r}, not a region of this file; expected a listed region")
        parent = by_name.loc[row.parent]
        if row.parent_en != parent["region_en"]:
            raise InputError(f"{where} field 'parent_en' is {_short(row.parent_en)}; expected {parent['region_en']!r} "
                             f"(the region_en of {row.parent}, line {line[row.parent]})")
        if rank[parent["level"]] <= rank[row.level]:
            raise InputError(f"{where}: its parent {row.parent} is a {parent['level']}, not larger than a {row.level}; "
                             f"expected a parent of a larger level ({' < '.join(REGION_LEVELS)})")
    return df


# --------------------------------------------------------------------------------------------------
# every reference file against its schema (every build: analysis.pipeline.build)
# --------------------------------------------------------------------------------------------------
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
    panel = attempt(check_panel, PANEL, vocab)
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
            raise InputError(f"{path}: entry {i} is {_short(e)}; expected a mapping with exactly file, sha256, received, notes")
        file = path.parent / str(e["file"])
        inside = file.resolve().is_relative_to(path.parent.resolve()) and not Path(str(e["file"])).is_absolute()
        if not inside or not file.is_file():
            raise InputError(f"{path}: entry {i} field 'file' is {_short(e['file'])}; expected a file of {path.parent.name}/")
        if not isinstance(e["sha256"], str) or not re.fullmatch(r"[0-9a-f]{64}", e["sha256"]):
            raise InputError(f"{path}: entry {i} field 'sha256' is {_short(e['sha256'])}; expected 64 lower-case hex digits")
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


def check_panel(path: Path = PANEL, vocab: pd.DataFrame | None = None) -> pd.DataFrame:
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
        for col in ("region", "region_level", "indicator", "unit", "year", "value", "title", "quote"):
            value = getattr(row, col)
            if not value.strip() or value != value.strip():
                raise InputError(f"{where} field {col!r} is {_cell(value)}; expected "
                                 + ("text without spaces around it" if value.strip() else "a value (the cell is empty)"))
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
            raise InputError(f"{path}: peers.proxies {indicator!r}: {proxy!r} has no row in {PANEL.name}; expected an "
                             "indicator whose windows can stand in")
    for k, b in enumerate(peers.get("breaks", []), 1):
        where = f"{path}: peers.breaks[{k}]"
        if "region" not in b:
            continue                     # a break of every region's series (the provincial panel's bulletins)
        if (b["region"], b["indicator"]) not in series:
            raise InputError(f"{where}: {PANEL.name} has no series of region {b['region']!r} and indicator "
                             f"{b['indicator']!r}; expected a break of a series in the panel")
        rows = panel[(panel["region"] == b["region"]) & (panel["indicator"] == b["indicator"])]
        if not rows["title"].str.contains(b["title_contains"], regex=False).any():
            raise InputError(f"{where} field 'title_contains' {b['title_contains']!r} is in no title of {b['region']} "
                             f"{b['indicator']} in {PANEL.name}")
    usable = panel[panel["source_url"].str.strip() != ""]
    for mark in peers.get("excluded_marks", []):
        hit = usable["notes"].str.contains(mark, regex=False)
        for indicator, rows in hit.groupby(usable["indicator"]):
            if rows.all():
                raise InputError(f"{path}: peers.excluded_marks {mark!r} is in the notes of every row of {indicator} in "
                                 f"{PANEL.name} ({len(rows)}): it would remove every peer judgement of it; expected a "
                                 "mark that only some rows carry")
