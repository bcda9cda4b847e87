import pytest

from analysis.inputs.registry import load_verified
from analysis.inputs.vocab import load_indicators


@pytest.fixture(scope="session")
def sources():
    return load_verified()


@pytest.fixture(scope="session")
def vocab():
    return load_indicators()
