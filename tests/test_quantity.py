"""The quantity reader (analysis.core.quantity): phrases read by hand, the silent misreadings of issue 11, the
command line, and validation that re-reads every quote."""
import json
import subprocess
import sys

import pandas as pd
import pytest

from analysis.core import numerals, paths, quantity, units
from analysis.ingest.validate import reading_problem


def only(text):
    """The single quantity of `text`."""
    qs = [t for t in quantity.scan(text) if t.kind in ("quantity", "error")]
    assert len(qs) == 1, [(t.kind, text[t.start:t.end]) for t in qs]
    assert qs[0].kind == "quantity", qs[0].error
    return qs[0].reading


# text, value (canonical unit), unit, bound, value_low: each read by hand
PHRASES = [
    ("研发人员达到209人年以上", 209, "人年", "ge", None),                 # person-years, bound kept
    ("高新技术企业营业收入达到34萬億元", 340000, "亿元", "eq", None),      # 万亿 in traditional script
    ("营业收入达到34万亿元", 340000, "亿元", "eq", None),
    ("技术合同成交额突破 850 億元", 850, "亿元", "gt", None),
    ("投入6000万元", 0.6, "亿元", "eq", None),
    ("高新技术企业1.2万家以上", 12000, "家", "ge", None),
    ("在孵企业超过1万多家", 10000, "家", "gt", None),
    ("两家", 2, "家", "eq", None),
    ("新增十二件", 12, "件", "eq", None),
    ("培育两千五百家", 2500, "家", "eq", None),
    ("遴选百家", 100, "家", "eq", None),
    ("五万人", 50000, "人", "eq", None),
    ("创新指数 160以上", 160, "点", "ge", None),
    ("排名全省前40位", 40, "名次", "le", None),
    ("全市前3", 3, "名次", "le", None),
    ("论文被引次数达到世界第二", 2, "名次", "eq", None),            # 第N: that place (issue 22; 前N: this or better)
    ("居全省第4位", 4, "名次", "eq", None),
    ("比重提高1.5个百分点", 1.5, "百分点", "eq", None),
    ("国家级制造业创新中心 1~2 家", 2, "家", "range", 1),
    ("核心专家二至三名", 3, "人", "range", 2),
    ("3-5万元", 0.0005, "亿元", "range", 0.0003),
    ("发卡近1200张", 1200, "张", "approx", None),
    ("约50家", 50, "家", "approx", None),
    ("贡献率达到65%左右", 65, "%", "approx", None),
    ("依存度降低到30%以下", 30, "%", "le", None),
    ("控制在5%以内", 5, "%", "le", None),
    ("不超过200万元", 0.02, "亿元", "le", None),
    ("不足10家", 10, "家", "lt", None),
    ("不少于６０项", 60, "项", "ge", None),
    ("高新技术企业数量至少达到40家", 40, "家", "ge", None),      # 至少 with 达到 between it and the number
    ("总投资规模550多亿元", 550, "亿元", "gt", None),
    ("孵化总面积855万平方米", 855, "万平方米", "eq", None),
    ("专利申请量比2015年翻一番", 2, "倍", "eq", None),
    ("比2012年翻一倍以上", 2, "倍", "ge", None),
    ("是2015年的1.3倍", 1.3, "倍", "eq", None),
]


@pytest.mark.parametrize("text,value,unit,bound,low", PHRASES)
def test_phrases_read_by_hand(text, value, unit, bound, low):
    r = only(text)
    assert r.value == pytest.approx(value)
    assert (r.unit, r.bound) == (unit, bound)
    assert (r.value_low is None) == (low is None) and (low is None or r.value_low == pytest.approx(low))


@pytest.mark.parametrize("text,token", [
    ("新增12台", "台"), ("5家次", "家次"), ("投资2亿美元", "美元"), ("两台", "台"), ("建设10万吨", "吨"),
])
def test_unknown_unit_token_is_an_error_naming_it(text, token):
    errors = [t for t in quantity.scan(text) if t.kind == "error"]
    assert len(errors) == 1 and repr(token) in errors[0].error


def test_silent_misreadings_of_issue_11_are_read_right():
    r = only("每万名就业人员中研发人员达到209人年以上")
    assert (r.value, r.unit, r.bound, r.unit_published) == (209, "人年", "ge", "人年")   # not 209 人 eq
    r = only("高新技術企業營業收入達到34萬億元")
    assert (r.value, r.unit, r.unit_published) == (340000, "亿元", "萬億元")           # not 34 亿元


@pytest.mark.parametrize("text", ["十三五规划", "第十五届人大", "一次性给予", "打造一批平台", "五年行动计划", "同一个项目",
                                  "2017年3月", "穗科创函〔2017〕830号", "用3个月时间"])
