"""Measure accuracy: scraper and trafilatura on the shared development sets, side by side.

    python tools/evaluate.py --datasets ../shared/datasets [--only NAME ...] [--worst N]
                             [--favor precision|recall] [--json OUT.json] [--markdown OUT.md]

Our predictions come from the real bulk command (`scraper bulk PAGES.jsonl.gz`),
fed with each page's URL as a crawler would; trafilatura runs with default
settings and tables on. Both go to out/eval/<dataset>.<extractor>.jsonl and are
scored with the shared scorer (../shared/eval/score.py). trafilatura's
predictions are cached per trafilatura version.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import subprocess
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


def bulk_input(name: str, items: list[tuple[str, str, str | None]]) -> Path:
    """Write (once) the dataset as JSON Lines with id, url and html, the way a crawler hands pages over."""
    path = OUT / f"{name}.pages.jsonl.gz"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8") as fh:
            for page_id, html_path, url in items:
                with gzip.open(html_path) as page:
                    html = page.read().decode("utf-8", "replace")
                fh.write(json.dumps({"id": page_id, "url": url, "html": html}, ensure_ascii=False) + "\n")
        tmp.replace(path)
    return path


def predict_ours(pages: Path, out: Path, jobs: int, favor: str) -> float:
    """Run `scraper bulk` over the pages; return seconds."""
    start = time.perf_counter()
    command = [sys.executable, "-m", "scraper", "bulk", str(pages), "-o", str(out), "-j", str(jobs),
               "--fields", "id,text,error", "--favor", favor]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"scraper bulk failed ({result.returncode}): {result.stderr.strip()}")
    return time.perf_counter() - start


def _trafilatura(item: tuple[str, str, str | None]) -> dict:
    import trafilatura

    page_id, path, url = item
    with gzip.open(path) as page:
        html = page.read().decode("utf-8", "replace")
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
    parser.add_argument("--markdown", type=Path, help="write the report (table, per type, worst pages) here")
    args = parser.parse_args(argv)

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
        seconds = predict_ours(bulk_input(name, items), ours_out, args.jobs, args.favor)
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
        worst = sorted(rows, key=lambda r: r[3])[: max(args.worst, 10)]
        row["worst"] = [_diagnose(key, p, r, f, ours_out) for key, p, r, f, *_ in worst]
        if args.worst:
            for entry in row["worst"][: args.worst]:
                print(f"    worst {entry['id']}  P {entry['p']:.3f}  R {entry['r']:.3f}  F1 {entry['f1']:.3f}  {entry['why']}")
        figures[name] = row
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(_markdown(figures, args), encoding="utf-8")
    return 0


def _diagnose(key: str, p: float, r: float, f: float, predictions: Path) -> dict:
    """Say in a few words what went wrong on one page, from its scores and our output."""
    text = ""
    with predictions.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record.get("id") == key:
                text = record.get("text") or ""
                error = record.get("error")
                if error:
                    return {"id": key, "p": p, "r": r, "f1": f, "why": f"error: {error}"}
                break
    if not text.strip():
        why = "nothing extracted"
    elif r < 0.2:
        why = "picked the wrong block: almost none of the gold text"
    elif p < 0.5 and r >= 0.8:
        why = "whole article, but more clutter than article around it"
    elif p < 0.8 and r >= 0.8:
        why = "whole article plus some clutter"
    elif r < 0.5:
        why = "lost most of the article (a part of it was chosen)"
    elif r < 0.8:
        why = "lost part of the article"
    else:
        why = "small differences in both directions"
    return {"id": key, "p": p, "r": r, "f1": f, "why": why, "chars": len(text)}


def _markdown(figures: dict[str, dict], args: argparse.Namespace) -> str:
    """Render the figures as the accuracy report."""
    import platform

    import trafilatura

    lines = [
        "# Accuracy",
        "",
        (
            "Produced by `make eval` (`python tools/evaluate.py --markdown docs/accuracy.md --worst 10`), "
            f"favor `{args.favor}`, on the development sets in `../shared/datasets`, scored with "
            "`../shared/eval/score.py` (word 4-gram shingles; precision and recall averaged over pages, F1 "
            f"from the averages). trafilatura {trafilatura.__version__} runs with default settings and "
            f"`include_tables=True` on the same pages, with the same URLs. Python {platform.python_version()}."
        ),
        "",
        "| dataset | pages | scraper P | scraper R | scraper F1 | trafilatura P | trafilatura R | trafilatura F1 | ΔF1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in figures.items():
        ours, peer = row["scraper"], row.get("trafilatura")
        cells = [name, str(row["pages"]), f"{ours['precision']:.3f}", f"{ours['recall']:.3f}", f"**{ours['f1']:.3f}**"]
        if peer:
            cells += [f"{peer['precision']:.3f}", f"{peer['recall']:.3f}", f"{peer['f1']:.3f}", f"{ours['f1'] - peer['f1']:+.3f}"]
        else:
            cells += ["", "", "", ""]
        lines.append("| " + " | ".join(cells) + " |")
    for name, row in figures.items():
        if "by_type" in row:
            lines += ["", f"## {name} by page type", "", "| type | pages | scraper F1 | trafilatura F1 | ΔF1 |", "|---|---:|---:|---:|---:|"]
            for kind, fig in sorted(row["by_type"].items()):
                peer_f1 = fig.get("trafilatura_f1")
                delta = f"{fig['scraper_f1'] - peer_f1:+.3f}" if peer_f1 is not None else ""
                peer_cell = f"{peer_f1:.3f}" if peer_f1 is not None else ""
                lines.append(f"| {kind} | {fig['pages']} | {fig['scraper_f1']:.3f} | {peer_cell} | {delta} |")
    lines += ["", "## The ten worst pages per dataset", "",
              "What went wrong is read off each page's precision, recall and our output.", ""]
    for name, row in figures.items():
        lines += [f"### {name}", "", "| page | P | R | F1 | what went wrong |", "|---|---:|---:|---:|---|"]
        for entry in row["worst"][:10]:
            lines.append(f"| {entry['id'][:16]} | {entry['p']:.2f} | {entry['r']:.2f} | {entry['f1']:.2f} | {entry['why']} |")
        lines.append("")
    return "\n".join(lines) + "\n"


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
