"""React's streamed chunks are put where its scripts would put them; widgets stay hidden."""

from __future__ import annotations

import pytest

from scraper.parse import parse_html
from scraper.streamed import resolve_streamed

PROSE = "The harbour board met on Tuesday evening to weigh the plan for the old quay and its new sea wall."


def _resolved(page: str, as_bytes: bool = False) -> list[str]:
    source = page.encode("utf-8") if as_bytes else page
    root = parse_html(source)
    resolve_streamed(root, source)
    main = root.find(".//main")
    assert main is not None
    return [" ".join(p.text_content().split()) for p in main.iter("p", "h2")]


@pytest.mark.parametrize("as_bytes", [False, True])
def test_scripted_moves_fill_boundaries_and_segments_in_place(as_bytes: bool) -> None:
    page = (
        "<html><body><main><p>Lead.</p><template id='B:0'></template><template id='P:5'></template>"
        "<p>Last.</p></main>"
        f"<div hidden id='S:7'><p>First chunk. {PROSE}</p></div><script>$RC(\"B:0\",\"S:7\")</script>"
        f"<div hidden id='S:2'><h2>Segment</h2><p>Second chunk. {PROSE}</p></div><script>$RS(\"S:2\",\"P:5\")</script>"
        "</body></html>"
    )
    assert _resolved(page, as_bytes) == ["Lead.", f"First chunk. {PROSE}", "Segment", f"Second chunk. {PROSE}", "Last."]


def test_without_scripts_placeholders_and_chunks_pair_by_number() -> None:
    page = (
        "<html><body><main><template id='B:0'></template><div>Loading paragraph...</div></main>"
        f"<div hidden id='S:0'><p>{PROSE}</p></div></body></html>"
    )
    assert _resolved(page) == [PROSE]


def test_a_chunk_without_a_paragraph_stays_hidden() -> None:
    page = (
        "<html><body><main><p>Lead.</p><template id='B:0'></template></main>"
        "<div hidden id='S:0'><ul><li>Size S</li><li>Size M</li></ul></div><script>$RC(\"B:0\",\"S:0\")</script>"
        "</body></html>"
    )
    root = parse_html(page)
    resolve_streamed(root, page)
    assert root.find(".//main/ul") is None
    assert root.find(".//div[@id='S:0']") is not None


def test_pages_without_chunks_are_left_alone() -> None:
    page = f"<html><body><main><template id='B:0'></template><p>{PROSE}</p></main></body></html>"
    root = parse_html(page)
    before = parse_html(page)
    resolve_streamed(root, page)
    from lxml import etree

    assert etree.tostring(root) == etree.tostring(before)


def test_chunks_that_point_into_each_other_lose_nothing() -> None:
    # Duplicate placeholder ids and a chunk whose placeholder sits inside another chunk: the
    # first placeholder with an id wins (as getElementById) and no chunk goes into itself.
    page = (
        "<html><body><main><template id='B:0'></template></main>"
        f"<div hidden id='S:0'><p>One. {PROSE}</p><template id='B:1'></template></div>"
        f"<div hidden id='S:1'><p>Two. {PROSE}</p><template id='B:0'></template></div>"
        '<script>$RC("B:0","S:0");$RC("B:1","S:1");$RC("B:0","S:1")</script></body></html>'
    )
    assert _resolved(page) == [f"One. {PROSE}", f"Two. {PROSE}"]


def test_text_around_a_placeholder_and_inside_a_chunk_stays_in_order() -> None:
    page = (
        "<html><body><main><p>Lead.</p>before<template id='B:0'></template>after<p>Last.</p></main>"
        f"<div hidden id='S:0'>opening <p>{PROSE}</p>closing</div>gap"
        '<script>$RC("B:0","S:0")</script></body></html>'
    )
    root = parse_html(page)
    resolve_streamed(root, page)
    main = root.find(".//main")
    assert main is not None
    assert " ".join("".join(main.itertext()).split()) == f"Lead.beforeopening {PROSE}closingafterLast."
    assert root.find(".//div[@id='S:0']") is None


def test_a_chunk_of_placeholders_moves_when_their_chunks_hold_prose() -> None:
    # S:1 holds no paragraph, only placeholders that S:4 and S:5 fill: all three are the article.
    page = (
        "<html><body><main><p>Lead.</p><template id='B:1'></template><div>Loading paragraph...</div></main>"
        "<div hidden id='S:1'><template id='P:4'></template><template id='P:5'></template></div>"
        f"<div hidden id='S:4'><h2>Four</h2><p>{PROSE}</p></div>"
        f"<div hidden id='S:5'><p>Five. {PROSE}</p></div></body></html>"
    )
    assert _resolved(page) == ["Lead.", "Four", PROSE, f"Five. {PROSE}"]


def test_a_chunk_of_placeholders_without_prose_behind_them_stays_hidden() -> None:
    # S:2 fills its own placeholder and S:3 holds a widget: nothing to show, and no endless walk.
    page = (
        "<html><body><main><p>Lead.</p><template id='B:2'></template></main>"
        "<div hidden id='S:2'><template id='P:2'></template><template id='P:3'></template></div>"
        "<div hidden id='S:3'><ul><li>Size S</li></ul></div>"
        '<script>$RC("B:2","S:2");$RS("S:2","P:2");$RS("S:3","P:3")</script></body></html>'
    )
    root = parse_html(page)
    resolve_streamed(root, page)
    assert root.find(".//div[@id='S:2']") is not None
    assert root.find(".//main//ul") is None


def test_a_chain_of_thousands_of_placeholder_chunks_resolves() -> None:
    # Each chunk holds only the next one's placeholder; the last holds the section. The chain is
    # followed without recursion (it was a RecursionError), and the section lands in place.
    links = 3000
    chain = "".join(f"<div hidden id='S:{i}'><template id='P:{i + 1}'></template></div>" for i in range(links))
    page = (
        "<html><body><main><p>Lead.</p><template id='B:0'></template></main>" + chain
        + f"<div hidden id='S:{links}'><h2>End</h2><p>{PROSE}</p></div></body></html>"
    )
    assert _resolved(page) == ["Lead.", "End", PROSE]
