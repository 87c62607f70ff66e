"""Read rule files from disk, validate them and compile them (the I/O edge of the rules stage).

Everything is checked here, at load time: unknown keys, wrong types, selectors
that do not compile or would fail when evaluated, regexes that do not compile, options the core does not
know. A broken file raises `RuleError` naming the file and the key, so nothing
fails later, in the middle of an extraction.

Folders are read in precedence order: user folders first (``--rules DIR``,
then the ``SCRAPER_RULES`` path list), shipped rules last. A folder may hold
our TOML files, FiveFilters/Instapaper ``.txt`` files (read by
`scraper.rules.ftr`), or both.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from cssselect import GenericTranslator, SelectorError
from lxml import etree

from scraper.errors import RuleError, UsageError
from scraper.models import Options
from scraper.rules.model import CaselessPattern, GenericRules, RuleSet, Selector, SiteRule

__all__ = [
    "ENV_VAR",
    "LoadReport",
    "compile_selector",
    "default_ruleset",
    "host_problem",
    "load_generic",
    "load_ruleset",
    "load_ruleset_report",
    "load_site_rule",
    "normal_host",
    "parse_site_rule",
    "rule_dirs_from_env",
    "shipped_rules_dir",
    "xpath_problem",
]

# Environment variable holding extra rule folders (os.pathsep-separated), read after --rules.
ENV_VAR = "SCRAPER_RULES"
# The schema versions this loader understands.
SUPPORTED_SCHEMAS = frozenset({1})
GENERIC_FILE = "generic.toml"

_CSS = GenericTranslator()
# XPath starts with a path, a group, a function call (`substring-after(`) or an axis (`descendant::`);
# CSS never does, so the two need no marker.
XPATH_START = re.compile(r"^\s*(?:[/(]|\.\.?/|[\w-]+\s*\(|[\w-]+::)")

# Site rule layout: top-level keys, then the keys allowed in each table, with their types.
_TOP_KEYS: dict[str, type] = {
    "schema": int,
    "id": str,
    "hosts": list,
    "paths": list,
    "note": str,
    "fixture": str,
    "generic": bool,
    "test_urls": list,
    "select": dict,
    "remove": dict,
    "keep": dict,
    "drop_text": dict,
    "options": dict,
}
_TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "select": ("body", "title", "author", "date"),
    "remove": ("selectors",),
    "keep": ("selectors",),
    "drop_text": ("patterns",),
}
_GENERIC_KEYS: dict[str, tuple[str, ...]] = {
    "clutter": ("headings", "comment_headings", "phrases", "small_print"),
    "attributes": ("boilerplate", "weak", "content", "neutral", "notes", "hidden", "comments"),
    "remove": ("selectors",),
    "threads": ("urls", "markup", "reply_tokens", "phrases", "boilerplate"),
    "products": ("markup", "not_markup", "boilerplate", "urls"),
    "fronts": ("urls",),
}
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def shipped_rules_dir() -> Path:
    """Return the folder of rules shipped with the package.

    In a wheel the rules sit in ``scraper/data/rules`` (copied there at build
    time); in a source checkout or an editable install they are the top-level
    ``rules/`` folder, which is the source of truth.
    """
    packaged = Path(__file__).resolve().parent.parent / "data" / "rules"
    if (packaged / GENERIC_FILE).is_file():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "rules"


def rule_dirs_from_env(environ: dict[str, str] | None = None) -> list[Path]:
    """Return the folders named by the SCRAPER_RULES variable, in order."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return [Path(part) for part in value.split(os.pathsep) if part.strip()]


def compile_selector(expr: str, *, path: str, key: str) -> Selector:
    """Compile a CSS selector, or an XPath one (a path, group, function call or axis)."""
    if not isinstance(expr, str) or not expr.strip():
        raise RuleError(f"selector must be a non-empty string, got {expr!r}", path=path, key=key)
    try:
        if XPATH_START.match(expr):
            selector = Selector(expr, "xpath", etree.XPath(expr))
        else:
            selector = Selector(expr, "css", etree.XPath(_CSS.css_to_xpath(expr, prefix="descendant-or-self::")))
    except (SelectorError, etree.XPathError) as exc:
        raise RuleError(f"bad selector {expr!r}: {exc}", path=path, key=key) from exc
    # Compiling checks only the syntax; prefixes, variables and functions fail when evaluated.
    problem = xpath_problem(selector.xpath)
    if problem is not None:
        raise RuleError(f"bad selector {expr!r}: {problem}", path=path, key=key)
    return selector


