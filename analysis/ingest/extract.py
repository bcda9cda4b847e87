"""The extraction engine: executes one declarative spec per document (data/raw/specs/<source_id>.yml).

A spec says what to read and where; this module holds the only code that reads documents.
Adding a document means writing a spec (and perhaps vocabulary entries), not code.

Spec keys (see data/raw/specs/README.md for the full description):
    source        registry id; must equal the file's stem
    stop_at       text from whose line on the document is not part of the policy (page boilerplate)
    corrections   typo → fix, applied to published names after traditional→simplified conversion
    kind          default kind of the entries (target)
    tables        cell-per-line tables: anchor, columns [{year, kind}], rows {序号: {indicator, label}}
    observations  prose entries: indicator, quote, [number, year, kind, line, occurrence, name, unit, relative]
    ignore        numbers that are not observations: {pattern (regex), reason, [lines]}

Every digit in the document must end up either in an observation or inside an ignore match;
`Extraction.unaccounted` lists those that do neither.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
import regex

from ..core import numerals, paths, quantity, schema
from ..core.errors import SpecError, ValidationError
from ..inputs.registry import Source
from .spec import load_spec

COLUMNS = schema.columns("observations")
ENTRY_KEYS = {"indicator", "quote", "number", "year", "kind", "line", "occurrence", "name", "unit", "relative", "note"}
COMMON_SPEC = "_common.yml"
_SENTENCE_END = re.compile(r"[。！？]")
_BASE_YEAR_MARK = ("由", "从", "從", "比", "自", "较", "較")
_UNIT_SUFFIX = re.compile(r"（([^（）]*)）\s*$")


@dataclass
class Unaccounted:
    source_id: str
    line: int
    number: str
    text: str

    def __str__(self) -> str:
        return f"{self.source_id} line {self.line}: number {self.number!r} is neither an observation nor ignored: {self.text.strip()[:80]}"


@dataclass
class Extraction:
    rows: list[dict] = field(default_factory=list)
    unaccounted: list[Unaccounted] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)      # targets kept relative (no base value found)
    relatives: list[dict] = field(default_factory=list)  # every relative target, resolved or not


class _Doc:
    """A document's lines (1-based), cut at `stop_at`, with per-line bookkeeping of accounted digits."""

    def __init__(self, source: Source, spec_file: Path, stop_at: str | None):
        self.source = source
        self.spec_file = spec_file
        self.lines = source.text().split("\n")
        self.n = len(self.lines)
        if stop_at:
            hits = [i for i, text_line in enumerate(self.lines) if stop_at in text_line]
            if not hits:
                raise SpecError(f"{spec_file}: field 'stop_at': text {stop_at!r} not found in {source.path.name}")
            self.n = hits[0]
        self.accounted: dict[int, list[tuple[int, int]]] = {}
        self.notes: list[str] = []
        self.relatives: list[dict] = []

    def line(self, no: int) -> str:
        return self.lines[no - 1]

    def account(self, no: int, start: int, end: int) -> None:
        self.accounted.setdefault(no, []).append((start, end))

    def find(self, quote: str, where: str, line: int | None = None, occurrence: int | None = None) -> tuple[int, int]:
        """(line number, offset) of `quote`; an error names the spec and the entry when it is not where expected."""
        pattern = re.compile(re.escape(quote))
        hits = [(i + 1, m.start()) for i in range(self.n) if quote in self.lines[i] for m in pattern.finditer(self.lines[i])]
        if not hits:
            raise SpecError(f"{self.spec_file}: {where}: quote {quote!r} not found in {self.source.path.name}")
        if line is not None:
            hits_at = [h for h in hits if h[0] == line]
            if not hits_at:
                raise SpecError(f"{self.spec_file}: {where}: quote {quote!r} expected at line {line}, found at line(s) "
                                f"{sorted({h[0] for h in hits})}")
            hits = hits_at
        if occurrence is not None:
            if not 1 <= occurrence <= len(hits):
                raise SpecError(f"{self.spec_file}: {where}: occurrence {occurrence} of {quote!r} requested, {len(hits)} found")
            return hits[occurrence - 1]
        if len(hits) > 1:
            raise SpecError(f"{self.spec_file}: {where}: quote {quote!r} occurs {len(hits)} times (lines "
                            f"{[h[0] for h in hits]}); give `line` or `occurrence`, or a longer quote")
        return hits[0]


