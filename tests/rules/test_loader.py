"""The rules loader: validation up front, precedence between folders, matching."""

from __future__ import annotations

from pathlib import Path

import pytest

import scraper
from scraper.cli import main
from scraper.errors import RuleError
from scraper.rules import default_ruleset, load_ruleset, rule_dirs_from_env, shipped_rules_dir
from scraper.rules.loader import load_site_rule
from tests.core.pages import PARAGRAPH

GOOD = """schema = 1
hosts = ["example.com"]
[select]
body = ["article .story"]
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / name
    file.write_text(text, encoding="utf-8")
    return file


BROKEN = [
    ("unknown top-level key", 'schema = 1\nhosts = ["a.com"]\nbogus = 1\n[select]\nbody = ["p"]\n', "bogus"),
    ("unknown table key", 'schema = 1\nhosts = ["a.com"]\n[select]\nbdy = ["p"]\n', "select.bdy"),
    ("wrong type", 'schema = 1\nhosts = ["a.com"]\nnote = 3\n[select]\nbody = ["p"]\n', "note"),
    ("list of non-strings", 'schema = 1\nhosts = ["a.com"]\n[select]\nbody = [1, 2]\n', "select.body"),
    ("bad css", 'schema = 1\nhosts = ["a.com"]\n[remove]\nselectors = ["div[[x"]\n', "remove.selectors"),
    ("bad xpath", 'schema = 1\nhosts = ["a.com"]\n[select]\nbody = ["//div[@class="]\n', "select.body"),
    # These compile, and failed only when evaluated on a page that reached them.
    ("undefined prefix", 'schema = 1\nhosts = ["a.com"]\n[remove]\nselectors = ["//div[foo:bar()]"]\n', "remove.selectors"),
    ("undefined variable", 'schema = 1\nhosts = ["a.com"]\n[select]\nbody = ["//*[@id=$v]"]\n', "select.body"),
    ("unknown function", 'schema = 1\nhosts = ["a.com"]\n[keep]\nselectors = ["//p[ends-with(@id, \'x\')]"]\n', "keep.selectors"),
    ("wrong argument count", 'schema = 1\nhosts = ["a.com"]\n[select]\ntitle = ["//h1[contains(@class=\'t\')]"]\n', "select.title"),
    ("css namespace", 'schema = 1\nhosts = ["a.com"]\n[remove]\nselectors = ["svg|rect"]\n', "remove.selectors"),
    ("bad regex", 'schema = 1\nhosts = ["a.com"]\n[drop_text]\npatterns = ["(unclosed"]\n', "drop_text.patterns"),
    ("bad path regex", 'schema = 1\nhosts = ["a.com"]\npaths = ["[z-a]"]\n[select]\nbody = ["p"]\n', "paths"),
    ("bad host", 'schema = 1\nhosts = ["http://a.com/"]\n[select]\nbody = ["p"]\n', "hosts"),
    ("no host", 'schema = 1\nhosts = []\n[select]\nbody = ["p"]\n', "hosts"),
    ("missing schema", 'hosts = ["a.com"]\n[select]\nbody = ["p"]\n', "schema"),
    ("future schema", 'schema = 7\nhosts = ["a.com"]\n[select]\nbody = ["p"]\n', "schema"),
    ("unknown option", 'schema = 1\nhosts = ["a.com"]\n[options]\nturbo = true\n', "options.turbo"),
    ("option of wrong type", 'schema = 1\nhosts = ["a.com"]\n[options]\nteaser_run_min = "3"\n', "options.teaser_run_min"),
    ("option out of range", 'schema = 1\nhosts = ["a.com"]\n[options]\nmax_link_density = 1.5\n', "options.max_link_density"),
    ("unknown favor", 'schema = 1\nhosts = ["a.com"]\n[options]\nfavor = "speed"\n', "options.favor"),
    ("generic not a bool", 'schema = 1\nhosts = ["a.com"]\ngeneric = "no"\n[select]\nbody = ["p"]\n', "generic"),
]


@pytest.mark.parametrize(("label", "text", "key"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_rule_names_file_and_key(tmp_path: Path, label: str, text: str, key: str) -> None:
    file = write(tmp_path, "broken.toml", text)
    with pytest.raises(RuleError) as info:
        load_ruleset([tmp_path])
    assert info.value.path == str(file)
    assert info.value.key == key
    assert str(file) in str(info.value) and key in str(info.value)


VALID_XPATH = [
    "//p[@xml:lang='en']",  # xml: is the one prefix always defined
    "//div[count(p) > 1 and (a or b)]",  # `and (` is an operator, not a call
    "//div[@a div (2) = 1]",
    "//a[position() = last() - 1]",
    "child::div/following-sibling::*",
    "//div[contains('a:b($x)', 'c')]",  # prefixes and variables inside strings are text
    "//x/processing-instruction('php')",
    "//div[text( )]",
    "substring-after(//p[concat('a', substring('b', 1, 2), 'c')], 'By ')",
]


@pytest.mark.parametrize("expr", VALID_XPATH)
def test_valid_xpath_is_not_mistaken_for_a_broken_one(tmp_path: Path, expr: str) -> None:
    write(tmp_path, "ok.toml", f'schema = 1\nhosts = ["a.com"]\n[remove]\nselectors = ["{expr}"]\n')
    rule = load_ruleset([tmp_path], include_shipped=False).match("https://a.com/")
    assert rule is not None and rule.remove[0].expr == expr


def test_a_rule_that_fails_when_evaluated_fails_check_and_clean_at_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rule = write(tmp_path / "rx", "a.toml", 'schema = 1\nhosts = ["example.com"]\nnote = "x"\n'
                 '[remove]\nselectors = ["//div[foo:bar()]"]\n')
    assert main(["rules", "check", str(tmp_path / "rx")]) == RuleError.exit_code
    assert f"{rule}:remove.selectors: bad selector" in capsys.readouterr().out
    page = write(tmp_path, "p.html", "<html><body><div><p>" + PARAGRAPH + "</p></div></body></html>")
    code = main(["clean", str(page), "--url", "http://example.com/a", "--rules", str(tmp_path / "rx")])
    assert code == RuleError.exit_code
    err = capsys.readouterr().err
    assert f"{rule}:remove.selectors" in err and "undefined namespace prefix 'foo'" in err
    assert len(err.strip().splitlines()) == 1


def test_a_selector_that_still_fails_when_evaluated_matches_nothing(tmp_path: Path) -> None:
    # A type error inside a predicate shows only on a page with a <div>; the loader cannot see it,
    # so the selector must match nothing there rather than stop the extraction.
    write(tmp_path, "t.toml", 'schema = 1\nhosts = ["example.com"]\n[remove]\nselectors = ["//div[count(\'a\') > 0]"]\n')
    rules = load_ruleset([tmp_path], include_shipped=False)
    html = "<html><body><div><p>" + PARAGRAPH + "</p></div></body></html>"
    article = scraper.clean(html, url="http://example.com/a", rules=rules)
    assert article.rule_id == "t" and PARAGRAPH[:40] in article.text


def test_invalid_toml_names_file(tmp_path: Path) -> None:
    file = write(tmp_path, "x.toml", "schema = = 1\n")
    with pytest.raises(RuleError, match="not valid TOML") as info:
        load_ruleset([tmp_path])
    assert info.value.path == str(file)


def test_broken_generic_file_names_key(tmp_path: Path) -> None:
    write(tmp_path, "generic.toml", 'schema = 1\n[clutter]\nheadings = ["(oops"]\n')
    with pytest.raises(RuleError) as info:
        load_ruleset([tmp_path])
    assert info.value.key == "clutter.headings"


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="not a folder"):
        load_ruleset([tmp_path / "nope"])


def test_shipped_rules_load_and_are_cached() -> None:
    rules = default_ruleset()
    assert rules is default_ruleset()
    assert len(rules.sites) >= 15
    assert (shipped_rules_dir() / "generic.toml").is_file()
    assert all(rule.fixture for rule in rules.sites)


def test_user_folder_wins_over_shipped(tmp_path: Path) -> None:
    write(tmp_path, "mine.toml", 'schema = 1\nhosts = ["telegraph.co.uk"]\n[select]\nbody = ["main"]\n')
    rules = load_ruleset([tmp_path])
    assert rules.match("https://www.telegraph.co.uk/news/x").id == "mine"
    assert default_ruleset().match("https://www.telegraph.co.uk/news/x").id == "telegraph"


def test_earlier_user_folder_wins(tmp_path: Path) -> None:
    write(tmp_path / "a", "first.toml", GOOD)
    write(tmp_path / "b", "second.toml", GOOD)
    rules = load_ruleset([tmp_path / "a", tmp_path / "b"], include_shipped=False)
    assert rules.match("http://example.com/").id == "first"
    rules = load_ruleset([tmp_path / "b", tmp_path / "a"], include_shipped=False)
    assert rules.match("http://example.com/").id == "second"


def test_most_specific_host_and_path_win(tmp_path: Path) -> None:
    write(tmp_path, "wild.toml", GOOD.replace('"example.com"', '"*.example.com"'))
    write(tmp_path, "exact.toml", GOOD.replace('"example.com"', '"news.example.com"'))
    write(tmp_path, "blog.toml", GOOD.replace('"example.com"]', '"news.example.com"]\npaths = ["^/blog/"]'))
    rules = load_ruleset([tmp_path], include_shipped=False)
    assert rules.match("https://shop.example.com/x").id == "wild"
    assert rules.match("https://example.com/x").id == "wild"
    assert rules.match("https://news.example.com/world/1").id == "exact"
    assert rules.match("https://news.example.com/blog/1").id == "blog"
    assert rules.match("https://example.org/") is None


@pytest.mark.parametrize("url", ["https://[example.com/x", "http://[::1", "https://example.com]/x"])
def test_a_malformed_url_matches_no_rule_and_raises_nothing(tmp_path: Path, url: str) -> None:
    write(tmp_path, "x.toml", GOOD)
    assert load_ruleset([tmp_path], include_shipped=False).match(url) is None


def test_generic_opt_out_and_options(tmp_path: Path) -> None:
    write(tmp_path, "x.toml", 'schema = 1\nhosts = ["x.com"]\ngeneric = false\n[options]\nmax_link_density = 1\n')
    rule = load_ruleset([tmp_path], include_shipped=False).match("http://x.com/")
    assert rule.use_generic is False
    assert rule.options == (("max_link_density", 1.0),)


def test_a_rule_without_the_generic_set_still_never_prints_scripts_or_styles(tmp_path: Path) -> None:
    write(tmp_path, "x.toml", 'schema = 1\nhosts = ["x.com"]\ngeneric = false\n[select]\nbody = ["article"]\n')
    rules = load_ruleset([tmp_path], include_shipped=False)
    page = (
        "<html><body><article><p>The harbour board met on Tuesday to set the summer fees.</p>"
        "<script>track('page');</script><style>p { color: red }</style><svg><text>Icon</text></svg>"
        "<template><p>Loading</p></template><p>The vote was close.</p></article></body></html>"
    )
    article = scraper.clean(page, url="http://x.com/fees", rules=rules)
    assert article.rule_id == "x"
    assert article.text == "The harbour board met on Tuesday to set the summer fees.\nThe vote was close."


def test_generic_set_applies_without_shipped_site_rules(tmp_path: Path) -> None:
    write(tmp_path, "x.toml", GOOD)
    rules = load_ruleset([tmp_path], include_shipped=False)
    assert [r.id for r in rules.sites] == ["x"]
    assert rules.generic.clutter_heading.match("Related Articles")


def test_env_var_lists_folders(tmp_path: Path) -> None:
    import os

    env = {"SCRAPER_RULES": os.pathsep.join([str(tmp_path / "a"), "", str(tmp_path / "b")])}
    assert rule_dirs_from_env(env) == [tmp_path / "a", tmp_path / "b"]


def test_clean_uses_env_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "r", "ex.toml", 'schema = 1\nhosts = ["example.com"]\n[select]\nbody = ["#only"]\n')
    page = write(tmp_path, "p.html", "<html><body><div id='only'><p>" + "Chosen text here. " * 10
                 + "</p></div><div><p>" + "Other longer story text. " * 40 + "</p></div></body></html>")
    monkeypatch.setenv("SCRAPER_RULES", str(tmp_path / "r"))
    assert main(["clean", str(page), "--url", "http://example.com/a"]) == 0
    out = capsys.readouterr().out
    assert "Chosen text here." in out and "Other longer story text." not in out


def test_rules_check_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check"]) == 0
    assert "0 problems" in capsys.readouterr().out
    write(tmp_path, "ok.toml", GOOD)
    bad = write(tmp_path, "bad.toml", 'schema = 1\nhosts = ["a.com"]\n[drop_text]\npatterns = ["(x"]\n')
    assert main(["rules", "check", str(tmp_path)]) == RuleError.exit_code
    out = capsys.readouterr().out
    assert f"{bad}:drop_text.patterns: bad regex" in out
    assert "1 problems" in out


def test_site_rule_fields(tmp_path: Path) -> None:
    file = write(tmp_path, "full.toml", """schema = 1
