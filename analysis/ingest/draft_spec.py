"""`make spec SOURCE=<id>` (python -m analysis.ingest.draft_spec <id>): a draft extraction spec for a registered document.

The draft lists every number of the document that the common ignore rules (_common.yml) do not already
account for, grouped by sentence: each quantity as an `observations` entry with its reading, the year found
in the sentence and an indicator suggested from the vocabulary by name (null when none fits); dates,
document numbers, ordinals and list numbering as literal `ignore` rules (`#` stands for the number). The
researcher edits it (checks each suggestion, removes entries that are not targets or actuals, adds a
reason-bearing ignore rule for them) rather than writing it. An existing spec is never overwritten unless
asked (--force; `make spec SOURCE=<id> FORCE=1`).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core import lock, numerals, paths, quantity, units
from ..core.errors import InputError, run_cli
from ..core.fileio import write_text_atomic
from ..inputs.registry import Source, load_verified
from ..inputs.vocab import MEASURES, load_indicators
from .extract import COMMON_SPEC, _readings, literal_pattern
from .spec import load_spec

_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]?")
_CLAUSE_START = re.compile(r"[，,；;：:、（(“\"]")
_LIST_NUMBER = re.compile(r"\s*[（(]?$")


@dataclass
class Item:
    line: int
    sentence: str
    text: str          # YAML text of the entry (or of a comment)
    kind: str          # observation | ignore | problem


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _common_spans(line: str, rules: list[dict]) -> list[tuple[int, int]]:
    norm = numerals.normalize(line)
    spans = []
    for rule in rules or []:
        pat = literal_pattern(rule["text"]) if "text" in rule else rule["pattern"]
        spans += [(m.start(), m.end()) for m in re.finditer(pat, norm)]
    return spans


def _names(vocab: pd.DataFrame) -> list[tuple[str, str]]:
    """(name in simplified characters without spaces, indicator_id), longest first: every indicator_zh and alias."""
    out = []
    for iid, row in vocab.iterrows():
        for name in [row["indicator_zh"], *[a for a in str(row["aliases"]).split(";") if a]]:
            out.append((re.sub(r"\s+", "", numerals.to_simplified(name)), iid))
            short = re.sub(r"[（(].*?[）)]", "", out[-1][0])
            if short != out[-1][0] and len(short) >= 4:
                out.append((short, iid))
    return sorted(set(out), key=lambda x: (-len(x[0]), x[1]))


def suggest_indicator(context: str, unit: str | None, vocab: pd.DataFrame, names=None, any_unit: bool = False) -> str | None:
    """The vocabulary indicator whose name (or alias) occurs in `context` and whose unit is the reading's (any unit
    with `any_unit`: a relative target's 倍 or % says nothing of the indicator's unit): the longest such name wins;
    None when none fits."""
    ctx = re.sub(r"\s+", "", numerals.simple(context))
    for name, iid in (names or _names(vocab)):
        if name and name in ctx and (any_unit or vocab.at[iid, "unit"] == unit):
            return iid
    return None


_TARGET_YEAR = re.compile(r"(?:到|至|截至|力争到|力争)\s*((?:19|20)\d{2})\s*年")


CARRY_LINES = 10       # a target year introduced by a line ending in a colon (到2027年，主要目标：) reaches this far


def target_years(lines: list[str]) -> list[tuple[int, int, int, bool]]:
    """(line, offset, year, introduces) of every target-year phrase of the document in text order: 到2027年, 至2025年;
    `introduces`: its line ends with a colon, so the lines below it are its targets."""
    return [(no, m.start(), int(m.group(1)), line.rstrip().endswith(("：", ":"))) for no, line in enumerate(lines, 1)
            for m in _TARGET_YEAR.finditer(numerals.normalize(line))]


def carried_year(marks: list[tuple[int, int, int, bool]], no: int, at: int) -> tuple[int, int] | None:
    """(year, line) of the target-year phrase that governs offset `at` of line `no` without a year of its own sentence:
    the last one in an earlier sentence of the same line (到2027年，…。then more targets), or of a line ending in a
    colon at most CARRY_LINES above; None otherwise (a table's cells keep their columns' years)."""
    before = [(y, n, intro) for n, o, y, intro in marks if (n, o) < (no, at)]
    if not before:
        return None
    year, line, intro = before[-1]
    return (year, line) if line == no or (intro and no - line <= CARRY_LINES) else None


def relative_at(line: str, r: quantity.Reading) -> tuple[quantity.Change, int, int] | None:
    """(relation, where its words start, base year) when the reading is part of a target stated relative to a base
    year (比2015年翻一番, 比2015年增长50%, 比2015年提高2个百分点), else None."""
    for start in (r.start, r.start - 2, r.start - 3):           # 翻一番 at the number's word; 增长50%, 增长了50%
        if start < 0:
            continue
        change = quantity.read_change(line, start)
        if change is None or change.relation == "series":
            continue
        if change.relation != "multiple" and not any(a == r.start for a, _ in change.spans):
            continue
        base = _base_year(line, start)
        if base is not None:
            return change, start, base
    return None


def _clause_start(line: str, sentence_start: int, at: int) -> int:
    start = sentence_start
    for m in _CLAUSE_START.finditer(line, sentence_start, at):
        start = m.end()
    while start < at and line[start] in " \u3000\t":
        start += 1
    return start


def _literal_ignore(line: str, tok: quantity.Token) -> tuple[str, str] | None:
    """(literal text, reason) for a number that is not a quantity, or None."""
    s = numerals.simple(line)
    a, b = tok.start, tok.end
    if tok.kind == "year":
        return None if re.match(r"\s*年", s[b:]) else (line[a - 0:b].replace(line[a:b], "#") + line[b:b + 1], "a year")
    if tok.kind == "date":
        if s[max(0, a - 1):a] == ":":
            return None                                   # the minutes of 14:26 (the hours' rule covers them)
        if s[b:b + 1] == ":":
            return "#:#", "a time of day"
        word = re.match(r"\s*(?:个月|月|日|号|时|年|天|周|小时)", s[b:])
        word = word.group() if word else ""
        reason = "a duration" if word.strip() in ("个月", "年", "天", "周", "小时") else "a date"
        return line[max(0, a - 2):a] + "#" + line[b:b + len(word)], reason
    if tok.kind == "docnumber":
        return line[max(0, a - 1):a] + "#" + line[b:b + 1], "a document number"
    if tok.kind == "ordinal":
        return "第#" + line[b:b + 1], f"an ordinal ({line[a - 1:b + 1]}), not a quantity"
    return None


def draft(source: Source, vocab: pd.DataFrame, common: dict | None) -> str:
    lines = source.text().split("\n")
    doc_year = source.year
    names = _names(vocab)
    all_text = "\n".join(lines)
    items: list[Item] = []
    marks = target_years(lines)
    for no, line in enumerate(lines, 1):
        covered = _common_spans(line, (common or {}).get("ignore"))
        for sm in _SENTENCE.finditer(line):
            if not sm.group().strip():
                continue
            for tok in quantity.scan(line):
                if not (sm.start() <= tok.start < sm.end()):
                    continue
                spans = tok.reading.spans if tok.reading and tok.reading.spans else ((tok.start, tok.end),)
                if all(any(c0 <= s0 and e0 <= c1 for c0, c1 in covered) for s0, e0 in spans):
                    continue
                sentence = sm.group().strip()
                if tok.kind == "quantity":
                    items.append(_observation(no, line, sm.start(), tok, sentence, doc_year, vocab, names, all_text,
                                              marks))
                elif tok.kind == "error":
                    items.append(Item(no, sentence, f"  # ! line {no}: {line[tok.start:tok.end + 2].strip()!s}: {tok.error}. "
                                      "Ignore it with a reason, or ask for the unit to be added to analysis/core/quantity.py", "problem"))
                else:
                    lit = _literal_ignore(line, tok)
                    if lit:
                        items.append(Item(no, sentence, f"  - {{text: {_q(lit[0])}, reason: {_q(lit[1])}, lines: [{no}]}}", "ignore"))
    return _render(source, items)


def _observation(no, line, sentence_start, tok, sentence, doc_year, vocab, names, all_text, marks=()) -> Item:
    r = tok.reading
    at = _clause_start(line, sentence_start, r.begin if r.begin >= 0 else r.start)
    relative = relative_at(line, r)
    if relative is not None:
        return _relative_observation(no, line, sentence_start, sentence, relative, vocab, names, marks)
    quote = line[at:r.end].strip()
    if not quote:
        quote = line[r.start:r.end]
    entry = {}
    if all_text.count(quote) > 1:
        entry["line"] = no
        if line.count(quote) > 1:
            hits = [m.start() for m in re.finditer(re.escape(quote), all_text)]
            offset = sum(len(text_line) + 1 for text_line in all_text.split("\n")[: no - 1]) + at
            entry.pop("line")
            entry["occurrence"] = hits.index(offset) + 1 if offset in hits else 1
    q_start = line.find(quote, at)
    readings = [x for x in _readings(line, q_start, q_start + len(quote))]
    if len(readings) > 1:
        k = next((i for i, x in enumerate(readings, 1) if isinstance(x, quantity.Reading) and x.start == r.start), 1)
        entry["number"] = k
    year = quantity.year_before(line, r.start, "target")
    base = _base_year(line, r.start)
    if base is not None:
        year = base
    carried = None
    if year is None and base is None and (carried := carried_year(marks, no, r.start)) is not None:
        year = carried[0]
    indicator = suggest_indicator(line[at:r.end], r.unit, vocab, names)
    kind = "actual" if year is not None and year < doc_year else None
    head = f"indicator: {indicator or 'null'}"
    if kind:
        head += f", kind: {kind}"
    head += f", year: {year if year is not None else 'null'}"
    for k, v in entry.items():
        head += f", {k}: {v}"
    shown = f"{r.value:g} {r.unit or '(no unit)'} ({r.bound}{f', from {r.value_low:g}' if r.value_low is not None else ''})"
    notes = [f"reads {r.published(line)!s} → {shown}"]
    if indicator is None:
        notes.append("no indicator of the vocabulary matches by name and unit: pick one or add a row to data/raw/indicators.csv")
    if year is None:
        notes.append("no year in the sentence: give `year`")
    elif carried is not None:
        notes.append(f"year {year} carried from line {carried[1]} (到{year}年 in an earlier sentence): check it")
    if r.unit is None:
        notes.append("no unit: give `unit` if the document states it elsewhere")
    text = f"  - {{{head}, quote: {_q(quote)}}}   # {'; '.join(notes)}"
    return Item(no, sentence, text, "observation")


def _relative_observation(no, line, sentence_start, sentence, relative, vocab, names, marks) -> Item:
    """A draft entry for a target stated relative to a base year: `relative: {base_year, published}`, its year the
    target's (never the base year: 比2015年翻一番 is not an actual of 2 倍)."""
    change, start, base = relative
    published = line[start:change.end]
    for word in quantity.AFTER:                                  # 以上 belongs to the bound, not to the relation's words
        if published.endswith(word) and change.bound == quantity.AFTER[word]:
            published = published[: -len(word)]
    at = _clause_start(line, sentence_start, start)
    quote = line[at:change.end].strip()
    year = quantity.year_before(line, start, "target")
    carried = carried_year(marks, no, start) if year is None else None
    year = year if year is not None else (carried[0] if carried else None)
    indicator = suggest_indicator(line[at:change.end], None, vocab, names, any_unit=True)
    how = (f"× {change.factor:g}" if change.factor is not None else f"{change.change:+g} percentage points")
    notes = [f"a target relative to {base}: {published} → {base} value {how} ({change.bound})"]
    if indicator is None:
        notes.append("no indicator of the vocabulary matches by name: pick one or add a row to data/raw/indicators.csv")
    if year is None:
        notes.append("no target year in the sentence: give `year`")
    elif carried is not None:
        notes.append(f"year {year} carried from line {carried[1]} (到{year}年 in an earlier sentence): check it")
    text = (f"  - {{indicator: {indicator or 'null'}, year: {year if year is not None else 'null'}, quote: {_q(quote)}, "
            f"relative: {{base_year: {base}, published: {_q(published)}}}}}   # {'; '.join(notes)}")
    return Item(no, sentence, text, "observation")


