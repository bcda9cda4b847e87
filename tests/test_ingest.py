"""Per-document checks against values read by hand from the documents, completeness, determinism."""
import re

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.fileio import frame_to_csv_text
from analysis.ingest.extract import COLUMNS, extract_all
from analysis.pipeline.build import build_observations


@pytest.fixture(scope="module")
def built():
    return build_observations()


@pytest.fixture(scope="module")
def obs(built):
    return built[0]


def one(obs, source, indicator, year, kind="target"):
    rows = obs[(obs.source_id == source) & (obs.indicator_id == indicator) & (obs.year == year) & (obs.kind == kind)]
    assert len(rows) == 1, (source, indicator, year, kind, len(rows))
    return rows.iloc[0]


def test_columns_are_designs(obs):
    assert list(obs.columns) == COLUMNS


def test_every_number_is_accounted_for(built):
    _, unaccounted = built
    assert [str(u) for u in unaccounted] == []


def test_every_registered_source_has_a_spec_and_rows(obs, sources):
    """Nothing is pinned to a list of ids: every entry of sources.yml has a spec and yields observations."""
    for sid in sources:
        assert (paths.SPECS / f"{sid}.yml").exists(), sid
    assert set(obs.source_id) == set(sources)


def test_every_registered_source_has_a_hand_check_note(sources):
    """Issue 22: a plan counts once its reading is checked by hand; the note `<id>.check.md` sits next to its spec,
    opens with `# Hand check: <id>`, and no note outlives its source."""
    notes = {p.name[: -len(".check.md")]: p for p in paths.SPECS.glob("*.check.md")}
    assert sorted(set(sources) - set(notes)) == [], "registered sources without a hand-check note"
    assert sorted(set(notes) - set(sources)) == [], "hand-check notes of sources that are not registered"
    for sid, note in notes.items():
        first = note.read_text(encoding="utf-8").split("\n", 1)[0]
        assert re.match(rf"# Hand check: {re.escape(sid)}(?: |$)", first), (note.name, first)


def test_documents_at_three_levels_or_more(sources):
    regions = pd.read_csv(paths.REFERENCE / "regions.csv", dtype=str).set_index("region")
    levels = {regions.at[s.region, "level"] for s in sources.values()}
    assert len(sources) >= 7 and {"district", "city", "country"} <= levels


def test_every_document_file_is_registered(sources):
    assert {p.name for p in paths.DOCUMENTS.glob("*.txt")} == {s.path.name for s in sources.values()}


def test_national_documents(obs):
    row = one(obs, "national-2006-mlp", "rd_intensity", 2020)
    assert (row.value, row.bound, row.unit) == (2.5, "ge", "%")
    assert one(obs, "national-2016-outline", "rd_intensity", 2020).bound == "eq"
    assert one(obs, "national-2016-outline", "knowledge_services_share", 2020).value == 20
    assert one(obs, "national-2016-outline", "tech_progress_contribution", 2020).bound == "ge"


def test_panyu_table_13_indicators_by_3_years(obs):
    p = obs[obs.source_id == "panyu-2015"]
    assert len(p) == 39
    assert p.indicator_id.nunique() == 13
    assert sorted(p.groupby("indicator_id").size().unique()) == [3]
    assert set(zip(p.year, p.kind)) == {(2014, "actual"), (2017, "target"), (2020, "target")}


@pytest.mark.parametrize("indicator,year,kind,value,line", [
    ("fiscal_st_spending", 2017, "target", 2.9, 48),      # "2.90" in the table
    ("rd_intensity", 2014, "actual", 1.67, 53),
    ("high_tech_enterprises", 2020, "target", 418, 61),
    ("neeq_listed_companies", 2017, "target", 95, 118),
    ("incubator_graduates_cumulative", 2020, "target", 150, 93),   # the cell with a trailing space
    ("gz_equity_exchange_listed", 2014, "actual", 76, 124),
])
def test_panyu_spot_checks(obs, indicator, year, kind, value, line):
    row = one(obs, "panyu-2015", indicator, year, kind)
    assert row.value == value and row.line == line


def test_panyu_merged_group_cells(obs):
    assert one(obs, "panyu-2015", "incubator_graduates_cumulative", 2014, "actual").indicator_zh == "科技企业孵化器：累计新增毕业企业数量"
    assert one(obs, "panyu-2015", "gz_equity_exchange_listed", 2017).indicator_zh == "拓宽企业融资渠道：累计广州股权交易中心挂牌企业数量"
    assert one(obs, "panyu-2015", "invention_patent_applications", 2017).indicator_zh == "新增发明专利申请量"   # no group
    assert one(obs, "panyu-2015", "fiscal_st_spending", 2017).value_published == "2.90"


