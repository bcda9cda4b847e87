"""The ground floor: file locations, the error type, CSV/YAML i/o and atomic writes, the project lock, the
columns of data/processed/ (the schema), reading a number with its unit, a source's grade, object arrays of
words. Imports nothing above."""
