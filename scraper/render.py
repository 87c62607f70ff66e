"""Turn the chosen article subtree into text, markdown and clean HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from scraper.score import BLOCK_TAGS, HEADING_TAGS, tag_of

# Attributes worth keeping in clean HTML output.
_KEEP_ATTRS = {
    "a": ("href",), "img": ("src", "alt"), "td": ("colspan", "rowspan"), "th": ("colspan", "rowspan"),
    # A list's numbering, and the language a code block declares (for highlighters downstream).
    "ol": ("start", "reversed"), "code": ("class",), "pre": ("data-lang",),
}
_DROP_IN_HTML = frozenset({"script", "style", "noscript", "iframe", "button", "input", "select", "textarea", "svg"})
# A form's fields go (above), its words stay: ASP.NET pages wrap the whole page in one <form>.
_UNWRAP_IN_HTML = frozenset({"form"})
# Wrappers that say nothing once empty (a link whose image was left out among them).
_EMPTY_GOES = ("span", "div", "p", "section", "li", "a", "font", "b", "i", "em", "strong", "small", "center")
_MAX_RENDER_DEPTH = 300


@dataclass
class Block:
    """One rendered block: its kind, plain text and markdown."""

    kind: str
    text: str
    markdown: str
    rows: list[list[str]] = field(default_factory=list)
    # For a list item: how deep its list is nested (1 for a top-level list), and whether it is
    # its list's first item.
    depth: int = 0
    opens_list: bool = False
    # How many blockquotes hold the block.
    quote: int = 0


def _source(text: str | None) -> str:
    """Return text from the page with its line breaks as spaces: in HTML a newline in the
    source is only whitespace; lines come from <br> and block edges."""
    return text.replace("\n", " ") if text else ""


def _flat_text(element: etree._Element) -> str:
    """Return a subtree's text without recursion, with line breaks at <br> and block edges."""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = tag_of(node)
        if event == "start":
            if tag == "br" or tag in BLOCK_TAGS:
                parts.append("\n")
            parts.append(_source(node.text) if tag else "")
        else:
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if node is not element:
                parts.append(_source(node.tail))
    return "".join(parts)


def _preformatted(element: etree._Element) -> str:
    """Return a <pre>'s text as it is, with a line break at each <br> and between a highlighter's
    line elements (some end their lines with one or the other instead of a newline)."""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if event == "start":
            parts.append("\n" if tag_of(node) == "br" else node.text or "")
        elif node is not element:
            if _line_runs_on(node, parts):
                parts.append("\n")
            parts.append(node.tail or "")
    return "".join(parts)


# Class names of one line of highlighted code (Shiki, Expressive Code, prism-react-renderer):
# shown one under another by a style sheet, some with no line break between them.
_CODE_LINE_CLASSES = frozenset({"line", "code-line", "token-line", "ec-line"})


def _code_line(node: etree._Element | None) -> bool:
    names = node.get("class") if node is not None else None
    return names is not None and not _CODE_LINE_CLASSES.isdisjoint(names.split())


def _line_runs_on(node: etree._Element, before: list[str]) -> bool:
    """True when `node` is a line of highlighted code that the next line follows with no break
    between them (`before` is the text up to the end of `node`)."""
    if "\n" in (node.tail or "") or not (_code_line(node) and _code_line(node.getnext())):
        return False
    last = next((piece for piece in reversed(before) if piece), "")
    return not last.endswith("\n")


def _break_code_lines(pre: etree._Element) -> None:
    """Put a newline after each highlighted line that the next follows with none (see _line_runs_on)."""
    for node in pre.iter():
        if node is not pre and _line_runs_on(node, ["".join(node.itertext())]):
            node.tail = "\n" + (node.tail or "")


# Inline elements that sites set side by side as separate fields (a byline's name and its date, a
# brand and a product name, a parameter and its type), spaced by a style sheet's margin or gap.
_FIELD_TAGS = frozenset({"span", "a", "time", "label", "cite", "small"})