# Rules are evaluated with no namespaces, no variables and only the XPath 1.0 function library.
# `etree.XPath(expr)` checks only the syntax: libxml2 looks up prefixes, variables and functions,
# and counts arguments, while it evaluates, and only in the steps it reaches. `//div[foo:bar()]`
# runs cleanly on a page without a <div> and fails on the first page with one, and no small test
# page reaches every predicate, so `xpath_problem` reads the expression's text for those mistakes.
# The functions and node tests libxml2 knows, with how many arguments each takes (None: any).
_XPATH_ARITY: dict[str, tuple[int, int | None]] = {
    **dict.fromkeys(("last", "position", "true", "false", "node", "text", "comment"), (0, 0)),
    **dict.fromkeys(
        ("local-name", "namespace-uri", "name", "string", "string-length", "normalize-space", "number",
         "processing-instruction"),
        (0, 1),
    ),
    **dict.fromkeys(("count", "id", "boolean", "not", "lang", "sum", "floor", "ceiling", "round"), (1, 1)),
    **dict.fromkeys(("contains", "starts-with", "substring-before", "substring-after"), (2, 2)),
    "substring": (2, 3),
    "translate": (3, 3),
    "concat": (2, None),
}

_XPATH_NAME = r"[^\W\d][\w.-]*"
# String literals, blanked out first so their text is never read as names.
_LITERAL = re.compile(r"\"[^\"]*\"|'[^']*'")
_VARIABLE = re.compile(rf"\$({_XPATH_NAME}(?::{_XPATH_NAME})?)")
# A prefixed name (`foo:bar`, `x:*`); `child::div` is an axis, not a prefix.
_PREFIXED = re.compile(rf"(?<![\w.:-])(({_XPATH_NAME}):(?!:)(?:{_XPATH_NAME}|\*))")
# What decides a call's argument count: a name followed by "(" (a call), or a parenthesis or comma.
_CALL_PART = re.compile(rf"(?<![\w.:-])({_XPATH_NAME})\s*\(|[(),]")
_CLOSING = re.compile(r"\s*\)")

# The page for the final trial evaluation: empty, so it costs little, yet it runs the expression's
# top level (a function given a node-set where it wants a string fails there).
_XPATH_TRIAL_PAGE = etree.fromstring("<html><body/></html>")


def xpath_problem(compiled: etree.XPath) -> str | None:
    """Return what would make `compiled` fail when it is evaluated on a page, or None."""
    problem = _xpath_text_problem(compiled.path)
    if problem is not None:
        return problem
    try:
        compiled(_XPATH_TRIAL_PAGE)
    except etree.XPathError as exc:
        return str(exc)
    return None


def _xpath_text_problem(path: str) -> str | None:
    """Check prefixes, variables, function names and argument counts in an XPath's text."""
    bare = _LITERAL.sub("''", path)
    variable = _VARIABLE.search(bare) if "$" in bare else None
    if variable is not None:
        return f"undefined variable ${variable.group(1)} (rules are evaluated without variables)"
    # Most expressions hold no colon but those of axes (`descendant::`): skip the slow search.
    prefixes = _PREFIXED.finditer(bare) if ":" in bare.replace("::", "") else ()
    for prefixed in prefixes:
        if prefixed.group(2) != "xml":  # libxml2 always knows the xml: prefix
            name = prefixed.group(1)
            return f"undefined namespace prefix {prefixed.group(2)!r} in {name!r} (rules are evaluated without namespaces)"
    # One entry per open parenthesis: the function it calls (None for a group) and how many
    # arguments it has so far (0 when it closes at once, else 1 plus the commas seen).
    opened: list[tuple[str | None, int]] = []
    for part in _CALL_PART.finditer(bare):
        function, text = part.group(1), part.group()
        if function is not None and _is_xpath_operator(bare, part.start(), function):
            function = None
        if function is not None and function not in _XPATH_ARITY:
            return f"unknown function {function}() (XPath 1.0 functions only)"
        if text == ",":
            if opened:
                opened[-1] = (opened[-1][0], opened[-1][1] + 1)
        elif text == ")":
            if opened:
                problem = _arity_problem(*opened.pop())
                if problem is not None:
                    return problem
        else:
            opened.append((function, 0 if _CLOSING.match(bare, part.end()) else 1))
    return None


