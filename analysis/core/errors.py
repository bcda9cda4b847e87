"""Errors the suite raises on bad input. Each message names the file, the line or field, and what was expected."""
import errno
import os
import re
import sys


class InputError(ValueError):
    """A raw or user-supplied input (document, spec, vocabulary, actuals file, parameter) is not as expected."""


class SpecError(InputError):
    """An extraction spec does not match its document (anchor not found, number not where expected...)."""


class IntegrityError(InputError):
    """A raw document's bytes differ from the registry (sha256 mismatch)."""


class ValidationError(ValueError):
    """A built frame violates an invariant (quote not at its line, duplicate key, share outside 0-100...)."""


def describe_os_error(exc: OSError) -> str:
    """An OSError as one sentence naming the file: a full disk says that nothing was replaced."""

    where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
    what = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return (f"{where}cannot write ({what}); the files already there are kept unchanged (each output is written "
                "to a temporary file and replaced only when complete); free some space and run again")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where}{what}; expected a file this user may read and write"
    return f"{where}{what}"


_LONG_QUOTED = re.compile(r"'([^'\n]{200,})'" + r'|"([^"\n]{200,})"')


def clip_quoted(message: str) -> str:
    """A message with every quoted value longer than 200 characters cut to its start and its length: a
    100,000-character cell is named, not echoed whole."""
    def cut(m):
        text = m[1] or m[2]
        return f"'{text[:80]}…' ({len(text)} characters)"
    return _LONG_QUOTED.sub(cut, message)


def run_cli(prog: str, main, *args) -> int:
    """Run an entry point's `main(*args)` and turn any failure into one line on stderr and a non-zero exit
    status, never a traceback: 1 for bad input or a broken invariant, 75 when the lock stays taken (LOCK_WAIT),
    74 for a file that cannot be read or written (disk full...), 70 for a bug (POLICY_TARGETS_TRACEBACK=1 shows
    where), 130 on Ctrl-C."""

    try:
        return main(*args)
    except (InputError, ValidationError) as exc:
        print(f"{prog}: error: {clip_quoted(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; the files already there are kept unchanged", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract of every entry point: one message, no traceback
        status = getattr(exc, "exit_status", None)
        if status is not None:                      # analysis.core.lock.LockTimeout (its message names the run)
            print(str(exc), file=sys.stderr)
            return status
        if isinstance(exc, OSError):
            print(f"{prog}: error: {describe_os_error(exc)}", file=sys.stderr)
            return 74
        if os.environ.get("POLICY_TARGETS_TRACEBACK"):
            raise
        print(f"{prog}: internal error: {type(exc).__name__}: {exc} (a bug, not your input: please report it; "
              "POLICY_TARGETS_TRACEBACK=1 shows where it happened)", file=sys.stderr)
        return 70