def _base_year(line: str, start: int) -> int | None:
    """The year of '由2012年的3个': a base year (after 由/从/比) directly before the number, no other number between."""
    norm = numerals.normalize(line)
    years = [(s, e, y) for s, e, y in quantity.year_spans(norm) if e <= start]
    if not years:
        return None
    s, e, y = years[-1]
    between = norm[e:start]
    marked = norm[max(0, s - 2): s].strip().endswith(quantity._BASE_YEAR_MARK)
    return y if marked and not re.search(r"\d", between) and len(between) <= 4 else None


def _render(source: Source, items: list[Item]) -> str:
    out = [f"# DRAFT spec for {source.id}, written by `make spec SOURCE={source.id}`: check every entry, then `make data`.",
           f"# {source.title} ({source.issuer}, {source.date})",
           "# Entries: one per quantity the common rules do not ignore, grouped by sentence; `indicator` is a suggestion",
           "# by name (null: none fits), `year` the last 'YYYY年' of the sentence. Delete what is not a target or an",
           "# actual and ignore it instead, with a reason. Format: data/raw/specs/README.md.",
           f"source: {source.id}", "kind: target", "observations:"]
    last = None
    obs = [i for i in items if i.kind != "ignore"]
    for it in obs:
        if (it.line, it.sentence) != last:
            out.append(f"  # line {it.line}: {it.sentence[:160]}")
            last = (it.line, it.sentence)
        out.append(it.text)
    if not any(i.kind == "observation" for i in items):
        out[-1] = "observations: []"
    ign = [i for i in items if i.kind == "ignore"]
    out.append("ignore:" if ign else "ignore: []")
    seen = set()
    for it in ign:
        if it.text not in seen:
            out.append(it.text)
            seen.add(it.text)
    return "\n".join(out) + "\n"


