"""policy-targets: numeric targets of Chinese local S&T policy documents as tidy, traceable data.

Modules (data flows one way, see docs/design.md):
    registry   the document registry (data/raw/sources.yml) and its hash check
    vocab      the indicator vocabulary (data/raw/indicators.csv)
    numbers    parsing of numbers, units, multipliers and qualifiers as written in the documents
    ingest     the extraction engine that executes one declarative spec per document
    validate   the invariants every observations frame must satisfy
    build      `python -m analysis.build` (what `make data` runs)

Notebooks and reports (issue 5):
    labels     every label of plots and tables in Chinese and English (the notebooks' `language`)
    plots      the plots, with the project's own CJK font (Noto Sans SC wheel)
    views      the tables the notebooks show, and what a plausibility report computes
    reports    `python -m analysis.reports` (what `make reports` runs): validate, papermill, HTML, index
    kernel     `python -m analysis.kernel`: the Jupyter kernel `policy-targets` inside .venv

Target versus actual (issue 6):
    actuals         actual outcomes: `load(path)` validates a researcher's CSV; `combined(obs, extra)` adds the
                    published actuals (data/raw/actuals/) and the documents' own; `python -m analysis.actuals FILE`
    progress        progress.csv: achieved/missed, growth ratio, current-status index, quality notes, levels
    progress_views  what notebooks/04_target_vs_actual.ipynb shows (`prepare(source_id, actuals_path, thresholds)`)
    progress_plots  its figures: planned against actual path per indicator, status at a glance
"""
