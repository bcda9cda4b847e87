"""The statuses of data/processed/progress.csv set against a peer implementation run on the same series: Open SDG's
progress measure (sdg-build, `sdg/ProgressMeasure.py`, commit 6d3d128 "Methodology changes", 2023-06-08,
https://github.com/open-sdg/sdg-build/blob/6d3d128/sdg/ProgressMeasure.py), transcribed below without change but
for the data it reads: `measure_indicator_progress` (base year moved to the next year with data, no measure
within one year) and `methodology_2` (target achieved first, then the growth ratio against 0.95, 0.6 and 0).

The series of a row is what progress.py could use: every actual of its region and indicator up to the end of its
window (target year + progress_max_years_after_target), one value a year by actuals.ORIGINS priority, and the
row's base. Open SDG measures at the latest year of the series it is given, so it speaks of "met by the end of the
window"; ours speaks of the target year. Both can speak where ours is not no_data/not_assessable and Open SDG
returns a status. The mapping: ours met in some form (achieved, achieved_at_rounding, met_before_not_observed,
met_later_not_observed, achieved_late) ⇔ Open SDG `target_achieved`; ours `missed` ⇔ an Open SDG growth
category. Every difference must be one of JUSTIFIED (docs/methods.md, "Peer cross-check", records the result).
"""
import math

import pandas as pd

from analysis.derive.plausibility import load_thresholds
from analysis.inputs import actuals
from analysis.pipeline import datasets

MET = {"achieved", "achieved_at_rounding", "met_before_not_observed", "met_later_not_observed", "achieved_late"}
SILENT = {"no_data", "not_assessable"}
# a difference the statuses of docs/methods.md explain: a tie within the published rounding (Open SDG compares
# the bare numbers)
JUSTIFIED = {"rounding"}


def _growth(val1, val2, t1, t2):
    return ((val1 / val2) ** (1 / (t1 - t2))) - 1


def open_sdg(series: pd.Series, base_year: int, target: float, target_year: int, direction: str) -> str | None:
    """sdg-build ProgressMeasure.measure_indicator_progress + methodology_2 on {year: value}."""
    if series.empty:
        return None
    years = pd.Series(series.index)
    current_year = int(years.max())
    if base_year not in years.values:
        if base_year > years.max():
            return None
        base_year = int(years[years > base_year].min())
    if current_year - base_year < 1:
        return None
    current_value, base_value = float(series[current_year]), float(series[base_year])
    if (direction == "negative" and current_value <= target) or (direction == "positive" and current_value >= target):
        return "target_achieved"
    try:
        ratio = _growth(current_value, base_value, current_year, base_year) / _growth(target, base_value, target_year,
                                                                                     base_year)
    except ZeroDivisionError:           # a base of 0, or a target equal to its base: sdg-build stops (no status)
        return None
    for status, threshold in (("on_track", 0.95), ("progress_needs_acceleration", 0.6), ("limited_progress", 0)):
        if ratio >= threshold:
            return status
    return "deterioration"


def crosscheck() -> pd.DataFrame:
    """One row per progress row: ours, Open SDG's, and whether they agree, differ (with the kind) or one is silent."""
    obs = datasets.load("observations")
    progress = datasets.load("progress")
    window = int(load_thresholds(None).at["progress_max_years_after_target", "value"])
    acts = actuals.combined(obs)
    acts = acts.sort_values(["priority", "year"], kind="stable") if "priority" in acts else acts
    out = []
    for r in progress.itertuples():
        a = acts[(acts["region"] == r.region) & (acts["indicator_id"] == r.indicator_id)
                 & (acts["year"] <= r.target_year + window)].drop_duplicates("year")
        series = pd.Series(a["value"].to_numpy(dtype=float), index=a["year"].astype(int)).sort_index()
        base_year = r.base_year if not pd.isna(r.base_year) else r.plan_base_year
        if not pd.isna(r.base_value) and not pd.isna(base_year):
            series[int(base_year)] = float(r.base_value)
            series = series.sort_index()
        target = float(r.target_value_low) if not pd.isna(r.target_value_low) else float(r.target_value)
        reference = r.base_value if not pd.isna(r.base_value) else (series.iloc[0] if len(series) else math.nan)
        direction = "negative" if target < reference else "positive"
        peer = (open_sdg(series, int(base_year), target, int(r.target_year), direction)
                if not pd.isna(base_year) else None)
        if r.status in SILENT or peer is None:
            verdict = "silent"
        elif (r.status in MET) == (peer == "target_achieved"):
            verdict = "agree"
        elif r.status == "achieved_at_rounding":
            verdict = "rounding"
        else:
            verdict = "differ"
        out.append({"source_id": r.source_id, "indicator_id": r.indicator_id, "target_year": r.target_year,
                    "ours": r.status, "open_sdg": peer, "verdict": verdict})
    return pd.DataFrame(out)


def test_open_sdg_agrees_on_every_row_where_both_can_speak():
    table = crosscheck()
    assert len(table) == len(datasets.load("progress")) and (table["verdict"] == "agree").sum() >= 10
    unjustified = table[~table["verdict"].isin({"agree", "silent", *JUSTIFIED})]
    assert unjustified.empty, unjustified.to_string()


def test_the_transcription_gives_open_sdg_s_statuses_by_hand():
    s = pd.Series({2015: 100.0, 2018: 121.0})
    # required 100 → 150 over 5 years: 8.45 %/yr; observed 100 → 121 over 3: 6.56 %/yr; ratio 0.776 → acceleration
    assert open_sdg(s, 2015, 150, 2020, "positive") == "progress_needs_acceleration"
    assert open_sdg(s, 2015, 121, 2020, "positive") == "target_achieved"        # the latest value meets it
    assert open_sdg(s, 2015, 125, 2020, "positive") == "on_track"                # 6.56 / 4.56 > 0.95
    assert open_sdg(pd.Series({2015: 100.0, 2018: 90.0}), 2015, 150, 2020, "positive") == "deterioration"
    assert open_sdg(pd.Series({2018: 121.0}), 2015, 150, 2020, "positive") is None    # base moved to 2018: no span
    assert open_sdg(s, 2014, 150, 2020, "positive") == "progress_needs_acceleration"  # base moved to 2015
