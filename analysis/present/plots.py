"""The plots of the notebooks, with Chinese labels that render.

`setup()` registers Noto Sans SC, which the project installs itself as a PyPI wheel
(`pylopdf-fonts-zh-cn`, SIL Open Font License): no system font is assumed and nothing is fetched at run
time. Every plot function takes `language` ("zh" | "en") and labels every axis with its unit.

Marks used throughout: ● actual value; ◆ target; ▲ target stated as "at least" (以上, 不少于);
△ "more than" (超过, 突破); ◇ "about" (左右, 近); a vertical bar for a range (1~2); a dashed line for the plan
path through the stated points (hatched where its bounds leave a range); a solid line with a shaded band for a
statistical trend of four or more actuals and its 90 % prediction interval.
"""
from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, MultipleLocator

from ..core.schema import SEVERITIES
from ..inputs.registry import load_sources
from ..inputs.vocab import load_indicators
from . import labels
from .html_page import FONT_FAMILY, font_path  # noqa: F401 - font_path: the font's one home, named here too

COLORS = {"actual": "#222222", "target": "#c4501b", "fit": "#1f78b4",
          "info": "#8da0cb", "warn": "#f0a202", "alert": "#d7301f", "none": "#9e9e9e"}
# marker and fill per bound of a target (see the module docstring)
BOUND_MARKERS = {"eq": ("D", True), "ge": ("^", True), "gt": ("^", False), "approx": ("D", False), "range": ("_", True)}
MODEL_STYLES = {"exponential": "-", "linear": "--", "logistic": "-."}
PANEL_SIZE = (6.0, 3.4)   # inches per small-multiple panel


# The house style: seaborn 0.13's set_theme(context="notebook", style="whitegrid") written out as matplotlib
# settings ("deep" colour cycle; left out: seaborn's image.cmap, as no plot here draws an image, and the font sizes
# that setup() sets itself). Importing seaborn imports scipy.stats: 1-2 s in the kernel of every report.
# tests/test_plots.py checks these against seaborn's own.
HOUSE_STYLE = {
    "axes.axisbelow": True, "axes.edgecolor": ".8", "axes.facecolor": "white", "axes.grid": True,
    "axes.labelcolor": ".15", "axes.linewidth": 1.25, "axes.spines.left": True, "axes.spines.bottom": True,
    "axes.spines.right": True, "axes.spines.top": True,
    "axes.prop_cycle": mpl.cycler(color=["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3",
                                         "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"]),
    "figure.facecolor": "white", "grid.color": ".8", "grid.linestyle": "-", "grid.linewidth": 1.0,
    "lines.linewidth": 1.5, "lines.markersize": 6.0, "lines.solid_capstyle": "round",
    "patch.edgecolor": "w", "patch.force_edgecolor": True, "patch.linewidth": 1.0, "text.color": ".15",
    "font.size": 12.0, "legend.title_fontsize": 12.0,
    "xtick.bottom": False, "xtick.top": False, "xtick.color": ".15", "xtick.direction": "out",
    "xtick.labelsize": 11.0, "xtick.major.size": 6.0, "xtick.major.width": 1.25,
    "xtick.minor.size": 4.0, "xtick.minor.width": 1.0,
    "ytick.left": False, "ytick.right": False, "ytick.color": ".15", "ytick.direction": "out",
    "ytick.labelsize": 11.0, "ytick.major.size": 6.0, "ytick.major.width": 1.25,
    "ytick.minor.size": 4.0, "ytick.minor.width": 1.0,
}


def setup() -> str:
    """Register the CJK font and the house style with matplotlib; idempotent. Returns the font family."""
    path = font_path()
    if not any(Path(f.fname) == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    mpl.rcParams.update(HOUSE_STYLE)
    mpl.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [FONT_FAMILY, "DejaVu Sans"],
        "axes.unicode_minus": True,       # Noto Sans SC has U+2212 MINUS SIGN
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "figure.max_open_warning": 0,
    })
    if "inline" in mpl.get_backend():
        # Jupyter's inline backend renders each open figure itself after a cell; matplotlib's own after-cell hook
        # (its REPL display hook) would first draw every open figure once more, into a canvas nobody shows: a
        # third of a figure's time. Removed for the inline backend only (an interactive backend needs it), once the
        # backend is loaded (loading it, as the first figure would, installs the hook; with no figure open, as
        # loading closes them).
        if not plt.get_fignums():
            plt.switch_backend(mpl.get_backend())
        plt.uninstall_repl_displayhook()
    return FONT_FAMILY


