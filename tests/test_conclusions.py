"""analysis.present.conclusions: the sentences each page opens with, by hand on small frames, and on the real data of
every source in both languages through the page-language audit of tests/_page_words.py (a zh conclusion without
English words, an en one without untranslated Chinese)."""
import _page_words as page_words
import pandas as pd
import pytest

from analysis.derive import backtest
from analysis.pipeline import datasets
from analysis.present import conclusions, indicator_views, progress_views, views


def _page(text: str) -> str:
    return f"<html><body><p>{text.replace('**', '')}</p></body></html>"


def prog(*rows):
    return pd.DataFrame([{"indicator_id": i, "target_year": y, "status": s, "gap_pct": g} for i, y, s, g in rows])


BT = pd.DataFrame([{"source_id": "a", "indicator_id": "x", "worst_severity": "none", "pace_judged": False}] * 3)


def test_progress_conclusion_counts_by_hand():
    p = prog(("rd_intensity", 2020, "achieved", 1.0), ("rd_intensity", 2021, "achieved_at_rounding", 0.0),
             ("national_labs", 2020, "met_before_not_observed", None), ("high_tech_enterprises", 2019, "missed", -4.0),
             ("high_tech_enterprises", 2020, "missed", -12.5), ("national_labs", 2021, "no_data", None))
    en = conclusions.progress(p, 4, BT, "en", extra_file="mine.csv")
    assert "of this document's 10 target(s), 6 have a usable actual: 2 met in the target year (1 at rounding), 1 met " \
           "before or after it with the target year itself not observed, 0 achieved late, 2 missed, 1 without data." in en
    assert "in 2020 (12.5 % short)" in en and "only 3 targets with a known outcome" in en and "mine.csv" in en
    zh = conclusions.progress(p, 4, BT, "zh")
    assert "该文件 10 个目标中，6 个有可用的实际值：2 个在目标年份已实现（其中 1 个按四舍五入）" in zh and "低 12.5%" in zh
    assert "没有可用的实际值" in conclusions.progress(p.iloc[:0], 5, BT, "zh")


def test_growth_conclusion_says_why_a_page_of_single_year_targets_is_near_empty():
    obs = views.select(datasets.load("observations"), "national-2016-outline", name="observations")
    seg = views.select(datasets.load("segments"), "national-2016-outline", name="segments")
    en = conclusions.growth(obs, seg, "en")
    assert "each of this document's 3 target(s) stands alone" in en and "no implied growth and no chart" in en
    panyu = views.select(datasets.load("observations"), "panyu-2015", name="observations")
    text = conclusions.growth(panyu, views.select(datasets.load("segments"), "panyu-2015", name="segments"), "en")
    assert "The fastest implied compound growth is" in text


def test_flags_conclusion_counts_what_the_page_shows_and_hides():
    frames = views.plausibility(None, "warn", None)
    text = conclusions.flags(frames["flags"], frames["all_flags"], frames["segments"], "warn", "en")
    shown, hidden = len(frames["flags"]), len(frames["all_flags"]) - len(frames["flags"])
    assert (f"this page shows {shown} flag(s) at warn or above" if shown else "no flag at warn or above") in text
    assert f"{hidden} flag(s) below warn are not shown" in text
    assert "were not judged (no flag does not mean plausible)" in text


@pytest.fixture(scope="module")
def real_pages():
    """What each page of the real data concludes from, prepared once for both languages (nothing here depends on
    the language)."""
    obs, seg = datasets.load("observations"), datasets.load("segments")
    per_source = []
    for sid in sorted(set(obs["source_id"])):
        o, s = views.select(obs, sid, name="observations"), views.select(seg, sid, name="segments")
        per_source.append((o, s, views.plausibility(sid, "info", None)))
    assessed = progress_views.assess_all()                  # progress of every source, computed once
    runs = [progress_views.select(assessed, sid) for sid in progress_views.sources_with_progress()]
    indicators = [indicator_views.prepare(ind) for ind in indicator_views.indicators_in_plans()]
    return obs, per_source, runs, indicators


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_conclusion_of_the_real_data_is_in_its_language(language, real_pages):
    obs, per_source, runs, indicators = real_pages
    texts = [conclusions.overview(obs, language), conclusions.index([{"source": {"id": "a"}}], language)]
    for o, s, frames in per_source:
        texts += [conclusions.overview(o, language), conclusions.growth(o, s, language)]
        texts.append(conclusions.flags(frames["flags"], frames["all_flags"], frames["segments"], "info", language))
    for run in runs:
        texts.append(conclusions.progress(run.progress, len(run.unassessed), run.backtest, language))
    for prepared in indicators:
        texts.append(conclusions.indicator(prepared, language))
    assert backtest.caveat_numbers(runs[-1].backtest)["n"] > 0
    for text in texts:
        html = _page(text)
        found = page_words.english_words(html) if language == "zh" else page_words.untranslated_chinese(html)
        assert found == [], text


def test_indicator_conclusion_by_hand():
    obs = pd.DataFrame({"source_id": ["a", "b", "c", "c"], "kind": ["target"] * 3 + ["actual"], "year": [2020, 2020, 2025, 2015],
                        "value": [2.5, 3.1, 3.5, 2.0], "level": ["country", "city", "city", "city"]})
    prog = pd.DataFrame({"status": ["achieved", "missed", "no_data"]})
    text = conclusions.indicator({"observations": obs, "progress": prog}, "en")
    assert "3 plan(s) set 3 target(s) for this indicator (nation and city)." in text
    assert "For 2020 the targets run from 2.5 to 3.1 (2)." in text and "Of the 2 target(s) with a known outcome, 1 were met" in text
