"""Bad input fed to the library: a clear InputError or an empty/small result, never a crash."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap

import pytest

import scraper
from scraper.errors import InputError, TooLargeInput, UsageError
from scraper.models import Options
from tests.core import pages

LIMIT = Options().max_input_bytes


@pytest.mark.parametrize("data", [b"", "", "   \n\t  ", b" \r\n \t ", "\x00\x00", b"\x00" * 3])
def test_empty_or_whitespace_raises_input_error(data: str | bytes) -> None:
    with pytest.raises(InputError, match="empty|binary"):
        scraper.clean(data)


@pytest.mark.parametrize(
    "data", [pages.PNG, pages.PDF, b"GIF89a" + bytes(200), b"\xff\xd8\xff\xe0" + bytes(range(256))],
    ids=["png", "pdf", "gif", "jpeg"],
)
def test_binary_bytes_raise_input_error(data: bytes) -> None:
    with pytest.raises(InputError, match="binary"):
        scraper.clean(data)


def test_random_bytes_without_a_magic_number_are_binary() -> None:
    # Compressed or encrypted data has no signature but is one tenth control bytes.
    data = random.Random(7).randbytes(3000)
    assert not data.startswith(b"\x1f\x8b")
    with pytest.raises(InputError, match="binary"):
        scraper.clean(data)


@pytest.mark.parametrize("encoding", ["iso2022_jp", "shift_jis", "euc_jp", "gb18030", "cp1252", "koi8_r"])
def test_legacy_encodings_are_text_not_binary(encoding: str) -> None:
    words = {"cp1252": "Café déjà vu, naïve façade. ", "koi8_r": "Привет, как дела сегодня. "}
    sentence = words.get(encoding, "日本語の文章です。東京は晴れ。") * 12
    page = f"<html><head><meta charset='{encoding}'></head><body><article><p>{sentence}</p></article></body></html>"
    article = scraper.clean(page.encode(encoding))
    assert sentence.strip()[:12] in article.text


@pytest.mark.parametrize("canonical", ["https://[news.example/story", "http://[::1/story"])
def test_a_malformed_canonical_link_or_url_is_ignored_not_raised(canonical: str) -> None:
    # urlsplit raises on an unclosed IPv6 bracket; the page's own markup must not crash a clean.
    page = pages.article_page(4).replace("<head>", f"<head><link rel='canonical' href='{canonical}'>")
    assert "Paragraph 3." in scraper.clean(page).text
    assert "Paragraph 3." in scraper.clean(page, url=canonical).text


@pytest.mark.parametrize("address", ["http://[::1/x", "https://[zz]/y", "http://[news.example/z"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_malformed_link_or_image_address_keeps_the_article(address: str, fmt: str) -> None:
    # urljoin raises on an unclosed IPv6 bracket: a link in the story, an image, or the page's
    # own canonical link written so must not cost the article in any output.
    link = f"<a href='{address}'>the minutes</a> <img src='{address}/i.png' alt='Quay'>"
    page = pages.article_page(4).replace("Paragraph 2.", f"Paragraph 2. See {link}.")
    page = page.replace("<head>", f"<head><link rel='canonical' href='{address}'>")
    options = Options(include_images=True, render_html=fmt == "html")
    for url in ("https://quay.example/news/plan", None, address):
        article = scraper.clean(page, url=url, options=options)
        shown = {"text": article.text, "markdown": article.markdown, "html": article.html}[fmt]
        assert "Paragraph 3." in shown and "the minutes" in shown


def test_a_lone_surrogate_in_text_input_is_dropped_not_the_rest_of_the_page() -> None:
    # A str may hold one (JSON's "\ud800" decodes to it); the parser stopped where it stood.
    page = pages.article_page(6).replace("Paragraph 1.", "Paragraph 1. \ud800")
    article = scraper.clean(page)
    assert "Paragraph 5." in article.text and "\ud800" not in article.text


@pytest.mark.parametrize("label", ["base64", "rot13", "hex", "zlib", "uu", "undefined", "unicode_escape", "idna"])
@pytest.mark.parametrize("where", ["meta", "declared"])
def test_a_charset_naming_no_page_encoding_is_ignored(label: str, where: str) -> None:
    # Python's codecs include byte-to-byte ones (base64, zlib) that str.decode refuses, and text
    # codecs no browser reads pages in; a page or a server naming one must not stop the clean.
    from scraper.parse import decode_html

    # All ASCII: bytes with valid multi-byte UTF-8 in them are read as UTF-8 whatever the label.
    page = pages.article_page(4)
    if where == "meta":
        article = scraper.clean(page.replace("<head>", f"<head><meta charset='{label}'>").encode("ascii"))
        assert "Paragraph 3." in article.text
    else:
        decoded = decode_html(page.encode("ascii"), declared=label)
        assert "Paragraph 3." in decoded.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_input_bytes": -1}, "max_input_bytes must be a whole number of at least 1"),
        ({"include_images": "yes"}, "include_images must be True or False"),
        ({"max_link_density": 2.0}, "max_link_density must be a share from 0 to 1"),
        ({"favor": "fast"}, "favor must be balanced, precision or recall"),
        ({"teaser_run_min": 1.5}, "teaser_run_min must be a whole number"),
    ],
)
def test_options_out_of_range_are_refused_when_made(changes: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Options(**changes)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=message):
        Options().replace(**changes)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"url": 5}, "url must be a str or None, got int"),
        ({"url": b"https://quay.example/"}, "url must be a str or None, got bytes"),
        ({"rules": "rules/"}, "rules must be a RuleSet"),
        ({"options": {"include_images": True}}, "options must be an Options or None, got dict"),
    ],
)
def test_arguments_of_the_wrong_type_are_a_usage_error_that_names_them(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        scraper.clean(pages.article_page(3), **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, 42, bytearray(b"<p>x</p>"), ["<p>x</p>"]])
def test_non_text_input_raises_input_error(value: object) -> None:
    with pytest.raises(InputError, match="str or bytes"):
        scraper.clean(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("declared", ["", "<meta charset='utf-8'>"])
def test_invalid_utf8_decodes_and_keeps_the_good_text(declared: str) -> None:
    bad = b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc"
    page = pages.article_page(4).replace("<head>", f"<head>{declared}").encode()
    page = page.replace(b"Paragraph 1.", b"Paragraph 1. " + bad + b" caf\xc3\xa9 " + bad)
    article = scraper.clean(page)
    assert "Paragraph 0." in article.text
    assert "Paragraph 3." in article.text
    assert pages.PARAGRAPH in article.text


def test_input_just_over_the_limit_is_refused_as_bytes() -> None:
    data = b"<html><body><p>" + b"a" * (LIMIT - 32) + b"</p></body></html>"
    assert len(data) == LIMIT + 1
    with pytest.raises(TooLargeInput, match="limit"):
        scraper.clean(data)


def test_input_just_over_the_limit_is_refused_as_text() -> None:
    data = "<html><body><p>" + "é" * (LIMIT - 32) + "</p></body></html>"
    with pytest.raises(TooLargeInput, match="limit"):
        scraper.clean(data)


def test_smaller_limit_from_options_is_honoured() -> None:
    page = pages.article_page(5)
    with pytest.raises(TooLargeInput):
        scraper.clean(page, options=Options(max_input_bytes=len(page) - 1))
    assert pages.PARAGRAPH in scraper.clean(page, options=Options(max_input_bytes=len(page))).text


def test_too_large_input_is_an_input_error() -> None:
    assert issubclass(TooLargeInput, InputError)


_MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys
    import scraper
    para = "<p>The council met again on Tuesday to weigh the harbour plan, and members argued late.</p>\\n"
    size = int(sys.argv[1])
    html = ("<html><head><title>Big page</title></head><body><article><h1>Big page</h1>"
            + para * (size // len(para)) + "</article></body></html>").encode()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    article = scraper.clean(html)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"bytes": len(html), "text": len(article.text), "rss_kb": after - before}))
    """
)


