"""What the target-versus-actual notebook shows: one call prepares everything for a source.

`prepare(source_id, actuals_path, thresholds)` validates the researcher's actuals file first (a bad file
raises InputError before anything else happens), combines it with the published actuals and the
documents' own, computes progress with the threshold overrides, and returns the frames the notebook
displays and plots. Progress is computed for every source at once, so the pages of several sources come from one
computation: `assess_all(actuals_path, thresholds)`, then `select(assessed, source_id)` for each. Tables are plain
DataFrames (researchers can keep working with them).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core import paths
from ..core.errors import InputError
from ..derive import backtest, progress
from ..inputs import actuals
from ..pipeline import datasets
from . import labels

STATUS_ORDER = ("achieved", "achieved_at_rounding", "met_before_not_observed", "met_later_not_observed", "achieved_late",
                "on_track", "acceleration_needed", "limited_progress", "deterioration", "missed", "no_data", "not_assessable")
STATUS_TEXT = {"achieved": "achieved", "achieved_at_rounding": "achieved (at rounding)",
               "met_before_not_observed": "met before the target year, not observed at it",
               "met_later_not_observed": "met later, the target year unknown", "achieved_late": "achieved late",
               "missed": "missed", "no_data": "no data", "not_assessable": "not assessable", "on_track": "on track",
               "acceleration_needed": "progress, acceleration needed", "limited_progress": "limited progress",
               "deterioration": "deterioration"}
BACKTEST_CAVEAT = {
    "zh": ("这是所有文件合并的回测（不只是本文件）：{n} 个目标有已知结果（{sources} 份文件），其中 {flagged} 个被标记，"
           "来自 {paths} 条不同的路径（同一路径上的几个目标共享其标记）：样本太小，无法估计被标记目标的未完成率，"
           "此表展示的是个案而不是比率。“过快”与“过慢”分开列出：“过慢”表示目标缺乏雄心，而不是不合理。"
           "没有标记的目标中，{none} 个经过增长速度的判断而未被标记（“无标记”），{not_judged} 个从未被任何速度规则判断"
           "（“未判断”：没有可比的同类窗口、全国序列或上限），不能算作“没有问题”。每增加一条有出处的实际值，此表就更有说服力。"),
    "en": ("This backtest pools every source (not only this one): {n} targets with a known outcome ({sources} sources), "
           "{flagged} of them flagged, on {paths} distinct flagged paths (the targets of one path share its flags): far "
           "too few to estimate how often flagged targets are missed; the table shows the cases, not a rate. Too fast "
           "and too slow are apart: a too-slow flag marks an unambitious target, not an implausible one. Of the "
           "unflagged targets, {none} were judged for pace and not flagged (\"none\"), {not_judged} were never judged "
           "by any pace rule (\"not judged\": no comparable peer windows, national series or ceiling), which is not "
           "the same as nothing wrong. Every cited actual added makes it more telling."),
}


@dataclass
class ProgressRun:
    source_id: str
    progress: pd.DataFrame        # progress rows of the source
    unassessed: pd.DataFrame      # its targets without a progress row, with the reason
    across_levels: pd.DataFrame   # its rows beside the parent region's (or the child's) rows
    targets: pd.DataFrame         # its targets (observations, kind == target)
    actuals: pd.DataFrame         # usable actuals of its region and the parent region (progress.usable)
    parameters: pd.DataFrame      # the thresholds in force (thresholds.yml rows: reference.load_thresholds columns)
    extra_file: str | None        # the researcher's file as the page names it (shown_path)
    backtest: pd.DataFrame        # every source's targets with a known outcome and the flags on their path


def resolve(actuals_path: str | None) -> Path | None:
    """A notebook's `actuals_path` (relative to the project root, or absolute); None or '' for none."""
    if actuals_path in (None, ""):
        return None
    if not isinstance(actuals_path, (str, Path)):
        raise InputError(f"parameter 'actuals_path' = {actuals_path!r}; expected null or the path of a CSV file")
    path = Path(actuals_path)
    return path if path.is_absolute() else paths.ROOT / path


def shown_path(path: Path) -> str:
    """A user's file as a page shows it: relative to the project root inside it, else its name alone (a page handed
    on does not carry the layout of someone's disk)."""
    try:
        return str(Path(path).resolve().relative_to(paths.ROOT.resolve()))
    except ValueError:
        return Path(path).name


