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

# jsonschema (imported by nbformat, papermill, nbconvert) loads the optional IRI checker rfc3987_syntax when
# it is installed (jupyter-events brings it), which compiles 38 grammars: ~2 s in every report process, for
# a format that notebook validation never checks. Marking it absent skips only that checker.
sys.modules.setdefault("rfc3987_syntax", None)

from ..core import lock, paths  # noqa: E402
from ..core.errors import InputError, describe_os_error, run_cli  # noqa: E402
from ..core.fileio import load_yaml  # noqa: E402
from ..core.schema import SEVERITIES  # noqa: E402

CONFIG = paths.ROOT / "reports.yml"
BUILD = paths.REPORTS / ".build"            # make's bookkeeping: per-run parameter stamps, the generated rules
CONFIG_KEYS = {"execution_timeout", "reports"}
ENTRY_KEYS = {"name", "notebook", "parameters", "timeout", "sources"}
NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")   # no '.': NAME.failed.ipynb, NAME.run.json must not be another report's
MAX_NAME = 100                               # reports/.NAME.html.<random>.tmp stays within a file name's 255 bytes
RESERVED_NAMES = {"index", "bench", "bench-reports", "bench-actuals", "cron"}
SOURCE_SLOT = "{source_id}"
DEFAULT_TIMEOUT = 600                        # seconds per cell
MAX_TIMEOUT = 86400
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


def load_config(path: Path = CONFIG, notebooks: Path = paths.NOTEBOOKS) -> list[Report]:
    """The runs of reports.yml; a malformed entry is an InputError naming the file, the entry and the field."""
    reports, problems = read_config(path, notebooks)
    if problems:
        raise InputError(problems[0])
    return reports


# characters that make or the shell would read in a file name written into the generated make rules
_MAKE_UNSAFE = re.compile(r"""[\s$#:;%*?\[\]\\'"`|&<>(){}=!~^]""")


def make_safe(text: str) -> bool:
    """True when `text` can be written into a make rule as a file name without quoting."""
    return not _MAKE_UNSAFE.search(text)


def read_config(path: Path = CONFIG, notebooks: Path = paths.NOTEBOOKS) -> tuple[list[Report], list[str]]:
    """(the valid runs of reports.yml, one message per invalid entry or whole-file problem). An entry with
    `sources: all` (or a list of source ids) becomes one run per source, named by its `{source_id}` pattern."""
    path = Path(path)
    try:
        doc = load_yaml(path, "a YAML mapping with a list `reports` (entries: name, notebook, parameters)")
    except InputError as exc:
        return [], [str(exc)]
    doc = {} if doc is None else doc
    if not isinstance(doc, dict) or not isinstance(doc.get("reports"), list):
        return [], [f"{path}: expected a mapping with a list `reports` (entries: name, notebook, parameters)"]
    unknown = set(doc) - CONFIG_KEYS
    if unknown:
        return [], [f"{path}: unknown key(s) {sorted(map(str, unknown))}; expected some of {sorted(CONFIG_KEYS)}"]
    default_timeout = doc.get("execution_timeout", DEFAULT_TIMEOUT)
    if isinstance(default_timeout, bool) or not isinstance(default_timeout, int) or not 0 < default_timeout <= MAX_TIMEOUT:
        return [], [f"{path}: key 'execution_timeout' is {default_timeout!r}; expected a whole number of seconds "
                    f"in 1–{MAX_TIMEOUT}"]
    out, problems, seen = [], [], {}
    for i, entry in enumerate(doc["reports"], 1):
        try:
            for report in _entry(entry, i, path, notebooks, default_timeout):
                if report.name in seen:
                    raise InputError(f"{path}: report {report.name!r}: name {report.name!r} is used twice (entries "
                                     f"{seen[report.name]} and {i}); each report needs its own name")
                seen[report.name] = i
                out.append(report)
        except InputError as exc:
            problems.append(str(exc))
    return out, problems


