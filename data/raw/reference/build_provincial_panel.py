"""Build provincial_panel.csv (province annual panels of R&D expenditure and intensity, invention-patent grants,
technology-contract turnover and the basic-research share) from the source files listed in sources/MANIFEST.csv.

A one-off import, run by hand when a source is added (not part of `make data`):

    git clone https://github.com/huhuaping/techme /tmp/techme && git -C /tmp/techme checkout <commit of MANIFEST.csv>
    .venv/bin/python data/raw/reference/build_provincial_panel.py --techme /tmp/techme

Every file read is checked against its sha256 in sources/MANIFEST.csv (a different file stops the build). Files
whose licence lets us redistribute them are kept byte for byte under sources/ and read from there; the others are
read from the --techme copy. Each output row keeps the address of the file it was read from (pinned to the commit),
the row as seen in the file (`quote`), the column header in `notes`; a figure is never typed by hand: every value is
the cell's text converted by float(), or a ratio / unit conversion of such cells stated in `notes`. README.md,
section "Provincial panel", gives the sources, their licences and caveats.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))     # the repository root: analysis.* (run from anywhere)

import pandas as pd  # noqa: E402

from analysis.core.errors import InputError  # noqa: E402
from analysis.core.fileio import frame_to_csv_text, write_text_atomic  # noqa: E402
from analysis.inputs.panels import PANEL_COLUMNS, PROVINCES, validate  # noqa: E402

REPO = "huhuaping/techme"
MANIFEST = HERE / "sources" / "MANIFEST.csv"
OUT = HERE / "provincial_panel.csv"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

BULLETIN = "全国科技经费投入统计公报: 各地区研究与试验发展(R&D)经费情况 (the bulletin of each year)"
BULLETIN_PUBLISHER = ("国家统计局、科学技术部、财政部 (全国科技经费投入统计公报); the bulletin's table as extracted from "
                      "the published page by huhuaping/techme")
YEARBOOK_PUBLISHER = ("国家统计局、科学技术部 (中国科技统计年鉴, 中国统计出版社); the yearbook table as converted to xlsx "
                      "by huhuaping/techme from the CNKI yearbook database")
# addresses of the bulletins as the techme guide (vignettes/articles/guide-sources-public-site.Rmd) records them
BULLETIN_PAGES = {
    2020: "https://www.gov.cn/xinwen/2021-09/22/content_5638653.htm",
    2021: "https://www.stats.gov.cn/sj/zxfb/202302/t20230203_1901565.html",
    2022: "https://www.stats.gov.cn/sj/zxfb/202309/t20230918_1942920.html",
    2023: "https://www.stats.gov.cn/sj/zxfb/202410/t20241002_1956810.html",
}


# --------------------------------------------------------------------------------------------------
# reading the sources
# --------------------------------------------------------------------------------------------------
def load_manifest(path: Path = MANIFEST) -> tuple[str, list[dict]]:
    """(commit, rows): every source file with its path in the repository, sha256 and local copy (or '')."""
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    commits = {r["commit"] for r in rows}
    if len(commits) != 1:
        raise InputError(f"{path}: expected one commit of {REPO} for all files, found {sorted(commits)}")
    return commits.pop(), rows


def source_file(entry: dict, techme: Path | None) -> Path:
    """The file of a manifest row (the local copy, else the --techme copy), checked against its sha256."""
    path = HERE / entry["kept_as"] if entry["kept_as"] else (techme / entry["path"] if techme else None)
    if path is None:
        raise InputError(f"{entry['path']}: not kept in the repository; give --techme DIR (a copy of {REPO} at "
                         f"{entry['commit']})")
    if not path.is_file():
        raise InputError(f"{path}: missing; expected the file {entry['path']} of {REPO} at {entry['commit']}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != entry["sha256"]:
        raise InputError(f"{path}: sha256 {digest} differs from {entry['sha256']} in {MANIFEST.name}; "
                         "a different version of the file")
    return path


def read_xlsx(path: Path) -> list[list[str]]:
    """The first sheet of an .xlsx file as rows of cell texts ('' for an empty cell): strings as written, numbers
    as their stored text (the exact digits of the file)."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        shared = []
        if "xl/sharedStrings.xml" in names:
            for si in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
                shared.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rid = book.find("m:sheets/m:sheet", NS).get(REL)
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        sheet = ElementTree.fromstring(z.read("xl/" + target.removeprefix("/xl/").removeprefix("xl/")))
    grid: dict[int, dict[int, str]] = {}
    for c in sheet.iter(f"{{{NS['m']}}}c"):
        col_letters, row_number = re.fullmatch(r"([A-Z]+)(\d+)", c.get("r")).groups()
        col = 0
        for ch in col_letters:
            col = col * 26 + ord(ch) - 64
        kind, v = c.get("t", "n"), c.find("m:v", NS)
        if kind == "s":
            text = shared[int(v.text)]
        elif kind == "inlineStr":
            text = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
        else:
            text = "" if v is None or v.text is None else v.text
        grid.setdefault(int(row_number) - 1, {})[col - 1] = text
    width = max((max(r) + 1 for r in grid.values() if r), default=0)
    return [[grid.get(i, {}).get(j, "") for j in range(width)] for i in range(max(grid, default=-1) + 1)]


