"""The `scraper rules` command (placeholder until its issue lands)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `rules` command."""
    sub.add_parser("rules", help="(not yet available)")
