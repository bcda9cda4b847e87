"""`python -m analysis.reports` (what `make reports` runs): the report runs listed in reports.yml.

Each run: validate the parameters (names against the notebook's `parameters` cell, values against
`PARAMETERS`), execute the notebook with papermill in the project's kernel (working directory
notebooks/, a per-cell timeout), convert it to HTML without code cells, and only then replace the
report's files. A failing notebook leaves the last good HTML untouched and keeps the executed notebook
with the error as reports/<name>.failed.ipynb.

    python -m analysis.reports check              validate every run of reports.yml (no execution)
    python -m analysis.reports run NAME...        execute these runs (one progress line each)
    python -m analysis.reports index              write reports/index.html
    python -m analysis.reports makefile FILE      the make rules of every run (included by the Makefile)

Files per report NAME in reports/: NAME.html (what reviewers read), NAME.ipynb (the executed notebook),
NAME.run.json (how the last good run was made: parameters, time, commit, data version, flag counts) and,
after a failure, NAME.failed.ipynb and NAME.failed.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# jsonschema (imported by nbformat, papermill, nbconvert) loads the optional IRI checker rfc3987_syntax when
# it is installed (jupyter-events brings it), which compiles 38 grammars: ~2 s in every report process, for
# a format that notebook validation never checks. Marking it absent skips only that checker.
sys.modules.setdefault("rfc3987_syntax", None)

from . import paths  # noqa: E402
from .errors import InputError

CONFIG = paths.ROOT / "reports.yml"
BUILD = paths.REPORTS / ".build"            # make's bookkeeping: per-run parameter stamps, the generated rules
CONFIG_KEYS = {"execution_timeout", "reports"}
ENTRY_KEYS = {"name", "notebook", "parameters", "timeout"}
NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
DEFAULT_TIMEOUT = 600                        # seconds per cell
START_TIMEOUT = 120                          # seconds for the kernel to start


class ReportError(RuntimeError):
    """A report run failed (the notebook raised, timed out or the kernel died)."""


# --------------------------------------------------------------------------------------------------
# reports.yml
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Report:
    name: str
    notebook: Path                       # absolute
    parameters: dict = field(default_factory=dict)
    timeout: int = DEFAULT_TIMEOUT

    @property
    def notebook_rel(self) -> str:
        try:
            return str(self.notebook.relative_to(paths.ROOT))
        except ValueError:
            return str(self.notebook)

    def spec(self) -> dict:
        """What make tracks for this run (its entry in reports.yml, normalised)."""
        return {"name": self.name, "notebook": self.notebook_rel, "parameters": self.parameters, "timeout": self.timeout}


def load_config(path: Path = CONFIG) -> list[Report]:
    """The runs of reports.yml; a malformed entry is an InputError naming the file, the entry and the field."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("reports"), list):
        raise InputError(f"{path}: expected a mapping with a list `reports` (entries: name, notebook, parameters)")
    unknown = set(doc) - CONFIG_KEYS
    if unknown:
        raise InputError(f"{path}: unknown key(s) {sorted(unknown)}; expected some of {sorted(CONFIG_KEYS)}")
    default_timeout = doc.get("execution_timeout", DEFAULT_TIMEOUT)
    out, seen = [], set()
    for i, entry in enumerate(doc["reports"], 1):
        where = f"{path}: report {i}"
        if not isinstance(entry, dict):
            raise InputError(f"{where}: expected a mapping with keys name, notebook, parameters")
        where = f"{path}: report {entry.get('name', i)!r}"
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            raise InputError(f"{where}: unknown field(s) {sorted(unknown)}; expected some of {sorted(ENTRY_KEYS)}")
        for key in ("name", "notebook"):
            if not isinstance(entry.get(key), str):
                raise InputError(f"{where}: field {key!r} is required (text)")
        name = entry["name"]
        if not NAME.fullmatch(name):
            raise InputError(f"{where}: field 'name' {name!r} must match {NAME.pattern} (it names reports/<name>.html)")
        if name in seen or name == "index":
            raise InputError(f"{where}: name {name!r} is used twice (or is the reserved name 'index')")
        seen.add(name)
        notebook = (paths.ROOT / entry["notebook"]).resolve()
        if not notebook.is_file():
            raise InputError(f"{where}: field 'notebook': {entry['notebook']} does not exist")
        params = entry.get("parameters") or {}
        if not isinstance(params, dict):
            raise InputError(f"{where}: field 'parameters' must be a mapping of parameter name to value")
        timeout = entry.get("timeout", default_timeout)
        if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
            raise InputError(f"{where}: field 'timeout' is {timeout!r}; expected a whole number of seconds > 0")
        out.append(Report(name=name, notebook=notebook, parameters=params, timeout=timeout))
    return out