@pytest.mark.timeout(120)
def test_large_allowed_page_finishes_with_bounded_memory() -> None:
    # A fresh process, so the peak RSS belongs to this one call; Linux reports ru_maxrss in KiB.
    size = 8_000_000
    run = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(size)], capture_output=True, text=True, check=True
    )
    figures = json.loads(run.stdout)
    assert figures["bytes"] < LIMIT
    assert figures["text"] > size * 0.8, "the whole article should come back"
    # Measured at about 18x the input (lxml tree + text copies); 60x leaves room but catches a blow-up.
    assert figures["rss_kb"] * 1024 < 60 * figures["bytes"], figures


@pytest.mark.timeout(60)
def test_five_thousand_deep_nesting_keeps_the_article_after_it() -> None:
    article = scraper.clean(pages.deep_page(5000))
    assert pages.PARAGRAPH in article.text
    assert "Second." in article.text


@pytest.mark.timeout(60)
@pytest.mark.parametrize("tag", ["div", "font", "span", "b"])
def test_five_thousand_unclosed_tags_keep_the_article_after_them(tag: str) -> None:
    article = scraper.clean(pages.deep_page(5000, tag=tag, closed=False))
    # Paragraphs past the nesting limit still come out one per line.
    assert pages.PARAGRAPH in article.text.splitlines()
    assert pages.PARAGRAPH + " Second." in article.text.splitlines()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("depth", [500, 1500, 5000])
