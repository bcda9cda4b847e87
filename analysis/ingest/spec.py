"""A spec file (data/raw/specs/<source_id>.yml) read and its structure checked: each part of the expected kind, with
its place in the file, before anything is read with it. What the parts mean: data/raw/specs/README.md; the engine
that executes a spec: extract.py."""
from __future__ import annotations

from pathlib import Path

from ..core.errors import InputError, SpecError
from ..core.fileio import load_yaml
from ..core.schema import KINDS
from ..inputs.registry import MIN_YEAR

MAX_YEAR = 2100        # the latest target year a spec may give
SPEC_KEYS = {"source", "stop_at", "corrections", "kind", "tables", "observations", "ignore", "notes"}


def load_spec(path: Path) -> dict:
    """A spec file, its structure checked (each part of the expected kind) before anything is read with it."""
    path = Path(path)
    try:
        spec = load_yaml(path, "an extraction spec (data/raw/specs/README.md)") or {}
    except InputError as exc:
        raise SpecError(str(exc)) from None
    if not isinstance(spec, dict):
        raise SpecError(f"{path}: expected a mapping with some of {sorted(SPEC_KEYS)}, found {type(spec).__name__}")
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise SpecError(f"{path}: unknown field(s) {sorted(unknown)}; expected some of {sorted(SPEC_KEYS)}")
    _check_structure(spec, path)
    return spec


def _fail_kind(path, where, value, expected):
    raise SpecError(f"{path}: {where} is {str(value)[:60]!r}; expected {expected}")


def _check_year(value, path, where) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_YEAR <= value <= MAX_YEAR:
        _fail_kind(path, where, value, f"a year, a whole number between {MIN_YEAR} and {MAX_YEAR}")


def _check_structure(spec: dict, path: Path) -> None:
    """The kinds of the spec's parts (a year is a number, a table has an anchor...), with the part's place."""
    for key in ("stop_at", "kind"):
        if key in spec and (not isinstance(spec[key], str) or not spec[key].strip()):
            _fail_kind(path, f"field {key!r}", spec[key], "text (not empty; leave the field out when it does not apply)")
    if spec.get("corrections") is not None and not isinstance(spec["corrections"], dict):
        _fail_kind(path, "field 'corrections'", spec["corrections"], "a mapping typo → fix")
    for part in ("tables", "observations", "ignore"):
        if spec.get(part) is not None and not isinstance(spec[part], list):
            _fail_kind(path, f"field {part!r}", spec[part], "a list")
    for i, table in enumerate(spec.get("tables") or [], 1):
        _check_table(i, table, path)
    for i, entry in enumerate(spec.get("observations") or [], 1):
        _check_entry(i, entry, path)
    for i, rule in enumerate(spec.get("ignore") or [], 1):
        _check_ignore_rule(i, rule, path)


def _check_table(i: int, table, path: Path) -> None:
    """tables[i]: an anchor, columns of {year, kind}, rows 序号 → indicator."""
    where = f"tables[{i}]"
    if not isinstance(table, dict):
        _fail_kind(path, where, table, "a mapping with anchor, columns, rows")
    for key in ("anchor", "columns", "rows"):
        if key not in table:
            raise SpecError(f"{path}: {where}: field {key!r} is required (anchor: text above the table; columns: "
                            "[{year, kind}]; rows: {序号: indicator})")
    if not isinstance(table["anchor"], str) or not table["anchor"]:
        _fail_kind(path, f"{where} field 'anchor'", table["anchor"], "text that occurs above the table")
    if not isinstance(table["columns"], list):
        _fail_kind(path, f"{where} field 'columns'", table["columns"], "a list of {year, kind}")
    for c_i, col in enumerate(table["columns"], 1):
        if not isinstance(col, dict) or "year" not in col or col.get("kind") not in KINDS:
            _fail_kind(path, f"{where} columns[{c_i}]", col, f"a mapping {{year, kind}} with kind one of {KINDS}")
        _check_year(col["year"], path, f"{where} columns[{c_i}] field 'year'")
    _check_rows(table["rows"], path, where)


def _check_rows(rows, path: Path, where: str) -> None:
    """A table's rows: 序号 → an indicator id or {indicator, label}."""
    if not isinstance(rows, dict):
        _fail_kind(path, f"{where} field 'rows'", rows, "a mapping 序号 → indicator")
    for k, v in rows.items():
        if isinstance(k, bool) or not isinstance(k, int):
            _fail_kind(path, f"{where} rows key", k, "a row number (序号)")
        if not (isinstance(v, str) or (isinstance(v, dict) and isinstance(v.get("indicator"), str))):
            _fail_kind(path, f"{where} row {k}", v, "an indicator id or a mapping {indicator, label}")


def _check_entry(i: int, entry, path: Path) -> None:
    """observations[i]: an indicator and a quote; a year, counts and `relative` of their kinds."""
    where = f"observations[{i}]"
    if not isinstance(entry, dict):
        _fail_kind(path, where, entry, "a mapping with indicator and quote")
    where += f" ({entry.get('indicator')})"
    if entry.get("year") is not None:
        _check_year(entry["year"], path, f"{where} field 'year'")
    for key in ("number", "line", "occurrence"):
        v = entry.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            _fail_kind(path, f"{where} field {key!r}", v, "a whole number from 1")
    for key in ("indicator", "quote", "name", "unit"):
        v = entry.get(key)
        if v is not None and not isinstance(v, (str, int, float)):
            _fail_kind(path, f"{where} field {key!r}", v, "text")
    if entry.get("relative") is not None:
        _check_relative(entry["relative"], path, where)


def _check_relative(rel, path: Path, where: str) -> None:
    """An entry's `relative`: a mapping whose base year is a year and whose factor is a positive number."""
    if not isinstance(rel, dict):
        _fail_kind(path, f"{where} field 'relative'", rel, "a mapping {published, base_year or series, [factor]}")
    if "base_year" in rel:
        _check_year(rel["base_year"], path, f"{where} relative.base_year")
    if "factor" in rel and (isinstance(rel["factor"], bool) or not isinstance(rel["factor"], (int, float))
                            or not 0 < rel["factor"] < 1e6):
        _fail_kind(path, f"{where} relative.factor", rel["factor"], "a positive number")


def _check_ignore_rule(i: int, rule, path: Path) -> None:
    """ignore[i]: a pattern or text, and line numbers."""
    where = f"ignore[{i}]"
    if not isinstance(rule, dict):
        _fail_kind(path, where, rule, "a mapping {text or pattern, reason, [lines]}")
    for key in ("pattern", "text"):
        if key in rule and not isinstance(rule[key], (str, int, float)):
            _fail_kind(path, f"{where} field {key!r}", rule[key], "text")
    lines = rule.get("lines")
    if lines is not None and (not isinstance(lines, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in lines)):
        _fail_kind(path, f"{where} field 'lines'", lines, "a list of line numbers (whole numbers from 1)")
