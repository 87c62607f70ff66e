"""Measure accuracy: scraper and trafilatura on the shared development sets, side by side.

    python tools/evaluate.py --datasets ../shared/datasets [--only NAME ...] [--worst N]

Predictions go to out/eval/<dataset>.<extractor>.jsonl and are scored with the
shared scorer (../shared/eval/score.py). trafilatura's predictions are cached
per trafilatura version, since they do not change between our runs.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out" / "eval"


def load_scorer(datasets: Path):  # type: ignore[no-untyped-def]
    """Import the shared scorer module from beside the datasets."""
    path = datasets.parent / "eval" / "score.py"
    spec = importlib.util.spec_from_file_location("shared_score", path)
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load the scorer at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FAVOR = "balanced"


def _ours(item: tuple[str, str, str | None]) -> dict:
    import scraper

    page_id, path, url = item
    try:
        article = scraper.clean(gzip.open(path).read(), url=url, options=scraper.Options(favor=FAVOR))
        return {"id": page_id, "text": article.text, "path": article.path}
    except scraper.ScraperError as exc:
        return {"id": page_id, "text": "", "error": str(exc)}


def _trafilatura(item: tuple[str, str, str | None]) -> dict:
    import trafilatura

    page_id, path, url = item
    html = gzip.open(path).read().decode("utf-8", "replace")
    text = trafilatura.extract(html, url=url, include_tables=True) or ""
    return {"id": page_id, "text": text}


def items_of(dataset: Path) -> list[tuple[str, str, str | None]]:
    """List (id, html path, url) for every page of a dataset."""
    truth = json.loads((dataset / "truth.json").read_text(encoding="utf-8"))
    items = []
    for page_id, gold in sorted(truth.items()):
        path = dataset / "html" / f"{page_id}.html.gz"
        if path.exists():
            items.append((page_id, str(path), gold.get("url")))
    return items


def predict(fn, items, out: Path, jobs: int) -> float:  # type: ignore[no-untyped-def]
    """Run `fn` over items in a process pool, write JSONL, return seconds."""
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool, out.open("w", encoding="utf-8") as fh:
        for record in pool.map(fn, items, chunksize=8):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--only", action="append", help="dataset name (repeatable)")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages per dataset")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--no-peer", action="store_true", help="skip trafilatura")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--favor", choices=("balanced", "precision", "recall"), default="balanced")
    args = parser.parse_args(argv)
    global FAVOR
    FAVOR = args.favor

    import trafilatura

    scorer = load_scorer(args.datasets)
    OUT.mkdir(parents=True, exist_ok=True)
    names = args.only or sorted(p.name for p in args.datasets.iterdir() if (p / "truth.json").exists())
    figures: dict[str, dict] = {}
    print(f"{'dataset':18} {'pages':>5}  {'scraper P / R / F1':>22}  {'trafilatura P / R / F1':>24}  {'dF1':>6}")
    for name in names:
        dataset = args.datasets / name
        items = items_of(dataset)
        ours_out = OUT / f"{name}.scraper.jsonl"
        seconds = predict(_ours, items, ours_out, args.jobs)
        ours, rows = scorer.score(dataset, scorer.load_predictions(ours_out))
        row = {"pages": len(items), "scraper": ours, "scraper_seconds": seconds}
        line = f"{name:18} {len(items):5}  {ours['precision']:.3f} / {ours['recall']:.3f} / {ours['f1']:.3f}"
        peer_rows = []
        if not args.no_peer:
            peer_out = OUT / f"{name}.trafilatura-{trafilatura.__version__}.jsonl"
            if not peer_out.exists():
                predict(_trafilatura, items, peer_out, args.jobs)
            peer, peer_rows = scorer.score(dataset, scorer.load_predictions(peer_out))
            row["trafilatura"] = peer
            line += (
                f"    {peer['precision']:.3f} / {peer['recall']:.3f} / {peer['f1']:.3f}"
                f"  {ours['f1'] - peer['f1']:+.3f}"
            )
        print(line, flush=True)
        types = _page_types(dataset)
        if types:
            row["by_type"] = _by_type(rows, peer_rows, types)
            for kind, fig in sorted(row["by_type"].items()):
                peer_f1 = fig.get("trafilatura_f1")
                extra = f"    F1 {peer_f1:.3f}  {fig['scraper_f1'] - peer_f1:+.3f}" if peer_f1 is not None else ""
                print(f"  {kind:16} {fig['pages']:5}  F1 {fig['scraper_f1']:.3f}{extra}")
        if args.worst:
            for key, p, r, f, *_ in sorted(rows, key=lambda r: r[3])[: args.worst]:
                print(f"    worst {key}  P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
        figures[name] = row
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


def _page_types(dataset: Path) -> dict[str, str]:
    truth = json.loads((dataset / "truth.json").read_text(encoding="utf-8"))
    return {k: v["page_type"] for k, v in truth.items() if "page_type" in v}


def _f1_of(rows, ids):  # type: ignore[no-untyped-def]
    ps = [p for key, p, _, _, has_p, _ in rows if key in ids and has_p]
    rs = [r for key, _, r, _, _, has_r in rows if key in ids and has_r]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def _by_type(rows, peer_rows, types: dict[str, str]) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    groups: dict[str, set[str]] = defaultdict(set)
    for key, kind in types.items():
        groups[kind].add(key)
    result = {}
    for kind, ids in groups.items():
        fig = {"pages": len(ids), "scraper_f1": _f1_of(rows, ids)}
        if peer_rows:
            fig["trafilatura_f1"] = _f1_of(peer_rows, ids)
        result[kind] = fig
    return result


if __name__ == "__main__":
    sys.exit(main())
