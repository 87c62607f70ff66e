"""Measure `rules learn` on held-out pages (a tool, not a test).

For every host with at least 4 pages in a development set: for each page,
learn a rule from the host's other pages and clean the held-out page with
and without it. Usage: python -m tests.rules.measure_learn OUT.json
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from tests.rules.measure import SHARED, host_of, score

DATASETS = ("wcxb-dev", "cleaneval", "scrapinghub-dev", "readability")


def _f1(gold: str, text: str) -> tuple[float, float, float]:
    tp, fp, fn = score.page_counts(gold, text)
    p, r = score.precision(tp, fp, fn), score.recall(tp, fp, fn)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: list[str] | None = None) -> int:
    """Run leave-one-out learning per host and print the summary."""
    import scraper
    from scraper.errors import InputError
    from scraper.rules import default_ruleset
    from scraper.rules.learn import Page, learn_rule, rule_to_toml
    from scraper.rules.loader import load_site_rule
    from scraper.rules.model import RuleSet

    out = Path((argv or sys.argv[1:])[0])
    rows = []
    base = default_ruleset()
    for name in DATASETS:
        truth = json.loads((SHARED / "datasets" / name / "truth.json").read_text(encoding="utf-8"))
        by_host: dict[str, list[str]] = defaultdict(list)
        for key, gold in truth.items():
            if "articleBody" in gold and host_of(gold.get("url")):
                by_host[host_of(gold.get("url"))].append(key)
        for host, keys in sorted(by_host.items()):
            if len(keys) < 4:
                continue
            html = {k: gzip.decompress((SHARED / "datasets" / name / "html" / f"{k}.html.gz").read_bytes())
                    for k in keys}
            for held in keys:
                train = [Page(html[k], truth[k]["url"], k) for k in keys if k != held]
                url = truth[held]["url"]
                gold = truth[held]["articleBody"]
                without = scraper.clean(html[held], url=url, rules=base).text
                try:
                    learned = learn_rule(train, host=host)
                except InputError as exc:
                    # Nothing learned: the page is cleaned as before, and still counts.
                    print(f"{host}: {exc}", file=sys.stderr)
                    learned, with_rule = None, without
                if learned is not None:
                    with tempfile.TemporaryDirectory() as tmp:
                        file = Path(tmp) / "learned.toml"
                        file.write_text(rule_to_toml(learned), encoding="utf-8")
                        rule = load_site_rule(file)
                    # Learned rules go before the shipped ones, as a user folder would.
                    with_rule = scraper.clean(html[held], url=url,
                                              rules=RuleSet(base.generic, (rule,) + base.sites)).text
                rows.append({"dataset": name, "host": host, "id": held,
                             "without": _f1(gold, without), "with": _f1(gold, with_rule),
                             "selectors": len(learned.selectors) if learned else 0,
                             "phrases": len(learned.phrases) if learned else 0})
    summary = {}
    for label in ("without", "with"):
        P = sum(r[label][0] for r in rows) / len(rows)
        R = sum(r[label][1] for r in rows) / len(rows)
        summary[label] = {"pages": len(rows), "P": round(P, 4), "R": round(R, 4),
                          "F1": round(2 * P * R / (P + R), 4)}
    per_host = defaultdict(lambda: [0.0, 0.0, 0])
    for r in rows:
        h = per_host[r["host"]]
        h[0] += r["without"][2]
        h[1] += r["with"][2]
        h[2] += 1
    summary["hosts"] = {h: {"pages": v[2], "f1_without": round(v[0] / v[2], 3), "f1_with": round(v[1] / v[2], 3)}
                        for h, v in sorted(per_host.items())}
    out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1), encoding="utf-8")
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
