"""Bytes or text in, a safe lxml tree out (encoding detection lives here)."""

from __future__ import annotations

import codecs
import functools
import itertools
import re
from dataclasses import dataclass
from typing import TypeVar

import charset_normalizer
from lxml import etree
from lxml import html as lxml_html

from scraper.errors import InputError, TooLargeInput

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE
)
# Magic numbers of common binary formats that are never HTML.
_BINARY_MAGIC = (
    b"\x89PNG", b"%PDF", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BM",
    b"RIFF", b"\x00\x00\x01\x00", b"OggS", b"fLaC", b"ID3", b"\x7fELF", b"wOFF", b"wOF2",
)
# C0 control bytes that no text encoding a page may use produces (ESC is ISO-2022-JP's shift).
_BINARY_CONTROLS = bytes([*range(0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
# Parsers are built per call: lxml parser objects are not meant to be shared across threads.
_PARSER_OPTIONS = {
    "remove_comments": True,
    "remove_pis": True,
    "no_network": True,
    "huge_tree": True,
    "default_doctype": False,
}
# Characters lxml refuses in text it is given (pruning joins texts); \x0c is whitespace in HTML.
# A lone surrogate (a str can hold one; no encoding can) would end the parse where it stands.
_XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What detection may guess: the encodings browsers read pages in (the WHATWG Encoding Standard's
# list, as Python names them). Left free, it calls short German or French text "mac_turkish" or
# "mac_latin2", which no browser would pick.
_WEB_ENCODINGS = [
    "utf_8", "utf_16", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
    "cp1258", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8",
    "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "koi8_r", "koi8_u", "mac_roman",
    "mac_cyrillic", "cp866", "cp874", "shift_jis", "euc_jp", "iso2022_jp", "gb18030", "big5", "euc_kr",
]
# Python codecs that are text encodings but no page's: a label naming one is ignored. UTF-7 is
# left out of the web's encodings on purpose (it hides markup from filters).
_NOT_PAGE_ENCODINGS = frozenset({"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7"})
# The same control characters as bytes, for a quick test on raw input before decoding.
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20)])
# The printable ASCII range; an encoding that decodes it to itself cannot make control characters from it.
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
# A numeric character reference: the parser would turn &#1; into the very characters above.
# Only references to code points below 0x20 or to U+FFFE/U+FFFF are matched: the common ones
# (&#8217;) would each cost a call to the replacement function for nothing.
_CHAR_REF = re.compile(
    r"&#(?:[xX](0*(?:1?[0-9a-fA-F]|[fF]{3}[eEfF]))(?![0-9a-fA-F])|(0*(?:[12]?[0-9]|3[01]|6553[45]))(?![0-9]));?"
)
# libxml2 compares each attribute with every earlier one of its element, so thousands take
# minutes; past this count the rest are dropped (duplicates keep the first anyway).
_MAX_ATTRIBUTES = 1000
# A start tag whose attribute text is long enough to hold more attributes than that.
_LONG_TAG = re.compile(rf"(<[a-zA-Z][^\s/<>]*)(\s[^<>]{{{2 * _MAX_ATTRIBUTES},}})>")
_ATTRIBUTE = re.compile(r"""\s*[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?|\s*/""")
# libxml2 stops parsing at this nesting depth and drops the rest of the page.
_LIBXML_DEPTH_ERROR = "Excessive depth"
# A comment or raw-text element (kept whole), or a start or end tag (name in group 3).
_TAG = re.compile(
    r"<!--.*?(?:-->|$)|<(script|style|textarea|title)\b[^>]*>.*?(?:</\1\s*>|$)|<(/?)([a-zA-Z][^\s/>]*)[^>]*>",
    re.DOTALL | re.IGNORECASE,
)
_HTML_ELEMENTS = etree.ElementDefaultClassLookup(element=lxml_html.HtmlElement)
# Byte patterns for _ready_as_bytes(): each matches wherever its text fix could change something.
_CHAR_REF_BYTES = re.compile(_CHAR_REF.pattern.encode("ascii"))
_LONG_TAG_BYTES = re.compile(_LONG_TAG.pattern.encode("ascii"))
# A looser and quicker pattern that finds where the first long tag could start.
_ANY_LONG_TAG_BYTES = re.compile(rb"<[a-zA-Z][^<>]{%d}" % (2 * _MAX_ATTRIBUTES))
_ATTRIBUTE_BYTES = re.compile(_ATTRIBUTE.pattern.encode("ascii"))
_XML_DECLARATION_BYTES = re.compile(rb"\s*<\?xml")
# End tags of the page, and an element start tag (one after them means the page goes on).
_END_OF_PAGE = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_END_OF_PAGE_BYTES = re.compile(_END_OF_PAGE.pattern.encode("ascii"), re.IGNORECASE)
_START_TAG = re.compile(r"<[a-zA-Z]")
_START_TAG_BYTES = re.compile(rb"<[a-zA-Z]")
_VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
})
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "li", "main", "nav", "ol", "p", "pre",
    "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})


