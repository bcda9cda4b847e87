"""One report run: validate the parameters (names against the notebook's `parameters` cell, values against
`NOTEBOOK_PARAMETERS`), execute the notebook with papermill in the project's kernel (working directory notebooks/,
a per-cell timeout), convert it to HTML without code cells, and only then replace the report's files. A failing
notebook leaves the last good HTML untouched and keeps the executed notebook with the error as
reports/<name>.failed.ipynb.

Files per report NAME in reports/: NAME.html (what reviewers read), NAME.ipynb (the executed notebook),
NAME.run.json (how the last good run was made: parameters, time, commit, data version, flag counts) and,
after a failure, NAME.failed.ipynb and NAME.failed.json.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from ..core import fileio, paths
from ..core.errors import InputError
from ..core.fileio import FILE_MODE, write_text_atomic
from ..pipeline import datasets
from ..present import html_page, labels, prose
from . import kernel, narrative
from .config import START_TIMEOUT, Report, files, relative
from .parameters import notebook_parameters, read_notebook, validate
from .record import data_version, flag_counts, git_commit, n_observations, report_language, source_info


class ReportError(RuntimeError):
    """A report run failed (the notebook raised, timed out or the kernel died)."""


def _publish(tmp: str | Path, dst: Path) -> None:
    """Atomically put a finished temporary file in place, readable like any other file."""

    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, dst)


def now_utc() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def write_json(path: Path, obj) -> None:
    write_text_atomic(path, json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def _cell_label(nb_path: Path, index=None) -> str:
    """'cell 7 (`fig = plots.growth_paths(...`)': a cell of the executed notebook numbered as in the source
    notebook (from 1; papermill's injected parameters cell is not counted). Without `index`: the cell
    papermill started last (the one running when a timeout struck)."""
    try:
        cells = read_notebook(nb_path).cells
    except Exception:  # noqa: BLE001 - the numbering is a courtesy; the error message must still be written
        return "an unknown cell"
    # papermill writes its error banner (top) and anchor (before the failing cell) into the executed notebook
    # after it took the failing cell's index: without them the index points at the failing cell again
    from papermill.execute import ERROR_MARKER_TAG  # heavy (papermill): loaded only when a notebook runs, as in run
    cells = [c for c in cells if ERROR_MARKER_TAG not in c.get("metadata", {}).get("tags", [])]
    if index is None:
        started = [(c.metadata.get("papermill", {}).get("start_time") or "", i) for i, c in enumerate(cells)]
        started = [s for s in started if s[0]]
        index = max(started)[1] if started else None
    if index is None or not 0 <= index < len(cells):
        return "an unknown cell"
    injected = sum(1 for c in cells[:index] if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    first = (cells[index].source.strip().splitlines() or [""])[0]
    return f"cell {index + 1 - injected} (`{first[:80]}`)"


def run(report: Report, out_dir: Path = paths.REPORTS, kernel_name: str | None = None, kept=None) -> dict:
    """Validate, execute and convert one report; returns its run metadata. Raises InputError for a bad
    parameter (before anything runs) and ReportError for a failing notebook (the last good HTML stays).
    With `kept` (a kernel.KeptKernel) the notebook runs in that kernel, reset first; after a failure it is
    shut down, so that the next run starts a fresh one. Without, papermill starts a kernel for this run."""
    import papermill  # heavy (papermill, nbconvert, jinja2): loaded only when a notebook runs
    from papermill.exceptions import PapermillExecutionError


    validate(report)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    f = files(report.name, out_dir)
    kernel_name = kernel_name or kernel.ensure()
    fd, tmp = tempfile.mkstemp(prefix=f".{report.name}.", suffix=".ipynb", dir=out_dir)
    os.close(fd)
    started, t0 = now_utc(), time.perf_counter()
    try:
        try:
            # a kept kernel is already in the notebook's folder; papermill's cwd would change the whole process's
            # working directory while the notebook runs, which other threads' runs must not see
            where = {"km": kept.prepare(report.notebook.parent, START_TIMEOUT)} if kept else {"cwd": str(report.notebook.parent)}
            papermill.execute_notebook(
                str(report.notebook), tmp, parameters=report.parameters, kernel_name=kernel_name,
                execution_timeout=report.timeout, start_timeout=START_TIMEOUT, progress_bar=False, log_output=False,
                **where)
        except Exception as exc:  # noqa: BLE001 - every failure keeps the executed notebook and the last good HTML
            if kept:
                kept.shutdown()
            duration = time.perf_counter() - t0
            if os.path.exists(tmp) and os.path.getsize(tmp):
                _publish(tmp, f["failed_ipynb"])
            if isinstance(exc, PapermillExecutionError):
                what = f"failed in {_cell_label(f['failed_ipynb'], exc.cell_index)}: {exc.ename}: {exc.evalue}"
            else:       # a timeout (nbclient's CellTimeoutError), a dead kernel, ...
                lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip() and set(ln.strip()) != {"-"}]
                what = (f"did not finish in {_cell_label(f['failed_ipynb'])}: {type(exc).__name__}: "
                        f"{lines[0] if lines else ''}")
            kept = (f"the last good report {relative(f['html'])} is kept unchanged" if f["html"].exists()
                    else "there is no earlier good report")
            message = (f"report {report.name!r}: notebook {report.notebook_rel} {what}; {kept}; the executed notebook "
                       f"with the error is {relative(f['failed_ipynb'])}")
            write_json(f["failed_meta"], {"name": report.name, "notebook": report.notebook_rel,
                                           "parameters": report.parameters, "started": started,
                                           "duration_s": round(duration, 1), "error": message})
            raise ReportError(message) from exc
        duration = time.perf_counter() - t0
        meta = {
            "name": report.name, "notebook": report.notebook_rel, "parameters": report.parameters,
            "source": source_info(report.parameters.get("source_id")),
            "started": started, "duration_s": round(duration, 1), "commit": git_commit(),
            "data_version": data_version(), "n_observations": n_observations(report),
            "flag_counts": flag_counts(report), "language": report_language(report),
        }
        html = to_html(tmp, meta)
        meta["html_sha256"] = hashlib.sha256(html.encode("utf-8")).hexdigest()
        # everything is computed; the page is written to a temporary file first (a full disk stops here, with
        # nothing replaced); then the report's files are replaced, each atomically, the page last: the record
        # names the page it belongs to (html_sha256), and a run killed before the page is replaced leaves the
        # page older than its inputs, so the next `make reports` runs it again (the index says so meanwhile)
        page = fileio.write_temporary(f["html"], html)
        try:
            _publish(tmp, f["ipynb"])
            write_json(f["meta"], meta)
            for stale in (f["failed_ipynb"], f["failed_meta"]):
                stale.unlink(missing_ok=True)
            os.replace(page, f["html"])
        finally:
            page.unlink(missing_ok=True)
        return meta
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def templates():
    import jinja2  # heavy (papermill, nbconvert, jinja2): loaded only when a notebook runs
    env = jinja2.Environment(loader=jinja2.PackageLoader("analysis.reports", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["param"] = lambda v: json.dumps(v, ensure_ascii=False)   # a plain string; autoescape escapes it
    return env


def _header(meta: dict) -> str:
    """The page header (templates/report_header.html.j2) in the page's language."""

    language = meta.get("language") or "zh"
    stem = Path(meta["notebook"]).stem
    howto_key = f"howto.{stem}"
    source_id = (meta.get("source") or {}).get("id")
    if f"{howto_key}.fits" in prose.NARRATIVE and _has_fits(source_id):
        howto_key += ".fits"                       # say "fitted trend" only on a page that shows one
    shown = {k: (Path(v).name if k == "actuals_path" and isinstance(v, str) and Path(v).is_absolute() else v)
             for k, v in meta["parameters"].items()}          # no absolute path of someone's disk on a page
    return templates().get_template("report_header.html.j2").render(
        meta={**meta, "parameters": shown}, language=language, t=lambda key: labels.t(key, language),
        howto=prose.narrative(howto_key, language) if howto_key in prose.NARRATIVE else "",
        title_en=(meta.get("source") or {}).get("title_en", ""))


def _has_fits(source_id: str | None) -> bool:
    """Whether trajectories.csv holds a statistical fit (a model other than the plan path) for the source."""
    try:
        traj = datasets.load("trajectories")
    except Exception:  # noqa: BLE001 - no data, no fit to mention
        return False
    if source_id:
        traj = traj[traj["source_id"] == source_id]
    return bool((traj["model"] != "plan").any())


def _alt_texts(nb) -> None:
    """Alternative text for every plot: the report name and the Markdown heading above the plot."""
    heading = ""
    for cell in nb.cells:
        texts = [cell.source] if cell.cell_type == "markdown" else \
            [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
        for text in texts:
            titles = [ln.lstrip("#").strip() for ln in text.splitlines() if ln.startswith("#")]
            heading = titles[-1] if titles else heading
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                out.setdefault("metadata", {}).setdefault("image/png", {})["alt"] = f"Plot: {heading}" if heading else "Plot"


@functools.lru_cache(maxsize=1)
def _exporter():
    """nbconvert's HTML exporter with the report template, made once per process (loading and compiling its templates
    is most of a conversion's time)."""
    from nbconvert import HTMLExporter  # heavy (papermill, nbconvert, jinja2): loaded only when a notebook runs

    return HTMLExporter(template_name="lab", template_file="report.html.j2",
                        extra_template_paths=[str(Path(__file__).parent / "templates")],
                        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def to_html(executed: str | Path, meta: dict) -> str:
    """The executed notebook as HTML for reviewers: no code cells, no prompts, a header saying how it was made."""
    import nbformat  # heavy (papermill, nbconvert, jinja2): loaded only when a notebook runs


    nb = read_notebook(Path(executed))
    language = meta.get("language") or "zh"
    nb.cells = [c for c in nb.cells if "lab-only" not in c.get("metadata", {}).get("tags", [])   # notes for JupyterLab
                and narrative.language_of(c) in (None, language)]                              # the page's language
    header = _header(meta)
    cell = nbformat.v4.new_code_cell(source="", outputs=[nbformat.v4.new_output("display_data", data={"text/html": header})])
    cell.metadata["tags"] = ["report-header"]
    nb.cells.insert(0, cell)
    _alt_texts(nb)
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": f"{meta['name']} · policy-targets"}})
    return html_page.finish(body, meta.get("language") or "zh")


def record_failure(report: Report, out_dir: Path, message: str) -> None:
    """NAME.failed.json for a run that stopped before its notebook ran (bad parameter, disk full...), so that
    the index shows it; best effort (on a full disk even this may fail)."""
    try:
        write_json(files(report.name, out_dir)["failed_meta"], {
            "name": report.name, "notebook": report.notebook_rel, "parameters": report.parameters,
            "started": now_utc(), "duration_s": 0.0, "error": message})
    except OSError:
        pass


def render(executed: str | Path, html: str | Path | None = None) -> Path:
    """Any notebook executed by hand (papermill, JupyterLab) as a project page, the same pipeline as `make reports`
    (no code cells, the header, the embedded font subset, nothing loaded from outside); written beside it as
    NAME.html unless `html` names the page. Its parameters and run time are read from papermill's metadata where
    the notebook has them. InputError for a file that is not a notebook, or one that stopped with an error."""
    executed = Path(executed)
    nb = read_notebook(executed)
    errors = [i for i, c in enumerate(nb.cells) for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        raise InputError(f"{executed}: cell {errors[0] + 1} stopped with an error; expected a notebook that ran to "
                         "its end (fix the error and run it again)")
    run = nb.metadata.get("papermill", {})
    parameters = dict(run.get("parameters") or {})
    source = parameters.get("source_id")
    language = parameters.get("language")
    if language not in ("zh", "en"):
        defaults = _parameters_of(executed)
        language = str(defaults.get("language", "zh")).strip("'\"")
    try:
        source_meta = source_info(source) if isinstance(source, str) else None
    except KeyError:
        source_meta = None
    started = str(run.get("start_time") or dt.datetime.fromtimestamp(executed.stat().st_mtime, dt.UTC).isoformat())
    meta = {"name": executed.stem, "notebook": Path(run.get("input_path") or executed.name).name,
            "parameters": parameters, "source": source_meta, "started": started[:19],
            "duration_s": float(run.get("duration") or 0.0), "commit": git_commit(), "data_version": data_version(),
            "language": language if language in ("zh", "en") else "zh"}
    target = Path(html) if html is not None else executed.with_suffix(".html")
    page = fileio.write_temporary(target, to_html(executed, meta))
    try:
        os.replace(page, target)
    finally:
        page.unlink(missing_ok=True)
    return target


def _parameters_of(notebook: Path) -> dict:
    """The defaults of a notebook's `parameters` cell; {} when it has none."""
    try:
        return notebook_parameters(notebook)
    except InputError:
        return {}