def _simplify_name(text: str, source: Source, corrections: dict) -> str:
    name = numerals.to_simplified(text) if source.script == "traditional" else text
    for wrong, right in (corrections or {}).items():
        name = name.replace(wrong, right)
    return re.sub(r"\s+", "", name)


# a spec's `unit` may restate what the document's own unit means, never change its size
UNIT_RESTATEMENTS = {("%", "百分点"): "a yearly rise of a share written with %"}


def _check_unit(reading_unit: str | None, indicator: str, vocab: pd.DataFrame, where: str, spec_file: Path,
                override: str | None) -> str:
    expected = vocab.at[indicator, "unit"]
    if override and reading_unit is not None and override != reading_unit and (reading_unit, override) not in UNIT_RESTATEMENTS:
        raise SpecError(f"{spec_file}: {where}: `unit: {override}` would change the number's own unit {reading_unit!r}; "
                        f"a spec may only give a unit where the document states none (or {sorted(UNIT_RESTATEMENTS)})")
    unit = override or reading_unit
    if unit is None:
        raise SpecError(f"{spec_file}: {where}: no unit follows the number; indicator {indicator!r} expects {expected!r} "
                        "(give `unit` if the document states it elsewhere)")
    if unit != expected:
        raise SpecError(f"{spec_file}: {where}: unit {unit!r} does not match indicator {indicator!r}, whose unit is {expected!r}")
    return unit


def _row(doc: _Doc, vocab: pd.DataFrame, indicator: str, name: str | None, year: int, kind: str, reading: quantity.Reading,
         value: float, line_no: int, quote: str, unit: str) -> dict:
    v = vocab.loc[indicator]
    return {
        "source_id": doc.source.id, "region": doc.source.region, "region_en": doc.source.region_en,
        "indicator_id": indicator, "indicator_zh": name or v["indicator_zh"], "indicator_en": v["indicator_en"],
        "measure": v["measure"], "unit": unit, "year": int(year), "value": value,
        "value_published": reading.value_published, "unit_published": reading.unit_published, "kind": kind,
        "bound": reading.bound, "value_low": reading.value_low, "line": line_no, "quote": quote,
        "_pos": reading.start,   # document order within the line (not written)
    }


def _check_indicator(indicator, vocab, spec_file, where):
    if indicator not in vocab.index:
        raise SpecError(f"{spec_file}: {where}: indicator {indicator!r} is not in the vocabulary ({paths.INDICATORS.name})")


