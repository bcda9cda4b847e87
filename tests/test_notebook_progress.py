"""notebooks/04_target_vs_actual.ipynb through the report runner: a researcher's actuals file reaches the
report, a bad one stops the run before anything is written, reports.yml runs it for every source with progress."""
import _page_words as page_words
import nbformat
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.inputs import actuals
from analysis.present import progress_views
from analysis.reports import config, parameters, runner

NOTEBOOK = paths.NOTEBOOKS / "04_target_vs_actual.ipynb"
HEADER = "region,indicator,unit,year,value,source\n"


def report(name, **values):
    return config.Report(name=name, notebook=NOTEBOOK, parameters=values, timeout=300)


def test_parameters_cell():
    assert set(parameters.notebook_parameters(NOTEBOOK)) == {"source_id", "actuals_path", "thresholds", "language"}


@pytest.mark.slow
def test_report_with_a_researcher_file(tmp_path, kept_kernel):
    mine = tmp_path / "mine.csv"
    mine.write_text(HEADER + "广州市,basic_research_share,%,2019,12.5,my notes\n", encoding="utf-8")
    out = tmp_path / "reports"
    runner.run(report("progress-test", source_id="guangzhou-2019", actuals_path=str(mine),
                       thresholds={"progress_ratio_on_track": 0.9}), out, kept=kept_kernel)
    html = (out / "progress-test.html").read_text(encoding="utf-8")
    # the researcher's file by its name, not its absolute path
    assert "实际值包括研究者的文件 mine.csv" in html and str(tmp_path) not in html and "data:image/png;base64" in html
    assert page_words.english_words(html, allowed=["progress-test"]) == []              # a zh page, in Chinese
    # the researcher's 2019 figure (12.5 %) now judges the plan's 2019 basic-research target (13 %): missed
    executed = nbformat.read(out / "progress-test.ipynb", as_version=4)
    tables = "".join(o.get("data", {}).get("text/html", "") for c in executed.cells for o in c.get("outputs", []))
    assert "13 (2019)" in tables and "12.5 (2019)" in tables


def test_bad_actuals_file_stops_the_run_before_anything_is_written(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "广州市,rd_intensity,%,2019,abc,x\n", encoding="utf-8")
    out = tmp_path / "reports"
    with pytest.raises(InputError) as info:
        runner.run(report("progress-bad", source_id="guangzhou-2019", actuals_path=str(bad)), out)
    msg = str(info.value)
    assert "parameter 'actuals_path'" in msg and f"{bad}: line 2, column 'value'" in msg
    assert not out.exists() or not any(out.iterdir())


def test_prepare_validates_the_file_before_computing(tmp_path, monkeypatch):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "广州市,rd_intensity,%,2019,abc,x\n", encoding="utf-8")
    calls = []
    monkeypatch.setattr(actuals, "combined", lambda *a, **k: calls.append(a))
    with pytest.raises(InputError, match=r"bad\.csv: line 2, column 'value'"):
        progress_views.prepare("guangzhou-2019", str(bad))
    assert calls == []


def test_unknown_source_id():
    with pytest.raises(InputError, match="parameter 'source_id' = 'guangzhou-2091'"):
        progress_views.prepare("guangzhou-2091")


def test_reports_yml_runs_every_source_with_progress():
    runs = [r for r in config.load_config() if r.notebook.name == NOTEBOOK.name]
    assert {r.parameters.get("source_id") for r in runs} == set(progress_views.sources_with_progress())


def test_cli_checks_a_file(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "番禺区,rd_intensity,%,2021,3.17,bulletin\n", encoding="utf-8")
    assert actuals.main([str(good)]) == 0 and "1 actual(s) OK" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("region,indicator\n", encoding="utf-8")
    assert actuals.main([str(bad)]) == 1 and "required column is missing" in capsys.readouterr().err
