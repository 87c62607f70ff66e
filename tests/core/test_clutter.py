"""The clutter filter inside the chosen body: menus set as lines, teaser runs, second copies."""

from __future__ import annotations

import pytest

import scraper
from tests.core.pages import PARAGRAPH, quay_article, story_parts

# Our own scorer alone: trafilatura's second opinion would mask what it chose.
ALONE = scraper.Options(second_opinion_below_chars=0)


def _html(title: str, body: str) -> str:
    """Return a page titled `title` whose <body> holds `body`."""
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def _index_page(menu: str) -> str:
    items = "".join(
        f"<li><a href='/tides/{n}'>Tide table for the harbour mouth, week {n}</a></li>" for n in range(1, 13)
    )
    return _html("Tide tables", f"<div id='page'><h1>Tide tables</h1><p class='menu'>{menu}</p><ul class='weeks'>{items}</ul></div>")


def test_a_row_of_links_joined_by_bars_inside_a_listing_goes() -> None:
    menu = "<a href='/'>Home</a> | <a href='/news'>News</a> | <a href='/tides'>Tides</a> | <a href='/ferries'>Ferries</a>"
    article = scraper.clean(_index_page(menu), url="https://harbour.example/tides/", options=ALONE)
    assert "Tide table for the harbour mouth, week 12" in article.text
    assert "Ferries" not in article.text


def test_a_listing_item_that_holds_a_bar_stays() -> None:
    # Two links and one bar: a line of an item ("Sun | Moon"), not a menu.
    article = scraper.clean(
        _index_page("<a href='/sun'>Sunrise times</a> | <a href='/moon'>Moon phases</a>"),
        url="https://harbour.example/tides/",
        options=ALONE,
    )
    assert "Moon phases" in article.text


def _service_page(link: str) -> str:
    questions = [
        ("How soon can a tutor start?", "Most families meet their tutor within three days of signing up, and the first lesson can be booked for the same week."),
        ("Do lessons follow the school syllabus?", "Yes: the tutor asks for the class's current topics and plans each lesson around them and the homework set."),
        ("Can we change tutors?", "At any time and at no cost; tell us what did not work and we suggest two others to choose from."),
        ("How long is a lesson?", "Fifty minutes, online, with a shared whiteboard that keeps a record of the working for the pupil to revise."),
        ("Is there a contract?", "No. Lessons are paid for a month at a time, and a month can be cancelled up to its last day."),
        ("What ages do you teach?", "From the last year of primary school to the end of sixth form, in maths, physics and chemistry."),
    ]
    items = "".join(
        f"<div class='faq-item'><a href='{link.format(n=n)}'>{q}</a><div class='faq-answer'>{a}</div></div>"
        for n, (q, a) in enumerate(questions)
    )
    intro = "".join(f"<p>{PARAGRAPH} Lesson note {i}.</p>" for i in range(8))
    return _html(
        "Maths tutoring - Tideway Tutors",
        f"<div class='page'><h1>Maths tutoring</h1>{intro}<h2>Questions parents ask</h2>{items}</div>",
    )


def test_questions_that_open_their_answers_in_place_are_no_teasers() -> None:
    article = scraper.clean(_service_page("#faq-{n}"), url="https://tideway.example/maths", options=ALONE)
    assert "Most families meet their tutor within three days" in article.text
    assert "From the last year of primary school" in article.text


def test_questions_that_link_to_other_pages_are_still_teasers() -> None:
    article = scraper.clean(_service_page("/questions/{n}/"), url="https://tideway.example/maths", options=ALONE)
    assert "Lesson note 7" in article.text
    assert "Most families meet their tutor within three days" not in article.text



def _story_printed_twice() -> str:
    sections = [
        ("Why the wall moved", "The engineers' survey found that the old stones had shifted by a hand's width since spring, after two winters of storms."),
        ("What the work costs", "The board puts the bill at two point four million pounds, most of it from the county's flood fund and the rest from harbour dues."),
        ("When the ferry moves back", "The ferry uses the south berth until the wall is finished in March, and the fish market moves to the coal quay on Saturdays."),
    ]
    copy = "".join(f"<h2>{h}</h2><p>{t} {PARAGRAPH}</p>" for h, t in sections)
    return _html(
        "Quay wall to be rebuilt - Harbour News",
        f"<div class='story'><h1>Quay wall to be rebuilt</h1><div class='screen'>{copy}</div>"
        f"<div class='print-version'>{copy}</div></div>",
    )


