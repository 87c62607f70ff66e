"""Build the `--explain` report: the page with every decided block outlined by its fate.

The report is one self-contained HTML file: the page's own scripts, styles,
frames and external resources are left out (it opens offline and runs no page
code), every element the core kept, removed, pruned or dropped gets an outline
in its fate's colour and a label with the reason, and a legend plus the list
of decisions sit on top.

The core records each decision as an XPath taken at the moment it was made,
after earlier removals. To place them on the original page we replay them in
order on a second parse of the page: resolve the path, note which original
element it is, and detach it as the core did.
"""

from __future__ import annotations

import copy
import html as htmlmod
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from scraper.core import Traced, clean_traced
from scraper.errors import UsageError
from scraper.models import Options
from scraper.parse import parse_html
from scraper.rules.model import RuleSet
from scraper.trace import Decision

__all__ = ["FATE_COLOURS", "build_report", "explain_page", "write_report"]

_ID = "data-sx"
# Colour per fate; kept is green so the article stands out from what was taken away.
FATE_COLOURS = {
    "kept": "#1a9c3c",
    "removed": "#d0312d",
    "pruned": "#e08a00",
    "dropped": "#7b3fbf",
}
_FATE_MEANING = {
    "kept": "the article body that was returned",
    "removed": "taken out by a rule selector (site rule or generic remove list)",
    "pruned": "page chrome pruned before scoring (nav, header, footer, boilerplate class/id)",
    "dropped": "clutter dropped inside the article (clutter heading or phrase, link density, teaser run, rule drop_text)",
}
_UNSAFE_TAGS = ("script", "noscript", "style", "link", "iframe", "frame", "frameset", "object", "embed",
                "base", "meta", "template", "svg", "canvas", "video", "audio", "source", "form")


def _number(root: etree._Element) -> None:
    for n, element in enumerate(root.iter()):
        if isinstance(element.tag, str):
            element.set(_ID, str(n))


def _replay(root: etree._Element, decisions: Iterable[Decision]) -> list[tuple[str, Decision]]:
    """Map each decision to the number of the original element it was about."""
    from scraper.prune import detach

    tree = root.getroottree()
    placed: list[tuple[str, Decision]] = []
    for decision in decisions:
        try:
            found = tree.xpath(decision.path)
        except etree.XPathError:
            continue
        if not found or not isinstance(found[0], etree._Element):
            continue
        element = found[0]
        number = element.get(_ID)
        if number is not None:
            placed.append((number, decision))
        if decision.fate != "kept":
            detach(element)
    return placed


