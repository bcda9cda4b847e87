"""Report pages that stand alone: one HTML file each, with its own font, no request leaving the page, and
the same bytes for the same data (but the run time).

`finish(html, language)` takes what nbconvert wrote and
- embeds Noto Sans SC cut down to the characters the page uses (fontTools subsetting, WOFF2 in a
  `data:` URL of an @font-face rule), so Chinese renders on a machine without CJK fonts and without
  a `fonts/` folder beside the page;
- gives every cell and every table a stable id (`cell-3`, `T_table2`) in place of the random ids of
  papermill and pandas, so two runs on the same data differ only in the run time;
- fills in the table of contents (the page's h2 headings) at the `<!--pt-toc-->` mark of the header;
- moves the page's conclusion (the paragraph led by 结论 / In short, analysis.present.conclusions) to the
  `<!--pt-conclusion-->` mark at the top of the header: the first thing a reader sees, before tables and captions.
The nbconvert template (templates/report.html.j2) already leaves out require.js, MathJax and mermaid:
the pages hold no TeX (the narrative writes ≥, →, ×), so nothing is loaded from a CDN.

`font_face_css(text)` is also what the index page uses; `lab_css(url)` the stylesheet `make lab` installs.

Speed: HarfBuzz's subsetter (uharfbuzz) cuts a page's glyphs from the whole font in ~10 ms; fontTools then writes
them as WOFF2 (brotli at quality 10: BROTLI_QUALITY). Each page's cut is kept (FONT_CACHE_DIR/pages, keyed by its
characters): a re-run with the same characters cuts nothing.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import html as html_lib
import io
import os
import re
import sys
import tempfile
import threading
from pathlib import Path

from ..core.errors import InputError
from . import conclusions, labels

FONT_FAMILY = "Noto Sans SC"
FONT_STACK = f'"{FONT_FAMILY}", system-ui, -apple-system, "Segoe UI", sans-serif'      # the page's text
TOC_MARK = "<!--pt-toc-->"
CONCLUSION_MARK = "<!--pt-conclusion-->"
CONCLUSION = re.compile("<p><strong>(?:" + "|".join(map(re.escape, conclusions.LEADS.values())) + ")</strong>.*?</p>",
                        re.S)
FONT_MARK = "<!--pt-font-->"
# the characters every page has whatever its text (so a subset never lacks digits or basic punctuation)
BASE_CHARS = "".join(chr(c) for c in range(0x20, 0x7F)) + "·–—‘’“”…→←≥≤≈×−▲△◆◇●○▶┃，。、：；（）《》「」"
FONT_CACHE_DIR = Path(sys.prefix) / "share" / "policy-targets"    # the environment's (.venv's) cache


def font_path() -> Path:
    """The Noto Sans SC file shipped by the `pylopdf-fonts-zh-cn` wheel (a dependency in pyproject.toml)."""
    try:
        import pylopdf_fonts_zh_cn  # heavy (font tools): loaded only when a page's font is cut
    except ImportError as exc:  # pragma: no cover - only without `make setup`
        raise InputError("the CJK font package 'pylopdf-fonts-zh-cn' is not installed; run `make setup`") from exc
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    if not path.is_file():  # pragma: no cover
        raise InputError(f"{path}: CJK font file missing from the installed 'pylopdf-fonts-zh-cn'; reinstall with `make setup`")
    return path


@functools.lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    return font_path().read_bytes()


NAME_IDS = (0, 1, 2, 3, 4, 5, 6)         # the copyright, family and version names (the licence asks to keep them)


@functools.lru_cache(maxsize=1)
def _face():
    import uharfbuzz  # heavy (font tools): loaded only when a page's font is cut

    return uharfbuzz.Face(_font_bytes())


def _cut(unicodes, quality: int | None = None) -> bytes:
    """Noto Sans SC cut to the glyphs of `unicodes` and the glyphs its layout rules reach from them (HarfBuzz's
    subsetter: no hints, which add size and nothing on screens; no subroutines, which compresses better; the .notdef
    outline kept), as WOFF2 written by fontTools with brotli at `quality` (default BROTLI_QUALITY). The same bytes
    every run (no timestamp is touched)."""
    import uharfbuzz as hb  # heavy (font tools): loaded only when a page's font is cut
    from fontTools.ttLib import TTFont  # heavy (font tools): loaded only when a page's font is cut

    wanted = hb.SubsetInput()
    wanted.unicode_set.update(sorted(unicodes))
    wanted.sets(hb.SubsetInputSets.NAME_ID).update(NAME_IDS)
    wanted.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NOTDEF_OUTLINE
    otf = hb.subset(_face(), wanted).blob.data
    font = TTFont(io.BytesIO(otf), recalcBBoxes=False, recalcTimestamp=False)
    font.flavor = "woff2"
    out = io.BytesIO()
    with _brotli_quality(quality or BROTLI_QUALITY):
        font.save(out)
    return out.getvalue()


# fontTools' WOFF2 writer always compresses at brotli's highest quality, 11: a page's font then takes ~0.45 s.
# Quality 10 makes it in ~0.12 s and ~0.4 % larger.
BROTLI_QUALITY = 10
_BROTLI_LOCK = threading.Lock()


@contextlib.contextmanager
def _brotli_quality(quality: int):
    """While fontTools writes a WOFF2 file, its brotli compresses at `quality` (the writer has no option for it, so
    the module it calls is stood in for; with a lock, as that is one name for the whole process)."""
    from fontTools.ttLib import woff2  # heavy (font tools): loaded only when a page's font is cut

    real = woff2.brotli

    class Brotli:
        MODE_FONT, decompress, error = real.MODE_FONT, staticmethod(real.decompress), real.error

        @staticmethod
        def compress(data, **kwargs):
            return real.compress(data, **{**kwargs, "quality": quality})

    with _BROTLI_LOCK:
        woff2.brotli = Brotli
        try:
            yield
        finally:
            woff2.brotli = real


@functools.lru_cache(maxsize=1)
def _font_key() -> str:
    """What a cut's bytes depend on besides its characters: the font, HarfBuzz, fontTools and brotli, the cut."""
    import brotli  # heavy (font tools): loaded only when a page's font is cut
    import fontTools  # heavy (font tools): loaded only when a page's font is cut
    import uharfbuzz  # heavy (font tools): loaded only when a page's font is cut

    key = hashlib.sha256(_font_bytes())
    key.update(f"uharfbuzz {uharfbuzz.__version__} harfbuzz {uharfbuzz.version_string()}\nfontTools {fontTools.version}\n"
               f"brotli {brotli.version} quality {BROTLI_QUALITY}\nnames {NAME_IDS} no hints, no subroutines, notdef".encode())
    return key.hexdigest()


