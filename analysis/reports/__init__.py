"""`make reports`: reports.yml → executed notebooks and self-contained HTML pages, the index and the make rules.

  config      reports.yml: the runs, read and checked          parameters  each run's parameters, checked
  record      how a run was made (commit, data version...)      runner      one run: execute, convert, publish
  batch       several runs, in workers that keep a kernel each  index       reports/index.html
  makerules   the make rules of every run                       cli         `python -m analysis.reports` (__main__)
  kernel      the project's Jupyter kernel, and a kept one
"""
import sys

# jsonschema (imported by nbformat, papermill, nbconvert) loads the optional IRI checker rfc3987_syntax when
# it is installed (jupyter-events brings it), which compiles 38 grammars: ~2 s in every report process, for
# a format that notebook validation never checks. Marking it absent skips only that checker.
sys.modules.setdefault("rfc3987_syntax", None)
