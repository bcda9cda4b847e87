"""The raw inputs, read and checked: the documents' registry, the indicator vocabulary, the reference tables
and thresholds, published actuals. Imports only core."""
