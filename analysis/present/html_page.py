"""Report pages that stand alone: one HTML file each, with its own font, no request leaving the page, and
the same bytes for the same data (but the run time).

`finish(html, language)` takes what nbconvert wrote and
- embeds Noto Sans SC cut down to the characters the page uses (fontTools subsetting, WOFF2 in a
  `data:` URL of an @font-face rule), so Chinese renders on a machine without CJK fonts and without
  a `fonts/` folder beside the page;
- gives every cell and every table a stable id (`cell-3`, `T_table2`) in place of the random ids of
  papermill and pandas, so two runs on the same data differ only in the run time;
- fills in the table of contents (the page's h2 headings) at the `<!--pt-toc-->` mark of the header.
The nbconvert template (templates/report.html.j2) already leaves out require.js, MathJax and mermaid:
the pages hold no TeX (the narrative writes ≥, →, ×), so nothing is loaded from a CDN.

`font_face_css(text)` is also what the index page uses; `lab_css(url)` the stylesheet `make lab` installs.
"""
from __future__ import annotations

import base64
import functools
import html as html_lib
import io
import re

FONT_FAMILY = "Noto Sans SC"
FONT_STACK = f'"{FONT_FAMILY}", system-ui, -apple-system, "Segoe UI", sans-serif'      # the page's text
TOC_MARK = "<!--pt-toc-->"
FONT_MARK = "<!--pt-font-->"
# the characters every page has whatever its text (so a subset never lacks digits or basic punctuation)
BASE_CHARS = "".join(chr(c) for c in range(0x20, 0x7F)) + "·–—‘’“”…→←≥≤≈×−▲△◆◇●○▶┃，。、：；（）《》「」"


@functools.lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    from .plots import font_path
    return font_path().read_bytes()


def subset_woff2(chars: str) -> bytes:
    """Noto Sans SC with only the glyphs of `chars` (and their layout alternates), as WOFF2."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(_font_bytes()), lazy=False, recalcTimestamp=False)   # same bytes every run
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False               # a CFF font: hints add size and nothing on screens
    options.desubroutinize = True         # compresses better in WOFF2
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]   # keep the copyright and licence-relevant names
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted({ord(c) for c in chars + BASE_CHARS}))
    sub.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


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


def finish(html: str, language: str = "zh") -> str:
    """The page as handed to a reviewer (see the module docstring)."""
    from . import labels

    html = stable_ids(html)
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