def test_not_quantities(text):
    assert [t for t in quantity.scan(text) if t.kind in ("quantity", "error")] == []


@pytest.mark.parametrize("text,value", [("十", 10), ("十二", 12), ("二十", 20), ("一百二十", 120), ("两千", 2000),
                                        ("三千五百", 3500), ("百", 100), ("二〇二〇", 2020), ("十三五", None), ("二二", None)])
def test_chinese_numerals(text, value):
    assert numerals.parse_chinese(text) == value


def test_completeness_counts_chinese_numerals_that_carry_a_quantity():
    line = "建设两家实验室，打造一批平台，十三五期间新增十二件"
    found = [line[a:b] for a, b in quantity.quantity_spans(line)]
    assert found == ["两", "十二"]


def test_offsets_survive_traditional_and_full_width():
    line = "高新技術企業超過１．１４萬家"
    r = only(line)
    assert line[r.start:r.end] == "１．１４萬家" and r.published(line) == "超過１．１４萬家"


def test_command_line_prints_one_json_object_per_quantity_in_text_order():
    out = subprocess.run([sys.executable, "-m", "analysis.quantity", "到2020年，研发人员达到60人年，收入34萬億元，居全国前3位"],
                         capture_output=True, text=True, cwd=paths.ROOT)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(ln) for ln in out.stdout.splitlines()]
    assert [(r["value"], r["unit"], r["bound"], r["published"]) for r in rows] == [
        (60, "人年", "eq", "60人年"), (340000, "亿元", "eq", "34萬億元"), (3, "名次", "le", "前3位")]
    assert all(r["value_low"] is None for r in rows)


def test_command_line_reports_an_unknown_unit_and_exits_non_zero():
    out = subprocess.run([sys.executable, "-m", "analysis.quantity", "新增12台设备"], capture_output=True, text=True,
                         cwd=paths.ROOT)
    assert out.returncode == 1
    assert "'台'" in json.loads(out.stdout.splitlines()[0])["error"]


def _row(**kw):
    base = dict(value_low=float("nan"), unit_published="", source_id="s", indicator_id="i", year=2020, kind="target")
    return pd.Series({**base, **kw})


def test_validation_re_reads_the_quote():
    line = "每万名就业人员中研发人员达到209人年以上。"
    wrong = _row(quote="研发人员达到209人年以上", value_published="209", value=209.0, unit="人", unit_published="人", bound="eq")
    assert "reads as" in reading_problem(wrong, line)
    right = _row(quote="研发人员达到209人年以上", value_published="209", value=209.0, unit="人年", unit_published="人年", bound="ge")
    assert reading_problem(right, line) is None
    line = "收入达到34萬億元"
    assert "reads as" in reading_problem(_row(quote="达到34萬億元", value_published="34", value=34.0, unit="亿元",
                                              unit_published="萬億元", bound="eq"), line)
    line = "增速不低于-0.5个百分点"                                  # a signed number re-reads from after its sign
    assert reading_problem(_row(quote="不低于-0.5个百分点", value_published="-0.5", value=-0.5, unit="百分点",
                                unit_published="个百分点", bound="ge"), line) is None
    assert "reads as" in reading_problem(_row(quote="不低于-0.5个百分点", value_published="-0.5", value=0.5, unit="百分点",
                                              unit_published="个百分点", bound="ge"), line)


# ------------------------------------------------------------------------------ the unit table (data/raw/units.yml)
def test_unit_table_drives_the_reader_and_accepts_traditional_hu():
    assert quantity.UNITS["户"][0] == "家" and "户" not in quantity.UNKNOWN_UNITS
    r = only("科技型中小企业超过800戶")                       # traditional 戶 = 户: enterprises
    assert (r.value, r.unit, r.bound, r.unit_published) == (800, "家", "gt", "戶")
    r = only("科普经费占比达到3.5‰")
    assert (r.value, r.unit, r.unit_published) == (0.35, "%", "‰")
    assert units.canonical_units() == frozenset(units.units().canonical)


@pytest.mark.parametrize("text, message", [
    ("canonical: {}\npublished: {}\nnot_read: {}\n", "key 'canonical'"),
    ("canonical: {亿元: {en: x, meaning: y}}\npublished: {元: {canonical: 亿元, factor: 1, meaning: m}}\nnot_read: {台: {}}\n",
     r"canonical unit\(s\) \['%'"),
    ("units: []\n", "the top level"),
])
def test_bad_unit_table_is_refused_naming_the_file_and_entry(tmp_path, text, message):
    bad = tmp_path / "units.yml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(quantity.InputError, match=message):
        units.load_units(bad)