def _run_tables(doc: _Doc, spec: dict, vocab: pd.DataFrame) -> list[dict]:
    rows = []
    for t_i, table in enumerate(spec.get("tables") or [], 1):
        where = f"tables[{t_i}]"
        anchor_line, _ = doc.find(table["anchor"], where)
        columns = table["columns"]
        wanted = {int(k): (v if isinstance(v, dict) else {"indicator": v}) for k, v in table["rows"].items()}
        # rows are runs of cell lines ("\t…") separated by blank lines; a row starts with its number (序号)
        blocks: list[tuple[int, list[tuple[int, str]]]] = []   # (序号, [(line, cell)])
        i, started, in_row, prev_blank = anchor_line, False, False, True
        while i < doc.n:
            text, no = doc.lines[i], i + 1
            if text.startswith("\t"):
                if prev_blank and re.fullmatch(r"\t\d+\s*", text):
                    started, in_row = True, True
                    blocks.append((int(text.strip()), [(no, text)]))
                    doc.account(no, 0, len(text))          # the row number (序号)
                elif in_row:
                    blocks[-1][1].append((no, text))
                prev_blank = False
            else:
                if text.strip() and started:
                    break
                in_row, prev_blank = False, not text.strip()
            i += 1
        found = {b[0] for b in blocks}
        for k in sorted(set(wanted) - found):
            raise SpecError(f"{doc.spec_file}: {where}: row {k} ({wanted[k]['indicator']}) not found in the table "
                            f"under {table['anchor']!r}")
        group = None
        for seq, cells in blocks:
            if seq not in wanted:
                raise SpecError(f"{doc.spec_file}: {where}: table row {seq} (line {cells[0][0]}) is not mapped to an indicator in `rows`")
            entry = wanted[seq]
            indicator = entry["indicator"]
            rwhere = f"{where} row {seq} ({indicator})"
            _check_indicator(indicator, vocab, doc.spec_file, rwhere)
            body = cells[1:]
            if len(body) < len(columns) + 1:
                raise SpecError(f"{doc.spec_file}: {rwhere}: expected a label and {len(columns)} values, "
                                f"found {len(body)} cells at line {cells[0][0]}")
            labels = [c.strip() for _, c in body[: -len(columns)]]
            values = body[-len(columns):]
            if len(labels) == 2:
                group = labels[0] or group
                label = labels[1]
                if not group:
                    raise SpecError(f"{doc.spec_file}: {rwhere}: an empty group cell with no group above it")
            else:
                group, label = None, labels[-1]
            if entry.get("label") and entry["label"] not in label:
                raise SpecError(f"{doc.spec_file}: {rwhere}: expected a label containing {entry['label']!r}, found {label!r}")
            m = _UNIT_SUFFIX.search(label)
            if not m:
                raise SpecError(f"{doc.spec_file}: {rwhere}: label {label!r} gives no unit in （…）")
            found_unit = quantity.lookup_unit(m.group(1))
            if not found_unit or found_unit[0] != m.group(1):
                raise SpecError(f"{doc.spec_file}: {rwhere}: unknown unit {m.group(1)!r} in label {label!r}")
            unit_published, unit, mult = found_unit
            unit = _check_unit(unit, indicator, vocab, rwhere, doc.spec_file, None)
            name = label[: m.start()]
            name = f"{group}：{name}" if group else name
            name = _simplify_name(name, doc.source, spec.get("corrections"))
            for (no, text), col in zip(values, columns):
                cell = text.strip()
                start = text.index(cell) if cell else -1
                if not cell or not numerals.NUMBER.fullmatch(numerals.normalize(cell)):
                    raise SpecError(f"{doc.spec_file}: {rwhere}: expected a number for {col['year']} at line {no}, found {cell!r}")
                reading = quantity.read_number(text, start)
                reading = quantity.Reading(**{**reading.__dict__, "unit_published": unit_published, "unit": unit,
                                             "value": numerals.scale(reading.value, mult)})
                doc.account(no, start, start + len(cell))
                rows.append(_row(doc, vocab, indicator, name, col["year"], col["kind"], reading, reading.value, no, cell, unit))
    return rows


def _infer_year(line: str, start: int, kind: str) -> int | None:
    """The year context of a number (see quantity.year_before)."""
    return quantity.year_before(line, start, kind)


