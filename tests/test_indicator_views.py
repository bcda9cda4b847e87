"""One indicator across plans (notebooks/05_indicator_across_plans.ipynb, issue 22): which indicators get a report, the
order of the plans (nation → province → city → district, then by date), and the runs reports.yml makes of them."""
import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.pipeline import datasets
from analysis.present import indicator_views
from analysis.reports import config

NOTEBOOK = "notebooks/05_indicator_across_plans.ipynb"


def test_indicators_in_plans_counts_documents_with_a_target():
    obs = datasets.load("observations")
    targets = obs[obs["kind"] == "target"]
    for n in (1, 4):
        want = sorted(i for i, g in targets.groupby("indicator_id") if g["source_id"].nunique() >= n)
        assert indicator_views.indicators_in_plans(n) == want
    assert "rd_intensity" in indicator_views.indicators_in_plans(4)


def test_plans_are_ordered_from_the_nation_down_then_by_date():
    p = indicator_views.prepare("rd_intensity")
    order = {lv: i for i, lv in enumerate(indicator_views.LEVELS)}
    keys = list(zip(p["observations"]["level"].map(order), p["observations"]["date"]))
    assert keys == sorted(keys) and p["observations"]["level"].iloc[0] == "country"
    table = indicator_views.targets(p, "en")
    assert list(table.columns) == ["source id", "level", "region", "date", "Year", "kind", "value", "bound"]
    assert table.iloc[0]["level"] == "nation" and set(table["kind"]) <= {"actual", "target"}


def test_a_rank_indicator_shows_places_not_a_growth_rate(monkeypatch):
    rank = {"source_id": "s", "region": "番禺区", "indicator_id": "r", "measure": "rank", "unit": "名次", "level": "district",
            "date": "2016", "segment": "step", "end_kind": "target", "start_year": 2015, "end_year": 2020,
            "start_value": 18.0, "end_value": 15.0, "metric": "places_per_year", "growth": -0.6, "growth_unit": "places/yr"}
    p = {"indicator_id": "rd_intensity", "unit": "名次", "segments": pd.DataFrame([rank])}
    row = indicator_views.growth(p, "en").iloc[0]
    assert row["growth unit"] == "places/yr" and row["implied annual growth"] == -0.6 and row["period"] == "2015–2020"


def test_an_indicator_without_observations_is_a_clear_error():
    with pytest.raises(InputError, match="parameter 'indicator_id' = 'no_such': not an indicator"):
        indicator_views.prepare("no_such")


def test_reports_yml_runs_one_report_per_indicator_of_four_or_more_plans(tmp_path):
    runs = [r for r in config.load_config() if r.notebook_rel == NOTEBOOK]
    assert [r.parameters for r in runs] == [{"indicator_id": i} for i in indicator_views.indicators_in_plans(4)]
    assert all(r.name == f"indicator-{r.parameters['indicator_id']}" for r in runs)
    cfg = tmp_path / "reports.yml"
    for entry, message in [("indicators: 4", r"expected \{min_plans: N\}"),
                           ("indicators: {min_plans: 2}, sources: all", "give `indicators` alone")]:
        cfg.write_text(f"reports:\n  - {{name: 'i-{{indicator_id}}', notebook: {NOTEBOOK}, {entry}}}\n", encoding="utf-8")
        with pytest.raises(InputError, match=message):
            config.load_config(cfg)
    cfg.write_text(f"reports:\n  - {{name: 'i', notebook: {NOTEBOOK}, indicators: {{min_plans: 2}}}}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"must contain \{indicator_id\} once"):
        config.load_config(cfg)
    assert (paths.ROOT / NOTEBOOK).is_file()
