"""`scraper rules learn`: find a site's template in several of its pages and write a rule removing it.

A block is template when the same DOM path holds the same text on most pages
of the site (menus, teaser widgets, footers, newsletter boxes). We keep the
outermost such blocks and describe each by the simplest CSS selector that, on
every training page, matches only template text. A block no safe selector
describes becomes a `drop_text` pattern of its exact text. Text that differs
from page to page is never the target of either, by construction.
"""

from __future__ import annotations

import gzip
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cssselect import GenericTranslator
from lxml import etree

from scraper.errors import InputError, UsageError
from scraper.parse import decode_html, parse_html
from scraper.rules.loader import host_problem, normal_host

__all__ = ["LearnedRule", "Page", "learn_rule", "read_pages", "rule_to_toml"]

# Tags whose elements can be template blocks (inline tags are judged with their block).
_BLOCK_TAGS = frozenset(
    ["div", "section", "aside", "nav", "header", "footer", "ul", "ol", "li", "p", "table", "form", "h1", "h2", "h3", "h4", "h5", "h6", "dl", "figure", "menu"]
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})
# Names with digits or long hex runs are generated per build or per page, so never stable.
_UNSTABLE = re.compile(r"\d|^(?=[a-z]*[A-Z])(?=.*[a-z])[A-Za-z]{5,7}$|^css-|^sc-|^__")
# Template blocks shorter than this carry too little to be worth a rule line.
_MIN_CHARS = 12
# A drop_text pattern is only written for blocks up to this length (the core tests blocks up to 1000).
_MAX_PHRASE_CHARS = 300
# A learned body must hold at least this share of the text that changes from page to page.
_BODY_SHARE = 0.8
# Pages with less page-specific text than this say nothing about where the article sits.
_MIN_VARYING_CHARS = 200
# Never remove a block holding this share of a page's text: that is content, however often it repeats.
_MAX_PAGE_SHARE = 0.5
_CSS = GenericTranslator()


@dataclass(frozen=True)
class Page:
    """One cached page of the site."""

    html: bytes
    url: str | None = None
    name: str = ""
    # The charset its HTTP Content-Type declared (a WARC response): it outranks a <meta>.
    charset: str | None = None


@dataclass
class LearnedRule:
    """What `learn_rule` found: selectors and exact phrases, with evidence."""

    host: str
    pages: int
    min_share: float
    # (css selector, pages it matched on, sample text)
    selectors: list[tuple[str, int, str]] = field(default_factory=list)
    # (exact block text, pages it appeared on)
    phrases: list[tuple[str, int]] = field(default_factory=list)
    # (css selector, pages on which it held the page-specific text): the site's article container.
    body: tuple[str, int] | None = None


def _text(element: etree._Element) -> str:
    return " ".join(element.text_content().split())


def _stable(names: Iterable[str]) -> list[str]:
    return sorted(n for n in names if n and not _UNSTABLE.search(n) and re.fullmatch(r"[A-Za-z_][\w-]*", n))


