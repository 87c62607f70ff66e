"""`scraper rules test`: say which rule matched a page and what each of its parts did."""

from __future__ import annotations

from collections import Counter

from scraper.core import clean_traced
from scraper.parse import parse_html
from scraper.rules.loader import default_ruleset
from scraper.rules.model import RuleSet, Selector

__all__ = ["describe_trial"]

_SNIPPET = 70


def _snip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"


def _selector_lines(label: str, selectors: tuple[Selector, ...], html: str | bytes) -> list[str]:
    lines = []
    for selector in selectors:
        root = parse_html(html)  # fresh tree: each selector is judged on the page as fetched
        found = selector.select(root)
        lines.append(f"  {label} {selector.expr!r}: {len(found)} element(s)")
        for element in found[:3]:
            lines.append(f"      {_snip(element.text_content())!r}")
    return lines


def describe_trial(html: str | bytes, url: str | None, rules: RuleSet | None) -> str:
    """Return a readable account of cleaning `html` with `rules`."""
    ruleset = rules if rules is not None else default_ruleset()
    rule = ruleset.match(url)
    traced = clean_traced(html, url, rules=ruleset)
    decisions = traced.trace.decisions
    out: list[str] = []
    if rule is None:
        out.append(f"rule: none matched {url or '(no --url given)'}; generic rules only")
    else:
        out.append(f"rule: {rule.id} (hosts {', '.join(rule.hosts)}; from {rule.source})")
        if rule.note:
            out.append(f"  note: {rule.note}")
        out += _selector_lines("body", rule.body, html)
        out += _selector_lines("remove", rule.remove, html)
        out += _selector_lines("keep", rule.keep, html)
        for name in ("title", "author", "date"):
            out += _selector_lines(name, getattr(rule, name), html)
        for pattern in rule.drop_text:
            hits = [d for d in decisions if d.reason == f"rule drop_text {pattern.pattern!r}"]
            out.append(f"  drop_text {pattern.pattern!r}: {len(hits)} block(s)")
            out += [f"      {_snip(d.snippet)!r}" for d in hits[:3]]
        if rule.options:
            out.append("  options: " + ", ".join(f"{k}={v!r}" for k, v in rule.options))
        if not rule.use_generic:
            out.append("  generic rules: off")
    fates = Counter(d.fate for d in decisions)
    out.append("decisions: " + ", ".join(f"{fate} {fates.get(fate, 0)}" for fate in ("kept", "removed", "pruned", "dropped")))
    reasons = Counter(d.reason.split(" ")[0] + " " + d.reason.split(" ")[1] if " " in d.reason else d.reason
                      for d in decisions if d.fate != "kept")
    for reason, count in reasons.most_common(8):
        out.append(f"  {count:4d} x {reason}")
    article = traced.article
    out.append(f"result: path={article.path} rule={article.rule_id or '-'} title={article.title!r}"
               f" chars={len(article.text)}")
    for line in article.text.splitlines()[:3]:
        out.append("  | " + (line if len(line) <= 200 else line[:199] + "…"))
    return "\n".join(out) + "\n"
