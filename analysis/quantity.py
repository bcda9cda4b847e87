"""`python -m analysis.quantity TEXT`, the documented reading of a quantity (the code: analysis/core/quantity.py)."""
import sys

from analysis.core.quantity import main

if __name__ == "__main__":
    sys.exit(main())
