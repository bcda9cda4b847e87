"""Run the project's Python commands (`python -m analysis.build`, `python -c CODE`) as a shell runs them, each in a
process of its own (its own pid to kill, exit status, stdout and stderr), without paying for the interpreter's start
each time.

The tests run ~70 such commands, mostly in copies of the project, and each would spend ~0.5 s of CPU importing
pandas and numpy before doing a few milliseconds of work. Here the processes are forked from a server process
(multiprocessing's "forkserver") that has imported those libraries once. The project's own package is not
preloaded: each process imports it afresh from the directory it runs in, as `python` would with PYTHONPATH set
to it. What differs from a real interpreter start is only what the preloaded libraries did at import time."""
import io
import json
import multiprocessing
import os
import runpy
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

# third-party libraries only: the project's package must come from the copy a command runs in
PRELOADED = ["numpy", "pandas", "yaml"]
_server = multiprocessing.get_context("forkserver")
_server.set_forkserver_preload(PRELOADED)
# sys.path of a plain `python` after its first entry: the standard library, site-packages and what .pth files add
INTERPRETER_PATH = json.loads(subprocess.run([sys.executable, "-c", "import json, sys; print(json.dumps(sys.path[1:]))"],
                                             capture_output=True, text=True, check=True).stdout)


def run(argv: list[str], cwd: Path, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    """Like subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=...)
    for argv `-m MODULE ARGS...` or `-c CODE ARGS...` (with an optional leading `-u`)."""
    with tempfile.TemporaryDirectory(prefix="command-") as captured:
        out, err = Path(captured) / "stdout", Path(captured) / "stderr"
        process = _server.Process(target=_child, args=(list(argv), str(cwd), dict(env), str(out), str(err)))
        process.start()
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired([sys.executable, *argv], timeout)
        stdout, stderr = out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
    return subprocess.CompletedProcess([sys.executable, *argv], process.exitcode, stdout, stderr)


def run_command(cmd: list, cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
    """subprocess.run(cmd, ...) with captured text output, through `run` where cmd is this interpreter's
    `python -m …` or `python -c …` (make, bash and other programs run as they are)."""
    if cmd[0] == sys.executable and cmd[1] in ("-m", "-c", "-u"):
        return run(cmd[1:], cwd, env, timeout)
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def _child(argv: list[str], cwd: str, env: dict, out: str, err: str) -> None:
    """In the forked process: the directory, the environment, sys.path and sys.argv a shell's `python ARGV` would
    have, stdout and stderr to the files; then the command; then exit with its status."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        file = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(file, fd)
        os.close(file)
    sys.stdout = io.TextIOWrapper(open(1, "wb", closefd=False), encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(open(2, "wb", closefd=False), encoding="utf-8", write_through=True)
    if argv[0] == "-u":
        argv = argv[1:]
    flag, what, *args = argv
    search = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    try:
        if flag == "-m":
            sys.path[:] = [cwd, *search, *INTERPRETER_PATH]
            sys.argv = [what, *args]
            runpy.run_module(what, run_name="__main__", alter_sys=True)
        elif flag == "-c":
            sys.path[:] = ["", *search, *INTERPRETER_PATH]
            sys.argv = ["-c", *args]
            exec(compile(what, "<string>", "exec"), {"__name__": "__main__"})
        else:
            raise ValueError(f"tests/_commands.py runs `-m MODULE` or `-c CODE`, not {flag!r}")
        status = 0
    except SystemExit as stop:
        status = _exit_status(stop.code)
    except BaseException as error:                     # as the interpreter does: the traceback (from the command's
        traceback.print_exception(error.__class__, error, error.__traceback__.tb_next)   # frames on), status 1
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _exit_status(code) -> int:
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)
    return 1
