"""The font of a report page: cut from the environment's common-character font or from the whole font, the same
bytes; a character outside the common set still gets its glyph."""
import io

from fontTools.ttLib import TTFont

from analysis.present import html_page

TEXT = "研发投入强度（R&D 经费占 GDP 比重）≥ 3.5% · 廣州市科技創新 ▲△"


def _cmap(woff2: bytes) -> set[int]:
    return set(TTFont(io.BytesIO(woff2)).getBestCmap())


def test_a_page_font_cut_from_the_common_font_is_the_one_cut_from_the_whole_font():
    unicodes = {ord(c) for c in TEXT + html_page.BASE_CHARS}
    assert unicodes <= html_page.common_chars()
    fast = html_page._cut(html_page.common_font(), unicodes, woff2=True, already_cut=True)
    assert fast == html_page._cut(html_page._font_bytes(), unicodes, woff2=True)
    assert fast == html_page._cut(html_page.common_font(), unicodes, woff2=True)
    assert {ord(c) for c in "研发廣創"} <= _cmap(fast)                                 # simplified and traditional


def test_a_page_font_at_brotli_quality_10_holds_the_font_of_quality_11():
    """The WOFF2 file differs only in its compression: decompressed, its tables are those fontTools writes at its
    own quality (11); fontTools' brotli is itself again afterwards."""
    from fontTools.ttLib import woff2

    unicodes = {ord(c) for c in TEXT + html_page.BASE_CHARS}
    ours = html_page._cut(html_page.common_font(), unicodes, woff2=True)
    real = woff2.brotli
    best = html_page._cut(html_page.common_font(), unicodes, woff2=True, quality=11)
    assert woff2.brotli is real and ours != best and len(ours) < 1.02 * len(best)      # 1.1 % here, 0.4 % on a page
    fonts = [TTFont(io.BytesIO(data)) for data in (ours, best)]
    assert sorted(fonts[0].keys()) == sorted(fonts[1].keys())
    assert all(fonts[0].getTableData(tag) == fonts[1].getTableData(tag) for tag in fonts[0].keys() if tag != "GlyphOrder")


def test_a_character_outside_the_common_set_is_cut_from_the_whole_font():
    rare = "産衆"                                     # variant forms: neither in GB2312 nor in Big5's frequent set
    assert not {ord(c) for c in rare} & html_page.common_chars()
    assert {ord(c) for c in rare} <= _cmap(html_page.subset_woff2(TEXT + rare))
    assert not {ord(c) for c in rare} & _cmap(html_page.subset_woff2(TEXT))


def test_the_common_set_holds_simplified_and_traditional_hanzi_and_symbols():
    common = html_page.common_chars()
    assert {ord(c) for c in "研发投入广东廣東數據→≥×（）。"} <= common
    hanzi = sum(0x4E00 <= c <= 0x9FFF for c in common)
    assert 6763 < hanzi < 6763 + 5401             # GB2312 (6,763 hanzi) with Big5's frequent ones (5,401), shared ones once


def test_a_page_cut_is_kept_and_given_again_for_the_same_characters(tmp_path, monkeypatch):
    html_page.common_font()                                   # the environment's, read before the folder moves
    monkeypatch.setattr(html_page, "COMMON_FONT_DIR", tmp_path)
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
