"""Reading raw inputs strictly (UTF-8 text, YAML without duplicate keys, rectangular CSV) and writing
deterministic, atomic output. Every reading error is an InputError naming the file, the line and what was
expected."""
from __future__ import annotations

import copy
import csv
import functools
import hashlib
import io
import json
import math
import os
import re
import stat
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from .errors import InputError

_BOM = "\ufeff"


# --------------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------------
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe), which would be read forever"),
          (stat.S_ISCHR, "a character device (such as /dev/null), not a file"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def check_regular_file(path, expected: str) -> None:
    """InputError unless `path` is (a link to) a regular file, saying what it is instead: missing, a directory,
    a FIFO, a device (/dev/null), a socket."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"{path}: file does not exist; expected {expected}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); expected {expected}") from None
    if not stat.S_ISREG(mode):
        what = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise InputError(f"{path}: is {what}; expected {expected}")


def read_text(path, expected: str = "a UTF-8 text file") -> str:
    """The file's text (UTF-8, a byte-order mark dropped). InputError for a missing file, a directory, a FIFO or
    a device, bytes that are not UTF-8 (naming line and byte) or a NUL byte."""
    path = Path(path)
    check_regular_file(path, expected)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file does not exist; expected {expected}") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; expected {expected}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); expected {expected}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(f"{path}: line {line}: byte {raw[exc.start]:#04x} at byte {column} of the line is not UTF-8; "
                         f"expected {expected} in UTF-8 (GBK/GB18030 files must be converted)") from None
    nul = text.find("\0")
    if nul >= 0:
        raise InputError(f"{path}: line {text.count(chr(10), 0, nul) + 1}: a NUL byte; expected {expected} "
                         "(a binary file or a UTF-16 export?)")
    return text[1:] if text.startswith(_BOM) else text


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """yaml's safe loader (libyaml's C parser where PyYAML has it: ~10x faster) that refuses a key given twice in
    one mapping (PyYAML silently keeps the last)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(None, None, f"unhashable key {key!r}", key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    f"while reading the mapping starting at line {node.start_mark.line + 1}", node.start_mark,
                    f"key {key!r} appears twice (first at line {seen[key] + 1}); each key may be given once",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)


def load_yaml(path, expected: str = "a YAML file"):
    """The YAML document of `path` (None when empty). InputError for unreadable text, invalid YAML or a key
    given twice in one mapping, naming the file and the line.

    The file is read every time; a text read before is not parsed again (the pages read sources.yml and
    thresholds.yml hundreds of times): the caller gets its own copy of the document."""
    path = Path(path)
    return copy.deepcopy(_parse_yaml(read_text(path, expected), path, expected))


@functools.lru_cache(maxsize=64)
def _parse_yaml(text: str, path: Path, expected: str):
    """`text` parsed (see load_yaml; a failure is an InputError, never kept)."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, path, expected)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{path}: {where}not valid YAML ({problem}); expected {expected}") from None
    finally:
        loader.dispose()


MAX_YAML_DEPTH = 50        # nesting deeper than any input of the project needs (and than the reader's recursion allows)


def _check_graph(root, path: Path, expected: str) -> None:
    """Refuse YAML aliases (`*name` reusing an `&name` anchor: a kilobyte of them expands to gigabytes once the
    values are copied or printed; no input of the project needs them) and nesting deeper than MAX_YAML_DEPTH,
    naming the line. The composed graph is walked once: a node reached twice is an alias."""
    seen: set[int] = set()
    stack = [(root, 1, 1)]          # (node, depth, the line of the key or sequence that holds it)
    while stack:
        node, depth, held_at = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:
            raise InputError(f"{path}: line {held_at}: an alias (*…) reuses the value anchored (&…) at line {line}; "
                             "aliases and merge keys (<<) are not accepted (a few lines of them can expand to "
                             f"gigabytes): write each value out; expected {expected}")
        seen.add(id(node))
        if depth > MAX_YAML_DEPTH:
            raise InputError(f"{path}: line {line}: nested more than {MAX_YAML_DEPTH} levels deep; expected {expected}")
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1, line) for child in reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend([(value, depth + 1, key.start_mark.line + 1), (key, depth + 1, key.start_mark.line + 1)])


def read_csv_table(path, columns, *, exact: bool = False, expected: str | None = None) -> pd.DataFrame:
    """A small CSV of data/raw/ as text columns (empty cells as ''). InputError for unreadable text, an empty
    file, a missing column (or, with `exact`, any other header), or a line whose number of fields differs
    from the header's, naming the file and the line."""
    path = Path(path)
    expected = expected or f"a UTF-8 CSV file with the header {','.join(columns)}"
    text = read_text(path, expected)
    if not text.strip():
        raise InputError(f"{path}: the file is empty; expected {expected}")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, last = [], 0
    try:
        for fields in reader:
            start, last = last + 1, reader.line_num
            if fields and any(f.strip() for f in fields):
                records.append((start, fields))
    except csv.Error as exc:
        raise InputError(f"{path}: line {last + 1}: not valid CSV ({exc}); expected {expected}") from None
    header_line, header = records[0]
    if exact and header != list(columns):
        raise InputError(f"{path}: line {header_line}: columns are {header}; expected {list(columns)}")
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(f"{path}: line {header_line}: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")
    for line, fields in records[1:]:
        if len(fields) != len(header):
            raise InputError(f"{path}: line {line}: {len(fields)} field(s), but the header has {len(header)}; "
                             "a value containing a comma must be in double quotes")
    return pd.DataFrame([f for _, f in records[1:]], columns=header, dtype=str).fillna("")


