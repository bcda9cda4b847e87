"""Issue 25 (hardening, second round): reports never use a damaged data/processed/, resource exhaustion refused,
reference tables checked with the strictness of sources.yml, and the smaller and unclear cases.

Each case states the bad input, the exit status (or the error), the message's file and field, and that the outputs
are unchanged. The end-to-end cases run the probe's own cases (benchmarks/probe_inputs.py) on a copy of the project."""
import dataclasses
import errno
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import _commands as commands
import pandas as pd
import pytest

from analysis.core import fileio, paths
from analysis.core.errors import InputError, clip_quoted
from analysis.derive.rules import parameters_read
from analysis.ingest import extract
from analysis.inputs import actuals, reference, reference_checks, registry, vocab
from analysis.reports import makerules, parameters, record

_spec = importlib.util.spec_from_file_location("probe_inputs", paths.ROOT / "benchmarks" / "probe_inputs.py")
probe = importlib.util.module_from_spec(_spec)
sys.modules["probe_inputs"] = probe           # (dataclasses look their module up there)
_spec.loader.exec_module(probe)


def error(call, *args, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    return str(info.value)


# ------------------------------------------------------------------------------ 1. the published set and its manifest
def test_the_committed_manifest_lists_the_committed_set():
    """make data writes manifest.sha256 with the set; the committed one must match the committed CSVs (a branch that
    changes a CSV without `make data` fails here, not in someone's reports)."""
    text = fileio.check_published(paths.PROCESSED)
    listed = sorted(line.split("  ")[1] for line in text.splitlines())
    assert listed == sorted(p.name for p in paths.PROCESSED.glob("*.csv"))


@pytest.fixture
def published(tmp_path):
    d = tmp_path / "processed"
    fileio.publish_set({d / "a.csv": "x,y\n1,2\n3,4\n", d / "b.csv": "z\n5\n"}, d)
    return d


def test_publish_set_writes_the_manifest_of_the_set(published):
    lines = (published / fileio.MANIFEST).read_text().splitlines()
    assert lines == [f"{hashlib.sha256(b'x,y' + bytes([10]) + b'1,2' + bytes([10]) + b'3,4' + bytes([10])).hexdigest()}  a.csv",
                     f"{hashlib.sha256(b'z' + bytes([10]) + b'5' + bytes([10])).hexdigest()}  b.csv"]
    ok = subprocess.run(["sha256sum", "--quiet", "--strict", "-c", fileio.MANIFEST], cwd=published)
    assert ok.returncode == 0                          # the Makefile checks the set with sha256sum


@pytest.mark.parametrize("damage, needle", [
    (lambda d: (d / "a.csv").write_text("x,y\n<<<<<<< HEAD\n1,2\n=======\n1,3\n>>>>>>> b\n"), "a.csv: changed since"),
    (lambda d: (d / "a.csv").write_text("x,y\n1,2\n"), "a.csv: changed since"),
    (lambda d: (d / "b.csv").unlink(), "b.csv: missing"),
    (lambda d: (d / fileio.MANIFEST).unlink(), "manifest.sha256: missing"),
    (lambda d: (d / fileio.MANIFEST).write_text("<<<<<<< HEAD\n"), "manifest.sha256: line 1"),
], ids=["conflict-markers", "deleted-row", "deleted-file", "no-manifest", "garbled-manifest"])
def test_a_damaged_set_is_refused_by_every_reader(published, damage, needle):
    damage(published)
    before = {p.name: p.read_bytes() for p in published.iterdir()}
    assert needle in error(record.data_version, published)
    assert "make data" in error(fileio.check_published, published)
    assert {p.name: p.read_bytes() for p in published.iterdir()} == before


def test_a_stray_csv_does_not_change_the_data_version(published):
    version = record.data_version(published)
    (published / "stray.csv").write_text("a\n1\n")
    (published / "a b $(x).csv").write_text("a\n1\n")
    assert record.data_version(published) == version
    fileio.publish_set({published / "a.csv": "x,y\n9,9\n", published / "b.csv": "z\n5\n"}, published)
    assert record.data_version(published) != version


def test_the_generated_make_rules_carry_their_checksum(tmp_path):
    """reports-under-lock writes reports.mk again when its last line is not the sha256 of the lines above (the
    same shell test as the Makefile's)."""
    mk = tmp_path / "reports.mk"
    makerules.write_makefile([], mk, build=tmp_path)
    test = (f'[ "$(head -n -1 {mk} | sha256sum | cut -c1-64)" = "$(tail -n 1 {mk} | sed -n "s/^# sha256 //p")" ]')
    assert subprocess.run(["bash", "-c", test]).returncode == 0
    mk.write_text("garbage: $(\n" + mk.read_text())
    assert subprocess.run(["bash", "-c", test]).returncode == 1
    makefile = (paths.ROOT / "Makefile").read_text()
    assert "head -n -1 $(REPORTS_MK) | sha256sum" in makefile and "RAW_FILES" not in makefile


# ------------------------------------------------------------------------------ 2. resource exhaustion
BOMB = probe.BOMB


@pytest.mark.parametrize("text, needle", [
    (BOMB, "line 2: an alias (*…) reuses the value anchored (&…) at line 1"),
    ("x: &x {a: 1}\ny:\n  <<: *x\n", "line 3: an alias"),
    ("x: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 50 levels"),
], ids=["alias-bomb", "merge-key", "deep"])
def test_yaml_aliases_and_deep_nesting_are_refused_quickly(tmp_path, text, needle):
    f = tmp_path / "sources.yml"
    f.write_text(text)
    t0 = time.perf_counter()
    msg = error(fileio.load_yaml, f, "a YAML list")
    assert needle in msg and str(f) in msg and len(msg) < 400
    assert time.perf_counter() - t0 < 1


def test_yaml_anchors_without_aliases_and_ordinary_files_are_read(tmp_path):
    f = tmp_path / "a.yml"
    f.write_text("a: &anchor 1\nb: [1, 2, {c: 3}]\n")
    assert fileio.load_yaml(f) == {"a": 1, "b": [1, 2, {"c": 3}]}
    assert reference.load_rules()["peers"]["excluded_marks"] == ["LOWER BOUND", "IMPLIED"]


def test_an_ignore_pattern_that_backtracks_without_end_is_refused_naming_the_rule(sources, vocab, monkeypatch, tmp_path):
    monkeypatch.setattr(extract, "IGNORE_TIMEOUT_S", 0.3)
    spec = tmp_path / "panyu-2015.yml"
    text = (paths.SPECS / "panyu-2015.yml").read_text(encoding="utf-8")
    spec.write_text(text.replace("\nignore:\n", "\nignore:\n  - pattern: '(?:\\D|\\D\\D)+\\d{20}'\n    reason: probe\n"),
                    encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(InputError) as info:
        extract.extract(sources["panyu-2015"], spec, vocab)
    msg = str(info.value)
    assert f"{spec}: ignore[1] field 'pattern'" in msg and "took more than 0.3 s" in msg and "backtracks" in msg
    assert time.perf_counter() - t0 < 10


# ------------------------------------------------------------------------------ 3. reference tables
@pytest.fixture
def ref(tmp_path):
    """A copy of data/raw/reference/ to change."""
    d = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE, d)
    return d


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("old, new, needle", [
    ("番禺区,Panyu District,广州市,Guangzhou", "番禺区,Panyu District,番禺区,Panyu District",
     "line 2 (番禺区) field 'parent' is the region itself"),
    ("广州市,Guangzhou,广东省,Guangdong,city", "广州市,Guangzhou,番禺区,Panyu District,city", "its parent 番禺区 is a district"),
    ("清远市,Qingyuan,广东省", "清远市,Qingyuan,广西省", "line 5 (清远市) field 'parent' is '广西省', not a region of this file"),
    ("Qingyuan,广东省,Guangdong,city", "Qingyuan,广东省,Guangdong,county", "line 5 (清远市) field 'level' is 'county'"),
    ("清远市,Qingyuan", "清远市 ,Qingyuan", "line 5 field 'region' is '清远市 ': spaces around it"),
    ("清远市,Qingyuan,广东省,Guangdong", "清远市,Qingyuan,广东省,Canton", "field 'parent_en' is 'Canton'; expected 'Guangdong'"),
], ids=["self-parent", "cycle", "unknown-parent", "unknown-level", "trailing-space", "parent-en"])
def test_regions_are_checked(ref, old, new, needle):
    replace(ref / "regions.csv", old, new)
    msg = error(reference.load_regions, ref / "regions.csv")
    assert needle in msg and "regions.csv: line" in msg


@pytest.mark.parametrize("col, value, needle", [
    ("value", "inf", "field 'value' is 'inf': not a finite number"),
    ("value", "-3", "field 'value' is '-3': below 0"),
    ("value", "250", "field 'value' is '250': above 100"),
    ("year", "1800", "field 'year' is '1800': below 1949"),
    ("year", "2010.5", "field 'year' is '2010.5': not a whole number"),
    ("unit", "亿元", "field 'unit' is '亿元'; expected a unit of the share rd_intensity"),
    ("indicator", "rd_intensty", "field 'indicator' is 'rd_intensty'; expected an indicator_id"),
    ("value", "9" * 100000, "(100000 characters)"),
], ids=["inf", "negative", "share-above-100", "year-1800", "fractional-year", "unit", "indicator", "100k-cell"])
def test_the_regional_panel_is_checked(ref, vocab, col, value, needle):
    probe.csv_edit("regional_panel.csv", 2, col, value, bump=False)(ref)
    msg = error(reference_checks.check_panel, ref / "regional_panel.csv", vocab)
    assert needle in msg and "regional_panel.csv: line 2" in msg and len(msg) < 400


def test_the_regional_panel_empty_or_a_fractional_count_is_refused(ref, vocab):
    panel = ref / "regional_panel.csv"
    rows = pd.read_csv(panel, dtype=str, keep_default_na=False)
    k = int((rows["indicator"] == "invention_patent_grants").to_numpy().argmax())
    probe.csv_edit("regional_panel.csv", k + 2, "value", "12.5", bump=False)(ref)
    msg = error(reference_checks.check_panel, panel, vocab)
    assert f"line {k + 2} field 'value' is '12.5': not a whole number; expected a count" in msg
    panel.write_text(panel.read_text(encoding="utf-8").split("\n")[0] + "\n", encoding="utf-8")
    assert "no rows" in error(reference_checks.check_panel, panel, vocab)


def test_a_reference_table_changed_without_its_provenance_is_refused(ref):
    probe.csv_edit("regional_panel.csv", 3, "value", "0.31", bump=False)(ref)
    msg = error(reference_checks.check_provenance, ref / "provenance.yml")
    assert "regional_panel.csv: changed" in msg and "provenance.yml entry 2" in msg
    reference_checks.check_provenance(paths.REFERENCE / "provenance.yml")          # the committed tables are as received


@pytest.mark.parametrize("old, new, needle", [
    ("\n  peer_min_n:\n", "\n  peer_min_nn:\n", "'peer_min_nn' is not a parameter of the rules"),
    ("\n  peer_min_n:\n", "\n  peer_min_nn:\n", "'peer_min_n' is missing"),
    ("version: 2", "version: 3", "field 'version' is 3, newer than the version this code reads"),
    ("version: 2\n", "version: 2\nceiling: {}\n", "unknown section 'ceiling'"),
    ("    - region: 广州市\n", "    - region: 广洲市\n", "peers.breaks[1]: regional_panel.csv has no series of region '广洲市'"),
    ("invention_patent_applications: invention_patent_grants", "invention_patent_applications: invention_patent_grantz",
     "peers.proxies 'invention_patent_applications': 'invention_patent_grantz' is not an indicator_id"),
    ('excluded_marks: ["LOWER BOUND", "IMPLIED"]', 'excluded_marks: ["LOWER BOUND", ""]', "peers.excluded_marks is"),
    ("  rd_intensity: rd_intensity_alert_pp", "  rd_intensty: rd_intensity_alert_pp", "ceilings 'rd_intensty'"),
    ('{topic: basic_research_share, region: "China (national)"}', '{topic: basic_research_share, region: "China (nation)"}',
     "national_series 'basic_research_share' [1]"),
], ids=["unknown-parameter", "deleted-parameter", "future-version", "unknown-section", "break-region", "proxy",
        "empty-mark", "ceiling-indicator", "national-series"])
def test_thresholds_are_checked_against_the_schema_and_the_data(ref, vocab, old, new, needle, monkeypatch):
    replace(ref / "thresholds.yml", old, new)
    monkeypatch.setattr(reference, "THRESHOLDS", ref / "thresholds.yml")
    monkeypatch.setattr(paths, "REGIONAL_PANEL", ref / "regional_panel.csv")

    def check():
        reference.check_thresholds_file(ref / "thresholds.yml", parameters_read())
        reference_checks.check_rules_against_data(reference.load_rules(ref / "thresholds.yml"), reference.load_references(),
                                           reference_checks.check_panel(ref / "regional_panel.csv", vocab), vocab, ref / "thresholds.yml")
    msg = error(check)
    assert needle in msg and "thresholds.yml" in msg


def test_an_excluded_mark_that_removes_every_peer_window_is_refused(ref, vocab):
    panel = pd.read_csv(ref / "regional_panel.csv", dtype=str, keep_default_na=False)
    panel.loc[panel["indicator"] == "rd_intensity", "notes"] += " ZZ-ALL"
    rules = reference.load_rules()
    rules["peers"] = {**rules["peers"], "excluded_marks": ["LOWER BOUND", "IMPLIED", "ZZ-ALL"]}
    msg = error(reference_checks.check_rules_against_data, rules, reference.load_references(), panel, vocab)
    assert "peers.excluded_marks 'ZZ-ALL' is in the notes of every row of rd_intensity" in msg


def test_every_reference_table_of_the_project_passes_and_the_parameter_names_are_read_by_the_code(vocab):
    reference_checks.check_all(vocab, parameters_read())
    code = "".join(p.read_text(encoding="utf-8") for p in (paths.ROOT / "analysis").rglob("*.py") if p.name != "reference.py")
    assert [n for n in parameters_read() if f'"{n}"' not in code and f"'{n}'" not in code] == []


def test_links_to_unknown_indicators_or_to_themselves_are_refused(ref, vocab):
    replace(ref / "indicator_links.csv", "rate_of,patent_applications_growth,patent_applications",
            "rate_of,patent_applications,patent_applications")
    assert "indicator_links.csv: line 2: links patent_applications to itself" in error(reference_checks.load_links_checked, vocab,
                                                                                       ref / "indicator_links.csv")


# ------------------------------------------------------------------------------ 4. smaller and unclear
def test_a_fifo_or_a_device_is_named_as_such(tmp_path):
    fifo = tmp_path / "sources.yml"
    os.mkfifo(fifo)
    assert f"{fifo}: is a FIFO (named pipe)" in error(fileio.read_text, fifo)
    assert "is a character device (such as /dev/null)" in error(fileio.read_text, "/dev/null")
    assert "is a directory" in error(fileio.read_text, tmp_path)
    assert "is a FIFO" in error(actuals.load, fifo)


def test_cr_only_line_ends_and_a_wrong_script_are_named(sources, tmp_path):
    s = sources["panyu-2015"]
    doc = tmp_path / "panyu-2015.txt"
    doc.write_bytes(s.path.read_bytes().replace(b"\n", b"\r"))
    assert "line 1: a line ends in a carriage return alone" in error(dataclasses.replace(s, path=doc).text)
    msg = error(registry.check_script, dataclasses.replace(s, script="traditional"), s.text())
    assert "entry 'panyu-2015' field 'script' is 'traditional'" in msg and "expected script: simplified" in msg
    trad = sources["guangzhou-2019"]
    assert "expected script: traditional" in error(registry.check_script, dataclasses.replace(trad, script="simplified"), trad.text())
    for source in sources.values():
        registry.check_script(source, source.text())


@pytest.mark.parametrize("change, needle", [
    (lambda df: df.assign(display_en=[*df["display_en"].iloc[:2], df["display_en"].iloc[1].upper(), *df["display_en"].iloc[3:]]),
     "line 4 field 'display_en'"),
    (lambda df: df.assign(display_en=["$R&D$^", *df["display_en"].iloc[1:]]), "field 'display_en' is '$R&D$^': a $"),
    (lambda df: df.assign(display_en=[df["display_en"].iloc[0] + " ", *df["display_en"].iloc[1:]]), "spaces around it"),
], ids=["same-display-name", "dollar", "trailing-space"])
def test_display_names_are_unique_plain_text(tmp_path, change, needle):
    df = pd.read_csv(paths.INDICATORS, dtype=str, keep_default_na=False)
    f = tmp_path / "indicators.csv"
    change(df).to_csv(f, index=False)
    assert needle in error(vocab.load_indicators, f)


def test_a_fractional_count_is_refused_and_a_repeated_key_keeps_every_source(tmp_path):
    head = "region,indicator,unit,year,value,source\n"
    f = tmp_path / "a.csv"
    f.write_text(head + "广州市,high_tech_enterprises,家,2016,0.1,http://a\n", encoding="utf-8")
    assert "line 2, column 'value': count 0.1 is not a whole number" in error(actuals.load, f)
    f.write_text(head + "广州市,rd_intensity,%,2016,2.9,http://a\n广州市,rd_intensity,%,2016,2.9,http://b\n"
                 "广州市,rd_intensity,%,2016,2.9, http://a\n", encoding="utf-8")
    assert list(actuals.load(f)["source"]) == ["http://a | http://b"]      # one row, neither source dropped
    g = tmp_path / "b.csv"
    g.write_text(head + "广州市,rd_intensity,%,2016,2.9,http://c\n", encoding="utf-8")
    assert list(actuals.load_published((f, g))["source"]) == ["http://a | http://b | http://c"]


def test_a_relative_actuals_path_leading_outside_the_project_is_refused():
    for outside in ("../outside.csv", "data/../../outside.csv"):
        with pytest.raises(parameters._Reject, match="leads outside the project"):
            parameters._check_path(outside)


def test_a_notebook_run_by_hand_stops_at_a_bad_parameter_with_one_line():
    with pytest.raises(parameters.ParameterError) as info:
        parameters.check_cell("03_plausibility_flags", {"source_id": None, "min_severity": "bogus", "thresholds": {},
                                                        "language": "zh", "__name__": "__main__"})
    lines = info.value._render_traceback_()
    assert len(lines) == 1 and "parameter 'min_severity' = 'bogus'" in lines[0] and "03_plausibility_flags" in lines[0]
    parameters.check_cell("03_plausibility_flags", {"source_id": None, "min_severity": "info", "thresholds": {}, "language": "zh"})
    for nb in paths.NOTEBOOKS.glob("*.ipynb"):
        cells = parameters.read_notebook(nb).cells
        at = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
        assert f'check_cell("{nb.stem}", globals())' in cells[at + 1].source      # right after the parameters


def test_a_full_disk_names_the_file_being_written(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as info:
        fileio.write_text_atomic(tmp_path / "flags.csv", "x\n")
    assert info.value.filename == str(tmp_path / "flags.csv") and list(tmp_path.iterdir()) == []


def test_long_quoted_values_are_cut_in_messages():
    msg = clip_quoted(f"x.csv: line 2 field 'v' is {'9' * 100000!r}; expected a number")
    assert msg.startswith("x.csv: line 2 field 'v' is '999") and "(100000 characters); expected a number" in msg and len(msg) < 200


# ------------------------------------------------------------------------------ end to end: the probe's cases
E2E = ["processed observations.csv: merge-conflict markers → analysis.reports run",
       "processed flags.csv: a row deleted by hand → data version",
       "processed: a stray CSV does not change the data version",
       "make reports' data step: merge-conflict markers in observations.csv → rebuilt",
       "make reports' data step: a file in data/raw/ named 'x$(shell touch pwned).txt'",
       "YAML alias bomb in data/raw/sources.yml",
       "YAML alias bomb in reports.yml",
       "spec ignore pattern with catastrophic backtracking '(?:\\\\D|\\\\D\\\\D)+\\\\d{20}'",
       "regions.csv: a parent cycle",
       "regional_panel.csv: inf (provenance updated)",
       "thresholds.yml: a deleted parameter",
       "thresholds.yml: GB18030",
       "actuals: 0.1 high-tech enterprises",
       "document: a FIFO",
       "document: CR-only line ends (registered with its new sha256)",
       "sources.yml: script traditional on simplified text",
       "full disk (file size limit) while publishing data/processed/"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    root = probe.make_copy(tmp_path_factory.mktemp("probe") / "pristine")
    version = subprocess.run(probe.VERSION, cwd=root, capture_output=True, text=True).stdout.strip()
    return root, version


# the backtracking pattern runs until extract.IGNORE_TIMEOUT_S (5 s of CPU): the same build with the limit at 0.5 s
# proves the same (refused, the message naming the rule, data/processed/ unchanged) in a tenth of the time
BUILD_WITH_SHORT_TIMEOUT = [probe.PY, "-c", "import sys; from analysis.ingest import extract; "
                            "extract.IGNORE_TIMEOUT_S = 0.5; from analysis.pipeline.build import main; sys.exit(main())"]


@pytest.mark.slow
@pytest.mark.parametrize("name", E2E)
def test_probe_case(name, pristine, tmp_path):
    """The input, the exit status, the message naming file and field, data/processed/ unchanged (or rebuilt)."""
    case = next((c for c in probe.cases() if c.name == name), None)
    assert case is not None, f"no probe case {name!r}"
    backtracks = "catastrophic backtracking" in name
    if backtracks:
        assert case.command == probe.DATA
        case = dataclasses.replace(case, command=BUILD_WITH_SHORT_TIMEOUT)
    result = probe.run_case(case, pristine[0], tmp_path, pristine[1], run=commands.run_command)
    assert result["outcome"] in ("clear", "ok"), result
    assert not backtracks or "took more than 0.5 s" in result["message"], result
