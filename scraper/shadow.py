"""Declarative shadow DOM: show each shadow root's content where browsers show it.

A web component rendered on the server sends its shadow tree as a `<template shadowrootmode="open">`,
the first child of its host element. Browsers render that template's content in place of the host's
own children, which appear only where a `<slot>` of the template takes them (by `slot="name"`, or
all the others at the unnamed slot). Read as plain HTML, the template is inert and goes with the
scripts, and a component's text (a hero's heading, a card's copy) is lost.
"""

from __future__ import annotations

from lxml import etree

# A shadow root's template attribute; `shadowroot` is its name before it was standardised.
_MODES = ("shadowrootmode", "shadowroot")
# The built-in elements that may host a shadow root (DOM Standard, attachShadow()).
_HOSTS = frozenset({
    "article", "aside", "blockquote", "body", "div", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "main", "nav", "p", "section", "span",
})


def attach_shadow_roots(root: etree._Element, source: str | bytes) -> None:
    """Replace each shadow host's children by its shadow tree, its slots filled, in place (no-op on other pages)."""
    # A substring test is a fast scan; lxml lower-cases attribute names, pages nearly always do.
    if (b"shadowroot" if isinstance(source, bytes) else "shadowroot") not in source:  # type: ignore[operator]
        return
    templates = [t for t in root.iter("template") if any(t.get(mode) is not None for mode in _MODES)]
    # Innermost first: a nested host is complete before its outer tree moves it.
    for template in reversed(templates):
        host = template.getparent()
        if host is not None and _can_host(host):
            _attach(host, template)


def _can_host(element: etree._Element) -> bool:
    """True for the elements a shadow root may attach to (the DOM's list, and custom elements);
    browsers leave a shadow template anywhere else as an ordinary, inert template."""
    tag = element.tag
    return isinstance(tag, str) and ("-" in tag or tag in _HOSTS)


def _attach(host: etree._Element, template: etree._Element) -> None:
    """Give `host` the content of its shadow `template`, its own children moved into the slots."""
    light = [child for child in host if child is not template]
    named: dict[str, list[etree._Element]] = {}
    rest: list[etree._Element] = []
    for child in light:
        if isinstance(child.tag, str) and child.get("slot"):
            named.setdefault(child.get("slot", ""), []).append(child)
        else:
            rest.append(child)
    # The host's own text (before its first child, after the template) goes to the unnamed slot.
    loose_text = (host.text or "") + (template.tail or "")
    for child in light:
        host.remove(child)
    host.remove(template)
    host.text = template.text
    for child in list(template):
        host.append(child)
    default_taken = False
    for slot in list(host.iter("slot")):
        if slot.getparent() is None:
            # It was the fallback of a slot filled before it, and went with that fallback.
            continue
        name = slot.get("name")
        if name:
            assigned = named.get(name, [])
        elif not default_taken:
            assigned, default_taken = rest, True
        else:
            assigned = []
        if assigned or (not name and loose_text and loose_text.strip()):
            _fill(slot, assigned, loose_text if not name else None)
        else:
            # An empty slot shows its own children (its fallback). The slot itself goes, so that
            # the tree of a host further out, attached later, never takes it for one of its own.
            slot.drop_tag()


def _fill(slot: etree._Element, assigned: list[etree._Element], text: str | None) -> None:
    """Put the nodes assigned to `slot` in its place, dropping the slot and its fallback."""
    parent = slot.getparent()
    if parent is None:
        return
    for child in list(slot):
        slot.remove(child)
    slot.text = text
    for node in assigned:
        slot.append(node)
    # drop_tag keeps the slot's text and children where the slot was, and its tail after them.
    slot.drop_tag()
