"""The document registry (data/raw/sources.yml) and the integrity check every run starts with."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..core import paths
from ..core.errors import InputError, IntegrityError
from ..core.fileio import check_regular_file, load_yaml, read_text

REQUIRED = ("id", "file", "sha256", "title", "issuer", "title_en", "issuer_en", "region", "region_en", "date", "url",
            "script")
SCRIPTS = ("simplified", "traditional")
SOURCES_NAME = paths.SOURCES.name
MIN_YEAR = 1949        # the earliest year of a document or a statistic the project accepts (PRC statistics)


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
    title_en: str = ""    # the title and issuer in English (en pages give the Chinese name with its translation);
    issuer_en: str = ""   # required in sources.yml (REQUIRED), optional here for hand-built sources in tests

    def text(self) -> str:
        """The document's text; InputError for line ends that are a carriage return alone (old Mac OS): the
        lines would not be found where the spec says."""
        text = read_text(self.path, f"the UTF-8 text of document {self.id!r} (registered in sources.yml)")
        lone = _LONE_CR.search(text)
        if lone:
            raise InputError(f"{self.path}: line {text.count(chr(10), 0, lone.start()) + 1}: a line ends in a carriage "
                             "return alone (CR, old Mac OS line ends); expected line feeds (LF or CR LF) as every "
                             f"document's line ends: convert the file (e.g. `tr '\\r' '\\n'`) and register it again")
        return text

    @property
    def year(self) -> int:
        """The year of the document's date (the one home of "document year from the date")."""
        return int(str(self.date)[:4])


ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
_LONE_CR = re.compile(r"\r(?!\n)")
DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
TEXT_FIELDS = ("title", "issuer", "title_en", "issuer_en", "region", "region_en")


def _check_entry(entry, i: int, registry: Path, documents: Path) -> dict:
    """One registry entry checked field by field; InputError names the entry and the field."""
    if not isinstance(entry, dict):
        raise InputError(f"{registry}: entry {i} is {entry!r}; expected a mapping with the fields {', '.join(REQUIRED)}")
    missing = [k for k in REQUIRED if k not in entry]
    if missing:
        raise InputError(f"{registry}: entry {i} lacks field(s) {', '.join(missing)}; expected {', '.join(REQUIRED)}")
    sid = entry["id"]
    if not isinstance(sid, str) or not ID.fullmatch(sid):
        raise InputError(f"{registry}: entry {i} field 'id' is {sid!r}; expected lower-case letters, digits, '-' or '_' "
                         "(it names the spec file and the reports)")
    where = f"{registry}: entry {sid!r}"
    if entry["script"] not in SCRIPTS:
        raise InputError(f"{where} field 'script' is {entry['script']!r}; expected one of {SCRIPTS}")
    for key in TEXT_FIELDS:
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise InputError(f"{where} field {key!r} is {entry[key]!r}; expected text")
    file = entry["file"]
    if not isinstance(file, str) or not file or "/" in file or "\\" in file or file.startswith("."):
        raise InputError(f"{where} field 'file' is {file!r}; expected the name of a file in {documents}")
    if not isinstance(entry["sha256"], str) or not re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]):
        raise InputError(f"{where} field 'sha256' is {entry['sha256']!r}; expected 64 lower-case hex digits "
                         "(`sha256sum` of the document)")
    date = entry["date"]
    if isinstance(date, (dt.date, dt.datetime)):
        date = date.isoformat()[:10]
    m = DATE.fullmatch(str(date)) if isinstance(date, (str, int)) else None
    if m:
        try:
            dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
        except ValueError:
            m = None
    if not m or not MIN_YEAR <= int(m[1]) <= dt.date.today().year:
        raise InputError(f"{where} field 'date' is {entry['date']!r}; expected a date YYYY-MM-DD, YYYY-MM or YYYY "
                         f"between {MIN_YEAR} and this year, in quotes")
    if entry["url"] is not None and not isinstance(entry["url"], str):
        raise InputError(f"{where} field 'url' is {entry['url']!r}; expected an address or null")
    return {**{k: entry[k] for k in REQUIRED}, "date": str(date)}


