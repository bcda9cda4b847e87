"""The registry of the plausibility rules: one module each (analysis/derive/rules/<name>.py, see base.py for what
a rule holds). The order is flags.csv's order of rules (schema.RULES; tests/test_rules.py checks both agree).

A new rule is one new module here (found by its name: every module of this package defines RULE, except base
and the shared parts whose names start with _), its name in schema.RULES (flags.csv's allowed values), its
parameters in thresholds.yml and its examples in tests/test_rules.py; `python -m analysis.derive.rules`
rewrites the rules table of docs/methods.md.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from ...core import paths, schema
from .base import Rule


def _discover() -> tuple[Rule, ...]:
    """The RULE of every module of this package (those whose name starts with _ hold shared parts), in the order
    of schema.RULES (flags.csv's order; a rule missing there is a programming error, named)."""
    found = {}
    for m in pkgutil.iter_modules(__path__):
        if not m.name.startswith("_") and m.name != "base":
            rule = importlib.import_module(f"{__name__}.{m.name}").RULE
            found[rule.name] = rule
    missing = set(found) - set(schema.RULES)
    if missing:
        raise RuntimeError(f"rules {sorted(missing)} are not in analysis.core.schema.RULES: add them there")
    return tuple(found[name] for name in schema.RULES if name in found)


REGISTRY: tuple[Rule, ...] = _discover()
BY_NAME: dict[str, Rule] = {r.name: r for r in REGISTRY}

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