def _store(path: Path, data: bytes) -> None:
    """Write `data` to `path` in one step (two runs writing it at once write the same bytes); best effort: a
    folder that cannot be written only costs the next run the time to make it again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        pass


PAGE_CUTS_KEPT = 300           # cuts of pages kept in FONT_CACHE_DIR/pages (the least recently made go first)


def subset_woff2(chars: str) -> bytes:
    """Noto Sans SC with only the glyphs of `chars` (and their layout alternates), as WOFF2. A cut is kept in
    FONT_CACHE_DIR/pages under a name keyed by its characters and _font_key(), so a page whose characters did not
    change (a re-run, the same page in another run) gets the same bytes without cutting again."""
    unicodes = {ord(c) for c in chars + BASE_CHARS}
    key = hashlib.sha256(f"{_font_key()}\n{sorted(unicodes)}".encode()).hexdigest()[:24]
    cached = FONT_CACHE_DIR / "pages" / f"{key}.woff2"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    data = _cut(unicodes)
    _store(cached, data)
    _prune(cached.parent, PAGE_CUTS_KEPT)
    return data


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the `keep` most recently written cuts of `folder` (best effort)."""
    try:
        cuts = sorted(folder.glob("*.woff2"), key=lambda p: p.stat().st_mtime, reverse=True)
        for p in cuts[keep:]:
            p.unlink(missing_ok=True)
    except OSError:
        pass


def page_chars(html: str) -> str:
    """Every character the page can show: its text with entities resolved (data: URLs hold only ASCII)."""
    return "".join(sorted(set(html_lib.unescape(html))))


def font_face_css(text: str) -> str:
    """A <style> with the @font-face of the subset for `text` and the page's fonts set to it."""
    data = base64.b64encode(subset_woff2(page_chars(text))).decode("ascii")
    return ("<style>\n"
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("data:font/woff2;base64,{data}") format("woff2"); '
            "font-display: block; }\n"
            f"{root_fonts_css()}\n"
            f"body {{ font-family: {FONT_STACK}; }}\n"
            "</style>")


