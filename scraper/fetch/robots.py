"""robots.txt: parse it (RFC 9309), match paths against it, and cache the rules per site.

Why not `urllib.robotparser`: before Python 3.12 it ignores `*` and `$` in paths
and applies the first matching rule instead of the longest, as RFC 9309 asks.

How an answer for /robots.txt is read (RFC 9309, section 2.3):

    2xx          parse the rules
    4xx          no rules: everything is allowed
    429, 5xx     the site is unavailable: everything is disallowed (until the TTL ends)
    no answer    allowed, and not cached: the page request will report the real fault
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rule:
    """One Allow or Disallow line."""

    allow: bool
    pattern: str
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compiled once per rule, at parse time; `*` is any run, a final `$` anchors the end.
        anchored = self.pattern.endswith("$")
        body = self.pattern[:-1] if anchored else self.pattern
        regex = ".*".join(re.escape(part) for part in body.split("*"))
        object.__setattr__(self, "regex", re.compile(regex + ("$" if anchored else ""), re.DOTALL))

    def matches(self, path: str) -> bool:
        """Return True when the rule's pattern matches `path` (path and query)."""
        return self.regex.match(path) is not None


@dataclass(frozen=True)
class RobotsRules:
    """The rules of the group that applies to us, or a blanket answer."""

    rules: tuple[Rule, ...] = ()
    # Set when the whole site is off limits for a reason other than its rules.
    disallow_all_reason: str | None = None

    @classmethod
    def parse(cls, text: str, token: str) -> RobotsRules:
        """Return the rules robots.txt `text` sets for the product `token` (or for `*`)."""
        groups = _groups(text)
        token = token.lower()
        mine = [rules for agents, rules in groups if token in agents]
        if not mine:
            mine = [rules for agents, rules in groups if "*" in agents]
        return cls(tuple(rule for rules in mine for rule in rules))

    def allows(self, path: str) -> bool:
        """Return True when `path` may be fetched: the longest match wins, Allow wins a tie."""
        if self.disallow_all_reason is not None:
            return path == "/robots.txt"
        if path == "/robots.txt":
            return True
        best: Rule | None = None
        for rule in self.rules:
            if not rule.matches(path):
                continue
            if best is None or (len(rule.pattern), rule.allow) > (len(best.pattern), best.allow):
                best = rule
        return best is None or best.allow


ALLOW_ALL = RobotsRules()


def _groups(text: str) -> list[tuple[set[str], list[Rule]]]:
    groups: list[tuple[set[str], list[Rule]]] = []
    agents: set[str] = set()
    rules: list[Rule] = []
    last_was_agent = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if not last_was_agent and (agents or rules):
                groups.append((agents, rules))
                agents, rules = set(), []
            # "scraper/1.0" names the product "scraper"; matching is case-insensitive.
            agents.add(value.split("/", 1)[0].strip().lower())
            last_was_agent = True
        elif key in {"allow", "disallow"}:
            last_was_agent = False
            # Rules before any User-agent line belong to no group; an empty Disallow allows all.
            if agents and value:
                rules.append(Rule(key == "allow", value))
        else:
            last_was_agent = False  # sitemap, crawl-delay, ...: not ours to act on
    if agents:
        groups.append((agents, rules))
    return groups


@dataclass
class RobotsCache:
    """Rules per site (scheme, host, port), each kept for `ttl_s` seconds."""

    ttl_s: float
    clock: Callable[[], float] = time.monotonic
    _entries: dict[str, tuple[RobotsRules, float]] = field(default_factory=dict)

    def get(self, site: str) -> RobotsRules | None:
        """Return the cached rules for `site`, or None when absent or expired."""
        entry = self._entries.get(site)
        if entry is None or entry[1] <= self.clock():
            return None
        return entry[0]

    def put(self, site: str, rules: RobotsRules) -> None:
        """Cache `rules` for `site` until the TTL ends."""
        self._entries[site] = (rules, self.clock() + self.ttl_s)


def rules_for_status(status: int, body: str, token: str) -> RobotsRules:
    """Return the rules a /robots.txt answer with `status` and `body` stands for."""
    if 200 <= status < 300:
        return RobotsRules.parse(body, token)
    if status == 429 or status >= 500:
        return RobotsRules(disallow_all_reason=f"robots.txt answered {status}; the site asks us to stay away")
    return ALLOW_ALL