def test_a_second_copy_of_the_story_goes_with_its_headings() -> None:
    article = scraper.clean(_story_printed_twice(), url="https://harbour.example/news/quay", options=ALONE)
    for heading in ("Why the wall moved", "What the work costs", "When the ferry moves back"):
        assert article.text.count(heading) == 1
    assert article.text.count("most of it from the county's flood fund") == 1


def _roundup_post() -> str:
    links = [
        ("/2012/10/sandy-evacuation", "Sandy forces a hospital evacuation"),
        ("/2012/10/p4p", "Skepticism about pay for performance"),
        ("/2012/10/spending", "Technology and healthcare spending"),
        ("/2012/10/jurisdictions", "Contractor jurisdictions, explained"),
        ("/2012/10/debt", "The two causes of debt after an illness"),
    ]
    items = "".join(f"<li><a href='https://econ.example{h}'>{t}</a>.</li>" for h, t in links)
    return (
        "<html><head><title>Reading for a stormy week - Health Economics Notes</title></head><body>"
        "<div id='wrap'><div class='menu'><a href='/about'>About</a> <a href='/archives'>Archives</a></div>"
        f"<div class='post'><h1>Reading for a stormy week</h1><div class='entry'><p>Written by J. Shaw, 31 October</p><ul>{items}</ul></div>"
        "<p>You can follow any responses to this entry through the RSS 2.0 feed. You can leave a response, "
        "or trackback from your own site.</p></div>"
        "<div class='side-bar'><h3>Blogroll</h3><a href='https://a.example'>A blog</a> <a href='https://b.example'>B blog</a></div>"
        "</div></body></html>"
    )


def test_a_post_made_of_links_is_read_again_with_its_links_as_content() -> None:
    article = scraper.clean(_roundup_post(), url="https://econ.example/2012/10/reading", options=ALONE)
    assert "Skepticism about pay for performance" in article.text
    assert "The two causes of debt after an illness" in article.text
    assert "Blogroll" not in article.text


def _story_with(line: str) -> str:
    story = "".join(f"<p>{PARAGRAPH} Harbour note {i}.</p>" for i in range(4))
    return _html("Crossing to the islands", f"<article><h1>Crossing to the islands</h1>{story}<p>{line}</p>{story}</article>")


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        pytest.param(
            "<a href='https://ferries.example/book'>Book the morning crossing to the islands</a> here!",
            "Book the morning crossing to the islands here!", id="a linked sentence between paragraphs",
        ),
        pytest.param(
            "Readers who followed the repairs will find the full report "
            "<a href='/news/4711'>also on harbour.example under the pier works</a>, with the engineers' figures.",
            "also on harbour.example under the pier works", id="a long link inside a sentence is no card",
        ),
        pytest.param(
            # "previous post" names a navigation link on its own; here the sentence goes on after it.
            "My <a href='/news/4702'>previous post</a> covered the first week of the pier repairs in detail.",
            "My previous post covered the first week", id="a clutter phrase that is a word of its sentence",
        ),
    ],
)
def test_a_link_that_is_part_of_its_sentence_stays(line: str, kept: str) -> None:
    article = scraper.clean(_story_with(line), url="https://harbour.example/crossing", options=ALONE)
    assert kept in article.text


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        # No words of its own beside the link: a call to a shop, not a sentence of the story.
        pytest.param("<a href='https://shop.example/'>Shop the island ferry collection</a>.", "Shop the island ferry collection", id="a bare link"),
        pytest.param(
            "The pier reopens to walkers on Saturday, weather permitting. <a href='/news/4713'>Read more</a>",
            "Read more", id="a clutter link that ends its line",
        ),
    ],
)
def test_a_link_that_is_no_sentence_goes(line: str, gone: str) -> None:
    article = scraper.clean(_story_with(line), url="https://harbour.example/crossing", options=ALONE)
    assert "Harbour note 3." in article.text
    assert gone not in article.text


