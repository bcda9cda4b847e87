"""`make reports`: reports.yml → executed notebooks and self-contained HTML pages, the index, the make rules
(runner; `python -m analysis.reports`), and the project's Jupyter kernel (kernel)."""
