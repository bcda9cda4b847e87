"""One indicator across every plan (notebooks/05_indicator_across_plans.ipynb): its targets by level and vintage, the
growth each plan's targets imply, and the outcomes where an actual is known. `indicators_in_plans(n)` lists the
indicators that at least n plans target (reports.yml: one report each, `indicators: {min_plans: n}`)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..core.errors import InputError
from ..inputs.reference import load_regions
from ..inputs.registry import load_sources
from ..inputs.vocab import load_indicators
from ..pipeline import datasets
from . import labels, plots

LEVELS = ("country", "province", "city", "district")          # from the top down (regions.csv `level`)
LEVEL_COLOURS = {"country": "#1b4f72", "province": "#2e86c1", "city": "#d68910", "district": "#943126"}


def indicators_in_plans(min_plans: int = 4) -> list[str]:
    """The indicators that at least `min_plans` documents set a target for, in id order."""
    obs = datasets.load("observations")
    targets = obs[obs["kind"] == "target"]
    n = targets.groupby("indicator_id")["source_id"].nunique()
    return sorted(n[n >= min_plans].index)


def _plans() -> pd.DataFrame:
    """Every registered document with its level (regions.csv) and date: source_id, level, date."""
    level = dict(zip(*[load_regions()[c] for c in ("region", "level")]))
    return pd.DataFrame([{"source_id": s.id, "level": level.get(s.region, ""), "date": s.date}
                         for s in load_sources().values()])


def prepare(indicator_id: str) -> dict:
    """The observations, segments and progress rows of `indicator_id`, each with the plan's level and date, sorted from
    the nation down and by date. InputError for an indicator without observations."""
    vocab = load_indicators()
    if indicator_id not in vocab.index:
        raise InputError(f"parameter 'indicator_id' = {indicator_id!r}: not an indicator of data/raw/indicators.csv")
    plans = _plans()
    rank = {lv: i for i, lv in enumerate(LEVELS)}

    def of(name: str) -> pd.DataFrame:
        df = datasets.load(name)
        df = df[df["indicator_id"] == indicator_id].merge(plans, on="source_id", how="left")
        order = df["level"].map(rank).fillna(len(LEVELS))
        return df.assign(_order=order).sort_values(["_order", "date", "source_id"], kind="stable").drop(columns="_order")

    obs = of("observations")
    if obs.empty:
        raise InputError(f"parameter 'indicator_id' = {indicator_id!r}: no document has an observation of it")
    return {"indicator_id": indicator_id, "unit": vocab.at[indicator_id, "unit"], "observations": obs,
            "segments": of("segments"), "progress": of("progress")}


def _words(series: pd.Series, field: str, language: str) -> pd.Series:
    return series.map(lambda v: labels.value(field, v, language))


def title(p: dict, language: str = "zh"):
    """The page's heading: the indicator's display name and its unit."""
    from IPython.display import Markdown  # IPython: only inside a notebook
    name = labels.display_name(p["indicator_id"], language)
    return Markdown(f"## {name} ({labels.unit(p['unit'], language)})")


def targets(p: dict, language: str = "zh") -> pd.DataFrame:
    """Every published number of the indicator: plan (level, region, date), year, kind, value, bound."""
    o = p["observations"]
    out = pd.DataFrame({"source_id": o["source_id"], "level": _words(o["level"], "level", language),
                        "region": o["region"].map(lambda r: labels.region(r, language)), "date": o["date"],
                        "year": o["year"], "kind": _words(o["kind"], "kind", language), "value": o["value"],
                        "bound": _words(o["bound"], "bound", language)})
    return out.rename(columns={c: labels.t(c, language) for c in out.columns})


def growth(p: dict, language: str = "zh") -> pd.DataFrame:
    """The growth each plan's steps to a target imply, with its measure and unit."""
    s = p["segments"]
    s = s[(s["segment"] == "step") & (s["end_kind"] == "target")]
    out = pd.DataFrame({"source_id": s["source_id"], "level": _words(s["level"], "level", language),
                        "period": s["start_year"].astype("Int64").astype(str) + "–" + s["end_year"].astype(str),
                        "start_value": s["start_value"], "end_value": s["end_value"],
                        "metric": _words(s["metric"], "metric", language), "growth": s["growth"],
                        "growth_unit": s["growth_unit"].map(lambda u: labels.growth_unit(u, language))})
    return out.rename(columns={c: labels.t(c, language) for c in out.columns})


def outcomes(p: dict, language: str = "zh") -> pd.DataFrame:
    """Each target with a known actual: the actual and the status (analysis.derive.progress)."""
    g = p["progress"]
    out = pd.DataFrame({"source_id": g["source_id"], "level": _words(g["level"], "level", language),
                        "target_year": g["target_year"], "target": g["target_value"],
                        "actual_year": g["actual_year"].astype("Int64"), "actual": g["actual_value"],
                        "status": _words(g["status"], "status", language)})
    return out.rename(columns={c: labels.t(c, language) for c in out.columns})


def plot(p: dict, language: str = "zh"):
    """The indicator's numbers by year, one line per plan, coloured by level (● actual, ◆ target)."""
    fig, ax = plt.subplots(figsize=(9, 4.8))
    o = p["observations"]
    for sid, one in o.groupby("source_id", sort=False):
        colour = LEVEL_COLOURS.get(one["level"].iloc[0], "#555555")
        ax.plot(one["year"], one["value"], color=colour, linewidth=1, alpha=0.7,
                label=f"{sid} ({labels.value('level', one['level'].iloc[0], language)})")
        for kind, marker in (("actual", "o"), ("target", "D")):
            k = one[one["kind"] == kind]
            ax.scatter(k["year"], k["value"], color=colour, marker=marker, s=28, zorder=3)
    ax.set_xlabel(labels.t("year", language))
    ax.set_ylabel(labels.unit(p["unit"], language))
    ax.set_title(labels.display_name(p["indicator_id"], language))
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    plots.finish(fig) if hasattr(plots, "finish") else fig.tight_layout()
    return fig