def test_guangzhou_2019_traditional_source(obs):
    row = one(obs, "guangzhou-2019", "high_tech_enterprises", 2019)
    assert (row.value, row.bound, row.unit, row.unit_published) == (11400, "gt", "家", "萬家")
    assert row.quote == "高新技術企業超過 1.14 萬家"            # as published
    assert row.indicator_zh == "高新技术企业"                     # converted with OpenCC
    g = obs[obs.source_id == "guangzhou-2019"]
    assert not g.indicator_zh.str.contains("臵").any()
    assert g.line.max() < 176                                     # nothing from the "About iStartup" boilerplate
    assert one(obs, "guangzhou-2019", "tech_contract_turnover", 2021).value == 1200
    assert one(obs, "guangzhou-2019", "rd_intensity", 2021).value == 3.1
    assert one(obs, "guangzhou-2019", "tech_progress_contribution", 2021).bound == "approx"
    rng = one(obs, "guangzhou-2019", "national_manufacturing_innovation_centres", 2021)
    assert (rng.bound, rng.value_low, rng.value) == ("range", 1, 2)
    # the 2021 headline (line 73) and its restatement (line 79) are one row, from the first mention
    assert one(obs, "guangzhou-2019", "high_tech_enterprises", 2021).line == 73
    assert one(obs, "guangzhou-2019", "returned_overseas_talent", 2020).value == 85000


def test_qingyuan_prose(obs):
    row = one(obs, "qingyuan-2013", "rd_intensity", 2017)
    assert (row.value, row.bound, row.unit_published) == (0.72, "ge", "％")
    assert one(obs, "qingyuan-2013", "rd_intensity", 2012, "actual").value == 0.65
    assert one(obs, "qingyuan-2013", "patent_applications", 2012, "actual").value == 750
    assert one(obs, "qingyuan-2013", "patent_applications", 2017).value == 1500      # and 翻一倍 agrees
    g = one(obs, "qingyuan-2013", "patent_applications_growth", 2017)
    assert (g.value, g.bound, g.measure, g.unit) == (15, "ge", "growth_rate", "%")
    assert one(obs, "qingyuan-2013", "professional_tech_talent", 2017).value == 137100
    # a target after 由2012年…: the base year belongs to the actual, the target year to 到2017年
    assert one(obs, "qingyuan-2013", "national_rd_platforms", 2012, "actual").value == 3
    assert one(obs, "qingyuan-2013", "national_rd_platforms", 2017).value == 5


def test_guangzhou_letter(obs):
    assert one(obs, "guangzhou-2017-letter", "st_enterprises", 2020).value == 200000
    assert one(obs, "guangzhou-2017-letter", "st_enterprises", 2020).bound == "ge"
    g = one(obs, "guangzhou-2017-letter", "talent_green_cards_issued", 2016, "actual")
    assert (g.value, g.bound) == (1200, "approx")
    assert one(obs, "guangzhou-2017-letter", "neeq_listed_companies_new", 2017).measure == "count_flow"
    assert one(obs, "guangzhou-2017-letter", "incubator_area", 2017, "actual").value == 855
    # the 4亿元 pool is stated twice (lines 34 and 66): one row, from line 34
    assert one(obs, "guangzhou-2017-letter", "st_credit_risk_pool", 2017, "actual").line == 34


def test_nanming_percentage_points(obs):
    row = one(obs, "nanming-2017", "fiscal_st_share_annual_increase", 2020)
    assert (row.value, row.unit, row.unit_published, row.bound) == (0.1, "百分点", "%", "ge")
    assert one(obs, "nanming-2017", "fiscal_st_share", 2016, "actual").value == 2.12
    assert one(obs, "nanming-2017", "national_expert_talents", 2020).value_low == 2


def test_quotes_are_verbatim_at_their_line(obs, sources):
    for row in obs.itertuples():
        text = sources[row.source_id].text().split("\n")[row.line - 1]
        assert row.quote in text and row.value_published in row.quote


def test_processed_file_is_regenerated_identically(obs):
    """data/processed/observations.csv is exactly what the build produces now (run `make data` after changing raw data)."""
    assert paths.OBSERVATIONS.read_text(encoding="utf-8") == frame_to_csv_text(obs)


def test_rerun_is_deterministic(obs, sources, vocab):
    again, _ = extract_all(sources, vocab)
    assert frame_to_csv_text(again) == frame_to_csv_text(obs)


def test_processed_file_reads_back(obs):
    back = pd.read_csv(paths.OBSERVATIONS, keep_default_na=False, na_values=[""])
    assert len(back) == len(obs)
    assert back["value"].tolist() == pytest.approx(obs["value"].tolist())


# ------------------------------------------------------------------ relative targets (issue 22)
RELATIVE_TEXT = ("示例区科技创新规划\n"
                 "2015年，全区专利申请量5000件，研发经费投入强度2.2%。\n"
                 "到2020年，专利申请量比2015年增长50%，研发经费投入强度比2015年提高0.8个百分点以上，"
                 "发明专利授权量比2015年翻一番，研发经费投入强度2025年达到全国平均水平，2016年达到全国平均水平。\n")
