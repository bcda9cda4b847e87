"""The report runner: reports.yml, parameter validation (before any run), a failing notebook keeps the last
good report, escaping in the index, the make rules, the lock."""
import json
import os
import re
import subprocess
import time

import _commands as commands
import nbformat
import pytest

from analysis.core import fileio, paths
from analysis.core.errors import InputError
from analysis.present import html_page
from analysis.reports import cli, config, index, makerules, parameters, record, runner

GROWTH = paths.NOTEBOOKS / "02_growth_trajectories.ipynb"
FLAGS = paths.NOTEBOOKS / "03_plausibility_flags.ipynb"


def report(params, notebook=GROWTH, name="r"):
    return config.Report(name=name, notebook=notebook, parameters=params)


# ------------------------------------------------------------------------------ parameters
def test_unknown_parameter_name_is_an_error_naming_notebook_parameter_and_accepted_names():
    with pytest.raises(InputError) as exc:
        parameters.validate(report({"source": "panyu-2015"}))
    msg = str(exc.value)
    assert "notebooks/02_growth_trajectories.ipynb" in msg and "'source'" in msg
    assert "accepts indicators, language, source_id" in msg


def test_wrong_type_is_an_error():
    with pytest.raises(InputError, match=r"parameter 'source_id' = 2015: wrong type int; accepted: null .* registered source ids"):
        parameters.validate(report({"source_id": 2015}))
    with pytest.raises(InputError, match=r"parameter 'indicators' = 'rd_intensity': wrong type str; accepted: null .*list"):
        parameters.validate(report({"indicators": "rd_intensity"}))


def test_unknown_source_is_an_error_listing_the_registered_sources():
    with pytest.raises(InputError) as exc:
        parameters.validate(report({"source_id": "panyu-2051"}))
    msg = str(exc.value)
    assert "02_growth_trajectories.ipynb" in msg and "'source_id'" in msg and "unknown source 'panyu-2051'" in msg
    for sid in ("panyu-2015", "guangzhou-2019", "nanming-2017"):
        assert sid in msg


def test_unknown_indicator_and_language():
    with pytest.raises(InputError, match=r"unknown indicator id\(s\) \['rd_intensty'\]"):
        parameters.validate(report({"indicators": ["rd_intensity", "rd_intensty"]}))
    with pytest.raises(InputError, match=r"parameter 'language' = 'fr'.*one of 'zh', 'en'"):
        parameters.validate(report({"language": "fr"}))


def test_threshold_out_of_range_is_an_error_naming_the_threshold_and_its_range():
    with pytest.raises(InputError) as exc:
        parameters.validate(report({"thresholds": {"cagr_alert": -5}}, FLAGS))
    msg = str(exc.value)
    assert "03_plausibility_flags.ipynb" in msg and "parameter 'thresholds'" in msg
    assert "'cagr_alert'" in msg and "out of range" in msg and "[0, 10000]" in msg
    with pytest.raises(InputError, match=r"'cagr_alrt': unknown parameter; expected one of .*cagr_alert"):
        parameters.validate(report({"thresholds": {"cagr_alrt": 50}}, FLAGS))
    with pytest.raises(InputError, match=r"parameter 'min_severity' = 'high'.*'info', 'warn', 'alert'"):
        parameters.validate(report({"min_severity": "high"}, FLAGS))
    parameters.validate(report({"thresholds": {"cagr_alert": 150.0}, "min_severity": "alert"}, FLAGS))   # valid


