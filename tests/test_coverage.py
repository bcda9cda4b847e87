"""Coverage of the plausibility judgements (analysis/present/coverage.py): counts per plan from hand-built segment and
flag frames, every target segment's status, and words in both languages for any yardstick and reason."""
import re

import pandas as pd
import pytest

from analysis.core import schema
from analysis.pipeline import datasets
from analysis.present import coverage, labels, views

CJK = re.compile(r"[\u3400-\u9fff]")
FEW = "not judged: 0 peer windows of 1 year (fewer than 8); no national series of ≤ 1 year for x; no ceiling for a 1-year window"
SMALL = ("not judged: a count starting below 50 is judged only against the ceiling; the ceiling cagr_alert was "
         "measured over 3 years, longer than this 1-year segment")


def seg(source, indicator, y0, y1, segment="step", end_kind="target", yardstick=None, why=None, region="甲市"):
    return {"source_id": source, "region": region, "indicator_id": indicator, "segment": segment,
            "start_year": y0, "end_year": y1, "end_kind": end_kind, "judged": yardstick is not None,
            "yardstick": yardstick, "not_judged_because": why, "growth": 10.0, "pace_judged": 10.0,
            "metric": "cagr", "growth_unit": "%/yr"}


# plan a: 5 steps to a target (peers, national, a new yardstick "other yardstick", ceiling only, not judged: too few
# peers), one first-to-last segment and one step between actuals (not a target); plan b: 2 steps (peers flagged,
# not judged: small base)
SEGMENTS = pd.DataFrame([
    seg("a", "i1", 2015, 2017, yardstick="peers"),
    seg("a", "i2", 2015, 2017, yardstick="national"),
    seg("a", "i3", 2015, 2017, yardstick="other yardstick"),
    seg("a", "i4", 2015, 2017, yardstick="ceiling only"),
    seg("a", "i5", 2015, 2017, why=FEW),
    seg("a", "i5", 2012, 2017, segment="overall", why="the first-to-last segment repeats its steps, which are judged"),
    seg("a", "i5", 2012, 2015, end_kind="actual", why="history: both ends are actuals"),
    seg("b", "i1", 2016, 2018, yardstick="peers", region="乙区"),
    seg("b", "i6", 2016, 2018, why=SMALL, region="乙区"),
])
FLAGS = pd.DataFrame({"source_id": ["b", "a"], "indicator_id": ["i1", "i5"], "start_year": [2016, 2017],
                      "end_year": [2018, 2017], "rule": ["too_fast", "share_above_100"], "severity": ["warn", "info"]})


def test_counts_per_plan_by_hand():
    c = coverage.counts(SEGMENTS, FLAGS).set_index(pd.Index(["a", "b", "all"]))
    # yardstick columns: known words first (peers, national), then others by name; ceiling only apart
    assert [k for k in c.columns if k.startswith("yardstick:")] == ["yardstick:peers", "yardstick:national",
                                                                    "yardstick:other yardstick"]
    assert c.loc["a", ["target_segments", "steps", "yardstick:peers", "yardstick:national", "yardstick:other yardstick",
                       "ceiling_only", "not_judged", "flagged", "plausible"]].tolist() == [6, 5, 1, 1, 1, 1, 1, 0, 3]
    assert c.loc["a", "binding_pct"] == pytest.approx(60.0)           # 3 of 5 steps (ceiling only does not count)
    assert c.loc["a", "why"] == {"no_yardstick": 1}
    # b: the peers step is flagged (warn), the other not judged for its small base
    assert c.loc["b", ["target_segments", "steps", "yardstick:peers", "not_judged", "flagged", "plausible"]].tolist() \
        == [2, 2, 1, 1, 1, 0]
    assert c.loc["b", "binding_pct"] == pytest.approx(50.0) and c.loc["b", "why"] == {"small_base": 1}
    # all plans: 7 steps, 4 judged by a yardstick that can bind
    assert c.loc["all", ["target_segments", "steps", "ceiling_only", "not_judged", "flagged"]].tolist() == [8, 7, 1, 2, 1]
    assert c.loc["all", "binding_pct"] == pytest.approx(400 / 7)
    assert c.loc["all", "why"] == {"no_yardstick": 1, "small_base": 1}
    assert len(coverage.counts(SEGMENTS[SEGMENTS["source_id"] == "a"], FLAGS)) == 1      # one plan: no total row


