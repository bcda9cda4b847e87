"""The font of a report page: cut from the environment's common-character font or from the whole font, the same
bytes; a character outside the common set still gets its glyph."""
import io

from fontTools.ttLib import TTFont

from analysis.present import html_page

TEXT = "研发投入强度（R&D 经费占 GDP 比重）≥ 3.5% · 廣州市科技創新 ▲△"


def _cmap(woff2: bytes) -> set[int]:
    return set(TTFont(io.BytesIO(woff2)).getBestCmap())


def test_a_page_font_holds_the_page_s_characters_and_few_others():
    unicodes = {ord(c) for c in TEXT + html_page.BASE_CHARS}
    font = TTFont(io.BytesIO(html_page._cut(unicodes)))
    cmap = set(font.getBestCmap())
    assert {ord(c) for c in "研发廣創"} <= cmap and unicodes <= cmap                  # simplified and traditional
    assert len(cmap) < 2 * len(unicodes) and not {ord(c) for c in "鹰犀"} & cmap       # cut down: not other hanzi
    privates = [fd.Private.rawDict for fd in font["CFF "].cff.topDictIndex[0].FDArray]
    assert all(set(p) <= {"defaultWidthX", "nominalWidthX"} for p in privates)     # no hints (BlueValues, StdHW...)
    assert font["name"].getDebugName(0) and font["name"].getDebugName(1) == html_page.FONT_FAMILY   # the copyright


def test_a_page_font_at_brotli_quality_10_holds_the_font_of_quality_11():
    """The WOFF2 file differs only in its compression: decompressed, its tables are those fontTools writes at its
    own quality (11); fontTools' brotli is itself again afterwards."""
    from fontTools.ttLib import woff2

    unicodes = {ord(c) for c in TEXT + html_page.BASE_CHARS}
    ours = html_page._cut(unicodes)
    real = woff2.brotli
    best = html_page._cut(unicodes, quality=11)
    assert woff2.brotli is real and ours != best and len(ours) < 1.02 * len(best)      # 1.1 % here, 0.4 % on a page
    assert ours == html_page._cut(unicodes)                                              # the same bytes every time
    fonts = [TTFont(io.BytesIO(data)) for data in (ours, best)]
    assert sorted(fonts[0].keys()) == sorted(fonts[1].keys())
    assert all(fonts[0].getTableData(tag) == fonts[1].getTableData(tag) for tag in fonts[0].keys() if tag != "GlyphOrder")


def test_rare_characters_get_their_glyphs():
    rare = "産衆"                                      # variant forms: neither in GB2312 nor in Big5's frequent set
    assert {ord(c) for c in rare} <= _cmap(html_page.subset_woff2(TEXT + rare))
    assert not {ord(c) for c in rare} & _cmap(html_page.subset_woff2(TEXT))


def test_a_page_cut_is_kept_and_given_again_for_the_same_characters(tmp_path, monkeypatch):
    monkeypatch.setattr(html_page, "FONT_CACHE_DIR", tmp_path)
    first = html_page.subset_woff2(TEXT)
    kept = list((tmp_path / "pages").glob("*.woff2"))
    assert len(kept) == 1 and kept[0].read_bytes() == first

    def no_cut(*a, **k):
        raise AssertionError("cut again")
    monkeypatch.setattr(html_page, "_cut", no_cut)
    assert html_page.subset_woff2("".join(reversed(TEXT))) == first          # the same characters: the kept cut
    try:
        html_page.subset_woff2(TEXT + "京")                                     # another character: a new cut
    except AssertionError as e:
        assert "cut again" in str(e)
    else:
        raise AssertionError("a new character was served from the kept cut")


def test_only_the_most_recent_page_cuts_are_kept(tmp_path):
    import os
    for i in range(5):
        f = tmp_path / f"{i}.woff2"
        f.write_bytes(b"x")
        os.utime(f, (i, i))
    html_page._prune(tmp_path, 2)
    assert sorted(p.name for p in tmp_path.glob("*.woff2")) == ["3.woff2", "4.woff2"]


def test_the_conclusion_is_moved_to_the_top_of_the_header():
    page = ('<div class="pt-report-header"><div>name</div><!--pt-conclusion--><table><tr><td>run</td></tr></table>'
            '<!--pt-toc--></div><h1>合理性标记</h1><p>怎样读这一页……</p><table></table>'
            '<div class="jp-RenderedMarkdown"><p><strong>结论</strong>：本页显示 3 个标记。</p></div>'
            '<p><strong>结论</strong>：a second one stays.</p>')
    out = html_page.hoist_conclusion(page)
    first = out.index("<p><strong>结论</strong>：本页显示 3 个标记。</p>")
    assert first < out.index("<table>") and first < out.index("<h1>") and "<!--pt-conclusion-->" not in out
    assert out.count("本页显示 3 个标记") == 1 and "a second one stays" in out[out.index("<h1>"):]
    en = html_page.hoist_conclusion(page.replace("结论", "In short"))
    assert en.index("In short") < en.index("<table>")
    # no conclusion on the page: the mark goes, nothing else moves; no mark: the page is unchanged
    assert html_page.hoist_conclusion("<div><!--pt-conclusion--></div><p>x</p>") == "<div></div><p>x</p>"
    assert html_page.hoist_conclusion(page.replace("<!--pt-conclusion-->", "")) == page.replace("<!--pt-conclusion-->", "")