def squeeze(text: str) -> str:
    """A cell's words without the spaces the yearbook uses to justify names ('北    京' → '北京')."""
    return re.sub(r"[\s\u3000]+", "", text)


def shown(cells: list[str]) -> str:
    """A table row as seen: its non-empty cells joined by ' | ' (inner line breaks as spaces)."""
    return " | ".join(" ".join(c.split()) for c in cells if c.strip())


def number(text: str) -> float | None:
    """A cell's number, or None for an empty / non-numeric cell ('-', '…')."""
    try:
        return float(text.strip())
    except ValueError:
        return None


# characters misread by the character recognition of some source files (the patent tables of 2012 and 2014 print
# 山两, 两藏, 江两; their English column reads Shanxi, Tibet, Jiangxi): no province name contains 两, so a name that
# is a province once 两 is read as 西 is that province; rows so matched say so in `notes`
MISREAD = str.maketrans({"两": "西"})


def province_name(cell: str) -> str:
    name = squeeze(cell)
    return name if name in PROVINCES else name.translate(MISREAD)


def province_rows(rows: list[list[str]], where: str, name_col: int = 0) -> dict[str, list[str]]:
    """{short province name (in column `name_col`): its row} for the 31 provinces; InputError if one is missing
    or repeated."""
    found: dict[str, list[str]] = {}
    for r in rows:
        name = province_name(r[name_col]) if len(r) > name_col else ""
        if name in PROVINCES:
            if name in found:
                raise InputError(f"{where}: province {name} appears twice")
            found[name] = r
    missing = [p for p in PROVINCES if p not in found]
    if missing:
        raise InputError(f"{where}: no row for {', '.join(missing)}; expected the 31 provinces")
    return found


def header_row(rows: list[list[str]], where: str) -> int:
    """The index of the row whose first cell is 地区 (the column header)."""
    for i, r in enumerate(rows):
        if r and squeeze(r[0]) == "地区":
            return i
    raise InputError(f"{where}: no header row starting with 地区")


def misread_note(r: list[str]) -> str:
    name = squeeze(r[0])
    return "" if name in PROVINCES else f"; the file prints {name!r} for {province_name(name)} (a recognition error)"


def row(province: str, indicator: str, unit: str, year: int, value: float, url: str, publisher: str, title: str,
        quote: str, notes: str) -> dict:
    return {"region": PROVINCES[province], "region_level": "province", "province": province, "indicator": indicator,
            "unit": unit, "year": year, "value": value, "source_url": url, "publisher": publisher, "title": title,
            "quote": quote, "notes": notes}


def address(commit: str, path: str) -> str:
    return f"https://github.com/{REPO}/blob/{commit}/{path}"


# --------------------------------------------------------------------------------------------------
# the tables
# --------------------------------------------------------------------------------------------------
def bulletin(entry: dict, rows: list[list[str]], url: str) -> list[dict]:
    """A bulletin's table (地区 | RD经费 | RD强度): R&D expenditure (亿元) and intensity (%) of each province."""
    year = int(re.search(r"raw-(\d{4})\.xlsx$", entry["path"]).group(1))
    head = rows[header_row(rows, entry["path"])]
    if [squeeze(c) for c in head[:3]] != ["地区", "RD经费", "RD强度"]:
        raise InputError(f"{entry['path']}: header {head}; expected 地区 | RD经费 | RD强度")
    page = BULLETIN_PAGES.get(year)
    origin = f"{year}年全国科技经费投入统计公报" + (f" ({page})" if page else "")
    out = []
    for p, r in province_rows(rows, entry["path"]).items():
        note = (f"columns quoted: '{shown(head)}'; the table of the {origin}, first release for {year}; the "
                "extraction's column names; units of the bulletin table: 亿元 and %")
        for indicator, unit, cell in (("rd_expenditure", "亿元", r[1]), ("rd_intensity", "% of GDP", r[2])):
            out.append(row(p, indicator, unit, year, float(cell), url, BULLETIN_PUBLISHER, BULLETIN, shown(r), note))
    return out