def space_fields(containers: list[etree._Element]) -> None:
    """Put a space between two adjacent fields (see _FIELD_TAGS) that the source sets with none.

    Only where the joint cannot be inside a word: a capital or a digit after a letter, a capital
    after a digit, a digit after a number with its decimals ("BonifieldMar 6", "Rating4.5",
    "4.8212 reviews"); lower case after lower case may be a word split for styling, digits after
    whole digits a price's cents, and scripts without case (Chinese, Japanese) are written without
    spaces. Each side holds at least two characters (a drop cap is one). Code keeps its characters
    as written.
    """
    for container in containers:
        for element in container.iter(*_FIELD_TAGS):
            if element.tail:
                continue
            after = element.getnext()
            if after is None or tag_of(after) not in _FIELD_TAGS:
                continue
            first = "".join(element.itertext())
            second = "".join(after.itertext())
            if (
                len(first.strip()) >= 2 and len(second.strip()) >= 2 and _word_joint(first, second[:1])
                and not any(tag_of(a) in ("pre", "code") for a in element.iterancestors())
            ):
                element.tail = " "


def _word_joint(first: str, start: str) -> bool:
    """True when `start` cannot continue the word that ends `first` (see space_fields). A number
    that already has its decimals ("4.8" before "212 reviews") is whole; "$19" before "99" is not."""
    end = first[-1:]
    if end.isalpha() and (end.islower() or end.isupper()):
        return start.isupper() or start.isdigit()
    if end.isdigit() and start.isdigit():
        return _DECIMAL_END.search(first) is not None
    return end.isdigit() and start.isupper()


# A number with its decimals at the end of a field: "4.8", "1,5".
_DECIMAL_END = re.compile(r"\d[.,]\d{1,2}$")


def visible_text(element: etree._Element) -> str:
    """Return an element's text on one line, with words parted at <br> and block edges."""
    return " ".join(_flat_text(element).split())


# Where lazy-loading pages keep an image's address until a script moves it to src.
_IMAGE_SOURCES = ("src", "data-src", "data-lazy-src", "data-original")


# Schemes of an address that runs code or carries a document of its own when followed.
_SCRIPTED_SCHEMES = ("javascript:", "vbscript:", "data:")
# What browsers ignore in a scheme: tabs and line breaks anywhere ("java\tscript:" runs), and
# control characters and spaces before it.
_IGNORED_IN_SCHEME = str.maketrans("", "", "\t\n\r")
_BEFORE_SCHEME = "".join(map(chr, range(0x21)))


def _scripted(address: str) -> bool:
    """True for a "javascript:" (or "vbscript:", "data:") address, spelt any way a browser accepts."""
    return address.translate(_IGNORED_IN_SCHEME).lstrip(_BEFORE_SCHEME).lower().startswith(_SCRIPTED_SCHEMES)


def _absolute(base_url: str | None, address: str) -> str:
    """Return `address` made absolute against `base_url`; as it is when either cannot be read.

    A page's links are the page's to spell: "http://[::1/x" (an IPv6 host never closed) makes
    urljoin raise, and one such link must not cost the article.
    """
    if not base_url:
        return address
    try:
        return urljoin(base_url, address)
    except ValueError:
        return address


def _image_source(src: str, base_url: str | None) -> str:
    """Return an image address made absolute against `base_url` ('' for none)."""
    return _absolute(base_url, src) if src and not src.startswith("data:") else src


def _image_address(img: etree._Element) -> str:
    """Return the address an <img> shows, lazy-loaded ones included ('' for none)."""
    return next((v.strip() for v in (img.get(a) for a in _IMAGE_SOURCES) if v and v.strip()), "")


def _image(img: etree._Element, base_url: str | None) -> str:
    """Return the markdown reference of an <img> ('' without an address, or for inline data)."""
    src = _image_address(img)
    if not src or src.startswith("data:"):
        return ""
    alt = " ".join((img.get("alt") or "").split()).replace("[", "(").replace("]", ")")
    return f"![{alt}]({_image_source(src, base_url)})"


# MediaWiki (Wikipedia) wraps each formula's TeX so: {\displaystyle ...}.
_DISPLAYSTYLE = re.compile(r"^\{\\displaystyle\s*(.*)\}$", re.DOTALL)


def _tex(math: etree._Element) -> str:
    """Return the TeX source a MathML formula carries (its alttext or TeX annotation), or ''."""
    tex = math.get("alttext") or ""
    if not tex.strip():
        for annotation in math.iter("annotation"):
            if (annotation.get("encoding") or "").lower() in ("application/x-tex", "tex"):
                tex = annotation.text or ""
                break
    tex = " ".join(tex.split())
    match = _DISPLAYSTYLE.match(tex)
    return match.group(1).strip() if match else tex


def _picture(img: etree._Element, base_url: str | None, images: bool) -> str:
    """Return the markdown of an <img> in the text: a formula's TeX always, the image if `images`."""
    return _formula(img) or (_image(img, base_url) if images else "")


