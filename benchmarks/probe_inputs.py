"""Probe of bad (and legitimate) inputs (issue 25): each case changes a temporary copy of the project, runs one
entry point and classifies what happened.

    python benchmarks/probe_inputs.py [--only SUBSTRING] [--json reports/probe_inputs.json]

Per case: `clear` (a refusal: non-zero exit, no traceback, one message naming the file or field the case
expects, under 3,000 characters), `unclear` (a refusal without the expected names, or an overlong one), `silent`
(exit 0 where a refusal was expected), `traceback`, `internal` (exit 70, "internal error"), `hang` (timeout),
`damaged` (a refused run changed data/processed/, or a repaired set differs from the committed one), and for a
legitimate variant `ok` or `wrongly refused`. The goal: silent, traceback, internal, hang and damaged all 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
DATA = [PY, "-m", "analysis.build"]
CHECK = [PY, "-m", "analysis.reports", "check"]
# what a notebook or a script calls, run as the entry points run (analysis.core.errors.run_cli: one line, no traceback)
VERSION = [
    PY,
    "-c",
    "import sys; from analysis.core.errors import run_cli; from analysis.reports import record; "
    "sys.exit(run_cli('data version', lambda: print(record.data_version()) or 0))",
]
LOAD = [
    PY,
    "-c",
    "import sys; from analysis.core.errors import run_cli; from analysis.pipeline import datasets; "
    "sys.exit(run_cli('datasets.load', lambda: print(len(datasets.load('observations'))) or 0))",
]
KEPT_SOURCE = [PY, "-c", "import sys; from analysis.core.errors import run_cli; from analysis.inputs import actuals; "
               "sys.exit(run_cli('actuals', lambda: 0 if actuals.load_published()['source'].str.contains("
               "'another-source', regex=False).any() else 1))"]
RUN_QUEUED = [PY, "-m", "analysis.reports", "run", "--queued"]
TIMEOUT = 120


@dataclass
class Case:
    name: str
    group: str
    mutate: object  # f(root: Path) -> None
    command: list
    needles: tuple = ()  # what the message must name
    expect: str = "refuse"  # refuse | accept | repair | same_version
    env: dict = field(default_factory=dict)
    shell: str | None = None  # a shell prefix (ulimit…)


# ---------------------------------------------------------------------------------------------- helpers
def text(root, rel) -> str:
    return (root / rel).read_text(encoding="utf-8")


def write(root, rel, content: str, encoding="utf-8"):
    (root / rel).write_bytes(content.encode(encoding))


def edit(rel, old, new, count=1):
    def mutate(root):
        t = text(root, rel)
        assert old in t, (rel, old)
        write(root, rel, t.replace(old, new, count))

    return mutate


def csv_edit(rel, line_no, col, value, bump=True):
    """Set one cell (1-based line of the file, column name) with the csv module; `bump`: update provenance.yml."""

    def mutate(root):
        import csv
        import io

        rows = list(csv.reader(io.StringIO(text(root, rel), newline="")))
        rows[line_no - 1][rows[0].index(col)] = value
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows(rows)
        write(root, rel, out.getvalue())
        if bump:
            bump_provenance(root, Path(rel).name)

    return mutate


def bump_provenance(root, name):
    import hashlib
    import re

    prov = root / "data/raw/reference/provenance.yml"
    t = prov.read_text(encoding="utf-8")
    digest = hashlib.sha256((root / "data/raw/reference" / name).read_bytes()).hexdigest()
    t = re.sub(rf"(- file: {re.escape(name)}\n  sha256: )[0-9a-f]{{64}}", rf"\g<1>{digest}", t)
    prov.write_text(t, encoding="utf-8")


def both(*mutations):
    def mutate(root):
        for m in mutations:
            m(root)

    return mutate


BOMB = "".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
        *[f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)],
    ]
)


def bomb_in(rel, after_first_line=False):
    def mutate(root):
        write(root, rel, BOMB + text(root, rel) if after_first_line else BOMB)

    return mutate


def fifo(rel):
    def mutate(root):
        p = root / rel
        p.unlink()
        os.mkfifo(p)

    return mutate


def link_to(rel, target):
    def mutate(root):
        p = root / rel
        p.unlink()
        p.symlink_to(target)

    return mutate


def delete_row(rel, k=5):
    def mutate(root):
        lines = text(root, rel).split("\n")
        del lines[min(k, len(lines) - 2)]           # a data row even of a short file (the last line is empty)
        write(root, rel, "\n".join(lines))

    return mutate


def conflict(rel):
    def mutate(root):
        lines = text(root, rel).split("\n")
        lines[3:3] = ["<<<<<<< HEAD", lines[3], "=======", lines[3].replace("1", "2"), ">>>>>>> other"]
        write(root, rel, "\n".join(lines))

    return mutate


def reports_yml(entry: str):
    return lambda root: write(root, "reports.yml", "reports:\n" + entry)


def thresholds_edit(old, new):
    return edit("data/raw/reference/thresholds.yml", old, new)


def remove_parameter(name):
    def mutate(root):
        import re

        rel = "data/raw/reference/thresholds.yml"
        t = text(root, rel)
        t2 = re.sub(rf"\n  {name}:\n(?:    .*\n|      .*\n)+", "\n", t)
        assert t2 != t
        write(root, rel, t2)

    return mutate


def spec_add(source, yaml_text):
    return edit(f"data/raw/specs/{source}.yml", "\nignore:\n", f"\nignore:\n{yaml_text}")


PANEL = "data/raw/reference/regional_panel.csv"
REGIONS = "data/raw/reference/regions.csv"
LINKS = "data/raw/reference/indicator_links.csv"
REFS = "data/raw/reference/growth_references.csv"
TH = "data/raw/reference/thresholds.yml"
PUB = "data/raw/actuals/published_actuals.csv"


# ---------------------------------------------------------------------------------------------- the cases
def cases() -> list[Case]:
    c = []
    add = c.append
    # --- 1. reports never publish damaged data -------------------------------------------------------------------
    for name in ("observations.csv", "flags.csv", "progress.csv"):
        for cmd, label in ((VERSION, "data version"), (LOAD, "datasets.load"), (RUN_QUEUED, "analysis.reports run")):
            if name != "observations.csv" and cmd is LOAD:
                continue
            add(
                Case(
                    f"processed {name}: merge-conflict markers → {label}",
                    "processed",
                    conflict(f"data/processed/{name}"),
                    cmd,
                    (name, "make data"),
                )
            )
            add(
                Case(
                    f"processed {name}: a row deleted by hand → {label}",
                    "processed",
                    delete_row(f"data/processed/{name}"),
                    cmd,
                    (name, "make data"),
                )
            )
    add(
        Case(
            "processed: manifest deleted → data version",
            "processed",
            lambda r: (r / "data/processed/manifest.sha256").unlink(),
            VERSION,
            ("manifest.sha256",),
        )
    )
    add(
        Case(
            "processed: manifest garbled → data version",
            "processed",
            lambda r: write(r, "data/processed/manifest.sha256", "<<<<<<< HEAD\n"),
            VERSION,
            ("manifest.sha256", "line 1"),
        )
    )
    add(
        Case(
            "processed: a listed file deleted → data version",
            "processed",
            lambda r: (r / "data/processed/flags.csv").unlink(),
            VERSION,
            ("flags.csv", "missing"),
        )
    )
    add(
        Case(
            "processed: interrupted update journal → data version",
            "processed",
            lambda r: write(r, "data/processed/.publish-pending.json", '{"files": []}\n'),
            VERSION,
            ("interrupted",),
        )
    )
    add(
        Case(
            "processed: a stray CSV does not change the data version",
            "processed",
            lambda r: write(r, "data/processed/stray.csv", "a\n1\n"),
            VERSION,
            expect="same_version",
        )
    )
    add(
        Case(
            "processed: a stray CSV named 'a b $(x).csv' does not change the data version",
            "processed",
            lambda r: write(r, "data/processed/a b $(x).csv", "a\n1\n"),
            VERSION,
            expect="same_version",
        )
    )
    for name, mutate in (
        ("merge-conflict markers in observations.csv", conflict("data/processed/observations.csv")),
        ("a row deleted from segments.csv", delete_row("data/processed/segments.csv")),
        ("manifest deleted", lambda r: (r / "data/processed/manifest.sha256").unlink()),
    ):
        add(
            Case(
                f"make reports' data step: {name} → rebuilt",
                "processed",
                mutate,
                ["make", "--no-print-directory", "reports/.build/data.built"],
                expect="repair",
            )
        )
    for fname in ("a b.txt", "x$(shell touch pwned).txt", "c:d.txt", "e'f.txt"):
        add(
            Case(
                f"make reports' data step: a file in data/raw/ named {fname!r}",
                "processed",
                lambda r, f=fname: write(r, f"data/raw/actuals/{f}", "x\n"),
                ["make", "--no-print-directory", "reports/.build/data.built"],
                expect="accept",
            )
        )

    # --- 2. resource exhaustion ------------------------------------------------------------------------------
    for rel, cmd in (
        ("data/raw/sources.yml", DATA),
        ("reports.yml", CHECK),
        (TH, DATA),
        ("data/raw/specs/panyu-2015.yml", DATA),
        ("data/raw/reference/provenance.yml", DATA),
        ("data/raw/specs/_common.yml", DATA),
    ):
        add(Case(f"YAML alias bomb in {rel}", "exhaustion", bomb_in(rel), cmd, (Path(rel).name, "alias")))
    add(
        Case(
            "YAML merge key (<<: *x) in sources.yml",
            "exhaustion",
            lambda r: write(r, "data/raw/sources.yml", "x: &x {a: 1}\ny:\n  <<: *x\n"),
            DATA,
            ("sources.yml", "alias"),
        )
    )
    add(
        Case(
            "YAML nested 5,000 deep in thresholds.yml",
            "exhaustion",
            lambda r: write(r, TH, "x: " + "[" * 5000 + "]" * 5000 + "\n"),
            DATA,
            ("thresholds.yml", "nested"),
        )
    )
    add(
        Case(
            "YAML nested 5,000 deep in reports.yml",
            "exhaustion",
            lambda r: write(r, "reports.yml", "reports: " + "[" * 5000 + "]" * 5000 + "\n"),
            CHECK,
            ("reports.yml", "nested"),
        )
    )
    for pattern in (
        r"(?:\D|\D\D)+\d{20}",
        r"(?:\D|\D\D|\D\D\D)+\d{25}",
        r"(?:[^0-9]|[^0-9]{2})+\d{20}",
        r"(?:.|..)+\d{40}",
    ):
        add(
            Case(
                f"spec ignore pattern with catastrophic backtracking {pattern!r}",
                "exhaustion",
                spec_add("panyu-2015", f"  - pattern: '{pattern}'\n    reason: probe\n"),
                DATA,
                ("panyu-2015.yml", "ignore[1]", "pattern"),
            )
        )
    add(
        Case(
            "spec ignore pattern that is not a regular expression",
            "exhaustion",
            spec_add("panyu-2015", "  - pattern: '(unclosed'\n    reason: probe\n"),
            DATA,
            ("panyu-2015.yml", "ignore[1]"),
        )
    )
    add(
        Case(
            "spec ignore pattern that is a number",
            "exhaustion",
            spec_add("panyu-2015", "  - pattern: 12\n    reason: probe\n"),
            DATA,
            ("panyu-2015.yml", "ignore[1]"),
        )
    )

    # --- 3. reference tables ---------------------------------------------------------------------------------
    add(
        Case(
            "regions.csv: a region its own parent",
            "reference",
            edit(REGIONS, "番禺区,Panyu District,广州市,Guangzhou", "番禺区,Panyu District,番禺区,Panyu District"),
            DATA,
            ("regions.csv", "line 2", "parent"),
        )
    )
    add(
        Case(
            "regions.csv: a parent cycle",
            "reference",
            both(
                edit(REGIONS, "广州市,Guangzhou,广东省,Guangdong,city", "广州市,Guangzhou,番禺区,Panyu District,city")
            ),
            DATA,
            ("regions.csv", "parent"),
        )
    )
    add(
        Case(
            "regions.csv: an unknown parent",
            "reference",
            edit(REGIONS, "清远市,Qingyuan,广东省", "清远市,Qingyuan,广西省"),
            DATA,
            ("regions.csv", "line 5", "parent"),
        )
    )
    add(
        Case(
            "regions.csv: an unknown level",
            "reference",
            edit(REGIONS, "Qingyuan,广东省,Guangdong,city", "Qingyuan,广东省,Guangdong,county"),
            DATA,
            ("regions.csv", "level"),
        )
    )
    add(
        Case(
            "regions.csv: a trailing space after a region",
            "reference",
            edit(REGIONS, "清远市,Qingyuan", "清远市 ,Qingyuan"),
            DATA,
            ("regions.csv", "'清远市 '"),
        )
    )
    add(
        Case(
            "regions.csv: a region twice",
            "reference",
            lambda r: write(r, REGIONS, text(r, REGIONS) + "清远市,Qingyuan,广东省,Guangdong,city\n"),
            DATA,
            ("regions.csv", "twice"),
        )
    )
    add(
        Case(
            "regions.csv: parent_en not the parent's name",
            "reference",
            edit(REGIONS, "清远市,Qingyuan,广东省,Guangdong", "清远市,Qingyuan,广东省,Canton"),
            DATA,
            ("regions.csv", "parent_en"),
        )
    )
    add(
        Case(
            "regions.csv: GB18030",
            "reference",
            lambda r: write(r, REGIONS, text(r, REGIONS), "gb18030"),
            DATA,
            ("regions.csv", "UTF-8"),
        )
    )
    add(
        Case(
            "regions.csv: header only",
            "reference",
            lambda r: write(r, REGIONS, "region,region_en,parent,parent_en,level\n"),
            DATA,
            ("regions.csv",),
        )
    )
    for label, col, value, needle in (
        ("inf", "value", "inf", "value"),
        ("a negative value", "value", "-3", "value"),
        ("year 1800", "year", "1800", "year"),
        ("a fractional year", "year", "2010.5", "year"),
        ("a future year", "year", "2990", "year"),
        ("nan", "value", "nan", "value"),
        ("an empty value", "value", "", "value"),
        ("a share above 100", "value", "250", "value"),
        ("a wrong unit", "unit", "亿元", "unit"),
        ("an unknown level", "region_level", "county", "region_level"),
        ("an unknown indicator", "indicator", "rd_intensty", "indicator"),
        ("a 100,000-character value", "value", "9" * 100000, "value"),
    ):
        add(
            Case(
                f"regional_panel.csv: {label} (provenance updated)",
                "reference",
                csv_edit(PANEL, 2, col, value),
                DATA,
                ("regional_panel.csv", "line 2", needle),
            )
        )
    add(
        Case(
            "regional_panel.csv: a fractional patent count (provenance updated)",
            "reference",
            lambda r: _panel_row(r, "invention_patent_grants", "value", "12.5"),
            DATA,
            ("regional_panel.csv", "whole"),
        )
    )
    add(
        Case(
            "regional_panel.csv: a changed value without its provenance hash",
            "reference",
            csv_edit(PANEL, 3, "value", "0.31", bump=False),
            DATA,
            ("regional_panel.csv", "provenance.yml"),
        )
    )
    add(
        Case(
            "regional_panel.csv: header only (provenance updated)",
            "reference",
            both(
                lambda r: write(r, PANEL, text(r, PANEL).split("\n")[0] + "\n"),
                lambda r: bump_provenance(r, "regional_panel.csv"),
            ),
            DATA,
            ("regional_panel.csv", "no rows"),
        )
    )
    add(
        Case(
            "regional_panel.csv: a row twice (provenance updated)",
            "reference",
            both(
                lambda r: write(r, PANEL, text(r, PANEL) + text(r, PANEL).split("\n")[1] + "\n"),
                lambda r: bump_provenance(r, "regional_panel.csv"),
            ),
            DATA,
            ("regional_panel.csv", "twice"),
        )
    )
    add(
        Case(
            "thresholds.yml: a misspelt parameter",
            "reference",
            thresholds_edit("\n  peer_min_n:\n", "\n  peer_min_nn:\n"),
            DATA,
            ("thresholds.yml", "peer_min_nn", "'peer_min_n' is missing"),
        )
    )
    add(
        Case(
            "thresholds.yml: an unknown parameter added",
            "reference",
            thresholds_edit(
                "\n  peer_min_n:\n",
                "\n  peer_max_n:\n    unit: windows\n    min: 1\n    max: 9\n    value: 2\n    label: x\n"
                "    justification: x\n    label_zh: x\n    justification_zh: x\n\n  peer_min_n:\n",
            ),
            DATA,
            ("thresholds.yml", "peer_max_n"),
        )
    )
    add(
        Case(
            "thresholds.yml: a deleted parameter",
            "reference",
            remove_parameter("too_slow_ratio_warn"),
            DATA,
            ("thresholds.yml", "too_slow_ratio_warn", "missing"),
        )
    )
    add(
        Case(
            "thresholds.yml: a future version",
            "reference",
            thresholds_edit("version: 2", "version: 3"),
            DATA,
            ("thresholds.yml", "version"),
        )
    )
    add(
        Case(
            "thresholds.yml: version as text",
            "reference",
            thresholds_edit("version: 2", "version: two"),
            DATA,
            ("thresholds.yml", "version"),
        )
    )
    add(
        Case(
            "thresholds.yml: a break for an unknown region",
            "reference",
            thresholds_edit("    - region: 广州市\n", "    - region: 广洲市\n"),
            DATA,
            ("thresholds.yml", "breaks[1]", "广洲市"),
        )
    )
    add(
        Case(
            "thresholds.yml: a break with an unknown key",
            "reference",
            thresholds_edit("      after_year: 2006\n", "      after_year: 2006\n      afterr: 1\n"),
            DATA,
            ("thresholds.yml", "breaks[1]"),
        )
    )
    add(
        Case(
            "thresholds.yml: a proxy naming an unknown indicator",
            "reference",
            thresholds_edit(
                "invention_patent_applications: invention_patent_grants",
                "invention_patent_applications: invention_patent_grantz",
            ),
            DATA,
            ("thresholds.yml", "proxies", "invention_patent_grantz"),
        )
    )
    add(
        Case(
            "thresholds.yml: excluded_marks [''] (every row)",
            "reference",
            thresholds_edit('excluded_marks: ["LOWER BOUND", "IMPLIED"]', 'excluded_marks: ["LOWER BOUND", ""]'),
            DATA,
            ("thresholds.yml", "excluded_marks"),
        )
    )
    add(
        Case(
            "thresholds.yml: an excluded mark every row of an indicator carries",
            "reference",
            thresholds_edit(
                'excluded_marks: ["LOWER BOUND", "IMPLIED"]', 'excluded_marks: ["LOWER BOUND", "IMPLIED", "; "]'
            ),
            DATA,
            ("thresholds.yml", "excluded_marks"),
        )
    )
    add(
        Case(
            "thresholds.yml: an excluded mark in every note of rd_intensity (panel updated)",
            "reference",
            both(
                _mark_all("rd_intensity", "ZZ-ALL"),
                thresholds_edit(
                    'excluded_marks: ["LOWER BOUND", "IMPLIED"]', 'excluded_marks: ["LOWER BOUND", "IMPLIED", "ZZ-ALL"]'
                ),
            ),
            DATA,
            ("thresholds.yml", "excluded_marks", "ZZ-ALL"),
        )
    )
    add(
        Case(
            "thresholds.yml: GB18030",
            "reference",
            lambda r: write(r, TH, text(r, TH), "gb18030"),
            DATA,
            ("thresholds.yml", "UTF-8"),
        )
    )
    add(
        Case(
            "thresholds.yml: an unknown section",
            "reference",
            thresholds_edit("version: 2\n", "version: 2\nceiling:\n  cagr: cagr_alert\n"),
            DATA,
            ("thresholds.yml", "ceiling"),
        )
    )
    add(
        Case(
            "thresholds.yml: a ceiling for an unknown indicator",
            "reference",
            thresholds_edit("  rd_intensity: rd_intensity_alert_pp", "  rd_intensty: rd_intensity_alert_pp"),
            DATA,
            ("thresholds.yml", "rd_intensty"),
        )
    )
    add(
        Case(
            "thresholds.yml: a national series matching no reference row",
            "reference",
            thresholds_edit(
                '{topic: basic_research_share, region: "China (national)"}',
                '{topic: basic_research_share, region: "China (nation)"}',
            ),
            DATA,
            ("thresholds.yml", "national_series"),
        )
    )
    add(
        Case(
            "thresholds.yml: a national series of an unknown indicator",
            "reference",
            thresholds_edit("  basic_research_share:\n    - {topic", "  basic_research_shar:\n    - {topic"),
            DATA,
            ("thresholds.yml", "basic_research_shar"),
        )
    )
    add(
        Case(
            "thresholds.yml: peers.levels with an unknown level",
            "reference",
            thresholds_edit("    country: []", "    nation: []"),
            DATA,
            ("thresholds.yml", "nation"),
        )
    )
    add(
        Case(
            "thresholds.yml: a value out of range",
            "reference",
            thresholds_edit("    value: 8\n", "    value: 8000\n"),
            DATA,
            ("thresholds.yml", "peer_min_n"),
        )
    )
    add(
        Case(
            "thresholds.yml: a value that is text",
            "reference",
            thresholds_edit("    value: 8\n", "    value: eight\n"),
            DATA,
            ("thresholds.yml", "peer_min_n"),
        )
    )
    add(
        Case(
            "indicator_links.csv: an unknown indicator",
            "reference",
            edit(
                LINKS,
                "rate_of,patent_applications_growth,patent_applications",
                "rate_of,patent_applications_growth,patent_aplications",
            ),
            DATA,
            ("indicator_links.csv", "line 2"),
        )
    )
    add(
        Case(
            "indicator_links.csv: a link to itself",
            "reference",
            edit(
                LINKS,
                "rate_of,patent_applications_growth,patent_applications",
                "rate_of,patent_applications,patent_applications",
            ),
            DATA,
            ("indicator_links.csv", "line 2", "itself"),
        )
    )
    add(
        Case(
            "indicator_links.csv: an unknown relation",
            "reference",
            edit(LINKS, "rate_of,patent_applications_growth", "rate,patent_applications_growth"),
            DATA,
            ("indicator_links.csv", "line 2", "relation"),
        )
    )
    add(
        Case(
            "growth_references.csv: inf annual_rate (provenance updated)",
            "reference",
            csv_edit(REFS, 2, "annual_rate", "inf"),
            DATA,
            ("growth_references.csv", "line 2", "annual_rate"),
        )
    )
    add(
        Case(
            "growth_references.csv: a fractional year (provenance updated)",
            "reference",
            csv_edit(REFS, 2, "start_year", "2000.5"),
            DATA,
            ("growth_references.csv", "line 2", "start_year"),
        )
    )
    add(
        Case(
            "growth_references.csv: an unknown rate_unit (provenance updated)",
            "reference",
            csv_edit(REFS, 2, "rate_unit", "pp"),
            DATA,
            ("growth_references.csv", "line 2", "rate_unit"),
        )
    )
    add(
        Case(
            "growth_references.csv: changed without its provenance hash",
            "reference",
            csv_edit(REFS, 2, "end_value", "3.8", bump=False),
            DATA,
            ("growth_references.csv", "provenance.yml"),
        )
    )
    add(
        Case(
            "provenance.yml: a wrong sha256",
            "reference",
            edit("data/raw/reference/provenance.yml", "sha256: 0", "sha256: 1"),
            DATA,
            ("provenance.yml",),
        )
    )

    # --- 4. smaller and unclear ------------------------------------------------------------------------------
    add(
        Case(
            "actuals: 0.1 high-tech enterprises",
            "smaller",
            _actual_value("high_tech_enterprises", "0.1"),
            DATA,
            ("published_actuals.csv", "value", "whole"),
        )
    )
    add(
        Case(
            "actuals: a repeated key with another source keeps both sources",
            "smaller",
            _repeat_actual_other_source(),
            KEPT_SOURCE,
            expect="accept",
        )
    )
    add(
        Case(
            "reports.yml: actuals_path an absolute path to a file that is not actuals",
            "smaller",
            reports_yml(
                "  - name: p\n    notebook: notebooks/04_target_vs_actual.ipynb\n    parameters: {actuals_path: /etc/hostname}\n"
            ),
            CHECK,
            ("reports.yml", "actuals_path", "/etc/hostname"),
        )
    )
    add(
        Case(
            "reports.yml: actuals_path outside the project (../)",
            "smaller",
            reports_yml(
                "  - name: p\n    notebook: notebooks/04_target_vs_actual.ipynb\n    parameters: {actuals_path: ../outside.csv}\n"
            ),
            CHECK,
            ("reports.yml", "actuals_path", "outside"),
        )
    )
    add(
        Case(
            "reports.yml: a source id with a trailing space",
            "smaller",
            reports_yml(
                "  - name: p\n    notebook: notebooks/02_growth_trajectories.ipynb\n    parameters: {source_id: 'panyu-2015 '}\n"
            ),
            CHECK,
            ("reports.yml", "'panyu-2015 '"),
        )
    )
    add(
        Case(
            "reports.yml: a 100,000-character source id",
            "smaller",
            reports_yml(
                "  - name: p\n    notebook: notebooks/02_growth_trajectories.ipynb\n    parameters: {source_id: '"
                + "x" * 100000
                + "'}\n"
            ),
            CHECK,
            ("reports.yml", "source_id"),
        )
    )
    add(
        Case(
            'spec: stop_at ""',
            "smaller",
            edit("data/raw/specs/panyu-2015.yml", "\nignore:\n", '\nstop_at: ""\nignore:\n'),
            DATA,
            ("panyu-2015.yml", "stop_at"),
        )
    )
    add(
        Case(
            "indicators.csv: two indicators with the same display name",
            "smaller",
            _same_display_name(),
            DATA,
            ("indicators.csv", "display_en"),
        )
    )
    add(
        Case(
            "indicators.csv: a $…$ display name",
            "smaller",
            _display_dollar(),
            DATA,
            ("indicators.csv", "display_en", "$"),
        )
    )
    add(
        Case(
            "indicators.csv: a display name with a trailing space",
            "smaller",
            _display_trailing_space(),
            DATA,
            ("indicators.csv", "display_en"),
        )
    )
    add(
        Case(
            "indicators.csv: a 100,000-character measure",
            "smaller",
            _vocab_cell("measure", "x" * 100000),
            DATA,
            ("indicators.csv", "measure"),
        )
    )
    add(
        Case(
            "sources.yml: script traditional on simplified text",
            "smaller",
            _script("panyu-2015", "traditional"),
            DATA,
            ("sources.yml", "panyu-2015", "script"),
        )
    )
    add(
        Case(
            "sources.yml: script simplified on traditional text",
            "smaller",
            _script("guangzhou-2019", "simplified"),
            DATA,
            ("sources.yml", "guangzhou-2019", "script"),
        )
    )
    add(
        Case(
            "sources.yml: a 100,000-character title",
            "smaller",
            _sources_field("title", "t" * 100000),
            DATA,
            expect="accept",
        )
    )
    add(
        Case(
            "sources.yml: a 100,000-character id",
            "smaller",
            _sources_field("id", "x" * 100000),
            DATA,
            ("sources.yml", "id"),
        )
    )
    add(
        Case("document: a FIFO", "smaller", fifo("data/raw/documents/panyu-2015.txt"), DATA, ("panyu-2015.txt", "FIFO"))
    )
    add(
        Case(
            "document: a link to /dev/null",
            "smaller",
            link_to("data/raw/documents/panyu-2015.txt", "/dev/null"),
            DATA,
            ("panyu-2015.txt", "device"),
        )
    )
    add(Case("sources.yml: a FIFO", "smaller", fifo("data/raw/sources.yml"), DATA, ("sources.yml", "FIFO")))
    add(
        Case(
            "sources.yml: a link to /dev/null",
            "smaller",
            link_to("data/raw/sources.yml", "/dev/null"),
            DATA,
            ("sources.yml", "device"),
        )
    )
    add(Case("thresholds.yml: a FIFO", "smaller", fifo(TH), DATA, ("thresholds.yml", "FIFO")))
    add(Case("actuals: a FIFO", "smaller", fifo(PUB), DATA, ("published_actuals.csv", "FIFO")))
    add(Case("reports.yml: a FIFO", "smaller", fifo("reports.yml"), CHECK, ("reports.yml", "FIFO")))
    add(
        Case(
            "reports.yml: actuals_path a FIFO",
            "smaller",
            both(
                lambda r: os.mkfifo(r / "data/raw/actuals/pipe.csv"),
                reports_yml(
                    "  - name: p\n    notebook: notebooks/04_target_vs_actual.ipynb\n"
                    "    parameters: {actuals_path: data/raw/actuals/pipe.csv}\n"
                ),
            ),
            CHECK,
            ("pipe.csv",),
        )
    )
    add(
        Case(
            "document: CR-only line ends (registered with its new sha256)",
            "smaller",
            _cr_only("panyu-2015"),
            DATA,
            ("panyu-2015.txt", "carriage return"),
        )
    )
    add(
        Case(
            "full disk (file size limit) while publishing data/processed/",
            "smaller",
            lambda r: write(r, "data/processed/segments.csv", "stale\n"),
            DATA,
            ("data/processed/", "kept unchanged"),
            shell="ulimit -f 20; ",
        )
    )
    return c


def _panel_row(root, indicator, col, value):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text(root, PANEL), newline="")))
    k = next(i for i, row in enumerate(rows) if row[rows[0].index("indicator")] == indicator)
    csv_edit(PANEL, k + 1, col, value)(root)


def _mark_all(indicator, mark):
    def mutate(root):
        import csv
        import io

        rows = list(csv.reader(io.StringIO(text(root, PANEL), newline="")))
        for row in rows[1:]:
            if row[rows[0].index("indicator")] == indicator:
                row[rows[0].index("notes")] += " " + mark
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows(rows)
        write(root, PANEL, out.getvalue())
        bump_provenance(root, "regional_panel.csv")

    return mutate


def _csv_rows(root, rel):
    import csv
    import io

    return list(csv.reader(io.StringIO(text(root, rel), newline="")))


def _write_rows(root, rel, rows):
    import csv
    import io

    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    write(root, rel, out.getvalue())


def _actual_value(indicator, value):
    def mutate(root):
        rows = _csv_rows(root, PUB)
        h = rows[0]
        k = next((i for i, r in enumerate(rows) if i and r[h.index("indicator")] == indicator), None)
        if k is None:  # add a row of that indicator
            new = list(rows[1])
            new[h.index("indicator")], new[h.index("unit")], new[h.index("region")] = indicator, "家", "广州市"
            new[h.index("year")] = "2016"
            rows.append(new)
            k = len(rows) - 1
        rows[k][h.index("value")] = value
        _write_rows(root, PUB, rows)

    return mutate


def _repeat_actual_other_source():
    def mutate(root):
        rows = _csv_rows(root, PUB)
        h = rows[0]
        copy = list(rows[1])
        copy[h.index("source")] = "http://example.org/another-source"
        rows.append(copy)
        _write_rows(root, PUB, rows)

    return mutate


def _vocab_cell(col, value, line=2):
    def mutate(root):
        rows = _csv_rows(root, "data/raw/indicators.csv")
        rows[line - 1][rows[0].index(col)] = value
        _write_rows(root, "data/raw/indicators.csv", rows)

    return mutate


def _same_display_name():
    def mutate(root):
        rows = _csv_rows(root, "data/raw/indicators.csv")
        i = rows[0].index("display_en")
        rows[3][i] = rows[2][i].upper()
        _write_rows(root, "data/raw/indicators.csv", rows)

    return mutate


def _display_dollar():
    def mutate(root):
        rows = _csv_rows(root, "data/raw/indicators.csv")
        i = rows[0].index("display_en")
        rows[2][i] = "$" + rows[2][i] + "$^"
        _write_rows(root, "data/raw/indicators.csv", rows)

    return mutate


def _display_trailing_space():
    def mutate(root):
        rows = _csv_rows(root, "data/raw/indicators.csv")
        i = rows[0].index("display_en")
        rows[2][i] = rows[2][i] + " "
        _write_rows(root, "data/raw/indicators.csv", rows)

    return mutate


def _sources_field(key, value):
    def mutate(root):
        import re

        t = text(root, "data/raw/sources.yml")
        t2 = re.sub(rf"(\n-? *{key}: )[^\n]*", lambda m: m[1] + json.dumps(value), t, count=1)
        assert t2 != t
        write(root, "data/raw/sources.yml", t2)

    return mutate


def _script(source, script):
    def mutate(root):
        import re

        t = text(root, "data/raw/sources.yml")
        start = t.index(f"id: {source}")
        m = re.compile(r"script: \w+").search(t, start)
        write(root, "data/raw/sources.yml", t[: m.start()] + f"script: {script}" + t[m.end() :])

    return mutate


def _cr_only(source):
    def mutate(root):
        import hashlib

        doc = root / f"data/raw/documents/{source}.txt"
        data = doc.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r")
        old = hashlib.sha256(doc.read_bytes()).hexdigest()
        doc.write_bytes(data)
        t = text(root, "data/raw/sources.yml")
        write(root, "data/raw/sources.yml", t.replace(old, hashlib.sha256(data).hexdigest()))

    return mutate


# ---------------------------------------------------------------------------------------------- running
def make_copy(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("analysis", "data", "notebooks"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"), symlinks=True)
    for name in ("Makefile", "reports.yml", "pyproject.toml", "requirements.lock"):
        shutil.copy2(ROOT / name, dest / name)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    return dest


def processed(root: Path) -> dict:
    d = root / "data/processed"
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())} if d.is_dir() else {}


def run_command(cmd: list, cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
    """How run_case runs a case's command (the tests pass their own, which starts Python commands faster)."""
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def run_case(case: Case, pristine: Path, work: Path, version0: str, run=run_command) -> dict:
    root = work / "p"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(pristine, root, symlinks=True)
    case.mutate(root)
    before = processed(root)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICY_TARGETS", "MAKE", "MFLAGS"))}
    env.update(case.env, LOCK_WAIT="30")
    cmd = case.command if not case.shell else ["bash", "-c", case.shell + " ".join(f"'{a}'" for a in case.command)]
    t0 = time.perf_counter()
    try:
        r = run(cmd, root, env, TIMEOUT)
        rc, out, err = r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        return {"name": case.name, "group": case.group, "outcome": "hang", "seconds": TIMEOUT}
    seconds = round(time.perf_counter() - t0, 1)
    result = {"name": case.name, "group": case.group, "status": rc, "seconds": seconds, "message": err.strip()[-600:]}
    missing = [n for n in case.needles if n not in err]
    if missing:
        result["missing"] = missing
    result["outcome"] = classify(case, rc, out, err, before, processed(root), processed(pristine), version0)
    return result


