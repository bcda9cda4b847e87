import pytest
from _workers import once_per_run

from analysis.inputs.registry import load_verified
from analysis.inputs.vocab import load_indicators
from analysis.pipeline import build
from analysis.reports import kernel


@pytest.fixture(scope="session")
def sources():
    return load_verified()


@pytest.fixture(scope="session")
def vocab():
    return load_indicators()


@pytest.fixture(scope="session")
def made(tmp_path_factory, worker_id):
    """What `make data` computes from the committed raw data: every processed frame by output path
    (build.derived_frames of build.build_observations), computed once per test run. Read only."""
    def compute():
        obs, _ = build.build_observations()
        return build.derived_frames(obs)
    return once_per_run(tmp_path_factory, worker_id, "made", compute)


@pytest.fixture(scope="session")
def kept_kernel():
    """The project's kernel kept for the notebooks a worker runs in turn, reset before each (kernel.KeptKernel, as
    make reports' workers keep one): a kernel's start costs ~1 s of CPU. Started at the first notebook."""
    kept = kernel.KeptKernel(kernel.ensure())
    yield kept
    kept.shutdown()


def pytest_collection_modifyitems(items):
    """Slow tests first, the longest of them first (`slow(seconds=…)`; stable otherwise): pytest-xdist gives each
    worker a contiguous part of this order and idle workers steal from the end of the others' parts, so the
    longest tests start at once instead of ending a worker's queue while the others idle."""
    def order(item):
        slow = item.get_closest_marker("slow")
        return (0, -slow.kwargs.get("seconds", 3)) if slow else (1, 0)
    items.sort(key=order)
