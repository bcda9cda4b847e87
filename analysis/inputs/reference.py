"""Reference rates and the plausibility thresholds built on them (data/raw/reference/).

    growth_references.csv   cited historical paces (a fact table kept as received; provenance.yml)
    regional_panel.csv      cited yearly values of sub-national units: the peer windows (analysis.derive.peers)
    thresholds.yml          the flag parameters (each names the reference row it rests on and why) and the
                            rules' data: ceilings, peer levels and proxies, each indicator's national series
    indicator_links.csv     which indicator is the stated growth rate / a part / the yearly flow of another
    regions.csv             which region lies inside which (district → city), for escalation across levels
    provincial_panel.csv    province (and city) annual panels (analysis.inputs.panels checks it)
    provenance.yml          where each table came from, with its sha256

`load_thresholds(overrides)` is what notebooks pass their `thresholds` parameter to. reference_checks.py checks every
file against its schema (every build runs it first).
"""
from __future__ import annotations

import math
import re
from numbers import Real
from pathlib import Path

import pandas as pd

from ..core import paths
from ..core.errors import InputError
from ..core.fileio import load_yaml, read_csv_table

REFERENCES = paths.REFERENCE / "growth_references.csv"
THRESHOLDS = paths.REFERENCE / "thresholds.yml"
LINKS = paths.REFERENCE / "indicator_links.csv"
REGIONS = paths.REFERENCE / "regions.csv"
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
        raise InputError(f"{path}: unknown section {shortened(unknown[0])}; expected the sections {', '.join(TOP_KEYS)}")
    version = doc.get("version", THRESHOLDS_VERSION)   # required of the project's file (check_thresholds_file)
    if isinstance(version, bool) or not isinstance(version, int):
        raise InputError(f"{path}: field 'version' is {shortened(version)}; expected the whole number {THRESHOLDS_VERSION}")
    if version != THRESHOLDS_VERSION:
        newer = "newer than" if version > THRESHOLDS_VERSION else "older than"
        raise InputError(f"{path}: field 'version' is {version}, {newer} the version this code reads; expected "
                         f"{THRESHOLDS_VERSION} (update the code with the file, or use the file of this code's version)")
    for key in RULE_SECTIONS:
        if not isinstance(doc.get(key), dict):
            raise InputError(f"{path}: expected a mapping `{key}` (sections: {', '.join(RULE_SECTIONS)})")
    return doc


def shortened(value) -> str:
    """A value as it shows in a message (repr, at most 40 characters)."""
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
        raise InputError(f"{where}: threshold {name!r} = {shortened(value)} is {why}; expected {expected}")
    if not lo <= f <= hi:
        raise InputError(f"{where}: threshold {name!r} = {shortened(value)} is out of range; expected {expected}")
    return f


