"""provincial_panel.csv: loaded and validated (analysis.inputs.panels), its values those of the cited files, and
the import script (data/raw/reference/build_provincial_panel.py) reproducing the rows of the files kept here."""
import hashlib
import importlib.util
import shutil

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.inputs import panels

SCRIPT = paths.REFERENCE / "build_provincial_panel.py"


@pytest.fixture(scope="module")
def panel():
    return panels.load_panel()


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_provincial_panel", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def value(panel, region, indicator, year, title_has):
    hit = panel[(panel["region"] == region) & (panel["indicator"] == indicator) & (panel["year"] == year)
                & panel["title"].str.contains(title_has, regex=False)]
    assert len(hit) == 1, (region, indicator, year, title_has)
    return hit.iloc[0]


def test_values_are_those_read_off_the_sources(panel):
    # read off the files by eye (their rows are in `quote`); conversions computed by hand
    bj = value(panel, "北京市", "rd_expenditure", 2011, "公报")
    assert bj["value"] == 936.6 and bj["quote"] == "北京 | 936.6 | 5.76"
    assert value(panel, "北京市", "rd_intensity", 2011, "公报")["value"] == 5.76
    assert value(panel, "北京市", "rd_intensity", 2023, "公报")["value"] == 6.73
    gd = value(panel, "广东省", "invention_patent_grants", 2012, "专利")
    assert gd["value"] == 22153 and gd["quote"] == "广东 | Guangdong | 153598 | 22153 | 65946 | 65499"
    assert value(panel, "北京市", "invention_patent_grants", 2023, "专利")["value"] == 107875
    assert value(panel, "广东省", "patent_grants", 2012, "专利")["value"] == 153598
    jx = value(panel, "江西省", "invention_patent_applications", 2014, "专利")     # the file prints 江两 for 江西
    assert jx["value"] == 4688 and jx["quote"].startswith("江两 | Jiangxi | 25594 | 4688")
    assert "'江两' for 江西 (a recognition error)" in jx["notes"]
    jl = value(panel, "吉林省", "patent_applications", 2019, "专利")            # its 外观设计 cell is empty
    assert jl["value"] == 31052 and "not checked" in jl["notes"]
    sh = value(panel, "上海市", "tech_contract_turnover", 2000, "data to 2023")
    assert sh["value"] == pytest.approx(73.8952)                 # 738952 万元 / 10000
    assert sh["quote"].startswith("上海 | Shanghai | 738952 | ")
    assert value(panel, "北京市", "fiscal_st_spending", 2023, "一般公共预算")["value"] == 521.91
    assert value(panel, "北京市", "fiscal_st_share", 2023, "一般公共预算")["value"] == pytest.approx(6.5474)  # 521.91/7971.25
    share = value(panel, "上海市", "basic_research_share", 2010, "活动类型")
    assert share["value"] == pytest.approx(6.445)               # 100 × 310458.6 / 4817031.4 = 6.4450
    assert "COMPUTED SHARE" in share["notes"]
    assert value(panel, "北京市", "rd_intensity", 2012, "1-8")["value"] == pytest.approx(5.589378)


def test_every_row_is_cited_and_the_panel_covers_the_provinces(panel):
    assert panel["source_url"].str.match(r"https://github\.com/huhuaping/techme/blob/[0-9a-f]{40}/").all()
    assert (panel["quote"].str.len() > 0).all() and (panel["notes"].str.len() > 0).all()
    cov = panels.coverage(panel).set_index("indicator")
    full = cov[(cov["regions"] == 31) & (cov["years"] >= 10)]
    assert {"rd_expenditure", "rd_intensity", "invention_patent_grants", "invention_patent_applications",
            "patent_grants", "patent_applications", "tech_contract_turnover",
            "basic_research_share", "fiscal_st_spending", "fiscal_st_share"} <= set(full.index)
    # the bulletin file that repeats the next year's table is not used: no 2018 bulletin row
    bulletin = panel[panel["title"].str.contains("公报", regex=False)]
    assert 2018 not in set(bulletin["year"]) and {2017, 2019} <= set(bulletin["year"])


def test_loading_gives_lines_and_types(panel):
    assert panel["line"].iloc[0] == 2 and panel["line"].is_monotonic_increasing
    assert panel["year"].dtype == "int64" and panel["value"].dtype == "float64"


def good_row(**change):
    row = {"region": "广东省", "region_level": "province", "province": "广东", "indicator": "rd_intensity",
           "unit": "% of GDP", "year": "2020", "value": "3.14", "source_url": "https://example.org/t.xlsx",
           "publisher": "p", "title": "t", "quote": "广东 | 3.14", "notes": ""}
    row.update(change)
    return row


