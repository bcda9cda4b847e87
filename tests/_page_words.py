"""The words a reader sees on a report page, for the language audits of tests/test_notebooks.py: English left on a
zh page, Chinese left untranslated on an en page.

A zh page may show Latin letters only in: addresses and file paths, text set as code (the header's parameters,
`thresholds`), identifiers a reader types (source ids, report and notebook parameter names; the names of
thresholds.yml, which the `thresholds` parameter overrides, in the thresholds table's name column only), the titles of
cited works as published, the documents' own text (R&D, GDP), and the proper names of PROPER_NAMES (organisations,
authors, methods, one-letter symbols of formulas). An en page may show Chinese only in the documents' own words
(quotes, names as published) or beside its translation, "广州市 (Guangzhou)".
"""
from __future__ import annotations

import functools
import re
from html.parser import HTMLParser

import pandas as pd

from analysis.core import paths
from analysis.inputs.reference import load_thresholds
from analysis.inputs.registry import load_sources
from analysis.pipeline import datasets
from analysis.present import labels
from analysis.reports import config, parameters

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.&'+\-]*")
ADDRESS = re.compile(r"https?://\S+|\b[\w.\-]+/[\w./\-]*|\b[\w\-]+\.(?:csv|yml|yaml|py|md|ipynb|html)\b")
PROPER_NAMES = {
    "Open", "SDG", "sdg-build", "ProgressMeasure.py", "Eurostat", "Bloomberg", "Li", "Liu", "Weng", "Zhou", "WDI",
    "GDP", "R&D", "NEEQ", "ln", "policy-targets",
}
# columns whose cells hold the documents' own Chinese (en pages) or cited titles as published (zh pages)
PUBLISHED = {"quote", "name as published", "value as published", "unit as published", "原文", "原文名称",
             "source", "出处", "来源", "source of the actual", "source of the base", "实际值出处", "基期出处"}


class _Cells(HTMLParser):
    """Visible text nodes of a page, each with the header of the table column it stands in (None outside tables)."""

    def __init__(self):
        super().__init__()
        self.skip = 0
        self.nodes: list[tuple[str | None, str]] = []
        self.headers: list[str] = []
        self.col = -1
        self.cell = None          # "th" / "td" while inside one
        self.buf = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "code"):
            self.skip += 1
        elif tag == "table":
            self.headers = []
        elif tag == "tr":
            self.col = -1
        elif tag in ("th", "td"):
            self.col += 1
            self.cell, self.buf = tag, ""

    def handle_endtag(self, tag):
        if tag in ("style", "script", "code"):
            self.skip -= 1
        elif tag in ("th", "td") and self.cell:
            text = self.buf.strip()
            if tag == "th" and self.col >= len(self.headers):
                self.headers.append(text)
            elif tag == "td":
                header = self.headers[self.col] if self.col < len(self.headers) else None
                self.nodes.append((header, text))
            self.cell = None

    def handle_data(self, data):
        if self.skip:
            return
        if self.cell is not None:
            self.buf += data
        else:
            self.nodes.append((None, data))


def nodes(html: str) -> list[tuple[str | None, str]]:
    parser = _Cells()
    parser.feed(html)
    return [(h, t) for h, t in parser.nodes if t.strip()]


@functools.cache          # the project's own files: read once per test process (tests change only copies)
def _identifiers() -> frozenset[str]:
    return frozenset(load_sources()) | set(parameters.NOTEBOOK_PARAMETERS) | {r.name for r in config.load_config()}


@functools.cache
def _published_text() -> tuple[str, ...]:
    """Text that is a proper name as published: the titles of cited works, the citations of actuals."""
    refs = pd.read_csv(paths.REFERENCE / "growth_references.csv")
    prog = datasets.load("progress")
    return tuple(sorted({*refs["source_title"].dropna(), *prog["actual_source"].dropna(), *prog["base_source"].dropna()},
                        key=len, reverse=True))


@functools.cache
def _threshold_names() -> frozenset[str]:
    return frozenset(load_thresholds()["name"])


def english_words(html: str, allowed=()) -> list[str]:
    """The Latin-letter words of a zh page outside code, addresses, identifiers (and `allowed`: the report's name),
    cited titles and PROPER_NAMES."""
    ids, published = _identifiers() | set(allowed), _published_text()
    threshold_names = _threshold_names()
    found = []
    for header, text in nodes(html):
        if header in PUBLISHED or (header == labels.t("name", "zh") and text in threshold_names):
            continue
        for title in published:
            text = text.replace(title, " ")
        text = ADDRESS.sub(" ", re.sub(r"\b[0-9a-f]{12}(\+dirty)?", " ", text))     # and the commit
        for name in allowed:
            text = text.replace(name, " ")
        for word in LATIN_WORD.findall(text):
            word = word.rstrip(".'-")
            if len(word) > 1 and word not in ids and word not in PROPER_NAMES:
                found.append(word)
    return found


def untranslated_chinese(html: str) -> list[str]:
    """The text nodes of an en page with Chinese and no English beside it (outside the documents' own words)."""
    found = []
    for header, text in nodes(html):
        if header in PUBLISHED or not CJK.search(text):
            continue
        if len(re.findall(r"[A-Za-z]{3,}", CJK.sub("", text))) == 0:
            found.append(text)
    return found
