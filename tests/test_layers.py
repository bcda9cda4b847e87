"""The package's layers (docs/design.md, "Layers"): every module of analysis/ has one, and no import runs upward.
Reads the imports with ast, function-level ones included."""
import ast

from analysis import paths

LAYERS = {
    1: ("paths", "errors", "fileio", "lock", "schema", "quantity", "grades"),      # core
    2: ("registry", "vocab", "reference", "actuals"),                                      # inputs
    3: ("ingest", "validate", "draft_spec"),                                               # ingest
    4: ("growth", "peers", "trajectories", "flags", "progress", "backtest", "analytics"),  # derive
    5: ("build", "datasets"),                                                              # pipeline
    6: ("labels", "plots", "views", "progress_views", "progress_plots", "html_page"),      # present
    7: ("reports", "kernel"),                                                              # reports
}
LAYER_OF = {m: n for n, mods in LAYERS.items() for m in mods}
PACKAGE = paths.ROOT / "analysis"


def imported_modules(path) -> set[str]:
    """The analysis modules a file imports (relative or absolute, at any depth of the file)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".") if node.level == 1 else (node.module or "").split(".")
            if node.level == 1:
                names = [parts[0]] if node.module else [a.name for a in node.names]
            elif parts[0] == "analysis":
                names = [parts[1]] if len(parts) > 1 else [a.name for a in node.names]
            else:
                continue
            found.update(names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("analysis."))
    return found


def test_every_module_has_a_layer():
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules == set(LAYER_OF), f"assign a layer to {sorted(modules - set(LAYER_OF))} (docs/design.md)"


def test_no_import_runs_upward():
    upward = []
    for module, layer in LAYER_OF.items():
        for dep in imported_modules(PACKAGE / f"{module}.py") & set(LAYER_OF):
            if LAYER_OF[dep] > layer:
                upward.append(f"{module} (layer {layer}) imports {dep} (layer {LAYER_OF[dep]})")
    assert upward == []


def test_the_checker_sees_function_level_and_absolute_imports(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("from . import paths, fileio\nimport analysis.views\ndef f():\n    from .reports import run\n"
                 "    from analysis.flags import evaluate\n", encoding="utf-8")
    assert imported_modules(f) == {"paths", "fileio", "views", "reports", "flags"}


def test_design_card_and_package_map_list_every_module():
    design = (paths.ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    package_map = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    for module in set(LAYER_OF):
        assert f"`{module}`" in design, module
        assert module in package_map, module