def test_a_bad_parameter_stops_before_anything_runs(tmp_path):
    with pytest.raises(InputError):
        runner.run(report({"source_id": "nowhere"}), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_command_line_check_reports_the_error(tmp_path, capsys):
    cfg = tmp_path / "reports.yml"
    cfg.write_text("reports:\n  - name: g\n    notebook: notebooks/02_growth_trajectories.ipynb\n"
                   "    parameters: {source_id: panyu-2015, colour: red}\n", encoding="utf-8")
    assert cli.main(["--config", str(cfg), "check"]) == 2
    err = capsys.readouterr().err
    assert "report 'g'" in err and "unknown parameter 'colour'" in err and "02_growth_trajectories.ipynb" in err


# ------------------------------------------------------------------------------ reports.yml
@pytest.mark.parametrize("text, match", [
    ("reports: {}\n", "expected a mapping with a list `reports`"),
    ("reports:\n  - {name: a, notebook: notebooks/02_growth_trajectories.ipynb, params: {}}\n", r"unknown field\(s\) \['params'\]"),
    ("reports:\n  - {name: A b, notebook: notebooks/02_growth_trajectories.ipynb}\n", "must match"),
    ("reports:\n  - {name: a, notebook: notebooks/02_growth_trajectories.ipynb}\n"
     "  - {name: a, notebook: notebooks/02_growth_trajectories.ipynb}\n", "used twice"),
    ("reports:\n  - {name: a, notebook: notebooks/nope.ipynb}\n", "nope.ipynb does not exist"),
    ("reports:\n  - {name: a, notebook: notebooks/02_growth_trajectories.ipynb, timeout: -1}\n", "timeout"),
])
def test_malformed_reports_yml(tmp_path, text, match):
    cfg = tmp_path / "reports.yml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=match) as exc:
        config.load_config(cfg)
    assert str(cfg) in str(exc.value)


# ------------------------------------------------------------------------------ failing notebook
def _tiny_notebook(path):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "policy-targets", "display_name": "x", "language": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# tiny"),
                nbformat.v4.new_code_cell('language = "zh"'),
                nbformat.v4.new_code_cell('print("hello", language)'),
                nbformat.v4.new_code_cell('if language == "en":\n    raise RuntimeError("asked to fail")')]
    nb.cells[1].metadata["tags"] = ["parameters"]
    nbformat.write(nb, str(path))
    return path


@pytest.mark.slow
def test_failing_notebook_keeps_the_last_good_report(tmp_path, capsys, kept_kernel):
    nb = _tiny_notebook(tmp_path / "tiny.ipynb")
    out = tmp_path / "out"
    good = config.Report(name="tiny", notebook=nb, parameters={"language": "zh"}, timeout=60)
    runner.run(good, out, kept=kept_kernel)
    f = config.files("tiny", out)
    before = {k: f[k].read_bytes() for k in ("html", "ipynb", "meta")}
    mtime = f["html"].stat().st_mtime_ns
    assert "hello zh" in before["html"].decode()

    bad = config.Report(name="tiny", notebook=nb, parameters={"language": "en"}, timeout=60)
    with pytest.raises(runner.ReportError) as exc:
        runner.run(bad, out, kept=kept_kernel)
    msg = str(exc.value)
    assert "tiny.ipynb" in msg and "cell 4 (`if language == \"en\":`)" in msg and "RuntimeError: asked to fail" in msg
    assert "is kept unchanged" in msg and "tiny.failed.ipynb" in msg
    # the last good report is untouched, the executed notebook with the error is kept
    assert {k: f[k].read_bytes() for k in ("html", "ipynb", "meta")} == before
    assert f["html"].stat().st_mtime_ns == mtime
    failed = nbformat.read(str(f["failed_ipynb"]), as_version=4)
    errors = [o for c in failed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0].evalue == "asked to fail"
    assert json.loads(f["failed_meta"].read_text())["error"] == msg
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"

    # the index shows the failure next to the last good report
    index.write_index([bad], out)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="tiny.html"' in page and "last run failed" in page and "asked to fail" in page

    # the command line exits non-zero, naming notebook and cell
    cfg = tmp_path / "reports.yml"
    cfg.write_text(f"reports:\n  - {{name: tiny, notebook: {nb}, parameters: {{language: en}}}}\n", encoding="utf-8")
    assert cli.main(["--config", str(cfg), "--out", str(out), "--notebooks", str(tmp_path), "run", "tiny"]) == 1
    err = capsys.readouterr().err
    assert "tiny.ipynb" in err and "cell 4" in err

    # a good run again clears the failure
    runner.run(good, out, kept=kept_kernel)
    assert not f["failed_ipynb"].exists() and not f["failed_meta"].exists()


# ------------------------------------------------------------------------------ index, header
def test_index_escapes_strings(tmp_path):
    r = config.Report(name="x", notebook=GROWTH, parameters={"note": "<script>alert(1)</script>"})
    f = config.files("x", tmp_path)
    f["html"].write_text("<p>old</p>", encoding="utf-8")
    f["meta"].write_text(json.dumps({"name": "x", "notebook": "n", "parameters": r.parameters, "started": "2026-01-01T00:00:00",
                                     "duration_s": 1.0, "commit": "<b>c</b>", "data_version": "d", "n_observations": 1,
                                     "flag_counts": {"info": 1, "warn": 2, "alert": 3}}), encoding="utf-8")
    index.write_index([r], tmp_path)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>c</b>" not in html and "&lt;b&gt;c&lt;/b&gt;" in html


