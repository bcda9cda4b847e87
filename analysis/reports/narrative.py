"""The notebooks' prose as Markdown cells a reader sees in JupyterLab, in both languages: each narrative block of
`analysis.present.prose.NARRATIVE` stands in its notebook as two Markdown cells, the Chinese tagged `lang-zh` and
the English `lang-en` (metadata `narrative` names the block). A report page keeps the cells of its own language
(`runner.to_html`). prose.NARRATIVE stays the one home of the words: `python -m analysis.reports narrative`
rewrites the cells from it after a change, and tests/test_notebooks.py checks that they agree.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from ..core import paths
from ..present import prose
from .parameters import read_notebook


def language_of(cell) -> str | None:
    """The language a cell is tagged with (lang-zh → zh), or None for a cell of every page."""
    tags = [t for t in cell.get("metadata", {}).get("tags", []) if t.startswith("lang-")]
    return tags[0][len("lang-"):] if tags else None


def synced(nb) -> list[str]:
    """Rewrites the narrative cells of `nb` from prose.NARRATIVE in place; returns the blocks that changed."""
    changed = []
    for cell in nb.cells:
        key, language = cell.get("metadata", {}).get("narrative"), language_of(cell)
        if cell.cell_type != "markdown" or not key or not language:
            continue
        text = prose.narrative(key, language)
        if cell.source != text:
            cell.source = text
            changed.append(f"{key} ({language})")
    return changed


def sync(notebooks: list[Path] | None = None, write: bool = True) -> dict[str, list[str]]:
    """{notebook: the blocks that differ from prose.NARRATIVE}; with `write`, the notebooks are rewritten."""
    out = {}
    for path in notebooks or sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        nb = read_notebook(path)
        changed = synced(nb)
        if changed:
            out[path.name] = changed
            if write:
                nbformat.write(nb, str(path))
    return out
