"""`scraper clean SOURCE` (and the `clean` alias): print one page's article."""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
import zlib
from importlib import resources
from pathlib import Path

from scraper.cli.extraction import add_extraction_options, extraction_options
from scraper.cli.fetch_cmd import add_fetch_options
from scraper.core import clean
from scraper.errors import InputError, NoContentError, TooLargeInput, UsageError
from scraper.fetch import FetchOptions
from scraper.models import Article, Options

FORMATS = ("text", "markdown", "html", "json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of `clean` to `parser`."""
    parser.add_argument("source", nargs="?", help="http(s) URL, .html/.html.gz file, or - for stdin")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--url", help="the page's URL when reading a file or stdin (default: the canonical URL the page declares)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    add_extraction_options(parser)
    parser.add_argument("--sample", action="store_true", help="clean the bundled sample page")
    parser.add_argument("--explain", metavar="OUT.html", help="also write an HTML report of every decision")
    from scraper.cli.rules_cmd import add_rules_option

    add_rules_option(parser)
    add_fetch_options(parser)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `clean` command."""
    parser = sub.add_parser("clean", help="clean one page and print its article")
    add_arguments(parser)
    parser.set_defaults(handler=handle)


# "ftp://...", "file:///...": a URL we do not fetch, not a file name (unless such a file exists).
_OTHER_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")


def read_source(source: str, max_bytes: int = Options().max_input_bytes) -> bytes:
    """Read a file (.html or .html.gz) or stdin ('-') as bytes, never more than `max_bytes` of HTML.

    Raises:
        InputError: the file is missing, unreadable or corrupt gzip.
        TooLargeInput: the HTML (after decompression) is over `max_bytes`.
    """
    try:
        if source == "-":
            # One byte over the limit is enough to know it is too large.
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            with open(source, "rb") as handle:
                data = handle.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise InputError(f"{source}: no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{source}: is a directory (use `scraper bulk` for folders)") from exc
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from exc
    _check_size(source, data, max_bytes)
    if data[:2] == b"\x1f\x8b":
        try:
            # Read at most one byte past the limit, so a gzip bomb never inflates in memory.
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
                data = unzipped.read(max_bytes + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{source}: corrupt gzip data") from exc
        _check_size(source, data, max_bytes)
    return data


def _check_size(source: str, data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise TooLargeInput(f"{source}: input is over the {max_bytes:,} byte limit")


def fetch_source(url: str, args: argparse.Namespace) -> tuple[str, str]:
    """Fetch a URL with the robust fetcher; return the body and the final URL."""
    from scraper.fetch import fetch

    options = _fetch_options(args)
    page = fetch(url, options=options)
    return page.text, page.final_url


def _fetch_options(args: argparse.Namespace) -> FetchOptions:
    from scraper.cli.fetch_cmd import fetch_options_from_args

    return fetch_options_from_args(args)


def format_article(article: Article, fmt: str) -> str:
    """Render an article in one of FORMATS."""
    if fmt == "markdown":
        return article.markdown
    if fmt == "html":
        return article.html
    if fmt == "json":
        return json.dumps(article.to_dict(), ensure_ascii=False, indent=2)
    return article.text


def handle(args: argparse.Namespace) -> int:
    """Run `clean`: read or fetch, extract, print."""
    _check_arguments(args)
    url = args.url
    data: str | bytes
    if args.sample:
        data = resources.files("scraper").joinpath("data/sample.html").read_bytes()
        url = url or "https://news.example.com/ukraine-demands-uk-french-troops/"
    elif not args.source:
        raise UsageError("missing SOURCE (a URL, a file, or - for stdin)")
    elif args.source.lower().startswith(("http://", "https://")):
        data, url = fetch_source(args.source, args)
    elif _OTHER_SCHEME.match(args.source) and not Path(args.source).exists():
        raise UsageError(f"{args.source}: only http and https URLs can be fetched")
    else:
        data = read_source(args.source)
    from scraper.cli.rules_cmd import ruleset_from_args

    rules = ruleset_from_args(args)
    try:
        article = clean(data, url=url, rules=rules, options=Options(**extraction_options(args)))
    except InputError as exc:
        # Name the input, as a missing file is named: "img.png: input is binary, not HTML".
        raise type(exc)(f"{args.source or 'sample'}: {exc}") from exc
    if args.explain:
        from scraper.rules.explain import write_report

        write_report(args.explain, data, url, rules=rules, options=Options(**extraction_options(args)))
    if article.is_empty:
        raise NoContentError(f"{args.source or 'sample'}: no article content found")
    output = format_article(article, args.format)
    if args.output:
        try:
            Path(args.output).write_text(output + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    else:
        _write_stdout(output + "\n")
    return 0


def _check_arguments(args: argparse.Namespace) -> None:
    """Refuse what would otherwise be ignored without a word: an empty file name, two sources."""
    for value, flag in ((args.output, "-o"), (args.explain, "--explain")):
        if value == "":
            raise UsageError(f"{flag} needs a file name, not an empty one")
    if args.sample and args.source is not None:
        raise UsageError(f"give SOURCE or --sample, not both (got {args.source!r} and --sample)")


def _write_stdout(text: str) -> None:
    """Write UTF-8, as -o does, whatever encoding the terminal announces (ASCII would crash)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()