def test_report_header_escapes_and_names_the_run():
    meta = {"name": "n<1>", "notebook": "notebooks/x.ipynb", "parameters": {"source_id": "a&b"},
            "source": {"id": "s", "title": "<i>关于</i>", "region": "番禺区", "region_en": "Panyu", "date": "2015"},
            "started": "2026-01-01T00:00:00+00:00", "duration_s": 2.0, "commit": "abc", "data_version": "123"}
    html = runner._header(meta)
    assert "n&lt;1&gt;" in html and "&lt;i&gt;关于&lt;/i&gt;" in html and "a&amp;b" in html
    assert "2026-01-01 00:00:00+00:00" in html and "abc" in html and "123" in html
    assert 'href="index.html"' in html and "返回报告索引" in html and "<!--pt-toc-->" in html     # zh by default
    en = runner._header({**meta, "language": "en", "notebook": "notebooks/02_growth_trajectories.ipynb"})
    assert "back to the index" in en and "How to read this page" in en and "返回" not in en


def test_data_version_changes_with_the_data(tmp_path):
    fileio.publish_set({tmp_path / "a.csv": "x\n1\n"}, tmp_path)
    v1 = record.data_version(tmp_path)
    fileio.publish_set({tmp_path / "a.csv": "x\n2\n"}, tmp_path)
    assert record.data_version(tmp_path) != v1 and len(v1) == 12


# ------------------------------------------------------------------------------ make
def test_make_rules_track_each_report_and_its_own_entry(tmp_path):
    runs = [report({"source_id": "panyu-2015"}, name="g1"), report({"source_id": "qingyuan-2013"}, name="g2")]
    mk = tmp_path / "reports.mk"
    makerules.write_makefile(runs, mk, build=tmp_path)
    text = mk.read_text()
    assert "REPORT_HTML := reports/g1.html reports/g2.html" in text
    assert f"reports/g1.html: notebooks/02_growth_trajectories.ipynb {tmp_path}/g1.params $(REPORT_DEPS)" in text
    assert f"\t@touch {tmp_path}/g2.queued" in text                  # the rule queues its run; one process runs the queue
    stamps = {n: (tmp_path / f"{n}.params").stat().st_mtime_ns for n in ("g1", "g2")}
    time.sleep(0.01)
    runs[1] = report({"source_id": "nanming-2017"}, name="g2")       # only g2's entry changes
    makerules.write_makefile(runs, mk, build=tmp_path)
    assert (tmp_path / "g1.params").stat().st_mtime_ns == stamps["g1"]
    assert (tmp_path / "g2.params").stat().st_mtime_ns != stamps["g2"]
    assert "nanming-2017" in (tmp_path / "g2.params").read_text()


def test_overlapping_make_reports_waits_for_the_lock():
    """A second `make reports` does not run while another holds the lock (LOCK_WAIT=0: give up at once, exit 75)."""
    from analysis.core import lock
    held = lock.acquire("a test holding the lock", 120)     # another pytest-xdist worker may hold it briefly
    try:
        proc = subprocess.run(["make", "--no-print-directory", "reports", "LOCK_WAIT=0"], cwd=paths.ROOT,
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "MAKEFLAGS": "", lock.ENV: ""})
    finally:
        held.release()
    assert proc.returncode == 2 and "Error 75" in proc.stderr      # make's own status is 2; the locked command's 75
    assert "report " not in proc.stdout
    assert ".policy-targets.lock is held by a test holding the lock" in proc.stderr
    assert "nothing done" in proc.stderr


@pytest.mark.slow
def test_a_cell_running_past_the_timeout_fails_the_run_naming_the_cell(tmp_path):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "policy-targets", "display_name": "x", "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell('language = "zh"'), nbformat.v4.new_code_cell("import time\ntime.sleep(60)")]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, str(tmp_path / "slow.ipynb"))
    t0 = time.perf_counter()
    with pytest.raises(runner.ReportError) as exc:
        runner.run(config.Report(name="slow", notebook=tmp_path / "slow.ipynb", timeout=2), tmp_path / "out")
    assert time.perf_counter() - t0 < 30
    msg = str(exc.value)
    assert "did not finish in cell 2 (`import time`)" in msg and "timed out" in msg and "after 2 seconds" in msg
    assert not (tmp_path / "out" / "slow.html").exists() and (tmp_path / "out" / "slow.failed.ipynb").exists()


