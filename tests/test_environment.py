"""environment.yml (conda) and pyproject.toml (pip) pin the same packages at the same versions."""
import re
import tomllib

import yaml

from analysis.core import paths


def pyproject_pins():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["dev"]
    pins = {}
    for d in deps:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([\w.]+)", d)
        assert m, f"pyproject.toml: dependency {d!r} is not pinned with =="
        pins[m.group(1).lower()] = m.group(2)
    return pins


def environment_pins():
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for p in dep.get("pip", []):
                if not p.startswith("-e"):
                    name, version = p.split("==")
                    pins[name.lower()] = version
        else:
            name, _, version = dep.partition("=")
            if name not in ("python", "pip"):
                pins[name.lower()] = version
    return env, pins


def test_same_packages_same_versions():
    env, pins = environment_pins()
    assert pins == pyproject_pins()


def test_environment_python_matches_requires_python():
    env, _ = environment_pins()
    assert "python=3.11" in env["dependencies"]
    assert ">=3.11" in tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]["requires-python"]


def test_design_card_packages_are_dependencies():
    pins = pyproject_pins()
    for name in ("jupyterlab", "pandas", "numpy", "statsmodels", "matplotlib", "seaborn", "papermill", "opencc", "pyyaml"):
        assert name in pins


def lock_pins():
    pins = {}
    for line in (paths.ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name.lower())] = version
    return pins


def test_lock_holds_every_pin_of_pyproject():
    locked = lock_pins()
    for name, version in pyproject_pins().items():
        assert locked.get(re.sub(r"[-_.]+", "-", name)) == version, f"requirements.lock: {name}; run `make lock`"


def test_lock_is_the_full_resolved_set():
    # transitive dependencies are pinned too: more packages than pyproject names, among them ones it never names
    locked = lock_pins()
    assert {"jupyter-core", "python-dateutil", "execnet"} <= set(locked) and len(locked) > 2 * len(pyproject_pins())
