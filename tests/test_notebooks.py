"""Every notebook of notebooks/ is stored clean, is thin, and executes with small parameters into an HTML
report without code and without errors; the index links every report."""
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import _page_words as page_words
import nbformat
import pytest
from _workers import claim, wait_for

from analysis.core import paths
from analysis.pipeline import datasets
from analysis.present import html_page, labels, plots, views
from analysis.reports import config, index, parameters, record, runner

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))

# small parameters per notebook (a notebook not listed runs with its defaults)
SMALL = {
    "01_targets_overview.ipynb": {"source_id": "panyu-2015", "kind": "target", "language": "en"},
    "02_growth_trajectories.ipynb": {"source_id": "panyu-2015", "indicators": ["rd_intensity", "high_tech_enterprises"]},
    "03_plausibility_flags.ipynb": {"min_severity": "warn", "thresholds": {"cagr_alert": 150.0}},
    "04_target_vs_actual.ipynb": {"language": "en"},
}
# the language of each page above (zh, the notebooks' default, where none is given): audited below


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
    assert any("from analysis.present import" in c.source for c in code)     # the presentation layer, its own names
    assert any(c.cell_type == "markdown" for c in nb.cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_parameter_of_a_notebook_has_a_schema(path):
    names = parameters.notebook_parameters(path)
    assert names, "a parameters cell that defines nothing"
    missing = set(names) - set(parameters.NOTEBOOK_PARAMETERS)
    assert not missing, f"add {missing} to analysis.reports.parameters.NOTEBOOK_PARAMETERS"


def test_reports_yml_is_valid_and_names_existing_notebooks():
    runs = config.load_config()
    for r in runs:
        parameters.validate(r)
    used = {r.notebook.name for r in runs}
    assert {p.name for p in NOTEBOOKS} <= used, "every notebook is run by reports.yml"


# --------------------------------------------------------------------------------- executed
@pytest.fixture(scope="session")
def executed(tmp_path_factory, worker_id, kept_kernel):
    """The notebooks executed once per test run. Under pytest-xdist the workers share the run's temporary folder:
    a worker that needs the results runs every notebook no other worker has claimed yet (an O_EXCL claim file
    each), then waits for the others' (a done file each); the last notebook's runner writes the index. A worker's
    notebooks run in its kept kernel, reset before each, as make reports' workers run them (kernel.KeptKernel)."""
    runs = [config.Report(name=p.stem.replace("_", "-"), notebook=p, parameters=SMALL.get(p.name, {}), timeout=300)
            for p in NOTEBOOKS]
    if worker_id == "master":
        out = tmp_path_factory.mktemp("reports")
        metas = {r.name: runner.run(r, out, kept=kept_kernel) for r in runs}
        index.write_index(runs, out)
        return out, runs, metas
    shared = tmp_path_factory.getbasetemp().parent          # one folder per test run, shared by its workers
    out = shared / "executed-notebooks"
    out.mkdir(exist_ok=True)
    for task in [r.name for r in runs] + ["index"]:
        if not claim(shared / f"executed-{task}.claim"):
            continue                                       # another worker runs it
        if task == "index":                                # after every notebook, by the worker that got here
            wait_for([shared / f"executed-{r.name}.json" for r in runs])
            index.write_index(runs, out)
            (shared / "executed-index.json").write_text("{}", encoding="utf-8")
            continue
        try:
            meta = runner.run(next(r for r in runs if r.name == task), out, kept=kept_kernel)
        except Exception as exc:                           # the waiting workers fail too, with the reason
            meta = {"failed": f"{type(exc).__name__}: {exc}"}
        (shared / f"executed-{task}.json").write_text(json.dumps(meta, default=str), encoding="utf-8")
    wait_for([shared / f"executed-{t}.json" for t in [r.name for r in runs] + ["index"]])
    metas = {r.name: json.loads((shared / f"executed-{r.name}.json").read_text(encoding="utf-8")) for r in runs}
    failed = {name: m["failed"] for name, m in metas.items() if "failed" in m}
    assert not failed, f"notebooks failed: {failed}"
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


@pytest.mark.slow
def test_each_notebook_executes_into_html_without_code(executed):
    out, runs, _ = executed
    for r in runs:
        f = config.files(r.name, out)
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
        assert r.name in html and ("commit" in html or labels.t("page.commit", "zh") in html)


def test_each_report_has_no_error_and_no_warning_output(executed):
    out, runs, _ = executed
    for r in runs:
        f = config.files(r.name, out)
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
    html = {r.notebook.name: config.files(r.name, out)["html"].read_text(encoding="utf-8") for r in runs}
    overview = html["01_targets_overview.ipynb"]
    assert "Targets overview" in overview and "value as published" in overview          # language = en
    growth = html["02_growth_trajectories.ipynb"]
    assert "研发投入强度" in growth and "新增发明专利" not in growth                    # only the two indicators
    flags = html["03_plausibility_flags.ipynb"]
    assert f"{labels.t('overridden', 'zh')} (205.63)" in flags                      # cagr_alert = 150, default 205.63
    assert "Target versus actual" in html["04_target_vs_actual.ipynb"]                  # language = en


def test_run_metadata(executed):
    out, runs, metas = executed
    for r in runs:
        meta = json.loads(config.files(r.name, out)["meta"].read_text(encoding="utf-8"))
        assert meta == json.loads(json.dumps(metas[r.name], default=str))
        assert re.fullmatch(r"[0-9a-f]{12}(\+dirty)?|unknown", meta["commit"])
        assert meta["data_version"] == record.data_version()
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


# --------------------------------------------------------------------------------- every word in the page's language
def _language(r) -> str:
    return r.parameters.get("language", "zh")


def test_zh_pages_show_no_english_words(executed):
    """Flag reasons, threshold labels and justifications, progress notes, code values: Chinese on a zh page (Latin
    letters only in addresses, code, identifiers, cited titles and proper names: tests/_page_words.py)."""
    out, runs, _ = executed
    zh = [r for r in runs if _language(r) == "zh"]
    assert {r.notebook.name for r in zh} >= {"02_growth_trajectories.ipynb", "03_plausibility_flags.ipynb"}
    for r in zh:
        html = config.files(r.name, out)["html"].read_text(encoding="utf-8")
        assert page_words.english_words(html, allowed=[r.name]) == [], r.name


def test_en_pages_show_no_untranslated_chinese(executed):
    out, runs, _ = executed
    en = [r for r in runs if _language(r) == "en"]
    assert {r.notebook.name for r in en} >= {"01_targets_overview.ipynb", "04_target_vs_actual.ipynb"}
    for r in en:
        html = config.files(r.name, out)["html"].read_text(encoding="utf-8")
        assert page_words.untranslated_chinese(html) == [], r.name


def test_the_language_audit_finds_what_it_should():
    th = labels.t("name", "zh")
    page = (f"<p>阈值 too_slow_ratio_info，见 <code>min_severity = \"info\"</code> 和 docs/methods.md</p>"
            f"<table><tr><th>{th}</th><th>理由</th></tr><tr><td>too_slow_ratio_info</td><td>on track；Open SDG</td></tr>"
            "</table><p>https://example.org/a.html guangzhou-2019 R&amp;D</p>")
    assert page_words.english_words(page) == ["too_slow_ratio_info", "on", "track"]
    # the bugs of issue 23: a national window's English label in a zh reason, an untranslated metric, "line 53"
    bugs = ("<p>超过全国逐年序列 6 个 3 年窗口中最快的 China 2021–2024 (growth_references.csv lines 27–29)。</p>"
            "<table><tr><th>口径</th><th>依据</th></tr><tr><td>ratio</td><td>growth_references.csv line 53</td></tr></table>")
    assert page_words.english_words(bugs) == ["China", "lines", "ratio", "line"]
    en = ("<table><tr><th>quote</th><th>reason</th></tr><tr><td>广州市</td><td>达到</td></tr>"
          "<tr><td>广州市</td><td>Guangzhou (广州市)</td></tr></table>")
    assert page_words.untranslated_chinese(en) == ["达到"]


def test_every_page_opens_with_its_conclusion(executed):
    """The conclusion (conclusions.py, in the page's language) is the first thing a reader sees: at the top of the
    header (html_page.hoist_conclusion), before any table, caption or heading."""
    out, runs, _ = executed
    for r in runs:
        html = without_style(config.files(r.name, out)["html"].read_text(encoding="utf-8"))
        at = html.find('class="pt-conclusion"')
        assert at >= 0 and html_page.CONCLUSION_MARK not in html, r.name
        assert at < html.find("<table") and at < html.find("<h1"), r.name
        lead = html_page.CONCLUSION.search(html, at).group(0)
        assert ("结论" in lead) == (_language(r) == "zh"), r.name


# --------------------------------------------------------------------------------- pages handed over alone
CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium, Debian package "
                                    "`chromium`) is not installed; the pages' rendering is not checked here")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _page(executed, notebook: str) -> str:
    out, runs, _ = executed
    r = next(r for r in runs if r.notebook.name == notebook)
    return config.files(r.name, out)["html"].read_text(encoding="utf-8")


