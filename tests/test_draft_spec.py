"""`make spec`: a draft spec for a document of our own making, run as drafted; no overwriting."""
import os

import _commands as commands
import yaml

from analysis.core import paths
from analysis.ingest.draft_spec import draft, suggest_indicator
from analysis.ingest.extract import extract
from analysis.ingest.spec import load_spec
from analysis.inputs.registry import Source

FIXTURE = """示例区科技创新三年行动计划（2021—2023年）
一、主要目标
到2023年，全区高新技术企业达到两百家以上，研发经费投入强度达到3.2%，技术合同成交额突破12亿元。
2020年，全区高新技术企业120家。
（一）到2023年建设众创空间十二家。
（二）本计划自2021年3月1日起施行，第3条另有规定的除外。
"""


def _source(tmp_path):
    doc = tmp_path / "example-2021.txt"
    doc.write_text(FIXTURE, encoding="utf-8")
    return Source(id="example-2021", file=doc.name, sha256="-", title="示例区科技创新三年行动计划", issuer="示例区人民政府",
                  title_en="Example plan", issuer_en="Example government",
                  region="番禺区", region_en="Panyu District", date="2021-01-01", url=None, script="simplified", path=doc)


def test_draft_reads_every_quantity_with_year_and_indicator(tmp_path, vocab):
    text = draft(_source(tmp_path), vocab, load_spec(paths.SPECS / "_common.yml"))
    spec = yaml.safe_load(text)
    got = [(e["indicator"], e.get("kind", "target"), e["year"]) for e in spec["observations"]]
    assert got == [("high_tech_enterprises", "target", 2023), ("rd_intensity", "target", 2023),
                   ("tech_contract_turnover", "target", 2023), ("high_tech_enterprises", "actual", 2020),
                   ("maker_spaces", "target", 2023)]
    assert spec["ignore"] == [{"text": "第#条", "reason": "an ordinal (第3条), not a quantity", "lines": [6]}]
    assert "reads 两百家以上 → 200 家 (ge)" in text


def test_drafted_spec_runs_as_drafted(tmp_path, vocab):
    src = _source(tmp_path)
    spec_file = tmp_path / "example-2021.yml"
    spec_file.write_text(draft(src, vocab, load_spec(paths.SPECS / "_common.yml")), encoding="utf-8")
    ex = extract(src, spec_file, vocab)
    assert [str(u) for u in ex.unaccounted] == []
    rows = {(r["indicator_id"], r["year"]): (r["value"], r["bound"], r["kind"]) for r in ex.rows}
    assert rows == {("high_tech_enterprises", 2023): (200, "ge", "target"), ("rd_intensity", 2023): (3.2, "eq", "target"),
                    ("tech_contract_turnover", 2023): (12, "gt", "target"), ("high_tech_enterprises", 2020): (120, "eq", "actual"),
                    ("maker_spaces", 2023): (12, "eq", "target")}


def test_indicator_suggestion_needs_name_and_unit(vocab):
    assert suggest_indicator("全区高新技术企业达到两百家以上", "家", vocab) == "high_tech_enterprises"
    assert suggest_indicator("全区高新技术企业达到两百家以上", "%", vocab) is None
    assert suggest_indicator("新建体育场馆3个", "个", vocab) is None


def test_existing_spec_is_not_overwritten():
    spec = paths.SPECS / "qingyuan-2013.yml"
    before = spec.read_bytes()
    out = commands.run(["-m", "analysis.ingest.draft_spec", "qingyuan-2013"], cwd=paths.ROOT, env=os.environ)
    assert out.returncode == 1 and "exists; not overwritten" in out.stderr and "FORCE=1" in out.stderr
    assert spec.read_bytes() == before


def test_unknown_source_is_named():
    out = commands.run(["-m", "analysis.ingest.draft_spec", "no-such-doc"], cwd=paths.ROOT, env=os.environ)
    assert out.returncode == 1 and "no source 'no-such-doc'" in out.stderr


def test_specs_readme_lists_what_the_code_accepts():
    """The units, bounds and measures of data/raw/specs/README.md are generated from the code (no drift);
    after changing analysis/core/quantity.py run `python -m analysis.ingest.draft_spec --readme`."""
    from analysis.ingest.draft_spec import README, readme_tables

    assert readme_tables() in README.read_text(encoding="utf-8")


CARRY = """示例区科技创新行动方案
到2027年，基本建成创新型城区。全区高新技术企业达到300家，专利申请量比2022年翻一番。研发经费投入强度比2022年提高0.5个百分点以上。
"""


def test_draft_carries_the_target_year_and_drafts_a_relative_target_as_relative(tmp_path, vocab):
    """到2027年 in an earlier sentence gives the year of the next ones (with a note to check it); 比2022年翻一番 is a
    relative target of 2027 with base year 2022, never an actual of 2 倍 for 2022."""
    src = _source(tmp_path)
    src.path.write_text(CARRY, encoding="utf-8")
    text = draft(src, vocab, load_spec(paths.SPECS / "_common.yml"))
    spec = yaml.safe_load(text)
    got = [(e["indicator"], e.get("kind", "target"), e["year"], e.get("relative")) for e in spec["observations"]]
    assert got == [("high_tech_enterprises", "target", 2027, None),
                   ("patent_applications", "target", 2027, {"base_year": 2022, "published": "翻一番"}),
                   ("rd_intensity", "target", 2027, {"base_year": 2022, "published": "提高0.5个百分点"})]
    assert "year 2027 carried from line 2" in text and "2022 value × 2 (eq)" in text and "+0.5 percentage points (ge)" in text
    spec_file = tmp_path / "example-2021.yml"
    spec_file.write_text(text, encoding="utf-8")
    ex = extract(src, spec_file, vocab)                       # runs as drafted: no base known, so they stay relative
    assert [str(u) for u in ex.unaccounted] == [] and len(ex.relatives) == 2 and not any(r["resolved"] for r in ex.relatives)
    assert [(r["indicator_id"], r["year"], r["value"]) for r in ex.rows] == [("high_tech_enterprises", 2027, 300)]


def test_a_target_year_is_carried_only_within_its_paragraph_or_below_a_colon(tmp_path, vocab):
    src = _source(tmp_path)
    src.path.write_text("到2027年，主要目标如下：\n高新技术企业达到300家。\n到2027年建成创新型城区。\n"
                        "高新技术企业达到400家。\n", encoding="utf-8")
    spec = yaml.safe_load(draft(src, vocab, load_spec(paths.SPECS / "_common.yml")))
    assert [(e["quote"], e["year"]) for e in spec["observations"]] == [("高新技术企业达到300家", 2027),
                                                                     ("高新技术企业达到400家", None)]
