"""The one lock of everything that writes (`make data`, `make reports`, `make clean`, and the runner or the
build started by hand): `.policy-targets.lock` at the project root, where `make clean` does not reach.

    python -m analysis.core.lock [--wait SECONDS] [--name TEXT] -- COMMAND...   run COMMAND holding the lock

A run that finds the lock taken says that it waits and for whom (the holder writes its command, pid and start
time into the lock file), waits at most `--wait` seconds (the Makefile's LOCK_WAIT) and then exits 75
(EX_TEMPFAIL) without doing anything. The lock is `flock` on the lock file (released by the kernel when the
holder dies, even by kill -9); where flock is not available (some network file systems) a file created with
O_EXCL beside it holds the holder's pid, and a lock whose holder is dead is taken over.

A command run under the lock gets POLICY_TARGETS_LOCK=<pid of the helper>; `hold()` in that process and its
children sees it and does not try to lock again (the sub-make of `make reports` and every runner it starts).
Stdlib only: `make clean` runs it with the system python3 before .venv exists.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import json
import math
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

try:
    import fcntl
except ImportError:          # not POSIX: the O_EXCL fallback
    fcntl = None

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / ".policy-targets.lock"
ENV = "POLICY_TARGETS_LOCK"
EXIT_TIMEOUT = 75            # EX_TEMPFAIL, as documented in README.md
DEFAULT_WAIT = 7200
POLL = 0.2


class LockTimeout(RuntimeError):
    """The lock stayed taken for longer than the caller would wait."""

    exit_status = EXIT_TIMEOUT


class LockError(RuntimeError):
    """The lock cannot be used as asked: LOCK_WAIT is not a number of seconds, or the lock file is not a regular
    file of its own (a symbolic link, which would be followed to truncate its target, a FIFO, a directory)."""

    exit_status = 2


def wait_seconds(text, name: str = "LOCK_WAIT") -> float:
    """`text` (LOCK_WAIT's value) as a number of seconds ≥ 0; LockError naming `name` otherwise."""
    try:
        seconds = float(str(text).strip())
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise LockError(f"{name}={str(text)!r}: expected a number of seconds ≥ 0 to wait for the lock "
                        f"(e.g. {name}=60; the default is {DEFAULT_WAIT})")
    return seconds


def _open_regular(path: Path, flags: int) -> int:
    """Open `path` without following a symbolic link and make sure it is a regular file (LockError otherwise)."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LockError(f"{_rel(path)} is a symbolic link; the lock must be a regular file of the project "
                            "(a link would be followed and its target truncated): remove it and run again") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockError(f"{_rel(path)} is not a regular file; remove it and run again")
    return fd


def _holder_text(path: Path) -> str:
    """'make reports (pid 4242, since 2026-01-01 12:00:03)' from what the holder wrote, or 'another run'."""
    for p in (path, path.with_name(path.name + ".excl")):
        try:
            info = json.loads(p.read_text(encoding="utf-8") or "null")
        except (OSError, ValueError):
            continue
        if isinstance(info, dict) and info.get("pid"):
            return f"{info.get('name') or 'another run'} (pid {info['pid']}, since {info.get('since', '?')})"
    return "another run"


def _info(name: str) -> str:
    return json.dumps({"name": name, "pid": os.getpid(), "since": dt.datetime.now().isoformat(timespec="seconds")})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Flock:
    def __init__(self, path: Path):
        self.path = path
        self.fd = _open_regular(path, os.O_RDWR | os.O_CREAT)
        self.acquired = False

    def try_acquire(self, name: str) -> bool:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, _info(name).encode(), 0)
        self.acquired = True
        return True

    def release(self) -> None:
        """Give the lock up (or, when it was never taken, just close the file)."""
        if self.acquired:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, 0)
        os.close(self.fd)


class _Excl:
    """Fallback: the lock is a file created with O_EXCL holding the holder's pid; a dead holder's file is removed."""

    def __init__(self, path: Path):
        self.path = path.with_name(path.name + ".excl")
        self.fd = None

    def try_acquire(self, name: str) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
        except FileExistsError:
            try:
                pid = int(json.loads(self.path.read_text(encoding="utf-8")).get("pid", 0))
            except (OSError, ValueError, AttributeError):
                pid = 0       # being written right now, or garbage: judged on the next poll by its age
                with contextlib.suppress(OSError):
                    if time.time() - self.path.stat().st_mtime > 10:
                        self.path.unlink()
                return False
            if pid and not _alive(pid):
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
            return False
        os.write(fd, _info(name).encode())
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


def _mechanism(path: Path):
    if fcntl is not None:
        lock = _Flock(path)
        try:
            fcntl.flock(lock.fd, fcntl.LOCK_SH | fcntl.LOCK_NB)   # probe: does this file system support flock?
            fcntl.flock(lock.fd, fcntl.LOCK_UN)
            return lock
        except BlockingIOError:
            return lock                                         # supported, and held by someone else
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                raise
            os.close(lock.fd)
    return _Excl(path)


def acquire(name: str, wait: float = DEFAULT_WAIT, path: Path = LOCK, say=None):
    """Take the lock (waiting at most `wait` seconds, saying once that it waits and for whom); returns an
    object with `release()`. LockTimeout when the wait expires."""
    path = Path(path)
    say = say or (lambda text: print(text, file=sys.stderr, flush=True))
    try:
        lock = _mechanism(path)
    except LockError as exc:
        raise LockError(f"{name}: {exc}") from None
    deadline = time.monotonic() + max(0.0, float(wait))
    said = False
    while not lock.try_acquire(name):
        holder = _holder_text(path)
        if time.monotonic() >= deadline:
            lock.release()
            raise LockTimeout(f"{name}: {_rel(path)} is held by {holder}; waited {wait:g} s (LOCK_WAIT), nothing done")
        if not said:
            say(f"{name}: waiting for {_rel(path)}, held by {holder} (at most {wait:g} s, LOCK_WAIT)")
            said = True
        time.sleep(POLL)
    if said:
        say(f"{name}: got {_rel(path)}, going on")
    return lock


def _rel(path: Path) -> str:
    try:
        return str(Path(path).relative_to(ROOT))
    except ValueError:
        return str(path)


def _parent_of(pid: int) -> int:
    """The parent pid of `pid` (0 when unknown): /proc where there is one, else `ps`."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
        return int(stat_line.rsplit(")", 1)[1].split()[1])       # the name in ( ) may hold spaces
    except (OSError, IndexError, ValueError):
        pass
    try:
        out = subprocess.run(["ps", "-o", "ppid=", "-p", str(pid)], capture_output=True, text=True, timeout=5).stdout
        return int(out.strip() or 0)
    except (OSError, ValueError, subprocess.SubprocessError):
        return 0


def _is_ancestor(pid: int) -> bool:
    """True when `pid` is this process's parent, grandparent, …"""
    current, seen = os.getppid(), set()
    while current > 1 and current not in seen:
        if current == pid:
            return True
        seen.add(current)
        current = _parent_of(current)
    return False


def held_by_parent() -> bool:
    """True when an ancestor process holds the lock for us: POLICY_TARGETS_LOCK names the pid of a live holder
    that is our parent, grandparent, … (any other pid, e.g. a value copied into a shell's environment, counts for
    nothing: the lock is then taken as usual)."""
    pid = os.environ.get(ENV, "")
    return pid.isdigit() and int(pid) > 1 and _alive(int(pid)) and _is_ancestor(int(pid))


@contextlib.contextmanager
def hold(name: str, wait: float | None = None, path: Path = LOCK):
    """Hold the lock for the block, unless a parent already holds it for us (then do nothing)."""
    if held_by_parent():
        yield
        return
    wait = wait_seconds(os.environ.get("LOCK_WAIT", DEFAULT_WAIT)) if wait is None else wait
    lock = acquire(name, wait, path)
    previous = os.environ.get(ENV)
    os.environ[ENV] = str(os.getpid())
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = previous
        lock.release()


def jobserver_fds(makeflags: str | None = None) -> tuple[int, ...]:
    """The open file descriptors of make's jobserver named in MAKEFLAGS (`--jobserver-auth=R,W` of make 4.x,
    `--jobserver-fds=R,W` before): passed on to the command, so that a sub-make run under the lock shares the
    job slots of `make -j2` instead of falling back to -j1 (make 4.4's `fifo:PATH` needs no descriptors)."""
    makeflags = os.environ.get("MAKEFLAGS", "") if makeflags is None else makeflags
    found = re.findall(r"--jobserver-(?:auth|fds)=(\d+),(\d+)", makeflags)
    fds = tuple(int(fd) for fd in found[-1]) if found else ()
    try:
        for fd in fds:
            os.fstat(fd)
    except OSError:            # make did not hand them to us (a recipe without $(MAKE) or '+')
        return ()
    return fds


def main(argv=None) -> int:

    parser = argparse.ArgumentParser(prog="python -m analysis.core.lock", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wait", default=None,
                        help="seconds to wait for the lock before giving up with exit status 75 (default: LOCK_WAIT)")
    parser.add_argument("--name", default=None, help="what the holder is called in messages (default: the command)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a command to run under the lock is required")
    name = args.name or " ".join(command)
    try:
        wait = wait_seconds(args.wait, "--wait") if args.wait is not None else \
            wait_seconds(os.environ.get("LOCK_WAIT", DEFAULT_WAIT))
    except LockError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return exc.exit_status
    if held_by_parent():
        return subprocess.call(command, pass_fds=jobserver_fds())
    try:
        lock = acquire(name, wait)
    except (LockTimeout, LockError) as exc:
        print(exc, file=sys.stderr)
        return exc.exit_status
    except OSError as exc:
        print(f"{name}: cannot open the lock {_rel(LOCK)} ({exc.strerror})", file=sys.stderr)
        return 74
    fds = (lock.fd,) if isinstance(lock, _Flock) else ()     # the child keeps the lock if this helper dies
    fds += jobserver_fds()
    try:
        return subprocess.call(command, env={**os.environ, ENV: str(os.getpid())}, pass_fds=fds)
    except OSError as exc:
        print(f"{name}: cannot run {command[0]!r} ({exc.strerror})", file=sys.stderr)
        return 127
    except KeyboardInterrupt:
        return 130
    finally:
        lock.release()


if __name__ == "__main__":
    sys.exit(main())
