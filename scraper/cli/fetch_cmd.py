"""The `scraper fetch` command (placeholder until its issue lands)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `fetch` command."""
    sub.add_parser("fetch", help="(not yet available)")
