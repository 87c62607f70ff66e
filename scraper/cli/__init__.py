"""The command line: thin commands over the library, errors turned into exit codes here.

Each command lives in its own module exposing ``register(subparsers)``, which
adds a subparser whose ``handler`` default takes the parsed args and returns
an exit code. Only this module catches `ScraperError`.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
from collections.abc import Sequence
from typing import Any

from scraper import __version__
from scraper.errors import ScraperError, UsageError

EXIT_OK = 0
EXIT_INTERRUPTED = 130
# A bug of ours, not of the input (sysexits' EX_SOFTWARE).
EXIT_INTERNAL = 70
# Each names a module scraper.cli.<name>_cmd, imported only when its command may run:
# `scraper bulk` need not load httpx, asyncio and warcio (fetch) before its first page.
COMMANDS = ("clean", "bulk", "fetch", "rules")


class _Parser(argparse.ArgumentParser):
    """An argparse parser that raises UsageError instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


class Bounded(argparse.Action):
    """Store a number flag only when it is finite and in range, naming the flag when it is not.

    Used as ``add_argument("--timeout", type=float, action=Bounded, low=0, above=True)``:
    argparse hands the extra keywords to this class. NaN would pass every comparison and
    infinity is no limit, so both are refused here, before any command runs.
    """

    def __init__(
        self, option_strings: Sequence[str], dest: str, *, low: float, above: bool = False,
        high: float | None = None, **kwargs: Any,
    ) -> None:
        super().__init__(option_strings, dest, **kwargs)
        self.low, self.above, self.high = low, above, high

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
        option_string: str | None = None,
    ) -> None:
        flag = option_string or self.dest
        if not math.isfinite(values):
            parser.error(f"{flag} must be a finite number, not {values}")
        if values < self.low or (self.above and values == self.low):
            parser.error(f"{flag} must be {'more than' if self.above else 'at least'} {self.low:g}, not {values:g}")
        if self.high is not None and values > self.high:
            parser.error(f"{flag} must be at most {self.high:g}, not {values:g}")
        setattr(namespace, self.dest, values)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Build the `scraper` parser with every command registered, or only the command `only`."""
    parser = _Parser(prog="scraper", description="Take a web page, give back the article.")
    parser.add_argument("--version", action="version", version=f"scraper {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in (only,) if only in COMMANDS else COMMANDS:
        importlib.import_module(f"scraper.cli.{name}_cmd").register(sub)
    return parser


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse `argv`, run the chosen handler, and map errors to exit codes."""
    try:
        args = parser.parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help(sys.stderr)
            return UsageError.exit_code
        return int(handler(args))
    except ScraperError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); that is not our error.
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        # A bug of ours still ends in one line, and says so.
        if os.environ.get("SCRAPER_DEBUG"):
            raise
        print(
            f"{parser.prog}: internal error: {type(exc).__name__}: {exc} "
            "(a bug in scraper; SCRAPER_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `scraper` command."""
    args = sys.argv[1:] if argv is None else list(argv)
    return run(build_parser(args[0] if args else None), args)


def clean_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `clean` alias: `clean SOURCE` is `scraper clean SOURCE`."""
    from scraper.cli import clean_cmd

    parser = _Parser(prog="clean", description="Clean one page: print its article.")
    clean_cmd.add_arguments(parser)
    parser.set_defaults(handler=clean_cmd.handle)
    return run(parser, argv)