def _run_observations(doc: _Doc, spec: dict, vocab: pd.DataFrame, rows_so_far: list[dict]) -> list[dict]:
    rows = []
    default_kind = spec.get("kind", "target")
    for e_i, entry in enumerate(spec.get("observations") or [], 1):
        unknown = set(entry) - ENTRY_KEYS
        indicator = entry.get("indicator")
        where = f"observations[{e_i}] ({indicator})"
        if unknown:
            raise SpecError(f"{doc.spec_file}: {where}: unknown field(s) {sorted(unknown)}; expected some of {sorted(ENTRY_KEYS)}")
        for key in ("indicator", "quote"):
            if not entry.get(key):
                raise SpecError(f"{doc.spec_file}: {where}: field {key!r} is required")
        _check_indicator(indicator, vocab, doc.spec_file, where)
        kind = entry.get("kind", default_kind)
        if kind not in schema.KINDS:
            raise SpecError(f"{doc.spec_file}: {where}: field 'kind' is {kind!r}; expected one of {schema.KINDS}")
        quote = str(entry["quote"])
        line_no, q_start = doc.find(quote, where, entry.get("line"), entry.get("occurrence"))
        text = doc.line(line_no)
        name = None
        if entry.get("name"):
            if entry["name"] not in text:
                raise SpecError(f"{doc.spec_file}: {where}: name {entry['name']!r} not found at line {line_no}")
            name = _simplify_name(entry["name"], doc.source, spec.get("corrections"))
        if entry.get("relative"):
            row = _relative(doc, vocab, entry, where, indicator, kind, name, line_no, q_start, quote, rows_so_far + rows)
            if row:
                rows.append(row)
            continue
        readings = _readings(text, q_start, q_start + len(quote))
        if not readings:
            raise SpecError(f"{doc.spec_file}: {where}: no number in quote {quote!r} (line {line_no})")
        k = entry.get("number")
        if k is None and len(readings) > 1:
            raise SpecError(f"{doc.spec_file}: {where}: quote {quote!r} holds {len(readings)} numbers "
                            f"({[_shown(r, text) for r in readings]}); say which with `number`")
        k = k or 1
        if not 1 <= k <= len(readings):
            raise SpecError(f"{doc.spec_file}: {where}: number {k} requested, quote {quote!r} holds {len(readings)}")
        reading = readings[k - 1]
        if isinstance(reading, quantity.QuantityError):
            raise SpecError(f"{doc.spec_file}: {where}: number {k} of quote {quote!r} (line {line_no}) cannot be read: {reading}")
        if reading.end > q_start + len(quote):
            raise SpecError(f"{doc.spec_file}: {where}: quote {quote!r} cuts the number {reading.value_published!r} "
                            f"from its unit or qualifier; extend the quote to {text[q_start:reading.end]!r}")
        year = entry.get("year") or _infer_year(numerals.normalize(text), reading.start, kind)
        if year is None:
            raise SpecError(f"{doc.spec_file}: {where}: no year in the sentence before {reading.value_published!r} "
                            f"(line {line_no}); give `year`")
        unit = _check_unit(reading.unit, indicator, vocab, where, doc.spec_file, entry.get("unit"))
        for s, e in reading.spans:
            doc.account(line_no, s, e)
        rows.append(_row(doc, vocab, indicator, name, year, kind, reading, reading.value, line_no, quote, unit))
    return rows


def _readings(text: str, start: int, end: int) -> list[quantity.Reading | quantity.QuantityError]:
    """The numbers between start and end of a line that are not years ('2017年'), in order: each a reading, or
    the error that says why it cannot be read (an unknown unit token, an ordinal), raised only if it is chosen."""
    years = {s for s, _, _ in quantity.year_spans(text)}
    out: list = []
    consumed = -1
    for s, e in quantity.quantity_spans(text):
        if not (start <= s < end) or s in years or s < consumed:
            continue
        try:
            r = quantity.read_number(text, s)
            consumed = max(b for _, b in r.spans)
        except quantity.QuantityError as exc:
            r = exc
            consumed = e
        out.append(r)
    return out


def _shown(r, text: str) -> str:
    return r.value_published if isinstance(r, quantity.Reading) else "?"


RELATIVE_KEYS = {"base_year", "published", "factor", "series"}