def _entry(entry, i: int, path: Path, notebooks: Path, default_timeout: int) -> list[Report]:
    """One entry of reports.yml checked field by field → its run(s)."""
    where = f"{path}: report {i}"
    if not isinstance(entry, dict):
        raise InputError(f"{where}: expected a mapping with keys name, notebook, parameters")
    if isinstance(entry.get("name"), str):
        where = f"{path}: report {entry['name'][:80]!r}"
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise InputError(f"{where}: unknown field(s) {sorted(map(str, unknown))}; expected some of {sorted(ENTRY_KEYS)}")
    for key in ("name", "notebook"):
        if not isinstance(entry.get(key), str):
            raise InputError(f"{where}: field {key!r} is required (text)")
    notebook = _notebook_path(entry["notebook"], where, notebooks)
    params = entry.get("parameters")
    params = {} if params is None else params
    if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
        raise InputError(f"{where}: field 'parameters' must be a mapping of parameter name to value")
    timeout = entry.get("timeout", default_timeout)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not 0 < timeout <= MAX_TIMEOUT:
        raise InputError(f"{where}: field 'timeout' is {timeout!r}; expected a whole number of seconds in 1–{MAX_TIMEOUT}")
    name = entry["name"]
    if "sources" not in entry:
        _check_name(name, where)
        return [Report(name=name, notebook=notebook, parameters=params, timeout=timeout)]
    # one run per source: `sources: all` or a list of registered source ids; the name has a {source_id} slot
    if "source_id" in params:
        raise InputError(f"{where}: give either `sources` or the parameter `source_id`, not both")
    if name.count(SOURCE_SLOT) != 1:
        raise InputError(f"{where}: field 'name' {name[:80]!r} must contain {SOURCE_SLOT} once when the entry has "
                         "`sources` (each source's run is named by it, e.g. growth-{source_id})")
    registered = list(_sources_in_order())
    wanted = entry["sources"]
    if wanted == "all":
        ids = registered
    elif isinstance(wanted, list) and wanted and all(isinstance(x, str) for x in wanted):
        unknown_ids = [x for x in wanted if x not in registered]
        if unknown_ids:
            raise InputError(f"{where}: field 'sources': unknown source id(s) {unknown_ids}; expected `all` or a list of "
                             f"the ids registered in {paths.SOURCES.relative_to(paths.ROOT)}: {registered}")
        if len(set(wanted)) != len(wanted):
            raise InputError(f"{where}: field 'sources' lists a source twice")
        ids = wanted
    else:
        raise InputError(f"{where}: field 'sources' is {wanted!r}; expected `all` or a non-empty list of source ids")
    runs = []
    for sid in ids:
        run_name = name.replace(SOURCE_SLOT, sid)
        _check_name(run_name, where)
        runs.append(Report(name=run_name, notebook=notebook, parameters={"source_id": sid, **params}, timeout=timeout))
    return runs


def _sources_in_order() -> list[str]:
    from ..inputs.registry import load_sources
    return list(load_sources())


def _check_name(name: str, where: str) -> None:
    if not NAME.fullmatch(name) or len(name) > MAX_NAME:
        raise InputError(f"{where}: field 'name' {name[:80]!r}{'…' if len(name) > 80 else ''} must match {NAME.pattern} "
                         f"(lower-case letters, digits, '-' and '_'; at most {MAX_NAME} characters): it names "
                         "reports/<name>.html and the files beside it")
    if name in RESERVED_NAMES:
        raise InputError(f"{where}: name {name!r} is reserved (reports/{name}.html is written by the suite); choose another")


def _notebook_path(text: str, where: str, notebooks: Path) -> Path:
    """The notebook of an entry: an existing .ipynb inside notebooks/, its path safe to write into make rules."""
    notebooks = Path(notebooks).resolve()
    notebook = (paths.ROOT / text).resolve()
    if notebook.parent != notebooks and notebooks not in notebook.parents:
        raise InputError(f"{where}: field 'notebook': {text} lies outside {_rel(notebooks)}/; expected a notebook of "
                         f"{_rel(notebooks)}/ (e.g. notebooks/02_growth_trajectories.ipynb)")
    if notebook.suffix != ".ipynb":
        raise InputError(f"{where}: field 'notebook': {text} is not a notebook; expected a .ipynb file of {_rel(notebooks)}/")
    if not notebook.is_file():
        raise InputError(f"{where}: field 'notebook': {text} does not exist")
    if not make_safe(_rel(notebook)):
        raise InputError(f"{where}: field 'notebook': {text!r} holds spaces or characters such as $ ( ) ; that make "
                         "would read; expected a file name of letters, digits, '.', '-', '_' and '/'")
    return notebook


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
    from ..inputs.registry import load_sources
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
    from ..inputs.vocab import load_indicators
    ids = sorted(load_indicators().index)
    accepts = (f"null (all indicators) or a list of indicator ids of {paths.INDICATORS.relative_to(paths.ROOT)} "
               f"({len(ids)} ids, e.g. {ids[:3]})")
    if v is None:
        return
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _Reject(f"wrong type {type(v).__name__}", accepts)
    if not v:
        raise _Reject("an empty list (the report would show nothing)", accepts)
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
    from ..inputs.reference import load_thresholds
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
    if not make_safe(v):
        raise _Reject(f"file name {v!r} holds spaces or characters such as $ ( ) ; that make would read (the file is "
                      "tracked by the generated make rules)", accepts + " whose name has letters, digits, '.', '-', '_', '/'")


