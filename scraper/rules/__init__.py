"""Site-specific and generic cleanup rules: data files, loaded and compiled up front."""

from __future__ import annotations

from scraper.rules.loader import (
    ENV_VAR,
    LoadReport,
    default_ruleset,
    load_generic,
    load_ruleset,
    load_ruleset_report,
    rule_dirs_from_env,
    shipped_rules_dir,
)
from scraper.rules.model import GenericRules, RuleSet, Selector, SiteRule

__all__ = [
    "ENV_VAR",
    "GenericRules",
    "LoadReport",
    "RuleSet",
    "Selector",
    "SiteRule",
    "default_ruleset",
    "load_generic",
    "load_ruleset",
    "load_ruleset_report",
    "rule_dirs_from_env",
    "shipped_rules_dir",
]