def _wrap(text: str, language: str, width_zh: int = 20, width_en: int = 42) -> str:
    if language == "zh":
        return "\n".join(text[i:i + width_zh] for i in range(0, len(text), width_zh))
    return textwrap.fill(text, width_en)


def _grid(n: int, ncols: int, legend_rows: int = 1):
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows + 0.4 * legend_rows),
                             layout="constrained", squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _no_data(message: str):
    fig, ax = plt.subplots(figsize=(6, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12)
    return fig


def _names(df: pd.DataFrame, language: str) -> pd.Series:
    """Indicator names in `language`: the name as published (zh) or the vocabulary's English name (en)."""
    col = labels.name_column(language)
    if col in df.columns:
        return df[col]
    return df["indicator_id"].map(load_indicators()[col])


def _source_labels(df: pd.DataFrame, language: str) -> pd.Series:
    """Each row's source as a reader knows it: its region and the year of the document ('广州市 2019'),
    from the registry (two documents of one region stay apart)."""
    col = labels.region_column(language)
    names = {sid: f"{getattr(s, col)} {s.year}" for sid, s in load_sources().items()}
    return df["source_id"].map(names)


def _unit_label(ax, text: str, language: str) -> None:
    """The y axis's unit: horizontal in Chinese (rotated characters read sideways), rotated in English."""
    if language == "zh":
        ax.set_ylabel(text, rotation=0, ha="right", va="center", labelpad=6)
    else:
        ax.set_ylabel(text)


def growth_paths(obs: pd.DataFrame, trajectories: pd.DataFrame | None = None, language: str = "zh",
                 ncols: int = 2, models: list[str] | None = None):
    """One panel per indicator: actuals ●, targets with their bound (▲ at least, △ more than, ◇ about,
    a bar for a range), the plan path through them (hatched: the range its bounds allow) and, for paths with four
    or more actuals, the fitted trend with its 90 % prediction interval. y axis: the indicator's unit.

    Indicators whose measure is `growth_rate` (a target stated as a rate) have no path and are left
    out; they appear in the growth table."""
    labels.check_language(language)
    obs = obs[obs["measure"] != "growth_rate"]
    if obs.empty:
        return _no_data(labels.t("no_data", language))
    keys = obs[["source_id", "indicator_id"]].drop_duplicates().itertuples(index=False)
    keys = list(keys)
    many_sources = obs["source_id"].nunique() > 1
    names = _names(obs, language)
    fig, axes = _grid(len(keys), ncols)
    handles: dict[str, object] = {}
    for ax, (sid, iid) in zip(axes, keys):
        mask = (obs["source_id"] == sid) & (obs["indicator_id"] == iid)
        pts = obs[mask]
        first = pts.iloc[0]
        title = names[mask].iloc[0]
        if many_sources:
            title = f"{_source_labels(pts, language).iloc[0]}: {title}"
        if trajectories is not None and not trajectories.empty:
            tr = trajectories[(trajectories["source_id"] == sid) & (trajectories["indicator_id"] == iid)]
            if models:
                tr = tr[tr["model"].isin(models + ["plan"])]
            _draw_trajectories(ax, tr, language, handles)
        act = pts[pts["kind"] == "actual"]
        if not act.empty:
            h = ax.scatter(act["year"], act["value"], marker="o", s=42, color=COLORS["actual"], zorder=4,
                           label=labels.t("actual", language))
            handles.setdefault("actual", h)
        tgt = pts[pts["kind"] == "target"]
        for bound, rows in tgt.groupby("bound", sort=True):
            marker, filled = BOUND_MARKERS.get(bound, ("D", True))
            label = labels.t(f"bound.{bound}", language)
            if bound == "range":
                ax.vlines(rows["year"], rows["value_low"], rows["value"], color=COLORS["target"], lw=3, zorder=3)
                h = Line2D([], [], color=COLORS["target"], lw=3, label=label)
                ax.scatter(rows["year"], rows["value_low"], marker="_", s=80, color=COLORS["target"], zorder=4)
                ax.scatter(rows["year"], rows["value"], marker="_", s=80, color=COLORS["target"], zorder=4)
            else:
                h = ax.scatter(rows["year"], rows["value"], marker=marker, s=58, zorder=4, linewidths=1.6,
                               color=COLORS["target"] if filled else "white", edgecolors=COLORS["target"], label=label)
            handles.setdefault(f"bound.{bound}", h)
        ax.set_title(_wrap(str(title), language))
        ax.set_xlabel(labels.t("year", language))
        _unit_label(ax, labels.unit(first["unit"], language), language)
        years = pd.concat([pts["year"], tr["year"]]) if trajectories is not None and not trajectories.empty else pts["year"]
        pad = max(0.5, 0.06 * (years.max() - years.min()))      # a single year gets a narrow axis, not 1925–2125
        ax.set_xlim(years.min() - pad, years.max() + pad)
        ax.xaxis.set_major_locator(MultipleLocator(1) if years.max() - years.min() <= 10 else MaxNLocator(integer=True))
        ax.margins(y=0.12)
        _limit_y(ax, pts, tr if trajectories is not None and not trajectories.empty else None, first["measure"])
        if first["measure"] in ("count_stock", "count_flow"):
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))      # no 0.2 家
    order = (["actual"] + [f"bound.{b}" for b in BOUND_MARKERS] + ["plan", "plan.bounds"]
             + [k for k in handles if k.startswith(labels.t("fit", language))] + ["band"])
    hs = [handles[k] for k in order if k in handles]
    fig.legend(handles=hs, loc="outside upper center", ncols=min(len(hs), 4), frameon=False)
    return fig