def _sanitise(root: etree._Element) -> None:
    """Make the page inert: no scripts, no external resources, no event handlers."""
    for element in list(root.iter(*_UNSAFE_TAGS)):
        if element.getparent() is not None and element.get("data-sx-keep") is None:
            if element.tag == "form":
                element.tag = "div"  # a form's text may be a decided block; keep it, not its behaviour
                for name in ("action", "method"):
                    element.attrib.pop(name, None)
                continue
            tail = element.tail
            parent = element.getparent()
            previous = element.getprevious()
            parent.remove(element)
            if tail:
                if previous is not None:
                    previous.tail = (previous.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in list(element.attrib):
            lowered = name.lower()
            if lowered.startswith("on") or lowered in ("style", "srcset", "background"):
                del element.attrib[name]
            elif lowered in ("src", "href", "action", "poster", "data"):
                value = element.get(name, "")
                if lowered == "href" and not value.lower().startswith("javascript:"):
                    element.set("data-href", value)
                del element.attrib[name]
        if element.tag == "img":
            element.tag = "span"
            element.set("class", "sx-img")
            element.text = f"[image: {element.get('alt', '')}]"


def _style() -> str:
    rules = [
        "body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#fff}",
        "#sx-report{padding:12px 18px;border-bottom:3px solid #333;background:#f6f6f6}",
        "#sx-report h1{font-size:20px;margin:4px 0}",
        "#sx-report table{border-collapse:collapse;font-size:13px;width:100%}",
        "#sx-report td,#sx-report th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}",
        # Text outside every kept block is greyed: the reader sees at a glance what was returned.
        "#sx-page{padding:12px 18px;color:#8a8a8a}",
        "#sx-page [data-sx-fate=kept]{color:#111}",
        ".sx-img{color:#888;font-style:italic}",
        "[data-sx-fate]{position:relative;margin:6px 0;padding:2px}",
        (
            "[data-sx-fate]::before{content:attr(data-sx-fate) ': ' attr(data-sx-reason);display:block;"
            "font:11px monospace;color:#fff;padding:0 4px;width:max-content;max-width:100%}"
        ),
        ".sx-swatch{display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:middle}",
    ]
    for fate, colour in FATE_COLOURS.items():
        rules.append(f"[data-sx-fate={fate}]{{outline:3px solid {colour};outline-offset:-1px}}")
        rules.append(f"[data-sx-fate={fate}]::before{{background:{colour}}}")
        rules.append(f".sx-{fate}{{background:{colour}}}")
    rules.append("[data-sx-fate=removed],[data-sx-fate=pruned],[data-sx-fate=dropped]{opacity:.6}")
    return "\n".join(rules)


_INVISIBLE = frozenset(_UNSAFE_TAGS) | {"head", "title", "input", "button", "select", "textarea", "br", "hr"}


def _invisible(path: str) -> bool:
    """True for decisions about elements a reader never sees (scripts, metadata, controls)."""
    last = path.rsplit("/", 1)[-1].split("[", 1)[0]
    return last in _INVISIBLE or path.startswith("/html/head")


def _legend(traced: Traced, url: str | None, placed: list[tuple[str, Decision]]) -> str:
    article = traced.article
    counts = {fate: 0 for fate in FATE_COLOURS}
    for decision in traced.trace.decisions:
        counts[decision.fate] = counts.get(decision.fate, 0) + 1
    esc = htmlmod.escape
    parts = [
        '<div id="sx-report">',
        "<h1>scraper --explain</h1>",
        (
            f"<p>URL: {esc(url or '(none)')} · title: {esc(article.title or '')} · path: {esc(article.path)}"
            f" · rule: {esc(article.rule_id or 'none')} · article: {len(article.text)} characters</p>"
        ),
        '<ul id="sx-legend">',
    ]
    for fate in FATE_COLOURS:
        parts.append(
            f'<li><span class="sx-swatch sx-{fate}"></span><b>{fate}</b> ({counts.get(fate, 0)}): '
            f"{esc(_FATE_MEANING[fate])}</li>"
        )
    parts.append("<li><b>unmarked, grey</b>: outside the chosen article body, left out as a whole</li></ul>")
    parts.append('<details open><summary>Decisions</summary><table id="sx-decisions">')
    parts.append("<tr><th>#</th><th>fate</th><th>reason</th><th>element</th><th>text</th></tr>")
    where = {id(d): n for n, d in placed}
    unseen = [d for d in traced.trace.decisions if _invisible(d.path)]
    if unseen:
        parts.append(
            f"<tr><td></td><td>removed</td><td colspan=3>{len(unseen)} invisible or inert elements"
            " (script, style, meta, link, svg, form controls, ...) not listed one by one</td></tr>"
        )
    for i, decision in enumerate(traced.trace.decisions, 1):
        if _invisible(decision.path):
            continue
        anchor = where.get(id(decision))
        link = f'<a href="#sx-{anchor}">{esc(decision.path)}</a>' if anchor else esc(decision.path)
        parts.append(
            f'<tr class="sx-row-{decision.fate}"><td>{i}</td><td>{decision.fate}</td>'
            f"<td>{esc(decision.reason)}</td><td>{link}</td><td>{esc(decision.snippet)}</td></tr>"
        )
    parts.append("</table></details></div>")
    return "".join(parts)


def build_report(html: str | bytes, traced: Traced, *, url: str | None = None,
                 max_bytes: int = 20_000_000) -> str:
    """Return the report page for one cleaned page and its trace."""
    original = parse_html(html, max_bytes=max_bytes)
    _number(original)
    work = copy.deepcopy(original)
    placed = _replay(work, traced.trace.decisions)
    by_number = {el.get(_ID): el for el in original.iter() if isinstance(el.tag, str)}
    for number, decision in placed:
        element = by_number.get(number)
        if element is None:
            continue
        element.set("data-sx-fate", decision.fate)
        element.set("data-sx-reason", decision.reason[:120])
        element.set("id", f"sx-{number}")
        element.set("title", f"{decision.fate}: {decision.reason}")
    _sanitise(original)
    body = original.find("body")
    if body is None:
        body = original
    inner = "".join(etree.tostring(child, encoding="unicode", method="html") for child in body)
    if body.text:
        inner = htmlmod.escape(body.text) + inner
    title = htmlmod.escape(traced.article.title or "page")
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        f"<title>explain: {title}</title><style>{_style()}</style></head><body>"
        f"{_legend(traced, url, placed)}<div id=\"sx-page\">{inner}</div></body></html>\n"
    )


def explain_page(
    html: str | bytes,
    url: str | None = None,
    *,
    rules: RuleSet | None = None,
    options: Options | None = None,
) -> tuple[Traced, str]:
    """Clean a page with tracing on; return the result and its report page."""
    traced = clean_traced(html, url, rules=rules, options=options)
    max_bytes = (options or Options()).max_input_bytes
    return traced, build_report(html, traced, url=url, max_bytes=max_bytes)


def write_report(
    out: str | Path,
    html: str | bytes,
    url: str | None = None,
    *,
    rules: RuleSet | None = None,
    options: Options | None = None,
) -> Traced:
    """Clean a page and write its `--explain` report to `out`.

    Raises:
        UsageError: the report cannot be written.
    """
    traced, report = explain_page(html, url, rules=rules, options=options)
    try:
        Path(out).write_text(report, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return traced