_Markup = TypeVar("_Markup", str, bytes)


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, and the encoding that was used."""

    text: str
    encoding: str
    # True when every byte decoded as itself (no U+FFFD stands in for an invalid sequence).
    exact: bool = True


def _lookup(label: str | None) -> str | None:
    """Return Python's name for the text encoding `label` names, None for no such encoding.

    A page or a server can name any codec Python has: "base64" or "zlib" (codecs between bytes,
    which str.decode refuses), "undefined" (which fails on every byte), or an escape or
    domain-name codec no browser reads a page in. Those count as no label at all.
    """
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip().strip("\"'").lower())
    except LookupError:
        return None
    name = info.name
    if not getattr(info, "_is_text_encoding", True) or name in _NOT_PAGE_ENCODINGS:
        return None
    # Browsers treat ISO-8859-1 and ASCII labels as windows-1252 (WHATWG Encoding).
    return "cp1252" if name in {"latin-1", "iso8859-1", "ascii"} else name


def sniff_meta_charset(head: bytes) -> str | None:
    """Return the encoding a `<meta charset>` in the first 4 KB declares, if valid."""
    match = _META_CHARSET.search(head[:4096])
    return _lookup(match.group(1).decode("ascii", "ignore")) if match else None


def looks_binary(data: bytes) -> bool:
    """Return True for bytes that are clearly not a text document."""
    head = data[:512]
    if head.startswith(_BINARY_MAGIC):
        return True
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    # Random or compressed bytes are one in ten such controls; text has next to none.
    return len(head) - len(head.translate(None, _BINARY_CONTROLS)) > len(head) // 20 if head else False


def _strict_utf8(data: bytes) -> str | None:
    """Return `data` decoded as UTF-8 if it is valid UTF-8 beyond plain ASCII, else None."""
    if data.isascii():
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_html(data: bytes, declared: str | None = None) -> Decoded:
    """Decode HTML bytes: BOM, then the declared (HTTP) label, then `<meta>`, then detection.

    Invalid byte sequences become U+FFFD; this never raises on bad bytes.
    """
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom):].decode(bom_encoding, "replace"), bom_encoding, exact=False)
    for label in (_lookup(declared), sniff_meta_charset(data)):
        if label and label != "utf-8" and not label.startswith(("utf-16", "utf-32")):
            # Valid multi-byte UTF-8 almost never arises by chance in legacy text, so a
            # legacy label on such bytes is wrong (a common server misconfiguration).
            utf8 = _strict_utf8(data)
            if utf8 is not None:
                return Decoded(utf8, "utf-8")
        if label:
            try:
                return Decoded(data.decode(label), label)
            except UnicodeDecodeError:
                # A wrong label: fall through to detection rather than trusting it.
                continue
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    guesses = charset_normalizer.from_bytes(data[:200_000], cp_isolation=_WEB_ENCODINGS)
    best = guesses.best()
    if best is not None:
        # On a tie windows-1252 wins, as in browsers: short French text ("très bon à Paris")
        # reads as well in windows-1250, which turns it into "trčs bon ŕ Paris".
        best = next(
            (g for g in guesses if g.encoding == "cp1252" and g.chaos <= best.chaos and g.coherence >= best.coherence),
            best,
        )
    name: str | None = _lookup(best.encoding) if best is not None else None
    if not name or (name.startswith(("utf-16", "utf-32")) and b"\x00" not in data[:4096]):
        # Detection guesses wildly on short input; windows-1252 is the web's own fallback.
        name = "cp1252"
    return Decoded(data.decode(name, "replace"), name, exact=False)


@functools.cache
def _ascii_compatible(encoding: str) -> bool:
    """True when `encoding` decodes printable ASCII to itself (so control characters come only from control bytes)."""
    try:
        return _PRINTABLE_ASCII.decode(encoding) == _PRINTABLE_ASCII.decode("ascii")
    except (LookupError, UnicodeDecodeError):
        return False


def flatten_deep_tags(text: str, max_depth: int) -> str:
    """Drop the tags that would nest deeper than `max_depth`, keeping their text.

    Nesting is counted naively (no implied end tags), which only matters on pages libxml2
    already gave up on. A dropped block tag becomes ``<br>`` so its text keeps its own line; a
    run of them with no text between is one ``<br>`` (100,000 nested divs made 200,000 line
    breaks, and every later walk of the tree paid for each).
    """
    depth = 0
    # Where the last <br> put in for a dropped tag ended (-1: none yet).
    last_break = -1

    def replace(match: re.Match[str]) -> str:
        nonlocal depth
        name = match.group(3)
        if name is None or match.group(1):
            return match.group(0)
        name = name.lower()
        if name in _VOID_TAGS or match.group(0).endswith("/>"):
            return match.group(0)
        if match.group(2):
            keep = depth <= max_depth
            depth = max(depth - 1, 0)
        else:
            depth += 1
            keep = depth <= max_depth
        if keep:
            return match.group(0)
        if name not in _BLOCK_TAGS:
            return ""
        nonlocal last_break
        follows_break = last_break >= 0 and not text[last_break:match.start()].strip()
        last_break = match.end()
        return "" if follows_break else "<br>"

    return _TAG.sub(replace, text)


def _drop_bad_reference(match: re.Match[str]) -> str:
    """Return a character reference unchanged, or what _XML_INCOMPATIBLE makes of its character."""
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    if code == 0x0C:
        return " "
    if code <= 0x10FFFF and _XML_INCOMPATIBLE.match(chr(code)):
        return ""
    return match.group(0)


def _cap_attributes(match: re.Match[str]) -> str:
    """Return a start tag with at most _MAX_ATTRIBUTES attributes."""
    attributes = match.group(2)
    end = 0
    for count, attribute in enumerate(_ATTRIBUTE.finditer(attributes)):
        if count == _MAX_ATTRIBUTES:
            return f"{match.group(1)}{attributes[:end]}>"
        end = attribute.end()
    return match.group(0)


def _parser(encoding: str | None = None) -> etree.HTMLParser:
    """Return a new parser that makes every element an lxml.html HtmlElement.

    lxml.html's own parser picks each element's class in Python (form, input and label get
    their own), which costs a Python call per element every time the tree is walked; a
    default-class lookup stays in C. Everything we and our peers (trafilatura, htmldate) use is
    on HtmlElement itself.
    """
    parser = etree.HTMLParser(encoding=encoding, **_PARSER_OPTIONS)
    parser.set_element_class_lookup(_HTML_ELEMENTS)
    return parser


def _parse_text(source: str | bytes) -> etree._Element | None:
    """Parse text, or UTF-8 bytes that need no fixing; None if libxml2 hit its depth limit."""
    parser = _parser("utf-8" if isinstance(source, bytes) else None)
    root = etree.fromstring(source, parser=parser)
    if root is None:
        raise etree.ParserError("Document is empty")
    if any(_LIBXML_DEPTH_ERROR in entry.message for entry in parser.error_log):
        return None
    return root


def _ready_as_bytes(data: bytes) -> bool:
    """True for UTF-8 bytes that the text fixes in parse_html() would leave as they are.

    The tests run on the bytes (UTF-8 keeps ASCII as it is) with the fixes' own patterns, so
    a page they pass needs no decoding-and-fixing round trip.
    """
    # The reference pattern starts with a literal "&#", so re skips to candidates itself (a prior
    # substring test would scan the page once more).
    if _CHAR_REF_BYTES.search(data) or _XML_DECLARATION_BYTES.match(data) or data.isspace():
        return False
    first = _ANY_LONG_TAG_BYTES.search(data)
    if first is None:
        return True
    for tag in _LONG_TAG_BYTES.finditer(data, first.start()):
        # Long attribute text is common (JSON in data-* attributes); too many attributes is not.
        attributes = _ATTRIBUTE_BYTES.finditer(tag.group(2))
        if next(itertools.islice(attributes, _MAX_ATTRIBUTES, None), None) is not None:
            return False
    return True


def parse_html(
    source: str | bytes, *, max_bytes: int = 20_000_000, max_depth: int = 400
) -> etree._Element:
    """Parse HTML into an lxml tree without entity resolution or network access.

    Raises:
        TooLargeInput: the input is longer than `max_bytes`.
        InputError: the input is empty, binary or not parseable as HTML.
    """
    if isinstance(source, bytes):
        if len(source) > max_bytes:
            raise TooLargeInput(f"input is {len(source):,} bytes, over the {max_bytes:,} byte limit")
        if looks_binary(source):
            raise InputError("input is binary, not HTML")
        decoded = decode_html(source)
        text = decoded.text
        clean = _ascii_compatible(decoded.encoding) and len(source.translate(None, _CONTROL_BYTES)) == len(source)
        if (
            clean and decoded.exact and _START_TAG_BYTES.search(source) is not None and decoded.encoding == "utf-8" and b"\x0c" not in source
            and "\ufffe" not in text and "\uffff" not in text and _ready_as_bytes(source)
        ):
            # libxml2 reads UTF-8 bytes faster than a Python str (a third of a millisecond a page).
            return _finish(_parse_or_flatten(_reopen_body(source), text, max_depth))
    else:
        text = source
        if len(text) > max_bytes:
            raise TooLargeInput(f"input is {len(text):,} characters, over the {max_bytes:,} limit")
        clean = False
    if not clean or "\ufffe" in text or "\uffff" in text:
        # The regex scan costs a third of a millisecond on a typical page; raw bytes free of
        # control bytes, in an ASCII-compatible encoding, cannot decode to those characters.
        text = _XML_INCOMPATIBLE.sub("", text)
    text = text.replace("\x0c", " ")
    if "&#" in text:
        text = _CHAR_REF.sub(_drop_bad_reference, text)
    text = _LONG_TAG.sub(_cap_attributes, text)
    if not text.strip():
        raise InputError("input is empty")
    if _START_TAG.search(text) is None:
        # JSON, CSV, a script, a text file: the parser would wrap it in a paragraph and call it
        # an article.
        raise InputError("input is not HTML: it holds no tag")
    # Drop an XML declaration: lxml refuses str input that carries an encoding declaration.
    if text.lstrip().startswith("<?xml"):
        text = text[text.find("?>") + 2:]
    text = _reopen_body(text)
    return _finish(_parse_or_flatten(text, text, max_depth))


def _reopen_body(source: _Markup) -> _Markup:
    """Drop `</body>` and `</html>` end tags that more elements follow.

    Browsers put whatever follows them into the body; libxml2 puts what follows `</body>`
    beside the body and drops all that follows `</html>`. Some templates close the page after
    their header and print the article after it.
    """
    end_tags, start_tag = (_END_OF_PAGE_BYTES, _START_TAG_BYTES) if isinstance(source, bytes) else (_END_OF_PAGE, _START_TAG)
    # One regex scan: its literal "</" prefix makes it several times faster than str.find per spelling.
    first = end_tags.search(source)
    if first is None or start_tag.search(source, first.start()) is None:
        return source
    return end_tags.sub(source[:0], source)


def _parse_or_flatten(source: str | bytes, text: str, max_depth: int) -> etree._Element:
    try:
        root = _parse_text(source)
        if root is None:
            # libxml2 dropped everything past its depth limit: parse again with the nesting cut.
            root = etree.fromstring(flatten_deep_tags(text, max_depth), parser=_parser())
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"cannot parse input as HTML: {exc}") from exc
    return root


def _finish(root: etree._Element | None) -> etree._Element:
    if root is None:
        raise InputError("input holds no HTML elements")
    if root.find("body") is None:
        # A page with only a <head> (or a frameset) still has a body, an empty one, as in browsers;
        # without it the whole document, <title> and all, would pass for the body.
        etree.SubElement(root, "body")
    return root
