"""Errors the suite raises on bad input. Each message names the file, the line or field, and what was expected."""


class InputError(ValueError):
    """A raw or user-supplied input (document, spec, vocabulary, actuals file, parameter) is not as expected."""


class SpecError(InputError):
    """An extraction spec does not match its document (anchor not found, number not where expected...)."""


class IntegrityError(InputError):
    """A raw document's bytes differ from the registry (sha256 mismatch)."""


class ValidationError(ValueError):
    """A built frame violates an invariant (quote not at its line, duplicate key, share outside 0-100...)."""