def test_pages_request_nothing_from_outside(executed):
    out, runs, _ = executed
    for page in [config.files(r.name, out)["html"] for r in runs] + [out / "index.html"]:
        html = page.read_text(encoding="utf-8")
        assert html_page.external_requests(html) == [], page.name
        assert "require.min.js" not in html and "MathJax" not in html and "mermaid.esm" not in html
        assert 'src: url("data:font/woff2;base64,' in html, f"{page.name}: no embedded font"


def test_pages_have_contents_a_way_back_and_stable_ids(executed):
    html = _page(executed, "02_growth_trajectories.ipynb")
    assert 'href="index.html"' in html and labels.t("page.back", "zh") in html and labels.t("page.howto", "zh") in html
    toc = html_page.toc(html)
    assert labels.t("page.contents", "zh") in html and [t for _, t in toc][0] == "路径"
    assert len(toc) >= 4 and all(f'href="#{i}"' in html for i, _ in toc)
    assert not re.search(r'id="cell-id=', html) and not re.search(r"\bT_[0-9a-f]{5}\b", html)
    assert 'id="cell-1"' in html and "T_table1" in html


def test_the_embedded_font_holds_exactly_the_characters_of_the_page(executed):
    import base64
    import io

    from fontTools.ttLib import TTFont

    html = _page(executed, "02_growth_trajectories.ipynb")
    data = re.search(r'url\("data:font/woff2;base64,([^"]+)"\)', html).group(1)
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    cmap = set(font.getBestCmap())
    shown = {ord(c) for c in CJK.findall(html_page.page_chars(html))}
    assert shown and shown <= cmap                                 # every Chinese character of the page
    assert len(cmap) < 2000 < len(TTFont(str(plots.font_path())).getBestCmap())


