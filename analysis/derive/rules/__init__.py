"""The registry of the plausibility rules: one module each (analysis/derive/rules/<name>.py, see base.py for what
a rule holds), in the order of their direction (schema.DIRECTIONS), then name.

A new rule is one new module here (found by its name: every module of this package defines RULE, except base
and the shared parts whose names start with _), its parameters in thresholds.yml and its examples in
tests/test_rules.py; `python -m analysis.derive.rules` rewrites the rules table of docs/methods.md. Its name,
labels, reason and parameters reach flags.csv, the pages, the codebook's list of rules and the build's check of
thresholds.yml from here.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from ...core import paths, schema
from ...inputs.reference import PARAMETERS
from .base import Rule


def _discover() -> tuple[Rule, ...]:
    """The RULE of every module of this package (those whose name starts with _ hold shared parts), by direction
    (schema.DIRECTIONS), then name."""
    found = [importlib.import_module(f"{__name__}.{m.name}").RULE for m in pkgutil.iter_modules(__path__)
             if not m.name.startswith("_") and m.name != "base"]
    return tuple(sorted(found, key=lambda r: (schema.DIRECTIONS.index(r.direction), r.name)))


REGISTRY: tuple[Rule, ...] = _discover()
BY_NAME: dict[str, Rule] = {r.name: r for r in REGISTRY}


def parameters_read() -> tuple[str, ...]:
    """Every parameter of thresholds.yml the code reads: the rules' own and analysis.inputs.reference.PARAMETERS
    (what the build's check of the file expects, check_all)."""
    return tuple(sorted({*PARAMETERS, *(p for r in REGISTRY for p in r.parameters)}))

METHODS = paths.ROOT / "docs" / "methods.md"
TABLE_START = "<!-- rules table: generated from analysis/derive/rules/ by `python -m analysis.derive.rules` -->"
TABLE_END = "<!-- end of the rules table -->"


def methods_table() -> str:
    """The table of docs/methods.md that lists every rule (between TABLE_START and TABLE_END)."""
    rows = [TABLE_START, "", "| rule | direction | severity | fires when | parameters (thresholds.yml) | details |",
            "|---|---|---|---|---|---|"]
    for r in REGISTRY:
        params = ", ".join(f"`{p}`" for p in r.parameters) or "—"
        rows.append(f"| `{r.name}` ({r.label.zh}) | {r.direction} | {' / '.join(r.severities)} | {r.fires_when.en} | "
                    f"{params} | [{r.section}](#{_anchor(r.section)}) |")
    return "\n".join([*rows, "", TABLE_END])


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def write_methods_table(path: Path = METHODS) -> None:
    """Rewrite the rules table of docs/methods.md."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
    path.write_text(text[:start] + methods_table() + text[end:], encoding="utf-8")