def test_status_of_every_target_segment():
    t = coverage.target_segments(SEGMENTS)
    shown = FLAGS[FLAGS["severity"] == "warn"]
    assert list(coverage.statuses(t, FLAGS, shown)) == [
        "judged", "judged", "judged", "ceiling_only", "not_judged", "not_judged", "flagged", "not_judged"]
    # a flag below the severity shown: the segment says so, never "plausible"
    assert coverage.statuses(t, FLAGS, FLAGS.iloc[0:0])[6] == "flagged_below"


def test_tables_have_words_for_any_yardstick_and_no_english_on_a_zh_page():
    zh = coverage.table(SEGMENTS, FLAGS, "zh")
    header = " ".join(zh.columns)
    assert "按同类地区判断" in header and "按其他参照 1判断" in header and "other yardstick" not in header
    assert zh.iloc[-1, 0] == "全部规划" and zh.iloc[1, -1].startswith("小基数，按每年新增数判断")
    for col in zh.columns[1:]:                  # (source ids are identifiers)
        assert not any(re.search(r"[A-Za-z]{3,}", str(v)) for v in zh[col]), (col, list(zh[col]))
    en = coverage.table(SEGMENTS, FLAGS, "en")
    assert "judged: other yardstick" in en.columns and "judged: peers" in en.columns


def test_reason_kinds_and_their_chinese():
    assert coverage.reason_kind(FEW) == "no_yardstick" and coverage.reason_kind(SMALL) == "small_base"
    assert coverage.reason_kind("something new") == "other" and coverage.reason_kind(None) is None
    for kind, _ in coverage.REASON_KINDS + (("other", ""),):
        assert CJK.search(labels.value("not_judged", kind, "zh")) and not CJK.search(labels.value("not_judged", kind, "en"))


def test_every_yardstick_and_status_has_words():
    for y in schema.YARDSTICKS:
        assert CJK.search(labels.value("yardstick", y, "zh")), y
    for s in coverage.STATUSES:
        assert CJK.search(labels.value("segment_status", s, "zh")) and labels.value("segment_status", s, "en")
    assert coverage.CEILING_ONLY in schema.YARDSTICKS


def test_every_reason_of_the_real_data_reads_in_chinese():
    segs = datasets.load("segments")
    both = segs[["not_judged_because", "not_judged_because_zh"]]
    assert (both.isna().all(axis=1) | both.notna().all(axis=1)).all()           # a reason in each language or none
    for zh in segs["not_judged_because_zh"].dropna().unique():
        assert CJK.search(zh) and not re.search(r"[a-z]{3,}", zh.replace("regions.csv", "")), zh


def test_flag_table_lists_every_target_segment_of_the_real_data():
    frames = views.plausibility(None, "warn")
    table = views.flag_table(frames, "en")
    status = coverage.statuses(coverage.target_segments(frames["segments"]), frames["all_flags"], frames["flags"])
    # a row per flag shown, and one per target segment without a flag shown
    assert len(table) == len(frames["flags"]) + int((status != "flagged").sum())
    assert {"source id", "region", "status", "yardstick"} <= set(table.columns)
    words = {labels.value("segment_status", s, "en"): s for s in coverage.STATUSES}
    codes = [words.get(v, "not_judged" if v.startswith("not judged: ") else None) for v in table["status"]]
    assert codes.count("not_judged") == int((status == "not_judged").sum()) and None not in codes
    rank = [coverage.STATUSES.index(c) for c in codes]
    assert rank == sorted(rank)                                   # flagged first, not judged last
    one = views.flag_table(views.plausibility("panyu-2015", "info"), "zh")
    assert "来源编号" not in one.columns and "状态" in one.columns                   # one plan: no source column
    # the reason follows the status once, in the page's language (segments.csv's not_judged_because_zh)
    assert not any("not judged: not judged" in v for v in table["status"])
    zh = [v for v in one["状态"] if v.startswith("未判断")]
    assert zh and not any(v.startswith("未判断：未判断") or re.search(r"[a-z]{3,}", v.replace("regions.csv", "")) for v in zh)