def _roundup(entry: str) -> str:
    machines = [
        f"{name} Programmable Bread Maker"
        for name in ("Loafmaster 900", "Crustwell Pro", "Doughboy Twin", "Rye & Shine 2", "Bakehouse Mini", "Panetto XL")
    ]
    entries = "".join(f"<li>{entry.format(name=name, slug=n)}</li>" for n, name in enumerate(machines))
    intro = "".join(f"<p>{PARAGRAPH} Kitchen note {i}.</p>" for i in range(5))
    return _html("The best bread machines", f"<article><h1>The best bread machines</h1>{intro}<ul>{entries}</ul>{intro}</article>")


def test_entries_that_name_a_thing_and_describe_it_are_no_teasers() -> None:
    entry = (
        "<a href='https://shop.example/{slug}'>{name}</a> – This machine has fourteen settings, "
        "a delayed start and a loaf pan that comes out clean."
    )
    article = scraper.clean(_roundup(entry), url="https://kitchen.example/bread-machines", options=ALONE)
    assert "Panetto XL Programmable Bread Maker – This machine has fourteen settings" in article.text


def test_teaser_cards_of_other_pages_still_go() -> None:
    # Title and excerpt side by side, nothing joining them: cards leading to other pages.
    entry = (
        "<a href='/reviews/{slug}'>{name} reviewed after a year of daily loaves</a> "
        "<span>What we liked, what broke, and whether we would buy it again.</span>"
    )
    article = scraper.clean(_roundup(entry), url="https://kitchen.example/bread-machines", options=ALONE)
    assert "Kitchen note 4." in article.text
    assert "reviewed after a year" not in article.text


def test_the_articles_reference_list_is_no_teaser_run() -> None:
    sources = "".join(
        f"<li><a href='#cite-{n}'>^</a> <a href='https://journal.example/silt/{n}'>Silt in the harbour mouth, "
        f"survey number {n}</a>, Tidal Review.</li>"
        for n in range(1, 8)
    )
    story = "".join(f"<p>{PARAGRAPH} Survey note {i}.</p>" for i in range(6))
    page = _html(
        "Silting of the harbour",
        f"<article><h1>Silting of the harbour</h1>{story}<h2>References</h2><ol class='references'>{sources}</ol></article>",
    )
    article = scraper.clean(page, url="https://harbour.example/silting", options=ALONE)
    assert "Silt in the harbour mouth, survey number 7" in article.text


def test_a_card_set_as_one_link_between_paragraphs_goes() -> None:
    card = (
        "<a class='read-more-big' href='/news/4711-ferry-timetable'><span>Also on harbour.example</span>"
        "<span>Winter ferry timetable cut to two crossings a day after the pier repairs</span></a>"
    )
    page = _story_with("Like this story? Share it with a friend!").replace("<p>Like", card + "<p>Like")
    article = scraper.clean(page, url="https://harbour.example/crossing", options=ALONE)
    assert "Harbour note 3." in article.text
    assert "Winter ferry timetable" not in article.text
    assert "Share it with a friend" not in article.text


def test_a_magazine_plug_and_a_close_button_go() -> None:
    page = _story_with("Get Harbour Monthly delivered through your letterbox every month. 12 issues for £11.99.")
    page = page.replace("</article>", "<div class='gallery-controls'><span>Close</span></div></article>")
    article = scraper.clean(page, url="https://harbour.example/crossing", options=ALONE)
    assert "Harbour note 3." in article.text
    assert "letterbox" not in article.text
    assert "Close" not in article.text.split("\n")


