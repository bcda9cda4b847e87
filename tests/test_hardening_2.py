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
    (lambda d: (d / "a.csv").write_text("x,y\n        reference.check_thresholds_file(ref / "thresholds.yml", parameters_read())
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


@pytest.mark.slow
@pytest.mark.parametrize("name", E2E)
def test_probe_case(name, pristine, tmp_path):
    """The input, the exit status, the message naming file and field, data/processed/ unchanged (or rebuilt)."""
    case = next((c for c in probe.cases() if c.name == name), None)
    assert case is not None, f"no probe case {name!r}"
    result = probe.run_case(case, pristine[0], tmp_path, pristine[1])
    assert result["outcome"] in ("clear", "ok"), result