@pytest.mark.parametrize("change, words", [
    ({"value": "-1"}, "line 3 field 'value'"),
    ({"value": "inf"}, "a finite number >= 0"),
    ({"value": "nan"}, "a finite number >= 0"),
    ({"value": "3,1"}, "expected a number"),
    ({"year": "2020.5"}, "line 3 field 'year'"),
    ({"year": "1850"}, "an integer year in"),
    ({"indicator": "rd_intensityy"}, "an indicator_id of data/raw/indicators.csv"),
    ({"unit": "亿元"}, "field 'unit'"),
    ({"province": "广州"}, "the short name of one of the 31 provinces"),
    ({"region": "广东"}, "'广东省', the full name of 广东"),
    ({"region_level": "county"}, "one of province, city, district"),
    ({"region_level": "city"}, "a city, not a province"),
    ({"source_url": ""}, "field 'source_url'"),
    ({"source_url": "github.com/x"}, "an address starting with https://"),
    ({"quote": " "}, "field 'quote'"),
])
def test_bad_rows_are_refused_naming_line_and_field(change, words):
    df = pd.DataFrame([good_row(year="2019"), good_row(**change)])
    with pytest.raises(InputError, match="panel.csv: line 3") as err:
        panels.validate(df, "panel.csv")
    assert words in str(err.value)


def test_a_value_given_twice_is_refused_and_a_city_row_passes():
    with pytest.raises(InputError, match=r"line 3: 广东省 rd_intensity 2020 of the table 't' is given twice \(first at line 2\)"):
        panels.validate(pd.DataFrame([good_row(), good_row(value="3.2")]), "panel.csv")
    out = panels.validate(pd.DataFrame([good_row(), good_row(title="u"),
                                        good_row(region="清远市", region_level="city")]), "panel.csv")
    assert list(out["value"]) == [3.14, 3.14, 3.14] and list(out["year"]) == [2020] * 3


def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("region,year\n广东省,2020\n", encoding="utf-8")
    with pytest.raises(InputError, match="p.csv: line 1: columns are"):
        panels.load_panel(path)


def test_the_script_reproduces_the_rows_of_the_files_kept_here(build, panel):
    commit, manifest = build.load_manifest()
    kept = [e for e in manifest if e["kept_as"]]
    assert len(kept) == 12
    rows = []
    for e in kept:
        rows += build.bulletin(e, build.read_xlsx(build.source_file(e, None)), build.address(commit, e["path"]))
    again = pd.DataFrame(rows, columns=panels.PANEL_COLUMNS).sort_values(["indicator", "province", "year"])
    committed = panel[panel["title"] == build.BULLETIN].drop(columns="line").sort_values(["indicator", "province", "year"])
    assert len(again) == len(committed) == 12 * 31 * 2
    pd.testing.assert_frame_equal(again.reset_index(drop=True), committed.reset_index(drop=True), check_dtype=False)


def test_the_script_checks_each_file_against_its_sha256(build, tmp_path):
    _, manifest = build.load_manifest()
    entry = next(e for e in manifest if e["kept_as"])
    copy = tmp_path / "techme"
    (copy / entry["path"]).parent.mkdir(parents=True)
    shutil.copy(build.HERE / entry["kept_as"], copy / entry["path"])
    assert build.source_file({**entry, "kept_as": ""}, copy) == copy / entry["path"]
    (copy / entry["path"]).write_bytes((copy / entry["path"]).read_bytes() + b"\0")
    with pytest.raises(InputError, match="sha256 .* differs"):
        build.source_file({**entry, "kept_as": ""}, copy)
    not_kept = next(e for e in manifest if not e["kept_as"])
    with pytest.raises(InputError, match="give --techme DIR"):
        build.source_file(not_kept, None)
    assert hashlib.sha256((build.HERE / entry["kept_as"]).read_bytes()).hexdigest() == entry["sha256"]


def test_a_bulletin_that_disagrees_with_the_yearbook_stops_the_script(build):
    def r(title, value):
        return {**good_row(indicator="rd_expenditure", unit="亿元", title=title, value=value), "year": 2019}
    build.check_bulletins(pd.DataFrame([r(build.BULLETIN, 100.0), r("yearbook", 100.04)]))       # rounding
    with pytest.raises(InputError, match="广东 2019: the bulletin's 120.0 亿元 differs from the yearbook's 100.0"):
        build.check_bulletins(pd.DataFrame([r(build.BULLETIN, 120.0), r("yearbook", 100.0)]))


def test_misread_province_names_are_matched_and_a_missing_province_is_named(build):
    rows = [[name, "1"] for name in build.PROVINCES if name not in ("山西", "西藏")] + [["山两", "2"], ["两 藏", "3"]]
    found = build.province_rows(rows, "t.xlsx")
    assert found["山西"] == ["山两", "2"] and found["西藏"] == ["两 藏", "3"]
    assert "recognition error" in build.misread_note(found["山西"])
    with pytest.raises(InputError, match="t.xlsx: no row for 新疆"):
        build.province_rows([r for r in rows if r[0] != "新疆"], "t.xlsx")
