"""Every word of the reports in both languages from analysis/present/labels.py: code values, units, flag reasons."""
import html
import re
from pathlib import Path

import _page_words as page_words
import pandas as pd
import pytest

from analysis.core import paths, schema, units
from analysis.derive.rules import REGISTRY
from analysis.pipeline import datasets
from analysis.present import labels, prose

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize("field, column, frame", [
    ("bound", "bound", "observations"), ("kind", "kind", "observations"), ("measure", "measure", "observations"),
    ("metric", "metric", "segments"), ("segment", "segment", "segments"), ("model", "model", "trajectories"),
    ("rule", "rule", "flags"), ("severity", "severity", "flags"), ("direction", "direction", "flags"),
    ("status", "status", "progress"), ("segment_note", "note", "segments"),
])
def test_every_code_value_of_the_processed_data_has_words_in_both_languages(field, column, frame):
    codes = set(datasets.load(frame)[column].dropna())
    assert codes, f"{frame}.{column} is empty"
    for code in codes:
        zh, en = labels.value(field, code, "zh"), labels.value(field, code, "en")
        assert CJK.search(zh), f"{field} {code!r} has no Chinese words: {zh!r}"
        assert not CJK.search(en), f"{field} {code!r}: English words contain Chinese: {en!r}"


def test_the_words_of_the_rules_and_statuses_that_are_coming():
    for status in ("achieved", "achieved_late", "achieved_at_rounding", "missed", "no_data", "not_assessable", "on_track",
                   "acceleration_needed", "limited_progress", "deterioration"):
        assert CJK.search(labels.value("status", status, "zh")) and labels.value("status", status, "en") != ""
    for rule in REGISTRY:
        assert CJK.search(labels.value("rule", rule.name, "zh"))
    assert labels.value("robust", "knife_edge", "zh").startswith("临界")


def test_every_bound_the_reader_produces_has_words_and_a_legend_label():
    for bound in schema.BOUNDS:
        assert CJK.search(labels.value("bound", bound, "zh")), bound
        assert labels.value("bound", bound, "en") not in ("", bound) or bound == "range", bound
        assert labels.t(f"bound.{bound}", "zh") and not CJK.search(labels.t(f"bound.{bound}", "en"))
    assert labels.value("bound", "le", "en") == "at most" and labels.value("bound", "lt", "zh") == "低于"


def test_every_canonical_unit_of_the_unit_table_has_its_english_name():
    for u in units.canonical_units():
        assert not CJK.search(labels.unit(u, "en")), f"unit {u!r} of data/raw/units.yml untranslated in English"
    assert labels.unit("人年", "en") == "person-years" and labels.unit("名次", "en") == "rank"
    assert labels.unit("人次", "en") == "person-times" and labels.unit("倍", "en") == "times (a multiple)"
    assert labels.english_names("reached 15 名次 and 209 人年") == "reached 15 rank and 209 person-years"


def test_unknown_code_stays_itself_and_missing_is_blank():
    assert labels.value("rule", "brand_new_rule", "zh") == "brand_new_rule"
    assert labels.value("bound", float("nan"), "zh") == "" and labels.value("bound", None, "en") == ""


def test_units_and_growth_units():
    assert labels.unit("家", "en") == "firms/institutions" and labels.unit("家", "zh") == "家"
    vocab = pd.read_csv(paths.INDICATORS, dtype=str)
    for u in set(vocab["unit"]):
        assert not CJK.search(labels.unit(u, "en")), f"unit {u!r} untranslated in English"
    assert labels.growth_unit("pp/yr", "zh") == "百分点/年" and labels.growth_unit("%/yr", "zh") == "%/年"
    assert "逻辑斯蒂" in labels.growth_unit("logit/yr", "zh") and "log-odds" in labels.growth_unit("logit/yr", "en")


def test_a_flag_reason_is_the_rules_own_sentence_in_the_pages_language():
    row = {"rule": "too_fast", "reason": "Implied growth … in 广州市 of 95 家.", "reason_zh": "隐含年均增长……。"}
    assert labels.flag_reason(row, "zh") == "隐含年均增长……。"
    assert labels.flag_reason(row, "en") == "Implied growth … in Guangzhou of 95 firms/institutions."
    assert labels.flag_reason(pd.Series(row), "zh") == "隐含年均增长……。"