@dataclass
class Assessment:
    """Progress computed once for every source (the long part of `prepare`); `select` takes one source's run from it."""
    observations: pd.DataFrame    # observations.csv
    combined: pd.DataFrame        # every actual: published, the documents' own and the researcher's (actuals.combined)
    progress: pd.DataFrame        # progress rows of every source
    unassessed: pd.DataFrame      # every source's targets without a progress row, with the reason
    across_levels: pd.DataFrame   # progress.across_levels of every source
    parameters: pd.DataFrame      # the thresholds in force
    extra_file: str | None        # the researcher's file as the page names it (shown_path)
    backtest: pd.DataFrame        # every source's targets with a known outcome and the flags on their path


def _check_source(obs: pd.DataFrame, source_id: str) -> None:
    if source_id not in set(obs["source_id"]):
        raise InputError(f"parameter 'source_id' = {source_id!r}; expected one of {sorted(set(obs['source_id']))}")


def assess_all(actuals_path: str | None = None, thresholds: dict | None = None,
               source_id: str | None = None) -> Assessment:
    """Progress of every source with the researcher's actuals and the threshold overrides (a bad actuals file, then
    an unknown `source_id` if one is given, raise InputError before anything is computed)."""
    extra_path = resolve(actuals_path)
    extra = actuals.load(extra_path) if extra_path is not None else None      # stops here on a bad file
    obs = datasets.load("observations")
    if source_id is not None:
        _check_source(obs, source_id)
    try:
        trajectories = datasets.load("trajectories")
    except InputError:
        trajectories = None
    comb = actuals.combined(obs, extra)
    table = progress.assess(obs, comb, trajectories, parameters=thresholds)
    prog = progress.progress_rows(table)
    return Assessment(
        observations=obs, combined=comb, progress=prog, unassessed=progress.unassessed_rows(table),
        across_levels=progress.across_levels(prog),
        parameters=progress.parameter_table(thresholds).reset_index(drop=True),
        extra_file=None if extra_path is None else shown_path(extra_path),
        backtest=backtest.compute(prog, datasets.load("flags"), datasets.load("segments")))


def select(assessed: Assessment, source_id: str) -> ProgressRun:
    """One source's run from the progress of every source (its own copies: a run changed does not change another)."""
    obs, prog, left, levels, comb = (assessed.observations, assessed.progress, assessed.unassessed,
                                     assessed.across_levels, assessed.combined)
    _check_source(obs, source_id)
    region = obs.loc[obs["source_id"] == source_id, "region"].iloc[0]
    parent = progress.parent_regions().get(region)
    return ProgressRun(
        source_id=source_id,
        progress=prog[prog["source_id"] == source_id].reset_index(drop=True),
        unassessed=left[left["source_id"] == source_id].reset_index(drop=True),
        across_levels=levels[(levels["source_id"] == source_id) | (levels["parent_source_id"] == source_id)].reset_index(drop=True),
        targets=obs[(obs["source_id"] == source_id) & (obs["kind"] == "target")].reset_index(drop=True),
        actuals=progress.usable(comb[comb["region"].isin([region, parent])], progress.document_years(obs)).reset_index(drop=True),
        parameters=assessed.parameters.copy(), extra_file=assessed.extra_file, backtest=assessed.backtest.copy())


def prepare(source_id: str, actuals_path: str | None = None, thresholds: dict | None = None) -> ProgressRun:
    """Everything the target-versus-actual page of `source_id` shows (select of assess_all; to prepare the pages
    of several sources, call assess_all once and select each)."""
    return select(assess_all(actuals_path, thresholds, source_id), source_id)


def _status_text(status: str, achieved_year) -> str:
    text = STATUS_TEXT[status]
    dated = ("achieved_late", "met_before_not_observed", "met_later_not_observed")
    return f"{text} ({int(achieved_year)})" if status in dated and pd.notna(achieved_year) else text


def _number(v, digits: int = 2) -> str:
    return "" if pd.isna(v) else f"{round(float(v), digits):g}"


# columns of the status table shown only where one of the page's rows has a value
OPTIONAL_COLUMNS = ("estimate in target year", "current status index", "anticipated in target year", "quality")


