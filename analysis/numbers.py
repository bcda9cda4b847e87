"""Deprecated name of `analysis.quantity` (kept so old imports work; `numbers` shadows the standard library's
module name, so new code imports `analysis.quantity`)."""
from .quantity import (  # noqa: F401
                       BOUNDS,
                       CANONICAL_UNITS,
                       NUMBER,
                       UNITS,
                       YEAR,
                       QuantityError,
                       Reading,
                       lookup_unit,
                       normalize,
                       number_spans,
                       parse_decimal,
                       read_number,
                       scale,
                       to_simplified,
                       year_spans,
)
