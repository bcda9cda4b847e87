"""Plots: Chinese labels render with the project's own font (no missing glyphs), units on every axis,
bounds drawn as bounds."""
import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from analysis.pipeline import datasets  # noqa: E402
from analysis.present import labels, plots, views

CHINESE = "研发投入强度（全社会研究与开发（R&D）经费占地区生产总值（GDP）的比重）万平方米 亿元 ▲△◇┃ −5"


def render(fig) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    assert buf.getvalue()[:4] == b"\x89PNG"


@pytest.fixture(scope="module", autouse=True)
def house_style():
    plots.setup()
    yield
    matplotlib.rcdefaults()


def test_font_comes_from_the_project_wheel_not_the_system():
    path = plots.font_path()
    assert "site-packages" in str(path) and path.name == "NotoSansSC-Regular.otf"
    found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]), fallback_to_default=False)
    assert found == str(path)


def test_setup_is_idempotent():
    plots.setup()
    plots.setup()
    registered = [f for f in font_manager.fontManager.ttflist if f.fname == str(plots.font_path())]
    assert len(registered) == 1


def test_chinese_label_renders_without_missing_glyph_warning():
    fig, ax = plt.subplots()
    ax.set_title(CHINESE)
    ax.set_xlabel("年份")
    ax.plot([2014, 2020], [-5, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # "Glyph … missing from font(s)" would fail here
        render(fig)


def test_missing_glyph_warning_is_what_the_check_catches():
    """The check above can fail: without the project's font the same label warns."""
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title(CHINESE)
        with pytest.warns(UserWarning, match="missing from font"):
            render(fig)


def _obs(rows):
    base = {"source_id": "panyu-2015", "region": "番禺区", "region_en": "Panyu District", "indicator_id": "fiscal_st_spending",
            "indicator_zh": "财政科技经费投入", "indicator_en": "Fiscal S&T spending", "measure": "level", "unit": "亿元",
            "value_low": float("nan")}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_growth_paths_draws_bounds_as_bounds_with_units_on_every_axis():
    obs = _obs([
        {"year": 2014, "value": 2.0, "kind": "actual", "bound": "eq"},
        {"year": 2016, "value": 2.5, "kind": "target", "bound": "ge"},
        {"year": 2017, "value": 2.9, "kind": "target", "bound": "gt"},
        {"year": 2018, "value": 3.2, "kind": "target", "bound": "approx"},
        {"year": 2020, "value": 4.0, "kind": "target", "bound": "range", "value_low": 3.5},
    ])
    for language, unit in (("zh", "亿元"), ("en", "100 million yuan")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig = plots.growth_paths(obs, None, language)
            legend = [t.get_text() for t in fig.legends[0].get_texts()]
            axes = [a for a in fig.axes if a.get_visible()]
            assert [a.get_ylabel() for a in axes] == [unit]
            assert [a.get_xlabel() for a in axes] == [labels.t("year", language)]
            render(fig)
        for bound in ("ge", "gt", "approx", "range"):
            assert labels.t(f"bound.{bound}", language) in legend
        assert labels.t("actual", language) in legend
    assert "▲" in labels.t("bound.ge", "en") and "at least" in labels.t("bound.ge", "en")


def test_growth_paths_from_the_processed_frames_one_panel_per_indicator():
    obs = views.select(datasets.load("observations"), "panyu-2015")
    traj = views.select(datasets.load("trajectories"), "panyu-2015")
    paths_ = obs[obs["measure"] != "growth_rate"][["indicator_id"]].drop_duplicates()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plots.growth_paths(obs, traj, "zh")
        axes = [a for a in fig.axes if a.get_visible()]
        assert len(axes) == len(paths_)
        assert all(a.get_ylabel() and a.get_xlabel() == "年份" for a in axes)
        # each panel has the fitted line of its trajectory
        assert all(a.get_lines() for a in axes)
        render(fig)


def test_empty_selection_gives_a_no_data_figure():
    empty = _obs([{"year": 2014, "value": 1.0, "kind": "actual", "bound": "eq"}]).iloc[0:0]
    fig = plots.growth_paths(empty, None, "en")
    assert any(t.get_text() == "no data" for ax in fig.axes for t in ax.texts)
    plt.close(fig)


@pytest.mark.parametrize("source_id", ["panyu-2015", None])
def test_growth_vs_reference_units_and_zones(source_id):
    frames = views.plausibility(source_id)
    bands = views.reference_bands(frames["segments"], frames["thresholds"], "en")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plots.growth_vs_reference(bands, frames["flags"], "en")
        axes = fig.axes
        assert len(axes) == bands["metric"].nunique()
        for ax in axes:
            assert "/yr" in ax.get_xlabel()
            assert len(ax.get_yticklabels()) > 0
        if source_id is None:        # rows name their region when several sources are shown
            ticks = [t.get_text() for ax in axes for t in ax.get_yticklabels()]
            assert any(t.startswith("Guangzhou 2019: ") for t in ticks) and any(t.startswith("Guangzhou 2017: ") for t in ticks)
        # one shaded zone per defined threshold
        n_zones = int(bands[["threshold_info", "threshold_warn", "threshold_alert"]].notna().sum().sum())
        assert sum(len(ax.patches) for ax in axes) == n_zones
        render(fig)


def test_coverage_chart_has_a_row_per_source():
    obs = datasets.load("observations")
    fig = plots.coverage(obs, "en")
    ax = fig.axes[0]
    assert len(ax.get_yticks()) == obs["source_id"].nunique()
    assert ax.get_xlabel() == "Year"
    render(fig)


def test_a_single_year_gets_integer_year_ticks():
    obs = _obs([{"year": 2021, "value": 3.0, "kind": "target", "bound": "approx"}])
    fig = plots.growth_paths(obs, None, "en")
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
    assert ticks == [2021.0]
    plt.close(fig)


def _panel(fig, title_part: str):
    return next(a for a in fig.axes if a.get_visible() and title_part in a.get_title())


def test_growth_panels_start_at_zero_with_whole_ticks_for_counts():
    """guangzhou-2019: the high-tech output share (43 → 51 %) and the joint platforms with Hong Kong and Macao
    (counts) are drawn from zero, every point below the top; a count has whole-number ticks."""
    obs = views.multi_year(views.select(datasets.load("observations"), "guangzhou-2019"))
    traj = views.select(datasets.load("trajectories"), "guangzhou-2019")
    fig = plots.growth_paths(obs, traj, "zh")
    for ind in ("high_tech_output_share", "hk_macao_joint_platforms"):
        rows = obs[obs["indicator_id"] == ind]
        ax = _panel(fig, labels.display_names([ind], "zh").iloc[0])
        lo, hi = ax.get_ylim()
        assert lo == 0 and hi > rows["value"].max(), (ind, lo, hi)
    ticks = _panel(fig, labels.display_names(["hk_macao_joint_platforms"], "zh").iloc[0]).get_yticks()
    assert all(float(t).is_integer() for t in ticks)
    plt.close(fig)


def test_progress_paths_start_at_zero_leave_room_above_and_count_in_whole_numbers():
    from analysis.present import progress_plots, progress_views

    run = progress_views.prepare("guangzhou-2019")
    fig = progress_plots.plan_and_actual_paths(run, language="zh")
    for ind, measure in run.progress.groupby("indicator_id")["measure"].first().items():
        ax = _panel(fig, labels.display_names([ind], "zh").iloc[0])
        shown = [v for line in ax.get_lines() for v in line.get_ydata() if pd.notna(v)]
        lo, hi = ax.get_ylim()
        assert lo == 0 and hi > max(shown), (ind, lo, hi, max(shown))           # no marker cut at the top
        if measure in ("count_stock", "count_flow"):
            assert all(float(t).is_integer() for t in ax.get_yticks()), ind
    render(fig)
