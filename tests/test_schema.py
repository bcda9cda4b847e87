"""analysis/core/schema.py is the one description of data/processed/: the committed docs/codebook.md is generated from
it, every processed file carries exactly its columns with values within the allowed ones, and the modules that
produce the values use the same enumerations."""
import pandas as pd
import pytest

from analysis.core import paths, quantity, schema, units
from analysis.derive import backtest, growth, progress, trajectories
from analysis.inputs import vocab


def test_committed_codebook_is_generated_from_the_schema():
    assert schema.CODEBOOK.read_text(encoding="utf-8") == schema.codebook(), "run `python -m analysis.core.schema`"


def test_every_processed_file_is_described():
    assert {p.stem for p in paths.PROCESSED.glob("*.csv")} == set(schema.FILES)


@pytest.mark.parametrize("name", list(schema.FILES))
def test_processed_file_has_the_schema_columns_and_allowed_values(name):
    df = pd.read_csv(paths.PROCESSED / f"{name}.csv", dtype=str, keep_default_na=False)
    assert list(df.columns) == schema.columns(name)
    for col in schema.FILES[name][1]:
        assert col.meaning, f"{name}.{col.name} has no meaning"
        if col.values:
            found = set(df[col.name]) - {""}
            assert found <= set(col.values), f"{name}.csv column {col.name}: {sorted(found - set(col.values))}"


def test_codebook_lists_every_column_with_its_enumeration():
    text = schema.codebook()
    for name, (_, cols) in schema.FILES.items():
        section = text.split(f"## {name}.csv")[1].split("\n## ")[0]
        assert all(f"| `{c.name}` |" in section for c in cols)
    assert "`knife_edge`" in text and "`prediction_90`" in text


def test_enumerations_agree_with_the_modules_that_produce_them():
    assert schema.MEASURES == vocab.MEASURES
    assert schema.BOUNDS == growth.BOUNDS
    assert schema.MODELS == trajectories.MODELS
    assert schema.STATUSES == progress.STATUSES
    assert schema.JUDGED_BY == progress.JUDGED_BY
    assert set(schema.OUTCOMES) == set(progress.OUTCOMES.values()) and schema.OUTCOMES == backtest.OUTCOME_ORDER
    assert growth.METRICS == schema.METRICS and trajectories.GROWTH_UNITS == schema.GROWTH_UNITS
    assert set(schema.UNIT_OF_METRIC) == set(schema.METRICS)
    assert set(schema.UNIT_OF_METRIC.values()) - {""} <= set(schema.GROWTH_UNITS)


def test_every_unit_of_the_processed_data_is_a_canonical_unit_of_the_unit_table():
    for name, (_, cols) in schema.FILES.items():
        if "unit" in [c.name for c in cols]:
            used = set(pd.read_csv(paths.PROCESSED / f"{name}.csv", dtype=str, keep_default_na=False)["unit"]) - {""}
            assert used <= units.canonical_units(), f"{name}.csv: {sorted(used - units.canonical_units())}"
    assert schema.BOUNDS == quantity.BOUNDS and {"le", "lt"} <= set(schema.BOUNDS)
