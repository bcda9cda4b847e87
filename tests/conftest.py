import os
import pickle
import time

import pytest

from analysis.inputs.registry import load_verified
from analysis.inputs.vocab import load_indicators
from analysis.pipeline import build


@pytest.fixture(scope="session")
def sources():
    return load_verified()


@pytest.fixture(scope="session")
def vocab():
    return load_indicators()


def once_per_run(tmp_path_factory, worker_id: str, name: str, compute):
    """compute() once per test run, shared by the pytest-xdist workers: the first worker to claim `name` (an O_EXCL
    claim file in the run's temporary folder) computes it and pickles it there; the others wait for that file. For
    what no test changes."""
    if worker_id == "master":
        return compute()
    shared = tmp_path_factory.getbasetemp().parent          # one folder per test run, shared by its workers
    done = shared / f"{name}.pickle"
    try:
        os.close(os.open(shared / f"{name}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:                                  # another worker computes it
        give_up = time.monotonic() + 900
        while not done.exists():
            assert time.monotonic() < give_up, f"another worker did not finish {name}"
            time.sleep(0.1)
        value, failed = pickle.loads(done.read_bytes())
        assert not failed, f"{name} failed in another worker: {failed}"
        return value
    try:
        value = compute()
    except Exception as exc:                                 # the waiting workers fail too, with the reason
        _publish(done, (None, f"{type(exc).__name__}: {exc}"))
        raise
    _publish(done, (value, None))
    return value


def _publish(path, value) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(value))
    os.replace(tmp, path)                                    # a waiting worker never reads half a file


@pytest.fixture(scope="session")
def made(tmp_path_factory, worker_id):
    """What `make data` computes from the committed raw data: every processed frame by output path
    (build.derived_frames of build.build_observations), computed once per test run. Read only."""
    def compute():
        obs, _ = build.build_observations()
        return build.derived_frames(obs)
    return once_per_run(tmp_path_factory, worker_id, "made", compute)


def pytest_collection_modifyitems(items):
    """Slow tests first (stable otherwise): with work stealing, the long ones start at once instead of ending a
    worker's queue while the others idle."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
