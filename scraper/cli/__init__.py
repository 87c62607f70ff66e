"""The command line: thin commands over the library, errors turned into exit codes here.

Each command lives in its own module exposing ``register(subparsers)``, which
adds a subparser whose ``handler`` default takes the parsed args and returns
an exit code. Only this module catches `ScraperError`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from scraper import __version__
from scraper.errors import ScraperError, UsageError

EXIT_OK = 0
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """An argparse parser that raises UsageError instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """Build the `scraper` parser with every command registered."""
    from scraper.cli import bulk_cmd, clean_cmd, fetch_cmd, rules_cmd

    parser = _Parser(prog="scraper", description="Take a web page, give back the article.")
    parser.add_argument("--version", action="version", version=f"scraper {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in (clean_cmd, bulk_cmd, fetch_cmd, rules_cmd):
        module.register(sub)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `scraper` command."""
    return run(build_parser(), argv)


def clean_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `clean` alias: `clean SOURCE` is `scraper clean SOURCE`."""
    from scraper.cli import clean_cmd

    parser = _Parser(prog="clean", description="Clean one page: print its article.")
    clean_cmd.add_arguments(parser)
    parser.set_defaults(handler=clean_cmd.handle)
    return run(parser, argv)
