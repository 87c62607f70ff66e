"""Each shipped site rule proves itself on a fixture page of its site's template.

With the shipped rules, the page passes its must_include / must_exclude checks;
with that one rule taken out (everything else unchanged), it fails at least one.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

import scraper
from scraper.rules import RuleSet, default_ruleset

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
CASES = sorted(p.name for p in SITES.iterdir() if (p / "case.toml").is_file())


def _case(name: str) -> tuple[dict, bytes]:
    folder = SITES / name
    return tomllib.loads((folder / "case.toml").read_text(encoding="utf-8")), (folder / "source.html").read_bytes()


def _failures(case: dict, text: str) -> list[str]:
    flat = " ".join(text.split())
    problems = [f"missing {s!r}" for s in case["must_include"] if " ".join(s.split()) not in flat]
    problems += [f"kept {s!r}" for s in case["must_exclude"] if " ".join(s.split()) in flat]
    return problems


def _without(rule_id: str) -> RuleSet:
    shipped = default_ruleset()
    return replace(shipped, sites=tuple(r for r in shipped.sites if r.id != rule_id))


@pytest.mark.parametrize("name", CASES)
def test_passes_with_its_rule(name: str) -> None:
    case, html = _case(name)
    article = scraper.clean(html, url=case["url"])
    assert article.rule_id == case["rule"], f"{name}: matched {article.rule_id!r}"
    assert _failures(case, article.text) == []


@pytest.mark.parametrize("name", CASES)
def test_fails_without_its_rule(name: str) -> None:
    case, html = _case(name)
    article = scraper.clean(html, url=case["url"], rules=_without(case["rule"]))
    assert article.rule_id is None
    assert _failures(case, article.text), f"{name}: the generic rules alone already pass; the rule proves nothing"


def test_every_site_rule_has_a_fixture() -> None:
    rules = default_ruleset().sites
    assert len(rules) >= 15
    covered = {_case(name)[0]["rule"] for name in CASES}
    for rule in rules:
        assert rule.id in covered, f"site rule {rule.id} has no fixture in {SITES}"
        assert rule.fixture == f"tests/fixtures/sites/{rule.id}", rule.id


@pytest.mark.parametrize("name", CASES)
def test_fixture_is_not_trivial(name: str) -> None:
    case, html = _case(name)
    assert case["must_include"] and case["must_exclude"]
    assert len(html) > 1500
