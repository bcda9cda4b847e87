"""The unit table of the project: data/raw/units.yml read and checked once (one table for the quantity reader, the
schema, the vocabulary and the labels). `analysis.core.quantity` re-exports these names and its views of the table
(UNITS, UNKNOWN_UNITS, VAGUE_CLASSIFIERS, CANONICAL_UNITS)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from . import paths
from .errors import InputError
from .fileio import load_yaml


@dataclass(frozen=True)
class UnitTable:
    """data/raw/units.yml, checked: see `units()`."""
    canonical: dict[str, tuple[str, str]]            # canonical unit -> (English name, meaning)
    published: dict[str, tuple[str, float, str]]     # published unit -> (canonical unit, factor, meaning)
    not_read: tuple[str, ...]                        # unit-like words that are an error after a number
    vague: tuple[str, ...]                           # of those, the vague classifiers after a Chinese numeral
    published_keys: tuple[str, ...]                  # longest first (the reader matches the longest)
    not_read_keys: tuple[str, ...]


# the canonical units the reader itself produces or relies on (a rank, index points, a multiple, money, shares)
_REQUIRED_CANONICAL = ("亿元", "%", "百分点", "倍", "点", "名次")


def _table_error(path, where: str, found, expected: str) -> InputError:
    return InputError(f"{path}: {where} is {found!r}; expected {expected}")


def _word(path, w, where: str) -> str:
    if not isinstance(w, str) or not w.strip() or w != w.strip() or any(c.isdigit() for c in w):
        raise _table_error(path, where, w, "a unit as written (text without digits or spaces)")
    return w


def _fields(path, v, where: str, required, optional=()) -> dict:
    if not isinstance(v, dict) or not set(required) <= set(v) or set(v) - set(required) - set(optional):
        raise _table_error(path, where, v, f"a mapping with {', '.join(required)}"
                           + (f" (optional: {', '.join(optional)})" if optional else ""))
    return v


def _canonical(path, entries: dict) -> dict[str, tuple[str, str]]:
    canonical = {}
    for u, v in entries.items():
        where = f"canonical unit {_word(path, u, 'a canonical unit')!r}"
        v = _fields(path, v, where, ("en", "meaning"))
        for k in ("en", "meaning"):
            if not isinstance(v[k], str) or not v[k].strip():
                raise _table_error(path, f"{where} field {k!r}", v[k], "text")
        canonical[u] = (v["en"], v["meaning"])
    missing = [u for u in _REQUIRED_CANONICAL if u not in canonical]
    if missing:
        raise InputError(f"{path}: canonical unit(s) {missing} missing; the reader produces them, expected an entry each")
    return canonical


def _published(path, entries: dict, canonical: dict) -> dict[str, tuple[str, float, str]]:
    published = {}
    for u, v in entries.items():
        where = f"published unit {_word(path, u, 'a published unit')!r}"
        v = _fields(path, v, where, ("canonical", "factor", "meaning"))
        if v["canonical"] not in canonical:
            raise _table_error(path, f"{where} field 'canonical'", v["canonical"],
                               f"one of the canonical units: {', '.join(canonical)}")
        f = v["factor"]
        if isinstance(f, bool) or not isinstance(f, (int, float)) or not math.isfinite(f) or f <= 0:
            raise _table_error(path, f"{where} field 'factor'", f, "a positive number (1 when the unit is canonical)")
        if not isinstance(v["meaning"], str) or not v["meaning"].strip():
            raise _table_error(path, f"{where} field 'meaning'", v["meaning"], "text")
        published[u] = (v["canonical"], float(f), v["meaning"])
    return published


def _not_read(path, entries: dict, published: dict) -> tuple[list[str], list[str]]:
    """(the words that are not read, the vague classifiers among them)."""
    not_read, vague = [], []
    for u, v in entries.items():
        where = f"not_read unit {_word(path, u, 'a unit that is not read')!r}"
        v = _fields(path, {} if v is None else v, where, (), ("vague",))
        if u in published:
            raise InputError(f"{path}: {u!r} is both a published unit and not read; expected one of the two")
        if not isinstance(v.get("vague", False), bool):
            raise _table_error(path, f"{where} field 'vague'", v["vague"], "true or false")
        not_read.append(u)
        if v.get("vague"):
            vague.append(u)
    return not_read, vague


def load_units(path=None) -> UnitTable:
    """Read and check data/raw/units.yml (or `path`): every problem is an InputError naming the file and the entry."""
    path = paths.UNITS if path is None else path
    doc = load_yaml(path, "a YAML mapping with `canonical`, `published` and `not_read` (see its header)")
    if not isinstance(doc, dict) or set(doc) != {"canonical", "published", "not_read"}:
        raise _table_error(path, "the top level", sorted(doc) if isinstance(doc, dict) else doc,
                           "a mapping with exactly the keys canonical, published, not_read")
    for key in ("canonical", "published", "not_read"):
        if not isinstance(doc[key], dict) or not doc[key]:
            raise _table_error(path, f"key {key!r}", doc[key], "a non-empty mapping of unit to its fields")
    canonical = _canonical(path, doc["canonical"])
    published = _published(path, doc["published"], canonical)
    not_read, vague = _not_read(path, doc["not_read"], published)
    return UnitTable(canonical=canonical, published=published, not_read=tuple(not_read), vague=tuple(vague),
                     published_keys=tuple(sorted(published, key=len, reverse=True)),
                     not_read_keys=tuple(sorted(not_read, key=len, reverse=True)))


@lru_cache(maxsize=1)
def units() -> UnitTable:
    """The unit table of the project (data/raw/units.yml), read once."""
    return load_units()


def canonical_units() -> frozenset[str]:
    """Every unit a processed value may have (the canonical units of data/raw/units.yml)."""
    return frozenset(units().canonical)
