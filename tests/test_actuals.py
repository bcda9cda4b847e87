"""analysis.inputs.actuals: the researcher CSV format, its validation messages, the published file, the combined frame."""
import re

import numpy as np
import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.inputs import actuals, actuals_csv

HEADER = "region,indicator,unit,year,value,source\n"
GOOD = "广州市,rd_intensity,%,2021,3.12,http://example.org/bulletin\n"
THIS_YEAR = 2024   # tests pin "now" so that the future-year rule does not depend on the clock


def write(tmp_path, text, name="mine.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def load(path):
    return actuals.load(path, this_year=THIS_YEAR)


def error_of(tmp_path, text, **kw):
    path = write(tmp_path, text, **kw)
    with pytest.raises(InputError) as info:
        load(path)
    msg = str(info.value)
    assert str(path) in msg, msg          # every message names the file
    return msg


# ------------------------------------------------------------------ valid files
def test_valid_file_with_bom_and_spaces(tmp_path):
    text = ("\ufeff Region , indicator ,unit, year , value ,source , bound,note\n"
            "  广州市 , tech_contract_turnover , 亿元 , 2020 ,  2256.53 , http://a.example/x ,  , rounded 2256 elsewhere\n"
            " Panyu District ,rd_intensity,%,2021,3.17,bulletin 2021, eq ,\n")
    df = load(write(tmp_path, text))
    assert list(df["region"]) == ["广州市", "番禺区"]          # English name mapped to the Chinese one
    assert list(df["indicator_id"]) == ["tech_contract_turnover", "rd_intensity"]
    assert list(df["value"]) == [2256.53, 3.17]
    assert list(df["year"]) == [2020, 2021]
    assert list(df["bound"]) == ["eq", "eq"]
    assert list(df["line"]) == [2, 3]
    assert df.loc[0, "note"] == "rounded 2256 elsewhere"      # extra columns are kept as provenance


def test_agreeing_duplicates_are_kept_once(tmp_path):
    df = load(write(tmp_path, HEADER + GOOD + GOOD.replace("3.12", "3.120")))
    assert len(df) == 1 and df.loc[0, "value"] == 3.12


def test_blank_lines_and_quoted_fields(tmp_path):
    text = HEADER + "\n" + '广州市,tech_contract_turnover,亿元,2021,2413.11,"gtxh.com, 2022-05-18"\n\n'
    df = load(write(tmp_path, text))
    assert df.loc[0, "source"] == "gtxh.com, 2022-05-18" and df.loc[0, "line"] == 3


def test_published_file_loads_every_row_mapped():
    pub = actuals.load_published()
    raw = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in paths.PUBLISHED_ACTUAL_FILES])
    assert len(pub) == len(raw)                               # every published row kept
    assert (pub["quote"] != "").all() and pub["source"].str.startswith("http").all()
    # the same concept has the same id in every region: R&D intensity of 全国, 广东省, 广州市, 番禺区
    rd = pub[pub["indicator_zh"].str.contains("投入强度")]
    assert set(rd["indicator_id"]) == {"rd_intensity"} and set(rd["region"]) == {"全国", "广东省", "广州市", "番禺区"}
    hte = pub[(pub["region"] == "广州市") & (pub["indicator_id"] == "high_tech_enterprises")].set_index("year")
    assert hte.loc[2019, "value"] == 12099 and hte.loc[2022, "bound"] == "gt"   # 突破1.23万家 is a lower bound


def test_combined_has_three_origins(tmp_path):
    obs = pd.DataFrame([{
        "source_id": "panyu-2015", "region": "番禺区", "indicator_id": "rd_intensity", "unit": "%", "year": 2014,
        "value": 1.67, "kind": "actual", "bound": "eq", "line": 53, "quote": "1.67"}])
    extra = write(tmp_path, HEADER + "番禺区,rd_intensity,%,2019,2.9,my notes\n")
    comb = actuals.combined(obs, extra)
    panyu = comb[(comb["region"] == "番禺区") & (comb["indicator_id"] == "rd_intensity")]
    assert list(zip(panyu["year"], panyu["origin"])) == [(2014, "document"), (2019, "researcher"), (2021, "published")]
    assert panyu.iloc[0]["citation"] == "panyu-2015 line 53: 1.67"


# ------------------------------------------------------------------ invalid files
def test_missing_column(tmp_path):
    msg = error_of(tmp_path, "region,indicator,unit,year,value\n广州市,rd_intensity,%,2021,3.12\n")
    assert "line 1, column 'source': required column is missing" in msg


def test_misspelled_column(tmp_path):
    msg = error_of(tmp_path, "region,indicator,unit,year,vaule,source\n" + GOOD)
    assert "line 1, column 'value': required column is missing; the header has 'vaule'" in msg