def find(reports: list[Report], names: list[str], config: Path = CONFIG) -> list[Report]:
    by_name = {r.name: r for r in reports}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise InputError(f"{config}: no report named {unknown}; reports: {sorted(by_name)}")
    return [by_name[n] for n in names]


# --------------------------------------------------------------------------------------------------
# parameters
# --------------------------------------------------------------------------------------------------
class _Reject(Exception):
    def __init__(self, problem: str, accepts: str):
        super().__init__(problem)
        self.problem, self.accepts = problem, accepts


def _registered_sources() -> list[str]:
    from .registry import load_sources
    return sorted(load_sources())


def _check_source_id(v):
    ids = _registered_sources()
    accepts = f"null (all sources) or one of the registered source ids {ids}"
    if v is None:
        return
    if not isinstance(v, str):
        raise _Reject(f"wrong type {type(v).__name__}", accepts)
    if v not in ids:
        raise _Reject(f"unknown source {v!r} (not in {paths.SOURCES.relative_to(paths.ROOT)})", accepts)


def _check_indicators(v):
    from .vocab import load_indicators
    ids = sorted(load_indicators().index)
    accepts = f"null (all indicators) or a list of indicator ids of {paths.INDICATORS.relative_to(paths.ROOT)} ({len(ids)} ids, e.g. {ids[:3]})"
    if v is None:
        return
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _Reject(f"wrong type {type(v).__name__}", accepts)
    unknown = [x for x in v if x not in ids]
    if unknown:
        raise _Reject(f"unknown indicator id(s) {unknown}", accepts)


def _choice(*choices, optional=False):
    accepts = (["null"] if optional else []) + [repr(c) for c in choices]

    def check(v):
        if v is None and optional:
            return
        if not isinstance(v, str):
            raise _Reject(f"wrong type {type(v).__name__}", f"one of {', '.join(accepts)}")
        if v not in choices:
            raise _Reject("not an accepted value", f"one of {', '.join(accepts)}")
    return check


def _check_thresholds(v):
    accepts = ("a mapping {parameter name: number} of threshold overrides "
               f"(names and ranges: {(paths.REFERENCE / 'thresholds.yml').relative_to(paths.ROOT)})")
    if v is None:
        return
    if not isinstance(v, dict):
        raise _Reject(f"wrong type {type(v).__name__}", accepts)
    from .reference import load_thresholds
    try:
        load_thresholds(v)
    except InputError as exc:
        raise _Reject(str(exc), accepts) from exc


def _check_path(v):
    accepts = "null or the path of an existing file, relative to the project root"
    if v is None:
        return
    if not isinstance(v, str):
        raise _Reject(f"wrong type {type(v).__name__}", accepts)
    if not (paths.ROOT / v).is_file():
        raise _Reject(f"file {v!r} does not exist", accepts)


def _check_actuals_path(v):
    """An actuals file must exist and pass analysis.actuals.load (issue 6): a bad file stops the run here."""
    _check_path(v)
    if v is None:
        return
    from .actuals import load
    try:
        load(paths.ROOT / v)
    except InputError as exc:
        raise _Reject(str(exc), "null or a CSV of actuals in the format of data/raw/actuals/README.md") from exc


# The explicit schema: every parameter a notebook's `parameters` cell may define, what it accepts and how
# it is checked. Parameter names mean the same in every notebook. Which names a notebook accepts is read
# from its `parameters` cell (tests/test_notebooks.py checks that each of them is listed here).
PARAMETERS = {
    "source_id": _check_source_id,
    "indicators": _check_indicators,
    "kind": _choice("actual", "target", optional=True),
    "language": _choice("zh", "en"),
    "min_severity": _choice("info", "warn", "alert"),
    "thresholds": _check_thresholds,
    "actuals_path": _check_actuals_path,
}