def test_prose_deep_inside_nesting_is_found(depth: int) -> None:
    article = scraper.clean(pages.deep_text_page(depth))
    assert pages.PARAGRAPH in article.text.splitlines()
    assert pages.PARAGRAPH + " Again." in article.text.splitlines()


@pytest.mark.timeout(60)
def test_deep_nesting_renders_every_format_without_recursion_error() -> None:
    article = scraper.clean(pages.deep_text_page(5000).replace("<p>", "<p><b><i><a href='/x'>", 1))
    assert pages.PARAGRAPH in article.markdown
    assert pages.PARAGRAPH in article.html
    assert json.dumps(article.to_dict())


def test_billion_laughs_stays_small() -> None:
    article = scraper.clean(pages.BILLION_LAUGHS)
    assert "lollol" not in article.text
    assert "lollol" not in article.html
    assert len(article.text) < 2 * len(pages.BILLION_LAUGHS)
    assert len(article.html) < 4 * len(pages.BILLION_LAUGHS)


def test_billion_laughs_as_bytes_stays_small() -> None:
    article = scraper.clean(pages.BILLION_LAUGHS.encode())
    assert "lollol" not in article.text
    assert len(article.text) < 2 * len(pages.BILLION_LAUGHS)


def test_external_entity_is_never_resolved() -> None:
    article = scraper.clean(pages.EXTERNAL_ENTITY)
    assert "root:" not in article.text
    assert "root:" not in article.html
    assert pages.PARAGRAPH in article.text


def test_unclosed_tags_keep_every_paragraph() -> None:
    article = scraper.clean(pages.UNCLOSED)
    assert article.text.count(pages.PARAGRAPH) == 3
    assert "Third paragraph." in article.text


def test_page_of_only_scripts_has_no_article() -> None:
    article = scraper.clean(pages.SCRIPTS_ONLY)
    assert article.is_empty
    assert "harbour" not in article.text
    assert "tracker" not in article.text + article.markdown + article.html
    assert article.path == "empty"


def test_page_with_no_body_has_no_article() -> None:
    article = scraper.clean(pages.NO_BODY)
    # The title is reported apart; a page with only a <head> has no body text at all.
    assert article.text == "", f"text repeats the head: {article.text!r}"
    assert article.is_empty
    assert article.path == "empty"


def test_frameset_page_has_no_article() -> None:
    page = "<html><head><title>Frames</title></head><frameset><frame src='a.html'></frameset></html>"
    article = scraper.clean(page)
    assert article.is_empty, article.text


@pytest.mark.parametrize(
    "data",
    ['{"title": "Quay plan", "body": "The board met on Tuesday."}', "id,title\n1,Quay plan\n", b"#!/bin/sh\necho quay\n",
     "Plain words about the quay, and no markup at all.", "\ufeffText after a byte-order mark".encode("utf-8-sig")],
    ids=["json", "csv", "script", "text", "text-with-bom"],
)
def test_input_without_a_single_tag_is_not_html(data: str | bytes) -> None:
    with pytest.raises(InputError, match="not HTML"):
        scraper.clean(data)


def test_a_page_with_one_tag_and_its_text_is_html() -> None:
    assert "The board met" in scraper.clean("<p>The board met on Tuesday to weigh the plan for the quay.").text


@pytest.mark.parametrize(
    "data",
    [
        "plain text with no markup at all",
        "<",
        "<<<>>>",
        "<!--",
        "<![CDATA[",
        "<?xml version='1.0' encoding='latin-1'?>",
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
        b"<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
        "<html><body><p>\udcff lone surrogate</p></body></html>",
        b"\xef\xbb\xbf",
        b"\xff\xfe" + "<p>utf-16 text</p>".encode("utf-16-le"),
        "<html><body><p>a\x00b\x01c\x0bd</p></body></html>",
        "<svg><math><table><select><option><template><p>odd nesting",
    ],
)
def test_odd_input_never_crashes(data: str | bytes) -> None:
    try:
        article = scraper.clean(data)
    except InputError:
        return
    assert isinstance(article.text, str)
    assert json.dumps(article.to_dict())


def test_flatten_keeps_text_comments_and_scripts() -> None:
    from scraper.parse import flatten_deep_tags

    page = "<div><script>if (a<b) {x='<div>'}</script><!-- <div> --><div><p>one<br/>two</p></div></div>"
    assert flatten_deep_tags(page, 10) == page
    flat = flatten_deep_tags(page, 1)
    assert flat == "<div><script>if (a<b) {x='<div>'}</script><!-- <div> --><br>one<br/>two<br></div>"


