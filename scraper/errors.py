"""The exception hierarchy of `scraper`.

Every error the toolkit raises on purpose derives from `ScraperError`, and each
kind carries the exit code the CLI ends with::

    ScraperError                      exit 1   (anything else we raised)
    ├── UsageError                    exit 2   bad command line or options
    ├── InputError                    exit 3   unreadable, empty, binary or non-HTML input
    │   └── TooLargeInput             exit 3   input over Options.max_input_bytes
    ├── RuleError                     exit 4   a rule file is invalid (names file and key)
    ├── FetchError                    exit 5   the page could not be fetched (carries url)
    │   ├── FetchTimeout
    │   ├── ResponseTooLarge
    │   ├── BadStatus
    │   ├── NotHTML
    │   ├── RobotsDisallowed
    │   ├── AddressRefused
    │   └── TooManyRedirects
    └── NoContentError                exit 6   the page parsed, but no article was found

Lower-layer errors (httpx, lxml, OSError) are translated into these in one
place per layer, always with ``raise ... from exc``.
"""

from __future__ import annotations


class ScraperError(Exception):
    """Base class of every error `scraper` raises on purpose."""

    exit_code = 1


class UsageError(ScraperError):
    """The command line or the options given are wrong."""

    exit_code = 2


class InputError(ScraperError):
    """The input cannot be read as an HTML page."""

    exit_code = 3


class TooLargeInput(InputError):
    """The input is larger than the configured limit."""


class RuleError(ScraperError):
    """A rule file is invalid; the message names the file and the key."""

    exit_code = 4

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        where = ":".join(part for part in (path, key) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.key = key


class FetchError(ScraperError):
    """A page could not be fetched; `url` names it."""

    exit_code = 5

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.reason = message


class FetchTimeout(FetchError):
    """Connecting, reading or the whole fetch took longer than allowed."""


class ResponseTooLarge(FetchError):
    """The body (raw or decompressed) is larger than the size cap."""


class BadStatus(FetchError):
    """The server answered with an error status."""

    def __init__(self, message: str, *, url: str, status: int) -> None:
        super().__init__(message, url=url)
        self.status = status


class NotHTML(FetchError):
    """The response is not an HTML document."""


class RobotsDisallowed(FetchError):
    """robots.txt forbids fetching this URL."""


class AddressRefused(FetchError):
    """The host resolves to an address we refuse (loopback, private, ...)."""


class TooManyRedirects(FetchError):
    """The redirect chain is too long or loops."""


class NoContentError(ScraperError):
    """The page was read, but holds no article content."""

    exit_code = 6
