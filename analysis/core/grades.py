"""How far to trust the page a cited figure was read from: a source grade for every actual and reference.

`grade(text, url)` reads the citation's own words (publisher, title, note) and its address, and applies
the first rule that matches:

    secondary          a copy in a personal repository (github.com), a development or staging host
                       (dev., wpe-dev., staging.), a third-party tabulation or ranking, a blog, an
                       essay-template or content-farm page, an unattributed repost
    official_bulletin  the page is on a government host (…gov.cn): the publisher's own site
    literature         a research paper (journal, NBER working paper, Brookings Papers, RePEc)
    official_repost    a repost, reproduction or report of an official bulletin, communiqué or a
                       government body's statement (公报, 统计局, 科学技术局, NBS, MOST …)
    newspaper          a news outlet's story (日报, 新华, Xinhua, Daily, Bloomberg …)
    secondary          anything else

The words graded are the publisher and the title (not the note, which often cross-checks against other
pages). A citation that combines several pages ("A + B") is graded on its words as a whole. `publisher_url`
gives the publisher's own address where the citation lets one be derived: a World Bank WDI indicator
code (data.worldbank.org/indicator/CODE), or an address the note calls the original ("original
gzipo.gov.cn/…"); for a page on a government host the page itself.
"""
from __future__ import annotations

import re
from urllib.parse import urlparse

GRADES = ("official_bulletin", "official_repost", "newspaper", "literature", "secondary")

SECONDARY = re.compile(r"github|content-farm|third-party (?:tabulation|ranking)|ranking table|essay-template|"
                       r"unattributed|博客|\bblog\b", re.I)
DEV_HOST = re.compile(r"^(?:[\w-]*-)?(?:dev|staging|test)[.-]", re.I)
LITERATURE = re.compile(r"(?<!Street )journal|economic review|\bNBER\b|papers on economic|repec|econpapers|political science|"
                        r"\bWP\b|working paper", re.I)
REPOST = re.compile(r"repost|reproduc|转载|转述|全文|mirror|via |copy|citing|reporting|quoting|on the \d{4}|"
                    r"according|据《", re.I)
OFFICIAL = re.compile(r"公报|统计局|科学技术局|科学技术部|知识产权局|工业和信息化局|科技部门|政府|bulletin|communiq|gazette|"
                      r"\bNBS\b|\bMOST\b|\bCNIPA\b|\bSIPO\b|press briefing|press conference|statement", re.I)
NEWS = re.compile(r"日报|新华|新闻|都市报|晚报|财经|融媒体|华声|网易|快科技|xinhua|daily|people's|global times|bloomberg|"
                  r"wall street|scmp|herald|ecns|shine|news|gmw|jstv|qiushi|times", re.I)
WDI_CODE = re.compile(r"World Bank WDI.*?indicator ([A-Z]{2}(?:\.[A-Z0-9]+)+)")
ORIGINAL = re.compile(r"original ((?:https?://)?[\w.-]+\.gov\.cn/\S+?)[);,]?(?:\s|$)")


def _hosts(url) -> list[str]:
    if not isinstance(url, str):
        return []
    return [urlparse(u).hostname or "" for u in url.split() if u.startswith("http")]


def grade(text, url=None) -> str:
    """The grade of one citation (`text`: its publisher, title and note together; `url`: its address or
    addresses separated by spaces or ' | ')."""
    text = text if isinstance(text, str) else ""
    hosts = _hosts(url.replace("|", " ") if isinstance(url, str) else url)
    if SECONDARY.search(text) or any(DEV_HOST.match(h) for h in hosts) or any(h.endswith("github.com") for h in hosts):
        return "secondary"
    if hosts and all(h.endswith("gov.cn") for h in hosts):
        return "official_bulletin"
    if LITERATURE.search(text):
        return "literature"
    if REPOST.search(text) and OFFICIAL.search(text):
        return "official_repost"
    if NEWS.search(text) or any(NEWS.search(h) for h in hosts):
        return "newspaper"
    return "secondary"


def publisher_url(text, url=None) -> str:
    """The publisher's own address where the citation lets one be derived (see the module docstring), else ''."""
    text = text if isinstance(text, str) else ""
    m = WDI_CODE.search(text)
    if m:
        return f"https://data.worldbank.org/indicator/{m.group(1)}"
    m = ORIGINAL.search(text)
    if m:
        return m.group(1) if m.group(1).startswith("http") else "http://" + m.group(1)
    hosts = _hosts(url.replace("|", " ") if isinstance(url, str) else url)
    if hosts and all(h.endswith("gov.cn") for h in hosts):
        return url.split()[0]
    return ""


def reference_grades(refs):
    """growth_references.csv with `grade` and `publisher_url` (columns source_title, source_url, note)."""
    text = refs["source_title"].fillna("") + " " + refs.get("note", "").fillna("")
    return refs.assign(grade=[grade(t, u) for t, u in zip(refs["source_title"], refs["source_url"])],
                       publisher_url=[publisher_url(t, u) for t, u in zip(text, refs["source_url"])])


def actual_grades(actuals):
    """published actuals with `grade` and `publisher_url` (columns publisher, source_title, note, source)."""
    cited = actuals["publisher"].fillna("") + " " + actuals["source_title"].fillna("")
    text = cited + " " + actuals.get("note", "").fillna("")
    return actuals.assign(grade=[grade(t, u) for t, u in zip(cited, actuals["source"])],
                          publisher_url=[publisher_url(t, u) for t, u in zip(text, actuals["source"])])