def _step(element: etree._Element) -> str:
    """One path step: tag plus stable id and classes (no positions, which shift between pages)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    ident = _stable([element.get("id", "")])
    classes = _stable((element.get("class") or "").split())
    return tag + "".join("#" + i for i in ident) + "".join("." + c for c in classes)


def _dom_path(element: etree._Element) -> str:
    steps = [_step(element)]
    for ancestor in element.iterancestors():
        if ancestor.tag in ("body", "html"):
            break
        steps.append(_step(ancestor))
    return " > ".join(reversed(steps))


@dataclass
class _Parsed:
    root: etree._Element
    keys: dict[etree._Element, tuple[str, str]]
    chars: int


def _parse(page: Page) -> _Parsed:
    root = parse_html(decode_html(page.html, declared=page.charset).text if page.charset else page.html)
    body = root.find("body")
    body = root if body is None else body
    keys: dict[etree._Element, tuple[str, str]] = {}
    for element in body.iterdescendants():
        if not isinstance(element.tag, str) or element.tag not in _BLOCK_TAGS:
            continue
        if any(a.tag in _SKIP_TAGS for a in element.iterancestors()):
            continue
        text = _text(element)
        if len(text) >= _MIN_CHARS:
            keys[element] = (_dom_path(element), text)
    return _Parsed(root, keys, len(_text(body)))


def _candidates(element: etree._Element) -> list[str]:
    """CSS selectors for `element`, simplest first."""
    own = _step(element)
    out = []
    if "#" in own:
        out.append(own.split(".")[0])
    if "." in own or "#" in own:
        out.append(own)
    parent = element.getparent()
    if parent is not None and parent.tag not in ("body", "html"):
        parent_step = _step(parent)
        if "#" in parent_step or "." in parent_step:
            out.append(f"{parent_step} > {own}")
    out.append("body > " + _dom_path(element))
    seen: list[str] = []
    for css in out:
        if css not in seen:
            seen.append(css)
    return seen


def _safe(css: str, parsed: list[_Parsed], template_texts: set[str], needed: int) -> int:
    """Return on how many pages `css` matches, or 0 if it ever matches non-template text."""
    try:
        xpath = etree.XPath(_CSS.css_to_xpath(css, prefix="descendant-or-self::"))
    except Exception:  # noqa: BLE001 - a selector we cannot compile is no candidate
        return 0
    hits = 0
    for page in parsed:
        found = [e for e in xpath(page.root) if isinstance(e, etree._Element)]
        if not found:
            continue
        for element in found:
            text = _text(element)
            if text and text not in template_texts:
                return 0
            if page.chars and len(text) > _MAX_PAGE_SHARE * page.chars:
                return 0
        hits += 1
    return hits if hits >= needed else 0


def _varying_chars(page: _Parsed, template: set[etree._Element]) -> dict[etree._Element, int]:
    """Count, for each element, the characters of text under it that are not template."""
    counts: dict[etree._Element, int] = {}
    body = page.root.find("body")
    body = page.root if body is None else body

    def add(element: etree._Element, n: int) -> None:
        for node in [element, *element.iterancestors()]:
            counts[node] = counts.get(node, 0) + n

    def walk(element: etree._Element, inside: bool) -> None:
        if not isinstance(element.tag, str) or element.tag in _SKIP_TAGS:
            return
        inside = inside or element in template
        if not inside and element.text and element.text.strip():
            add(element, len(element.text.strip()))
        for child in element:
            walk(child, inside)
            if not inside and child.tail and child.tail.strip():
                add(element, len(child.tail.strip()))

    walk(body, False)
    return counts


def _learn_body(parsed: list[_Parsed], repeated: set[tuple[str, str]], needed: int) -> tuple[str, int] | None:
    """Find one stable selector for the container of the text that changes from page to page."""
    per_page = []
    candidates: dict[str, int] = {}
    for page in parsed:
        template = {e for e, key in page.keys.items() if key in repeated}
        counts = _varying_chars(page, template)
        body = page.root.find("body")
        total = counts.get(body if body is not None else page.root, 0)
        per_page.append((counts, total))
        if total < _MIN_VARYING_CHARS:
            continue
        holders = [e for e, n in counts.items() if n >= _BODY_SHARE * total and e.tag not in ("body", "html")]
        # The deepest holder is the tightest container; its selectors are the candidates.
        holders.sort(key=lambda e: counts[e])
        for element in holders[:1]:
            for css in _candidates(element):
                candidates[css] = candidates.get(css, 0) + 1
    best: tuple[str, int, int] | None = None
    for css in sorted(candidates, key=lambda c: (-candidates[c], len(c))):
        try:
            xpath = etree.XPath(_CSS.css_to_xpath(css, prefix="descendant-or-self::"))
        except Exception:  # noqa: BLE001, S112 - a selector we cannot compile is no candidate
            continue
        hits = 0
        for page, (counts, total) in zip(parsed, per_page):
            found = [e for e in xpath(page.root) if isinstance(e, etree._Element)]
            if found and total >= _MIN_VARYING_CHARS and counts.get(found[0], 0) >= _BODY_SHARE * total:
                hits += 1
        if hits >= needed and (best is None or hits > best[1]):
            best = (css, hits, 0)
    return (best[0], best[1]) if best else None


def learn_rule(pages: list[Page], *, host: str | None = None, min_share: float = 0.6) -> LearnedRule:
    """Find the blocks repeated (same DOM path, same text) on most pages and describe them.

    Args:
        pages: three or more pages of one site.
        host: the site's host; defaults to the most common host of the pages' URLs.
        min_share: a block is template when it repeats on at least this share of the pages.

    Raises:
        UsageError: `min_share` is not in (0, 1], or `host` is not a host name.
        InputError: fewer than three pages, no host known, or nothing in common between the pages.
    """
    # `not 0 < x` also refuses NaN, which passes every comparison.
    if isinstance(min_share, bool) or not isinstance(min_share, (int, float)) or not 0 < min_share <= 1:
        raise UsageError(f"min_share must be more than 0 and at most 1, not {min_share!r}")
    if host is not None and host_problem(host):
        raise UsageError(f"host {host_problem(host)}")
    if len(pages) < 3:
        raise InputError(f"rules learn needs at least 3 pages of one site, got {len(pages)}")
    if host is None:
        hosts = Counter(_host(p.url) for p in pages if p.url)
        hosts.pop("", None)
        if not hosts:
            raise InputError("no page has a URL; give the site with --host")
        host = hosts.most_common(1)[0][0]
        if host_problem(host):  # an address such as [::1] is no rule host
            raise InputError(f"the pages' host {host!r} cannot be a rule's host; give the site with --host")
    host = normal_host(host)
    parsed = [_parse(p) for p in pages]
    needed = max(2, math.ceil(min_share * len(pages)))
    key_pages: Counter[tuple[str, str]] = Counter()
    for page in parsed:
        key_pages.update(set(page.keys.values()))
    repeated = {key for key, n in key_pages.items() if n >= needed}
    template_texts = {text for _, text in repeated}
    learned = LearnedRule(host=host, pages=len(pages), min_share=min_share)
    done_css: set[str] = set()
    done_text: set[str] = set()
    for page in parsed:
        for element, key in page.keys.items():
            if key not in repeated:
                continue
            parent = element.getparent()
            # Only the outermost repeated block: its parent holds text that changes, or is the body.
            if parent is not None and page.keys.get(parent) in repeated:
                continue
            if page.chars and len(key[1]) > _MAX_PAGE_SHARE * page.chars:
                continue
            if key[1] in done_text:
                continue
            chosen = None
            for css in _candidates(element):
                if css in done_css:
                    chosen = css
                    break
                hits = _safe(css, parsed, template_texts, needed)
                if hits:
                    chosen = css
                    learned.selectors.append((css, hits, key[1][:80]))
                    done_css.add(css)
                    break
            if chosen is None and len(key[1]) <= _MAX_PHRASE_CHARS:
                learned.phrases.append((key[1], key_pages[key]))
            done_text.add(key[1])
    learned.body = _learn_body(parsed, repeated, needed)
    if not (learned.selectors or learned.phrases or learned.body):
        raise InputError(
            f"no template found: no block repeats on {needed} of the {len(pages)} pages (are they one site?)"
        )
    return learned


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rule_to_toml(learned: LearnedRule) -> str:
    """Write a learned rule as readable TOML, with the evidence for each line as a comment."""
    lines = [
        f"# Learned by `scraper rules learn` from {learned.pages} pages of {learned.host}:",
        f"# blocks with the same DOM path and text on at least {learned.min_share:.0%} of the pages.",
        "# Edit freely: delete a line to keep that block.",
        "schema = 1",
        f"hosts = [{_toml_string(learned.host)}]",
        f"note = {_toml_string(f'learned template of {learned.host} from {learned.pages} pages')}",
        "",
        "[remove]",
        "selectors = [",
    ]
    if learned.body is not None:
        css, hits = learned.body
        lines[-2:-2] = [
            "[select]",
            f"# the text that changes from page to page sat in this container on {hits}/{learned.pages} pages",
            f"body = [{_toml_string(css)}]",
            "",
        ]
    for css, hits, sample in learned.selectors:
        lines.append(f"  # on {hits}/{learned.pages} pages: {sample!r}"[:200])
        lines.append(f"  {_toml_string(css)},")
    lines.append("]")
    if learned.phrases:
        lines += ["", "[drop_text]", "patterns = ["]
        for text, hits in learned.phrases:
            lines.append(f"  # on {hits}/{learned.pages} pages")
            lines.append(f"  {_toml_string('^' + re.escape(text) + '$')},")
        lines.append("]")
    return "\n".join(lines) + "\n"


def _read_file(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: corrupt gzip data") from exc
    return data


def _read_warc(path: Path) -> list[Page]:
    """Read the HTML responses of a WARC file as bulk reads them; a record that cannot be read
    (cut short, corrupt) is left out, and the site is learnt from the others."""
    from scraper.bulk.readers import inflate, read_warc

    pages = []
    for item in read_warc(str(path)):
        if item.error is not None or item.data is None:
            continue
        try:
            html = inflate(item.data)
        except InputError:
            continue
        pages.append(Page(html, item.url, item.url or path.name, item.charset))
    return pages


def _url_of(html: bytes) -> str | None:
    """Find the page's canonical or og:url, so a folder of saved pages needs no --host."""
    match = re.search(rb"<link[^>]+rel=[\"']canonical[\"'][^>]*href=[\"']([^\"']+)", html[:200_000], re.IGNORECASE) or re.search(
        rb"<meta[^>]+property=[\"']og:url[\"'][^>]*content=[\"']([^\"']+)", html[:200_000], re.IGNORECASE
    )
    return match.group(1).decode("utf-8", "replace") if match else None


def read_pages(paths: list[Path]) -> list[Page]:
    """Read pages from files (.html, .html.gz), folders of them, and WARC files."""
    pages: list[Page] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and ".htm" in p.name)
            pages += [Page(data, _url_of(data), f.name) for f in files for data in [_read_file(f)]]
        elif ".warc" in path.name:
            pages += _read_warc(path)
        elif path.exists():
            data = _read_file(path)
            pages.append(Page(data, _url_of(data), path.name))
        else:
            raise InputError(f"{path}: no such file")
    return pages


def _host(url: str) -> str:
    """Return the host of `url` without "www.", or "" for a URL urlsplit cannot read."""
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""
