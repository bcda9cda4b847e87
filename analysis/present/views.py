"""The tables the notebooks show: selections of the processed frames, labelled in `language`.

Each function returns a plain DataFrame (researchers can keep working with it) or, for `styled`, a
pandas Styler that renders as a readable HTML table in JupyterLab and in the reports.
"""
from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..core import grades, paths
from ..core.errors import InputError
from ..core.schema import SEVERITIES, UNIT_OF_METRIC  # SEVERITIES: in increasing order (flags.csv `severity`)
from ..derive.paces import NOT_JUDGED
from ..derive.plausibility import compute
from ..inputs.reference import load_thresholds
from ..inputs.registry import load_sources
from ..pipeline import datasets
from . import coverage, labels, prose
from .progress_views import STATUS_TEXT


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


def plausibility(source_id: str | None = None, min_severity: str | None = None,
                 thresholds: dict | None = None) -> dict[str, pd.DataFrame]:
    """What a plausibility report shows, for its parameters: {"segments", "trajectories", "flags",
    "all_flags", "thresholds"} computed with `thresholds` (overrides of data/raw/reference/thresholds.yml, so the
    frames agree with each other), restricted to `source_id`, flags at `min_severity` or above.

    Without overrides these are the processed frames of `make data` (nothing is recomputed)."""

    if thresholds:            # overrides: the frames must agree with them, so compute them afresh
        out = compute(datasets.load("observations"), thresholds)
    else:                     # the defaults: what `make data` wrote (computed once per build)
        out = {name: datasets.load(name) for name in ("segments", "trajectories", "flags")}
        out["thresholds"] = load_thresholds(None)
    for name in ("segments", "trajectories", "flags"):
        out[name] = select(out[name], source_id, name=name)
    out["all_flags"] = out["flags"]                    # every severity (what the plot colours points by)
    out["flags"] = at_least(out["flags"], min_severity)
    return out


def reference_bands(segments: pd.DataFrame, thresholds: pd.DataFrame | None = None, language: str = "zh") -> pd.DataFrame:
    """The segments whose pace was judged (analysis.derive.paces: segments.csv `judged`) with the yardsticks
    that judged them: threshold_info (the peer percentile, or the fastest fitting national window), threshold_warn
    (the fastest peer window) and threshold_alert (the ceiling), empty where a severity does not apply."""
    s = segments[segments["judged"].fillna(False).astype(bool).to_numpy()
                 & segments["metric"].isin(["cagr", "pp_per_year"]).to_numpy()].reset_index(drop=True)
    peers = s["yardstick"].astype(str).str.startswith("peers")
    s["threshold_info"] = s["peer_p_info"].where(peers, s["national_max"].where(s["yardstick"] == "national"))
    # ambition among plans: the other plans' pace to reach, where the step is judged in its growth metric
    ambition = s["yardstick"].astype(str).str.startswith("ambition") & (s["metric_judged"] != "new_per_year")
    s.loc[ambition, "threshold_info"] = s.loc[ambition, "ambition_threshold"]
    s["threshold_warn"] = s["peer_max"].where(peers)
    s["threshold_alert"] = s["ceiling"]
    return s.assign(name=_names(s, language))


def flag_counts(flags: pd.DataFrame) -> dict[str, int]:
    """{'info': n, 'warn': n, 'alert': n} (every severity, zero included)."""
    counts = flags["severity"].value_counts() if len(flags) else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in SEVERITIES}


def _names(df: pd.DataFrame, language: str) -> pd.Series:
    """Each row's indicator by its display name (data/raw/indicators.csv), one name per indicator id."""
    return labels.display_names(df["indicator_id"], language).set_axis(df.index)


def _values(series: pd.Series, field: str, language: str) -> pd.Series:
    """Code values of a column in words (labels.VALUES)."""
    return series.map(lambda v: labels.value(field, v, language))


