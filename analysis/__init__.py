"""policy-targets: numeric targets of Chinese local S&T policy documents as tidy, traceable data.

Modules (data flows one way, see DESIGN.md):
    registry   the document registry (data/raw/sources.yml) and its hash check
    vocab      the indicator vocabulary (data/raw/indicators.csv)
    numbers    parsing of numbers, units, multipliers and qualifiers as written in the documents
    ingest     the extraction engine that executes one declarative spec per document
    validate   the invariants every observations frame must satisfy
    build      `python -m analysis.build` (what `make data` runs)
"""