README = paths.SPECS / "README.md"
_BEGIN = ("<!-- generated by `python -m analysis.ingest.draft_spec --readme` from data/raw/units.yml, "
          "analysis/core/quantity.py and analysis/inputs/vocab.py -->")
_END = "<!-- end of generated part -->"


def readme_tables() -> str:
    """The accepted units, scale words, measures and bounds, as Markdown, from the code that applies them."""
    published = "\n".join(f"| `{u}` | `{canon}` | {('×' + format(m, 'g')) if m != 1 else '='} | {meaning} |"
                      for u, (canon, m, meaning) in quantity.UNITS.items())
    scales = ", ".join(f"`{k}` ×{v:g}" for k, v in quantity.SCALES.items())
    before = ", ".join(f"{w} `{b}`" for w, b in quantity.BEFORE.items())
    after = ", ".join(f"{w} `{b}`" for w, b in quantity.AFTER.items())
    bounds = "\n".join(f"| `{b}` | {quantity.BOUND_MEANING[b]} |" for b in quantity.BOUNDS)
    rel = ", ".join(f"{w} = {f:g} 倍" for w, f in quantity.RELATIVE.items())
    return "\n".join([
        _BEGIN,
        "### Units (published → canonical)",
        "From `data/raw/units.yml` (a unit a new document needs is a line there, with its canonical unit and factor).",
        "",
        "| published | canonical | factor | meaning |", "|---|---|---|---|", published,
        f"| 前N位, 全市前3 | `{quantity.RANK_UNIT}` | = | a rank, bound `le` (this place or better; lower is better) |",
        f"| 第N位, 世界第二 | `{quantity.RANK_UNIT}` | = | a rank, bound `eq` (that place) |",
        f"| (none, the clause names an 指数) | `{quantity.INDEX_UNIT}` | = | index points |",
        "",
        f"Scale words between the number and the unit (both scripts): {scales}. A number is digits (ASCII or "
        "full-width) or a Chinese numeral (一…十, 两, 百, 千 and mixed forms: 十二, 两千五百).",
        "",
        f"Not read (an error naming the token): {', '.join(quantity.UNKNOWN_UNITS)}, and a known unit followed by "
        f"one of {', '.join(quantity._COMPOUND_TAIL)} that makes an unknown compound (家次).",
        "",
        "### Bounds",
        "| bound | meaning |", "|---|---|", bounds,
        "",
        f"Words before the number: {before}. After the number and unit: {after}. Between number and unit: "
        f"{', '.join(quantity.MORE_THAN)} → `gt`. Range separators: {', '.join(quantity.RANGE_SEPARATORS)} "
        f"(value = upper end, value_low = lower end). Relative words: {rel}.",
        "",
        "### Measures (`indicators.csv`)",
        "| measure |", "|---|", *[f"| `{m}` |" for m in MEASURES],
        "",
        "### Canonical units (`indicators.csv` `unit`; English as the reports show it)",
        "| unit | English | meaning |", "|---|---|---|",
        *[f"| `{u}` | {en} | {meaning} |" for u, (en, meaning) in units.units().canonical.items()],
        _END])


