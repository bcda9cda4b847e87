"""The tables the notebooks show: selections of the processed frames, labelled in `language`.

Each function returns a plain DataFrame (researchers can keep working with it) or, for `styled`, a
pandas Styler that renders as a readable HTML table in JupyterLab and in the reports.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from . import labels, paths
from .errors import InputError

SEVERITIES = ("info", "warn", "alert")       # in increasing order (DESIGN.md, flags.csv)


def _as_list(value) -> list | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return list(value)


def select(df: pd.DataFrame, source_id: str | Iterable[str] | None = None, indicators: Iterable[str] | None = None,
           kind: str | None = None, name: str = "frame") -> pd.DataFrame:
    """Rows of `df` for the given source(s), indicator ids and kind (None: all). An id that `df` does not
    hold is an InputError naming it and the ids that are there."""
    if source_id is not None:
        from .registry import load_sources
        registered = load_sources()
        unknown = [s for s in _as_list(source_id) if s not in registered]
        if unknown:
            raise InputError(f"source_id {unknown} is not in the registry ({paths.SOURCES.name}); known: {sorted(registered)}")
    out = df
    for column, wanted in (("source_id", _as_list(source_id)), ("indicator_id", _as_list(indicators)), ("kind", _as_list(kind))):
        if wanted is None or column not in df.columns:
            continue
        known = set(df[column].dropna())
        unknown = [w for w in wanted if w not in known]
        if unknown and column != "source_id":     # a registered source may have no rows yet
            raise InputError(f"{name}: {column} {unknown} not found; present: {sorted(known)}")
        out = out[out[column].isin(wanted)]
    return out.reset_index(drop=True)


def at_least(flags: pd.DataFrame, severity: str | None) -> pd.DataFrame:
    """Flags at `severity` or above (info < warn < alert); None keeps all."""
    if severity is None:
        return flags
    if severity not in SEVERITIES:
        raise InputError(f"parameter 'min_severity' is {severity!r}; expected one of {SEVERITIES}")
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return flags[flags["severity"].map(rank) >= rank[severity]].reset_index(drop=True)


def flags_for_run(source_id: str | None = None, min_severity: str | None = None, thresholds: dict | None = None):
    """(flags, thresholds in force) for a report's parameters: the rules evaluated with `thresholds`
    (overrides of data/raw/reference/thresholds.yml), then the flags of `source_id` at `min_severity` or above.

    The notebook 03 shows these; the report index counts them (one place for both)."""
    from . import datasets, flags as rules, reference

    th = reference.load_thresholds(thresholds or None)
    obs = datasets.load("observations")
    fl = rules.evaluate(obs, datasets.load("segments"), th)
    fl = at_least(select(fl, source_id, name="flags"), min_severity)
    return fl, th


def flag_counts(flags: pd.DataFrame) -> dict[str, int]:
    """{'info': n, 'warn': n, 'alert': n} (every severity, zero included)."""
    counts = flags["severity"].value_counts() if len(flags) else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in SEVERITIES}


def _names(df: pd.DataFrame, language: str) -> pd.Series:
    from .plots import _names as names   # one implementation of "indicator name in a language"
    return names(df, language)


def _years(values: pd.Series) -> str:
    ys = sorted(set(int(v) for v in values))
    return ", ".join(str(y) for y in ys)


def sources(obs: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """Every registered source with its region, date, title and what it holds: indicators, number of
    actual and target values, and the years of each."""
    from .registry import load_sources

    rows = []
    for sid, src in sorted(load_sources().items()):
        o = obs[obs["source_id"] == sid]
        rows.append({
            "source_id": sid,
            "region": src.region if language == "zh" else src.region_en,
            "date": src.date,
            "title": src.title,
            "issuer": src.issuer,
            "n_indicators": o["indicator_id"].nunique(),
            "n_actuals": int((o["kind"] == "actual").sum()),
            "n_targets": int((o["kind"] == "target").sum()),
            "actual_years": _years(o.loc[o["kind"] == "actual", "year"]),
            "target_years": _years(o.loc[o["kind"] == "target", "year"]),
        })
    return relabel(pd.DataFrame(rows), language)


def indicator_years(obs: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """One row per (source, indicator): its unit and the years with an actual and with a target."""
    if obs.empty:
        return relabel(pd.DataFrame(columns=["source_id", "indicator", "unit", "actual_years", "target_years"]), language)
    df = obs.assign(indicator=_names(obs, language))
    rows = []
    for (sid, iid), g in df.groupby(["source_id", "indicator_id"], sort=False):
        rows.append({"source_id": sid, "indicator": g["indicator"].iloc[0],
                     "unit": labels.unit(g["unit"].iloc[0], language),
                     "actual_years": _years(g.loc[g["kind"] == "actual", "year"]),
                     "target_years": _years(g.loc[g["kind"] == "target", "year"])})
    return relabel(pd.DataFrame(rows), language)


def observations(obs: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """The tidy frame as a reader wants it: name, year, kind, value with unit and bound, and the quote."""
    cols = ["source_id", "indicator", "year", "kind", "bound", "value", "value_low", "unit", "value_published",
            "unit_published", "line", "quote"]
    df = obs.assign(indicator=_names(obs, language), unit=obs["unit"].map(lambda u: labels.unit(u, language)))
    return relabel(df[cols], language)


def growth(segments: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """Implied annual growth per segment, with its unit (and the band a bound implies, where there is one)."""
    if segments.empty:
        return relabel(pd.DataFrame(columns=["indicator", "segment", "period", "start_value", "end_value", "unit",
                                             "metric", "growth", "growth_band", "growth_unit"]), language)
    df = segments.assign(
        indicator=_names(segments, language),
        segment=segments["segment"].map(lambda s: labels.t(f"segment.{s}", language) if f"segment.{s}" in labels.TEXT else s),
        period=segments["start_year"].astype(int).astype(str) + "→" + segments["end_year"].astype(int).astype(str),
        unit=segments["unit"].map(lambda u: labels.unit(u, language)),
        metric=segments["metric"].map(lambda m: labels.t(f"metric.{m}", language) if f"metric.{m}" in labels.TEXT else m),
        growth_unit=segments["growth_unit"].map(lambda u: labels.growth_unit(u, language)),
        growth_band=[_band(lo, hi) for lo, hi in zip(segments.get("growth_low", pd.Series(index=segments.index, dtype=float)),
                                                      segments.get("growth_high", pd.Series(index=segments.index, dtype=float)))],
    )
    return relabel(df[["indicator", "segment", "period", "start_value", "end_value", "unit", "metric", "growth",
                       "growth_band", "growth_unit"]], language)


def _band(lo, hi) -> str:
    if pd.isna(lo) and pd.isna(hi):
        return ""
    fmt = lambda v: "" if pd.isna(v) else f"{v:,.2f}"   # noqa: E731
    return f"{fmt(lo)} – {fmt(hi)}"


def fits(trajectories: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """Per indicator and model: the fitted annual growth with its 90 % interval and the number of points."""
    cols = ["indicator", "model", "annual_growth", "growth_ci", "growth_unit", "n_points"]
    if trajectories.empty:
        return relabel(pd.DataFrame(columns=cols), language)
    one = trajectories.drop_duplicates(["source_id", "indicator_id", "model"]).reset_index(drop=True)
    df = one.assign(
        indicator=_names(one, language),
        model=one["model"].map(lambda m: labels.t(f"model.{m}", language) if f"model.{m}" in labels.TEXT else m),
        growth_ci=[_band(lo, hi) for lo, hi in zip(one["growth_ci_low"], one["growth_ci_high"])],
        growth_unit=one["growth_unit"].map(lambda u: labels.growth_unit(u, language)),
    )
    return relabel(df[cols], language)


def flags(flags: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """The flags with their reasons, most severe first."""
    cols = ["severity", "indicator", "period", "rule", "direction", "metric", "value", "threshold", "reference", "reason"]
    if flags.empty:
        return relabel(pd.DataFrame(columns=cols), language)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    df = flags.assign(
        _rank=flags["severity"].map(rank),
        indicator=_names(flags, language),
        period=flags["start_year"].astype(int).astype(str) + "→" + flags["end_year"].astype(int).astype(str),
        severity=flags["severity"].map(lambda s: labels.t(f"severity.{s}", language)),
    ).sort_values(["_rank", "source_id", "indicator_id", "start_year"], ascending=[False, True, True, True], kind="stable")
    return relabel(df[cols], language)


def relabel(df: pd.DataFrame, language: str) -> pd.DataFrame:
    """Column names as labels in `language` (columns without a label keep their name)."""
    return df.rename(columns={c: labels.t(c, language) for c in df.columns if c in labels.TEXT})


def _number(v) -> str:
    if isinstance(v, str) or pd.isna(v):
        return "" if not isinstance(v, str) else v
    if float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:,.2f}"


def styled(df: pd.DataFrame, caption: str | None = None):
    """A Styler for the reports: no index, numbers with thousands separators and at most 2 decimals,
    empty cells blank. Text from the documents is HTML-escaped."""
    numeric = [c for c in df.columns if pd.api.types.is_float_dtype(df[c])]     # years and line numbers are ints
    st = df.style.hide(axis="index").format(_number, subset=numeric, escape="html").format(
        lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else v, escape="html",
        subset=[c for c in df.columns if c not in numeric])
    st = st.set_table_styles([{"selector": "td", "props": "text-align: left; vertical-align: top;"},
                              {"selector": "th", "props": "text-align: left;"}])
    if caption:
        st = st.set_caption(caption)
    return st
