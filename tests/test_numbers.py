"""Parsing of numbers, units, multipliers, bounds, ranges, full-width forms and traditional characters."""
import pytest

from analysis.core import numerals, quantity


def read(text, at=None):
    """Read the number that starts at the first digit of `at` (default: the first digit of the text)."""
    norm = numerals.normalize(text)
    start = norm.index(at) if at else next(i for i, c in enumerate(norm) if c.isdigit())
    return quantity.read_number(text, start)


@pytest.mark.parametrize("text,expected", [("１５", 15.0), ("１．１４", 1.14), ("2.90", 2.9), (" 150 ", 150.0)])
def test_parse_decimal_full_width_and_plain(text, expected):
    assert numerals.parse_decimal(text) == expected


def test_parse_decimal_rejects_text():
    with pytest.raises(ValueError, match="not a number"):
        numerals.parse_decimal("十五")


def test_normalize_keeps_offsets():
    line = "比重增至0.72％以上，１５家"
    assert len(numerals.normalize(line)) == len(line)
    assert numerals.normalize(line) == "比重增至0.72%以上，15家"


def test_wan_multiplier_and_traditional_unit():
    r = read("高新技術企業超過 1.14 萬家")
    assert (r.value, r.unit, r.unit_published, r.value_published, r.bound) == (11400, "家", "萬家", "1.14", "gt")


@pytest.mark.parametrize("text,value,unit,bound", [
    ("增至0.72％以上", 0.72, "%", "ge"),               # full-width percent + 以上
    ("打造10家左右", 10, "家", "approx"),
    ("发卡近1200张", 1200, "张", "approx"),
    ("总投资规模550多亿元", 550, "亿元", "gt"),          # 多 between number and unit
    ("专职工作人员不少4人", 4, "人", "ge"),
    ("不少于６０项", 60, "项", "ge"),                   # full-width digits
    ("突破 850 億元", 850, "亿元", "gt"),
    ("市財政每年投入 6000 萬元", 0.6, "亿元", "eq"),      # 万元 → 亿元
    ("科技特派员从现有的102名", 102, "人", "eq"),        # 名 → 人
    ("孵化总面积855万平方米", 855, "万平方米", "eq"),      # area keeps its unit
    ("专业技术人才数量增至13.71万人", 137100, "人", "eq"),
    ("比例提升到88\u00a0%以上", 88, "%", "ge"),          # no-break space before %
])
def test_units_and_bounds(text, value, unit, bound):
    r = read(text)
    assert r.value == pytest.approx(value)
    assert (r.unit, r.bound) == (unit, bound)


def test_range_keeps_both_ends():
    r = read("國家級制造業創 新中心或分中心 1~2 家")
    assert (r.value, r.value_low, r.bound, r.value_published, r.unit) == (2, 1, "range", "1~2", "家")
    r = read("核心专家2~3名")
    assert (r.value, r.value_low, r.unit) == (3, 2, "人")


def test_year_span_is_not_a_range():
    r = read("(2016-2025年)")
    assert r.bound == "eq" and r.value == 2016


def test_number_without_unit():
    r = read("\t150 ")
    assert (r.value, r.unit, r.unit_published) == (150, None, "")


def test_years_are_found_with_spaces():
    assert [y for _, _, y in quantity.year_spans("到 2021 年末,力爭 2019年")] == [2021, 2019]


def test_traditional_to_simplified_uses_opencc():
    assert numerals.to_simplified("廣州市建設科技創新強市") == "广州市建设科技创新强市"