def _relative(doc, vocab, entry, where, indicator, kind, name, line_no, q_start, quote, rows) -> dict | None:
    """A target stated relative to a base (quantity.read_change): 翻一番 (× 2), 增长50% (× 1.5), 提高2个百分点 (+ 2),
    each of the document's region in `base_year`; or 达到全国平均水平, the value of region `series` for the same
    indicator in the target's year. The base is the document's own actual (its region) or a published actual
    (data/raw/actuals/); found, the target becomes a row; else it stays relative: no row, a note in `doc.notes`.
    Either way a record in `doc.relatives` (relative_targets.csv) keeps the relation, the base and why."""
    rel = entry["relative"]
    unknown = set(rel) - RELATIVE_KEYS
    if unknown:
        raise SpecError(f"{doc.spec_file}: {where}: `relative` has unknown field(s) {sorted(unknown)}; expected some of "
                        f"{sorted(RELATIVE_KEYS)}")
    if "published" not in rel:
        raise SpecError(f"{doc.spec_file}: {where}: `relative` needs 'published' (the words of the relation as written)")
    published = str(rel["published"])
    if published not in quote:
        raise SpecError(f"{doc.spec_file}: {where}: {published!r} not in quote {quote!r}")
    if "year" not in entry:
        raise SpecError(f"{doc.spec_file}: {where}: a relative target needs `year`")
    at = q_start + quote.index(published)
    line = doc.line(line_no)
    change = quantity.read_change(line, at)
    if change is None:
        raise SpecError(f"{doc.spec_file}: {where}: {published!r} is not a relation the reader knows "
                        f"({', '.join(quantity.RELATIVE)}; 增长/提高/降低 N%; 提高/降低 N 个百分点; …平均水平)")
    if change.relation == "series":
        if not isinstance(rel.get("series"), str) or "base_year" in rel:
            raise SpecError(f"{doc.spec_file}: {where}: {published!r} ties the target to another series: give "
                            "`series: <region>` (e.g. 全国, a region of data/raw/reference/regions.csv), not base_year")
        base_region, base_year = rel["series"], int(entry["year"])
    else:
        if "base_year" not in rel or "series" in rel:
            raise SpecError(f"{doc.spec_file}: {where}: `relative` needs 'base_year' (the year {published!r} is measured "
                            "from)")
        base_region, base_year = doc.source.region, int(rel["base_year"])
    if "factor" in rel and (change.factor is None or float(rel["factor"]) != change.factor):
        raise SpecError(f"{doc.spec_file}: {where}: `factor: {rel['factor']}` but {published!r} reads as "
                        + (f"× {change.factor:g}" if change.factor is not None else f"a {change.relation}"))
    unit = vocab.at[indicator, "unit"]
    if change.relation == "pp_change" and unit != "%":
        raise SpecError(f"{doc.spec_file}: {where}: {published!r} is a change in percentage points; indicator "
                        f"{indicator!r} has unit {unit!r}, expected a share in %")
    for s, e in change.spans:
        doc.account(line_no, s, e)
    base, base_source = None, ""
    if base_region == doc.source.region:
        mine = [r for r in rows if r["indicator_id"] == indicator and r["year"] == base_year and r["kind"] == "actual"]
        if mine:
            base, base_source = mine[0]["value"], f"{doc.source.id} line {mine[0]['line']}"
    if base is None:
        base, base_source = _published_base(base_region, indicator, base_year)
    record = {"source_id": doc.source.id, "region": doc.source.region, "indicator_id": indicator,
              "year": int(entry["year"]), "kind": kind, "relation": change.relation, "published": published,
              "base_region": base_region, "base_year": base_year, "factor": change.factor, "change": change.change,
              "base_value": base, "base_source": base_source, "value": None, "unit": unit, "bound": change.bound,
              "resolved": base is not None, "not_resolved_because": "", "line": line_no, "quote": quote}
    doc.relatives.append(record)
    if base is None:
        record["not_resolved_because"] = (
            f"the {base_year} value of {base_region} is neither in the document nor in "
            f"{paths.PUBLISHED_ACTUALS.relative_to(paths.ROOT)}")
        doc.notes.append(f"{doc.source.id} line {line_no}: {indicator} {entry['year']} stays a relative target "
                         f"({published}, of {base_region} {base_year}): {record['not_resolved_because']}")
        return None
    value = (base if change.relation == "series" else numerals.scale(base, change.factor)
             if change.factor is not None else float(Decimal(repr(base)) + Decimal(repr(change.change))))
    record["value"] = value
    row_reading = quantity.Reading(start=at, end=q_start + len(quote), value=value, value_low=None,
                                  value_published=published, unit_published="", unit=unit, bound=change.bound, spans=())
    return _row(doc, vocab, indicator, name, entry["year"], kind, row_reading, value, line_no, quote, unit)


def _published_base(region: str, indicator: str, year: int) -> tuple[float | None, str]:
    """A cited actual (data/raw/actuals/) for region, indicator and year: (value, where it was published), or
    (None, "")."""
    from ..inputs.actuals import load_published  # late: actuals reads the vocabulary and regions

    pub = load_published()
    hit = pub[(pub["region"] == region) & (pub["indicator_id"] == indicator) & (pub["year"] == int(year))]
    if not len(hit):
        return None, ""
    h = hit.iloc[0]
    return float(h["value"]), f"{Path(h['file']).name} line {h['line']}: {h['source']}"