def format_number(x) -> str:
    """A number as the shortest text that reads back to the same float; integral values without '.0'.

    Used for every numeric cell of data/processed/ so that reruns are byte-identical and diffs readable.
    """
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return ""
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x)
    f = float(x)
    if math.isinf(f):
        raise ValueError(f"refusing to write an infinite number ({x})")
    f = round(f, 10)
    if f == 0:
        return "0"
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def frame_to_csv_text(df: pd.DataFrame) -> str:
    """Render a frame as UTF-8 CSV text with our number formatting (floats via format_number)."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]) or pd.api.types.is_integer_dtype(out[col]):
            out[col] = out[col].map(format_number)
        elif out[col].dtype == object:
            out[col] = out[col].map(lambda v: format_number(v) if isinstance(v, (float, int)) and not isinstance(v, bool)
                                    else ("" if v is None else v))
    return out.to_csv(index=False, lineterminator="\n")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()


def _same_text(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False


def write_temporary(path: Path, text: str) -> Path:
    """`text` in a new temporary file beside `path` (synced to disk), its name .<name>.<random>.tmp."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, FILE_MODE)       # mkstemp makes 0600; the result is an ordinary readable file
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:             # a full disk: name the file being written (a write error names none)
        Path(tmp).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_text_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see a half-written file, and a
    failed write (a full disk) leaves the old file as it was.

    A file that already holds exactly `text` is left untouched, so its modification time says when its
    content last changed (make rebuilds only the reports whose data changed)."""
    path = Path(path)
    if _same_text(path, text):
        return
    tmp = write_temporary(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------------
# publishing a set of files (data/processed/): all or nothing, even across kill -9
# --------------------------------------------------------------------------------------------------
PENDING = ".publish-pending.json"     # the journal: which temporary file becomes which file
MANIFEST = "manifest.sha256"          # the published set: `sha256sum` lines of its files, in name order


def manifest_text(texts: dict) -> str:
    """The manifest of a set of files ({path: text}): one `sha256sum` line per file, in name order, so
    `sha256sum -c manifest.sha256` checks the set and its sha256 is the set's version."""
    named = sorted((Path(p).name, t) for p, t in texts.items())
    return "".join(f"{hashlib.sha256(t.encode('utf-8')).hexdigest()}  {name}\n" for name, t in named)


def publish_set(texts: dict, directory: Path) -> list[Path]:
    """Replace several files of `directory` as one set; returns the files whose content changed.

    Every changed file is first written completely to a temporary file; then a journal naming them is put
    in place in one atomic step (from then on the new set is decided); then each temporary file is renamed
    over its file and the journal removed. A crash before the journal leaves the old set (and temporaries,
    which the next run deletes); a crash after it leaves the journal, which the next `repair` finishes.
    Readers (`check_published`) refuse a directory with a journal. The set includes its manifest
    (MANIFEST: each file's sha256), which readers check the files against."""
    directory = Path(directory)
    repair(directory)
    texts = {**texts, directory / MANIFEST: manifest_text(texts)}
    changed = {Path(p): t for p, t in texts.items() if not _same_text(Path(p), t)}
    staged: dict[Path, Path] = {}
    try:
        for path, text in changed.items():
            staged[path] = write_temporary(path, text)
        if staged:
            journal = {"files": [{"temporary": tmp.name, "file": path.name} for path, tmp in staged.items()]}
            write_text_atomic(directory / PENDING, json.dumps(journal, indent=1) + "\n")
    except BaseException:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise
    _finish(directory)
    return list(changed)