def _bound(spec: dict, key: str, where: str) -> float:
    """A parameter's `min` or `max`: a finite number."""
    value = spec[key]
    f, why = _as_finite(value)
    if why == "not a number":
        raise InputError(f"{where}: key {key!r} is {shortened(value)}, not a number; expected a number")
    if why:
        raise InputError(f"{where}: key {key!r} = {shortened(value)} is {why}; expected a number")
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
                raise InputError(f"{where}: key {key!r} is {shortened(spec[key])}; expected text")
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
        raise InputError(f"threshold overrides are {shortened(overrides)}; expected a mapping {{parameter name: number}}")
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
            raise InputError(f"{path}: near_synonyms.qualifiers group {i} is {shortened(g)}; expected a list of two or "
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
            raise InputError(f"{path}: ceilings {shortened(key)}: expected a metric ({', '.join(METRICS_JUDGED)}) or an indicator id")
    peers = rules["peers"]
    unknown = [k for k in peers if k not in PEER_KEYS]
    if unknown:
        raise InputError(f"{path}: peers: unknown key {shortened(unknown[0])}; expected some of {', '.join(PEER_KEYS)}")
    levels = peers.get("levels", {})
    if not isinstance(levels, dict):
        raise InputError(f"{path}: peers.levels is {shortened(levels)}; expected {PEER_KEYS['levels']}")
    for level, allowed in levels.items():
        if level not in REGION_LEVELS:
            raise InputError(f"{path}: peers.levels {shortened(level)}: unknown level; expected one of {REGION_LEVELS}")
        if not isinstance(allowed, list) or any(a not in REGION_LEVELS for a in allowed):
            raise InputError(f"{path}: peers.levels {level!r} is {shortened(allowed)}; expected a list of levels "
                             f"among {REGION_LEVELS}")
    marks = peers.get("excluded_marks", [])
    if not isinstance(marks, list) or any(not isinstance(m, str) or len(m.strip()) < 2 or m != m.strip() for m in marks):
        raise InputError(f"{path}: peers.excluded_marks is {shortened(marks)}; expected a list of marks, each a text of "
                         "at least two characters without spaces around it (a panel row whose notes contain one makes no window)")
    breaks = peers.get("breaks", [])
    if not isinstance(breaks, list):
        raise InputError(f"{path}: peers.breaks is {shortened(breaks)}; expected {PEER_KEYS['breaks']}")
    for i, b in enumerate(breaks, 1):
        where = f"{path}: peers.breaks[{i}]"
        if not isinstance(b, dict) or sorted(b) not in (sorted(BREAK_KEYS), sorted(BREAK_KEYS[1:])):
            raise InputError(f"{where} is {shortened(b)}; expected a mapping with exactly the keys {', '.join(BREAK_KEYS)} "
                             "(region may be left out: the break holds for every region of the series)")
        for key in [k for k in ("region", "indicator", "title_contains", "reason") if k in b]:
            if not isinstance(b[key], str) or not b[key].strip():
                raise InputError(f"{where} field {key!r} is {shortened(b[key])}; expected text")
        if isinstance(b["after_year"], bool) or not isinstance(b["after_year"], int) or not MIN_YEAR <= b["after_year"] <= MAX_YEAR:
            raise InputError(f"{where} field 'after_year' is {shortened(b['after_year'])}; expected a year, a whole number "
                             f"from {MIN_YEAR} to {MAX_YEAR}")
    for i, x in enumerate(peers.get("excluded_series", []) or [], 1):
        keys = ("indicator", "title_contains", "reason")
        if not isinstance(x, dict) or sorted(x) != sorted(keys) or any(
                not isinstance(x[k], str) or not x[k].strip() for k in keys):
            raise InputError(f"{path}: peers.excluded_series[{i}] is {shortened(x)}; expected a mapping of the texts "
                             f"{', '.join(keys)}")
    proxies = peers.get("proxies", {}) or {}
    if not isinstance(proxies, dict) or any(not isinstance(k, str) or not isinstance(v, str) or k == v for k, v in proxies.items()):
        raise InputError(f"{path}: peers.proxies is {shortened(proxies)}; expected {PEER_KEYS['proxies']} (an indicator "
                         "and another indicator whose windows stand in for its own)")
    for indicator, selectors in rules["national_series"].items():
        if not isinstance(selectors, list) or not selectors or not all(isinstance(x, dict) for x in selectors):
            raise InputError(f"{path}: national_series {shortened(indicator)} is {shortened(selectors)}; expected a list of "
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
                raise InputError(f"{path}: line {i} field {col!r} is {shortened(value)}: spaces around it; expected the "
                                 "name alone (an invisible space makes it another region)")
        if not row.region or not row.region_en:
            raise InputError(f"{path}: line {i}: fields 'region' and 'region_en' are required")
        if row.level not in REGION_LEVELS:
            raise InputError(f"{path}: line {i} ({row.region}) field 'level' is {shortened(row.level)}; expected one of {REGION_LEVELS}")
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
            raise InputError(f"{where} field 'parent_en' is {shortened(row.parent_en)}; expected {parent['region_en']!r} "
                             f"(the region_en of {row.parent}, line {line[row.parent]})")
        if rank[parent["level"]] <= rank[row.level]:
            raise InputError(f"{where}: its parent {row.parent} is a {parent['level']}, not larger than a {row.level}; "
                             f"expected a parent of a larger level ({' < '.join(REGION_LEVELS)})")
    return df