def relative_frame(records: list[dict]) -> pd.DataFrame:
    """The relative targets of every document (relative_targets.csv), sorted by source, indicator, year."""
    df = pd.DataFrame(records, columns=schema.columns("relative_targets"))
    return df.sort_values(["source_id", "indicator_id", "year", "line"], kind="stable").reset_index(drop=True)


LITERAL_NUMBER = r"(?:\d+(?:\.\d+)?|[〇零一二两兩三四五六七八九十百千]+)"


def literal_pattern(text: str) -> str:
    """An ignore rule's literal form → its regular expression: the text as written, `#` for a number
    (digits or a Chinese numeral). '第#次常委' → '第(?:\\d+…)次常委'."""
    return LITERAL_NUMBER.join(re.escape(part) for part in text.split("#"))


IGNORE_TIMEOUT_S = 5.0    # the most time one ignore rule may take over one document (a normal rule takes milliseconds)


def _rule_pattern(rule: dict, r_i: int, spec_file: Path) -> regex.Pattern:
    """An ignore rule's expression. `pattern`s run in the `regex` package (the syntax of `re`), which can stop a
    match after a time limit: a pattern with catastrophic backtracking (`(a|aa)+$`) is refused, not a hang."""
    if not isinstance(rule, dict) or ("pattern" in rule) == ("text" in rule):
        raise SpecError(f"{spec_file}: ignore[{r_i}]: give either `text` (the words as written, # for a number) or "
                        f"`pattern` (a regular expression), and a `reason`")
    if "text" in rule:
        if "#" not in str(rule["text"]):
            raise SpecError(f"{spec_file}: ignore[{r_i}]: `text` {rule['text']!r} has no # (the number it ignores)")
        return regex.compile(literal_pattern(str(rule["text"])))
    if not isinstance(rule["pattern"], str) or not rule["pattern"]:
        raise SpecError(f"{spec_file}: ignore[{r_i}]: field 'pattern' is {rule['pattern']!r}; expected a regular expression")
    try:
        return regex.compile(rule["pattern"])
    except (regex.error, re.error, ValueError, OverflowError, RecursionError) as exc:
        raise SpecError(f"{spec_file}: ignore[{r_i}]: field 'pattern' is not a valid regular expression ({exc})") from exc


def _run_ignores(doc: _Doc, rules: list[dict], spec_file: Path, must_match: bool) -> None:
    for r_i, rule in enumerate(rules or [], 1):
        pattern = _rule_pattern(rule, r_i, spec_file)
        shown = rule.get("text") or rule.get("pattern")
        if not rule.get("reason"):
            raise SpecError(f"{spec_file}: ignore[{r_i}] ({shown!r}): every ignore rule needs a `reason`")
        lines = rule.get("lines")
        outside = [n for n in lines or [] if not 1 <= n <= doc.n]
        if outside:
            raise SpecError(f"{spec_file}: ignore[{r_i}] field 'lines': line {outside[0]} is outside "
                            f"{doc.source.path.name} (lines 1–{doc.n}); expected a line of the document")
        hit = False
        deadline = time.monotonic() + IGNORE_TIMEOUT_S
        for no in (lines or range(1, doc.n + 1)):
            norm = numerals.normalize(doc.line(no))
            try:
                spans = [m.span() for m in pattern.finditer(norm, timeout=max(deadline - time.monotonic(), 0.001))]
            except TimeoutError:
                raise SpecError(f"{spec_file}: ignore[{r_i}] field 'pattern' {_clip(shown)!r} took more than "
                                f"{IGNORE_TIMEOUT_S:g} s on {doc.source.path.name} (stopped at line {no}): it backtracks "
                                "without end (nested repetition such as (a+)+ or (a|aa)+); expected a pattern "
                                "without nested repeats") from None
            for start, end in spans:
                hit = True
                doc.account(no, start, end)
        if must_match and not hit:
            raise SpecError(f"{spec_file}: ignore[{r_i}]: {shown!r} ({rule['reason']}) matches nothing "
                            f"in {doc.source.path.name}; the spec no longer fits the document")


