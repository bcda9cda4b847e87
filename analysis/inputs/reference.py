"""Reference rates and the plausibility thresholds built on them (data/raw/reference/).

    growth_references.csv   cited historical paces (a fact table kept as received; provenance.yml)
    regional_panel.csv      cited yearly values of sub-national units: the peer windows (analysis.derive.peers)
    thresholds.yml          the flag parameters (each names the reference row it rests on and why) and the
                            rules' data: ceilings, peer levels and proxies, each indicator's national series
    indicator_links.csv     which indicator is the stated growth rate / a part / the yearly flow of another
    regions.csv             which region lies inside which (district → city), for escalation across levels

`load_thresholds(overrides)` is what notebooks pass their `thresholds` parameter to.
"""
from __future__ import annotations

import math
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

REFERENCE_COLUMNS = ["topic", "region", "indicator", "unit", "start_year", "start_value", "end_year", "end_value",
                     "annual_rate", "rate_unit", "source_title", "source_url", "quote_or_series", "note"]
PARAM_KEYS = {"unit", "min", "max", "value", "from_reference", "reference", "label", "justification", "label_zh",
              "justification_zh"}
TEXT_KEYS = ("label", "justification", "label_zh", "justification_zh")   # the words of a parameter, in en and zh
SELECTOR_KEYS = {"topic", "region", "start_year", "end_year", "indicator"}
RULE_SECTIONS = ("parameters", "ceilings", "peers", "national_series")
OPTIONAL_SECTIONS = ("near_synonyms",)     # a rule's data that a file may leave out (then: empty)
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


def _check_rules(rules: dict, th: pd.DataFrame, path: Path) -> None:
    for key, name in rules["ceilings"].items():
        if name not in th.index:
            raise InputError(f"{path}: ceilings {key!r}: unknown parameter {name!r}; expected one of {', '.join(th.index)}")
        if pd.isna(th.at[name, "ref_start_year"]) or pd.isna(th.at[name, "ref_end_year"]):
            raise InputError(f"{path}: ceilings {key!r}: parameter {name!r} must take its value from a reference row "
                             "with a window (start_year, end_year)")
    levels = rules["peers"].get("levels", {})
    for level, peers in levels.items():
        if not isinstance(peers, list):
            raise InputError(f"{path}: peers.levels {level!r}: expected a list of levels")


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
    """regions.csv: region, region_en, parent, parent_en, level (which region lies inside which)."""
    path = Path(path)
    expected = ["region", "region_en", "parent", "parent_en", "level"]
    df = read_csv_table(path, expected, exact=True)
    empty = df.index[(df["region"].str.strip() == "") | (df["region_en"].str.strip() == "")]
    if len(empty):
        raise InputError(f"{path}: line {empty[0] + 2}: fields 'region' and 'region_en' are required")
    dup = df["region"][df["region"].duplicated()]
    if len(dup):
        raise InputError(f"{path}: region {dup.iloc[0]!r} appears twice")
    return df
