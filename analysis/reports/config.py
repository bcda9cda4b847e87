"""reports.yml: the report runs (name, notebook, parameters, timeout), read and checked; names safe for make."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core import paths
from ..core.errors import InputError
from ..core.fileio import load_yaml
from ..inputs.registry import load_sources
from ..pipeline import datasets

CONFIG = paths.ROOT / "reports.yml"
BUILD = paths.REPORTS / ".build"            # make's bookkeeping: per-run parameter stamps, the generated rules
CONFIG_KEYS = {"execution_timeout", "reports"}
ENTRY_KEYS = {"name", "notebook", "parameters", "timeout", "sources", "indicators"}
NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")   # no '.': NAME.failed.ipynb, NAME.run.json must not be another report's
MAX_NAME = 100                               # reports/.NAME.html.<random>.tmp stays within a file name's 255 bytes
RESERVED_NAMES = {"index", "bench", "bench-reports", "bench-actuals", "cron"}
SOURCE_SLOT = "{source_id}"
INDICATOR_SLOT = "{indicator_id}"          # `indicators: {min_plans: N}`: one run per indicator N or more plans target
WITH_PROGRESS = "with_progress"              # `sources: with_progress`: the sources that have progress rows
DEFAULT_TIMEOUT = 600                        # seconds per cell
MAX_TIMEOUT = 86400
START_TIMEOUT = 120                          # seconds for the kernel to start


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


def relative(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(p)


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
    if "indicators" in entry:
        return _indicator_runs(entry, name, where, notebook, params, timeout)
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
    elif wanted == WITH_PROGRESS:
        with_rows = _sources_with_progress()
        ids = [sid for sid in registered if sid in with_rows]
    elif isinstance(wanted, list) and wanted and all(isinstance(x, str) for x in wanted):
        unknown_ids = [x for x in wanted if x not in registered]
        if unknown_ids:
            raise InputError(f"{where}: field 'sources': unknown source id(s) {unknown_ids}; expected `all` or a list of "
                             f"the ids registered in {paths.SOURCES.relative_to(paths.ROOT)}: {registered}")
        if len(set(wanted)) != len(wanted):
            raise InputError(f"{where}: field 'sources' lists a source twice")
        ids = wanted
    else:
        raise InputError(f"{where}: field 'sources' is {wanted!r}; expected `all`, `{WITH_PROGRESS}` (the sources with rows "
                         "in data/processed/progress.csv) or a non-empty list of source ids")
    runs = []
    for sid in ids:
        run_name = name.replace(SOURCE_SLOT, sid)
        _check_name(run_name, where)
        runs.append(Report(name=run_name, notebook=notebook, parameters={"source_id": sid, **params}, timeout=timeout))
    return runs


def _indicator_runs(entry: dict, name: str, where: str, notebook: Path, params: dict, timeout: int) -> list[Report]:
    """`indicators: {min_plans: N}`: one run per indicator that N or more documents target, named by its
    {indicator_id} slot, each with the parameter indicator_id (a newly read indicator gets its report by itself)."""
    if "sources" in entry or "indicator_id" in params:
        raise InputError(f"{where}: give `indicators` alone (not with `sources` or the parameter `indicator_id`)")
    wanted = entry["indicators"]
    n = wanted.get("min_plans") if isinstance(wanted, dict) and set(wanted) == {"min_plans"} else None
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(f"{where}: field 'indicators' is {wanted!r}; expected {{min_plans: N}} with N a whole number "
                         "from 1 (one run per indicator that N or more documents target)")
    if name.count(INDICATOR_SLOT) != 1:
        raise InputError(f"{where}: field 'name' {name[:80]!r} must contain {INDICATOR_SLOT} once when the entry has "
                         "`indicators` (each indicator's run is named by it, e.g. indicator-{indicator_id})")
    from ..present.indicator_views import indicators_in_plans  # heavy (matplotlib): only for an entry with `indicators`
    runs = []
    for iid in indicators_in_plans(n):
        run_name = name.replace(INDICATOR_SLOT, iid)
        _check_name(run_name, where)
        runs.append(Report(name=run_name, notebook=notebook, parameters={"indicator_id": iid, **params}, timeout=timeout))
    return runs


def _sources_with_progress() -> set[str]:
    """The sources with at least one row in data/processed/progress.csv (a target set against an actual)."""
    return set(datasets.load("progress")["source_id"])


def _sources_in_order() -> list[str]:
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
        raise InputError(f"{where}: field 'notebook': {text} lies outside {relative(notebooks)}/; expected a notebook of "
                         f"{relative(notebooks)}/ (e.g. notebooks/02_growth_trajectories.ipynb)")
    if notebook.suffix != ".ipynb":
        raise InputError(f"{where}: field 'notebook': {text} is not a notebook; expected a .ipynb file of {relative(notebooks)}/")
    if not notebook.is_file():
        raise InputError(f"{where}: field 'notebook': {text} does not exist")
    if not make_safe(relative(notebook)):
        raise InputError(f"{where}: field 'notebook': {text!r} holds spaces or characters such as $ ( ) ; that make "
                         "would read; expected a file name of letters, digits, '.', '-', '_' and '/'")
    return notebook


def find(reports: list[Report], names: list[str], config: Path = CONFIG) -> list[Report]:
    by_name = {r.name: r for r in reports}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise InputError(f"{config}: no report named {unknown}; reports: {sorted(by_name)}")
    return [by_name[n] for n in names]


def files(report_name: str, out_dir: Path = paths.REPORTS) -> dict[str, Path]:
    out_dir = Path(out_dir)
    return {"html": out_dir / f"{report_name}.html", "ipynb": out_dir / f"{report_name}.ipynb",
            "meta": out_dir / f"{report_name}.run.json", "failed_ipynb": out_dir / f"{report_name}.failed.ipynb",
            "failed_meta": out_dir / f"{report_name}.failed.json"}
