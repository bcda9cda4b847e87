"""policy-targets: numeric targets of Chinese local S&T policy documents as tidy, traceable data.

Modules (data flows one way, see DESIGN.md):
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
"""