def notebook_parameters(notebook: Path) -> dict:
    """{name: default as written} of the notebook's `parameters` cell (papermill's own reading of it)."""
    import papermill

    cells = [c for c in _read_notebook(notebook).cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise InputError(f"{notebook}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    return {name: info["default"] for name, info in papermill.inspect_notebook(str(notebook)).items()}


def _read_notebook(path: Path):
    import nbformat
    return nbformat.read(str(path), as_version=4)


def validate(report: Report, where: str | None = None) -> None:
    """Raise InputError naming the notebook, the parameter and what is accepted, for an unknown parameter
    name (papermill itself only warns), a wrong type, an unknown source id or indicator, or a threshold
    override that is unknown or out of range."""
    prefix = f"{where or 'report ' + repr(report.name)}: notebook {report.notebook_rel}"
    accepted = notebook_parameters(report.notebook)
    for name, value in report.parameters.items():
        if name not in accepted:
            raise InputError(f"{prefix}: unknown parameter {name!r}; the notebook's parameters cell accepts "
                             f"{', '.join(sorted(accepted))}")
        check = PARAMETERS.get(name)
        if check is None:
            raise InputError(f"{prefix}: parameter {name!r} has no schema in analysis.reports.PARAMETERS; add one")
        try:
            check(value)
        except _Reject as rej:
            raise InputError(f"{prefix}: parameter {name!r} = {value!r}: {rej.problem}; accepted: {rej.accepts}") from None


# --------------------------------------------------------------------------------------------------
# provenance
# --------------------------------------------------------------------------------------------------
def git_commit(root: Path = paths.ROOT) -> str:
    """Short commit of the working tree, '+dirty' when tracked files differ from it; 'unknown' outside git."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + ("+dirty" if dirty else "")


def data_version(processed: Path = paths.PROCESSED) -> str:
    """sha256 (first 12 hex digits) over every data/processed/*.csv, name and bytes, in name order."""
    h = hashlib.sha256()
    for p in sorted(Path(processed).glob("*.csv")):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def source_info(source_id: str | None) -> dict | None:
    if not source_id:
        return None
    from .registry import load_sources
    s = load_sources()[source_id]
    return {"id": s.id, "title": s.title, "region": s.region, "region_en": s.region_en, "date": s.date}


def n_observations(report: Report) -> int:
    """Rows of observations.csv the report's source (all sources when it has none) holds."""
    from . import datasets

    obs = datasets.load("observations")
    sid = report.parameters.get("source_id")
    return int(len(obs) if not sid else (obs["source_id"] == sid).sum())


def flag_counts(report: Report) -> dict | None:
    """Counts per severity of the flags a plausibility report shows (None for a report of another notebook).
    With the default thresholds they are counted in data/processed/flags.csv, which the data step wrote (no
    analytics are recomputed); only a run that overrides thresholds computes its own flags."""
    from . import datasets, views
    if "min_severity" not in notebook_parameters(report.notebook):
        return None
    try:
        if report.parameters.get("thresholds"):
            flags = views.plausibility(source_id=report.parameters.get("source_id"),
                                       thresholds=report.parameters.get("thresholds"))["flags"]
        else:
            flags = views.select(datasets.load("flags"), report.parameters.get("source_id"), name="flags")
        return views.flag_counts(views.at_least(flags, report.parameters.get("min_severity")))
    except InputError:
        return None


def report_language(report: Report) -> str:
    """The language of a report's page: its `language` parameter, else the notebook's default, else zh."""
    lang = report.parameters.get("language") or notebook_parameters(report.notebook).get("language")
    return lang.strip("'\"") if isinstance(lang, str) and lang.strip("'\"") in ("zh", "en") else "zh"


# --------------------------------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------------------------------
def files(report_name: str, out_dir: Path = paths.REPORTS) -> dict[str, Path]:
    out_dir = Path(out_dir)
    return {"html": out_dir / f"{report_name}.html", "ipynb": out_dir / f"{report_name}.ipynb",
            "meta": out_dir / f"{report_name}.run.json", "failed_ipynb": out_dir / f"{report_name}.failed.ipynb",
            "failed_meta": out_dir / f"{report_name}.failed.json"}


def _rel(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(p)


def _publish(tmp: str | Path, dst: Path) -> None:
    """Atomically put a finished temporary file in place, readable like any other file."""
    from .io import FILE_MODE

    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, dst)


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _write_json(path: Path, obj) -> None:
    from .io import write_text_atomic
    write_text_atomic(path, json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def _cell_label(nb_path: Path, index=None) -> str:
    """'cell 7 (`fig = plots.growth_paths(...`)': a cell of the executed notebook numbered as in the source
    notebook (from 1; papermill's injected parameters cell is not counted). Without `index`: the cell
    papermill started last (the one running when a timeout struck)."""
    try:
        cells = _read_notebook(nb_path).cells
    except Exception:  # noqa: BLE001 - the numbering is a courtesy; the error message must still be written
        return "an unknown cell"
    # papermill writes its error banner (top) and anchor (before the failing cell) into the executed notebook
    # after it took the failing cell's index: without them the index points at the failing cell again
    from papermill.execute import ERROR_MARKER_TAG
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


def run(report: Report, out_dir: Path = paths.REPORTS, kernel_name: str | None = None) -> dict:
    """Validate, execute and convert one report; returns its run metadata. Raises InputError for a bad
    parameter (before anything runs) and ReportError for a failing notebook (the last good HTML stays)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from . import kernel
    from .io import write_text_atomic

    validate(report)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    f = files(report.name, out_dir)
    kernel_name = kernel_name or kernel.ensure()
    fd, tmp = tempfile.mkstemp(prefix=f".{report.name}.", suffix=".ipynb", dir=out_dir)
    os.close(fd)
    started, t0 = _now(), time.perf_counter()
    try:
        try:
            papermill.execute_notebook(
                str(report.notebook), tmp, parameters=report.parameters, kernel_name=kernel_name,
                cwd=str(report.notebook.parent), execution_timeout=report.timeout, start_timeout=START_TIMEOUT,
                progress_bar=False, log_output=False)
        except Exception as exc:  # noqa: BLE001 - every failure keeps the executed notebook and the last good HTML
            duration = time.perf_counter() - t0
            if os.path.exists(tmp) and os.path.getsize(tmp):
                _publish(tmp, f["failed_ipynb"])
            if isinstance(exc, PapermillExecutionError):
                what = f"failed in {_cell_label(f['failed_ipynb'], exc.cell_index)}: {exc.ename}: {exc.evalue}"
            else:       # a timeout (nbclient's CellTimeoutError), a dead kernel, ...
                lines = [l.strip() for l in str(exc).splitlines() if l.strip() and set(l.strip()) != {"-"}]
                what = (f"did not finish in {_cell_label(f['failed_ipynb'])}: {type(exc).__name__}: "
                        f"{lines[0] if lines else ''}")
            kept = (f"the last good report {_rel(f['html'])} is kept unchanged" if f["html"].exists()
                    else "there is no earlier good report")
            message = (f"report {report.name!r}: notebook {report.notebook_rel} {what}; {kept}; the executed notebook "
                       f"with the error is {_rel(f['failed_ipynb'])}")
            _write_json(f["failed_meta"], {"name": report.name, "notebook": report.notebook_rel,
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
        # everything is computed; now replace the report's files (each replace is atomic)
        write_text_atomic(f["html"], html)
        os.utime(f["html"])           # even if unchanged: make compares its time with the inputs'
        _publish(tmp, f["ipynb"])
        _write_json(f["meta"], meta)
        for stale in (f["failed_ipynb"], f["failed_meta"]):
            stale.unlink(missing_ok=True)
        return meta
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _templates():
    import jinja2
    env = jinja2.Environment(loader=jinja2.PackageLoader("analysis", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["param"] = lambda v: json.dumps(v, ensure_ascii=False)   # a plain string; autoescape escapes it
    return env


def _header(meta: dict) -> str:
    """The page header (templates/report_header.html.j2) in the page's language."""
    from . import labels

    language = meta.get("language") or "zh"
    stem = Path(meta["notebook"]).stem
    howto_key = f"howto.{stem}"
    source_id = (meta.get("source") or {}).get("id")
    return _templates().get_template("report_header.html.j2").render(
        meta=meta, language=language, t=lambda key: labels.t(key, language),
        howto=labels.narrative(howto_key, language) if howto_key in labels.NARRATIVE else "",
        title_en=labels.SOURCE_TITLES_EN.get(source_id, "") if source_id else "")


def _alt_texts(nb) -> None:
    """Alternative text for every plot: the report name and the Markdown heading above the plot."""
    heading = ""
    for cell in nb.cells:
        texts = [cell.source] if cell.cell_type == "markdown" else \
            [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
        for text in texts:
            titles = [l.lstrip("#").strip() for l in text.splitlines() if l.startswith("#")]
            heading = titles[-1] if titles else heading
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                out.setdefault("metadata", {}).setdefault("image/png", {})["alt"] = f"Plot: {heading}" if heading else "Plot"


def to_html(executed: str | Path, meta: dict) -> str:
    """The executed notebook as HTML for reviewers: no code cells, no prompts, a header saying how it was made."""
    import nbformat
    from nbconvert import HTMLExporter

    from . import html_page

    nb = _read_notebook(Path(executed))
    nb.cells = [c for c in nb.cells if "lab-only" not in c.get("metadata", {}).get("tags", [])]   # notes for JupyterLab
    header = _header(meta)
    cell = nbformat.v4.new_code_cell(source="", outputs=[nbformat.v4.new_output("display_data", data={"text/html": header})])
    cell.metadata["tags"] = ["report-header"]
    nb.cells.insert(0, cell)
    _alt_texts(nb)
    exporter = HTMLExporter(template_name="lab", template_file="report.html.j2",
                            extra_template_paths=[str(Path(__file__).parent / "templates")],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": f"{meta['name']} · policy-targets"}})
    return html_page.finish(body, meta.get("language") or "zh")


# --------------------------------------------------------------------------------------------------
# index
# --------------------------------------------------------------------------------------------------
def _read_json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def index_rows(reports: list[Report], out_dir: Path = paths.REPORTS) -> list[dict]:
    rows = []
    for r in reports:
        f = files(r.name, out_dir)
        rows.append({"report": r, "html": f["html"].name if f["html"].exists() else None,
                     "meta": _read_json(f["meta"]), "failed": _read_json(f["failed_meta"]),
                     "source": source_info(r.parameters.get("source_id"))})
    return rows


def write_index(reports: list[Report], out_dir: Path = paths.REPORTS) -> Path:
    """reports/index.html: every report with its source, parameters, run time, commit, data version and flag counts."""
    from .io import write_text_atomic

    from . import html_page

    out_dir = Path(out_dir)
    html = _templates().get_template("index.html.j2").render(
        rows=index_rows(reports, out_dir), generated=_now(), commit=git_commit(), data_version=data_version(),
        font="<!--pt-font-->")
    html = html.replace("<!--pt-font-->", html_page.font_face_css(html), 1)
    path = out_dir / "index.html"
    write_text_atomic(path, html)
    return path


# --------------------------------------------------------------------------------------------------
# make
# --------------------------------------------------------------------------------------------------
def write_makefile(reports: list[Report], target: Path, build: Path = BUILD) -> None:
    """The make rules of every run: reports/NAME.html depends on its notebook, its own entry of reports.yml
    (a stamp rewritten only when that entry changes) and $(REPORT_DEPS) (processed data, analysis/ sources,
    set in the Makefile); a parameter naming a file adds that file."""
    from .io import write_text_atomic

    build = Path(build)
    build.mkdir(parents=True, exist_ok=True)
    lines = ["# generated by `python -m analysis.reports makefile` from reports.yml; do not edit", ""]
    htmls = []
    for r in reports:
        stamp = build / f"{r.name}.params"
        text = json.dumps(r.spec(), ensure_ascii=False, sort_keys=True) + "\n"
        if not stamp.exists() or stamp.read_text(encoding="utf-8") != text:
            write_text_atomic(stamp, text)
        html = files(r.name)["html"]
        extra = [v for v in r.parameters.values() if isinstance(v, str) and (paths.ROOT / v).is_file()]
        deps = [r.notebook_rel, _rel(stamp), *extra, "$(REPORT_DEPS)"]
        lines += [f"{_rel(html)}: {' '.join(deps)}", f"\t@$(PY) -m analysis.reports run {r.name}", ""]
        htmls.append(_rel(html))
    lines.insert(1, f"REPORT_HTML := {' '.join(htmls)}")
    write_text_atomic(Path(target), "\n".join(lines))


# --------------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.reports", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=CONFIG, help="the list of runs (default: reports.yml)")
    parser.add_argument("--out", type=Path, default=paths.REPORTS, help="where reports go (default: reports/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate every run (no execution)")
    p_run = sub.add_parser("run", help="execute runs by name (all when none is given)")
    p_run.add_argument("names", nargs="*")
    sub.add_parser("index", help="write the index page")
    p_mk = sub.add_parser("makefile", help="write the make rules of every run")
    p_mk.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    try:
        reports = load_config(args.config)
        if args.command == "check":
            for r in reports:
                validate(r, where=f"{_rel(args.config)} report {r.name!r}")
            print(f"{_rel(args.config)}: {len(reports)} report(s), parameters valid")
        elif args.command == "makefile":
            for r in reports:
                validate(r, where=f"{_rel(args.config)} report {r.name!r}")
            write_makefile(reports, args.target)
        elif args.command == "index":
            path = write_index(reports, args.out)
            print(f"make reports: index of {len(reports)} report(s) → {_rel(path)}")
        else:
            failed = 0
            for r in (find(reports, args.names, args.config) if args.names else reports):
                try:
                    meta = run(r, args.out)
                except ReportError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    failed += 1
                    continue
                counts = meta["flag_counts"]
                flags = (" · flags " + ", ".join(f"{k} {v}" for k, v in counts.items())) if counts else ""
                print(f"report {r.name}: done in {meta['duration_s']:.1f} s → {_rel(files(r.name, args.out)['html'])}{flags}",
                      flush=True)
            return 1 if failed else 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
