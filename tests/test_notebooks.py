"""Every notebook of notebooks/ is stored clean, is thin, and executes with small parameters into an HTML
report without code and without errors; the index links every report."""
import json
import re
from html.parser import HTMLParser

import nbformat
import pytest

from analysis import datasets, paths, reports, views

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))

# small parameters per notebook (a notebook not listed runs with its defaults)
SMALL = {
    "01_targets_overview.ipynb": {"source_id": "panyu-2015", "kind": "target", "language": "en"},
    "02_growth_trajectories.ipynb": {"source_id": "panyu-2015", "indicators": ["rd_intensity", "high_tech_enterprises"]},
    "03_plausibility_flags.ipynb": {"min_severity": "warn", "thresholds": {"cagr_alert": 150.0}, "language": "en"},
}


def test_there_are_notebooks():
    names = {p.name for p in NOTEBOOKS}
    assert {"01_targets_overview.ipynb", "02_growth_trajectories.ipynb", "03_plausibility_flags.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_clean_and_thin(path):
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "policy-targets"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "stored with outputs"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    for c in code:
        assert not re.search(r"^\s*(def|class|lambda)\b|\blambda\b", c.source, re.M), f"logic in a notebook cell: {c.source!r}"
        assert "sys.path" not in c.source and "chdir" not in c.source, "path hack in a notebook"
    assert any("from analysis import" in c.source for c in code)
    assert any(c.cell_type == "markdown" for c in nb.cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_parameter_of_a_notebook_has_a_schema(path):
    names = reports.notebook_parameters(path)
    assert names, "a parameters cell that defines nothing"
    assert set(names) <= set(reports.PARAMETERS), f"add {set(names) - set(reports.PARAMETERS)} to reports.PARAMETERS"


def test_reports_yml_is_valid_and_names_existing_notebooks():
    runs = reports.load_config()
    for r in runs:
        reports.validate(r)
    used = {r.notebook.name for r in runs}
    assert {p.name for p in NOTEBOOKS} <= used, "every notebook is run by reports.yml"


# --------------------------------------------------------------------------------- executed
@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    runs = [reports.Report(name=p.stem.replace("_", "-"), notebook=p, parameters=SMALL.get(p.name, {}), timeout=300)
            for p in NOTEBOOKS]
    metas = {r.name: reports.run(r, out) for r in runs}
    reports.write_index(runs, out)
    return out, runs, metas


def without_style(html: str) -> str:
    """The page without its <style> and <script> blocks (nbconvert's CSS names every class it could use)."""
    return re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href"]


def test_each_notebook_executes_into_html_without_code(executed):
    out, runs, _ = executed
    for r in runs:
        f = reports.files(r.name, out)
        html = without_style(f["html"].read_text(encoding="utf-8"))
        source = nbformat.read(str(r.notebook), as_version=4)
        # no code input area (nbconvert's markers of one: an editor div, highlighted source)
        assert not re.search(r'<div class="[^"]*(jp-InputArea-editor|highlight)', html)
        for cell in source.cells:
            if cell.cell_type == "code":
                for line in cell.source.splitlines():
                    if len(line.strip()) > 12 and not line.strip().startswith("#"):
                        assert line.strip() not in html, f"{r.name}: code visible in the HTML: {line!r}"
        assert "data:image/png;base64" in html, f"{r.name}: no plot"
        # the header says how the report was made
        assert r.name in html and "commit" in html


def test_each_report_has_no_error_and_no_warning_output(executed):
    out, runs, _ = executed
    for r in runs:
        f = reports.files(r.name, out)
        nb = nbformat.read(str(f["ipynb"]), as_version=4)
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                assert o.output_type != "error", f"{r.name}: {o.get('ename')}: {o.get('evalue')}"
                assert not (o.output_type == "stream" and o.name == "stderr"), f"{r.name}: stderr output {o.text!r}"
        html = without_style(f["html"].read_text(encoding="utf-8"))
        assert "Traceback" not in html and "application/vnd.jupyter.stderr" not in html
        assert not f["failed_ipynb"].exists()


def test_parameters_reach_the_notebook(executed):
    out, runs, _ = executed
    html = {r.notebook.name: reports.files(r.name, out)["html"].read_text(encoding="utf-8") for r in runs}
    overview = html["01_targets_overview.ipynb"]
    assert "Targets overview" in overview and "value as published" in overview          # language = en
    growth = html["02_growth_trajectories.ipynb"]
    assert "研发投入强度" in growth and "新增发明专利" not in growth                    # only the two indicators
    flags = html["03_plausibility_flags.ipynb"]
    assert "overridden" in flags and "as overridden" in flags                          # cagr_alert = 150


def test_run_metadata(executed):
    out, runs, metas = executed
    for r in runs:
        meta = json.loads(reports.files(r.name, out)["meta"].read_text(encoding="utf-8"))
        assert meta == json.loads(json.dumps(metas[r.name], default=str))
        assert re.fullmatch(r"[0-9a-f]{12}(\+dirty)?|unknown", meta["commit"])
        assert meta["data_version"] == reports.data_version()
        assert meta["duration_s"] > 0
    flags_run = next(r for r in runs if r.notebook.name == "03_plausibility_flags.ipynb")
    expected = views.plausibility(None, "warn", {"cagr_alert": 150.0})["flags"]
    assert metas[flags_run.name]["flag_counts"] == views.flag_counts(expected)
    assert metas[flags_run.name]["flag_counts"]["info"] == 0                             # min_severity = warn
    overview = next(r for r in runs if r.notebook.name == "01_targets_overview.ipynb")
    obs = datasets.load("observations")
    assert metas[overview.name]["n_observations"] == int((obs["source_id"] == "panyu-2015").sum())


def test_index_links_every_report(executed):
    out, runs, _ = executed
    parser = _Links()
    parser.feed((out / "index.html").read_text(encoding="utf-8"))
    assert sorted(parser.hrefs) == sorted(f"{r.name}.html" for r in runs)
    assert all((out / h).is_file() for h in parser.hrefs)
    assert not (out / "fonts").exists(), "pages carry their own font; nothing is put beside them"
    assert 'src: url("data:font/woff2;base64,' in (out / "index.html").read_text(encoding="utf-8")
