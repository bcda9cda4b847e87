"""Reference rates and thresholds: loaded from data/raw/reference/, cited, overridable, validated."""
import math
import re

import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.inputs.reference import (
    ceiling_for,
    load_links,
    load_references,
    load_regions,
    load_rules,
    load_thresholds,
    values,
)
from analysis.inputs.vocab import load_indicators

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_reference_tables_are_the_recorded_versions():
    """Every reference table is listed in provenance.yml with the sha256 of its bytes (no file outside the repository)."""
    import hashlib

    import yaml
    entries = yaml.safe_load((paths.REFERENCE / "provenance.yml").read_text(encoding="utf-8"))
    listed = {e["file"] for e in entries}
    assert {"growth_references.csv", "regional_panel.csv"} <= listed
    for e in entries:
        assert hashlib.sha256((paths.REFERENCE / e["file"]).read_bytes()).hexdigest() == e["sha256"], e["file"]
        assert (paths.REFERENCE / e["notes"].split(",")[0]).exists()


def test_thresholds_take_their_values_from_the_cited_rows():
    th = load_thresholds()
    # hand-computed from the rows' start and end values
    assert th.at["rd_intensity_alert_pp", "value"] == pytest.approx(0.316)       # (4.053 - 2.475) / 5 = 0.3156
    assert (4.053 - 2.475) / 5 == pytest.approx(th.at["rd_intensity_alert_pp", "value"], abs=5e-4)
    assert th.at["cagr_alert", "value"] == pytest.approx(205.63)                  # (10163 / 356) ** (1/3) - 1
    assert ((10163 / 356) ** (1 / 3) - 1) * 100 == pytest.approx(205.63, abs=5e-3)
    assert th.at["cagr_alert", "ref_start_value"] == 356 and th.at["cagr_alert", "ref_end_value"] == 10163
    refs = load_references()
    for name, row in th.iterrows():
        assert row["label"] and row["justification"], name
        assert CJK.search(row["label_zh"]) and CJK.search(row["justification_zh"]), name     # the zh pages' words
        assert "\n" not in row["justification_zh"] and "  " not in row["justification_zh"], name
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
    th = load_thresholds({"rd_intensity_alert_pp": 0.3})
    assert th.at["rd_intensity_alert_pp", "value"] == 0.3
    assert th.at["rd_intensity_alert_pp", "overridden"]
    assert th.at["rd_intensity_alert_pp", "default"] == pytest.approx(0.316)
    assert not th.at["cagr_alert", "overridden"]
    assert values(th)["rd_intensity_alert_pp"] == 0.3


def test_unknown_override_names_the_parameter():
    with pytest.raises(InputError, match=r"'rd_intensity_alrt_pp': unknown parameter; expected one of .*rd_intensity_alert_pp"):
        load_thresholds({"rd_intensity_alrt_pp": 0.3})


@pytest.mark.parametrize("value", [-0.1, 5.5, math.inf, math.nan, "0.3", True, None])
def test_bad_override_value_names_the_parameter_and_range(value):
    with pytest.raises(InputError, match=r"threshold 'rd_intensity_alert_pp' = .* expected a number in \[0, 5\] pp/yr"):
        load_thresholds({"rd_intensity_alert_pp": value})


def _write(tmp_path, text):
    p = tmp_path / "thresholds.yml"
    p.write_text(text, encoding="utf-8")
    return p


SERIES = "ceilings: {}\npeers: {}\nnational_series: {}\n"


def test_thresholds_file_errors_name_the_parameter(tmp_path):
    base = ("parameters:\n  a:\n    unit: '%/yr'\n    min: 0\n    max: 10\n    label: x\n    justification: y\n"
            "    label_zh: 甲\n    justification_zh: 乙\n")
    with pytest.raises(InputError, match=r"parameter 'a': key 'justification_zh' is missing"):
        load_thresholds(path=_write(tmp_path, base.replace("    justification_zh: 乙\n", "") + "    value: 3\n" + SERIES))
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
    with pytest.raises(InputError, match=r"ceilings 'cagr': unknown parameter 'nope'"):
        load_thresholds(path=_write(tmp_path, base + "    value: 3\n" + SERIES.replace("ceilings: {}", "ceilings: {cagr: nope}")))
    with pytest.raises(InputError, match=r"ceilings 'cagr': parameter 'a' must take its value from a reference row"):
        load_thresholds(path=_write(tmp_path, base + "    value: 3\n" + SERIES.replace("ceilings: {}", "ceilings: {cagr: a}")))
    with pytest.raises(InputError, match=r"expected a mapping `peers`"):
        load_thresholds(path=_write(tmp_path, base + "    value: 3\nceilings: {}\n"))
    with pytest.raises(InputError, match="not valid YAML"):
        load_thresholds(path=_write(tmp_path, "parameters: [\n"))


def test_ceilings():
    rules = load_rules()
    assert ceiling_for(rules, "rd_intensity", "pp_per_year") == "rd_intensity_alert_pp"
    assert ceiling_for(rules, "incubator_area", "cagr") == "cagr_alert"
    assert ceiling_for(rules, "high_tech_output_share", "pp_per_year") is None


def test_series_links_and_regions_name_known_things():
    vocab = load_indicators()
    rules = load_rules()
    for key in [*rules["national_series"], *rules["peers"]["proxies"], *rules["peers"]["proxies"].values()]:
        assert key in vocab.index, f"thresholds.yml names {key!r}, which is not in the vocabulary"
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



def test_near_synonym_qualifiers_are_groups_of_text(tmp_path):
    assert ["中级以上", "中高级"] <= load_rules()["near_synonyms"]["qualifiers"][0]
    assert load_rules(_write(tmp_path, "parameters: {}\n" + SERIES))["near_synonyms"] == {"qualifiers": []}
    for bad, message in (("near_synonyms: {qualifiers: [[以上]]}\n", r"group 1 is \['以上'\]; expected a list of two"),
                         ("near_synonyms: {qualifiers: [[以上, 及以上], [以上, 之上]]}\n", r"group 2: \['以上'\] already"),
                         ("near_synonyms: [以上]\n", "expected a mapping with `qualifiers`")):
        with pytest.raises(InputError, match=message):
            load_rules(_write(tmp_path, "parameters: {}\n" + SERIES + bad))