def _check_actuals_path(v):
    """An actuals file must exist and pass analysis.inputs.actuals.load (issue 6): a bad file stops the run here."""
    _check_path(v)
    if v is None:
        return
    from ..inputs.actuals import load
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
    "min_severity": _choice(*SEVERITIES),
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
    """The notebook at `path`; InputError when the file is not a notebook (not JSON, not nbformat 4)."""
    import nbformat
    try:
        return nbformat.read(str(path), as_version=4)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:   # nbformat's NotJSONError is a ValueError
        raise InputError(f"{path}: not a readable Jupyter notebook ({type(exc).__name__}: {str(exc)[:120]}); expected a "
                         ".ipynb file saved by Jupyter") from None


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
            raise InputError(f"{prefix}: parameter {name!r} has no schema in analysis.reports.runner.PARAMETERS; add one")
        try:
            check(value)
        except _Reject as rej:
            raise InputError(f"{prefix}: parameter {name!r} = {_short(value)}: {rej.problem}; accepted: {rej.accepts}") from None
    _check_indicators_of_source(report.parameters.get("source_id"), report.parameters.get("indicators"), prefix)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _check_indicators_of_source(source_id, indicators, prefix: str) -> None:
    """Indicators that the report's source has no observation of would make an empty report: an error
    listing those the source has (checked once data/processed/ exists)."""
    if not source_id or not indicators:
        return
    from ..pipeline import datasets
    try:
        obs = datasets.load("observations")
    except InputError:
        return                 # no processed data yet: `make reports` builds it before it checks the runs
    has = sorted(set(obs.loc[obs["source_id"] == source_id, "indicator_id"]))
    missing = [i for i in indicators if i not in has]
    if missing:
        raise InputError(f"{prefix}: parameter 'indicators': source {source_id!r} has no observations of {missing} (the "
                         f"report would show nothing for them); accepted: null or some of its indicators {has}")


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
    from ..core.fileio import check_published

    check_published(processed)
    h = hashlib.sha256()
    for p in sorted(Path(processed).glob("*.csv")):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def source_info(source_id: str | None) -> dict | None:
    if not source_id:
        return None
    from ..inputs.registry import load_sources
    s = load_sources()[source_id]
    return {"id": s.id, "title": s.title, "region": s.region, "region_en": s.region_en, "date": s.date}


def n_observations(report: Report) -> int:
    """Rows of observations.csv the report's source (all sources when it has none) holds."""
    from ..pipeline import datasets

    obs = datasets.load("observations")
    sid = report.parameters.get("source_id")
    return int(len(obs) if not sid else (obs["source_id"] == sid).sum())