def text(key: str, language: str = "zh"):
    """A narrative block of a notebook (prose.NARRATIVE) as Markdown in `language`."""
    from IPython.display import Markdown  # IPython: only inside a notebook
    return Markdown(prose.narrative(key, language))


def _years(values: pd.Series) -> str:
    ys = sorted(set(int(v) for v in values))
    return ", ".join(str(y) for y in ys)


def sources(obs: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """Every registered source with its region, date, title and what it holds: indicators, number of
    actual and target values, and the years of each."""

    rows = []
    for sid, src in sorted(load_sources().items()):
        o = obs[obs["source_id"] == sid]
        rows.append({
            "source_id": sid,
            "region": src.region if language == "zh" else src.region_en,
            "date": src.date,
            "title": src.title if language == "zh" else f"{src.title} ({src.title_en})",
            "issuer": src.issuer if language == "zh" else f"{src.issuer} ({src.issuer_en})",
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
    for (sid, _indicator_id), g in df.groupby(["source_id", "indicator_id"], sort=False):
        rows.append({"source_id": sid, "indicator": g["indicator"].iloc[0],
                     "unit": labels.unit(g["unit"].iloc[0], language),
                     "actual_years": _years(g.loc[g["kind"] == "actual", "year"]),
                     "target_years": _years(g.loc[g["kind"] == "target", "year"])})
    return relabel(pd.DataFrame(rows), language)


def observations(obs: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """The tidy frame as a reader wants it: name, year, kind, value with unit and bound, and the quote."""
    cols = ["source_id", "indicator", "year", "kind", "bound", "value", "value_low", "unit", "name_published",
            "value_published", "unit_published", "line", "quote"]
    df = obs.assign(indicator=_names(obs, language), unit=obs["unit"].map(lambda u: labels.unit(u, language)),
                    kind=_values(obs["kind"], "kind", language), bound=_values(obs["bound"], "bound", language),
                    name_published=obs["indicator_zh"])
    return relabel(df[cols], language)


def multi_year(obs: pd.DataFrame) -> pd.DataFrame:
    """Rows of the indicators (per source) with values in two or more years: those that have a path to draw."""
    years = obs.groupby(["source_id", "indicator_id"])["year"].transform("nunique")
    return obs[(years >= 2).to_numpy() & (obs["measure"] != "growth_rate").to_numpy()].reset_index(drop=True)


def single_year(obs: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """The indicators (per source) with values in one year only, as one compact table instead of a chart each."""
    years = obs.groupby(["source_id", "indicator_id"])["year"].transform("nunique")
    one = obs[(years == 1).to_numpy() & (obs["measure"] != "growth_rate").to_numpy()].reset_index(drop=True)
    df = one.assign(indicator=_names(one, language), kind=_values(one["kind"], "kind", language),
                    bound=_values(one["bound"], "bound", language),
                    unit=one["unit"].map(lambda u: labels.unit(u, language)))
    return relabel(df[["indicator", "year", "kind", "bound", "value", "value_low", "unit", "line"]], language)


def growth(segments: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """Implied annual growth per segment, with its unit (and the band a bound implies, where there is one)."""
    if segments.empty:
        return relabel(pd.DataFrame(columns=["indicator", "segment", "period", "start_value", "end_value", "unit",
                                             "metric", "growth", "growth_unit", "growth_band", "note"]), language)
    df = segments.assign(
        indicator=_names(segments, language),
        segment=_values(segments["segment"], "segment", language),
        period=_periods(segments),
        unit=segments["unit"].map(lambda u: labels.unit(u, language)),
        metric=_values(segments["metric"], "metric", language),
        growth_unit=segments["growth_unit"].map(lambda u: labels.growth_unit(u, language)),
        note=_values(segments["note"], "segment_note", language) if "note" in segments.columns else "",
        growth_band=[_band(lo, hi, b, g) for lo, hi, b, g in zip(
            segments.get("growth_low", pd.Series(index=segments.index, dtype=float)),
            segments.get("growth_high", pd.Series(index=segments.index, dtype=float)),
            segments.get("end_bound", pd.Series(index=segments.index, dtype=object)), segments["growth"])],
    )
    return relabel(df[["indicator", "segment", "period", "start_value", "end_value", "unit", "metric", "growth",
                       "growth_unit", "growth_band", "note"]], language)


def _periods(df: pd.DataFrame) -> list[str]:
    """'2014→2017'; a stated rate without a start year reads '→2017'."""
    year = lambda v: "" if pd.isna(v) else str(int(v))   # noqa: E731
    return [f"{year(a)}→{year(b)}" for a, b in zip(df["start_year"], df["end_year"])]


def _band(lo, hi, bound=None, growth=None) -> str:
    """'2.5 – 7.1', '≥ 25' (no upper end), '≤ 3' (no lower end), '' (no band). A target stated as "at least"
    or "more than" leaves growth open above its figure: '≥ growth' / '> growth' (whatever cap the measure has)."""
    if bound in ("ge", "gt") and growth is not None and not pd.isna(growth):
        return f"{'≥' if bound == 'ge' else '>'} {_number(growth)}"
    if pd.isna(lo) and pd.isna(hi):
        return ""
    if pd.isna(hi):
        return f"≥ {_number(lo)}"
    if pd.isna(lo):
        return f"≤ {_number(hi)}"
    return f"{_number(lo)} – {_number(hi)}"


def fits(trajectories: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """Per indicator and model: the fitted annual growth with its 90 % interval and the number of points."""
    cols = ["indicator", "model", "annual_growth", "growth_ci", "growth_unit", "n_points"]
    if trajectories.empty:
        return relabel(pd.DataFrame(columns=cols), language)
    one = trajectories.drop_duplicates(["source_id", "indicator_id", "model"]).reset_index(drop=True)
    df = one.assign(
        indicator=_names(one, language),
        model=_values(one["model"], "model", language),
        growth_ci=[_band(lo, hi) for lo, hi in zip(one["growth_ci_low"], one["growth_ci_high"])],
        growth_unit=one["growth_unit"].map(lambda u: labels.growth_unit(u, language)),
    )
    return relabel(df[cols], language)


def flags(flags: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """The flags with their reasons, most severe first."""
    cols = ["severity", "indicator", "period", "rule", "direction", "value", "threshold", "metric", "reason", "reference",
            "grade"]
    if flags.empty:
        return relabel(pd.DataFrame(columns=cols), language)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    refs = _reference_lines()
    grade = [labels.value("grade", _reference_grade(r, refs), language) for r in flags["reference"]]
    df = flags.assign(
        _rank=flags["severity"].map(rank),
        indicator=_names(flags, language),
        period=_periods(flags),
        severity=_values(flags["severity"], "severity", language),
        rule=_values(flags["rule"], "rule", language),
        direction=_values(flags["direction"], "direction", language),
        metric=_values(flags["metric"], "metric", language),
        reason=[labels.flag_reason(r, language) for r in flags.to_dict("records")],
        reference=[_reference_text(r, language) for r in flags["reference"]],
        grade=grade,
    ).sort_values(["_rank", "source_id", "indicator_id", "start_year"], ascending=[False, True, True, True], kind="stable")
    for extra in ("robust", "peer_percentile"):
        if extra in flags.columns:
            cols.append(extra)
            if extra == "robust":
                df[extra] = _values(df[extra], "robust", language)
    return relabel(df[cols], language)


def coverage_table(frames: dict[str, pd.DataFrame], language: str = "zh") -> pd.DataFrame:
    """Per plan: which steps were judged against which yardstick, which not and why (analysis.present.coverage),
    counting the flags of every severity."""
    return coverage.table(frames["segments"], frames["all_flags"], language)


def flag_table(frames: dict[str, pd.DataFrame], language: str = "zh") -> pd.DataFrame:
    """Every target segment with its status (analysis.present.coverage): one row per flag shown (`frames["flags"]`,
    with the segment it speaks of, if any), and one row per target segment without a flag shown: judged plausible
    (against which yardstick, at what pace) or not judged, and why. Flagged first (most severe first), then judged,
    then not judged. With more than one plan, each row names its source and region."""
    segs, shown, all_flags = frames["segments"], frames["flags"], frames["all_flags"]
    targets = coverage.target_segments(segs)
    targets = targets.assign(status=coverage.statuses(targets, all_flags, shown))
    quiet = targets[targets["status"].to_numpy() != "flagged"]
    pace = quiet["pace_judged"].where(quiet["pace_judged"].notna(), quiet["growth"]) if "pace_judged" in quiet else quiet["growth"]
    quiet = quiet.assign(value=pace, severity=None, rule=None, direction=None, threshold=np.nan, reason=None,
                         reference=None)
    flagged = shown.assign(status="flagged")
    if "yardstick" not in flagged:
        flagged["yardstick"] = None
    rows = pd.concat([flagged, quiet[[c for c in quiet.columns if c in flagged.columns or c in (
        "not_judged_because", "not_judged_because_zh", "judged")]]], ignore_index=True)
    many = rows["source_id"].nunique() > 1
    cols = [*(["source_id", "region"] if many else []), "status", "severity", "indicator", "period", "rule",
            "direction", "value", "threshold", "metric", "yardstick", "reason", "reference", "grade"]
    if rows.empty:
        return relabel(pd.DataFrame(columns=cols), language)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    refs = _reference_lines()
    others = [y for y in coverage.yardstick_columns(rows["yardstick"]) if y not in labels.VALUES["yardstick"]]
    df = rows.assign(
        _order=[(-rank[v] if isinstance(v, str) else 0) + 10 * coverage.STATUSES.index(st)
                for v, st in zip(rows["severity"], rows["status"])],
        region=[labels.region(r, language) for r in rows["region"]],
        indicator=_names(rows, language), period=_periods(rows),
        status=[_status_words(st, why, language) for st, why in zip(
            rows["status"], rows.get("not_judged_because" if language == "en" else "not_judged_because_zh",
                                     pd.Series([None] * len(rows))))],
        severity=_values(rows["severity"], "severity", language),
        rule=_values(rows["rule"], "rule", language), direction=_values(rows["direction"], "direction", language),
        metric=_values(rows["metric"], "metric", language),
        yardstick=[coverage.yardstick_words(y, language, others) for y in rows["yardstick"]],
        reason=[labels.flag_reason(r, language) if isinstance(r.get("rule"), str) else ""
                for r in rows.to_dict("records")],
        reference=[_reference_text(r, language) for r in rows["reference"]],
        grade=[labels.value("grade", _reference_grade(r, refs), language) if isinstance(r, str) else ""
               for r in rows["reference"]],
    ).sort_values(["_order", "source_id", "indicator_id", "start_year"], kind="stable")
    return relabel(df[cols], language)


def _status_words(status: str, why, language: str) -> str:
    """'flagged', 'judged plausible', 'not judged: <why>' (`why`: segments.csv's reason in the page's language,
    not_judged_because or not_judged_because_zh; without one, the words of its kind)."""
    words = labels.value("segment_status", status, language)
    if status != "not_judged":
        return words
    reason = why if isinstance(why, str) and why else labels.value("not_judged", "other", language)
    reason = reason.removeprefix(NOT_JUDGED.get(language))             # the status says it already
    return f"{words}：{reason}" if language == "zh" else f"{words}: {reason}"


@functools.lru_cache(maxsize=1)
def _reference_lines() -> pd.DataFrame:
    """growth_references.csv with source grades, indexed by its line number in the file (header = line 1)."""
    refs = grades.reference_grades(pd.read_csv(paths.REFERENCE / "growth_references.csv"))
    return refs.set_axis(range(2, len(refs) + 2))


def _reference_line(reference) -> int | None:
    m = re.match(r"growth_references\.csv line (\d+)", reference) if isinstance(reference, str) else None
    return int(m.group(1)) if m else None


def _reference_grade(reference, refs: pd.DataFrame) -> str:
    line = _reference_line(reference)
    if line is None:
        return "document" if isinstance(reference, str) and reference.startswith("internal") else ""
    return refs.at[line, "grade"] if line in refs.index else ""


def _reference_text(reference, language: str) -> str:
    """A flag's or threshold's reference: in zh, the file and line with the address (the English description stays
    in en): 'growth_references.csv line 41 (…); http…', '<region> 2022–2023 (growth_references.csv line 59)',
    'regional_panel.csv (peer windows)', 'thresholds.yml: <name> (a judgement; see its justification)', an address."""
    if not isinstance(reference, str):
        return ""
    if reference.startswith("internal"):
        return "文件自身的数字" if language == "zh" else "the document's own figures"
    if language == "en":
        return reference
    line = _reference_line(reference) or _reference_line((re.search(r"growth_references\.csv line \d+", reference)
                                                          or [None])[0])
    if line:
        url = reference.rsplit("; ", 1)[-1] if "; http" in reference else ""
        return f"growth_references.csv 第 {line} 行" + (f"；{url}" if url else "")
    if reference == "regional_panel.csv (peer windows)":
        return "regional_panel.csv（同类地区的窗口）"
    judgement = re.fullmatch(r"thresholds\.yml: \w+ \(a judgement; see its justification\)", reference)
    return "thresholds.yml：项目的判断（见选取理由）" if judgement else reference


def references(thresholds: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """The reference rows the thresholds in force rest on: region, period, rate, where it was read, its source
    grade (analysis.core.grades) and the publisher's own address where known."""
    refs = _reference_lines()
    used = sorted({line for r in thresholds.get("reference", pd.Series(dtype=object))
                   if (line := _reference_line(r)) is not None and line in refs.index})
    cols = ["line", "region", "period", "rate", "source", "grade", "address", "publisher_address"]
    if not used:
        return relabel(pd.DataFrame(columns=cols), language)
    r = refs.loc[used]
    year = lambda v: "" if pd.isna(v) else str(int(v))   # noqa: E731
    df = pd.DataFrame({
        "line": used, "region": [labels.reference_region(v, language) for v in r["region"]],
        "period": [f"{year(a)}–{year(b)}" for a, b in zip(r["start_year"], r["end_year"])],
        "rate": [f"{_number(v)} {labels.growth_unit(UNIT_OF_METRIC.get(u, u), language)}"
                 if pd.notna(v) else "" for v, u in zip(r["annual_rate"], r["rate_unit"])],
        "source": r["source_title"].to_numpy(), "grade": _values(r["grade"], "grade", language).to_numpy(),
        "address": r["source_url"].to_numpy(), "publisher_address": r["publisher_url"].to_numpy()})
    return relabel(df, language)


def thresholds(thresholds: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """The rule parameters in force: value (marked when overridden), unit, accepted range, what it
    stands for, the reference it rests on and why it was chosen."""
    cols = ["name", "value", "unit", "overridden", "range", "label", "reference", "grade", "justification"]
    if thresholds.empty:
        return relabel(pd.DataFrame(columns=cols), language)
    zh = labels.check_language(language) == "zh"
    df = thresholds.reset_index(drop=True).assign(
        label=(thresholds["label_zh"] if zh else thresholds["label"]).to_numpy(),
        justification=(thresholds["justification_zh"] if zh else thresholds["justification"]).to_numpy(),
        unit=thresholds["unit"].map(lambda u: labels.growth_unit(u, language)).to_numpy(),
        reference=[_reference_text(r, language) for r in thresholds["reference"]],
        grade=[labels.value("grade", _reference_grade(r, _reference_lines()), language) if isinstance(r, str) and r else ""
               for r in thresholds["reference"]],
        range=[f"{lo:g} – {hi:g}" for lo, hi in zip(thresholds["min"], thresholds["max"])],
        overridden=[f"{labels.t('overridden', language)} ({d:g})" if o else "" for o, d in
                    zip(thresholds["overridden"], thresholds["default"])])
    return relabel(df[cols], language)


def flag_summary(flags: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """One row: the number of flags per severity (alert, warn, info)."""
    counts = flag_counts(flags)
    return pd.DataFrame([{labels.t(f"severity.{s}", language): counts[s] for s in reversed(SEVERITIES)}])


def relabel(df: pd.DataFrame, language: str) -> pd.DataFrame:
    """Column names as labels in `language` (columns without a label keep their name)."""
    return df.rename(columns={c: labels.t(c, language) for c in df.columns if c in labels.TEXT})


def _number(v) -> str:
    """1528 → '1,528'; 216.374 → '216.37'; 0.234 → '0.234'; 0.0123 → '0.0123': at least 2 decimals' worth
    of precision and 3 significant digits, trailing zeros dropped."""
    if isinstance(v, str):
        return v
    if v is None or pd.isna(v):
        return ""
    v = float(v)
    if v.is_integer():
        return f"{v:,.0f}"
    decimals = max(2, 2 - int(math.floor(math.log10(abs(v)))))
    return f"{v:,.{decimals}f}".rstrip("0").rstrip(".")


WIDE_TABLE_COLUMNS = 10


def styled(df: pd.DataFrame, caption: str | None = None):
    """A Styler for the reports: no index, numbers with thousands separators and at most 2 decimals,
    empty cells blank, long text (reasons, references, quotes) in wide columns that wrap anywhere (URLs
    included) and short columns that do not wrap; headers wrap only at spaces ("已观察 / 所需…" in two lines, a
    Chinese word never split), so that a table of many columns fits a 1,400 px page. Text from the documents is
    HTML-escaped. A table of more than WIDE_TABLE_COLUMNS columns breaks Chinese headers between characters."""
    numeric = [c for c in df.columns if pd.api.types.is_float_dtype(df[c])]     # years and line numbers are ints
    text = [c for c in df.columns if c not in numeric]
    st = df.style.hide(axis="index").format(_number, subset=numeric, escape="html").format(
        lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else v, escape="html", subset=text)
    # a table of many columns (the coverage table's 13) lets a Chinese header break between characters, so that its
    # columns are as narrow as their numbers and the table fits the page
    many = len(df.columns) > WIDE_TABLE_COLUMNS
    st = st.set_table_styles([{"selector": "td", "props": "text-align: left; vertical-align: top; overflow-wrap: anywhere;"},
                              {"selector": "th", "props": "text-align: left; vertical-align: bottom; "
                                                          + ("word-break: normal; min-width: 3.5em;" if many else
                                                             "word-break: keep-all;")}])
    width = {c: max((len(str(v)) for v in df[c] if not (v is None or (not isinstance(v, str) and pd.isna(v)))), default=0)
             for c in text}
    wide = "18em" if len(df.columns) <= 8 else "14em"      # a table of many columns leaves its long text less room
    for cols, props in (([c for c in text if width[c] <= 18], {"white-space": "nowrap"}),
                        ([c for c in text if 18 < width[c] <= 60], {"min-width": "8em"}),
                        ([c for c in text if width[c] > 60], {"min-width": wide})):
        if cols:
            st = st.set_properties(subset=cols, **props)
    if numeric:
        st = st.set_properties(subset=numeric, **{"white-space": "nowrap", "text-align": "right"})
    if caption:
        st = st.set_caption(caption)
    return st


def sensitivity(segments: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """Which judged segments a too_fast judgement would flag under each reasonable yardstick (docs/methods.md,
    "Margin and robustness"): peer p90, p95, p99, the fastest peer window, the fastest national window no longer than
    the segment, the ceiling. One row per segment flagged under at least one; True where that yardstick flags it."""
    s = segments[segments["judged"].fillna(False).astype(bool).to_numpy()]
    pace = s["pace_judged"] if "pace_judged" in s else s["growth"]
    yard = {"peer p90": s.get("peer_p90"), "peer p95": s.get("peer_p95"), "peer p99": s.get("peer_p99"),
            "peer max": s["peer_max"], "national": s["national_max"], "ceiling": s["ceiling"]}
    cols = {k: (pace > v + 1e-9) & v.notna() for k, v in yard.items() if v is not None}
    yes, no = ("是", "否") if language == "zh" else ("yes", "no")
    out = pd.DataFrame({"source_id": s["source_id"], "indicator": _names(s, language),
                        "period": s["start_year"].astype("Int64").astype(str) + "–" + s["end_year"].astype(str),
                        "growth": pace, "growth_unit": s["growth_unit"].map(lambda u: labels.growth_unit(u, language)),
                        **cols})
    out = out[out[list(cols)].any(axis=1)].reset_index(drop=True)
    for c in cols:
        out[c] = np.where(out[c], yes, no)
    names = {"peer p90": ("同类地区第90百分位", "peer p90"), "peer p95": ("同类地区第95百分位", "peer p95"),
             "peer p99": ("同类地区第99百分位", "peer p99"), "peer max": ("同类地区最快窗口", "fastest peer window"),
             "national": ("全国最快窗口", "fastest national window"), "ceiling": ("上限", "ceiling")}
    out = out.rename(columns={k: v[0 if language == "zh" else 1] for k, v in names.items()})
    return relabel(out, language)


DOCUMENT_LINE = re.compile(r"^([a-z0-9-]+) line (\d+): ")   # the citation of a document's own figure
# words of the progress tables (analysis/present/progress_views.py builds them in English)
PROGRESS_COLUMNS = {
    "indicator": ("指标", "indicator"), "unit": ("单位", "unit"), "target": ("目标", "target"), "base": ("基期", "base"),
    "actual": ("实际值", "actual"), "status": ("状态", "status"), "targets": ("目标个数", "targets"),
    "gap (gap %)": ("差距（%）", "gap (%)"),
    "growth observed / required (ratio)": ("已观察 / 所需年均增长（比值）", "annual growth observed / required (ratio)"),
    "current status index": ("当前状态指数", "current status index"), "quality": ("数据质量", "quality"),
    "note": ("说明", "note"), "estimate in target year": ("目标年份估计值", "estimate in target year"),
    "anticipated in target year": ("目标年份预期值", "anticipated in target year"),
    "indicator_id": ("指标编号", "indicator id"), "target_year": ("目标年份", "target year"),
    "actual_year": ("实际值年份", "actual year"), "actual_origin": ("实际值来源类型", "origin of the actual"),
    "actual_preliminary": ("初步数", "preliminary"), "actual_source": ("实际值出处", "source of the actual"),
    "base_year": ("基期年份", "base year"), "base_source": ("基期出处", "source of the base"), "grade": ("来源等级", "source grade"),
    "source_id": ("来源编号", "source id"), "region": ("地区", "region"), "bound": ("约束", "bound"),
    "target_value": ("目标值", "target value"), "actual_value": ("实际值", "actual value"),
    "parent_region": ("上级地区", "parent region"), "parent_source_id": ("上级文件", "parent document"),
    "parent_target_year": ("上级目标年份", "parent target year"), "parent_target_value": ("上级目标值", "parent target value"),
    "parent_actual_year": ("上级实际值年份", "parent actual year"), "parent_actual_value": ("上级实际值", "parent actual value"),
    "parent_status": ("上级状态", "parent status"), "parent_bound": ("上级约束", "parent bound"), "reason": ("原因", "reason"),
}


def progress_table(df: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """A table of analysis.present.progress_views in `language`: headers, status words (the English status words of
    progress_views.STATUS_TEXT and the status codes) and indicator ids as display names."""

    labels.check_language(language)
    words = {text: code for code, text in STATUS_TEXT.items()} | {code: code for code in STATUS_TEXT}
    out = df.copy()

    def status(v):      # a status code, its English words, or "achieved late (2020)"
        if not isinstance(v, str):
            return v
        if v in words:
            return labels.value("status", words[v], language)
        m = re.fullmatch(r"(.+) \((\d{4})\)", v)
        if m and m.group(1) in words:
            return f"{labels.value('status', words[m.group(1)], language)} ({m.group(2)})"
        return v

    if "status" in out.columns:
        out["status"] = out["status"].map(status)
    if "indicator" in out.columns and "indicator_id" not in out.columns and language == "zh":
        out["indicator"] = out["indicator"].map(lambda v: v.split(" (")[0] if isinstance(v, str) else v)   # zh name only
    if "unit" in out.columns:
        out["unit"] = out["unit"].map(lambda u: labels.unit(u, language))
    for col in ("bound", "parent_bound"):
        if col in out.columns:
            out[col] = out[col].map(lambda v: labels.value("bound", v, language))
    if "parent_status" in out.columns:
        out["parent_status"] = out["parent_status"].map(lambda v: labels.value("status", v, language))
    out = out.drop(columns=[c for c in ("indicator_zh", "indicator_en") if c in out.columns and "indicator_id" in out.columns])
    if "indicator_id" in out.columns and "indicator" not in out.columns:
        out.insert(0, "indicator", labels.display_names(out["indicator_id"], language).to_numpy())
        out = out.drop(columns="indicator_id")
    for col in ("region", "parent_region"):
        if col in out.columns:
            out[col] = out[col].map(lambda v: labels.region(v, language))
    for col in ("note", "quality", "reason"):     # analysis.progress writes each in both languages (col, col_zh)
        if col in out.columns:
            out[col] = out[f"{col}_zh"] if language == "zh" else out[col].map(labels.english_names)
        out = out.drop(columns=[f"{col}_zh"], errors="ignore")
    if "actual_origin" in out.columns:
        out["actual_origin"] = out["actual_origin"].map(lambda v: labels.value("origin", v, language))
    if "actual_preliminary" in out.columns:
        out["actual_preliminary"] = out["actual_preliminary"].map(lambda v: labels.value("yes_no", v, language))
    if "growth observed / required (ratio)" in out.columns:           # '1.2 / 3.4 %/yr (0.35)'
        out["growth observed / required (ratio)"] = out["growth observed / required (ratio)"].map(
            lambda v: re.sub(r"(%/yr|pp/yr)", lambda m: labels.growth_unit(m.group(1), language), v) if isinstance(v, str) else v)
    if "actual_source" in out.columns:
        origins = df["actual_origin"] if "actual_origin" in df.columns else pd.Series([None] * len(df), index=df.index)
        # a figure the plan states itself is the document, not a compilation of it: its origin stands for the grade
        out["grade"] = [labels.value("origin", "document", language) if o == "document" else
                        labels.value("grade", grades.grade(v, v) if isinstance(v, str) and v else None, language)
                        for v, o in zip(df["actual_source"], origins)]
    for col in ("actual_source", "base_source"):       # a document's own figure: "panyu-2015 line 53: …"
        if col in out.columns and language == "zh":
            out[col] = out[col].map(lambda v: DOCUMENT_LINE.sub(r"\1 第 \2 行：", v) if isinstance(v, str) else v)
    return out.rename(columns={c: labels._pick(w, language) for c, w in PROGRESS_COLUMNS.items() if c in out.columns})
