"""Invariants of observations.csv, checked on every build (not only in tests).

A violation stops the build with the row and the rule."""
from __future__ import annotations

import pandas as pd

from .errors import ValidationError
from .ingest import COLUMNS, KINDS
from .numbers import BOUNDS, CANONICAL_UNITS
from .registry import Source


def _fail(row, rule: str) -> None:
    raise ValidationError(f"observations row ({row.source_id}, {row.indicator_id}, {row.year}, {row.kind}) "
                          f"at line {row.line}: {rule}")


def validate_observations(df: pd.DataFrame, sources: dict[str, Source], vocab: pd.DataFrame) -> None:
    if list(df.columns) != COLUMNS:
        raise ValidationError(f"observations columns are {list(df.columns)}; expected {COLUMNS}")
    dup = df.duplicated(["source_id", "indicator_id", "year", "kind"], keep=False)
    if dup.any():
        row = df[dup].iloc[0]
        _fail(row, "(source_id, indicator_id, year, kind) is not unique")
    lines = {sid: s.text().split("\n") for sid, s in sources.items()}
    doc_year = {sid: int(str(s.date)[:4]) for sid, s in sources.items()}
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
        if row.unit not in CANONICAL_UNITS or row.unit != expected:
            _fail(row, f"unit {row.unit!r} is not the canonical unit {expected!r} of {row.indicator_id}")
        if row.measure != vocab.at[row.indicator_id, "measure"]:
            _fail(row, f"measure {row.measure!r} differs from the vocabulary's")
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
