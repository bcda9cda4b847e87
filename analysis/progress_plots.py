"""The target-versus-actual figures (labels in English; the notebook calls analysis.plots.setup() for the house style).

`paths(run)`: one panel per indicator of the source: the planned path (base → targets; ◆ "reach",
▲ "at least", △ "more than", ◇ "about") against the actual path (●, every usable actual of the region; ○ an
actual published as "more than"), with the
parent region's actuals as a dotted grey line where there are any.
`at_a_glance(progress)`: one bar per target: the judged actual as a percentage of the target, coloured
by status, with the 100 % line.
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .progress import parent_regions
from .progress_views import STATUS_ORDER, STATUS_TEXT, ProgressRun

STATUS_COLORS = {"achieved": "#1a9850", "achieved_at_rounding": "#66bd63", "achieved_late": "#a6d96a",
                 "on_track": "#91cf60", "acceleration_needed": "#fdae61", "limited_progress": "#f46d43",
                 "deterioration": "#a50026", "missed": "#d73027", "no_data": "#bdbdbd", "not_assessable": "#969696"}
TARGET_MARKERS = {"eq": ("D", True), "ge": ("^", True), "gt": ("^", False), "approx": ("D", False), "range": ("D", True)}
COLORS = {"actual": "#222222", "target": "#c4501b", "parent": "#8c8c8c"}


def _best(actuals: pd.DataFrame, region: str, indicator: str) -> pd.DataFrame:
    a = actuals[(actuals["region"] == region) & (actuals["indicator_id"] == indicator)]
    return a.drop_duplicates("year", keep="first").sort_values("year")


def plan_and_actual_paths(run: ProgressRun, ncols: int = 2):
    """Planned against actual path for every indicator of the source that has a progress row (None if none)."""
    prog = run.progress
    if prog.empty:
        return None
    indicators = list(dict.fromkeys(prog["indicator_id"]))
    ncols = min(ncols, len(indicators))
    nrows = math.ceil(len(indicators) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, 3.6 * nrows), squeeze=False)
    for ax, ind in zip(axes.flat, indicators):
        rows = prog[prog["indicator_id"] == ind]
        first = rows.iloc[0]
        targets = run.targets[run.targets["indicator_id"] == ind].sort_values("year")
        base = rows.dropna(subset=["base_year"]).head(1)
        plan_x = list(base["base_year"]) + list(targets["year"])
        plan_y = list(base["base_value"]) + list(targets["value"])
        ax.plot(plan_x, plan_y, ls="--", color=COLORS["target"], lw=1.2, label="planned path")
        for t in targets.itertuples():
            marker, filled = TARGET_MARKERS.get(t.bound, ("D", True))
            ax.plot([t.year], [t.value], marker=marker, ms=8, color=COLORS["target"], ls="none",
                    markerfacecolor=COLORS["target"] if filled else "white")
        act = _best(run.actuals, first["region"], ind)
        ax.plot(act["year"], act["value"], marker="o", color=COLORS["actual"], lw=1.6, label="actual")
        lower = act[act["bound"] == "gt"]            # published as "more than": an open circle
        ax.plot(lower["year"], lower["value"], marker="o", ls="none", color=COLORS["actual"], markerfacecolor="white")
        parent = parent_regions().get(first["region"])
        pa = _best(run.actuals, parent, ind) if parent else act.iloc[:0]
        if len(pa):
            ax.plot(pa["year"], pa["value"], marker=".", ls=":", color=COLORS["parent"], label="parent region, actual")
        verdicts = "; ".join(f"{int(r.target_year)}: {STATUS_TEXT[r.status]}" for r in rows.itertuples())
        ax.set_title(f"{first['indicator_en']}\n{verdicts}", fontsize=9.5)
        ax.set_ylabel(_unit_en(first["unit"]))
        ax.set_xlabel("year")
        ax.xaxis.get_major_locator().set_params(integer=True)
    for ax in list(axes.flat)[len(indicators):]:
        ax.set_visible(False)
    handles = [Line2D([], [], color=COLORS["actual"], marker="o", label="actual (○ published as 'more than')"),
               Line2D([], [], color=COLORS["target"], ls="--", marker="D", label="target path (◆ reach, ▲ at least, △ more than, ◇ about)"),
               Line2D([], [], color=COLORS["parent"], ls=":", marker=".", label="parent region, actual")]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=8.5)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def at_a_glance(prog: pd.DataFrame):
    """Actual as % of target per target with an actual, coloured by status (None if there is nothing to show)."""
    prog = prog[prog["actual_value"].notna()]
    if prog.empty:
        return None
    df = prog.assign(pct=100.0 * prog["actual_value"] / prog["target_value"]).iloc[::-1]
    labels = [f"{r.indicator_en[:48]} — {int(r.target_year)} (actual {int(r.actual_year)})" for r in df.itertuples()]
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(df) + 1.4))
    ax.barh(range(len(df)), df["pct"], color=[STATUS_COLORS[s] for s in df["status"]])
    for i, (pct, status) in enumerate(zip(df["pct"], df["status"])):
        ax.text(pct, i, f"  {pct:.0f} % · {STATUS_TEXT[status]}", va="center", fontsize=8)
    ax.axvline(100, color="#333333", lw=1)
    ax.set_yticks(range(len(df)), labels, fontsize=8)
    ax.set_xlabel("actual as % of target (100 % = target reached)")
    ax.set_xlim(0, max(df["pct"].max() * 1.35, 130))
    present = [s for s in STATUS_ORDER if s in set(df["status"])]
    ax.legend(handles=[Patch(color=STATUS_COLORS[s], label=STATUS_TEXT[s]) for s in present], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def _unit_en(unit: str) -> str:
    return {"%": "%", "家": "enterprises", "件": "items", "亿元": "100 million yuan", "万平方米": "10,000 m²",
            "个": "units", "人": "persons", "项": "items", "百分点": "percentage points"}.get(unit, "units")