def test_bad_unit_entries_name_the_unit(tmp_path):
    good = paths.UNITS.read_text(encoding="utf-8")
    for old, new, message in [
            ("元: {canonical: 亿元, factor: 1.0e-8", "元: {canonical: 亿圆, factor: 1.0e-8", "published unit '元' field 'canonical'"),
            ("人年: {canonical: 人年, factor: 1,", "人年: {canonical: 人年, factor: -1,", "published unit '人年' field 'factor'"),
            ("  台: {}", "  家: {}", "'家' is both a published unit and not read")]:
        bad = tmp_path / "units.yml"
        bad.write_text(good.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(quantity.InputError, match=message):
            units.load_units(bad)


# ------------------------------------------------------------------ read right or refuse (issue 25)
@pytest.mark.parametrize("text, value, unit, published", [
    ("-5%", -5, "%", "-5%"), ("负5%", -5, "%", "负5%"), ("−5%", -5, "%", "−5%"),       # signs: ASCII, 负, U+2212
    ("增速为-0.3个百分点", -0.3, "百分点", "-0.3个百分点"),
    ("零点五个百分点", 0.5, "百分点", "零点五个百分点"),                                    # a Chinese decimal, one number
    ("三点一四倍", 3.14, "倍", "三点一四倍"),
    ("3万5千家", 35000, "家", "3万5千家"), ("三万五千人", 35000, "人", "三万五千人"),        # one number in two parts
    ("1亿5000万元", 1.5, "亿元", "1亿5000万元"),
    ("3.5‰", 0.35, "%", "3.5‰"),                                                        # per mille, with its unit
])
def test_signs_decimals_and_compound_numbers_read_as_one_number(text, value, unit, published):
    r = only(text)
    assert (r.value, r.unit, r.published(text)) == (pytest.approx(value), unit, published)


def test_a_range_dash_is_not_a_sign():
    r = only("3-5万元")
    assert (r.value, r.value_low, r.bound) == (pytest.approx(0.0005), pytest.approx(0.0003), "range")


@pytest.mark.parametrize("text, message", [
    ("1.2.3亿元", "'1.2.3' is not a number"), ("1e308亿元", "'1e308' is not a number"),
    ("9" * 400 + "亿元", "larger than 1e+15"), ("1" + "0" * 20 + "家", "larger than 1e+15"),
])
def test_malformed_or_absurd_numbers_are_refused_and_none_of_their_digits_read(text, message):
    tokens = [t for t in quantity.scan(text) if t.kind in ("quantity", "error")]
    assert [t.kind for t in tokens] == ["error"] and message in tokens[0].error


def test_command_line_reads_right_or_refuses_with_valid_json_and_no_traceback():
    def run(*args):
        return subprocess.run([sys.executable, "-m", "analysis.quantity", *args], capture_output=True, cwd=paths.ROOT)

    out = run("-5%")                                        # a text that starts with '-' is text, not an option
    assert out.returncode == 0 and json.loads(out.stdout)["value"] == -5
    for text in ("1e308亿元", "9" * 400 + "亿元", "1.2.3亿元"):
        out = run(text)
        assert out.returncode == 1 and b"Traceback" not in out.stderr
        lines = out.stdout.decode().splitlines()
        assert len(lines) == 1 and "error" in json.loads(lines[0]) and "Infinity" not in lines[0]
    out = run(b"\xff\xfe\xe5\xa2\x9e5%".decode("utf-8", "surrogateescape"))     # argv bytes that are not UTF-8
    assert out.returncode == 1 and out.stdout == b"" and b"Traceback" not in out.stderr
    assert b"argument 1: byte 0xff at character 1 is not UTF-8" in out.stderr


def test_a_rank_with_its_base_reads_as_two_places():
    ranks = [t.reading for t in quantity.scan("由2015年的第18位提升到前15位") if t.kind == "quantity"]
    assert [(r.value, r.unit, r.bound) for r in ranks] == [(18, "名次", "eq"), (15, "名次", "le")]   # place 18; 15 or better


def test_a_range_written_with_dao_is_a_range_but_a_rise_is_two_numbers():
    r = only("“独角兽”企业3到5家")                              # zhuhai-2018-action's 3到5家 (issue 22)
    assert (r.value, r.value_low, r.bound, r.unit) == (5, 3, "range", "家")
    assert [t.reading.value for t in quantity.scan("由3家增加到5家") if t.kind == "quantity"] == [3, 5]
    assert [t.kind for t in quantity.scan("从2020年到2025年")] == ["year", "year"]


def test_a_bound_word_before_a_sign_still_counts():
    r = only("增速不低于-5%")
    assert (r.value, r.bound, r.published("增速不低于-5%")) == (-5, "ge", "不低于-5%")
    assert (only("不超过负2个百分点").value, only("不超过负2个百分点").bound) == (-2, "le")
