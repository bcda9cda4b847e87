"""python -m analysis.derive.rules: rewrite the rules table of docs/methods.md from the registry."""
import sys

from . import METHODS, write_methods_table

write_methods_table()
print(f"wrote the rules table of {METHODS}", file=sys.stderr)