def _clip(text, width: int = 80) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _unaccounted(doc: _Doc) -> list[Unaccounted]:
    out = []
    for no in range(1, doc.n + 1):
        text = doc.line(no)
        spans = doc.accounted.get(no, [])
        for s, e in quantity.number_spans(text):
            if not any(a <= s and e <= b for a, b in spans):
                out.append(Unaccounted(doc.source.id, no, text[s:e], text))
    return out


def extract(source: Source, spec_file: Path, vocab: pd.DataFrame,
            common_file: Path | None = paths.SPECS / COMMON_SPEC) -> Extraction:
    """Run one document's spec (with the ignore rules common to all documents); returns its rows
    (in document order) and the digits nothing accounted for."""
    spec = load_spec(spec_file)
    common = load_spec(common_file) if common_file and Path(common_file).exists() else None
    if spec.get("source") != source.id:
        raise SpecError(f"{spec_file}: field 'source' is {spec.get('source')!r}; expected {source.id!r}")
    doc = _Doc(source, Path(spec_file), spec.get("stop_at"))
    rows = _run_tables(doc, spec, vocab)
    rows += _run_observations(doc, spec, vocab, rows)
    _run_ignores(doc, spec.get("ignore"), Path(spec_file), must_match=True)
    if common:
        _run_ignores(doc, common.get("ignore"), Path(common_file), must_match=False)
    rows.sort(key=lambda r: (r["line"], r["_pos"]))
    return Extraction(rows=rows, unaccounted=_unaccounted(doc), notes=doc.notes, relatives=doc.relatives)


def extract_all(sources: dict[str, Source], vocab: pd.DataFrame, specs_dir: Path = paths.SPECS) -> tuple[pd.DataFrame, list[Unaccounted]]:
    """Every registered document through its spec → (observations frame, unaccounted digits)."""
    specs_dir = Path(specs_dir)
    orphans = sorted(p for p in specs_dir.glob("*.yml") if not p.name.startswith("_") and p.stem not in sources)
    if orphans:
        raise SpecError(f"{orphans[0]}: a spec for {orphans[0].stem!r}, which {paths.SOURCES.name} does not register; "
                        f"expected an entry `- id: {orphans[0].stem}` in {paths.SOURCES} (with file, sha256, title, issuer, "
                        "region, region_en, date, url, script) and the document in data/raw/documents/; or rename the "
                        "spec to the id of a registered source")
    rows, unaccounted, notes, relatives = [], [], [], []
    for sid, source in sorted(sources.items()):
        spec_file = specs_dir / f"{sid}.yml"
        if not spec_file.exists():
            raise SpecError(f"{spec_file}: no extraction spec for registered source {sid!r}")
        ex = extract(source, spec_file, vocab, specs_dir / COMMON_SPEC)
        rows += dedupe(ex.rows, spec_file)
        unaccounted += ex.unaccounted
        notes += ex.notes
        relatives += ex.relatives
    df = pd.DataFrame(rows, columns=COLUMNS)
    df = df.sort_values(["source_id", "indicator_id", "year", "kind"], kind="stable").reset_index(drop=True)
    df.attrs["notes"] = notes
    df.attrs["relatives"] = relatives
    return df, unaccounted


def dedupe(rows: list[dict], spec_file: Path) -> list[dict]:
    """One row per (source, indicator, year, kind), from the first mention; a second mention with another
    value is a conflict, reported with both lines."""
    seen: dict[tuple, dict] = {}
    out = []
    for r in sorted(rows, key=lambda r: (r["line"], r["_pos"])):
        key = (r["source_id"], r["indicator_id"], r["year"], r["kind"])
        if key in seen:
            first = seen[key]
            if abs(first["value"] - r["value"]) > 1e-9 * max(1.0, abs(first["value"])) or first["value_low"] != r["value_low"]:
                raise ValidationError(
                    f"{spec_file}: conflict for {key}: line {first['line']} gives {first['value_published']} "
                    f"({first['value']}), line {r['line']} gives {r['value_published']} ({r['value']})")
            continue
        seen[key] = r
        out.append(r)
    return out
