"""`scraper rules learn`: a site's template, learned from its own pages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import scraper
from scraper.cli import main
from scraper.errors import InputError, UsageError
from scraper.rules import RuleSet, default_ruleset
from scraper.rules.learn import Page, learn_rule, read_pages, rule_to_toml
from scraper.rules.loader import load_site_rule

STORIES = [
    ("Tide mill restored", (
        "The tide mill on the estuary turned again this week after a restoration that took "
        "volunteers eleven years and cost less than a new roof for the village hall."
    )),
    ("Ferry timetable changes", (
        "From Monday the first ferry leaves twenty minutes earlier, so commuters can make "
        "the fast train, and the last sailing on Fridays moves to half past eleven."
    )),
    ("School wins robotics prize", (
        "A team of six pupils built a robot that sorts recycling by colour and weight, "
        "beating forty schools in the regional final held at the university."
    )),
    ("Harbour wall repaired", (
        "Engineers finished the repair of the harbour wall two weeks ahead of schedule, and "
        "the fishing fleet can use the inner berths again from tomorrow morning."
    )),
    ("Library opens late", (
        "The library will stay open until nine on Thursdays during exam season, after students "
        "asked for a quiet place to revise that is warmer than the bus shelter."
    )),
]


def page(title: str, body: str, n: int) -> str:
    """Build one page of a made-up local news site with a fixed template."""
    return f"""<html><head><title>{title} - Estuary Gazette</title>
