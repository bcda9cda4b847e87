"""The sentence parts: numbers written once for both languages, parts joined in each language."""
import pytest

from analysis.derive.sentences import Words, fmt, fmt_rate, join, rate, same, with_unit


def test_fmt_writes_numbers_as_the_reasons_do():
    assert [fmt(3.0), fmt(1528), fmt(2.51), fmt(1508.5), fmt(0.28000000000000003), fmt(10163)] == \
        ["3", "1,528", "2.51", "1,508.5", "0.28", "10,163"]
    assert [fmt(-0.0001, 2), fmt(2.675, 2), fmt(float("inf")), fmt(float("nan")), fmt(None)] == \
        ["0", "2.67", "∞", "n/a", "n/a"]                     # 2.675 is 2.67499… in binary
    assert fmt_rate(12.3456, "%/yr") == "12.35 %/yr" and fmt_rate(0.1234, "pp/yr") == "0.123 pp/yr"
    assert with_unit(13.5, "%") == "13.5%" and with_unit(1528, "家") == "1,528 家"


def test_parts_carry_the_same_numbers_in_both_languages():
    s = Words("隐含增长 ", "Implied growth of ") + rate(12.5, "%/yr") + same("") + Words("。", ".")
    assert s.zh == "隐含增长 12.5 %/年。" and s.en == "Implied growth of 12.5 %/yr."
    assert s.get("en") == s.en and s.get("zh") == s.zh
    assert join([same("a"), same("b")]) == Words("a；b", "a; b")
    assert join([]) == Words("", "") and sum([same("a"), same("b")]) == same("ab")
    with pytest.raises(ValueError, match="language 'fr'"):
        s.get("fr")


def test_a_window_label_comes_in_the_readers_language():
    from analysis.derive.sentences import window
    w = window("China 2021–2024 (growth_references.csv lines 27–29)")
    assert w.zh == "全国 2021–2024 年（growth_references.csv 第 27–29 行）"
    assert w.en == "China 2021–2024 (growth_references.csv lines 27–29)"
    assert window("China (national) 2022–2023 (growth_references.csv line 59)").zh == \
        "全国 2022–2023 年（growth_references.csv 第 59 行）"
    assert window("佛山市 2014–2017") == Words("佛山市 2014–2017 年", "佛山市 2014–2017")
    assert window("not a window") == same("not a window")
