"""`scraper fetch URL... [-i urls.txt] --warc OUT.warc.gz [-j N]`, and the fetch options `clean` shares.

`clean` reuses `add_fetch_options(parser)` and `fetch_options_from_args(args)` (or
`fetch_from_args(url, args)`), so both commands take the same flags with the same
meaning.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from tqdm import tqdm

from scraper.cli import Bounded
from scraper.errors import FetchError, InputError, UsageError
from scraper.fetch import DEFAULT_CONCURRENCY, AsyncFetcher, FetchOptions, Page, fetch
from scraper.fetch.options import header_value_problem
from scraper.fetch.warc import WarcArchive

_DEFAULTS = FetchOptions()


def add_fetch_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that control fetching to `parser` (shared by `clean` and `fetch`)."""
    group = parser.add_argument_group("fetching")
    group.add_argument(
        "--timeout", type=float, action=Bounded, low=0, above=True, metavar="SECONDS",
        help=f"total time allowed per page, retries included (default {_DEFAULTS.total_timeout_s:g})",
    )
    group.add_argument(
        "--retries", type=int, action=Bounded, low=0, metavar="N",
        help=f"retries on connection faults, 429, 502, 503, 504 (default {_DEFAULTS.retries})",
    )
    group.add_argument(
        "--max-bytes", type=int, action=Bounded, low=1, metavar="N",
        help=f"refuse bodies larger than this, raw or decompressed (default {_DEFAULTS.max_bytes:,})",
    )
    group.add_argument("--user-agent", type=_header_value, metavar="S", help="User-Agent header to send")
    group.add_argument("--ignore-robots", action="store_true", help="do not obey robots.txt")
    group.add_argument(
        "--allow-private", action="store_true",
        help="allow hosts on loopback, private, link-local or multicast addresses",
    )
    group.add_argument(
        "--trust-network", action="append", type=_network, metavar="CIDR", default=None,
        help="treat this network as public (repeatable), e.g. an intranet range",
    )


def fetch_options_from_args(args: argparse.Namespace) -> FetchOptions:
    """Build FetchOptions from parsed arguments; flags absent from `args` keep their defaults.

    Raises:
        UsageError: a value is out of range.
    """
    changes: dict[str, object] = {}
    timeout = getattr(args, "timeout", None)
    if timeout is not None:
        # One number bounds the page; connect and read waits never exceed it either.
        changes.update(
            total_timeout_s=timeout,
            connect_timeout_s=min(_DEFAULTS.connect_timeout_s, timeout) if timeout > 0 else timeout,
            read_timeout_s=min(_DEFAULTS.read_timeout_s, timeout) if timeout > 0 else timeout,
        )
    for flag, field in (("retries", "retries"), ("max_bytes", "max_bytes"), ("user_agent", "user_agent")):
        value = getattr(args, flag, None)
        if value is not None:
            changes[field] = value
    if getattr(args, "ignore_robots", False):
        changes["obey_robots"] = False
    if getattr(args, "allow_private", False):
        changes["allow_private"] = True
    if getattr(args, "trust_network", None):
        changes["trusted_networks"] = tuple(args.trust_network)
    host_delay = getattr(args, "host_delay", None)
    if host_delay is not None:
        changes["min_host_delay_s"] = host_delay
    # The flags were checked as they were parsed; FetchOptions checks the rest (a bad CIDR
    # raises UsageError now, not at the first fetch).
    return _DEFAULTS.replace(**changes)


def _network(text: str) -> str:
    """Accept a flag's value only if it is a network in CIDR form (argparse `type=`)."""
    problem = FetchOptions.network_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def _header_value(text: str) -> str:
    """Accept a flag's value only if it can be sent as an HTTP header (argparse `type=`)."""
    problem = header_value_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def fetch_from_args(url: str, args: argparse.Namespace) -> Page:
    """Fetch one page with the options given on the command line."""
    return fetch(url, options=fetch_options_from_args(args))


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `fetch` command."""
    parser = sub.add_parser(
        "fetch",
        help="fetch many URLs politely into a WARC file",
        description="Fetch URLs concurrently and politely into a WARC file "
        "(one request and one response record per page, a metadata record per failure).",
    )
    parser.add_argument("urls", nargs="*", metavar="URL", help="http(s) URLs to fetch")
    parser.add_argument(
        "-i", "--input", metavar="FILE", help="read URLs from FILE, one per line (- for stdin)"
    )
    parser.add_argument("--warc", required=True, metavar="OUT", help="WARC file to write (.warc.gz compresses)")
    parser.add_argument(
        "-j", "--jobs", type=int, action=Bounded, low=1, default=DEFAULT_CONCURRENCY, metavar="N",
        help=f"pages in flight at once, across all hosts (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--host-delay", type=float, action=Bounded, low=0, metavar="SECONDS",
        help=f"minimum time between two requests to one host (default {_DEFAULTS.min_host_delay_s:g})",
    )
    add_fetch_options(parser)
    parser.set_defaults(handler=handle)


def read_urls(args: argparse.Namespace) -> list[str]:
    """Collect URLs from the arguments and the -i file, without blanks, comments or repeats."""
    urls = list(args.urls)
    if args.input:
        try:
            text = sys.stdin.read() if args.input == "-" else Path(args.input).read_text("utf-8")
        except OSError as exc:
            raise InputError(f"{args.input}: cannot read: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise InputError(f"{args.input}: not UTF-8 text") from exc
        urls.extend(line.strip() for line in text.splitlines())
    unique = list(dict.fromkeys(url for url in urls if url and not url.startswith("#")))
    if not unique:
        raise UsageError("no URLs given (pass URLs or -i FILE)")
    return unique


def handle(args: argparse.Namespace) -> int:
    """Run `fetch`: every URL into the WARC, a line per failure, a summary line at the end."""
    urls = read_urls(args)
    options = fetch_options_from_args(args)
    try:
        stream = open(args.warc, "wb")  # noqa: SIM115 - closed below, after the async run
    except OSError as exc:
        raise UsageError(f"cannot write {args.warc}: {exc.strerror or exc}") from exc
    with stream:
        archive = WarcArchive(stream, gzip=args.warc.endswith(".gz"), filename=Path(args.warc).name)
        fetched, failed, size, seconds = asyncio.run(_fetch_all(urls, options, args.jobs, archive))
    print(
        f"fetched {fetched}, failed {failed}, {size:,} bytes, {seconds:.1f} s -> {args.warc}",
        file=sys.stderr,
    )
    return FetchError.exit_code if failed else 0


async def _fetch_all(
    urls: list[str], options: FetchOptions, jobs: int, archive: WarcArchive
) -> tuple[int, int, int, float]:
    started = time.monotonic()
    fetched = failed = size = 0
    # A bar only on a terminal: in logs and pipes it would be noise.
    with tqdm(total=len(urls), unit="page", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
        async with AsyncFetcher(options) as fetcher:
            async for result in fetcher.fetch_many(urls, concurrency=jobs):
                if isinstance(result, FetchError):
                    failed += 1
                    archive.write_failure(result)
                    tqdm.write(f"scraper fetch: {result}", file=sys.stderr)
                else:
                    fetched += 1
                    size += len(result.content)
                    archive.write_page(result)
                bar.update(1)
    return fetched, failed, size, time.monotonic() - started
