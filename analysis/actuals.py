"""`python -m analysis.actuals FILE`, the documented check of an actuals file (the code: analysis/inputs/actuals.py)."""
import sys

from analysis.inputs.actuals import main

if __name__ == "__main__":
    sys.exit(main())
