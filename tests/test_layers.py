"""The package's layers (docs/design.md, "Layers"): one subpackage per stage, and no import runs upward.
Reads the imports with ast, function-level ones included."""
import ast
import sys
from pathlib import Path

from analysis.core import paths
from analysis.derive.rules import BY_NAME

# the stages in order; a module imports only from its own subpackage or a lower one
LAYERS = ("core", "inputs", "ingest", "derive", "pipeline", "present", "reports")
# the documented commands kept at the top (python -m analysis.build, .actuals, .quantity): nothing imports them
ENTRY_POINTS = ("build", "actuals", "quantity")
PACKAGE = paths.ROOT / "analysis"


def imported(path: Path, package: str) -> set[str]:
    """The analysis modules a file imports, as dotted names below `analysis` ("core.paths", "derive"...), at any
    depth of the file; `package` is the file's own (sub)package, dotted ("derive.rules"), for relative imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if not (node.module or "").startswith("analysis"):
                    continue
                base = (node.module or "").split(".")[1:]
            else:
                here = package.split(".") if package else []
                base = (here[: len(here) - (node.level - 1)] if node.level > 1 else here) + \
                    (node.module.split(".") if node.module else [])
            found.update(".".join(base + ([a.name] if len(base) < 2 else [])) for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".", 1)[1] for a in node.names if a.name.startswith("analysis."))
    return found


def modules() -> dict[str, Path]:
    """Every module of the package below `analysis`, as "subpackage.module" (or the entry point's name)."""
    out = {}
    for p in PACKAGE.rglob("*.py"):
        rel = p.relative_to(PACKAGE).with_suffix("").parts
        if "__pycache__" not in rel and rel != ("__init__",):
            out[".".join(rel)] = p
    return out


def test_every_module_sits_in_a_stage_or_is_an_entry_point():
    stray = [m for m in modules() if m.split(".")[0] not in LAYERS and m not in ENTRY_POINTS]
    assert stray == [], f"put {stray} into one of the subpackages {LAYERS} (docs/design.md)"


def test_no_import_runs_upward():
    upward = []
    for name, path in modules().items():
        if name in ENTRY_POINTS:
            continue
        own = name.split(".")[0]
        for dep in imported(path, ".".join(name.split(".")[:-1])):
            target = dep.split(".")[0]
            if target in ENTRY_POINTS:
                upward.append(f"{name} imports the entry point analysis.{target}")
            elif LAYERS.index(target) > LAYERS.index(own):
                upward.append(f"{name} ({own}) imports {dep} ({target})")
    assert upward == []


def test_entry_points_are_one_import_of_their_stage():
    for name in ENTRY_POINTS:
        deps = imported(PACKAGE / f"{name}.py", "")
        assert len(deps) == 1 and next(iter(deps)).split(".")[0] in LAYERS, (name, deps)


def test_the_checker_sees_relative_function_level_and_absolute_imports(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("from . import fileio\nfrom ..core import paths\nimport analysis.present.views\ndef f():\n"
                 "    from ..reports.runner import run\n    from analysis.derive.flags import evaluate\n"
                 "    from .schema import COLUMNS\n    from analysis.derive import growth\n", encoding="utf-8")
    assert imported(f, "core") == {"core.fileio", "core.paths", "present.views", "reports.runner", "derive.flags",
                                   "core.schema", "derive.growth"}


def test_the_checker_fails_on_an_upward_import(tmp_path, monkeypatch):
    pkg = tmp_path / "analysis"
    (pkg / "core").mkdir(parents=True)
    (pkg / "core" / "paths.py").write_text("from ..present import labels\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", pkg)
    try:
        test_no_import_runs_upward()
    except AssertionError as e:
        assert "core.paths (core) imports present.labels (present)" in str(e)
    else:
        raise AssertionError("an upward import passed")


def test_design_card_and_package_map_list_every_subpackage_and_module():
    design = (paths.ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    package_map = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    methods = (paths.ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    for name in modules():
        module = name.split(".")[-1]
        if module in ("__init__", "__main__"):
            continue
        if module in BY_NAME:           # a rule's module: listed in methods.md's generated rules table, not by hand
            assert f"| `{module}` (" in methods, name
            continue
        assert f"`{module}`" in design, name
        assert module in package_map, name
    for layer in LAYERS:
        assert sum(line.lstrip().startswith(f"{layer}/") for line in package_map.splitlines()) == 1, layer
