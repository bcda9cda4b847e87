"""reports/index.html: every report with its record, and the problems of the last run."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..core import paths
from ..core.errors import InputError
from ..core.fileio import write_text_atomic
from ..present import conclusions, html_page
from .config import BUILD, CONFIG, Report, files, read_config, relative
from .parameters import validate
from .record import data_version, git_commit, source_info
from .runner import now_utc, templates


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

    out_dir = Path(out_dir)
    try:
        version = data_version()
    except InputError:
        version = "(data/processed/ being updated)"
    rows = index_rows(reports, out_dir)
    records = [r["meta"] for r in rows if r["meta"]]
    html = templates().get_template("index.html.j2").render(
        rows=rows, generated=now_utc(), commit=git_commit(), data_version=version, problems=problems or [],
        font="<!--pt-font-->", summary_zh=conclusions.index(records, "zh"), summary_en=conclusions.index(records, "en"))
    html = html.replace("<!--pt-font-->", html_page.font_face_css(html), 1)
    path = out_dir / "index.html"
    write_text_atomic(path, html)
    return path


def run_problems(config: Path = CONFIG, notebooks: Path = paths.NOTEBOOKS, build: Path = BUILD) -> tuple[list[Report], list[str]]:
    """(the valid runs, every problem of the last `make reports`: a failed data step, invalid entries of
    reports.yml, runs whose parameters do not validate)."""
    reports, problems = read_config(config, notebooks)
    failed_data = Path(build) / "data.failed"       # the message of a failed data step (the Makefile writes it)
    if failed_data.exists():
        lines = [ln for ln in failed_data.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
        problems.insert(0, "make data failed: " + (lines[-1] if lines else "see reports/.build/data.log"))
    valid = []
    for r in reports:
        try:
            validate(r, where=f"{relative(config)} report {r.name!r}")
            valid.append(r)
        except InputError as exc:
            problems.append(str(exc))
    return valid, problems
