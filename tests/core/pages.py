"""Shared inputs for the core tests: the real fixture pages and hand-built bad pages."""

from __future__ import annotations

from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
ROOT = Path(__file__).resolve().parents[2]

PARAGRAPH = (
    "The harbour board met on Tuesday evening to weigh the plan for the old quay, and members "
    "argued late into the night about who should pay for the new sea wall."
)


def story_parts(label: str, parts: int) -> str:
    """Return `parts` paragraphs of a story, each ending "<label> part <n>." (0 to parts - 1)."""
    return "".join(f"<p>{PARAGRAPH} {label} part {n}.</p>" for n in range(parts))


def quay_article(body: str) -> str:
    """Return a bare page titled "Quay plan" whose <article> holds that headline and `body` (no
    menus or footer: see article_page for those)."""
    return f"<html><head><title>Quay plan</title></head><body><article><h1>Quay plan</h1>{body}</article></body></html>"


def fixture_pages() -> dict[str, bytes]:
    """Return every fixture page as raw bytes, by slug."""
    return {p.parent.name: p.read_bytes() for p in sorted(PAGES_DIR.glob("*/source.html"))}


def article_page(paragraphs: int = 5, extra_body: str = "", headline: str = "Quay plan") -> str:
    """Return a small news page with an article of `paragraphs` numbered paragraphs."""
    body = "\n".join(f"<p>{PARAGRAPH} Paragraph {i}.</p>" for i in range(paragraphs))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{headline} - Harbour News</title>"
        "</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>{headline}</h1>{body}</article>{extra_body}"
        "<footer><a href='/about'>About</a></footer></body></html>"
    )


TABLE_PAGE = (
    "<!doctype html><html><head><title>Tide tables for June - Harbour News</title></head><body>"
    "<article><h1>Tide tables for June</h1>"
    f"<p>{PARAGRAPH}</p><p>{PARAGRAPH} The tables below list the times for the first week.</p>"
    "<table><thead><tr><th>Day</th><th>High water</th><th>Low water</th></tr></thead>"
    "<tbody><tr><td>Monday</td><td>06:12</td><td>12:30</td></tr>"
    "<tr><td>Tuesday</td><td>06:58</td><td>13:15</td></tr>"
    "<tr><td>Wednesday</td><td>07:41</td><td>14:02</td></tr></tbody></table>"
    f"<p>{PARAGRAPH} Times are for the inner harbour.</p></article></body></html>"
)
TABLE_ROWS = (
    ("Day", "High water", "Low water"),
    ("Monday", "06:12", "12:30"),
    ("Tuesday", "06:58", "13:15"),
    ("Wednesday", "07:41", "14:02"),
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + bytes(range(256))
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + bytes(range(128, 256))

LAUGH_LEVELS = 9
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "' + f"&lol{i - 1 if i > 2 else ''};" * 10 + '">\n'
        for i in range(2, LAUGH_LEVELS + 1)
    )
    + f"]>\n<html><body><article><h1>Laughs</h1><p>&lol{LAUGH_LEVELS};</p>"
    f"<p>{PARAGRAPH}</p></article></body></html>"
)
# An external entity naming a local file (XXE): it must never be read.
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE page [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    f"<html><body><article><p>&secret;</p><p>{PARAGRAPH}</p></article></body></html>"
)


def deep_page(depth: int, tag: str = "div", closed: bool = True) -> str:
    """Return a page with `depth` nested elements followed by a normal article."""
    opening = f"<{tag}>" * depth
    closing = f"</{tag}>" * depth if closed else ""
    return (
        "<html><head><title>Quay plan - Harbour News</title></head><body>"
        f"{opening}<span>deep</span>{closing}"
        f"<article><h1>Quay plan</h1><p>{PARAGRAPH}</p><p>{PARAGRAPH} Second.</p></article></body></html>"
    )


def deep_text_page(depth: int) -> str:
    """Return a page whose only prose sits `depth` elements deep."""
    return (
        "<html><body>" + "<div>" * depth + f"<p>{PARAGRAPH}</p><p>{PARAGRAPH} Again.</p>"
        + "</div>" * depth + "</body></html>"
    )


SCRIPTS_ONLY = (
    "<html><head><script>var tracker = {id: 42};</script><style>body{color:red}</style></head>"
    "<body><script>document.write('The harbour board met on Tuesday evening to weigh the plan for the old quay');"
    "</script><script type='application/ld+json'>{\"@type\": \"WebPage\"}</script><noscript>Enable JavaScript</noscript>"
    "</body></html>"
)
NO_BODY = "<html><head><title>Only a head here</title><meta name='description' content='A page with no body'></head></html>"
UNCLOSED = (
    "<html><head><title>Quay plan</title><body><article><h1>Quay plan"
    f"<p>{PARAGRAPH} <b>Bold <i>and italic"
    f"<p>{PARAGRAPH} Second paragraph.<div><span><p>{PARAGRAPH} Third paragraph."
)


def shop_page(markup: str) -> str:
    """A shop page: a short product description, then a widget of twelve reviews."""
    description = (
        "<p>This stoneware mug is thrown by hand in our studio and glazed in a speckled white that"
        " shows every turn of the wheel, so no two are quite alike.</p>"
        "<p>It holds 350 ml, is safe in the dishwasher and the microwave, and its wide handle"
        " leaves room for three fingers on a cold morning.</p>"
    )
    reviews = "".join(
        f'<div class="review"><p>Review {i}: I bought this mug as a present for my sister and she uses'
        f" it every single day, it feels solid and the glaze is lovely.</p></div>"
        for i in range(12)
    )
    return (
        f"<html><head><title>T</title>{markup}</head><body>"
        f"<main><h1>White speckle mug</h1><div class='description'>{description}</div>"
        f"<div class='widget'><h2>What people say</h2>{reviews}</div></main></body></html>"
    )


def product_ld() -> str:
    """JSON-LD that marks a page as a product page."""
    return '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product"}</script>'


def card_page() -> str:
    """A topic page of five linked cards: our scorer keeps one, trafilatura's default settings all.

    Five is too few for a grid of cards, which our scorer takes whole from six cards on.
    """
    cards = "".join(
        f'<div class="post-card"><a href="/topic/headphones/{i}"><b>Headphone story {i}: new colours</b>'
        f" <span>Retailer-exclusive colourways for model {i} arrive today.</span></a></div>"
        for i in range(5)
    )
    return (
        "<html><head><title>headphones</title></head><body><header><nav><a href='/'>Home</a></nav></header>"
        f"<h1>headphones</h1><div class='grid'>{cards}</div><footer>Site</footer></body></html>"
    )
