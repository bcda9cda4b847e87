"""Deterministic, atomic CSV output and the matching reader."""
from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import pandas as pd


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
            out[col] = out[col].map(lambda v: format_number(v) if isinstance(v, (float, int)) and not isinstance(v, bool) else ("" if v is None else v))
    return out.to_csv(index=False, lineterminator="\n")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()


def write_text_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see a half-written file.

    A file that already holds exactly `text` is left untouched, so its modification time says when its
    content last changed (make rebuilds only the reports whose data changed)."""
    path = Path(path)
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, FILE_MODE)       # mkstemp makes 0600; the result is an ordinary readable file
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_csv_atomic(df: pd.DataFrame, path: Path) -> None:
    write_text_atomic(path, frame_to_csv_text(df))


def read_processed(path: Path) -> pd.DataFrame:
    """Read a CSV of data/processed/ with text columns kept as text (empty cells as NaN)."""
    return pd.read_csv(path, dtype={"source_id": str, "indicator_id": str, "quote": str,
                                    "value_published": str, "unit_published": str}, keep_default_na=False,
                       na_values=[""])