id = "full-rule"
hosts = ["a.com", "*.b.org"]
note = "n"
test_urls = ["https://a.com/1"]
[select]
body = ["//article", "main"]
title = ["h1"]
author = [".by"]
date = ["time"]
[remove]
selectors = [".x"]
[keep]
selectors = [".y"]
[drop_text]
patterns = ["^Read more"]
""")
    rule = load_site_rule(file)
    assert rule.id == "full-rule"
    assert rule.hosts == ("a.com", "*.b.org")
    assert [s.kind for s in rule.body] == ["xpath", "css"]
    assert rule.drop_text[0].search("read more about it")
    assert rule.test_urls == ("https://a.com/1",)


def test_clean_rules_option_is_repeatable_and_first_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a", "a.toml", 'schema = 1\nhosts = ["example.com"]\n[select]\nbody = ["#one"]\n')
    write(tmp_path / "b", "b.toml", 'schema = 1\nhosts = ["example.com"]\n[select]\nbody = ["#two"]\n')
    page = write(tmp_path, "p.html", "<html><body><div id='one'><p>" + "First folder text. " * 10
                 + "</p></div><div id='two'><p>" + "Second folder text. " * 10 + "</p></div></body></html>")
    args = ["clean", str(page), "--url", "http://example.com/a"]
    assert main([*args, "--rules", str(tmp_path / "a"), "--rules", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "First folder text." in out and "Second folder text." not in out
    assert main([*args, "--rules", str(tmp_path / "b"), "--rules", str(tmp_path / "a")]) == 0
    assert "Second folder text." in capsys.readouterr().out
    write(tmp_path / "bad", "x.toml", "schema = 1\nhosts = [1]\n")
    assert main([*args, "--rules", str(tmp_path / "bad")]) == RuleError.exit_code
    assert "x.toml:hosts: expected a list of strings" in capsys.readouterr().err


def test_selector_keeps_outermost_matches_and_reads_string_results() -> None:
    from lxml import html

    from scraper.rules.loader import compile_selector

    root = html.fromstring(
        "<html><head><meta name='author' content='Ana Kos'></head><body>"
        "<div class='box'><div class='box'><p>inner</p></div></div><div class='box'>two</div>"
        "<p class='by'>By Bob Smith</p></body></html>"
    )
    boxes = compile_selector(".box", path="f", key="k").select(root)
    assert [b.text_content() for b in boxes] == ["inner", "two"]
    assert compile_selector("//meta[@name='author']/@content", path="f", key="k").texts(root) == ["Ana Kos"]
    by = "substring-after(//p[@class='by'], 'By ')"
    assert compile_selector(by, path="f", key="k").texts(root) == ["Bob Smith"]


def test_merged_generic_selectors_match_what_each_matches_alone() -> None:
    # The generic set folds its attribute selectors into one XPath that starts from the
    # attributes' owners; it must pick the same elements, in document order, as each selector.
    from lxml import etree

    from scraper.parse import parse_html
    from scraper.rules.loader import compile_selector
    from tests.core import pages

    generic = default_ruleset().generic
    merged = generic.remove_other[0]
    assert merged.xpath.path.startswith("(descendant-or-self::*/@")
    parts = [compile_selector(expr.strip(), path="test", key="k") for expr in merged.expr.split(" , ")]
    assert len(parts) > 2
    page = pages.article_page(3).replace(
        "</nav>",
        "</nav><div hidden><p style='display:none'>a</p></div><aside role='complementary' style='color:red'>b</aside>"
        "<div style='visibility: hidden' role='dialog'>c</div><section role='main'>d</section>",
    )
    for html in [page, *pages.fixture_pages().values()]:
        root = parse_html(html)
        alone = {id(e): e for part in parts for e in part.xpath(root) if isinstance(e, etree._Element)}
        expected = [e for e in root.iter() if id(e) in alone]
        assert merged.xpath(root) == expected


@pytest.mark.parametrize(
    "attrs",
    ["Site-NAVBAR main", "nav", "navigation_top", "xnav", "navé", "ﬁnav", "Story-Body", "social-Share x", "KNav", "ſidebar", ""],
)
def test_token_patterns_search_as_their_case_insensitive_regex(attrs: str) -> None:
    generic = default_ruleset().generic
    for tokens in (generic.boilerplate_attr, generic.content_attr, generic.weak_attr):
        assert tokens is not None and tokens.lowered is not None
        assert bool(tokens.search(attrs)) == bool(tokens.regex.search(attrs))


@pytest.mark.parametrize(
    "text",
    ["Related Articles", "RELATED POSTS:", "Share this", "Close this search box.", "We use Cookies to improve it",
     "5 MIN READ", "Das könnte Sie auch interessieren", "関連ニュース", "Related árticles", "A story about the quay."],
)
def test_phrase_patterns_match_as_their_case_insensitive_regex(text: str) -> None:
    generic = default_ruleset().generic
    for phrases in (generic.clutter_heading, generic.clutter_text):
        assert phrases.lowered is not None
        assert bool(phrases.match(text)) == bool(phrases.regex.match(text))
    assert generic.clutter_heading.match("RELATED POSTS:")


@pytest.mark.parametrize("token", ["Nav", r"\x41d", r"(?-i:nav)", "ſidebar", "\u212aey"])
def test_token_patterns_with_case_dependent_parts_keep_only_the_slow_regex(tmp_path: Path, token: str) -> None:
    from scraper.rules.loader import load_generic

    file = write(tmp_path, "generic.toml", f"schema = 1\n[attributes]\nboilerplate = ['{token}']\n")
    generic = load_generic(file)
    assert generic.boilerplate_attr.lowered is None
    for attrs in ("x NAV y", "x nav y", "Ad", "SIDEBAR", "key"):
        assert bool(generic.boilerplate_attr.search(attrs)) == bool(generic.boilerplate_attr.regex.search(attrs))


@pytest.mark.parametrize(
    "text",
    [
        "Joined", "Joined: Oct 22, 2005", "Messages 9,871", "Posts: 673", "Offline", "Reply #4",
        "Established Member", "Last edited: Oct 14, 2024", "Last edited by chunix (2025-11-01 15:15:18)",
        "Views 26.2k", "Replies: 154", "Oct 12, 2024", "12 October 2024 at 14:05", "2024-10-12 14:05", "Quote",
    ],
)
def test_thread_phrases_apply_on_threads_only(text: str) -> None:
    generic = default_ruleset().generic
    assert generic.thread_clutter_text is not None
    assert generic.thread_clutter_text.match(text)
    assert not generic.clutter_text.match(text)


def test_thread_phrases_include_the_generic_phrases_and_spare_prose() -> None:
    thread = default_ruleset().generic.thread_clutter_text
    assert thread is not None
    assert thread.match("Skip to content") and thread.match("Advertisement")
    assert not thread.match("Joined the army in 1990.")
    assert not thread.match("Messages from the front")
    assert not thread.match("On Oct 12, 2024 the ferry ran late.")
    assert not thread.match("Quote of the day: fair winds.")


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("threads", "phrases"), ("threads", "boilerplate"), ("products", "boilerplate"), ("attributes", "notes"),
        ("attributes", "hidden"), ("clutter", "small_print"), ("fronts", "urls"), ("products", "urls"),
    ],
)
def test_a_broken_pattern_in_a_generic_table_names_its_key(tmp_path: Path, table: str, key: str) -> None:
    write(tmp_path, "generic.toml", f'schema = 1\nkind = "generic"\n[{table}]\n{key} = ["(unclosed"]\n')
    with pytest.raises(RuleError, match=rf"{table}\.{key}"):
        load_ruleset([tmp_path])


@pytest.mark.parametrize(
    ("field", "attrs"),
    [
        *[("product_attr", a) for a in ["yotpo-reviews-widget", "product-reviews", "recently-viewed", "klarna-placement"]],
        *[("thread_boilerplate_attr", a) for a in ["signature restore", "signaturecontainer", "ipsSignature", "message-signature"]],
        *[("thread_boilerplate_attr", a) for a in ["message-userExtras", "message-userDetails", "postprofile", "ipsEntry__author-column"]],
        *[("thread_boilerplate_attr", a) for a in ["reactionsBar js-reactionsList", "bbCodeBlock bbCodeBlock--unfurl js-unfurl"]],
    ],
)
def test_kind_tokens_are_their_own_lists(field: str, attrs: str) -> None:
    # A shop's widgets are pruned on product pages only and a forum's signatures on threads only;
    # on an article "reviews" or "signature" may name a section of the story.
    generic = default_ruleset().generic
    pattern = getattr(generic, field)
    assert pattern is not None
    assert pattern.search(attrs)
    assert not generic.boilerplate_attr.search(attrs)


@pytest.mark.parametrize("attrs", ["sidebar2", "footer1 wide", "main_menu3", "widget nav12"])
def test_a_token_numbered_by_its_template_is_the_token(attrs: str) -> None:
    # Blogger and old WordPress themes number their boxes: "sidebar2" is a sidebar.
    assert default_ruleset().generic.boilerplate_attr.search(attrs)


@pytest.mark.parametrize("attrs", ["about_author", "author_bio", "post_navigation", "tag_cloud", "side_bar left"])
def test_a_hyphen_in_a_token_stands_for_an_underscore_too(attrs: str) -> None:
    # Tokens are written with hyphens ("about-?author"); themes join the same words with "_".
    assert default_ruleset().generic.boilerplate_attr.search(attrs)


@pytest.mark.parametrize(
    ("token", "matches", "misses"),
    [
        ("x[a-c]y", "xby", "x_y"),  # a range in a character class
        ("x\\\\-y", "x-y", "x_y"),  # an escaped hyphen is a hyphen only
        ("(?-i:Nav)-bar", "Nav_bar", "nav_bar"),  # the hyphen of an inline flag turns it off
    ],
)
def test_a_hyphen_that_is_regex_syntax_stays_so(tmp_path: Path, token: str, matches: str, misses: str) -> None:
    write(tmp_path, "generic.toml", f'schema = 1\nkind = "generic"\n[attributes]\nboilerplate = ["{token}"]\n')
    pattern = load_ruleset([tmp_path], include_shipped=False).generic.boilerplate_attr
    assert pattern.search(matches)
    assert not pattern.search(misses)


@pytest.mark.parametrize("attrs", ["affiliate-disclaimer", "disclaimer_box", "post-disclaimers"])
def test_a_standing_disclaimer_is_boilerplate(attrs: str) -> None:
    # An affiliate notice or a "not financial advice" box is the site's, not the story's.
    assert default_ruleset().generic.boilerplate_attr.search(attrs)


@pytest.mark.parametrize("attrs", ["sidebar2x", "footers", "navy2", "menu2col"])
def test_a_token_runs_only_into_digits(attrs: str) -> None:
    assert not default_ruleset().generic.boilerplate_attr.search(attrs)


@pytest.mark.parametrize(
    "text",
    [
        "TrackBack URL for this entry:http://www.typepad.com/services/trackback/6a00d8341c5f8f53ef",
        "Sorry, your browser doesn’t support embedded videos.",
        "Your browser does not support the video tag.",
        "Skip to search results",
        "HIDE CAPTION",
        "comments powered by Disqus",
        "Follow us!",
        "Shop now",
        "Start your free trial",
        "This entry was posted on Sunday, September 7th, 2008 at 6:41 pm and is filed under Seeds.",
        "You can follow any responses to this entry through the RSS 2.0 feed.",
        "Filed under: Khawarij |",
        "NEWSLETTER SIGN UP",
        "Sign-up To The Newsletter And Get A Free eBook",
        "[ View All ]",
        "Sort and Filter",
        "SHARED ON FACEBOOK",
        "RETURN TO PREVIOUS PAGE",
        "Add to cart",
        "Enter your email address below to join our free weekly newsletter.",
        "[post comment]",
        "Printer-friendly version",
        "“Start Quote",
        "Hits: 3747",
        "Sign-up to the Daily Garden Tips newsletter and you will be able to download the eBook for free.",
        "Follow me on Twitter. Subscribe to new posts via RSS.",
        "Get the latest industry news sent straight to your inbox.",
        "Get the latest updates right in your inbox. Subscribe to NJ.com’s newsletters.",
    ],
)
def test_boilerplate_lines_are_clutter_phrases(text: str) -> None:
    assert default_ruleset().generic.clutter_text.match(text)


@pytest.mark.parametrize(
    "text",
    [
        "Follow us as we walk the length of the canal, lock by lock.",
        "Skip to the good part: the pond filled overnight.",
        "Shop now, my mother said, or the sale will be over by Monday.",
        "This entry was the last one in her diary for that year.",
        "Video of the launch was shown to the committee on Tuesday.",
        "View all of the entries before you vote, the judges asked.",
        "Add to that the cost of the ferry, and the trip is no bargain.",
        "Return to the quay by six, the skipper told us.",
        "Get the latest forecast before you sail: the harbour office posts it at seven.",
    ],
)
def test_sentences_that_begin_like_boilerplate_are_not_clutter_phrases(text: str) -> None:
    assert not default_ruleset().generic.clutter_text.match(text)


_PROMO_RULE = """
schema = 1
hosts = ["gazette.example"]
[remove]
selectors = [".plug"]
"""


@pytest.mark.parametrize(
    "declaration",
    [
        "<link rel='canonical' href='https://gazette.example/2026/tides'>",
        "<meta property='og:url' content='https://gazette.example/2026/tides'>",
    ],
)
def test_a_page_without_a_url_is_matched_by_the_url_it_declares(tmp_path: Path, declaration: str) -> None:
    (tmp_path / "gazette.toml").write_text(_PROMO_RULE, encoding="utf-8")
    rules = load_ruleset([tmp_path], include_shipped=False)
    story = "".join(f"<p>{PARAGRAPH} Tide report {i}.</p>" for i in range(5))
    page = (
        f"<html><head><title>Tides</title>{declaration}</head><body><article><h1>Tides</h1>{story}"
        "<p class='plug'>The Gazette's own crossword book is out now in every good shop.</p>"
        "</article></body></html>"
    )
    article = scraper.clean(page, rules=rules)
    assert "Tide report 4." in article.text
    assert "crossword" not in article.text
    assert article.url is None
    assert scraper.clean(page, url="https://other.example/tides", rules=rules).text.count("crossword") == 1


def test_a_script_inside_what_a_rule_keeps_is_still_no_text(tmp_path: Path) -> None:
    (tmp_path / "gazette.toml").write_text(
        'schema = 1\nhosts = ["gazette.example"]\n[select]\nbody = [".post-body"]\n[keep]\nselectors = [".post-body"]\n',
        encoding="utf-8",
    )
    rules = load_ruleset([tmp_path], include_shipped=False)
    page = (
        "<html><head><title>Tides</title></head><body><div class='post-body'>"
        f"<p>{PARAGRAPH}</p><script>function pinIt() {{ document.body.appendChild(e); }}</script>"
        "<style>.post-body { color: navy }</style></div></body></html>"
    )
    article = scraper.clean(page, url="https://gazette.example/tides", rules=rules)
    assert article.path == "rule"
    assert PARAGRAPH[:40] in article.text
    assert "pinIt" not in article.text and "navy" not in article.text


@pytest.mark.parametrize(
    ("name", "neutral"),
    [
        ("search-results", True),
        ("searchresults", True),
        ("discover-search-desktop-card", True),
        ("search-item", True),
        ("search-form", False),
        ("site-search", False),
        ("trending-searches-card", False),
    ],
)
def test_search_results_are_content_and_search_boxes_are_not(name: str, neutral: bool) -> None:
    # A neutral class name is taken out of the class/id text before the boilerplate tokens test it.
    pattern = default_ruleset().generic.neutral_attr
    assert pattern is not None
    assert (pattern.sub("", name).strip() == "") is neutral


def test_the_trace_says_which_url_stood_in() -> None:
    page = (
        "<html><head><title>Tides</title><link rel='canonical' href='https://gazette.example/2026/tides'></head>"
        f"<body><article><h1>Tides</h1><p>{PARAGRAPH}</p></article></body></html>"
    )
    reasons = [d.reason for d in scraper.clean_traced(page).trace.decisions]
    assert "page URL, none given: the one it declares, https://gazette.example/2026/tides" in reasons
    given = [d.reason for d in scraper.clean_traced(page, url="https://gazette.example/x").trace.decisions]
    assert not any(r.startswith("page URL") for r in given)