# the two patent tables: their heading, title and rows (indicator, unit) for the total and the invention column
PATENT_TABLES = {
    "patents": (r"授权数按地区分布\(\d{4}年\)", "中国科技统计年鉴: 国内三种专利授权数按地区分布",
                "patent_grants", "invention_patent_grants", "grants per year"),
    "applications": (r"申请(受理)?数按地区分布\(\d{4}年\)", "中国科技统计年鉴: 国内三种专利申请(受理)数按地区分布",
                     "patent_applications", "invention_patent_applications", "applications per year"),
}


def patents(entry: dict, rows: list[list[str]], url: str, kind: str) -> list[dict]:
    """国内三种专利授权数 / 申请(受理)数按地区分布 (one data year): the total (合计, all three kinds) and the invention
    column (发明); every row must have 合计 = 发明 + 实用新型 + 外观设计 (a check on misread digits)."""
    pattern, name, total_id, invention_id, unit = PATENT_TABLES[kind]
    heading = next(c for r in rows[:3] for c in r if re.search(pattern, c))
    year = int(re.search(r"\((\d{4})年\)", heading).group(1))
    h = header_row(rows, entry["path"])
    end = next(i for i in range(h + 1, len(rows)) if rows[i] and squeeze(rows[i][0]))   # the first data row
    head = [squeeze("".join(r[j] for r in rows[h:end] if j < len(r))) for j in range(len(rows[h]))]
    if not (head[2].startswith("合计") and head[3].startswith("发明")):
        raise InputError(f"{entry['path']}: columns {head}; expected 合计 in column 3 and 发明 in column 4")
    cols = " | ".join(" ".join(c.split()) for r in rows[h:end] for c in r if c.strip())
    out = []
    for p, r in province_rows(rows, entry["path"]).items():
        total, kinds = number(r[2]), [number(c) for c in r[3:6]]
        if total is None or kinds[0] is None:
            raise InputError(f"{entry['path']}: {p}: 合计 {r[2]!r} or 发明 {r[3]!r} is not a number")
        if None in kinds:
            checked = "not checked: a cell of the other kinds is empty"
        elif total == sum(kinds):
            checked = "checked: 合计 = the three kinds"
        else:
            raise InputError(f"{entry['path']}: {p}: 合计 {r[2]!r} is not 发明 + 实用新型 + 外观设计 {r[3:6]} "
                             "(a misread digit?)")
        for indicator, column, v in ((total_id, "合计 (the third cell)", total),
                                     (invention_id, "发明 (the fourth cell)", kinds[0])):
            out.append(row(p, indicator, unit, year, v, url, YEARBOOK_PUBLISHER,
                           f"{name}, {column.split()[0]} (the table of each edition)", shown(r),
                           f"table heading quoted: '{' '.join(heading.split())}'; column header quoted: '{cols}'; "
                           f"value: the column {column}; unit 件; {checked}{misread_note(r)}"))
    return out


def multi_year(entry: dict, rows: list[list[str]], url: str, indicator: str, unit: str, scale: float) -> list[dict]:
    """A table with one column per year (地区 | Region | 2012 | 2013 | ...): every province × year cell."""
    heading = " ".join(rows[0][0].split())
    h = header_row(rows, entry["path"])
    years = {j: int(float(c)) for j, c in enumerate(rows[h]) if j >= 2 and number(c) is not None}
    unit_cell = next(" ".join(c.split()) for r in rows[:h] for c in r if c.strip().startswith("单位"))
    span = f"{min(years.values())}–{max(years.values())}"
    title = f"中国科技统计年鉴: {heading} (the edition with data to {max(years.values())}; {span})"
    note_unit = f"; value = the cell / {scale:g} ({unit})" if scale != 1 else ""
    out = []
    for p, r in province_rows(rows, entry["path"]).items():
        for j, year in years.items():
            value = number(r[j]) if j < len(r) else None
            if value is None:
                continue
            out.append(row(p, indicator, unit, year, round(value / scale, 6), url, YEARBOOK_PUBLISHER, title, shown(r),
                           f"column header quoted: '{shown(rows[h])}'; {unit_cell}; the cell of {year}{note_unit}"))
    return out


