"""`python -m analysis.reports`, the runner of `make reports` (the code: analysis/reports/cli.py)."""
import sys

from analysis.reports.cli import main

sys.exit(main())