@pytest.mark.parametrize(
    ("lang", "heading", "paragraph"),
    [
        ("id", "Baca juga", "Badan Meteorologi mengatakan hujan lebat akan turun di beberapa wilayah selama tiga hari ke depan, dan petani diminta melindungi tanaman mereka."),
        ("hi", "यह भी पढ़ें", "मौसम विभाग ने आज कहा कि अगले तीन दिनों में उत्तर भारत के कई हिस्सों में भारी बारिश होगी, और किसानों को सलाह दी गई है।"),
        ("vi", "Tin liên quan", "Cơ quan khí tượng cho biết mưa lớn sẽ kéo dài ba ngày tới ở nhiều tỉnh phía bắc, và nông dân được khuyên bảo vệ mùa màng của mình."),
        ("el", "Διαβάστε επίσης", "Η μετεωρολογική υπηρεσία ανακοίνωσε ότι ισχυρές βροχές θα πέσουν στα βόρεια τις επόμενες τρεις ημέρες, και οι αγρότες καλούνται να προστατεύσουν τις καλλιέργειές τους."),
    ],
    ids=["indonesian", "hindi", "vietnamese", "greek"],
)
def test_a_related_stories_heading_in_more_languages_takes_its_list(lang: str, heading: str, paragraph: str) -> None:
    story = "".join(f"<p>{paragraph} ({n})</p>" for n in range(4))
    related = "".join(f"<li><a href='/berita/{n}'>{paragraph[:50]} {n}</a></li>" for n in range(4))
    page = (
        f"<html lang='{lang}'><head><title>t</title></head><body><article><h1>{paragraph[:30]}</h1>{story}"
        f"<h3>{heading}</h3><ul>{related}</ul></article></body></html>"
    )
    text = scraper.clean(page, url="https://news.example/2025/rain", options=ALONE).text
    assert f"{paragraph} (3)" in text
    assert heading not in text
    assert f"{paragraph[:50]} 0" not in text


def test_an_advertisement_label_and_a_read_more_line_in_indonesian_go() -> None:
    paragraph = "Badan Meteorologi mengatakan hujan lebat akan turun di beberapa wilayah selama tiga hari ke depan."
    story = f"<p>{paragraph} (0)</p><p>{paragraph} (1)</p><p>Iklan</p><p>{paragraph} (2)</p>"
    page = (
        f"<html lang='id'><head><title>t</title></head><body><article><h1>Hujan lebat</h1>{story}"
        "<div>Baca selengkapnya</div></article></body></html>"
    )
    text = scraper.clean(page, url="https://news.example/2025/hujan", options=ALONE).text
    assert f"{paragraph} (2)" in text
    assert "Iklan" not in text
    assert "Baca selengkapnya" not in text


def test_a_media_blocks_label_on_a_line_of_its_own_goes() -> None:
    page = quay_article(
        "<div class='media'><img src='/q.jpg' alt=''><div>Enlarge photo</div><div>Video</div></div>"
        f"{story_parts('Media', 3)}<div><span>View photo gallery</span></div>"
    )
    text = scraper.clean(page, url="https://harbour.example/news/quay", options=ALONE).text
    assert "Media part 2." in text
    for gone in ("Enlarge photo", "Video", "gallery"):
        assert gone not in text


def test_a_paywall_notice_under_the_story_goes() -> None:
    page = quay_article(
        f"{story_parts('Paid', 3)}<div><p>Subscribe to continue reading this story and every other on the harbour.</p>"
        "<p>Already a subscriber? Log in here.</p><p>You have 2 free articles left this month.</p></div>"
    )
    text = scraper.clean(page, url="https://harbour.example/news/quay", options=ALONE).text
    assert "Paid part 2." in text
    for gone in ("continue reading", "Already a subscriber", "free articles left"):
        assert gone not in text


@pytest.mark.parametrize("placeholder", ["Loading...", "Loading comments…", "Loading prices for your region…"])
def test_a_loading_placeholder_goes_and_a_sentence_about_loading_stays(placeholder: str) -> None:
    # What a script shows until its data arrives; the crawler's copy never got the data.
    page = quay_article(
        f"{story_parts('Load', 2)}<div><p>{placeholder}</p></div>"
        "<p>Loading the ferry takes forty minutes at low tide.</p>"
    )
    text = scraper.clean(page, url="https://harbour.example/news/quay", options=ALONE).text
    assert "Load part 1." in text
    assert placeholder not in text
    assert "Loading the ferry takes forty minutes" in text


def test_a_paywall_naming_its_plan_goes() -> None:
    # Paywalls name their own plan ("STAT+ subscribers") and offer to unlock the story.
    page = quay_article(
        f"{story_parts('Plan', 3)}<div><h2>Harbour+ story</h2><p>This article is exclusive to Harbour+ subscribers</p>"
        "<p>Unlock this article and every analysis, newsletter and event of the quay.</p>"
        "<p>Already have an account? Log in</p></div>"
    )
    text = scraper.clean(page, url="https://harbour.example/news/quay", options=ALONE).text
    assert "Plan part 2." in text
    for gone in ("exclusive to Harbour+", "Unlock this article", "Already have an account"):
        assert gone not in text