@pytest.mark.parametrize("char", ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe", "\uffff"])
@pytest.mark.parametrize("kind", ["str", "bytes"])
def test_control_characters_next_to_removed_elements_never_crash(char: str, kind: str) -> None:
    # lxml refuses these characters when the pruner joins a removed element's tail to its parent.
    page = pages.article_page(3).replace("</nav>", f"</nav><script>x</script>{char}tail{char}")
    page = page.replace("Paragraph 1.", f"Paragraph 1.<span hidden>x</span>{char}")
    article = scraper.clean(page if kind == "str" else page.encode("utf-8"))
    assert "Paragraph 2." in article.text
    assert char not in article.text


@pytest.mark.timeout(60)
def test_element_with_two_hundred_thousand_attributes_is_cleaned() -> None:
    # libxml2 checks duplicate attributes pairwise: without a cap this page took minutes.
    attrs = " ".join(f"data-a{i}='v'" for i in range(200_000))
    page = pages.article_page(4).replace("<article>", f"<article class='story' {attrs}>")
    article = scraper.clean(page)
    assert pages.PARAGRAPH in article.text
    assert "Paragraph 3." in article.text


def test_long_attribute_values_are_kept() -> None:
    image = "data:image/png;base64," + "A" * 300_000
    page = pages.article_page(4).replace("Paragraph 1.", f"Paragraph 1.<img src='{image}' alt='quay'>")
    article = scraper.clean(page, options=Options(include_images=True))
    assert "Paragraph 3." in article.text
    from scraper.parse import parse_html

    assert parse_html(page).find(".//img").get("src") == image


_MANY_ATTRIBUTES_SHORT_STORY = textwrap.dedent(
    """
    import scraper
    from tests.core import pages
    attrs = " ".join(f"data-a{i}='v'" for i in range(100_000))
    page = pages.article_page(2).replace("<article>", f"<article class='story' {attrs}>")
    print(len(scraper.clean(page).text))
    """
)


def test_many_attributes_on_a_short_story_finish_in_bounded_time() -> None:
    # A short story (under Options.second_opinion_below_chars) asks trafilatura for a second opinion,
    # which parses the raw page again, with libxml2's pairwise attribute check: ~1 minute here.
    try:
        run = subprocess.run(
            [sys.executable, "-c", _MANY_ATTRIBUTES_SHORT_STORY], capture_output=True, text=True,
            cwd=pages.ROOT, timeout=15, check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(
            "clean() ran over 15 s on a 1.3 MB page with 100,000 attributes on one element: "
            "core.py passes the raw input to second_opinion(), not the attribute-capped text parse.py made"
        )
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) > 2 * len(pages.PARAGRAPH)


@pytest.mark.parametrize("ref", ["&#1;", "&#x1f;", "&#X1B", "&#11;", "&#xfffe;", "&#65535;", "&#xd800;", "&#x110000;"])
@pytest.mark.parametrize("where", ["title", "tail"])
def test_character_references_to_control_characters_never_crash(ref: str, where: str) -> None:
    # The parser turns &#1; into U+0001, which lxml then refuses when text is joined or set.
    if where == "title":
        page = pages.article_page(3, headline=f"Board backs the quay{ref} plan")
    else:
        page = pages.article_page(3).replace("</nav>", f"</nav><script>x</script>{ref}tail")
    article = scraper.clean(page)
    assert "Paragraph 2." in article.text
    assert json.dumps(article.to_dict())


def test_attribute_names_lxml_cannot_address_do_not_break_the_html_output() -> None:
    # A mangled tag (`<font {face=...>`) gives an attribute lxml parses but cannot delete by name.
    paragraph = "The orchard was replanted from grafts of the oldest trees on the top slope. " * 3
    page = f'<html><body><article><p><font {{face="Verdana" size=2>{paragraph}</font></p><p>{paragraph}</p></article></body></html>'
    article = scraper.clean(page)
    assert "replanted from grafts" in article.text
    assert "<font>" in article.html and "face" not in article.html


@pytest.mark.parametrize(("depth", "asked"), [(40, True), (200, False)])
def test_the_second_opinion_is_not_asked_on_a_page_nested_deeper_than_any_real_one(depth: int, asked: bool) -> None:
    # trafilatura's table handling grows with the square of the nesting (ten seconds a call at
    # 2,500 nested tables); no real page nests past 55 levels.
    from scraper.second_opinion import second_opinion

    story = " ".join(f"<p>{pages.PARAGRAPH} Paragraph {i}.</p>" for i in range(3))
    page = f"<html><body>{'<div><span>' * (depth // 2)}{story}{'</span></div>' * (depth // 2)}</body></html>"
    assert ("Paragraph 2." in second_opinion(page, None)) is asked
