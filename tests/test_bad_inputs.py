"""Bad inputs stop the build with a message naming the file and the field; nothing already written changes."""
import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

import _commands as commands
import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import IntegrityError, SpecError, ValidationError
from analysis.ingest.extract import dedupe, extract
from analysis.ingest.validate import validate_observations
from analysis.inputs.registry import load_sources, verify


@pytest.fixture
def project_copy(tmp_path):
    """A copy of the package and the data, so a test can break a raw file without touching the repo."""
    shutil.copytree(paths.ROOT / "analysis", tmp_path / "analysis", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(paths.ROOT / "data", tmp_path / "data")
    return tmp_path


def run_build(root: Path):
    return commands.run(["-m", "analysis.build"], cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_changed_document_stops_build_and_keeps_processed(project_copy):
    doc = project_copy / "data/raw/documents/qingyuan-2013.txt"
    doc.write_bytes(doc.read_bytes().replace("750件".encode(), "760件".encode()))
    processed = project_copy / "data/processed/observations.csv"
    before = processed.read_bytes()
    result = run_build(project_copy)
    assert result.returncode == 1
    assert "qingyuan-2013" in result.stderr and "sha256" in result.stderr
    assert hashlib.sha256(doc.read_bytes()).hexdigest() in result.stderr           # the found hash
    assert "e7643bb920534608feb01b9497cb1ca1e63e4f199ea7c0d5d276228777c90e44" in result.stderr  # the expected one
    assert processed.read_bytes() == before


def test_build_in_copy_succeeds(project_copy):
    result = run_build(project_copy)
    assert result.returncode == 0, result.stderr
    assert (project_copy / "data/processed/observations.csv").read_bytes() == paths.OBSERVATIONS.read_bytes()


def test_missing_document(tmp_path):
    sources = load_sources(documents=tmp_path)
    with pytest.raises(IntegrityError, match="panyu-2015.*missing"):
        verify(sources)


# --- specs that do not fit their document -------------------------------------------------------

DOC = "一、目标\n到2020年，全区高新技术企业达到120家以上，研发投入强度达2.5%。\n2016年为80家。\n此前有70家。\n"


@pytest.fixture
def tiny(tmp_path, sources):
    doc = tmp_path / "tiny.txt"
    doc.write_text(DOC, encoding="utf-8")
    src = replace(sources["nanming-2017"], id="tiny", path=doc, script="simplified")
    return src, tmp_path


def write_spec(tmp_path, body: str) -> Path:
    spec = tmp_path / "tiny.yml"
    spec.write_text("source: tiny\n" + body, encoding="utf-8")
    return spec


GOOD = """observations:
  - {indicator: high_tech_enterprises, quote: "高新技术企业达到120家以上"}
  - {indicator: rd_intensity, quote: "研发投入强度达2.5%"}
  - {indicator: high_tech_enterprises, kind: actual, quote: "2016年为80家"}
  - {indicator: high_tech_enterprises, kind: actual, year: 2015, quote: "有70家"}
"""


def test_tiny_spec_reads_year_context_and_bounds(tiny, vocab):
    src, tmp = tiny
    ex = extract(src, write_spec(tmp, GOOD), vocab)
    got = {(r["indicator_id"], r["year"], r["kind"]): (r["value"], r["bound"]) for r in ex.rows}
    assert got == {("high_tech_enterprises", 2020, "target"): (120, "ge"),
                   ("rd_intensity", 2020, "target"): (2.5, "eq"),
                   ("high_tech_enterprises", 2016, "actual"): (80, "eq"),
                   ("high_tech_enterprises", 2015, "actual"): (70, "eq")}
    assert ex.unaccounted == []


def test_unaccounted_number_is_reported_with_line(tiny, vocab):
    src, tmp = tiny
    ex = extract(src, write_spec(tmp, GOOD.rsplit("  - ", 2)[0]), vocab)   # drop the last two entries
    assert [(u.line, u.number) for u in ex.unaccounted] == [(3, "80"), (4, "70")]
    assert "line 3" in str(ex.unaccounted[0])


@pytest.mark.parametrize("body,needles", [
    ('observations:\n  - {indicator: high_tech_enterprises, quote: "高新技术企业达到130家以上"}\n',
     ["tiny.yml", "high_tech_enterprises", "not found"]),
    ('observations:\n  - {indicator: high_tech_enterprises, quote: "高新技术企业达到120家以上", line: 3}\n',
     ["tiny.yml", "high_tech_enterprises", "expected at line 3"]),
    ('observations:\n  - {indicator: invention_patent_grants, quote: "高新技术企业达到120家以上"}\n',
     ["tiny.yml", "invention_patent_grants", "unit '家'", "'件'"]),
    ('observations:\n  - {indicator: no_such_thing, quote: "高新技术企业达到120家以上"}\n',
     ["tiny.yml", "no_such_thing", "not in the vocabulary"]),
    ('observations:\n  - {indicator: high_tech_enterprises, quote: "全区高新技术企业达到120家以上，研发投入强度达2.5%"}\n',
     ["tiny.yml", "high_tech_enterprises", "holds 2 numbers", "`number`"]),
    ('observations:\n  - {indicator: high_tech_enterprises, quote: "高新技术企业达到120家"}\n',
     ["tiny.yml", "high_tech_enterprises", "cuts the number"]),
    ('observations:\n  - {indicator: high_tech_enterprises, kind: actual, quote: "有70家"}\n',
     ["tiny.yml", "high_tech_enterprises", "no year"]),
    ('ignore:\n  - {pattern: "第\\\\d+号", reason: a document number}\n',
     ["tiny.yml", "ignore[1]", "matches nothing"]),
    ('ignore:\n  - {pattern: "\\\\d+家"}\n', ["tiny.yml", "ignore[1]", "reason"]),
    ('tables:\n  - {anchor: 主要发展指标, columns: [], rows: {}}\n', ["tiny.yml", "tables[1]", "主要发展指标", "not found"]),
    ('bogus: 1\n', ["tiny.yml", "unknown field", "bogus"]),
])
def test_spec_that_does_not_fit(tiny, vocab, body, needles):
    src, tmp = tiny
    with pytest.raises(SpecError) as err:
        extract(src, write_spec(tmp, body), vocab)
    for needle in needles:
        assert needle in str(err.value)


TABLE_DOC = "指标表\n\t序号\n\t指标\n\n\t1\n\t孵化面积（万平方米）\n\t37\n\t84\n\n\t2\n\t新指标（公顷）\n\t5\n\t6\n\n结束\n"


def test_table_unknown_unit_and_unmapped_row(tmp_path, sources, vocab):
    doc = tmp_path / "tiny.txt"
    doc.write_text(TABLE_DOC, encoding="utf-8")
    src = replace(sources["panyu-2015"], id="tiny", path=doc)
    cols = "columns: [{year: 2014, kind: actual}, {year: 2017, kind: target}]"
    spec = write_spec(tmp_path, f"tables:\n  - anchor: 指标表\n    {cols}\n    rows: {{1: {{indicator: incubator_area}}}}\n")
    with pytest.raises(SpecError, match=r"tiny.yml: tables\[1\]: table row 2 \(line 10\) is not mapped"):
        extract(src, spec, vocab)
    spec = write_spec(tmp_path, f"tables:\n  - anchor: 指标表\n    {cols}\n    rows: {{1: incubator_area, 2: incubator_area}}\n")
    with pytest.raises(SpecError, match=r"row 2 \(incubator_area\): unknown unit '公顷'"):
        extract(src, spec, vocab)
    spec = write_spec(tmp_path, f"tables:\n  - anchor: 指标表\n    {cols}\n"
                                "    rows: {1: {indicator: incubator_area, label: 毕业企业}}\n")
    with pytest.raises(SpecError, match="expected a label containing '毕业企业'"):
        extract(src, spec, vocab)


def test_conflicting_mentions_are_reported_not_dropped():
    base = dict(source_id="s", indicator_id="i", year=2020, kind="target", value_low=None, _pos=0)
    rows = [dict(base, value=10.0, value_published="10", line=3), dict(base, value=12.0, value_published="12", line=9)]
    with pytest.raises(ValidationError, match=r"conflict.*line 3 gives 10.*line 9 gives 12"):
        dedupe(rows, Path("spec.yml"))
    same = [dict(base, value=10.0, value_published="10", line=3), dict(base, value=10.0, value_published="10", line=9)]
    assert [r["line"] for r in dedupe(same, Path("spec.yml"))] == [3]


# --- invariants checked on every build ------------------------------------------------------------

@pytest.fixture(scope="module")
def good_frame():
    return pd.read_csv(paths.OBSERVATIONS, keep_default_na=False, na_values=[""],
                       dtype={"value_published": str, "quote": str})


@pytest.mark.parametrize("mutate,message", [
    (lambda df: df.loc.__setitem__((0, "line"), df.loc[0, "line"] + 1), "does not occur verbatim at line"),
    (lambda df: df.loc.__setitem__((0, "value_published"), "999999"), "does not contain value_published"),
    (lambda df: df.loc.__setitem__((df.index[df.measure == "share"][0], "value"), 120.0), "outside 0-100"),
    (lambda df: df.loc.__setitem__((0, "unit"), "万家"), "is not the canonical unit"),
    (lambda df: df.loc.__setitem__((0, "indicator_id"), "made_up"), "not in the vocabulary"),
    (lambda df: df.loc.__setitem__((0, "bound"), "about"), "bound 'about'"),
])
def test_validation_names_row_and_rule(good_frame, sources, vocab, mutate, message):
    df = good_frame.copy()
    validate_observations(df, sources, vocab)          # the committed frame is valid
    mutate(df)
    with pytest.raises(ValidationError, match=message):
        validate_observations(df, sources, vocab)


def test_validation_catches_duplicate_key(good_frame, sources, vocab):
    df = pd.concat([good_frame, good_frame.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValidationError, match="not unique"):
        validate_observations(df, sources, vocab)