def test_a_second_run_differs_only_in_its_run_time(executed, tmp_path, kept_kernel):
    out, runs, _ = executed
    r = next(r for r in runs if r.notebook.name == "02_growth_trajectories.ipynb")
    runner.run(r, tmp_path, kept=kept_kernel)
    first = config.files(r.name, out)["html"].read_text(encoding="utf-8")
    second = config.files(r.name, tmp_path)["html"].read_text(encoding="utf-8")
    mask = lambda s: re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d \(\d+\.\d [^)]*\)", "RUN", s)  # noqa: E731
    assert first != second                   # the run time differs ...
    assert mask(first) == mask(second)       # ... and nothing else


@needs_chromium
def test_a_page_copied_alone_renders_chinese_in_headless_chromium(executed, tmp_path):
    """The page alone in an empty folder, the network cut: its font loads from the page itself and draws two
    different Chinese characters differently (a missing font draws both as the same empty box)."""
    html = _page(executed, "02_growth_trajectories.ipynb")
    a, b = list(dict.fromkeys(CJK.findall(re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S))))[:2]
    probe = (f'<div id="pt-probe" style="position:fixed;left:0;top:0;z-index:99999;background:#fff;color:#000;'
             f'font:100px/1 \'Noto Sans SC\';margin:0;padding:0;white-space:nowrap">'
             f'<span style="display:inline-block;width:120px">{a}</span><span style="display:inline-block;width:120px">{b}</span></div>'
             "<script>document.fonts.ready.then(async () => { const f = await document.fonts.load('100px \"Noto Sans SC\"', "
             f"'{a}{b}'); document.body.setAttribute('data-probe', JSON.stringify(f.map(x => x.status))); }});"
             # every element of the page that holds Chinese text itself is set in the font (not in a style that
             # nbconvert's own styles override later in the page)
             "const cjk = /[\\u4e00-\\u9fff]/; const unfonted = [...document.querySelectorAll('body *')].filter(e => "
             "e.id !== 'pt-probe' && !e.closest('#pt-probe') && [...e.childNodes].some(n => n.nodeType === 3 && "
             "cjk.test(n.textContent)) && !getComputedStyle(e).fontFamily.includes('Noto Sans SC')).map(e => "
             "e.tagName + ': ' + e.textContent.trim().slice(0, 20)); "
             "document.body.setAttribute('data-unfonted', JSON.stringify(unfonted.slice(0, 5)));</script>")
    page = tmp_path / "alone" / "page.html"
    page.parent.mkdir()
    page.write_text(html.replace("</body>", probe + "</body>"), encoding="utf-8")
    base = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(base + ["--virtual-time-budget=15000", "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=180).stdout
    statuses = json.loads(re.search(r"data-probe=\"([^\"]*)\"", dom).group(1).replace("&quot;", '"'))
    assert statuses and set(statuses) == {"loaded"}, statuses
    unfonted = json.loads(re.search(r"data-unfonted=\"([^\"]*)\"", dom).group(1).replace("&quot;", '"'))
    assert unfonted == [], f"Chinese text not set in the page's font: {unfonted}"
    shot = tmp_path / "shot.png"
    subprocess.run(base + [f"--screenshot={shot}", "--window-size=400,200", "--virtual-time-budget=15000", page.as_uri()],
                   capture_output=True, timeout=180)
    import matplotlib.image as mpimg
    img = mpimg.imread(str(shot))[:110, :, :3].mean(axis=2)
    left, right = img[:, 5:115] < 0.5, img[:, 125:235] < 0.5
    assert left.sum() > 100 and right.sum() > 100, "no glyph drawn"
    assert (left != right).mean() > 0.05, "both characters drawn alike: a missing-glyph box, not the font"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_prose_stands_in_markdown_in_both_languages_and_the_conclusion_follows_the_title(path):
    """A researcher in JupyterLab reads the explanations as Markdown (Chinese and English cells, tagged lang-zh /
    lang-en), not as keys; they agree with prose.NARRATIVE (`python -m analysis.reports narrative`)."""
    from analysis.reports import narrative

    nb = nbformat.read(str(path), as_version=4)
    assert narrative.sync([path], write=False) == {}, "run `python -m analysis.reports narrative`"
    prose = [(c.metadata.get("narrative"), narrative.language_of(c)) for c in nb.cells
             if c.cell_type == "markdown" and narrative.language_of(c)]
    keys = list(dict.fromkeys(k for k, _ in prose))
    assert len(keys) >= 4 and all(k for k in keys)
    assert sorted(prose) == sorted((k, lang) for k in keys for lang in ("zh", "en"))
    assert not any("views.text(" in c.source for c in nb.cells if c.cell_type == "code")
    title = next(i for i, c in enumerate(nb.cells) if c.metadata.get("narrative", "").endswith(".title"))
    assert nb.cells[title].source.startswith("# ") and nb.cells[title + 1].source.startswith("# ")
    assert nb.cells[title + 2].cell_type == "code" and nb.cells[title + 2].source.startswith("conclusions.markdown(")
