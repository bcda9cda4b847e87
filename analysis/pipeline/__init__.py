"""`make data`: the stages in order, publishing data/processed/ as one set (build), and reading the published
set back (datasets)."""
