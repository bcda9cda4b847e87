"""The registry of the plausibility rules: one module each (analysis/derive/rules/<name>.py, see base.py for what
a rule holds). The order is flags.csv's order of rules (schema.RULES; tests/test_rules.py checks both agree).

A new rule is one new module here, its entry in REGISTRY, its parameters in thresholds.yml and its examples in
tests/test_rules.py; `python -m analysis.derive.rules` rewrites the rules table of docs/methods.md.
"""
from __future__ import annotations

import re
from pathlib import Path

from ...core import paths
from . import (
    already_met_when_set,
    escalation,
    flow_cannot_build_stock,
    part_exceeds_whole,
    rate_vs_levels,
    share_above_100,
    stock_change_vs_flow,
    stock_falls,
    target_backwards,
    too_fast,
    too_slow,
)
from .base import Rule

REGISTRY: tuple[Rule, ...] = tuple(m.RULE for m in (
    too_fast, already_met_when_set, too_slow, target_backwards, stock_falls, share_above_100, rate_vs_levels,
    part_exceeds_whole, flow_cannot_build_stock, stock_change_vs_flow, escalation))
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
