"""The tables of the notebooks: selection, severity filter, counts, number formatting, escaping."""
import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.inputs.vocab import load_indicators
from analysis.pipeline import datasets
from analysis.present import labels, views


def flags(*severities):
    return pd.DataFrame({"source_id": ["panyu-2015"] * len(severities), "indicator_id": ["rd_intensity"] * len(severities),
                         "severity": list(severities)})


def test_select_by_source_indicators_and_kind():
    obs = datasets.load("observations")
    sel = views.select(obs, "panyu-2015", ["rd_intensity"], "target")
    assert set(sel["indicator_id"]) == {"rd_intensity"} and set(sel["kind"]) == {"target"}
    assert len(sel) == ((obs["source_id"] == "panyu-2015") & (obs["indicator_id"] == "rd_intensity") & (obs["kind"] == "target")).sum()
    assert views.select(obs).equals(obs.reset_index(drop=True))


def test_select_rejects_unknown_ids():
    obs = datasets.load("observations")
    with pytest.raises(InputError, match=r"source_id \['panyu-1999'\] is not in the registry.*panyu-2015"):
        views.select(obs, "panyu-1999")
    with pytest.raises(InputError, match=r"observations: indicator_id \['nope'\] not found"):
        views.select(obs, None, ["nope"], name="observations")


def test_at_least_and_counts():
    f = flags("info", "warn", "alert", "warn")
    assert views.flag_counts(f) == {"info": 1, "warn": 2, "alert": 1}
    assert list(views.at_least(f, "warn")["severity"]) == ["warn", "alert", "warn"]
    assert list(views.at_least(f, "alert")["severity"]) == ["alert"]
    assert len(views.at_least(f, None)) == 4
    assert views.flag_counts(f.iloc[0:0]) == {"info": 0, "warn": 0, "alert": 0}
    with pytest.raises(InputError, match="min_severity"):
        views.at_least(f, "severe")


@pytest.mark.parametrize("value, text", [(1528.0, "1,528"), (216.374, "216.37"), (0.234, "0.234"), (0.0123, "0.0123"),
                                         (15.4, "15.4"), (-2.125, "-2.12"), (float("nan"), "")])
def test_numbers_keep_their_precision(value, text):
    assert views._number(value) == text


def test_styled_tables_escape_document_text():
    html = views.styled(pd.DataFrame({"quote": ["<b>达到3%</b>"], "value": [3.0]})).to_html()
    assert "&lt;b&gt;达到3%&lt;/b&gt;" in html and "<b>达到" not in html


def test_tables_are_labelled_in_the_language():
    obs = views.select(datasets.load("observations"), "panyu-2015")
    zh, en = views.observations(obs, "zh"), views.observations(obs, "en")
    assert labels.t("quote", "zh") in zh.columns and labels.t("quote", "en") in en.columns
    vocab = load_indicators()
    assert set(en[labels.t("indicator", "en")]) == set(vocab.loc[obs["indicator_id"], "display_en"])
    assert set(zh[labels.t("indicator", "zh")]) == set(vocab.loc[obs["indicator_id"], "display_zh"])
    assert set(zh[labels.t("kind", "zh")]) == {"实际值", "目标值"} and set(en[labels.t("kind", "en")]) == {"actual", "target"}
    assert set(zh[labels.t("bound", "zh")]) <= {"等于", "不低于", "超过", "左右", "区间"}
    assert "亿元" in set(zh[labels.t("unit", "zh")]) and "100 million yuan" in set(en[labels.t("unit", "en")])
    with pytest.raises(InputError, match="language"):
        views.observations(obs, "de")


def test_sources_table_lists_every_registered_source():
    from analysis.inputs.registry import load_sources
    table = views.sources(datasets.load("observations"), "en")
    assert list(table[labels.t("source_id", "en")]) == sorted(load_sources())


def test_reference_bands_are_the_yardsticks_of_each_segment():
    frames = views.plausibility("panyu-2015")
    bands = views.reference_bands(frames["segments"], frames["thresholds"])
    # Panyu's R&D intensity: its peers leave out Guangzhou (too few regions remain) and the lower-grade province
    # yardstick binds, which the bands do not draw; Israel's five-year ceiling does not judge a three-year segment
    rd = bands[bands["indicator_id"] == "rd_intensity"].iloc[0]
    assert pd.isna(rd["threshold_warn"]) and pd.isna(rd["threshold_alert"])
    # NEEQ 3 → 95: a small count judged by new entries a year, with no yardstick for them: not judged, no band
    assert bands[(bands["indicator_id"] == "neeq_listed_companies") & (bands["start_year"] == 2014)].empty
    assert (bands["end_kind"] == "target").all() and (bands["segment"] == "step").all()


