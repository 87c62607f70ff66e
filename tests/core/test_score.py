"""measure_tree: what counts as a paragraph's characters."""

from __future__ import annotations

import pytest

import scraper
from scraper.parse import parse_html
from scraper.rules import default_ruleset
from scraper.score import block_score, measure_tree

_RUN = "The gauge board below the mill race read well above its normal level for the month, " * 3


def _p_chars(html: str, element_id: str) -> int:
    root = parse_html(html)
    stats = measure_tree(root)
    return stats[root.get_element_by_id(element_id)].p_chars


def test_bare_text_in_a_div_is_a_paragraph() -> None:
    assert _p_chars(f"<html><body><div id='d'>{_RUN}</div></body></html>", "d") > 200


def test_a_span_run_is_a_paragraph_on_a_page_without_paragraphs() -> None:
    html = f"<html><body><div id='d'><span><b>{_RUN}</b></span></div></body></html>"
    assert _p_chars(html, "d") > 200


def test_a_span_run_is_not_a_paragraph_on_a_page_of_paragraphs() -> None:
    prose = "".join(f"<p>{_RUN}</p>" for _ in range(10))
    html = f"<html><body><article>{prose}</article><div id='d'><span>{_RUN}</span></div></body></html>"
    assert _p_chars(html, "d") == 0


def test_links_and_menus_are_no_run() -> None:
    options = "".join(f"<option>{word} category of the archive</option>" for word in "abcdefghij")
    html = (
        f"<html><body><div id='links'><a href='/x'>{_RUN}</a></div>"
        f"<div id='menu'><select>{options}</select></div></body></html>"
    )
    assert _p_chars(html, "links") == 0
    assert _p_chars(html, "menu") == 0


def test_short_runs_do_not_add_up() -> None:
    spans = "".join(f"<span>Price {n}.99 with free delivery</span>" for n in range(20))
    assert _p_chars(f"<html><body><div id='d'>{spans}</div></body></html>", "d") == 0


def _reference(description: str) -> str:
    story = "".join(
        f"<p>Paragraph {i} of the reference explains how the tide table is computed from the port's constants.</p>"
        for i in range(4)
    )
    return (
        f"<html><body><main><h1>TideTable</h1>{story}<h2>Methods</h2><dl>"
        f"<dt><a href='/api/heightAt'><code>TideTable.heightAt()</code></a></dt><dd>{description}</dd>"
        "</dl></main></body></html>"
    )


def test_a_linked_term_stays_when_its_description_is_prose() -> None:
    import scraper

    kept = scraper.clean(_reference("Returns the predicted height of the water at a given time."))
    assert "TideTable.heightAt()" in kept.text
    # A definition list used as a menu (a link for the term, links for the description) is still a menu.
    menu = scraper.clean(_reference("<a href='/a'>Overview</a> <a href='/b'>Examples</a> <a href='/c'>Source</a>"))
    assert "TideTable.heightAt()" not in menu.text


def test_a_scrap_of_a_listing_widens_to_the_list() -> None:
    # A table of books without one sentence of prose: the best-scored block is one row's rating
    # line. Our scorer alone (no second opinion) now returns the list, not that line.
    import scraper
    from tests.core.pages import PAGES_DIR

    page = (PAGES_DIR / "listing-table-without-prose" / "source.html").read_text(encoding="utf-8")
    text = scraper.clean(page, options=scraper.Options(second_opinion_below_chars=0)).text
    assert "The Lighthouse Keeper's Daughter" in text and "The Keeper's Logbook" in text
    assert "Sign in" not in text and "Careers" not in text


def test_paragraphs_inside_a_link_are_a_card_not_prose() -> None:
    cards = "".join(f"<li><a href='/e/{i}'><h3>Event {i}</h3><p>{_RUN}</p></a></li>" for i in range(3))
    html = f"<html><body><ul id='grid'>{cards}</ul><div id='d'><p>{_RUN}</p></div></body></html>"
    assert _p_chars(html, "grid") == 0
    assert _p_chars(html, "d") > 200