# ----------------------------------------------------------------------- several runs, kept kernels (batch.py)
def _notebook(path, *cells):
    """A notebook of code cells (the first one tagged `parameters`) in the project's kernel."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "policy-targets", "display_name": "x", "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, str(path))
    return path


# what a notebook can change in its kernel: every line of STATE must read the same in a fresh kernel and after it
POLLUTE = ('language = "zh"',
           "import os, sys, warnings\nimport matplotlib, matplotlib.pyplot as plt\nimport pandas as pd\n"
           "leaked = 1\nmatplotlib.rcParams['font.size'] = 31.0\nplt.ioff()\npd.set_option('display.max_rows', 3)\n"
           "warnings.simplefilter('ignore')\nsys.path.insert(0, '/nowhere')\nos.chdir('/')\nfig = plt.figure()")
STATE = ('language = "zh"',
         "import os, sys, warnings\nimport matplotlib, matplotlib.pyplot as plt\nimport pandas as pd\n"
         "fig, ax = plt.subplots(figsize=(1, 1))\nax.plot([0, 1]);",
         "print('leaked' in dir(), matplotlib.rcParams['font.size'], matplotlib.is_interactive(),\n"
         "      pd.get_option('display.max_rows'), sys.path[0] == '/nowhere', os.path.basename(os.getcwd()),\n"
         "      len(plt.get_fignums()))",
         "warnings.warn('shown once per place', UserWarning)")


def _outputs(ipynb):
    """(execution count, output type, text, whether it holds a PNG) per cell output of an executed notebook; the
    kernel's process id in a warning's file name (ipykernel_1234) differs between any two kernels and is dropped."""
    nb = nbformat.read(str(ipynb), as_version=4)
    return [(c.execution_count, o.output_type, re.sub(r"ipykernel_\d+", "ipykernel", o.get("text", "")),
             "image/png" in o.get("data", {})) for c in nb.cells for o in c.outputs]


@pytest.mark.slow
def test_a_notebook_after_another_in_a_kept_kernel_runs_as_in_a_fresh_kernel(tmp_path):
    """The reset before each notebook undoes what the notebook before changed: its names, rcParams, matplotlib's
    interactive mode and open figures, pandas' options, the warning filters, sys.path and the working directory;
    the execution count starts at 1 again and a warning shows again."""
    from analysis.reports import kernel

    folder = tmp_path / "nb"
    folder.mkdir()
    pollute = config.Report(name="pollute", notebook=_notebook(folder / "pollute.ipynb", *POLLUTE), timeout=60)
    state = config.Report(name="state", notebook=_notebook(folder / "state.ipynb", *STATE), timeout=60)
    runner.run(state, tmp_path / "fresh")                         # a kernel of its own
    kept = kernel.KeptKernel()
    try:
        runner.run(state, tmp_path / "kept", kept=kept)
        runner.run(pollute, tmp_path / "kept", kept=kept)
        runner.run(state, tmp_path / "kept", kept=kept)             # after the polluter, in the same kernel
    finally:
        kept.shutdown()
    fresh = _outputs(config.files("state", tmp_path / "fresh")["ipynb"])
    assert [(count, kind, png) for count, kind, _, png in fresh] == [(2, "display_data", True), (3, "stream", False),
                                                                     (4, "stream", False)]    # counted from 1
    # matplotlib is interactive once a figure was made (a kept kernel: from the start, as its first run made one)
    assert fresh[1][2].split() == ["False", "10.0", "True", "60", "False", "nb", "0"]
    assert "shown once per place" in fresh[2][2]
    assert _outputs(config.files("state", tmp_path / "kept")["ipynb"]) == fresh


@pytest.mark.slow
def test_several_runs_share_workers_and_a_failure_stops_only_its_own_run(tmp_path):
    """run_many in two worker processes: every run ends once; the failing one raises ReportError with its cell, the
    worker's kernel is replaced and its later runs succeed; a worker killed mid-run fails only that run."""
    from analysis.reports import batch, kernel

    ok = [config.Report(name=f"ok{i}", notebook=_notebook(tmp_path / f"ok{i}.ipynb", 'language = "zh"', f"print({i} * 7)"),
                        timeout=60) for i in range(4)]
    bad = config.Report(name="bad", notebook=_notebook(tmp_path / "bad.ipynb", 'language = "zh"', "1 / 0"), timeout=60)
    killed = config.Report(name="killed", timeout=60, notebook=_notebook(
        tmp_path / "killed.ipynb", 'language = "zh"', "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"))
    out = tmp_path / "out"
    results = dict((r.name, outcome) for r, outcome in batch.run_many([bad, killed, *ok], out, 2, kernel.ensure()))
    assert sorted(results) == sorted(["bad", "killed", *[r.name for r in ok]])
    assert isinstance(results["bad"], runner.ReportError) and "cell 2 (`1 / 0`)" in str(results["bad"])
    assert isinstance(results["killed"], runner.ReportError) and "exit code -9" in str(results["killed"])
    for r in ok:
        assert results[r.name]["name"] == r.name
        assert str(int(r.name[2:]) * 7) in config.files(r.name, out)["html"].read_text(encoding="utf-8")