def root_fonts_css() -> str:
    """The page's font variables set to the font: `!important`, because nbconvert's and JupyterLab's own styles
    set the same variables later in the page; the code font (printed output) falls back to it for Chinese."""
    code = f'menlo, consolas, "DejaVu Sans Mono", monospace, "{FONT_FAMILY}"'
    return (f":root {{ --jp-content-font-family: {FONT_STACK} !important; --jp-ui-font-family: {FONT_STACK} !important; "
            f"--jp-code-font-family: {code} !important; --jp-cell-prompt-font-family: {code} !important; }}")


CELL_ID = re.compile(r'id="cell-id=([^"]+)"')
STYLER_ID = re.compile(r"\bT_([0-9a-f]{5})(?=[_\s\"{ ])")
H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)(?:<a class="anchor-link"[^>]*>.*?</a>)?</h2>', re.S)


def stable_ids(html: str) -> str:
    """Cell ids and pandas Styler table ids numbered in page order (the same every run)."""
    cells: dict[str, str] = {}
    html = CELL_ID.sub(lambda m: f'id="cell-{cells.setdefault(m.group(1), str(len(cells) + 1))}"', html)
    tables: dict[str, str] = {}
    return STYLER_ID.sub(lambda m: f"T_table{tables.setdefault(m.group(1), str(len(tables) + 1))}", html)


def toc(html: str) -> list[tuple[str, str]]:
    """(id, heading text) of every h2 of the page, in order."""
    strip = re.compile(r"<[^>]+>")
    return [(m.group(1), strip.sub("", m.group(2)).strip()) for m in H2.finditer(html)]


def toc_html(entries: list[tuple[str, str]], title: str) -> str:
    if not entries:
        return ""
    items = "".join(f'<li><a href="#{html_lib.escape(i)}">{html_lib.escape(html_lib.unescape(t))}</a></li>'
                    for i, t in entries)
    return f'<nav class="pt-toc"><strong>{html_lib.escape(title)}</strong><ol>{items}</ol></nav>'


def hoist_conclusion(html: str) -> str:
    """The first conclusion paragraph of the page moved to CONCLUSION_MARK (the top of the header); without the mark
    the page is unchanged, without a conclusion the mark is removed."""
    if CONCLUSION_MARK not in html:
        return html
    m = CONCLUSION.search(html, html.index(CONCLUSION_MARK))
    if not m:
        return html.replace(CONCLUSION_MARK, "", 1)
    html = html[:m.start()] + html[m.end():]
    box = f'<div class="pt-conclusion" style="font-size:15px;line-height:1.6;margin:6px 0 8px 0">{m.group(0)}</div>'
    return html.replace(CONCLUSION_MARK, box, 1)


def finish(html: str, language: str = "zh") -> str:
    """The page as handed to a reviewer (see the module docstring)."""

    html = hoist_conclusion(stable_ids(html))
    html = html.replace(TOC_MARK, toc_html(toc(html), labels.t("page.contents", language)), 1)
    html = re.sub(r'<html lang="[^"]*"', f'<html lang="{"zh-CN" if language == "zh" else "en"}"', html, count=1)
    css = font_face_css(html)
    if FONT_MARK in html:
        return html.replace(FONT_MARK, css, 1)
    return html.replace("</head>", css + "\n</head>", 1)


def external_requests(html: str) -> list[str]:
    """Addresses the page would load by itself (scripts, stylesheets, images, fonts, CSS url()); links a
    reader may follow (<a href>) are not requests."""
    found = re.findall(r'<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc="((?:https?:)?//[^"]+)"', html, re.I)
    found += re.findall(r'<link\b[^>]*\bhref="((?:https?:)?//[^"]+)"', html, re.I)
    found += re.findall(r'url\(\s*["\']?((?:https?:)?//[^"\')]+)', html, re.I)
    found += re.findall(r'@import\s+["\']((?:https?:)?//[^"\']+)', html, re.I)
    found += re.findall(r'import\(\s*["\']((?:https?:)?//[^"\']+)', html, re.I)
    return found


def lab_css(font_url: str) -> str:
    """custom.css for JupyterLab (`make lab`): @font-face of the whole font at `font_url` (served beside the
    stylesheet: the lab cannot know which characters a notebook will show) and the lab's fonts set to it."""
    return (f"/* written by `python -m analysis.reports.kernel --lab-settings` (make lab): {FONT_FAMILY}, SIL Open Font License */\n"
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font_url}") format("opentype"); }}\n'
            f"{root_fonts_css()}\n")
