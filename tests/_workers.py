"""Work done once per test run and shared by the pytest-xdist workers, through the run's temporary folder (one
folder per run, shared by its workers): a worker claims a task with an O_EXCL claim file, publishes its result
whole (os.replace), and the others wait for that file."""
import os
import pickle
import time
from pathlib import Path


def claim(path: Path) -> bool:
    """Whether this worker got `path` (a claim file): False where another worker already has it."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def wait_for(done: list[Path], timeout: float = 900) -> None:
    """Until every file of `done` exists (another worker writes it when its task has run)."""
    give_up = time.monotonic() + timeout
    while not all(p.exists() for p in done):
        assert time.monotonic() < give_up, f"another worker did not finish {[p.name for p in done if not p.exists()]}"
        time.sleep(0.1)


def once_per_run(tmp_path_factory, worker_id: str, name: str, compute):
    """compute() once per test run: the first worker to claim `name` computes it and pickles it; the others wait
    for that file. For what no test changes."""
    if worker_id == "master":
        return compute()
    shared = tmp_path_factory.getbasetemp().parent
    done = shared / f"{name}.pickle"
    if not claim(shared / f"{name}.claim"):                 # another worker computes it
        wait_for([done])
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


def _publish(path: Path, value) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(value))
    os.replace(tmp, path)                                    # a waiting worker never reads half a file