<link rel="canonical" href="https://www.estuary-gazette.example/news/{n}"></head><body>
<div class="topbar"><ul class="site-menu"><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/whats-on">What's on</a></li></ul></div>
<div class="layout"><div class="story-col"><h1>{title}</h1>
<div class="story-text"><p>{body}</p><p>Page {n} carries its own second paragraph with details that only this
story has: names, places and figures number {n * 17}.</p>
<div class="gazette-box"><p>The Estuary Gazette has reported on the towns of the estuary since 1878. Support
local journalism with a subscription from two pounds a month.</p></div></div></div>
<div class="rail"><div class="rail-panel"><h3>Tide times</h3><p>High water 06:12 and 18:40; low water 00:05
and 12:28, at the harbour mouth, all week.</p></div></div></div>
<div class="bottom"><p>Estuary Gazette, 4 Quay Street. Letters to the editor are welcome.</p></div>
</body></html>"""


PAGES = [page(t, b, i) for i, (t, b) in enumerate(STORIES)]


def test_learns_template_and_never_page_text() -> None:
    learned = learn_rule([Page(p.encode(), None, str(i)) for i, p in enumerate(PAGES[:4])],
                         host="estuary-gazette.example")
    toml = rule_to_toml(learned)
    css = [c for c, _, _ in learned.selectors]
    assert any("gazette-box" in c for c in css)
    assert any("rail" in c for c in css)
    assert any("site-menu" in c or "topbar" in c for c in css)
    for title, body in STORIES:
        assert title not in toml and body[:40] not in toml
    assert learned.body is not None and "story-text" in learned.body[0]


def test_learned_rule_cleans_a_held_out_page(tmp_path: Path) -> None:
    learned = learn_rule([Page(p.encode(), None, str(i)) for i, p in enumerate(PAGES[:4])],
                         host="estuary-gazette.example")
    file = tmp_path / "gazette.toml"
    file.write_text(rule_to_toml(learned), encoding="utf-8")
    rule = load_site_rule(file)
    rules = RuleSet(default_ruleset().generic, (rule,))
    held_out = PAGES[4]
    url = "https://www.estuary-gazette.example/news/4"
    text = " ".join(scraper.clean(held_out, url=url, rules=rules).text.split())
    before = " ".join(scraper.clean(held_out, url=url, rules=RuleSet(rules.generic)).text.split())
    assert "Support local journalism" in before, "the generic rules alone already drop the template box"
    assert "The library will stay open until nine on Thursdays" in text
    assert "figures number 68" in text
    assert "Support local journalism" not in text
    assert "High water 06:12" not in text


def test_cli_learn_from_folder_and_warc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for i, text in enumerate(PAGES[:3]):
        (folder / f"p{i}.html").write_text(text, encoding="utf-8")
    out = tmp_path / "learned.toml"
    assert main(["rules", "learn", str(folder), "-o", str(out)]) == 0
    assert "from 3 pages of estuary-gazette.example" in capsys.readouterr().out
    rule = load_site_rule(out)
    assert rule.hosts == ("estuary-gazette.example",) and rule.remove

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    warc = tmp_path / "site.warc.gz"
    with warc.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for i, text in enumerate(PAGES):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://www.estuary-gazette.example/news/{i}", "response",
                                               payload=io.BytesIO(text.encode()), http_headers=headers)
            writer.write_record(record)
    assert len(read_pages([warc])) == 5
    assert main(["rules", "learn", str(warc), "--host", "estuary-gazette.example", "-o", str(out)]) == 0


def test_learn_reads_a_warc_as_bulk_does(tmp_path: Path) -> None:
    # A response without WARC-Target-URI made the old reader raise AttributeError (exit 70); the
    # HTTP charset was ignored; a record cut short ended the whole read. Bulk's reader handles all three.
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    warc = tmp_path / "site.warc"
    with warc.open("wb") as stream:
        writer = WARCWriter(stream, gzip=False)
        for i, text in enumerate(PAGES[:3]):
            page = text.replace("<head>", "<head>").replace("</p>", " Café.</p>", 1)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=iso-8859-1")], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://www.estuary-gazette.example/news/{i}", "response",
                                               payload=io.BytesIO(page.encode("latin-1")), http_headers=headers)
            if i == 1:
                record.rec_headers.remove_header("WARC-Target-URI")
            writer.write_record(record)
    whole = warc.read_bytes()
    warc.write_bytes(whole[: len(whole) - 300])  # the last record cut short
    pages = read_pages([warc])
    assert [p.url for p in pages] == ["https://www.estuary-gazette.example/news/0", None]
    assert all(p.charset == "iso-8859-1" for p in pages)
    from scraper.rules.learn import _parse

    assert "Café." in _parse(pages[0]).root.text_content()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--min-share", "5"], "--min-share must be at most 1, not 5"),  # was exit 3, after reading every page
        (["--min-share", "nan"], "--min-share must be a finite number, not nan"),
        (["--min-share", "0"], "--min-share must be more than 0, not 0"),
        # These wrote a rule that cannot load to -o, then exited 4 and left it there.
        (["--host", "bad host!"], "--host: not a host name or *.wildcard: 'bad host!'"),
        (["--host", ""], "--host: not a host name or *.wildcard: ''"),
    ],
)
def test_bad_learn_flags_are_usage_errors_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for i, text in enumerate(PAGES[:3]):
        (folder / f"p{i}.html").write_text(text, encoding="utf-8")
    out = tmp_path / "o.toml"
    assert main(["rules", "learn", str(folder), *flags, "-o", str(out)]) == UsageError.exit_code
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(("arguments", "message"), [({"min_share": 5}, "min_share"), ({"host": "a b"}, "host")])
def test_learn_rule_refuses_bad_arguments_with_a_usage_error(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        learn_rule([Page(p.encode(), None, str(i)) for i, p in enumerate(PAGES[:3])], **arguments)  # type: ignore[arg-type]


def test_learn_needs_three_pages(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least 3 pages"):
        learn_rule([Page(PAGES[0].encode())], host="x.example")
    (tmp_path / "a.html").write_text(PAGES[0], encoding="utf-8")
    assert main(["rules", "learn", str(tmp_path / "a.html"), "-o", str(tmp_path / "o.toml")]) == InputError.exit_code


def test_rules_test_reports_what_the_rule_did(capsys: pytest.CaptureFixture[str]) -> None:
    source = Path(__file__).resolve().parents[1] / "fixtures" / "sites" / "consumerreports" / "source.html"
    url = "https://www.consumerreports.org/cars/x/"
    assert main(["rules", "test", str(source), "--url", url]) == 0
    out = capsys.readouterr().out
    assert "rule: consumerreports" in out
    assert "body '.cda-article__contents': 1 element(s)" in out
    assert "remove '.phtCredit': 1 element(s)" in out and "Icons by Tim Boelaars" in out
    assert "drop_text \"^Editor[’']s Note:\": 1 block(s)" in out
    assert "result: path=rule rule=consumerreports" in out


def test_pages_with_nothing_in_common_learn_nothing(tmp_path: Path) -> None:
    pages = [f"<html><body><div class='k{i}'><p>{text}</p></div></body></html>" for i, (_, text) in enumerate(STORIES)]
    with pytest.raises(InputError, match="no template found"):
        learn_rule([Page(p.encode()) for p in pages], host="x.example")
    for i, text in enumerate(pages):
        (tmp_path / f"{i}.html").write_text(text, encoding="utf-8")
    out = tmp_path / "o.toml"
    assert main(["rules", "learn", str(tmp_path), "--host", "x.example", "-o", str(out)]) == InputError.exit_code
    assert not out.exists()
