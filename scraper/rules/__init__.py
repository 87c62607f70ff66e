"""Site-specific and generic cleanup rules: data files, loaded and compiled up front."""

from __future__ import annotations

from scraper.rules.loader import default_ruleset, load_generic, shipped_rules_dir
from scraper.rules.model import GenericRules, RuleSet, Selector, SiteRule

__all__ = [
    "GenericRules",
    "RuleSet",
    "Selector",
    "SiteRule",
    "default_ruleset",
    "load_generic",
    "shipped_rules_dir",
]
