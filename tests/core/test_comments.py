"""A blog's comment section goes after the post; a comments heading above the post drops nothing."""

from __future__ import annotations

import scraper
from tests.core.pages import PARAGRAPH

COMMENT = (
    "I walked along the old quay last summer and the wall was already crumbling in places, so "
    "I am glad somebody is finally asking who will pay for the repairs before winter comes."
)


def _story(paragraphs: int) -> str:
    return "\n".join(f"<p>{PARAGRAPH} Paragraph {i}.</p>" for i in range(paragraphs))


def _blog(body: str) -> str:
    return f"<!doctype html><html lang='en'><head><title>Quay plan - Harbour Blog</title></head><body>{body}</body></html>"


def _page(top: str, comments_heading: str, thread_url: bool = False) -> tuple[str, str]:
    comments = "\n".join(f"<p>{COMMENT} Comment {i}.</p><p class='by'>Posted by: reader {i}</p>" for i in range(8))
    html = _blog(
        f"<div class='post'><h2>Quay plan</h2>{top}{_story(3)}"
        f"<h2>{comments_heading}</h2>{comments}<h2>Archives</h2><p><a href='/2024/'>2024</a></p></div>"
    )
    url = "https://harbour.example/t/quay-plan/1042" if thread_url else "https://harbour.example/2024/quay-plan.html"
    return html, url


def test_the_discussion_under_a_comments_heading_goes() -> None:
    html, url = _page("", "8 Comments")
    text = scraper.clean(html, url=url).text
    assert "Paragraph 0." in text and "Paragraph 2." in text
    assert "Comment 0." not in text and "Comment 7." not in text and "Posted by" not in text


def test_a_comments_heading_before_the_story_drops_nothing() -> None:
    html, url = _page("<h2><a href='#comments'>8 Comments</a></h2>", "Comments")
    text = scraper.clean(html, url=url).text
    assert all(f"Paragraph {i}." in text for i in range(3))
    assert "Comment 3." not in text


def test_on_a_discussion_thread_the_replies_stay() -> None:
    html, url = _page("", "Comments", thread_url=True)
    text = scraper.clean(html, url=url).text
    assert "Comment 0." in text and "Comment 7." in text


def test_a_comments_heading_in_a_box_of_its_own_opens_the_siblings_after_the_box() -> None:
    comments = "\n".join(f"<div class='commentbody'><p>{COMMENT} Comment {i}.</p></div>" for i in range(10))
    html = _blog(
        f"<table><tr><td><h3>Quay plan</h3>{_story(4)}<p class='posted'>Posted on May 2</p>"
        f"<div class='commentform'><h2 id='comments'>Comments</h2></div>{comments}</td></tr></table>"
    )
    text = scraper.clean(html, url="https://harbour.example/2024/quay-plan.html").text
    assert all(f"Paragraph {i}." in text for i in range(4))
    assert "Comment 0." not in text and "Comment 9." not in text


# --- Options(include_comments=True) ----------------------------------------------------------

KEEP = scraper.Options(include_comments=True)


def _wordpress(wrapper: str = "div") -> str:
    replies = "".join(
        f"<li class='comment'><div class='comment-author'>reader {i}</div><p>{COMMENT} Comment {i}.</p>"
        f"<div class='reply'><a class='comment-reply-link' href='#r{i}'>Reply</a></div></li>"
        for i in range(4)
    )
    return _blog(
        f"<{wrapper} class='site'><article><h1>Quay plan</h1><div class='entry-content'>{_story(3)}</div></article>"
        f"<div id='comments' class='comments-area'><h2>4 thoughts on Quay plan</h2><ol class='comment-list'>{replies}</ol>"
        "<div id='respond'><h3>Leave a Reply</h3><form><textarea></textarea><p><label>Name</label></p>"
        "<button>Post Comment</button></form></div></div>"
        f"<aside class='sidebar'><h3>Recent posts</h3><ul><li><a href='/a'>Tide tables</a></li></ul></aside></{wrapper}>"
    )


def test_comments_asked_for_follow_the_article_without_their_forms_and_buttons() -> None:
    url = "https://harbour.example/2024/quay-plan/"
    default = scraper.clean(_wordpress(), url=url).text
    assert "Comment 0." not in default
    lines = scraper.clean(_wordpress(), url=url, options=KEEP).text.split("\n")
    story_end = lines.index(f"{PARAGRAPH} Paragraph 2.")
    assert story_end < lines.index(f"{COMMENT} Comment 0.") < lines.index(f"{COMMENT} Comment 3.")
    assert "Reply" not in lines and "Post Comment" not in lines and "Tide tables" not in lines
    assert lines[: story_end + 1] == default.split("\n")  # the article itself is the same


def test_a_wrapper_named_comments_that_holds_the_headline_is_the_page_not_a_discussion() -> None:
    page = _blog(f"<div class='comments-wrapper'><article><h1>Quay plan</h1>{_story(3)}</article></div>")
    text = scraper.clean(page, url="https://harbour.example/2024/quay-plan/", options=KEEP).text
    assert text.split("\n").count(f"{PARAGRAPH} Paragraph 1.") == 1