def _finish(directory: Path) -> None:
    journal_path = directory / PENDING
    try:
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
        entries = [(e["temporary"], e["file"]) for e in journal["files"]]
    except FileNotFoundError:
        return
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{journal_path}: unreadable journal of an interrupted update ({exc}); expected what "
                         "analysis.core.fileio.publish_set writes. Restore data/processed/ with `git checkout data/processed` "
                         f"and delete {journal_path.name}") from None
    for tmp_name, name in entries:
        if "/" in tmp_name or "/" in name:
            raise InputError(f"{journal_path}: names a file outside {directory}; expected plain file names")
        tmp = directory / tmp_name
        if tmp.exists():
            os.replace(tmp, directory / name)
    _sync_directory(directory)
    journal_path.unlink()
    _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def repair(directory: Path) -> list[str]:
    """Finish an interrupted `publish_set` (its journal) and delete leftover temporary files; returns what
    was done, one line each."""
    directory = Path(directory)
    done = []
    if (directory / PENDING).exists():
        _finish(directory)
        done.append(f"finished the interrupted update of {directory.name}/ (journal {PENDING})")
    for tmp in sorted(directory.glob(".*.tmp")):
        tmp.unlink(missing_ok=True)
        done.append(f"deleted the leftover temporary file {directory.name}/{tmp.name}")
    return done


def check_published(directory: Path) -> str:
    """The text of the directory's manifest once every file it lists is there with its sha256 (the set as
    `publish_set` wrote it); InputError when an update is under way or was interrupted (its files may be a mix
    of two versions), when the manifest is missing or unreadable, or when a file was changed or deleted since
    (a hand edit, a merge-conflict marker, a deleted row), naming the file. Files the manifest does not list
    (a stray CSV) are not part of the set."""
    directory = Path(directory)
    journal = directory / PENDING
    if journal.exists():
        raise InputError(f"{journal.parent}: an update of these files is under way or was interrupted "
                         f"({journal.name}); its files may mix two versions. Run `make data` (it finishes the update)")
    manifest = directory / MANIFEST
    rebuild = "run `make data` to rebuild the set from data/raw/ (or `git checkout data/processed`)"
    try:
        text = manifest.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{manifest}: missing; expected the manifest `make data` writes with the set; {rebuild}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{manifest}: cannot be read ({exc}); {rebuild}") from None
    for no, line in enumerate(text.splitlines(), 1):
        m = _MANIFEST_LINE.fullmatch(line)
        if not m:
            raise InputError(f"{manifest}: line {no}: {_clip(line)!r}; expected '<sha256>  <file name>' "
                             f"(a merge conflict?); {rebuild}")
        path = directory / m[2]
        try:
            found = hashlib.sha256(path.read_bytes()).hexdigest()
        except FileNotFoundError:
            raise InputError(f"{path}: missing, but {manifest.name} line {no} lists it; {rebuild}") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror}); {rebuild}") from None
        if found != m[1]:
            raise InputError(f"{path}: changed since `make data` published it (sha256 {found[:12]}…, "
                             f"{manifest.name} line {no} says {m[1][:12]}…: a hand edit, a merge conflict or a "
                             f"deleted row?); the reports use only the published set; {rebuild}")
    return text


_MANIFEST_LINE = re.compile(r"([0-9a-f]{64})  ([^/\\\0]+)")


def _clip(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def read_processed(path: Path) -> pd.DataFrame:
    """Read a CSV of data/processed/ with text columns kept as text (empty cells as NaN)."""
    return pd.read_csv(path, dtype={"source_id": str, "indicator_id": str, "quote": str,
                                    "value_published": str, "unit_published": str}, keep_default_na=False,
                       na_values=[""])
