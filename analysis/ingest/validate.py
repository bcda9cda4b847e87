"""Invariants of observations.csv, checked on every build (not only in tests).

A violation stops the build with the row and the rule."""
from __future__ import annotations

import pandas as pd

from ..core import numerals, paths, quantity
from ..core.errors import ValidationError
from ..core.quantity import BOUNDS
from ..core.schema import KINDS
from ..core.units import canonical_units
from ..inputs.registry import Source
from .extract import COLUMNS


def _fail(row, rule: str) -> None:
    raise ValidationError(f"observations row ({row.source_id}, {row.indicator_id}, {row.year}, {row.kind}) "
                          f"at line {row.line}: {rule}")


def validate_observations(df: pd.DataFrame, sources: dict[str, Source], vocab: pd.DataFrame) -> None:
    validate_regions(sources)
    if list(df.columns) != COLUMNS:
        raise ValidationError(f"observations columns are {list(df.columns)}; expected {COLUMNS}")
    dup = df.duplicated(["source_id", "indicator_id", "year", "kind"], keep=False)
    if dup.any():
        row = df[dup].iloc[0]
        _fail(row, "(source_id, indicator_id, year, kind) is not unique")
    lines = {sid: s.text().split("\n") for sid, s in sources.items()}
    doc_year = {sid: s.year for sid, s in sources.items()}
    for row in df.itertuples(index=False):
        if row.source_id not in sources:
            _fail(row, f"unknown source_id {row.source_id!r}")
        text = lines[row.source_id]
        if not 1 <= row.line <= len(text) or row.quote not in text[row.line - 1]:
            _fail(row, f"quote {row.quote!r} does not occur verbatim at line {row.line} of {row.source_id}")
        if row.value_published not in row.quote:
            _fail(row, f"quote {row.quote!r} does not contain value_published {row.value_published!r}")
        if row.indicator_id not in vocab.index:
            _fail(row, f"indicator_id {row.indicator_id!r} is not in the vocabulary")
        expected = vocab.at[row.indicator_id, "unit"]
        if row.unit not in canonical_units() or row.unit != expected:
            _fail(row, f"unit {row.unit!r} is not the canonical unit {expected!r} of {row.indicator_id}")
        if row.measure != vocab.at[row.indicator_id, "measure"]:
            _fail(row, f"measure {row.measure!r} differs from the vocabulary's")
        if row.measure in ("count_stock", "count_flow") and row.value != round(row.value):
            _fail(row, f"count {row.value:g} is not a whole number (a count of enterprises, patents… cannot be fractional)")
        if row.measure == "share" and not 0 <= row.value <= 100:
            _fail(row, f"share {row.value} outside 0-100")
        if row.kind not in KINDS:
            _fail(row, f"kind {row.kind!r} not in {KINDS}")
        if row.bound not in BOUNDS:
            _fail(row, f"bound {row.bound!r} not in {BOUNDS}")
        if (row.bound == "range") != (not pd.isna(row.value_low)):
            _fail(row, "value_low is given exactly when bound is 'range'")
        if row.kind == "actual" and row.year > doc_year[row.source_id]:
            _fail(row, f"an actual for {row.year}, after the document's date ({doc_year[row.source_id]})")
        if row.kind == "target" and row.year < doc_year[row.source_id]:
            _fail(row, f"a target for {row.year}, before the document's date ({doc_year[row.source_id]})")
        if row.value < 0:
            _fail(row, f"negative value {row.value}")
        problem = reading_problem(row, text[row.line - 1])
        if problem:
            _fail(row, problem)


def _close(a, b) -> bool:
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return (a is None or pd.isna(a)) and (b is None or pd.isna(b))
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def reading_problem(row, line: str) -> str | None:
    """Read the quote again with analysis.core.quantity; None when a reading of value_published in the quote gives the
    row's value, bound, value_low and unit as published, else what it reads instead. (A table cell takes its unit
    from the row's label, so a unitless cell is scaled by unit_published; a relative target (翻一番) is computed
    from a base value (relative_targets.csv) and is checked for its words only.)"""
    q_at = line.find(row.quote)
    if quantity.read_change(str(row.value_published), 0) is not None:     # a relative target: its words, not a number
        return None if quantity.read_change(line, q_at + row.quote.index(row.value_published)) else \
            f"{row.value_published!r} is not a relation the reader knows"
    seen = []
    i = row.quote.find(row.value_published)
    sign = 1 if str(row.value_published)[:1] in ("-", "−", "－", "负") else 0     # -5: the number starts after its sign
    while i >= 0:
        try:
            r = quantity.read_number(line, q_at + i + sign)
        except quantity.QuantityError as exc:
            seen.append(str(exc))
        else:
            value, low = r.value, r.value_low
            if r.unit is None and r.unit_published == "" and row.unit_published:
                found = quantity.lookup_unit(row.unit_published)
                mult = found[2] if found else 1.0
                value = numerals.scale(value, mult)
                low = numerals.scale(low, mult) if low is not None else None
                unit_pub = row.unit_published
            else:
                unit_pub = r.unit_published
            if (_close(value, row.value) and _close(low, row.value_low) and r.bound == row.bound
                    and unit_pub == (row.unit_published if isinstance(row.unit_published, str) else "")):
                return None
            seen.append(f"{r.value_published}{r.unit_published} → {value:g} {r.unit or ''} ({r.bound})")
        i = row.quote.find(row.value_published, i + 1)
    return (f"the quote {row.quote!r} reads as {'; '.join(seen) or 'nothing'}, not as the row's "
            f"{row.value:g} {row.unit} ({row.bound}, published {row.value_published}{row.unit_published or ''})")


def validate_regions(sources: dict[str, Source], regions_file=paths.REFERENCE / "regions.csv") -> None:
    """Every registered source's region is in regions.csv (the hierarchy the comparisons use)."""
    regions = pd.read_csv(regions_file, dtype=str, keep_default_na=False)
    known = set(regions["region"])
    for s in sorted(sources.values(), key=lambda s: s.id):
        if s.region not in known:
            raise ValidationError(
                f"data/raw/sources.yml: source {s.id!r} has region {s.region!r}, which is not in {regions_file.name}; "
                f"add a line to data/raw/reference/regions.csv: {s.region},{s.region_en},<parent region>,<parent in English>,"
                f"<level: district, city, province or country>")
