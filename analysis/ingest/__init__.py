"""Documents → observations: one declarative spec per document read by one engine (extract), the invariants of
the result (validate), draft specs for a new document (draft_spec)."""