def _formula(img: etree._Element) -> str:
    """Return `$TeX$` for an image of a formula whose alt text is its TeX (MediaWiki's fallback
    images, which stand in for the MathML that pages hide), else ''."""
    alt = " ".join((img.get("alt") or "").split())
    match = _DISPLAYSTYLE.match(alt)
    return f"${match.group(1).strip()}$" if match else ""


def _mark(element: etree._Element, md: str, base_url: str | None) -> str:
    """Return the markdown of an inline element's content wrapped as its tag asks (link, bold, ...)."""
    tag = tag_of(element)
    if not md.strip():
        return md
    if tag == "a" and element.get("href"):
        href = element.get("href", "")
        if not _scripted(href):
            href = _absolute(base_url, href)
            if not href.startswith("#"):
                return f"[{md.strip()}]({href})"
    elif tag in ("strong", "b"):
        return f"**{md.strip()}**"
    elif tag in ("em", "i"):
        return f"*{md.strip()}*"
    elif tag == "code":
        return f"`{md.strip()}`"
    elif tag == "math":
        tex = _tex(element)
        if tex:
            return f"$${tex}$$" if element.get("display") == "block" else f"${tex}$"
    return md


def _inline(element: etree._Element, base_url: str | None, images: bool, depth: int = 0) -> tuple[str, str]:
    """Return (plain, markdown) text of an inline subtree (with image references if `images`)."""
    plain: list[str] = [_source(element.text)]
    md: list[str] = [_source(element.text)]
    # The last letter an element child printed, while no text of this element has come after it.
    ended = ""
    for child in element:
        tag = tag_of(child)
        if tag == "br":
            plain.append("\n")
            md.append("  \n")
        elif tag == "img":
            md.append(_picture(child, base_url, images))
        elif tag and depth < _MAX_RENDER_DEPTH:
            p, m = _inline(child, base_url, images, depth + 1)
            if p and ended and _GLUED.match(ended + p[0]):
                # "La Sportiva" and "Aragon" in two spans that a style sheet sets on two lines
                # (two elements: "Print<b>Runner</b>" is one word the page styles in two).
                plain.append(" ")
                md.append(" ")
            plain.append(p)
            md.append(_mark(child, m, base_url))
            ended = p[-1:] or ended
        elif tag:
            text = _flat_text(child)
            plain.append(text)
            md.append(text)
        tail = _source(child.tail)
        if tail:
            ended = ""
        plain.append(tail)
        md.append(tail)
    return "".join(plain), "".join(md)


# A lower-case letter or digit at the end of one element and a capital at the start of the next:
# a word boundary that only the page's style sheet draws.
_GLUED = re.compile(r"[a-z0-9][A-Z]")


def _squash(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.split("\n"))
    # A line of nothing but zero-width characters (a joiner left between two blocks) shows nothing.
    return "\n".join(line for line in lines if line and line.strip(ZERO_WIDTH))


_BACKTICKS = re.compile(r"`{3,}")
# How a page names a code block's language: class="language-python" or "lang-js" (highlight.js,
# Prism, Hugo, GitHub), on the <pre> or on its <code>.
_LANGUAGE_CLASS = re.compile(r"(?:^|\s)lang(?:uage)?-([\w+#.-]+)")
_LANGUAGE_NAME = re.compile(r"[\w+#.-]{1,30}")


def _code_language(pre: etree._Element) -> str:
    """Return the language a <pre> block declares, for the markdown fence ('' if none)."""
    for element in (pre, next(pre.iter("code"), None)):
        if element is None:
            continue
        declared = element.get("data-lang") or ""
        match = _LANGUAGE_CLASS.search(element.get("class") or "")
        name = match.group(1) if match else declared.strip()
        if name and _LANGUAGE_NAME.fullmatch(name):
            return name.lower()
    return ""


# The start of a paragraph's line that markdown would read as a heading, list item, quote or rule
# ("2024. A year of storms" is no list): its first mark gets a backslash.
_LOOKS_LIKE_MARKUP = re.compile(r"(?m)^(\d{1,9})([.)])(?=\s|$)|^(?=#{1,6}(?:\s|$)|[-+*](?:\s|$)|>|={3,}\s*$|[-_*]{3,}\s*$)(.)")


def _escaped(match: re.Match[str]) -> str:
    """Return a line start that reads as markup with a backslash on its mark ("2024\\.", "\\#")."""
    if match.group(1):
        return f"{match.group(1)}\\{match.group(2)}"
    return "\\" + match.group(3)


