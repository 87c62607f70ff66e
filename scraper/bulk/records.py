"""The record written for each page, and the per-page work that makes it.

A record is a plain dict with these keys, in this order::

    id        file name up to its first dot; WARC-Record-ID; JSONL `id` field or line number
    source    file path; PATH@OFFSET for WARC; PATH:LINE for JSON Lines
    url       the page's URL when the input knows it (WARC, JSONL), else null
    title     the article's title, or null
    text      the article in the chosen --format; "" when the page holds no article
    metadata  author, date, sitename, language, description, canonical_url, image, categories, tags
    error     null, or a one-line message when the page could not be cleaned

A page with no article is not an error: its record has ``text: ""`` and
``error: null`` and the summary counts it as *empty*. An unreadable or broken
page has ``error`` set, ``text: ""`` and the other fields null.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from scraper.bulk.readers import WorkItem, inflate
from scraper.errors import ScraperError, UsageError
from scraper.models import Article, Options
from scraper.rules import RuleSet

Record = dict[str, Any]
TextFormat = Literal["text", "markdown", "html"]
Outcome = Literal["cleaned", "empty", "failed"]

FIELDS: tuple[str, ...] = ("id", "source", "url", "title", "text", "metadata", "error")
FORMATS: tuple[str, ...] = ("text", "markdown", "html")


@dataclass(frozen=True)
class PageResult:
    """A page's record and how it went (kept apart, since --fields may drop `text` and `error`)."""

    record: Record
    outcome: Outcome


@dataclass(frozen=True)
class RecordSpec:
    """What each record holds: the text format and the fields kept (always in FIELDS order)."""

    format: TextFormat = "text"
    fields: tuple[str, ...] = FIELDS


def parse_fields(value: str | None) -> tuple[str, ...]:
    """Turn a --fields value ("id,url,text") into a tuple of field names in record order.

    Raises:
        UsageError: a name is not a record field, or none is given.
    """
    if value is None:
        return FIELDS
    wanted = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in FIELDS]
    if unknown:
        raise UsageError(f"unknown field(s) {', '.join(unknown)}; choose from {','.join(FIELDS)}")
    if not wanted:
        raise UsageError(f"--fields needs at least one of {','.join(FIELDS)}")
    return tuple(name for name in FIELDS if name in wanted)


def _text_of(article: Article, fmt: TextFormat) -> str:
    if fmt == "markdown":
        return article.markdown
    if fmt == "html":
        return article.html
    return article.text


def article_record(item: WorkItem, article: Article, spec: RecordSpec) -> Record:
    """Build the record of a cleaned page."""
    full: Record = {
        "id": item.id,
        "source": item.source,
        "url": item.url,
        "title": article.title,
        "text": _text_of(article, spec.format) if not article.is_empty else "",
        "metadata": article.metadata.to_dict(),
        "error": None,
    }
    return trim(full, spec.fields)


def error_record(item: WorkItem, message: str, fields: Sequence[str] = FIELDS) -> Record:
    """Build the record of a page that could not be cleaned."""
    full: Record = {
        "id": item.id,
        "source": item.source,
        "url": item.url,
        "title": None,
        "text": "",
        "metadata": None,
        "error": message,
    }
    return trim(full, fields)


def trim(record: Record, fields: Sequence[str]) -> Record:
    """Keep only `fields` of a record."""
    if len(fields) == len(FIELDS):
        return record
    return {name: record[name] for name in fields}


def describe(exc: BaseException) -> str:
    """Return an exception as a one-line record message: our errors by message, others by kind too."""
    text = " ".join(str(exc).split())
    if isinstance(exc, ScraperError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def picklable(exc: BaseException) -> BaseException:
    """Return `exc`, or a RuntimeError naming it when it cannot cross to the parent process."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - e.g. an exception class with a custom signature
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def clean_item(item: WorkItem, ruleset: RuleSet, options: Options, spec: RecordSpec) -> PageResult:
    """Clean one work item into its record; any failure becomes an error record."""
    from scraper.core import clean

    if item.error is not None or item.data is None:
        return failed(item, item.error or "no data", spec.fields)
    try:
        html = with_charset(inflate(item.data, options.max_input_bytes), item.charset)
        article = clean(html, url=item.url, rules=ruleset, options=options)
    except Exception as exc:  # noqa: BLE001 - one broken page must not end a run of millions
        return failed(item, describe(exc), spec.fields)
    return PageResult(article_record(item, article, spec), "empty" if article.is_empty else "cleaned")


def with_charset(data: bytes, charset: str | None) -> str | bytes:
    """Decode a page with the charset its HTTP headers declared, as `scraper clean URL` does.

    Without a charset, or with UTF-8 (what detection finds anyway), the bytes go to the
    extractor as they are: it checks them for binary content and parses UTF-8 bytes faster.
    """
    from scraper.parse import decode_html, looks_binary

    if not charset or _is_utf8(charset) or looks_binary(data):
        return data
    return decode_html(data, declared=charset).text


def _is_utf8(label: str) -> bool:
    try:
        return codecs.lookup(label.strip().strip("\"'")).name == "utf-8"
    except LookupError:
        return False


def failed(item: WorkItem, message: str, fields: Sequence[str] = FIELDS) -> PageResult:
    """Return the result of a page that could not be cleaned."""
    return PageResult(error_record(item, message, fields), "failed")