# the long extractions of a yearbook table (province | year | chn_block4 | value | units): which table, its two
# figures (the whole and a part), the rows they give and the yearbook table's columns that check them (header
# prefixes: the tables of different editions word them differently)
TIDY = {
    "activity": {
        "title": "中国科技统计年鉴: 各地区研究与试验发展(R&D)经费内部支出, 按活动类型 (the table of each edition)",
        "publisher": YEARBOOK_PUBLISHER, "unit": "万元", "whole": "合计", "part": "基础研究",
        "level": ("rd_expenditure", "亿元", 10000, "合计"),
        "share": ("basic_research_share", "%"),
        "check_columns": (("R&D经费",), ("基础研究",)),
    },
    "budget": {
        "title": "中国统计年鉴: 分地区一般公共预算支出 (the table of each edition)",
        "publisher": ("国家统计局 (中国统计年鉴, 中国统计出版社; 财政部 figures); the yearbook table as extracted by "
                      "huhuaping/techme from the CNKI yearbook database"),
        "unit": "亿元", "whole": "合计", "part": "科学技术",
        "level": ("fiscal_st_spending", "亿元", 1, "科学技术"),
        "share": ("fiscal_st_share", "%"),
        "check_columns": (("地方一般公共预算支出", "合计"), ("科学技术",)),
    },
}


def tidy(kind: str, entries: list[tuple[dict, Path]], checks: list[tuple[dict, Path]], commit: str) -> list[dict]:
    """The rows of a long extraction (TIDY[kind]): a level (the whole or the part, converted to the panel's unit)
    and the part's share of the whole (COMPUTED from the same province and year). Where the yearbook table itself
    is in the repository (`checks`), every whole and part must agree with it (to 0.5 of the last unit)."""
    spec = TIDY[kind]
    out, seen = [], {}
    for entry, path in entries:
        rows = read_xlsx(path)
        if rows[0][:5] != ["province", "year", "chn_block4", "value", "units"]:
            raise InputError(f"{entry['path']}: header {rows[0]}; expected province | year | chn_block4 | value | units")
        cells = {}
        for r in rows[1:]:
            if squeeze(r[0]) in PROVINCES and r[2] in (spec["whole"], spec["part"]):
                if r[4] != spec["unit"]:
                    raise InputError(f"{entry['path']}: unit {r[4]!r} for {r[0]} {r[2]}; expected {spec['unit']}")
                cells[(squeeze(r[0]), int(r[1]), r[2])] = r
        url = address(commit, entry["path"])
        for p in PROVINCES:
            years = sorted({y for (q, y, _) in cells if q == p})
            if not years:
                raise InputError(f"{entry['path']}: no rows for {p}")
            for y in years:
                whole, part = cells.get((p, y, spec["whole"])), cells.get((p, y, spec["part"]))
                if whole is None or part is None:
                    raise InputError(f"{entry['path']}: {p} {y} lacks {spec['whole']} or {spec['part']}")
                w, q = float(whole[3]), float(part[3])
                seen[(p, y)] = (w, q)
                quote = f"{shown(whole[:5])} ; {shown(part[:5])}"
                base = "columns quoted: 'province | year | chn_block4 | value | units'; the extraction's long rows"
                indicator, unit, scale, block = spec["level"]
                level = w if block == spec["whole"] else q
                how = f"value = {block} in {spec['unit']} / {scale} ({unit})" if scale != 1 else f"value = {block}"
                out.append(row(p, indicator, unit, y, round(level / scale, 6), url, spec["publisher"], spec["title"],
                               quote, f"{base}; {how}"))
                if w > 0:
                    indicator, unit = spec["share"]
                    out.append(row(p, indicator, unit, y, round(100 * q / w, 4), url, spec["publisher"],
                                   spec["title"], quote, f"{base}; COMPUTED SHARE: value = 100 × {spec['part']} / "
                                   f"{spec['whole']} of the same province and year (a ratio of two published "
                                   "figures of one table row)"))
    for entry, path in checks:
        rows = read_xlsx(path)
        year = int(re.search(r"\((\d{4})年\)", rows[0][0]).group(1))
        h = header_row(rows, entry["path"])
        end = next(i for i in range(h + 1, len(rows)) if rows[i] and squeeze(rows[i][0]))
        head = [squeeze("".join(r[j] for r in rows[h:end] if j < len(r))) for j in range(len(rows[h]))]
        cols = [next(j for j, c in enumerate(head) if j > 0 and c.startswith(names)) for names in spec["check_columns"]]
        block = rows[:next((i for i in range(end, len(rows)) if "续表" in rows[i][0]), len(rows))]   # not 续表
        for p, r in province_rows(block, entry["path"]).items():
            w, q = float(r[cols[0]]), float(r[cols[1]])
            if (p, year) not in seen or abs(seen[(p, year)][0] - w) > 0.5 or abs(seen[(p, year)][1] - q) > 0.5:
                raise InputError(f"{entry['path']}: {p} {year}: the table's {w}, {q}; the extraction's "
                                 f"{seen.get((p, year))}")
    return out