# Markdown bold around the whole of a line, and nothing bold inside it.
_ALL_BOLD = re.compile(r"^\*\*([^*]+)\*\*$")
# Characters that render as nothing (str.split() does not count them as space).
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_UI_GLYPHS = " \n·•|/×✕→←↓↑›‹»«–—-"


class _Walker:
    """Collect blocks from a subtree, flushing inline text at block boundaries."""

    def __init__(self, base_url: str | None, images: bool = False, tables: bool = True) -> None:
        self.base_url = base_url
        self.images = images
        self.tables = tables
        self.blocks: list[Block] = []
        self._plain: list[str] = []
        self._md: list[str] = []
        self._list_depth = 0
        self._ordered: list[int] = []
        # One entry per open <li>: True until the item's first block carries its marker.
        self._items: list[bool] = []
        self._fresh_list = False
        self._quote = 0

    def flush(self, kind: str = "p", level: int = 0) -> None:
        plain = _squash("".join(self._plain))
        md = _squash("".join(self._md))
        self._plain, self._md = [], []
        if not plain:
            if md and kind == "p":
                # Images with no words beside them (a figure): a block for markdown alone.
                self.blocks.append(Block("img", "", _quoted(md, self._quote), quote=self._quote))
            return
        if kind in ("p", "h") and not self._items and not plain.strip(_UI_GLYPHS):
            # A separator or a control's glyph on a line of its own ("·" between a post's date
            # and its replies, a "×" that closed a box): nothing to read.
            return
        if kind == "p":
            md = _LOOKS_LIKE_MARKUP.sub(_escaped, md)
        if kind in ("p", "li") and self._items:
            # An item's text before its nested list is the item; text after the list goes on it.
            kind = "li" if self._items[-1] else "more"
            self._items[-1] = False
        if kind == "more":
            kind, md = "p", "\n".join("  " * self._list_depth + line for line in md.split("\n"))
        elif kind == "h":
            # A heading is bold already: "## **Title**" (a <strong> around all of it) says it twice.
            md = "#" * max(1, min(level, 6)) + " " + _ALL_BOLD.sub(r"\1", md.replace("\n", " "))
        elif kind == "li":
            indent = "  " * max(self._list_depth - 1, 0)
            if self._ordered and self._ordered[-1] > 0:
                marker = f"{self._ordered[-1]}."
                self._ordered[-1] += 1
            else:
                marker = "-"
            md = f"{indent}{marker} {md}"
        if self._quote:
            md = _quoted(md, self._quote)
        if kind == "li":
            self.blocks.append(
                Block(kind, plain, md, depth=self._list_depth, opens_list=self._fresh_list, quote=self._quote)
            )
            self._fresh_list = False
        else:
            self.blocks.append(Block(kind, plain, md, quote=self._quote))

    def add_inline(self, element: etree._Element) -> None:
        plain, md = _inline(element, self.base_url, self.images)
        self._plain.append(plain)
        # A heading's own text is not wrapped; an inline child of a block is (e.g. <p><a>).
        self._md.append(md if tag_of(element) in HEADING_TAGS else _mark(element, md, self.base_url))

    def add_text(self, text: str | None) -> None:
        if text:
            self._plain.append(text)
            self._md.append(text)

    def walk(self, element: etree._Element, depth: int = 0) -> None:
        tag = tag_of(element)
        if depth > _MAX_RENDER_DEPTH:
            self.add_text(_flat_text(element))
            return
        if tag == "table" and not _holds_loose_content(element):
            self.flush()
            if self.tables:
                self._table(element)
            return
        if tag == "pre":
            self.flush()
            code = _preformatted(element).strip("\n")
            if code.strip():
                # A fence longer than any run of backticks in the code, so none of it closes the block.
                fence = "`" * max([3, *(len(run) + 1 for run in _BACKTICKS.findall(code))])
                md = f"{fence}{_code_language(element)}\n{code}\n{fence}"
                self.blocks.append(Block("pre", code, _quoted(md, self._quote), quote=self._quote))
            return
        if tag in HEADING_TAGS:
            self.flush()
            self.add_inline(element)
            self.flush("h", int(tag[1]))
            return
        if tag == "img":
            if self.images:
                self._md.append(_image(element, self.base_url))
            return
        if tag in ("ul", "ol"):
            self.flush()
            self._list_depth += 1
            self._ordered.append(_first_number(element) if tag == "ol" else 0)
            self._fresh_list = True
        elif tag == "li":
            self.flush()
            self._items.append(True)
        elif tag == "blockquote":
            self.flush()
            self._quote += 1
        elif tag in BLOCK_TAGS:
            self.flush()
        self.add_text(_source(element.text))
        for child in element:
            ctag = tag_of(child)
            if ctag == "img":
                # An image flows with the words around it, as it does on the page.
                self._md.append(_picture(child, self.base_url, self.images))
            elif ctag and (ctag in BLOCK_TAGS or ctag in ("table", "pre")):
                self.walk(child, depth + 1)
            elif ctag == "br":
                self.add_text("\n")
            elif ctag and any(tag_of(d) in BLOCK_TAGS for d in child.iterdescendants()):
                # An inline element wrapping blocks (e.g. <a><div>..</div></a>): walk it as a block.
                self.walk(child, depth + 1)
            elif ctag:
                self.add_inline(child)
            self.add_text(_source(child.tail))
        if tag in ("ul", "ol"):
            self.flush()
            self._list_depth -= 1
            self._ordered.pop()
        elif tag == "blockquote":
            self.flush()
            self._quote -= 1
        elif tag == "li":
            self.flush("li")
            self._items.pop()
        elif tag in BLOCK_TAGS:
            self.flush()

    def _table(self, table: etree._Element) -> None:
        rows: list[list[str]] = []
        for row in table.iter("tr"):
            if _nearest_table(row) is not table:
                continue
            # A cell's <br>s and blocks part its words as they do on screen (text_content() would
            # glue "interview<br>Thank" into one word).
            cells = [visible_text(c) for c in row if tag_of(c) in ("td", "th")]
            if any(c.strip(ZERO_WIDTH) for c in cells):
                rows.append(cells)
        if not rows:
            return
        text = "\n".join(" | ".join(c for c in cells) for cells in rows)
        width = max(len(r) for r in rows)
        padded = [r + [""] * (width - len(r)) for r in rows]
        esc = [[c.replace("|", "\\|") for c in r] for r in padded]
        md_lines = ["| " + " | ".join(esc[0]) + " |", "|" + " --- |" * width]
        md_lines += ["| " + " | ".join(r) + " |" for r in esc[1:]]
        self.blocks.append(Block("table", text, _quoted("\n".join(md_lines), self._quote), rows, quote=self._quote))