def test_plausibility_applies_overrides_source_and_severity():
    base = views.plausibility("panyu-2015", "alert")
    lowered = views.plausibility("panyu-2015", "alert", {"cagr_alert": 40.0})
    assert len(lowered["flags"]) > len(base["flags"])
    assert (lowered["flags"]["severity"] == "alert").all() and (lowered["flags"]["source_id"] == "panyu-2015").all()
    assert lowered["thresholds"].at["cagr_alert", "value"] == 40.0


def test_growth_table_has_every_segment_with_its_period_and_unit():
    seg = datasets.load("segments")
    for language in ("zh", "en"):
        table = views.growth(seg, language)
        assert len(table) == len(seg)
        periods = table[labels.t("period", language)]
        assert periods.str.fullmatch(r"(\d{4})?→\d{4}").all()
        assert (periods.str.startswith("→") == seg["start_year"].isna()).all()
        has_growth = seg["growth"].notna().to_numpy()
        assert table[labels.t("growth_unit", language)][has_growth].notna().all()
        assert table[labels.t("note", language)].fillna("").str.len().gt(0).to_numpy()[~has_growth].all()   # says why


def test_styled_copes_with_empty_text_columns():
    df = pd.DataFrame({"note": pd.Series([None, None], dtype="str"), "value": [1.0, float("nan")]})
    html = views.styled(df).to_html()
    assert "<td" in html and "nan" not in html.lower().replace("nowrap", "")


@pytest.mark.parametrize("overrides", [None, {"cagr_alert": 40.0, "info_min_count_base": 0}])
def test_reference_bands_agree_with_the_flags(overrides):
    """The zone a judged segment falls in is the severity of its too_fast flag (no flag: below every zone)."""
    from analysis.core.schema import SEVERITIES
    from analysis.derive.growth import annual_rate

    frames = views.plausibility(None, None, overrides)
    bands = views.reference_bands(frames["segments"], frames["thresholds"])
    judged = annual_rate(bands["start_value"], bands["end_low"], bands["years"].to_numpy(dtype=float), bands["metric"])
    seg = frames["segments"]
    small = set(zip(*seg.loc[seg["metric_judged"] == "new_per_year",        # judged by new entries a year: no band
                             ["source_id", "indicator_id", "start_year", "end_year"]].T.to_numpy()))
    fired = {(r.source_id, r.indicator_id, int(r.start_year), int(r.end_year)): r.severity
             for r in frames["flags"][frames["flags"]["rule"] == "too_fast"].itertuples()
             if (r.source_id, r.indicator_id, r.start_year, r.end_year) not in small}
    checked = 0
    for (_, b), g in zip(bands.iterrows(), judged):
        if b["metric_judged"] == "new_per_year":
            continue
        zone = None
        for severity in SEVERITIES:
            if pd.notna(b[f"threshold_{severity}"]) and g > b[f"threshold_{severity}"] + 1e-9:
                zone = severity
        assert fired.get((b["source_id"], b["indicator_id"], int(b["start_year"]), int(b["end_year"]))) == zone, b["indicator_id"]
        checked += zone is not None
    assert checked == len(fired)


def test_one_display_name_per_indicator_even_where_documents_use_fragments():
    """番禺 and 广州 name R&D intensity differently, the 2017 letter calls two indicators 授信: one name per id."""
    obs = datasets.load("observations")
    zh = views.observations(obs, "zh")
    names = zh.groupby(obs["indicator_id"])[labels.t("indicator", "zh")].nunique()
    assert (names == 1).all()
    assert obs.loc[obs["indicator_id"] == "rd_intensity", "indicator_zh"].nunique() > 1     # the documents differ
    shown = set(zh[labels.t("indicator", "zh")])
    assert not shown & {"共计", "首期投入", "每年增加", "占全省", "授信"}
    assert labels.display_names(pd.Series(["risk_pool_credit", "risk_pool_credit_firms"]), "zh").nunique() == 2


def test_single_year_indicators_are_a_table_and_paths_need_two_years():
    obs = views.select(datasets.load("observations"), "guangzhou-2017-letter")
    years = obs.groupby("indicator_id")["year"].nunique()
    multi = views.multi_year(obs)
    assert set(multi["indicator_id"]) == set(years[years >= 2].index) - set(obs.loc[obs["measure"] == "growth_rate", "indicator_id"])
    table = views.single_year(obs, "en")
    single_year = obs["indicator_id"].map(years) == 1
    assert len(table) == int(single_year.sum() - (single_year & (obs["measure"] == "growth_rate")).sum())
    assert len(table) > len(multi["indicator_id"].unique())          # the 2017 letter: most indicators have one year


def test_growth_band_of_a_floor_is_open_above():
    assert views._band(-88.5, 89.0, "gt", 0.5) == "> 0.5"
    assert views._band(0.095, 24.47, "ge", 0.095) == "≥ 0.095"
    assert views._band(2.5, 7.1, "range", 5.0) == "2.5 – 7.1"


def test_plausibility_without_overrides_reads_the_processed_frames():
    frames = views.plausibility()
    assert frames["flags"].reset_index(drop=True).equals(datasets.load("flags"))