def flag_counts(report: Report) -> dict | None:
    """Counts per severity of the flags a plausibility report shows (None for a report of another notebook).
    With the default thresholds they are counted in data/processed/flags.csv, which the data step wrote (no
    the plausibility frames are recomputed); only a run that overrides thresholds computes its own flags."""
    from ..pipeline import datasets
    from ..present import views
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
    from ..core.fileio import FILE_MODE

    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, dst)


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _write_json(path: Path, obj) -> None:
    from ..core.fileio import write_text_atomic
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

    from ..core.fileio import write_temporary
    from . import kernel

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
                lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip() and set(ln.strip()) != {"-"}]
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
        meta["html_sha256"] = hashlib.sha256(html.encode("utf-8")).hexdigest()
        # everything is computed; the page is written to a temporary file first (a full disk stops here, with
        # nothing replaced); then the report's files are replaced, each atomically, the page last: the record
        # names the page it belongs to (html_sha256), and a run killed before the page is replaced leaves the
        # page older than its inputs, so the next `make reports` runs it again (the index says so meanwhile)
        page = write_temporary(f["html"], html)
        try:
            _publish(tmp, f["ipynb"])
            _write_json(f["meta"], meta)
            for stale in (f["failed_ipynb"], f["failed_meta"]):
                stale.unlink(missing_ok=True)
            os.replace(page, f["html"])
        finally:
            page.unlink(missing_ok=True)
        return meta
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _templates():
    import jinja2
    env = jinja2.Environment(loader=jinja2.PackageLoader("analysis.reports", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["param"] = lambda v: json.dumps(v, ensure_ascii=False)   # a plain string; autoescape escapes it
    return env


def _header(meta: dict) -> str:
    """The page header (templates/report_header.html.j2) in the page's language."""
    from ..present import labels

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
            titles = [ln.lstrip("#").strip() for ln in text.splitlines() if ln.startswith("#")]
            heading = titles[-1] if titles else heading
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                out.setdefault("metadata", {}).setdefault("image/png", {})["alt"] = f"Plot: {heading}" if heading else "Plot"


def to_html(executed: str | Path, meta: dict) -> str:
    """The executed notebook as HTML for reviewers: no code cells, no prompts, a header saying how it was made."""
    import nbformat
    from nbconvert import HTMLExporter

    from ..present import html_page

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


def _page_matches_record(html: Path, meta) -> bool:
    """The page is the one its run record describes (a run killed between the two leaves them apart)."""
    if not meta or "html_sha256" not in meta:
        return True            # records written before the check existed
    try:
        return hashlib.sha256(html.read_bytes()).hexdigest() == meta["html_sha256"]
    except OSError:
        return False


def index_rows(reports: list[Report], out_dir: Path = paths.REPORTS) -> list[dict]:
    rows = []
    for r in reports:
        f = files(r.name, out_dir)
        meta, failed = _read_json(f["meta"]), _read_json(f["failed_meta"])
        html = f["html"].name if f["html"].exists() else None
        if html and not _page_matches_record(f["html"], meta):
            failed = {"started": (meta or {}).get("started", ""),
                      "error": f"report {r.name!r}: the last run was interrupted between writing its record and its page; "
                               "the page may be older than the record; the next `make reports` runs it again"}
        rows.append({"report": r, "html": html, "meta": meta, "failed": failed,
                     "source": _safe_source_info(r.parameters.get("source_id"))})
    return rows


def _safe_source_info(source_id):
    try:
        return source_info(source_id)
    except (InputError, KeyError):
        return None


def write_index(reports: list[Report], out_dir: Path = paths.REPORTS, problems: list[str] | None = None) -> Path:
    """reports/index.html: every report with its source, parameters, run time, commit, data version and flag
    counts; a failed run's message beside its last good report; `problems` (invalid entries of reports.yml, a
    failed data step) at the top."""
    from ..core.fileio import write_text_atomic
    from ..present import html_page

    out_dir = Path(out_dir)
    try:
        version = data_version()
    except InputError:
        version = "(data/processed/ being updated)"
    html = _templates().get_template("index.html.j2").render(
        rows=index_rows(reports, out_dir), generated=_now(), commit=git_commit(), data_version=version,
        problems=problems or [], font="<!--pt-font-->")
    html = html.replace("<!--pt-font-->", html_page.font_face_css(html), 1)
    path = out_dir / "index.html"
    write_text_atomic(path, html)
    return path


DATA_FAILED = BUILD / "data.failed"        # the message of a failed data step of `make reports` (the Makefile writes it)


def run_problems(config: Path = CONFIG, notebooks: Path = paths.NOTEBOOKS, build: Path = BUILD) -> tuple[list[Report], list[str]]:
    """(the valid runs, every problem of the last `make reports`: a failed data step, invalid entries of
    reports.yml, runs whose parameters do not validate)."""
    reports, problems = read_config(config, notebooks)
    failed_data = Path(build) / "data.failed"
    if failed_data.exists():
        lines = [ln for ln in failed_data.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
        problems.insert(0, "make data failed: " + (lines[-1] if lines else "see reports/.build/data.log"))
    valid = []
    for r in reports:
        try:
            validate(r, where=f"{_rel(config)} report {r.name!r}")
            valid.append(r)
        except InputError as exc:
            problems.append(str(exc))
    return valid, problems


# --------------------------------------------------------------------------------------------------
# make
# --------------------------------------------------------------------------------------------------
def write_makefile(reports: list[Report], target: Path, build: Path = BUILD, problems: list[str] | None = None) -> None:
    """The make rules of every valid run: reports/NAME.html depends on its notebook, its own entry of
    reports.yml (a stamp rewritten only when that entry changes) and $(REPORT_DEPS) (processed data, analysis/
    sources, set in the Makefile); an actuals file parameter adds that file. With `problems` (invalid entries),
    a rule `reports-invalid` prints them and fails, so that `make reports` exits non-zero after building the
    valid runs. Every file name written here has been checked by `make_safe` (names, notebooks, paths)."""
    from ..core.fileio import write_text_atomic

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
        extra = [v for k, v in r.parameters.items() if k in PATH_PARAMETERS and isinstance(v, str)]
        deps = [r.notebook_rel, _rel(stamp), *extra]
        unsafe = [d for d in [_rel(html), *deps] if not make_safe(d)]
        if unsafe:      # validate() refuses these; never write them into a rule
            raise InputError(f"report {r.name!r}: file name {unsafe[0]!r} cannot be written into a make rule")
        lines += [f"{_rel(html)}: {' '.join(deps)} $(REPORT_DEPS)", f"\t@$(PY) -m analysis.reports run {r.name}", ""]
        htmls.append(_rel(html))
    lines.insert(1, f"REPORT_HTML := {' '.join(htmls)}")
    if problems:
        lines += ["reports-locked: reports-invalid", "reports-invalid:",
                  "\t@$(PY) -m analysis.reports check >&2; exit 1", ""]
    write_text_atomic(Path(target), "\n".join(lines))


def _record_failure(report: Report, out_dir: Path, message: str) -> None:
    """NAME.failed.json for a run that stopped before its notebook ran (bad parameter, disk full...), so that
    the index shows it; best effort (on a full disk even this may fail)."""
    try:
        _write_json(files(report.name, out_dir)["failed_meta"], {
            "name": report.name, "notebook": report.notebook_rel, "parameters": report.parameters,
            "started": _now(), "duration_s": 0.0, "error": message})
    except OSError:
        pass


PATH_PARAMETERS = {"actuals_path"}          # parameters naming a file that the report reads (a make dependency)


# --------------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.reports", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=CONFIG, help="the list of runs (default: reports.yml)")
    parser.add_argument("--out", type=Path, default=paths.REPORTS, help="where reports go (default: reports/)")
    parser.add_argument("--notebooks", type=Path, default=paths.NOTEBOOKS,
                        help="the folder every run's notebook must be in (default: notebooks/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate every run (no execution); lists every problem")
    p_run = sub.add_parser("run", help="execute runs by name (all when none is given)")
    p_run.add_argument("names", nargs="*")
    sub.add_parser("index", help="write the index page")
    p_mk = sub.add_parser("makefile", help="write the make rules of every run")
    p_mk.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    status = run_cli("python -m analysis.reports", _command, args)
    return 2 if status == 1 and args.command == "check" else status


def _command(args) -> int:
    if args.command == "check":
        reports, problems = run_problems(args.config, args.notebooks)
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        if problems:
            print(f"{_rel(args.config)}: {len(problems)} problem(s); {len(reports)} valid report(s)", file=sys.stderr)
            return 2
        print(f"{_rel(args.config)}: {len(reports)} report(s), parameters valid")
        return 0
    with lock.hold(f"python -m analysis.reports {args.command}"):
        if args.command == "makefile":
            reports, problems = run_problems(args.config, args.notebooks)
            for problem in problems:
                print(f"error: {problem}", file=sys.stderr)
            write_makefile(reports, args.target, problems=problems)
            return 0
        if args.command == "index":
            reports, problems = run_problems(args.config, args.notebooks)
            path = write_index(reports, args.out, problems)
            print(f"make reports: index of {len(reports)} report(s) → {_rel(path)}"
                  + (f"; {len(problems)} problem(s) shown at its top" if problems else ""))
            return 0
        reports = load_config(args.config, args.notebooks)
        failed = 0
        for r in (find(reports, args.names, args.config) if args.names else reports):
            try:
                meta = run(r, args.out)
            except (ReportError, InputError, OSError) as exc:
                message = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
                if not isinstance(exc, ReportError):        # a ReportError has recorded itself
                    _record_failure(r, args.out, f"report {r.name!r}: {message}")
                print(f"error: {message}", file=sys.stderr)
                failed += 1
                continue
            counts = meta["flag_counts"]
            flags = (" · flags " + ", ".join(f"{k} {v}" for k, v in counts.items())) if counts else ""
            print(f"report {r.name}: done in {meta['duration_s']:.1f} s → {_rel(files(r.name, args.out)['html'])}{flags}",
                  flush=True)
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
