"""Where things live. Everything is relative to the project root, so notebooks and scripts need no path hacks."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
DOCUMENTS = RAW / "documents"
SPECS = RAW / "specs"
SOURCES = RAW / "sources.yml"
INDICATORS = RAW / "indicators.csv"
UNITS = RAW / "units.yml"
REFERENCE = RAW / "reference"
# the panels of published yearly values (analysis/inputs/panels.py, analysis/derive/peers.py)
REGIONAL_PANEL = REFERENCE / "regional_panel.csv"
PROVINCIAL_PANEL = REFERENCE / "provincial_panel.csv"
ACTUALS = RAW / "actuals"
PUBLISHED_ACTUALS = ACTUALS / "published_actuals.csv"
# every file of published actuals the project ships (provenance of each: data/raw/actuals/README.md)
PUBLISHED_ACTUAL_FILES = (PUBLISHED_ACTUALS, ACTUALS / "more_actuals_2017-2021.csv")
PROCESSED = ROOT / "data" / "processed"


def processed(name: str) -> Path:
    """data/processed/<name>.csv (its columns: analysis.core.schema.FILES[name])."""
    return PROCESSED / f"{name}.csv"


OBSERVATIONS = processed("observations")
PROGRESS = processed("progress")
RELATIVE_TARGETS = processed("relative_targets")
REPORTS = ROOT / "reports"
NOTEBOOKS = ROOT / "notebooks"