def test_a_box_titled_about_the_author_is_not_the_article() -> None:
    from scraper.score import score_candidates

    life = "She grew up by the harbour, studied engineering, and wrote for the paper for years. " * 3
    bio = "<div id='bio'><h3>About the author</h3>" + f"<p>{life}</p>" * 6 + "</div>"
    post = f"<div id='post'><p>{_RUN}</p><p>{_RUN}</p></div>"
    root = parse_html(f"<html><body>{post}{bio}</body></html>")
    best = score_candidates(root, measure_tree(root), default_ruleset().generic)[0].element
    assert best.get("id") == "post"


def test_dot_leaders_count_as_one_mark_of_punctuation() -> None:
    # A sidebar of press mentions, "Title <br> Source <br> .......... <br>", scored dot by dot
    # outweighed a whole post. A run of one mark ("...", "?!", dot leaders) is one mark.
    from scraper.score import block_score

    leaders = "The fifty best weblogs of the year The Morning Paper " + "." * 40
    plain = "The fifty best weblogs of the year The Morning Paper " + "." * 1
    # Forty dots add their length (0.4) and nothing for punctuation.
    assert block_score(leaders, 0) < block_score(plain, 0) + 0.5
    sentence = "Sunday is when the week's food gets made, in one long go; then it rests."
    assert block_score(sentence, 0) > block_score(leaders, 0)


def test_min_block_chars_sets_the_shortest_block_that_counts_as_prose() -> None:
    from scraper.score import block_score, score_candidates

    sentence = "The ferry leaves at nine, and the last one comes back at six."  # 62 characters
    assert block_score(sentence, 0) > 0
    assert block_score(sentence, 0, min_chars=100) == 0.0
    root = parse_html(f"<html><body><div id='post'><p>{sentence}</p><p>{sentence}</p></div></body></html>")
    stats = measure_tree(root)
    assert score_candidates(root, stats, default_ruleset().generic)
    assert score_candidates(root, stats, default_ruleset().generic, min_chars=100) == []
    page = f"<html><head><title>Ferry</title></head><body><div id='post'><p>{sentence}</p></div></body></html>"
    assert scraper.clean(page, options=scraper.Options(min_block_chars=100, second_opinion_below_chars=0)).path != "scorer"


def test_indentation_between_links_does_not_make_a_div_a_paragraph() -> None:
    # A version switcher laid out over many indented lines: its own text is 1,000 characters of
    # white space and slashes, not the 80 characters of words that make a <div> a paragraph.
    gap = "\n" + " " * 40 + "/\n" + " " * 40
    switcher = "<div id='versions'>Older versions:" + gap.join(f"<a href='/v{i}/'>{i}</a>" for i in range(20)) + "</div>"
    words = "<div id='note'>" + "The index is rebuilt every night while the tables are quiet. " * 2 + "</div>"
    root = parse_html(f"<html><body>{switcher}{words}</body></html>")
    stats = measure_tree(root)
    assert stats[root.get_element_by_id("versions")].p_chars == 0
    assert stats[root.get_element_by_id("note")].p_chars > 80


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        # Hindi ends its sentences with a danda; Arabic has its own comma, semicolon and question mark.
        (
            "मौसम विभाग ने आज कहा कि अगले तीन दिनों में भारी बारिश होगी, और किसानों को सलाह दी गई है। दिल्ली में बादल छाए रहे।",
            "मौसम विभाग ने आज कहा कि अगले तीन दिनों में भारी बारिश होगी, और किसानों को सलाह दी गई है. दिल्ली में बादल छाए रहे.",
        ),
        (
            "قالت هيئة الأرصاد إن أمطارا غزيرة ستهطل، ونصحت المزارعين بحماية محاصيلهم؛ فهل تستمر الحالة؟ لا أحد يعرف.",
            "قالت هيئة الأرصاد إن أمطارا غزيرة ستهطل, ونصحت المزارعين بحماية محاصيلهم; فهل تستمر الحالة? لا أحد يعرف.",
        ),
    ],
    ids=["hindi", "arabic"],
)
def test_prose_in_other_scripts_scores_as_its_latin_punctuated_twin(text: str, latin: str) -> None:
    assert block_score(text, 0) == block_score(latin, 0) > block_score(text.replace("।", "").replace("،", "").replace("؛", "").replace("؟", ""), 0)