@pytest.mark.parametrize(
    "notice",
    [
        "Wir verwenden Cookies, um Ihnen ein optimales Nutzererlebnis zu bieten. Mit der Nutzung stimmen Sie zu.",
        "Nous utilisons des cookies pour vous garantir la meilleure expérience sur notre site web.",
        "Utilizamos cookies propias y de terceros para mejorar nuestros servicios.",
        "Używamy plików cookies, aby ułatwić korzystanie z serwisu.",
    ],
    ids=["german", "french", "spanish", "polish"],
)
def test_a_cookie_notice_in_other_languages_goes(notice: str) -> None:
    page = quay_article(f"{story_parts('Cookie', 3)}<div><p>{notice}</p></div>")
    text = scraper.clean(page, url="https://harbour.example/news/quay", options=ALONE).text
    assert "Cookie part 2." in text
    assert notice[:20] not in text


def test_a_see_also_section_of_described_references_stays() -> None:
    # On documentation and reference pages "See also" closes the text with its pointers, each
    # named and described; a news site's related links under any heading still go as links.
    refs = "".join(
        f"<li><a href='/docs/{n}'><code>{n}</code></a>: how the gauge {n} values are read and stored, with examples.</li>"
        for n in ("height", "range", "phase")
    )
    body = f"<main><h1>Tide gauge API</h1><p>{PARAGRAPH}</p><p>{PARAGRAPH} Again.</p><h2>See also</h2><ul>{refs}</ul></main>"
    text = scraper.clean(_html("Tide gauge API", body), url="https://docs.example/gauge", options=ALONE).text
    assert "See also" in text
    assert "how the gauge phase values are read and stored, with examples." in text


@pytest.mark.parametrize("inside", [True, False])
def test_a_wikis_edit_link_beside_a_heading_goes(inside: bool) -> None:
    # MediaWiki prints "[edit]" inside the heading (before 2024) or beside it in a wrapper.
    edit = (
        "<span class='mw-editsection'><span class='mw-editsection-bracket'>[</span>"
        "<a href='/w/index.php?title=Quay&action=edit&section=1'>edit</a><span class='mw-editsection-bracket'>]</span></span>"
    )
    heading = f"<h2 id='History'>History{edit}</h2>" if inside else f"<div class='mw-heading mw-heading2'><h2 id='History'>History</h2>{edit}</div>"
    body = f"<main><h1>Quay</h1><div class='mw-parser-output'><p>{PARAGRAPH}</p>{heading}<p>{PARAGRAPH} Again.</p></div></main>"
    lines = scraper.clean(_html("Quay - Wikipedia", body), url="https://en.wikipedia.org/wiki/Quay", options=ALONE).text.split("\n")
    assert "History" in lines
    assert not any("edit" in line for line in lines)


@pytest.mark.parametrize("tool", ["<a href='/library/functions.html#print'><code>print()</code></a>", "<code>print()</code>"])
def test_a_table_of_datas_linked_or_code_cell_is_its_value(tool: str) -> None:
    # Python's docs: "print()" alone in a cell, linked to its reference. A paragraph that is all link,
    # or all "print", is a menu or a button elsewhere; in a cell of a table with headers it is data.
    table = (
        "<table><thead><tr><th>Task you want to perform</th><th>The best tool for the task</th></tr></thead><tbody>"
        f"<tr><td><p>Display console output for ordinary usage</p></td><td><p>{tool}</p></td></tr>"
        "<tr><td><p>Report an error regarding a particular runtime event</p></td><td><p>Raise an exception</p></td></tr>"
        "</tbody></table>"
    )
    body = f"<main><h1>Logging HOWTO</h1><p>{PARAGRAPH}</p>{table}<p>{PARAGRAPH} Again.</p></main>"
    lines = scraper.clean(_html("Logging HOWTO", body), url="https://docs.example/howto/logging", options=ALONE).text.split("\n")
    assert "Display console output for ordinary usage | print()" in lines
