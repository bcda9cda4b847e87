"""`python -m analysis.build`, the documented command of `make data` (the code: analysis/pipeline/build.py)."""
import sys

from analysis.pipeline.build import main

if __name__ == "__main__":
    sys.exit(main())