def _draw_trajectories(ax, tr: pd.DataFrame, language: str, handles: dict) -> None:
    """The plan path (dashed, through the stated points) with the range its bounds allow (hatched, where both
    ends are closed), and any statistical fit of four or more actuals with its 90 % prediction interval (shaded).
    No band is drawn from fewer points: trajectories.csv carries none (analysis/derive/trajectories.py)."""
    for model, line in tr.groupby("model", sort=True):
        line = line.sort_values("year")
        if model == "plan":
            h, = ax.plot(line["year"], line["fitted"], "--", color=COLORS["target"], lw=1.2, alpha=0.8, zorder=2,
                         label=labels.t("plan", language))
            handles.setdefault("plan", h)
            band = line[line["lower"].notna() & line["upper"].notna() & (line["upper"] > line["lower"])]
            if not band.empty:
                ax.fill_between(band["year"], band["lower"], band["upper"], facecolor="none", edgecolor=COLORS["target"],
                                hatch="///", alpha=0.35, lw=0, zorder=1)
                handles.setdefault("plan.bounds", Patch(facecolor="none", edgecolor=COLORS["target"], hatch="///",
                                                        alpha=0.35, label=labels.t("plan.bounds", language)))
            continue
        style = MODEL_STYLES.get(model, ":")
        label = f"{labels.t('fit', language)} ({labels.t('model.' + model, language) if 'model.' + model in labels.TEXT else model})"
        h, = ax.plot(line["year"], line["fitted"], style, color=COLORS["fit"], lw=1.6, label=label, zorder=2)
        handles.setdefault(label, h)
        band = line.dropna(subset=["lower", "upper"])
        if not band.empty:
            ax.fill_between(band["year"], band["lower"], band["upper"], color=COLORS["fit"], alpha=0.15, lw=0, zorder=1)
            handles.setdefault("band", Patch(color=COLORS["fit"], alpha=0.15, label=labels.t("fit.band", language)))