def test_every_real_flag_reads_in_chinese_on_a_zh_page_with_the_numbers_of_its_english_reason():
    """flags.csv's reason_zh, the rule's own sentence: no English word a zh page may not show (tests/_page_words.py:
    addresses, file names and proper names only), and every number of `reason` in it."""
    numbers = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
    for row in datasets.load("flags").to_dict("records"):
        zh = labels.flag_reason(row, "zh")
        assert zh == row["reason_zh"] and CJK.search(zh), zh
        assert page_words.english_words(f"<p>{html.escape(zh)}</p>") == [], zh
        assert sorted(numbers.findall(row["reason"])) == sorted(numbers.findall(zh)), (row["reason"], zh)


def test_narrative_in_both_languages():
    for key, (zh, en) in prose.NARRATIVE.items():
        assert CJK.search(zh), key
        assert not CJK.search(re.sub(r"\((?:[^()]*)\)|`[^`]*`", "", en).replace("年均增长…%", "")) or key.endswith("title") \
            or "Chinese" in en, key


def test_every_progress_note_and_reason_of_the_real_data_reads_in_chinese():
    """analysis.progress writes every note and reason in both languages from the same parts (progress_notes.PARTS):
    the Chinese has no English left but proper names, and says as many pieces as the English."""
    from analysis.derive import progress
    from analysis.inputs import actuals

    obs = datasets.load("observations")
    table = progress.assess(obs, actuals.combined(obs), datasets.load("trajectories"))
    pairs = {(en, zh) for col in ("note", "reason", "quality_note") for en, zh in
             zip(table[col], table[f"{col}_zh" if col != "quality_note" else "quality_note_zh"]) if isinstance(en, str)}
    assert len(pairs) > 20
    for en, zh in sorted(pairs):
        assert isinstance(zh, str) and zh, en
        assert not re.search(r"[A-Za-z]{2,}", re.sub(r"https?://\S+", "", zh).replace("Open SDG", "")), zh
        assert 0 < zh.count("；") + 1 <= en.count("; ") + 1, (en, zh)     # a citation or a name may hold "; "


def test_every_part_of_a_progress_note_has_both_languages_with_the_same_slots():
    from analysis.derive import progress_notes

    for key, words in progress_notes.PARTS.items():
        zh, en = words.zh, words.en
        slots = set(re.findall(r"\{(\w+)\}", en))
        assert slots == set(re.findall(r"\{(\w+)\}", zh)), key
        words = re.sub(r"\{\w+\}", "", en)
        assert not re.search(r"[\u3400-\u9fff]", en), key
        assert re.search(r"[\u3400-\u9fff]", zh) or not re.search(r"[A-Za-z]", words), key
    note = [progress_notes.part("base_lag", year=2017, n=1, base_year=2018),
            progress_notes.part("later", later=[progress_notes.part("year_value", year=2022, value="> 5"),
                                                progress_notes.part("year_value", year=2023, value=6.0)])]
    assert progress_notes.text(note, "en") == "base from 2017, 1 year(s) before the plan's base year 2018; later: 2022 > 5, 2023 6"
    assert progress_notes.text(note, "zh") == "基期取 2017 年的实际值（比规划基期 2018 年早 1 年）；后来的实际值：2022 年 > 5，2023 年 6"
    assert progress_notes.text([], "zh") is None
    with pytest.raises(KeyError):
        progress_notes.part("no such note")


def test_every_reference_region_has_its_chinese_name():
    refs = pd.read_csv(paths.REFERENCE / "growth_references.csv")
    for region in set(refs["region"].dropna()):
        assert CJK.search(labels.reference_region(region, "zh")), region
        assert labels.reference_region(region, "en") == region


def test_every_metric_a_rule_writes_has_words_in_both_languages():
    """A metric written literally by a rule (flag_frame(..., "ratio", ...)) or a pace metric reads in Chinese on a zh
    page: the near-synonyms flag showed "ratio" on the zh flags page."""
    rules = Path(labels.__file__).parents[1] / "derive" / "rules"
    literal = {m for f in rules.glob("*.py")
               for m in re.findall(r'flag_frame\(\w+, RULE\.name, [^,]+, RULE\.direction, "(\w+)"', f.read_text("utf-8"))}
    assert {"ratio", "value", "share", "new_entries"} <= literal
    for m in literal | {"cagr", "pp_per_year", "new_per_year", "change_per_year", "places_per_year"}:
        assert m in labels.VALUES["metric"], m
        assert CJK.search(labels.value("metric", m, "zh")) and not CJK.search(labels.value("metric", m, "en")), m
