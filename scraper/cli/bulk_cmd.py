"""The `scraper bulk` command (placeholder until its issue lands)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `bulk` command."""
    sub.add_parser("bulk", help="(not yet available)")