def _limit_y(ax, pts: pd.DataFrame, tr: pd.DataFrame | None, measure: str) -> None:
    """Levels, counts and shares from zero (growth is not exaggerated); the top at 1.35 × the largest point
    or fitted value, so that a wide interval (three points, fast growth) cannot squash the path to a line."""
    values = pts["value"]
    if tr is not None and not tr.empty:
        values = pd.concat([values, tr["fitted"]])
    top = float(np.nanmax(values.to_numpy(dtype=float))) if len(values) else 1.0
    if (values >= 0).all():
        top = top * 1.35 if top > 0 else 1.0
        if measure == "share":
            top = min(top, 105.0)
        ax.set_ylim(0, top)


def coverage(obs: pd.DataFrame, language: str = "zh"):
    """Which years each source covers: one row per source, a mark per year with actuals (●) or targets (◆),
    sized and labelled by the number of indicators with a value in that year."""
    labels.check_language(language)
    if obs.empty:
        return _no_data(labels.t("no_data", language))
    region = labels.region_column(language)
    counts = (obs.groupby(["source_id", region, "kind", "year"]).size().rename("n").reset_index())
    sources = sorted(counts["source_id"].unique())
    ypos = {s: i for i, s in enumerate(sources)}
    fig, ax = plt.subplots(figsize=(11, 0.8 + 0.75 * len(sources)), layout="constrained")
    offset = {"actual": -0.12, "target": 0.12}
    for kind, marker in (("actual", "o"), ("target", "D")):
        rows = counts[counts["kind"] == kind]
        if rows.empty:
            continue
        y = rows["source_id"].map(ypos) + offset[kind]
        ax.scatter(rows["year"], y, s=70, marker=marker, color=COLORS[kind], alpha=0.9,
                   label=labels.t(kind, language), zorder=3)
        for x, yy, n in zip(rows["year"], y, rows["n"]):
            ax.annotate(str(n), (x, yy), xytext=(0, 8), textcoords="offset points", ha="center", fontsize=8)
    names = dict(zip(obs["source_id"], _source_labels(obs, language)))      # '番禺区 2015': region and year of the document
    ax.set_yticks(range(len(sources)), [names[s] for s in sources])
    ax.set_ylim(-0.6, len(sources) - 0.4)
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(labels.t("year", language))
    ax.set_title(labels.t("coverage.note", language), loc="left", fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig


ZONE_ALPHA = 0.28
SYMLOG_LINTHRESH = {"cagr": 1.0, "pp_per_year": 0.1}


def _too_fast_severity(flags: pd.DataFrame | None) -> dict:
    """{(source, indicator, start year, end year): the highest severity of its too_fast flags}."""
    fired = {}
    if flags is not None and not flags.empty:
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        for r in flags[flags["rule"] == "too_fast"].itertuples(index=False):
            key = (r.source_id, r.indicator_id, int(r.start_year), int(r.end_year))
            if rank[r.severity] >= rank.get(fired.get(key), -1):
                fired[key] = r.severity
    return fired


def growth_vs_reference(bands: pd.DataFrame, flags: pd.DataFrame | None = None, language: str = "zh"):
    """Implied annual growth of each judged segment (●, a line where a bound leaves a band) against the
    reference zones of its indicator: from the info, warn and alert thresholds upwards (views.reference_bands).
    One panel per metric (compound growth in %/yr; percentage points per year for shares), log-like x axis
    (symlog) so that 0.2 pp/yr and 10 pp/yr, or 6 %/yr and 200 %/yr, are both readable. A point is coloured
    by the severity of its `too_fast` flag."""

    labels.check_language(language)
    if bands.empty:
        return _no_data(labels.t("no_data", language))
    fired = _too_fast_severity(flags)
    metrics = [m for m in ("cagr", "pp_per_year") if (bands["metric"] == m).any()]
    many_sources = bands["source_id"].nunique() > 1
    heights = [0.9 + 0.34 * int((bands["metric"] == m).sum()) for m in metrics]
    floors = False
    bands_drawn = False
    fig, axes = plt.subplots(len(metrics), 1, figsize=(12, sum(heights) + 0.8), layout="constrained",
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics):
        b = bands[bands["metric"] == metric].reset_index(drop=True)
        tiers = [f"threshold_{t}" for t in SEVERITIES]
        values = pd.concat([b["growth"], b["growth_low"], b["growth_high"], *(b[c] for c in tiers)]).dropna()
        hi = max(float(values.max()), 0.0)
        lo = min(float(values.min()), 0.0)
        xmax = hi * 1.6 + SYMLOG_LINTHRESH[metric]
        xmin = lo * 1.6 if lo < 0 else 0
        for y, r in b.iterrows():
            edges = [(t, r[f"threshold_{t}"]) for t in SEVERITIES if pd.notna(r[f"threshold_{t}"])]
            for i, (severity, start) in enumerate(edges):
                end = edges[i + 1][1] if i + 1 < len(edges) else xmax
                ax.add_patch(plt.Rectangle((start, y - 0.42), end - start, 0.84, color=COLORS[severity], alpha=ZONE_ALPHA,
                                           lw=0, zorder=1))
            if r.get("end_bound") in ("ge", "gt"):      # a floor: growth may be higher; no line to an arbitrary end
                ax.plot([r["growth"]], [y], marker=">", ms=7, ls="none", color=COLORS["none"], zorder=2,
                        transform=mpl.transforms.offset_copy(ax.transData, fig=fig, x=9, y=0, units="points"))
                floors = True
            elif pd.notna(r["growth_low"]) and pd.notna(r["growth_high"]):    # a band with two definite ends
                ax.hlines(y, r["growth_low"], r["growth_high"], color=COLORS["none"], lw=2, zorder=2)
                bands_drawn = True
            sev = fired.get((r["source_id"], r["indicator_id"], int(r["start_year"]), int(r["end_year"])))
            ax.scatter([r["growth"]], [y], s=46, zorder=3, color=COLORS[sev] if sev else COLORS["none"],
                       edgecolors="#222222" if sev else "none", linewidths=0.8)
        names = [f"{src}: " if many_sources else "" for src in _source_labels(b, language)]
        ticks = [f"{p}{n}  {int(s)}→{int(e)}"
                 for p, n, s, e in zip(names, b["name"], b["start_year"], b["end_year"])]
        ax.set_yticks(range(len(b)), ticks)
        ax.set_ylim(len(b) - 0.5, -0.5)
        ax.set_xscale("symlog", linthresh=SYMLOG_LINTHRESH[metric], linscale=0.6)
        ax.set_xlim(xmin, xmax)
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.tick_params(axis="x", top=True, labeltop=True)      # a long figure: growth values readable at both ends
        ax.grid(axis="y", visible=False)
        unit = labels.growth_unit(b["growth_unit"].iloc[0], language)
        ax.set_xlabel(f"{labels.t('growth', language)} ({unit}; {labels.t('scale.symlog', language)})")
        ax.set_title(labels.t(f"metric.{metric}", language), loc="left")
    legend = [Patch(color=COLORS[t], alpha=ZONE_ALPHA + 0.1, label=f"{labels.t('zone', language)}: {labels.t('severity.' + t, language)}")
              for t in SEVERITIES]
    legend += [Line2D([], [], marker="o", ls="", color=COLORS["none"], label=labels.t("not_flagged", language))]
    if floors:
        legend += [Line2D([], [], marker=">", ls="", color=COLORS["none"], label=labels.t("floor", language))]
    if bands_drawn:
        legend += [Line2D([], [], ls="-", lw=2, color=COLORS["none"], label=labels.t("band", language))]
    legend += [Line2D([], [], marker="o", ls="", color=COLORS[t], markeredgecolor="#222222",
                      label=f"{labels.t('flagged', language)}: {labels.t('severity.' + t, language)}") for t in SEVERITIES]
    fig.legend(handles=legend, loc="outside upper center", ncols=4, frameon=False)
    return fig
