import pytest

from analysis.inputs.registry import load_verified
from analysis.inputs.vocab import load_indicators


@pytest.fixture(scope="session")
def sources():
    return load_verified()


@pytest.fixture(scope="session")
def vocab():
    return load_indicators()


def pytest_collection_modifyitems(items):
    """Slow tests first (stable otherwise): with work stealing, the long ones start at once instead of ending a
    worker's queue while the others idle."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
