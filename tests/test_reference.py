"""Reference rates and thresholds: loaded from data/raw/reference/, cited, overridable, validated."""
import math

import pytest

from analysis import paths
from analysis.errors import InputError
from analysis.reference import (load_links, load_references, load_regions, load_series, load_thresholds, tiers_for,
                                values)
from analysis.vocab import load_indicators


def test_reference_table_is_the_shared_copy_unchanged():
    shared = paths.ROOT.parent / "shared" / "references" / "growth_references.csv"
    if not shared.exists():
        pytest.skip("shared/references not beside the repository")
    assert (paths.REFERENCE / "growth_references.csv").read_bytes() == shared.read_bytes()


def test_thresholds_take_their_values_from_the_cited_rows():
    th = load_thresholds()
    # hand-computed from the rows' start and end values
    assert th.at["rd_intensity_alert_pp", "value"] == pytest.approx(0.316)       # (4.053 - 2.475) / 5 = 0.3156
    assert (4.053 - 2.475) / 5 == pytest.approx(th.at["rd_intensity_alert_pp", "value"], abs=5e-4)
    assert th.at["cagr_alert", "value"] == pytest.approx(205.63)                  # (10163 / 356) ** (1/3) - 1
    assert ((10163 / 356) ** (1 / 3) - 1) * 100 == pytest.approx(205.63, abs=5e-3)
    assert th.at["high_tech_enterprises_warn_cagr", "value"] == pytest.approx(26.45)  # (275000/136000)**(1/3)-1
    assert th.at["cagr_alert", "ref_start_value"] == 356 and th.at["cagr_alert", "ref_end_value"] == 10163
    refs = load_references()
    for name, row in th.iterrows():
        assert row["label"] and row["justification"], name
        if row["reference"].startswith("growth_references.csv line "):
            line = int(row["reference"].split()[2])
            assert refs.loc[refs["line"] == line].shape[0] == 1
            assert row["source_url"].split(" | ")[0] in row["reference"]


def test_reference_line_numbers_point_at_the_cited_row():
    refs = load_references()
    lines = (paths.REFERENCE / "growth_references.csv").read_text(encoding="utf-8").split("\n")
    israel = refs[(refs["region"] == "Israel") & (refs["start_year"] == 1996)].iloc[0]
    assert lines[israel["line"] - 1].startswith("rd_gdp_international,Israel,")
    assert ",1996,2.475,2001,4.053,0.316," in lines[israel["line"] - 1]


def test_override_changes_the_value_and_is_marked():
    th = load_thresholds({"rd_intensity_warn_pp": 0.3})
    assert th.at["rd_intensity_warn_pp", "value"] == 0.3
    assert th.at["rd_intensity_warn_pp", "overridden"]
    assert th.at["rd_intensity_warn_pp", "default"] == pytest.approx(0.234)
    assert not th.at["cagr_alert", "overridden"]
    assert values(th)["rd_intensity_warn_pp"] == 0.3


def test_unknown_override_names_the_parameter():
    with pytest.raises(InputError, match=r"'rd_intensity_wran_pp': unknown parameter; expected one of .*rd_intensity_warn_pp"):
        load_thresholds({"rd_intensity_wran_pp": 0.3})


@pytest.mark.parametrize("value", [-0.1, 5.5, math.inf, math.nan, "0.3", True, None])
def test_bad_override_value_names_the_parameter_and_range(value):
    with pytest.raises(InputError, match=r"threshold 'rd_intensity_warn_pp' = .* expected a number in \[0, 5\] pp/yr"):
        load_thresholds({"rd_intensity_warn_pp": value})


def test_warn_above_alert_is_refused():
    with pytest.raises(InputError, match=r"'rd_intensity_warn_pp' = 0.4 exceeds 'rd_intensity_alert_pp' = 0.316"):
        load_thresholds({"rd_intensity_warn_pp": 0.4})


def _write(tmp_path, text):
    p = tmp_path / "thresholds.yml"
    p.write_text(text, encoding="utf-8")
    return p


SERIES = "series:\n  default:\n    cagr: {alert: a}\n    pp_per_year: {}\n"


def test_thresholds_file_errors_name_the_parameter(tmp_path):
    base = "parameters:\n  a:\n    unit: '%/yr'\n    min: 0\n    max: 10\n    label: x\n    justification: y\n"
    with pytest.raises(InputError, match=r"parameter 'a': give `value` or `from_reference: true`"):
        load_thresholds(path=_write(tmp_path, base + SERIES))
    with pytest.raises(InputError, match=r"parameter 'a': reference .* matches 0 rows"):
        load_thresholds(path=_write(tmp_path, base + "    from_reference: true\n    reference: {topic: nothing}\n" + SERIES))
    with pytest.raises(InputError, match=r"parameter 'a': reference .* matches [2-9] rows"):
        load_thresholds(path=_write(tmp_path, base + "    from_reference: true\n    reference: {topic: patents}\n" + SERIES))
    with pytest.raises(InputError, match=r"parameter 'a': unknown key\(s\) \['vaule'\]"):
        load_thresholds(path=_write(tmp_path, base + "    vaule: 3\n" + SERIES))
    with pytest.raises(InputError, match=r"threshold 'a' = 30 is out of range"):
        load_thresholds(path=_write(tmp_path, base + "    value: 30\n" + SERIES))
    with pytest.raises(InputError, match=r"series 'x' tier 'warn': unknown parameter 'nope'"):
        load_thresholds(path=_write(tmp_path, base + "    value: 3\n" + SERIES + "  x: {warn: nope}\n"))
    with pytest.raises(InputError, match="not valid YAML"):
        load_thresholds(path=_write(tmp_path, "parameters: [\n"))


def test_series_tiers():
    series = load_series()
    assert tiers_for(series, "rd_intensity", "pp_per_year") == {"warn": "rd_intensity_warn_pp", "alert": "rd_intensity_alert_pp"}
    # a series with its own national reference drops the cross-series info tier but keeps the general alert
    assert tiers_for(series, "high_tech_enterprises", "cagr") == {"warn": "high_tech_enterprises_warn_cagr", "alert": "cagr_alert"}
    assert tiers_for(series, "incubator_area", "cagr") == {"info": "cagr_info_general", "alert": "cagr_alert"}
    assert tiers_for(series, "high_tech_output_share", "pp_per_year") == {}


def test_series_links_and_regions_name_known_things():
    vocab = load_indicators()
    for key in load_series():
        if key != "default":
            assert key in vocab.index, f"thresholds.yml series {key!r} is not in the vocabulary"
    links = load_links()
    for row in links.itertuples():
        assert row.indicator_id in vocab.index and row.of_indicator_id in vocab.index, row
        if row.relation == "rate_of":
            assert vocab.at[row.indicator_id, "measure"] == "growth_rate"
    regions = load_regions()
    assert dict(zip(regions["region"], regions["parent"]))["番禺区"] == "广州市"


def test_bad_links_file(tmp_path):
    p = tmp_path / "links.csv"
    p.write_text("relation,indicator_id,of_indicator_id,note\nsame_as,a,b,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2 field 'relation' is 'same_as'; expected one of"):
        load_links(p)