def certifications(entry: dict, rows: list[list[str]], url: str) -> list[dict]:
    """Firms on a year's high-tech enterprise certification lists (innocom.gov.cn), counted per province by
    techme's scraper (index | year | province | num)."""
    if rows[0][:4] != ["index", "year", "province", "num"]:
        raise InputError(f"{entry['path']}: header {rows[0]}; expected index | year | province | num")
    title = "高新技术企业认定管理工作网 (innocom.gov.cn): firms on the year's certification lists, per province"
    publisher = ("科技部火炬中心, 高新技术企业认定管理工作网 (innocom.gov.cn) lists; counted per province by "
                 "huhuaping/techme's scraper")
    out = []
    for p, r in province_rows(rows[1:], entry["path"], name_col=2).items():
        out.append(row(p, "high_tech_enterprises_new_certified", "家", int(r[1]), float(r[3]), url, publisher, title,
                       shown(r), "columns quoted: 'index | year | province | num'; THIRD-PARTY COUNT of the firms "
                       "named on the year's certification (认定) lists: first certifications and renewals together; "
                       "not the stock of valid certificates"))
    return out


def check_bulletins(df: pd.DataFrame) -> None:
    """Each bulletin's R&D expenditure agrees with the yearbook's for the same province and year (to the bulletin's
    rounding, 0.1 亿元): a bulletin file holding another year's table (techme's raw-2018.xlsx repeats raw-2019.xlsx,
    so it is not in the manifest) stops the build."""
    e = df[df["indicator"] == "rd_expenditure"]
    both = e[e["title"] == BULLETIN].merge(e[e["title"] != BULLETIN], on=["province", "year"], suffixes=("", "_yb"))
    off = both[(both["value"] - both["value_yb"]).abs() > 0.05 + 1e-9]
    if len(off):
        r = off.iloc[0]
        raise InputError(f"{r['source_url']}: {r['province']} {r['year']}: the bulletin's {r['value']} 亿元 differs "
                         f"from the yearbook's {r['value_yb']} ({len(off)} such rows); expected the same figure "
                         "to 0.1 亿元 (a file holding another year's table?)")


def build(techme: Path | None) -> pd.DataFrame:
    commit, manifest = load_manifest()
    rows: list[dict] = []
    long: dict = {k: ([], []) for k in TIDY}
    for entry in manifest:
        path = source_file(entry, techme)
        url = address(commit, entry["path"])
        kind = entry["table"]
        if kind == "bulletin":
            rows += bulletin(entry, read_xlsx(path), url)
        elif kind in PATENT_TABLES:
            rows += patents(entry, read_xlsx(path), url, kind)
        elif kind == "intensity":
            rows += multi_year(entry, read_xlsx(path), url, "rd_intensity", "% of GDP", 1)
        elif kind == "tech_market":
            rows += multi_year(entry, read_xlsx(path), url, "tech_contract_turnover", "亿元", 10000)
        elif kind == "certifications":
            rows += certifications(entry, read_xlsx(path), url)
        elif kind in TIDY:
            long[kind][0].append((entry, path))
        elif kind.removesuffix("_check") in TIDY:
            long[kind.removesuffix("_check")][1].append((entry, path))
        else:
            raise InputError(f"{MANIFEST}: table {kind!r} of {entry['path']}; expected bulletin, patents, applications, "
                             f"intensity, tech_market, certifications, {', '.join(TIDY)} or one of them + _check")
    for kind, (entries, checks) in long.items():
        rows += tidy(kind, entries, checks, commit)
    df = pd.DataFrame(rows, columns=PANEL_COLUMNS)
    check_bulletins(df)
    df = df.sort_values(["indicator", "title", "province", "year"], kind="stable").reset_index(drop=True)
    validate(df.astype({"year": str, "value": str}), str(OUT))
    return df


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--techme", type=Path, help=f"a copy of {REPO} at the commit of {MANIFEST.name}")
    args = parser.parse_args(argv)
    try:
        df = build(args.techme)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_text_atomic(OUT, frame_to_csv_text(df))
    print(f"{OUT.name}: {len(df)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
