"""The list of documents in README.md and docs/design.md, generated from the registry (data/raw/sources.yml) and
regions.csv, so that a new document needs no edit there: `make data` rewrites the generated part of both when the
registry changed (`python -m analysis.pipeline.documents` does it alone); tests/test_docs.py checks it is current.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from ..core import paths
from ..core.errors import InputError, run_cli
from ..core.fileio import load_yaml, read_text, write_text_atomic
from ..inputs.reference import load_regions
from ..inputs.registry import load_sources

README = paths.ROOT / "README.md"
DESIGN = paths.ROOT / "docs" / "design.md"
BEGIN = "<!-- documents: generated from data/raw/sources.yml by `make data` (analysis/pipeline/documents.py); do not edit -->"
END = "<!-- end of the generated list of documents -->"
LEVELS = ("country", "province", "city", "district")


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _levels() -> dict[str, str]:
    regions = load_regions()
    return dict(zip(regions["region"], regions["level"]))


def _where(entry: dict) -> str:
    """Where a document came from, as the registry says: its page (an excerpt or not), else the seed file it was."""
    parts = []
    if entry.get("url"):
        parts.append(("excerpt of " if entry.get("excerpt") else "") + f"<{entry['url']}>")
    elif entry.get("received_as"):
        parts.append(f"seed file `{entry['received_as']}`")
    if entry.get("note"):
        parts.append(entry["note"])
    return "; ".join(parts) or "—"


def readme_table() -> str:
    """The Markdown list of README.md: one row per registered document, with level, region, title, issuer, date."""
    sources = load_sources()
    raw = {e["id"]: e for e in load_yaml(paths.SOURCES, "the document registry") if isinstance(e, dict)}
    level = _levels()
    counts = Counter(level.get(s.region, "unknown") for s in sources.values())
    summary = ", ".join(f"{counts[lv]} {lv}" for lv in (*LEVELS, "unknown") if counts[lv])
    rows = []
    for s in sources.values():
        e = raw[s.id]
        title = s.title + (f" ({e['doc_number']})" if e.get("doc_number") else "")
        date = f"{s.date} (posted {e['posted']})" if e.get("posted") else s.date
        rows.append(f"| `{s.id}` | {level.get(s.region, 'unknown')} | {_cell(s.region)} ({_cell(s.region_en)}) | "
                    f"{_cell(title)}<br>*{_cell(s.title_en)}* | {_cell(s.issuer)} | {_cell(date)} | {_cell(_where(e))} |")
    return "\n".join([BEGIN, f"{len(sources)} documents ({summary}), in the order of `data/raw/sources.yml`:", "",
                      "| id | level | region | document | issuer | date | where it came from |",
                      "|---|---|---|---|---|---|---|", *rows, END])


def design_list() -> str:
    """The short list of docs/design.md: the documents by level."""
    sources = load_sources()
    level = _levels()
    lines = [BEGIN, f"{len(sources)} documents are registered:", ""]
    for lv in (*LEVELS, "unknown"):
        ids = [f"`{s.id}` ({s.region_en})" for s in sources.values() if level.get(s.region, "unknown") == lv]
        if ids:
            lines.append(f"- {lv}: {', '.join(ids)}")
    return "\n".join([*lines, END])


def _replace(text: str, block: str, path: Path) -> str:
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise InputError(f"{path}: expected one generated list of documents between the markers {BEGIN!r} and {END!r}")
    head, rest = text.split(BEGIN, 1)
    return head + block + rest.split(END, 1)[1]


def current() -> dict[Path, str]:
    """README.md and docs/design.md as they should be (the generated parts from the registry); a copy of the project
    without them (data and code only) has nothing to rewrite."""
    return {path: _replace(read_text(path), make(), path) for path, make in ((README, readme_table), (DESIGN, design_list))
            if path.exists()}


def write() -> list[Path]:
    """Rewrite the generated parts that differ; the paths rewritten."""
    changed = []
    for path, text in current().items():
        if read_text(path) != text:
            write_text_atomic(path, text)
            changed.append(path)
    return changed


def main() -> int:
    return run_cli("python -m analysis.pipeline.documents", _main)


def _main() -> int:
    for path in write():
        print(f"wrote {path.relative_to(paths.ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