def status_table(prog: pd.DataFrame) -> pd.DataFrame:
    """One line per target: target, base, the actual judged (* preliminary), the status, the estimate at the target
    year where actuals bracket it, and the measures behind it (growth in %/yr for levels, pp/yr for shares): the gap
    with its percentage, observed against required growth with their ratio. Columns of OPTIONAL_COLUMNS that no row
    fills are left out, so that the table fits a page."""
    bound = {"eq": "", "ge": "≥ ", "gt": "> ", "approx": "≈ ", "range": "≤ "}
    out = pd.DataFrame({
        "indicator": prog["indicator_zh"] + " (" + prog["indicator_en"] + ")",
        "unit": prog["unit"],
        "target": [f"{bound.get(b, '')}{v:g} ({y})" for b, v, y in zip(prog["bound"], prog["target_value"], prog["target_year"])],
        "base": [f"{v:g} ({y})" if pd.notna(v) else "" for v, y in zip(prog["base_value"], prog["base_year"])],
        "actual": ["" if pd.isna(v) else f"{'> ' if b == 'gt' else ''}{v:g} ({y}){' *' if pre is True else ''}"
                   for b, v, y, pre in zip(prog["actual_bound"], prog["actual_value"], prog["actual_year"],
                                           prog["actual_preliminary"])],
        "status": [_status_text(s, y) for s, y in zip(prog["status"], prog["achieved_year"])],
        "estimate in target year": [_number(v, 4) for v in prog["estimate_at_target"]],
        "gap (gap %)": [f"{_number(g, 4)} ({_number(p, 1)} %)" if pd.notna(g) and pd.notna(p) else _number(g, 4)
                        for g, p in zip(prog["gap"], prog["gap_pct"])],
        "growth observed / required (ratio)": [
            f"{_number(o)} / {_number(r)} {u}" + (f" ({_number(q)})" if pd.notna(q) else "") if pd.notna(r) else ""
            for o, r, u, q in zip(prog["observed_growth"], prog["required_growth"], prog["growth_unit"], prog["growth_ratio"])],
        "current status index": [_number(v) for v in prog["current_status_index"]],
        "anticipated in target year": [_number(v, 4) for v in prog["anticipated_value"]],
        "quality": prog["quality_note"].fillna(""), "quality_zh": prog["quality_note_zh"].fillna(""),
        "note": prog["note"].fillna(""), "note_zh": prog["note_zh"].fillna(""),
    })
    empty = [c for c in OPTIONAL_COLUMNS if not (out[c] != "").any()]
    return out.drop(columns=empty + (["quality_zh"] if "quality" in empty else []))


def _path_words(code: str, language: str) -> str:
    """A backtest path class (backtest.path_class) in words: 过快 · 提示, too fast · info; 无标记 / none; 未判断 / not judged."""
    zh = labels.check_language(language) == "zh"
    fixed = {"none": ("无标记（已判断）", "none (judged)"), backtest.NOT_JUDGED: ("未判断", "not judged"),
             "total": ("合计", "total"), "both": ("两个方向", "both directions"), "other": ("其他规则", "other rules")}
    if code in fixed:
        return fixed[code][0 if zh else 1]
    direction, severity = code.split(":")
    d = fixed[direction][0 if zh else 1] if direction in fixed else labels.value("direction", direction, language)
    return f"{d} · {labels.value('severity', severity, language)}"


def backtest_summary(bt: pd.DataFrame, language: str = "zh") -> tuple[pd.DataFrame, str]:
    """The backtest cross-table (the path's flags, by direction and worst severity, × outcome, in `language`) and the
    caveat to print beside it: the table pools every source, n, the distinct flagged paths, none against not judged."""
    table = backtest.cross_table(bt)
    zh = labels.check_language(language) == "zh"
    table.index = [_path_words(c, language) for c in table.index]
    table.columns = [("合计" if zh else "total") if c == "total" else labels.value("status", c, language) for c in table.columns]
    table.index.name = "路径上的标记 \\ 结果" if zh else "flags on the path \\ outcome"
    return table, BACKTEST_CAVEAT[language].format(**backtest.caveat_numbers(bt))


def backtest_table(bt: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """backtest.csv as the page shows it: display names and every code value and header in `language`."""
    def words(field, codes):
        return [";".join(labels.value(field, c, language) for c in str(v).split(";") if c) if isinstance(v, str) else ""
                for v in codes]

    out = pd.DataFrame({
        "source_id": bt["source_id"], "indicator": labels.display_names(bt["indicator_id"], language).to_numpy(),
        "target_year": bt["target_year"], "outcome": words("status", bt["outcome"]),
        "path": [_path_words(backtest.path_class(r), language) for _, r in bt.iterrows()],
        "n_flags": bt["n_flags"], "rules": words("rule", bt["rules"]),
        "peer_percentile": bt["peer_percentile"]})
    return out.rename(columns={c: labels.t(c, language) for c in out.columns if c in labels.TEXT})


def counts(prog: pd.DataFrame) -> pd.DataFrame:
    """How many targets per status code (all statuses listed, zero included)."""
    c = prog["status"].value_counts().reindex(STATUS_ORDER, fill_value=0)
    return pd.DataFrame({"status": list(c.index), "targets": c.to_numpy()})


def sources_with_progress() -> list[str]:
    """Source ids that have at least one progress row (one report per such source)."""
    return sorted(set(datasets.load("progress")["source_id"]))
