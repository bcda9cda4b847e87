"""Every word of the reports in both languages from analysis/present/labels.py: code values, units, flag reasons."""
import re

import pandas as pd
import pytest

from analysis.core import paths
from analysis.pipeline import datasets
from analysis.present import labels

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
    for rule in ("too_fast", "too_slow", "already_met_when_set", "below_baseline", "below_trend", "target_backwards",
                 "stock_falls", "share_above_100", "rate_vs_levels", "part_exceeds_whole", "flow_cannot_build_stock",
                 "stock_change_vs_flow", "escalation"):
        assert rule in labels.FLAG_REASONS_ZH and CJK.search(labels.value("rule", rule, "zh"))
    assert labels.value("robust", "knife_edge", "zh").startswith("临界")


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


def test_chinese_flag_reason_from_the_columns():
    row = {"rule": "too_fast", "metric": "pp_per_year", "start_year": 2019, "end_year": 2020, "value": 0.5,
           "threshold": 0.257, "threshold_name": "basic_research_share_warn_pp", "reason": "Implied rise …"}
    zh = labels.flag_reason(row, "zh")
    assert zh == ("2019–2020 年隐含年均增长 0.5 百分点/年，超过参考阈值 0.257 百分点/年"
                  "（basic_research_share_warn_pp），高出 0.243 百分点/年。")
    assert labels.flag_reason(row, "en") == "Implied rise …"
    row.update(peer_percentile=97.5, peer_n=40, robust="knife_edge", margin=0.3)
    zh = labels.flag_reason(row, "zh")
    assert "高出 0.3 百分点/年" in zh and "在 40 个同类目标中位于第 97.5 百分位" in zh and "临界" in zh


def test_every_real_flag_has_a_chinese_reason():
    for row in datasets.load("flags").to_dict("records"):
        zh = labels.flag_reason(row, "zh")
        assert CJK.search(zh) and not re.search(r"\b(too_fast|cagr|pp_per_year|nan)\b", zh), zh


def test_narrative_in_both_languages():
    for key, (zh, en) in labels.NARRATIVE.items():
        assert CJK.search(zh), key
        assert not CJK.search(re.sub(r"\((?:[^()]*)\)|`[^`]*`", "", en).replace("年均增长…%", "")) or key.endswith("title") \
            or "Chinese" in en, key