def load_sources(registry: Path = paths.SOURCES, documents: Path = paths.DOCUMENTS) -> dict[str, Source]:
    """Read the registry; every entry must have the fields of docs/design.md, each of the expected kind."""
    registry, documents = Path(registry), Path(documents)
    entries = load_yaml(registry, "a YAML list of document entries (see docs/design.md)")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{registry}: expected a list of document entries (- id: …, file: …), found "
                         f"{type(entries).__name__ if entries is not None else 'nothing'}")
    sources: dict[str, Source] = {}
    files: dict[str, str] = {}
    for i, entry in enumerate(entries, 1):
        fields = _check_entry(entry, i, registry, documents)
        if fields["id"] in sources:
            raise InputError(f"{registry}: id {fields['id']!r} appears twice")
        if fields["file"] in files:
            raise InputError(f"{registry}: file {fields['file']!r} is registered twice ({files[fields['file']]!r} and "
                             f"{fields['id']!r})")
        files[fields["file"]] = fields["id"]
        sources[fields["id"]] = Source(**fields, path=documents / fields["file"])
    return sources


def unregistered_documents(sources: dict[str, Source], documents: Path = paths.DOCUMENTS) -> list[Path]:
    """Files in data/raw/documents/ that no registry entry names (hidden files aside)."""
    registered = {s.path.name for s in sources.values()}
    return sorted(p for p in Path(documents).iterdir() if not p.name.startswith(".") and p.name not in registered)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def verify(sources: dict[str, Source]) -> None:
    """Stop with an error naming the document if its bytes are missing or differ from the registry."""
    for s in sources.values():
        if not s.path.exists():
            raise IntegrityError(f"document {s.id!r}: file {s.path} is missing (registered in sources.yml); expected the "
                                 "document's text, byte for byte as received")
        check_regular_file(s.path, f"the text of document {s.id!r}, byte for byte as received")
        found = sha256_of(s.path)
        if found != s.sha256:
            raise IntegrityError(
                f"document {s.id!r} ({s.path}) has changed: sha256 expected {s.sha256}, found {found}. "
                "Raw documents are immutable; if the new text is intended, register it as a new source.")
        check_script(s, s.text())     # UTF-8 text without NUL bytes, or an error naming the line


@lru_cache(maxsize=2)
def _converter(config: str):
    import opencc  # its dictionaries load on import: only when a traditional-script document is read
    return opencc.OpenCC(config)


def check_script(source: Source, text: str) -> None:
    """The registry's `script` agrees with the text: InputError when a document said to be traditional has at least
    five times as many distinct simplified-only characters as traditional-only ones (or the reverse), counted with
    OpenCC (a few characters such as 于 台 are converted by s2t yet common in traditional text)."""
    han = sorted({ch for ch in text if "\u4e00" <= ch <= "\u9fff"})       # each character once, on its own line
    if len(han) < 20:
        return                                           # too little Chinese to tell
    to_simplified, to_traditional = (_converter(c).convert("\n".join(han)).split("\n") for c in ("t2s", "s2t"))
    if len(to_simplified) != len(han) or len(to_traditional) != len(han):
        return
    traditional_only = sum(a != b for a, b in zip(han, to_simplified))
    simplified_only = sum(a != b for a, b in zip(han, to_traditional))
    found = ("simplified" if simplified_only >= max(5, 5 * traditional_only) else
             "traditional" if traditional_only >= max(5, 5 * simplified_only) else None)
    if found and found != source.script:
        other = "traditional" if found == "simplified" else "simplified"
        raise InputError(f"{SOURCES_NAME}: entry {source.id!r} field 'script' is {source.script!r}, but the text of "
                         f"{source.path.name} is written in {found} characters ({max(simplified_only, traditional_only)} "
                         f"distinct characters of {found} Chinese only, {min(simplified_only, traditional_only)} of "
                         f"{other}); expected script: {found}")


def check_documents(sources: dict[str, Source], documents: Path = paths.DOCUMENTS, registry: Path = paths.SOURCES) -> None:
    """A file in data/raw/documents/ that the registry does not name is an error saying what to add."""
    extra = unregistered_documents(sources, documents)
    if extra:
        p = extra[0]
        digest = sha256_of(p) if p.is_file() else "(not a file)"
        raise InputError(f"{p}: a document that {registry} does not register; expected an entry for it there "
                         f"(- id: {p.stem}, file: {p.name}, sha256: {digest}, title, issuer, title_en, issuer_en, "
                         "region, region_en, date, url, script), and a spec data/raw/specs/<id>.yml; or move the file out of "
                         f"{Path(documents).name}/" + (f" ({len(extra) - 1} more unregistered)" if len(extra) > 1 else ""))


def load_verified(registry: Path = paths.SOURCES, documents: Path = paths.DOCUMENTS) -> dict[str, Source]:
    sources = load_sources(registry, documents)
    check_documents(sources, documents, registry)
    verify(sources)
    return sources
