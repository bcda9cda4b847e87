"""policy-targets: numeric targets of Chinese local S&T policy documents as tidy, traceable data.

Modules by layer (data flows one way; a module imports only from its own layer or a lower one: docs/design.md,
enforced by tests/test_layers.py):
  1 core       paths (file locations), errors (InputError, the CLI wrapper), fileio (CSV/YAML reading, atomic writes,
               publishing a set), lock (the one lock of every writer), schema (the columns of data/processed/ →
               docs/codebook.md), quantity (numbers, units, qualifiers as written), grades (a source's grade)
  2 inputs     registry (data/raw/sources.yml, hash check), vocab (indicators.csv), reference (regions, reference
               growth, thresholds.yml), actuals (published actuals; `python -m analysis.actuals FILE`)
  3 ingest     ingest (one declarative spec per document → observations), validate (its invariants),
               draft_spec (`make spec`)
  4 derive     growth (segments), peers (reference windows), trajectories, flags (plausibility, escalation),
               progress (target versus actual), backtest, analytics (the derived frames in order)
  5 pipeline   build (`python -m analysis.build`, `make data`), datasets (reading the published set)
  6 present    labels (words in zh/en), plots, views, progress_views, progress_plots (what the notebooks show),
               html_page (the self-contained report page)
  7 reports    reports (`python -m analysis.reports`, `make reports`), kernel (the Jupyter kernel)
"""