@pytest.mark.parametrize("text", ["", "   \n\n", "\ufeff"])
def test_empty_file(tmp_path, text):
    assert "the file is empty" in error_of(tmp_path, text)


def test_header_without_data(tmp_path):
    assert "line 1: the file has a header but no data lines" in error_of(tmp_path, HEADER)


def test_non_utf8_bytes(tmp_path):
    msg = error_of(tmp_path, HEADER + "广州市,rd_intensity,%,2021,3.12,公报\n", encoding="gbk")
    assert re.search(r"line 2: byte 0x[0-9a-f]{2} at byte 1 of the line is not UTF-8", msg), msg


@pytest.mark.parametrize("value,expected", [
    ("abc", "'abc' is not a number; expected a plain decimal number"),
    ('"12,099"', "'12,099' is not a number; thousands separators are not accepted"),
    ("3.12%", "'3.12%' is not a number; give the number without unit"),
    ("1.2万", "'1.2万' is not a number; give the number without unit"),
    ("", "empty; expected a number"),
])
def test_bad_value(tmp_path, value, expected):
    msg = error_of(tmp_path, HEADER + f"广州市,rd_intensity,%,2021,{value},bulletin\n")
    assert f"line 2, column 'value': {expected}" in msg


@pytest.mark.parametrize("year,expected", [
    ("2019.5", "'2019.5' is not a year; expected an integer"),
    ("二〇一九", "'二〇一九' is not a year"),
    ("2019年", "'2019年' is not a year"),
    ("2031", "2031 lies in the future (this year is 2024)"),
])
def test_bad_year(tmp_path, year, expected):
    msg = error_of(tmp_path, HEADER + f"广州市,rd_intensity,%,{year},3.12,bulletin\n")
    assert f"line 2, column 'year': {expected}" in msg


def test_unknown_region(tmp_path):
    msg = error_of(tmp_path, HEADER + "Guangzou,rd_intensity,%,2021,3.12,bulletin\n")
    assert "line 2, column 'region': unknown region 'Guangzou'; did you mean 'guangzhou'?" in msg
    assert "regions.csv" in msg


def test_unknown_indicator(tmp_path):
    msg = error_of(tmp_path, HEADER + "广州市,rd_intensty,%,2021,3.12,bulletin\n")
    assert "line 2, column 'indicator': unknown indicator 'rd_intensty'; did you mean 'rd_intensity'?" in msg


def test_indicator_given_by_name(tmp_path):
    msg = error_of(tmp_path, HEADER + "广州市,技术合同成交额,亿元,2021,2413.11,gtxh\n")
    assert "'技术合同成交额' is the name of 'tech_contract_turnover', give the id" in msg


def test_unit_not_the_indicators(tmp_path):
    msg = error_of(tmp_path, HEADER + "广州市,high_tech_enterprises,万家,2019,1.2099,briefing\n")
    assert "line 2, column 'unit': unit '万家' does not match indicator 'high_tech_enterprises', whose unit is '家'" in msg


@pytest.mark.parametrize("value", ["120", "-0.5"])
def test_share_outside_0_100(tmp_path, value):
    msg = error_of(tmp_path, HEADER + f"广州市,rd_intensity,%,2021,{value},bulletin\n")
    assert f"line 2, column 'value': share {value} outside 0–100" in msg


def test_negative_count(tmp_path):
    msg = error_of(tmp_path, HEADER + "广州市,high_tech_enterprises,家,2019,-5,briefing\n")
    assert "line 2, column 'value': negative count -5; expected a number ≥ 0" in msg


def test_duplicates_that_disagree(tmp_path):
    msg = error_of(tmp_path, HEADER + GOOD + "广州市,rd_intensity,%,2021,3.22,other page\n")
    assert "line 3, column 'value': 广州市 rd_intensity 2021 is given twice with different values: 3.12 (line 2) and 3.22" in msg


def test_too_few_fields(tmp_path):
    msg = error_of(tmp_path, HEADER + GOOD + "广州市,rd_intensity,%,2021,3.12\n")
    assert "line 3: 5 field(s), but the header has 6" in msg and "too few fields" in msg


def test_too_many_fields(tmp_path):
    msg = error_of(tmp_path, HEADER + "广州市,tech_contract_turnover,亿元,2021,2413.11,gtxh.com, 2022\n")
    assert "line 2: 7 field(s), but the header has 6" in msg and "double quotes" in msg


def test_bad_bound_and_empty_source(tmp_path):
    msg = error_of(tmp_path, "region,indicator,unit,year,value,source,bound\n广州市,rd_intensity,%,2021,3.12,,about\n")
    assert "2 problems" in msg
    assert "line 2, column 'source': empty; every actual must cite" in msg
    assert "line 2, column 'bound': 'about' is not a bound" in msg


