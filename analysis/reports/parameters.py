"""A run's parameters: each notebook's `parameters` cell, and the check of every value (NOTEBOOK_PARAMETERS)."""
from __future__ import annotations

from pathlib import Path

from ..core import paths
from ..core.errors import InputError
from ..core.schema import SEVERITIES
from ..inputs.actuals import load
from ..inputs.reference import load_thresholds
from ..inputs.registry import load_sources
from ..inputs.vocab import load_indicators
from ..pipeline import datasets
from .config import Report, make_safe


class ParameterError(InputError):
    """A bad parameter found by a notebook's own check (`check_cell`): Jupyter shows it as its one line (IPython
    renders `_render_traceback_` instead of a traceback), so papermill run by hand stops with that line."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class _Reject(Exception):
    def __init__(self, problem: str, accepts: str):
        super().__init__(problem)
        self.problem, self.accepts = problem, accepts


def _registered_sources() -> list[str]:
    return sorted(load_sources())


def _check_source_id(v):
    ids = _registered_sources()
    accepts = f"null (all sources) or one of the registered source ids {ids}"
    if v is None:
        return
    if not isinstance(v, str):
        raise _Reject(f"wrong type {type(v).__name__}", accepts)
    if v not in ids:
        raise _Reject(f"unknown source {_short(v)} (not in {paths.SOURCES.relative_to(paths.ROOT)})", accepts)


def _check_indicators(v):
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


def _check_indicator_id(v):
    """One indicator id of the vocabulary that a document has an observation of (notebook 05)."""
    ids = sorted(load_indicators().index)
    accepts = f"an indicator id of {paths.INDICATORS.relative_to(paths.ROOT)} ({len(ids)} ids, e.g. {ids[:3]})"
    if not isinstance(v, str):
        raise _Reject(f"wrong type {type(v).__name__}", accepts)
    if v not in ids:
        raise _Reject(f"unknown indicator id {v!r}", accepts)


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
    if not Path(v).is_absolute() and not (paths.ROOT / v).resolve().is_relative_to(paths.ROOT.resolve()):
        raise _Reject(f"file {v!r} leads outside the project (a relative path is read from the project root; name a "
                      "file elsewhere by its absolute path)", accepts)
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
    try:
        load(paths.ROOT / v)
    except InputError as exc:
        raise _Reject(str(exc), "null or a CSV of actuals in the format of data/raw/actuals/README.md") from exc


# The explicit schema: every parameter a notebook's `parameters` cell may define, what it accepts and how
# it is checked. Parameter names mean the same in every notebook. Which names a notebook accepts is read
# from its `parameters` cell (tests/test_notebooks.py checks that each of them is listed here).
NOTEBOOK_PARAMETERS = {
    "source_id": _check_source_id,
    "indicators": _check_indicators,
    "indicator_id": _check_indicator_id,
    "kind": _choice("actual", "target", optional=True),
    "language": _choice("zh", "en"),
    "min_severity": _choice(*SEVERITIES),
    "thresholds": _check_thresholds,
    "actuals_path": _check_actuals_path,
}


def notebook_parameters(notebook: Path) -> dict:
    """{name: default as written} of the notebook's `parameters` cell (papermill's own reading of it)."""
    import papermill  # heavy (papermill, nbformat): loaded only when a notebook is read

    cells = [c for c in read_notebook(notebook).cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise InputError(f"{notebook}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    return {name: info["default"] for name, info in papermill.inspect_notebook(str(notebook)).items()}


def read_notebook(path: Path):
    """The notebook at `path`; InputError when the file is not a notebook (not JSON, not nbformat 4)."""
    import nbformat  # heavy (papermill, nbformat): loaded only when a notebook is read
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
        check = NOTEBOOK_PARAMETERS.get(name)
        if check is None:
            raise InputError(f"{prefix}: parameter {name!r} has no schema in analysis.reports.parameters.NOTEBOOK_PARAMETERS; add one")
        try:
            check(value)
        except _Reject as rej:
            raise InputError(f"{prefix}: parameter {name!r} = {_short(value)}: {rej.problem}; accepted: {rej.accepts}") from None
    _check_indicators_of_source(report.parameters.get("source_id"), report.parameters.get("indicators"), prefix)


def check_cell(notebook: str, namespace: dict) -> None:
    """The check a notebook's second cell runs on the values of its parameters cell (as papermill set them):
    the same as for an entry of reports.yml (`validate`). ParameterError names the notebook, the parameter and
    what is accepted. `notebook`: its name in notebooks/ without .ipynb; `namespace`: the notebook's globals()."""
    path = paths.NOTEBOOKS / f"{notebook}.ipynb"
    values = {name: namespace[name] for name in notebook_parameters(path) if name in namespace}
    try:
        validate(Report(name=notebook, notebook=path, parameters=values), where="papermill parameters")
    except InputError as exc:
        raise ParameterError(str(exc)) from None


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _check_indicators_of_source(source_id, indicators, prefix: str) -> None:
    """Indicators that the report's source has no observation of would make an empty report: an error
    listing those the source has (checked once data/processed/ exists)."""
    if not source_id or not indicators:
        return
    try:
        obs = datasets.load("observations")
    except InputError:
        return                 # no processed data yet: `make reports` builds it before it checks the runs
    has = sorted(set(obs.loc[obs["source_id"] == source_id, "indicator_id"]))
    missing = [i for i in indicators if i not in has]
    if missing:
        raise InputError(f"{prefix}: parameter 'indicators': source {source_id!r} has no observations of {missing} (the "
                         f"report would show nothing for them); accepted: null or some of its indicators {has}")
