"""Read rule files from disk and compile them (the I/O edge of the rules stage).

NOTE: minimal first version (generic set only); the full validating loader
for site rules, user folders and FTR files replaces the body of this module.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from cssselect import GenericTranslator, SelectorError
from lxml import etree

from scraper.errors import RuleError
from scraper.rules.model import GenericRules, RuleSet, Selector

_CSS = GenericTranslator()


def shipped_rules_dir() -> Path:
    """Return the folder of rules shipped with the package."""
    packaged = Path(__file__).resolve().parent.parent / "data" / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "rules"


def compile_selector(expr: str, *, path: str, key: str) -> Selector:
    """Compile a CSS selector, or an XPath one when it starts with / or ( ."""
    try:
        if expr.lstrip().startswith(("/", "(", "./")):
            return Selector(expr, "xpath", etree.XPath(expr))
        return Selector(expr, "css", etree.XPath(_CSS.css_to_xpath(expr, prefix="descendant-or-self::")))
    except (SelectorError, etree.XPathError) as exc:
        raise RuleError(f"bad selector {expr!r}: {exc}", path=path, key=key) from exc


def _phrase_regex(phrases: list[str], *, path: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile(r"^\W*(?:" + "|".join(f"(?:{p})" for p in phrases) + r")\W*$", re.I | re.S)
    except re.error as exc:
        raise RuleError(f"bad pattern: {exc}", path=path, key=key) from exc


def _token_regex(tokens: list[str], *, path: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile(r"(?:^|[\s_-])(?:" + "|".join(tokens) + r")(?=$|[\s_-])", re.I)
    except re.error as exc:
        raise RuleError(f"bad pattern: {exc}", path=path, key=key) from exc


def load_generic(file: Path) -> GenericRules:
    """Load and compile the generic rule file."""
    where = str(file)
    data = tomllib.loads(file.read_text(encoding="utf-8"))
    clutter = data.get("clutter", {})
    attrs = data.get("attributes", {})
    remove = data.get("remove", {})
    return GenericRules(
        clutter_heading=_phrase_regex(clutter.get("headings", []), path=where, key="clutter.headings"),
        clutter_text=_phrase_regex(clutter.get("phrases", []), path=where, key="clutter.phrases"),
        boilerplate_attr=_token_regex(attrs.get("boilerplate", []), path=where, key="attributes.boilerplate"),
        content_attr=_token_regex(attrs.get("content", []), path=where, key="attributes.content"),
        remove=tuple(
            compile_selector(s, path=where, key="remove.selectors") for s in remove.get("selectors", [])
        ),
        weak_attr=_token_regex(attrs.get("weak", []), path=where, key="attributes.weak")
        if attrs.get("weak")
        else None,
    )


@functools.cache
def default_ruleset() -> RuleSet:
    """Return the shipped rules, read once (an immutable value, like a constant)."""
    return RuleSet(generic=load_generic(shipped_rules_dir() / "generic.toml"))
