"""policy-targets: numeric targets of Chinese local S&T policy documents as tidy, traceable data.

One subpackage per stage; data flows down this list and a module imports only from its own stage or one above it in
this list (docs/design.md, enforced by tests/test_layers.py):
  core/      paths, errors, fileio (CSV/YAML, atomic writes, publishing a set), lock, schema, units (the unit table),
             numerals, quantity, grades, arrays (object arrays of words)
  inputs/    registry (sources.yml), vocab (indicators.csv), reference (regions, growth references, thresholds),
             reference_checks (every reference file against its schema), panels (provincial_panel.csv), actuals
             (+ actuals_csv: a file of actuals read as CSV; actuals_rows: the checks of its rows)
  ingest/    spec (a spec file read, its structure checked), extract (spec → observations), validate (their
             invariants), draft_spec (`make spec`)
  derive/    growth (segments), peers, yardsticks/ (common, and one module per yardstick: peers, own_history,
             provinces, national, among_plans, ceiling; table: yardsticks.csv), ambition (its arithmetic),
             trajectories, paces (what each pace is judged against), coverage, known (what was known when a plan
             was set), cross_level, sentences (zh/en parts), flags (the engine) and rules/ (base, _declines,
             _known, _links, and one module per rule: docs/methods.md's rules table lists them), progress
             (+ progress_status: one target's status steps and base; progress_measures; progress_notes: its notes
             in zh and en), backtest, plausibility
  pipeline/  build (`make data`), datasets (reading the published set), documents (the lists of documents in the docs)
  present/   labels (zh/en words), prose (the notebooks' Markdown in zh and en), plots, views, coverage (what the
             flags judged), progress_views, progress_plots,
             indicator_views, conclusions (a page's opening sentences), html_page (the report page)
  reports/   config, parameters, record, runner (one run; render), batch (several, kernels kept), index, makerules,
             narrative (the notebooks' prose cells from present/prose),
             cli (`python -m analysis.reports`), kernel
The documented commands `python -m analysis.build`, `.actuals` and `.quantity` are one-line entry
points into pipeline/build, inputs/actuals and core/quantity.
"""
