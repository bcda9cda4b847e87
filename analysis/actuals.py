"""`python -m analysis.actuals FILE`, the documented check of an actuals file (the code: analysis/inputs/actuals.py).

`from analysis import actuals` gives the module's functions too: actuals.load(path), actuals.load_published()."""
import sys

from analysis.inputs.actuals import combined, load, load_published, main  # noqa: F401 (the module's functions)

if __name__ == "__main__":
    sys.exit(main())