def write_readme(path: Path = README) -> None:
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(_BEGIN, 1)
    _, tail = rest.split(_END, 1)
    write_text_atomic(path, head + readme_tables() + tail)


FORCE_WORDS = {"": False, "0": False, "no": False, "false": False, "1": True, "yes": True, "true": True}


def _from_make(environ) -> tuple[str, bool]:
    """SOURCE and FORCE as `make spec` passes them: through the environment, never through a shell or make's own
    expansion (the Makefile takes both as literal text), so an id such as `x; touch y` or `$(shell …)` is only an
    unknown id. FORCE must say yes or no: `FORCE=0` does not overwrite."""
    source = environ.get("SOURCE", "")
    force = environ.get("FORCE", "")
    if not source.strip():
        raise InputError("give SOURCE=<id of data/raw/sources.yml>")
    if force.strip().lower() not in FORCE_WORDS:
        raise InputError(f"FORCE={force!r}: expected FORCE=1 (overwrite an existing spec) or FORCE=0")
    return source, FORCE_WORDS[force.strip().lower()]


def write_draft(source_id: str, force: bool = False, out: Path | None = None) -> tuple[Path, str]:
    """Draft the spec of a registered source and write it (under the lock: never over a spec being edited by
    another run, never half-written); an existing spec only with `force`."""
    sources = load_verified()
    if source_id not in sources:
        shown = source_id if len(source_id) <= 80 else source_id[:80] + "…"
        raise InputError(f"{paths.SOURCES}: no source {shown!r}; registered: {', '.join(sorted(sources))}")
    out = out or paths.SPECS / f"{source_id}.yml"
    with lock.hold("make spec"):
        if out.exists() and not force:
            raise InputError(f"{out} exists; not overwritten (edit it, or run `make spec SOURCE={source_id} FORCE=1` "
                             "to replace it with a new draft)")
        common_file = paths.SPECS / COMMON_SPEC
        text = draft(sources[source_id], load_indicators(), load_spec(common_file) if common_file.exists() else None)
        write_text_atomic(out, text)
    return out, text


def main(argv=None) -> int:
    if argv is None and sys.argv[1:] == ["--readme"] or argv == ["--readme"]:
        write_readme()
        print(f"{README} rewritten")
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", nargs="?", help="a source id of data/raw/sources.yml (or --readme: rewrite the "
                        "tables of the specs README)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing spec")
    parser.add_argument("--out", type=Path, help="where to write (default data/raw/specs/<id>.yml)")
    parser.add_argument("--from-make", action="store_true",
                        help="read SOURCE and FORCE from the environment (how `make spec` calls it)")
    args = parser.parse_args(argv)
    if args.from_make:
        args.source, args.force = _from_make(os.environ)
    elif not args.source:
        parser.error("a source id is required")
    out, text = write_draft(args.source, args.force, args.out)
    n = text.count("\n  - {indicator")
    print(f"make spec: {out} written: {n} observation(s) to check, "
          f"{text.count('# !')} number(s) the reader cannot read")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli("make spec", main))