RELATIVE_SPEC = """source: example-2021
observations:
  - {indicator: patent_applications, kind: actual, quote: "全区专利申请量5000件"}
  - {indicator: rd_intensity, kind: actual, quote: "研发经费投入强度2.2%"}
  - {indicator: patent_applications, year: 2020, quote: "比2015年增长50%", relative: {base_year: 2015, published: 增长50%}}
  - {indicator: rd_intensity, year: 2020, quote: "比2015年提高0.8个百分点以上", relative: {base_year: 2015, published: 提高0.8个百分点}}
  - {indicator: invention_patent_grants, year: 2020, quote: "比2015年翻一番", relative: {base_year: 2015, published: 翻一番}}
  - {indicator: rd_intensity, year: 2025, quote: "2025年达到全国平均水平", relative: {series: 全国, published: 达到全国平均水平}}
  - {indicator: rd_intensity, year: 2016, quote: "2016年达到全国平均水平", relative: {series: 全国, published: 达到全国平均水平}}
"""


def _relative_extraction(tmp_path, vocab, spec=RELATIVE_SPEC):
    from analysis.ingest.extract import extract
    from analysis.inputs.registry import Source

    doc = tmp_path / "example-2021.txt"
    doc.write_text(RELATIVE_TEXT, encoding="utf-8")
    (tmp_path / "example-2021.yml").write_text(spec, encoding="utf-8")
    src = Source(id="example-2021", file=doc.name, sha256="-", title="t", issuer="i", region="番禺区",
                 region_en="Panyu District", date="2021-01-01", url=None, script="simplified", path=doc)
    return extract(src, tmp_path / "example-2021.yml", vocab)


def test_relative_targets_by_hand(tmp_path, vocab):
    ex = _relative_extraction(tmp_path, vocab)
    rows = {(r["indicator_id"], r["year"], r["kind"]): r for r in ex.rows}
    # 增长50% of the document's 5000 (2015): 7500, with its words as published
    assert rows[("patent_applications", 2020, "target")]["value"] == 7500
    assert rows[("patent_applications", 2020, "target")]["value_published"] == "增长50%"
    # 提高0.8个百分点以上 of 2.2 %: at least 3.0 % (decimal arithmetic: not 3.0000000000000004)
    r = rows[("rd_intensity", 2020, "target")]
    assert (r["value"], r["bound"], r["unit"]) == (3.0, "ge", "%")
    # 达到全国平均水平 in 2016: the published national actual 2.11 % (data/raw/actuals/published_actuals.csv)
    assert rows[("rd_intensity", 2016, "target")]["value"] == 2.11
    # 翻一番 of grants: no 2015 value known → no row; 2025 national average not known → no row
    assert ("invention_patent_grants", 2020, "target") not in rows and ("rd_intensity", 2025, "target") not in rows
    rel = {(r["indicator_id"], r["year"]): r for r in ex.relatives}
    assert len(rel) == 5 and all(r["resolved"] == (r["value"] is not None) for r in rel.values())
    assert rel[("patent_applications", 2020)]["relation"] == "percent_change" and rel[("patent_applications", 2020)]["factor"] == 1.5
    assert rel[("rd_intensity", 2020)]["relation"] == "pp_change" and rel[("rd_intensity", 2020)]["change"] == 0.8
    assert rel[("rd_intensity", 2020)]["base_source"] == "example-2021 line 2"
    grants = rel[("invention_patent_grants", 2020)]
    assert (grants["relation"], grants["factor"], grants["base_year"], grants["resolved"]) == ("multiple", 2.0, 2015, False)
    assert "2015 value of 番禺区 is neither in the document nor in" in grants["not_resolved_because"]
    national = rel[("rd_intensity", 2025)]
    assert (national["relation"], national["base_region"], national["base_year"]) == ("series", "全国", 2025)
    assert rel[("rd_intensity", 2016)]["base_source"].startswith("published_actuals.csv line ")
    assert len(ex.notes) == 2 and not ex.unaccounted


@pytest.mark.parametrize("entry, message", [
    ('{indicator: patent_applications, year: 2020, quote: "比2015年增长50%", relative: {published: 增长50%}}',
     "needs 'base_year'"),
    ('{indicator: patent_applications, year: 2020, quote: "比2015年增长50%", relative: {base_year: 2015, published: 增长50%, '
     'factor: 2}}', "reads as × 1.5"),
    ('{indicator: patent_applications, year: 2020, quote: "比2015年增长50%", relative: {base_year: 2015, published: 比2015年}}',
     "not a relation the reader knows"),
    ('{indicator: patent_applications, year: 2020, quote: "比2015年提高0.8个百分点以上", relative: {base_year: 2015, '
     'published: 提高0.8个百分点}}', "a change in percentage points; indicator 'patent_applications' has unit '件'"),
    ('{indicator: rd_intensity, year: 2025, quote: "2025年达到全国平均水平", relative: {base_year: 2015, '
     'published: 达到全国平均水平}}', "give `series: <region>`"),
])
def test_bad_relative_entries_are_refused(tmp_path, vocab, entry, message):
    from analysis.core.errors import SpecError

    spec = "source: example-2021\nobservations:\n  - " + entry + "\n"
    with pytest.raises(SpecError, match=message):
        _relative_extraction(tmp_path, vocab, spec)
