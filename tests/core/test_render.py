"""How the chosen body becomes text: lines come from blocks and <br>, not from the source's layout."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

import scraper
from scraper.parse import parse_html
from scraper.render import render_blocks, render_text
from tests.core import pages

_article = pages.quay_article


def test_a_newline_in_the_source_is_a_space_and_br_is_a_line_break() -> None:
    page = _article(
        f"<p>{pages.PARAGRAPH}\nThe board met\non Tuesday.<br>A vote follows in May.</p>"
        f"<p>{pages.PARAGRAPH} Second.</p><pre>line one\n  line two</pre>"
    )
    lines = scraper.clean(page).text.split("\n")
    assert f"{pages.PARAGRAPH} The board met on Tuesday." in lines
    assert "A vote follows in May." in lines
    assert "line one" in lines and "  line two" in lines  # preformatted text keeps its lines


def _blocks_text(html: str, xpath: str) -> list[str]:
    container = parse_html(html).xpath(xpath)[0]
    return render_text(render_blocks([container], None)).split("\n")


def test_paragraphs_left_inside_a_table_by_broken_markup_are_text() -> None:
    # libxml2 keeps <p>s that follow a layout row as children of the <table> itself.
    page = "<html><body><table><tr><td><a href=/>Home</a></td></tr><hr><p>One.</p><p>Two.</p></table></body></html>"
    assert _blocks_text(page, "//table") == ["Home", "One.", "Two."]


def test_a_data_table_wrapped_in_a_form_stays_a_table() -> None:
    page = (
        "<html><body><table><form action='/vote'><tr><th>Ward</th><th>Votes</th></tr>"
        "<tr><td>North</td><td>412</td></tr></form></table></body></html>"
    )
    assert _blocks_text(page, "//table") == ["Ward | Votes", "North | 412"]


def test_a_cell_keeps_its_words_apart_at_br_and_blocks() -> None:
    # On screen "interview" and "Thank" are on two lines; text_content() would glue them.
    page = (
        "<html><body><table><tr><td><b>An important interview</b><br>Thank you for coming.</td>"
        "<td><p>First point.</p><p>Second point.</p></td></tr></table></body></html>"
    )
    assert _blocks_text(page, "//table") == ["An important interview Thank you for coming. | First point. Second point."]


def test_a_title_element_inside_the_body_is_never_shown() -> None:
    # Old templates print a second <title> inside the layout table; browsers never show one.
    page = (
        "<html><head><title>Quay plan</title></head><body><table><tr><td><title>Council backs the quay plan</title>"
        f"<h2>Council backs the quay plan</h2><p>{pages.PARAGRAPH}</p><p>{pages.PARAGRAPH} Again.</p></td></tr></table></body></html>"
    )
    assert scraper.clean(page).text.count("Council backs the quay plan") <= 1


def test_a_br_inside_pre_is_a_line_break() -> None:
    page = _article(f"<p>{pages.PARAGRAPH}</p><pre><code>ssh quay<br>  sudo systemctl restart tides<br>exit</code></pre>")
    lines = scraper.clean(page).text.split("\n")
    assert "ssh quay" in lines and "  sudo systemctl restart tides" in lines and "exit" in lines


def test_a_headline_broken_over_two_lines_is_one_title() -> None:
    page = (
        "<html><head><title>Council backs the quay plan | Coast Post</title></head><body><article>"
        f"<h1>Council backs<br>the quay plan</h1><p>{pages.PARAGRAPH}</p><p>{pages.PARAGRAPH} Again.</p></article></body></html>"
    )
    article = scraper.clean(page)
    assert article.title == "Council backs the quay plan"
    assert "Council backs" not in article.text  # the headline is reported apart, not repeated


def test_a_headline_typed_with_other_dashes_than_the_page_title_is_the_title() -> None:
    # The <h1> says "–", the page titles "-": the headline is still the one the titles hold, not
    # the longest piece of a page title split at its dashes.
    page = (
        "<html><head><title>Quay Repair Guide - From A Harbour Engineer</title>"
        '<meta property="og:title" content="How to repair a quay wall - From a harbour engineer"></head>'
        "<body><article><h1>How to repair a quay wall – From a harbour engineer</h1>"
        f"<p>{pages.PARAGRAPH}</p><p>{pages.PARAGRAPH} Again.</p></article></body></html>"
    )
    assert scraper.clean(page).title == "How to repair a quay wall – From a harbour engineer"


def test_a_line_of_zero_width_characters_is_no_line() -> None:
    # Editors leave a zero-width joiner or space in an empty paragraph between two real ones.
    page = _article(f"<p>{pages.PARAGRAPH}</p><p>\u200d</p><p>\u200b\ufeff</p><p>{pages.PARAGRAPH} Again.</p>")
    lines = scraper.clean(page).text.split("\n")
    assert lines == [pages.PARAGRAPH, f"{pages.PARAGRAPH} Again."]


def test_a_heading_set_all_in_bold_is_not_bold_twice_in_markdown() -> None:
    page = _article(
        f"<h2><strong>Where the quay goes</strong></h2><p>{pages.PARAGRAPH}</p>"
        f"<h2>Costs <strong>and</strong> timing</h2><p>{pages.PARAGRAPH} Second.</p>"
    )
    lines = scraper.clean(page).markdown.split("\n")
    assert "## Where the quay goes" in lines
    assert "## Costs **and** timing" in lines  # bold inside a heading is the writer's emphasis


def test_a_code_block_fence_names_its_language_and_outlasts_backticks_inside() -> None:
    page = _article(
        f"<p>{pages.PARAGRAPH}</p><pre><code class='hljs language-python'>print('quay')</code></pre>"
        f"<p>{pages.PARAGRAPH} Second.</p><pre data-lang='Markdown'>```\nfenced\n```</pre>"
        f"<p>{pages.PARAGRAPH} Third.</p><pre class='chroma'>plain block</pre>"
    )
    md = scraper.clean(page).markdown
    assert "```python\nprint('quay')\n```" in md
    assert "````markdown\n```\nfenced\n```\n````" in md
    assert "```\nplain block\n```" in md


def test_markdown_lists_keep_their_markers_nesting_numbers_and_bounds() -> None:
    page = _article(
        f"<p>{pages.PARAGRAPH}</p>"
        "<ul><li>Moorings <a href='/fees'>by the day</a><ul><li>Summer</li><li>Winter</li></ul></li><li>Slipway</li></ul>"
        "<ol start='3'><li>Pay at the office</li><li>Show the ticket</li></ol>"
        "<ul><li><p>Crane hire.</p><p>Book a week ahead.</p></li><li>Fuel</li></ul>"
        f"<p>{pages.PARAGRAPH} Second.</p>"
    )
    md = scraper.clean(page, url="https://quay.example/plan").markdown
    assert "- Moorings [by the day](https://quay.example/fees)\n  - Summer\n  - Winter\n- Slipway" in md
    assert "- Slipway\n\n3. Pay at the office\n4. Show the ticket" in md  # a new list is parted from the last
    assert "- Crane hire.\n\n  Book a week ahead.\n\n- Fuel" in md  # the item's second paragraph stays in it


def test_markdown_quotations_hold_their_paragraphs_nested_quotes_code_and_tables() -> None:
    page = _article(
        f"<p>{pages.PARAGRAPH}</p><blockquote><p>Outer one.</p><blockquote><p>Inner one.</p>"
        "<p>Inner two.</p></blockquote><p>Outer again.</p><pre><code class='language-sh'>ls -l</code></pre>"
        "<table><tr><th>Fee</th><th>Amount</th></tr><tr><td>Mooring</td><td>12</td></tr></table></blockquote>"
        f"<p>{pages.PARAGRAPH} Second.</p>"
    )
    md = scraper.clean(page).markdown
    assert "> ```\n>\n> | Fee | Amount |\n> | --- | --- |\n> | Mooring | 12 |" in md
    assert "> Outer one.\n>\n> > Inner one.\n> >\n> > Inner two.\n>\n> Outer again.\n>\n> ```sh\n> ls -l\n> ```" in md


def test_html_output_keeps_list_numbering_and_code_language() -> None:
    page = _article(
        f"<p>{pages.PARAGRAPH}</p><ol start='3' class='steps' style='color:red'><li>Pay</li><li>Show</li></ol>"
        f"<pre class='chroma' data-lang='sh'><code class='language-sh' style='x'>ls</code></pre><p>{pages.PARAGRAPH} Two.</p>"
    )
    html = scraper.clean(page).html
    assert '<ol start="3">' in html
    assert '<pre data-lang="sh"><code class="language-sh">ls</code></pre>' in html


def _pictured() -> str:
    return _article(
        f"<p>{pages.PARAGRAPH}</p><figure><img data-src='/i/quay.jpg' alt='The [old] quay'></figure>"
        f"<p>Gulls <img src='/i/gull.png' alt='gull'> nest here. {pages.PARAGRAPH}</p>"
        "<table><tr><th>Fee</th><th>Amount</th></tr><tr><td>Mooring</td><td>£12</td></tr></table>"
    )


def test_images_are_references_in_markdown_and_html_only_when_asked() -> None:
    url = "https://quay.example/plan"
    plain = scraper.clean(_pictured(), url=url)
    pictured = scraper.clean(_pictured(), url=url, options=scraper.Options(include_images=True))
    assert "![" not in plain.markdown and "<img" not in plain.html and "<figure" not in plain.html
    assert "![The (old) quay](https://quay.example/i/quay.jpg)" in pictured.markdown.split("\n")
    assert "Gulls ![gull](https://quay.example/i/gull.png) nest here." in pictured.markdown
    assert '<img alt="The [old] quay" src="https://quay.example/i/quay.jpg">' in pictured.html
    assert pictured.text == plain.text  # plain text never shows images


def test_tables_of_data_go_when_left_out_and_layout_tables_stay() -> None:
    lean = scraper.Options(include_tables=False)
    article = scraper.clean(_pictured(), options=lean)
    assert "Mooring" not in article.text and "Mooring" not in article.markdown and "<table" not in article.html
    assert "Mooring" in scraper.clean(_pictured()).text
    layout = (
        "<html><head><title>Old page</title></head><body><table><tr><td>"
        f"<p>{pages.PARAGRAPH} One.</p><p>{pages.PARAGRAPH} Two.</p><p>{pages.PARAGRAPH} Three.</p>"
        "</td></tr></table></body></html>"
    )
    assert f"{pages.PARAGRAPH} Two." in scraper.clean(layout, options=lean).text


def test_formulas_are_tex_in_markdown_and_unchanged_in_text() -> None:
    page = _article(
        f"<p>{pages.PARAGRAPH}</p>"
        "<p>When <math alttext='a \\neq 0'><mi>a</mi><mo>≠</mo><mn>0</mn></math>, there are two roots.</p>"
        "<p>Denoted by <span class='mwe-math-element'><img class='mwe-math-fallback-image-inline' "
        "alt='{\\displaystyle A^{\\mathsf {H}}}' src='/m.svg'></span>, the property reads so.</p>"
        "<div><math display='block'><semantics><mi>x</mi><annotation encoding='application/x-tex'>x^2</annotation>"
        f"</semantics></math></div><p>{pages.PARAGRAPH} Again.</p>"
    )
    article = scraper.clean(page)
    md = article.markdown.split("\n")
    assert "When $a \\neq 0$, there are two roots." in md
    assert "Denoted by $A^{\\mathsf {H}}$, the property reads so." in md
    assert "$$x^2$$" in md
    assert "When a≠0, there are two roots." in article.text.split("\n")  # text keeps what the page shows


def test_paragraph_lines_that_look_like_markdown_are_escaped_in_markdown_only() -> None:
    lines = ["2024. A year of storms on the quay.", "# not a heading", "- not an item", "> not a quote"]
    page = _article(f"<p>{pages.PARAGRAPH}</p>" + "".join(f"<p>{line}</p>" for line in lines) + "<p>#1 in sales, 3. in a line</p>")
    article = scraper.clean(page)
    md = article.markdown.split("\n")
    for escaped in ["2024\\. A year of storms on the quay.", "\\# not a heading", "\\- not an item", "\\> not a quote"]:
        assert escaped in md
    assert "#1 in sales, 3. in a line" in md
    assert all(line in article.text.split("\n") for line in lines)


def test_words_in_two_elements_that_only_a_style_sheet_parts_are_parted() -> None:
    # A card prints the brand and the product in two spans of one link, set on two lines by CSS:
    # "La SportivaAragon" is no word. Inside a word ("<b>bold</b>word", "<em>un</em>common") the
    # page's letters are left as they are.
    shoe = "<a href='/p/1'><span class='brand'>La Sportiva</span><span class='name'>Aragon</span></a>"
    page = _article(
        f"<p>{pages.PARAGRAPH} We tested the {shoe} on granite. A <b>bold</b>word, <em>un</em>common, "
        "at Print<b>Runner</b>.</p>"
    )
    text = scraper.clean(page, url="https://shop.example/c/shoes").text
    assert "We tested the La Sportiva Aragon on granite." in text
    assert "A boldword, uncommon, at PrintRunner." in text  # text then element: one word the page styles


@pytest.mark.parametrize("between", ["", "\n"])
def test_a_highlighters_lines_are_lines_in_every_format(between: str) -> None:
    # Shiki's lines are <span class="line">, shown one under another by the site's style sheet;
    # some sites leave no newline between them.
    code = (
        "<pre class='shiki'><code><span class='line'><span>npm</span><span> create vite@latest</span></span>"
        f"{between}<span class='line'><span>cd</span><span> my-project</span></span></code></pre>"
    )
    article = scraper.clean(_article(f"<p>{pages.PARAGRAPH}</p>{code}<p>{pages.PARAGRAPH} Again.</p>"))
    lines = article.text.split("\n")
    assert "npm create vite@latest" in lines and "cd my-project" in lines
    assert "```\nnpm create vite@latest\ncd my-project\n```" in article.markdown
    assert "vite@latest</span></span>\n<span>" in article.html


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        # A byline's name and date, spaced by the style sheet: two words.
        ("<span><span>Stevie Bonifield</span></span><span><time>Mar 6</time></span>", "Stevie Bonifield Mar 6"),
        ("<a href='/b/hoka'><span>HOKA</span></a><span>Mach 6</span>", "HOKA Mach 6"),
        ("<span>Rating</span><span>4.5 of 5</span>", "Rating 4.5 of 5"),
        ("<span>4.8</span><span>212 reviews</span>", "4.8 212 reviews"),
        # A word split for styling, a price's cents, a drop cap and Chinese stay as written.
        ("<span>anti</span><span>doping</span>", "antidoping"),
        ("<span>$19</span><span>99</span>", "$1999"),
        ("<span>T</span><span>he quay</span>", "The quay"),
        ("<span>新竹尖石</span><span>美樹營地</span>", "新竹尖石美樹營地"),
    ],
)
def test_fields_set_side_by_side_are_parted_where_no_word_runs_on(fields: str, shown: str) -> None:
    line = f"<p>Noted on the quay: {fields} is what the board heard, and what it answered.</p>"
    article = scraper.clean(_article(f"<p>{pages.PARAGRAPH}</p>{line}<p>{pages.PARAGRAPH} Again.</p>"))
    assert f"Noted on the quay: {shown} is what the board heard" in article.text
    if "<a" not in fields:  # markdown writes the link as [HOKA](/b/hoka)
        assert f"Noted on the quay: {shown} is what the board heard" in article.markdown


@pytest.mark.parametrize("mark", ["¶", "#", "§", "🔗", "\u200b"])
def test_a_headings_permalink_mark_is_not_part_of_it(mark: str) -> None:
    # Sphinx and MkDocs end each heading with <a class="headerlink" href="#id">¶</a>, other
    # generators with a "#" or a link symbol.
    body = (
        f"<p>{pages.PARAGRAPH}</p><h2 id='wall'>The new sea wall<a class='headerlink' href='#wall' title='Link to this heading'>{mark}</a></h2>"
        f"<p>{pages.PARAGRAPH} Again.</p>"
    )
    article = scraper.clean(_article(body))
    assert "The new sea wall" in article.text.split("\n")
    assert "## The new sea wall\n" in article.markdown
    assert "<h2>The new sea wall</h2>" in article.html


def test_html_keeps_the_words_of_a_page_wrapped_in_a_form() -> None:
    # ASP.NET pages wrap the whole page in one <form>; its fields go, its words stay, and so do the
    # words after a dropped button.
    page = (
        "<html><head><title>Quay plan</title></head><body><form id='aspnetForm' method='post'>"
        f"<input type='hidden' name='__VIEWSTATE' value='dDwtMTA4'><h1>Quay plan</h1><p>{pages.PARAGRAPH}</p>"
        f"<p>{pages.PARAGRAPH} Again.</p><p>{pages.PARAGRAPH} Third <button>Vote</button> and more.</p></form>"
        f"<p>{pages.PARAGRAPH} Last.</p></body></html>"
    )
    article = scraper.clean(page, options=scraper.Options(second_opinion_below_chars=0))
    assert article.path == "scorer"
    assert article.html.count("<p>") == 4
    assert "Third and more." in article.html
    assert "<form" not in article.html and "<input" not in article.html and "VIEWSTATE" not in article.html


def test_html_output_drops_empty_wrappers_and_keeps_images_links_when_asked() -> None:
    body = (
        f"<div><span class='icon'></span><p>{pages.PARAGRAPH}</p><p></p>"
        "<a href='/photos/quay'><img src='/quay.jpg' alt='The quay'></a><ul><li>One point</li><li><span></span></li></ul>"
        f"<p>{pages.PARAGRAPH} Again.</p></div>"
    )
    plain = scraper.clean(_article(body)).html
    assert "<span></span>" not in plain and "<p></p>" not in plain and "<li></li>" not in plain
    assert "<a href" not in plain  # the link held only the image, which html leaves out by default
    shown = scraper.clean(_article(body), options=scraper.Options(include_images=True)).html
    assert '<img src="/quay.jpg" alt="The quay">' in shown and "<a href=" in shown


def test_rows_chosen_without_their_table_get_one_in_html() -> None:
    from scraper.render import render_html

    root = parse_html(
        "<html><body><table><tr><td>Ward</td><td>Votes</td></tr><tr><td>North</td><td>412</td></tr></table></body></html>"
    )
    row = root.find(".//tr")
    assert render_html([row], None, None) == "<article><table><tr><td>Ward</td><td>Votes</td></tr></table></article>"


@pytest.mark.parametrize("glyph", ["·", "×", "→", "|", "—"])
def test_a_line_of_nothing_but_a_separator_or_a_controls_glyph_goes(glyph: str) -> None:
    body = f"<p>{pages.PARAGRAPH}</p><p>{glyph}</p><p>{pages.PARAGRAPH} Again.</p>"
    article = scraper.clean(_article(body))
    assert article.text.split("\n") == [pages.PARAGRAPH, f"{pages.PARAGRAPH} Again."]
    assert f"\n{glyph}\n" not in article.markdown


def test_code_keeps_its_lines_of_braces() -> None:
    code = "<pre><code>if (tide) {\n  raise();\n}\n</code></pre>"
    article = scraper.clean(_article(f"<p>{pages.PARAGRAPH}</p>{code}<p>{pages.PARAGRAPH} Again.</p>"))
    assert "}" in article.text.split("\n")


@pytest.mark.parametrize("address", ["javascript:alert(1)", " JavaScript:alert(2)", "java\tscript:alert(3)", "vbscript:x", "data:text/html;base64,PHNjcmlwdD4="])
def test_a_link_that_runs_code_keeps_its_words_and_loses_its_address(address: str) -> None:
    # "Clean HTML" runs nothing when shown: the link's words stay, as plain text.
    page = pages.article_page(4).replace("Paragraph 2.", f"Paragraph 2. <a href='{address}'>Open the minutes</a> now.")
    article = scraper.clean(page, url="https://quay.example/news/plan")
    assert "Open the minutes" in article.markdown and "Open the minutes" in article.html
    assert "](" not in article.markdown
    # Every link left in the html leads to a web address (the serializer may have escaped a tab
    # into one, which no browser reads as a scheme any more).
    links = [a.get("href") for a in lxml_html.fromstring(article.html).iter("a")]
    assert all(href is None or href.startswith("https://quay.example/") for href in links), links
