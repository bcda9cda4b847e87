"""The registry of the plausibility rules: one module each (analysis/derive/rules/<name>.py, see base.py for what
a rule holds). The order is flags.csv's order of rules (schema.RULES; tests/test_rules.py checks both agree).

A new rule is one new module here, its entry in REGISTRY, its parameters in thresholds.yml and its examples in
tests/test_rules.py; `python -m analysis.derive.rules` rewrites the rules table of docs/methods.md.
"""
from __future__ import annotations

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
