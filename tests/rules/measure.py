"""Measure F1 on the development sets with and without rule folders (a tool, not a test).

Usage: python -m tests.rules.measure OUT.json [--rules DIR ...] [--no-shipped] [--datasets a,b]
Writes per-page rows (dataset, id, host, p, r, f1, rule_id) so two runs can be compared.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

SHARED = Path(__file__).resolve().parents[3] / "shared"
DATASETS = ("scrapinghub-dev", "wcxb-dev", "readability", "cleaneval")

_spec = importlib.util.spec_from_file_location("score", SHARED / "eval" / "score.py")
score = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(score)  # type: ignore[union-attr]

_STATE: dict = {}


def _init(dirs: list[str], shipped: bool) -> None:
    from scraper.rules import load_ruleset

    _STATE["rules"] = load_ruleset([Path(d) for d in dirs], include_shipped=shipped)


def host_of(url: str | None) -> str:
    """Return the host of `url` without www."""
    return (urlsplit(url or "").hostname or "").removeprefix("www.")


def run_page(job: tuple[str, str, str, str | None]) -> dict:
    """Clean one page and score it."""
    import scraper

    name, key, gold, url = job
    data = gzip.decompress((SHARED / "datasets" / name / "html" / f"{key}.html.gz").read_bytes())
    rules = _STATE["rules"]
    try:
        article = scraper.clean(data, url=url, rules=rules)
        text, rule_id = article.text, article.rule_id
    except Exception as exc:  # noqa: BLE001 - a broken page scores zero; the measure goes on
        text, rule_id = "", f"error:{type(exc).__name__}"
    tp, fp, fn = score.page_counts(gold, text)
    p, r = score.precision(tp, fp, fn), score.recall(tp, fp, fn)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"dataset": name, "id": key, "host": host_of(url), "url": url, "p": p, "r": r, "f1": f,
            "rule_id": rule_id}


def jobs(names: list[str], hosts: set[str] | None = None) -> list[tuple[str, str, str, str | None]]:
    """List the pages of the datasets (only hosts in `hosts` when given)."""
    out = []
    for name in names:
        truth = json.loads((SHARED / "datasets" / name / "truth.json").read_text(encoding="utf-8"))
        for key, gold in truth.items():
            if "articleBody" not in gold:
                continue
            if hosts is not None and host_of(gold.get("url")) not in hosts:
                continue
            out.append((name, key, gold["articleBody"], gold.get("url")))
    return out


def measure(names: list[str], dirs: list[str], shipped: bool, hosts: set[str] | None = None) -> list[dict]:
    """Score every page; return one row per page."""
    with ProcessPoolExecutor(initializer=_init, initargs=(dirs, shipped)) as pool:
        return list(pool.map(run_page, jobs(names, hosts), chunksize=8))


def summary(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Per dataset: benchmark-style P, R, F1 (averaged P and R, F1 from the averages)."""
    out = {}
    for name in sorted({r["dataset"] for r in rows}):
        mine = [r for r in rows if r["dataset"] == name]
        P = sum(r["p"] for r in mine) / len(mine)
        R = sum(r["r"] for r in mine) / len(mine)
        out[name] = {"pages": len(mine), "P": round(P, 4), "R": round(R, 4),
                     "F1": round(2 * P * R / (P + R) if P + R else 0.0, 4)}
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the measure and write rows plus summary."""
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--rules", action="append", default=[])
    ap.add_argument("--no-shipped", action="store_true")
    ap.add_argument("--datasets", default=",".join(DATASETS))
    args = ap.parse_args(argv)
    rows = measure(args.datasets.split(","), args.rules, not args.no_shipped)
    Path(args.out).write_text(json.dumps({"summary": summary(rows), "rows": rows}), encoding="utf-8")
    print(json.dumps(summary(rows), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
