"""Read FiveFilters / Instapaper site config files (ftr-site-config) as they are.

One ``.txt`` file per host: ``example.com.txt`` matches example.com (and
www.example.com), ``.example.com.txt`` matches every subdomain. Each line is
``directive: value``; ``#`` starts a comment. The directives that have a
counterpart in our model are mapped (XPath kept as written):

    body, title, author, date   -> select.body / title / author / date
    strip                       -> remove.selectors
    strip_id_or_class           -> remove.selectors (class or id token)
    strip_image_src             -> remove.selectors (img whose src contains it)
    test_url                    -> test_urls

Every other directive (``prune``, ``tidy``, ``replace_string``, login and
paging directives, ...) is counted as skipped so the caller can report it. An
XPath that lxml cannot compile, or that would fail when evaluated (an undefined
namespace prefix, variable or function), is skipped too, counted under ``bad xpath``,
and kept in `FtrFile.problems` for `scraper rules check`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from scraper.errors import RuleError
from scraper.rules.model import Selector, SiteRule

__all__ = ["FtrFile", "host_of_file", "load_ftr_file", "parse_ftr", "to_toml"]

_LINE = re.compile(r"^\s*([A-Za-z_]+)(\([^)]*\))?\s*:\s?(.*)$")
_SELECTING = {"body": "body", "title": "title", "author": "author", "date": "date", "strip": "remove"}
BAD_XPATH = "bad xpath"


@dataclass
class FtrFile:
    """One FTR file mapped to our model, with what could not be mapped."""

    path: str
    hosts: tuple[str, ...]
    # Our-model field -> XPath expressions, in file order.
    fields: dict[str, list[str]] = field(default_factory=dict)
    test_urls: list[str] = field(default_factory=list)
    # Directive name -> number of lines we do not support.
    skipped: dict[str, int] = field(default_factory=dict)
    # "line N: what is wrong" for lines that were skipped because they are broken.
    problems: list[str] = field(default_factory=list)
    rule: SiteRule | None = None


def host_of_file(file: Path) -> tuple[str, ...]:
    """Return the host patterns an FTR file name stands for."""
    name = file.name.removesuffix(".txt")
    name = name.lower()
    if name.startswith("."):
        return (f"*.{name[1:]}",)
    return (name,)


def _quote(value: str) -> str:
    """Quote a literal for XPath 1.0 (which has no escape character)."""
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in value.split("'")) + ")"


def _token_xpath(token: str) -> str:
    quoted = _quote(f" {token} ")
    return (
        f"//*[contains(concat(' ', normalize-space(@class), ' '), {quoted})"
        f" or contains(concat(' ', normalize-space(@id), ' '), {quoted})]"
    )


def parse_ftr(text: str, *, path: str, hosts: tuple[str, ...]) -> FtrFile:
    """Map the directives of one FTR file; never raises on a bad line (it is recorded)."""
    out = FtrFile(path=path, hosts=hosts)
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            out.skipped["unparsable line"] = out.skipped.get("unparsable line", 0) + 1
            out.problems.append(f"line {number}: not `directive: value`")
            continue
        name, value = match.group(1).lower(), match.group(3).strip()
        if not value:
            continue
        if name == "test_url":
            out.test_urls.append(value)
            continue
        if name == "strip_id_or_class":
            name, value = "strip", _token_xpath(value.strip("'\" "))
        elif name == "strip_image_src":
            name, value = "strip", f"//img[contains(@src, {_quote(value.strip(chr(39) + chr(34)))})]"
        if name not in _SELECTING:
            out.skipped[name] = out.skipped.get(name, 0) + 1
            continue
        try:
            _xpath(value, path=path, key=name)  # compiled now so a broken line is reported up front
        except RuleError as exc:
            out.skipped[BAD_XPATH] = out.skipped.get(BAD_XPATH, 0) + 1
            # The caller names the file; the error's own "file:key: " prefix would say it twice.
            out.problems.append(f"line {number}: {name}: {str(exc).removeprefix(f'{path}:{name}: ')}")
            continue
        out.fields.setdefault(_SELECTING[name], []).append(value)
    return out


def _xpath(expr: str, *, path: str, key: str, checked: bool = False) -> Selector:
    """Compile an FTR expression as XPath, always (FTR has no CSS).

    `checked`: the expression already passed `xpath_problem` (in `parse_ftr`), so skip it.
    """
    from lxml import etree

    from scraper.rules.loader import xpath_problem

    try:
        compiled = etree.XPath(expr)
    except etree.XPathError as exc:
        raise RuleError(f"bad XPath {expr!r}: {exc}", path=path, key=key) from exc
    # An undefined prefix, variable or function compiles, and would fail on the first page it meets.
    problem = None if checked else xpath_problem(compiled)
    if problem is not None:
        raise RuleError(f"bad XPath {expr!r}: {problem}", path=path, key=key)
    return Selector(expr, "xpath", compiled)


def _to_rule(parsed: FtrFile, *, rule_id: str, source: str) -> SiteRule | None:
    def sel(name: str) -> tuple[Selector, ...]:
        return tuple(_xpath(e, path=parsed.path, key=name, checked=True) for e in parsed.fields.get(name, []))

    if not parsed.fields:
        return None
    return SiteRule(
        id=rule_id,
        source=source,
        hosts=parsed.hosts,
        body=sel("body"),
        remove=sel("remove"),
        title=sel("title"),
        author=sel("author"),
        date=sel("date"),
        note=f"FTR site config {Path(parsed.path).name}",
        test_urls=tuple(parsed.test_urls),
    )


def load_ftr_file(file: Path, *, source: str | None = None) -> FtrFile:
    """Read one FTR file and build its site rule (None when it maps to nothing).

    Raises:
        RuleError: the file cannot be read.
    """
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise RuleError(f"cannot read: {exc}", path=str(file)) from exc
    hosts = host_of_file(file)
    parsed = parse_ftr(text, path=str(file), hosts=hosts)
    parsed.rule = _to_rule(parsed, rule_id="ftr:" + file.name[:-4], source=source or str(file.parent))
    return parsed


def _toml_list(values: list[str]) -> str:
    return "[\n" + "".join(f"  {_toml_str(v)},\n" for v in values) + "]"


def _toml_str(value: str) -> str:
    if "'''" not in value and "\n" not in value and "'" not in value:
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _as_xpath(expr: str) -> str:
    """Make sure our loader reads an FTR expression as XPath: a group is XPath, never CSS."""
    from scraper.rules.loader import XPATH_START

    return expr if XPATH_START.match(expr) else f"({expr})"


def to_toml(parsed: FtrFile) -> str:
    """Write the mapped part of an FTR file as one of our TOML rules."""
    lines = [
        f"# Converted from {Path(parsed.path).name} (FiveFilters ftr-site-config).",
    ]
    if parsed.skipped:
        lines.append("# Not converted: " + ", ".join(f"{k} x{v}" for k, v in sorted(parsed.skipped.items())))
    lines += [
        "schema = 1",
        f"hosts = {_toml_list(list(parsed.hosts))}",
        f"note = {_toml_str('converted from ' + Path(parsed.path).name)}",
    ]
    if parsed.test_urls:
        lines.append(f"test_urls = {_toml_list(parsed.test_urls)}")
    select = {k: parsed.fields[k] for k in ("body", "title", "author", "date") if k in parsed.fields}
    if select:
        lines.append("\n[select]")
        lines += [f"{k} = {_toml_list([_as_xpath(e) for e in v])}" for k, v in select.items()]
    if "remove" in parsed.fields:
        lines.append("\n[remove]")
        lines.append(f"selectors = {_toml_list([_as_xpath(e) for e in parsed.fields['remove']])}")
    return "\n".join(lines) + "\n"