def _is_xpath_operator(bare: str, start: int, name: str) -> bool:
    """Tell whether `name` at `start` is the operator `and`, `or`, `div` or `mod`, not a call.

    XPath reads such a name as an operator when a value comes before it: `a and (b)`, `1 or (c)`.
    """
    if name not in ("and", "or", "div", "mod"):
        return False
    before = bare[:start].rstrip()[-1:]
    return before.isalnum() or before in (")", "]", "'", '"', ".", "*", "_")


def _arity_problem(name: str | None, count: int) -> str | None:
    """Say what is wrong when a function is given the wrong number of arguments."""
    if name is None:
        return None
    low, high = _XPATH_ARITY[name]
    if count < low or (high is not None and count > high):
        wanted = f"{low}" if low == high else f"at least {low}" if high is None else f"{low} to {high}"
        return f"{name}() takes {wanted} argument(s), given {count}"
    return None


def compile_pattern(pattern: str, *, path: str, key: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Compile one regex, naming the file and key when it is broken."""
    if not isinstance(pattern, str) or not pattern:
        raise RuleError(f"pattern must be a non-empty string, got {pattern!r}", path=path, key=key)
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise RuleError(f"bad regex {pattern!r}: {exc}", path=path, key=key) from exc


def _strings(value: Any, *, path: str, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"expected a list of strings, got {type(value).__name__}", path=path, key=key)
    return value


def _phrase_regex(phrases: list[str], *, path: str, key: str) -> re.Pattern[str]:
    for phrase in phrases:
        compile_pattern(phrase, path=path, key=key)  # name the broken phrase, not the joined regex
    if not phrases:
        return re.compile(r"(?!x)x")
    return re.compile(r"^\W*(?:" + "|".join(f"(?:{p})" for p in phrases) + r")\W*$", re.IGNORECASE | re.DOTALL)


def _token_regex(tokens: list[str], *, path: str, key: str) -> re.Pattern[str]:
    for token in tokens:
        compile_pattern(token, path=path, key=key)
    if not tokens:
        return re.compile(r"(?!x)x")
    # A token may end in digits: templates number their boxes ("sidebar2", "footer1").
    joined = "|".join(_either_separator(token) for token in tokens)
    return re.compile(r"(?:^|[\s_-])(?:" + joined + r")\d*(?=$|[\s_-])", re.IGNORECASE)


def _either_separator(token: str) -> str:
    """Let a hyphen in a token stand for an underscore too: "about-?author" finds "about_author".

    Class names join words both ways (kebab-case, snake_case); tokens are written with hyphens.
    Hyphens inside a character class ("[a-z]"), in inline flags ("(?-i:") and escaped ones are
    left as they are.
    """
    out = []
    in_class = False
    i = 0
    while i < len(token):
        char = token[i]
        if char == "\\":
            out.append(token[i : i + 2])
            i += 2
            continue
        if char == "(" and token[i + 1 : i + 2] == "?":
            flags = _INLINE_FLAGS.match(token, i)
            end = flags.end() if flags else i + 2
            out.append(token[i:end])
            i = end
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        out.append("[_-]" if char == "-" and not in_class else char)
        i += 1
    return "".join(out)


# The start of a group with inline flags, "(?-i:" or "(?i)", whose hyphen is no separator.
_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux]*-?[aiLmsux]*[:)]")


# Escapes whose meaning does not depend on letter case (classes of characters, punctuation).
_CASELESS_ESCAPE = re.compile(r"\\[sSwWdDbB.\-_/|()\[\]{}?*+^$\\ ]")


def _token_pattern(tokens: list[str], *, path: str, key: str) -> CaselessPattern:
    """Compile tokens as `_token_regex` does, with a twin for lower-cased ASCII text when it agrees."""
    return _caseless(_token_regex(tokens, path=path, key=key))


def _caseless(regex: re.Pattern[str]) -> CaselessPattern:
    """Wrap an IGNORECASE regex, adding its case-sensitive twin where the two agree on ASCII text."""
    bare = _CASELESS_ESCAPE.sub("", regex.pattern)
    folds_to_ascii = any(c.lower().isascii() or c.upper().isascii() for c in bare if not c.isascii())
    if "\\" in bare or bare != bare.lower() or "(?-" in bare or folds_to_ascii:
        return CaselessPattern(regex)
    return CaselessPattern(regex, re.compile(regex.pattern, regex.flags & ~re.IGNORECASE))


def _class_regex(patterns: list[str], *, path: str, key: str) -> re.Pattern[str] | None:
    """Compile whole class names (each a regex) into one pattern that finds them in class/id text."""
    if not patterns:
        return None
    for pattern in patterns:
        compile_pattern(pattern, path=path, key=key)
    joined = "|".join(_either_separator(pattern) for pattern in patterns)
    return re.compile(r"(?:^|(?<=\s))(?:" + joined + r")(?=$|\s)", re.IGNORECASE)


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"not valid TOML: {exc}", path=str(file)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"cannot read: {exc}", path=str(file)) from exc


def _check_schema(data: dict[str, Any], where: str) -> None:
    schema = data.get("schema")
    if schema is None:
        raise RuleError("missing (add `schema = 1`)", path=where, key="schema")
    if isinstance(schema, bool) or not isinstance(schema, int) or schema not in SUPPORTED_SCHEMAS:
        raise RuleError(f"unsupported schema {schema!r} (supported: 1)", path=where, key="schema")


def _any_regex(patterns: list[str], *, path: str, key: str) -> re.Pattern[str] | None:
    """Compile a list of regexes into one alternation (None when the list is empty)."""
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error as exc:
        raise RuleError(f"bad pattern: {exc}", path=path, key=key) from exc


_ANY_WITH = re.compile(r"^descendant-or-self::\*\[(.*)\]$", re.DOTALL)
_ATTRIBUTE_NAME = re.compile(r"@([\w-]+)")


def _merge_predicates(selectors: tuple[Selector, ...]) -> tuple[Selector, ...]:
    """Fold `*[condition]` selectors into one, so the tree is walked once for all of them."""
    simple = [(s, _ANY_WITH.match(s.xpath.path)) for s in selectors]
    conditions = [m.group(1) for s, m in simple if m]
    if len(conditions) < 2:
        return selectors
    predicate = "[" + " or ".join(f"({c})" for c in conditions) + "]"
    names = sorted({name for c in conditions for name in _ATTRIBUTE_NAME.findall(c)})
    path = "descendant-or-self::*" + predicate
    if all(_ATTRIBUTE_NAME.search(c) and "not(" not in c for c in conditions):
        # Each condition needs one of its attributes present: start from those attributes'
        # owners, so libxml2 tests the predicate only on the few elements that carry any
        # (twice as fast as walking every element, which was itself 4x faster than testing
        # the whole predicate on each). Union and parent steps keep document order, no repeats.
        owners = "|".join(f"descendant-or-self::*/@{name}" for name in names)
        path = f"({owners})/parent::*" + predicate
    merged = Selector(" , ".join(s.expr for s, m in simple if m), "css", etree.XPath(path))
    return (merged, *(s for s, m in simple if not m))


def load_generic(file: Path) -> GenericRules:
    """Load, validate and compile the generic rule file."""
    where = str(file)
    data = _read_toml(file)
    _check_schema(data, where)
    for key, value in data.items():
        if key in ("schema", "kind", "note"):
            if key != "schema" and not isinstance(value, str):
                raise RuleError(f"expected a string, got {type(value).__name__}", path=where, key=key)
            continue
        if key not in _GENERIC_KEYS:
            raise RuleError(f"unknown key (allowed: {', '.join(sorted(_GENERIC_KEYS))})", path=where, key=key)
        if not isinstance(value, dict):
            raise RuleError(f"expected a table, got {type(value).__name__}", path=where, key=key)
        for sub in value:
            if sub not in _GENERIC_KEYS[key]:
                raise RuleError(
                    f"unknown key (allowed: {', '.join(_GENERIC_KEYS[key])})", path=where, key=f"{key}.{sub}"
                )

    def strings(table: str, key: str) -> list[str]:
        return _strings(data.get(table, {}).get(key, []), path=where, key=f"{table}.{key}")

    removals = tuple(compile_selector(s, path=where, key="remove.selectors") for s in strings("remove", "selectors"))
    bare = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
    return GenericRules(
        remove_tags=tuple(r.expr for r in removals if bare.match(r.expr)),
        remove_other=_merge_predicates(tuple(r for r in removals if not bare.match(r.expr))),
        clutter_heading=_caseless(_phrase_regex(strings("clutter", "headings"), path=where, key="clutter.headings")),
        comment_heading=_caseless(_phrase_regex(strings("clutter", "comment_headings"), path=where, key="clutter.comment_headings"))
        if strings("clutter", "comment_headings")
        else None,
        clutter_text=_caseless(_phrase_regex(strings("clutter", "phrases"), path=where, key="clutter.phrases")),
        boilerplate_attr=_token_pattern(strings("attributes", "boilerplate"), path=where, key="attributes.boilerplate"),
        content_attr=_token_pattern(strings("attributes", "content"), path=where, key="attributes.content"),
        neutral_attr=_class_regex(strings("attributes", "neutral"), path=where, key="attributes.neutral"),
        remove=removals,
        weak_attr=_token_pattern(strings("attributes", "weak"), path=where, key="attributes.weak")
        if strings("attributes", "weak")
        else None,
        notes_attr=_token_pattern(strings("attributes", "notes"), path=where, key="attributes.notes")
        if strings("attributes", "notes")
        else None,
        front_url=_any_regex(strings("fronts", "urls"), path=where, key="fronts.urls"),
        thread_url=_any_regex(strings("threads", "urls"), path=where, key="threads.urls"),
        thread_markup=_any_regex(strings("threads", "markup"), path=where, key="threads.markup"),
        thread_attr=_token_regex(strings("threads", "reply_tokens"), path=where, key="threads.reply_tokens")
        if strings("threads", "reply_tokens")
        else None,
        # On a thread both lists apply: built as one pattern, so a block is matched once.
        thread_clutter_text=_caseless(
            _phrase_regex(
                strings("clutter", "phrases") + strings("threads", "phrases"), path=where, key="threads.phrases"
            )
        )
        if strings("threads", "phrases")
        else None,
        thread_boilerplate_attr=_token_pattern(strings("threads", "boilerplate"), path=where, key="threads.boilerplate")
        if strings("threads", "boilerplate")
        else None,
        product_markup=_any_regex(strings("products", "markup"), path=where, key="products.markup"),
        product_url=_any_regex(strings("products", "urls"), path=where, key="products.urls"),
        product_not_markup=_any_regex(strings("products", "not_markup"), path=where, key="products.not_markup"),
        product_attr=_token_pattern(strings("products", "boilerplate"), path=where, key="products.boilerplate")
        if strings("products", "boilerplate")
        else None,
        hidden_classes=_class_names(strings("attributes", "hidden"), path=where, key="attributes.hidden"),
        comments_attr=_class_regex(strings("attributes", "comments"), path=where, key="attributes.comments"),
        small_print=_any_regex(strings("clutter", "small_print"), path=where, key="clutter.small_print"),
    )


def _class_names(names: list[str], *, path: str, key: str) -> frozenset[str]:
    """Return whole class names as a set (each one name: no spaces, no pattern)."""
    for name in names:
        if not re.fullmatch(r"[\w-]+", name):
            raise RuleError(f"not a class name: {name!r}", path=path, key=key)
    return frozenset(names)


_OPTION_FIELDS = {f.name: f for f in dataclasses.fields(Options)}


def _check_options(value: dict[str, Any], where: str) -> tuple[tuple[str, Any], ...]:
    defaults = Options()
    out = []
    for name, setting in value.items():
        key = f"options.{name}"
        if name not in _OPTION_FIELDS or name in ("max_input_bytes", "max_depth"):
            raise RuleError("unknown or not overridable option", path=where, key=key)
        default = getattr(defaults, name)
        ok = type(setting) is type(default) or (isinstance(default, float) and type(setting) is int)
        if not ok:
            raise RuleError(
                f"expected {type(default).__name__}, got {type(setting).__name__}", path=where, key=key
            )
        setting = float(setting) if isinstance(default, float) else setting
        try:
            defaults.replace(**{name: setting})
        except UsageError as exc:
            raise RuleError(str(exc).removeprefix("bad option: "), path=where, key=key) from exc
        out.append((name, setting))
    return tuple(out)


def _check_hosts(hosts: list[str], where: str) -> tuple[str, ...]:
    if not hosts:
        raise RuleError("a site rule needs at least one host", path=where, key="hosts")
    for host in hosts:
        problem = host_problem(host)
        if problem:
            raise RuleError(problem, path=where, key="hosts")
    return tuple(normal_host(host) for host in hosts)


def normal_host(host: str) -> str:
    """Return a rule's host as it is matched: lower case, no surrounding spaces or final dot."""
    return host.strip().lower().rstrip(".")


def host_problem(host: str) -> str | None:
    """Say why `host` cannot be a rule's host (a host name, or *. and a domain), or return None."""
    if not _HOST.match(normal_host(host)):
        return f"not a host name or *.wildcard: {host!r}"
    return None


def parse_site_rule(data: dict[str, Any], *, where: str, default_id: str, source: str) -> SiteRule:
    """Validate one site rule's data (already parsed from TOML) and compile it."""
    _check_schema(data, where)
    for key, value in data.items():
        if key not in _TOP_KEYS:
            raise RuleError(f"unknown key (allowed: {', '.join(sorted(_TOP_KEYS))})", path=where, key=key)
        wanted = _TOP_KEYS[key]
        if key == "schema":
            continue
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            kinds: dict[type, str] = {dict: "a table", list: "a list", str: "a string", bool: "true or false"}
            kind = kinds.get(wanted, wanted.__name__)
            raise RuleError(f"expected {kind}, got {type(value).__name__}", path=where, key=key)
        if key in _TABLE_KEYS:
            table = cast("dict[str, Any]", value)
            for sub in table:
                if sub not in _TABLE_KEYS[key]:
                    raise RuleError(
                        f"unknown key (allowed: {', '.join(_TABLE_KEYS[key])})", path=where, key=f"{key}.{sub}"
                    )

    def selectors(table: str, key: str) -> tuple[Selector, ...]:
        items = _strings(data.get(table, {}).get(key, []), path=where, key=f"{table}.{key}")
        return tuple(compile_selector(s, path=where, key=f"{table}.{key}") for s in items)

    hosts = _check_hosts(_strings(data.get("hosts", []), path=where, key="hosts"), where)
    paths = tuple(
        compile_pattern(p, path=where, key="paths", flags=0)
        for p in _strings(data.get("paths", []), path=where, key="paths")
    )
    drop = tuple(
        compile_pattern(p, path=where, key="drop_text.patterns")
        for p in _strings(data.get("drop_text", {}).get("patterns", []), path=where, key="drop_text.patterns")
    )
    rule = SiteRule(
        id=data.get("id", default_id),
        source=source,
        hosts=hosts,
        paths=paths,
        body=selectors("select", "body"),
        remove=selectors("remove", "selectors"),
        keep=selectors("keep", "selectors"),
        drop_text=drop,
        title=selectors("select", "title"),
        author=selectors("select", "author"),
        date=selectors("select", "date"),
        options=_check_options(data.get("options", {}), where),
        use_generic=data.get("generic", True),
        note=data.get("note", ""),
        fixture=data.get("fixture", ""),
        test_urls=tuple(_strings(data.get("test_urls", []), path=where, key="test_urls")),
    )
    if not any((rule.body, rule.remove, rule.keep, rule.drop_text, rule.title, rule.author, rule.date, rule.options)):
        raise RuleError("rule does nothing (no select, remove, keep, drop_text or options)", path=where)
    return rule


def load_site_rule(file: Path, *, source: str | None = None) -> SiteRule:
    """Load one site rule TOML file."""
    return parse_site_rule(
        _read_toml(file), where=str(file), default_id=file.stem, source=source or str(file.parent)
    )


@dataclasses.dataclass(frozen=True)
class LoadReport:
    """What loading produced: the rule set, the files read, and FTR directives left aside."""

    ruleset: RuleSet
    files: int
    # FTR directive name -> how many lines used it but have no counterpart in our model.
    skipped: dict[str, int]
    # FTR files read (a subset of `files`).
    ftr_files: int = 0


def _rule_files(folder: Path) -> tuple[list[Path], list[Path], Path | None]:
    tomls, txts, generic = [], [], None
    for file in sorted(folder.iterdir()):
        if not file.is_file():
            continue
        if file.name == GENERIC_FILE:
            generic = file
        elif file.suffix == ".toml":
            tomls.append(file)
        elif file.suffix == ".txt" and not file.name.startswith(("README", "LICENSE")):
            txts.append(file)
    return tomls, txts, generic


def load_ruleset_report(dirs: Sequence[Path], *, include_shipped: bool = True) -> LoadReport:
    """Load rule folders in precedence order and say what was read and skipped.

    Raises:
        RuleError: a folder is missing, or any file in it is invalid.
    """
    from scraper.rules import ftr

    folders = [Path(d) for d in dirs]
    if include_shipped:
        folders.append(shipped_rules_dir())
    sites: list[SiteRule] = []
    generic: GenericRules | None = None
    skipped: dict[str, int] = {}
    files = ftr_files = 0
    for folder in folders:
        if not folder.is_dir():
            raise RuleError("not a folder of rules", path=str(folder))
        tomls, txts, generic_file = _rule_files(folder)
        if generic_file is not None and generic is None:
            generic = load_generic(generic_file)  # the first folder's generic set wins
            files += 1
        for file in tomls:
            sites.append(load_site_rule(file, source=str(folder)))
            files += 1
        for file in txts:
            converted = ftr.load_ftr_file(file, source=str(folder))
            files += 1
            ftr_files += 1
            for name, count in converted.skipped.items():
                skipped[name] = skipped.get(name, 0) + count
            if converted.rule is not None:
                sites.append(converted.rule)
    if generic is None:
        # The generic set applies even when shipped site rules are left out.
        generic = load_generic(shipped_rules_dir() / GENERIC_FILE)
        files += 1
    return LoadReport(RuleSet(generic=generic, sites=tuple(sites)), files, skipped, ftr_files)


def load_ruleset(dirs: Iterable[Path] = (), *, include_shipped: bool = True) -> RuleSet:
    """Load rule folders (earlier ones win) plus, unless told not to, the shipped rules.

    Args:
        dirs: user rule folders, most important first (TOML and/or FTR .txt files).
        include_shipped: also read the rules shipped with scraper, after `dirs`.

    Returns:
        A `RuleSet` whose `match(url)` picks the most specific rule.

    Raises:
        RuleError: a folder is missing or a file in it is invalid (names file and key).
    """
    dirs = list(dirs)
    if not dirs and include_shipped:
        return default_ruleset()
    return load_ruleset_report(dirs, include_shipped=include_shipped).ruleset


@functools.cache
def default_ruleset() -> RuleSet:
    """Return the shipped rules, read once (an immutable value, like a constant)."""
    return load_ruleset_report([], include_shipped=True).ruleset