# What a table holds as a table; a form wrapping rows (common in old markup) is transparent.
_TABLE_PARTS = frozenset({"tr", "thead", "tbody", "tfoot", "caption", "colgroup", "col", "form"})


def _holds_loose_content(table: etree._Element) -> bool:
    """True for a table with text in children that are no rows: broken markup that libxml2
    left inside the table (paragraphs after a layout row). Such a table renders as blocks."""
    return any(
        tag_of(child) not in _TABLE_PARTS and child.text_content().strip()
        for child in table
        if tag_of(child)
    )


def _nearest_table(row: etree._Element) -> etree._Element | None:
    for ancestor in row.iterancestors():
        if tag_of(ancestor) == "table":
            return ancestor
    return None


def render_blocks(
    containers: list[etree._Element], base_url: str | None, *, images: bool = False, tables: bool = True
) -> list[Block]:
    """Walk the article containers and return their blocks in order.

    `images` adds image references to the markdown (plain text never shows them); without
    `tables` a table of data is left out (a table that lays out the page's prose is not one).
    """
    walker = _Walker(base_url, images, tables)
    for container in containers:
        walker.walk(container)
        walker.flush()
    return walker.blocks


def render_text(blocks: list[Block]) -> str:
    """Join blocks as plain text, one block (or table row) per line; images have no text."""
    return "\n".join(block.text for block in blocks if block.text)


def render_markdown(title: str | None, blocks: list[Block]) -> str:
    """Join blocks as markdown, with the title as a top heading; a list's items stay together."""
    parts = [f"# {title}"] if title else []
    for index, block in enumerate(blocks):
        if parts:
            before = blocks[index - 1] if index else None
            # Items of one list (and a nested list under its item) sit line by line; a new list
            # right after another is parted from it, or markdown would read them as one.
            tight = (
                block.kind == "li" and before is not None and before.kind == "li"
                and not (block.opens_list and block.depth <= before.depth)
            )
            # Paragraphs of one quotation stay in it: a blank line would end it and start another.
            within = min(block.quote, before.quote) if before is not None else 0
            parts.append("\n" if tight else "\n" + " ".join(">" * within) + "\n" if within else "\n\n")
        parts.append(block.markdown)
    return "".join(parts)


