"""The shape of the judging code (issue 24): no module of analysis/derive/ over 600 lines, no function there over
80 lines (ruff's C901 limits each function's complexity: pyproject.toml)."""
import ast

from analysis.core import paths

DERIVE = paths.ROOT / "analysis" / "derive"
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 600, 80
# modules over the limits when they were introduced, with the work that will bring them under
EXEMPT = {"paces.py": "_judge_rated mirrors judge_segment yardstick by yardstick (issue 21); to split next"}


def test_derive_modules_and_functions_stay_small():
    too_long = []
    for path in sorted(DERIVE.rglob("*.py")):
        if path.name in EXEMPT:
            continue
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_long.append(f"{path.name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.name}: {node.name} {length} lines")
    assert too_long == []
