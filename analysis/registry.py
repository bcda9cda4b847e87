"""The document registry (data/raw/sources.yml) and the integrity check every run starts with."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import paths
from .errors import InputError, IntegrityError

REQUIRED = ("id", "file", "sha256", "title", "issuer", "region", "region_en", "date", "url", "script")
SCRIPTS = ("simplified", "traditional")


@dataclass(frozen=True)
class Source:
    id: str
    file: str
    sha256: str
    title: str
    issuer: str
    region: str
    region_en: str
    date: str
    url: str | None
    script: str
    path: Path

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def year(self) -> int:
        """The year of the document's date (the one home of "document year from the date")."""
        return int(str(self.date)[:4])


def load_sources(registry: Path = paths.SOURCES, documents: Path = paths.DOCUMENTS) -> dict[str, Source]:
    """Read the registry; every entry must have the fields of docs/design.md."""
    try:
        entries = yaml.safe_load(Path(registry).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{registry}: not valid YAML ({exc})") from exc
    if not isinstance(entries, list):
        raise InputError(f"{registry}: expected a list of document entries")
    sources: dict[str, Source] = {}
    for i, entry in enumerate(entries, 1):
        missing = [k for k in REQUIRED if k not in (entry or {})]
        if missing:
            raise InputError(f"{registry}: entry {i} lacks field(s) {', '.join(missing)}; expected {', '.join(REQUIRED)}")
        if entry["script"] not in SCRIPTS:
            raise InputError(f"{registry}: entry {entry['id']!r} field 'script' is {entry['script']!r}; expected one of {SCRIPTS}")
        if entry["id"] in sources:
            raise InputError(f"{registry}: id {entry['id']!r} appears twice")
        sources[entry["id"]] = Source(**{k: entry[k] for k in REQUIRED}, path=Path(documents) / entry["file"])
    return sources


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def verify(sources: dict[str, Source]) -> None:
    """Stop with an error naming the document if its bytes are missing or differ from the registry."""
    for s in sources.values():
        if not s.path.exists():
            raise IntegrityError(f"document {s.id!r}: file {s.path} is missing (registered in sources.yml)")
        found = sha256_of(s.path)
        if found != s.sha256:
            raise IntegrityError(
                f"document {s.id!r} ({s.path}) has changed: sha256 expected {s.sha256}, found {found}. "
                "Raw documents are immutable; if the new text is intended, register it as a new source.")


def load_verified(registry: Path = paths.SOURCES, documents: Path = paths.DOCUMENTS) -> dict[str, Source]:
    sources = load_sources(registry, documents)
    verify(sources)
    return sources