def test_make_s_jobs_and_the_queue(tmp_path):
    from analysis.reports import batch

    assert batch.jobs_from_make({"MAKEFLAGS": " -j2 --jobserver-auth=3,4"}) == 2
    assert batch.jobs_from_make({"MAKEFLAGS": "k -j12"}) == 12
    assert batch.jobs_from_make({"MAKEFLAGS": " -j"}) == (os.cpu_count() or 1)
    assert batch.jobs_from_make({"MAKEFLAGS": "k"}) == batch.jobs_from_make({}) == 1
    for name in ("b", "a"):
        (tmp_path / f"{name}.queued").touch()
    (tmp_path / "a.params").touch()
    assert batch.take_queue(tmp_path) == ["a", "b"]
    assert batch.take_queue(tmp_path) == [] and (tmp_path / "a.params").exists()      # taken once; nothing else


@pytest.mark.slow
def test_a_figure_is_drawn_only_for_its_picture_in_the_report(tmp_path):
    """Under Jupyter's inline backend, plots.setup() removes matplotlib's after-cell redraw of every open figure
    (drawn into a canvas nobody shows): a figure is drawn twice, both for its PNG (the tight crop measures, then
    draws), where it was drawn three times."""
    count = ("import matplotlib.figure as MF\ndraws = []\nfigure_draw = MF.Figure.draw\n"
             "MF.Figure.draw = lambda self, renderer: (draws.append(1), figure_draw(self, renderer))[1]")
    nb = _notebook(tmp_path / "draws.ipynb", 'language = "zh"', "from analysis.present import plots\nplots.setup();",
                   count, "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(2, 1))\nax.plot([0, 1]);",
                   "print(len(draws))")
    runner.run(config.Report(name="draws", notebook=nb, timeout=60), tmp_path / "out")
    outputs = _outputs(config.files("draws", tmp_path / "out")["ipynb"])
    assert [png for *_, png in outputs] == [True, False] and outputs[1][2].strip() == "2"


def _executed(path, language="zh", error=False):
    """A notebook as papermill leaves it: a Chinese heading, a displayed table, papermill's metadata."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 目标与实际：广州市"),
                nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
                    "display_data", data={"text/html": "<p>已实现 3 个目标</p>", "text/plain": "已实现"})])]
    if error:
        nb.cells.append(nbformat.v4.new_code_cell("1/0", outputs=[nbformat.v4.new_output(
            "error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]))
    nb.metadata["papermill"] = {"parameters": {"source_id": "guangzhou-2019", "language": language},
                                "input_path": "04_target_vs_actual.ipynb", "start_time": "2026-12-05T08:00:00.123456",
                                "duration": 4.2}
    nbformat.write(nb, str(path))
    return path


def test_render_makes_a_project_page_of_a_notebook_run_by_hand(tmp_path):
    nb = _executed(tmp_path / "mine.ipynb")
    proc = commands.run(["-m", "analysis.reports", "render", str(nb)], cwd=tmp_path, env=os.environ, timeout=120)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "mine.html").read_text(encoding="utf-8")
    assert "已实现 3 个目标" in html and "目标与实际：广州市" in html
    assert "@font-face" in html and "data:font/woff2;base64," in html           # the font travels with the page
    assert html_page.external_requests(html) == []                             # nothing from a CDN
    assert "guangzhou-2019" in html and "2026-12-05 08:00:00" in html and "04_target_vs_actual.ipynb" in html
    # --html chooses the page; a notebook that stopped with an error, or a file that is no notebook: one message, exit 1
    out = tmp_path / "pages" / "p.html"
    assert cli.main(["render", str(nb), "--html", str(out)]) == 0 and out.exists()
    bad = _executed(tmp_path / "bad.ipynb", error=True)
    assert cli.main(["render", str(bad)]) == 1 and not (tmp_path / "bad.html").exists()
    (tmp_path / "x.ipynb").write_text("not json", encoding="utf-8")
    assert cli.main(["render", str(tmp_path / "x.ipynb")]) == 1
