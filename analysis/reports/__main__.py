"""`python -m analysis.reports`, the runner of `make reports` (the code: analysis/reports/runner.py)."""
import sys

from analysis.reports.runner import main

sys.exit(main())