def _quoted(markdown: str, depth: int) -> str:
    """Return `markdown` with each line inside `depth` blockquotes."""
    if not depth:
        return markdown
    prefix = "> " * depth
    return "\n".join((prefix + line).rstrip() if line else prefix.rstrip() for line in markdown.split("\n"))


def _first_number(ordered: etree._Element) -> int:
    """Return the number an <ol> starts at (its start attribute; 1 without a valid one)."""
    start = (ordered.get("start") or "").strip()
    return int(start) if start.isdigit() and 0 < int(start) < 1_000_000 else 1


_SPACE = re.compile(r"\s+")


def _collapse(text: str | None) -> str | None:
    return _SPACE.sub(" ", text) if text else text


def render_html(
    containers: list[etree._Element], title: str | None, base_url: str | None, *,
    images: bool = False, tables: bool = True,
) -> str:
    """Serialize the article containers as clean HTML (no scripts, styles or presentational
    attributes); `images` and `tables` as in render_blocks."""
    article = etree.Element("article")
    if title:
        heading = etree.SubElement(article, "h1")
        heading.text = title
    for container in containers:
        copy = lxml_html.fromstring(lxml_html.tostring(container)) if tag_of(container) else None
        if copy is None:
            continue
        for pre in copy.iter("pre"):
            _break_code_lines(pre)
        preformatted = {node for pre in copy.iter("pre") for node in pre.iter()}
        for element in list(copy.iter()):
            tag = tag_of(element)
            parent = element.getparent()
            if parent is not None and tag in _DROP_IN_HTML:
                # drop_tree keeps the text after the element, which belongs to its parent.
                element.drop_tree()
                continue
            if parent is not None and tag in _UNWRAP_IN_HTML and element is not copy:
                # (The copy itself has a parent too: the fragment parser puts it in a <body>.)
                element.drop_tag()
                continue
            if parent is not None and (
                (tag == "img" and not images) or (tag == "table" and not tables and not _holds_loose_content(element))
            ):
                # Its tail is text of the paragraph around it.
                element.drop_tree()
                continue
            # Read before the attributes are cleared: a lazy image keeps its address in data-src.
            source = _image_address(element) if tag == "img" else ""
            keep = _KEEP_ATTRS.get(tag, ())
            # Cleared and set again rather than deleted by name: lxml cannot address an attribute
            # whose name it parsed but would not accept ("{face" on a mangled <font>).
            kept = [(name, element.get(name)) for name in keep if element.get(name) is not None]
            element.attrib.clear()
            for name, value in kept:
                element.set(name, value or "")
            if tag == "a" and element.get("href") is not None:
                href = element.get("href", "")
                if _scripted(href):
                    # Clean HTML runs no script: a "javascript:" link keeps its words, not its code.
                    del element.attrib["href"]
                elif base_url and href:
                    element.set("href", _absolute(base_url, href))
            if source:
                element.set("src", _image_source(source, base_url))
            if element not in preformatted:
                # Source indentation is layout, not content: one space wherever there was any.
                try:
                    element.text = _collapse(element.text)
                    element.tail = _collapse(element.tail)
                except ValueError:
                    # lxml refuses to store some characters it read (lone surrogates): keep them as read.
                    pass
        if not images:
            # A figure or picture that held only its image is left empty.
            for frame in list(copy.iter("figure", "picture")):
                if frame is not copy and not len(frame) and not (frame.text or "").strip():
                    frame.drop_tree()
        for anchor in [a for a in copy.iter("a") if a.get("href") is None and a is not copy]:
            # A named anchor (or a script's link) keeps its words but is no link here.
            anchor.drop_tag()
        for element in reversed(list(copy.iter(*_EMPTY_GOES))):
            # Emptied by the removals above, or empty in the source (a spacer, an icon's box).
            if element is not copy and not len(element) and not (element.text or "").strip():
                element.drop_tag()
        if tag_of(copy) in ("body", "html", "article", "main", "td", "th", "li", "dd", "a", "form"):
            # The output is one <article>; the source's own wrapper becomes a plain division (a
            # table cell or a list item outside its table or list would be broken markup).
            copy.tag = "div"
        elif tag_of(copy) in ("tr", "thead", "tbody", "tfoot"):
            # Rows chosen without their table get one.
            table = lxml_html.Element("table")
            table.append(copy)
            copy = table
        article.append(copy)
    return lxml_html.tostring(article, encoding="unicode", method="html")