def classify(case: Case, rc: int, out: str, err: str, before: dict, after: dict, committed: dict, version0: str) -> str:
    """The outcome of one run (see the module's docstring)."""
    if "Traceback (most recent call last)" in out + err:
        return "traceback"
    if rc == 70 or "internal error" in out + err:
        return "internal"
    if case.expect == "accept":
        return "ok" if rc == 0 else "wrongly refused"
    if case.expect == "same_version":
        return "wrongly refused" if rc else ("ok" if out.strip() == version0 else "silent")
    if case.expect == "repair":
        fixed = {k: after.get(k) for k in committed} == committed
        return "wrongly refused" if rc else ("ok" if fixed else "damaged")
    if rc == 0:
        return "silent"
    if after != before:
        return "damaged"
    return "clear" if all(n in err for n in case.needles) and len(err) < 3000 else "unclear"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="run the cases whose name contains this text")
    parser.add_argument("--json", type=Path, default=None, help="write every case's outcome here")
    args = parser.parse_args(argv)
    chosen = [c for c in cases() if args.only in c.name]
    with tempfile.TemporaryDirectory(prefix="probe-inputs-") as tmp:
        pristine = make_copy(Path(tmp) / "pristine")
        version0 = subprocess.run(VERSION, cwd=pristine, capture_output=True, text=True).stdout.strip()
        results = []
        for case in chosen:
            res = run_case(case, pristine, Path(tmp), version0)
            results.append(res)
            flag = "" if res["outcome"] in ("clear", "ok") else "   <--"
            print(f"{res['outcome']:>15}  [{case.group}] {case.name}{flag}", flush=True)
            if flag:
                print(
                    "                 "
                    + str(res.get("missing", ""))
                    + " "
                    + res.get("message", "")[-400:].replace("\n", "\n                 ")
                )
    counts = {}
    for res in results:
        counts[res["outcome"]] = counts.get(res["outcome"], 0) + 1
    summary = {
        "inputs tried": len(results),
        "clear refusals": counts.get("clear", 0),
        "legitimate variants read right": counts.get("ok", 0),
        "unclear refusals": counts.get("unclear", 0),
        "silently accepted": counts.get("silent", 0),
        "tracebacks": counts.get("traceback", 0),
        "internal errors": counts.get("internal", 0),
        "hangs": counts.get("hang", 0),
        "damaged outputs": counts.get("damaged", 0),
        "wrongly refused": counts.get("wrongly refused", 0),
    }
    print(json.dumps(summary, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"summary": summary, "cases": results}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    bad = sum(summary[k] for k in ("silently accepted", "tracebacks", "internal errors", "hangs", "damaged outputs"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