def test_every_problem_is_listed(tmp_path):
    text = HEADER + "广州市,rd_intensity,%,2021,abc,x\n" + "广州市,rd_intensity,%,3000,3.1,x\n" + GOOD
    msg = error_of(tmp_path, text)
    assert "line 2, column 'value'" in msg and "line 3, column 'year'" in msg


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load(tmp_path / "nope.csv")


def test_embedded_line_breaks_keep_line_numbers(tmp_path):
    text = HEADER + '广州市,rd_intensity,%,2021,3.12,"two\nlines"\n' + "广州市,rd_intensity,%,2019,x,y\n"
    assert "line 4, column 'value'" in error_of(tmp_path, text)


# ------------------------------------------------------------------ how a large file is read (load's docstring)
def test_text_columns_come_back_in_full_across_pieces(tmp_path, monkeypatch):
    """Source and note are read as their first bytes, then again in full for the rows kept: long, quoted,
    multi-line and non-ASCII cells come back whole and stripped, also when the file is read in pieces."""
    monkeypatch.setattr(actuals, "CHUNK_ROWS", 2)
    text = ("region,indicator,unit,year,value,source,note\n"
            '广州市,rd_intensity,%,2019,2.9,"  http://a.example/x, p. 3 ","第一行\n第二行"\n'
            '广州市,rd_intensity,%,2019,2.9,"http://a.example/x, p. 3",agreeing repeat of the same source: dropped\n'
            "广州市,rd_intensity,%,2020,3.0,\u3000全角 source,😀 note\n"
            "广州市,rd_intensity,%,2021,3.1,\u00a0 b,-3\n"
            "广州市,rd_intensity,%,2022,3.2,c,\n")
    df = load(write(tmp_path, text))
    assert list(df["source"]) == ["http://a.example/x, p. 3", "全角 source", "b", "c"]
    assert list(df["note"]) == ["第一行\n第二行", "😀 note", "-3", ""]
    assert list(df["line"]) == [2, 5, 6, 7]


@pytest.mark.parametrize("space", ["\u3000", "\u00a0", "\x1c", "\t", "\u2003", "    "])
def test_formulas_and_blanks_behind_any_space(tmp_path, space):
    text = ("region,indicator,unit,year,value,source,note\n"
            f"广州市,rd_intensity,%,2019,2.9,{space}{space},x\n"
            f"广州市,rd_intensity,%,2020,2.9,x,{space}=1+1\n"
            f"广州市,rd_intensity,%,2021,2.9,x,{space}-2.5\n")          # a number, not a formula
    msg = error_of(tmp_path, text)
    assert "2 problems" in msg and "line 2, column 'source': empty" in msg
    assert "line 3, column 'note': text starting with '='" in msg


@pytest.mark.parametrize("value,expected", [("2.5", 2.5), (" 2.5 ", 2.5), ("+.5", 0.5), ("3.", 3.0), ("-0", 0.0)])
def test_values_read_alone_or_among_others(tmp_path, value, expected):
    """One numpy cast reads a column of plain numbers, one by one otherwise: the same numbers either way."""
    df = load(write(tmp_path, HEADER + f"广州市,rd_intensity,%,2019,{value},x\n" + GOOD))
    assert df["value"].tolist() == [expected, 3.12]


@pytest.mark.parametrize("value", ["1e5", "inf", "nan", "1_000", "0x10", "1.2.3", "+"])
def test_what_float_reads_but_a_plain_number_is_not(tmp_path, value):
    assert f"line 2, column 'value': '{value}' is not a number" in error_of(tmp_path, HEADER + f"广州市,rd_intensity,%,2019,{value},x\n")


def test_first_characters_from_the_first_bytes():
    """Every character up to U+3000 (the last space) and a sample of the rest; NUL never reaches here (_scan)."""
    code_points = [*range(1, 0x3001), *range(0x3001, 0x110000, 97), 0xFFFF, 0x10000, 0x10FFFF]
    cells = [""] + [chr(c) + "é" for c in code_points if not 0xD800 <= c <= 0xDFFF]
    heads = np.array([c.encode()[:4] for c in cells], dtype="S4")
    assert actuals_csv.first_characters(heads).tolist() == [c[:1] for c in cells]


def test_records_read_twice_must_agree(tmp_path):
    path = write(tmp_path, HEADER + GOOD + GOOD.replace("2021", "2020").replace("3.12", "3.5"))
    scan = actuals_csv.scan_file(path)
    begin, end = scan["offset"][1:-1], scan["offset"][2:]
    reread = actuals_csv.Reread(path, list(actuals_csv.REQUIRED))
    assert reread.cells(begin, end, ["source"], np.array([3.12, 3.5]))["source"].tolist() == ["http://example.org/bulletin"] * 2
    with pytest.raises(actuals_csv.ReadTwiceDiffers):          # e.g. the file changed in between
        reread.cells(begin, end, ["source"], np.array([3.12, 3.6]))
