"""notebooks/04_target_vs_actual.ipynb: stored clean, thin, executes with papermill; a bad actuals file stops it."""
import json

import nbformat
import pytest

from analysis import actuals, paths, progress_views
from analysis.errors import InputError

NOTEBOOK = paths.NOTEBOOKS / "04_target_vs_actual.ipynb"


def test_notebook_is_stored_without_outputs_and_has_one_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "actuals_path" in tagged[0].source and "source_id" in tagged[0].source
    assert not any("def " in c.source or "class " in c.source for c in code)     # logic lives in analysis/


def test_notebook_executes_with_a_researcher_file(tmp_path):
    papermill = pytest.importorskip("papermill")
    mine = tmp_path / "mine.csv"
    mine.write_text("region,indicator,unit,year,value,source\n"
                    "广州市,basic_research_share,%,2019,12.5,my notes\n", encoding="utf-8")
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"source_id": "guangzhou-2019",
                               "actuals_path": str(mine)}, cwd=str(paths.NOTEBOOKS), progress_bar=False,
                               kernel_name="python3")
    text = json.dumps(nbformat.read(out, as_version=4).dict(), ensure_ascii=False)
    assert "researcher actuals from" in text and "achieved" in text and "image/png" in text
    # the researcher's 2019 figure now judges the 2019 basic-research target (13 %): missed
    assert "13 in 2019" in text


def test_bad_actuals_file_stops_before_anything_is_computed(tmp_path, monkeypatch):
    bad = tmp_path / "bad.csv"
    bad.write_text("region,indicator,unit,year,value,source\n广州市,rd_intensity,%,2019,abc,x\n", encoding="utf-8")
    calls = []
    monkeypatch.setattr(actuals, "combined", lambda *a, **k: calls.append(a))
    with pytest.raises(InputError, match=r"bad\.csv: line 2, column 'value'"):
        progress_views.prepare("guangzhou-2019", str(bad))
    assert calls == []


def test_unknown_source_id():
    with pytest.raises(InputError, match="parameter 'source_id' = 'guangzhou-2091'"):
        progress_views.prepare("guangzhou-2091")


def test_cli_checks_a_file(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text("region,indicator,unit,year,value,source\n番禺区,rd_intensity,%,2021,3.17,bulletin\n", encoding="utf-8")
    assert actuals.main([str(good)]) == 0 and "1 actual(s) OK" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("region,indicator\n", encoding="utf-8")
    assert actuals.main([str(bad)]) == 1 and "required column is missing" in capsys.readouterr().err
