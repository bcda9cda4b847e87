"""The target-versus-actual figures, their words in the page's language (analysis/present/labels.py; the notebook calls
analysis.present.plots.setup() for the house style and the CJK font).

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
from matplotlib.ticker import MaxNLocator

from ..derive.progress import COUNT_MEASURES, parent_regions
from . import labels
from .progress_views import STATUS_ORDER, ProgressRun

STATUS_COLORS = {"achieved": "#1a9850", "achieved_at_rounding": "#66bd63", "met_before_not_observed": "#78c679",
                 "met_later_not_observed": "#c2e699", "achieved_late": "#a6d96a",
                 "on_track": "#91cf60", "acceleration_needed": "#fdae61", "limited_progress": "#f46d43",
                 "deterioration": "#a50026", "missed": "#d73027", "no_data": "#bdbdbd", "not_assessable": "#969696"}
TARGET_MARKERS = {"eq": ("D", True), "ge": ("^", True), "gt": ("^", False), "approx": ("D", False), "range": ("D", True)}
COLORS = {"actual": "#222222", "target": "#c4501b", "parent": "#8c8c8c"}


def _best(actuals: pd.DataFrame, region: str, indicator: str) -> pd.DataFrame:
    a = actuals[(actuals["region"] == region) & (actuals["indicator_id"] == indicator)]
    return a.drop_duplicates("year", keep="first").sort_values("year")


def _status(code: str, language: str) -> str:
    return labels.value("status", code, language)


def plan_and_actual_paths(run: ProgressRun, ncols: int = 2, language: str = "zh"):
    """Planned against actual path for every indicator of the source that has a progress row (None if none)."""
    w = lambda key: labels.t(key, language)                                    # noqa: E731
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
        ax.plot(plan_x, plan_y, ls="--", color=COLORS["target"], lw=1.2, label=w("progress.planned_path"))
        for t in targets.itertuples():
            marker, filled = TARGET_MARKERS.get(t.bound, ("D", True))
            ax.plot([t.year], [t.value], marker=marker, ms=8, color=COLORS["target"], ls="none",
                    markerfacecolor=COLORS["target"] if filled else "white")
        act = _best(run.actuals, first["region"], ind)
        ax.plot(act["year"], act["value"], marker="o", color=COLORS["actual"], lw=1.6, label=w("progress.actual"))
        lower = act[act["bound"] == "gt"]            # published as "more than": an open circle
        ax.plot(lower["year"], lower["value"], marker="o", ls="none", color=COLORS["actual"], markerfacecolor="white")
        parent = parent_regions().get(first["region"])
        pa = _best(run.actuals, parent, ind) if parent else act.iloc[:0]
        if len(pa):
            ax.plot(pa["year"], pa["value"], marker=".", ls=":", color=COLORS["parent"], label=w("progress.parent_actual"))
        verdicts = "; ".join(f"{int(r.target_year)}: {_status(r.status, language)}" for r in rows.itertuples())
        name = labels.display_names([ind], language).iloc[0]
        ax.set_title(f"{name}\n{verdicts}", fontsize=9.5)
        ax.set_ylabel(labels.unit(first["unit"], language))
        ax.set_xlabel(w("year"))
        shown = [v for v in [*plan_y, *act["value"], *pa["value"]] if pd.notna(v)]
        top = max(shown, default=1.0)
        if min(shown, default=0.0) >= 0:             # levels, counts and shares from zero: a miss is not magnified
            top = top * 1.15 if top > 0 else 1.0     # room above the highest point, so that no marker is cut
            ax.set_ylim(0, min(top, 105.0) if first["measure"] == "share" else top)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if first["measure"] in COUNT_MEASURES:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))          # no 0.2 家
    for ax in list(axes.flat)[len(indicators):]:
        ax.set_visible(False)
    handles = [Line2D([], [], color=COLORS["actual"], marker="o", label=w("progress.legend_actual")),
               Line2D([], [], color=COLORS["target"], ls="--", marker="D", label=w("progress.legend_target")),
               Line2D([], [], color=COLORS["parent"], ls=":", marker=".", label=w("progress.parent_actual"))]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=8.5)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def at_a_glance(prog: pd.DataFrame, language: str = "zh"):
    """Actual as % of target per target with an actual, coloured by status (None if there is nothing to show). A
    `no_data` target has no bar: its only actual is from another year, which says nothing of the target's own."""
    w = lambda key: labels.t(key, language)                                    # noqa: E731
    prog = prog[prog["actual_value"].notna() & (prog["status"] != "no_data")]
    if prog.empty:
        return None
    df = prog.assign(pct=100.0 * prog["actual_value"] / prog["target_value"]).iloc[::-1]
    names = labels.display_names(df["indicator_id"], language).to_numpy()
    ticks = [f"{n} — {int(r.target_year)} ({w('progress.actual')} {int(r.actual_year)})"
             for n, r in zip(names, df.itertuples())]
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(df) + 1.4))
    ax.barh(range(len(df)), df["pct"], color=[STATUS_COLORS[s] for s in df["status"]])
    for i, (pct, status) in enumerate(zip(df["pct"], df["status"])):
        ax.text(pct, i, f"  {pct:.0f} % · {_status(status, language)}", va="center", fontsize=8)
    ax.axvline(100, color="#333333", lw=1)
    ax.set_yticks(range(len(df)), ticks, fontsize=8)
    ax.set_xlabel(w("progress.pct_of_target"))
    ax.set_xlim(0, max(df["pct"].max() * 1.35, 130))
    present = [s for s in STATUS_ORDER if s in set(df["status"])]
    ax.legend(handles=[Patch(color=STATUS_COLORS[s], label=_status(s, language)) for s in present], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
